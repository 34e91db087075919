// SPDX-License-Identifier: MIT
/*
 * The entry tree: scanned from host directories (lstat, never following
 * symlinks), children kept sorted by strcmp of the raw names, which is the
 * order the kernel's lookup relies on and the order util-linux writes.
 *
 * Archives and device tables add entries one path at a time, in any
 * order.  Sorting after every insert made that quadratic (50,000 tar
 * entries in one directory: 156 s), and so would a sorted insert (memmove
 * of half the array each time).  So kids added out of order are appended,
 * found through a hash index of the directory meanwhile, and sorted once
 * when the input is read (bnode_sort_tree).  Names are unique, so the
 * order, and the image, are the same as sorting after every insert.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Out-of-order kids a directory holds before lookups use an index. */
#define INDEX_MIN 16

/* A seed no input can know: the hash is then no target for collisions. */
static uint64_t hash_seed(const void *salt)
{
	uint64_t seed = 0;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)(uintptr_t)salt ^ (uint64_t)ts.tv_nsec ^
	       (uint64_t)ts.tv_sec << 32;
}

int cramfs_tree_new(struct cramfs_tree **out)
{
	struct cramfs_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->root.mode = CRAMFS_S_IFDIR | 0755;
	t->spill_fd = -1;
	t->seed = hash_seed(t);
	*out = t;
	return 0;
}

