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
#   instant      QEMU's timing (erase and program complete at once),
#                1,000 raw cycles
#   busy         the series' busy-time option (cfi_cmdset_0001.busy_erase_ms,
#                busy_program_us: every erase holds the chip in status
#                mode), 200 cycles
#   debug        busy times on the lock-debugging + KASAN kernel
#                (arm-debug: PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, KASAN),
#                100 cycles
#   skip-unmap   seeded broken kernels (cramfs.xip_revoke_debug_skip=1|2,
#   skip-drain   kernel/config/arm-series.config), 200 cycles with busy
#                erases: must be caught.  skip-drain runs on arm-debug,
#                as on x86: its window (a fault between its re-check and
#                its PTE) is too short on the small kernel (0 of 200
#                cycles showed it)
# The clean ones must end with zero mismatches and crashes, every write
# completed, the consumers' text mapped in place before and after, and no
# kernel warning (--strict).  The broken ones must show what a revocation
# that left a flash page behind shows on this chip: a verifier running from
# RAM reads the status register through a mapping it held across the
# writes (0x00800080 words: two x16 devices answering SR_READY in a 32-bit
# bank), or an in-place process dies of SIGSEGV, SIGILL or SIGBUS.  Not
# pinned on crashes alone: executed as Thumb-2 (Debian's armhf code) 0x0080
# is `lsls r0, r0, #2`, as ARM 0x00800080 `addeq r0, r0, r0, lsl #1`, so a
# program running on status words usually slides through them.
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.
# Env: NOR_ARM_STRESS_CYCLES (instant's cycles, default 1000),
# NOR_ARM_STRESS_VARIANTS (default "instant busy debug skip-unmap skip-drain"),
# NOR_TEST_ZIMAGE=PATH (another kernel).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
cycles=${NOR_ARM_STRESS_CYCLES:-1000}
variants=${NOR_ARM_STRESS_VARIANTS:-instant busy debug skip-unmap skip-drain}
arm_stress_parts="mtdparts=4000000.flash:4M(ro),4M(jffs2),4M(raw),-(spare)"
# one erase block of the raw cycles, 16 in the last burst
geometry="stress.rawlen=256k stress.burst=4M"
if [ -n "${NOR_TEST_ZIMAGE:-}" ]; then
    kargs=(--zimage "$NOR_TEST_ZIMAGE") dargs=(--zimage "$NOR_TEST_ZIMAGE")
else
    kargs=(--kernel arm-small) dargs=(--kernel arm-debug)
    arm_kernel arm-small
    case " $variants " in *" debug "*|*" skip-drain "*) arm_kernel arm-debug ;; esac
fi
arm_stress_image "$T/stress.img"

scenario() { # NAME EXPECT CYCLES STRICT APPEND [KERNEL-ARGS...]
    local name=$1 expect=$2 ncycles=$3 strict=$4 append=$5
    shift 5
    [ $# -gt 0 ] || set -- "${kargs[@]}"
    arm_stress_run virt "$name" "$expect" "$strict" "$geometry stress.cycles=$ncycles stress.files=20 $append" "$@"
}

busy="cfi_cmdset_0001.busy_erase_ms=20 cfi_cmdset_0001.busy_program_us=50"
for v in $variants; do
    case $v in
    instant) scenario instant clean "$cycles" --strict "" ;;
    busy) scenario busy clean 200 --strict "$busy" ;;
    skip-unmap) scenario skip-unmap broken 200 "" "cramfs.xip_revoke_debug_skip=1 cfi_cmdset_0001.busy_erase_ms=20" ;;
    debug) scenario debug clean 100 --strict "$busy" "${dargs[@]}" ;;
    skip-drain) scenario skip-drain broken 200 "" "cramfs.xip_revoke_debug_skip=2 cfi_cmdset_0001.busy_erase_ms=20" "${dargs[@]}" ;;
    *) t_fail "unknown variant $v" ;;
    esac
done
t_done
