// SPDX-License-Identifier: MIT
/*
 * Path lookup and the whole-tree walk.
 *
 * The walk is an explicit stack of directory iterators, so a deep or hostile
 * tree cannot overflow the C stack.  Every entry list it enters is recorded
 * in a hash set of offsets: a list reached twice means a cycle or two
 * directories aliasing one list, both corruption, and is not entered again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define WALK_MAX_DEPTH 1024u

/* ---- lookup ---- */

static int lookup_in(struct cramfs_image *img, const struct cramfs_node *dir,
		     const char *name, size_t len, struct cramfs_diag *diag,
		     struct cramfs_node *out)
{
	struct cramfs_dir *it;
	int ret;

	ret = cramfs_dir_open(img, dir, diag, &it);
	if (ret)
		return ret;
	while ((ret = cramfs_dir_next(it, out)) == 1) {
		if (out->name_len == len && !memcmp(out->name, name, len))
			break;
	}
	cramfs_dir_close(it);
	return ret == 1 ? 0 : ret ? ret : -ENOENT;
}

int cramfs_lookup(struct cramfs_image *img, const char *path,
		  struct cramfs_diag *diag, struct cramfs_node *out)
{
	struct cramfs_node cur;
	int ret;

	cramfs_image_root(img, &cur);
	for (;;) {
		size_t len;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		len = strcspn(path, "/");
		ret = lookup_in(img, &cur, path, len, diag, &cur);
		if (ret)
			return ret;
		path += len;
	}
	*out = cur;
	return 0;
}

/* ---- visited set: open addressing over list offsets (never 0) ---- */

struct offset_set {
	uint32_t *slots;
	size_t cap, used;
};

