#!/bin/bash
# kernel/test/arm/nor-run-arm.sh --board virt|zynq [--dt nor|rom]
#                        [--kernel VARIANT [--unpatched] | --zimage PATH]
#                        [--image CRAMFS_IMG] [--rw-image IMG] [--guest SCRIPT]
#                        [--add HOSTFILE:GUESTPATH]... [--timeout S]
#                        [--append 'extra cmdline'] [--mem MB] [--smp N]
#                        [--strict] [--chip-out FILE] [--keep] [-v]
#
# The NOR harness of kernel/test/nor-run.sh on two emulated 32-bit ARM
# boards (QEMU, TCG), same guest-script interface (/lib/nor.sh is
# kernel/test/nor-lib.sh), same output and exit codes; the chip:
#   virt  -M virt, -cpu cortex-a15, 2 CPUs: pflash_cfi01 (Intel command set)
#         bank 1 at 0x04000000, 64 MiB, 2 x16 devices in a 32-bit bank,
#         256 KiB erase blocks; program and erase are instant, as on x86
#         (bank 0 at 0x0 stays empty and is disabled in the DT)
#   zynq  -M xilinx-zynq-a9, 1 CPU: pflash_cfi02 (AMD command set) at
#         0xe2000000, 64 MiB, bank width 1, 128 KiB sectors; an erase takes
#         0.27 s a sector, programming about 220 us a byte
#   chip offset 0x000000 4 MiB  mtd0 "ro"    CRAMFS_IMG (else erased)
#               0x400000 4 MiB  mtd1 "rw"    IMG of --rw-image (else erased)
#               0x800000 rest   mtd2 "spare" erased
# --dt rom (zynq only): the chip as two DT nodes, the first 4 MiB an
#         mtd-rom (map_rom: mtd0 "ro"), the rest cfi-flash (mtd1 "rw" 4 MiB,
#         mtd2 "spare" 28 MiB: the CFI driver sees the 64 MiB chip through
#         its 60 MiB window as a 32 MiB one): how mainline executes in place
#         from it
# The guest's /init mounts proc, sysfs, devtmpfs, tmpfs /tmp, debugfs,
# mounts the cramfs of mtd0 read-only on /mnt (with --image), runs the guest
# script (/init-test) with stdout+stderr on the result port (virt: hvc0, a
# virtio console; zynq: ttyPS1) and reboots.  Interface and output:
# kernel/test/README.md ("ARM boards").
#
# --kernel VARIANT  kernel/build.sh VARIANT (arm-small, arm-debug; default
#                   arm-small), patched unless --unpatched
# --zimage PATH     a zImage built elsewhere (the config beside it tells
#                   KASAN: more memory; dtbs/zynq-zc702.dtb beside it for
#                   zynq); --bzimage is the same option (nor-run.sh's name)
# the other options: as kernel/test/nor-run.sh (--smp: virt only, default 2)
# stdout: the guest script's lines, then
#   nor-run mount=ok|failed|none exit=N
#   kmsg LINE ...
#   nor-run warnings=N
# exit: 0 guest script exited 0, 1 it failed (or --strict and warnings),
#       2 usage/setup error, 3 guest timed out or died before reporting.
# Env: NOR_ARM_BUSYBOX (default /usr/local/lib/cramfs-xip/armhf/bin/busybox,
#      unpacked there by scripts/setup), ORACLE_TOOL_STATIC (the host's, for
#      packing the initramfs), CRAMFS_XIP_CACHE, CRAMFS_QEMU_ACCEL (tcg)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
test_dir=$(cd "$here/.." && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$repo/tests/kernel/common.sh"
cache=$qemu_cache
chip_size=$((64 << 20))
ro_size=$((4 << 20))
rw_off=$ro_size
rw_size=$((4 << 20))

log() { echo "nor-run-arm.sh: $*" >&2; }
usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

board='' dt=nor variant=arm-small unpatched=0 zimage='' image='' rw_image=''
guest='' timeout_s=120 append='' mem='' smp='' strict=0 chip_out='' keep=0
verbose=0
adds=()
while [ $# -gt 0 ]; do
    case $1 in
    --board) [ $# -ge 2 ] || usage; board=$2; shift 2 ;;
    --dt) [ $# -ge 2 ] || usage; dt=$2; shift 2 ;;
    --kernel) [ $# -ge 2 ] || usage; variant=$2; shift 2 ;;
    --unpatched) unpatched=1; shift ;;
    --zimage|--bzimage) [ $# -ge 2 ] || usage; zimage=$2; shift 2 ;;
    --image) [ $# -ge 2 ] || usage; image=$2; shift 2 ;;
    --rw-image) [ $# -ge 2 ] || usage; rw_image=$2; shift 2 ;;
    --guest) [ $# -ge 2 ] || usage; guest=$2; shift 2 ;;
    --add) [ $# -ge 2 ] && [[ $2 == *:/* ]] || usage; adds+=("$2"); shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
    --append) [ $# -ge 2 ] || usage; append+=" $2"; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --smp) [ $# -ge 2 ] || usage; smp=$2; shift 2 ;;
    --strict) strict=1; shift ;;
    --chip-out) [ $# -ge 2 ] || usage; chip_out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -v) verbose=1; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument $1"; usage ;;
    esac
done

# --- the board --------------------------------------------------------------------
case $board in
virt)
    [ "$dt" = nor ] || { log "--dt $dt: only the zynq board has variants"; exit 2; }
    smp=${smp:-2}
    base=0x04000000 erasesize=$((256 << 10))
    mtdparts="mtdparts=4000000.flash:4M(ro),4M(rw),-(spare)"
    console=ttyAMA0 result_tty=hvc0
    ;;
