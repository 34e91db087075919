#!/bin/bash
# uml-builder.sh - images written by our builder mount in the real kernel
# and show exactly the source tree.
#
# The rich test tree (tests/cli/lib.sh make_rich_tree) is built with
# `cramfs build` in both modes (--mode util-linux, --mode native) in the
# variants an x86_64 kernel mounts: default, -z, -p, -b 4096, -N little; and
# once with `mkcramfs`.  Each image is mounted by the cramfs driver in
# User-Mode Linux (uml-mount.sh); the kernel must log nothing about it and
# its manifest must equal the source tree's as the kernel shows an image of
# it (host-manifest.sh --kernel: uid 16 bits, gid 8 bits, size < 2^24,
# devices 8:8, root mode | 0555).
# Native mode only: generated trees (tests/cli/random-tree.py) with
# duplicates of other modes and owners and symlinks whose target equals a
# file's content; native dedup must keep them apart, so the kernel shows
# the source exactly.  As a check of the oracle, the util-linux-mode image
# of such a tree (content-only dedup) must show the aliasing (format 4.6).
# A big-endian image (-N big) must be refused by the (little-endian) kernel.
# XIP layouts (whole files, no-MMU, the busybox rootfs of
# scripts/make-rootfs.sh with --xip and mkcramfs -X -X) read correctly too.
#
# Exit 77 without User-Mode Linux (package user-mode-linux) or root, or
# where UML cannot run processes (uml-mount.sh exit 4: a CPU with AMX).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
uml_find || t_skip "no User-Mode Linux: $uml_missing"
uml_require_runs
t_init cramfs python3 oracle root
: "${MKCRAMFS:=${CRAMFS_BUILD:-$repo_dir/build}/tools/mkcramfs/mkcramfs}"
[ -x "$MKCRAMFS" ] || t_skip "mkcramfs not found at $MKCRAMFS (set MKCRAMFS=)"
MKCRAMFS=$(realpath "$MKCRAMFS")
export ORACLE_TOOL

# mount_image NAME IMAGE: mount in UML; sets $T/kernel.manifest; 0 mounted
mount_image() {
    local name=$1 img=$2 rc
    CRAMFS_UML_TIMEOUT=${CRAMFS_UML_TIMEOUT:-120} "$here/uml-mount.sh" "$img" >"$T/uml.out" 2>"$T/uml.err"
    rc=$?
    grep -v '^kmsg ' "$T/uml.out" >"$T/kernel.manifest"
    grep '^kmsg ' "$T/uml.out" >"$T/kmsg"
    return $rc
}

# kernel_shows_source NAME SRC IMAGE: mounted, silent, manifest == source
kernel_shows_source() {
    local name=$1 src=$2 img=$3 rc
    mount_image "$name" "$img"
    rc=$?
    if [ $rc != 0 ]; then
        t_fail "$name: uml-mount.sh exit $rc (0 = mounted)"
        sed 's/^/  /' "$T/uml.err" | tail -n 30; sed 's/^/  /' "$T/kmsg"
        return 1
    fi
    t_ok "$name: mounted by the kernel ($(grep -o 'UML run took.*' "$T/uml.err"))"
    if [ -s "$T/kmsg" ]; then
        t_fail "$name: the kernel logged about the image"; head -n 20 "$T/kmsg" | sed 's/^/  /'
    else
        t_ok "$name: no kernel messages"
    fi
    "$here/host-manifest.sh" --kernel "$src" >"$T/source.manifest"
    if diff -u --label "source tree (kernel view)" --label "kernel (UML) view of ${img##*/}" \
        "$T/source.manifest" "$T/kernel.manifest" >"$T/sk.diff"; then
        t_ok "$name: kernel manifest == source tree ($(wc -l <"$T/kernel.manifest") entries)"
    else
        t_fail "$name: the kernel's view differs from the source tree"; head -n 60 "$T/sk.diff" | sed 's/^/  /'
    fi
}

# build_and_mount NAME SRC BUILDER-ARGS...: cramfs build ARGS -o IMG SRC
build_and_mount() {
    local name=$1 src=$2 img=$T/$1.img
    shift 2
    t_note "$name: cramfs build $*"
    rc_run build 0 "$name: cramfs build $*" "$CRAMFS" build "$@" -o "$img" "$src" || return
    kernel_shows_source "$name" "$src" "$img"
    rm -f "$img"
}

