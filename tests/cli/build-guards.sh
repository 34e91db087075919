#!/usr/bin/env bash
# Guards of `cramfs build` (issue 13, item 10, the builder's part):
#   - an owner option beyond what cramfs stores (--force-uid 70000: uids
#     are 16 bits; --force-gid 256: gids are 8 bits) is refused before
#     anything is read: one line naming the option and the value, exit 16;
#   - the output image inside its own source tree is left out of the new
#     image, with a warning naming it (as mksquashfs leaves it out);
#   - compressed input is recognised by content (gzip here, whatever the
#     name), and compressed data that is no archive is named as such.
. "$(dirname "$0")/lib.sh"
t_init cramfs

mkdir -p "$T/src/sub"
echo hello > "$T/src/sub/file"

for opt in "--force-uid 70000" "--force-uid 65536" "--force-gid 256"; do
    # shellcheck disable=SC2086
    rc_run owner 16 "$opt: refused" "$CRAMFS" build $opt -o "$T/o.img" "$T/src"
    [ "$(wc -l < "$T/owner.err")" = 1 ] && grep -q "^cramfs: build: $opt: cramfs stores" "$T/owner.err"
    t_check $? "$opt: one line naming the option and the value"
    [ ! -e "$T/o.img" ]
    t_check $? "$opt: nothing written"
done
rc_run owner-max 0 "--force-uid 65535 --force-gid 255: accepted" \
    "$CRAMFS" build --force-uid 65535 --force-gid 255 -o "$T/o.img" "$T/src"
[ "$("$CRAMFS" ls -l "$T/o.img" | awk '{ print $2 }')" = 65535/255 ]
t_check $? "--force-uid 65535 --force-gid 255: stored"

# The image written into the tree it is built from, twice: the second
# build must not pack the first image.
"$CRAMFS" build --all-root -o "$T/src/self.img" "$T/src" 2> "$T/self1.err"
t_check $? "first build into the source tree"
cp "$T/src/self.img" "$T/first.img"
rc_run self 0 "second build into the source tree" \
    "$CRAMFS" build --all-root -o "$T/src/self.img" "$T/src"
grep -q "$T/src/self.img: the output image is inside the source: left out" "$T/self.err" &&
    [ "$(wc -l < "$T/self.err")" = 1 ]
t_check $? "one warning naming it"
[ "$("$CRAMFS" ls -R "$T/src/self.img" | tr '\n' ' ')" = "sub sub/file " ]
t_check $? "the new image holds the tree, not the old image"
cmp -s "$T/first.img" "$T/src/self.img"
t_check $? "so it equals the first build"
# Another file of the tree with the same name elsewhere is kept.
cp "$T/first.img" "$T/src/sub/copy.img"
rc_run self2 0 "a copy of the image elsewhere in the tree" \
    "$CRAMFS" build --all-root -o "$T/src/self.img" "$T/src"
"$CRAMFS" ls -R "$T/src/self.img" | grep -qx sub/copy.img
t_check $? "a copy (another file) is not left out"

# Compressed input, recognised by content.
tar -C "$T/src/sub" -cf - file | gzip -n > "$T/archive.bin"
rc_run gz 0 "a gzip-compressed tar named .bin" \
    "$CRAMFS" build -o "$T/gz.img" "$T/archive.bin"
[ "$("$CRAMFS" cat "$T/gz.img" file)" = hello ]
t_check $? "its contents"
yes "plain text" | head -c 2000 | gzip -n > "$T/text.gz"
rc_run gztext 8 "gzip-compressed text" "$CRAMFS" build -o "$T/t.img" "$T/text.gz"
grep -q "text.gz: gzip-compressed, but not a tar or cpio archive inside" "$T/gztext.err" &&
    [ "$(wc -l < "$T/gztext.err")" = 1 ]
t_check $? "one line saying what it is"
t_done
