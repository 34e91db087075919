#!/bin/bash
# corrupt-cli.sh - the tools on ~300 deterministically mutated images.
#
# Three base images of the small test tree (LE; BE with boot pad and 8 KiB
# blocks; LE with holes and an inserted blob) get 100 mutations each, made
# from a fixed seed: byte flips (mostly in the superblock and directory
# area), superblock fields and other 32-bit words set to boundary values,
# root inode bit flips, zeroed ranges, truncations and appended garbage.
# For every mutant:
#   - `cramfs check`, `cramfs extract` and `cramfsck --extract` exit 0, 4
#     or 8: never a signal, a sanitizer abort or a hang (timeout 10 s);
#   - every stderr line starts with "cramfs: " (or "cramfsck: ");
#   - `cramfs extract --to CASE/out` creates nothing outside CASE/out but
#     the manifest CASE/out.manifest (a canary sibling directory stays
#     empty; checked with find).
# CORRUPT_COUNT=N changes the number of mutants per base image;
# CORRUPT_VERBOSE=1 prints every run's exit status (CRAMFS_TEST_KEEP=1
# keeps the mutants in the kept temp dir).  Runs as any user (the tree's
# owners and devices: lib.sh tree_begin; the base images: tree_image).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck mkfs python3

per_base=${CORRUPT_COUNT:-100}
cd "$T" || exit 1
make_small_tree src || { t_fail "cannot build the test tree"; t_done; }
head -c 333 /dev/zero | tr '\0' 'I' >blob
tree_image base-le.img src &&
    tree_image base-be-p-8k.img src -N big -p -b 8192 &&
    tree_image base-le-z-i.img src -z -i blob ||
    { t_fail "cannot build the base images"; t_done; }

mkdir mut
python3 - "$per_base" base-le.img base-be-p-8k.img base-le-z-i.img <<'PY' || { t_fail "mutator failed"; t_done; }
import random, struct, sys
n = int(sys.argv[1])
for b, base in enumerate(sys.argv[2:]):
    orig = open(base, "rb").read()
    name = base[len("base-"):-len(".img")]
    start = 512 if orig[:4] == b"\0\0\0\0" else 0
    order = ">" if orig[start:start + 4] == b"\x28\xcd\x3d\x45" else "<"
    size = struct.unpack_from(order + "I", orig, start + 4)[0]
    # metadata (superblock + directory area) ends where the root list's
    # first data item starts; approximate it by the first 1/4 of the image
    meta_end = max(start + 200, len(orig) // 4)
    for i in range(n):
        rng = random.Random(1000 * b + i)
        d = bytearray(orig)
        kind = i % 7
        if kind == 0:       # a few random bytes in the metadata
            for _ in range(rng.randint(1, 4)):
                d[rng.randrange(start, meta_end)] = rng.randrange(256)
        elif kind == 1:     # single bit flips anywhere
            for _ in range(rng.randint(1, 8)):
                p = rng.randrange(len(d))
                d[p] ^= 1 << rng.randrange(8)
        elif kind == 2:     # a 32-bit field set to a boundary value
            p = rng.randrange(start, meta_end - 4) & ~3
            v = rng.choice([0, 1, 3, 0x7f, 0xff, 76, 588, size, size + 1, len(d) - 1,
                            0x3fffffff, 0x40000000, 0x80000000, 0xc0000000,
                            0xfffffffc, 0xffffffff, rng.randrange(1 << 32)])
            struct.pack_into(order + "I", d, p, v)
        elif kind == 3:     # zero a range
            p = rng.randrange(start, len(d))
            l = rng.randint(1, 512)
            d[p:p + l] = bytes(len(d[p:p + l]))
        elif kind == 4:     # truncate (half of the cuts in the first 600 bytes)
            d = d[:rng.randrange(0, 600 if rng.random() < 0.5 else len(d))]
        elif kind == 6:     # a superblock or root inode field
            off = start + rng.choice([0, 4, 8, 12, 32, 36, 40, 44, 64, 68, 72])
            v = rng.choice([0, 1, 0xff, 0x100, 0x400, 0x800, 0xfff, 0x1000, 76, 587, 588,
                            size - 1, size + 1, len(d) * 2, 0x28cd3d45, 0x453dcd28,
                            0xffffffff, rng.randrange(1 << 32)])
            if off - start in (64, 68, 72):   # root inode words: flip bits instead
                v = struct.unpack_from(order + "I", d, off)[0] ^ (1 << rng.randrange(32))
            struct.pack_into(order + "I", d, off, v)
        else:               # random bytes in the data area, or garbage appended
            if rng.random() < 0.8:
                for _ in range(rng.randint(1, 16)):
                    d[rng.randrange(meta_end, len(d))] = rng.randrange(256)
            else:
                d += bytes(rng.randrange(256) for _ in range(rng.randint(1, 9000)))
        open("mut/%s-%03d.img" % (name, i), "wb").write(bytes(d))
PY

bad_exit=0 bad_err=0 escaped=0 total=0
declare -A seen    # "tool:exit" -> count, for the summary
# record KIND CASE: first few failures are shown in full, the rest counted
record() {
    local what=$1 c=$2
    case $what in
    exit) bad_exit=$((bad_exit + 1)); [ $bad_exit -le 5 ] || return ;;
    err) bad_err=$((bad_err + 1)); [ $bad_err -le 5 ] || return ;;
    esc) escaped=$((escaped + 1)); [ $escaped -le 5 ] || return ;;
    esac
    t_fail "$c: $3"
    show mc 8
}

