#!/bin/bash
# kernel/dev/bisect-build.sh [DIR]: every prefix of kernel/patches builds.
#
# Hard-links the pristine source of kernel/build.sh's cache into DIR
# (default /tmp/cramfs-xip-bisect; git apply replaces files, so the cache
# stays pristine), configures it as the harness's small patched kernel
# plus both debug options, builds drivers/mtd and fs/cramfs with W=1
# before the series, then after each patch, and prints one line a patch:
# its exit status and the warnings it adds to mainline's.
# exit: 0 every patch built without new warnings, 1 otherwise.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
b=${1:-/tmp/cramfs-xip-bisect}
cache=${CRAMFS_XIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cramfs-xip}
config=$("$here/../build.sh" small --config-only) || exit 1
[ -f "$cache/src-6.1/Makefile" ] || { echo "bisect-build.sh: no $cache/src-6.1 (run kernel/build.sh small)" >&2; exit 1; }
rm -rf "$b"; mkdir -p "$b/o"
cp -al "$cache/src-6.1" "$b/src"
cp "$config" "$b/o/.config"
printf 'CONFIG_CRAMFS_MTD_REVOKE_DEBUG=y\nCONFIG_MTD_CFI_INTELEXT_BUSY_DEBUG=y\n' >>"$b/o/.config"
mk() { make -C "$b/src" O="$b/o" ARCH=x86_64 "$@"; }
warnings() { grep -E "warning:|error:" | sed 's/:[0-9]*:[0-9]*:/:/' | sort -u; }
mk olddefconfig >/dev/null 2>&1 && mk -j"$(nproc)" prepare >/dev/null 2>&1 ||
    { echo "bisect-build.sh: prepare failed" >&2; exit 1; }
mk -j"$(nproc)" W=1 drivers/mtd/ fs/cramfs/ 2>&1 | warnings >"$b/base.warn"
echo "mainline: $(wc -l <"$b/base.warn") W=1 warnings"
rc=0
for p in "$here"/../patches/[0-9][0-9][0-9][0-9]-*.patch; do
    case ${p##*/} in 0000-*) continue ;; esac
    (cd "$b/src" && git apply -p1 "$p") || { echo "${p##*/}: does not apply"; exit 1; }
    mk olddefconfig >/dev/null 2>&1
    out=$(mk -j"$(nproc)" W=1 drivers/mtd/ fs/cramfs/ 2>&1)
    st=$?
    new=$(echo "$out" | warnings | comm -23 - "$b/base.warn")
    echo "${p##*/}: exit $st, $(echo -n "$new" | grep -c .) new warnings"
    [ -z "$new" ] || echo "$new" | head -n 5 | sed 's/^/    /'
    [ $st = 0 ] && [ -z "$new" ] || rc=1
done
exit $rc
