#!/usr/bin/env bash
# demo/nor-demo.sh: the whole story on an emulated NOR chip.
#
# 1. an XIP cramfs of a small root file system (busybox, xip-probe and
#    nor-tool from kernel/test, demo/rootfs, demo/nor/demo-init) built with
#    our builder (--xip);
# 2. Linux 6.1 with the series of kernel/patches (kernel/build.sh, cached
#    in $CRAMFS_XIP_CACHE, default ~/.cache/cramfs-xip);
# 3. QEMU (TCG) with one CFI NOR chip: mtd0 the cramfs, booted as the root
#    file system (root=mtd:ro), mtd1 JFFS2, mtd2 raw;
# 4. demo-init runs programs in place while it writes JFFS2 and raw-cycles
#    the same chip, then prints a report (files in place, RAM saved, writes,
#    revocations, worst stall, data verified).
#
# The board: NOR_DEMO_BOARD (`make demo NOR_DEMO_BOARD=zynq`)
#   x86   (default) QEMU -M pc, 2 CPUs, an 8 MiB Intel chip (pflash_cfi01,
#         program and erase instant): Debian's busybox-static, the tools
#         built with gcc -static, kernel/build.sh small; SeaBIOS at the
#         end of the chip
#   zynq  QEMU -M xilinx-zynq-a9, Cortex-A9, 1 CPU, the 64 MiB AMD chip
#         (pflash_cfi02 at 0xe2000000: 0.27 s a sector erase, ~220 us a
#         byte programmed, so demo-init writes less: 8 files of 4 KiB,
#         30 raw cycles of one 128 KiB sector programming 512 bytes each);
#         the static armhf busybox of scripts/setup, the tools from
#         kernel/test/arm/arm-tool.sh, kernel/build.sh arm-small, the
#         device tree from kernel/test/arm/board-dtb.sh
# The guest's amounts are demo.* parameters on the kernel command line
# (demo/nor/demo-init); NOR_DEMO_APPEND adds more (e.g. demo.cycles=100).
# Env: NOR_DEMO_BOARD, NOR_DEMO_TIMEOUT (s, default 600), NOR_DEMO_APPEND,
#      NOR_ARM_BUSYBOX (zynq), BUILD_DIR, CRAMFS_XIP_CACHE.
# Exit: 0 the guest reported RESULT OK; 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build == /* ]] || build=$root/$build
cramfs=$build/tools/cramfs/cramfs
out=$build/demo/nor
die() { echo "nor-demo: $*" >&2; exit 1; }
board=${NOR_DEMO_BOARD:-x86}

# --- the boards ---------------------------------------------------------------
# board_BOARD: sets busybox (the guest's, static), kernel_variant, chip_size,
# mtdparts, console, guest_params (demo-init's demo.* amounts; none: its
# defaults, the x86 ones) and qemu_desc
board_x86() {
    busybox=/bin/busybox
    kernel_variant=small
    chip_size=$((8 << 20))
    mtdparts="physmap-flash.0:4M(ro),1920k(jffs2),1920k(raw),256k(bios)ro"
    console=ttyS0
    guest_params=
    qemu_desc="QEMU TCG"
}
board_zynq() {
    busybox=${NOR_ARM_BUSYBOX:-/usr/local/lib/cramfs-xip/armhf/bin/busybox}
    kernel_variant=arm-small
    chip_size=$((64 << 20))
    mtdparts="e2000000.flash:4M(ro),1920k(jffs2),1920k(raw)"
    console=ttyPS0
    guest_params=" demo.files=8 demo.bs=4096 demo.count=1 demo.cycles=30 demo.rawlen=128k demo.rawplen=512"
    qemu_desc="QEMU TCG, xilinx-zynq-a9"
}

# guest_tools_BOARD DIR: xip-probe and nor-tool for the guest into DIR; sets
# host_probe (an xip-probe this host runs: the sums of the image's files)
guest_tools_x86() {
    gcc -O2 -static -o "$1/xip-probe" "$root/kernel/test/xip-probe.c" || die "cannot build xip-probe"
    gcc -O2 -static -o "$1/nor-tool" "$root/kernel/test/nor-tool.c" || die "cannot build nor-tool"
    host_probe=$1/xip-probe
}
guest_tools_zynq() {
    local tools
    tools=$("$root/kernel/test/arm/arm-tool.sh" xip-probe nor-tool) || die "cannot build the armhf xip-probe and nor-tool"
    cp "$(echo "$tools" | sed -n 1p)" "$1/xip-probe" &&
    cp "$(echo "$tools" | sed -n 2p)" "$1/nor-tool" || die "cannot copy the armhf tools"
    host_probe=$out/xip-probe-host
    gcc -O2 -o "$host_probe" "$root/kernel/test/xip-probe.c" || die "cannot build the host's xip-probe"
}

# make_chip IMAGE CHIP [TAIL]: an erased chip of chip_size bytes, IMAGE at
# offset 0, TAIL (a file) at the very end
make_chip() {
    python3 - "$chip_size" "$@" <<'EOF'
import sys
chip = bytearray(b"\xff" * int(sys.argv[1]))
img = open(sys.argv[2], "rb").read()
chip[0:len(img)] = img
if len(sys.argv) > 4:
    tail = open(sys.argv[4], "rb").read()
    chip[len(chip) - len(tail):] = tail
open(sys.argv[3], "wb").write(chip)
EOF
}

