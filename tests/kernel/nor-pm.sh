#!/bin/bash
# nor-pm.sh - system suspend and sync with an XIP cramfs mounted (v2 of
# the series: the holders are revoked for the length of a suspend; a sync
# with nothing in progress revokes nothing).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel (CONFIG_SUSPEND, CONFIG_PM_DEBUG: /sys/power/pm_test); mtd0 holds
# an XIP cramfs with xip-probe stored in place, which runs from it.
#   sync: opening /dev/mtd1 for writing and closing it (mtd_sync()) with no
#     operation in progress leaves the debugfs revocation count alone;
#   suspend: with pm_test=devices, "echo freeze > /sys/power/state" suspends
#     every device, the MTD chip included, and resumes (mainline and v1
#     refuse: the chip is in FL_POINT); the suspend counts one revocation;
#     afterwards the program still runs in place from flash pages, its
#     files verify, and the chip can be written.
# NOR_TEST_BZIMAGE=PATH runs another kernel (to show a failure on v1).
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor=$repo_dir/kernel/test
nor_require
t_init cramfs
nor_kernel small

tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
cp /bin/busybox "$tree/bin/busybox"
gcc -O2 -static -o "$tree/bin/xip-probe" "$nor/xip-probe.c" ||
    { t_fail "cannot build xip-probe"; t_done; }
"$tree/bin/xip-probe" sum "$tree/bin/busybox" | sed "s| $tree/| /mnt/|" >"$tree/etc/sums"
rc_run build 0 "cramfs build --xip (busybox, xip-probe in place)" \
    "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done

cat >"$T/pm.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
P=/mnt/bin/xip-probe
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ] && [ -w /sys/power/pm_test ]
nor_check $? "cramfs mounted, revocation statistics, /sys/power/pm_test"
revocations() { sed -n 's/^revocations //p' "$STATS"; }
XIP_PROBE_STOP=/tmp/stop $P stall 600 >/tmp/stall.out 2>&1 &
X=$!
nor_wait_for "nor_xip_text $X $P" 50
nor_check $? "xip-probe runs with its text mapped in place"

r0=$(revocations)
exec 3<>"$NOR_RW"
exec 3>&-
r1=$(revocations)
echo "pm sync revocations before=$r0 after=$r1"
[ "$r1" = "$r0" ]
nor_check $? "closing a writable mtd1 with nothing in progress revokes nothing"

echo devices >/sys/power/pm_test
echo 1 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
t0=$(nor_ms)
echo freeze >/sys/power/state 2>/tmp/pm.err
rc=$?
echo "pm suspend rc=$rc ms=$(( $(nor_ms) - t0 )) $(cat /tmp/pm.err)"
nor_check $rc "suspend (pm_test devices) with cramfs mounted and a program in place"
dmesg | grep -iE 'refused suspend|PM: (Some devices failed|dpm_run_callback|Device .* failed)' | sed 's/^/pm kmsg /'
! dmesg | grep -q 'refused suspend'
nor_check $? "the flash driver did not refuse the suspend"
r2=$(revocations)
echo "pm suspend revocations before=$r1 after=$r2"
[ "$r2" -gt "$r1" ]
nor_check $? "the suspend revoked the cramfs"
nor-tool pause 300
nor_running $X
nor_check $? "xip-probe still runs after the resume"
nor_xip_text $X $P
nor_check $? "its text is mapped in place again"
pages=$(nor_text_pages $X $P)
echo "pm text $pages"
case $pages in *flash=0*) false ;; *) true ;; esac
nor_check $? "its running text is flash pages again ($pages)"
$P verify 1 /mnt/etc/sums | sed 's/^/pm /'
nor_check $? "busybox reads back right through read() and mmap()"
nor-tool cycle "$NOR_RW" 2 0 64k | tail -n 1 | sed 's/^/pm /'
nor_check $? "erase/program/verify of mtd1 after the resume"
: >/tmp/stop
wait $X
nor_check $? "xip-probe ended cleanly: $(cat /tmp/stall.out)"
nor_done
EOF

nor_guest pm pm --image "$T/xip.img" --guest "$T/pm.sh"
t_done
