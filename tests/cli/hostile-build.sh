#!/usr/bin/env bash
# The builder under hostile input (issue 14):
#   1. names: a device table (mkcramfs -D, cramfs build -D) or an archive
#      (tar, cpio) naming an entry with a "." or ".." component, a NUL or
#      a "/" made by an escape is refused: exit 8, an error naming the
#      table and line, or the archive and entry, nothing written; the
#      harmless spellings ("./a", "/abs", "a//b", "dir/") are accepted;
#   2. many entries in one directory, from a tar or a device-table range,
#      take time linear in their number (CPU time of 8 times the entries
#      under 24 times that of the smaller case, where sorting after each
#      insert took 64 times and more), and the images do not depend on the
#      order the entries came in;
#   3. an output that would replace an input (a source file or directory,
#      a file inside a source directory that is not a cramfs image, a
#      device table, the -i file; also through symlinks) is refused, exit
#      16, one line naming the output, the input left as it was; a rebuild
#      over an earlier image in the tree still works.
# Runs as any user (device nodes are made from tables, not on disk).
. "$(dirname "$0")/lib.sh"
t_init cramfs mkcramfs python3

S=$T/src
mkdir -p "$S/sub"
echo hello > "$S/sub/file"

# no_dots IMAGE: no entry of IMAGE is "." or ".." (ls -R lists paths)
no_dots() {
    "$CRAMFS" ls -R "$1" 2>/dev/null | awk -F/ '
        { for (i = 1; i <= NF; i++) if ($i == "." || $i == "..") bad = 1 }
        END { exit bad }'
}

# --------------------------------------------- 1. device-table names
# One table per bad name: a comment and a good line first, so the line
# number in the message is 3.
n=0
while IFS= read -r name; do
    n=$((n + 1))
    printf '# table %d\n/sub d 755 0 0 - - - - -\n%s d 755 0 0 - - - - -\n' \
        "$n" "$name" > "$T/dt$n"
    for tool in mkcramfs build; do
        if [ $tool = mkcramfs ]; then
            rc_run "dt$n-$tool" 8 "mkcramfs -D: $name refused" \
                "$MKCRAMFS" -D "$T/dt$n" "$S" "$T/dt$n.img"
        else
            rc_run "dt$n-$tool" 8 "cramfs build -D: $name refused" \
                "$CRAMFS" build -D "$T/dt$n" -o "$T/dt$n.img" "$S"
        fi
        [ "$(wc -l < "$T/dt$n-$tool.err")" = 1 ] &&
            grep -q "$T/dt$n:3: bad name \"" "$T/dt$n-$tool.err"
        t_check $? "$tool: one error naming the table and line 3"
        if [ -e "$T/dt$n.img" ]; then
            no_dots "$T/dt$n.img"
            t_check $? "$tool: $name: no \".\" or \"..\" entry written"
            rm -f "$T/dt$n.img"
            t_fail "$tool: $name: an image was written"
        fi
    done
done <<'EOF'
/sub/../../etc/cron.d
/..
/a/./b
/.
/sub/.
/x\000y
/a\057b
EOF
grep -q 'a ".." component' "$T/dt1-build.err" &&
    grep -q 'a "." component' "$T/dt3-build.err" &&
    grep -q 'a NUL byte in a name' "$T/dt6-build.err" &&
    grep -q 'a "/" inside a name' "$T/dt7-build.err"
t_check $? "each error says what is wrong with the name"

# A range's number completing an escape (\00 + 0) makes a NUL: refused.
printf '/dev/x\\00 c 644 0 0 1 2 0 1 3\n' > "$T/dtr"
rc_run dtr 8 "a range whose number completes a NUL escape: refused" \
    "$CRAMFS" build -D "$T/dtr" -o "$T/dtr.img" "$S"
grep -q "dtr:1: bad name .*a NUL byte" "$T/dtr.err" && [ ! -e "$T/dtr.img" ]
t_check $? "named, nothing written"

# Harmless spellings: doubled and trailing slashes, the root itself.
printf '/ d 700 0 0 - - - - -\n//ok//fine/ d 750 0 0 - - - - -\n/dev/ c 644 0 0 1 2 0 1 2\n' \
    > "$T/dtok"
rc_run dtok 0 "doubled and trailing slashes, \"/\": accepted" \
    "$MKCRAMFS" -D "$T/dtok" "$S" "$T/dtok.img"
