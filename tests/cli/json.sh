#!/usr/bin/env bash
# JSON output: every --json document parses, and names that are not valid
# UTF-8 or hold control characters come back byte for byte (valid UTF-8 as
# is, any other byte as \u00XX, which our output never uses otherwise).
#
# Then (issue 13, item 9) text and JSON of info, check and ls: every text
# line is rebuilt from the JSON document alone and must come out byte for
# byte, so a fact the text prints that JSON lacks (or spells differently,
# paths included) fails; a text line of a kind the comparison does not know
# fails too.
. "$(dirname "$0")/lib.sh"
t_init cramfs mkfs

mkdir -p "$T/src/dir"
names=( "$(printf 'bad\xff\xfe')" "ok-ünï" 'q"x' 'back\slash' "$(printf 'tab\there')"
        "$(printf 'lone\xc3')" "$(printf 'overlong\xc0\xaf')" "$(printf 'sur\xed\xa0\x80')" )
for n in "${names[@]}"; do printf 'x' > "$T/src/dir/$n"; done
ln -s "$(printf 'tgt\xff')" "$T/src/link"
mkfs.cramfs "$T/src" "$T/i.img" > /dev/null 2>&1 || t_fail "mkfs.cramfs"

"$CRAMFS" ls -R --json "$T/i.img" > "$T/ls.json"; t_check $? "ls --json exits 0"
"$CRAMFS" check --json "$T/i.img" > "$T/check.json"; t_check $? "check --json exits 0"
"$CRAMFS" info --json "$T/i.img" > "$T/info.json"; t_check $? "info --json exits 0"

python3 - "$T" "${names[@]}" <<'PY'
import json, os, re, sys
t, names = sys.argv[1], [os.fsencode(n) for n in sys.argv[2:]]
fails = 0
# In the text, an escape \u0080-\u00ff stands for a raw byte (valid UTF-8
# is never escaped).  Move those escapes to private-use U+F780-U+F7FF before
# parsing, so that raw() can tell them from real characters afterwards.
ESC = re.compile(r'(?<!\\)((?:\\\\)*)\\u00([89a-fA-F][0-9a-fA-F])')
def load(path):
    text = open(path, encoding="utf-8").read()
    return json.loads(ESC.sub(lambda m: m.group(1) + "\\uf7" + m.group(2), text))
def raw(s):
    return b"".join(bytes([ord(c) - 0xF700]) if 0xF780 <= ord(c) <= 0xF7FF
                    else c.encode("utf-8") for c in s)
for f in ("ls", "check", "info"):
    try:
        doc = load(f"{t}/{f}.json")
        print(f"ok: {f} --json parses")
    except Exception as e:
        print(f"FAIL: {f} --json does not parse: {e}"); fails += 1
ls = load(f"{t}/ls.json")
got = {raw(e["path"]) for e in ls}
for n in names:
    if b"dir/" + n in got:
        print(f"ok: name {n!r} round-trips")
    else:
        print(f"FAIL: name {n!r} missing from {sorted(got)}"); fails += 1
link = [e for e in ls if e["path"] == "link"]
if link and raw(link[0]["target"]) == b"tgt\xff":
    print("ok: symlink target round-trips")
else:
    print(f"FAIL: symlink target: {link}"); fails += 1
sys.exit(1 if fails else 0)
PY
t_check $? "JSON names and targets round-trip"

# --------------------------------------------- text and JSON say the same
# A tree with every type, duplicates, odd names and mode bits; devices come
# from a device table, so any user can build it.
R=$T/rich
mkdir -p "$R/d" "$R/sp ace" "$R/$(printf 'dir\xff')" "$R/sticky"
printf 'same\n' > "$R/a"; printf 'same\n' > "$R/d/dup"
head -c 100000 /dev/zero | tr '\0' 'z' > "$R/big"
python3 -c 'import random,sys; random.seed(9); sys.stdout.buffer.write(random.randbytes(10000))' \
    > "$R/$(printf 'bad\xff\xfe')"
