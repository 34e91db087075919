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

/*
 * Longest line: a name of 4096 bytes written all in \ooo escapes (as the
 * manifest writes bytes that would break the format), and the columns.
 */
#define DT_LINE_MAX (4 * 4096 + 512)

struct dt_line {
	char *line;			/* getline's buffer */
	size_t line_cap;
	char text[DT_LINE_MAX];
	char raw[DT_LINE_MAX];		/* the name column as written */
	char path[DT_LINE_MAX + 24];	/* the image path (+ a range's number) */
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

/*
 * l->path from the name column plus `suffix` (a range's number): no "."
 * or ".." component, no NUL or "/" made by an escape (names.c).  A bad
 * name is an error naming the line, and the line is not applied.
 */
static int dt_path(struct dt_ctx *c, struct dt_line *l, const char *suffix)
{
	const char *why;

	snprintf(l->path, sizeof(l->path), "%s%s", l->raw, suffix);
	why = build_path_clean(l->path, BUILD_PATH_ESCAPES);
	if (!why)
		return 0;
	return diag_add(c->diag, CRAMFS_DIAG_ERROR, -EINVAL, CRAMFS_NO_OFFSET,
			NULL, "%s:%u: bad name \"%s%s\": %s", c->file, c->lineno,
			l->raw, suffix, why);
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
	size_t nlen = strcspn(text, " \t\n");
	char type[8], col[8][32];
	int n = sscanf(text + nlen, "%7s %31s %31s %31s %31s %31s %31s %31s %31s",
		       type, col[0], col[1], col[2], col[3], col[4], col[5],
		       col[6], col[7]);
	unsigned long *v[] = { &l->mode, &l->uid, &l->gid, &l->major,
			       &l->minor, &l->start, &l->inc, &l->count };

	if (n != 9)
		return dt_bad(c, "expected 10 columns: name type mode uid gid major minor start inc count");
	memcpy(l->raw, text, nlen);
	l->raw[nlen] = '\0';
	if (l->raw[0] != '/' || strlen(type) != 1 || !strchr("dflcbps", type[0]))
		return dt_bad(c, "name must be absolute, type one of d f l c b p s");
	for (int i = 0; i < 8; i++) {
		if (!column(col[i], i ? 10 : 8, v[i]))
			return dt_bad(c, i == 1 || i == 2 ?
				      "owners must be numeric" : "bad number");
	}
	l->type = type[0];
	l->ranged = strcmp(col[7], "-") && l->count;
	return dt_path(c, l, "");
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
static int dt_node(struct dt_ctx *c, const struct dt_line *l, uint64_t rdev)
{
	const char *name = l->path;
	bool creates = strchr("dcbps", l->type);
	uint32_t type = type_bits(l->type);
	struct bnode *n;
	int err = 0;

	n = creates ? bnode_at(c->t, name, &err) : bnode_find(c->t, name);
	if (!n)
		return dt_bad(c, err == -ENOMEM ? "out of memory" :
			      err == -EINVAL ? "bad name" :
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
static int dt_apply(struct dt_ctx *c, struct dt_line *l)
{
	bool dev = l->type == 'c' || l->type == 'b';
	unsigned long first = l->start, end;
	char num[24];
	int ret = 0;

	if (!l->ranged || !dev)
		return dt_node(c, l, makedev(l->major, l->minor));
	end = c->flavor == CRAMFS_DEVTABLE_MAKEDEVS ? l->start + l->count :
						      l->count;
	/*
	 * Linux has 2^20 minor numbers per major: a longer range can only
	 * repeat them.  The bound keeps a typo from making billions of nodes.
	 */
	if (end - first > 1u << 20)
		return dt_bad(c, "range of more than 1048576 nodes");
	for (unsigned long i = first; !ret && i < end; i++) {
		unsigned long minor = c->flavor == CRAMFS_DEVTABLE_MAKEDEVS ?
			l->minor + (i - l->start) * l->inc :
			l->minor + i * l->inc - l->start;

		/* The number may complete an escape: check each name made. */
		snprintf(num, sizeof(num), "%lu", i);
		ret = dt_path(c, l, num);
		if (!ret)
			ret = dt_node(c, l, makedev(l->major, minor));
	}
	return ret;
}

/*
 * The next line into l->text; false at the end.  One too long for the
 * buffers, or with a NUL byte (which would hide the rest of the line),
 * is an error naming it, and skipped.
 */
static bool dt_read(struct dt_ctx *c, FILE *f, struct dt_line *l, int *ret)
{
	ssize_t len = getline(&l->line, &l->line_cap, f);

	if (len < 0)
		return false;
	c->lineno++;
	l->text[0] = '\0';
	if ((size_t)len >= sizeof(l->text))
		*ret = dt_bad(c, "line too long");
	else if (memchr(l->line, '\0', (size_t)len))
		*ret = dt_bad(c, "a NUL byte in the line");
	else
		memcpy(l->text, l->line, (size_t)len + 1);
	return true;
}

int cramfs_tree_apply_devtable(struct cramfs_tree *t, const char *path,
			       enum cramfs_devtable_flavor flavor,
			       struct cramfs_diag *diag)
{
	struct dt_ctx c = { t, flavor, diag, path, 0 };
	FILE *f = fopen(path, "r");
	struct dt_line *l = calloc(1, sizeof(*l));
	int ret = 0, bad = 0;

	if (!f || !l) {
		ret = f ? -ENOMEM : -errno;
		if (!f)
			diag_add(diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
				 path, "cannot read device table: %s", strerror(-ret));
		goto out;
	}
	while (ret != -ENOMEM && (ret = 0, dt_read(&c, f, l, &ret))) {
		char *p = l->text + strspn(l->text, " \t");

		if (!ret && *p != '#' && *p != '\n' && *p) {
			ret = parse_line(&c, p, l);
			if (!ret)
				ret = dt_apply(&c, l);
		}
		bad |= ret != 0;
	}
	if (ret != -ENOMEM && bad)
		ret = -EINVAL;
	/* New nodes were appended in the table's order: sorted once, now. */
	bnode_sort_tree(&t->root);
out:
	if (f)
		fclose(f);
	if (l)
		free(l->line);
	free(l);
	return ret;
}
