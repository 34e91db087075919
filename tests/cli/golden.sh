#!/bin/bash
# golden.sh - golden outputs of `cramfs` on the util-linux mkfs-endianness
# fixture images (tests/data/cramfs-{little,big}.img, see PROVENANCE).
#
# Each case stores stdout, stderr and the exit status in
# tests/cli/golden/<image>-<case>.out.  The goldens were reviewed against
# docs/cli-spec.md and docs/format.md (CRC 0xCA39D39B / 0xD350CC02, root
# list at 76, dirA list at 92, 5 files, 5 blocks).  Regenerate after an
# intended output change with
#     UPDATE_GOLDEN=1 tests/cli/golden.sh
# and review the diff before committing.
#
# Also: `cat` of the big file equals the fixture tree, extraction of each
# image reproduces the tree, and util-linux's fsck-endianness round trip:
# extract one byte order, rebuild with mkfs.cramfs in the other, and get the
# other fixture byte for byte.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs cramfsck oracle

golden_dir=$cli_dir/golden
update=${UPDATE_GOLDEN:-0}
[ "$update" = 1 ] && mkdir -p "$golden_dir"
W=$T/work
mkdir "$W"
cp "$data_dir/cramfs-little.img" "$data_dir/cramfs-big.img" "$W/"

# golden NAME ARGS...: run `cramfs ARGS` in $W, compare with golden/NAME.out
golden() {
    local name=$1 file=$golden_dir/$1.out rc
    shift
    (cd "$W" && timeout 60 "$CRAMFS" "$@" >"$T/g.out" 2>"$T/g.err")
    rc=$?
    {
        echo "\$ cramfs $*"
        cat "$T/g.out"
        [ -s "$T/g.out" ] && [ "$(tail -c 1 "$T/g.out" | od -An -c | tr -d ' ')" != '\n' ] &&
            printf '\n--- (no newline at the end of stdout)\n'
        echo "--- stderr"
        cat "$T/g.err"
        echo "--- exit $rc"
    } >"$T/g.all"
    if [ "$update" = 1 ]; then
        cp "$T/g.all" "$file"
        t_ok "$name: golden written"
    elif [ ! -f "$file" ]; then
        t_fail "$name: no golden file $file (run with UPDATE_GOLDEN=1)"
    elif diff -u --label "golden/$name.out" --label "got" "$file" "$T/g.all" >"$T/g.diff"; then
        t_ok "$name: output, stderr and exit status as golden"
    else
        t_fail "$name: differs from golden"
        head -n 60 "$T/g.diff" | sed 's/^/  /'
    fi
}

for e in little big; do
    img=cramfs-$e.img
    golden "$e-info" info "$img"
    golden "$e-info-json" info --json "$img"
    golden "$e-ls" ls "$img"
    golden "$e-ls-R" ls -R "$img"
    golden "$e-ls-lR" ls -lR "$img"
    golden "$e-ls-l-dirB" ls -l "$img" /dirA/dirB
    golden "$e-ls-json" ls --json "$img"
    golden "$e-ls-lR-json" ls -lR --json "$img"
    golden "$e-check" check "$img"
    golden "$e-check-json" check --json "$img"
    golden "$e-cat-a" cat "$img" /dirA/dirB/a
    golden "$e-cat-missing" cat "$img" /dirA/nope
    golden "$e-cat-dir" cat "$img" /dirA
    golden "$e-ls-missing" ls "$img" /nope

    # JSON outputs parse
    for j in info check; do
        "$CRAMFS" "$j" --json "$W/$img" | jq -e . >/dev/null 2>&1
        t_check $? "$e: $j --json is valid JSON"
    done
    "$CRAMFS" ls -lR --json "$W/$img" | jq -e 'length == 4' >/dev/null 2>&1
    t_check $? "$e: ls -lR --json is a JSON array of the 4 entries"

    # contents against the committed tree
    (cd "$W" && "$CRAMFS" cat "$img" dirA/dirB/b) | cmp -s - "$data_dir/endianness-tree/dirA/dirB/b"
    t_check $? "$e: cat dirA/dirB/b equals the fixture tree"
done

[ "$update" = 1 ] && { t_note "goldens written to $golden_dir: review them"; t_done; }

# ------------------------------------------------------- round trips
if [ "$(id -u)" != 0 ] || ! MKFS=$(command -v mkfs.cramfs); then
    t_note "round-trip part needs root and mkfs.cramfs: not run"
    t_done
fi
mkdir "$T/tree"
cp -r "$data_dir/endianness-tree/." "$T/tree/"
chown -R 0:0 "$T/tree"
find "$T/tree" -type d -exec chmod 0755 {} +
find "$T/tree" -type f -exec chmod 0644 {} +
other() { if [ "$1" = little ]; then echo big; else echo little; fi; }
for e in little big; do
    rc_run ex 0 "$e: cramfs extract" "$CRAMFS" extract "$W/cramfs-$e.img" --to "$T/x-$e"
    exact_compare "$e: extracted tree equals the fixture tree" "$T/tree" "$T/x-$e"
    o=$(other $e)
    "$MKFS" -N "$o" -b 4096 "$T/x-$e" "$T/re-$o.img" >/dev/null 2>&1
    cmp -s "$T/re-$o.img" "$W/cramfs-$o.img"
    t_check $? "$e: extract + mkfs.cramfs -N $o gives cramfs-$o.img byte for byte"
    # util-linux fsck-endianness: fsck --verbose --blocksize 4096 --extract=DIR
    rc_run ck 0 "$e: cramfsck --verbose --blocksize 4096 --extract=DIR" \
        "$CRAMFSCK" --verbose --blocksize 4096 --extract="$T/ck-$e" "$W/cramfs-$e.img"
    exact_compare "$e: cramfsck-extracted tree equals the fixture tree" "$T/tree" "$T/ck-$e"
    "$MKFS" -N "$o" -b 4096 "$T/ck-$e" "$T/re2-$o.img" >/dev/null 2>&1
    cmp -s "$T/re2-$o.img" "$W/cramfs-$o.img"
    t_check $? "$e: cramfsck --extract + mkfs.cramfs -N $o gives cramfs-$o.img byte for byte"
done
t_done
