#!/bin/bash
# qemu-xip.sh [--no-scan] [--run CMD]... [--exec-xip 'PATH ARG...']... IMAGE
#
# Mounts a cramfs image with the real Linux cramfs driver from a
# memory-mapped MTD device (the CRAMFS_MTD path, the one that can execute in
# place) in a small x86_64 qemu guest, and reports what the kernel shows of
# the image and which pages of its files are mapped directly from it.
#
# How: qemu's generic loader writes IMAGE into guest RAM at the physmap
# window (0x10000000, 256 MiB: CONFIG_MTD_PHYSMAP_START/LEN of
# kernel/config/xip-oracle.config); the kernel command line reserves that
# RAM (memmap=LEN$BASE), so the physmap compat driver (map_rom) turns it
# into MTD "physmap-flash.0" whose point() gives physical addresses, which
# cramfs needs for XIP.  The image is never copied inside the guest.  The
# guest's init mounts mtd:physmap-flash.0 on /mnt, runs the oracle-tool
# probes, then the --run/--exec-xip probes in command-line order, and
# dumps the kernel log (cramfs pr_debug lines on: dyndbg).
#
# stdout, in this order (formats: tests/kernel/README.md):
#   manifest lines              as uml-mount.sh / host-manifest.sh
#   xip PATH yes|no             per regular file (whole-file mmap)
#   xipinfo PATH kind=... vmflags=... pgoff=0x... size=N content=...
#   xippages PATH whole ...     per non-empty regular file, per page, then
#   xipseg PATH I ...           per PT_LOAD segment I of an ELF file
#   execmap/exec/execout lines  per --exec-xip
#   run N exit=E, runout N LINE per --run (N counts from 1)
#   kmsg LINE                   kernel messages about cramfs/mtd/physmap,
#                               I/O errors, BUG/Oops/WARNING (max 200)
# exit: 0 mounted (look for ERROR: in the lines), 1 mount refused (reason
#       in kmsg and stderr), 2 usage/setup error, 3 guest timed out or died
#       before reporting.
#
# --no-scan          skip the manifest and xip probes: nothing reads the
#                    files before the --run/--exec-xip probes (page-cache
#                    measurements, bench/xip)
# --run CMD          run CMD with the guest's /bin/sh (busybox) in /mnt,
#                    stdout+stderr captured, stdin /dev/null
# --exec-xip 'PATH ARG...'  start PATH (blank-separated words, no quoting)
#                    in /mnt, after ~0.5 s read /proc/PID/smaps + pagemap
#                    for its mappings of PATH, wait for it (oracle-tool
#                    execmap)
#
# Env: CRAMFS_QEMU_TIMEOUT  seconds for the whole guest run (default 120)
#      CRAMFS_QEMU_ACCEL    qemu accelerator (default tcg: KVM hangs the
#                           guest on the nested VMs this was written on)
#      CRAMFS_QEMU_KEEP=1   keep the run directory (printed on stderr)
#      CRAMFS_QEMU_VERBOSE=1  copy the guest console to stderr
#      ORACLE_TOOL_STATIC   prebuilt static oracle-tool (else built)
#      CRAMFS_XIP_CACHE     cache (kernel, initramfs); see common.sh
# Needs qemu-system-x86, busybox-static, linux-source-6.1 and the kernel
# build packages (scripts/setup); nothing is downloaded.  ~2 s per run once
# the kernel is cached (first run: ~2.5 min kernel build).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    echo "usage: $0 [--no-scan] [--run CMD]... [--exec-xip 'PATH ARG...']... IMAGE" >&2
    exit 2
}

# --- arguments -> $image, $probes (lines "run TEXT" / "exec WORDS") -------
image=
probes=()
no_scan=0
parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
        --run) [ $# -ge 2 ] || usage; probes+=("run $2"); shift 2 ;;
        --exec-xip) [ $# -ge 2 ] && [ -n "$2" ] || usage; probes+=("exec $2"); shift 2 ;;
        --no-scan) no_scan=1; shift ;;
        -h|--help) usage ;;
        -*) klog "unknown option $1"; usage ;;
        *) [ -z "$image" ] || usage; image=$1; shift ;;
        esac
    done
    [ -n "$image" ] || usage
}

# window_config NAME: a CONFIG_MTD_PHYSMAP_ value of the kernel fragment
window_config() {
    sed -n "s/^CONFIG_MTD_PHYSMAP_$1=//p" "$kernel_fragment"
}

