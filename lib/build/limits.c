// SPDX-License-Identifier: MIT
/*
 * cramfs's field widths (format.md §4.7, §13): what does not fit is truncated
 * the way util-linux does it, with one warning per entry naming it.  Names
 * are cut at 252 bytes, not util-linux's 255, which writes a zero name
 * length for 253-255 byte names (format.md §5.1, a corrupt image).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct limits {
	struct cramfs_diag *diag;
	uint64_t warnings, collisions;
	char path[8192];
};

static void warn(struct limits *l, const char *fmt, unsigned long long v)
{
	l->warnings++;
	diag_add(l->diag, CRAMFS_DIAG_WARNING, -EOVERFLOW, CRAMFS_NO_OFFSET,
		 l->path, fmt, v);
}

static void limit_size(struct limits *l, struct bnode *n)
{
	bool dev = cramfs_is_type(n->mode, CRAMFS_S_IFCHR) ||
		   cramfs_is_type(n->mode, CRAMFS_S_IFBLK);

	/* Contents are cut at the largest size; device numbers lose high bits. */
	if (dev)
		n->size = (uint32_t)(n->host_size & CRAMFS_MAXFILESIZE);
	else
		n->size = n->host_size > CRAMFS_MAXFILESIZE ? CRAMFS_MAXFILESIZE :
			  (uint32_t)n->host_size;
	if (n->host_size <= CRAMFS_MAXFILESIZE)
		return;
	if (dev)
		warn(l, "device number 0x%llx truncated to 24 bits",
		     (unsigned long long)n->host_size);
	else
		warn(l, "%llu bytes: only the first 16777215 are stored",
		     (unsigned long long)n->host_size);
}

static void limit_node(struct limits *l, struct bnode *n)
{
	if (n->name_len > CRAMFS_MAXNAME) {
		warn(l, "name of %llu bytes truncated to 252",
		     (unsigned long long)n->name_len);
		n->name_len = CRAMFS_MAXNAME;
		n->name[CRAMFS_MAXNAME] = '\0';
	}
	if (n->uid > 0xFFFFu)
		warn(l, "uid %llu truncated to 16 bits", (unsigned long long)n->uid);
	if (n->gid > 0xFFu)
		warn(l, "gid %llu truncated to 8 bits (a security concern)",
		     (unsigned long long)n->gid);
	if (!bnode_is_dir(n))
		limit_size(l, n);
}

/*
 * Names equal in their first 252 bytes collide once cut.  They sort next to
 * each other, so comparing each name with the previous one finds them; a
 * collision is an error (the build stops), since keeping one would drop
 * data silently and renaming would surprise.
 */
static void limit_dir(struct limits *l, struct bnode *dir, size_t len)
{
	for (uint32_t i = 0; i < dir->nkids; i++) {
		struct bnode *n = dir->kids[i];

		snprintf(l->path + len, sizeof(l->path) - len, "%s%s",
			 len ? "/" : "", n->name);
		limit_node(l, n);
		if (i && !strcmp(dir->kids[i - 1]->name, n->name)) {
			l->collisions++;
			diag_add(l->diag, CRAMFS_DIAG_ERROR, -EEXIST,
				 CRAMFS_NO_OFFSET, l->path,
				 "same name as its predecessor once cut to 252 bytes");
		}
		if (bnode_is_dir(n))
			limit_dir(l, n, strlen(l->path));
		l->path[len] = '\0';
	}
}

uint64_t limits_apply(struct cramfs_tree *t, struct cramfs_diag *diag,
		      uint64_t *collisions)
{
	struct limits *l = calloc(1, sizeof(*l));
	uint64_t w;

	*collisions = 0;
	if (!l)
		return 1;
	l->diag = diag;
	strcpy(l->path, "/");
	limit_node(l, &t->root);
	l->path[0] = '\0';
	limit_dir(l, &t->root, 0);
	w = l->warnings;
	*collisions = l->collisions;
	free(l);
	return w;
}
