#!/usr/bin/env bash
# Extraction of hostile images and under faults (issue 14):
#   - defect 5: holes are written as holes, and blocks that inflate to
#     zeros too (st_blocks stays small); the output is bounded: a warning
#     once it passes 16 times the image size and 256 MiB, a stop at
#     --max-output (default 64 times the image size plus 1 GiB; 0: no
#     limit) with an error naming the limit, exit 8, and every file that
#     was extracted complete.
# Runs as any user.  The images alias one file through hard links, which
# the builder stores as one data item: nothing needs patching for that.
. "$(dirname "$0")/lib.sh"
t_init cramfs

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
# 20 KB of image, 21 names of one 16 MiB sparse file: 336 MiB to write.
mkdir "$T/alias"
cp --sparse=always "$T/sparse/f" "$T/alias/f00"
for i in $(seq -w 1 20); do ln "$T/alias/f00" "$T/alias/f$i"; done
"$CRAMFS" build -z -o "$T/alias.img" "$T/alias" 2> /dev/null || t_fail "build alias.img"
t_note "alias.img: $(stat -c %s "$T/alias.img") bytes, 21 entries of $MAX16 bytes"

rc_run alias-def 0 "336 MiB from 20 KB: within the default limit" \
    "$CRAMFS" extract "$T/alias.img" --to "$T/alias-def"
[ "$(grep -c 'warning: .*the output passes 268435456 bytes, more than 16 times the image size' "$T/alias-def.err")" = 1 ]
t_check $? "one warning when the output passes 16 times the image and 256 MiB"
[ "$(ls "$T/alias-def" | wc -l)" = 21 ] && cmp -s "$T/sparse/f" "$T/alias-def/f20"
t_check $? "every entry extracted"
small_on_disk "336 MiB of holes take no room" "$T/alias-def" 4096

# --max-output 100M: six files fit (96 MiB), the seventh would not.
rc_run alias-100m 8 "--max-output 100M stops, exit 8" \
    "$CRAMFS" extract --max-output 100M "$T/alias.img" --to "$T/alias-100m"
grep -q '^cramfs: .*alias.img: error: /f06: output limit of 104857600 bytes (as given) reached: extraction stopped' "$T/alias-100m.err"
t_check $? "the error names the limit and the first entry left out"
grep -q 'extraction stopped at the output limit of 104857600 bytes; pass --max-output BYTES to raise it (0: no limit)$' "$T/alias-100m.err"
t_check $? "a last line says how to raise it"
[ "$(cd "$T/alias-100m" && echo *)" = "f00 f01 f02 f03 f04 f05" ]
t_check $? "the six files before the limit are there, nothing after"
ok=0
for f in "$T"/alias-100m/f0*; do
    cmp -s "$T/sparse/f" "$f" && [ "$(stat -c %a "$f")" = 644 ] || ok=1
done
t_check $ok "each of them complete, with its final mode"

rc_run alias-0 0 "--max-output 0: no limit" \
    "$CRAMFS" extract --max-output 0 "$T/alias.img" --to "$T/alias-0"
[ "$(ls "$T/alias-0" | wc -l)" = 21 ]
t_check $? "--max-output 0: every entry extracted"
grep -q 'no limit is set' "$T/alias-0.err"
t_check $? "--max-output 0: the warning says that no limit is set"

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
rc_run ok-max 0 "--max-output 1g is taken" \
    "$CRAMFS" extract --max-output 1g "$T/alias.img" --to "$T/ok-max-1g"

# The default: 64 times the image plus 1 GiB.  70 names of the file
# (1.1 GiB) from 20 KB: the 65th does not fit.
mkdir "$T/alias70"
cp --sparse=always "$T/sparse/f" "$T/alias70/f00"
for i in $(seq -w 1 69); do ln "$T/alias70/f00" "$T/alias70/f$i"; done
"$CRAMFS" build -z -o "$T/alias70.img" "$T/alias70" 2> /dev/null || t_fail "build alias70.img"
size=$(stat -c %s "$T/alias70.img")
limit=$((size * 64 + 1073741824))
rc_run alias70 8 "1.1 GiB from $size bytes: the default limit stops it" \
    "$CRAMFS" extract "$T/alias70.img" --to "$T/alias70-x"
grep -q "error: /f64: output limit of $limit bytes (the default: 64 times the image size plus 1 GiB) reached" "$T/alias70.err"
t_check $? "the default limit is 64 times the image size plus 1 GiB ($limit)"
[ "$(ls "$T/alias70-x" | wc -l)" = 64 ]
t_check $? "64 files extracted before the limit"
small_on_disk "and they take no room" "$T/alias70-x" 8192

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

t_done
