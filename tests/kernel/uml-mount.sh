#!/bin/bash
# uml-mount.sh IMAGE - mount a cramfs image with the real Linux cramfs driver
# (block-device path) inside User-Mode Linux and print the kernel's view of
# it as a manifest (see oracle-tool.c).
#
# stdout: manifest lines sorted by path, then one "kmsg <line>" per kernel
#         message about cramfs, ubda, I/O errors, end-of-device accesses,
#         BUG/Oops/WARNING (at most CRAMFS_KMSG_MAX=200 lines).
# exit:   0 mounted (even if some file could not be read: look for ERROR:
#         in the manifest), 1 mount refused, 2 usage/setup error (no UML,
#         no oracle-tool), 3 UML timed out or died before reporting,
#         4 UML cannot run processes on this host (its CPU's XSAVE area is
#         larger than UML 6.1 handles: AMX; ptrace set fp regs fails).
#
# Env: CRAMFS_UML          linux.uml to use (default /usr/bin/linux.uml; its
#                          modules are under ../lib/uml/modules/VERSION)
#      CRAMFS_UML_TIMEOUT  seconds for the whole UML run (default 60)
#      CRAMFS_UML_KEEP=1   keep the run directory (printed on stderr)
#      CRAMFS_UML_VERBOSE=1  copy the UML console log to stderr
#      ORACLE_TOOL         prebuilt oracle-tool (else built into the cache)
# Works as root or as a normal user (UML only needs ptrace).  UML is never
# downloaded: it comes from the user-mode-linux package (scripts/setup).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# = 1 ] || { echo "usage: $0 IMAGE" >&2; exit 2; }
image=$1
[ -f "$image" ] && [ -r "$image" ] || { klog "cannot read $image"; exit 2; }
image=$(realpath "$image")
timeout_s=${CRAMFS_UML_TIMEOUT:-60}

uml_find || { klog "$uml_missing"; exit 2; }
oracle_find_tool || { klog "cannot build oracle-tool"; exit 2; }
oracle_tool=$(realpath "$oracle_tool")

run=$(mktemp -d "${TMPDIR:-/tmp}/cramfs-uml.XXXXXX")
cleanup() {
    if [ "${CRAMFS_UML_KEEP:-0}" = 1 ]; then klog "kept $run"; else rm -rf "$run"; fi
}
trap cleanup EXIT
mkdir "$run/mnt"

# ubd exposes whole 512-byte sectors only: pad a copy when needed.
size=$(stat -c %s "$image")
if [ $((size % 512)) != 0 ]; then
    cp "$image" "$run/image"
    truncate -s $(( (size + 511) / 512 * 512 )) "$run/image"
else
    ln -s "$image" "$run/image"
fi

# PID 1 inside UML.  The host's / is the read-only hostfs root; only the run
# directory is mounted read-write (a second hostfs mount) for the results.
cat >"$run/init" <<INIT
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
T='$oracle_tool'
R='$run'
\$T mount -w none "\$R" hostfs "\$R" || { echo "uml-mount: hostfs mount failed"; \$T poweroff; }
exec >"\$R/init.log" 2>&1
\$T mount proc /proc proc
if \$T insmod '$uml_ko'; then
    if \$T mount /dev/ubda "\$R/mnt" cramfs; then
        : >"\$R/mounted"
        \$T manifest "\$R/mnt" >"\$R/manifest.tmp"
        echo \$? >"\$R/manifest.rc"
        mv "\$R/manifest.tmp" "\$R/manifest"
    fi
else
    : >"\$R/insmod-failed"
fi
\$T dmesg >"\$R/dmesg"
: >"\$R/done"
\$T poweroff
INIT
chmod +x "$run/init"

t0=$(date +%s%N)
timeout -k 5 "$timeout_s" "$uml_bin" \
    mem=128M umid="cramfs-xip-$$" uml_dir="$run" \
    root=/dev/root rootfstype=hostfs rootflags=/ ro \
    ubd0r="$run/image" \
    con=null con0=null,fd:1 ssl=null quiet \
    init="$run/init" </dev/null >"$run/console.log" 2>&1
uml_rc=$?
t1=$(date +%s%N)
[ "${CRAMFS_UML_VERBOSE:-0}" = 1 ] && cat "$run/console.log" >&2

if [ ! -e "$run/done" ] && grep -q 'ptrace set fp regs failed' "$run/console.log"; then
    # UML 6.1 hands the host a fixed-size XSAVE buffer; a host whose CPU
    # has a larger XSAVE area (AMX) refuses it (PTRACE_SETREGSET: EFAULT),
    # and the first process UML starts dies
    klog "UML cannot run processes on this host: ptrace set fp regs failed" \
         "(the CPU's XSAVE area, with AMX: $(grep -cw amx_tile /proc/cpuinfo) CPUs, is larger than UML 6.1 handles)"
    exit 4
fi
if [ ! -e "$run/done" ]; then
    if [ $uml_rc = 124 ] || [ $uml_rc = 137 ]; then
        klog "UML timed out after ${timeout_s}s"
    else
        klog "UML exited ($uml_rc) before reporting"
    fi
    tail -n 30 "$run/console.log" >&2
    [ -f "$run/init.log" ] && tail -n 20 "$run/init.log" >&2
    exit 3
fi
if [ -e "$run/insmod-failed" ]; then
    klog "insmod $uml_ko failed"; cat "$run/init.log" >&2; exit 2
fi

rc=1
if [ -e "$run/mounted" ]; then
    rc=0
    cat "$run/manifest"
    [ "$(cat "$run/manifest.rc" 2>/dev/null)" = 0 ] ||
        klog "mounted, but some entries could not be read (ERROR: in manifest)"
else
    grep -v '^$' "$run/init.log" | sed 's/^/uml-mount: /' >&2
fi
grep -aE 'cramfs|ubda|I/O error|end of device|BUG:|Oops|WARNING:|general protection|Call Trace' "$run/dmesg" |
    grep -avE 'Kernel command line|Command line:|cramfs-uml\.|partition table|RDB block' | kmsg_cap
klog "UML run took $(( (t1 - t0) / 1000000 )) ms"
exit $rc
