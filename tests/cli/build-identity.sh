#!/bin/bash
# build-identity.sh - the builder against Debian's util-linux mkfs.cramfs
# (issue 4 acceptance; docs/cli-spec.md, include/cramfs/build.h).
#
# Compatibility mode: for the rich tree (lib.sh make_rich_tree) and 22
# generated trees (random-tree.py, fixed seeds: every entry type, random
# sizes and names, duplicates with the same and with other metadata, hard
# links, sparse files), each in a set of option variants (-N little/big/
# host, -b 4096..65536, -z, -i FILE, -p, -n LABEL, -e N and combinations;
# the rich tree in every variant, each generated tree in the default and 5
# variants taken in turn from the list), the images of
#     mkfs.cramfs OPTS TREE ref.img
#     mkcramfs OPTS TREE out.img
#     cramfs build --mode util-linux OPTS -o out.img TREE
# must be byte-identical, and both builders exit 0 like mkfs.cramfs.
# Threads: `cramfs build -j 1`, `-j 2` and `-j 8` write the same bytes, in
# both modes.
# Native mode (`cramfs build`, default options and -z): the image is no
# larger than util-linux's, `cramfs check` finds no error and no entries
# that share data with different metadata (native dedup, format 6.8), and
# `cramfs extract` gives back the source tree (cramfs's truncations aside).
#
# Env: MKCRAMFS (default <build>/tools/mkcramfs/mkcramfs), CRAMFS, ORACLE_TOOL
# as for the other CLI tests.  BUILD_IDENTITY_TREES=N limits the generated
# trees (for a quick run).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs mkfs python3 oracle root
: "${MKCRAMFS:=${CRAMFS_BUILD:-$repo_dir/build}/tools/mkcramfs/mkcramfs}"
[ -x "$MKCRAMFS" ] || t_skip "mkcramfs not found at $MKCRAMFS (set MKCRAMFS=)"
MKCRAMFS=$(realpath "$MKCRAMFS")
ntrees=${BUILD_IDENTITY_TREES:-22}

# -i payload: 1001 bytes (not a multiple of 4), not compressible
python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(5).randbytes(1001))' >"$T/blob"

# name|options (@BLOB@ stands for the -i file)
variants=(
    "le|-N little"
    "be|-N big"
    "host|-N host"
    "b4096|-b 4096"
    "b8192|-b 8192"
    "b16384|-b 16384"
    "b32768|-b 32768"
    "b65536|-b 65536"
    "holes|-z"
    "insert|-i @BLOB@"
    "pad|-p"
    "label|-n builder-label"
    "edition|-e 7"
    "be-z-p-16k|-N big -z -p -b 16384"
    "be-i-64k-label16|-N big -i @BLOB@ -b 65536 -n 0123456789abcdef -e 3"
    "le-z-i-p-8k|-N little -z -i @BLOB@ -p -b 8192 -e 4294967295"
    "be-z-32k|-N big -z -b 32768"
    "label20-p-holes|-n 0123456789abcdefghij -p -z"
)

# opts_of "NAME|OPTIONS": sets the array $opts
opts_of() {
    read -r -a opts <<<"${1#*|}"
    opts=("${opts[@]/#@BLOB@/$T/blob}")
}

# cmp_images DESC REF GOT: byte-identical, else the first differences
cmp_images() {
    local desc=$1 ref=$2 got=$3 n
    if cmp -s "$ref" "$got"; then
        t_ok "$desc: identical ($(stat -c %s "$got") bytes)"
        return 0
    fi
    if [ ! -f "$got" ]; then
        t_fail "$desc: no image written"
        return 1
    fi
    n=$(cmp -l "$ref" "$got" 2>/dev/null | wc -l)
    t_fail "$desc: images differ (sizes $(stat -c %s "$ref") expected, $(stat -c %s "$got") got; $n bytes differ)"
    cmp "$ref" "$got" 2>&1 | sed 's/^/  /'
    cmp -l "$ref" "$got" 2>/dev/null | head -n 8 | awk '{ printf "  offset %d: expected %s got %s (octal)\n", $1 - 1, $2, $3 }'
    return 1
}

# identity TREE-DESC SRC "NAME|OPTIONS": mkfs.cramfs vs mkcramfs vs
# cramfs build --mode util-linux
identity() {
    local desc="$1 [${3%%|*}]" src=$2 opts
    opts_of "$3"
    rm -f "$T/ref.img" "$T/mk.img" "$T/ul.img"
    run ref "$MKFS" "${opts[@]}" "$src" "$T/ref.img"
    if [ "$RC" != 0 ]; then
        t_fail "$desc: mkfs.cramfs ${opts[*]} failed (exit $RC): test setup"; show ref
        return
    fi
    if rc_run mk 0 "$desc: mkcramfs ${opts[*]}" "$MKCRAMFS" "${opts[@]}" "$src" "$T/mk.img"; then
        cmp_images "$desc: mkcramfs vs mkfs.cramfs" "$T/ref.img" "$T/mk.img"
    fi
    if rc_run ul 0 "$desc: cramfs build --mode util-linux ${opts[*]}" \
        "$CRAMFS" build --mode util-linux "${opts[@]}" -o "$T/ul.img" "$src"; then
        cmp_images "$desc: cramfs build --mode util-linux vs mkfs.cramfs" "$T/ref.img" "$T/ul.img"
    fi
}

