#!/bin/bash
# errors.sh - error behaviour of `cramfs` and `cramfsck` (docs/cli-spec.md):
# exit codes 0/1/4/8/16, one-line `cramfs: IMAGE: MESSAGE` errors, safe
# extraction (no overwrite without --force, no following of symlinks in the
# target), util-linux fsck.cramfs option and exit-code compatibility, and
# util-linux's fsck-bad-header test (docs/format.md §15).  Runs as any
# user: the test tree's owners and devices come from its meta (lib.sh
# tree_begin).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkfs fsck python3

cd "$T" || exit 1
make_small_tree src || { t_fail "cannot build the test tree"; t_done; }
tree_image good.img src || { t_fail "cannot build the image of the test tree"; t_done; }

# one_line NAME WANT_RC DESC PATTERN CMD...: exit WANT_RC, stdout empty,
# stderr exactly one line matching the extended regex PATTERN
one_line() {
    local name=$1 want=$2 desc=$3 pat=$4
    shift 4
    rc_run "$name" "$want" "$desc" "$@" || return
    if [ "$(wc -l <"$T/$name.err")" = 1 ] && grep -Eq "$pat" "$T/$name.err"; then
        t_ok "$desc: one stderr line matching /$pat/"
    else
        t_fail "$desc: stderr should be one line matching /$pat/"; show "$name"
    fi
    [ ! -s "$T/$name.out" ]
    t_check $? "$desc: nothing on stdout"
}

# usage NAME DESC CMD...: exit 16; stderr names the program or shows usage
usage() {
    local name=$1 desc=$2
    shift 2
    rc_run "$name" 16 "$desc" "$@" || return
    head -n 1 "$T/$name.err" | grep -Eq '^(cramfs[: ]|usage: cramfs)'
    t_check $? "$desc: first stderr line starts with 'cramfs' or 'usage: cramfs' (got: $(head -n 1 "$T/$name.err"))"
}

# ------------------------------------------------- missing / not cramfs
for cmd in "info" "check" "ls" "cat @ /f1" "extract @ --to $T/x1"; do
    read -r -a argv <<<"$cmd"
    [[ " ${argv[*]} " == *" @ "* ]] || argv+=(@)
    one_line miss 8 "cramfs ${argv[0]} of a missing file" \
        "^cramfs: $T/nonexistent\.img: .*[Nn]o such file" \
        "$CRAMFS" "${argv[@]/#@/$T/nonexistent.img}"
done
[ ! -e "$T/x1" ]
t_check $? "extract of a missing image creates no target directory"

head -c 8192 /dev/zero | tr '\0' 'x' >notcramfs.img
: >empty.img
head -c 50 good.img >short.img
for img in notcramfs.img empty.img short.img; do
    for cmd in info check ls "cat @ /f1" "extract @ --to $T/x2"; do
        read -r -a argv <<<"$cmd"
        [[ " ${argv[*]} " == *" @ "* ]] || argv+=(@)
        one_line notc 4 "cramfs ${argv[0]} of $img (not cramfs)" "^cramfs: $img: " \
            "$CRAMFS" "${argv[@]/#@/$img}"
    done
done
[ ! -e "$T/x2" ]
t_check $? "extract of a non-cramfs file creates no target directory"

