#!/bin/bash
# arm-virt-mainline.sh - the mainline hang of nor-mainline-hang.sh, on a
# 32-bit ARM board: QEMU virt (Cortex-A15, 2 CPUs, no LPAE: no
# pte_special), the UNPATCHED Linux 6.1 (kernel/build.sh arm-small
# --unpatched), kernel/test/arm/nor-run-arm.sh --board virt.
#
# The chip: pflash_cfi01 (Intel command set) bank 1 at 0x04000000, 64 MiB,
# two x16 devices in a 32-bit bank, 256 KiB erase blocks; mtd0 "ro" holds a
# cramfs built by our builder with --xip (Debian's static armhf busybox in
# place), mtd1 "rw" and mtd2 "spare" are free.  One guest run:
#   1. control: with cramfs unmounted, an erase of mtd1 and a dd to mtd2
#      complete at once;
#   2. `mount -t cramfs mtd:ro /mnt`; /mnt/bin/busybox runs from it with its
#      text mapped in place: VmFlags mm (VM_MIXEDMAP: the planner leaves the
#      text's last page, shared with data, to the page cache; no
#      pte_special on this MMU) and its present text pages, by
#      /proc/PID/pagemap, at the chip's physical addresses;
#   3. an erase of mtd1 (nor-tool) and a dd to /dev/mtd2 (other partitions
#      of the same chip) do not complete within $NOR_HANG_HOLD (6) s: both
#      sit in state D in the CFI driver's get_chip() / chip_ready() (their
#      wchan; /proc/PID/stack is empty on SMP ARM, which does not unwind
#      other tasks' stacks), and the hung-task detector (3 s) reports them,
#      with stacks;
#   4. the XIP program is killed and cramfs unmounted: both complete at
#      once and their data verifies.
# The test PASSES when this (buggy) behaviour is seen: it pins what
# mainline does on ARM; with the series the writers must not hang.
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.  The first
# run builds the ARM kernel (~3 min on 2 cores).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
hold=${NOR_HANG_HOLD:-6}
arm_kernel arm-small --unpatched

# the image: the static armhf busybox stored XIP, a few links, a text file
tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
cp "$arm_busybox" "$tree/bin/busybox"
for a in sh sleep cat ls; do ln -s busybox "$tree/bin/$a"; done
echo "hello from NOR flash" >"$tree/etc/motd"
rc_run build 0 "cramfs build --xip (armhf busybox in place)" "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done
size=$(stat -c %s "$T/xip.img")
[ "$size" -le $((4 << 20)) ]
t_check $? "the image fits the 4 MiB ro partition ($size bytes)"

cat >"$T/hang.sh" <<EOF
#!/bin/sh
HOLD=$hold
EOF
cat >>"$T/hang.sh" <<'EOF'
. /lib/nor.sh
BB=/mnt/bin/busybox
ES=$NOR_ERASESIZE
head -c 4096 /dev/urandom >/tmp/pat
writers() { # start the erase (E) and the dd (W)
    nor-tool erase $NOR_RW 0 $ES >/tmp/erase.out 2>&1 &
    E=$!
    dd if=/tmp/pat of=/dev/mtd2 bs=4096 count=1 >/tmp/dd.out 2>&1 &
    W=$!
}
verify() {
    nor-tool verify $NOR_RW 0 $ES ff >/dev/null &&
        [ "$(head -c 4096 /dev/mtd2 | sha256sum)" = "$(sha256sum </tmp/pat)" ]
}

# 1. control: no cramfs mounted
[ "$NOR_MOUNTED" = 1 ] && umount /mnt
! grep -q ' /mnt ' /proc/mounts
nor_check $? "control: cramfs unmounted"
nor-tool erase /dev/mtd2 0 $ES >/dev/null
t0=$(nor_ms)
writers
nor_wait_exit $E 5 && nor_wait_exit $W 5; rc=$?
nor_check $rc "control: erase of mtd1 and dd to mtd2 completed within 5 s ($(( $(nor_ms) - t0 )) ms)"
wait $E && wait $W && verify
nor_check $? "control: both succeeded, data verifies ($(cat /tmp/erase.out))"

