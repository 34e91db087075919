#!/usr/bin/env python3
# tree-meta.py - owners and device nodes for test trees made without root
# (tests/cli/lib.sh make_small_tree, make_rich_tree).
#
# A tree DIR made by an unprivileged user holds what such a user can make:
# directories, files, symlinks, fifos, sockets and their modes.  What it
# cannot make is recorded in DIR.meta, one tab-separated line each:
#   own  PATH UID GID            the owner PATH should have (default 0 0,
#                                what root's tree makers give everything)
#   mode PATH MODE               its mode (octal; default: the one on disk,
#                                which a user keeps readable and writable
#                                to himself)
#   dev  PATH c|b MAJOR MINOR    a device node (with its own "mode" line)
# PATH is relative to DIR ("." for DIR itself), without tabs or newlines.
# From the tree and its meta this writes what root's tree would give:
#
#   tree-meta.py table DIR            a device table (cramfs build -D) that
#                                     gives every entry its owner and adds
#                                     the devices: the builder then writes
#                                     the image mkfs.cramfs writes of root's
#                                     tree (lib-selftest-root.sh checks it)
#   tree-meta.py manifest VIEW DIR    stdin: oracle-tool's manifest of DIR
#                                     in VIEW (raw, stored, kernel, and the
#                                     -no-owners ones); stdout: the manifest
#                                     of root's tree
#   tree-meta.py tar DIR OUT          a tar archive (GNU format) of root's
#                                     tree: owners, devices, hard links
#                                     (sockets cannot be in a tar)
import os, stat, sys, tarfile

class Meta:
    def __init__(self, tree):
        self.owners, self.modes, self.devs = {}, {}, {}
        path = tree + b".meta"
        if not os.path.exists(path):
            return
        for line in open(path, "rb").read().splitlines():
            f = line.split(b"\t")
            p = os.path.normpath(f[1])
            if f[0] == b"own":
                self.owners[p] = (int(f[2]), int(f[3]))
            elif f[0] == b"mode":
                self.modes[p] = int(f[2], 8)
            elif f[0] == b"dev":
                self.devs[p] = (f[2].decode(), int(f[3]), int(f[4]))

    def owner(self, rel):
        return self.owners.get(rel, (0, 0))

    def mode(self, rel, st=None):
        return self.modes.get(rel, stat.S_IMODE(st.st_mode) if st else 0o644)

def walk(tree):
    """(relative path, lstat) of DIR and everything below, sorted."""
    out = [(b".", os.lstat(tree))]
    for top, dirs, files in os.walk(tree):
        for n in dirs + files:
            full = os.path.join(top, n)
            out.append((os.path.relpath(full, tree), os.lstat(full)))
    return sorted(out)

def escape(path):
    """Bytes <= 0x20, >= 0x7f and backslash as \\ooo (oracle-tool, tables)."""
    return "".join(chr(b) if 0x20 < b < 0x7f and b != 0x5c else "\\%03o" % b
                   for b in path)

def image_path(rel):
    return b"/" if rel == b"." else b"/" + rel

TYPE = {stat.S_IFDIR: "d", stat.S_IFREG: "f", stat.S_IFLNK: "l",
        stat.S_IFIFO: "p", stat.S_IFSOCK: "s", stat.S_IFCHR: "c", stat.S_IFBLK: "b"}

def cmd_table(tree):
    m = Meta(tree)
    for rel, st in walk(tree):
        t = TYPE[stat.S_IFMT(st.st_mode)]
        print("%s %s %04o %d %d - - - - -" % (escape(image_path(rel)), t,
              m.mode(rel, st), *m.owner(rel)))
    for rel, (t, ma, mi) in sorted(m.devs.items()):
        print("%s %s %04o %d %d %d %d - - -" % (escape(image_path(rel)), t,
              m.mode(rel), *m.owner(rel), ma, mi))

def glibc_split(dev):
    return os.major(dev), os.minor(dev)

def dev_field(view, ma, mi):
    if view == "raw":
        return "%d:%d" % (ma, mi)
    v = os.makedev(ma, mi) & 0xffffff        # the 24-bit field
    if view == "kernel":                     # old_decode_dev()
        return "%d:%d" % ((v >> 8) & 0xff, v & 0xff)
    return "%d:%d" % glibc_split(v)

def owner_fields(view, owners_shown, uid, gid):
    if not owners_shown:
        return "-", "-"
    if view != "raw":
        uid, gid = uid & 0xffff, gid & 0xff
    return str(uid), str(gid)

def unescape(s):
    out, i = bytearray(), 0
    b = s.encode("latin-1")
    while i < len(b):
        if b[i] == 0x5c and i + 4 <= len(b):
            out.append(int(b[i + 1:i + 4], 8)); i += 4
        else:
            out.append(b[i]); i += 1
    return bytes(out)

def mode_field(view, rel, mode):
    if view == "kernel" and rel == b".":     # cramfs_read_super()
        mode |= 0o555
    return "%04o" % mode

def cmd_manifest(view_arg, tree):
    m = Meta(tree)
    shown = not view_arg.endswith("-no-owners")
    view = view_arg.replace("-no-owners", "")
    lines = []
    for line in sys.stdin.buffer.read().decode("latin-1").splitlines():
        f = line.split(" ")
        rel = unescape(f[0])[1:] or b"."
        if rel in m.modes:
            f[2] = mode_field(view, rel, m.modes[rel])
        f[3], f[4] = owner_fields(view, shown, *m.owner(rel))
        lines.append((unescape(f[0]), " ".join(f)))
    for rel, (t, ma, mi) in m.devs.items():
        uid, gid = owner_fields(view, shown, *m.owner(rel))
        p = image_path(rel)
        lines.append((p, "%s %s %s %s %s - %s" % (escape(p), t, mode_field(view, rel, m.mode(rel)),
                                                uid, gid, dev_field(view, ma, mi))))
    for _, text in sorted(lines):
        sys.stdout.buffer.write(text.encode("latin-1") + b"\n")

def cmd_tar(tree, out):
    m = Meta(tree)
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
        def add(ti, rel, data=None):
            ti.uid, ti.gid = m.owner(rel)
            ti.uname = ti.gname = ""
            ti.mtime = 0
            tar.addfile(ti, data)
        for rel, st in walk(tree):
            if stat.S_ISSOCK(st.st_mode):
                continue
            full = os.path.join(tree, rel)
            # (str names: tarfile encodes them back with surrogateescape)
            ti = tar.gettarinfo(os.fsdecode(full), arcname=os.fsdecode(rel))
            ti.mode = m.mode(rel, st)
            if ti.isreg():
                with open(full, "rb") as f:
                    add(ti, rel, f)
            else:
                add(ti, rel)
        for rel, (t, ma, mi) in sorted(m.devs.items()):
            ti = tarfile.TarInfo(os.fsdecode(rel))
            ti.type = tarfile.CHRTYPE if t == "c" else tarfile.BLKTYPE
            ti.devmajor, ti.devminor, ti.mode = ma, mi, m.mode(rel)
            add(ti, rel)

def main():
    cmd, args = sys.argv[1], [os.fsencode(a) for a in sys.argv[2:]]
    if cmd == "table":
        cmd_table(args[0])
    elif cmd == "manifest":
        cmd_manifest(sys.argv[2], args[1])
    elif cmd == "tar":
        cmd_tar(args[0], args[1])
    else:
        sys.exit("usage: tree-meta.py table DIR | manifest VIEW DIR | tar DIR OUT")

main()
