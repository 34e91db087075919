#!/bin/bash
# arm-zynq-mainline.sh - what mainline does with an AMD command-set NOR chip
# under cramfs: QEMU xilinx-zynq-a9 (Cortex-A9, one CPU), its
# pflash_cfi02 chip at 0xe2000000 (64 MiB, x8, 128 KiB sectors; erases
# take real time: 0.27 s a sector, reads return status meanwhile), the
# UNPATCHED Linux 6.1 (kernel/build.sh arm-small --unpatched),
# kernel/test/arm/nor-run-arm.sh --board zynq.
#
# mtd0 "ro" holds a cramfs built by our builder with --xip (Debian's static
# armhf busybox in place), mtd1 "rw" is free.  Two guest runs:
#   1. the chip as one cfi-flash node (cfi_cmdset_0002, which has no
#      point() in 6.1): `mount -t cramfs mtd:ro` fails, the kernel says
#      "unable to get direct memory access to mtd:ro"; a block-device
#      mount (/dev/mtdblock0) works, without XIP (busybox's text in RAM),
#      and does not stop the chip being erased and programmed;
#   2. the mainline way to execute in place from this chip (--dt rom): the
#      cramfs part an mtd-rom node (map_rom has point()), the rest
#      cfi-flash.  It mounts XIP (busybox's text mapped in place, VmFlags
#      mm, flash pages), and while the CFI driver erases two sectors of
#      mtd1, a process reading its in-place mapping of busybox
#      (kernel/test/arm/status-probe.c) sees words that are not the file:
#      each is a status byte of the chip in erase mode (DQ7 clear, only
#      DQ6/DQ3/DQ2 set: what QEMU returns for a read in place of the data,
#      0x00 in the upper bytes of a 32-bit read), each toggles when read
#      again at once (DQ6/DQ2), and after the erase the mapping reads the
#      file again.  map_rom does not know the chip is busy: that is the
#      hazard the series removes.
# The test PASSES when this is seen: it pins mainline's behaviour.
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.  The first
# run builds the ARM kernel (~3 min on 2 cores).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
arm_kernel arm-small --unpatched
probe=$("$repo_dir/kernel/test/arm/arm-tool.sh" status-probe 2>"$T/tool.err") ||
    { t_fail "arm-tool.sh status-probe"; cat "$T/tool.err"; t_done; }

tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc"
cp "$arm_busybox" "$tree/bin/busybox"
for a in sh sleep cat ls true; do ln -s busybox "$tree/bin/$a"; done
echo "hello from NOR flash" >"$tree/etc/motd"
rc_run build 0 "cramfs build --xip (armhf busybox in place)" "$CRAMFS" build --xip -o "$T/xip.img" "$tree" || t_done
size=$(stat -c %s "$T/xip.img")
[ "$size" -le $((4 << 20)) ]
t_check $? "the image fits the 4 MiB ro partition ($size bytes)"

