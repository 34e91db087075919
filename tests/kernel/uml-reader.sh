#!/bin/bash
# uml-reader.sh - our reader agrees with the Linux kernel.
#
# For images Debian's util-linux mkfs.cramfs makes of the rich test tree
# (tests/cli/lib.sh make_rich_tree) in the variants an x86_64 kernel can
# mount (LE default, -z holes, -p boot pad, -b 4096 with an edition/label
# (the tree has duplicate files: dedup), -i inserted blob), the image is
# mounted by the real cramfs driver in User-Mode Linux (uml-mount.sh) and
# its manifest is compared with the manifest of `cramfs extract` (as root)
# of the same image, seen as the kernel would show it (host-manifest.sh
# --kernel: root mode | 0555, device numbers 8:8).  They must be identical,
# and the kernel must log nothing about the image.  As a cross-check the
# kernel's view must also equal the source tree's (same reduction).
# Finally the committed fixtures (tests/data): the kernel refuses the BE
# image, and our reading of both the LE and the BE image equals the kernel's
# reading of the LE one.
#
# Exit 77 when User-Mode Linux (package user-mode-linux) is not installed,
# or cannot run processes on this host (uml-mount.sh exit 4: a CPU with
# AMX has a larger XSAVE area than UML 6.1 handles).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
uml_find || t_skip "no User-Mode Linux: $uml_missing"
uml_require_runs
t_init cramfs mkfs python3 oracle root
export ORACLE_TOOL

SRC=$T/src
make_rich_tree "$SRC" || { t_fail "cannot build the test tree"; t_done; }
head -c 777 /dev/zero | tr '\0' 'K' >"$T/blob"

# kernel_vs_reader NAME MKFS_ARGS...
kernel_vs_reader() {
    local name=$1 img=$T/$1.img
    shift
    t_note "variant $name: mkfs.cramfs $*"
    "$MKFS" "$@" "$SRC" "$img" >/dev/null 2>&1 || { t_fail "$name: mkfs.cramfs $* failed"; return; }

    CRAMFS_UML_TIMEOUT=${CRAMFS_UML_TIMEOUT:-120} "$here/uml-mount.sh" "$img" >"$T/uml.out" 2>"$T/uml.err"
    local rc=$?
    if [ $rc != 0 ]; then
        t_fail "$name: uml-mount.sh exit $rc (0 = mounted)"; sed 's/^/  /' "$T/uml.err" | tail -n 30
        return
    fi
    t_ok "$name: mounted by the kernel ($(grep -o 'UML run took.*' "$T/uml.err"))"
    grep -v '^kmsg ' "$T/uml.out" >"$T/kernel.manifest"
    if grep '^kmsg ' "$T/uml.out" >"$T/kmsg"; then
        t_fail "$name: the kernel logged about the image"; head -n 20 "$T/kmsg" | sed 's/^/  /'
    else
        t_ok "$name: no kernel messages"
    fi
    grep -q ' ERROR:' "$T/kernel.manifest" &&
        t_fail "$name: the kernel could not read some entries: $(grep -c ' ERROR:' "$T/kernel.manifest")"

    rc_run ex 0 "$name: cramfs extract" "$CRAMFS" extract "$img" --to "$T/$name.out" || return
    "$here/host-manifest.sh" --kernel "$T/$name.out" >"$T/reader.manifest"
    if diff -u --label "kernel (UML) view of $name.img" --label "cramfs extract of $name.img" \
        "$T/kernel.manifest" "$T/reader.manifest" >"$T/kr.diff"; then
        t_ok "$name: reader manifest == kernel manifest ($(wc -l <"$T/kernel.manifest") entries)"
    else
        t_fail "$name: reader and kernel disagree"; head -n 60 "$T/kr.diff" | sed 's/^/  /'
    fi
    "$here/host-manifest.sh" --kernel "$SRC" >"$T/source.manifest"
    if diff -u --label "source tree (kernel view)" --label "kernel (UML) view" \
        "$T/source.manifest" "$T/kernel.manifest" >"$T/sk.diff"; then
        t_ok "$name: kernel manifest == source tree (cross-check of the oracle)"
    else
        t_fail "$name: kernel view differs from the source tree"; head -n 60 "$T/sk.diff" | sed 's/^/  /'
    fi
    chmod -R u+rwX "$T/$name.out"; rm -rf "$T/$name.out" "$img"
}

kernel_vs_reader le-default
kernel_vs_reader holes -z
kernel_vs_reader pad -p
kernel_vs_reader b4096-dedup -b 4096 -N little -e 9 -n dedup-label
kernel_vs_reader insert -i "$T/blob"

# The committed util-linux endianness fixtures: the kernel (LE) refuses the
# big-endian one, but our reading of it must equal the kernel's reading of
# the little-endian one (same tree).
"$here/uml-mount.sh" "$data_dir/cramfs-big.img" >"$T/uml.out" 2>"$T/uml.err"
rc=$?
[ $rc = 1 ] && grep -q '^kmsg .*cramfs: wrong endianness' "$T/uml.out"
t_check $? "cramfs-big.img: the LE kernel refuses it (wrong endianness; exit $rc)"
"$here/uml-mount.sh" "$data_dir/cramfs-little.img" >"$T/uml.out" 2>"$T/uml.err"
t_check $? "cramfs-little.img: mounted by the kernel"
grep -v '^kmsg ' "$T/uml.out" >"$T/kernel.manifest"
for e in little big; do
    rm -rf "$T/fx"
    rc_run ex 0 "cramfs-$e.img: cramfs extract" "$CRAMFS" extract "$data_dir/cramfs-$e.img" --to "$T/fx"
    "$here/host-manifest.sh" --kernel "$T/fx" >"$T/reader.manifest"
    if diff -u --label "kernel view of cramfs-little.img" --label "cramfs extract of cramfs-$e.img" \
        "$T/kernel.manifest" "$T/reader.manifest" >"$T/kr.diff"; then
        t_ok "cramfs-$e.img: reader manifest == kernel manifest of cramfs-little.img"
    else
        t_fail "cramfs-$e.img: reader and kernel disagree"; head -n 30 "$T/kr.diff" | sed 's/^/  /'
    fi
done
t_done
