#!/bin/bash
# mkcramfs-compat.sh - mkcramfs as a drop-in for Debian's util-linux
# mkfs.cramfs and for cramfs-tools' mkcramfs (man/mkcramfs.8), as any user:
#   - exit codes: every case below is run through both mkfs.cramfs and
#     mkcramfs in the same state, and mkcramfs must exit as mkfs.cramfs
#     does (the reference's code is measured, never assumed): a missing
#     source or -i file, an output in a missing directory or below a file,
#     an output that is a directory, an unwritable output directory, usage
#     errors, -E with a warning, success; errors are one stderr line naming
#     the file, and nothing is written;
#   - the differences the man page documents (a block size that is not a
#     power of two, -l, an -i that is a directory, an unreadable file, the
#     cramfs-tools options) behave as it says, for both tools;
#   - -v prints exactly util-linux's listing (entries in directory order,
#     per-file size changes, directory data, total, CRC) for a tree of
#     every entry type an unprivileged user can make, in several variants;
#   - -D: one device table gives one tree through mkcramfs and cramfs
#     build (a count of 3 from 1 makes mtdblock1..3, as cramfs-tools does
#     since its fix; cramfs-tools 2.2 made mtdblock1..2).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs mkcramfs mkfs python3
cd "$T" || exit 1

# ------------------------------------------------------------- the tree
mkdir -p src/d/e src/z empty isdir
gen_files src <<'EOF'
a 6 a text
d/r 10000 r rand
d/e/n 13893 n text
dup 13893 n text
big 70000 big blocks
z/zeros 20000 z zero
EOF
: >src/empty-file
ln -s a src/l
ln -s d/e/n src/l2
mkfifo src/d/p
mk_socket src/d/s
chmod 4755 src/a
chmod 0700 src/d/e
printf 'blob to insert\n' >blob
: >plainfile

# --------------------------------------------------------- exit codes
# same_exit DESC ARGS...: mkfs.cramfs and mkcramfs, each from the same
# state (no out*.img), exit alike; sets $REF to the reference's code
same_exit() {
    local desc=$1
    shift
    rm -f out*.img
    run ref "$MKFS" "$@"
    REF=$RC
    rm -f out*.img
    rc_run ours "$REF" "mkcramfs $desc: exits as mkfs.cramfs" "$MKCRAMFS" "$@"
}

# error_case DESC NAMED ARGS...: an error in both tools, as alike as
# same_exit says; ours says so in one stderr line naming NAMED, writes nothing
error_case() {
    local desc=$1 named=$2
    shift 2
    same_exit "$desc" "$@"
    [ "$REF" != 0 ]
    t_check $? "$desc: (reference) mkfs.cramfs fails (exit $REF)"
    [ "$(wc -l <ours.err)" = 1 ] && grep -qF -- "$named" ours.err
    t_check $? "$desc: one stderr line naming $named ($(head -n 1 ours.err))"
    [ -z "$(find . -maxdepth 2 -name 'out*.img*')" ]
    t_check $? "$desc: nothing written"
}

error_case "of a missing source" no-such-dir no-such-dir out.img
error_case "-i of a missing file" no-such-file -i no-such-file src out.img
error_case "into a missing directory" no/such/dir/out.img src no/such/dir/out.img
error_case "to a directory" isdir src isdir
error_case "below a regular file" plainfile/out.img src plainfile/out.img
mkdir -m 0555 ro
if [ "$(id -u)" = 0 ]; then
    # root writes into a 0555 directory: both tools succeed
    same_exit "into a 0555 directory (as root)" src ro/out.img
    rm -f ro/out.img
else
    error_case "into a 0555 directory" ro/out.img src ro/out.img
fi
for args in "" "src" "-Q src out.img" "--bogus src out.img" "-N middle src out.img" \
    "-b abc src out.img" "-e abc src out.img" "-e -1 src out.img" "src out.img extra"; do
    read -r -a argv <<<"$args"
    same_exit "$args (usage error)" "${argv[@]}"
    [ "$REF" = 16 ]
    t_check $? "$args: (reference) a usage error for mkfs.cramfs (exit $REF)"
done
for args in "-h" "--help" "-V" "--version" "src out.img" "-s src out.img" \
    "-p -z -e 3 -n label -N big -b 8192 -i blob src out.img"; do
    read -r -a argv <<<"$args"
    same_exit "$args" "${argv[@]}"
    [ "$REF" = 0 ]
    t_check $? "$args: (reference) mkfs.cramfs succeeds (exit $REF)"
done

# -E with a warning (a file of 16 MiB is cut): both exit 8; util-linux has
# written the image anyway, mkcramfs writes nothing (man page)
mkdir big16 && truncate -s 16777216 big16/f
same_exit "-E with a file of 16 MiB" -E big16 out.img
[ "$REF" = 8 ]
t_check $? "-E: (reference) mkfs.cramfs exits 8"
[ ! -e out.img ]
t_check $? "-E: mkcramfs wrote nothing"
"$MKFS" -E big16 out-ref.img >/dev/null 2>&1
[ -s out-ref.img ]
t_check $? "-E: (reference) mkfs.cramfs writes the image anyway, as the man page says"
rm -rf big16 out-ref.img

