#!/usr/bin/env bash
# Extraction of hostile images and under faults (issue 14):
#   - defect 5: holes are written as holes, and blocks that inflate to
#     zeros too (st_blocks stays small); the output is bounded: a warning
#     once it passes 16 times the image size and 256 MiB, a stop at
#     --max-output (default 64 times the image size plus 1 GiB; 0: no
#     limit) with an error naming the limit, exit 8, and every file that
#     was extracted complete.
#   - defect 6: duplicate names (file/file, file/symlink, symlink/file,
#     directory/file) give one result whatever the threads do, with and
#     without --force: the first entry of a name wins, each later one is
#     an error line (corrupt, exit 4); 30 runs each.
#   - defect 8: a file that cannot be written completely (a full tmpfs,
#     RLIMIT_FSIZE) is removed and its error line says so (exit 8); every
#     file left is complete, with its final mode.  The tmpfs part mounts
#     in a mount namespace of its own: as root, or in a user namespace
#     where those are allowed (else skipped); the ulimit -f part runs as
#     any user, without trapping SIGXFSZ (the tools ignore it).
# Runs as any user.  The images alias one file through hard links, which
# the builder stores as one data item: nothing needs patching for that.
. "$(dirname "$0")/lib.sh"
t_init cramfs cramfsck python3

MAX16=16777215		# the largest cramfs file

# blocks_kib PATH: disk space of PATH (and below), in KiB
blocks_kib() { du -sk "$1" | cut -f1; }

# A file system that keeps holes: else the size checks say nothing.
truncate -s 8M "$T/probe"
sparse_fs=1
[ "$(blocks_kib "$T/probe")" -lt 1024 ] || sparse_fs=0
rm -f "$T/probe"
[ $sparse_fs = 1 ] || t_note "$T keeps no holes: disk space checks skipped"

# small_on_disk DESC PATH KIB: PATH takes less than KIB KiB
small_on_disk() {
    [ $sparse_fs = 1 ] || return 0
    local got
    got=$(blocks_kib "$2")
    [ "$got" -lt "$3" ]
    t_check $? "$1 (takes $got KiB on disk, limit $3)"
}

# ------------------------------------------------------- holes (defect 5)
# One 16 MiB file: zeros with a little data in three places.
mkdir "$T/sparse"
truncate -s $MAX16 "$T/sparse/f"
for at in 0 8000000 16777000; do
    printf 'data at %d' $at | dd of="$T/sparse/f" bs=1 seek=$at conv=notrunc status=none
done
"$CRAMFS" build -z -o "$T/holes.img" "$T/sparse" 2> /dev/null || t_fail "build -z"
"$CRAMFS" build -o "$T/zeros.img" "$T/sparse" 2> /dev/null || t_fail "build"
for img in holes zeros; do
    rc_run "x-$img" 0 "$img: extract" "$CRAMFS" extract "$T/$img.img" --to "$T/x-$img"
    cmp -s "$T/sparse/f" "$T/x-$img/f"
    t_check $? "$img: the file extracted equals the source"
    small_on_disk "$img: written sparse" "$T/x-$img/f" 256
done
t_note "images: holes $(stat -c %s "$T/holes.img") bytes (holes stored), zeros $(stat -c %s "$T/zeros.img") bytes (zero blocks compressed)"

# --------------------------------------------- bounded output (defect 5)
# 20 KB of image, 70 names of one 16 MiB sparse file: 1.1 GiB to write.
mkdir "$T/alias"
cp --sparse=always "$T/sparse/f" "$T/alias/f00"
for i in $(seq -w 1 69); do ln "$T/alias/f00" "$T/alias/f$i"; done
"$CRAMFS" build -z -o "$T/alias.img" "$T/alias" 2> /dev/null || t_fail "build alias.img"
size=$(stat -c %s "$T/alias.img")
t_note "alias.img: $size bytes, 70 entries of $MAX16 bytes"

# The default: 64 times the image size plus 1 GiB; the 65th does not fit.
limit=$((size * 64 + 1073741824))
rc_run alias-def 8 "1.1 GiB from $size bytes: the default limit stops it" \
    "$CRAMFS" extract "$T/alias.img" --to "$T/alias-def"
