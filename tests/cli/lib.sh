# tests/cli/lib.sh - helpers for the CLI (and kernel) test scripts (bash).
# shellcheck shell=bash disable=SC2034
#
# Source it, then call t_init.  Tools come from the environment:
#   CRAMFS=/path/to/cramfs  CRAMFSCK=/path/to/cramfsck  (meson sets both)
#   ORACLE_TOOL=/path/to/oracle-tool  (optional; else built from
#                                      tests/kernel/oracle-tool.c)
# Without them the scripts look in $CRAMFS_BUILD (default: <repo>/build).
#
# Conventions: exit 0 pass, 77 skip (reason printed), 1 fail.  Every check
# prints "ok: ..." or "FAIL: ..."; t_done exits with the verdict.  All
# temporary files live under $T, removed on exit (CRAMFS_TEST_KEEP=1 keeps).

set -uo pipefail
export LC_ALL=C
# Sanitizer builds: any finding aborts the tool (a signal the tests catch);
# values already set by the caller win.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-abort_on_error=1:halt_on_error=1:print_stacktrace=1}

cli_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$cli_dir/../.." && pwd)
data_dir=$repo_dir/tests/data
t_failures=0
t_checks=0

# ------------------------------------------------------------- verdicts

t_skip() { echo "SKIP: $*"; exit 77; }
t_ok() { t_checks=$((t_checks + 1)); echo "ok: $*"; }
t_fail() { t_checks=$((t_checks + 1)); t_failures=$((t_failures + 1)); echo "FAIL: $*"; }
t_note() { echo "# $*"; }

t_done() {
    if [ "$t_failures" -gt 0 ]; then
        echo "${0##*/}: $t_failures of $t_checks checks failed"
        exit 1
    fi
    echo "${0##*/}: all $t_checks checks passed"
    exit 0
}

# t_check COND_RC DESC: 0 -> ok, else fail
t_check() { if [ "$1" = 0 ]; then t_ok "$2"; else t_fail "$2"; fi; }

# ---------------------------------------------------------------- setup

t_cleanup() {
    local rc=$?
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        if [ "${CRAMFS_TEST_KEEP:-0}" = 1 ]; then
            echo "# kept $T"
        else
            chmod -R u+rwX "$T" 2>/dev/null
            rm -rf "$T"
        fi
    fi
    exit $rc
}

# t_init [needs...]: temp dir + tools.  needs: cramfs cramfsck mkcramfs
# mkfs fsck python3 oracle root (each missing one is a skip with the reason).
t_init() {
    local build=${CRAMFS_BUILD:-$repo_dir/build} need
    : "${CRAMFS:=$build/tools/cramfs/cramfs}"
    : "${CRAMFSCK:=$build/tools/cramfsck/cramfsck}"
    # the scripts change directory: make relative tool paths absolute
    [ -e "$CRAMFS" ] && CRAMFS=$(realpath "$CRAMFS")
    [ -e "$CRAMFSCK" ] && CRAMFSCK=$(realpath "$CRAMFSCK")
    [ -n "${ORACLE_TOOL:-}" ] && [ -e "$ORACLE_TOOL" ] && ORACLE_TOOL=$(realpath "$ORACLE_TOOL")
    T=$(mktemp -d "${TMPDIR:-/tmp}/cramfs-test.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
    chmod 0755 "$T"
    trap t_cleanup EXIT
    trap 'exit 130' INT TERM
    for need in "$@"; do
        case $need in
        cramfs) [ -x "$CRAMFS" ] || t_skip "cramfs tool not found at $CRAMFS (set CRAMFS=)" ;;
        cramfsck) [ -x "$CRAMFSCK" ] || t_skip "cramfsck tool not found at $CRAMFSCK (set CRAMFSCK=)" ;;
        mkcramfs) : "${MKCRAMFS:=$build/tools/mkcramfs/mkcramfs}"
                  [ -x "$MKCRAMFS" ] || t_skip "mkcramfs tool not found at $MKCRAMFS (set MKCRAMFS=)"
                  MKCRAMFS=$(realpath "$MKCRAMFS") ;;
        mkfs) MKFS=$(command -v mkfs.cramfs || echo /usr/sbin/mkfs.cramfs)
              [ -x "$MKFS" ] || t_skip "mkfs.cramfs (util-linux) not installed" ;;
        fsck) FSCK=$(command -v fsck.cramfs || echo /usr/sbin/fsck.cramfs)
              [ -x "$FSCK" ] || t_skip "fsck.cramfs (util-linux) not installed" ;;
        python3) command -v python3 >/dev/null || t_skip "python3 not installed" ;;
        oracle) t_oracle_tool || t_skip "cannot build oracle-tool (no C compiler?)" ;;
        root) [ "$(id -u)" = 0 ] || t_skip "needs root (device nodes, foreign owners)" ;;
        *) echo "FAIL: t_init: unknown need $need"; exit 1 ;;
        esac
    done
}

