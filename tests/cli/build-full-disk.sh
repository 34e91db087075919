#!/usr/bin/env bash
# A full disk while the image is written (issue 13, item 3): one error line
# naming the output (no source file blamed), exit 8, the old image left as
# it was, no temporary file left.  Two real limits, neither needing root:
#   - a 1 MiB tmpfs, mounted in a user and mount namespace of our own
#     (unshare -rm): the kernel's own ENOSPC.  Skipped where unprivileged
#     user namespaces are disabled.
#   - RLIMIT_FSIZE (ulimit -f): writes past it fail with EFBIG, after
#     SIGXFSZ, which the builder ignores so that it can clean up.
# The tree is 40 files of incompressible data, so many compression jobs
# are in flight when the first write fails.
. "$(dirname "$0")/lib.sh"
t_init cramfs

mkdir -p "$T/tree"
for i in $(seq -w 1 40); do head -c 100000 /dev/urandom > "$T/tree/f$i"; done
mkdir -p "$T/old"
echo "the old image's only file" > "$T/old/file"
"$CRAMFS" build -o "$T/old.img" "$T/old" 2> /dev/null || t_fail "old image"

# check_failure NAME REASON DIR: the run NAME failed as it should
check_failure() {
    local name=$1 reason=$2 dir=$3
    [ "$(wc -l < "$T/$name.err")" = 1 ]
    t_check $? "$name: one line on stderr"
    grep -q "^cramfs: $dir/out.img: error: cannot write the image: $reason\$" "$T/$name.err"
    t_check $? "$name: it names the output and says '$reason'"
    ! grep -q "$T/tree" "$T/$name.err"
    t_check $? "$name: no source file blamed"
    [ "$(cat "$T/$name.rc")" = 8 ]
    t_check $? "$name: exit 8 (operational error)"
    cmp -s "$T/old.img" "$dir/out.img"
    t_check $? "$name: the old image kept"
    [ -z "$(find "$dir" -name 'out.img.tmp.*')" ]
    t_check $? "$name: no temporary file left"
}

# --- a real full file system: tmpfs of 1 MiB in our own namespaces
mkdir "$T/full"
cat > "$T/in-ns.sh" <<'EOF'
T=$1 CRAMFS=$2
mount -t tmpfs -o size=1m cramfs-test "$T/full" || exit 77
cp "$T/old.img" "$T/full/out.img"
"$CRAMFS" build --all-root -j 2 -o "$T/full/out.img" "$T/tree" 2> "$T/tmpfs.err"
echo $? > "$T/tmpfs.rc"
cp "$T/full/out.img" "$T/tmpfs-out.img"
find "$T/full" -name 'out.img.tmp.*' > "$T/tmpfs-left"
EOF
if unshare -rm true 2> /dev/null; then
    unshare -rm bash "$T/in-ns.sh" "$T" "$CRAMFS"
    ns=$?
    if [ $ns = 77 ]; then
        t_note "cannot mount a tmpfs in a user namespace here: that part skipped"
    else
        # The tmpfs is gone with the namespace: check its copies.
        mkdir -p "$T/tmpfs-view"
        cp "$T/tmpfs-out.img" "$T/tmpfs-view/out.img"
        sed -i "s|$T/full/|$T/tmpfs-view/|" "$T/tmpfs.err"
        check_failure tmpfs "No space left on device" "$T/tmpfs-view"
        [ ! -s "$T/tmpfs-left" ]
        t_check $? "tmpfs: no temporary file left on the full file system"
    fi
else
    t_note "unprivileged user namespaces are disabled: the tmpfs part skipped"
fi

# --- a file size limit (ulimit -f, in KiB): EFBIG instead of SIGXFSZ
mkdir "$T/lim"
cp "$T/old.img" "$T/lim/out.img"
( ulimit -f 1024; exec "$CRAMFS" build --all-root -j 2 -o "$T/lim/out.img" "$T/tree" ) 2> "$T/fsize.err"
echo $? > "$T/fsize.rc"
check_failure fsize "File too large" "$T/lim"

# Room enough: the same build succeeds (the failures came from the limits).
( ulimit -f 65536; exec "$CRAMFS" build --all-root -j 2 -o "$T/lim/out.img" "$T/tree" ) 2> "$T/ok.err"
t_check $? "with room enough the same build succeeds"
t_done