# --- 1. one cfi-flash node: no XIP; the block device works ---------------------
cat >"$T/nor.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
BB=/mnt/bin/busybox
[ "$NOR_MOUNTED" = 0 ] && ! grep -q ' /mnt ' /proc/mounts
nor_check $? "the harness's mount of mtd:ro failed"
mount -t cramfs mtd:ro /mnt 2>/tmp/mount.err
rc=$?
echo "mount-mtd rc=$rc $(cat /tmp/mount.err)"
[ $rc != 0 ]
nor_check $? "mount -t cramfs mtd:ro /mnt fails"
dmesg | grep 'unable to get direct memory access' | sed 's/^/mount-kmsg /'
dmesg | grep -q 'cramfs: unable to get direct memory access to mtd:ro'
nor_check $? "the kernel: cramfs unable to get direct memory access to mtd:ro"
mount -t cramfs /dev/mtdblock0 /mnt
nor_check $? "mount -t cramfs /dev/mtdblock0 /mnt (block device)"
[ "$(cat /mnt/etc/motd)" = "hello from NOR flash" ]
nor_check $? "a file reads back"
$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_maps $X $BB | sed 's/^/map /'
! nor_xip_text $X $BB
nor_check $? "busybox's text is not mapped in place (no VmFlags pf/mm)"
pages=$(nor_text_pages $X $BB)
echo "text-pages $pages"
echo "$pages" | grep -q ' flash=0 other=[1-9]'
nor_check $? "its present text pages are RAM (page cache), none on the flash"
t0=$(nor_ms)
nor-tool erase $NOR_RW 0 $NOR_ERASESIZE | sed 's/^/blockdev-mounted /'
nor-tool write $NOR_RW 0 1k 9 | sed 's/^/blockdev-mounted /'
nor-tool verify $NOR_RW 0 1k 9 >/dev/null
nor_check $? "with the block-device mount, a sector of mtd1 erases and 1 KiB programs and verifies ($(( $(nor_ms) - t0 )) ms)"
kill $X; wait $X 2>/dev/null
umount /mnt
nor_check $? "umount /mnt"
nor_done
EOF

# --- 2. mtd-rom + cfi-flash: XIP, and status words under a reader ---------------
cat >"$T/rom.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
BB=/mnt/bin/busybox
[ "$NOR_MOUNTED" = 1 ]
nor_check $? "cramfs mounted from mtd:ro (the mtd-rom node)"
nor-tool info $NOR_RO | sed 's/^/rom /'
nor-tool info $NOR_RO | grep -q ' type=2 '
nor_check $? "mtd0 is a ROM device (map_rom, MTD_ROM)"
[ "$(cat /mnt/etc/motd)" = "hello from NOR flash" ]
nor_check $? "a file reads back"
$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_maps $X $BB | sed 's/^/xipmap /'
nor_maps $X $BB | awk '$2 ~ /x/ && $4 ~ /(=|,)mm(,|$)/ { ok = 1 } END { exit !ok }'
nor_check $? "busybox's text is mapped in place: VmFlags mm"
pages=$(nor_text_pages $X $BB)
echo "text-pages $pages"
echo "$pages" | grep -q ' flash=[1-9]'
nor_check $? "its present text pages are flash pages ($pages)"

# a reader of its own in-place mapping of busybox
nor_status_probe $BB 60

u0=$(cut -d' ' -f1 /proc/uptime)
nor-tool erase -v $NOR_RW 0 $((2 * NOR_ERASESIZE)) >/tmp/erase.out 2>&1
rc=$?
u1=$(cut -d' ' -f1 /proc/uptime)
sed 's/^/rom-mounted /' /tmp/erase.out
nor_check $rc "two sectors of mtd1 (cfi-flash) erased while cramfs is mounted XIP (uptime $u0 -> $u1 s)"
touch /tmp/stop
nor_wait_exit $P 30
nor_check $? "the reader ended"
sed -n 's/^status-probe \(\/\)/status-probe \1/p; /^status-probe \(values\|first\|crash\)/p' /tmp/probe.out
line=$(grep '^status-probe /' /tmp/probe.out)
val() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
bad=$(val bad_words) other=$(val other_bytes) tog=$(val toggling) after=$(val after)
[ "${bad:-0}" -gt 0 ]
nor_check $? "during the erase the reader saw $bad words that are not the file"
[ "$other" = 0 ] && [ "$(val status_bytes)" = "$(val bad_bytes)" ]
nor_check $? "every wrong byte is a status byte of the erasing chip (DQ7 clear, only DQ6/DQ3/DQ2 set: $(grep '^status-probe values' /tmp/probe.out | cut -d' ' -f3-))"
[ -n "$tog" ] && [ "$tog" = "$bad" ]
nor_check $? "every wrong word changed when read again at once: toggling status bits ($tog of $bad)"
[ "$after" = clean ]
nor_check $? "after the erase the mapping reads the file again"
nor-tool verify $NOR_RW 0 $((2 * NOR_ERASESIZE)) ff >/dev/null
nor_check $? "the two sectors read back erased"