# Sets $ORACLE_TOOL (builds it from tests/kernel/oracle-tool.c if needed).
t_oracle_tool() {
    local common=$repo_dir/tests/kernel/common.sh oracle_tool
    [ -n "${ORACLE_TOOL:-}" ] && [ -x "$ORACLE_TOOL" ] && return 0
    # shellcheck source=../kernel/common.sh
    . "$common" || return 1
    oracle_find_tool || return 1
    ORACLE_TOOL=$oracle_tool
}

# ------------------------------------------------------- running tools

# run NAME CMD...: runs CMD (timeout 60 s) with stdout in $T/NAME.out and
# stderr in $T/NAME.err; the exit status is in $RC.
run() {
    local name=$1
    shift
    # (the braces keep bash's "Aborted"/"Killed" job notices out of the log)
    { timeout -k 5 "${CRAMFS_TEST_TIMEOUT:-60}" "$@" >"$T/$name.out" 2>"$T/$name.err"; } 2>/dev/null
    RC=$?
}

# show NAME: print the captured output of a run (for failure analysis)
show() {
    local name=$1 n=${2:-20}
    if [ -s "$T/$name.out" ]; then echo "  --- stdout:"; head -n "$n" "$T/$name.out" | sed 's/^/  | /'; fi
    if [ -s "$T/$name.err" ]; then echo "  --- stderr:"; head -n "$n" "$T/$name.err" | sed 's/^/  | /'; fi
    return 0
}

# rc_run NAME WANT DESC CMD...: run + expect_rc, shows output on failure
rc_run() {
    local name=$1 want=$2 desc=$3
    shift 3
    run "$name" "$@"
    if [[ "|$want|" == *"|$RC|"* ]]; then
        t_ok "$desc (exit $RC)"
        return 0
    fi
    t_fail "$desc: exit $RC, expected $want; command: ${*//$T\//}"
    show "$name"
    return 1
}

# stderr_lines_ok FILE PREFIX: every line of FILE starts with PREFIX
stderr_lines_ok() {
    awk -v p="$2" 'index($0, p) != 1 { bad = 1 } END { exit bad }' "$1"
}

# ------------------------------------------------------ content makers

