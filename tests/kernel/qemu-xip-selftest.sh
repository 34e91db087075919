#!/bin/bash
# qemu-xip-selftest.sh - the qemu XIP oracle (qemu-xip.sh) against images
# whose layout is known, built without our builder.
#
# (a) util-linux mkfs.cramfs image of a small tree: the kernel's manifest
#     equals host-manifest.sh's, nothing is mapped in place.
# (b) xip-image (tests/lib/specimg) image with direct uncompressed blocks:
#     whole-file probes show pfnmap / mixedmap / page cache page by page at
#     the image offsets the writer reports; a crafted big-endian ELF32
#     checks the per-segment probe (r-x, r-- in place, rw- never: cramfs
#     refuses writable mappings); the 6.1 read bug on a page-multiple file
#     is visible (mapping right, read() zeros in the last page).
# (c) busybox-static stored XIP: executed from /mnt, its text mapping is
#     VM_PFNMAP at the image offset of file page 1; --run works.
# (d) exit codes: garbage image -> 1 (refused), 0.3 s timeout -> 3.
#
# Exit 77 without qemu-system-x86_64, linux-source-6.1 or busybox-static
# (scripts/setup installs them).  The first run builds the guest kernel
# (~2.5 min); afterwards each guest run takes ~1.5-2.5 s.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"

qemu_xip_require
is_static_elf /bin/busybox || t_skip "no static /bin/busybox (package busybox-static: scripts/setup)"
t_init mkfs python3 oracle
: "${XIP_IMAGE:=${CRAMFS_BUILD:-$repo_dir/build}/tests/kernel/xip-image}"
[ -x "$XIP_IMAGE" ] || t_skip "xip-image not found at $XIP_IMAGE (set XIP_IMAGE=)"
XIP_IMAGE=$(realpath "$XIP_IMAGE")
export ORACLE_TOOL

t_note "guest kernel (first run builds it: ~2.5 min)"
if kernel=$("$here/build-xip-kernel.sh" 2>"$T/kbuild.err"); then
    t_ok "guest kernel: $kernel"
else
    t_fail "build-xip-kernel.sh failed"; sed 's/^/  /' "$T/kbuild.err" | tail -n 30; t_done
fi

# qemu NAME WANT_RC ARGS...: qemu-xip.sh ARGS >$T/NAME.out; checks the exit
qemu() {
    local name=$1 want=$2 rc ms
    shift 2
    "$here/qemu-xip.sh" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    ms=$(grep -o 'guest run took [0-9]* ms' "$T/$name.err" | grep -o '[0-9]*')
    if [ "$rc" = "$want" ]; then
        t_ok "$name: qemu-xip.sh exit $rc (guest ${ms:-?} ms)"
        return 0
    fi
    t_fail "$name: qemu-xip.sh exit $rc, expected $want"
    sed 's/^/  | /' "$T/$name.err" | tail -n 20
    return 1
}

# line NAME PREFIX: the first output line starting with PREFIX
line() {
    awk -v p="$2" 'index($0, p) == 1 { print; exit }' "$T/$1.out"
}

# expect NAME PREFIX KEY=VALUE...: the line has every KEY=VALUE field
expect() {
    local name=$1 prefix=$2 l kv bad=
    shift 2
    l=$(line "$name" "$prefix ")
    for kv in "$@"; do
        case " $l " in *" $kv "*) ;; *) bad+=" $kv" ;; esac
    done
    if [ -n "$l" ] && [ -z "$bad" ]; then
        t_ok "$name: $prefix: $*"
    else
        t_fail "$name: $prefix: expected$bad"; echo "  got: ${l:0:300}"
    fi
}

# direct_off LAYOUT PATH BLOCK: image offset of a direct block (xip-image)
direct_off() {
    awk -v p="$2" -v b="$3" '$1 == "file" && $2 == p {
        sub(/^direct=/, "", $5); split($5, d, ","); print d[b + 1] }' "$1"
}

ones() { printf '1%.0s' $(seq 1 "$1"); }