grep -q "^cramfs: .*alias.img: error: /f64: output limit of $limit bytes (the default: 64 times the image size plus 1 GiB) reached: extraction stopped" "$T/alias-def.err"
t_check $? "the error names the default limit, 64 times the image size plus 1 GiB ($limit), and the first entry left out"
grep -q "extraction stopped at the output limit of $limit bytes; pass --max-output BYTES to raise it (0: no limit)\$" "$T/alias-def.err"
t_check $? "a last line says how to raise it"
[ "$(grep -c 'warning: .*the output passes 268435456 bytes, more than 16 times the image size' "$T/alias-def.err")" = 1 ]
t_check $? "before that, one warning when the output passed 16 times the image and 256 MiB"
[ "$(ls "$T/alias-def" | wc -l)" = 64 ] && cmp -s "$T/sparse/f" "$T/alias-def/f63"
t_check $? "64 files extracted before the limit"
small_on_disk "1 GiB of holes takes no room" "$T/alias-def" 8192

# --max-output 100M: six files fit (96 MiB), the seventh would not.
rc_run alias-100m 8 "--max-output 100M stops, exit 8" \
    "$CRAMFS" extract --max-output 100M "$T/alias.img" --to "$T/alias-100m"
grep -q '^cramfs: .*alias.img: error: /f06: output limit of 104857600 bytes (as given) reached: extraction stopped' "$T/alias-100m.err"
t_check $? "the error names the limit given and the first entry left out"
[ "$(cd "$T/alias-100m" && echo *)" = "f00 f01 f02 f03 f04 f05" ]
t_check $? "the six files before the limit are there, nothing after"
ok=0
for f in "$T"/alias-100m/f0*; do
    cmp -s "$T/sparse/f" "$f" && [ "$(stat -c %a "$f")" = 644 ] || ok=1
done
t_check $ok "each of them complete, with its final mode"
! grep -q warning "$T/alias-100m.err"
t_check $? "no warning below 256 MiB"

rc_run alias-0 0 "--max-output 0: no limit" \
    "$CRAMFS" extract --max-output 0 "$T/alias.img" --to "$T/alias-0"
[ "$(ls "$T/alias-0" | wc -l)" = 70 ]
t_check $? "--max-output 0: every entry extracted"
grep -q 'no limit is set' "$T/alias-0.err"
t_check $? "--max-output 0: the warning says that no limit is set"
rc_run alias-2g 0 "--max-output 2G: every entry fits" \
    "$CRAMFS" extract --max-output 2G "$T/alias.img" --to "$T/alias-2g"

for bad in 1x -1 1KK 99999999999999999999 ''; do
    rc_run "bad-max" 16 "--max-output '$bad' is a usage error" \
        "$CRAMFS" extract --max-output "$bad" "$T/alias.img" --to "$T/bad"
done
grep -q "^cramfs: extract: --max-output : expected bytes, with an optional K, M or G suffix (0: no limit)" "$T/bad-max.err"
t_check $? "a bad --max-output says what it takes"
[ ! -e "$T/bad" ]
t_check $? "a bad --max-output creates nothing"

for v in 64K=65536 3m=3145728 123=123 15M=15728640; do
    rc_run ok-max 8 "--max-output ${v%=*} is taken" \
        "$CRAMFS" extract --max-output "${v%=*}" "$T/holes.img" --to "$T/ok-max-${v%=*}"
    grep -q "output limit of ${v#*=} bytes (as given)" "$T/ok-max.err"
    t_check $? "--max-output ${v%=*} is ${v#*=} bytes"
done
rm -rf "$T"/alias-* "$T"/ok-max-*

# Data that is no hole: 300 names of 1 MiB of random bytes (300 MiB from
# 1 MiB), stopped at 20 MiB: 20 MiB written, no more.
mkdir "$T/bomb"
head -c 1048576 /dev/urandom > "$T/bomb/f000"
for i in $(seq -w 1 299); do ln "$T/bomb/f000" "$T/bomb/f$i"; done
"$CRAMFS" build -o "$T/bomb.img" "$T/bomb" 2> /dev/null || t_fail "build bomb.img"
rc_run bomb 8 "300 MiB of aliased data from 1 MiB, --max-output 20M: exit 8" \
    "$CRAMFS" extract --max-output 20M -j 2 "$T/bomb.img" --to "$T/bomb-x"
