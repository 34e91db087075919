#!/usr/bin/env bash
# Round trips through an unprivileged extraction: extract the image of the
# rich tree without root rights (no owners, no device nodes: a manifest
# instead), rebuild from the extracted tree plus that manifest, and get the
# original image back byte for byte, in util-linux mode (against the image
# mkfs.cramfs writes of the tree: lib.sh tree_image) and in native mode
# (against our own first build).  Runs as any user; root extracts as uid
# 65534.
. "$(dirname "$0")/lib.sh"
t_init cramfs mkfs python3

make_rich_tree "$T/src" || t_fail "make_rich_tree"
chmod 0777 "$T"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# roundtrip NAME ORIG_IMAGE MODE: extract unprivileged, rebuild, compare.
roundtrip() {
    local name=$1 orig=$2 mode=$3 x=$T/$1.x
    cp "$orig" "$T/$name.img" && chmod 0644 "$T/$name.img"
    mkdir "$x.parent" && chmod 0777 "$x.parent"
    rc_run "$name-extract" 0 "$name: extract without root rights" \
        "${as_user[@]}" "$CRAMFS" extract "$T/$name.img" --to "$x.parent/t" \
        --manifest "$x.parent/t.manifest"
    grep -q ' c .* 1 3 - - -$' "$x.parent/t.manifest"
    t_check $? "$name: the manifest lists the device nodes"
    # A user cannot read back the files of mode 0000 he extracted; the
    # manifest lists them with their mode (their owners were not applied),
    # so opening them up for the rebuild changes nothing in the image.
    [ -z "${as_user[*]}" ] && chmod -R u+rwX "$x.parent/t"
    rc_run "$name-build" 0 "$name: rebuild with the manifest" \
        "$CRAMFS" build --mode "$mode" -D "$x.parent/t.manifest" \
        -o "$T/$name.back" "$x.parent/t"
    cmp "$orig" "$T/$name.back" > /dev/null
    t_check $? "$name: the rebuilt image equals the original byte for byte"
}

tree_image "$T/ul.orig" "$T/src"
t_check $? "util-linux image of the rich tree"
roundtrip util-linux "$T/ul.orig" util-linux

tree_table "$T/src" > "$T/src.table"
"$CRAMFS" build -D "$T/src.table" -o "$T/n.orig" "$T/src" 2> "$T/n.err"
t_check $? "native build of the rich tree"
roundtrip native "$T/n.orig" native
t_done
