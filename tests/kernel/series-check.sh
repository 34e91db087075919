#!/bin/bash
# series-check.sh - the kernel series (kernel/patches/) as a maintainer
# receives it, checked without building a kernel:
#   1. every patch is a `git format-patch` mail: From/Date/Subject headers,
#      "[PATCH NN/MM]" numbered as its file name with MM the number of
#      patches, a Signed-off-by, a diffstat, the "-- " signature;
#   2. the cover letter (0000) is "[PATCH 00/MM]" and lists every patch's
#      subject in order;
#   3. the patches apply in order, each with `git apply` (no fuzz, no
#      offset tolerance beyond git's), to the files of Debian's pristine
#      linux-source-6.1 they touch;
#   4. scripts/checkpatch.pl --strict from that same source: no ERROR or
#      WARNING in any patch; the only CHECKs allowed are "Avoid CamelCase"
#      on identifiers the CFI headers already define (the driver's own
#      struct fields, not ours).
# Exit 77 without linux-source-6.1 (scripts/setup installs it).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
patches=${SERIES_PATCHES_DIR:-$repo_dir/kernel/patches}

tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || t_skip "linux-source-6.1 not installed (scripts/setup)"
command -v git >/dev/null || t_skip "git not installed"
t_init

# Identifiers of include/linux/mtd/cfi.h the series uses as they are
camel_ok='FeatureSupport|SuspendCmdSupport|NumProtectionFields|EraseSuspend'

mapfile -t series < <(cd "$patches" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-')
total=${#series[@]}
[ "$total" -gt 0 ]; t_check $? "kernel/patches holds a series ($total patches)"
mm=$(printf '%02d' "$total")

# --- 1. the mails ---------------------------------------------------------------
# subject_of FILE: the Subject header, folded lines joined, "[PATCH ..]" kept
subject_of() {
    awk '/^Subject: / { s = substr($0, 10); getline; while ($0 ~ /^ /) { s = s $0; getline } print s; exit }' "$1"
}
for p in "${series[@]}"; do
    f=$patches/$p nn=${p:2:2} bad=
    head -n1 "$f" | grep -qE '^From [0-9a-f]{40} ' || bad+=" no-From-line"
    grep -q '^Date: ' "$f" || bad+=" no-Date"
    subject_of "$f" | grep -qE "^\[PATCH( v[0-9]+)? $nn/$mm\] " || bad+=" subject-not-[PATCH $nn/$mm]"
    grep -q '^Signed-off-by: .* <.*@.*>$' "$f" || bad+=" no-Signed-off-by"
    grep -qE '^ [0-9]+ files? changed' "$f" || bad+=" no-diffstat"
    grep -qx -- '-- ' "$f" || bad+=" no-signature"
    [ -z "$bad" ]; t_check $? "$p: a format-patch mail${bad:+ (missing:$bad)}"
done

cover=$(ls "$patches"/0000-*.patch 2>/dev/null | head -n1)
[ -n "$cover" ] && subject_of "$cover" | grep -qE "^\[PATCH( v[0-9]+)? 00/$mm\] "
t_check $? "cover letter: [PATCH 00/$mm]"
missing=
for p in "${series[@]}"; do
    s=$(subject_of "$patches/$p" | sed -E 's/^\[PATCH( v[0-9]+)? [0-9]+\/[0-9]+\] //')
    grep -qF "  $s" "$cover" || missing+=" ${p:0:4}"
done
[ -z "$missing" ]; t_check $? "cover letter lists every patch's subject${missing:+ (not:$missing)}"

# --- 2. the pristine files they touch, then apply in order ------------------
mapfile -t files < <(cat "${series[@]/#/$patches/}" |
    sed -n 's#^--- a/\(.*\)#\1#p; s#^+++ b/\(.*\)#\1#p' | sort -u)
top=$(tar -tf "$tarball" 2>/dev/null | head -n1 | cut -d/ -f1)
src=$T/src
mkdir -p "$src"
want=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
members=()
for f in "${files[@]}" "${want[@]}"; do members+=("$top/$f"); done
# One pass over the tarball.  The files a patch creates are not in it, so
# tar reports them "Not found" and exits 2 after extracting the others; a
# file that should have been there makes its patch fail to apply below.
tar -C "$src" --strip-components=1 -xf "$tarball" "${members[@]}" 2>"$T/tar.err"
have=$(find "$src" -type f | wc -l)
[ "$have" -gt 0 ] && ! grep -v 'Not found in archive\|Exiting with failure status' "$T/tar.err" >/dev/null
t_check $? "extracted $have files of $top ($(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null))"
git -C "$src" init -q && git -C "$src" add -A && git -C "$src" -c user.name=t -c user.email=t@t commit -qm pristine
for p in "${series[@]}"; do
    git -C "$src" apply --whitespace=error-all "$patches/$p" 2>"$T/apply.err"
    t_check $? "$p applies (git apply, on the patches before it)"
    [ -s "$T/apply.err" ] && sed 's/^/# /' "$T/apply.err"
    git -C "$src" add -A
done

# --- 3. checkpatch ----------------------------------------------------------------
cp=$src/scripts/checkpatch.pl
if [ -f "$cp" ]; then
    for p in "${series[@]}" "${cover##*/}"; do
        # outside any git tree: checkpatch would otherwise look at ours
        # UNKNOWN_COMMIT_ID: a Fixes: tag names a commit of the kernel's
        # history, which Debian's source tarball does not have;
        # FILE_PATH_CHANGES: the one new file, fs/cramfs/xip.c, is under
        # "F: fs/cramfs/" of CRAMFS FILESYSTEM (checked below)
        (cd "$T" && perl "$cp" --no-tree --strict --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$patches/$p") \
            >"$T/cp.out" 2>"$T/cp.err"
        bad=$(grep -E "^(ERROR|WARNING|CHECK):" "$T/cp.out" |
              grep -vE "CHECK: Avoid CamelCase: <($camel_ok)>")
        # no summary line: checkpatch did not run through (bad option, perl)
        grep -qE 'total: [0-9]+ errors, [0-9]+ warnings' "$T/cp.out" ||
            bad="checkpatch did not finish: $(grep -v 'uninitialized value\|No such file' "$T/cp.err" | head -n 3)"
        [ -z "$bad" ]; t_check $? "$p: checkpatch --strict clean"
        [ -z "$bad" ] || echo "$bad" | head -n 20 | sed 's/^/# /'
    done
    # what FILE_PATH_CHANGES would ask: every file the series creates is
    # under a directory that MAINTAINERS covers
    for f in $(cat "${series[@]/#/$patches/}" |
               awk '/^--- \/dev\/null/ { n = 1; next } n && /^\+\+\+ b\// { print substr($0, 7) } { n = 0 }' |
               sort -u); do
        d=${f%/*}/
        grep -qxF "F:	$d" "$src/MAINTAINERS"
        t_check $? "new file $f is under a MAINTAINERS F: entry ($d)"
    done
else
    t_fail "no scripts/checkpatch.pl in $tarball"
fi
t_done