# ---------------------------------------------------------------- usage
usage u0 "cramfs without arguments" "$CRAMFS"
usage u1 "unknown command" "$CRAMFS" frobnicate good.img
usage u2 "info without IMAGE" "$CRAMFS" info
usage u3 "unknown option" "$CRAMFS" info --bogus good.img
usage u4 "info with an extra argument" "$CRAMFS" info good.img extra
usage u5 "cat without PATH" "$CRAMFS" cat good.img
usage u6 "block size not a power of 2" "$CRAMFS" info -b 12288 good.img
usage u7 "block size too small" "$CRAMFS" ls -b 1024 good.img
usage u8 "block size too large" "$CRAMFS" ls -b 131072 good.img
usage u9 "extract -j not a number" "$CRAMFS" extract -j many good.img --to "$T/x3"
usage u10 "extract --to without DIR" "$CRAMFS" extract good.img --to
[ ! -e "$T/x3" ]
t_check $? "a usage error extracts nothing"
# A bad option value: one line naming the option and the value (and what
# is expected), then where help is; not the whole usage text (issue 13,
# item 7).  OPTION VALUE WHAT...
mkdir -p optsrc && printf 'x\n' >optsrc/f
bad_value() {
    local opt=$1 val=$2 cmd=$3
    shift 3
    rc_run "bv" 16 "$cmd $opt $val" "$CRAMFS" "$cmd" "$opt" "$val" "$@"
    [ "$(wc -l <"$T/bv.err")" = 2 ] &&
        head -n 1 "$T/bv.err" | grep -q "^cramfs: $cmd: $opt $val: expected " &&
        [ "$(tail -n 1 "$T/bv.err")" = "Try 'cramfs $cmd --help'." ] &&
        ! grep -q '^usage:' "$T/bv.err"
    t_check $? "$cmd $opt $val: names the option, the value and what is expected (got: $(head -n 1 "$T/bv.err"))"
}
bad_value -j 0 build -o "$T/bv.img" optsrc
bad_value --level 13 build -o "$T/bv.img" optsrc
bad_value --mode foo build -o "$T/bv.img" optsrc
bad_value --target-kernel banana build -o "$T/bv.img" optsrc
bad_value --chmod bogus build -o "$T/bv.img" optsrc
bad_value --xip-budget lots build -o "$T/bv.img" optsrc
bad_value -b 12288 ls good.img
bad_value -j 257 extract good.img --to "$T/bvx"
[ ! -e "$T/bv.img" ] && [ ! -e "$T/bvx" ]
t_check $? "bad option values: nothing written"
rc_run bvj 16 "build -j0 (attached value)" "$CRAMFS" build -j0 -o "$T/bv.img" optsrc
head -n 1 "$T/bvj.err" | grep -q "^cramfs: build: -j 0: "
t_check $? "build -j0: spelled as the option and the value"
rc_run bvl 16 "build --level=13" "$CRAMFS" build --level=13 -o "$T/bv.img" optsrc
head -n 1 "$T/bvl.err" | grep -q "^cramfs: build: --level 13: "
t_check $? "build --level=13: spelled as the option and the value"

# Common options before the command (issue 13, item 7)
rc_run gv 0 "cramfs -v info" "$CRAMFS" -v info good.img
"$CRAMFS" info -v good.img >"$T/gv.ref" 2>&1
cmp -s "$T/gv.out" "$T/gv.ref"
t_check $? "cramfs -v info IMAGE prints what cramfs info -v IMAGE does"
rc_run gb 0 "cramfs -b 4096 --json ls" "$CRAMFS" -b 4096 --json ls good.img
"$CRAMFS" ls --json -b 4096 good.img >"$T/gb.ref" 2>&1
cmp -s "$T/gb.out" "$T/gb.ref"
t_check $? "cramfs -b 4096 --json ls IMAGE prints what cramfs ls --json -b 4096 IMAGE does"

# The library's own words reach the user, not its errno (issue 13, item 7)
one_line notreg 8 "cramfs info of a directory" \
    "^cramfs: $T: not a regular file or block device\$" "$CRAMFS" info "$T"
one_line notregck 8 "cramfsck of a directory" \
    "^cramfsck: $T: not a regular file or block device\$" "$CRAMFSCK" "$T"

rc_run ver 0 "cramfs --version" "$CRAMFS" --version
grep -q '[0-9]\.[0-9]' "$T/ver.out"
t_check $? "--version prints a version on stdout"
rc_run help 0 "cramfs --help" "$CRAMFS" --help
grep -q 'extract' "$T/help.out"
t_check $? "--help lists the commands on stdout"
for c in info check ls cat extract; do
    rc_run help 0 "cramfs $c --help" "$CRAMFS" "$c" --help
    grep -q "cramfs $c" "$T/help.out"
    t_check $? "cramfs $c --help shows its usage on stdout"
done

