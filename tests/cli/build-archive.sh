#!/usr/bin/env bash
# Archives as build sources (issue 13, item 1), checked against programs
# that are not ours: GNU tar (pax with sparse 1.0, 0.1 and 0.0, gnu with
# --sparse), bsdtar (pax, newc) when installed, GNU cpio (newc, odc), each
# plain or compressed with gzip/xz/zstd/bzip2, from a file or a pipe.
#   - every archive gives the image the directory itself gives, byte for
#     byte, and the image extracted equals the source tree (oracle-tool
#     manifests: types, modes, owners, sizes, sha256 of contents); sparse
#     files come back byte for byte, holes as zeros;
#   - what cramfs cannot hold (xattrs, ACLs, a hard link to a later entry)
#     is one warning each, and a strict build refuses it; a file over
#     16 MiB is one warning, its first 16777215 bytes stored; a ".."
#     name is refused;
#   - a 64 MiB archive through a pipe is built in bounded memory.
# Runs as any user (no device nodes or foreign owners in the tree).
. "$(dirname "$0")/lib.sh"
t_init cramfs oracle python3
for tool in tar cpio gzip xz zstd bzip2; do
    command -v "$tool" > /dev/null || t_skip "$tool not installed (scripts/setup)"
done

# ---------------------------------------------------------- the tree
S=$T/src
mkdir -p "$S/dir/sub" "$S/empty" "$S/with space" "$S/private" "$S/tmp"
gen_files "$S" <<'EOF'
zero 0 1 zero
one 1 2 rand
dir/a 5000 3 text
dir/b4095 4095 4 rand
dir/b4096 4096 5 rand
dir/b4097 4097 6 rand
dir/sub/big 1300000 7 rand
dir/sub/blocks 300000 8 blocks
private/secret 100 10 text
EOF
printf 'a name with spaces and a tab\n' > "$S/with space/file"$'\t'"tab"
# Sparse files: a hole in the middle, at the start, at the end, nothing
# but a hole, and many small islands.
python3 - "$S" <<'EOF'
import os, random, sys
d = sys.argv[1]
def sparse(name, size, islands):
    with open(os.path.join(d, name), "wb") as f:
        f.truncate(size)
        for off, data in islands:
            f.seek(off)
            f.write(data)
r = random.Random(13)
sparse("sp-middle", 1 << 20, [(0, b"A" * 5000), (900000, r.randbytes(7000))])
sparse("sp-head", 2 << 20, [((2 << 20) - 4096, r.randbytes(4096))])
sparse("sp-tail", 3 << 20, [(0, r.randbytes(10000))])
sparse("sp-empty", 5 << 20, [])
sparse("dir/sp-islands", 6 << 20,
       [(i * 98304 + 17, r.randbytes(100)) for i in range(64)])
EOF
ln "$S/dir/a" "$S/dir/a-link"
ln "$S/dir/a" "$S/dir/sub/a-link2"
ln -s dir/a "$S/rel-link"
ln -s /etc/passwd "$S/abs-link"
ln -s nowhere "$S/dangling"
mkfifo "$S/fifo"
printf x > "$S/$(printf 'caf\303\251')"
printf y > "$S/$(printf '\351t\351')"
long=$(printf 'n%.0s' $(seq 120))
mkdir -p "$S/deep/$long"
printf deep > "$S/deep/$long/$long"
chmod 0600 "$S/private/secret"
chmod 0700 "$S/private"
chmod 4755 "$S/one"
chmod 1777 "$S/tmp"
chmod 0755 "$S"

holes=$(python3 - "$S/sp-empty" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
print(1 if os.lseek(fd, 0, os.SEEK_HOLE) == 0 else 0)
EOF
)
[ "$holes" = 1 ] || t_note "this file system has no holes: tar stores the sparse files whole"

"$CRAMFS" build --all-root -o "$T/dir.img" "$S" 2> "$T/dir.err"
t_check $? "build from the directory (the reference image)"

