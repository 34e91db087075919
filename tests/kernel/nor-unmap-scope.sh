#!/bin/bash
# nor-unmap-scope.sh - a revocation unmaps only the pages mapped in place
# (v2 of the series: cramfs notes each file's direct pages at mmap()).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel; mtd0 holds an XIP cramfs (our builder) with a compressed text
# file and a file stored whole in place.  In the guest, two processes map
# one file each (read-only, private), touch every page, and then watch
# their pages in /proc/self/pagemap every 5 ms (nor-tool residency) while
# raw erase/program/verify cycles on mtd1 revoke the cramfs again and
# again; at the end each touches its pages once more and counts the minor
# faults that takes.
#   compressed file: page cache pages, never a flash page: no sample may
#     see a page gone, and the final touch takes no fault;
#   in-place file (the control, proof that revocations happened and are
#     seen): its pages are zapped (samples see them gone) and the final
#     touch faults every page in again.
# v1 of the series zapped every mapping of every file, so the compressed
# file's pages went too.
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
mkdir -p "$tree/bin" "$tree/share"
cp /bin/busybox "$tree/bin/busybox"
seq 1 40000 >"$tree/share/numbers.txt"
head -c 165840 /dev/urandom >"$tree/share/xip.bin"
rc_run build 0 "cramfs build --xip (numbers.txt compressed, xip.bin in place)" \
    "$CRAMFS" build --xip --xip-files share/xip.bin -o "$T/xip.img" "$tree" || t_done
"$CRAMFS" check --xip "$T/xip.img" >"$T/check.out" 2>&1
t_check $? "cramfs check --xip"

cat >"$T/scope.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ]
nor_check $? "cramfs mounted from mtd0, revocation statistics at $STATS"
revocations() { sed -n 's/^revocations //p' "$STATS"; }

nor-tool residency /mnt/share/numbers.txt /tmp/stop >/tmp/comp.out 2>&1 &
C=$!
nor-tool residency /mnt/share/xip.bin /tmp/stop >/tmp/xip.out 2>&1 &
P=$!
nor_wait_for "grep -q residency-start /tmp/comp.out && grep -q residency-start /tmp/xip.out" 50
sed 's/^/scope /' /tmp/comp.out /tmp/xip.out
nor_maps $P /mnt/share/xip.bin | sed 's/^/scope xip map /'
nor_maps $C /mnt/share/numbers.txt | sed 's/^/scope compressed map /'
nor_maps $P /mnt/share/xip.bin | grep -q 'vmflags=.*mm'
nor_check $? "xip.bin is mapped in place (VM_MIXEDMAP)"

r0=$(revocations)
nor-tool cycle "$NOR_RW" 6 0 128k | tail -n 1 | sed 's/^/scope /'
nor_check $? "6 erase/program/verify cycles of 128 KiB on mtd1"
nor-tool pause 200
r1=$(revocations)
echo "scope revocations before=$r0 after=$r1"
[ "$r1" -gt "$r0" ]
nor_check $? "the writes revoked the cramfs ($((r1 - r0)) revocations)"
: >/tmp/stop
wait $C; wait $P
sed 's/^/scope /' /tmp/comp.out /tmp/xip.out | grep -v residency-start

field() { sed -n "s/^residency .* $2=\([0-9]*\).*/\1/p" "$1"; }
[ "$(field /tmp/comp.out zapped_samples)" = 0 ] && [ "$(field /tmp/comp.out samples)" -gt 10 ]
nor_check $? "compressed file: no sample saw one of its pages unmapped"
[ "$(field /tmp/comp.out minflt_after)" = 0 ]
nor_check $? "compressed file: touching its pages after the writes takes no fault"
[ "$(field /tmp/xip.out zapped_samples)" -gt 0 ]
nor_check $? "in-place file (control): samples saw its pages unmapped"
[ "$(field /tmp/xip.out minflt_after)" -ge $(( $(field /tmp/xip.out pages) - 1 )) ]
nor_check $? "in-place file (control): every page (the last may be compressed) faulted in again after the writes"
nor_done
EOF

nor_guest scope scope --image "$T/xip.img" --guest "$T/scope.sh"
t_done
