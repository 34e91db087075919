# guest-stress.sh - the NOR stress scenario, run in the guest by
# tests/kernel/nor-stress.sh through kernel/test/nor-run.sh (/init-test).
#
# The chip is partitioned (kernel command line) as
#   mtd0 ro 4M: the XIP cramfs on /mnt (busybox, xip-probe, data, /etc/sums)
#   mtd1 jffs2 1920k: JFFS2, files written and deleted
#   mtd2 raw 1920k: raw erase/program/verify cycles (nor-tool cycle)
# While the writers run, consumers run from the cramfs, in place:
#   stress.consumers x `xip-probe verify` (every file of /etc/sums through
#   read() and a private read+exec mapping: XIP and compressed files),
#   one `xip-probe stall` (the longest gap a process executing in place
#   sees), and a busybox shell loop checksumming with the XIP busybox.
# Parameters from the kernel command line: stress.cycles (raw cycles,
# default 1000), stress.files (JFFS2 write+delete rounds, default 30),
# stress.consumers (default 3), stress.rawlen (the range of the raw cycles,
# default 4k: one erase block of the x86 chip), stress.rawprog (how much
# of that range each cycle programs and verifies, default all of it; the
# zynq chip programs at ~220 us a byte), stress.burst (the last
# burst of 16 block erases, default 64k), stress.expect=clean|broken|degraded
# (broken: caught only by its signature: status-register blocks read
# through a mapping held across the writes, or SIGSEGV/SIGILL/SIGBUS of a
# process, or one that no longer stops: it spins in the status words; degraded: copies expected to stay mapped after the writes,
# with correct data).
# Lines: "stress ..." results, ok:/FAIL: verdicts (nor.sh).
. /lib/nor.sh

param() {
    v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
    echo "${v:-$2}"
}
cycles=$(param stress.cycles 1000)
files=$(param stress.files 30)
consumers=$(param stress.consumers 3)
expect=$(param stress.expect clean)
rawlen=$(param stress.rawlen 4k)
burst=$(param stress.burst 64k)
rawprog=$(param stress.rawprog "$rawlen")
export XIP_PROBE_STOP=/tmp/stop
probe=$NOR_MNT/bin/xip-probe

[ "$NOR_MOUNTED" = 1 ] || { nor_fail "cramfs not mounted"; nor_done; }
grep -q '"jffs2"' /proc/mtd && grep -q '"raw"' /proc/mtd
nor_check $? "partitions: $(tr '\n' ' ' </proc/mtd)"

# --- consumers, all executing from the image ------------------------------
for i in $(seq 1 "$consumers"); do
    "$probe" verify 100000 "$NOR_MNT/etc/sums" >/tmp/verify.$i 2>&1 &
    consumer_pids="$consumer_pids $!"
done
# one verifier runs from RAM: a broken kernel cannot make it execute the
# chip's status register, so it lives to report what its mappings held
cp "$probe" /tmp/xip-probe-ram
/tmp/xip-probe-ram verify 100000 "$NOR_MNT/etc/sums" >/tmp/verify.ram 2>&1 &
consumer_pids="$consumer_pids $!"
"$probe" stall 100000 >/tmp/stall 2>&1 &
stall_pid=$!
consumer_pids="$consumer_pids $!"
(
    n=0 bad=0
    while [ ! -e /tmp/stop ]; do
        "$NOR_MNT/bin/busybox" sha256sum "$NOR_MNT/share/numbers.txt" \
            >/tmp/bb.sum 2>&1 || bad=$((bad + 1))
        cmp -s /tmp/bb.sum "$NOR_MNT/etc/numbers.sha256" || bad=$((bad + 1))
        n=$((n + 1))
    done
    echo "busybox rounds=$n mismatches=$bad"
) >/tmp/bb 2>&1 &
consumer_pids="$consumer_pids $!"
nor-tool pause 500