# ----------------------------------------------------- the archives
archives=()
mk() { # NAME CMD...: make archive $T/NAME with CMD (run in $S)
    local name=$1
    shift
    if (cd "$S" && "$@") > "$T/$name" 2> "$T/$name.mkerr"; then
        archives+=("$name")
    else
        t_fail "making $name: $(head -c 300 "$T/$name.mkerr")"
    fi
}
mk gnu-pax10.tar tar --format=posix --sparse -cf - .
mk gnu-pax01.tar tar --format=posix --sparse --sparse-version=0.1 -cf - .
mk gnu-pax00.tar tar --format=posix --sparse --sparse-version=0.0 -cf - .
mk gnu-gnu.tar tar --format=gnu --sparse -cf - .
mk cpio-newc.cpio sh -c 'find . | LC_ALL=C sort | cpio -o -H newc --quiet'
mk cpio-odc.cpio sh -c 'find . | LC_ALL=C sort | cpio -o -H odc --quiet'
if command -v bsdtar > /dev/null; then
    mk bsd-pax.tar bsdtar --format pax -cf - .
    mk bsd-newc.cpio bsdtar --format newc -cf - .
    # (bsdtar 3.6.2 writes a broken zstd stream to a pipe: a file here)
    (cd "$S" && bsdtar --format pax --zstd -cf "$T/bsd-pax.tar.zst" . 2> /dev/null) &&
        archives+=(bsd-pax.tar.zst)
else
    t_note "bsdtar not installed (libarchive-tools): its archives not tried"
fi
for z in "gzip -n" xz zstd bzip2; do
    ext=$(case $z in gzip*) echo gz ;; xz) echo xz ;; zstd) echo zst ;; *) echo bz2 ;; esac)
    $z -c < "$T/gnu-pax10.tar" > "$T/gnu-pax10.tar.$ext" && archives+=("gnu-pax10.tar.$ext")
done
gzip -n -c < "$T/cpio-newc.cpio" > "$T/cpio-newc.cpio.gz" && archives+=(cpio-newc.cpio.gz)

# The GNU tar archives must hold sparse members, or nothing is tested.
if [ "$holes" = 1 ]; then
    python3 - "$T"/gnu-*.tar <<'EOF'
import sys, tarfile
bad = [a for a in sys.argv[1:]
       if not any(m.issparse() for m in tarfile.open(a).getmembers())]
sys.exit(1 if bad else 0)
EOF
    t_check $? "the GNU tar archives hold sparse members"
fi

for a in "${archives[@]}"; do
    rc_run "b-$a" 0 "$a: built" "$CRAMFS" build --all-root -o "$T/$a.img" "$T/$a" || continue
    [ ! -s "$T/b-$a.err" ]
    t_check $? "$a: no warning"
    if cmp -s "$T/dir.img" "$T/$a.img"; then
        t_ok "$a: the same bytes as the directory's image"
    else
        t_fail "$a: not the directory's image"
        diff <("$CRAMFS" ls -lR "$T/dir.img") <("$CRAMFS" ls -lR "$T/$a.img") | head -20
    fi
done

# Standard input: compressed, through a pipe.
zstd -c < "$T/gnu-gnu.tar" | "$CRAMFS" build --all-root -o "$T/stdin.img" - 2> "$T/stdin.err"
t_check $? "a zstd-compressed GNU tar on standard input: built"
cmp -s "$T/dir.img" "$T/stdin.img"
t_check $? "standard input: the same bytes as the directory's image"

# The independent check: what comes out is what went in.
rc_run extract 0 "extract the pax image" \
    "$CRAMFS" extract --no-owners --to "$T/out" "$T/gnu-pax10.tar.img"
view=stored; [ "$(id -u)" = 0 ] || view=stored-no-owners
dview=raw; [ "$(id -u)" = 0 ] || dview=raw-no-owners
tree_compare "pax image extracted" "$S" "$T/out" "$view" "$dview" '$2 != "p"'
for f in sp-middle sp-head sp-tail sp-empty dir/sp-islands; do
    cmp -s "$S/$f" "$T/out/$f"
    t_check $? "sparse $f: byte for byte, holes as zeros"
done
[ -p "$T/out/fifo" ] || [ "$(id -u)" != 0 ]
t_check $? "the fifo comes back (as root)"

# ------------------------------------ what cramfs cannot hold: warnings
python3 - "$T" <<'EOF'
import io, sys, tarfile
t = sys.argv[1]
def member(name, data=b"", **kw):
    m = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(m, k, v)
    m.size = len(data)
    return m, io.BytesIO(data)
with tarfile.open(t + "/lossy.tar", "w", format=tarfile.PAX_FORMAT) as a:
    a.addfile(*member("plain", b"plain\n", mode=0o644))
    m, d = member("xattr", b"x\n", mode=0o644)
    m.pax_headers = {"SCHILY.xattr.user.comment": "hello"}
    a.addfile(m, d)
    m, d = member("acl", b"y\n", mode=0o644)
    m.pax_headers = {"SCHILY.acl.access":
                     "user::rw-,user:1000:r--,group::r--,mask::r--,other::r--"}
    a.addfile(m, d)
    m, d = member("early-link", type=tarfile.LNKTYPE, linkname="later")
    a.addfile(m, d)
    a.addfile(*member("later", b"z\n", mode=0o644))