zynq)
    case $dt in
    nor) mtdparts="mtdparts=e2000000.flash:4M(ro),4M(rw),-(spare)" ;;
    rom) mtdparts="mtdparts=e2000000.flash:4M(ro);e2400000.flash:4M(rw),-(spare)" ;;
    *) log "unknown --dt $dt (nor rom)"; exit 2 ;;
    esac
    [ -z "$smp" ] || [ "$smp" = 1 ] || { log "xilinx-zynq-a9 has one CPU (--smp $smp)"; exit 2; }
    smp=1
    base=0xe2000000 erasesize=$((128 << 10))
    console=ttyPS0 result_tty=ttyPS1
    ;;
'') log "--board virt|zynq is required"; usage ;;
*) log "unknown board $board (virt zynq)"; usage ;;
esac

# --- checks -------------------------------------------------------------------
command -v qemu-system-arm >/dev/null ||
    { log "qemu-system-arm not found (package qemu-system-arm: scripts/setup)"; exit 2; }
command -v fdtput >/dev/null ||
    { log "fdtput not found (package device-tree-compiler: scripts/setup)"; exit 2; }
busybox=${NOR_ARM_BUSYBOX:-/usr/local/lib/cramfs-xip/armhf/bin/busybox}
is_static_elf "$busybox" && LC_ALL=C readelf -h "$busybox" 2>/dev/null | grep -q 'Machine: *ARM$' ||
    { log "no static armhf busybox at $busybox (scripts/setup unpacks busybox-static:armhf there)"; exit 2; }
check_file() { # WHAT FILE MAX
    [ -f "$2" ] && [ -r "$2" ] || { log "$1: cannot read $2"; exit 2; }
    [ "$(stat -c %s "$2")" -le "$3" ] || { log "$1: $2 is larger than $3 bytes"; exit 2; }
}
[ -z "$image" ] || check_file --image "$image" $ro_size
[ -z "$rw_image" ] || check_file --rw-image "$rw_image" $rw_size
[ -z "$guest" ] || check_file --guest "$guest" $((64 << 20))
for a in "${adds[@]}"; do check_file --add "${a%%:/*}" $((64 << 20)); done

# --- kernel ---------------------------------------------------------------------
if [ -n "$zimage" ]; then
    [ -s "$zimage" ] || { log "no kernel at $zimage"; exit 2; }
    kernel=$(realpath "$zimage")
    kdesc="zimage:$kernel"