# ---------------------------------------------- documented differences
# diff_case DESC WANT_REF WANT_OURS ARGS...: both exits as documented
diff_case() {
    local desc=$1 want_ref=$2 want_ours=$3
    shift 3
    rm -f out*.img
    run ref "$MKFS" "$@"
    [[ "|$want_ref|" == *"|$RC|"* ]]
    t_check $? "$desc: (reference) mkfs.cramfs exits $RC, as the man page says ($want_ref)"
    rm -f out*.img
    rc_run ours "$want_ours" "mkcramfs $desc (documented difference)" "$MKCRAMFS" "$@"
}
diff_case "-b 12288 (not a power of two)" 0 16 -b 12288 src out.img
diff_case "-l (util-linux >= 2.39; Debian 12 has 2.38.1)" 16 0 -l src out.img
# (util-linux crashes on a directory to insert: any signal, 128 + N)
diff_case "-i DIRECTORY" "134|135|136|139" 16 -i isdir src out.img
for opt in -B -L -q -x -X "-j 2" "-D /dev/null"; do
    read -r -a argv <<<"$opt"
    diff_case "$opt (cramfs-tools' or ours)" 16 0 "${argv[@]}" src out.img
done
if [ "$(id -u)" != 0 ]; then
    # an unreadable file: util-linux skips it (exit 0), mkcramfs refuses
    mkdir unread && printf 'x\n' >unread/f && chmod 000 unread/f
    diff_case "a tree with an unreadable file" 0 8 unread out.img
    chmod 644 unread/f
fi

# ------------------------------------------------------- -v listing
# listing DESC OPTS...: same image, same stdout as mkfs.cramfs -v
listing() {
    local desc=$1
    shift
    rm -f ul.img mk.img
    "$MKFS" -v "$@" src ul.img >ul.out 2>/dev/null ||
        { t_fail "-v $desc: mkfs.cramfs failed: test setup"; return; }
    rc_run mkv 0 "mkcramfs -v $desc" "$MKCRAMFS" -v "$@" src mk.img || return
    cmp -s ul.img mk.img
    t_check $? "-v $desc: the image equals mkfs.cramfs's"
    if diff -u --label mkfs.cramfs --label mkcramfs ul.out "$T/mkv.out" >v.diff; then
        t_ok "-v $desc: stdout equals mkfs.cramfs -v's ($(wc -l <ul.out) lines)"
    else
        t_fail "-v $desc: stdout differs from mkfs.cramfs -v's"
        head -n 30 v.diff | sed 's/^/  /'
    fi
}
listing "(default)"
# the reference lists directory headers, entries and a line per data item
grep -qx "'e':" ul.out && grep -qx "  dup" ul.out && grep -Eq '^ *-?[0-9.]+% \([+-][0-9]+ bytes\)	r$' ul.out
t_check $? "-v: (reference) the listing has headers, entries and per-file lines"
listing "-p -N big -b 8192" -p -N big -b 8192
listing "-z (holes)" -z
listing "-i FILE -n label -e 9" -i "$T/blob" -n label -e 9
listing "-b 65536" -b 65536
mv src src.full && mkdir -m 0755 src
listing "of an empty tree"
rmdir src && mv src.full src

# ------------------------------------------------- -D: one table, one tree
cat >table <<'EOF'
# name          type mode uid gid major minor start inc count
/dev            d    755  0   0   -     -     -     -   -
/dev/mtdblock   b    640  0   6   31    1     1     1   3
/dev/ttyS       c    620  0   5   4     64    2     5   3
/dev/null       c    666  0   0   1     3     -     -   -
/a              f    4755 12  34  -     -     -     -   -
EOF
rc_run dtm 0 "mkcramfs -D TABLE" "$MKCRAMFS" -D table src dt-mk.img
rc_run dtb 0 "cramfs build -D TABLE" "$CRAMFS" build -D table -o dt-b.img src
"$CRAMFS" ls -lR dt-mk.img >dt-mk.ls 2>&1
"$CRAMFS" ls -lR dt-b.img >dt-b.ls 2>&1
if diff -u --label "mkcramfs -D" --label "cramfs build -D" dt-mk.ls dt-b.ls >dt.diff; then
    t_ok "-D: mkcramfs and cramfs build give the same tree ($(wc -l <dt-mk.ls) entries)"
else
    t_fail "-D: mkcramfs and cramfs build give different trees"; head -n 20 dt.diff | sed 's/^/  /'
fi
grep -E '^b.* (31,1|31,2|31,3) dev/mtdblock[0-9]+$' dt-mk.ls | awk '{print $NF, $(NF-1)}' >dt.got
printf '%s\n' "dev/mtdblock1 31,1" "dev/mtdblock2 31,2" "dev/mtdblock3 31,3" >dt.want
diff -u dt.want dt.got >/dev/null && [ "$(grep -c ' dev/mtdblock' dt-mk.ls)" = 3 ]
t_check $? "-D: count 3 from 1 gives mtdblock1..3, minors 1..3 (got: $(grep ' dev/mtdblock' dt-mk.ls | awk '{print $NF}' | tr '\n' ' '))"
grep -E ' dev/ttyS' dt-mk.ls | awk '{print $NF, $(NF-1)}' >dt.got
printf '%s\n' "dev/ttyS2 4,64" "dev/ttyS3 4,69" "dev/ttyS4 4,74" >dt.want
diff -u dt.want dt.got >/dev/null
t_check $? "-D: start 2, inc 5, count 3 gives ttyS2..4, minors 64, 69, 74 (got: $(tr '\n' ' ' <dt.got))"
grep -Eq '^-rwsr-xr-x +12/34 .* a$' dt-mk.ls
t_check $? "-D: an f line sets the owner and mode of an existing file"
t_done
