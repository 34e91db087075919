#!/bin/bash
# nor-mainline-hang.sh - the bug the kernel series fixes, reproduced on an
# emulated NOR chip with the UNPATCHED Linux 6.1 (kernel/test/nor-run.sh,
# kernel/build.sh small --unpatched).
#
# One 8 MiB Intel CFI chip: mtd0 "ro" holds a cramfs built by our builder
# with --xip (a static busybox stored in place), mtd1 "rw" is free.
# In the guest:
#   1. cramfs is mounted from mtd:ro and /mnt/bin/busybox runs from it with
#      its text mapped in place (smaps VmFlags pf or mm);
#   2. an erase and a program of mtd1 (same chip, another partition) are
#      started: neither completes within $NOR_HANG_HOLD (10) s, both sit in
#      state D (in get_chip(): the chip is FL_POINT for as long as cramfs is
#      mounted), and the hung-task detector reports them;
#   3. the XIP program is killed and cramfs unmounted: both complete at once
#      and their data verifies; a few more cycles complete quickly.
# Control, a second boot without cramfs: the same erase and program
# complete quickly.
# The test PASSES when this (buggy) behaviour is seen: it documents the
# problem; with the series applied the writers must not hang (other tests).
#
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.  The first run builds the kernel (~6 min on 2 cores).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor_run=$repo_dir/kernel/test/nor-run.sh

command -v qemu-system-x86_64 >/dev/null ||
    t_skip "qemu-system-x86_64 not installed (package qemu-system-x86: scripts/setup)"
ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 ||
    t_skip "linux-source-6.1 not installed (scripts/setup)"
[ -f /usr/share/seabios/bios-256k.bin ] ||
    t_skip "no /usr/share/seabios/bios-256k.bin (package seabios: scripts/setup)"
is_static_elf /bin/busybox || t_skip "no static /bin/busybox (package busybox-static: scripts/setup)"
t_init cramfs
hold=${NOR_HANG_HOLD:-10}

"$repo_dir/kernel/build.sh" small --unpatched >"$T/kbuild.out" 2>"$T/kbuild.err" ||
    { t_fail "kernel/build.sh small --unpatched failed"; tail -n 30 "$T/kbuild.err"; t_done; }

# the image: a static busybox stored XIP, a few links and a text file
tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
cp /bin/busybox "$tree/bin/busybox"
for a in sh sleep cat ls; do ln -s busybox "$tree/bin/$a"; done
echo "hello from NOR flash" >"$tree/etc/motd"
rc_run build 0 "cramfs build --xip (busybox in place)" "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done
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
[ "$NOR_MOUNTED" = 1 ]
nor_check $? "cramfs mounted from mtd:ro"
[ "$(cat /mnt/etc/motd)" = "hello from NOR flash" ]
nor_check $? "a file reads back from the flash"

# 1. a program executed in place
$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_maps $X $BB | sed 's/^/xipmap /'
nor_xip_text $X $BB
nor_check $? "busybox runs from the flash with its text mapped in place (VmFlags pf/mm)"

# 2. writers on the other partition of the same chip
nor_hung_fast 3
nor_kmsg "starting the writers"
t0=$(nor_ms)
nor-tool erase $NOR_RW 0 64k >/tmp/erase.out 2>&1 &
E=$!
nor-tool write $NOR_RW 0x20000 4k 5 >/tmp/write.out 2>&1 &
W=$!
if nor_wait_exit $E $HOLD; then
    nor_fail "erase of mtd1 completed while cramfs is mounted (after $(( $(nor_ms) - t0 )) ms): no hang"
else
    nor_ok "erase of mtd1 still running after ${HOLD} s while cramfs is mounted"
fi
nor_running $W
nor_check $? "program of mtd1 still running after ${HOLD} s while cramfs is mounted"
echo "state erase $(nor_state $E) write $(nor_state $W)"
[ "$(nor_state $E)" = D ] && [ "$(nor_state $W)" = D ]
nor_check $? "both writers are in uninterruptible sleep (state D)"
nor_stack $E | sed 's/^/erase-/'
nor_stack $W | sed 's/^/write-/'
grep -qE 'get_chip|chip_ready' /proc/$E/stack /proc/$E/wchan 2>/dev/null
nor_check $? "the erase sleeps in the CFI driver's get_chip()"
grep -qE 'get_chip|chip_ready' /proc/$W/stack /proc/$W/wchan 2>/dev/null
nor_check $? "the program sleeps in the CFI driver's get_chip()"
dmesg | grep 'blocked for more than' | sed 's/^.*INFO: /hung /'
dmesg | grep -q "task nor-tool:$E blocked for more than"
nor_check $? "the hung-task detector reports the erase"