# gen_files DIR <<< "RELPATH SIZE SEED KIND" lines (one python3 process).
# KIND: rand (seeded random bytes), text (seeded text lines), blocks (one
# numbered 4 KiB block after another: highly compressible but every block
# distinct), zero.  Files are created with mode 0644.
gen_files() {
    local dir=$1
    python3 -c '
import os, random, sys
root = sys.argv[1]
words = b"alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
for line in sys.stdin:
    rel, size, seed, kind = line.split()
    size = int(size)
    path = os.path.join(root.encode(), rel.encode())
    rng = random.Random(seed)
    if kind == "rand":
        data = rng.randbytes(size)
    elif kind == "zero":
        data = bytes(size)
    elif kind == "text":
        out, n = [], 0
        while n < size:
            l = b"%s %06d " % (seed.encode(), len(out)) + b" ".join(rng.choice(words) for _ in range(8)) + b"\n"
            out.append(l); n += len(l)
        data = b"".join(out)[:size]
    elif kind == "blocks":
        blk, parts = 0, []
        while blk * 4096 < size:
            head = b"%s block %08d\n" % (seed.encode(), blk)
            parts.append(head + b"." * (4096 - len(head) - 1) + b"\n")
            blk += 1
        data = b"".join(parts)[:size]
    else:
        sys.exit("gen_files: unknown kind " + kind)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)
' "$dir"
}

# ------------------------------------------------ trees without root
# The tree makers below make on disk what any user can make (directories,
# files, symlinks, fifos, sockets) and record what only root can make (the
# owners, exact modes, device nodes) in DIR.meta (format: tree-meta.py);
# as root they make all of it on disk as well.  Everything that reads a
# source tree goes through the meta when not root: manifest (the expected
# side of tree_compare), tree_table (a device table for our builder),
# tree_image (the image mkfs.cramfs writes of root's tree) and tree_tar.
# CRAMFS_TREE_ROOTLESS=1 makes root work as a user does, so that
# lib-selftest-root.sh can compare both ways.
tree_privileged() { [ "$(id -u)" = 0 ] && [ "${CRAMFS_TREE_ROOTLESS:-0}" != 1 ]; }

# meta_record FIELD...: one tab-separated line of the tree's meta
meta_record() {
    local IFS=$'\t'
    case "$*" in *$'\n'*) echo "meta_record: a newline in $*" >&2; return 1 ;; esac
    printf '%s\n' "$*" >>"$tree_meta"
}

# meta PATH MODE UID GID: owner first (chown clears setuid), then mode
# (MODE "-" for symlinks, whose mode cannot be changed).  A user records
# both, and sets the mode only as far as it leaves the entry readable and
# writable to himself (a file of mode 0000 must still be hashed and packed).
meta() {
    meta_record own "$1" "$3" "$4" || return 1
    [ "$2" = - ] || meta_record mode "$1" "$2" || return 1
    if tree_privileged; then
        chown -h "$3:$4" "$1" || return 1
        [ "$2" = - ] || chmod "$2" "$1"
    elif [ "$2" != - ] && [ -e "$1" ]; then    # (not a recorded device)
        if [ -d "$1" ]; then chmod "$(printf '%o' $((8#$2 | 0700)))" "$1"
        else chmod "$(printf '%o' $((8#$2 | 0600)))" "$1"; fi
    fi
}

# mk_dev PATH c|b MAJOR MINOR: a device node (mode 0666 & ~umask, as mknod)
mk_dev() {
    meta_record dev "$1" "$2" "$3" "$4" || return 1
    meta_record mode "$1" "$(printf '%04o' $((0666 & ~$(umask))))" || return 1
    if tree_privileged; then mknod "$1" "$2" "$3" "$4"; fi
}

# tree_begin DIR: start DIR and its empty meta (sets $tree_meta)
tree_begin() {
    mkdir -p "$1" && tree_meta=$(realpath "$1").meta && : >"$tree_meta"
}

# tree_use DIR: record into DIR's meta again (a tree begun earlier)
tree_use() { tree_meta=$(realpath "$1").meta; }

# tree_table DIR: the device table that gives our builder root's tree
tree_table() { python3 "$cli_dir/tree-meta.py" table "$1"; }

# tree_tar DIR ARCHIVE: root's tree as a GNU tar (no sockets), any user
tree_tar() { python3 "$cli_dir/tree-meta.py" tar "$1" "$2"; }

