#!/bin/bash
# nor-stress.sh - the series on the emulated NOR chip: programs run in
# place from a cramfs partition while the same chip is written.
#
# Image (our builder, --xip): static busybox and xip-probe (executed in
# place), a compressed text file and a whole-file XIP data file, their
# checksums.  kernel/test/guest-stress.sh runs consumers from the image
# (xip-probe verify x3 through read() and mmap(), xip-probe stall, a busybox
# sha256sum loop) while JFFS2 files are written and deleted on mtd1 and raw
# erase/program/verify cycles run on mtd2 (kernel/test/nor-tool.c).
#
#   instant   QEMU's timing, NOR_STRESS_CYCLES (default 1000) raw cycles
#   busy      the same with the series' busy-time option (every erase
#             holds the chip in status mode for busy_erase_ms)
#   skip-unmap, skip-drain  the debug kernel told to skip step 2 (unmap)
#             or step 3 (drain) of the revocation must be caught by its
#             signature: the RAM verifier reads SR_READY bytes (the chip's
#             status register) through mappings held across the writes, or
#             a process in place dies of SIGSEGV, SIGILL or SIGBUS
#   skip-recheck  the debug kernel taking a gate reference without the
#             re-check after announcing it, with a 200 us delay between the
#             gate check and the announce (a subtle bug): must be caught
#   delay     the same delay on the correct protocol: must stay clean
#   skip-zap  the debug kernel told to leave the copies that faults map
#             during a suspendable erase in place must be caught: the
#             running text pages are not flash pages after the writes
#   debug     the instant scenario, fewer cycles, on the debug kernel
#             (kernel/config/nor-debug.config: PROVE_LOCKING, KASAN and the
#             revocation debug knob left at 0) with --strict: any lockdep,
#             atomic-sleep or KASAN report fails
#   busy-debug  the same with the busy-time option and modelled erase
#             suspend: faults during erases map copies (fault_copies > 0),
#             and the running text is flash pages again afterwards
# Every scenario also checks that every write completes (no hang: the
# guest would time out), that consumers' text is mapped in place before
# and after the writes, and (except the debug ones) that the kernel logged
# no warning (--strict).
#
# Exit 77 without qemu-system-x86_64, linux-source-6.1 or seabios.
# Env: NOR_STRESS_CYCLES, NOR_STRESS_VARIANTS (default "instant busy
# debug busy-debug skip-unmap skip-drain skip-recheck delay skip-zap").
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
qemu_xip_require
[ -f /usr/share/seabios/bios-256k.bin ] || t_skip "seabios not installed (scripts/setup)"
is_static_elf /bin/busybox || t_skip "no static /bin/busybox (package busybox-static: scripts/setup)"
t_init cramfs
nor=$repo_dir/kernel/test
cycles=${NOR_STRESS_CYCLES:-1000}
variants=${NOR_STRESS_VARIANTS:-instant busy debug busy-debug skip-unmap skip-drain skip-recheck delay skip-zap}
parts="mtdparts=physmap-flash.0:4M(ro),1920k(jffs2),1920k(raw),256k(bios)ro"

# the image: what the consumers run and check
src=$T/src
mkdir -p "$src/bin" "$src/share" "$src/etc"
cp /bin/busybox "$src/bin/busybox"
gcc -O2 -static -o "$src/bin/xip-probe" "$nor/xip-probe.c" ||
    { t_fail "cannot build xip-probe"; t_done; }
seq 1 30000 >"$src/share/numbers.txt"
head -c 200000 /dev/urandom >"$src/share/xip.bin"
(cd "$src" && sha256sum share/numbers.txt | sed 's| share/| /mnt/share/|' >etc/numbers.sha256)
for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
    "$src/bin/xip-probe" sum "$src/$f" | sed "s| $src/| /mnt/|"
done >"$src/etc/sums"
# the image has no run of SR_READY bytes: any the guest reads through a
# mapping is the chip's status register (a broken kernel's signature)
for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
    "$src/bin/xip-probe" status "$src/$f"
done | grep -v '^status_blocks=0 ' && { t_fail "the image files hold SR_READY blocks"; t_done; }
img=$T/stress.img
rc_run build 0 "cramfs build --xip (stress image)" "$CRAMFS" build --xip \
    --xip-files share/xip.bin --max-size 4M -o "$img" "$src" || t_done

# scenario NAME EXPECT KERNEL-ARGS... -- EXTRA-APPEND: one guest run
scenario() {
    local name=$1 expect=$2 append=$3 strict=$4 ncycles=$5
    shift 5
    t_note "$name: $ncycles cycles, kernel $*, $append"
    "$nor/nor-run.sh" "$@" --image "$img" --guest "$nor/guest-stress.sh" \
        --timeout "${NOR_STRESS_TIMEOUT:-900}" $strict \
        --append "$parts stress.cycles=$ncycles stress.expect=$expect $append" \
        >"$T/$name.out" 2>"$T/$name.err"
    local rc=$?
    grep -E '^(ok|FAIL):' "$T/$name.out" | sed "s/^\(ok\|FAIL\): /\1: $name: /"
    grep -E '^stress (summary|raw|writers|stall|text-pages|revoke|verify|busybox)' "$T/$name.out" | sed "s/^/# $name: /"
    t_check $rc "$name: guest verdict (nor-run.sh exit $rc)"
    [ $rc = 0 ] || { grep -E 'kmsg .*(BUG|WARNING|lockdep|KASAN|hung|Oops)' "$T/$name.out" | head -n 20; tail -n 5 "$T/$name.err"; }
}

for v in $variants; do
    case $v in
    instant) scenario instant clean "" --strict "$cycles" --kernel small ;;
    busy) scenario busy clean "cfi_cmdset_0001.busy_erase_ms=20 cfi_cmdset_0001.busy_program_us=50" \
        --strict "$cycles" --kernel small ;;
    debug) scenario debug clean "" --strict 200 --kernel debug ;;
    busy-debug) scenario busy-debug clean \
        "cfi_cmdset_0001.busy_erase_ms=20 cfi_cmdset_0001.busy_program_us=50 cfi_cmdset_0001.model_suspend=1" \
        --strict 100 --kernel debug ;;
    skip-unmap) scenario skip-unmap broken "cramfs.xip_revoke_debug_skip=1 cfi_cmdset_0001.busy_erase_ms=20" \
        "" 200 --kernel debug ;;
    skip-drain) scenario skip-drain broken "cramfs.xip_revoke_debug_skip=2 cfi_cmdset_0001.busy_erase_ms=20" \
        "" 200 --kernel debug ;;
    skip-recheck) scenario skip-recheck broken \
        "cramfs.xip_revoke_debug_skip=4 cramfs.xip_revoke_debug_delay_us=200 cfi_cmdset_0001.busy_erase_ms=20" \
        "" 200 --kernel debug ;;
    delay) scenario delay clean \
        "cramfs.xip_revoke_debug_delay_us=200 cfi_cmdset_0001.busy_erase_ms=20" \
        --strict 200 --kernel debug ;;
    skip-zap) scenario skip-zap degraded \
        "cramfs.xip_revoke_debug_skip=3 cfi_cmdset_0001.busy_erase_ms=20 cfi_cmdset_0001.model_suspend=1" \
        "" 60 --kernel debug ;;
    *) t_fail "unknown variant $v" ;;
    esac
done
t_done
