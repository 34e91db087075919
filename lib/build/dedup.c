// SPDX-License-Identifier: MIT
/*
 * Deduplication: a data-bearing entry whose content equals an earlier one's
 * (pre-order: node, its subtree, then its next sibling) reuses that data.
 *
 * util-linux compares content only, so a symlink can share a regular
 * file's data and the kernel then shows both as one inode (format.md §4.6);
 * the compat mode repeats that for identical bytes, the native mode also
 * requires equal mode and owner.  Only entries whose size occurs more than
 * once are hashed, and a hash match is confirmed byte by byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CHUNK 65536u

struct items {
	struct bnode **v;
	size_t n, cap;
};

static int collect(struct bnode *n, void *ctx)
{
	struct items *it = ctx;

	if (!bnode_has_data(n))
		return 0;
	if (it->n == it->cap) {
		size_t ncap = it->cap ? it->cap * 2 : 256;
		struct bnode **v = realloc(it->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		it->v = v;
		it->cap = ncap;
	}
	it->v[it->n++] = n;
	return 0;
}

/* FNV-1a over the content: cheap, and only a filter before memcmp. */
static int content_hash(struct bnode *n, uint8_t *buf)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int fd = bnode_open(n), ret = 0;

	if (fd < -1)
		return fd;
	for (uint64_t off = 0; !ret && off < n->size; off += CHUNK) {
		size_t len = n->size - off < CHUNK ? n->size - off : CHUNK;

		ret = bnode_read(n, fd, buf, len, off);
		for (size_t i = 0; !ret && i < len; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	}
	if (fd >= 0)
		close(fd);
	n->hash = h;
	return ret;
}

static int same_bytes(struct bnode *a, struct bnode *b, uint8_t *buf)
{
	int fa = bnode_open(a), fb = bnode_open(b), ret = fa < -1 ? fa : fb < -1 ? fb : 1;

	for (uint64_t off = 0; ret == 1 && off < a->size; off += CHUNK) {
		size_t len = a->size - off < CHUNK ? a->size - off : CHUNK;

		ret = bnode_read(a, fa, buf, len, off);
		if (!ret)
			ret = bnode_read(b, fb, buf + CHUNK, len, off);
		if (!ret)
			ret = !memcmp(buf, buf + CHUNK, len);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ret;
}

struct rec {
	struct bnode *n;
	size_t pos;	/* pre-order position */
};

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->n->size != y->n->size)
		return x->n->size < y->n->size ? -1 : 1;
	if (x->n->hash != y->n->hash)
		return x->n->hash < y->n->hash ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool meta_ok(const struct bnode *a, const struct bnode *b,
		    enum cramfs_build_mode mode)
{
	if (!xip_same_plan(a, b))	/* one layout serves both */
		return false;
	return mode == CRAMFS_BUILD_UTIL_LINUX ||
	       (a->mode == b->mode && (a->uid & 0xFFFF) == (b->uid & 0xFFFF) &&
		(a->gid & 0xFF) == (b->gid & 0xFF));
}

/* Within one (size, hash) group, in pre-order: match earlier originals. */
static int match_group(struct rec *g, size_t n, enum cramfs_build_mode mode,
		       uint8_t *buf, uint64_t *saved)
{
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			int same;

			if (g[i].n->same || !meta_ok(g[i].n, g[j].n, mode))
				continue;
			same = same_bytes(g[i].n, g[j].n, buf);
			if (same < 0)
				return same;
			if (same) {
				g[j].n->same = g[i].n;
				*saved += g[j].n->size;
				break;
			}
		}
	}
	return 0;
}

/* Hash the entries whose size occurs more than once; then group. */
static int hash_collisions(struct rec *r, size_t n, uint8_t *buf)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && r[j].n->size == r[i].n->size)
			j++;
		for (size_t k = i; j - i > 1 && k < j; k++) {
			int ret = content_hash(r[k].n, buf);

			if (ret)
				return ret;
		}
		i = j;
	}
	return 0;
}

static int dedup_items(struct items *it, enum cramfs_build_mode mode,
		       uint64_t *saved)
{
	struct rec *r = malloc((it->n + 1) * sizeof(*r));
	uint8_t *buf = malloc(2 * CHUNK);
	int ret = r && buf ? 0 : -ENOMEM;

	for (size_t i = 0; !ret && i < it->n; i++)
		r[i] = (struct rec){ it->v[i], i };
	if (!ret) {
		qsort(r, it->n, sizeof(*r), rec_cmp);
		ret = hash_collisions(r, it->n, buf);
		qsort(r, it->n, sizeof(*r), rec_cmp);
	}
	for (size_t i = 0; !ret && i < it->n;) {
		size_t j = i + 1;

		while (j < it->n && r[j].n->size == r[i].n->size &&
		       r[j].n->hash == r[i].n->hash)
			j++;
		ret = match_group(r + i, j - i, mode, buf, saved);
		i = j;
	}
	free(r);
	free(buf);
	return ret;
}

int dedup_tree(struct cramfs_tree *t, enum cramfs_build_mode mode,
	       struct cramfs_diag *diag, uint64_t *saved)
{
	struct items it = { 0 };
	int ret = bnode_walk(&t->root, collect, &it);

	*saved = 0;
	if (!ret)
		ret = dedup_items(&it, mode, saved);
	if (ret && ret != -ENOMEM)
		diag_add(diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET, NULL,
			 "cannot read a source file while looking for duplicates: %s",
			 strerror(-ret));
	free(it.v);
	return ret;
}