# tree_image IMAGE DIR [MKFS_OPTIONS...]: the image `mkfs.cramfs OPTIONS`
# writes of root's DIR: mkfs.cramfs itself as root ($MKFS: t_init mkfs),
# else `cramfs build --mode util-linux` with DIR's table, which writes the
# same bytes (lib-selftest-root.sh); stdout and stderr: discarded
tree_image() {
    local img=$1 dir=$2 rc
    shift 2
    if tree_privileged; then
        "$MKFS" "$@" "$dir" "$img" >/dev/null 2>&1
        return
    fi
    tree_table "$dir" >"$img.table" || return 1
    "$CRAMFS" build --mode util-linux "$@" -D "$img.table" -o "$img" "$dir" >/dev/null 2>&1
    rc=$?
    rm -f "$img.table"
    return $rc
}

mk_socket() { # PATH
    ( cd "$(dirname "$1")" && python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$(basename "$1")" )
}

# make_rich_tree DIR: every entry type cramfs can hold, sizes around block
# boundaries, > 16 MiB, sparse, duplicates (same metadata), long and odd
# names, special modes, owners beyond the stored widths (see tree_begin).
# Duplicated contents always have identical metadata (util-linux dedups by
# content only, see docs/format.md §4.6), and no file content equals a
# symlink target.  Deterministic: same tree on every run.
make_rich_tree() {
    local R=$1 i d name
    tree_begin "$R" || return 1
    (
    set -e
    cd "$R"
    mkdir files dup dup/sub links special deep names modes owners emptydir
    gen_files . <<'EOF'
files/one 1 one text
files/s4095 4095 s4095 rand
files/s4096 4096 s4096 rand
files/s4097 4097 s4097 text
files/s8192 8192 s8192 rand
files/s12288 12288 s12288 text
files/s16384 16384 s16384 text
files/s65536 65536 s65536 text
files/s65537 65537 s65537 rand
files/rand-1m5 1572987 rand15 rand
files/zeros-64k 65536 z zero
files/big-17m 17825797 big blocks
dup/a 10000 dup text
dup/b 10000 dup text
dup/sub/c 10000 dup text
deep/leaf-top 300 leaftop text
modes/suid 100 suid text
modes/sgid 101 sgid text
modes/sticky-file 5000 stickyf text
modes/m0000 102 m0000 text
modes/m0444 103 m0444 text
modes/m0700 104 m0700 text
modes/m0777 105 m0777 text
owners/u1000g300 200 u1000 text
owners/u70000 201 u70000 text
EOF
    : > files/empty
    chmod 0644 files/empty
    # sparse: data at 0, in the middle and at the end, holes between
    truncate -s $((2 * 1024 * 1024 + 100)) files/sparse
    printf 'start of sparse file\n' | dd of=files/sparse conv=notrunc status=none
    printf 'middle\n' | dd of=files/sparse bs=1 seek=$((1024 * 1024 + 7)) conv=notrunc status=none
    printf 'end\n' | dd of=files/sparse bs=1 seek=$((2 * 1024 * 1024 + 96)) conv=notrunc status=none
    chmod 0644 files/sparse
    ln dup/a dup/hardlink

    ln -s ../files/s4096 links/rel
    ln -s /etc/some/absolute/target links/abs
    ln -s no/such/target links/dangling
    ln -s ../deep links/todir
    ln -s ../files/one links/same1
    ln -s ../files/one links/same2
    ln -s "$(printf 'long-target-%04d/' $(seq 1 58))end" links/long   # 989 bytes
    ln -s . links/dot

    mkfifo special/fifo
    chmod 0644 special/fifo
    mk_socket special/sock
    chmod 0755 special/sock
    mk_dev special/null c 1 3
    mk_dev special/sda1 b 8 1
    mk_dev special/tty64 c 4 64
    mk_dev special/bigdev c 259 70000    # > 24 bits: stored truncated
    meta special/null 0666 0 0
    meta special/sda1 0660 0 6
    meta special/tty64 0620 0 5
    meta special/bigdev 0600 0 0

    d=deep
    for i in $(seq -w 1 20); do d=$d/d$i; mkdir "$d"; done
    printf 'the bottom\n' > "$d/leaf"

    # names: 252 bytes is the cramfs maximum (253-255 break util-linux)
    name=$(printf 'n%.0s' $(seq 1 252)); printf 'x252\n' > "names/$name"
    name=$(printf 'd%.0s' $(seq 1 249)); mkdir "names/$name"; printf 'in249\n' > "names/$name/f"
    printf 'space\n' > "names/with space"
    printf 'utf8\n' > "names/ünïcødé-файл-名前"
    printf 'dash\n' > "names/-leading-dash"
    printf 'bs\n' > 'names/back\slash'
    printf 'quote\n' > "names/q'uo\"te"
    printf 'glob\n' > 'names/glob*?[x]'
    printf 'hash\n' > 'names/#hash'
    printf 'dot\n' > 'names/...'
    printf 'tilde\n' > 'names/~tilde'
    printf 'A\n' > names/A
    printf 'a\n' > names/a
    printf 'Z\n' > names/Z
    printf 'ctrl\n' > "names/$(printf 'ctl\001x')"
    printf 'hi\n' > "names/$(printf 'hi\377bit')"

    meta modes/suid 4755 0 0
    meta modes/sgid 2755 0 0
    meta modes/sticky-file 1644 0 0
    meta modes/m0000 0000 0 0
    meta modes/m0444 0444 0 0
    meta modes/m0700 0700 0 0
    meta modes/m0777 0777 0 0
    mkdir modes/sticky-dir modes/sgid-dir modes/ro-dir modes/ro-dir/sub modes/m0700-dir
    printf 'in sticky\n' > modes/sticky-dir/f
    printf 'in sgid\n' > modes/sgid-dir/f
    printf 'in ro\n' > modes/ro-dir/f
    printf 'in ro sub\n' > modes/ro-dir/sub/g
    printf 'private\n' > modes/m0700-dir/p
    meta modes/sticky-dir 1777 0 0
    meta modes/sgid-dir 2775 0 0
    meta modes/ro-dir/sub 0555 0 0
    meta modes/ro-dir 0555 0 0
    meta modes/m0700-dir 0700 0 0

    meta owners/u1000g300 0640 1000 300
    meta owners/u70000 0644 70000 1000
    mkdir owners/d1000
    printf 'owned\n' > owners/d1000/f
    meta owners/d1000/f 0600 1000 1000
    meta owners/d1000 0750 1000 1000
    ln -s ../files/s4097 owners/link1234
    meta owners/link1234 - 1234 56
    mkfifo owners/fifo33
    meta owners/fifo33 0640 33 33
    mk_dev owners/dev-1000 c 10 200
    meta owners/dev-1000 0600 1000 300
    ) || return 1
    chmod 0755 "$R"
    if tree_privileged; then chown 0:0 "$R"; fi
}

# make_small_tree DIR: every entry type, tiny files (for corruption runs);
# a file with several blocks so block pointers get hit too (see tree_begin).
make_small_tree() {
    local R=$1
    tree_begin "$R" || return 1
    (
    set -e
    cd "$R"
    mkdir -p dir/sub empty
    gen_files . <<'EOF'
f1 1 f1 text
f100 100 f100 text
multi 20000 multi text
rnd 5000 rnd rand
dir/a 3000 da text
dir/sub/b 9000 dsb text
dir/dupe 3000 da text
EOF
    : > zero-len
    ln -s dir/a link
    ln -s ../../f100 dir/sub/uplink
    mkfifo fifo
    mk_dev cdev c 1 5
    mk_dev bdev b 7 0
    mk_socket sock
    meta f1 4755 0 0
    meta dir/sub 0700 1000 300
    ) || return 1
    chmod 0755 "$R"
}

# --------------------------------------------------------- manifests

# manifest VIEW DIR: oracle-tool manifest (VIEW: raw, stored, kernel,
# stored-no-owners, raw-no-owners); of root's tree when DIR has a meta and
# we are not root (see tree_begin)
manifest() {
    local view=$1 dir=$2 args=()
    case $view in
    raw) ;;
    stored) args=(--stored) ;;
    kernel) args=(--kernel) ;;
    stored-no-owners) args=(--stored --no-owners) ;;
    raw-no-owners) args=(--no-owners) ;;
    *) echo "manifest: bad view $view" >&2; return 2 ;;
    esac
    if [ -f "${dir%/}.meta" ] && ! tree_privileged; then
        "$ORACLE_TOOL" manifest "${args[@]}" "$dir" |
            python3 "$cli_dir/tree-meta.py" manifest "$view" "$dir"
        return
    fi
    "$ORACLE_TOOL" manifest "${args[@]}" "$dir"
}