# 2. the mount and a program executed in place
nor-tool erase /dev/mtd2 0 $ES >/dev/null
head -c 4096 /dev/urandom >/tmp/pat
mount -t cramfs mtd:ro /mnt
nor_check $? "mount -t cramfs mtd:ro /mnt"
dmesg | grep 'cramfs' | sed 's/^/mount-kmsg /'
[ "$(cat /mnt/etc/motd)" = "hello from NOR flash" ]
nor_check $? "a file reads back from the flash"
$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_maps $X $BB | sed 's/^/xipmap /'
nor_maps $X $BB | awk '$2 ~ /x/ && $4 ~ /(=|,)mm(,|$)/ { ok = 1 } END { exit !ok }'
nor_check $? "busybox's text is mapped in place: VmFlags mm (VM_MIXEDMAP)"
pages=$(nor_text_pages $X $BB)
echo "text-pages $pages"
flash=$(echo "$pages" | sed -n 's/.*flash=\([0-9]*\).*/\1/p')
[ "${flash:-0}" -gt 0 ]
nor_check $? "its present text pages are flash pages (pagemap: $pages, chip at $NOR_BASE)"

# 3. writers on the other partitions of the same chip
nor_hung_fast 3
nor_kmsg "starting the writers"
t0=$(nor_ms)
writers
if nor_wait_exit $E $HOLD; then
    nor_fail "erase of mtd1 completed while cramfs is mounted (after $(( $(nor_ms) - t0 )) ms): no hang"
else
    nor_ok "erase of mtd1 still running after ${HOLD} s while cramfs is mounted"
fi
nor_running $W
nor_check $? "dd to mtd2 still running after ${HOLD} s while cramfs is mounted"
echo "state erase $(nor_state $E) dd $(nor_state $W)"
[ "$(nor_state $E)" = D ] && [ "$(nor_state $W)" = D ]
nor_check $? "both writers are in uninterruptible sleep (state D)"
nor_stack $E | sed 's/^/erase-/'
nor_stack $W | sed 's/^/dd-/'
grep -qE 'get_chip|chip_ready' /proc/$E/stack /proc/$E/wchan 2>/dev/null
nor_check $? "the erase sleeps in the CFI driver's get_chip()"
grep -qE 'get_chip|chip_ready' /proc/$W/stack /proc/$W/wchan 2>/dev/null
nor_check $? "the dd sleeps in the CFI driver's get_chip()"
dmesg | grep 'blocked for more than' | sed 's/^.*INFO: /hung /'
dmesg | grep -q "task nor-tool:$E blocked for more than" &&
    dmesg | grep -q "task dd:$W blocked for more than"
nor_check $? "the hung-task detector reports both"

# 4. unmount: the chip leaves FL_POINT and the writers run
kill $X; wait $X 2>/dev/null
t1=$(nor_ms)
umount /mnt
nor_check $? "umount /mnt (after the XIP program ended)"
nor_wait_exit $E 10 && nor_wait_exit $W 10; rc=$?
nor_check $rc "both writers completed after umount ($(( $(nor_ms) - t1 )) ms)"
wait $E && wait $W && verify
nor_check $? "both succeeded, data verifies ($(cat /tmp/erase.out))"
nor_done
EOF

"$repo_dir/kernel/test/arm/nor-run-arm.sh" --board virt --kernel arm-small --unpatched \
    --timeout "${NOR_RUN_TIMEOUT:-$((hold + 90))}" --image "$T/xip.img" --guest "$T/hang.sh" \
    >"$T/hang.out" 2>"$T/hang.err"
rc=$?
t_check $rc "virt guest: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/hang.err"))"
grep -E '^(ok|FAIL|#|mount-kmsg|xipmap|text-pages|state|hung|erase-|dd-)' "$T/hang.out" | sed 's/^/  guest: /'
[ $rc = 0 ] || tail -n 20 "$T/hang.err"
grep -E '^kmsg .*(4000000\.flash: Found|linear cramfs image)' "$T/hang.out" | sed 's/^kmsg /  kmsg: /'
# the first hung-task report, with its stack
grep -A14 -m1 '^kmsg .*INFO: task nor-tool:[0-9]* blocked for more than' "$T/hang.out" |
    sed -n '1p; /get_chip\|chip_ready\|erase\|mtd\|cfi/p' | sed 's/^kmsg /  kmsg: /'
grep -q '^kmsg .*4000000\.flash: Found 2 x16 devices at 0x0 in 32-bit bank' "$T/hang.out"
t_check $? "kernel log: the CFI probe found bank 1 alone (4000000.flash, 2 x16 devices in a 32-bit bank)"
grep -q '^kmsg .*cramfs: linear cramfs image on mtd:ro appears to be' "$T/hang.out"
t_check $? "kernel log: cramfs mounted the linear (XIP) image on mtd:ro"
grep -q '^kmsg .*INFO: task nor-tool:[0-9]* blocked for more than' "$T/hang.out"
t_check $? "kernel log: the hung-task report of the erase"
grep -A14 -m1 '^kmsg .*INFO: task nor-tool:[0-9]* blocked for more than' "$T/hang.out" |
    grep -qE 'get_chip|chip_ready'
t_check $? "kernel log: its stack is in get_chip()"
t_done