[ "$(ls "$T/bomb-x" | wc -l)" = 20 ] && [ "$(blocks_kib "$T/bomb-x")" -le $((20 * 1024 + 200)) ]
t_check $? "20 files of 1 MiB written, no more ($(blocks_kib "$T/bomb-x") KiB)"

# ------------------------------------------------ duplicates (defect 6)
# Built with distinct names, then each "...b" entry renamed to "...a"
# (same length: the image stays valid but for the duplicates; CRC fixed).
mkdir -p "$T/dsrc/xa"
for i in $(seq -w 0 19); do
    printf 'first %s' "$i" > "$T/dsrc/f${i}a"
    printf 'second %s' "$i" > "$T/dsrc/f${i}b"
    printf 'file %s' "$i" > "$T/dsrc/l${i}a"
    ln -s "target-$i" "$T/dsrc/l${i}b"
    ln -s "first-$i" "$T/dsrc/s${i}a"
    printf 'file %s' "$i" > "$T/dsrc/s${i}b"
done
printf in > "$T/dsrc/xa/in"
printf 'a file' > "$T/dsrc/xb"
"$CRAMFS" build -o "$T/dup0.img" "$T/dsrc" 2> /dev/null || t_fail "build dup0.img"
python3 - "$T/dup0.img" "$T/dup.img" <<'PY' || t_fail "patching dup.img"
import struct, sys, zlib
img = bytearray(open(sys.argv[1], "rb").read())
names = [f"{k}{i:02d}" for k in "fls" for i in range(20)] + ["x"]
for stem in names:
    old = (stem + "b").encode()
    old += b"\0" * (-len(old) % 4)
    at = img.find(old, 76)           # past the superblock and the root
    assert at > 0 and img.find(old, at + 1) < 0, stem
    img[at + len(stem)] = ord("a")
img[32:36] = bytes(4)
struct.pack_into("<I", img, 32, zlib.crc32(img))
open(sys.argv[2], "wb").write(img)
PY

# digest DIR: each entry's path, type and symlink target, then the files'
# contents (grep -r follows no symlink)
digest() {
    (cd "$1" && find . -mindepth 1 -printf '%P %y %l\n' | sort && grep -r '' . | sort)
}
mkdir -p "$T/dwant/xa"
for i in $(seq -w 0 19); do
    printf 'first %s' "$i" > "$T/dwant/f${i}a"
    printf 'file %s' "$i" > "$T/dwant/l${i}a"
    ln -s "first-$i" "$T/dwant/s${i}a"
done
printf in > "$T/dwant/xa/in"
digest "$T/dwant" > "$T/dup.want"
for force in "" --force; do
    for run in $(seq 1 30); do
        rm -rf "$T/dx"
        "$CRAMFS" extract $force -j 8 "$T/dup.img" --to "$T/dx" 2> "$T/dup.err"
        echo "rc $?" > "$T/dup.run"
        grep -c 'duplicate name: not extracted (the first entry of the name was)' "$T/dup.err" >> "$T/dup.run"
        digest "$T/dx" >> "$T/dup.run"
        md5sum < "$T/dup.run"
        cp "$T/dup.run" "$T/dup.last"
    done | sort -u > "$T/dup.sums"
    [ "$(wc -l < "$T/dup.sums")" = 1 ]
    t_check $? "extract ${force:-without --force}: 30 runs, one result ($(wc -l < "$T/dup.sums") seen)"
    { echo "rc 4"; echo 61; cat "$T/dup.want"; } | cmp -s - "$T/dup.last"
    t_check $? "extract ${force:-without --force}: the first entry of each name, 61 errors, exit 4"
done
rm -rf "$T/dx"
for run in $(seq 1 30); do
    rm -rf "$T/dx"
    "$CRAMFSCK" -c --extract="$T/dx" "$T/dup.img" > /dev/null 2>&1
    digest "$T/dx" | md5sum
done | sort -u > "$T/dupck.sums"
[ "$(wc -l < "$T/dupck.sums")" = 1 ] && [ "$(md5sum < "$T/dup.want")" = "$(cat "$T/dupck.sums")" ]
t_check $? "cramfsck -c --extract: 30 runs, the first entry of each name"

