#!/bin/bash
# arm-zynq-series.sh - the series on an AMD command-set NOR chip: QEMU
# xilinx-zynq-a9 (Cortex-A9, one CPU), its pflash_cfi02 chip at 0xe2000000
# (64 MiB, x8, 128 KiB sectors, erase 0.27 s a sector with erase suspend,
# programming about 220 us a byte), the PATCHED Linux 6.1 (kernel/build.sh
# arm-small: patch 0012 gives cfi_cmdset_0002 point() and the brackets),
# kernel/test/arm/nor-run-arm.sh --board zynq, the chip as one cfi-flash
# node.  The counterpart of arm-zynq-mainline.sh, same image and reader:
#   - `mount -t cramfs mtd:ro` works (mainline: "unable to get direct
#     memory access"), and registers a point holder (revoke_stats);
#   - busybox's text is mapped in place from the AMD chip: VmFlags io, dd
#     and mm, its present text pages flash pages (pagemap); a shared
#     mapping of the whole file, every page touched, has on the flash
#     exactly the pages the planner put in place (cramfs build --json);
#   - the kernel's view of the image is the source tree: the same names
#     and types (find) and the same bytes (sha256sum of every file);
#   - a process reading its shared mapping of busybox (status-probe) sees
#     no word that is not the file while two sectors of mtd1 are erased
#     and 1 KiB of it is programmed (mainline's mtd-rom setup: hundreds of
#     status words), the writes complete and verify, the mapping is on the
#     flash again afterwards and the revocation count went up;
#   - the image's own range cannot be written while mounted: a program
#     and an erase of its first sector fail at once with EBUSY, nothing is
#     revoked for them, the image is byte for byte unchanged;
#   - no kernel warning (--strict), and the reboot at the end, with cramfs
#     mounted, logs no "unpoint called on non pointed region" (physmap's
#     shutdown suspend after the reset refused before it revokes).
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.  The first
# run builds the ARM kernel (~3 min on 2 cores).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
arm_kernel arm-small
probe=$("$repo_dir/kernel/test/arm/arm-tool.sh" status-probe 2>"$T/tool.err") ||
    { t_fail "arm-tool.sh status-probe"; cat "$T/tool.err"; t_done; }

tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc" "$tree/share"
cp "$arm_busybox" "$tree/bin/busybox"
for a in sh sleep cat ls true; do ln -s busybox "$tree/bin/$a"; done
echo "hello from NOR flash" >"$tree/etc/motd"
seq 1 20000 >"$tree/share/numbers.txt"
# the source tree as the guest must see it: names and types, then bytes
: >"$tree/etc/tree.list" && : >"$tree/etc/tree.sha256"
(cd "$tree" && find . -printf '%y %p\n' | LC_ALL=C sort >etc/tree.list)
(cd "$tree" && find . -type f ! -name tree.sha256 -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum >etc/tree.sha256)
rc_run build 0 "cramfs build --xip (armhf busybox in place)" "$CRAMFS" build --xip --json -o "$T/xip.img" "$tree" || t_done
# the planner's word on busybox: its pages, and how many are in place
plan=$(python3 -c 'import json, sys
f = [f for f in json.load(open(sys.argv[1]))["xip"]["files"] if f["path"] == "/bin/busybox"][0]
print(f["pages"], f["in_place"], f["runs"])' "$T/build.out") ||
    { t_fail "no plan for /bin/busybox in cramfs build --json"; t_done; }
read -r plan_pages plan_in_place plan_runs <<<"$plan"
size=$(stat -c %s "$T/xip.img")
[ "$size" -le $((4 << 20)) ]
t_check $? "the image fits the 4 MiB ro partition ($size bytes)"

cat >"$T/guest.sh" <<EOF
#!/bin/sh
IMG_SIZE=$size
EOF
cat >>"$T/guest.sh" <<'EOF'
. /lib/nor.sh
BB=/mnt/bin/busybox
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ]
nor_check $? "cramfs mounted from mtd:ro on the AMD chip, a point holder registered ($STATS)"
revocations() { sed -n 's/^revocations //p' "$STATS"; }
image_sum() { head -c "$IMG_SIZE" "$NOR_RO" | $BB sha256sum | cut -d' ' -f1; }
before=$(image_sum)

cd /mnt && $BB find . | while read -r p; do
    if [ -L "$p" ]; then t=l; elif [ -d "$p" ]; then t=d; else t=f; fi
    echo "$t $p"
done | LC_ALL=C $BB sort >/tmp/tree.list
cd /
$BB cmp /tmp/tree.list /mnt/etc/tree.list
nor_check $? "the image's names and types are the source tree's ($(wc -l </tmp/tree.list) entries)"
(cd /mnt && $BB sha256sum -c etc/tree.sha256 >/tmp/sums.out 2>&1)
nor_check $? "every file's bytes are the source tree's ($(grep -c ': OK$' /tmp/sums.out) files)"

$BB sleep 600 &
X=$!
nor_wait_for '[ -n "$(nor_maps $X $BB)" ]' 50
nor_maps $X $BB | sed 's/^/xipmap /'
nor_maps $X $BB | awk '$2 ~ /x/ && $4 ~ /(=|,)io(,|$)/ && $4 ~ /(=|,)dd(,|$)/ &&
    $4 ~ /(=|,)mm(,|$)/ { ok = 1 } END { exit !ok }'
nor_check $? "busybox's text is mapped in place: VmFlags io, dd, mm"
pages=$(nor_text_pages $X $BB)
echo "text-pages $pages"
echo "$pages" | grep -q ' flash=[1-9]'
nor_check $? "its present text pages are flash pages ($pages)"