else
    case $variant in arm-*) ;; *) log "--kernel $variant: not an ARM variant (arm-small, arm-debug)"; exit 2 ;; esac
    bargs=("$variant")
    [ "$unpatched" = 0 ] || bargs+=(--unpatched)
    kernel=$("$repo/kernel/build.sh" "${bargs[@]}") && [ -s "$kernel" ] ||
        { log "no guest kernel (kernel/build.sh ${bargs[*]} failed)"; exit 2; }
    kdesc="$variant $( [ "$unpatched" = 1 ] && echo unpatched ||
                       { grep -q . "$(dirname "$kernel")/series" 2>/dev/null && echo patched || echo unpatched; } )"
fi
kconfig=$(dirname "$kernel")/config
if [ -z "$mem" ]; then
    mem=256
    [ -f "$kconfig" ] && grep -q '^CONFIG_KASAN=y' "$kconfig" && mem=512
fi

# --- device tree (cached: QEMU's version, the board, the generator) -------------
dtb_board=$board
[ "$board" = virt ] || { [ "$dt" = nor ] || dtb_board=zynq-rom; }
zc702=
[ "$board" = virt ] || zc702=$(dirname "$kernel")/dtbs/zynq-zc702.dtb
dtb_key=$( { qemu-system-arm --version | head -n1; echo "$dtb_board smp=$smp mem=$mem"
             cat "$here/board-dtb.sh"; [ -z "$zc702" ] || cat "$zc702"; } 2>/dev/null |
           sha256sum | cut -c1-16)
dtb=$cache/arm-dtb-$dtb_board-$dtb_key.dtb
if [ ! -s "$dtb" ]; then
    mkdir -p "$cache"
    dargs=(--smp "$smp" --mem "$mem")
    [ -z "$zc702" ] || dargs+=(--zc702 "$zc702")
    "$here/board-dtb.sh" "$dtb_board" "$dtb" "${dargs[@]}" ||
        { log "no device tree for $dtb_board"; exit 2; }
fi

# --- tools --------------------------------------------------------------------------
tools=$("$here/arm-tool.sh" nor-tool oracle-tool) || { log "cannot build the armhf guest tools"; exit 2; }
nor_tool=$(echo "$tools" | sed -n 1p)
oracle_arm=$(echo "$tools" | sed -n 2p)
# the host's static oracle-tool packs the cpio archives
oracle_find_static_tool || { log "no static oracle-tool"; exit 2; }
oracle_static=$(realpath "$oracle_static")

# --- initramfs -------------------------------------------------------------------------
init_script() {
    cat <<EOF
#!/bin/sh
export PATH=/bin
export NOR_MNT=/mnt NOR_RO=/dev/mtd0 NOR_RW=/dev/mtd1 NOR_RW_BLOCK=/dev/mtdblock1
export NOR_BASE=$base NOR_RO_SIZE=$ro_size NOR_RW_OFFSET=$rw_off NOR_RW_SIZE=$rw_size
export NOR_BOARD=$board NOR_DT=$dt NOR_ERASESIZE=$erasesize NOR_RESULT=/dev/$result_tty
EOF
    cat <<'EOF'
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
n=0
while [ ! -c "$NOR_RESULT" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
stty -F "$NOR_RESULT" raw -echo 2>/dev/null
[ -f /nor/env ] && . /nor/env
export NOR_KERNEL
NOR_MOUNTED=0
(
    echo "@@begin"
    echo "@@uptime $(cut -d' ' -f1 /proc/uptime)"
    if [ -f /nor/mount ]; then
        if oracle-tool mount mtd:ro /mnt cramfs; then
            echo "@@mount ok"; NOR_MOUNTED=1
        else
            echo "@@mount failed"
        fi
    else
        echo "@@mount none"
    fi
    export NOR_MOUNTED
    echo "<5>nor-run: init-test start" >/dev/kmsg
    echo "@@test"
    case $(head -c 4 /init-test) in
    '#!'*|"$(printf '\177ELF')") (cd / && /init-test) </dev/null ;;
    *) (cd / && sh /init-test) </dev/null ;;
    esac
    rc=$?
    echo "@@rc $rc"
    echo "<5>nor-run: init-test exit $rc" >/dev/kmsg
    echo "@@uptime $(cut -d' ' -f1 /proc/uptime)"
    echo "@@end"
) >"$NOR_RESULT" 2>&1
sync
oracle-tool reboot
EOF
}

