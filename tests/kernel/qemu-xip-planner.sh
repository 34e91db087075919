#!/bin/bash
# qemu-xip-planner.sh - images made by `cramfs build --xip` in Linux 6.1's
# MTD/XIP path (qemu-xip.sh): the kernel maps in place exactly the pages the
# planner marked, as the checker predicts, and programs run from the image.
#
# Tree: scripts/make-rootfs.sh (static busybox, dynamic 64-bit programs and
# their shared libraries and loader, a 32-bit ELF, scripts, data files)
# plus: an ELF64 whose read-only pages are split by a writable page (a
# non-direct block in the middle of the file), and two data files stored
# whole with --xip-files (one with a tail page, one a page multiple whose
# last page must stay compressed, format 18 #1).
# Checks: the kernel's manifest equals the source tree's (every file reads
# back identical through read()); page by page (pagemap), the whole-file
# mapping and every PT_LOAD segment mapped as the loader maps it are in
# place exactly where the planner's report says and the checker predicts
# (xip-compare.py), with the mapped bytes equal to read(); busybox stored
# XIP runs from /mnt with its text mapped in place; dynamic programs run
# from the image (chroot) with their loader and libraries in place; no
# kernel warning.
#
# Exit 77 without qemu-system-x86_64, linux-source-6.1 or busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"

qemu_xip_require
is_static_elf /bin/busybox || t_skip "no static /bin/busybox (package busybox-static: scripts/setup)"
t_init cramfs python3 oracle
export ORACLE_TOOL

qemu_xip_kernel

# an ELF64 of 6 pages + 100 bytes: r-x pages 0-1, rw- page 2, r-- pages 3-6 (the last one partial)
make_split_elf() {
    python3 - "$1" <<'EOF'
import random, struct, sys
P = 4096
size = 6 * P + 100
data = bytearray(random.Random(6).randbytes(size))
ph = [(0, 2 * P, 5), (2 * P, P, 6), (3 * P, 3 * P + 100, 4)]
eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
eh += struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 64, 0, 0, 64, 56, len(ph), 0, 0, 0)
tab = b"".join(struct.pack("<IIQQQQQQ", 1, fl, off, off, off, fsz, fsz, P)
               for off, fsz, fl in ph)
data[0:len(eh) + len(tab)] = eh + tab
open(sys.argv[1], "wb").write(data)
EOF
}

src=$T/rootfs
"$repo_dir/scripts/make-rootfs.sh" "$src" >"$T/rootfs.log" 2>&1 ||
    { t_fail "make-rootfs.sh failed"; tail -n 5 "$T/rootfs.log"; t_done; }
make_split_elf "$src/usr/lib/split.so"
head -c 20000 /dev/urandom >"$src/usr/share/data/tail.bin"
head -c 16384 /dev/urandom >"$src/usr/share/data/pages.bin"

img=$T/rootfs.img
rc_run build 0 "cramfs build --xip" "$CRAMFS" build --xip --json \
    --xip-files 'usr/share/data/*.bin' -o "$img" "$src" || t_done
cp "$T/build.out" "$T/report.json"
rc_run check 0 "cramfs check --xip --json" "$CRAMFS" check --xip --json "$img"
cp "$T/check.out" "$T/check.json"

CRAMFS_QEMU_TIMEOUT=${CRAMFS_QEMU_TIMEOUT:-180} "$here/qemu-xip.sh" \
    --exec-xip '/mnt/bin/busybox sleep 1' \
    --run 'chroot /mnt /usr/bin/sha256sum /usr/share/data/numbers.txt' \
    --run 'chroot /mnt /usr/bin/ls /usr/lib' \
    --run 'chroot /mnt /bin/busybox sh -c "echo hello from flash"' \
    "$img" >"$T/qemu.out" 2>"$T/qemu.err"
rc=$?
t_check $rc "qemu-xip.sh: mounted from the MTD (exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/qemu.err"))"
[ $rc = 0 ] || { tail -n 20 "$T/qemu.err"; t_done; }

grep '^/' "$T/qemu.out" >"$T/kernel.manifest"
"$here/host-manifest.sh" --kernel "$src" >"$T/host.manifest"
diff -u "$T/host.manifest" "$T/kernel.manifest" >"$T/manifest.diff"
t_check $? "every file reads back identical through the kernel ($(wc -l <"$T/kernel.manifest") entries)"
[ -s "$T/manifest.diff" ] && head -n 30 "$T/manifest.diff"

python3 "$here/xip-compare.py" "$T/report.json" "$T/check.json" "$T/qemu.out" >"$T/compare.out"
t_check $? "kernel == planner == checker, page by page ($(tail -n 1 "$T/compare.out"))"
grep -v '^ok:' "$T/compare.out" | head -n 20

# the pages the planner reported are exactly what the kernel mapped in total
planned=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["xip"]["in_place_pages"])' "$T/report.json")
whole=$(awk '$1 == "xippages" { for (i = 3; i <= NF; i++) if ($i ~ /^inplace=/) { s = substr($i, 9); n += gsub(/1/, "", s) } } END { print n + 0 }' "$T/qemu.out")
split=$(awk '$1 == "xippages" && $2 == "/usr/lib/split.so"' "$T/qemu.out")
[[ $split == *" inplace=1100000 "* ]]
t_check $? "split ELF: the whole-file mapping stops at the writable page (2 of 7 pages)"
grep -q '^xipseg /usr/lib/split.so 2 .* inplace=1111 ' "$T/qemu.out"
t_check $? "split ELF: its r-- segment after the writable page is in place (4/4, tail page included)"
grep -q '^xippages /usr/share/data/tail.bin whole .* kind=pfnmap inplace=11111 ' "$T/qemu.out"
t_check $? "tail.bin (20000 bytes, zero tail fill): all 5 pages in place (pfnmap)"
grep -q '^xippages /usr/share/data/pages.bin whole .* inplace=1110 .*content=ok' "$T/qemu.out"
t_check $? "pages.bin (16384 bytes): last page compressed, read() right (format 18 #1 avoided)"
t_note "planner: $planned pages in place; kernel, whole-file mappings: $whole (split ELF and pages.bin stop early by design)"

grep -q '^execmap /mnt/bin/busybox .* r-xp .* inplace=yes' "$T/qemu.out"
t_check $? "busybox ran from the image with its text mapped in place"
grep -q '^exec /mnt/bin/busybox exit=0' "$T/qemu.out"
t_check $? "busybox exited 0"
want=$(cd "$src" && sha256sum usr/share/data/numbers.txt | cut -d' ' -f1)
grep -q "^runout 1 $want " "$T/qemu.out" && grep -q '^run 1 exit=0' "$T/qemu.out"
t_check $? "dynamic sha256sum (loader, libc in place) ran from the image and printed the right sum"
grep -q '^runout 2 split.so' "$T/qemu.out" && grep -q '^run 2 exit=0' "$T/qemu.out"
t_check $? "dynamic ls (libselinux, libpcre2) ran from the image"
grep -q '^runout 3 hello from flash' "$T/qemu.out"
t_check $? "busybox sh ran from the image"
! grep -qE '^kmsg .*(BUG|WARNING|Oops|error)' "$T/qemu.out"
t_check $? "no kernel warning or error"
t_done
