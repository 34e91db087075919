#!/bin/bash
# kernel/test/nor-run.sh [--board x86|virt|zynq]
#                        [--kernel VARIANT [--unpatched] | --bzimage PATH]
#                        [--image CRAMFS_IMG] [--rw-image IMG] [--guest SCRIPT]
#                        [--add HOSTFILE:GUESTPATH]... [--timeout S]
#                        [--append 'extra cmdline'] [--mem MB] [--smp N]
#                        [--strict] [--chip-out FILE] [--keep] [-v]
#
# Boots a NOR-flash guest (QEMU -M pc, TCG, 2 CPUs) whose only flash is one
# 8 MiB Intel CFI chip (pflash_cfi01 unit 0, at 0xff800000):
#   0x000000  4 MiB     mtd0 "ro"   CRAMFS_IMG (else erased)
#   0x400000  3840 KiB  mtd1 "rw"   IMG of --rw-image (else erased)
#   0x7c0000  256 KiB   mtd2 "bios" SeaBIOS (/usr/share/seabios/bios-256k.bin)
# The guest's /init mounts proc, sysfs, devtmpfs, tmpfs /tmp, debugfs,
# mounts the cramfs of mtd0 read-only on /mnt (with --image), runs the guest
# script (/init-test) with stdout+stderr on the result port, and reboots.
# Guest script interface, output format: kernel/test/README.md.
# --board virt|zynq runs kernel/test/arm/nor-run-arm.sh with the other
# arguments instead (32-bit ARM boards, same interface; see there).
#
# --kernel VARIANT  kernel/build.sh VARIANT (small, lockdep, kasan; built
#                   and cached on first use); default: small.  The series of
#                   kernel/patches is applied unless --unpatched.
# --bzimage PATH    a kernel built elsewhere (its config beside it, if any,
#                   tells KASAN: more memory)
# --guest SCRIPT    the test (shell script run by busybox sh, or a static
#                   executable); default: a smoke test of the chip
# --add H:G         put host file H into the initramfs at G (mode kept)
# --timeout S       seconds for the whole guest run (default 120)
# --append ARGS     more kernel command line (module parameters of built-in
#                   drivers: cfi_cmdset_0001.NAME=V; dyndbg="module cramfs +p")
# --mem MB          guest RAM (default 256, 512 for KASAN kernels)
# --strict          exit 1 also when the kernel log has a warning (BUG:,
#                   WARNING:, lockdep, KASAN, hung task, Oops, panic)
# --chip-out FILE   save the chip image after the run
# --keep            keep the run directory (path on stderr)
# -v                copy the guest console to stderr
#
# stdout: the guest script's lines as it wrote them, then
#   nor-run mount=ok|failed|none exit=N
#   kmsg LINE       (boot lines about mtd/cfi/physmap/cramfs/jffs2, then every
#                    kernel line after the guest script started; at most
#                    $CRAMFS_KMSG_MAX = 400)
#   nor-run warnings=N
# exit: 0 guest script exited 0, 1 it failed (or --strict and warnings),
#       2 usage/setup error, 3 guest timed out or died before reporting.
# Env: NOR_TOOL (prebuilt static nor-tool), ORACLE_TOOL_STATIC,
#      CRAMFS_XIP_CACHE, CRAMFS_QEMU_ACCEL (default tcg: never kvm here)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# --board virt|zynq: the ARM boards, kernel/test/arm/nor-run-arm.sh (same
# guest interface and output); --board x86 (the default): this script
board=x86 args=()
while [ $# -gt 0 ]; do
    if [ "$1" = --board ] && [ $# -ge 2 ]; then board=$2; shift 2; else args+=("$1"); shift; fi
done
case $board in
x86) set -- "${args[@]}" ;;
*) exec "$here/arm/nor-run-arm.sh" --board "$board" "${args[@]}" ;;
esac
repo=$(cd "$here/../.." && pwd)
. "$repo/tests/kernel/common.sh"
cache=$qemu_cache
chip_size=$((8 << 20))
ro_size=$((4 << 20))
rw_off=$ro_size
rw_size=$((3840 << 10))
bios_size=$((256 << 10))
bios=${NOR_BIOS:-/usr/share/seabios/bios-256k.bin}
mtdparts="mtdparts=physmap-flash.0:4M(ro),3840k(rw),256k(bios)ro"

log() { echo "nor-run.sh: $*" >&2; }
usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

