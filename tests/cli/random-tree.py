#!/usr/bin/env python3
# random-tree.py DIR SEED - a deterministic random source tree for the
# builder tests (tests/cli/build-identity.sh, tests/kernel/uml-builder.sh).
# Needs root (devices, foreign owners).  Same SEED, same tree on every run.
#
# SEED 0: an empty root.  SEED 1: only entries without data (empty files,
# fifos, devices).  Other seeds: nested directories with random modes and
# owners, and 25-90 entries of every type cramfs holds:
#   - regular files of random sizes: 0, tiny, around and at the block sizes
#     4096..65536 and their multiples, up to 120 kB; every third seed adds
#     one file over 1 MiB; contents random, text, zeros or mixed 4 KiB
#     blocks (zero blocks for -z);
#   - duplicates of earlier files with the same metadata, with another
#     mode or owner, and hard links;
#   - symlinks (relative, dangling, long; none climbing above the root),
#     and symlinks whose target equals the content of a regular file
#     (util-linux dedups them together);
#   - fifos, sockets, character and block devices (some numbers beyond the
#     24 bits cramfs stores);
#   - sparse files (real holes, data anywhere);
#   - names of 1-252 bytes (never 253-255: util-linux writes namelen 0 for
#     those, docs/format.md §5.1), ASCII punctuation, UTF-8, and a few raw
#     bytes that are not UTF-8;
#   - uids beyond 16 bits and gids beyond 8 bits (stored truncated).
import os, random, socket, stat, sys

root, seed = os.fsencode(sys.argv[1]), sys.argv[2]
rng = random.Random("cramfs-xip build-identity " + seed)
n_seed = int(seed)
ALNUM = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PUNCT = b" -_.,+=@#%~!'&()[]{};$"
UTF8 = [c.encode() for c in "\u00e9\u00fc\u00df\u0436\u0444\u044f\u540d\u524d\u6587\u00f8\u20ac\U0001f600\U0001f427"]
RAWB = [bytes([b]) for b in (0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xfe, 0xff)]
WORDS = b"alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
BLOCKS = [4096, 8192, 16384, 32768, 65536]

def rand_name(used, maxlen=252, short=False):
    while True:
        r = rng.random()
        if short: target = rng.randint(1, 60)
        elif r < 0.05: target = maxlen
        elif r < 0.10: target = rng.randint(maxlen - 12, maxlen)
        elif r < 0.55: target = rng.randint(1, 8)
        else: target = rng.randint(1, 40)
        utf = rng.random() < 0.3
        out = b""
        while len(out) < target:
            x = rng.random()
            if utf and x < 0.4: c = rng.choice(UTF8)
            elif x < 0.015: c = rng.choice(RAWB)
            elif x < 0.12: c = bytes([rng.choice(PUNCT)])
            else: c = bytes([rng.choice(ALNUM)])
            if len(out) + len(c) > target:
                c = bytes([rng.choice(ALNUM)])
            out += c
        if out in (b".", b"..") or out in used:
            continue
        used.add(out)
        return out

def text(size):
    parts, n = [], 0
    while n < size:
        l = b" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) + b"\n"
        parts.append(l); n += len(l)
    return b"".join(parts)[:size]

def content(size, kind=None):
    kind = kind or rng.choice(["rand", "text", "text", "zero", "mixed"])
    if kind == "rand": return rng.randbytes(size)
    if kind == "text": return text(size)
    if kind == "zero": return bytes(size)
    out = []
    for off in range(0, size, 4096):
        n = min(4096, size - off)
        k = rng.choice(["zero", "zero", "rand", "text"])
        out.append(bytes(n) if k == "zero" else rng.randbytes(n) if k == "rand" else text(n))
    return b"".join(out)

def rand_size():
    r = rng.random()
    if r < 0.10: return 0
    if r < 0.25: return rng.randint(1, 100)
    if r < 0.50: return rng.randint(101, 20000)
    if r < 0.70: return rng.choice(BLOCKS) * rng.randint(1, 2)
    if r < 0.85: return rng.choice(BLOCKS) * rng.randint(1, 2) + rng.choice([-1, 1])
    return rng.randint(20001, 120000)

def rand_owner():
    if rng.random() < 0.75: return 0, 0
    return (rng.choice([0, 1, 33, 1000, 65535, 65536, 70000, 4000000000]),
            rng.choice([0, 1, 33, 255, 256, 300, 65534]))

def rand_mode(default):
    if rng.random() < 0.7: return default
    return rng.choice([0o000, 0o400, 0o444, 0o600, 0o640, 0o700, 0o755, 0o777,
                       0o4755, 0o2755, 0o1777, 0o6711, 0o7777, rng.randint(0, 0o7777)])

def join(d, n): return d + b"/" + n if d else n
def full(rel): return join(root, rel) if rel else root

os.makedirs(root, exist_ok=True)
dirs = [b""]                      # relative paths
used = {b"": set()}               # names per directory
dir_meta = {b"": (rng.choice([0o755, 0o755, 0o700, 0o751, 0o1777]), 0, 0)}
files = []                        # (rel, content, mode, uid, gid) of regular files
later = []                        # metadata applied at the end (post-order dirs)

def new_path(d=None, **kw):
    d = rng.choice(dirs) if d is None else d
    return join(d, rand_name(used[d], **kw))

def set_meta(rel, mode, uid, gid, link=False):
    p = full(rel)
    os.lchown(p, uid, gid)
    if not link: os.chmod(p, mode)