check_image() {
    local size
    [ -f "$image" ] && [ -r "$image" ] || { klog "cannot read $image"; exit 2; }
    image=$(realpath "$image")
    size=$(stat -c %s "$image")
    if [ "$size" -eq 0 ] || [ "$size" -gt $((win_len)) ]; then
        klog "image is $size bytes; the MTD window holds 1..$((win_len))"; exit 2
    fi
}

# --- initramfs ---------------------------------------------------------------

# PID 1 of the guest (busybox sh).  Everything the host parses goes to the
# second serial port, in sections opened by "@@NAME" lines; probe output
# lines never start with "@@" (they carry a prefix).
init_script() {
    cat <<EOF
#!/bin/sh
export PATH=/bin
T=/bin/oracle-tool
BASE=$win_base
LEN=$win_len
EOF
    cat <<'EOF'
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
stty -F /dev/ttyS1 raw -echo 2>/dev/null

# the --run/--exec-xip probes of this run (the second cpio of the initrd)
probes() {
    [ -f /probe/list ] || return 0
    while read -r kind n; do
        case $kind in
        run)
            (cd /mnt && /bin/sh /probe/run.$n) </dev/null >/tmp/run.out 2>&1
            echo "run $n exit=$?"
            awk -v n="$n" '{ print "runout " n " " $0 }' /tmp/run.out ;;
        exec)
            set --
            while IFS= read -r a; do set -- "$@" "$a"; done </probe/exec.$n
            (cd /mnt && $T execmap $BASE $LEN "$@") </dev/null ;;
        esac
    done </probe/list
}

(
    echo "@@begin"
    echo "@@procmtd"; cat /proc/mtd
    echo "@@mount"
    if $T mount mtd:physmap-flash.0 /mnt cramfs; then
        echo "@@mounted"
        if [ ! -f /probe/no-scan ]; then
            echo "@@manifest"; $T manifest /mnt; echo "@@manifest-rc $?"
            echo "@@xip"; $T xip /mnt
            echo "@@xippages"; $T xippages $BASE $LEN /mnt
        fi
        echo "@@probes"; probes
    else
        echo "@@mount-failed"
    fi
    echo "@@dmesg"; $T dmesg
    echo "@@end"
) >/dev/ttyS1 2>&1
sync
$T reboot
EOF
}

# cpio spec of the cached part: busybox with a link per applet (so the
# guest need not run --install), oracle-tool, init
base_spec() {
    local st=$1 applet
    printf '%s\n' 'dir /bin 0755' 'dir /dev 0755' 'dir /proc 0755' 'dir /sys 0755' \
        'dir /mnt 0755' 'dir /tmp 01777' 'nod /dev/console 0600 c 5 1' \
        'nod /dev/null 0666 c 1 3' "file /init 0755 $st/init" \
        "file /bin/busybox 0755 $busybox" "file /bin/oracle-tool 0755 $oracle_static"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || echo "slink /bin/$applet busybox"
    done
}

# Sets $initrd_base: the cached gzip'ed cpio (key: init + tools).
build_base_initrd() {
    cached_initrd "$qemu_cache" qemu-initramfs "$oracle_static" "$busybox" ||
        { klog "initramfs build failed"; exit 2; }
}

# Writes $run/initrd: the cached cpio plus a per-run gzip'ed cpio with
# /probe (the kernel unpacks concatenated archives one after the other).
build_run_initrd() {
    local nrun=0 nexec=0 p kind arg words
    mkdir "$run/probe"
    : >"$run/probe/list"
    [ "$no_scan" = 0 ] || : >"$run/probe/no-scan"
    for p in "${probes[@]}"; do
        kind=${p%% *}; arg=${p#* }
        if [ "$kind" = run ]; then
            nrun=$((nrun + 1))
            echo "run $nrun" >>"$run/probe/list"
            printf '%s\n' "$arg" >"$run/probe/run.$nrun"
        else
            nexec=$((nexec + 1))
            echo "exec $nexec" >>"$run/probe/list"
            # one word per line: the guest rebuilds "$@" from it
            read -ra words <<<"$arg"
            printf '%s\n' "${words[@]}" >"$run/probe/exec.$nexec"
        fi
    done
    {
        echo 'dir /probe 0755'
        for p in "$run"/probe/*; do echo "file /probe/${p##*/} 0644 $p"; done
    } >"$run/probe.spec"
    { cat "$initrd_base"; "$oracle_static" cpio <"$run/probe.spec" | gzip -1; } >"$run/initrd"
}