static int set_grow(struct offset_set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	uint32_t *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j = (s->slots[i] * 2654435761u) & (ncap - 1);

		if (!s->slots[i])
			continue;
		while (n[j])
			j = (j + 1) & (ncap - 1);
		n[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = n;
	s->cap = ncap;
	return 0;
}

/* Returns 1 if added, 0 if already present, -ENOMEM. */
static int set_add(struct offset_set *s, uint32_t v)
{
	size_t j;

	if ((s->used + 1) * 2 > s->cap && set_grow(s))
		return -ENOMEM;
	j = (v * 2654435761u) & (s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == v)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->slots[j] = v;
	s->used++;
	return 1;
}

/* ---- walk ---- */

struct walk_frame {
	struct cramfs_dir *dir;		/* NULL for an empty directory */
	char *path;			/* copy, for the iterator's messages */
	struct cramfs_node node;	/* the directory itself */
	size_t path_len;		/* its path length in walk->path */
};

struct cramfs_walk {
	struct cramfs_image *img;
	struct cramfs_diag *diag;
	unsigned flags;
	struct walk_frame *stack;
	unsigned depth;			/* frames in use */
	struct offset_set seen;
	struct cramfs_node start;
	bool started, pending;		/* pending: descend into `start`-like node */
	struct cramfs_node pending_node;
	size_t pending_len;
	char *path;
	size_t path_cap;
};

int cramfs_walk_open(struct cramfs_image *img, const struct cramfs_node *start,
		     unsigned flags, struct cramfs_diag *diag,
		     struct cramfs_walk **out)
{
	struct cramfs_walk *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->stack = calloc(WALK_MAX_DEPTH + 1, sizeof(*w->stack));
	w->path_cap = 4096;
	w->path = malloc(w->path_cap);
	if (!w->stack || !w->path) {
		cramfs_walk_close(w);
		return -ENOMEM;
	}
	w->path[0] = '\0';
	w->img = img;
	w->diag = diag;
	w->flags = flags;
	if (start)
		w->start = *start;
	else
		cramfs_image_root(img, &w->start);
	*out = w;
	return 0;
}

void cramfs_walk_close(struct cramfs_walk *w)
{
	if (!w)
		return;
	while (w->stack && w->depth) {
		struct walk_frame *f = &w->stack[--w->depth];

		cramfs_dir_close(f->dir);
		free(f->path);
	}
	free(w->stack);
	free(w->seen.slots);
	free(w->path);
	free(w);
}

/* Set path to the parent's path + "/" + name; returns 0 or -ENOMEM. */
static int path_set(struct cramfs_walk *w, size_t parent_len, const char *name,
		    size_t len)
{
	size_t need = parent_len + 1 + len + 1;

	if (need > w->path_cap) {
		char *p = realloc(w->path, need * 2);

		if (!p)
			return -ENOMEM;
		w->path = p;
		w->path_cap = need * 2;
	}
	if (parent_len)
		w->path[parent_len++] = '/';
	memcpy(w->path + parent_len, name, len);
	w->path[parent_len + len] = '\0';
	return 0;
}

static void emit(struct cramfs_walk *w, struct cramfs_walk_entry *out,
		 enum cramfs_walk_event ev, const struct cramfs_node *node,
		 unsigned depth)
{
	out->event = ev;
	out->node = *node;
	out->path = w->path;
	out->depth = depth;
}

/* Refuse a list that was entered before, or a tree that is too deep. */
static int walk_admit(struct cramfs_walk *w, const struct cramfs_node *node)
{
	const char *p = *w->path ? w->path : "/";
	int ret;

	if (w->depth >= WALK_MAX_DEPTH)
		return diag_corrupt(w->diag, node->entry_offset, p,
				    "directories nested deeper than %u",
				    WALK_MAX_DEPTH);
	if (!node->inode.size)
		return 0;
	ret = set_add(&w->seen, node->inode.offset);
	if (ret < 0)
		return ret;
	if (!ret)
		return diag_corrupt(w->diag, node->entry_offset, p,
				    "directory list at 0x%llx already belongs to another directory (cycle or alias)",
				    (unsigned long long)cramfs_node_data_offset(node));
	return 0;
}

/* Enter directory `node`, whose path is the current one. */
static int walk_push(struct cramfs_walk *w, const struct cramfs_node *node)
{
	struct walk_frame *f = &w->stack[w->depth];
	int ret = walk_admit(w, node);

	if (ret)
		return ret;
	memset(f, 0, sizeof(*f));
	f->node = *node;
	f->path_len = strlen(w->path);
	f->path = strdup(*w->path ? w->path : "/");
	if (!f->path)
		return -ENOMEM;
	if (node->inode.size) {
		ret = cramfs_dir_open(w->img, node, w->diag, &f->dir);
		if (ret) {
			free(f->path);
			return ret;
		}
		dir_set_path(f->dir, f->path);
	}
	w->depth++;
	return 0;
}

/* Leave the innermost directory; returns its DIR_DONE if wanted. */
static int walk_pop(struct cramfs_walk *w, struct cramfs_walk_entry *out)
{
	struct walk_frame *f = &w->stack[--w->depth];

	cramfs_dir_close(f->dir);
	free(f->path);
	w->path[f->path_len] = '\0';
	if (!(w->flags & CRAMFS_WALK_WANT_DIR_DONE))
		return 0;
	emit(w, out, CRAMFS_WALK_DIR_DONE, &f->node, w->depth);
	return 1;
}

/* Descend into the directory emitted last time, if any. */
static int walk_descend(struct cramfs_walk *w, struct cramfs_walk_entry *out)
{
	int ret;

	w->pending = false;
	ret = walk_push(w, &w->pending_node);
	if (!ret)
		return 0;
	if (ret == -ENOMEM || !(w->flags & CRAMFS_WALK_CONTINUE))
		return ret;
	if (!(w->flags & CRAMFS_WALK_WANT_DIR_DONE))
		return 0;
	emit(w, out, CRAMFS_WALK_DIR_DONE, &w->pending_node, w->depth);
	return 1;
}

static int walk_node(struct cramfs_walk *w, struct cramfs_walk_entry *out,
		     const struct cramfs_node *node, unsigned depth)
{
	emit(w, out, CRAMFS_WALK_NODE, node, depth);
	if (cramfs_is_type(node->inode.mode, CRAMFS_S_IFDIR)) {
		w->pending = true;
		w->pending_node = *node;
	}
	return 1;
}

int cramfs_walk_next(struct cramfs_walk *w, struct cramfs_walk_entry *out)
{
	struct cramfs_node node;
	int ret;

	if (!w->started) {
		w->started = true;
		return walk_node(w, out, &w->start, 0);
	}
	if (w->pending) {
		ret = walk_descend(w, out);
		if (ret)
			return ret;
	}
	while (w->depth) {
		struct walk_frame *f = &w->stack[w->depth - 1];

		ret = f->dir ? cramfs_dir_next(f->dir, &node) : 0;
		if (ret == 1) {
			ret = path_set(w, f->path_len, node.name, node.name_len);
			return ret ? ret : walk_node(w, out, &node, w->depth);
		}
		if (ret < 0 && !(w->flags & CRAMFS_WALK_CONTINUE))
			return ret;
		if (walk_pop(w, out))
			return 1;
	}
	return 0;
}