variant=small unpatched=0 bzimage='' image='' rw_image='' guest='' timeout_s=120
append='' mem='' smp=2 strict=0 chip_out='' keep=0 verbose=0
adds=()
while [ $# -gt 0 ]; do
    case $1 in
    --kernel) [ $# -ge 2 ] || usage; variant=$2; shift 2 ;;
    --unpatched) unpatched=1; shift ;;
    --bzimage) [ $# -ge 2 ] || usage; bzimage=$2; shift 2 ;;
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

# --- checks -------------------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null ||
    { log "qemu-system-x86_64 not found (package qemu-system-x86: scripts/setup)"; exit 2; }
[ -f "$bios" ] && [ "$(stat -c %s "$bios")" = $bios_size ] ||
    { log "no 256 KiB SeaBIOS at $bios (package seabios: scripts/setup)"; exit 2; }
busybox=/bin/busybox
is_static_elf "$busybox" ||
    { log "no static $busybox (package busybox-static: scripts/setup)"; exit 2; }
check_file() { # WHAT FILE MAX
    [ -f "$2" ] && [ -r "$2" ] || { log "$1: cannot read $2"; exit 2; }
    [ "$(stat -c %s "$2")" -le "$3" ] || { log "$1: $2 is larger than $3 bytes"; exit 2; }
}
[ -z "$image" ] || check_file --image "$image" $ro_size
[ -z "$rw_image" ] || check_file --rw-image "$rw_image" $rw_size
[ -z "$guest" ] || check_file --guest "$guest" $((64 << 20))
for a in "${adds[@]}"; do check_file --add "${a%%:/*}" $((64 << 20)); done

# --- kernel ---------------------------------------------------------------------
if [ -n "$bzimage" ]; then
    [ -s "$bzimage" ] || { log "no kernel at $bzimage"; exit 2; }
    kernel=$(realpath "$bzimage")
    kdesc="bzimage:$kernel"
else
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

# --- tools --------------------------------------------------------------------------
find_nor_tool() {
    local src=$here/nor-tool.c key dir
    if [ -n "${NOR_TOOL:-}" ]; then
        nor_tool=$NOR_TOOL
        is_static_elf "$nor_tool" && return 0
        log "NOR_TOOL=$NOR_TOOL is not a static executable"; return 1
    fi
    key=$(sha256sum "$src" | cut -c1-16)
    dir=$cache/nor-tool-$key
    nor_tool=$dir/nor-tool
    [ -x "$nor_tool" ] && return 0
    mkdir -p "$dir"
    "${CC:-cc}" -std=gnu11 -O2 -Wall -static -o "$nor_tool.tmp.$$" "$src" >&2 ||
        { log "cannot build nor-tool statically (libc6-dev has libc.a)"; return 1; }
    mv -f "$nor_tool.tmp.$$" "$nor_tool"
}
find_nor_tool || exit 2
nor_tool=$(realpath "$nor_tool")
oracle_find_static_tool || { log "no static oracle-tool"; exit 2; }
oracle_static=$(realpath "$oracle_static")

# --- initramfs -------------------------------------------------------------------------
init_script() {
    cat <<EOF
#!/bin/sh
export PATH=/bin
export NOR_MNT=/mnt NOR_RO=/dev/mtd0 NOR_RW=/dev/mtd1 NOR_RW_BLOCK=/dev/mtdblock1
export NOR_BASE=0xff800000 NOR_RO_SIZE=$ro_size NOR_RW_OFFSET=$rw_off NOR_RW_SIZE=$rw_size
EOF
    cat <<'EOF'
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
stty -F /dev/ttyS1 raw -echo 2>/dev/null
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
) >/dev/ttyS1 2>&1
sync
oracle-tool reboot
EOF
}

default_guest() {
    cat <<'EOF'
#!/bin/sh
# default guest script of nor-run.sh: what the chip looks like
. /lib/nor.sh
cat /proc/mtd
for d in /dev/mtd0 /dev/mtd1 /dev/mtd2; do nor-tool info $d; done
nor_note "kernel: $NOR_KERNEL; cramfs mounted: $NOR_MOUNTED"
[ "$NOR_MOUNTED" = 1 ] && ls -l /mnt
grep -c ^processor /proc/cpuinfo | sed 's/^/cpus /'
nor-tool erase $NOR_RW 0 64k && nor-tool write $NOR_RW 0 64k 7 && nor-tool verify $NOR_RW 0 64k 7
nor_check $? "erase, program and verify 64 KiB of mtd1"
nor_done
EOF
}