[ "$("$CRAMFS" ls -R "$T/dtok.img" | tr '\n' ' ')" = "dev dev/0 dev/1 ok ok/fine sub sub/file " ]
t_check $? "the entries they name (a range on \"/dev/\" makes dev/0, as makedevs)"
"$CRAMFS" check "$T/dtok.img" > /dev/null 2>&1
t_check $? "the image checks clean"

# --------------------------------------------------- 1. archive names
# tar (pax) and cpio (newc) written by python, so that any name can be
# put in: the bad ones one per archive, with a good entry before.
python3 - "$T" <<'EOF'
import io, sys, tarfile
t = sys.argv[1]

def tar(path, names, link=None):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as a:
        for name in names:
            if name.endswith("/") or name in (".", "./"):
                m = tarfile.TarInfo(name)
                m.type, m.mode = tarfile.DIRTYPE, 0o755
                a.addfile(m)
                continue
            m = tarfile.TarInfo(name)
            m.size, m.mode = 3, 0o644
            a.addfile(m, io.BytesIO(b"ok\n"))
        if link:
            m = tarfile.TarInfo(link[0])
            m.type, m.linkname = tarfile.LNKTYPE, link[1]
            a.addfile(m)

def cpio(path, names):
    out = bytearray()
    def entry(name, data, mode):
        nonlocal out
        n = name.encode() + b"\0"
        hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
            len(out) + 1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(n), 0)
        out += hdr.encode() + n
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    for name in names:
        entry(name, b"ok\n", 0o100644)
    entry("TRAILER!!!", b"", 0)
    open(path, "wb").write(bytes(out))

bad = ["a/./b", "../x", "a/../../b", "x/..", "./..", "a/."]
for i, name in enumerate(bad):
    tar("%s/bad%d.tar" % (t, i), ["ok", name])
    cpio("%s/bad%d.cpio" % (t, i), ["ok", name])
tar(t + "/badlink.tar", ["ok"], link=("hl", "ok/../ok"))
tar(t + "/good.tar", [".", "./d/", "./a", "d//b", "/abs", "//abs2", "././c", "e/"])
cpio(t + "/good.cpio", ["./a", "d//b", "/abs"])
EOF
for i in 0 1 2 3 4 5; do
    for kind in tar cpio; do
        a=bad$i.$kind
        rc_run "$a" 8 "$kind: a bad name ($i) refused" \
            "$CRAMFS" build -o "$T/$a.img" "$T/$a"
        grep -q "error: .*: $T/$a: name with a \"\\.\\{1,2\\}\" component: refused" "$T/$a.err" &&
            [ "$(wc -l < "$T/$a.err")" = 1 ]
        t_check $? "$kind ($i): one error naming the archive and the entry"
        if [ -e "$T/$a.img" ]; then
            t_fail "$kind ($i): an image was written"
            rm -f "$T/$a.img"
        fi
    done
done
grep -q '/a/\./b: ' "$T/bad0.tar.err" && grep -q '/\.\./x: ' "$T/bad1.tar.err"
t_check $? "the entry is named as the archive spells it"
rc_run badlink 8 "a hard link to a name with \"..\": refused" \
    "$CRAMFS" build -o "$T/badlink.img" "$T/badlink.tar"
grep -q "/hl: $T/badlink.tar: hard link to a name with a \"..\" component: refused" \
    "$T/badlink.err" && [ ! -e "$T/badlink.img" ]
t_check $? "named, nothing written"

rc_run good-tar 0 "tar: \"./a\", \"d//b\", \"/abs\", \"e/\": accepted" \
    "$CRAMFS" build -o "$T/good.img" "$T/good.tar"
[ "$("$CRAMFS" ls -R "$T/good.img" | tr '\n' ' ')" = "a abs abs2 c d d/b e " ]
t_check $? "tar: the entries they mean"
rc_run good-cpio 0 "cpio: \"./a\", \"d//b\", \"/abs\": accepted" \
    "$CRAMFS" build -o "$T/goodc.img" "$T/good.cpio"
[ "$("$CRAMFS" ls -R "$T/goodc.img" | tr '\n' ' ')" = "a abs d d/b " ]
t_check $? "cpio: the entries they mean"

