# common.sh - sourced by the kernel-suite scripts (bash).
# shellcheck shell=bash disable=SC2034
#
# Cache: $CRAMFS_XIP_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/cramfs-xip/uml
# (oracle-tool builds); the qemu guest kernel and initramfs go to
# $CRAMFS_XIP_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/cramfs-xip.
# oracle-tool: $ORACLE_TOOL when set (meson builds it), else compiled from
# oracle-tool.c beside this file into the cache (once per source version).

kernel_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kernel_cache=${CRAMFS_XIP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cramfs-xip/uml}
qemu_cache=${CRAMFS_XIP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cramfs-xip}
# config fragment of the qemu guest kernel (build-xip-kernel.sh, qemu-xip.sh)
kernel_fragment=$(cd "$kernel_dir/../../kernel/config" 2>/dev/null && pwd)/xip-oracle.config

klog() { echo "${0##*/}: $*" >&2; }

# Sets $oracle_tool to a usable oracle-tool binary; returns 1 if none.
oracle_find_tool() {
    local src=$kernel_dir/oracle-tool.c key dir cc=${CC:-cc}
    if [ -n "${ORACLE_TOOL:-}" ]; then
        oracle_tool=$ORACLE_TOOL
        [ -x "$oracle_tool" ] && return 0
        klog "ORACLE_TOOL=$ORACLE_TOOL is not executable"
        return 1
    fi
    key=$(sha256sum "$src" | cut -c1-16)
    dir=$kernel_cache/tool-$key
    oracle_tool=$dir/oracle-tool
    [ -x "$oracle_tool" ] && return 0
    command -v "$cc" >/dev/null || { klog "no C compiler ($cc) to build oracle-tool"; return 1; }
    mkdir -p "$dir" || return 1
    "$cc" -O2 -Wall -o "$oracle_tool.tmp.$$" "$src" >&2 || return 1
    mv -f "$oracle_tool.tmp.$$" "$oracle_tool"
}

# is_static_elf FILE: an executable ELF file without a program interpreter
is_static_elf() {
    [ -f "$1" ] && [ -x "$1" ] || return 1
    LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q '^ *LOAD' &&
        ! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q '^ *INTERP'
}

# Sets $oracle_static to a statically linked oracle-tool (it runs as a
# process of the qemu guest, which has no libc): $ORACLE_TOOL_STATIC when
# set (meson builds it), else compiled with -static into the cache.
oracle_find_static_tool() {
    local src=$kernel_dir/oracle-tool.c key dir cc=${CC:-cc}
    if [ -n "${ORACLE_TOOL_STATIC:-}" ]; then
        oracle_static=$ORACLE_TOOL_STATIC
        is_static_elf "$oracle_static" && return 0
        klog "ORACLE_TOOL_STATIC=$ORACLE_TOOL_STATIC is not a static executable"
        return 1
    fi
    key=$(sha256sum "$src" | cut -c1-16)
    dir=$kernel_cache/tool-static-$key
    oracle_static=$dir/oracle-tool
    [ -x "$oracle_static" ] && return 0
    command -v "$cc" >/dev/null || { klog "no C compiler ($cc) to build oracle-tool"; return 1; }
    mkdir -p "$dir" || return 1
    "$cc" -std=gnu11 -O2 -Wall -static -o "$oracle_static.tmp.$$" "$src" >&2 ||
        { klog "cannot link oracle-tool statically (libc6-dev has libc.a)"; return 1; }
    mv -f "$oracle_static.tmp.$$" "$oracle_static"
}

# Finds linux.uml and its cramfs.ko (same version); sets uml_bin, uml_ko.
# $CRAMFS_UML overrides /usr/bin/linux.uml.  Returns 1 with a reason in
# $uml_missing when there is none.
uml_find() {
    local bin=${CRAMFS_UML:-/usr/bin/linux.uml} ver root
    uml_missing=
    if [ ! -x "$bin" ]; then
        uml_missing="$bin not found (install the Debian package user-mode-linux: scripts/setup)"
        return 1
    fi
    ver=$("$bin" --version 2>/dev/null | head -n1)
    root=$(cd "$(dirname "$bin")/.." && pwd)
    uml_ko=$root/lib/uml/modules/$ver/kernel/fs/cramfs/cramfs.ko
    if [ -z "$ver" ] || [ ! -f "$uml_ko" ]; then
        uml_missing="no cramfs.ko for $bin (version '${ver:-?}') at $uml_ko"
        return 1
    fi
    uml_bin=$bin
}

# uml_require_runs: skip (77) when UML cannot run a process on this host
# (uml-mount.sh exit 4, see there); one boot with a fixture image
uml_require_runs() {
    local why
    why=$("$here/uml-mount.sh" "$here/../data/cramfs-little.img" 2>&1 >/dev/null)
    [ $? = 4 ] || return 0
    t_skip "$(echo "$why" | sed -n 's/^uml-mount.sh: //p' | head -n 1)"
}