with tarfile.open(t + "/dotdot.tar", "w", format=tarfile.PAX_FORMAT) as a:
    a.addfile(*member("ok", b"ok\n"))
    a.addfile(*member("../escape", b"bad\n"))
EOF
rc_run lossy 0 "entries cramfs cannot hold: still built" \
    "$CRAMFS" build -o "$T/lossy.img" "$T/lossy.tar"
[ "$(wc -l < "$T/lossy.err")" = 3 ]
t_check $? "one warning each for the xattr, the ACL and the early link (3 lines)"
grep -q '/xattr: .*extended attributes not stored' "$T/lossy.err" &&
    grep -q '/acl: .*an ACL not stored' "$T/lossy.err" &&
    grep -q '/early-link: .*hard link to an entry not earlier in the archive' "$T/lossy.err"
t_check $? "each warning names the entry and what is lost"
[ "$("$CRAMFS" ls "$T/lossy.img" | tr '\n' ' ')" = "acl later plain xattr " ]
t_check $? "the entries kept, the dangling link left out"
rc_run lossy-strict 8 "--strict refuses them" \
    "$CRAMFS" build --strict -o "$T/strict.img" "$T/lossy.tar"
[ ! -e "$T/strict.img" ]
t_check $? "--strict: nothing written"
rc_run dotdot 8 "a \"..\" name: refused" \
    "$CRAMFS" build -o "$T/dotdot.img" "$T/dotdot.tar"
grep -q 'escape: .*"\.\." component: refused' "$T/dotdot.err" && [ ! -e "$T/dotdot.img" ]
t_check $? "the \"..\" name named, nothing written"

# A file over 16 MiB: one warning (the limit's), the first bytes stored.
mkdir "$T/huge"
python3 - "$T/huge/f" <<'EOF'
import sys
with open(sys.argv[1], "wb") as f:
    f.truncate(17 << 20)
    for off in (0, (16 << 20) - 3, (17 << 20) - 1):
        f.seek(off)
        f.write(b"\xab" * (1 if off == (17 << 20) - 1 else 3))
EOF
tar -C "$T/huge" --format=posix --sparse -cf "$T/huge.tar" .
rc_run huge 0 "a 17 MiB file: built" "$CRAMFS" build --all-root -o "$T/huge.img" "$T/huge.tar"
[ "$(wc -l < "$T/huge.err")" = 1 ] && grep -q '/f: 17825792 bytes: only the first 16777215 are stored' "$T/huge.err"
t_check $? "one warning naming the file and the limit"
"$CRAMFS" cat "$T/huge.img" f | cmp -s - <(head -c 16777215 "$T/huge/f")
t_check $? "its first 16777215 bytes stored"
rc_run huge-strict 8 "a 17 MiB file under --strict: refused" \
    "$CRAMFS" build --strict -o "$T/huge-s.img" "$T/huge.tar"

# ----------------------------------------- bounded memory on a pipe
if ldd "$CRAMFS" 2> /dev/null | grep -q libasan; then
    t_note "sanitizer build: its allocator keeps freed memory, peak RSS not checked"
elif [ -x /usr/bin/time ]; then
    mkdir "$T/zeros"
    for i in 1 2 3 4; do head -c $((16 * 1024 * 1024 - 1)) /dev/zero > "$T/zeros/z$i"; done
    tar -C "$T/zeros" -cf - . | gzip -1 > "$T/zeros.tar.gz"
    rm -rf "$T/zeros"
    /usr/bin/time -f %M -o "$T/rss" "$CRAMFS" build -o "$T/zeros.img" - \
        < "$T/zeros.tar.gz" 2> "$T/zeros.err"
    t_check $? "64 MiB of tar.gz on standard input: built"
    rss=$(tail -n 1 "$T/rss")
    [ "$rss" -lt 40000 ]
    t_check $? "peak RSS ${rss} KiB for 64 MiB of input: bounded (< 40 MiB)"
fi
# libarchive is loaded only when an archive is read (lib/build/archive_lib.h):
# not linked, so a run that reads none maps none of its libraries.
if command -v ldd >/dev/null; then
    ! ldd "$CRAMFS" | grep -q 'libarchive\|libcrypto\|libxml2'
    t_check $? "cramfs is not linked with libarchive or what it pulls in"
fi
t_done
