/* SPDX-License-Identifier: MIT */
/* Builder internals: the entry tree, layout and the image writer. */
#ifndef CRAMFS_LIB_BUILD_INTERNAL_H
#define CRAMFS_LIB_BUILD_INTERNAL_H

#include "cramfs/build.h"
#include "util/util.h"

/* One entry of the image.  Owned by its parent; the root by the tree. */
struct bnode {
	char *name;		/* as stored (possibly truncated) */
	uint32_t name_len;
	uint32_t mode, uid, gid;	/* host values, truncated when encoded */
	uint64_t host_size;	/* st_size (files, symlinks) or st_rdev */
	uint32_t size;		/* the inode's size field */
	char *host_path;	/* regular files: where the content is */
	bool spilled;		/* ... or: in the tree's spill file (archive) */
	int spill_fd;		/* borrowed from the tree */
	uint64_t spill_off;
	char *target;		/* symlinks: the link text */
	struct bnode **kids;	/* directories: sorted by strcmp (but see below) */
	uint32_t nkids, kids_cap;
	/*
	 * While an input adds kids out of order (tree.c): the kids stay in
	 * the order added, `unsorted` is set, and past a few of them `index`
	 * finds them by name (index_mask + 1 slots, each 0 or a kid's
	 * position + 1).  bnode_sort_tree sorts them once and drops the
	 * index, at the end of each public call that adds entries.
	 */
	uint32_t *index;
	uint32_t index_mask;
	bool unsorted;
	struct bnode *same;	/* deduplicated: the entry holding the data */
	uint64_t hash;		/* content hash, when size collides */
	uint32_t offset;	/* data or entry-list byte offset */
	struct xip_plan *xip;	/* blocks stored in place, or NULL */
};

/* The XIP planner's decision for one file (xip_plan.c). */
enum xip_block {
	XIP_COMPRESSED = 0,	/* the usual: compressed (or a hole) */
	XIP_IN_PLACE,		/* DIRECT|UNCOMPRESSED in the XIP region */
};

struct xip_plan {
	uint8_t *map;		/* enum xip_block per block */
	uint32_t nblocks, in_place;
	bool legacy;		/* whole file raw, no table (format.md §9) */
	uint64_t region_off;	/* first in-place byte, region-relative */
	uint64_t region_len;	/* bytes it takes there, fill included */
	struct cramfs_xip_file info;	/* report entry (path set later) */
	/* The pointer table, kept until the region's offset is known. */
	uint32_t *ptrs;
	uint8_t *reloc;		/* per block: enum xip_reloc */
};

enum xip_reloc {
	RELOC_NONE = 0,
	RELOC_DIRECT,		/* low 30 bits: region-relative start / 4 */
	RELOC_END,		/* the value: region-relative end offset */
};

struct cramfs_tree {
	struct bnode root;
	int spill_fd;		/* file contents read from archives; -1 */
	/*
	 * Archive entries cramfs could not hold as they were (xattrs, ACLs,
	 * dangling hard links, unknown types): each one warned about, and
	 * a strict build fails on them as on a limit warning.
	 */
	uint64_t lossy;
	uint64_t seed;		/* of the name hash: random, so no input can aim at it */
	/* Host file never added by cramfs_tree_add_dir (the output). */
	bool leave_out;
	uint64_t leave_dev, leave_ino;
};

static inline bool bnode_is_dir(const struct bnode *n)
{
	return cramfs_is_type(n->mode, CRAMFS_S_IFDIR);
}

/* Entries carrying a data item: regular files and symlinks, size > 0. */
static inline bool bnode_has_data(const struct bnode *n)
{
	return cramfs_has_data(n->mode) && n->size;
}

/* Blocks of a file of `size` bytes. */
static inline uint32_t blocks_of(uint64_t size, uint32_t bs)
{
	return (uint32_t)((size + bs - 1) / bs);
}

