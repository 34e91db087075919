#!/usr/bin/env bash
# demo/nor-demo.sh: the whole story on an emulated NOR chip.
#
# 1. an XIP cramfs of a small root file system (busybox from Debian's
#    busybox-static, xip-probe and nor-tool from kernel/test, demo/rootfs,
#    demo/nor/demo-init) built with our builder (--xip);
# 2. Linux 6.1 with the series of kernel/patches (kernel/build.sh small,
#    cached in ~/.cache/cramfs-xip);
# 3. QEMU (TCG) with one Intel CFI NOR chip (pflash_cfi01): mtd0 the
#    cramfs, booted as the root file system (root=mtd:ro), mtd1 JFFS2,
#    mtd2 raw, SeaBIOS at the end;
# 4. demo-init runs programs in place while it writes JFFS2 and raw-cycles
#    the same chip, then prints a report (files in place, RAM saved, writes,
#    revocations, worst stall, data verified).
# Exit: 0 the guest reported RESULT OK; 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build == /* ]] || build=$root/$build
cramfs=$build/tools/cramfs/cramfs
out=$build/demo/nor
die() { echo "nor-demo: $*" >&2; exit 1; }
mkdir -p "$out"

# --- 1. the root file system and its XIP image ------------------------------
fs=$out/rootfs
rm -rf "$fs"
mkdir -p "$fs"/{bin,sbin,dev,proc,sys,tmp,etc}
cp -a "$root/demo/rootfs/." "$fs/"
cp /bin/busybox "$fs/bin/busybox"
for a in sh mount umount mkdir cat grep sed awk tr tail dd sha256sum sync rm sleep echo uname reboot seq wait; do
    ln -sf busybox "$fs/bin/$a"
done
gcc -O2 -static -o "$fs/bin/xip-probe" "$root/kernel/test/xip-probe.c" || die "cannot build xip-probe"
gcc -O2 -static -o "$fs/bin/nor-tool" "$root/kernel/test/nor-tool.c" || die "cannot build nor-tool"
cp "$root/demo/nor/demo-init" "$fs/sbin/demo-init"
for f in bin/busybox bin/xip-probe README.txt; do
    "$fs/bin/xip-probe" sum "$fs/$f" | sed "s| $fs/| /|"
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
echo "nor-demo: building (or finding) the patched kernel: kernel/build.sh small"
bz=$("$root/kernel/build.sh" small) || die "kernel build failed"

# --- 3. the chip and the boot -----------------------------------------------
chip=$out/chip.img
python3 - "$img" /usr/share/seabios/bios-256k.bin "$chip" <<'EOF'
import sys
chip = bytearray(b"\xff" * (8 << 20))
img = open(sys.argv[1], "rb").read()
bios = open(sys.argv[2], "rb").read()
chip[0:len(img)] = img
chip[len(chip) - len(bios):] = bios
open(sys.argv[3], "wb").write(chip)
EOF
echo "nor-demo: booting Linux with root on the XIP cramfs of the NOR chip (QEMU TCG)"
# 2 sockets: SeaBIOS's MP table lists one CPU per package (no ACPI here);
# the host's TSC rate: the guest's own calibration fails under TCG
tsc_khz=$("$fs/bin/nor-tool" tsc-khz 2>/dev/null || true)
timeout -k 5 "${NOR_DEMO_TIMEOUT:-600}" qemu-system-x86_64 -M pc -accel tcg \
    -smp 2,sockets=2,cores=1,threads=1 -m 256 -display none \
    -drive if=pflash,format=raw,unit=0,file="$chip" -kernel "$bz" \
    -append "console=ttyS0 panic=-1 mtdparts=physmap-flash.0:4M(ro),1920k(jffs2),1920k(raw),256k(bios)ro root=mtd:ro rootfstype=cramfs ro init=/sbin/demo-init tsc=reliable${tsc_khz:+ tsc_early_khz=$tsc_khz}" \
    -serial file:"$out/console.txt" -no-reboot
rc=$?
grep -a '^demo:' "$out/console.txt" | tr -d '\r'
[[ $rc == 0 ]] || echo "nor-demo: qemu exit $rc (console: $out/console.txt)"
grep -aq 'demo: RESULT OK' "$out/console.txt"
