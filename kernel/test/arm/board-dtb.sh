#!/bin/bash
# kernel/test/arm/board-dtb.sh BOARD OUT [--smp N] [--mem MB] [--zc702 DTB]
#
# Writes the device tree blob of an ARM board of the NOR harness
# (kernel/test/arm/nor-run-arm.sh) to OUT.
#
# BOARD  virt      QEMU's own DT (`-M virt,dumpdtb=`, -cpu cortex-a15, the
#                  given -smp and -m), its one flash@0 node (both pflash
#                  banks: physmap would make an mtd_concat of them, which
#                  has no point(), so cramfs could not map it) split into
#                  one node per bank: flash@0 (bank 0, 0x00000000, left
#                  empty: a drive there is booted as firmware) disabled,
#                  flash@4000000 (bank 1, 64 MiB, bank width 4) the chip
#                  (mtd "4000000.flash")
#        zynq      the kernel's zynq-zc702.dtb (--zc702, built by
#                  kernel/build.sh arm-*) with: cpu@1 removed (QEMU's
#                  xilinx-zynq-a9 has one CPU), uart0 enabled as serial1
#                  (ttyPS1: the result port, QEMU's first serial port;
#                  the console ttyPS0 is uart1, QEMU's second), the A9
#                  global timer and TWD on a fixed 100 MHz clock (QEMU's
#                  rate; the SLCR-derived one makes the clock run fast),
#                  and a
#                  cfi-flash node for QEMU's pflash_cfi02 chip:
#                  flash@e2000000, 64 MiB, bank width 1 ("e2000000.flash")
#        zynq-rom  the same, but the chip described as two nodes, the way
#                  mainline can execute in place from it: the first 4 MiB
#                  (the cramfs) an mtd-rom node (map_rom, which has
#                  point()) flash@e2000000, the next 60 MiB a cfi-flash
#                  node flash@e2400000 ("e2400000.flash"; the CFI probe
#                  finds a 64 MiB chip in a 60 MiB window and reduces its
#                  visibility to 32 MiB: chip offsets 4-36 MiB)
# --smp N, --mem MB   virt only: the machine whose DT is dumped (default 2,
#                  256; QEMU rewrites the memory node at boot anyway)
#
# Exit: 0 written, 1 a tool failed, 2 usage error or a tool missing.
set -euo pipefail

log() { echo "board-dtb.sh: $*" >&2; }
usage() {
    sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -ge 2 ] || usage
board=$1 out=$2
shift 2
smp=2 mem=256 zc702=
while [ $# -gt 0 ]; do
    case $1 in
    --smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --zc702) [ $# -ge 2 ] || usage; zc702=$2; shift 2 ;;
    *) log "unknown argument $1"; usage ;;
    esac
done
command -v fdtput >/dev/null ||
    { log "fdtput not found (package device-tree-compiler: scripts/setup)"; exit 2; }

tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
case $board in
virt)
    command -v qemu-system-arm >/dev/null ||
        { log "qemu-system-arm not found (package qemu-system-arm: scripts/setup)"; exit 2; }
    qemu-system-arm -M "virt,dumpdtb=$tmp" -accel tcg -cpu cortex-a15 \
        -smp "$smp" -m "$mem" -nodefaults -no-user-config -display none \
        >/dev/null 2>&1 || { log "qemu-system-arm -M virt,dumpdtb= failed"; exit 1; }
    [ "$(fdtget "$tmp" /flash@0 reg)" = "0 0 0 67108864 0 67108864 0 67108864" ] ||
        { log "QEMU's virt DT has no two-bank flash@0 node: $(fdtget "$tmp" /flash@0 reg 2>&1)"; exit 1; }
    fdtput -t x "$tmp" /flash@0 reg 0 0 0 4000000
    fdtput -t s "$tmp" /flash@0 status disabled
    fdtput -c "$tmp" /flash@4000000
    fdtput -t s "$tmp" /flash@4000000 compatible cfi-flash
    fdtput -t x "$tmp" /flash@4000000 reg 0 4000000 0 4000000
    fdtput -t x "$tmp" /flash@4000000 bank-width 4
    ;;
zynq|zynq-rom)
    [ -n "$zc702" ] && [ -s "$zc702" ] || { log "$board needs --zc702 zynq-zc702.dtb"; exit 2; }
    cp "$zc702" "$tmp"
    fdtput -r "$tmp" /cpus/cpu@1
    fdtput -t s "$tmp" /axi/serial@e0000000 status okay
    fdtput -t s "$tmp" /aliases serial1 /axi/serial@e0000000
    # the clock of the A9 global timer and TWD (clkc 4, cpu_3or2x): the
    # kernel computes 83.3 MHz from QEMU's SLCR, QEMU's timers count at
    # 100 MHz (10 ns a tick, times the prescaler): without this the guest
    # clock runs 1.2 times too fast (20 s of uptime in 16.7 s)
    ph=$(dtc -I dtb -O dts "$tmp" 2>/dev/null | sed -n 's/.*phandle = <\(0x[0-9a-f]*\)>.*/\1/p' |
         sort -u | while read -r p; do echo $((p)); done | sort -n | tail -n 1)
    ph=$(printf '%x' $((ph + 1)))
    fdtput -c "$tmp" /qemu-timer-clk
    fdtput -t s "$tmp" /qemu-timer-clk compatible fixed-clock
    fdtput -t x "$tmp" /qemu-timer-clk '#clock-cells' 0
    fdtput -t i "$tmp" /qemu-timer-clk clock-frequency 100000000
    fdtput -t x "$tmp" /qemu-timer-clk phandle "$ph"
    fdtput -t x "$tmp" /axi/timer@f8f00200 clocks "$ph"
    fdtput -t x "$tmp" /axi/timer@f8f00600 clocks "$ph"
    if [ "$board" = zynq ]; then
        fdtput -c "$tmp" /flash@e2000000
        fdtput -t s "$tmp" /flash@e2000000 compatible cfi-flash
        fdtput -t x "$tmp" /flash@e2000000 reg e2000000 4000000
        fdtput -t x "$tmp" /flash@e2000000 bank-width 1
    else
        # fdtput -c puts a node first among its siblings: create the
        # second one first, so that the rom is probed (and numbered) first
        fdtput -c "$tmp" /flash@e2400000
        fdtput -t s "$tmp" /flash@e2400000 compatible cfi-flash
        fdtput -t x "$tmp" /flash@e2400000 reg e2400000 3c00000
        fdtput -t x "$tmp" /flash@e2400000 bank-width 1
        fdtput -c "$tmp" /flash@e2000000
        fdtput -t s "$tmp" /flash@e2000000 compatible mtd-rom
        fdtput -t x "$tmp" /flash@e2000000 reg e2000000 400000
        fdtput -t x "$tmp" /flash@e2000000 bank-width 1
    fi
    ;;
*) log "unknown board $board (virt zynq zynq-rom)"; usage ;;
esac
mv -f "$tmp" "$out"