/*
 * Names (names.c).  Why `len` bytes of `name` cannot be an entry's name
 * (empty, ".", "..", a NUL or a "/" in it), or NULL if they can.  Every
 * name from every input passes this before it goes into the tree.
 */
const char *build_name_bad(const char *name, size_t len);

enum {
	BUILD_PATH_DOT_PREFIX = 1,	/* drop leading "./" too (archives) */
	BUILD_PATH_ESCAPES = 2,		/* undo \ooo escapes (device tables) */
};
/*
 * An input's spelling of an image path made the tree's, in place: leading,
 * doubled and trailing "/" dropped (with BUILD_PATH_DOT_PREFIX a leading
 * "./" or "." too, as tar writes them), then each component through
 * build_name_bad.  "" is the root.  Returns NULL, or why the path is
 * refused (`path` is then partly rewritten: keep the original for messages).
 */
const char *build_path_clean(char *path, unsigned flags);

/* strcmp order of two `struct bnode *` (for qsort/bsearch). */
int bnode_name_cmp(const void *a, const void *b);
/* Append `n` to dir's kids (no order kept: the caller sorts). */
int bnode_add_kid(struct bnode *dir, struct bnode *n);
/* Put dir's kids in order if they are not, and drop its index. */
void bnode_sort_kids(struct bnode *dir);
/* The same for every directory from `dir` down. */
void bnode_sort_tree(struct bnode *dir);
/* Forget dir's index (after the kids array is changed in place). */
void bnode_index_drop(struct bnode *dir);
/*
 * The node at image path `rel` ("a/b/c"), created (with missing parent
 * directories 0755 root:root) if absent.  NULL: a parent is not a
 * directory (*err -ENOTDIR), a component build_name_bad refuses (*err
 * -EINVAL) or out of memory (*err -ENOMEM).
 */
struct bnode *bnode_at(struct cramfs_tree *t, const char *rel, int *err);
/* Make `n` an empty entry of no type, dropping content and children. */
void bnode_reset(struct bnode *n);
/* The node at image path `rel`, or NULL ("" is the root). */
struct bnode *bnode_find(struct cramfs_tree *t, const char *rel);

/* Free everything `n` owns (not `n` itself) and clear it. */
void bnode_release(struct bnode *n);
/* Number of entries below `dir`. */
uint64_t bnode_count(const struct bnode *dir);

/* Read `len` bytes of content at `off` (file via `fd`, or symlink text). */
int bnode_read(const struct bnode *n, int fd, void *buf, size_t len,
	       uint64_t off);
/* Open a regular file's content (-1 for symlinks); -errno on failure. */
int bnode_open(const struct bnode *n);

/* Pre-order visit of every entry below (not including) `dir`. */
typedef int (*bnode_visit_fn)(struct bnode *n, void *ctx);
int bnode_walk(struct bnode *dir, bnode_visit_fn fn, void *ctx);

/*
 * Decide, for every regular file, which blocks are stored in place
 * (xip_plan.c); page_size is the block size.  Legacy mode sets the sticky
 * bit on chosen files.  Returns 0 or -errno (unreadable file).
 */
int xip_plan_tree(struct cramfs_tree *t, const struct cramfs_xip_opts *o,
		  uint32_t page_size, struct cramfs_diag *diag);
/* Whether two entries may share data: both plain, or the same plan. */
bool xip_same_plan(const struct bnode *a, const struct bnode *b);
void xip_plan_free(struct xip_plan *p);

/* Find duplicates (dedup.c): sets `same` on later identical entries. */
int dedup_tree(struct cramfs_tree *t, enum cramfs_build_mode mode,
	       struct cramfs_diag *diag, uint64_t *saved);

/*
 * Apply the format's limits (limits.c); returns the number of warnings and
 * sets *collisions to the names that became equal once cut (errors).
 */
uint64_t limits_apply(struct cramfs_tree *t, struct cramfs_diag *diag,
		      uint64_t *collisions);

#endif /* CRAMFS_LIB_BUILD_INTERNAL_H */
