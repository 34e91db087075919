// SPDX-License-Identifier: MIT
/*
 * The extent map: every byte range the tree claims (superblock, inserted
 * blob, directory lists, pointer tables, blocks).  Sorted once at the end;
 * any two ranges that overlap are corruption (deduplicated entries share a
 * data item but add its ranges only once), which also catches hostile
 * images that alias one block into several files.
 */
#include <errno.h>
#include <stdlib.h>

#include "check_internal.h"

static const char *const what_name[] = {
	[EXT_SUPER] = "superblock", [EXT_BLOB] = "inserted blob",
	[EXT_DIR] = "directory list", [EXT_TABLE] = "pointer table",
	[EXT_DATA] = "data block",
};

int extent_add(struct check_state *cs, uint64_t start, uint64_t len,
	       uint32_t what, uint64_t owner)
{
	if (!len)
		return 0;
	if (cs->next == cs->ext_cap) {
		size_t ncap = cs->ext_cap ? cs->ext_cap * 2 : 1024;
		struct extent *n = realloc(cs->ext, ncap * sizeof(*n));

		if (!n) {
			cs->oom = 1;
			return -ENOMEM;
		}
		cs->ext = n;
		cs->ext_cap = ncap;
	}
	cs->ext[cs->next++] = (struct extent){ start, start + len, owner, what };
	return 0;
}

static int extent_cmp(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

void extents_check(struct check_state *cs)
{
	const struct extent *far = NULL;	/* the one reaching furthest */
	unsigned reported = 0;

	if (cs->next)
		qsort(cs->ext, cs->next, sizeof(*cs->ext), extent_cmp);
	for (size_t i = 0; i < cs->next; i++) {
		const struct extent *e = &cs->ext[i];

		if (far && e->start < far->end && reported++ < 100)
			diag_corrupt(cs->diag, e->start, NULL,
				     "%s at 0x%llx (entry at 0x%llx) overlaps %s [0x%llx, 0x%llx) (entry at 0x%llx)",
				     what_name[e->what],
				     (unsigned long long)e->start,
				     (unsigned long long)e->owner,
				     what_name[far->what],
				     (unsigned long long)far->start,
				     (unsigned long long)far->end,
				     (unsigned long long)far->owner);
		if (!far || e->end > far->end)
			far = e;
	}
}

static int items_grow(struct check_state *cs)
{
	size_t ncap = cs->items_cap ? cs->items_cap * 2 : 1024;
	struct data_item *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < cs->items_cap; i++) {
		size_t j;

		if (!cs->items[i].offset)
			continue;
		j = (cs->items[i].offset * 0x9E3779B97F4A7C15ull) >> 40;
		for (j &= ncap - 1; n[j].offset; j = (j + 1) & (ncap - 1))
			;
		n[j] = cs->items[i];
	}
	free(cs->items);
	cs->items = n;
	cs->items_cap = ncap;
	return 0;
}

struct data_item *item_lookup(struct check_state *cs,
			      const struct cramfs_node *n, bool *first)
{
	uint64_t off = cramfs_node_data_offset(n);
	size_t j;

	*first = false;
	if ((cs->items_used + 1) * 2 > cs->items_cap && items_grow(cs)) {
		cs->oom = 1;
		return NULL;
	}
	j = ((off * 0x9E3779B97F4A7C15ull) >> 40) & (cs->items_cap - 1);
	for (; cs->items[j].offset; j = (j + 1) & (cs->items_cap - 1)) {
		if (cs->items[j].offset == off)
			return &cs->items[j];
	}
	cs->items[j] = (struct data_item){ off, n->entry_offset, n->inode.mode,
					   n->inode.uid, n->inode.gid,
					   n->inode.size, false };
	cs->items_used++;
	*first = true;
	return &cs->items[j];
}
