# guest-bench.sh - measurements for bench/kernel, run in the guest through
# kernel/test/nor-run.sh.  Kernel command line: bench.load=busy|idle
# (busy: XIP consumers run from /mnt during the writes; exec: only the
# memory of programs executing from /mnt, no writes), bench.mb (MiB
# written per round, default 1), bench.kb (KiB written per round, for
# chips too slow to program a MiB: default bench.mb's), bench.erase_kb
# (KiB erased per round, a multiple of the erase size: default bench.kb),
# bench.rounds (default 3).
# Prints "bench ..." lines:
#   bench mem when=before|loaded cached_kb=N available_kb=N
#   bench write round=R bytes=B us=T          (raw program of mtd2)
#   bench erase round=R bytes=B us=T
#   bench stall ...                           (xip-probe stall, busy only)
#   bench revoke count=N ...                  (the series' debugfs counters)
#   bench gp n=N cpus=C p50_us=T p99_us=T max_us=T
#                                             (nor-tool gp: one RCU grace
#                                             period each, consumers running)
. /lib/nor.sh
param() {
    v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
    echo "${v:-$2}"
}
load=$(param bench.load idle)
mb=$(param bench.mb 1)
kb=$(param bench.kb $((mb * 1024)))
erase_kb=$(param bench.erase_kb "$kb")
rounds=$(param bench.rounds 3)
export XIP_PROBE_STOP=/tmp/stop

mem() {
    awk -v w="$1" '/^Cached:/ { c = $2 } /^MemAvailable:/ { a = $2 }
        END { print "bench mem when=" w " cached_kb=" c " available_kb=" a }' /proc/meminfo
}
mem before
if [ "$load" = exec ] && [ "$NOR_MOUNTED" = 1 ]; then
    # programs that only execute (no read()): the page cache then holds
    # their text only if it is not mapped in place
    for i in 1 2 3; do "$NOR_MNT/bin/busybox" sleep 30 & done
    "$NOR_MNT/bin/xip-probe" stall 100000 >/dev/null 2>&1 &
    nor-tool pause 1500
    mem loaded
    touch /tmp/stop
    kill $(jobs -p) 2>/dev/null
    exit 0
fi
# busy: the consumers run in place from the cramfs; busy-ram: the same
# programs and files from the initramfs (RAM), nothing mounted from the
# chip: the same CPU load without the protocol, the control for busy
dir=
[ "$load" = busy ] && [ "$NOR_MOUNTED" = 1 ] && dir=$NOR_MNT
[ "$load" = busy-ram ] && dir=/ram
if [ -n "$dir" ]; then
    for i in 1 2; do
        "$dir/bin/xip-probe" verify 100000 "$dir/etc/sums" >/tmp/verify.$i 2>&1 &
    done
    "$dir/bin/xip-probe" stall 100000 >/tmp/stall 2>&1 &
    nor-tool pause 1500
fi
mem loaded
dbg=$(ls -d /sys/kernel/debug/cramfs/* 2>/dev/null | head -n 1)
[ -n "$dbg" ] && sed 's/^/bench revoke-before /' "$dbg/revoke_stats"
r=1
while [ "$r" -le "$rounds" ]; do
    nor-tool erase /dev/mtd2 0 "${erase_kb}k" | awk -v r="$r" '{ for (i = 1; i <= NF; i++) if ($i ~ /^(len|us)=/) f = f " " $i; print "bench erase round=" r f }'
    nor-tool write /dev/mtd2 0 "${kb}k" "$r" | awk -v r="$r" '{ for (i = 1; i <= NF; i++) if ($i ~ /^(len|us)=/) f = f " " $i; print "bench write round=" r f }'
    r=$((r + 1))
done
[ -n "$dbg" ] && sed 's/^/bench revoke /' "$dbg/revoke_stats"
# the RCU grace period under the same load, the cost percpu_ref_kill()
# would add to every revocation (bench/README.md); its error line, if
# membarrier() is missing or waits for no grace period (one CPU: zynq),
# reaches the result port as is
[ "$load" = busy ] && [ -n "$dir" ] && nor-tool gp 50 | sed 's/^/bench /'
touch /tmp/stop
wait
cat /tmp/verify.* /tmp/stall 2>/dev/null | sed 's/^/bench /'
mem after
exit 0