# the text of a running consumer is mapped in place before any write
inplace() { grep -A 30 "xip-probe" "/proc/$1/smaps" 2>/dev/null | grep -m1 '^VmFlags' | grep -qE ' (pf|mm)( |$)'; }
inplace "$stall_pid"
nor_check $? "before the writes: xip-probe's text is mapped in place ($(grep -A30 xip-probe /proc/$stall_pid/smaps | grep -m1 VmFlags))"
pages_before=$(nor_text_pages "$stall_pid" "$probe")
echo "stress text-pages when=before $pages_before"

# --- writers ----------------------------------------------------------------
t0=$(nor_ms)
mkdir -p /jffs
if mount -t jffs2 /dev/mtdblock1 /jffs; then
    i=1
    while [ $i -le "$files" ]; do
        dd if=/dev/urandom of=/jffs/f$i bs=4096 count=8 2>/dev/null &&
            sha256sum /jffs/f$i >/tmp/last.sum && sync || echo "jffs2 write $i failed"
        [ $i -gt 2 ] && rm -f /jffs/f$((i - 2)) && sync
        i=$((i + 1))
    done >/tmp/jffs2.log 2>&1
    sha256sum -c /tmp/last.sum >/dev/null 2>&1
    nor_check $? "JFFS2: $files files of 32 KiB written and deleted, the last reads back ($(cat /tmp/jffs2.log | head -n 3))"
    umount /jffs
else
    nor_fail "JFFS2 mount of mtd1 failed"
fi
t1=$(nor_ms)
# a watchdog for the raw cycles: past stress.watchdog seconds (default
# 240) the kernel log gets every CPU's and every task's stack (SysRq l, t),
# once, for a run that stops making progress without a hung task
(
    n=0
    while [ ! -e /tmp/cycle-done ] && [ $n -lt "$(param stress.watchdog 240)" ]; do
        sleep 1; n=$((n + 1))
    done
    [ -e /tmp/cycle-done ] || { nor_kmsg "raw cycles still running after ${n} s"; echo l >/proc/sysrq-trigger; echo t >/proc/sysrq-trigger; }
) &
nor-tool cycle /dev/mtd2 "$cycles" 0 "$rawlen" "$rawprog" >/tmp/cycle 2>&1
rc=$?
: >/tmp/cycle-done
t2=$(nor_ms)
tail -n 1 /tmp/cycle | sed 's/^/stress raw /'
nor_check $rc "raw: $cycles erase+program+verify cycles on mtd2 completed"
echo "stress writers jffs2_ms=$((t1 - t0)) raw_ms=$((t2 - t1))"

