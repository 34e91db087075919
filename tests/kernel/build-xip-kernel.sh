#!/bin/bash
# build-xip-kernel.sh - build (once) the small x86_64 guest kernel of
# qemu-xip.sh and print the path of its bzImage on stdout.
#
# Source: Debian's linux-source-6.1 (the tarball under /usr/src; never
# downloaded: scripts/setup installs the package).  Config: `make
# tinyconfig` + kernel/config/xip-oracle.config + `make olddefconfig`; every
# option of the fragment is checked afterwards.
#
# Result: $CACHE/kernel-oracle-<key>/{bzImage,config,fragment.config,BUILD-INFO}
# with CACHE = $CRAMFS_XIP_CACHE or ~/.cache/cramfs-xip and <key> = sha256
# of fragment + recipe number + package version.  A cached kernel is printed
# at once; concurrent callers wait on a lock and the first one builds.
# The build tree is removed afterwards (CRAMFS_XIP_KEEP_BUILD=1 keeps it).
#
# Env: CRAMFS_XIP_JOBS (default nproc).
# exit: 0 ok, 1 build failed (log tail on stderr), 2 missing packages/files.
# A clean build takes ~3 minutes on 2 cores.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Bump when the recipe below changes in a way that changes the kernel.
recipe=1
jobs=${CRAMFS_XIP_JOBS:-$(nproc)}

# check_deps: sets $pkgver and $tarball, or exits 2 naming what is missing.
check_deps() {
    local missing=() t
    pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
    [ -n "$pkgver" ] || missing+=(linux-source-6.1)
    for t in gcc make flex bison bc perl xz; do
        command -v "$t" >/dev/null || missing+=("$t")
    done
    [ -e /usr/include/libelf.h ] || missing+=(libelf-dev)
    [ -e /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        klog "missing: ${missing[*]} (scripts/setup installs them)"; exit 2
    fi
    tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
    [ -n "$tarball" ] || { klog "no /usr/src/linux-source-6.1.tar.*"; exit 2; }
    [ -f "$kernel_fragment" ] || { klog "no $kernel_fragment"; exit 2; }
}

# verify_config: every line of the fragment must be in .config as written.
verify_config() {
    local line opt bad=0
    while IFS= read -r line; do
        case $line in
        CONFIG_*=*)
            grep -qxF -- "$line" .config && continue
            klog "config lost: $line (have: $(grep "^${line%%=*}=" .config || echo unset))"
            bad=1 ;;
        "# CONFIG_"*" is not set")
            opt=${line#\# }; opt=${opt%% *}
            grep -q "^$opt=" .config || continue
            klog "config should be unset: $opt"; bad=1 ;;
        esac
    done <"$kernel_fragment"
    return $bad
}

# build SRC_TREE_PARENT OUT: configure, build and copy the results to OUT.
build() {
    local bdir=$1 out=$2 src log=$1/build.log t0=$SECONDS
    klog "extracting $tarball (linux-source-6.1 $pkgver)"
    # (called under `if`, so errexit is off here: check every step)
    tar -C "$bdir" -xf "$tarball" || return 1
    src=$(ls -d "$bdir"/linux-source-6.1*/ | head -n1)
    cd "$src" || return 1
    klog "configuring: tinyconfig + ${kernel_fragment##*/}"
    if ! { make ARCH=x86_64 tinyconfig &&
           scripts/kconfig/merge_config.sh -m .config "$kernel_fragment" &&
           make ARCH=x86_64 olddefconfig; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2; return 1
    fi
    verify_config || return 1
    klog "make -j$jobs bzImage (log: $log)"
    make ARCH=x86_64 -j"$jobs" bzImage >>"$log" 2>&1 || { tail -n 40 "$log" >&2; return 1; }
    rm -rf "$out.tmp"; mkdir -p "$out.tmp" &&
    cp arch/x86/boot/bzImage "$out.tmp/" &&
    cp .config "$out.tmp/config" &&
    cp "$kernel_fragment" "$out.tmp/fragment.config" || return 1
    echo "linux-source-6.1 $pkgver recipe $recipe: built in $((SECONDS - t0))s" \
         "with -j$jobs on $(nproc) cpus" >"$out.tmp/BUILD-INFO"
    rm -rf "$out"; mv "$out.tmp" "$out" || return 1
    cd /
    klog "built in $((SECONDS - t0))s: $out/bzImage"
}

check_deps
key=$( { cat "$kernel_fragment"; echo "recipe=$recipe linux-source-6.1=$pkgver"; } |
       sha256sum | cut -c1-16)
out=$qemu_cache/kernel-oracle-$key
if [ -s "$out/bzImage" ]; then echo "$out/bzImage"; exit 0; fi

mkdir -p "$qemu_cache"
exec 9>"$qemu_cache/kernel-oracle.lock"
flock 9
# another caller may have built it while we waited for the lock
if [ -s "$out/bzImage" ]; then echo "$out/bzImage"; exit 0; fi

bdir=$qemu_cache/build-$key
rm -rf "$bdir"; mkdir -p "$bdir"
if ! build "$bdir" "$out"; then
    klog "build failed; tree kept in $bdir"; exit 1
fi
[ "${CRAMFS_XIP_KEEP_BUILD:-0}" = 1 ] || rm -rf "$bdir"
echo "$out/bzImage"
