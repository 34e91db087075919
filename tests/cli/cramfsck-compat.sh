#!/bin/bash
# cramfsck-compat.sh - cramfsck as a drop-in for util-linux fsck.cramfs and
# cramfs-tools' cramfsck (man/cramfsck.8), as any user:
#   - -v prints exactly fsck.cramfs -v --extract's lines (endianness, one
#     line per entry named by its extraction path, "FILE: OK"), and -vv
#     also its block lines, for images of every entry type (devices and
#     foreign owners through a device table), in both byte orders, with a
#     boot pad and 8 KiB blocks; with --extract=DIR, -x DIR and with no
#     directory (fsck.cramfs lists nothing without --extract: the one
#     documented difference);
#   - cramfs-tools' options: -c extracts what can be read from a damaged
#     image (exit 4, with -v "extraction with N errors encountered"),
#     where without -c nothing is extracted; -x DIR, -v, -h.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkcramfs mkfs fsck python3
cd "$T" || exit 1

mkdir -p src/d/e src/empty-dir
gen_files src <<'EOF'
a 6 a text
d/r 10000 r rand
d/e/n 13893 n text
dup 13893 n text
big 70000 big blocks
EOF
: >src/empty-file
ln -s a src/l
ln -s "$(printf 'long/%.0s' $(seq 1 40))end" src/d/long-link
mkfifo src/d/p
chmod 4750 src/a
chmod 0700 src/d/e
# devices and owners no user can make on disk: through a device table
# (minor 70000 is wider than util-linux's column: cut there as well)
cat >table <<'EOF'
/dev         d 755  0     0   -   -     - - -
/dev/null    c 666  0     0   1   3     - - -
/dev/sda1    b 660  0     6   8   1     - - -
/dev/big     c 600  0     0   259 70000 - - -
/d/r         f 640  70000 300 -   -     - - -
EOF

# in_dir DIR CMD...: run CMD in DIR (created), output in $T/DIR.out/.err
in_dir() {
    local d=$1
    shift
    mkdir -p "$d"
    (cd "$d" && timeout 60 "$@" >"$T/$d.out" 2>"$T/$d.err")
    RC=$?
}

# same_lines DESC REF_ARGS -- OUR_ARGS: fsck.cramfs REF_ARGS and cramfsck
# OUR_ARGS, each run in a fresh directory of its own, print the same
# stdout and exit alike
same_lines() {
    local desc=$1 ref=() ours=() rrc
    shift
    while [ "$1" != -- ]; do ref+=("$1"); shift; done
    shift
    ours=("$@")
    rm -rf r o
    in_dir r "$FSCK" "${ref[@]}"
    rrc=$RC
    in_dir o "$CRAMFSCK" "${ours[@]}"
    [ "$RC" = "$rrc" ]
    t_check $? "$desc: cramfsck exits $RC, as fsck.cramfs ($rrc)"
    if diff -u --label fsck.cramfs --label cramfsck r.out o.out >lines.diff; then
        t_ok "$desc: stdout equals fsck.cramfs's ($(wc -l <r.out) lines)"
    else
        t_fail "$desc: stdout differs from fsck.cramfs's"; head -n 20 lines.diff | sed 's/^/  /'
    fi
}