# prefix kernel messages with "kmsg ", at most $CRAMFS_KMSG_MAX (200)
kmsg_cap() {
    awk -v max="${CRAMFS_KMSG_MAX:-200}" \
        'NR <= max { print "kmsg " $0 }
         END { if (NR > max) printf "kmsg (%d more kernel messages not shown)\n", NR - max }'
}

# qemu_xip_require: exit 77 unless the qemu XIP oracle can run here
qemu_xip_require() {
    command -v qemu-system-x86_64 >/dev/null ||
        t_skip "qemu-system-x86_64 not installed (package qemu-system-x86: scripts/setup)"
    ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 ||
        t_skip "linux-source-6.1 not installed (scripts/setup)"
}

# qemu_xip_kernel: build (once) the guest kernel, or fail the test
qemu_xip_kernel() {
    "$here/build-xip-kernel.sh" >/dev/null 2>"$T/kbuild.err" && return 0
    t_fail "build-xip-kernel.sh failed"
    tail -n 30 "$T/kbuild.err"
    t_done
}

# cached_initrd DIR PREFIX FILE...: sets $initrd_base to DIR/PREFIX-KEY.cpio.gz,
# the caller's init_script (as /init) and base_spec (cpio spec of a staging
# directory) packed by $oracle_static, built once; KEY hashes the init
# script and the contents of FILE....  Returns 1 if it could not be built.
cached_initrd() {
    local dir=$1 prefix=$2 key st
    shift 2
    key=$( { init_script; sha256sum "$@" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
    initrd_base=$dir/$prefix-$key.cpio.gz
    [ -s "$initrd_base" ] && return 0
    st=$(mktemp -d "${TMPDIR:-/tmp}/$prefix.XXXXXX")
    init_script >"$st/init"
    base_spec "$st" >"$st/spec"
    mkdir -p "$dir"
    if "$oracle_static" cpio <"$st/spec" | gzip -9 >"$initrd_base.tmp.$$"; then
        mv -f "$initrd_base.tmp.$$" "$initrd_base"
    fi
    rm -rf "$st" "$initrd_base.tmp.$$"
    [ -s "$initrd_base" ]
}

# --- the v2 tests of the series on the NOR harness (nor-range-busy.sh ...) ---

# nor_require: skip (77) without what a NOR harness guest needs
nor_require() {
    qemu_xip_require
    [ -f /usr/share/seabios/bios-256k.bin ] ||
        t_skip "seabios not installed (scripts/setup)"
    is_static_elf /bin/busybox ||
        t_skip "no static /bin/busybox (package busybox-static: scripts/setup)"
}

# nor_kernel VARIANT: sets nor_kernel_args for nor-run.sh: the patched
# VARIANT kernel (built here, cached), or NOR_TEST_BZIMAGE=PATH (another
# kernel: to show that a test fails on v1 of the series)
nor_kernel() {
    if [ -n "${NOR_TEST_BZIMAGE:-}" ]; then
        nor_kernel_args=(--bzimage "$NOR_TEST_BZIMAGE")
        return 0
    fi
    nor_kernel_args=(--kernel "$1")
    "$repo_dir/kernel/build.sh" "$1" >"$T/kbuild.out" 2>"$T/kbuild.err" && return 0
    t_fail "kernel/build.sh $1 failed"
    tail -n 30 "$T/kbuild.err"
    t_done
}

# nor_guest NAME PREFIXES NOR-RUN-ARGS...: one guest run (--strict, the
# kernel of nor_kernel), its verdict as a check; prints the guest's
# ok/FAIL/# lines and those starting with one of PREFIXES (a regex
# alternation); on failure, the kernel's warnings and the run's last lines
nor_guest() {
    local name=$1 prefixes=$2 rc
    shift 2
    "$repo_dir/kernel/test/nor-run.sh" "${nor_kernel_args[@]}" --strict \
        --timeout "${NOR_RUN_TIMEOUT:-300}" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    grep -E "^(ok|FAIL|#|$prefixes)" "$T/$name.out" | sed 's/^/  guest: /'
    t_check $rc "guest: every step as expected (nor-run exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/$name.err"))"
    [ $rc = 0 ] && return 0
    grep -E '^kmsg .*(BUG|WARNING|Oops|lockdep|KASAN|blocked for)' "$T/$name.out" | head -n 20
    tail -n 10 "$T/$name.err"
    return 1
}

# --- the ARM boards (kernel/test/arm/nor-run-arm.sh: virt, xilinx-zynq-a9) ---

