#!/bin/bash
# nor-rollback.sh - two cramfs mounts on one chip, and the MTD core's
# rollback when one of them fails to give its pointers back (v2 of the
# series; the debug kernel's cramfs.xip_revoke_debug_fail=NAME).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the debug kernel
# (kernel/config/nor-debug.config: PROVE_LOCKING, KASAN, the debug knobs);
# partitions ro (4 MiB), rw, raw, bios.  cramfs A (mtd0, mounted first) and
# cramfs B (mtd1, --rw-image), each with xip-probe stored in place and
# running from it (two holders, revoked and restored together).
#   1. raw erase/program cycles of mtd2 work: both are revoked and
#      restored, both programs keep running, their files verify;
#   2. with B's revocation made to fail (xip_revoke_debug_fail=rw), an erase
#      of mtd2 fails with EIO at once; A was revoked and restored (its count
#      moved by one), B was not revoked; both programs still run and fault
#      their text in place from flash pages (nothing was left closed);
#   3. cleared, the same erase works again.
# Lockdep, KASAN and every warning count (--strict).
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
nor=$repo_dir/kernel/test
nor_require
t_init cramfs
parts="mtdparts=physmap-flash.0:4M(ro),1920k(rw),1920k(raw),256k(bios)ro"

nor_kernel debug

for n in a b; do
    tree=$T/tree-$n
    mkdir -p "$tree/bin" "$tree/etc"
    gcc -O2 -static -o "$tree/bin/xip-probe" "$nor/xip-probe.c" ||
        { t_fail "cannot build xip-probe"; t_done; }
    echo "image $n" >"$tree/etc/name"
    "$tree/bin/xip-probe" sum "$tree/bin/xip-probe" | sed "s| $tree/| /mnt-$n/|" >"$tree/etc/sums"
    rc_run build-$n 0 "cramfs build --xip (image $n)" \
        "$CRAMFS" build --xip --max-size 1920k -o "$T/$n.img" "$tree" || t_done
done

cat >"$T/rollback.sh" <<'EOF'
#!/bin/sh
. /lib/nor.sh
RAW=/dev/mtd2
mkdir -p /mnt-a /mnt-b
mount --bind /mnt /mnt-a
oracle-tool mount mtd:rw /mnt-b cramfs
nor_check $? "cramfs B mounted from mtd1 (A is on mtd0)"
[ "$(cat /mnt-a/etc/name)/$(cat /mnt-b/etc/name)" = "image a/image b" ]
nor_check $? "both read back"
SA=/sys/kernel/debug/cramfs/ro/revoke_stats SB=/sys/kernel/debug/cramfs/rw/revoke_stats
count() { sed -n 's/^revocations //p' "$1"; }
for n in a b; do
    /mnt-$n/bin/xip-probe stall 600 >/tmp/stall-$n.out 2>&1 &
    eval "X$n=\$!"
done
nor_wait_for "nor_xip_text $Xa /mnt-a/bin/xip-probe && nor_xip_text $Xb /mnt-b/bin/xip-probe" 50
nor_check $? "a program runs in place from each"

# text_in_place PID PATH OFFSET SIZE: PATH's text in PID is mapped in place
# from flash pages of the partition at OFFSET (SIZE bytes) of the chip
text_in_place() {
    _t=$(nor_maps $1 $2 | awk '$2 ~ /x/ { split($1, r, "-"); print r[1], r[2] }' |
         while read -r _s _e; do
             nor-tool pagemap $1 0x$_s 0x$_e $((NOR_BASE + $3)) $4
         done)
    echo "rollback text $2 $_t"
    nor_xip_text $1 $2 && case $_t in *present=*" flash=0 "*|"") false ;; *) true ;; esac
}

a0=$(count $SA) b0=$(count $SB)
nor-tool cycle $RAW 5 0 64k | tail -n 1 | sed 's/^/rollback /'
nor_check $? "5 erase/program/verify cycles of mtd2 with both mounted"
nor-tool pause 200
a1=$(count $SA) b1=$(count $SB)
echo "rollback counts a=$a0..$a1 b=$b0..$b1"
[ "$a1" -gt "$a0" ] && [ "$b1" -gt "$b0" ]
nor_check $? "both holders were revoked"

echo rw >/sys/module/cramfs/parameters/xip_revoke_debug_fail
nor-tool erase $RAW 0 4k >/tmp/erase.out 2>&1
rc=$?
sed 's/^/rollback /' /tmp/erase.out
[ $rc != 0 ] && grep -q 'Input/output error' /tmp/erase.out
nor_check $? "with B's revocation failing, the erase fails with EIO"
a2=$(count $SA) b2=$(count $SB)
echo "rollback counts a=$a1..$a2 b=$b1..$b2"
[ "$a2" = $((a1 + 1)) ] && [ "$b2" = "$b1" ]
nor_check $? "A was revoked (and restored), B was not"
nor-tool pause 200
text_in_place $Xa /mnt-a/bin/xip-probe 0 $((4 << 20))
nor_check $? "A's program runs from flash pages after the rollback"
text_in_place $Xb /mnt-b/bin/xip-probe $((4 << 20)) $((1920 << 10))
nor_check $? "B's program runs from flash pages"
for n in a b; do
    /mnt-$n/bin/xip-probe verify 1 /mnt-$n/etc/sums | sed 's/^/rollback /'
    nor_check $? "image $n verifies"
done

: >/sys/module/cramfs/parameters/xip_revoke_debug_fail
nor-tool erase $RAW 0 4k | sed 's/^/rollback /'
nor_check $? "cleared: the erase works"
nor_running $Xa && nor_running $Xb
nor_check $? "both programs still run"
kill $Xa $Xb; wait $Xa $Xb 2>/dev/null
umount /mnt-b
nor_check $? "umount B"
nor_done
EOF

nor_guest rollback rollback --image "$T/a.img" --rw-image "$T/b.img" --guest "$T/rollback.sh" --append "$parts"
t_done
