#!/bin/bash
# nor-range-busy.sh - a mounted cramfs's own flash range cannot be changed
# (v2 of the series: mtd_revoke_points() carries the operation's range).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel; mtd0 "ro" holds an XIP cramfs (our builder, busybox in place) and
# is mounted; the partition itself is writable.  In the guest, while
# busybox runs in place from the image:
#   1. on the first and the last erase block of the image, one open file of
#      /dev/mtd0 tries pwrite(), MEMERASE, MEMLOCK and MEMUNLOCK
#      (nor-tool refuse): each fails with EBUSY at once, and the debugfs
#      revocation count does not move (nothing was revoked for them);
#   2. dd to /dev/mtd0 fails with "Device or resource busy";
#   3. an erase and a program of a block of mtd0 beyond the image work
#      (only the image's range is refused);
#   4. the image is byte for byte what it was, the program still runs,
#      files read back right and busybox still executes in place;
#   5. after umount the same operations work.
# v1 of the series let all of them through (the image was overwritten under
# the running program); mainline 6.1 blocks them until the unmount.
#
# NOR_TEST_BZIMAGE=PATH runs another kernel (to show a failure on v1).
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
seq 1 20000 >"$tree/etc/numbers"
(cd "$tree" && sha256sum etc/numbers | sed 's| etc/| /mnt/etc/|') >"$tree/etc/numbers.sha256"
rc_run build 0 "cramfs build --xip (busybox in place)" "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done
size=$(stat -c %s "$T/xip.img")
[ "$size" -le $((3 << 20)) ]
t_check $? "the image leaves free blocks in the 4 MiB partition ($size bytes)"

cat >"$T/range.sh" <<EOF
#!/bin/sh
IMG_SIZE=$size
EOF
cat >>"$T/range.sh" <<'EOF'
. /lib/nor.sh
BB=/mnt/bin/busybox
ES=$(cat /sys/class/mtd/mtd0/erasesize)
LAST=$(( (IMG_SIZE - 1) / ES * ES ))
FREE=$(( LAST + ES ))
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ]
nor_check $? "cramfs mounted from mtd0, revocation statistics at $STATS"
image_sum() { head -c "$IMG_SIZE" "$NOR_RO" | sha256sum | cut -d' ' -f1; }
before=$(image_sum)

$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_xip_text $X $BB
nor_check $? "busybox runs from the flash with its text mapped in place"

# refused OFF: all four operations EBUSY within a second, no revocation
refused() {
    nor-tool refuse --stats "$STATS" "$NOR_RO" "$1" "$ES" >/tmp/refuse.out 2>&1
    sed 's/^/range /' /tmp/refuse.out
    for op in write erase lock unlock; do
        grep -q "^refuse $op .* result=EBUSY us=[0-9]\{1,6\}$" /tmp/refuse.out
        nor_check $? "$op of mtd0 at $1 (inside the image) fails at once with EBUSY"
    done
    grep -q '^refuse revocations before=\([0-9]*\) after=\1$' /tmp/refuse.out
    nor_check $? "no revocation for the refused operations at $1"
}
refused 0
refused "$LAST"

dd if=/dev/zero of="$NOR_RO" bs=512 count=1 conv=notrunc 2>/tmp/dd.err
rc=$?
sed 's/^/range dd: /' /tmp/dd.err
[ $rc != 0 ] && grep -q 'Device or resource busy' /tmp/dd.err
nor_check $? "dd to mtd0 fails with EBUSY"

nor-tool erase "$NOR_RO" "$FREE" "$ES" | sed 's/^/range /'
nor_check $? "erase of mtd0 at $FREE (beyond the image) works while mounted"
nor-tool write "$NOR_RO" "$FREE" "$ES" 7 >/dev/null && nor-tool verify "$NOR_RO" "$FREE" "$ES" 7 >/dev/null
nor_check $? "program of mtd0 at $FREE (beyond the image) works and verifies"

[ "$(image_sum)" = "$before" ]
nor_check $? "the image is byte for byte unchanged"
nor_running $X
nor_check $? "the program running in place is still running"
$BB sha256sum -c /mnt/etc/numbers.sha256 >/dev/null
nor_check $? "a file of the image reads back right"
$BB true
nor_check $? "busybox still executes from the image"
nor_text_pages $X $BB | sed 's/^/range text /'
nor_xip_text $X $BB
nor_check $? "its text is still mapped in place"

kill $X; wait $X 2>/dev/null
umount /mnt
nor_check $? "umount /mnt"
nor-tool refuse "$NOR_RO" 0 "$ES" >/tmp/after.out 2>&1
sed 's/^/after /' /tmp/after.out
for op in write erase lock unlock; do
    grep -q "^refuse $op .* result=ok " /tmp/after.out
    nor_check $? "after umount: $op of mtd0 at 0 works"
done
dd if=/dev/zero of="$NOR_RO" bs=512 count=1 conv=notrunc 2>/dev/null
nor_check $? "after umount: dd to mtd0 works"
nor_done
EOF

nor_guest range 'range|after' --image "$T/xip.img" --guest "$T/range.sh"
t_done
