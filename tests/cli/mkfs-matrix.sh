#!/bin/bash
# mkfs-matrix.sh - acceptance test: every variant Debian's util-linux
# mkfs.cramfs can write, read back by our tools.  The images are those
# mkfs.cramfs writes of the rich test tree (lib.sh make_rich_tree,
# tree_image: as a user, our builder writes the same bytes).
#
# As any user, for each variant:
#   - `cramfs info` (text and --json) reports byte order, superblock offset,
#     flags, block size (detected), label, edition, size and a CRC that
#     matches an independent computation;
#   - `cramfs check` and `cramfsck` (plain and --extract) exit 0;
#   - `cramfs ls -R` lists every entry; `cramfs cat` returns file contents;
#   - `cramfs extract` and `cramfsck --extract=DIR` without owners (a
#     user's extraction, or root's with --no-owners) reproduce the source's
#     contents, types and modes but its devices, and their manifest lists
#     exactly the devices and the entries whose stored owner could not be
#     applied (uid 16 bits, gid 8 bits, rdev 24 bits as stored);
# and the extraction of PATHs.
# With --as-root (meson's mkfs-matrix-root), for each variant:
#   - `cramfs extract --to DIR` reproduces the source tree under cramfs's
#     truncations (uid 16 bits, gid 8 bits, size 2^24-1, rdev 24);
#   - `cramfsck --extract=DIR` does the same;
#   - where util-linux fsck.cramfs accepts the image (no -z, no -i), its
#     --extract output is identical to ours;
# and an extraction as uid 65534 lists every entry in its manifest.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root=0
[ "${1:-}" = --as-root ] && as_root=1
if [ $as_root = 1 ]; then t_init cramfs cramfsck mkfs fsck python3 oracle root
else t_init cramfs cramfsck mkfs fsck python3 oracle; fi

SRC=$T/src
make_rich_tree "$SRC" || { t_fail "cannot build the test tree"; t_done; }
chmod 0751 "$SRC"    # a root mode the extractors must restore
nentries=$(( $(manifest stored "$SRC" | wc -l) - 1 ))
head -c 1001 /dev/zero | tr '\0' 'B' >"$T/blob"    # -i payload, not a multiple of 4

# crc_of IMAGE START ORDER: CRC-32 of [start, size) with the crc field zeroed
crc_of() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, start, order = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = bytearray(open(path, "rb").read())
e = "<" if order == "little" else ">"
size = struct.unpack_from(e + "I", d, start + 4)[0]
d[start + 32:start + 36] = b"\0\0\0\0"
print("0x%08X" % (zlib.crc32(bytes(d[start:size])) & 0xffffffff))
PY
}

# info_has NAME REGEX DESC: a line of $T/NAME.out matches REGEX
info_has() {
    if grep -Eq "$2" "$T/$1.out"; then t_ok "$3"; else
        t_fail "$3: no line matching /$2/"; show "$1" 30; fi
}

# variant NAME ORDER PAD BLOCK LABEL EDITION FLAGS FSCK_OK MKFS_ARGS...
variant() {
    local name=$1 order=$2 pad=$3 bs=$4 label=$5 edition=$6 flags=$7 fsck_ok=$8
    shift 8
    local img=$T/$name.img d=$T/$name start=0 crc
    [ "$pad" = 1 ] && start=512
    mkdir -p "$d"
    t_note "variant $name: mkfs.cramfs $*"
    if ! tree_image "$img" "$SRC" "$@"; then
        t_fail "$name: the image of mkfs.cramfs $* cannot be made"; return
    fi
    if [ $as_root = 1 ]; then
        root_extraction "$name" "$img" "$d" "$bs" "$fsck_ok" "$flags"
    else
        reader_checks "$name" "$img" "$order" "$start" "$bs" "$label" "$edition" "$flags"
        user_extraction "$name" "$img" "$d" "$bs"
    fi
    chmod -R u+rwX "$d"; rm -rf "$d"
}

