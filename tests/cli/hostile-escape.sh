#!/usr/bin/env bash
# hostile-escape.sh - hand-made images that try to make extraction write
# outside its target (issue 14): names "..", "." and ones holding "/",
# a NUL inside a name, a symlink followed by a directory of the same name
# (relative, absolute, to the canary), a directory ".." inside a
# directory, a symlink loop with a directory behind it, and symlinks
# planted in the target beforehand.  For each, with and without --force,
# `cramfs extract` and util-linux's interface `cramfsck --extract`:
#   - nothing is created outside the target (a sibling canary directory
#     stays empty; beside the target only its manifest may appear);
#   - the exit status is the one pinned here (4: the image is corrupt;
#     0: an image that only looks odd, such as a name "...");
#   - every refused entry has an error line naming it.
# The images are built by `cramfs build` with placeholder names of the
# same length, then the names are patched in place and the CRC fixed
# (docs/format.md §3.3, §5.1).  Runs as any user.
. "$(dirname "$0")/lib.sh"
t_init cramfs cramfsck python3

# patch IMAGE OLD=NEW...: replace directory entry names (same padded
# length; NEW may hold \x escapes) and fix the CRC
patch() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, pairs = sys.argv[1], sys.argv[2:]
b = bytearray(open(path, "rb").read())
for pair in pairs:
    old, new = pair.split("=", 1)
    old = old.encode()
    new = new.encode().decode("unicode_escape").encode("latin-1")
    pad = (len(old) + 3) & ~3
    assert len(new) <= pad, pair
    # a name starts after its 12-byte inode and is NUL-padded to 4 bytes
    at = b.find(old + b"\0" * (pad - len(old)) if pad > len(old) else old)
    assert at > 0, pair
    b[at:at + pad] = new + b"\0" * (pad - len(new))
b[32:36] = b"\0\0\0\0"
crc = zlib.crc32(bytes(b)) & 0xFFFFFFFF
b[32:36] = struct.pack("<I", crc)
open(path, "wb").write(b)
PY
}

# attempt NAME WANT [PLANT]: extract $T/NAME.img into a fresh target
# three ways (cramfs extract, with --force, cramfsck --extract) and check
# containment and the exit status: WANT is one code for all three or
# "PLAIN FORCE FSCK".  PLANT: shell commands run in the target beforehand
# (planted symlinks).
attempt() {
    local name=$1 plant=${3:-} mode dir i=0 want
    local -a wants cmd
    read -r -a wants <<<"$2"
    for mode in plain force fsck; do
        want=${wants[$i]:-${wants[0]}}
        i=$((i + 1))
        dir=$T/case-$name-$mode
        mkdir -p "$dir/canary" "$dir/out"
        [ -n "$plant" ] && (cd "$dir/out" && eval "$plant")
        case $mode in
        plain) cmd=("$CRAMFS" extract "$T/$name.img" --to "$dir/out") ;;
        force) cmd=("$CRAMFS" extract --force "$T/$name.img" --to "$dir/out") ;;
        fsck) cmd=("$CRAMFSCK" --extract="$dir/out" "$T/$name.img") ;;
        esac
        "${cmd[@]}" >"$dir.out" 2>"$dir.err"
        echo $? >"$dir.rc"
        [ -z "$(ls -A "$dir/canary")" ] &&
            [ -z "$(ls -A "$dir" | grep -vx -e out -e out.manifest -e canary)" ]
        t_check $? "$name ($mode): nothing written outside the target"
        [ "$(cat "$dir.rc")" = "$want" ]
        t_check $? "$name ($mode): exit $(cat "$dir.rc"), want $want"
        if [ "$want" != 0 ]; then
            grep -q 'error: ' "$dir.err"
            t_check $? "$name ($mode): an error line says what was refused"
        fi
    done
}

mkdir -p "$T/canary-abs"