# 3. unmount: the chip leaves FL_POINT and the writers run
kill $X; wait $X 2>/dev/null
t1=$(nor_ms)
umount /mnt
nor_check $? "umount /mnt (after the XIP program ended)"
nor_wait_exit $E 10; rc=$?
nor_check $rc "the erase completed after umount ($(( $(nor_ms) - t1 )) ms)"
wait $E; rc=$?
nor_check $rc "the erase succeeded: $(cat /tmp/erase.out)"
nor_wait_exit $W 10; rc=$?
nor_check $rc "the program completed after umount ($(( $(nor_ms) - t1 )) ms)"
wait $W; rc=$?
nor_check $rc "the program succeeded: $(cat /tmp/write.out)"
nor-tool verify $NOR_RW 0 64k ff >/dev/null
nor_check $? "the erased 64 KiB read back as 0xff"
nor-tool verify $NOR_RW 0x20000 4k 5 >/dev/null
nor_check $? "the programmed 4 KiB read back right"
nor-tool cycle $NOR_RW 3 0 64k | tail -n 1 | sed 's/^/after-umount /'
nor_check $? "3 erase/program/verify cycles of 64 KiB without cramfs mounted"
nor_done
EOF

cat >"$T/control.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
[ "$NOR_MOUNTED" = 0 ] && ! grep -q ' /mnt ' /proc/mounts
nor_check $? "no cramfs mounted"
t0=$(nor_ms)
nor-tool erase $NOR_RW 0 64k >/tmp/erase.out 2>&1 &
E=$!
nor-tool write $NOR_RW 0x20000 4k 5 >/tmp/write.out 2>&1 &
W=$!
nor_wait_exit $E 5 && nor_wait_exit $W 5; rc=$?
nor_check $rc "erase and program completed within 5 s ($(( $(nor_ms) - t0 )) ms)"
wait $E && wait $W
nor_check $? "erase and program succeeded"
echo "control $(cat /tmp/erase.out)"
echo "control $(cat /tmp/write.out)"
nor-tool verify $NOR_RW 0 64k ff >/dev/null && nor-tool verify $NOR_RW 0x20000 4k 5 >/dev/null
nor_check $? "data verifies"
nor_done
EOF

run_guest() { # NAME ARGS...
    local name=$1
    shift
    "$nor_run" --kernel small --unpatched --timeout "${NOR_RUN_TIMEOUT:-$((hold + 90))}" "$@" \
        >"$T/$name.out" 2>"$T/$name.err"
}

run_guest hang --image "$T/xip.img" --guest "$T/hang.sh"
rc=$?
t_check $rc "guest with cramfs mounted: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/hang.err"))"
grep -E '^(ok|FAIL|#|xipmap|state|hung|erase-|write-|after-umount)' "$T/hang.out" | sed 's/^/  guest: /'
[ $rc = 3 ] && tail -n 20 "$T/hang.err"
grep -q '^kmsg .*INFO: task nor-tool:[0-9]* blocked for more than' "$T/hang.out"
t_check $? "kernel log: the hung-task report of the writer"
grep -A12 -m1 '^kmsg .*blocked for more than' "$T/hang.out" | grep -qE 'get_chip|chip_ready'
t_check $? "kernel log: its stack is in get_chip()"

run_guest control --guest "$T/control.sh"
rc=$?
t_check $rc "control guest without cramfs: erase and program complete quickly (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/control.err"))"
grep -E '^(ok|FAIL|control)' "$T/control.out" | sed 's/^/  guest: /'
! grep -qE '^kmsg .*(blocked for more than|BUG:|WARNING:)' "$T/control.out"
t_check $? "control: no hung task or warning in the kernel log"
t_done
