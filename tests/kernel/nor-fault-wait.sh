#!/bin/bash
# nor-fault-wait.sh - faults that wait for a writer are killable and bounded
# (v2 of the series: the fault waits without mmap_lock and killably,
# VM_FAULT_RETRY; a multi-block erase lets the holders in between blocks
# once the burst limit is reached).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel with the series' busy-time option set at run time
# (/sys/module/cfi_cmdset_0001/parameters/busy_erase_ms); mtd0 holds an
# XIP cramfs with xip-probe (kernel/test/xip-probe.c) stored in place.
#   kill: xip-probe runs in place; a one-block erase of mtd1 holds the chip
#     busy for 3 s; once the revocation zapped its text, the probe waits in
#     its fault; kill -9 must end it within NOR_KILL_MS (50) ms of guest
#     time (measured, printed).
#   long erase: one MEMERASE of 64 blocks of mtd1 (nor-tool erase
#     --single: one mtd_erase(), one bracket) at 200 ms a block (12.8 s in
#     status mode); the hung-task detector at 3 s reports nothing, and
#     xip-probe running in place makes progress during it: its longest
#     stall stays under NOR_STALL_MAX_MS (2500) ms (one burst, 400 ms, plus
#     an erase block and the emulation's slack; v1 stalled for the whole
#     erase).
# NOR_TEST_BZIMAGE=PATH runs another kernel (to show a failure on v1).
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor=$repo_dir/kernel/test
nor_require
t_init cramfs
kill_ms=${NOR_KILL_MS:-50}
stall_max_ms=${NOR_STALL_MAX_MS:-2500}

nor_kernel small

tree=$T/tree
mkdir -p "$tree/bin"
cp /bin/busybox "$tree/bin/busybox"
gcc -O2 -static -o "$tree/bin/xip-probe" "$nor/xip-probe.c" ||
    { t_fail "cannot build xip-probe"; t_done; }
rc_run build 0 "cramfs build --xip (busybox, xip-probe in place)" \
    "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done

cat >"$T/wait.sh" <<EOF
#!/bin/sh
KILL_MS=$kill_ms
STALL_MAX_MS=$stall_max_ms
EOF
cat >>"$T/wait.sh" <<'EOF'
. /lib/nor.sh
P=/mnt/bin/xip-probe
PARAMS=/sys/module/cfi_cmdset_0001/parameters
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ] && [ -w $PARAMS/busy_erase_ms ]
nor_check $? "cramfs mounted, revocation statistics, the busy-time option"
revocations() { sed -n 's/^revocations //p' "$STATS"; }
nor_hung_fast 3

# --- kill -9 of a process waiting in its fault ------------------------------
$P stall 600 >/tmp/stall-kill.out 2>&1 &
X=$!
nor_wait_for "nor_xip_text $X $P" 50
nor_check $? "xip-probe runs with its text mapped in place"
echo 3000 >$PARAMS/busy_erase_ms
r0=$(revocations)
nor-tool erase "$NOR_RW" 0 4k >/tmp/erase1.out 2>&1 &
E=$!
nor_wait_for '[ "$(revocations)" -gt "$r0" ]' 20
nor_check $? "the erase revoked the cramfs"
nor_wait_for '[ "$(nor_state $X)" = D ]' 20
nor_check $? "xip-probe waits (state D) for its text during the erase"
nor_stack $X | sed 's/^/wait probe /'
nor-tool killwait $X 5000 | tee /tmp/kill.out | sed 's/^/wait /'
ms=$(sed -n 's/.* ms=\([0-9]*\)\..*/\1/p' /tmp/kill.out)
grep -q 'ended=yes' /tmp/kill.out && [ "$ms" -lt "$KILL_MS" ]
nor_check $? "kill -9 ended the waiting process within $KILL_MS ms ($(sed -n 's/.* ms=\([0-9.]*\) .*/\1/p' /tmp/kill.out) ms)"
wait $X 2>/dev/null
nor_running $E
nor_check $? "the erase was still running then"
wait $E
nor_check $? "the erase completed: $(cat /tmp/erase1.out)"

# --- a 64-block erase: no hung task, programs in place make progress ---------
echo 200 >$PARAMS/busy_erase_ms
XIP_PROBE_STOP=/tmp/stop $P stall 120 >/tmp/stall.out 2>&1 &
X=$!
nor_wait_for "nor_xip_text $X $P" 50
nor_check $? "xip-probe runs in place again"
nor-tool pause 500
t0=$(nor_ms)
nor-tool erase --single "$NOR_RW" 0 256k >/tmp/erase64.out 2>&1
rc=$?
t1=$(nor_ms)
echo "wait erase64 $(cat /tmp/erase64.out) wall_ms=$((t1 - t0))"
nor_check $rc "the 64-block erase completed"
: >/tmp/stop
wait $X
nor_check $? "xip-probe ended cleanly"
sed 's/^/wait /' /tmp/stall.out
max=$(sed -n 's/.* max_us=\([0-9]*\).*/\1/p' /tmp/stall.out)
[ -n "$max" ] && [ $((max / 1000)) -lt "$STALL_MAX_MS" ]
nor_check $? "the longest stall in place during the erase ($((${max:-0} / 1000)) ms) is under $STALL_MAX_MS ms"
echo 0 >$PARAMS/busy_erase_ms
nor-tool verify "$NOR_RW" 0 256k ff >/dev/null
nor_check $? "the 256 KiB erased read back as 0xff"
! dmesg | grep -q 'blocked for more than'
nor_check $? "no hung-task report"
nor_done
EOF

nor_guest wait wait --image "$T/xip.img" --guest "$T/wait.sh"
t_done