# ------------------------------------------ 2. many entries, any order
# cpu_secs CMD...: user + system seconds of CMD, the least of 3 runs;
# "timeout" if it fails or takes more than 20 s.
cpu_secs() {
    local best="" t i
    for i in 1 2 3; do
        t=$( { TIMEFORMAT='%3U %3S'
               time { timeout 20 "$@" > /dev/null 2>&1 || echo fail >&2; }; } 2>&1 |
             awk '/fail/ { bad = 1 } !/fail/ { s = $1 + $2 } END { print bad ? "fail" : s }')
        [ "$t" = fail ] && { echo timeout; return; }
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b) ? a : b }')
    done
    echo "$best"
}

# ratio_ok WHAT SMALL BIG: BIG (8 times the entries) under 24 times SMALL
ratio_ok() {
    if [ "$3" = timeout ] || [ "$2" = timeout ]; then
        t_fail "$1: a build failed or took more than 20 s (small: $2, large: $3)"
        return
    fi
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(b < 24 * (a > 0.02 ? a : 0.02)) }'
    t_check $? "$1: 8 times the entries in $3 s of CPU vs $2 s: linear, not quadratic"
}

# Empty files in a random order (the tars), as a directory, and as a
# table of one line per node in sorted order.
python3 - "$T" <<'PY'
import os, random, sys, tarfile
t = sys.argv[1]
for n in (4000, 32000):
    names = ["f%d" % i for i in range(n)]
    random.Random(n).shuffle(names)
    with tarfile.open("%s/many%d.tar" % (t, n), "w", format=tarfile.GNU_FORMAT) as a:
        for name in names:
            m = tarfile.TarInfo(name)
            m.mode = 0o644
            a.addfile(m)
os.mkdir(t + "/many4000")
for i in range(4000):
    open("%s/many4000/f%d" % (t, i), "w").close()
with open(t + "/lines.table", "w") as f:
    for name in sorted("n%d" % i for i in range(8000)):
        f.write("/d/%s c 644 0 0 1 0 - - -\n" % name)
PY
small=$(cpu_secs "$MKCRAMFS" -j 1 "$T/many4000.tar" "$T/m.img")
big=$(cpu_secs "$MKCRAMFS" -j 1 "$T/many32000.tar" "$T/m.img")
ratio_ok "tar, 4000 and 32000 entries in one directory" "$small" "$big"
mkdir "$T/empty"
printf '/d/n c 644 0 0 1 0 0 0 8000\n' > "$T/r8000.table"
printf '/d/n c 644 0 0 1 0 0 0 64000\n' > "$T/r64000.table"
small=$(cpu_secs "$MKCRAMFS" -j 1 -D "$T/r8000.table" "$T/empty" "$T/m.img")
big=$(cpu_secs "$MKCRAMFS" -j 1 -D "$T/r64000.table" "$T/empty" "$T/m.img")
ratio_ok "device table, a range of 8000 and 64000 nodes" "$small" "$big"

# The same images whatever the order the entries came in (byte for byte).
"$CRAMFS" build --mode util-linux --all-root -o "$T/many-tar.img" "$T/many4000.tar" &&
    "$CRAMFS" build --mode util-linux --all-root -o "$T/many-dir.img" "$T/many4000" &&
    cmp -s "$T/many-tar.img" "$T/many-dir.img"
t_check $? "a tar of 4000 entries in random order gives the directory's image"
rc_run many-range 0 "a range of 8000 nodes (not in strcmp order)" \
    "$MKCRAMFS" -D "$T/r8000.table" "$T/empty" "$T/range.img"
rc_run many-lines 0 "the same 8000 nodes, one line each, sorted" \
    "$MKCRAMFS" -D "$T/lines.table" "$T/empty" "$T/lines.img"
cmp -s "$T/range.img" "$T/lines.img"
t_check $? "the range and the sorted lines give the same image"
"$CRAMFS" check "$T/range.img" > /dev/null 2>&1 &&
    "$CRAMFS" check "$T/many-tar.img" > /dev/null 2>&1
t_check $? "both check clean (entries sorted)"

# ------------------------------------- 3. the output may not be an input
# refused NAME DESC CMD...: exit 16, one line naming the output ($out)
refused() {
    local name=$1 desc=$2
    shift 2
    rc_run "$name" 16 "$desc: refused" "$@"
    [ "$(wc -l < "$T/$name.err")" = 1 ] &&
        grep -q "^[a-z]*: $out: the output is .*: not overwritten$" "$T/$name.err"
    t_check $? "$desc: one line naming the output"
}

