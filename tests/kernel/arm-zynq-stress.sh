#!/bin/bash
# arm-zynq-stress.sh - the NOR stress scenario on the AMD command-set chip
# of QEMU xilinx-zynq-a9 (Cortex-A9, one CPU, pflash_cfi02: a sector erase
# takes 0.27 s and can be suspended for reads, programming ~220 us a byte),
# at the chip's own timing, with the PATCHED arm-small kernel (patch 0012).
# kernel/test/guest-stress.sh: while JFFS2 files are written and deleted on
# mtd1 and raw erase/program/verify cycles of one 128 KiB sector (512 bytes
# programmed and verified a cycle: the chip programs slowly) run on mtd2,
# consumers run from the image in place (xip-probe verify, stall, a
# busybox sha256sum loop; image: arm_stress_image in common.sh):
#   suspend    the chip as QEMU models it: erases of mtd1/mtd2 serve reads
#              (cramfs maps copies read through mtd_read(), which suspends
#              the erase): fault_copies must be > 0
#   nosuspend  cfi_cmdset_0002.no_erase_suspend=1 (DO NOT MERGE patch 0017,
#              kernel/config/arm-series.config): the same chip as one that
#              cannot suspend; programs in place wait for each sector:
#              fault_copies must be 0
# Each must end with zero mismatches and crashes, every write completed,
# the consumers' text mapped in place before and after (no copy left),
# and no kernel warning (--strict).  The cycle count is sized to the
# chip's timing (~0.4 s a cycle).
#
# Exit 77 without qemu-system-arm, the armhf cross compiler and libc,
# device-tree-compiler, linux-source-6.1 or the armhf busybox.
# Env: NOR_ZYNQ_STRESS_CYCLES (default 300 a scenario),
# NOR_ZYNQ_STRESS_VARIANTS (default "suspend nosuspend").
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
arm_require
t_init cramfs
cycles=${NOR_ZYNQ_STRESS_CYCLES:-300}
variants=${NOR_ZYNQ_STRESS_VARIANTS:-suspend nosuspend}
arm_stress_parts="mtdparts=e2000000.flash:4M(ro),4M(jffs2),4M(raw),-(spare)"
# one sector of the raw cycles, 512 bytes of it programmed; 16 sectors in
# the last burst; 3 JFFS2 files (32 KiB each: ~7 s of programming)
geometry="stress.rawlen=128k stress.rawprog=512 stress.burst=2M stress.files=3"
arm_kernel arm-small
arm_stress_image "$T/stress.img"

copies_of() { # NAME: fault_copies of the run's revocation statistics
    sed -n 's/^stress revoke .*fault_copies \([0-9]*\).*/\1/p' "$T/$1.out"
}
for v in $variants; do
    case $v in
    suspend)
        arm_stress_run zynq suspend clean --strict "$geometry stress.cycles=$cycles" --kernel arm-small
        c=$(copies_of suspend)
        [ "${c:-0}" -gt 0 ]
        t_check $? "suspend: XIP faults during erases served with copies (fault_copies ${c:-none})"
        ;;
    nosuspend)
        arm_stress_run zynq nosuspend clean --strict \
            "$geometry stress.cycles=$cycles cfi_cmdset_0002.no_erase_suspend=1" --kernel arm-small
        c=$(copies_of nosuspend)
        [ "${c:-x}" = 0 ]
        t_check $? "nosuspend: no fault copies with erase suspend switched off (fault_copies ${c:-none})"
        ;;
    *) t_fail "unknown variant $v" ;;
    esac
done
t_done