# --- after the writes: still in place? then stop and collect ---------------
# after_pages_in_flash: true if the pages the stall meter runs are flash
# pages again (the burst is over: MTD_POINTS_IDLE_MS; the gate open),
# not copies or page cache (no more RAM pages than before the writes)
after_pages_in_flash() {
    # a last burst of 16 block erases: with erase suspend, the stall meter
    # runs on copies during it, which must go afterwards.  The device stays
    # open while we look: its close is a sync, another bracket, whose
    # revocation would unmap the copies of a kernel that leaves them.
    nor-tool pause 300
    nor-tool erase --hold-open 600000 /dev/mtd2 0 "$burst" >/tmp/last-erase 2>&1 &
    hold_pid=$!
    # the erase is done once it has printed; then the burst's end
    # (MTD_POINTS_IDLE_MS, 10 ms) restores the gate: wait well past it
    while ! grep -q '^erase ' /tmp/last-erase && nor_running "$hold_pid"; do
        nor-tool pause 50
    done
    nor-tool pause 500
    pages_after=$(nor_text_pages "$stall_pid" "$probe")
    kill "$hold_pid" 2>/dev/null
    wait "$hold_pid"
    echo "stress text-pages when=after $pages_after"
    flash=$(echo "$pages_after" | sed -n 's/.*flash=\([0-9]*\).*/\1/p')
    other=$(echo "$pages_after" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
    other0=$(echo "$pages_before" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
    [ "${flash:-0}" -gt 0 ] && [ "${other:-1}" -le "${other0:-0}" ]
}
if [ "$expect" = clean ] || [ "$expect" = degraded ]; then
    inplace "$stall_pid"
    nor_check $? "after the writes: xip-probe's text is mapped in place again"
    after_pages_in_flash
    rc=$?
    if [ "$expect" = clean ]; then
        nor_check $rc "after the writes: the running text pages are flash pages ($pages_after; before: $pages_before)"
    else
        # positively: pages of the running text are RAM, not flash
        other=$(echo "$pages_after" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
        other0=$(echo "$pages_before" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
        [ $rc != 0 ] && [ "${other:-0}" -gt "${other0:-0}" ]
        nor_check $? "the degraded kernel is caught: copies (RAM pages) stay mapped in the running text after the writes ($pages_after; before: $pages_before)"
    fi
elif ! nor_running "$stall_pid"; then
    nor_note "the stall meter died (it executed status bytes?)"
    echo "crash stall-meter-gone" >>/tmp/stall
fi
touch /tmp/stop
# A consumer executing the chip's status register need not crash: on ARM
# the words decode as ordinary instructions (Thumb 0x0080 is lsls r0, r0,
# #2), and it may spin there for ever.  Give each 30 s to stop, then kill
# it and count it as a crash (signal "hang").
for pid in $consumer_pids; do
    nor_wait_exit "$pid" 30 && continue
    kill -9 "$pid" 2>/dev/null
    echo "crash signal=hang pid=$pid" >>/tmp/stall
done
wait
cat /tmp/verify.* /tmp/stall /tmp/bb | sed 's/^/stress /'
stats=$(cat /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | tr '\n' ' ')
echo "stress revoke $stats"
# with erase suspend (modelled), faults during an erase map copies
if [ "$(param cfi_cmdset_0001.model_suspend 0)" = 1 ] &&
    [ "$(param cfi_cmdset_0001.busy_erase_ms 0)" -gt 0 ] && [ "$expect" != broken ]; then
    copies=$(echo "$stats" | sed -n 's/.*fault_copies \([0-9]*\).*/\1/p')
    [ "${copies:-0}" -gt 0 ]
    nor_check $? "erase suspend: $copies XIP faults served with copies during erases"
fi
crashes=$(cat /tmp/verify.* /tmp/stall | grep -c '^crash')
mism=$(cat /tmp/verify.* /tmp/bb | sed -n 's/.*mismatches=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
sum_field() {
    cat /tmp/verify.* | sed -n "s/.* $1=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
status=$(sum_field status_blocks)
sbytes=$(sum_field status_bytes)
obytes=$(sum_field other_bytes)
signals=$(cat /tmp/verify.* /tmp/stall | sed -n 's/^crash signal=\([0-9a-z]*\).*/\1/p' | sort -u | tr '\n' ' ')
echo "stress summary mismatches=$mism crashes=$crashes status_blocks=$status status_bytes=$sbytes other_bytes=$obytes signals=${signals:-none}"
if [ "$expect" != broken ]; then
    [ "$mism" = 0 ]; nor_check $? "zero checksum mismatches"
    [ "$crashes" = 0 ]; nor_check $? "zero crashed XIP processes"
else
    # pinned: what a flash PTE left behind (or a copy made from the chip
    # after the drain was skipped) shows is the chip's status register:
    # SR_READY blocks where the file has none, or bytes that differ from
    # the file and read SR_READY; or a process executing it dies of
    # SIGSEGV, SIGILL or SIGBUS
    sig_ok=0
    for s in $signals; do
        case $s in 4|7|11|hang) sig_ok=1 ;; *) sig_ok=0; break ;; esac
    done
    [ "$status" -gt 0 ] || [ "$sbytes" -gt 0 ] || [ "$sig_ok" = 1 ]
    nor_check $? "the broken kernel is caught: $mism mismatches ($status status-register blocks, $sbytes differing bytes read as SR_READY, $obytes other differing bytes), $crashes crashes (signals: ${signals:-none})"
fi
nor_done