# --- guest ---------------------------------------------------------------------

run_guest() {
    local append="console=ttyS0 loglevel=4 panic=-1 nokaslr"
    append+=" memmap=$((win_len))\$$win_base dyndbg=\"module cramfs +p\""
    # the loader's file= must not contain commas: use a fixed name
    ln -s "$image" "$run/image.bin"
    set +e
    timeout -k 5 "$timeout_s" qemu-system-x86_64 \
        -accel "${CRAMFS_QEMU_ACCEL:-tcg}" -m "$guest_mb" -smp 1 \
        -nodefaults -no-user-config -display none -no-reboot \
        -kernel "$kernel" -initrd "$run/initrd" -append "$append" \
        -serial "file:$run/console.log" -serial "file:$run/result.raw" \
        -device "loader,file=$run/image.bin,addr=$win_base,force-raw=on" \
        </dev/null >"$run/qemu.log" 2>&1
    qemu_rc=$?
    set -e
    tr -d '\r' <"$run/result.raw" >"$run/result.txt"
}

# section NAME: the lines of "@@NAME" in the guest's report
section() {
    awk -v s="@@$1" '/^@@/ { on = ($1 == s); next } on' "$run/result.txt"
}

report() {
    local rc=1
    if grep -q '^@@mounted' "$run/result.txt"; then
        rc=0
        section manifest
        section xip | grep '^xip ' || true
        section xip | grep '^xipinfo ' || true
        section xippages
        section probes
        [ "$no_scan" = 1 ] || grep -q '^@@manifest-rc 0' "$run/result.txt" ||
            klog "mounted, but some entries could not be read (ERROR: in manifest)"
    else
        section procmtd | sed 's|^|qemu-xip: /proc/mtd: |' >&2
        section mount | sed 's/^/qemu-xip: /' >&2
    fi
    section dmesg |
        grep -aE 'cramfs|mtd|physmap|I/O error|BUG:|Oops|WARNING:|general protection|Call Trace' |
        grep -avE 'Kernel command line|Command line:' | kmsg_cap || true
    return $rc
}

main() {
    parse_args "$@"
    timeout_s=${CRAMFS_QEMU_TIMEOUT:-120}
    win_base=$(window_config START)
    win_len=$(window_config LEN)
    [ -n "$win_base" ] && [ -n "$win_len" ] || { klog "no physmap window in $kernel_fragment"; exit 2; }
    # RAM up to the end of the window plus room above it for the initrd
    guest_mb=$(( (win_base + win_len) / 1048576 + 256 ))
    check_image

    command -v qemu-system-x86_64 >/dev/null ||
        { klog "qemu-system-x86_64 not found (package qemu-system-x86: scripts/setup)"; exit 2; }
    busybox=/bin/busybox
    is_static_elf "$busybox" ||
        { klog "no static $busybox (package busybox-static: scripts/setup)"; exit 2; }
    kernel=$("$kernel_dir/build-xip-kernel.sh") && [ -s "$kernel" ] ||
        { klog "no guest kernel (build-xip-kernel.sh failed)"; exit 2; }
    oracle_find_static_tool || { klog "no static oracle-tool"; exit 2; }
    oracle_static=$(realpath "$oracle_static")
    build_base_initrd

    run=$(mktemp -d "${TMPDIR:-/tmp}/cramfs-qemu.XXXXXX")
    trap 'if [ "${CRAMFS_QEMU_KEEP:-0}" = 1 ]; then klog "kept $run"; else rm -rf "$run"; fi' EXIT
    build_run_initrd

    local t0 t1
    t0=$(date +%s%N)
    run_guest
    t1=$(date +%s%N)
    [ "${CRAMFS_QEMU_VERBOSE:-0}" = 1 ] && cat "$run/console.log" "$run/qemu.log" >&2
    if ! grep -q '^@@end' "$run/result.txt"; then
        if [ $qemu_rc = 124 ] || [ $qemu_rc = 137 ]; then
            klog "guest timed out after ${timeout_s}s"
        else
            klog "guest ended (qemu exit $qemu_rc) before reporting"
        fi
        tail -n 30 "$run/console.log" "$run/qemu.log" >&2
        exit 3
    fi
    local rc=0
    report || rc=$?
    klog "guest run took $(( (t1 - t0) / 1000000 )) ms"
    exit $rc
}

main "$@"