# extracted_manifest VIEW DIR: manifest VIEW DIR of a tree a user
# extracted, which may hold files he cannot read (mode 0000): their modes as
# they are, their contents read once the tree is opened up to him
extracted_manifest() {
    manifest "$1" "$2" >"$T/xm.modes"
    if [ "$(id -u)" = 0 ] || ! grep -q ' ERROR:read:' "$T/xm.modes"; then
        cat "$T/xm.modes"
        return
    fi
    chmod -R u+rX "$2" && manifest "$1" "$2" >"$T/xm.data" || return 1
    awk 'NR == FNR { head[FNR] = $1 " " $2 " " $3 " " $4 " " $5; next }
         { print head[FNR], $6, $7 }' "$T/xm.modes" "$T/xm.data"
}

# tree_compare DESC SRC DST [SRC_VIEW [DST_VIEW [FILTER]]]
# Compares the source tree (as a cramfs image stores it: uid 16 bits, gid
# 8 bits, size cap 2^24-1, rdev 24 bits) with an extracted tree (plain
# values).  FILTER is an awk condition applied to both manifests' lines
# ($2 = type).  Prints a unified diff (first 60 lines) on a difference.
tree_compare() {
    local desc=$1 src=$2 dst=$3 sview=${4:-stored} dview=${5:-raw} filter=${6:-1}
    manifest "$sview" "$src" | awk "$filter" >"$T/cmp.src"
    extracted_manifest "$dview" "$dst" | awk "$filter" >"$T/cmp.dst"
    if diff -u --label "expected ($src as stored)" --label "got ($dst)" \
        "$T/cmp.src" "$T/cmp.dst" >"$T/cmp.diff"; then
        t_ok "$desc: trees equal ($(wc -l <"$T/cmp.src") entries)"
        return 0
    fi
    t_fail "$desc: trees differ"
    head -n 60 "$T/cmp.diff" | sed 's/^/  /'
    return 1
}

# exact_compare DESC DIR1 DIR2: plain manifests must be identical
exact_compare() {
    tree_compare "$1" "$2" "$3" raw raw
}

# --------------------------------------------------------- image edits

# put_u32 FILE OFFSET VALUE little|big: overwrite 4 bytes in place
put_u32() {
    local f=$1 off=$2 v=$3 order=$4 b0 b1 b2 b3
    b0=$(( v & 255 )); b1=$(( (v >> 8) & 255 )); b2=$(( (v >> 16) & 255 )); b3=$(( (v >> 24) & 255 ))
    if [ "$order" = big ]; then
        printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $b3 $b2 $b1 $b0)"
    else
        printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $b0 $b1 $b2 $b3)"
    fi | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# get_u32 FILE OFFSET little|big
get_u32() {
    local x
    x=$(od -A n -t x1 -j "$2" -N 4 "$1" | tr -d ' \n')
    if [ "$3" = big ]; then echo $((16#$x)); else
        echo $((16#${x:6:2}${x:4:2}${x:2:2}${x:0:2})); fi
}