# reader_checks NAME IMAGE ORDER START BLOCK LABEL EDITION FLAGS
reader_checks() {
    local name=$1 img=$2 order=$3 start=$4 bs=$5 label=$6 edition=$7 flags=$8 crc

    # info, text
    rc_run info 0 "$name: cramfs info" "$CRAMFS" info "$img"
    info_has info "^byte order: +$order-endian\$" "$name: info byte order $order"
    info_has info "^superblock: +offset $start( |\$)" "$name: info superblock offset $start"
    info_has info "^flags: +$flags \(" "$name: info flags $flags"
    info_has info "^block size: +$bs \(detected from [0-9]+ files?\)$" "$name: info block size $bs detected"
    info_has info "^label: +$label\$" "$name: info label"
    info_has info "^edition: +$edition\$" "$name: info edition"
    info_has info "^size: +$(stat -c %s "$img") bytes" "$name: info size"
    crc=$(crc_of "$img" "$start" "$order")
    info_has info "^crc: +$crc \(ok\)\$" "$name: info crc $crc ok"
    [[ $flags == 0x1* ]] && info_has info "^flags: .*holes" "$name: info names the holes flag"
    [[ $flags == 0x4* ]] && info_has info "^flags: .*shifted-root" "$name: info names the shifted-root flag"

    # info, JSON
    rc_run infoj 0 "$name: cramfs info --json" "$CRAMFS" info --json "$img"
    if jq -e --arg o "$order" --argjson s "$start" --argjson b "$bs" \
        --arg l "$label" --argjson e "$edition" --argjson f "$((flags))" \
        '.endian == $o and .superblock_offset == $s and .block_size == $b
         and .block_size_detected == true and .label == $l and .edition == $e
         and .flags == $f and .crc_ok == true' "$T/infoj.out" >/dev/null; then
        t_ok "$name: info --json fields"
    else
        t_fail "$name: info --json fields"; show infoj 40
    fi

    # check: clean, warnings allowed; the only expected warning is bigdev
    rc_run check 0 "$name: cramfs check" "$CRAMFS" check "$img"
    if grep -q ': error:' "$T/check.out"; then t_fail "$name: check printed errors"; show check; fi
    if grep -q '^.*: warning: /special/bigdev: ' "$T/check.out"; then
        t_ok "$name: check warns about the device number the kernel cannot show"
    else
        t_fail "$name: check does not warn about /special/bigdev (259:70000)"; show check
    fi
    rc_run checkj 0 "$name: cramfs check --json" "$CRAMFS" check --json "$img"
    jq -e . "$T/checkj.out" >/dev/null 2>&1
    t_check $? "$name: check --json is valid JSON"

    # cramfsck (util-linux compatible)
    rc_run ck 0 "$name: cramfsck -b $bs" "$CRAMFSCK" -b "$bs" "$img"
    rc_run ck 0 "$name: cramfsck --extract (test only)" "$CRAMFSCK" --blocksize "$bs" --extract "$img"
    rc_run ck 0 "$name: cramfsck (block size detected)" "$CRAMFSCK" "$img"

    # ls -R lists every entry once
    rc_run ls 0 "$name: cramfs ls -R" "$CRAMFS" ls -R "$img"
    [ "$(wc -l <"$T/ls.out")" = "$nentries" ]
    t_check $? "$name: ls -R lists $nentries entries (got $(wc -l <"$T/ls.out"))"

    # cat: a file around the block size, and the > 16 MiB one (cut to 2^24-1)
    run cat "$CRAMFS" cat "$img" /files/s4097
    cmp -s "$T/cat.out" "$SRC/files/s4097" && [ "$RC" = 0 ]
    t_check $? "$name: cat /files/s4097 (exit $RC)"
    run cat "$CRAMFS" cat "$img" /files/big-17m
    [ "$RC" = 0 ] && [ "$(stat -c %s "$T/cat.out")" = 16777215 ] &&
        cmp -s "$T/cat.out" <(head -c 16777215 "$SRC/files/big-17m")
    t_check $? "$name: cat /files/big-17m gives its first 2^24-1 bytes (exit $RC)"
    rm -f "$T/cat.out"
}

