#!/bin/bash
# blocksize-detect.sh - acceptance test of block size detection (issue 12).
#
# A real tree: a few thousand files of this machine's /usr/share/doc (more
# of /usr/share if that is small), copied so that mkfs.cramfs stores it
# exactly: files of at most 128 KiB (far below the 16 MiB cut), no symlink
# that climbs out of the tree, modes kept, owned by whoever runs the test.
# For every block size util-linux mkfs.cramfs can write for a Linux page
# (-b 4096 .. 65536), both byte orders (-N little / -N big), with and
# without -z:
#   - `cramfs info` says "block size: B (detected from N files)", N > 0,
#     and --json gives block_size B, block_size_source "detected";
#   - `cramfs check` exits 0 and reports no error; `cramfsck` exits 0;
#   - `cramfs extract` reproduces the source tree (manifest: type, mode,
#     size, sha256 of every file, symlink targets; owners when root).
# Then hand-made ambiguous images, which no file can tell apart:
#   - every file smaller than one block (-b 65536): info says "ambiguous:
#     4096, 8192, 16384, 32768 or 65536", check exits 2 (not 4) naming the
#     sizes and --block-size, extract exits 0 with a warning;
#   - a single 20000-byte file (-b 65536): "ambiguous: 32768 or 65536";
#   and both read exactly with --block-size 65536 (check exits 0, "given").
# And an image made with -b 12288, a size no kernel page has: "best fit",
# check exits 4 and says that --block-size chooses.
#
# Runs in /dev/shm when it is a writable tmpfs and TMPDIR is not set: the
# 20 extractions and deletions of thousands of files on ext4 otherwise cost
# more than everything else (its inode allocator avoids recently deleted
# inodes for minutes, see bench/README.md), over a minute on a busy disk.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] &&
    [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    export TMPDIR=/dev/shm
fi
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkfs python3 oracle

SRC=$T/src
budget_mib=${BLOCKSIZE_TEST_MIB:-20}
if [ "$(id -u)" = 0 ]; then sview=stored; dview=raw
else sview=stored-no-owners; dview=raw-no-owners; fi

# stage_tree DIR: copy files of /usr/share (doc first) into DIR/usr/share,
# depth first in byte order of names, up to $budget_mib MiB; prints the
# number of regular files copied.  Deterministic for a given machine.
stage_tree() {
    python3 - "$1" "$budget_mib" /usr/share/doc /usr/share/man /usr/share/perl5 <<'PY'
import os, shutil, stat, sys

dest, budget = sys.argv[1], int(sys.argv[2]) << 20
MAX_FILE = 128 << 10
state = {"bytes": 0, "files": 0}


def escapes(rel_dir, target):
    """A relative target that leaves the staged tree (extract refuses it)."""
    if target.startswith("/"):
        return False
    return os.path.normpath(os.path.join(rel_dir, target)).startswith("..")


def copy_entry(src, rel, st):
    out = os.path.join(dest, rel)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(src)
        if not escapes(os.path.dirname(rel), target):
            os.symlink(target, out)
    elif stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE:
        if state["bytes"] + st.st_size > budget:
            return False
        shutil.copyfile(src, out)
        os.chmod(out, stat.S_IMODE(st.st_mode))
        state["bytes"] += st.st_size
        state["files"] += 1
    return True


def walk(src, rel):
    try:
        names = sorted(os.listdir(src))
    except OSError:
        return True
    for name in names:
        full, sub = os.path.join(src, name), os.path.join(rel, name)
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            os.makedirs(os.path.join(dest, sub))
            if not walk(full, sub):
                return False
            os.chmod(os.path.join(dest, sub), stat.S_IMODE(st.st_mode) | 0o700)
        elif not copy_entry(full, sub, st):
            return False
    return True


for top in sys.argv[3:]:
    if os.path.isdir(top) and not walk(top, top.lstrip("/")):
        break
print(state["files"])
PY
}

nfiles=$(stage_tree "$SRC") || { t_fail "cannot copy the test tree"; t_done; }
[ "${nfiles:-0}" -ge 1000 ] ||
    t_skip "only ${nfiles:-0} files of at most 128 KiB under /usr/share (need 1000)"
chmod 0755 "$SRC"
t_note "tree: $nfiles files, $(du -sm "$SRC" | cut -f1) MiB, $(find "$SRC" | wc -l) entries"
manifest "$sview" "$SRC" >"$T/src.manifest" || { t_fail "manifest of the tree"; t_done; }

# info_has NAME REGEX DESC: a line of $T/NAME.out matches REGEX
info_has() {
    if grep -Eq "$2" "$T/$1.out"; then t_ok "$3"; else
        t_fail "$3: no line matching /$2/"; show "$1" 30; fi
}

# extracted_ok DESC DIR: DIR holds exactly the source tree
extracted_ok() {
    manifest "$dview" "$2" >"$T/out.manifest"
    if diff -u "$T/src.manifest" "$T/out.manifest" >"$T/cmp.diff"; then
        t_ok "$1: extraction reproduces the tree ($(wc -l <"$T/src.manifest") entries)"
    else
        t_fail "$1: extraction differs from the tree"
        head -n 40 "$T/cmp.diff" | sed 's/^/  /'
    fi
}

# variant BS ORDER [-z]
variant() {
    local bs=$1 order=$2 z=${3:-} name img=$T/v.img out=$T/v.out
    name="-b $bs -N $order${z:+ $z}"
    # shellcheck disable=SC2086
    if ! "$MKFS" -b "$bs" -N "$order" $z "$SRC" "$img" >"$T/mkfs.log" 2>&1; then
        t_fail "$name: mkfs.cramfs failed"; sed 's/^/  /' "$T/mkfs.log"; return
    fi
    rc_run info 0 "$name: cramfs info" "$CRAMFS" info "$img"
    info_has info "^block size: +$bs \(detected from [1-9][0-9]* files?\)\$" \
        "$name: detected as $bs"
    rc_run infoj 0 "$name: cramfs info --json" "$CRAMFS" info --json "$img"
    jq -e --argjson b "$bs" '.block_size == $b and .block_size_source == "detected"
        and .block_size_fits == [$b] and .block_size_unfit_files == 0' \
        "$T/infoj.out" >/dev/null
    t_check $? "$name: info --json block size $bs, detected, nothing else fits"
    rc_run check 0 "$name: cramfs check is clean" "$CRAMFS" check "$img"
    info_has check "clean: 0 errors" "$name: check reports no error"
    rc_run fsck 0 "$name: cramfsck" "$CRAMFSCK" "$img"
    rm -rf "$out"
    rc_run extract 0 "$name: cramfs extract" "$CRAMFS" extract "$img" --to "$out"
    extracted_ok "$name" "$out"
    rm -rf "$out" "$img"
}

start=$SECONDS
for bs in 4096 8192 16384 32768 65536; do
    for order in little big; do
        variant "$bs" "$order"
        variant "$bs" "$order" -z
    done
done
t_note "20 images of the tree: $((SECONDS - start)) s"

# ------------------------------------------------ hand-made ambiguous images

# ambiguous NAME SIZES: an image of $T/NAME (mkfs -b 65536) whose files are
# all smaller than the smaller sizes: reported as ambiguous, never corrupt,
# and read exactly once the block size is given.
ambiguous() {
    local name=$1 sizes=$2 img=$T/$1.img out=$T/$1.out
    "$MKFS" -b 65536 "$T/$name" "$img" >/dev/null 2>&1 ||
        { t_fail "$name: mkfs.cramfs failed"; return; }
    rc_run ainfo 0 "$name: cramfs info" "$CRAMFS" info "$img"
    info_has ainfo "^block size: +ambiguous: $sizes \(pass --block-size\)\$" \
        "$name: info says ambiguous: $sizes"
    rc_run acheck 2 "$name: cramfs check: ambiguous, not corrupt" "$CRAMFS" check "$img"
    info_has acheck "warning: block size is ambiguous: $sizes fit every file" \
        "$name: check names the sizes that fit"
    info_has acheck "clean: 0 errors.*pass --block-size" \
        "$name: check is clean and suggests --block-size"
    rc_run afsck 0 "$name: cramfsck (fsck codes: no error)" "$CRAMFSCK" "$img"
    grep -q "block size ambiguous: $sizes" "$T/afsck.err"
    t_check $? "$name: cramfsck warns that the block size is ambiguous"
    rc_run aextract 0 "$name: cramfs extract" "$CRAMFS" extract "$img" --to "$out"
    grep -q "warning: block size ambiguous" "$T/aextract.err"
    t_check $? "$name: extract warns that the block size is ambiguous"
    rm -rf "$out"
    rc_run agiven 0 "$name: cramfs check --block-size 65536 is clean" \
        "$CRAMFS" check --block-size 65536 "$img"
    rc_run agivi 0 "$name: cramfs info --block-size 65536" \
        "$CRAMFS" info --block-size 65536 "$img"
    info_has agivi "^block size: +65536 \(given\)\$" "$name: info says given"
    rc_run agivx 0 "$name: extract --block-size 65536" \
        "$CRAMFS" extract --block-size 65536 "$img" --to "$out"
    exact_compare "$name: extraction with --block-size" "$T/$name" "$out"
}

mkdir "$T/small" "$T/single"
for i in $(seq 1 40); do
    head -c $((i * 97)) "$SRC/usr/share/doc"/*/copyright 2>/dev/null | head -c $((i * 97)) >"$T/small/f$i"
done
gen_files "$T/single" <<<"only 20000 only text"
chmod -R u=rwX,go=rX "$T/small" "$T/single"
ambiguous small "4096, 8192, 16384, 32768 or 65536"
ambiguous single "32768 or 65536"

# -------------------------------------------- a size that is no candidate
# mkfs.cramfs takes any -b, e.g. 12288, which is no page size: files of up
# to 8 KiB read alike under 8192..65536, the others fit one of them or none.
# Detection says no size fits ("best fit"), and check calls it corrupt.
mkdir "$T/odd"
gen_files "$T/odd" <<'EOF'
a 3000 a text
b 9000 b text
c 11000 c text
d 14000 d text
e 30000 e text
EOF
chmod -R u=rwX,go=rX "$T/odd"
if "$MKFS" -b 12288 "$T/odd" "$T/odd.img" >/dev/null 2>&1; then
    rc_run oinfo "0|4" "-b 12288: cramfs info" "$CRAMFS" info "$T/odd.img"
    info_has oinfo "^block size: +[0-9]+ \(best fit: [0-9]+ files? do(es)? not fit it\)" \
        "-b 12288: info says no size fits (best fit)"
    rc_run ocheck 4 "-b 12288: cramfs check: corrupt" "$CRAMFS" check "$T/odd.img"
    info_has ocheck "no block size fits every file: pass --block-size" \
        "-b 12288: check suggests --block-size"
else
    t_fail "-b 12288: mkfs.cramfs failed"
fi

t_done
