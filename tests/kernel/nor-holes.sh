#!/bin/bash
# nor-holes.sh - the paths around a revocation that the stress test does
# not drive (v2 of the series): while raw erase/program cycles, lock and
# unlock hit one partition of the chip, from the XIP cramfs of another:
#   - xip-probe verifies every file through read() and mmap() while
#     /proc/sys/vm/drop_caches empties the page cache every 100 ms (so
#     read_folio() and, with the gate closed, the bounce reads run);
#   - a busybox shell running in place forks children that exec busybox
#     from the flash, over and over (fork copies flash PTEs);
#   - nor-tool remap moves an in-place mapping with mremap() and splits it
#     with mprotect(), comparing it with the file each round;
#   - a second cramfs (mtd1) is mounted, read and unmounted 15 times.
# Every consumer must finish clean (no mismatch, no signal, every child
# ok, every mount ok), every cycle verify, the kernel log stay clean
# (--strict), and the running text be flash pages again afterwards.
# NOR_TEST_BZIMAGE=PATH runs another kernel.  Exit 77 without
# qemu-system-x86_64, linux-source-6.1, seabios or busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor=$repo_dir/kernel/test
nor_require
t_init cramfs
nor_kernel small
parts="mtdparts=physmap-flash.0:4M(ro),1920k(rw),1920k(raw),256k(bios)ro"

a=$T/tree-a b=$T/tree-b
mkdir -p "$a/bin" "$a/share" "$a/etc" "$b/etc"
cp /bin/busybox "$a/bin/busybox"
gcc -O2 -static -o "$a/bin/xip-probe" "$nor/xip-probe.c" ||
    { t_fail "cannot build xip-probe"; t_done; }
seq 1 30000 >"$a/share/numbers.txt"
head -c 150000 /dev/urandom >"$a/share/xip.bin"
for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
    "$a/bin/xip-probe" sum "$a/$f" | sed "s| $a/| /mnt/|"
done >"$a/etc/sums"
seq 1 5000 >"$b/etc/numbers"
(cd "$b" && sha256sum etc/numbers | sed 's| etc/| /mnt-b/etc/|') >"$b/etc/numbers.sha256"
rc_run build-a 0 "cramfs build --xip (image a)" "$CRAMFS" build --xip \
    --xip-files share/xip.bin -o "$T/a.img" "$a" || t_done
rc_run build-b 0 "cramfs build (image b)" "$CRAMFS" build -o "$T/b.img" "$b" || t_done

cat >"$T/holes.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
BB=/mnt/bin/busybox RAW=/dev/mtd2
[ "$NOR_MOUNTED" = 1 ]
nor_check $? "cramfs a mounted from mtd0"
mkdir -p /mnt-b
export XIP_PROBE_STOP=/tmp/stop
/mnt/bin/xip-probe verify 600 /mnt/etc/sums >/tmp/verify.out 2>&1 &
V=$!
(while [ ! -e /tmp/stop ]; do echo 3 >/proc/sys/vm/drop_caches; nor-tool pause 100; done) &
D=$!
$BB sh -c 'n=0 bad=0; while [ ! -e /tmp/stop ]; do
               /mnt/bin/busybox true || bad=$((bad + 1)); n=$((n + 1)); done
           echo "forks n=$n bad=$bad"' >/tmp/fork.out 2>&1 &
F=$!
nor-tool remap /mnt/share/xip.bin /tmp/stop >/tmp/remap.out 2>&1 &
R=$!
nor-tool pause 500

nor-tool cycle $RAW 150 0 64k >/tmp/cycle.out 2>&1 &
C=$!
mounts=0
i=0
while [ $i -lt 15 ]; do
    if ! oracle-tool mount mtd:rw /mnt-b cramfs 2>/tmp/mount.err; then
        echo "holes mount $i failed: $(cat /tmp/mount.err)"; dmesg | tail -n 4 | sed "s/^/holes kmsg /"
    elif ! /mnt/bin/busybox sha256sum -c /mnt-b/etc/numbers.sha256 >/tmp/sum.out 2>&1; then
        echo "holes mount $i: b does not verify: $(cat /tmp/sum.out)"; umount /mnt-b
    elif ! umount /mnt-b 2>/tmp/umount.err; then
        echo "holes umount $i failed: $(cat /tmp/umount.err)"
    else
        mounts=$((mounts + 1))
    fi
    nor-tool refuse $RAW 0x100000 4k | grep -c 'result=ok' >>/tmp/locks.out
    i=$((i + 1))
done
wait $C
rc=$?
tail -n 1 /tmp/cycle.out | sed 's/^/holes /'
nor_check $rc "150 erase/program/verify cycles of mtd2 with everything running"
echo "holes mounts=$mounts/15"
[ $mounts = 15 ]
nor_check $? "cramfs b mounted, verified and unmounted 15 times during the writes"
[ "$(sort -u /tmp/locks.out)" = 4 ]
nor_check $? "write, erase, lock and unlock of mtd2 worked each time ($(sort /tmp/locks.out | uniq -c | tr -s ' \n' ' '))"

: >/tmp/stop
wait $V; rv=$?
wait $F
wait $R; rr=$?
wait $D
sed 's/^/holes /' /tmp/verify.out /tmp/fork.out /tmp/remap.out
nor_check $rv "xip-probe verify (read and mmap, drop_caches every 100 ms): clean"
grep -q 'forks n=[1-9][0-9]* bad=0$' /tmp/fork.out
nor_check $? "a shell running in place forked and ran busybox from flash, every child ok"
nor_check $rr "the in-place mapping moved (mremap) and split (mprotect): no mismatch, no signal"
$BB sleep 30 &
S=$!
nor-tool pause 300
t=$(nor_text_pages $S $BB)
echo "holes text $t"
case $t in *flash=0*) false ;; *) true ;; esac
nor_check $? "busybox runs from flash pages again ($t)"
kill $S
nor_done
EOF

nor_guest holes holes --image "$T/a.img" --rw-image "$T/b.img" --guest "$T/holes.sh" \
    --append "$parts"
t_done