SRC=$T/rich
make_rich_tree "$SRC" || { t_fail "cannot build the rich test tree"; t_done; }

for mode in util-linux native; do
    build_and_mount "$mode-default" "$SRC" --mode "$mode"
    build_and_mount "$mode-holes" "$SRC" --mode "$mode" -z
    build_and_mount "$mode-pad" "$SRC" --mode "$mode" -p
    build_and_mount "$mode-b4096" "$SRC" --mode "$mode" -b 4096 -e 9 -n builder
    build_and_mount "$mode-le" "$SRC" --mode "$mode" -N little
    # raw (UNCOMPRESSED-pointer) blocks where compression does not help
    build_and_mount "$mode-raw" "$SRC" --mode "$mode" --target-kernel 4.15
done

# XIP layouts read through the block-device path: every file in place
# (page multiples included: their last page must read right, format 18 #1)
build_and_mount "xip-whole" "$SRC" --xip-files '*'
build_and_mount "xip-whole-nommu" "$SRC" --xip-mode nommu --xip-files '*'
ROOTFS=$T/rootfs
if "$repo_dir/scripts/make-rootfs.sh" "$ROOTFS" >"$T/rootfs.log" 2>&1; then
    build_and_mount "rootfs-xip" "$ROOTFS" --xip
    build_and_mount "rootfs-xip-all-elf-nommu" "$ROOTFS" --xip-mode nommu --xip-all-elf
    rc_run mkx 0 "mkcramfs -X -X" "$MKCRAMFS" -X -X "$ROOTFS" "$T/mkx.img" &&
        kernel_shows_source "rootfs-mkcramfs-XX" "$ROOTFS" "$T/mkx.img"
    rm -f "$T/mkx.img"
else
    t_fail "scripts/make-rootfs.sh failed"; tail -n 5 "$T/rootfs.log"
fi
rm -rf "$ROOTFS"

rc_run mk 0 "mkcramfs -z" "$MKCRAMFS" -z "$SRC" "$T/mk.img" &&
    kernel_shows_source "mkcramfs-holes" "$SRC" "$T/mk.img"
rm -f "$T/mk.img"

rc_run be 0 "cramfs build -N big" "$CRAMFS" build -N big -o "$T/be.img" "$SRC"
mount_image be "$T/be.img"
rc=$?
[ $rc = 1 ] && grep -q '^kmsg .*cramfs: wrong endianness' "$T/kmsg"
t_check $? "-N big: the little-endian kernel refuses the image (wrong endianness; exit $rc)"
rm -f "$T/be.img"
chmod -R u+rwX "$SRC"; rm -rf "$SRC"

# generated trees with duplicates of other metadata: native mode only
aliased=0
for seed in 4 7 10; do
    src=$T/t$seed
    python3 "$here/../cli/random-tree.py" "$src" "$seed" || { t_fail "random-tree.py $seed"; continue; }
    build_and_mount "tree$seed-native" "$src" --mode native
    build_and_mount "tree$seed-native-holes" "$src" --mode native -z -b 4096
    # the oracle sees aliasing where util-linux-mode dedup makes it
    "$CRAMFS" build --mode util-linux -o "$T/ul.img" "$src" >/dev/null 2>&1
    if "$CRAMFS" check "$T/ul.img" 2>/dev/null | grep -q 'shares data .* differs'; then
        aliased=$((aliased + 1))
        if mount_image "tree$seed-util-linux" "$T/ul.img" &&
            ! "$here/host-manifest.sh" --kernel "$src" | cmp -s - "$T/kernel.manifest"; then
            t_ok "tree $seed, util-linux mode: the kernel shows the aliasing of content-only dedup (the oracle sees it)"
        else
            t_fail "tree $seed, util-linux mode: entries sharing data with other metadata, yet the kernel view equals the source"
        fi
    fi
    rm -f "$T/ul.img"
    chmod -R u+rwX "$src"; rm -rf "$src"
done
[ $aliased -gt 0 ]
t_check $? "the generated trees hold duplicates of other metadata ($aliased of 3 aliased in util-linux mode)"
t_done