# 1. entries named "..", "." (each a directory holding a file), "../c"
#    and "/etc" (a "/" inside a name), each in an image of its own: the
#    reader refuses the directory holding it (the listing is corrupt)
for c in "dotdot zz .." "dot yy ." "slash slsh ../c" "lead Xetc /etc"; do
    read -r cname old new <<<"$c"
    mkdir -p "$T/t1-$cname"
    if [ ${#old} = 2 ]; then
        mkdir -p "$T/t1-$cname/$old" && printf x >"$T/t1-$cname/$old/file-in"
    else
        printf x >"$T/t1-$cname/$old"
    fi
    "$CRAMFS" build --all-root -o "$T/$cname.img" "$T/t1-$cname" 2>/dev/null
    patch "$T/$cname.img" "$old=$new"
    attempt "$cname" 4
done

# 2. a NUL inside a name: "ab\0c" is not "ab"
mkdir -p "$T/t2" && printf x >"$T/t2/abxc" && printf y >"$T/t2/ab"
"$CRAMFS" build --all-root -o "$T/nul.img" "$T/t2" 2>/dev/null
patch "$T/nul.img" 'abxc=ab\x00c'
attempt nul 4

# 3. a symlink, then a directory of the same name holding a file: to
#    the canary (relative and absolute) and to the target's parent
mkdir -p "$T/t3/esc2" "$T/t3/abs2" "$T/t3/upp2"
printf x >"$T/t3/esc2/through-rel" && printf x >"$T/t3/abs2/through-abs"
printf x >"$T/t3/upp2/through-up"
ln -s ../canary "$T/t3/esc1" && ln -s "$T/canary-abs" "$T/t3/abs1" && ln -s .. "$T/t3/upp1"
"$CRAMFS" build --all-root -o "$T/samename.img" "$T/t3" 2>/dev/null
patch "$T/samename.img" esc2=esc1 abs2=abs1 upp2=upp1
attempt samename 4
[ -z "$(ls -A "$T/canary-abs")" ]
t_check $? "samename: nothing written through the absolute link"

# 4. a directory ".." inside a directory, holding a file
mkdir -p "$T/t4/d/zz" && printf x >"$T/t4/d/zz/up-file"
"$CRAMFS" build --all-root -o "$T/nested.img" "$T/t4" 2>/dev/null
patch "$T/nested.img" zz=..
attempt nested 4

# 5. a symlink loop and a directory behind one of its names
mkdir -p "$T/t5/l3" && printf x >"$T/t5/l3/in-loop"
ln -s l2 "$T/t5/l1" && ln -s l1 "$T/t5/l2"
"$CRAMFS" build --all-root -o "$T/loop.img" "$T/t5" 2>/dev/null
patch "$T/loop.img" l3=l1
attempt loop 4

# 6. symlinks planted in the target beforehand; the image is sound
mkdir -p "$T/t6/d" && printf x >"$T/t6/d/f" && printf y >"$T/t6/g"
"$CRAMFS" build --all-root -o "$T/planted.img" "$T/t6" 2>/dev/null
attempt planted "8 0 8" 'ln -s ../canary d; ln -s ../canary/g g'

# 7. what only looks odd: "...", "..x", a leading dash, a control
#    character; everything is extracted, exit 0
mkdir -p "$T/t7/..." && printf x >"$T/t7/.../f" && printf y >"$T/t7/..x"
printf z >"$T/t7/-rf" && printf w >"$T/t7/a"$'\n'"b"
"$CRAMFS" build --all-root -o "$T/odd.img" "$T/t7" 2>/dev/null
attempt odd 0
[ -f "$T/case-odd-plain/out/.../f" ] && [ -f "$T/case-odd-plain/out/..x" ] &&
    [ -f "$T/case-odd-plain/out/-rf" ] && [ -f "$T/case-odd-plain/out/a"$'\n'"b" ]
t_check $? "odd: every entry extracted under its own name"
t_done
