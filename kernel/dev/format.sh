#!/bin/bash
# kernel/dev/format.sh DIR: write the series of workspace DIR
# (kernel/dev/workspace.sh; base..HEAD) back into kernel/patches as
# [PATCH v2 NN/MM] mails, addressed as for a posting.  The cover letter
# keeps its body (kernel/patches/0000-cover-letter.patch from its first
# blank line after the headers up to the shortlog); its subject, shortlog
# and diffstat are made anew.  Then run tests/kernel/series-check.sh.
# SERIES_OUT=DIR writes the mails there instead of kernel/patches.
set -euo pipefail
[ $# = 1 ] || { echo "usage: kernel/dev/format.sh DIR" >&2; exit 2; }
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${SERIES_OUT:-$here/../patches}
cover=$here/../patches/0000-cover-letter.patch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^Subject: / { hdr = 1 } hdr && !body && /^$/ { body = 1; next }
     body && /^cramfs-xip developers \([0-9]+\):$/ { exit } body { print }' "$cover" >"$tmp/body"
git -C "$dir" format-patch -q -n --cover-letter --subject-prefix="PATCH v2" \
    --to="Miquel Raynal <miquel.raynal@bootlin.com>" \
    --to="Richard Weinberger <richard@nod.at>" \
    --to="Vignesh Raghavendra <vigneshr@ti.com>" \
    --to="Nicolas Pitre <nico@fluxnic.net>" \
    --cc="linux-mtd@lists.infradead.org" --cc="linux-mm@kvack.org" \
    --cc="linux-fsdevel@vger.kernel.org" \
    --cc="Andrew Morton <akpm@linux-foundation.org>" \
    -o "$tmp/mails" base..HEAD
n=$(ls "$tmp/mails" | grep -vc '^0000-')
new=$tmp/mails/0000-cover-letter.patch
{
    sed -n '1,/^Subject: /p' "$new" | sed '$d'
    printf 'Subject: [PATCH v2 00/%02d] mtd, cramfs: revocable mtd_point() holders for XIP on NOR\n' "$n"
    sed -n '/^Subject: /,/^$/p' "$new" | sed '1d'
    cat "$tmp/body"
    sed -n '/^cramfs-xip developers ([0-9]*):$/,$p' "$new"
} >"$tmp/cover"
rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
cp "$tmp/cover" "$out/0000-cover-letter.patch"
for f in "$tmp"/mails/[0-9][0-9][0-9][0-9]-*.patch; do
    case ${f##*/} in 0000-*) ;; *) cp "$f" "$out/" ;; esac
done
echo "format.sh: $n patches and the cover letter in $out"
