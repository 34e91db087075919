#!/bin/bash
# kernel/dev/workspace.sh DIR: a git workspace for editing the series.
#
# DIR gets the files of Debian's linux-source-6.1 that the series touches
# (plus drivers/mtd/chips/Kconfig), committed as "base" (tag base), and the
# series of kernel/patches applied on top with git am, one commit a patch.
# Edit there (git rebase -i, --fixup/--autosquash), then write the series
# back with kernel/dev/format.sh DIR.
#
# exit: 0 ok, 1 failure, 2 usage.
set -euo pipefail
[ $# = 1 ] || { echo "usage: kernel/dev/workspace.sh DIR" >&2; exit 2; }
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
patches=$here/../patches
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "workspace.sh: no linux-source-6.1 (scripts/setup)" >&2; exit 1; }
[ ! -e "$dir" ] || { echo "workspace.sh: $dir exists" >&2; exit 1; }
mapfile -t files < <(cat "$patches"/[0-9][0-9][0-9][0-9]-*.patch |
    sed -n 's#^--- a/\(.*\)#\1#p; s#^+++ b/\(.*\)#\1#p' | sort -u)
files+=(drivers/mtd/chips/Kconfig)
top=$(tar -tf "$tarball" 2>/dev/null | head -n1 | cut -d/ -f1 || true)
mkdir -p "$dir"
members=()
for f in "${files[@]}"; do members+=("$top/$f"); done
# files the series creates are not in the tarball
tar -C "$dir" --strip-components=1 -xf "$tarball" "${members[@]}" 2>/dev/null || true
cd "$dir"
git init -q
git add -A
git -c user.name=base -c user.email=base@localhost commit -qm base
git tag base
git config user.name "cramfs-xip developers"
git config user.email cramfs-xip@example.org
for p in "$patches"/[0-9][0-9][0-9][0-9]-*.patch; do
    case ${p##*/} in 0000-*) continue ;; esac
    git am -q "$p"
done
echo "workspace.sh: $dir: $(git rev-list --count base..HEAD) patches on base"
