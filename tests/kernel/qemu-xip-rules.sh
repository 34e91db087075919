#!/bin/bash
# qemu-xip-rules.sh - one test per rule of the kernel's direct-mapping
# decision (format 8.2): the kernel (Linux 6.1, MTD/XIP path, qemu-xip.sh)
# and `cramfs check --xip` agree, page by page and on the reason.
#
#   misaligned      a no-MMU image (--xip-mode nommu: runs 8-byte aligned)
#                   on an MMU kernel: "data is not page aligned", nothing
#                   in place, while the blocks are DIRECT|UNCOMPRESSED
#   tail            an MMU image whose tail fill after EOF we overwrite:
#                   "last page is shared", the last page copied
#   middle          blocks d d z d d (xip-image, independent of our
#                   builder): a non-direct block in the middle, the whole
#                   mapping stops after 2 pages
#   exact           an 8192-byte file stored d d (xip-image): mapped in
#                   place, but read() returns zeros for the last page
#                   (format 18 #1); the checker warns about exactly that,
#                   and our planner's image of the same file reads right
#
# The checker predicts with the MMU rules (--xip-mode mmu), as the guest has
# an MMU.
#
# Exit 77 without qemu-system-x86_64 or linux-source-6.1.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"

qemu_xip_require
t_init cramfs python3 oracle
: "${XIP_IMAGE:=${CRAMFS_BUILD:-$repo_dir/build}/tests/kernel/xip-image}"
[ -x "$XIP_IMAGE" ] || t_skip "xip-image not found at $XIP_IMAGE (set XIP_IMAGE=)"
export ORACLE_TOOL

qemu_xip_kernel

# probe NAME IMAGE: qemu-xip.sh + cramfs check --xip --json; 0 when both ran
probe() {
    local name=$1 img=$2
    "$CRAMFS" check --xip --xip-mode mmu --json "$img" >"$T/$name.check" 2>"$T/$name.check.err"
    "$here/qemu-xip.sh" "$img" >"$T/$name.out" 2>"$T/$name.err" ||
        { t_fail "$name: qemu-xip.sh exit $?"; tail -n 10 "$T/$name.err"; return 1; }
    python3 "$here/xip-compare.py" - "$T/$name.check" "$T/$name.out" >"$T/$name.cmp"
    t_check $? "$name: kernel == checker, page by page ($(tail -n 1 "$T/$name.cmp"))"
    grep -v '^ok:' "$T/$name.cmp" | head -n 10
}

# whole NAME PATH: the kernel's in-place string of PATH's whole-file mapping
whole() {
    awk -v p="$2" '$1 == "xippages" && $2 == p {
        for (i = 3; i <= NF; i++) if ($i ~ /^inplace=/) print substr($i, 9) }' "$T/$1.out"
}

# reason NAME PATH: the checker's reason for PATH's whole-file mapping
reason() {
    python3 -c 'import json, sys
for f in json.load(open(sys.argv[1]))["xip"]["per_file"]:
    if f["path"] == sys.argv[2]:
        print(f["whole_file"]["reason"] or "")' "$T/$1.check" "$2"
}

# kernel_said NAME FILE REASON: the kernel's pr_debug bail-out for FILE
kernel_said() {
    grep -q "^kmsg .*$2\[0\]: direct mmap impossible: $3" "$T/$1.out"
}

src=$T/src
mkdir -p "$src"
head -c 20000 /dev/urandom >"$src/big.bin"
head -c 5000 /dev/urandom >"$src/tail.bin"
head -c 20480 /dev/urandom >"$src/middle.bin"
head -c 8192 /dev/urandom >"$src/exact.bin"

# ---- misaligned: no-MMU layout on an MMU kernel
rc_run nommu 0 "cramfs build --xip-mode nommu" "$CRAMFS" build --json \
    --xip-mode nommu --xip-files big.bin -o "$T/nommu.img" "$src"
off=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["xip"]["files"][0]["image_offset"])' "$T/nommu.out" 2>/dev/null)
[ -n "$off" ] && [ $((off % 4096)) != 0 ]
t_check $? "misaligned: the no-MMU run starts at 0x$(printf %x "${off:-0}"), not on a page"
if probe misaligned "$T/nommu.img"; then
    [ "$(whole misaligned /big.bin)" = 00000 ]
    t_check $? "misaligned: the kernel maps nothing in place"
    [ "$(reason misaligned /big.bin)" = "data is not page aligned" ] &&
        kernel_said misaligned big.bin "data is not page aligned"
    t_check $? "misaligned: kernel and checker give the same reason (data is not page aligned)"
fi

# ---- tail: bytes after EOF in the last page not zero
rc_run mmu 0 "cramfs build --xip" "$CRAMFS" build --json --xip \
    --xip-files tail.bin -o "$T/tail.img" "$src"
off=$(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["xip"]["files"]:
    if f["path"] == "/tail.bin": print(f["image_offset"] + f["size"])' "$T/mmu.out")
printf '\252' | dd of="$T/tail.img" bs=1 seek="$off" conv=notrunc status=none
if probe tail "$T/tail.img"; then
    [ "$(whole tail /tail.bin)" = 10 ]
    t_check $? "tail: the kernel maps the first page only"
    [ "$(reason tail /tail.bin)" = "last page is shared" ]
    t_check $? "tail: the checker says why (last page is shared)"
    grep -q '^/tail.bin f .* '"$(sha256sum <"$src/tail.bin" | cut -d' ' -f1)" "$T/tail.out"
    t_check $? "tail: read() still returns the file"
fi

# ---- middle and exact: crafted with xip-image
"$XIP_IMAGE" "$T/craft.img" "middle.bin=$src/middle.bin:ddzdd" \
    "exact.bin=$src/exact.bin:dd" >"$T/craft.layout" ||
    { t_fail "xip-image failed"; t_done; }
if probe craft "$T/craft.img"; then
    [ "$(whole craft /middle.bin)" = 11000 ]
    t_check $? "middle: the whole-file mapping stops at the non-direct block (2 of 5 pages)"
    [ "$(whole craft /exact.bin)" = 11 ]
    t_check $? "exact: both pages mapped in place"
    grep -q '^xippages /exact.bin .*content=MISMATCH' "$T/craft.out"
    t_check $? "exact: the kernel's read() differs from the mapping (Linux read bug, format 18 #1)"
    python3 -c 'import json,sys
f = [f for f in json.load(open(sys.argv[1]))["xip"]["per_file"] if f["path"] == "/exact.bin"][0]
sys.exit(0 if f["read_bug"] else 1)' "$T/craft.check" &&
        "$CRAMFS" check "$T/craft.img" 2>&1 | grep -q 'warning: /exact.bin: .*read() returns zeros' 
    t_check $? "exact: cramfs check warns about it"
fi
rc_run exactplan 0 "cramfs build --xip-files exact.bin" "$CRAMFS" build --xip \
    --xip-files exact.bin -o "$T/exact.img" "$src"
if probe planned-exact "$T/exact.img"; then
    [ "$(whole planned-exact /exact.bin)" = 10 ] &&
        grep -q '^/exact.bin f .* '"$(sha256sum <"$src/exact.bin" | cut -d' ' -f1)" "$T/planned-exact.out"
    t_check $? "exact, planned: the last page stays compressed and read() is right"
fi
t_done
