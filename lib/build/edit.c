// SPDX-License-Identifier: MIT
/* Tree edits after scanning: exclusion globs and chmod-style mode changes. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static unsigned long exclude_in(struct bnode *dir, const char *pattern,
				bool whole, char *path, size_t len)
{
	unsigned long dropped = 0;
	uint32_t keep = 0;

	for (uint32_t i = 0; i < dir->nkids; i++) {
		struct bnode *k = dir->kids[i];
		const char *subject = whole ? path : k->name;

		snprintf(path + len, 8192 - len, "%s%s", len ? "/" : "", k->name);
		if (!fnmatch(pattern, subject, 0)) {
			dropped += 1 + bnode_count(k);
			bnode_release(k);
			free(k);
			continue;
		}
		if (bnode_is_dir(k))
			dropped += exclude_in(k, pattern, whole, path,
					      strlen(path));
		dir->kids[keep++] = k;
		path[len] = '\0';
	}
	dir->nkids = keep;
	bnode_index_drop(dir);	/* positions moved (the order did not) */
	return dropped;
}

unsigned long cramfs_tree_exclude(struct cramfs_tree *t, const char *pattern)
{
	char *path = calloc(1, 8192);
	unsigned long n;

	bool whole = strchr(pattern, '/');

	if (!path)
		return 0;
	while (*pattern == '/')	/* image paths have no leading slash */
		pattern++;
	n = exclude_in(&t->root, pattern, whole, path, 0);
	free(path);
	return n;
}

/* ---- chmod ---- */

static uint32_t who_mask(const char **p)
{
	uint32_t m = 0;

	for (; **p && strchr("ugoa", **p); (*p)++)
		m |= **p == 'u' ? 04700 : **p == 'g' ? 02070 :
		     **p == 'o' ? 01007 : 07777;
	return m ? m : 07777;
}

/* The bits `perms` ([rwxXst]*) stand for, within `who`. */
static int perm_bits(const char **p, uint32_t who, uint32_t mode, bool dir,
		     uint32_t *bits)
{
	*bits = 0;
	for (; **p && !strchr("+-=,", **p); (*p)++) {
		switch (**p) {
		case 'r': *bits |= 0444; break;
		case 'w': *bits |= 0222; break;
		case 'x': *bits |= 0111; break;
		case 'X': *bits |= dir || (mode & 0111) ? 0111 : 0; break;
		case 's': *bits |= 06000; break;
		case 't': *bits |= 01000; break;
		default: return -EINVAL;
		}
	}
	*bits &= who;
	return 0;
}

/* Apply one symbolic clause ("go-w", "u=rwX,g+s" parts) to `mode`. */
static int apply_symbolic(const char *c, uint32_t *mode, bool dir)
{
	uint32_t who = who_mask(&c), bits;

	if (!strchr("+-=", *c) || !*c)
		return -EINVAL;
	while (*c && *c != ',') {
		char op = *c++;

		if (!strchr("+-=", op) || perm_bits(&c, who, *mode, dir, &bits))
			return -EINVAL;
		if (op == '=')
			*mode &= ~who;
		if (op == '-')
			*mode &= ~bits;
		else
			*mode |= bits;
	}
	return 0;
}

/* One clause of a spec, applied to `mode` if its D/F prefix matches. */
static int apply_clause(const char *c, uint32_t *mode, bool dir)
{
	bool only_dirs = *c == 'D', only_files = *c == 'F';
	uint32_t perms = *mode & 07777, v = 0;
	const char *p;
	int ret = 0;

	c += only_dirs || only_files;
	for (p = c; *p >= '0' && *p <= '7'; p++)
		v = v * 8 + (uint32_t)(*p - '0');
	if (p > c && (!*p || *p == ',') && v <= 07777)
		perms = v;
	else
		ret = apply_symbolic(c, &perms, dir);
	if (!ret && !(only_dirs && !dir) && !(only_files && dir))
		*mode = (*mode & ~07777u) | perms;
	return ret;
}

static int chmod_spec(const char *spec, uint32_t *mode, bool dir)
{
	for (const char *c = spec; *c; c += strcspn(c, ","), c += *c == ',') {
		int ret = apply_clause(c, mode, dir);

		if (ret)
			return ret;
	}
	return 0;
}

static void chmod_all(struct bnode *dir, const char *spec)
{
	for (uint32_t i = 0; i < dir->nkids; i++) {
		struct bnode *k = dir->kids[i];

		chmod_spec(spec, &k->mode, bnode_is_dir(k));
		if (bnode_is_dir(k))
			chmod_all(k, spec);
	}
}

int cramfs_tree_chmod(struct cramfs_tree *t, const char *spec)
{
	uint32_t probe_f = CRAMFS_S_IFREG, probe_d = CRAMFS_S_IFDIR;

	/* Validate on both kinds first, so a bad spec changes nothing. */
	if (!*spec || chmod_spec(spec, &probe_f, false) ||
	    chmod_spec(spec, &probe_d, true))
		return -EINVAL;
	chmod_spec(spec, &t->root.mode, true);
	chmod_all(&t->root, spec);
	return 0;
}
