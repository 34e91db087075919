/* SPDX-License-Identifier: MIT */
/* Checker internals: the extent map and per-item data checks. */
#ifndef CRAMFS_LIB_CHECK_INTERNAL_H
#define CRAMFS_LIB_CHECK_INTERNAL_H

#include "cramfs/check.h"
#include "util/util.h"

/* One byte range of the image and who owns it, for overlap detection. */
struct extent {
	uint64_t start, end;	/* [start, end) */
	uint64_t owner;		/* entry offset of the owner (for messages) */
	uint32_t what;		/* EXT_* */
};

enum { EXT_SUPER, EXT_BLOB, EXT_DIR, EXT_TABLE, EXT_DATA };

/* A data item and the metadata of the first entry that used it. */
struct data_item {
	uint64_t offset;	/* data offset, the dedup key */
	uint64_t entry_offset;
	uint32_t mode, uid, gid, size;
	bool bad;		/* its data failed to decode */
};

struct check_state {
	struct cramfs_image *img;
	struct cramfs_image_info info;
	struct cramfs_diag *diag;
	unsigned flags;
	struct cramfs_tree_stats *st;
	struct extent *ext;
	size_t next, ext_cap;
	struct data_item *items;	/* open-addressing map by offset */
	size_t items_cap, items_used;
	uint64_t dir_end, data_start;	/* for util-linux's layout rule */
	uint64_t blocks_counted;
	int oom;
};

int extent_add(struct check_state *cs, uint64_t start, uint64_t len,
	       uint32_t what, uint64_t owner);
void extents_check(struct check_state *cs);

/*
 * The record of the data item at n's offset; added from `n` (and *first
 * set) when this is its first user.  NULL only when out of memory.
 */
struct data_item *item_lookup(struct check_state *cs,
			      const struct cramfs_node *n, bool *first);

/* Check one distinct data item (pointer table, every block); true if good. */
bool check_data_item(struct check_state *cs, const struct cramfs_node *n,
		     const char *path);

#endif /* CRAMFS_LIB_CHECK_INTERNAL_H */