# ---------------------------------------------------------------- (a)
part_a() {
    local src=$T/a-src
    mkdir -p "$src/dir/sub" "$src/empty-dir"
    gen_files "$src" <<'EOF'
one 1 one text
text 5000 text text
rand 10000 rand rand
p4096 4096 p4096 rand
dir/blocks 20000 blk blocks
dir/sub/deep 300 deep text
EOF
    : >"$src/empty"
    ln -s dir/sub/deep "$src/link"
    chmod 0750 "$src/dir"
    "$MKFS" "$src" "$T/a.img" >/dev/null 2>&1 || { t_fail "(a) mkfs.cramfs failed"; return; }
    qemu a 0 "$T/a.img" || return
    grep '^/' "$T/a.out" >"$T/a.kernel"
    "$here/host-manifest.sh" --kernel "$src" >"$T/a.host"
    if diff -u --label "host-manifest.sh --kernel" --label "qemu-xip.sh (MTD)" \
        "$T/a.host" "$T/a.kernel" >"$T/a.diff"; then
        t_ok "(a) mkfs.cramfs image: kernel manifest == host manifest ($(wc -l <"$T/a.kernel") entries)"
    else
        t_fail "(a) kernel and host manifests differ"; head -n 40 "$T/a.diff" | sed 's/^/  /'
    fi
    local files xipno pages
    files=$(awk '$2 == "f"' "$T/a.kernel" | wc -l)
    xipno=$(grep -c '^xip .* no$' "$T/a.out")
    [ "$files" -gt 0 ] && [ "$xipno" = "$files" ] && ! grep -q '^xip .* yes$' "$T/a.out"
    t_check $? "(a) every xip line says no ($xipno of $files files)"
    pages=$(grep '^xippages ' "$T/a.out")
    [ "$(grep -c . <<<"$pages")" = $((files - 1)) ] &&
        ! grep -v ' kind=pagecache inplace=0* phys=- runs=- content=ok$' <<<"$pages" | grep -q .
    t_check $? "(a) xippages: $((files - 1)) non-empty files, page cache only, content ok"
}

# ---------------------------------------------------------------- (b)
# a big-endian ELF32 (MIPS) of 12000 bytes: PT_LOAD 0 r-x [0, 5000),
# 1 rw- [0x2100, +3000), 2 r-- [0x2000, +0xee0); a PT_NOTE in between
make_elf32be() {
    python3 - "$1" <<'EOF'
import struct, sys, random
rng = random.Random(32)
size = 12000
data = bytearray(rng.randbytes(size))
ph = [(1, 0x0000, 5000, 5), (4, 0x0100, 16, 4),
      (1, 0x2100, 3000, 6), (1, 0x2000, 0xee0, 4)]
eh = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)
eh += struct.pack(">HHIIIIIHHHHHH", 2, 8, 1, 0x400000, 52, 0, 0, 52, 32,
                  len(ph), 0, 0, 0)
tab = b"".join(struct.pack(">IIIIIIII", t, off, 0x400000 + off, 0, fsz, fsz, fl, 0x1000)
               for t, off, fsz, fl in ph)
data[0:len(eh) + len(tab)] = eh + tab
open(sys.argv[1], "wb").write(data)
EOF
}

part_b() {
    local d=$T/b off
    mkdir -p "$d"
    head -c 10000 /dev/urandom >"$d/r10000"
    head -c 16384 /dev/urandom >"$d/r16384"
    head -c 30000 /dev/urandom >"$d/r30000"
    make_elf32be "$d/elf32be" || { t_fail "(b) cannot write the ELF32 file"; return; }
    "$XIP_IMAGE" "$T/b.img" direct/full="$d/r10000":d direct/pagemult="$d/r16384":d \
        mixed="$d/r30000":dddzzddd zlib="$d/r10000" raw="$d/r10000":r \
        elf32be="$d/elf32be":d >"$T/b.layout" ||
        { t_fail "(b) xip-image failed"; return; }
    qemu b 0 "$T/b.img" || return

    expect b "xip /direct/full" yes
    off=$(direct_off "$T/b.layout" /direct/full 0)
    expect b "xippages /direct/full whole" pgoff=0 pages=3 kind=pfnmap inplace=111 \
        "phys=$off" "runs=0-2@$off" content=ok
    off=$(direct_off "$T/b.layout" /mixed 0)
    expect b "xip /mixed" yes
    # only the leading direct run is inserted; pages 5-7 come from the page cache
    expect b "xippages /mixed whole" pages=8 kind=mixedmap inplace=11100000 \
        "phys=$off" "runs=0-2@$off" content=ok
    expect b "xippages /zlib whole" pages=3 kind=pagecache inplace=000 phys=- runs=- content=ok
    expect b "xippages /raw whole" pages=3 kind=pagecache inplace=000 phys=- runs=- content=ok
    off=$(direct_off "$T/b.layout" /direct/pagemult 0)
    expect b "xippages /direct/pagemult whole" pages=4 kind=pfnmap inplace=1111 "runs=0-3@$off" \
        content=MISMATCH
    grep -q '^xippages /direct/pagemult .* note=first-diff-at=12288:map=..,read=00$' "$T/b.out"
    t_check $? "(b) kernel 6.1 read bug visible: read() gives zeros for the last page of a page-multiple direct file"

    off=$(direct_off "$T/b.layout" /elf32be 0)
    expect b "xipseg /elf32be 0" pgoff=0 pages=2 flags=r-x kind=pfnmap inplace=11 "runs=0-1@$off" content=ok
    expect b "xipseg /elf32be 2" pgoff=2 pages=1 flags=rw- kind=pagecache inplace=0 runs=- content=ok
    off=$(direct_off "$T/b.layout" /elf32be 2)
    expect b "xipseg /elf32be 3" pgoff=2 pages=1 flags=r-- kind=pfnmap inplace=1 "runs=0-0@$off" content=ok
    ! grep -q '^xipseg /elf32be 1 ' "$T/b.out" && [ "$(grep -c '^xipseg ' "$T/b.out")" = 3 ]
    t_check $? "(b) xipseg: one line per PT_LOAD only (3; not the PT_NOTE, not the non-ELF files)"
    grep -q '^kmsg .*cramfs: .*elf32be\[2\]: direct mmap impossible: vma is writable' "$T/b.out"
    t_check $? "(b) the kernel says why the rw- segment is not direct (vma is writable)"
}