# not pinned: programs executed in place while the chip erases (TCG keeps
# translated code of the flash pages, so most runs do not notice)
nor-tool erase $NOR_RW 0 $((4 * NOR_ERASESIZE)) >/dev/null 2>&1 &
E=$!
n=0 crashed=0
while nor_running $E; do
    $BB true 2>/dev/null || crashed=$((crashed + 1))
    n=$((n + 1))
done
wait $E
nor_note "during an erase of 4 sectors, $n runs of $BB true in place, $crashed crashed"
nor_running $X
nor_check $? "the XIP sleep (not executing meanwhile) is still alive"
kill $X; wait $X 2>/dev/null
nor_done
EOF

run_guest() { # NAME ARGS...
    local name=$1
    shift
    "$repo_dir/kernel/test/arm/nor-run-arm.sh" --board zynq --kernel arm-small --unpatched \
        --timeout "${NOR_RUN_TIMEOUT:-120}" --image "$T/xip.img" "$@" \
        >"$T/$name.out" 2>"$T/$name.err"
}

run_guest nor --guest "$T/nor.sh"
rc=$?
t_check $rc "zynq guest, one cfi-flash node: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/nor.err"))"
grep -E '^(ok|FAIL|#|mount-mtd|mount-kmsg|map|text-pages|blockdev-mounted)' "$T/nor.out" | sed 's/^/  guest: /'
[ $rc = 0 ] || tail -n 20 "$T/nor.err"
grep -E '^kmsg .*(e2000000\.flash: Found|Amd/Fujitsu Extended Query Table|unable to get direct)' "$T/nor.out" |
    sed 's/^kmsg /  kmsg: /'
grep -q '^nor-run mount=failed ' "$T/nor.out"
t_check $? "nor-run: mount=failed"
grep -q '^kmsg .*e2000000\.flash: Found 1 x8 devices at 0x0 in 8-bit bank. Manufacturer ID 0x000066 Chip ID 0x000022' "$T/nor.out" &&
    grep -q '^kmsg .*Amd/Fujitsu Extended Query Table' "$T/nor.out"
t_check $? "kernel log: the CFI probe found the AMD command-set chip (ids 0x66/0x22)"
grep -q '^kmsg .*cramfs: unable to get direct memory access to mtd:ro' "$T/nor.out"
t_check $? "kernel log: cramfs: unable to get direct memory access to mtd:ro"

run_guest rom --dt rom --guest "$T/rom.sh" --add "$probe:/bin/status-probe"
rc=$?
t_check $rc "zynq guest, mtd-rom + cfi-flash: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/rom.err"))"
grep -E '^(ok|FAIL|#|rom|xipmap|text-pages|probe-map|status-probe|rom-mounted)' "$T/rom.out" | sed 's/^/  guest: /'
[ $rc = 0 ] || tail -n 20 "$T/rom.err"
grep -E '^kmsg .*(physmap platform flash device|e2400000\.flash: Found|Reducing visibility|linear cramfs image)' "$T/rom.out" |
    sed 's/^kmsg /  kmsg: /'
grep -q '^kmsg .*physmap-flash e2000000\.flash: physmap platform flash device: \[mem 0xe2000000-0xe23fffff\]' "$T/rom.out"
t_check $? "kernel log: the mtd-rom node covers the first 4 MiB of the chip"
grep -q '^kmsg .*cramfs: linear cramfs image on mtd:ro appears to be' "$T/rom.out"
t_check $? "kernel log: cramfs mounted the linear (XIP) image on mtd:ro"
! grep -qE '^kmsg .*(BUG:|WARNING:|Oops)' "$T/rom.out"
t_check $? "kernel log: no warning (the kernel does not notice what the reader saw)"
t_done
