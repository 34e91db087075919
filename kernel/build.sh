#!/bin/bash
# kernel/build.sh VARIANT [--unpatched] [--config-only] [-j N]
#
# Builds (once, cached) an x86_64 guest kernel of the NOR harness
# (kernel/test/nor-run.sh) from Debian's linux-source-6.1 and prints the
# path of its bzImage on stdout; for an arm-* VARIANT a 32-bit ARM (ARMv7)
# kernel of the ARM boards (kernel/test/arm/nor-run-arm.sh) and the path of
# its zImage (the boards' DTBs beside it, in dtbs/).
#
# VARIANT   small    tinyconfig + kernel/config/nor-small.config
#           lockdep  ... + kernel/config/nor-lockdep.config
#           kasan    ... + kernel/config/nor-kasan.config
#           (any NAME with a kernel/config/nor-NAME.config: small + it)
#           arm-small  ARCH=arm tinyconfig + kernel/config/arm-small.config
#                   (virt and xilinx-zynq-a9; arm-linux-gnueabihf-gcc)
#           arm-NAME   ... + kernel/config/arm-NAME.config (arm-debug)
#           Patched builds add kernel/config/nor-series.config (options the
#           series itself adds; NOR_SERIES_CONFIG= (empty) leaves it out, for
#           a series without those options, e.g. an older one), patched
#           arm-* builds also kernel/config/arm-series.config.
# --unpatched   never apply kernel/patches (mainline 6.1 as Debian ships it)
#           Without it the series kernel/patches/NNNN-*.patch (all but
#           0000-cover-letter.patch, in name order) is applied; when there is
#           no patch yet the result is the unpatched kernel (same cache entry).
# --config-only configure the build directory and print its .config path
# -j N      make jobs (default $CRAMFS_XIP_JOBS, else nproc)
#
# Cache ($CRAMFS_XIP_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/cramfs-xip):
#   src-6.1/                pristine source, extracted once, only read
#   src-6.1-patched/        one patched copy, updated in place when the
#                           series changes (only the files the old and new
#                           series touch are reset and re-patched; files
#                           whose content ends up unchanged keep their
#                           mtime), so builds after a patch change are
#                           incremental
#   nor-build/VARIANT-unpatched/, nor-build/VARIANT-patched/
#                           make O= build directories, kept (vmlinux for
#                           decoding traces: scripts/faddr2line there)
#   nor-kernel-VARIANT-KEY/{bzImage,config,System.map,series,BUILD-INFO}
#                           KEY = sha256 of the fragments, the names and
#                           contents of the applied patches, the recipe
#                           number, the package version and gcc's version
#                           (arm-*: zImage and dtbs/zynq-zc702.dtb instead
#                           of bzImage; the key also has the ARM recipe
#                           number and the cross compiler's version)
#   nor-build.lock          one build at a time (flock; callers wait)
# The series is snapshotted at the start (patches being edited meanwhile do
# not mix into one build).
#
# exit: 0 ok, 1 patch or build failure (log tail on stderr), 2 usage error
#       or missing packages.
set -euo pipefail

recipe=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config_dir=$here/config
patches_dir=${NOR_PATCHES_DIR:-$here/patches}
cache=${CRAMFS_XIP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cramfs-xip}
jobs=${CRAMFS_XIP_JOBS:-$(nproc)}
pristine=$cache/src-6.1
patched=$cache/src-6.1-patched

log() { echo "build.sh: $*" >&2; }
usage() {
    echo "usage: kernel/build.sh small|lockdep|kasan|arm-small|arm-debug [--unpatched] [--config-only] [-j N]" >&2
    exit 2
}

variant=
unpatched=0
config_only=0
while [ $# -gt 0 ]; do
    case $1 in
    --unpatched) unpatched=1; shift ;;
    --config-only) config_only=1; shift ;;
    -j) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) [ -z "$variant" ] || usage; variant=$1; shift ;;
    esac