# the cached part: busybox (a link per applet), nor-tool, oracle-tool,
# /lib/nor.sh, /init
base_spec() {
    local st=$1 applet
    printf '%s\n' 'dir /bin 0755' 'dir /lib 0755' 'dir /dev 0755' 'dir /proc 0755' \
        'dir /sys 0755' 'dir /mnt 0755' 'dir /tmp 01777' 'dir /nor 0755' \
        'nod /dev/console 0600 c 5 1' 'nod /dev/null 0666 c 1 3' \
        "file /init 0755 $st/init" "file /bin/busybox 0755 $busybox" \
        "file /bin/nor-tool 0755 $nor_tool" "file /bin/oracle-tool 0755 $oracle_static" \
        "file /lib/nor.sh 0644 $here/nor-lib.sh"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || echo "slink /bin/$applet busybox"
    done
}

build_base_initrd() {
    cached_initrd "$cache" nor-initramfs "$oracle_static" "$busybox" "$nor_tool" "$here/nor-lib.sh" ||
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
    local c=$run/chip.img
    head -c $chip_size /dev/zero | tr '\0' '\377' >"$c"
    [ -z "$image" ] || dd if="$image" of="$c" conv=notrunc status=none
    [ -z "$rw_image" ] ||
        dd if="$rw_image" of="$c" bs=4096 seek=$((rw_off / 4096)) conv=notrunc status=none
    dd if="$bios" of="$c" bs=4096 seek=$(((chip_size - bios_size) / 4096)) conv=notrunc status=none
}

# --- run --------------------------------------------------------------------------------
build_base_initrd
run=$(mktemp -d "${TMPDIR:-/tmp}/nor-run.XXXXXX")
trap 'if [ "$keep" = 1 ]; then log "kept $run"; else rm -rf "$run"; fi' EXIT
build_run_initrd
make_chip

# one CPU per socket: SeaBIOS lists only the first logical CPU of each
# package in its MP table, and the kernel has no ACPI (QEMU 7.2's default
# topology for -smp 2 is one socket with 2 cores: the guest would see 1 CPU)
# The guest clock: TCG's guest TSC is the host's TSC (synchronised across
# vCPUs, the host's rate), but the guest's boot-time checks mark it unstable
# (sync check; calibration against the emulated PIT fails on a busy host:
# no HPET/ACPI PM timer without ACPI) and the clock falls back to jiffies,
# 4 ms steps.  So: tsc=reliable and the host's rate, measured here.
tsc_khz=$("$nor_tool" tsc-khz 2>/dev/null || true)
kargs="console=ttyS0 ignore_loglevel panic=-1 nokaslr tsc=reliable"
[ -z "$tsc_khz" ] || kargs+=" tsc_early_khz=$tsc_khz"
kargs+=" $mtdparts rdinit=/init$append"
t0=$(date +%s%N)
set +e
timeout -k 5 "$timeout_s" qemu-system-x86_64 -M pc -accel "${CRAMFS_QEMU_ACCEL:-tcg}" \
    -smp "$smp,sockets=$smp,cores=1,threads=1" -m "$mem" -nodefaults -no-user-config -display none -no-reboot \
    -drive "if=pflash,format=raw,unit=0,file=$run/chip.img" \
    -kernel "$kernel" -initrd "$run/initrd" -append "$kargs" \
    -serial "file:$run/console.log" -serial "file:$run/result.raw" \
    </dev/null >"$run/qemu.log" 2>&1
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
     on || /mtd|cfi|CFI|physmap|cramfs|jffs2|Intel\/Sharp|partitions|BUG:|WARNING:|Oops/' \
    "$run/console.txt" | grep -av 'Command line:\|Kernel command line' |
    awk -v max="${CRAMFS_KMSG_MAX:-400}" \
        'NR <= max { print "kmsg " $0 }
         END { if (NR > max) printf "kmsg (%d more kernel messages not shown)\n", NR - max }'
warn_re='BUG:|WARNING:|Oops|general protection|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|blocked for more than|INFO: task|sleeping function called'
warnings=$(grep -acE "$warn_re" "$run/console.txt" || true)
echo "nor-run warnings=$warnings"

up0=$(sed -n 's/^@@uptime //p' "$run/result.txt" | head -n1)
log "guest run took $(( (t1 - t0) / 1000000 )) ms (kernel $kdesc, ${mem} MiB, $smp cpus; init-test started at ${up0:-?} s guest uptime)"
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
