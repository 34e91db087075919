#!/bin/bash
# nor-no-holders.sh - a chip driver that points but takes no revocable point
# holders keeps mainline behaviour (v2 of the series: registering a holder
# needs the driver's opt-in, master.points_revocable).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel booted with cfi_cmdset_0001.refuse_point_holders=1 (the series'
# DO NOT MERGE patch 16): the chip stands in for lpddr, map_rom or map_ram,
# which point but do not opt in.  mtd0 holds an XIP cramfs (busybox in
# place).  In the guest:
#   1. the mount points at the whole image (no revocation statistics: no
#      holder was registered);
#   2. busybox runs in place: its text pages are on the flash, and short
#      commands run from the image complete (before the fix, a fault on a
#      direct page waited forever for a gate nothing would open);
#   3. mainline pointing: an erase of mtd1 (same chip) does not complete
#      while cramfs is mounted and sleeps in get_chip() (FL_POINT), and
#      no hung task is reported in that short hold;
#   4. after the program ends and cramfs is unmounted, the erase completes
#      and its block reads back erased.
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor_require
t_init cramfs
nor_kernel small

tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
cp /bin/busybox "$tree/bin/busybox"
echo "hello from NOR flash" >"$tree/etc/motd"
rc_run build 0 "cramfs build --xip (busybox in place)" "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done

cat >"$T/noholders.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
BB=/mnt/bin/busybox
[ "$NOR_MOUNTED" = 1 ] && [ "$(cat /sys/module/cfi_cmdset_0001/parameters/refuse_point_holders)" = Y ]
nor_check $? "cramfs mounted from mtd0 on a chip that refuses point holders"
! ls /sys/kernel/debug/cramfs/*/revoke_stats >/dev/null 2>&1
nor_check $? "no point holder registered (no revocation statistics)"
! dmesg | grep -q 'unable to get direct memory access'
nor_check $? "the mount pointed at the whole image"
[ "$(cat /mnt/etc/motd)" = "hello from NOR flash" ]
nor_check $? "a file reads back"

$BB sleep 600 &
X=$!
nor_wait_for "nor_xip_text $X $BB" 50
nor_check $? "busybox maps its text in place"
$BB true &
T=$!
nor_wait_exit $T 10 && wait $T
nor_check $? "a command run in place completes"
pages=$(nor_text_pages $X $BB)
echo "noholders text $pages"
echo "$pages" | awk '{ split($2, f, "="); exit !(f[2] > 0) }'
nor_check $? "its text pages are on the flash ($pages)"

t0=$(nor_ms)
nor-tool erase $NOR_RW 0 64k >/tmp/erase.out 2>&1 &
E=$!
! nor_wait_exit $E 3
nor_check $? "an erase of mtd1 waits while cramfs is mounted (mainline FL_POINT)"
nor_stack $E | sed 's/^/noholders erase-/'
grep -qE 'get_chip|chip_ready' /proc/$E/stack /proc/$E/wchan 2>/dev/null
nor_check $? "the erase sleeps in the CFI driver's get_chip()"
kill $X; wait $X 2>/dev/null
umount /mnt
nor_check $? "umount /mnt"
nor_wait_exit $E 10 && wait $E
nor_check $? "the erase completed after umount ($(( $(nor_ms) - t0 )) ms): $(cat /tmp/erase.out)"
nor-tool verify $NOR_RW 0 64k ff >/dev/null
nor_check $? "the erased 64 KiB read back as 0xff"
nor_done
EOF

nor_guest noholders noholders --image "$T/xip.img" --guest "$T/noholders.sh" \
    --append "cfi_cmdset_0001.refuse_point_holders=1"
t_done
