#!/bin/bash
# nor-remove.sh - the flash device goes away with an XIP cramfs mounted
# and a program running in place from it (v2 of the series:
# del_mtd_device() detaches the point holders).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the debug kernel
# (kernel/config/nor-debug.config: KASAN, PROVE_LOCKING; --strict: any
# KASAN report, lockdep splat, BUG or WARNING fails the run).  mtd0 holds
# an XIP cramfs with xip-probe stored in place, running from it.  Unbinding
# physmap-flash.0 removes the partitions and the chip (map_destroy() frees
# the master and the driver's data while the mount holds its partition):
#   - the mtd devices are gone;
#   - the program running in place dies of SIGBUS (exit status 135) at its
#     next fault: its flash pages were unmapped before the driver went;
#   - with the page cache dropped, read() from a file opened before, open()
#     (lookup) and readdir fail with EIO: nothing calls into the removed
#     driver (on v1 a read goes through
#     the pointer into the unmapped flash: an oops);
#   - no KASAN report (the restore worker was cancelled, nothing walks the
#     freed master's holder list).
# The guest does not unmount: put_mtd_device() after the removal reads the
# freed master in mainline already (see the cover letter's limitations).
# NOR_TEST_BZIMAGE=PATH runs another kernel (to show a failure on v1).
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor=$repo_dir/kernel/test
nor_require
t_init cramfs
nor_kernel debug

tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
gcc -O2 -static -o "$tree/bin/xip-probe" "$nor/xip-probe.c" ||
    { t_fail "cannot build xip-probe"; t_done; }
seq 1 2000 >"$tree/etc/numbers"
rc_run build 0 "cramfs build --xip (xip-probe in place)" \
    "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done

cat >"$T/remove.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
P=/mnt/bin/xip-probe
UNBIND=/sys/bus/platform/drivers/physmap-flash/unbind
[ "$NOR_MOUNTED" = 1 ] && [ -w "$UNBIND" ] && [ -e /sys/bus/platform/devices/physmap-flash.0 ]
nor_check $? "cramfs mounted, physmap-flash.0 bound"
XIP_PROBE_STOP=/tmp/stop $P stall 600 >/tmp/stall.out 2>&1 &
X=$!
nor_wait_for "nor_xip_text $X $P" 50
nor_check $? "xip-probe runs with its text mapped in place"
[ "$(tail -n 1 /mnt/etc/numbers)" = 2000 ]
nor_check $? "a file reads back before the removal"
exec 4</mnt/etc/numbers

echo physmap-flash.0 >"$UNBIND"
nor_check $? "unbind physmap-flash.0 with the cramfs mounted"
! ls /dev/mtd0 /dev/mtd1 >/dev/null 2>&1
nor_check $? "the mtd devices are gone"
nor_wait_exit $X 5
nor_check $? "the program running in place ended"
wait $X
rc=$?
echo "remove probe exit=$rc"
[ "$rc" = 135 ]
nor_check $? "it died of SIGBUS (exit 135, got $rc) at its next fault"

echo 3 >/proc/sys/vm/drop_caches
cat <&4 >/dev/null 2>/tmp/fd.err
rc=$?
echo "remove read-open rc=$rc $(cat /tmp/fd.err)"
[ "$rc" != 0 ] && grep -q 'Input/output error' /tmp/fd.err
nor_check $? "read() from a file opened before the removal fails with EIO (read_folio)"
cat /mnt/etc/numbers >/dev/null 2>/tmp/cat.err
rc=$?
echo "remove read rc=$rc $(cat /tmp/cat.err)"
[ "$rc" != 0 ] && grep -q 'Input/output error' /tmp/cat.err
nor_check $? "open() of a file after the removal fails with EIO (lookup)"
ls /mnt/bin >/dev/null 2>/tmp/ls.err
rc=$?
echo "remove readdir rc=$rc $(cat /tmp/ls.err)"
[ "$rc" != 0 ] && grep -q 'Input/output error' /tmp/ls.err
nor_check $? "readdir after the removal fails with EIO"
nor-tool pause 200
dmesg | grep -E 'KASAN|BUG:|Oops' | head -n 5 | sed 's/^/remove kmsg /'
! dmesg | grep -qE 'KASAN|BUG:|Oops'
nor_check $? "no KASAN report, BUG or oops"
nor_done
EOF

nor_guest remove remove --image "$T/xip.img" --guest "$T/remove.sh"
t_done
