#!/bin/bash
# kernel/test/arm/arm-tool.sh NAME...
#
# Prints, one a line, the paths of static armhf builds of the harness's
# guest helpers (arm-linux-gnueabihf-gcc -static, cached in
# $CRAMFS_XIP_CACHE/arm-tool-NAME-KEY/NAME, KEY = sha256 of the source, the
# flags and the cross compiler's version), for the initramfs of
# kernel/test/arm/nor-run-arm.sh (--add) and the cramfs images of tests.
#
# NAME  nor-tool      kernel/test/nor-tool.c
#       oracle-tool   tests/kernel/oracle-tool.c
#       xip-probe     kernel/test/xip-probe.c
#       gup-probe     kernel/test/gup-probe.c
#       status-probe  kernel/test/arm/status-probe.c
#
# Exit: 0 all printed, 1 a build failed, 2 usage error or no cross compiler.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$repo/tests/kernel/common.sh"
cross=${CRAMFS_XIP_ARM_CROSS:-arm-linux-gnueabihf-}
cflags=(-std=gnu11 -O2 -Wall -static)

log() { echo "arm-tool.sh: $*" >&2; }
[ $# -gt 0 ] || { sed -n '2p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2; }
command -v "${cross}gcc" >/dev/null ||
    { log "${cross}gcc not found (packages gcc-arm-linux-gnueabihf, libc6-dev-armhf-cross: scripts/setup)"; exit 2; }
ccver=$("${cross}gcc" --version | head -n1)

for name in "$@"; do
    case $name in
    nor-tool) src=$repo/kernel/test/nor-tool.c ;;
    oracle-tool) src=$repo/tests/kernel/oracle-tool.c ;;
    xip-probe) src=$repo/kernel/test/xip-probe.c ;;
    gup-probe) src=$repo/kernel/test/gup-probe.c ;;
    status-probe) src=$here/status-probe.c ;;
    *) log "unknown tool $name"; exit 2 ;;
    esac
    key=$( { cat "$src"; echo "${cflags[*]} $ccver"; } | sha256sum | cut -c1-16)
    dir=$qemu_cache/arm-tool-$name-$key
    if [ ! -x "$dir/$name" ]; then
        mkdir -p "$dir"
        "${cross}gcc" "${cflags[@]}" -o "$dir/$name.tmp.$$" "$src" >&2 ||
            { rm -f "$dir/$name.tmp.$$"; log "cannot build $name (libc6-dev-armhf-cross has libc.a)"; exit 1; }
        mv -f "$dir/$name.tmp.$$" "$dir/$name"
    fi
    echo "$dir/$name"
done