def add_file(data, mode=None, owner=None, d=None, sparse=False):
    rel = new_path(d)
    mode = rand_mode(0o644) if mode is None else mode
    uid, gid = rand_owner() if owner is None else owner
    with open(full(rel), "wb") as f: f.write(data)
    set_meta(rel, mode, uid, gid)
    files.append((rel, data, mode, uid, gid))
    return rel

if n_seed == 0:
    pass                                            # an empty root
elif n_seed == 1:                                   # no data at all
    for i in range(12):
        rel = new_path()
        k = i % 4
        if k == 0: os.mkfifo(full(rel))
        elif k == 1: open(full(rel), "wb").close()
        elif k == 2: os.mknod(full(rel), stat.S_IFCHR | 0o600, os.makedev(rng.randint(1, 255), rng.randint(0, 255)))
        else: os.mknod(full(rel), stat.S_IFBLK | 0o600, os.makedev(rng.randint(1, 255), rng.randint(0, 255)))
        u, g = rand_owner(); os.chown(full(rel), u, g); os.chmod(full(rel), rand_mode(0o644))
else:
    for i in range(rng.randint(3, 14)):             # directories, nested
        if len(dirs) > 1 and dirs[-1].count(b"/") < 5 and rng.random() < 0.4:
            parent = dirs[-1]                       # one level deeper
        else:
            parent = rng.choice(dirs)
        rel = new_path(parent, short=rng.random() < 0.7)
        os.mkdir(full(rel))
        dirs.append(rel); used[rel] = set()
        dir_meta[rel] = (rand_mode(0o755), *rand_owner())
    for i in range(rng.randint(25, 90)):
        r = rng.random()
        if r < 0.45 or not files:
            add_file(content(rand_size()))
        elif r < 0.53:                              # duplicate, same metadata
            src = rng.choice(files)
            add_file(src[1], src[2], (src[3], src[4]))
        elif r < 0.60:                              # duplicate, other metadata
            src = rng.choice(files)
            mode = src[2] ^ rng.choice([0o111, 0o022, 0o4000, 0o700])
            owner = (src[3], src[4]) if rng.random() < 0.5 else ((src[3] + 1) & 0xffff, src[4])
            add_file(src[1], mode, owner)
        elif r < 0.63:                              # hard link
            src = rng.choice(files)
            rel = new_path(); os.link(full(src[0]), full(rel))
        elif r < 0.76:                              # symlink
            d = rng.choice(dirs)
            rel = new_path(d)
            t = rng.random()
            if t < 0.4:                             # (never above the root:
                depth = d.count(b"/") + 1 if d else 0   # extract refuses that)
                tgt = b"../" * rng.randint(0, depth) + rng.choice(files)[0]
            elif t < 0.9:
                tgt = rand_name(set(), short=True)
            else:
                tgt = b"/".join(rand_name(set(), short=True) for _ in range(rng.randint(5, 20)))
            os.symlink(tgt, full(rel))
            if rng.random() < 0.2: set_meta(rel, 0, *rand_owner(), link=True)
        elif r < 0.79:                              # symlink target == a file's content
            tgt = text(rng.randint(5, 200)).replace(b"\n", b"/") or b"x"
            if rng.random() < 0.5:
                os.symlink(tgt, full(new_path())); add_file(tgt)
            else:
                add_file(tgt); os.symlink(tgt, full(new_path()))
        elif r < 0.84:
            rel = new_path(); os.mkfifo(full(rel))
            set_meta(rel, rand_mode(0o644), *rand_owner())
        elif r < 0.86:
            d = rng.choice(dirs)
            name = rand_name(used[d], short=True)[:60]
            cwd = os.getcwd(); os.chdir(full(d))
            s = socket.socket(socket.AF_UNIX); s.bind(name); s.close()
            os.chdir(cwd)
            set_meta(join(d, name), rand_mode(0o755), *rand_owner())
        elif r < 0.93:                              # devices (some beyond 24 bits)
            rel = new_path()
            typ = rng.choice([stat.S_IFCHR, stat.S_IFBLK])
            if rng.random() < 0.8: dev = os.makedev(rng.randint(0, 255), rng.randint(0, 255))
            else: dev = os.makedev(rng.randint(0, 4095), rng.randint(0, 1048575))
            os.mknod(full(rel), typ | 0o600, dev)
            set_meta(rel, rand_mode(0o660), *rand_owner())
        else:                                       # sparse file
            rel = new_path()
            size = rng.randint(150000, 2500000)
            with open(full(rel), "wb") as f:
                f.truncate(size)
                for _ in range(rng.randint(0, 4)):
                    n = rng.randint(1, 10000)
                    off = rng.choice([0, rng.randint(0, size - 1), rng.randint(0, size // 4096) * 4096])
                    f.seek(min(off, max(0, size - n))); f.write(content(min(n, size), rng.choice(["rand", "text"])))
                if rng.random() < 0.5:
                    f.seek(size - 3); f.write(b"end")
            set_meta(rel, 0o644, 0, 0)
    if n_seed % 3 == 2:                             # one file over 1 MiB
        add_file(content(rng.randint(1 << 20, (1 << 20) + 700000), rng.choice(["text", "mixed", "rand"])))

for rel in sorted(dirs, key=lambda p: -p.count(b"/")):
    mode, uid, gid = dir_meta[rel]
    set_meta(rel, mode, uid, gid)