default_guest() {
    cat <<'EOF'
#!/bin/sh
# default guest script of nor-run-arm.sh: what the chip looks like
. /lib/nor.sh
cat /proc/mtd
for d in /dev/mtd0 /dev/mtd1 /dev/mtd2; do nor-tool info $d; done
nor_note "board: $NOR_BOARD ($NOR_DT); kernel: $NOR_KERNEL; cramfs mounted: $NOR_MOUNTED"
[ "$NOR_MOUNTED" = 1 ] && ls -l /mnt
grep -c ^processor /proc/cpuinfo | sed 's/^/cpus /'
nor-tool erase $NOR_RW 0 $NOR_ERASESIZE && nor-tool write $NOR_RW 0 4k 7 && nor-tool verify $NOR_RW 0 4k 7
nor_check $? "erase one block of mtd1, program and verify 4 KiB"
nor_done
EOF
}

# the cached part: busybox, nor-tool, oracle-tool, /lib/nor.sh, /init
base_spec() {
    local st=$1
    printf '%s\n' 'dir /bin 0755' 'dir /lib 0755' 'dir /dev 0755' 'dir /proc 0755' \
        'dir /sys 0755' 'dir /mnt 0755' 'dir /tmp 01777' 'dir /nor 0755' \
        'nod /dev/console 0600 c 5 1' 'nod /dev/null 0666 c 1 3' \
        "file /init 0755 $st/init" "file /bin/busybox 0755 $busybox" \
        "file /bin/nor-tool 0755 $nor_tool" "file /bin/oracle-tool 0755 $oracle_arm" \
        "file /lib/nor.sh 0644 $test_dir/nor-lib.sh"
    # the other applets: linked by /init (busybox --install; the armhf
    # busybox cannot list them on this host)
    echo "slink /bin/sh busybox"
}

build_base_initrd() {
    cached_initrd "$cache" nor-arm-initramfs "$oracle_static" "$busybox" "$nor_tool" \
        "$oracle_arm" "$test_dir/nor-lib.sh" ||
        { log "initramfs build failed"; exit 2; }
}