# ---------------------------------------------------------- cat and ls
one_line cat1 1 "cat of a missing path" '^cramfs: good\.img: .*/nope' "$CRAMFS" cat good.img /nope
# (naming what has no contents is a mistake in the request: 16, as cat(1)
# words it; issue 13, item 10)
one_line cat2 16 "cat of a directory" '^cramfs: good\.img: /dir: is a directory$' "$CRAMFS" cat good.img /dir
one_line cat3 16 "cat of a symlink (not followed)" '^cramfs: good\.img: /link: is a symlink \(not followed\)$' "$CRAMFS" cat good.img /link
one_line cat4 16 "cat of a fifo" '^cramfs: good\.img: /fifo: is not a regular file$' "$CRAMFS" cat good.img /fifo
one_line cat5 16 "cat of a device" '^cramfs: good\.img: /cdev: is not a regular file$' "$CRAMFS" cat good.img /cdev
run cat6 "$CRAMFS" cat good.img /f100 /nope /dir/a
[ "$RC" = 1 ] && cat src/f100 src/dir/a | cmp -s - "$T/cat6.out"
t_check $? "cat of several paths, one missing: the others are written, exit 1 (exit $RC)"
run cat7 "$CRAMFS" cat good.img f100 dir/sub/b
[ "$RC" = 0 ] && cat src/f100 src/dir/sub/b | cmp -s - "$T/cat7.out"
t_check $? "cat of relative paths (exit $RC)"
one_line ls1 1 "ls of a missing path" '^cramfs: good\.img: .*/nope' "$CRAMFS" ls good.img /nope
# A PATH through a symlink or a file is not in the image, and says why on
# one line, exit 1 (issue 14, defect 7: it was exit 8 and silent)
mkdir -p through/d && printf 'v\n' >through/d/victim && printf 'f\n' >through/f
ln -s d through/a
"$CRAMFS" build --all-root -o through.img through 2>/dev/null
for cmd in cat ls extract; do
    extra=()
    [ $cmd = extract ] && extra=(--to "$T/thx-$cmd")
    one_line "th-$cmd" 1 "$cmd of a path through a symlink" \
        '^cramfs: through\.img: a/victim: not in the image: a is a symlink \(not followed\)$' \
        "$CRAMFS" "$cmd" through.img "${extra[@]}" a/victim
    one_line "tf-$cmd" 1 "$cmd of a path through a file" \
        '^cramfs: through\.img: f/x: not in the image: f is not a directory$' \
        "$CRAMFS" "$cmd" through.img "${extra[@]}" f/x
done
[ ! -e "$T/thx-extract" ]
t_check $? "extract of only such paths creates no target"
run thm "$CRAMFS" extract through.img --to "$T/thm" a/victim d/victim
[ "$RC" = 1 ] && cmp -s "$T/thm/d/victim" through/d/victim && [ "$(wc -l <"$T/thm.err")" = 1 ]
t_check $? "extract of such a path and a good one: the good one extracted, exit 1 (got $RC)"

# Names with control characters are shown as ls -b shows them, in listings
# and diagnostics: one name is one line, and drives no terminal (issue 14,
# defect 9)
mkdir -p ctl/d
: >"ctl/d/two"$'\n'"lines" && : >"ctl/esc"$'\033'"[2J" && : >'ctl/back\slash'
ln -s "../../u"$'\n'"p" ctl/d/climb
"$CRAMFS" build --all-root -o ctl.img ctl 2>/dev/null
rc_run ctl 0 "ls -R of names with control characters" "$CRAMFS" ls -R ctl.img
sort "$T/ctl.out" >"$T/ctl.sorted"
printf '%s\n' 'back\\slash' d d/climb 'd/two\nlines' 'esc\033[2J' | sort | cmp -s - "$T/ctl.sorted"
t_check $? "ls -R: C escapes for control characters, a backslash doubled ($(tr '\n' '|' <"$T/ctl.out"))"
rc_run ctll 0 "ls -lR of names with control characters" "$CRAMFS" ls -lR ctl.img
[ "$(wc -l <"$T/ctll.out")" = 5 ] && grep -q ' d/climb -> \.\./\.\./u\\np$' "$T/ctll.out" &&
    ! grep -q $'\033' "$T/ctll.out"