printf 'x' > "$R/$(printf 'dir\xff/n\xc3\xa9 \tq"\\')"
mkfifo "$R/fifo"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$R/sock"
ln -s a "$R/link"; ln -s "$(printf '../t\xff')" "$R/d/up"
printf '#!/bin/sh\n' > "$R/suid"; chmod 4755 "$R/suid"; chmod 1777 "$R/sticky"
truncate -s 300000 "$R/sparse"
cp "$(type -P true)" "$R/$(printf 'tr\xffue')"
printf '/dev d 755 0 0 - - - - -\n/dev/null c 666 0 0 1 3 - - -\n/dev/sda b 660 0 6 8 0 - - -\n' > "$T/dev.txt"
head -c 3000 /dev/zero | tr '\0' 'b' > "$T/boot.bin"
mkdir "$T/single" "$T/odd"
head -c 20000 /dev/zero | tr '\0' 's' > "$T/single/only"
for f in a:3000 b:9000 c:11000 d:14000 e:30000; do
    python3 -c 'import random,sys; random.seed(sys.argv[1]); sys.stdout.buffer.write(random.randbytes(int(sys.argv[2])))' \
        "${f%:*}" "${f#*:}" > "$T/odd/${f%:*}"
done
"$CRAMFS" build -D "$T/dev.txt" -o "$T/rich.img" "$R" > /dev/null 2>&1; t_check $? "build rich.img"
"$CRAMFS" build -z -i "$T/boot.bin" -o "$T/boot.img" "$R" > /dev/null 2>&1; t_check $? "build -z -i boot.img"
"$CRAMFS" build --xip -o "$T/xip.img" "$R" > /dev/null 2>&1; t_check $? "build --xip xip.img"
"$MKFS" -b 65536 "$T/single" "$T/ambiguous.img" > /dev/null 2>&1; t_check $? "mkfs -b 65536 ambiguous.img"
"$MKFS" -b 12288 "$T/odd" "$T/bestfit.img" > /dev/null 2>&1; t_check $? "mkfs -b 12288 bestfit.img"
# More problems than the diagnostics keep (1000): "N more messages not shown".
mkdir "$T/many"
(cd "$T/many" && for i in $(seq 1 1100); do printf '%s' "$i" > "f$i"; done)
"$CRAMFS" build -o "$T/many.img" "$T/many" > /dev/null 2>&1; t_check $? "build many.img"

python3 - "$CRAMFS" "$T" "$data_dir" <<'PY'
import json, os, re, subprocess, sys
cramfs, t, data = sys.argv[1:4]
fails = 0
def fail(msg):
    global fails
    fails += 1
    print(f"FAIL: {msg}")

# Text and JSON both become str with surrogateescape, so that a raw byte
# compares equal to its \u00XX escape (see the round-trip test above).
ESC = re.compile(r'(?<!\\)((?:\\\\)*)\\u00([89a-fA-F][0-9a-fA-F])')
def unraw(o):
    if isinstance(o, str):
        b = b"".join(bytes([ord(c) - 0xF700]) if 0xF780 <= ord(c) <= 0xF7FF
                     else c.encode("utf-8") for c in o)
        return b.decode("utf-8", "surrogateescape")
    if isinstance(o, list):
        return [unraw(x) for x in o]
    if isinstance(o, dict):
        return {k: unraw(v) for k, v in o.items()}
    return o