# boot_BOARD KERNEL CHIP CMDLINE: run the guest (timeout NOR_DEMO_TIMEOUT),
# its console into $out/console.txt; returns QEMU's exit status
boot_x86() {
    # 2 sockets: SeaBIOS's MP table lists one CPU per package (no ACPI here);
    # the host's TSC rate: the guest's own calibration fails under TCG
    local tsc_khz
    tsc_khz=$("$fs/bin/nor-tool" tsc-khz 2>/dev/null || true)
    timeout -k 5 "${NOR_DEMO_TIMEOUT:-600}" qemu-system-x86_64 -M pc -accel tcg \
        -smp 2,sockets=2,cores=1,threads=1 -m 256 -display none \
        -drive if=pflash,format=raw,unit=0,file="$2" -kernel "$1" \
        -append "$3 tsc=reliable${tsc_khz:+ tsc_early_khz=$tsc_khz}" \
        -serial file:"$out/console.txt" -no-reboot
}
boot_zynq() {
    # the device tree: the kernel's zynq-zc702.dtb made to fit QEMU's board
    # (one CPU, uart0 on, the timers' clock, the flash node): board-dtb.sh
    local dtb=$out/zynq.dtb
    "$root/kernel/test/arm/board-dtb.sh" zynq "$dtb" \
        --zc702 "$(dirname "$1")/dtbs/zynq-zc702.dtb" || die "no device tree for the zynq board"
    # QEMU's first serial port is uart0 (ttyPS1, unused), the second uart1
    # (ttyPS0, the console); QEMU's own messages (the board's two network
    # cards have no peer) into qemu.log, shown when it fails
    local rc
    timeout -k 5 "${NOR_DEMO_TIMEOUT:-600}" qemu-system-arm -M xilinx-zynq-a9 -accel tcg \
        -smp 1 -m 256 -nodefaults -no-user-config -display none \
        -drive if=pflash,format=raw,unit=0,file="$2" -kernel "$1" -dtb "$dtb" \
        -append "$3" -serial null -serial file:"$out/console.txt" -no-reboot \
        </dev/null >"$out/qemu.log" 2>&1
    rc=$?
    [[ $rc == 0 ]] || grep -v 'has no peer$' "$out/qemu.log" >&2
    return $rc
}

case $board in
x86|zynq) "board_$board" ;;
*) die "unknown NOR_DEMO_BOARD '$board' (x86 zynq)" ;;
esac
[[ $board == x86 ]] || out=$out-$board
mkdir -p "$out"

# --- 1. the root file system and its XIP image ------------------------------
fs=$out/rootfs
rm -rf "$fs"
mkdir -p "$fs"/{bin,sbin,dev,proc,sys,tmp,etc}
cp -a "$root/demo/rootfs/." "$fs/"
cp "$busybox" "$fs/bin/busybox" || die "no busybox at $busybox (scripts/setup installs it)"
for a in sh mount umount mkdir cat grep sed awk tr tail dd sha256sum sync rm sleep echo uname reboot seq wait; do
    ln -sf busybox "$fs/bin/$a"
done
"guest_tools_$board" "$fs/bin"
cp "$root/demo/nor/demo-init" "$fs/sbin/demo-init"
for f in bin/busybox bin/xip-probe README.txt; do
    "$host_probe" sum "$fs/$f" | sed "s| $fs/| /|"
done >"$fs/etc/sums"
# the plan, for the guest's report (computed before the final build: same tree)
"$cramfs" build --xip --json -o "$out/plan.img" "$fs" >"$out/plan.json" || die "cramfs build failed"
python3 - "$out/plan.json" "$fs/etc" <<'EOF'
import json, sys
x = json.load(open(sys.argv[1]))["xip"]
names = ", ".join(f'{f["path"]} {f["in_place"]}/{f["pages"]} pages' for f in x["files"])
open(sys.argv[2] + "/xip-summary", "w").write(
    f'{len(x["files"])} files, {x["in_place_pages"]} pages ({names})\n')
open(sys.argv[2] + "/xip-ram", "w").write(
    f'up to {x["ram_saved_bytes"] // 1024} KiB of page cache (every in-place page, per the plan)\n')
EOF
img=$out/root.cramfs
"$cramfs" build --xip --xip-report --max-size 4M -o "$img" "$fs" || die "the image does not fit the 4 MiB partition"

# --- 2. the kernel ----------------------------------------------------------
echo "nor-demo: building (or finding) the patched kernel: kernel/build.sh $kernel_variant"
kernel=$("$root/kernel/build.sh" "$kernel_variant") || die "kernel build failed"

# --- 3. the chip and the boot -----------------------------------------------
chip=$out/chip.img
if [[ $board == x86 ]]; then
    make_chip "$img" "$chip" /usr/share/seabios/bios-256k.bin
else
    make_chip "$img" "$chip"
fi || die "cannot write the chip image"
echo "nor-demo: booting Linux with root on the XIP cramfs of the NOR chip ($qemu_desc)"
rm -f "$out/console.txt"
"boot_$board" "$kernel" "$chip" \
    "console=$console panic=-1 mtdparts=$mtdparts root=mtd:ro rootfstype=cramfs ro init=/sbin/demo-init$guest_params${NOR_DEMO_APPEND:+ $NOR_DEMO_APPEND}"
rc=$?
grep -a '^demo:' "$out/console.txt" | tr -d '\r'
[[ $rc == 0 ]] || echo "nor-demo: qemu exit $rc (console: $out/console.txt)"
grep -aq 'demo: RESULT OK' "$out/console.txt"
