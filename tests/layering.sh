#!/usr/bin/env bash
# The layering rule of docs/architecture.md: each lib/ module includes only
# the public headers and the private headers of the modules it may use, and
# the library never prints or exits.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fail=0
declare -A allowed=(
  [util]="util"
  [format]="util format"
  [codec]="util codec"
  [elf]="util elf"
  [reader]="util format codec reader"
  [check]="util format codec reader elf check"
  [build]="util format codec elf build"
)
for mod in "${!allowed[@]}"; do
  for f in "$top"/lib/"$mod"/*.[ch]; do
    while read -r inc; do
      dep=${inc%%/*}
      [[ $inc != */* ]] && dep=$mod     # a header beside the source
      [[ $dep == cramfs ]] && continue  # the public API
      if [[ " ${allowed[$mod]} " != *" $dep "* ]]; then
        echo "layering: lib/$mod/${f##*/} includes \"$inc\" ($mod may use: ${allowed[$mod]})"
        fail=1
      fi
    done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
    if grep -nE '\b(printf|puts|exit|abort)\s*\(' "$f" | grep -vE 'snprintf|vasprintf|fprintf\(f,' >/dev/null; then
      echo "layering: lib/$mod/${f##*/} prints or exits"
      fail=1
    fi
  done
done
for f in "$top"/tools/*/*.c; do
  if grep -n '^#include "\(util\|format\|codec\|reader\|check\)/' "$f"; then
    echo "layering: ${f#$top/} uses a private library header"
    fail=1
  fi
done
[ $fail = 0 ] && echo "layering: ok"
exit $fail