void bnode_release(struct bnode *n)
{
	for (uint32_t i = 0; i < n->nkids; i++) {
		bnode_release(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	bnode_index_drop(n);
	n->unsorted = false;
	free(n->name);
	free(n->host_path);
	free(n->target);
	xip_plan_free(n->xip);
	n->xip = NULL;
	n->kids = NULL;
	n->nkids = n->kids_cap = 0;
	n->name = n->host_path = n->target = NULL;
}

void cramfs_tree_free(struct cramfs_tree *t)
{
	if (!t)
		return;
	bnode_release(&t->root);
	if (t->spill_fd >= 0)
		close(t->spill_fd);
	free(t);
}

int bnode_walk(struct bnode *dir, bnode_visit_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < dir->nkids; i++) {
		int ret = fn(dir->kids[i], ctx);

		if (!ret && bnode_is_dir(dir->kids[i]))
			ret = bnode_walk(dir->kids[i], fn, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int bnode_name_cmp(const void *a, const void *b)
{
	const struct bnode *x = *(struct bnode *const *)a;
	const struct bnode *y = *(struct bnode *const *)b;

	return strcmp(x->name, y->name);
}

int bnode_add_kid(struct bnode *dir, struct bnode *n)
{
	if (dir->nkids == dir->kids_cap) {
		uint32_t ncap = dir->kids_cap ? dir->kids_cap * 2 : 8;
		struct bnode **k = realloc(dir->kids, ncap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		dir->kids = k;
		dir->kids_cap = ncap;
	}
	dir->kids[dir->nkids++] = n;
	return 0;
}

void bnode_index_drop(struct bnode *dir)
{
	free(dir->index);
	dir->index = NULL;
	dir->index_mask = 0;
}

void bnode_sort_kids(struct bnode *dir)
{
	if (dir->unsorted && dir->nkids > 1)
		qsort(dir->kids, dir->nkids, sizeof(*dir->kids), bnode_name_cmp);
	dir->unsorted = false;
	bnode_index_drop(dir);
}

void bnode_sort_tree(struct bnode *dir)
{
	bnode_sort_kids(dir);
	for (uint32_t i = 0; i < dir->nkids; i++) {
		if (bnode_is_dir(dir->kids[i]))
			bnode_sort_tree(dir->kids[i]);
	}
}

int bnode_open(const struct bnode *n)
{
	int fd;

	if (n->spilled) {
		fd = dup(n->spill_fd);
		return fd < 0 ? -errno : fd;
	}
	if (!n->host_path)
		return -1;
	fd = open(n->host_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int bnode_read(const struct bnode *n, int fd, void *buf, size_t len,
	       uint64_t off)
{
	uint8_t *p = buf;

	if (n->target) {
		memcpy(buf, n->target + off, len);
		return 0;
	}
	if (n->spilled)
		off += n->spill_off;
	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;	/* shrank under us */
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

uint64_t bnode_count(const struct bnode *dir)
{
	uint64_t n = dir->nkids;

	for (uint32_t i = 0; i < dir->nkids; i++)
		n += bnode_count(dir->kids[i]);
	return n;
}

static void set_owner(struct bnode *n, long long uid, long long gid)
{
	if (uid >= 0)
		n->uid = (uint32_t)uid;
	if (gid >= 0)
		n->gid = (uint32_t)gid;
	for (uint32_t i = 0; i < n->nkids; i++)
		set_owner(n->kids[i], uid, gid);
}

void cramfs_tree_set_owner(struct cramfs_tree *t, long long uid, long long gid)
{
	set_owner(&t->root, uid, gid);
}

/* FNV-1a from the tree's seed, its low bits (the slot) mixed. */
static uint64_t name_hash(uint64_t seed, const char *name, size_t len)
{
	uint64_t h = seed ^ 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ h >> 33;
}

static bool kid_is(const struct bnode *k, const char *name, size_t len)
{
	return k->name_len == len && !memcmp(k->name, name, len);
}

/* The index slot of `name`: the kid's, or the empty one it would take. */
static uint32_t *index_slot(const struct cramfs_tree *t,
			    const struct bnode *dir, const char *name,
			    size_t len)
{
	uint32_t i = (uint32_t)name_hash(t->seed, name, len) & dir->index_mask;

	/* At most half the slots are used: an empty one always comes. */
	while (dir->index[i] && !kid_is(dir->kids[dir->index[i] - 1], name, len))
		i = (i + 1) & dir->index_mask;
	return &dir->index[i];
}

/* A new index of every kid, with room for twice as many. */
static int index_build(const struct cramfs_tree *t, struct bnode *dir)
{
	uint32_t slots = 64;

	while (slots < 4 * (uint64_t)dir->nkids)
		slots *= 2;
	bnode_index_drop(dir);
	dir->index = calloc(slots, sizeof(*dir->index));
	if (!dir->index)
		return -ENOMEM;
	dir->index_mask = slots - 1;
	for (uint32_t i = 0; i < dir->nkids; i++) {
		const struct bnode *k = dir->kids[i];

		*index_slot(t, dir, k->name, k->name_len) = i + 1;
	}
	return 0;
}

/* Index the kid just appended to an unsorted directory. */
static int index_add(const struct cramfs_tree *t, struct bnode *dir)
{
	const struct bnode *k = dir->kids[dir->nkids - 1];

	if (!dir->index && dir->nkids <= INDEX_MIN)
		return 0;	/* few enough to compare with each */
	if (!dir->index || 2 * (uint64_t)dir->nkids > dir->index_mask + 1ull)
		return index_build(t, dir);
	*index_slot(t, dir, k->name, k->name_len) = dir->nkids;
	return 0;
}

static struct bnode *kid_get(const struct cramfs_tree *t, struct bnode *dir,
			     const char *name, size_t len)
{
	if (dir->index) {
		uint32_t at = *index_slot(t, dir, name, len);

		return at ? dir->kids[at - 1] : NULL;
	}
	if (dir->unsorted) {
		for (uint32_t i = 0; i < dir->nkids; i++) {
			if (kid_is(dir->kids[i], name, len))
				return dir->kids[i];
		}
		return NULL;
	}
	for (uint32_t lo = 0, hi = dir->nkids; lo < hi;) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strncmp(dir->kids[mid]->name, name, len);

		if (!c && dir->kids[mid]->name[len])
			c = 1;
		if (!c)
			return dir->kids[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * A new kid of `dir` named by `len` bytes of `name`: appended, and the
 * directory marked unsorted (and indexed) unless it sorts last.  The
 * inputs check their names first (names.c), with messages; this is the
 * backstop, so that no caller can put "..", say, into an image.
 */
static struct bnode *kid_new(const struct cramfs_tree *t, struct bnode *dir,
			     const char *name, size_t len, int *err)
{
	struct bnode *n;

	if (build_name_bad(name, len)) {
		*err = -EINVAL;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strndup(name, len)) || bnode_add_kid(dir, n))
		goto fail;
	n->name_len = (uint32_t)len;
	if (!dir->unsorted && dir->nkids > 1 &&
	    strcmp(dir->kids[dir->nkids - 2]->name, n->name) > 0)
		dir->unsorted = true;
	if (!dir->unsorted || !index_add(t, dir))
		return n;
	dir->nkids--;
fail:
	if (n)
		free(n->name);
	free(n);
	*err = -ENOMEM;
	return NULL;
}

/* Walk `rel`; create missing entries (directories but the last) if asked. */
static struct bnode *walk_path(struct cramfs_tree *t, const char *rel,
			       bool create, int *err)
{
	struct bnode *n = &t->root;

	*err = 0;
	while (*rel) {
		size_t len = strcspn(rel, "/");
		bool last = !rel[len];
		struct bnode *k;

		if (!len) {		/* "a//b", "/a": empty components */
			rel++;
			continue;
		}
		if (!bnode_is_dir(n)) {
			*err = -ENOTDIR;
			return NULL;
		}
		k = kid_get(t, n, rel, len);
		if (!k && !create)
			return NULL;
		if (!k && !(k = kid_new(t, n, rel, len, err)))
			return NULL;
		if (!k->mode && !last)
			k->mode = CRAMFS_S_IFDIR | 0755;
		n = k;
		rel += len + !last;
	}
	return n;
}

struct bnode *bnode_at(struct cramfs_tree *t, const char *rel, int *err)
{
	return walk_path(t, rel, true, err);
}

struct bnode *bnode_find(struct cramfs_tree *t, const char *rel)
{
	int err;

	return walk_path(t, rel, false, &err);
}

void bnode_reset(struct bnode *n)
{
	char *name = n->name;
	uint32_t len = n->name_len;

	n->name = NULL;
	bnode_release(n);
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->name_len = len;
}