# the image's own range: refused before anything is revoked
ES=$(cat /sys/class/mtd/mtd0/erasesize)
nor-tool refuse --stats "$STATS" "$NOR_RO" 0 "$ES" >/tmp/refuse.out 2>&1
sed 's/^/range /' /tmp/refuse.out
for op in write erase; do
    grep -q "^refuse $op .* result=EBUSY us=[0-9]\{1,6\}$" /tmp/refuse.out
    nor_check $? "$op of the image's first sector fails at once with EBUSY"
done
grep -q '^refuse revocations before=\([0-9]*\) after=\1$' /tmp/refuse.out
nor_check $? "no revocation for the refused operations"

# a reader of its own in-place mapping of busybox, as in arm-zynq-mainline
nor_status_probe $BB 120

r0=$(revocations)
u0=$(cut -d' ' -f1 /proc/uptime)
nor-tool erase -v $NOR_RW 0 $((2 * NOR_ERASESIZE)) >/tmp/erase.out 2>&1
rc=$?
u1=$(cut -d' ' -f1 /proc/uptime)
sed 's/^/series-mounted /' /tmp/erase.out
nor_check $rc "two sectors of mtd1 erased while the reader runs (uptime $u0 -> $u1 s)"
nor-tool write $NOR_RW 0 1k 9 >/dev/null && nor-tool verify $NOR_RW 0 1k 9 >/dev/null
nor_check $? "1 KiB of mtd1 programmed and verified while the reader runs"
nor-tool verify $NOR_RW $NOR_ERASESIZE $NOR_ERASESIZE ff >/dev/null
nor_check $? "the second sector reads back erased"
touch /tmp/stop
nor_wait_exit $P 60
nor_check $? "the reader ended"
sed -n '/^status-probe \//p; /^status-probe \(values\|first\|crash\)/p' /tmp/probe.out
line=$(grep '^status-probe /' /tmp/probe.out)
val() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
[ -n "$line" ] && [ "$(val bad_words)" = 0 ] && [ "$(val passes)" -gt 0 ]
nor_check $? "the reader saw no word that is not the file ($(val passes) passes, bad_words=$(val bad_words))"
[ "$(val after)" = clean ]
nor_check $? "after the writes the mapping reads the file"
r1=$(revocations)
[ "${r1:-0}" -gt "${r0:-0}" ]
nor_check $? "the writes revoked the in-place pages (revocations $r0 -> $r1)"
grep -E '^(revoke_us|closed_us|fault_copies)' "$STATS" | sed 's/^/stats /'
$BB true
nor_check $? "busybox still executes from the image"
# the revocation unmapped the sleeping one's pages: a new process faults
# its text in again
$BB sleep 600 &
Y=$!
nor_wait_for '[ -n "$(nor_maps $Y $BB)" ]' 50
pages=$(nor_text_pages $Y $BB)
echo "$pages" | grep -q ' flash=[1-9]' && nor_xip_text $Y $BB
nor_check $? "after the writes the text is mapped in place from the flash again ($pages)"
[ "$(image_sum)" = "$before" ]
nor_check $? "the image is byte for byte unchanged"
kill $X $Y; wait $X $Y 2>/dev/null
nor_done
EOF

"$repo_dir/kernel/test/arm/nor-run-arm.sh" --board zynq --kernel arm-small --strict \
    --timeout "${NOR_RUN_TIMEOUT:-180}" --image "$T/xip.img" --guest "$T/guest.sh" \
    --add "$probe:/bin/status-probe" >"$T/guest.out" 2>"$T/guest.err"
rc=$?
t_check $rc "zynq guest, the series: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/guest.err"))"
grep -E '^(ok|FAIL|#|xipmap|text-pages|range|probe-map|status-probe|series-mounted|stats)' "$T/guest.out" |
    sed 's/^/  guest: /'
[ $rc = 0 ] || { grep -E '^kmsg .*(BUG|WARNING|lockdep|Oops|cramfs)' "$T/guest.out" | head -n 20; tail -n 20 "$T/guest.err"; }
# the kernel maps in place what the planner planned: the reader touched
# every page of its shared mapping of busybox (ELF32, armhf)
pm=$(sed -n 's/^probe-map .* pagemap \(present=.*\)/\1/p' "$T/guest.out")
[ "$pm" = "present=$plan_pages flash=$plan_in_place other=$((plan_pages - plan_in_place))" ]
t_check $? "the kernel mapped in place the pages the planner planned for busybox (planner: $plan_in_place of $plan_pages pages, runs $plan_runs; pagemap: ${pm:-none})"
grep -q '^kmsg .*Amd/Fujitsu Extended Query Table' "$T/guest.out"
t_check $? "kernel log: the chip is driven by the AMD command set"
grep -q '^nor-run mount=ok ' "$T/guest.out"
t_check $? "nor-run: mount=ok"
! grep -q '^kmsg .*unable to get direct memory access' "$T/guest.out"
t_check $? "kernel log: no 'unable to get direct memory access'"
# the guest reboots with cramfs mounted: physmap's shutdown suspends the
# device after the reset, which must not revoke the holders (patch 0012)
grep -q '^kmsg .*reboot: Restarting system' "$T/guest.out" &&
    ! grep -qE '^kmsg .*(unpoint called on non pointed region|direct access lost)' "$T/guest.out"
t_check $? "kernel log: the reboot with cramfs mounted leaves the holder alone (no 'unpoint called on non pointed region', no 'direct access lost')"
t_done