# arm_require: skip (77) without what an ARM board guest needs
arm_require() {
    command -v qemu-system-arm >/dev/null ||
        t_skip "qemu-system-arm not installed (package qemu-system-arm: scripts/setup)"
    command -v arm-linux-gnueabihf-gcc >/dev/null ||
        t_skip "arm-linux-gnueabihf-gcc not installed (package gcc-arm-linux-gnueabihf: scripts/setup)"
    [ -e /usr/arm-linux-gnueabihf/lib/libc.a ] ||
        t_skip "no armhf libc.a (package libc6-dev-armhf-cross: scripts/setup)"
    command -v fdtput >/dev/null ||
        t_skip "fdtput not installed (package device-tree-compiler: scripts/setup)"
    ls /usr/src/linux-source-6.1.tar.* >/dev/null 2>&1 ||
        t_skip "linux-source-6.1 not installed (scripts/setup)"
    arm_busybox=${NOR_ARM_BUSYBOX:-/usr/local/lib/cramfs-xip/armhf/bin/busybox}
    is_static_elf "$arm_busybox" ||
        t_skip "no static armhf busybox at $arm_busybox (scripts/setup unpacks busybox-static:armhf there)"
}

# arm_kernel VARIANT [--unpatched]: build (once, cached) the ARM kernel, or
# fail the test
arm_kernel() {
    "$repo_dir/kernel/build.sh" "$@" >"$T/kbuild.out" 2>"$T/kbuild.err" && return 0
    t_fail "kernel/build.sh $* failed"
    tail -n 30 "$T/kbuild.err"
    t_done
}

# arm_stress_image IMG: the image of guest-stress.sh for the ARM boards:
# the static armhf busybox and xip-probe (cross-compiled) executed in
# place, a compressed text file and a whole-file XIP data file, their
# checksums (/etc/sums, /etc/numbers.sha256), built by our builder with
# --xip; the files hold no run of SR_READY bytes, so any a guest reads
# through a mapping is the chip's status register.  Sets $arm_probe_host
# (the host's build of xip-probe).  Fails the test on error.
arm_stress_image() {
    local img=$1 src=$T/stress-src probe f
    probe=$("$repo_dir/kernel/test/arm/arm-tool.sh" xip-probe 2>"$T/tool.err") ||
        { t_fail "arm-tool.sh xip-probe"; cat "$T/tool.err"; t_done; }
    arm_probe_host=$T/xip-probe-host
    gcc -O2 -o "$arm_probe_host" "$repo_dir/kernel/test/xip-probe.c" ||
        { t_fail "cannot build xip-probe for the host"; t_done; }
    mkdir -p "$src/bin" "$src/share" "$src/etc"
    cp "$arm_busybox" "$src/bin/busybox"
    cp "$probe" "$src/bin/xip-probe"
    seq 1 30000 >"$src/share/numbers.txt"
    head -c 200000 /dev/urandom >"$src/share/xip.bin"
    (cd "$src" && sha256sum share/numbers.txt | sed 's| share/| /mnt/share/|' >etc/numbers.sha256)
    for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
        "$arm_probe_host" sum "$src/$f" | sed "s| $src/| /mnt/|"
    done >"$src/etc/sums"
    for f in bin/busybox bin/xip-probe share/numbers.txt share/xip.bin; do
        "$arm_probe_host" status "$src/$f"
    done | grep -v '^status_blocks=0 ' && { t_fail "the image files hold SR_READY blocks"; t_done; }
    rc_run build 0 "cramfs build --xip (stress image, armhf)" "$CRAMFS" build --xip \
        --xip-files share/xip.bin --max-size 4M -o "$img" "$src" || t_done
}

# arm_stress_run BOARD NAME EXPECT STRICT APPEND NOR-RUN-ARGS...: one
# guest-stress.sh run on BOARD (kernel/test/arm/nor-run-arm.sh), its
# verdict and summary lines as test lines; output in $T/NAME.out.
# APPEND: stress.* and kernel parameters after the partitions of
# $arm_stress_parts.
arm_stress_run() {
    local board=$1 name=$2 expect=$3 strict=$4 append=$5 rc
    shift 5
    t_note "$name: expect $expect, $append"
    "$repo_dir/kernel/test/arm/nor-run-arm.sh" --board "$board" "$@" $strict \
        --image "$T/stress.img" --guest "$repo_dir/kernel/test/guest-stress.sh" \
        --timeout "${NOR_STRESS_TIMEOUT:-900}" \
        --append "$arm_stress_parts stress.expect=$expect $append" \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    grep -E '^(ok|FAIL):' "$T/$name.out" | sed "s/^\(ok\|FAIL\): /\1: $name: /"
    grep -E '^stress (summary|raw|writers|stall|text-pages|revoke|verify|busybox)' "$T/$name.out" |
        sed "s/^/# $name: /"
    t_check $rc "$name: guest verdict (nor-run-arm.sh exit $rc; $(grep -o 'guest run took [0-9]* ms' "$T/$name.err"))"
    [ $rc = 0 ] || {
        grep -E 'kmsg .*(BUG|WARNING|lockdep|KASAN|hung|Oops)' "$T/$name.out" | head -n 20
        tail -n 5 "$T/$name.err"
    }
    return $rc
}