t_check $? "ls -lR: one line per entry, the symlink target escaped too"
run ctlc "$CRAMFS" check ctl.img
! grep -q $'\033' "$T/ctlc.out" "$T/ctlc.err" &&
    grep -q 'warning: d/climb: symlink target "\.\./\.\./u\\np" climbs' <(sed 's|: /|: |' "$T/ctlc.out")
t_check $? "check: the warning quotes the target escaped, on one line"

# A superblock that contradicts the file: the reading commands warn once
# (issue 14, defect 10: ls -R exited 0 silently while check exits 4)
cp good.img bigsize.img
python3 - bigsize.img <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[4:8] = struct.pack("<I", 0xFFFFF000)   # size: 4 GiB - 4 KiB
open(sys.argv[1], "wb").write(b)
PY
for cmd in "ls -R" "cat @ /f100" "extract --to $T/bsx"; do
    read -r -a argv <<<"$cmd"
    [[ " ${argv[*]} " == *" @ "* ]] || argv+=(@)
    run bsz "$CRAMFS" "${argv[@]/#@/bigsize.img}"
    [ "$(grep -c 'warning: superblock size is 4294963200 bytes, the file has' "$T/bsz.err")" = 1 ]
    t_check $? "${argv[0]} of an image whose superblock size passes its end: one warning (exit $RC)"
done
# ls -l columns stay aligned for wide owners, sizes and device numbers
# (issue 13, item 10): every name starts in the same column
mkdir -p wide && head -c 12345678 /dev/zero >wide/big && : >wide/small
cat >wide.table <<'EOF2'
/big f 0644 65535 255 - - - - -
/small f 0644 7 1 - - - - -
/dev c 0600 0 0 4095 4095 - - -
EOF2
"$CRAMFS" build --all-root -D wide.table -o wide.img wide 2>/dev/null
rc_run lsw 0 "ls -l of wide owners, sizes and devices" "$CRAMFS" ls -l wide.img
awk '{ print index($0, $NF) }' "$T/lsw.out" | sort -u >"$T/lsw.cols"
[ "$(wc -l <"$T/lsw.out")" = 3 ] && [ "$(wc -l <"$T/lsw.cols")" = 1 ] &&
    grep -q ' 65535/255 ' "$T/lsw.out" && grep -q " 4095,4095 " "$T/lsw.out"
t_check $? "ls -l: names in one column ($(tr '\n' ' ' <"$T/lsw.cols"))"
one_line ex1 1 "extract of a missing path" '^cramfs: good\.img: .*/nope' \
    "$CRAMFS" extract good.img --to "$T/x4" /nope
# (issue 13, item 10: nothing to extract, so no empty target is left)
[ ! -e "$T/x4" ]
t_check $? "extract of a missing path: the target directory is not created"
run ex2 "$CRAMFS" extract good.img --to "$T/x4b" /nope /f100
[ "$RC" = 1 ] && cmp -s "$T/x4b/f100" src/f100
t_check $? "extract of a missing and a present path: the present one extracted, exit 1 (got $RC)"

# ------------------------------------------------------------ extraction
mkdir -p t1
printf 'keep\n' >t1/f100
run ow "$CRAMFS" extract good.img --to t1
[ "$RC" = 8 ]
t_check $? "extract onto an existing file without --force: exit 8 (got $RC)"
[ "$(cat t1/f100)" = keep ]
t_check $? "the existing file is left alone"
grep -q '^cramfs: good\.img: .*/f100' "$T/ow.err" && stderr_lines_ok "$T/ow.err" "cramfs: good.img: "
t_check $? "the error names the image and the path, one line each"
# (issue 13, item 10) and the last line says what replaces them
[ "$(tail -n 1 "$T/ow.err")" = "cramfs: good.img: 1 entry already in t1 was kept; pass --force to replace it" ]
t_check $? "one closing line: how many were kept, and that --force replaces them"
cmp -s t1/dir/sub/b src/dir/sub/b
t_check $? "the rest of the image is still extracted"
rc_run owf 0 "extract --force onto the same tree" "$CRAMFS" extract good.img --to t1 --force
cmp -s t1/f100 src/f100
t_check $? "--force replaced the existing file"

