#!/bin/bash
# lib-selftest.sh - the test helpers themselves (so the other tests cannot
# pass vacuously), as any user: the tree generator is deterministic, the
# tree comparer sees every kind of difference and applies cramfs's
# truncations (through the trees' meta when not root: lib.sh tree_begin),
# and the small byte/line helpers do what they say.  That a user's tree and
# meta stand for root's tree: lib-selftest-root.sh.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init python3 oracle

# quiet_compare ARGS...: tree_compare's verdict without its output
quiet_compare() { (tree_compare "$@") >/dev/null 2>&1; }

make_rich_tree "$T/a" && make_rich_tree "$T/b"
t_check $? "make_rich_tree builds"
exact_compare "make_rich_tree is deterministic" "$T/a" "$T/b"
rm -rf "$T/b"

# the stored view applies the truncations of docs/format.md §4.7
manifest stored "$T/a" >"$T/stored"
manifest raw "$T/a" >"$T/raw"
grep -q '^/owners/u70000 f 0644 4464 232 ' "$T/stored" && grep -q '^/owners/u70000 f 0644 70000 1000 ' "$T/raw"
t_check $? "stored view: uid 70000 -> 4464 (16 bits), gid 1000 -> 232 (8 bits)"
grep -q '^/owners/u1000g300 f 0640 1000 44 ' "$T/stored"
t_check $? "stored view: gid 300 -> 44"
grep -q "^/files/big-17m f 0644 0 0 16777215 $(head -c 16777215 "$T/a/files/big-17m" | sha256sum | cut -d' ' -f1)\$" "$T/stored"
t_check $? "stored view: size capped at 2^24-1, content hashed up to there"
grep -q '^/special/bigdev c 0600 0 0 - 259:368$' "$T/stored" && grep -q '^/special/bigdev c 0600 0 0 - 259:70000$' "$T/raw"
t_check $? "stored view: rdev 259:70000 cut to 24 bits reads back as 259:368"
manifest kernel "$T/a" | grep -q '^/special/bigdev c 0600 0 0 - 3:112$'
t_check $? "kernel view: 259:70000 shows as 3:112 (old_decode_dev)"
grep -q '^/names/with\\040space f ' "$T/stored" && grep -q '^/names/back\\134slash f ' "$T/stored"
t_check $? "manifest escapes space and backslash as octal"
[ "$(grep -c . "$T/stored")" -gt 100 ]
t_check $? "rich tree has > 100 entries ($(grep -c . "$T/stored"))"
for ty in f d l c b p s; do
    awk -v t=$ty '$2 == t { found = 1 } END { exit !found }' "$T/stored"
    t_check $? "rich tree has an entry of type $ty"
done

# every kind of difference is caught
make_small_tree "$T/s"
quiet_compare x "$T/s" "$T/s" raw raw
t_check $? "identical trees compare equal"
# mutate DESC COMMANDS [META_LINE]: COMMANDS run in a copy of the tree; as a
# user, what only root can change is changed in the copy's meta instead
# (META_LINE, fields separated by spaces; a later line wins)
mutate() {
    rm -rf "$T/c"
    cp -a "$T/s" "$T/c" && cp "$T/s.meta" "$T/c.meta"
    if [ -n "${3:-}" ] && ! tree_privileged; then
        printf '%s\n' "$3" | tr ' ' '\t' >>"$T/c.meta"
    else
        (cd "$T/c" && eval "$2")
    fi
    ! quiet_compare x "$T/s" "$T/c" raw raw
    t_check $? "comparer catches: $1"
}
mutate "a mode change" 'chmod 0600 f100'
mutate "a setuid bit lost" 'chmod 0755 f1' "mode f1 0755"
mutate "an owner change" 'chown 7 f100' "own f100 7 0"
mutate "a group change" 'chgrp 7 f100' "own f100 0 7"
mutate "a symlink's owner" 'chown -h 5 link' "own link 5 0"
mutate "same-size content change" 'printf X | dd of=multi bs=1 seek=10000 conv=notrunc status=none'
mutate "a truncated file" 'truncate -s 4999 rnd'
mutate "a symlink target" 'ln -sfn dir/b link'
mutate "a device number" 'rm cdev; mknod cdev c 1 6' "dev cdev c 1 6"
mutate "a device type" 'rm cdev; mknod cdev b 1 5' "dev cdev b 1 5"
mutate "a type change (fifo -> file)" 'rm fifo; : > fifo'
mutate "an extra entry" ': > extra'
mutate "a missing entry" 'rm dir/sub/b'
mutate "an empty dir removed" 'rmdir empty'
mutate "a root mode change" 'chmod 0700 .'
mutate "a renamed entry" 'mv f100 f101'

# byte helpers
: >"$T/bytes"; truncate -s 16 "$T/bytes"
put_u32 "$T/bytes" 4 $((0x12345678)) little
put_u32 "$T/bytes" 8 $((0x12345678)) big
[ "$(od -An -tx1 -j4 -N8 "$T/bytes" | tr -d ' \n')" = 7856341212345678 ] &&
    [ "$(get_u32 "$T/bytes" 4 little)" = $((0x12345678)) ] &&
    [ "$(get_u32 "$T/bytes" 8 big)" = $((0x12345678)) ]
t_check $? "put_u32/get_u32 in both byte orders"
printf 'cramfs: a\ncramfs: b\n' >"$T/e1"; printf 'cramfs: a\nother\n' >"$T/e2"; : >"$T/e3"
stderr_lines_ok "$T/e1" "cramfs: " && ! stderr_lines_ok "$T/e2" "cramfs: " && stderr_lines_ok "$T/e3" "cramfs: "
t_check $? "stderr_lines_ok"
t_done
