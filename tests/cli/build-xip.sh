#!/bin/bash
# build-xip.sh - the XIP options of `cramfs build` and `mkcramfs -X`
# (docs/xip.md):
#   - bad values (--xip-mode, --xip-align, --xip-budget, --xip-page-size
#     against -b) are usage errors: exit 16, nothing written;
#   - --xip-budget below what the plan needs: exit 8 before writing, one
#     error line naming both sizes; --max-size below the image: exit 8, the
#     old output unchanged, no temporary file left;
#   - --xip-report prints the plan, and its padding line adds up: region =
#     sum of the files' flash bytes + the alignment between files;
#     --json carries the same plan under "xip" and parses;
#   - the images check clean, extract to the source tree, and `cramfs check
#     --xip` predicts exactly the pages the report lists;
#   - the bytes do not depend on -j; mkcramfs -X -X gives the plan of
#     `cramfs build --mode util-linux --xip-all-elf` byte for byte.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init cramfs python3
: "${MKCRAMFS:=${CRAMFS_BUILD:-$repo_dir/build}/tools/mkcramfs/mkcramfs}"
[ -x "$MKCRAMFS" ] || t_skip "mkcramfs not found at $MKCRAMFS (set MKCRAMFS=)"
MKCRAMFS=$(realpath "$MKCRAMFS")
cd "$T" || exit 1

"$repo_dir/scripts/make-rootfs.sh" src >rootfs.log 2>&1 ||
    { t_fail "make-rootfs.sh failed"; cat rootfs.log; t_done; }

for bad in "--xip-mode fast" "--xip-align 6" "--xip-budget 12Q" \
           "-b 8192 --xip-page-size 4096"; do
    # shellcheck disable=SC2086
    rm -f bad.img
    rc_run usage 16 "cramfs build $bad: usage error" "$CRAMFS" build $bad -o bad.img src
    [ ! -e bad.img ]; t_check $? "cramfs build $bad: nothing written"
done

# (--all-root: as a user, whose gid is over 255, a warning per entry)
rc_run budget 8 "--xip-budget 64K: over budget" "$CRAMFS" build --all-root --xip --xip-budget 64K -o budget.img src
[ ! -e budget.img ] && [ "$(wc -l <budget.err)" = 1 ] &&
    grep -q 'XIP needs [0-9]* bytes of flash, more than the budget of 65536' budget.err
t_check $? "over budget: one line naming both sizes, nothing written"

echo old >small.img
rc_run maxsize 8 "--max-size 1M: image too big" "$CRAMFS" build --xip --max-size 1M -o small.img src
[ "$(cat small.img)" = old ] && [ -z "$(ls small.img.tmp.* 2>/dev/null)" ] &&
    grep -q 'the image needs [0-9]* bytes, more than the 1048576 allowed' maxsize.err
t_check $? "--max-size: old output unchanged, no temporary file, the sizes named"

rc_run report 0 "cramfs build --xip --xip-report" "$CRAMFS" build --xip --xip-report -o xip.img src
grep -q '^XIP plan (mmu, page 4096): 11 files' report.out &&
    grep -q '^/bin/busybox .*\[r-- 1/1, r-x [0-9]*/[0-9]*' report.out &&
    grep -q '^padding: [0-9]* bytes to align' report.out
t_check $? "--xip-report: header, per-file lines with segments, padding line"

rc_run json 0 "cramfs build --xip --json" "$CRAMFS" build --xip --json -o xip2.img src
cmp -s xip.img xip2.img; t_check $? "--json and --xip-report builds are byte-identical"
python3 - json.out <<'EOF'
import json, sys
x = json.load(open(sys.argv[1]))["xip"]
files = sum(f["flash_bytes"] for f in x["files"])
# the region holds the files' bytes, each file starting on a page
assert x["region_bytes"] >= files, (x["region_bytes"], files)
assert x["region_bytes"] - files < 4096 * len(x["files"])
assert x["region_offset"] % 4096 == 0
assert x["in_place_pages"] == sum(f["in_place"] for f in x["files"])
assert all(f["runs"] for f in x["files"])
EOF
t_check $? "--json: the plan parses and its sizes add up"

rc_run check 0 "cramfs check --xip --json" "$CRAMFS" check --xip --json xip.img
python3 - json.out check.out <<'EOF'
import json, sys
plan = {f["path"]: f for f in json.load(open(sys.argv[1]))["xip"]["files"]}
pred = {f["path"]: f for f in json.load(open(sys.argv[2]))["xip"]["per_file"]}
assert set(plan) == set(pred), set(plan) ^ set(pred)
for p, f in plan.items():
    assert pred[p]["in_place_pages"] == f["in_place"], p
EOF
t_check $? "cramfs check --xip predicts every planned page in place"

rc_run extract 0 "cramfs extract of the XIP image" "$CRAMFS" extract --to out xip.img
diff -r --no-dereference src out >diff.out; t_check $? "the XIP image extracts to the source tree"

"$CRAMFS" build --xip -j 1 -o j1.img src && "$CRAMFS" build --xip -j 3 -o j3.img src &&
    cmp -s j1.img j3.img && cmp -s j1.img xip.img
t_check $? "the bytes do not depend on -j"

rc_run mkx 0 "mkcramfs -X -X" "$MKCRAMFS" -X -X src mkx.img
"$CRAMFS" build --mode util-linux --xip-all-elf -o ul.img src && cmp -s mkx.img ul.img
t_check $? "mkcramfs -X -X == cramfs build --mode util-linux --xip-all-elf"
rc_run mkx1 0 "mkcramfs -X (no-MMU)" "$MKCRAMFS" -X src mkx1.img
"$CRAMFS" check --xip mkx1.img >mkx1.check 2>&1 &&
    grep -q 'xip (no-MMU, page 4096): 11 files' mkx1.check
t_check $? "mkcramfs -X: a no-MMU plan the checker recognises"

rc_run legacy 0 "--xip-mode legacy" "$CRAMFS" build --xip-mode legacy -o legacy.img src
"$CRAMFS" ls -l legacy.img /bin/busybox 2>&1 | grep -q '^-rwxr-xr-t' &&
    "$CRAMFS" extract --to legacy-out legacy.img && cmp -s legacy-out/bin/busybox src/bin/busybox
t_check $? "legacy: busybox gets the sticky bit and reads back through the legacy layout"
t_done
