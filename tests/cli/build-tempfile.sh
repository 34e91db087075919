#!/usr/bin/env bash
# build-tempfile.sh - a build stopped by a signal leaves nothing beside the
# output (issue 14, defect 4), and the old image stays as it was.
#   - Where O_TMPFILE works (ext4, tmpfs, xfs, btrfs ...): the image is an
#     unnamed file until complete, so SIGKILL, SIGTERM and SIGINT mid-data
#     all leave nothing.
#   - Where it does not (no_tmpfile.so, an LD_PRELOAD shim, stands for vfat
#     or a FUSE file system): the named OUTPUT.tmp.XXXXXX is removed on
#     SIGTERM, SIGINT and SIGHUP, and the build dies of the signal.
#     (SIGKILL cannot be caught there: the one case that leaves it.)
# Each stop happens while the data is being written: the test waits until
# the process holds the temporary file open, then signals it.
. "$(dirname "$0")/lib.sh"
t_init cramfs
[ -n "${NO_TMPFILE_SO:-}" ] && [ -f "$NO_TMPFILE_SO" ] ||
    t_skip "NO_TMPFILE_SO not set (meson builds tests/lib/no_tmpfile.c)"
NO_TMPFILE_SO=$(realpath "$NO_TMPFILE_SO")

# 48 MB of incompressible data compressed on one thread at the highest
# level: several seconds, so the signal lands mid-data.
mkdir -p "$T/tree" "$T/out"
for i in 1 2 3; do head -c 16000000 /dev/urandom >"$T/tree/r$i"; done


# holds_temp PID: the process has a temporary file open in $T/out
holds_temp() {
    local fd
    for fd in /proc/"$1"/fd/*; do
        case $(readlink "$fd" 2>/dev/null) in
        "$T/out/#"*" (deleted)" | "$T/out/x.img.tmp."*) return 0 ;;
        esac
    done
    return 1
}

# stop_build NAME SIGNAL [PRELOAD]: start a build, signal it once it holds
# its temporary file; exit status in $T/NAME.rc
stop_build() {
    local name=$1 sig=$2 preload=${3:-} pid i
    printf 'old\n' >"$T/out/x.img"
    # (a background job starts with SIGINT ignored: give it back)
    env --default-signal=INT ${preload:+LD_PRELOAD="$preload"} ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        "$CRAMFS" build --all-root -j 1 --level 12 -o "$T/out/x.img" "$T/tree" \
        2>"$T/$name.err" &
    pid=$!
    for i in $(seq 1 600); do
        holds_temp "$pid" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    holds_temp "$pid"
    t_check $? "$name: the build holds its temporary file open mid-data"
    sleep 0.2
    kill -s "$sig" "$pid"
    { wait "$pid"; } 2>/dev/null
    echo $? >"$T/$name.rc"
}

# nothing_left NAME: only the old image in the output directory
nothing_left() {
    [ "$(ls -A "$T/out")" = x.img ] && [ "$(cat "$T/out/x.img")" = old ]
    t_check $? "$1: nothing left beside the output, the old image unchanged ($(ls -A "$T/out" | tr '\n' ' '))"
}

for sig in KILL TERM INT; do
    stop_build "unnamed-$sig" "$sig"
    nothing_left "O_TMPFILE, SIG$sig"
done

for sig in TERM INT HUP; do
    stop_build "named-$sig" "$sig" "$NO_TMPFILE_SO"
    nothing_left "no O_TMPFILE, SIG$sig"
    want=$((128 + $(kill -l "$sig")))
    [ "$(cat "$T/named-$sig.rc")" = "$want" ]
    t_check $? "no O_TMPFILE, SIG$sig: the build dies of the signal (exit $(cat "$T/named-$sig.rc"), want $want)"
done

# The shim really took O_TMPFILE away (or the cases above prove nothing),
# and a build through it still completes.
stop_build named-KILL KILL "$NO_TMPFILE_SO"
ls "$T/out" | grep -q '^x\.img\.tmp\.'
t_check $? "no O_TMPFILE, SIGKILL: the named temporary file is there (the shim works)"
rm -f "$T/out"/x.img.tmp.*
rm -rf "$T/tree"/r2 "$T/tree"/r3
LD_PRELOAD="$NO_TMPFILE_SO" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$CRAMFS" build --all-root -o "$T/out/x.img" "$T/tree" 2>"$T/ok.err"
t_check $? "no O_TMPFILE: a build completes"
[ "$(ls -A "$T/out")" = x.img ] && "$CRAMFS" ls "$T/out/x.img" | grep -qx r1
t_check $? "no O_TMPFILE: the image is in place, nothing else"
"$CRAMFS" build --all-root -o "$T/out/x.img" "$T/tree" 2>"$T/ok2.err"
[ "$(ls -A "$T/out")" = x.img ] && [ "$(stat -c %a "$T/out/x.img")" = 644 ]
t_check $? "O_TMPFILE: a build completes, the image mode 0644, nothing else"
t_done