# $run/initrd: the cached cpio + this run's /init-test, /nor/*, --add files
build_run_initrd() {
    local a h g d mode
    mkdir -p "$run/nor"
    if [ -n "$guest" ]; then cp "$guest" "$run/init-test"; else default_guest >"$run/init-test"; fi
    printf "NOR_KERNEL='%s'\n" "${kdesc//\'/}" >"$run/nor/env"
    [ -z "$image" ] || : >"$run/nor/mount"
    {
        echo "file /init-test 0755 $run/init-test"
        for h in "$run"/nor/*; do echo "file /nor/${h##*/} 0644 $h"; done
        for a in "${adds[@]}"; do
            h=${a%%:/*}; g=/${a#*:/}
            d=$(dirname "$g")
            while [ "$d" != / ]; do echo "dir $d 0755"; d=$(dirname "$d"); done | tac
            mode=$(stat -c %a "$h")
            echo "file $g $mode $(realpath "$h")"
        done
    } >"$run/run.spec"
    { cat "$initrd_base"; "$oracle_static" cpio <"$run/run.spec" | gzip -1; } >"$run/initrd"
}

# --- chip -----------------------------------------------------------------------------
make_chip() {
    local c=$run/chip.img erased=$cache/arm-chip-erased-64m.img
    if [ "$(stat -c %s "$erased" 2>/dev/null)" != $chip_size ]; then
        head -c $chip_size /dev/zero | tr '\0' '\377' >"$erased.tmp.$$"
        mv -f "$erased.tmp.$$" "$erased"
    fi
    cp "$erased" "$c"
    [ -z "$image" ] || dd if="$image" of="$c" conv=notrunc status=none
    [ -z "$rw_image" ] ||
        dd if="$rw_image" of="$c" bs=4096 seek=$((rw_off / 4096)) conv=notrunc status=none
}

# --- run --------------------------------------------------------------------------------
build_base_initrd
run=$(mktemp -d "${TMPDIR:-/tmp}/nor-run-arm.XXXXXX")
trap 'if [ "$keep" = 1 ]; then log "kept $run"; else rm -rf "$run"; fi' EXIT
build_run_initrd
make_chip

kargs="console=$console ignore_loglevel panic=-1 $mtdparts rdinit=/init$append"
qargs=(-accel "${CRAMFS_QEMU_ACCEL:-tcg}" -m "$mem" -nodefaults -no-user-config
       -display none -no-reboot -kernel "$kernel" -initrd "$run/initrd"
       -dtb "$dtb" -append "$kargs")
if [ "$board" = virt ]; then
    # pflash unit 1 (bank 1): a drive on unit 0 would be booted as firmware
    qargs+=(-M virt -cpu cortex-a15 -smp "$smp"
            -drive "if=pflash,format=raw,unit=1,file=$run/chip.img"
            -serial "file:$run/console.log"
            -device virtio-serial-device
            -chardev "file,id=result,path=$run/result.raw"
            -device virtconsole,chardev=result)
else
    # serial 0 is uart0 (ttyPS1 here: the result port), serial 1 uart1
    # (ttyPS0, the console)
    qargs+=(-M xilinx-zynq-a9 -smp 1
            -drive "if=pflash,format=raw,unit=0,file=$run/chip.img"
            -serial "file:$run/result.raw" -serial "file:$run/console.log")
fi
t0=$(date +%s%N)
set +e
timeout -k 5 "$timeout_s" qemu-system-arm "${qargs[@]}" </dev/null >"$run/qemu.log" 2>&1
qemu_rc=$?
set -e
t1=$(date +%s%N)
tr -d '\r' <"$run/result.raw" >"$run/result.txt" 2>/dev/null || : >"$run/result.txt"
tr -d '\r' <"$run/console.log" >"$run/console.txt" 2>/dev/null || : >"$run/console.txt"
[ -z "$chip_out" ] || cp "$run/chip.img" "$chip_out"
[ "$verbose" = 0 ] || cat "$run/console.txt" "$run/qemu.log" >&2

# the guest script's lines (after @@test, up to @@rc), even from a guest
# that did not finish
awk '/^@@test$/ { on = 1; next } /^@@rc / { on = 0 } on' "$run/result.txt"
mount_state=$(sed -n 's/^@@mount //p' "$run/result.txt" | head -n1)
grc=$(sed -n 's/^@@rc //p' "$run/result.txt" | head -n1)
echo "nor-run mount=${mount_state:-?} exit=${grc:--}"
# kernel lines: boot lines about the flash, then all after the marker
awk '/nor-run: init-test start/ { on = 1 }
     on || /mtd|cfi|CFI|physmap|\.flash|NOR chip|visibility of|cramfs|jffs2|Intel\/Sharp|Amd\/Fujitsu|partitions|BUG:|WARNING:|Oops/' \
    "$run/console.txt" | grep -av 'Command line:\|Kernel command line' |
    awk -v max="${CRAMFS_KMSG_MAX:-400}" \
        'NR <= max { print "kmsg " $0 }
         END { if (NR > max) printf "kmsg (%d more kernel messages not shown)\n", NR - max }'
warn_re='BUG:|WARNING:|Oops|general protection|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|blocked for more than|INFO: task|sleeping function called'
warnings=$(grep -acE "$warn_re" "$run/console.txt" || true)
echo "nor-run warnings=$warnings"

up0=$(sed -n 's/^@@uptime //p' "$run/result.txt" | head -n1)
up1=$(sed -n 's/^@@uptime //p' "$run/result.txt" | sed -n 2p)
log "guest run took $(( (t1 - t0) / 1000000 )) ms (board $board${dt:+ dt $dt}, kernel $kdesc, ${mem} MiB, $smp cpus; init-test started at ${up0:-?} s guest uptime, ended at ${up1:-?} s)"
if ! grep -q '^@@end' "$run/result.txt"; then
    if [ $qemu_rc = 124 ] || [ $qemu_rc = 137 ]; then
        log "guest timed out after ${timeout_s}s"
    else
        log "guest ended (qemu exit $qemu_rc) before reporting"
    fi
    tail -n 30 "$run/console.txt" "$run/qemu.log" >&2
    exit 3
fi
[ "$grc" = 0 ] || exit 1
[ "$strict" = 0 ] || [ "$warnings" = 0 ] || { log "--strict: $warnings kernel warning lines"; exit 1; }
exit 0