# expected_manifest FILTER: the source (as stored) in the makedevs format
# of a manifest, for the entries selected by the awk FILTER ($2 type,
# $4 uid, $5 gid as stored)
expected_manifest() {
    manifest stored "$SRC" | awk "$1" | awk '{
        dev = "- -"
        if ($2 == "c" || $2 == "b") { split($7, mm, ":"); dev = mm[1] " " mm[2] }
        print $1, $2, $3, $4, $5, dev, "-", "-", "-" }' | sort
}

# manifest_is DESC FILE FILTER: FILE lists exactly the entries FILTER selects
manifest_is() {
    expected_manifest "$3" >"$T/man.want"
    sort "$2" 2>/dev/null >"$T/man.got"
    if diff -u "$T/man.want" "$T/man.got" >"$T/man.diff"; then
        t_ok "$1: the manifest lists the devices and the owners not applied ($(wc -l <"$T/man.got") lines)"
    else
        t_fail "$1: the manifest differs from the expected device table"
        head -n 40 "$T/man.diff" | sed 's/^/  /'
    fi
}

# user_extraction NAME IMAGE DIR BLOCK: cramfs extract and cramfsck
# --extract without owners: a user's, or root's with --no-owners
user_extraction() {
    local name=$1 img=$2 d=$3 bs=$4 no_owners=() tool
    # as a user the entries whose stored owner is not his: all, in practice
    local not_mine="\$2 == \"c\" || \$2 == \"b\" || \$4 != $(id -u) || \$5 != $(id -g)"
    [ "$(id -u)" = 0 ] && no_owners=(--no-owners)
    rc_run ex 0 "$name: cramfs extract${no_owners:+ --no-owners}" \
        "$CRAMFS" extract "$img" --to "$d/ours" "${no_owners[@]}"
    [ "$(id -u)" = 0 ] || rc_run ckx 0 "$name: cramfsck --extract=DIR" \
        "$CRAMFSCK" -b "$bs" --extract="$d/ck" "$img"
    for tool in ours ck; do
        [ -d "$d/$tool" ] || continue
        tree_compare "$name: $tool extraction vs source (owners and devices aside)" "$SRC" "$d/$tool" \
            stored-no-owners raw-no-owners '$2 != "c" && $2 != "b"'
        manifest_is "$name: $tool extraction" "$d/$tool.manifest" "$not_mine"
    done
}

# root_extraction NAME IMAGE DIR BLOCK FSCK_OK FLAGS: as root, with owners
root_extraction() {
    local name=$1 img=$2 d=$3 bs=$4 fsck_ok=$5 flags=$6
    rc_run ex 0 "$name: cramfs extract" "$CRAMFS" extract "$img" --to "$d/ours"
    [ -e "$d/ours.manifest" ] && t_fail "$name: a manifest was written as root"
    tree_compare "$name: cramfs extract vs source" "$SRC" "$d/ours"

    # extraction by cramfsck
    rc_run ckx 0 "$name: cramfsck --extract=DIR" "$CRAMFSCK" -b "$bs" --extract="$d/ck" "$img"
    tree_compare "$name: cramfsck --extract vs source" "$SRC" "$d/ck"
    rm -rf "$d/ck"

    # util-linux fsck.cramfs as the reference extractor
    if [ "$fsck_ok" = 1 ]; then
        rc_run fsck 0 "$name: fsck.cramfs --extract (reference)" \
            "$FSCK" -b "$bs" --extract="$d/ref" "$img"
        exact_compare "$name: cramfs extract vs fsck.cramfs --extract" "$d/ref" "$d/ours"
    else
        run fsck "$FSCK" -b "$bs" "$img"
        [ "$RC" = 8 ]
        t_check $? "$name: fsck.cramfs refuses flags $flags (exit $RC, expected 8): no reference"
    fi
}

