#!/usr/bin/env bash
# JSON output: every --json document parses, and names that are not valid
# UTF-8 or hold control characters come back byte for byte (valid UTF-8 as
# is, any other byte as \u00XX, which our output never uses otherwise).
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
t_done