mkdir case
top=$(ls -A "$T")    # mc.* (run logs) exist from the first run on
top=$(printf '%s\n' $top mc.err mc.out | sort -u)
for img in mut/*.img; do
    c=$(basename "$img" .img)
    total=$((total + 1))
    case_dir=$T/case/$c
    mkdir -p "$case_dir/canary"
    for tool in check extract cramfsck; do
        case $tool in
        check) CRAMFS_TEST_TIMEOUT=10 run mc "$CRAMFS" check "$img"; prefix="cramfs: " ;;
        extract) CRAMFS_TEST_TIMEOUT=10 run mc "$CRAMFS" extract "$img" --to "$case_dir/out"; prefix="cramfs: " ;;
        cramfsck) CRAMFS_TEST_TIMEOUT=10 run mc "$CRAMFSCK" --extract "$img"; prefix="cramfsck: " ;;
        esac
        seen[$tool:$RC]=$(( ${seen[$tool:$RC]:-0} + 1 ))
        [ "${CORRUPT_VERBOSE:-0}" = 1 ] && t_note "$c $tool exit $RC: $(head -n 1 "$T/mc.err")"
        case $RC in
        0|4|8) ;;
        124|137) record exit "$c" "$tool timed out (10 s)" ;;
        *) record exit "$c" "$tool exit $RC (want 0, 4 or 8)" ;;
        esac
        stderr_lines_ok "$T/mc.err" "$prefix" ||
            record err "$c" "$tool: a stderr line does not start with '$prefix'"
    done
    # nothing but CASE, CASE/canary and CASE/out/... may exist (and, as a
    # user, CASE/out.manifest: the owners and devices not applied)
    outside=$(find "$case_dir" -path "$case_dir/out" -prune -o -print |
        grep -v -x -F -e "$case_dir" -e "$case_dir/canary" -e "$case_dir/out" \
            -e "$case_dir/out.manifest" | head -n 3)
    [ -z "$outside" ] || record esc "$c" "extract wrote outside out/: $outside"
    # ... nor higher up: $T/case holds only this case, $T is as before
    [ "$(ls -A "$T/case")" = "$c" ] || record esc "$c" "extract wrote into $T/case: $(ls -A "$T/case" | head -n 3)"
    [ "$(ls -A "$T")" = "$top" ] || record esc "$c" "extract wrote into $T: $(ls -A "$T" | tr '\n' ' ')"
    chmod -R u+rwX "$case_dir" 2>/dev/null
    rm -rf "$case_dir"
done

t_note "exit statuses: $(for k in "${!seen[@]}"; do echo "$k=${seen[$k]}"; done | sort | tr '\n' ' ')"
[ "$total" = $((3 * per_base)) ]
t_check $? "$total mutated images tried"
[ $bad_exit = 0 ]
t_check $? "every run exited 0, 4 or 8 ($bad_exit did not)"
[ $bad_err = 0 ]
t_check $? "every stderr line carried the program prefix ($bad_err runs did not)"
[ $escaped = 0 ]
t_check $? "no extraction wrote outside its target ($escaped did)"
t_done