# The text shows names as ls -b does (tools/common/tool.c tool_put_name):
# control characters and DEL as C escapes, a backslash doubled.
LSB = {"\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r"}
def lsb(s):
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c in LSB:
            out.append("\\" + LSB[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\%03o" % ord(c))
        else:
            out.append(c)
    return "".join(out)
def run(args):
    p = subprocess.run([cramfs] + args, capture_output=True)
    return p.stdout.decode("utf-8", "surrogateescape")
def lines(text):
    # Only "\n" ends a line (str.splitlines would split names at U+0085).
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n") if text else []
def run_json(args):
    text = run(args[:1] + ["--json"] + args[1:])
    try:
        return unraw(json.loads(ESC.sub(lambda m: m.group(1) + "\\uf7" + m.group(2), text)))
    except ValueError as e:
        fail(f"{' '.join(args)}: --json does not parse: {e}")
        return None

def plural(n): return "" if n == 1 else "s"
def words(sizes):
    s = [str(x) for x in sizes]
    return s[0] if len(s) == 1 else ", ".join(s[:-1]) + " or " + s[-1]
def mmu(rules): return "no-MMU" if rules == "nommu" else "MMU"

# ---- info: each text label and how JSON alone spells its value
def info_bsize(j):
    src, bs, u = j["block_size_source"], j["block_size"], j["block_size_unfit_files"]
    if src == "given":
        return f"{bs} (given)"
    if src == "ambiguous":
        s = "ambiguous: " + words(j["block_size_fits"])
    elif src == "best-fit":
        m = [c for c in j["block_size_candidates"] if c["size"] == bs][0]["misfit"]
        s = f"{bs} (best fit: {m} file{plural(m)} do{'es' if m == 1 else ''} not fit it)"
    elif j["block_size_evidence_files"]:
        n = j["block_size_evidence_files"]
        s = f"{bs} (detected from {n} file{plural(n)})"
    else:
        s = f"{bs} (detected from the image size)"
    if u:
        s += f"; {u} file{plural(u)} fit{'s' if u == 1 else ''} no size"
    return s + (" (pass --block-size)" if src == "ambiguous" else "")
def info_crc(j):
    st, crc = j["crc_status"], j["crc"]
    return {"none": lambda: "none (version 1 image)",
            "unverified": lambda: f"0x{crc:08X} (cannot verify: image truncated)",
            "ok": lambda: f"0x{j['crc_computed']:08X} (ok)",
            "mismatch": lambda: f"0x{crc:08X} (MISMATCH: data gives 0x{j['crc_computed']:08X})"}[st]()
def info_candidate(j, size):
    c = [c for c in j["block_size_candidates"] if c["size"] == size][0]
    return (f"{c['fit']} fit, {c['misfit']} do not, {c['gaps']} gaps, block count "
            f"{'matches' if c['blocks_match'] else 'differs'}, size "
            f"{'aligned' if c['size_aligned'] else 'not aligned'}")
INFO = {
    "image": lambda j: j["image"],
    "byte order": lambda j: f"{j['endian']}-endian",
    "superblock": lambda j: f"offset {j['superblock_offset']}" +
        (" (after a 512-byte boot pad)" if j["superblock_offset"] else ""),
    "flags": lambda j: f"0x{j['flags']:03x} ({j['flag_names']})",
    "size": lambda j: f"{j['size']} bytes (file: {j['file_size']} bytes)",
    "block size": info_bsize,
    "block sizes": lambda j: f"{j['block_size_examined_files']} files examined, "
        f"{j['block_size_evidence_files']} telling, {j['block_size_unfit_files']} fit no size, "
        f"{j['block_size_inflated_blocks']} blocks inflated" +
        (", stopped at the read budget" if j["block_size_read_budget_exhausted"] else ""),
    "files": lambda j: f"{j['files']} in superblock; {j['tree_entries']} entries + root in tree",
    "blocks": lambda j: f"{j['blocks']} in superblock; {j['tree_blocks']} in tree",
    "edition": lambda j: str(j["edition"]),
    "label": lambda j: j["label"],
    "crc": info_crc,
    "signature": lambda j: j["signature"] if j["signature_ok"] else "unexpected",
    "root": lambda j: f"offset {j['root_offset']}, {j['root_size']} bytes, mode {j['root_mode']}",
    "contents": lambda j: f"{j['regular_files']} files ({j['file_bytes']} bytes), "
        f"{j['directories']} dirs, {j['symlinks']} symlinks, {j['devices']} devices, "
        f"{j['fifos']} fifos, {j['sockets']} sockets",
    "data blocks": lambda j: f"{j['compressed_blocks']} compressed, {j['uncompressed_blocks']} "
        f"uncompressed, {j['hole_blocks']} holes, {j['direct_blocks']} direct; "
        f"{j['shared_entries']} shared entries",
    "xip": lambda j: f"{j['xip_blocks']} blocks mappable in place (direct, uncompressed, "
        f"aligned); {j['legacy_xip_files']} legacy sticky-bit XIP files",
    "xip coverage": lambda j: (lambda x: f"{x['files']} files, {x['in_place_pages']} of "
        f"{x['pages']} pages in place, {x['in_place_bytes']} bytes of flash mapped directly "
        f"({mmu(x['rules'])}, page {x['page_size']}); {x['not_in_place_blocks']} "
        "direct+uncompressed blocks not in place")(j["xip"]),
}
def compare(what, label, text, want):
    try:
        got = want()
    except (KeyError, IndexError, TypeError) as e:
        return fail(f"{what}: text '{label}: {text}' has no JSON counterpart (missing {e})")
    if got != text:
        fail(f"{what}: '{label}': text {text!r}, JSON gives {got!r}")
        return False
    return True
def check_info(img, opts):
    what = f"info {' '.join(opts)} {os.path.basename(img)}"
    j, bad = run_json(["info"] + opts + [img]), fails
    if j is None:
        return
    labels = 0
    for line in lines(run(["info"] + opts + [img])):
        m = re.match(r"^([a-z ]+):\s+(.*)$", line)
        c = re.match(r"^\s+(\d+): (.*)$", line)
        if m and m.group(1) in INFO:
            labels += 1
            compare(what, m.group(1), m.group(2), lambda: INFO[m.group(1)](j))
        elif c:
            compare(what, c.group(1), c.group(2), lambda: info_candidate(j, int(c.group(1))))
        else:
            fail(f"{what}: text line with no known JSON counterpart: {line!r}")
    if ("xip" in j) != ("xip coverage:" in run(["info"] + opts + [img])):
        fail(f"{what}: JSON object xip and the text's xip coverage line disagree")
    if fails == bad:
        print(f"ok: {what}: {labels} text lines, all rebuilt from JSON")

# ---- check: the text's lines, as JSON alone would write them
def xmap(m):
    why = f": {m['reason']}" if m["reason"] else ""
    return f"{m['in_place']}/{m['pages']} ({m['kind']}{why})"
def xip_file(f):
    s = (f"xip: {f['path']}: {f['in_place_pages']}/{f['pages']} pages in place; "
         f"whole file {xmap(f['whole_file'])}")
    for k, g in enumerate(f["segments"]):
        s += f"{',' if k else ';'} seg {k} {g['flags']} " + (xmap(g) if g["pages"] else "0/0 (no file pages)")
    if f["not_in_place_blocks"]:
        s += f"; {f['not_in_place_blocks']} of {f['direct_uncompressed_blocks']} direct+uncompressed blocks not in place"
    if f["read_bug"]:
        s += "; read() returns zeros for the last page"
    return s
def check_lines(j, img, verbose):
    out = []
    for p in j["problems"]:
        if p["severity"] == "info" and not verbose:
            continue
        s = f"{img}: {p['severity']}: " + (f"{lsb(p['path'])}: " if p["path"] is not None else "")
        s += lsb(p["message"])
        if verbose and "offset" in p:
            s += f" [offset 0x{p['offset']:x}]"
        out.append(("problem", s))
    # (.get: an old JSON without the count still shows its other faults)
    if j.get("problems_dropped", 0):
        out.append(("dropped", f"{img}: {j['problems_dropped']} more messages not shown"))
    if "xip" in j:
        x = j["xip"]
        out += [("xip file", f"{img}: " + xip_file(f)) for f in x.get("per_file", [])]
        out.append(("xip", f"{img}: xip ({mmu(x['rules'])}, page {x['page_size']}): {x['files']} "
                    f"files, {x['in_place_pages']} of {x['pages']} pages in place, "
                    f"{x['in_place_bytes']} bytes of flash mapped directly; "
                    f"{x['not_in_place_blocks']} direct+uncompressed blocks not in place"))
    hint = {"ambiguous": "; block size ambiguous: pass --block-size to choose",
            "best-fit": "; no block size fits every file: pass --block-size if you know it"}
    out.append(("summary", f"{img}: {'clean' if j['clean'] else 'CORRUPT'}: {j['errors']} errors, "
                f"{j['warnings']} warnings, {j['entries']} entries checked" +
                hint.get(j["block_size_source"], "")))
    return out
def check_kind(img, line):
    for kind, pat in (("summary", r": (clean|CORRUPT): "), ("xip file", r": xip: "),
                      ("xip", r": xip \((no-)?MMU, page "), ("dropped", r": \d+ more messages not shown$"),
                      ("problem", r": (error|warning|info): ")):
        if line.startswith(img) and re.match(pat, line[len(img):]):
            return kind
    return None
def check_check(img, opts, ls_paths):
    what = f"check {' '.join(opts)} {os.path.basename(img)}"
    j, bad = run_json(["check"] + opts + [img]), fails
    if j is None:
        return
    text = lines(run(["check"] + opts + [img]))
    for line in text:
        if not check_kind(img, line):
            fail(f"{what}: text line with no known JSON counterpart: {line!r}")
    try:
        want = check_lines(j, img, "-v" in opts)
    except (KeyError, TypeError) as e:
        return fail(f"{what}: JSON lacks {e}, which the text shows")
    for k, (kind, w) in enumerate(want):
        got = text[k] if k < len(text) else None
        if got != w:
            fail(f"{what}: {kind} line {k}: text {got!r}, JSON gives {w!r}")
    if len(text) > len(want):
        fail(f"{what}: {len(text) - len(want)} text lines more than JSON accounts for")
    # The rule: check names a path from the root, "/" first; it is an entry
    # that ls -R lists (relative to the root, so without that "/").
    paths = [p["path"] for p in j["problems"] if p["path"] is not None]
    paths += [f["path"] for f in j.get("xip", {}).get("per_file", [])]
    for p in paths:
        if not p.startswith("/") or (p != "/" and p[1:] not in ls_paths):
            fail(f"{what}: path {p!r} is not spelled /PATH of an entry ls lists")
    if fails == bad:
        print(f"ok: {what}: {len(text)} text lines, all rebuilt from JSON ({len(paths)} paths)")

# ---- ls: plain and -R lines are the JSON paths; -l columns are fields
TYPE = {"file": "-", "dir": "d", "symlink": "l", "char": "c", "block": "b",
        "fifo": "p", "socket": "s"}
def mode_string(e):
    m = int(e["mode"], 8)
    b = [TYPE[e["type"]]] + ["rwxrwxrwx"[i] if m & (0o400 >> i) else "-" for i in range(9)]
    for bit, pos, x, on in ((0o4000, 3, 0o100, "sS"), (0o2000, 6, 0o010, "sS"), (0o1000, 9, 0o001, "tT")):
        if m & bit:
            b[pos] = on[0] if m & x else on[1]
    return "".join(b)
LONG = re.compile(r"^(\S{10}) +(\d+)/(\d+) +(\d+|\d+, *\d+) (.*)$")
def check_ls(img, opts):
    what = f"ls {' '.join(opts)} {os.path.basename(img)}"
    args = ["ls"] + [o for o in opts if not o.startswith("/")] + [img] + [o for o in opts if o.startswith("/")]
    j, bad = run_json(args), fails
    if j is None:
        return []
    text = lines(run(args))
    if len(text) != len(j):
        fail(f"{what}: {len(text)} text lines, {len(j)} JSON entries")
    for line, e in zip(text, j):
        if "-l" not in opts and "-lR" not in opts:
            if line != lsb(e["path"]):
                fail(f"{what}: text path {line!r}, JSON path {e['path']!r}")
            continue
        m = LONG.match(line)
        if not m:
            fail(f"{what}: text line with no known JSON counterpart: {line!r}")
            continue
        size = f"{e['major']},{e['minor']}" if e["type"] in ("char", "block") else str(e["size"])
        name = lsb(e["path"]) + (f" -> {lsb(e['target'])}" if e["type"] == "symlink" else "")
        for col, got, want in (("mode", m.group(1), mode_string(e)), ("uid", m.group(2), str(e["uid"])),
                               ("gid", m.group(3), str(e["gid"])), ("size", m.group(4).replace(" ", ""), size),
                               ("path", m.group(5), name)):
            if got != want:
                fail(f"{what}: {col}: text {got!r}, JSON gives {want!r}")
    if fails == bad:
        print(f"ok: {what}: {len(text)} text lines, all rebuilt from JSON")
    return [e["path"] for e in j]

# Corrupt the data of an entry with odd bytes in its name, and damage the
# signature and the length of copies: check and info have things to say.
rich = f"{t}/rich.img"
ents = {e["path"]: e for e in run_json(["ls", "-R", rich])}
bad = [e for p, e in ents.items() if p.startswith("bad")][0]
img = bytearray(open(rich, "rb").read())
img[bad["offset"] + 12 + 40:bad["offset"] + 12 + 72] = b"\x55" * 32
open(f"{t}/bad.img", "wb").write(img)
img = bytearray(open(rich, "rb").read())
img[16:17] = b"X"
open(f"{t}/signature.img", "wb").write(img)
open(f"{t}/truncated.img", "wb").write(open(rich, "rb").read()[:len(img) // 2])
first = min(e["offset"] for e in run_json(["ls", f"{t}/many.img"]))
open(f"{t}/dropped.img", "wb").write(open(f"{t}/many.img", "rb").read()[:first])

images = [f"{data}/cramfs-little.img", f"{data}/cramfs-big.img", f"{t}/i.img"] + \
    [f"{t}/{n}.img" for n in ("rich", "boot", "xip", "ambiguous", "bestfit", "bad",
                              "signature", "truncated", "dropped")]
for img in images:
    ls_paths = set(check_ls(img, ["-R"]))
    for opts in ([], ["-l"], ["-lR"]):
        check_ls(img, opts)
    for opts in ([], ["-v"]) + ((["-b", "8192"],) if img.endswith("rich.img") else ()):
        check_info(img, opts)
    for opts in ([], ["-v"], ["--xip"], ["-v", "--no-data"]):
        check_check(img, opts, ls_paths)
for opts in (["-l", "/d"], ["-lR", "/dev"], ["-l", "/d/up"], ["/sticky"]):
    check_ls(rich, opts)
sys.exit(1 if fails else 0)
PY
t_check $? "info, check and ls: JSON carries every text line, paths spelled alike"
t_done