#        name        order  pad bs    label        ed flags fsck mkfs args
variant  default     little 0 4096  Compressed    0 0x003 1
variant  le          little 0 4096  Compressed    0 0x003 1  -N little
variant  be          big    0 4096  Compressed    0 0x003 1  -N big
variant  b4096       little 0 4096  Compressed    0 0x003 1  -b 4096
variant  b8192       little 0 8192  Compressed    0 0x003 1  -b 8192
variant  b16384      little 0 16384 Compressed    0 0x003 1  -b 16384
variant  b32768      little 0 32768 Compressed    0 0x003 1  -b 32768
variant  b65536      little 0 65536 Compressed    0 0x003 1  -b 65536
variant  holes       little 0 4096  Compressed    0 0x103 0  -z
variant  insert      little 0 4096  Compressed    0 0x403 0  -i "$T/blob"
variant  pad         little 1 4096  Compressed    0 0x003 1  -p
variant  label       little 0 4096  my-label      0 0x003 1  -n my-label
variant  label16     little 0 4096  0123456789abcdef 7 0x003 1 -n 0123456789abcdef -e 7
variant  be-p-16k-z  big    1 16384 Compressed    0 0x103 0  -N big -p -b 16384 -z
variant  be-p-64k    big    1 65536 BIG           3 0x003 1  -N big -p -b 65536 -n BIG -e 3
variant  le-i-p-8k   little 1 8192  Compressed    0 0x403 0  -N little -i "$T/blob" -p -b 8192

[ $as_root = 1 ] || {
# ------------------------------------------------- extraction of PATHs
img=$T/default.img
tree_image "$img" "$SRC"
no_owners=()
[ "$(id -u)" = 0 ] && no_owners=(--no-owners)
rc_run sub 0 "cramfs extract IMAGE --to DIR PATH..." \
    "$CRAMFS" extract "$img" --to "$T/sub" "${no_owners[@]}" --manifest "$T/sub.list" \
    /dup links/rel "/names/with space"
# (the root's own mode with PATHs is not specified: not compared)
tree_compare "extract of /dup, links/rel, '/names/with space' (and their parents)" \
    "$SRC" "$T/sub" stored-no-owners raw-no-owners \
    '$1 == "/links" || $1 == "/names" || $1 ~ /^\/dup(\/|$)/ || $1 == "/links/rel" || $1 == "/names/with\\040space"'
n=$(manifest raw "$T/sub" | wc -l)
[ "$n" = 11 ]
t_check $? "extract of PATHs creates only those entries and their parents (11 with the root; got $n)"
[ ! -e "$T/sub.manifest" ]
t_check $? "--manifest FILE: no default DIR.manifest written"
rm -rf "$T/sub"
t_done
}

# ------------------------------------- extraction as uid 65534 (as root)
img=$T/default.img
tree_image "$img" "$SRC"
chmod 0644 "$img"
NR=$T/nobody
mkdir "$NR" && chown 65534:65534 "$NR"
rc_run nrx 0 "unprivileged cramfs extract (uid 65534)" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$CRAMFS" extract "$img" --to "$NR/out"
if [ -f "$NR/out.manifest" ]; then
    t_ok "unprivileged extract wrote DIR.manifest"
    # as 65534 no stored owner can be applied (gid is 8 bits): every entry
    manifest_is "uid 65534" "$NR/out.manifest" 1
    awk 'NF != 10 || $3 !~ /^[0-7][0-7][0-7][0-7]$/ || $2 !~ /^[fdcbpsl]$/ { bad = 1; print "  bad line: " $0 }
         END { exit bad }' "$NR/out.manifest"
    t_check $? "manifest lines have 10 columns, type f d c b p s l, 4-digit octal mode"
    grep -q ' c 0600 0 0 259 368 - - -$' "$NR/out.manifest"
    t_check $? "manifest shows /special/bigdev as stored (259:70000 cut to 24 bits = 259 368)"
else
    t_fail "unprivileged extract wrote no $NR/out.manifest"
fi
foreign=$(find "$NR/out" \( ! -user 65534 -o ! -group 65534 -o -type c -o -type b \) -print | head -n 5)
[ -z "$foreign" ]
t_check $? "unprivileged extract: only 65534-owned entries, no device nodes${foreign:+ (found: $foreign)}"
t_done