# pre-existing symlinks in the target are never followed
mkdir -p t2 outside
printf 'victim\n' >outside/victim
ln -s ../outside/victim t2/f100     # a file entry
ln -s ../outside t2/dir             # a directory entry
run sl "$CRAMFS" extract good.img --to t2
[ "$RC" = 8 ]
t_check $? "extract with symlinks in the way, without --force: exit 8 (got $RC)"
[ "$(cat outside/victim)" = victim ] && [ "$(ls outside)" = victim ]
t_check $? "nothing written through the symlinks (outside: $(ls outside | tr '\n' ' '))"
[ -L t2/f100 ] && [ -L t2/dir ]
t_check $? "without --force the symlinks stay"
stderr_lines_ok "$T/sl.err" "cramfs: good.img: "
t_check $? "errors are one line each, prefixed 'cramfs: good.img: '"
run slf "$CRAMFS" extract good.img --to t2 --force
[ "$(cat outside/victim)" = victim ] && [ "$(ls outside)" = victim ]
t_check $? "--force: still nothing written through the symlinks"
[ ! -L t2/f100 ] && cmp -s t2/f100 src/f100
t_check $? "--force replaced the symlink at /f100 by the file"
[ "$RC" = 0 ] && [ ! -L t2/dir ] && [ -d t2/dir ] && cmp -s t2/dir/a src/dir/a
t_check $? "--force replaced the symlink at /dir (a non-directory) by the directory (exit $RC)"
[ "$RC" = 0 ] || show slf

# symlinks in the image whose relative target climbs above the image root
# are created as stored (as fsck.cramfs and unsquashfs do; issue 13, item
# 2): extraction never resolves through one; check only warns
mkdir -p climb/d
ln -s ../outside climb/esc
ln -s ../../x climb/d/esc2
ln -s ../d climb/d/ok
ln -s /etc/passwd climb/abs
printf 'hi\n' >climb/f
"$MKFS" climb climb.img >/dev/null 2>&1
mkdir climbx
run clx "$CRAMFS" extract climb.img --to "$T/climbx/out"
[ "$RC" = 0 ] && [ ! -s "$T/clx.err" ]
t_check $? "extract with climbing symlinks: exit 0 (got $RC), nothing on stderr"
[ "$(readlink climbx/out/esc)" = ../outside ] && [ "$(readlink climbx/out/d/esc2)" = ../../x ]
t_check $? "climbing symlinks are created with their targets"
[ "$(readlink climbx/out/d/ok)" = ../d ] && [ "$(readlink climbx/out/abs)" = /etc/passwd ] && cmp -s climbx/out/f climb/f
t_check $? "the other entries are extracted (a symlink that stays inside, an absolute one, a file)"
# (but a user's extraction lists the owners it could not apply beside it)
[ "$(ls climbx | grep -vx out.manifest)" = out ]
t_check $? "nothing created beside the target"
# the same, extracted again over itself with --force: the links are
# replaced, never followed (climbx/outside must not appear)
run clf "$CRAMFS" extract --force climb.img --to "$T/climbx/out"
[ "$RC" = 0 ] && [ "$(ls climbx | grep -vx out.manifest)" = out ] && [ ! -e x ]
t_check $? "extract --force over the links: exit 0 (got $RC), nothing written through them"
[ "$RC" = 0 ] || show clf
run clc "$CRAMFS" check climb.img
[ "$RC" = 0 ] && [ "$(grep -c ': warning: .*climbs' "$T/clc.out")" = 2 ]
t_check $? "check: exit 0 (got $RC) with a warning for each climbing symlink"

usage u11 "extract -j 0 (man: 1 to 256)" "$CRAMFS" extract -j 0 good.img --to "$T/x5"
usage u12 "extract -j 257 (man: 1 to 256)" "$CRAMFS" extract -j 257 good.img --to "$T/x5"
[ ! -e "$T/x5" ]
t_check $? "a rejected -j extracts nothing"