# ---------------------------------------------------------------- (c)
part_c() {
    local text_off pages l seg
    "$XIP_IMAGE" "$T/c.img" bin/busybox=/bin/busybox:d >"$T/c.layout" ||
        { t_fail "(c) xip-image failed"; return; }
    qemu c 0 --exec-xip '/mnt/bin/busybox sleep 1' \
        --run '/mnt/bin/busybox echo hello from xip' --run 'echo err >&2; exit 3' \
        "$T/c.img" || return
    expect c "exec /mnt/bin/busybox" exit=0
    # the text segment (R E): "LOAD OFFSET VADDR PADDR FILESZ MEMSZ R E ALIGN"
    read -ra seg < <(readelf -lW /bin/busybox | awk '$1 == "LOAD" && $(NF-1) == "E"')
    pages=$(( (seg[1] % 4096 + seg[4] + 4095) / 4096 ))
    text_off=$(direct_off "$T/c.layout" /bin/busybox $(( seg[1] / 4096 )))
    l=$(grep '^execmap /mnt/bin/busybox [0-9a-f]*-[0-9a-f]* r-xp ' "$T/c.out")
    if [ "$(grep -c . <<<"$l")" = 1 ] && [ -n "$text_off" ] &&
        [[ " $l " == *" inplace=yes kind=pfnmap pages=$pages pagemap=$(ones "$pages") phys=$text_off runs=0-$((pages - 1))@$text_off "* ]]; then
        t_ok "(c) busybox ran from the image: its r-x mapping is VM_PFNMAP, $pages pages in place at image offset $text_off"
    else
        t_fail "(c) busybox's r-x mapping is not $pages pages in place at image offset ${text_off:-?}"
        echo "  got: ${l:0:300}"
    fi
    expect c "xipseg /bin/busybox 1" flags=r-x kind=pfnmap "phys=$text_off" content=ok
    grep -q '^execmap /mnt/bin/busybox .* rw-p .* inplace=no ' "$T/c.out"
    t_check $? "(c) its writable data mapping is not in place"
    grep -qx 'run 1 exit=0' "$T/c.out" && grep -qx 'runout 1 hello from xip' "$T/c.out"
    t_check $? "(c) --run: busybox from the image runs (run 1 exit=0, its output)"
    grep -qx 'run 2 exit=3' "$T/c.out" && grep -qx 'runout 2 err' "$T/c.out"
    t_check $? "(c) --run: exit status and stderr are captured (run 2 exit=3)"
}

# ---------------------------------------------------------------- (d)
part_d() {
    head -c 65536 /dev/urandom >"$T/garbage.img"
    qemu d-garbage 1 "$T/garbage.img" &&
        grep -q '^kmsg .*cramfs: wrong magic' "$T/d-garbage.out"
    t_check $? "(d) garbage image refused (exit 1, kernel says wrong magic)"
    # (a boot takes > 1 s under TCG; a fraction of it can never report)
    CRAMFS_QEMU_TIMEOUT=0.3 qemu d-timeout 3 "$T/garbage.img"
}

part_a
part_b
part_c
part_d
t_done
