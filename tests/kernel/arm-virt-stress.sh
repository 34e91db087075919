#!/bin/bash
# arm-virt-stress.sh - the series on a 32-bit ARM board: a short
# nor-stress.sh (kernel/test/guest-stress.sh) on QEMU virt (Cortex-A15, 2
# CPUs, no LPAE: XIP text is VM_MIXEDMAP, no pte_special) with the PATCHED
# arm-small kernel (kernel/build.sh arm-small),
# kernel/test/arm/nor-run-arm.sh --board virt.
#
# The chip: pflash_cfi01 (Intel) bank 1, 64 MiB, 256 KiB erase blocks,
# partitioned 4M(ro) 4M(jffs2) 4M(raw) rest(spare).  Image (our builder,
# --xip): the static armhf busybox and xip-probe (cross-compiled) executed
# in place, a compressed text file and a whole-file XIP data file, their
# checksums.  While JFFS2 files are written and deleted on mtd1 and raw
# erase/program/verify cycles of one erase block run on mtd2, consumers
# run from the image (xip-probe verify, stall, a busybox sha256sum loop):
#   instant  QEMU's timing (erase and program complete at once)
#   busy     the series' busy-time option (cfi_cmdset_0001.busy_erase_ms,
#            busy_program_us: every erase holds the chip in status mode)
# Each must end with zero mismatches and crashes, every write completed,
# the consumers' text mapped in place before and after, and no kernel
# warning (--strict).
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.
# Env: NOR_ARM_STRESS_CYCLES (default 100), NOR_ARM_STRESS_VARIANTS
# (default "instant busy"), NOR_TEST_ZIMAGE=PATH (another kernel).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
nor=$repo_dir/kernel/test
cycles=${NOR_ARM_STRESS_CYCLES:-100}
variants=${NOR_ARM_STRESS_VARIANTS:-instant busy}
parts="mtdparts=4000000.flash:4M(ro),4M(jffs2),4M(raw),-(spare)"
# one erase block of the raw cycles, 16 in the last burst
geometry="stress.rawlen=256k stress.burst=4M"
if [ -n "${NOR_TEST_ZIMAGE:-}" ]; then
    kargs=(--zimage "$NOR_TEST_ZIMAGE")
else
    kargs=(--kernel arm-small)
    arm_kernel arm-small
fi
probe=$("$nor/arm/arm-tool.sh" xip-probe 2>"$T/tool.err") ||
    { t_fail "arm-tool.sh xip-probe"; cat "$T/tool.err"; t_done; }
# the host's build of the same source computes the checksums
gcc -O2 -o "$T/xip-probe-host" "$nor/xip-probe.c" || { t_fail "cannot build xip-probe for the host"; t_done; }

src=$T/src
mkdir -p "$src/bin" "$src/share" "$src/etc"
cp "$arm_busybox" "$src/bin/busybox"
cp "$probe" "$src/bin/xip-probe"
seq 1 30000 >"$src/share/numbers.txt"
head -c 200000 /dev/urandom >"$src/share/xip.bin"
(cd "$src" && sha256sum share/numbers.txt | sed 's| share/| /mnt/share/|' >etc/numbers.sha256)
for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
    "$T/xip-probe-host" sum "$src/$f" | sed "s| $src/| /mnt/|"
done >"$src/etc/sums"
img=$T/stress.img
rc_run build 0 "cramfs build --xip (stress image, armhf)" "$CRAMFS" build --xip \
    --xip-files share/xip.bin --max-size 4M -o "$img" "$src" || t_done

scenario() { # NAME APPEND
    local name=$1 append=$2 rc
    t_note "$name: $cycles cycles, $append"
    "$nor/arm/nor-run-arm.sh" --board virt "${kargs[@]}" --strict \
        --image "$img" --guest "$nor/guest-stress.sh" --timeout "${NOR_STRESS_TIMEOUT:-600}" \
        --append "$parts $geometry stress.cycles=$cycles stress.files=20 stress.expect=clean $append" \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    grep -E '^(ok|FAIL):' "$T/$name.out" | sed "s/^\(ok\|FAIL\): /\1: $name: /"
    grep -E '^stress (summary|raw|writers|stall|text-pages|revoke|verify|busybox)' "$T/$name.out" | sed "s/^/# $name: /"
    t_check $rc "$name: guest verdict (nor-run-arm.sh exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/$name.err"))"
    [ $rc = 0 ] || { grep -E 'kmsg .*(BUG|WARNING|lockdep|KASAN|hung|Oops)' "$T/$name.out" | head -n 20; tail -n 5 "$T/$name.err"; }
}

for v in $variants; do
    case $v in
    instant) scenario instant "" ;;
    busy) scenario busy "cfi_cmdset_0001.busy_erase_ms=20 cfi_cmdset_0001.busy_program_us=50" ;;
    *) t_fail "unknown variant $v" ;;
    esac
done
t_done