# target directory problems are operational errors (8)
one_line tgt1 8 "extract into a missing parent directory" '^cramfs: good\.img: ' \
    "$CRAMFS" extract good.img --to "$T/no/such/parent/out"
printf 'x\n' >plainfile
one_line tgt2 8 "extract --to an existing regular file" '^cramfs: good\.img: ' \
    "$CRAMFS" extract good.img --to "$T/plainfile"
mkdir ro && chmod 0555 ro
chmod 0644 good.img
# (root writes anywhere: it runs the extraction as uid 65534)
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
one_line tgt3 8 "extract into a directory it cannot write" '^cramfs: good\.img: ' \
    "${as_user[@]}" "$CRAMFS" extract good.img --to "$T/ro/out"

# ------------------------------------------------------- truncated image
for cut in 3000 200 77; do
    head -c "$cut" good.img >trunc.img
    run tc "$CRAMFS" check trunc.img
    [ "$RC" = 4 ] && grep -q '^trunc\.img: error: ' "$T/tc.out"
    t_check $? "check of the image cut to $cut bytes: exit 4 (got $RC) and an error line"
    stderr_lines_ok "$T/tc.err" "cramfs: "
    t_check $? "check of the image cut to $cut bytes: stderr lines prefixed 'cramfs: '"
    [ -z "$(sort "$T/tc.out" | uniq -d)" ]
    t_check $? "check of the image cut to $cut bytes: no problem reported twice$(sort "$T/tc.out" | uniq -d | sed 's/^/ [dup: /; s/$/]/' | head -n 2 | tr -d '\n')"
    if [ "$cut" = 3000 ]; then    # directories intact: the paths named are real
        "$CRAMFS" ls -R good.img | sed 's|^|/|' | sort >"$T/paths"
        sed -n 's|^trunc\.img: error: \(/[^:]*\): .*|\1|p' "$T/tc.out" | sort -u >"$T/named"
        bogus=$(comm -13 "$T/paths" "$T/named" | tr '\n' ' ')
        [ -n "$(cat "$T/named")" ] && [ -z "$bogus" ]
        t_check $? "check of the image cut to 3000 bytes: every path named exists in the image${bogus:+ (not in the image: $bogus)}"
    fi
    run ti "$CRAMFS" info trunc.img
    [ "$RC" = 4 ] && [ -s "$T/ti.err" ] && stderr_lines_ok "$T/ti.err" "cramfs: trunc.img: "
    t_check $? "info of the image cut to $cut bytes: exit 4 (got $RC), the problem on stderr as 'cramfs: trunc.img: ...'"
    run te "$CRAMFS" extract trunc.img --to "$T/tr$cut"
    [ "$RC" = 4 ] && [ -s "$T/te.err" ] && stderr_lines_ok "$T/te.err" "cramfs: trunc.img: "
    t_check $? "extract of the image cut to $cut bytes: exit 4 (got $RC), errors 'cramfs: trunc.img: ...'"
    [ "$RC" = 4 ] || show te
    run tk "$CRAMFSCK" trunc.img
    [ "$RC" = 4 ]
    t_check $? "cramfsck of the image cut to $cut bytes: exit 4 (got $RC)"
done

# ------------------------------------------- cramfsck: util-linux options
cp good.img badcrc.img
crc=$(get_u32 badcrc.img 32 little)
put_u32 badcrc.img 32 $(( crc ^ 0x00010000 )) little

