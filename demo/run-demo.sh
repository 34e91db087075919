#!/usr/bin/env bash
# demo/run-demo.sh: pack demo/rootfs into a cramfs image, read it back with
# the cramfs tool, extract it and compare the result with the source tree;
# then the whole XIP story on an emulated NOR chip (demo/nor-demo.sh).
#
# Usage: demo/run-demo.sh            (after `meson setup build && ninja -C build`;
#                                      `make demo` does all of it)
# Environment: BUILD_DIR (default: build)
# Exit: 0 every step passed; 1 a step failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

build=${BUILD_DIR:-build}
src=demo/rootfs
out_dir=$build/demo
image=$out_dir/demo.cramfs
extract_to=$out_dir/out
cramfs=$build/tools/cramfs/cramfs
mkcramfs=$build/tools/mkcramfs/mkcramfs

passed=0
failed=0

heading() { printf '\n== %s ==\n' "$*"; }

# compare_trees A B: content, types and symlink targets must match.
compare_trees() {
    diff -r --no-dereference "$1" "$2" && echo "trees are identical"
}

# step NAME CMD...: run CMD, print its output, count the outcome.
step() {
    local name=$1 rc
    shift
    heading "$name"
    "$@"
    rc=$?
    if [[ $rc == 0 ]]; then
        passed=$((passed + 1))
    else
        echo "demo: FAILED: $name (exit $rc)" >&2
        failed=$((failed + 1))
    fi
}

# ---------------------------------------------------------------------------
# build_image SRC IMAGE: THE image-building command (the project's builder).
build_image() {
    "$cramfs" build -v -n cramfs-xip-demo -o "$2" "$1"
}
image_builder="cramfs build (native mode)"

# same_as_util_linux SRC: mkcramfs (util-linux mode) and Debian's
# mkfs.cramfs make the same bytes from the same tree.
same_as_util_linux() {
    local mkfs
    mkfs=$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.cramfs) || {
        echo "demo: mkfs.cramfs not found (run scripts/setup)" >&2
        return 1
    }
    "$mkfs" -n cramfs-xip-demo "$1" "$out_dir/util-linux.cramfs" > /dev/null &&
    "$mkcramfs" -n cramfs-xip-demo "$1" "$out_dir/mkcramfs.cramfs" &&
    cmp "$out_dir/util-linux.cramfs" "$out_dir/mkcramfs.cramfs" &&
    echo "mkcramfs and mkfs.cramfs wrote identical images ($(stat -c %s "$out_dir/mkcramfs.cramfs") bytes)"
}
# ---------------------------------------------------------------------------

if [[ ! -x $cramfs ]]; then
    echo "demo: $cramfs not found; build first:" \
         "meson setup $build && ninja -C $build" >&2
    exit 1
fi

mkdir -p "$out_dir" || exit 1
rm -rf "$image" "$extract_to" "$extract_to.manifest"

heading "cramfs-xip demo"
echo "source tree: $src ($(find "$src" | wc -l) entries)"
echo "builder:     $image_builder"
if ! build_image "$src" "$image"; then
    echo "demo: FAILED: building $image" >&2
    exit 1
fi
echo "image:       $image ($(stat -c %s "$image") bytes)"

step "cramfs info $image" "$cramfs" info "$image"
step "cramfs ls -lR $image" "$cramfs" ls -lR "$image"
step "cramfs check $image" "$cramfs" check "$image"
step "cramfs extract $image --to $extract_to" \
    "$cramfs" extract "$image" --to "$extract_to"
step "diff -r $src $extract_to" compare_trees "$src" "$extract_to"
step "mkcramfs vs util-linux mkfs.cramfs, byte for byte" same_as_util_linux "$src"
step "execute in place on NOR while the chip is written (demo/nor-demo.sh)" \
    bash "$root/demo/nor-demo.sh"

heading "result"
if [[ $failed == 0 ]]; then
    echo "demo: OK ($passed of $passed steps passed)"
    exit 0
fi
echo "demo: FAILED ($failed of $((passed + failed)) steps failed)"
exit 1
