#!/bin/bash
# make-fixtures.sh - regenerate the committed fixtures of tests/data (see
# PROVENANCE).  Needs root (root-owned source tree) and util-linux
# mkfs.cramfs.  `make-fixtures.sh --check` rebuilds into a temp dir and
# compares with the committed files instead of overwriting them.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=0
[ "${1:-}" = --check ] && check=1
[ "$(id -u)" = 0 ] || { echo "make-fixtures.sh: needs root" >&2; exit 1; }

line="Testing cramfs 1234567890 Endianness check 1234567890 Endianness check"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the mkfs-endianness tree: dirA/dirB/a (512 bytes), dirA/dirB/b (15360)
out=$here
[ $check = 1 ] && out=$tmp/out
mkdir -p "$out/endianness-tree/dirA/dirB"
{ yes "$line" || true; } | head -c 512 >"$out/endianness-tree/dirA/dirB/a"
{ yes "$line" || true; } | head -c 15360 >"$out/endianness-tree/dirA/dirB/b"

# normalised copy: files 0644, dirs 0755, root:root (git keeps neither)
mkdir "$tmp/src"
cp -r "$out/endianness-tree/." "$tmp/src/"
chown -R 0:0 "$tmp/src"
find "$tmp/src" -type d -exec chmod 0755 {} +
find "$tmp/src" -type f -exec chmod 0644 {} +
mkfs.cramfs -N little -b 4096 "$tmp/src" "$out/cramfs-little.img"
mkfs.cramfs -N big -b 4096 "$tmp/src" "$out/cramfs-big.img"

if [ $check = 1 ]; then
    rc=0
    for f in endianness-tree/dirA/dirB/a endianness-tree/dirA/dirB/b cramfs-little.img cramfs-big.img; do
        if cmp -s "$out/$f" "$here/$f"; then echo "same: $f"; else echo "DIFFERS: $f"; rc=1; fi
    done
    exit $rc
fi
(cd "$here" && sha256sum cramfs-little.img cramfs-big.img)