# ck WANT DESC ARGS...: our cramfsck and util-linux fsck.cramfs both exit WANT
ck() {
    local want=$1 desc=$2
    shift 2
    rc_run ck "$want" "cramfsck $desc" "$CRAMFSCK" "$@"
    run ref "$FSCK" "$@"
    [ "$RC" = "$want" ]
    t_check $? "(reference) fsck.cramfs $desc: exit $RC"
}
ck 0 "-a -v -y -b 4096 on a good image" -a -v -y -b 4096 good.img
ck 0 "--blocksize 4096 --verbose on a good image" --blocksize 4096 --verbose good.img
ck 0 "--extract on a good image" --extract good.img
rc_run ckx 0 "cramfsck --extract=DIR on a good image" "$CRAMFSCK" --extract="$T/ckx" good.img
cmp -s "$T/ckx/dir/sub/b" src/dir/sub/b
t_check $? "cramfsck --extract=DIR extracted the files"
# (an image without device nodes, which fsck.cramfs could not make as a user)
mkdir plain && printf 'plain\n' >plain/f && "$MKFS" plain plain.img >/dev/null 2>&1
rc_run ckx 0 "(reference) fsck.cramfs --extract=DIR on a good image" "$FSCK" --extract="$T/ckxref" plain.img
ck 0 "-V" -V
ck 0 "-h" -h
ck 0 "--help" --help
ck 4 "on a bad-CRC image" badcrc.img
ck 4 "--extract on a bad-CRC image" --extract badcrc.img
ck 8 "on a nonexistent file" "$T/nonexistent.img"
ck 16 "with a bad option" --bogus good.img
ck 16 "without a file" -v
ck 16 "with two files" good.img good.img
ck 4 "on a non-cramfs file" notcramfs.img
ck 4 "on an empty file" empty.img
rc_run ckx2 0 "cramfsck -x DIR (npitre style)" "$CRAMFSCK" -x "$T/ckx2" good.img
cmp -s "$T/ckx2/f100" src/f100
t_check $? "cramfsck -x DIR extracted the files"
rc_run ckv 0 "cramfsck -V prints a version" "$CRAMFSCK" -V
grep -qi 'cramfsck' "$T/ckv.out"
t_check $? "cramfsck -V names the program"

# --------------------- util-linux fsck-bad-header (docs/format.md §15)
mkdir -p bh/src/subdir
chmod 0755 bh/src bh/src/subdir
# bad_header NAME ORDER PAD BLOCK VALUES...: overwrite `size` with each value
bad_header() {
    local name=$1 order=$2 pad=$3 bs=$4 off=4 args=(-N "$2" -b "$4") v want
    shift 4
    [ "$pad" = 1 ] && { off=516; args+=(-p); }
    "$MKFS" "${args[@]}" bh/src "bh/$name.img" >/dev/null 2>&1 ||
        { t_fail "fsck-bad-header $name: mkfs.cramfs failed"; return; }
    local true_size
    true_size=$(get_u32 "bh/$name.img" $off "$order")
    [ "$true_size" = "$(stat -c %s "bh/$name.img")" ]
    t_check $? "fsck-bad-header $name: superblock size $true_size = file size"
    for v in "$@"; do
        cp "bh/$name.img" bh/t.img
        put_u32 bh/t.img $off "$v" "$order"
        want=4
        [ "$v" = "$true_size" ] && want=0
        run bhc "$CRAMFSCK" -b "$bs" bh/t.img
        [ "$RC" = $want ]
        t_check $? "fsck-bad-header $name size=$v: cramfsck exit $RC (want $want)"
        run bhr "$FSCK" -b "$bs" bh/t.img
        [ "$RC" = $want ]
        t_check $? "fsck-bad-header $name size=$v: (reference) fsck.cramfs exit $RC (want $want)"
        # The image holds no file: only its size (a multiple of the block
        # size) tells block sizes apart, and a 64 KiB one fits them all.
        [ $want = 0 ] && [ "$bs" = 65536 ] && want=2
        run bhk "$CRAMFS" check bh/t.img
        [ "$RC" = $want ]
        t_check $? "fsck-bad-header $name size=$v: cramfs check exit $RC (want $want)"
    done
}
for order in big little; do
    o=be; [ $order = little ] && o=le
    bad_header "nopad-4K-$o" $order 0 4096 0 75 76 4095 4096 4097 4294967295
    bad_header "pad-4K-$o" $order 1 4096 76 587 588 4095 4096 4097 4294967295
    bad_header "pad-64K-$o" $order 1 65536 76 587 588 65535 65536 65537 4294967295
done

t_done
