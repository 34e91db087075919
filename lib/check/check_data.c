// SPDX-License-Identifier: MIT
/* Checking one data item: its pointer table, every block, XIP facts. */
#include <errno.h>
#include <stdlib.h>

#include "check_internal.h"

static void count_block(struct check_state *cs, const struct cramfs_block *b)
{
	switch (b->kind) {
	case CRAMFS_BLOCK_HOLE:
		cs->st->hole_blocks++;
		break;
	case CRAMFS_BLOCK_RAW:
		cs->st->raw_blocks++;
		break;
	default:
		cs->st->zlib_blocks++;
	}
	if (b->direct)
		cs->st->direct_blocks++;
	/* What the kernel can map in place: raw, direct, page aligned. */
	if (b->direct && b->kind == CRAMFS_BLOCK_RAW &&
	    b->start % cs->info.block_size == 0)
		cs->st->xip_blocks++;
}

static void block_extent(struct check_state *cs, const struct cramfs_block *b,
			 uint64_t owner)
{
	if (b->kind == CRAMFS_BLOCK_HOLE)
		return;
	if (b->direct && b->kind == CRAMFS_BLOCK_ZLIB)
		extent_add(cs, b->start - 2, b->len + 2ull, EXT_DATA, owner);
	else
		extent_add(cs, b->start, b->len, EXT_DATA, owner);
}

/* Kernel quirks a file's layout runs into (format.md §7.3, §7.4). */
static void check_layout_quirks(struct check_state *cs,
				const struct cramfs_node *n, const char *path,
				const struct cramfs_block *last, bool flagged)
{
	if (flagged && !(cs->info.super.flags & CRAMFS_FLAG_EXT_BLOCK_POINTERS))
		diag_warn(cs->diag, n->entry_offset, path,
			  "block pointers carry flag bits but the superblock lacks EXT_BLOCK_POINTERS (0x800): kernels before 4.15 misread it, and no kernel maps it in place");
	if (last->direct && last->kind == CRAMFS_BLOCK_RAW &&
	    n->inode.size % cs->info.block_size == 0)
		diag_warn(cs->diag, n->entry_offset, path,
			  "last block is direct+uncompressed and the size is a multiple of the block size: Linux read() returns zeros for that block (kernel bug, format §7.4)");
}

static void check_blocks(struct check_state *cs, struct cramfs_file *f,
			 const struct cramfs_node *n, const char *path)
{
	uint32_t nb = cramfs_file_block_count(f);
	uint8_t *buf = malloc(cs->info.block_size);
	struct cramfs_block b = { 0 };
	bool flagged = false;
	size_t len;

	if (!buf) {
		cs->oom = 1;
		return;
	}
	for (uint32_t i = 0; i < nb && !cramfs_file_block_info(f, i, &b); i++) {
		count_block(cs, &b);
		block_extent(cs, &b, n->entry_offset);
		flagged |= (b.ptr & CRAMFS_BLK_FLAGS) != 0;
		if (!(cs->flags & CRAMFS_CHECK_NO_DATA))
			cramfs_file_read_block(f, i, buf, &len);
	}
	free(buf);
	if (nb)
		check_layout_quirks(cs, n, path, &b, flagged);
}

bool check_data_item(struct check_state *cs, const struct cramfs_node *n,
		     const char *path)
{
	size_t errors = cramfs_diag_tally(cs->diag, CRAMFS_DIAG_ERROR);
	struct cramfs_file *f;
	struct cramfs_block b;
	uint32_t nb;

	if (cramfs_file_open_path(cs->img, n, path, cs->diag, &f))
		return false;
	nb = cramfs_file_block_count(f);
	cs->st->data_items++;
	cs->st->blocks += nb;
	if (cramfs_file_layout(f) == CRAMFS_LAYOUT_LEGACY_XIP) {
		cs->st->legacy_xip_files++;
		cramfs_file_block_info(f, 0, &b);
		extent_add(cs, b.start, n->inode.size, EXT_DATA, n->entry_offset);
		diag_info(cs->diag, n->entry_offset, path,
			  "legacy Linear XIP file (sticky bit, raw at 0x%llx, no pointer table): only old out-of-tree kernels read it",
			  (unsigned long long)b.start);
	} else {
		cs->blocks_counted += nb;
		extent_add(cs, cramfs_node_data_offset(n), 4ull * nb, EXT_TABLE,
			   n->entry_offset);
		check_blocks(cs, f, n, path);
	}
	if (cs->data_start > cramfs_node_data_offset(n))
		cs->data_start = cramfs_node_data_offset(n);
	cramfs_file_close(f);
	return cramfs_diag_tally(cs->diag, CRAMFS_DIAG_ERROR) == errors;
}
