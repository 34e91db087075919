// SPDX-License-Identifier: MIT
/*
 * Device tables: owners, modes and device nodes without root rights.  The
 * two flavours differ only in what `count` means (see build.h and
 * prior-art): makedevs counts nodes, and so does cramfs-tools since its fix
 * of 2026-04 (e49bcce), which both our tools follow; CRAMFS_TOOLS is the
 * end bound of cramfs-tools 2.2 and earlier, for tables written for them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "internal.h"

struct dt_line {
	char name[4096];
	char type;
	unsigned long mode, uid, gid, major, minor, start, inc, count;
	bool ranged;
};

struct dt_ctx {
	struct cramfs_tree *t;
	enum cramfs_devtable_flavor flavor;
	struct cramfs_diag *diag;
	const char *file;
	unsigned lineno;
};

static int dt_bad(struct dt_ctx *c, const char *what)
{
	return diag_add(c->diag, CRAMFS_DIAG_ERROR, -EINVAL, CRAMFS_NO_OFFSET,
			NULL, "%s:%u: %s", c->file, c->lineno, what);
}

/* Undo the \ooo escapes of names (as in the manifest cramfs extract writes). */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* A numeric column; "-" is 0.  Returns false if not a number. */
static bool column(const char *s, int base, unsigned long *out)
{
	char *end;

	if (!strcmp(s, "-")) {
		*out = 0;
		return true;
	}
	errno = 0;
	*out = strtoul(s, &end, base);
	return *s && !*end && !errno && *s != '-';
}

static int parse_line(struct dt_ctx *c, char *text, struct dt_line *l)
{
	char name[4096], type[8], col[8][32];
	int n = sscanf(text, "%4095s %7s %31s %31s %31s %31s %31s %31s %31s %31s",
		       name, type, col[0], col[1], col[2], col[3], col[4],
		       col[5], col[6], col[7]);
	unsigned long *v[] = { &l->mode, &l->uid, &l->gid, &l->major,
			       &l->minor, &l->start, &l->inc, &l->count };

	if (n != 10)
		return dt_bad(c, "expected 10 columns: name type mode uid gid major minor start inc count");
	if (name[0] != '/' || strlen(type) != 1 || !strchr("dflcbps", type[0]))
		return dt_bad(c, "name must be absolute, type one of d f l c b p s");
	for (int i = 0; i < 8; i++) {
		if (!column(col[i], i ? 10 : 8, v[i]))
			return dt_bad(c, i == 1 || i == 2 ?
				      "owners must be numeric" : "bad number");
	}
	unescape(name);
	snprintf(l->name, sizeof(l->name), "%s", name + 1);
	l->type = type[0];
	l->ranged = strcmp(col[7], "-") && l->count;
	return 0;
}

static uint32_t type_bits(char type)
{
	switch (type) {
	case 'd': return CRAMFS_S_IFDIR;
	case 'f': return CRAMFS_S_IFREG;
	case 'l': return CRAMFS_S_IFLNK;
	case 'c': return CRAMFS_S_IFCHR;
	case 'b': return CRAMFS_S_IFBLK;
	case 'p': return CRAMFS_S_IFIFO;
	default: return CRAMFS_S_IFSOCK;
	}
}

/* Create or replace the node at `name` as `l` describes, with `rdev`. */
static int dt_node(struct dt_ctx *c, const struct dt_line *l, const char *name,
		   uint64_t rdev)
{
	bool creates = strchr("dcbps", l->type);
	uint32_t type = type_bits(l->type);
	struct bnode *n;
	int err = 0;

	n = creates ? bnode_at(c->t, name, &err) : bnode_find(c->t, name);
	if (!n)
		return dt_bad(c, err == -ENOMEM ? "out of memory" :
			      err ? "a parent is not a directory" :
			      "no such entry in the source tree");
	if (n->mode && !cramfs_is_type(n->mode, type)) {
		/* Devices, fifos, sockets replace a non-directory. */
		if (!creates || l->type == 'd' || bnode_is_dir(n))
			return dt_bad(c, "the entry exists with another type");
		bnode_reset(n);
	}
	n->mode = type | (l->mode & 07777);
	n->uid = (uint32_t)l->uid;
	n->gid = (uint32_t)l->gid;
	if (strchr("cbps", l->type))
		n->host_size = rdev;
	return 0;
}

/* One line, expanded into its range of nodes if it has one. */
static int dt_apply(struct dt_ctx *c, const struct dt_line *l)
{
	bool dev = l->type == 'c' || l->type == 'b';
	unsigned long first = l->start, end;
	char name[4200];
	int ret = 0;

	if (!l->ranged || !dev) {
		snprintf(name, sizeof(name), "%s", l->name);
		return dt_node(c, l, name, makedev(l->major, l->minor));
	}
	end = c->flavor == CRAMFS_DEVTABLE_MAKEDEVS ? l->start + l->count :
						      l->count;
	if (end - first > 65536)
		return dt_bad(c, "range of more than 65536 nodes");
	for (unsigned long i = first; !ret && i < end; i++) {
		unsigned long minor = c->flavor == CRAMFS_DEVTABLE_MAKEDEVS ?
			l->minor + (i - l->start) * l->inc :
			l->minor + i * l->inc - l->start;

		snprintf(name, sizeof(name), "%s%lu", l->name, i);
		ret = dt_node(c, l, name, makedev(l->major, minor));
	}
	return ret;
}

int cramfs_tree_apply_devtable(struct cramfs_tree *t, const char *path,
			       enum cramfs_devtable_flavor flavor,
			       struct cramfs_diag *diag)
{
	struct dt_ctx c = { t, flavor, diag, path, 0 };
	FILE *f = fopen(path, "r");
	char text[8192];
	struct dt_line *l = malloc(sizeof(*l));
	int ret = 0, bad = 0;

	if (!f || !l) {
		ret = f ? -ENOMEM : -errno;
		if (!f)
			diag_add(diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
				 path, "cannot read device table: %s", strerror(-ret));
		goto out;
	}
	while (ret != -ENOMEM && fgets(text, sizeof(text), f)) {
		char *p = text + strspn(text, " \t");

		c.lineno++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		memset(l, 0, sizeof(*l));
		ret = parse_line(&c, p, l);
		if (!ret)
			ret = dt_apply(&c, l);
		bad |= ret != 0;
	}
	if (ret != -ENOMEM && bad)
		ret = -EINVAL;
out:
	if (f)
		fclose(f);
	free(l);
	return ret;
}