# ------------------------------------------------ full disk (defect 8)
# 40 files of 100 KB of random bytes in two directories, small ones, and
# one of 1.5 MB.
mkdir -p "$T/fsrc/d1" "$T/fsrc/d2"
for i in $(seq -w 1 20); do
    head -c 100000 /dev/urandom > "$T/fsrc/d1/r$i"
    head -c 100000 /dev/urandom > "$T/fsrc/d2/r$i"
    printf 'small %s' "$i" > "$T/fsrc/s$i"
done
head -c 1500000 /dev/urandom > "$T/fsrc/huge"
"$CRAMFS" build -o "$T/full.img" "$T/fsrc" 2> /dev/null || t_fail "build full.img"

# left_ok NAME DIR WHY: after the failed run NAME into DIR, every file in
# DIR is complete with its final mode and time, and every source file
# missing from DIR has its error line "removed" (WHY), at least one.
left_ok() {
    local name=$1 dir=$2 f rel bad=0 gone=0
    while IFS= read -r f; do
        rel=${f#"$T/fsrc/"}
        if [ -e "$dir/$rel" ]; then
            cmp -s "$f" "$dir/$rel" && [ "$(stat -c %a "$dir/$rel")" = 644 ] &&
                [ "$(stat -c %Y "$dir/$rel")" = 0 ] || { bad=1; echo "  $rel: incomplete"; }
        else
            gone=$((gone + 1))
            grep -q "^cram[a-z]*: .*full.img: error: /$rel: cannot write (the partial file was removed): $3\$" "$T/$name.err" ||
                { bad=1; echo "  $rel: missing without its line"; }
        fi
    done < <(find "$T/fsrc" -type f)
    [ $bad = 0 ]
    t_check $? "$name: the files left are complete, each one missing has its line"
    [ $gone -gt 0 ] && [ "$(grep -c 'partial file was removed' "$T/$name.err")" = $gone ]
    t_check $? "$name: $gone partial files removed, as many lines"
}

# RLIMIT_FSIZE: 1000 KiB (ulimit -f counts KiB): huge does not fit.
for tool in cramfs cramfsck; do
    rm -rf "$T/fx"
    if [ $tool = cramfs ]; then
        ( ulimit -f 1000; exec "$CRAMFS" extract -j 2 "$T/full.img" --to "$T/fx" ) 2> "$T/fsize-$tool.err"
    else
        ( ulimit -f 1000; exec "$CRAMFSCK" --extract="$T/fx" "$T/full.img" ) 2> "$T/fsize-$tool.err"
    fi
    rc=$?
    [ $rc = 8 ]
    t_check $? "$tool, ulimit -f: exit 8 (got $rc; SIGXFSZ is ignored)"
    [ ! -e "$T/fx/huge" ]
    t_check $? "$tool, ulimit -f: the partial file removed"
    left_ok "fsize-$tool" "$T/fx" "File too large"
done

# A real full file system: a 1 MiB tmpfs, in a mount namespace of ours
# (gone with it: the results are copied out).
mkdir "$T/full"
cat > "$T/in-ns.sh" <<'EOF'
T=$1 CRAMFS=$2
mount -t tmpfs -o size=1m cramfs-test "$T/full" || exit 77
"$CRAMFS" extract -j 2 "$T/full.img" --to "$T/full/x" 2> "$T/tmpfs.err"
echo $? > "$T/tmpfs.rc"
cp -a "$T/full/x" "$T/tmpfs-x"
EOF
if [ "$(id -u)" = 0 ]; then
    unshare -m bash "$T/in-ns.sh" "$T" "$CRAMFS"
    ns=$?
elif unshare -rm true 2> /dev/null; then
    unshare -rm bash "$T/in-ns.sh" "$T" "$CRAMFS"
    ns=$?
else
    ns=77
fi
if [ $ns = 77 ]; then
    t_note "cannot mount a tmpfs here (not root, no user namespaces): that part skipped"
else
    [ "$(cat "$T/tmpfs.rc")" = 8 ]
    t_check $? "full tmpfs: exit 8"
    left_ok tmpfs "$T/tmpfs-x" "No space left on device"
fi

t_done