# alias_allowance IMAGE: bytes a builder that does not share data between
# entries of different type, mode or owner stores on top of IMAGE (a
# little-endian util-linux image, superblock at 0, 4096-byte blocks): for
# each data item shared by k metadata classes, k - 1 more copies of its
# extent (pointers, blocks, padding); rounded up to a whole block (the
# image tail).
alias_allowance() {
    python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
def inode(o):
    w0, w1, w2 = struct.unpack_from("<III", d, o)
    return w0 & 0xffff, w0 >> 16, w1 & 0xffffff, w1 >> 24, w2 & 63, (w2 >> 6) * 4
groups = {}
def walk(o):
    mode, uid, size, gid, namelen, off = inode(o)
    if mode >> 12 == 4:
        p = off
        while p < off + size:
            walk(p)
            p += 12 + inode(p)[4] * 4
    elif mode >> 12 in (8, 10) and size and off:
        groups.setdefault(off, [size, set()])[1].add((mode, uid, gid))
walk(64)
extra = 0
for off, (size, classes) in groups.items():
    n = (size + 4095) // 4096
    end = struct.unpack_from("<I", d, off + 4 * (n - 1))[0]
    extra += (len(classes) - 1) * ((end - off + 3) // 4 * 4)
print((extra + 4095) // 4096 * 4096)
PY
}

# native DESC SRC "NAME|OPTIONS": native image no larger than util-linux's
# (plus what util-linux saves by sharing data between entries of different
# metadata, which native mode must not do), clean, no data shared by
# entries of different metadata, extracts to SRC
native() {
    local desc="$1 [native ${3%%|*}]" src=$2 opts nat ref allow
    opts_of "$3"
    rm -f "$T/ref.img" "$T/nat.img"
    "$MKFS" "${opts[@]}" "$src" "$T/ref.img" >/dev/null 2>&1 ||
        { t_fail "$desc: mkfs.cramfs ${opts[*]} failed: test setup"; return; }
    rc_run nat 0 "$desc: cramfs build ${opts[*]}" \
        "$CRAMFS" build "${opts[@]}" -o "$T/nat.img" "$src" || return
    nat=$(stat -c %s "$T/nat.img") ref=$(stat -c %s "$T/ref.img")
    allow=$(alias_allowance "$T/ref.img")
    [ "$nat" -le $((ref + allow)) ]
    t_check $? "$desc: native image $nat bytes <= util-linux image $ref bytes + $allow (what util-linux saves by sharing data across metadata)"
    run chk "$CRAMFS" check "$T/nat.img"
    if [ "$RC" = 0 ] && ! grep -q ': error:' "$T/chk.out"; then
        t_ok "$desc: cramfs check clean"
    else
        t_fail "$desc: cramfs check: exit $RC or errors"; show chk
    fi
    if grep -q 'shares data .* differs' "$T/chk.out"; then
        t_fail "$desc: entries with different metadata share data (native dedup must not)"
        grep 'shares data' "$T/chk.out" | head -n 5 | sed 's/^/  /'
    else
        t_ok "$desc: no data shared by entries of different type, mode or owner"
    fi
    rm -rf "$T/x"
    rc_run natx 0 "$desc: cramfs extract" "$CRAMFS" extract "$T/nat.img" --to "$T/x" &&
        tree_compare "$desc: extract vs source" "$src" "$T/x"
    chmod -R u+rwX "$T/x" 2>/dev/null; rm -rf "$T/x"
}

# threads DESC SRC: -j 1 / 2 / 8 give the same bytes, both modes
threads() {
    local desc=$1 src=$2 mode j
    for mode in util-linux native; do
        for j in 1 2 8; do
            rm -f "$T/j$j.img"
            rc_run j "0" "$desc: cramfs build --mode $mode -j $j" \
                "$CRAMFS" build --mode "$mode" -j "$j" -o "$T/j$j.img" "$src"
        done
        cmp_images "$desc: --mode $mode -j 2 vs -j 1" "$T/j1.img" "$T/j2.img"
        cmp_images "$desc: --mode $mode -j 8 vs -j 1" "$T/j1.img" "$T/j8.img"
        if [ $mode = util-linux ]; then
            "$MKFS" "$src" "$T/ref.img" >/dev/null 2>&1
            cmp_images "$desc: --mode util-linux -j 1 vs mkfs.cramfs" "$T/ref.img" "$T/j1.img"
        fi
    done
    rm -f "$T"/j?.img
}

t0=$SECONDS
# ------------------------------------------------------------ rich tree
RICH=$T/rich
make_rich_tree "$RICH" || { t_fail "cannot build the rich test tree"; t_done; }
identity rich "$RICH" "default|"
for v in "${variants[@]}"; do identity rich "$RICH" "$v"; done
native rich "$RICH" "default|"
native rich "$RICH" "holes|-z"
threads rich "$RICH"
chmod -R u+rwX "$RICH"; rm -rf "$RICH"
t_note "rich tree done in $((SECONDS - t0)) s"

# ------------------------------------------------------- generated trees
nv=${#variants[@]}
for ((i = 0; i < ntrees; i++)); do
    src=$T/t$i
    python3 "$cli_dir/random-tree.py" "$src" "$i" ||
        { t_fail "random-tree.py $i failed: test setup"; continue; }
    t_note "tree $i: $(find "$src" | wc -l) entries, $(du -s --apparent-size -B1 "$src" | cut -f1) bytes"
    identity "tree $i" "$src" "default|"
    for ((k = 0; k < 5; k++)); do
        identity "tree $i" "$src" "${variants[(i * 5 + k) % nv]}"
    done
    native "tree $i" "$src" "default|"
    [ "$i" = 5 ] && threads "tree $i" "$src"
    chmod -R u+rwX "$src"; rm -rf "$src"
done
t_note "all done in $((SECONDS - t0)) s"
t_done
