#!/usr/bin/env bash
# Build sources other than one directory: tar archives (GNU, pax; a file or
# standard input) give the same image as the directory they were made from
# (every archive format and compression: build-archive.sh);
# several directories merge; owner overrides apply; a broken archive fails
# with one line naming it and writes nothing.
# Runs as any user: the rich tree's owners and devices come from its device
# table (lib.sh tree_table), applied to the directory and to the archives
# GNU tar makes of it, and are in the headers of the one Python's tarfile
# makes (tree_tar).
. "$(dirname "$0")/lib.sh"
t_init cramfs python3

make_rich_tree "$T/src" || t_fail "make_rich_tree"
# tar cannot hold sockets; everything else in the rich tree it keeps.
find "$T/src" -type s -delete
tree_table "$T/src" > "$T/src.table"
dt=(-D "$T/src.table")

"$CRAMFS" build --mode util-linux "${dt[@]}" -o "$T/dir.img" "$T/src" 2> /dev/null
t_check $? "build from the directory"
for fmt in gnu pax; do
    tar -C "$T/src" --format=$fmt -cf "$T/$fmt.tar" .
    rc_run "tar-$fmt" 0 "build from a $fmt tar archive" \
        "$CRAMFS" build --mode util-linux "${dt[@]}" -o "$T/$fmt.img" "$T/$fmt.tar"
    cmp "$T/dir.img" "$T/$fmt.img" > /dev/null
    t_check $? "$fmt tar: the same bytes as from the directory"
done
"$CRAMFS" build --mode util-linux "${dt[@]}" -o "$T/stdin.img" - < "$T/pax.tar" 2> /dev/null
cmp "$T/dir.img" "$T/stdin.img" > /dev/null
t_check $? "tar on standard input: the same bytes"
tree_tar "$T/src" "$T/py.tar"
rc_run tar-py 0 "build from a GNU tar with owners and devices (Python's tarfile)" \
    "$CRAMFS" build --mode util-linux -o "$T/py.img" "$T/py.tar"
cmp "$T/dir.img" "$T/py.img" > /dev/null
t_check $? "owners and devices from the tar headers: the same bytes"

# Merge: b/ adds a file and replaces one of a/ (with a warning).
mkdir -p "$T/a/sub" "$T/b/sub"
echo one > "$T/a/sub/x"; echo old > "$T/a/y"
echo two > "$T/b/sub/z"; echo new > "$T/b/y"
rc_run merge 0 "two sources merge" \
    "$CRAMFS" build --all-root -o "$T/m.img" "$T/a" "$T/b"
grep -q "replaces an entry" "$T/merge.err"
t_check $? "merge: replacing y is reported"
[ "$("$CRAMFS" cat "$T/m.img" sub/x sub/z y)" = "$(printf 'one\ntwo\nnew')" ]
t_check $? "merge: contents of both sources, the later one winning"
[ "$("$CRAMFS" ls -lR "$T/m.img" | awk '{print $2}' | sort -u)" = "0/0" ]
t_check $? "--all-root: every entry 0/0"
rc_run force 0 "--force-uid/--force-gid" \
    "$CRAMFS" build --force-uid 1234 --force-gid 56 -o "$T/f.img" "$T/a"
[ "$("$CRAMFS" ls -lR "$T/f.img" | awk '{print $2}' | sort -u)" = "1234/56" ]
t_check $? "--force-uid 1234 --force-gid 56: every entry 1234/56"

# Text, not random bytes: those could pass for an lzma stream's header.
yes "not an archive" | head -c 3000 > "$T/junk.tar"
rc_run junk 8 "a file that is not a tar archive" \
    "$CRAMFS" build -o "$T/junk.img" "$T/junk.tar"
[ "$(wc -l < "$T/junk.err")" = 1 ] && grep -q "junk.tar: not a tar or cpio archive" "$T/junk.err"
t_check $? "one line naming the archive"
[ ! -e "$T/junk.img" ] && [ -z "$(find "$T" -maxdepth 1 -name 'junk.img*')" ]
t_check $? "nothing written, no temporary file left"
t_done
