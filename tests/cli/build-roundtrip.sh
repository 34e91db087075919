#!/usr/bin/env bash
# Round trips through an unprivileged extraction: extract the image of the
# rich tree as uid 65534 (no owners, no device nodes: a manifest instead),
# rebuild from the extracted tree plus that manifest, and get the original
# image back byte for byte, in util-linux mode (against Debian's
# mkfs.cramfs) and in native mode (against our own first build).
. "$(dirname "$0")/lib.sh"
t_init cramfs mkfs root

make_rich_tree "$T/src" || t_fail "make_rich_tree"
chmod 0777 "$T"

# roundtrip NAME ORIG_IMAGE MODE: extract as nobody, rebuild, compare.
roundtrip() {
    local name=$1 orig=$2 mode=$3 x=$T/$1.x
    cp "$orig" "$T/$name.img" && chmod 0644 "$T/$name.img"
    mkdir "$x.parent" && chown 65534:65534 "$x.parent"
    rc_run "$name-extract" 0 "$name: extract as uid 65534" \
        setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$CRAMFS" extract "$T/$name.img" --to "$x.parent/t" \
        --manifest "$x.parent/t.manifest"
    grep -q ' c .* 1 3 - - -$' "$x.parent/t.manifest"
    t_check $? "$name: the manifest lists the device nodes"
    rc_run "$name-build" 0 "$name: rebuild with the manifest" \
        "$CRAMFS" build --mode "$mode" -D "$x.parent/t.manifest" \
        -o "$T/$name.back" "$x.parent/t"
    cmp "$orig" "$T/$name.back" > /dev/null
    t_check $? "$name: the rebuilt image equals the original byte for byte"
}

"$MKFS" "$T/src" "$T/ul.orig" > /dev/null 2>&1
roundtrip util-linux "$T/ul.orig" util-linux

"$CRAMFS" build -o "$T/n.orig" "$T/src" 2> "$T/n.err"
t_check $? "native build of the rich tree"
roundtrip native "$T/n.orig" native
t_done