I=$T/oin
mkdir -p "$I/sub" "$T/elsewhere"
echo "the user's data" > "$I/b"
echo "more data" > "$I/sub/c"
cp "$I/b" "$T/b.orig"
ln -s oin "$T/alias"
ln -s ../elsewhere/x.img "$I/link.img"
out=$I/b
refused in1 "cramfs build oin oin/b" "$CRAMFS" build "$I" "$I/b"
refused in2 "mkcramfs oin oin/b" "$MKCRAMFS" "$I" "$I/b"
refused in3 "cramfs build -o oin/b oin" "$CRAMFS" build -o "$I/b" "$I"
cmp -s "$I/b" "$T/b.orig"
t_check $? "oin/b is left as it was"
out=$T/alias/b
refused in4 "the same through a symlinked directory" "$CRAMFS" build -o "$out" "$I"
out=$I/sub/c
refused in5 "a file deeper in the tree" "$CRAMFS" build -o "$out" "$I"
out=$I/link.img
refused in6 "a symlink in the tree (the rename would replace it)" \
    "$CRAMFS" build -o "$out" "$I"
[ -L "$I/link.img" ] && [ ! -e "$T/elsewhere/x.img" ]
t_check $? "the symlink is left, nothing written"
out=$I
refused in7 "the source directory itself" "$CRAMFS" build -o "$out" "$I"

# Files given as inputs: an archive (also through a symlink and on
# standard input), a device table, the -i file.
tar -C "$I" -cf "$T/in.tar" b
cp "$T/in.tar" "$T/in.tar.orig"
ln -s in.tar "$T/link.tar"
out=$T/in.tar
refused in8 "an archive as its own output" "$CRAMFS" build -o "$out" "$T/in.tar"
refused in9 "the archive through a symlink" "$CRAMFS" build -o "$out" "$T/link.tar"
run in10 "$CRAMFS" build -o "$out" - < "$T/in.tar"
[ "$RC" = 16 ] && grep -q "the output is the source read from standard input" "$T/in10.err"
t_check $? "the archive on standard input: refused (exit $RC)"
cmp -s "$T/in.tar" "$T/in.tar.orig"
t_check $? "the archive is left as it was"
printf '/sub d 700 0 0 - - - - -\n' > "$T/in.table"
cp "$T/in.table" "$T/in.table.orig"
out=$T/in.table
refused in11 "cramfs build -D TABLE -o TABLE" "$CRAMFS" build -D "$out" -o "$out" "$S"
refused in12 "mkcramfs -D TABLE ... TABLE" "$MKCRAMFS" -D "$out" "$S" "$out"
cmp -s "$T/in.table" "$T/in.table.orig"
t_check $? "the table is left as it was"
cp "$T/b.orig" "$T/blob"
out=$T/blob
refused in13 "mkcramfs -i FILE ... FILE" "$MKCRAMFS" -i "$out" "$S" "$out"
refused in14 "cramfs build --insert FILE -o FILE" "$CRAMFS" build --insert "$out" -o "$out" "$S"
cmp -s "$T/blob" "$T/b.orig"
t_check $? "the -i file is left as it was"

# Still allowed: an image of ours inside the tree, built there twice (the
# second time it is left out), padded too; a new output; a file outside.
rc_run self1 0 "a first build into the tree" "$CRAMFS" build -o "$I/self.img" "$I"
rc_run self2 0 "a second build over it: allowed" "$CRAMFS" build -o "$I/self.img" "$I"
grep -q "the output image is inside the source: left out" "$T/self2.err"
t_check $? "the old image left out, with the warning"
rc_run pad1 0 "a padded image into the tree" "$MKCRAMFS" -p "$I" "$I/pad.img"
rc_run pad2 0 "again over it (the magic after the pad)" "$MKCRAMFS" -p "$I" "$I/pad.img"
echo old > "$T/outside"
rc_run outside 0 "an existing file outside the sources: overwritten as ever" \
    "$CRAMFS" build -o "$T/outside" "$I"
"$CRAMFS" check "$T/outside" > /dev/null 2>&1
t_check $? "it is an image now"

t_done