# variant NAME "CHECKER ARGS" MKCRAMFS_ARGS...: the image of src (+ the
# table), then the listings of both checkers (given CHECKER ARGS)
variant() {
    local name=$1 img ck
    read -r -a ck <<<"$2"
    shift 2
    img=$T/$name.img
    "$MKCRAMFS" "$@" -D table src "$img" 2>/dev/null ||
        { t_fail "$name: mkcramfs $* failed: test setup"; return; }
    same_lines "$name: -v --extract (no directory)" "${ck[@]}" -v --extract "$img" -- \
        "${ck[@]}" -v "$img"
    [ "$(wc -l <r.out)" -gt 15 ] && grep -q '^c 0600  259, 368     0:0   /dev/big$' r.out &&
        grep -q '^f 0640     10000  4464:44  /d/r$' r.out
    t_check $? "$name: (reference) a line per entry, with the stored device numbers and owners"
    same_lines "$name: -vv --extract" "${ck[@]}" -vv --extract "$img" -- "${ck[@]}" -vv "$img"
    grep -q '^  uncompressing block at [0-9]* to [0-9]* ([0-9]*)$' r.out
    t_check $? "$name: (reference) -vv lists blocks"
    # no device can be made by a user: extract a tree of files only
    "$MKCRAMFS" "$@" src "$T/$name-files.img" 2>/dev/null
    same_lines "$name: -v --extract=DIR" "${ck[@]}" -v --extract=x "$T/$name-files.img" -- \
        "${ck[@]}" -v --extract=x "$T/$name-files.img"
    same_lines "$name: -v -x DIR (cramfs-tools)" "${ck[@]}" -v --extract=x "$T/$name-files.img" -- \
        "${ck[@]}" -v -x x "$T/$name-files.img"
    cmp -s o/x/d/e/n src/d/e/n
    t_check $? "$name: -x DIR extracted the files"
}
variant le "" -N little
variant be "" -N big
variant be-p-8k "-b 8192" -N big -p -b 8192

# fsck.cramfs lists only when extracting; cramfsck always (man page)
"$MKCRAMFS" src plain.img 2>/dev/null
run ref "$FSCK" -v plain.img
[ "$RC" = 0 ] && [ "$(cat "$T/ref.out")" = "$(printf 'cramfs endianness is little\nplain.img: OK')" ]
t_check $? "(reference) fsck.cramfs -v without --extract prints only endianness and OK"
run ours "$CRAMFSCK" -v plain.img
[ "$RC" = 0 ] && [ "$(wc -l <"$T/ours.out")" -gt 10 ] && tail -n 1 "$T/ours.out" | grep -qx 'plain.img: OK'
t_check $? "cramfsck -v lists every entry without --extract as well (exit $RC)"

# -------------------------------------------------- cramfs-tools' -c
# damage one block of /d/r (a random file: its data is the longest run)
cp plain.img bad.img
off=$(python3 - plain.img <<'PY'
import sys, zlib
d = open(sys.argv[1], "rb").read()
# the first zlib stream that inflates to random bytes is d/r's first block
for o in range(76, len(d) - 2):
    if d[o] == 0x78 and (d[o] << 8 | d[o + 1]) % 31 == 0:
        try:
            out = zlib.decompressobj().decompress(d[o:o + 9000])
        except zlib.error:
            continue
        if len(out) == 4096 and len(set(out)) > 200:
            print(o + 100); break
PY
)
[ -n "$off" ]
t_check $? "test setup: found a data block of /d/r (at ${off:-?} - 100)"
printf 'XXXXXXXX' | dd of=bad.img bs=1 seek="${off:-0}" conv=notrunc status=none
rc_run noc 4 "cramfsck -x DIR of a damaged image" "$CRAMFSCK" -x "$T/noc" bad.img
[ ! -e noc/a ]
t_check $? "without -c nothing is extracted"
rc_run withc 4 "cramfsck -c -x DIR of a damaged image" "$CRAMFSCK" -c -x "$T/withc" bad.img
cmp -s withc/a src/a && cmp -s withc/d/e/n src/d/e/n && [ -L withc/l ]
t_check $? "-c: the readable entries are extracted"
grep -q '/d/r' "$T/withc.err"
t_check $? "-c: the damaged file is named on stderr"
rc_run withcv 4 "cramfsck -v -c of a damaged image" "$CRAMFSCK" -v -c bad.img
grep -Eq '^bad\.img: extraction with [1-9][0-9]* errors encountered$' "$T/withcv.out" &&
    ! grep -q 'bad.img: OK' "$T/withcv.out"
t_check $? "-v -c: 'extraction with N errors encountered', no OK line"
rc_run cok 0 "cramfsck -c of a good image" "$CRAMFSCK" -c plain.img
rc_run ch 0 "cramfsck -h (cramfs-tools)" "$CRAMFSCK" -h
grep -q -- ' -c ' "$T/ch.out"
t_check $? "cramfsck -h describes -c"
rc_run cbad 16 "cramfsck -Q (unknown option)" "$CRAMFSCK" -Q plain.img
t_done