done
[ -n "$variant" ] || usage
case $variant in *[!a-z0-9_-]*) log "bad variant name $variant"; usage ;; esac
# the architecture: x86_64 (bzImage), or 32-bit ARM for arm-* variants
# (zImage + the DTBs of the boards; kernel/test/arm/)
case $variant in
arm-*)
    arch=arm
    cross=${CRAMFS_XIP_ARM_CROSS:-arm-linux-gnueabihf-}
    image_name=zImage
    image_path=arch/arm/boot/zImage
    dtbs=(zynq-zc702.dtb)
    fragments=("$config_dir/arm-small.config")
    [ "$variant" = arm-small ] || fragments+=("$config_dir/$variant.config")
    ;;
*)
    arch=x86_64
    cross=
    image_name=bzImage
    image_path=arch/x86/boot/bzImage
    dtbs=()
    fragments=("$config_dir/nor-small.config")
    [ "$variant" = small ] || fragments+=("$config_dir/nor-$variant.config")
    ;;
esac
for f in "${fragments[@]}"; do
    [ -f "$f" ] || { log "no $f (variants: small lockdep kasan arm-small arm-debug)"; exit 2; }
done

# --- dependencies ------------------------------------------------------------
missing=()
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
[ -n "$pkgver" ] || missing+=(linux-source-6.1)
for t in gcc make flex bison bc perl xz git flock; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[ -e /usr/include/libelf.h ] || missing+=(libelf-dev)
[ -e /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
if [ "$arch" = arm ]; then
    command -v "${cross}gcc" >/dev/null || missing+=(gcc-arm-linux-gnueabihf)
fi
if [ ${#missing[@]} -gt 0 ]; then
    log "missing: ${missing[*]} (scripts/setup installs them)"; exit 2
fi
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || { log "no /usr/src/linux-source-6.1.tar.*"; exit 2; }
gccver=$(gcc --version | head -n1)
# ARM builds: their own recipe number and the cross compiler in the key
# (the x86 keys stay what they were)
arm_recipe=1
archkey=
[ "$arch" = x86_64 ] ||
    archkey=" arch=$arch arm_recipe=$arm_recipe cross=$("${cross}gcc" --version | head -n1)"

# --- the series, snapshotted ---------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nor-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/series"
series=()
if [ "$unpatched" = 0 ] && [ -d "$patches_dir" ]; then
    for p in "$patches_dir"/[0-9][0-9][0-9][0-9]-*.patch; do
        [ -f "$p" ] || continue
        case ${p##*/} in 0000-*) continue ;; esac
        cp "$p" "$tmp/series/" && series+=("${p##*/}")
    done
fi
if [ "$unpatched" = 0 ] && [ ${#series[@]} = 0 ]; then
    log "no patches in $patches_dir: the patched kernel is the unpatched one"
fi
kind=unpatched
[ ${#series[@]} = 0 ] || kind=patched
# options that only the series has (its test-only debug options)
series_config=${NOR_SERIES_CONFIG-$config_dir/nor-series.config}
[ "$kind" = unpatched ] || [ -z "$series_config" ] ||
    fragments+=("$series_config")
# the ARM boards share one patched kernel: it also carries the series'
# cramfs debug knobs (defaults: the normal protocol), for the seeded bugs
[ "$kind" = unpatched ] || [ -z "$series_config" ] || [ "$arch" != arm ] ||
    fragments+=("$config_dir/arm-series.config")

fragkey=$( { for f in "${fragments[@]}"; do echo "== ${f##*/}"; cat "$f"; done
             echo "recipe=$recipe linux-source-6.1=$pkgver gcc=$gccver$archkey"; } |
           sha256sum | cut -c1-16)
serieskey=$( { for p in "${series[@]}"; do echo "== $p"; cat "$tmp/series/$p"; done; } |
             sha256sum | cut -c1-16)
[ ${#series[@]} = 0 ] && serieskey=none
key=$(echo "$fragkey $serieskey" | sha256sum | cut -c1-16)
out=$cache/nor-kernel-$variant-$key
odir=$cache/nor-build/$variant-$kind

if [ "$config_only" = 0 ] && [ -s "$out/$image_name" ]; then echo "$out/$image_name"; exit 0; fi
mkdir -p "$cache"
exec 9>"$cache/nor-build.lock"
if ! flock -n 9; then
    log "waiting for another build (lock $cache/nor-build.lock)"
    flock 9
fi
if [ "$config_only" = 0 ] && [ -s "$out/$image_name" ]; then echo "$out/$image_name"; exit 0; fi

# --- pristine source -------------------------------------------------------------
stamp=.cramfs-xip-pristine
if [ ! -f "$pristine/Makefile" ] || [ "$(cat "$pristine/$stamp" 2>/dev/null)" != "$pkgver" ]; then
    t0=$SECONDS
    log "extracting $tarball ($pkgver) into $pristine"
    rm -rf "$pristine" "$pristine.tmp"
    mkdir -p "$pristine.tmp"
    tar -C "$pristine.tmp" -xf "$tarball"
    mv "$pristine.tmp"/linux-source-6.1* "$pristine"
    rmdir "$pristine.tmp"
    echo "$pkgver" >"$pristine/$stamp"
    # a stale patched copy belongs to the old source
    rm -rf "$patched" "$cache/nor-build"
    log "extracted in $((SECONDS - t0))s"
fi

# --- patched source ----------------------------------------------------------------
# touched PATCH...: the files a patch creates, changes or deletes
touched() {
    awk '/^diff --git / { a = $3; b = $4; sub(/^a\//, "", a); sub(/^b\//, "", b)
                          print a; print b; git = 1; next }
         !git && /^(\+\+\+|---) [ab]\// { p = $2; sub(/^[ab]\//, "", p); print p }' "$@" |
        sort -u
}

# update_patched: make $patched = pristine + the series, in place
update_patched() {
    local state=$patched/.cramfs-xip-series old_key='' f p t0=$SECONDS
    if [ ! -f "$patched/Makefile" ] || [ ! -f "$state" ]; then
        log "copying the pristine source to $patched"
        rm -rf "$patched" "$patched.tmp"
        cp -a "$pristine" "$patched.tmp"
        rm -f "$patched.tmp/$stamp"
        mv "$patched.tmp" "$patched"
        printf 'series none\n' >"$state"
    fi
    old_key=$(sed -n 's/^series //p' "$state")
    [ "$old_key" = "$serieskey" ] && return 0
    touched "$tmp/series"/*.patch >"$tmp/new-files"
    sed -n 's/^file //p' "$state" >"$tmp/old-files"
    sort -u "$tmp/old-files" "$tmp/new-files" >"$tmp/all-files"
    # keep the current (built) versions, to restore their mtimes if unchanged
    mkdir "$tmp/save"
    while IFS= read -r f; do
        [ -f "$patched/$f" ] || continue
        mkdir -p "$tmp/save/$(dirname "$f")"
        cp -p "$patched/$f" "$tmp/save/$f"
    done <"$tmp/all-files"
    # from here on the tree is dirty until the new state is written
    { echo "series dirty"; sed 's/^/file /' "$tmp/all-files"; } >"$state"
    while IFS= read -r f; do
        if [ -f "$pristine/$f" ]; then
            cmp -s "$pristine/$f" "$patched/$f" 2>/dev/null ||
                { mkdir -p "$(dirname "$patched/$f")"; rm -f "$patched/$f"
                  cp --preserve=mode "$pristine/$f" "$patched/$f"; }
        else
            rm -f "$patched/$f"
        fi
    done <"$tmp/old-files"
    for p in "${series[@]}"; do
        if ! (cd "$patched" && GIT_CEILING_DIRECTORIES=$cache \
                git apply --whitespace=nowarn -p1 "$tmp/series/$p") 2>"$tmp/apply.err"; then
            log "patch $p does not apply:"
            sed 's/^/  /' "$tmp/apply.err" >&2
            return 1
        fi
    done
    # unchanged content: the old mtime, so make does not rebuild it
    while IFS= read -r f; do
        [ -f "$patched/$f" ] && [ -f "$tmp/save/$f" ] &&
            cmp -s "$patched/$f" "$tmp/save/$f" && touch -r "$tmp/save/$f" "$patched/$f"
    done <"$tmp/all-files"
    { echo "series $serieskey"; sed 's/^/file /' "$tmp/new-files"; } >"$state"
    log "applied ${#series[@]} patches (${series[*]}) in $((SECONDS - t0))s"
}

src=$pristine
if [ "$kind" = patched ]; then
    update_patched || exit 1
    src=$patched
fi

# --- configure -----------------------------------------------------------------------
verify_config() {
    local f line opt bad=0
    for f in "${fragments[@]}"; do
        while IFS= read -r line; do
            case $line in
            CONFIG_*=*)
                grep -qxF -- "$line" "$odir/.config" && continue
                log "config lost: $line (${f##*/}; have: $(grep "^${line%%=*}=" "$odir/.config" || echo unset))"
                bad=1 ;;
            "# CONFIG_"*" is not set")
                opt=${line#\# }; opt=${opt%% *}
                grep -q "^$opt=" "$odir/.config" || continue
                log "config should be unset: $opt (${f##*/})"; bad=1 ;;
            esac
        done <"$f"
    done
    return $bad
}

mk() {
    if [ "$arch" = x86_64 ]; then
        make -C "$src" O="$odir" ARCH=x86_64 "$@"
    else
        make -C "$src" O="$odir" ARCH="$arch" CROSS_COMPILE="$cross" "$@"
    fi
}
mkdir -p "$odir"
blog=$odir/build.log
if [ "$(cat "$odir/.cramfs-xip-config" 2>/dev/null)" != "$fragkey" ] || [ ! -f "$odir/.config" ]; then
    log "configuring $odir: tinyconfig + ${fragments[*]##*/}"
    if ! { mk tinyconfig &&
           (cd "$odir" && "$src/scripts/kconfig/merge_config.sh" -m -O "$odir" .config "${fragments[@]}") &&
           mk olddefconfig; } >"$blog" 2>&1; then
        tail -n 40 "$blog" >&2; exit 1
    fi
    verify_config || exit 1
    echo "$fragkey" >"$odir/.cramfs-xip-config"
fi
if [ "$config_only" = 1 ]; then echo "$odir/.config"; exit 0; fi

# --- build -------------------------------------------------------------------------------
t0=$SECONDS
log "make -j$jobs $image_name${dtbs:+ ${dtbs[*]}} in $odir ($kind; log: $blog)"
mk -j"$jobs" "$image_name" "${dtbs[@]}" >>"$blog" 2>&1 ||
    { tail -n 40 "$blog" >&2; log "build failed"; exit 1; }
secs=$((SECONDS - t0))
rm -rf "$out.tmp"; mkdir -p "$out.tmp"
cp "$odir/$image_path" "$out.tmp/"
if [ ${#dtbs[@]} -gt 0 ]; then
    mkdir "$out.tmp/dtbs"
    for d in "${dtbs[@]}"; do cp "$odir/arch/$arch/boot/dts/$d" "$out.tmp/dtbs/"; done
fi
cp "$odir/.config" "$out.tmp/config"
cp "$odir/System.map" "$out.tmp/"
: >"$out.tmp/series"
[ ${#series[@]} = 0 ] || printf '%s\n' "${series[@]}" >"$out.tmp/series"
echo "linux-source-6.1 $pkgver recipe $recipe variant $variant ($kind," \
     "${#series[@]} patches): make $image_name${dtbs:+ ${dtbs[*]}} took ${secs}s with -j$jobs on $(nproc) cpus;" \
     "build dir $odir; ${cross:+${cross}gcc: $("${cross}gcc" --version | head -n1); }$gccver" >"$out.tmp/BUILD-INFO"
rm -rf "$out"; mv "$out.tmp" "$out"
log "built in ${secs}s: $out/$image_name"
echo "$out/$image_name"
