// SPDX-License-Identifier: MIT
/*
 * The checker: superblock, tree, data, layout.  It reports every problem it
 * meets and keeps going wherever the rest of the image can be trusted; the
 * return value only says whether any error was found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "shared.h"

static void check_crc(struct check_state *cs)
{
	const struct cramfs_super *sb = &cs->info.super;
	uint32_t crc;

	if (cs->info.source_size < sb->size)
		return;	/* already reported as too short */
	if (cramfs_image_compute_crc(cs->img, &crc))
		return;
	cs->st->crc_computed = true;
	cs->st->crc = crc;
	if (crc != sb->crc)
		diag_corrupt(cs->diag, cs->info.start + 32, NULL,
			     "crc error: superblock says 0x%08x, data gives 0x%08x",
			     sb->crc, crc);
}

/* Detection that could not settle the block size: say what was assumed. */
static void check_block_size(struct check_state *cs)
{
	const struct cramfs_bs_evidence *ev = &cs->info.bs;
	uint32_t bs = cs->info.block_size;
	char fits[96];

	if (!cs->info.block_size_detected)
		return;
	if (ev->source == CRAMFS_BS_AMBIGUOUS) {
		cramfs_bs_list_fits(ev, fits, sizeof(fits));
		diag_warn(cs->diag, CRAMFS_NO_OFFSET, NULL,
			  "block size is ambiguous: %s fit every file; checked as %u",
			  fits, bs);
	} else if (ev->source == CRAMFS_BS_BEST_FIT) {
		diag_warn(cs->diag, CRAMFS_NO_OFFSET, NULL,
			  "no block size fits every file; checked as %u, which the most files fit",
			  bs);
	}
}

static void check_sizes(struct check_state *cs)
{
	const struct cramfs_super *sb = &cs->info.super;

	if (!sb->files)
		diag_corrupt(cs->diag, cs->info.start + 44, NULL,
			     "zero file count");
	if (cs->info.source_size < sb->size)
		diag_corrupt(cs->diag, cs->info.start + 4, NULL,
			     "file length too short: %llu bytes, superblock size is %u",
			     (unsigned long long)cs->info.source_size, sb->size);
	else if (cs->info.source_size > sb->size)
		diag_warn(cs->diag, cs->info.start + 4, NULL,
			  "file extends %llu bytes past the end of the filesystem (%u bytes)",
			  (unsigned long long)(cs->info.source_size - sb->size),
			  sb->size);
}

static void check_super_fields(struct check_state *cs)
{
	const struct cramfs_super *sb = &cs->info.super;
	uint64_t start = cs->info.start;

	if (!cs->info.version2) {
		diag_info(cs->diag, start + 8, NULL,
			  "old cramfs format (no FSID_VERSION_2): size, crc and counts are not recorded");
	} else {
		check_sizes(cs);
		check_crc(cs);
	}
	if (memcmp(sb->signature, CRAMFS_SIGNATURE, 16))
		diag_warn(cs->diag, start + 16, NULL,
			  "signature is not \"Compressed ROMFS\"");
	if (sb->future)
		diag_warn(cs->diag, start + 12, NULL,
			  "reserved field 'future' is 0x%x, not 0", sb->future);
	extent_add(cs, start, CRAMFS_SUPER_SIZE, EXT_SUPER, start + 64);
	if (sb->flags & CRAMFS_FLAG_SHIFTED_ROOT_OFFSET &&
	    sb->root.offset * 4ull > start + CRAMFS_SUPER_SIZE)
		extent_add(cs, start + CRAMFS_SUPER_SIZE,
			   sb->root.offset * 4ull - start - CRAMFS_SUPER_SIZE,
			   EXT_BLOB, start + 64);
}

static void check_symlink(struct check_state *cs, const struct cramfs_node *n,
			  const char *path)
{
	char target[CRAMFS_MAX_BLOCK_SIZE + 1];
	long len;

	if (n->inode.size >= cs->info.block_size) {
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "symlink target of %u bytes: must be shorter than a block",
			     n->inode.size);
		return;
	}
	/* The blocks were checked already; only a NUL can still be wrong. */
	len = cramfs_readlink(cs->img, n, NULL, target, sizeof(target));
	if (len < 0)
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "symlink target unreadable or containing a NUL byte");
	else if (symlink_escapes(path, target))
		diag_warn(cs->diag, n->entry_offset, path,
			  "symlink target \"%s\" climbs above the image root",
			  target);
}

/* Dedup aliasing (format.md §4.6): sharing data means one kernel inode. */
static void check_shared(struct check_state *cs, const struct cramfs_node *n,
			 const char *path, const struct data_item *first)
{
	cs->st->shared_items++;
	if (first->mode == n->inode.mode && first->uid == n->inode.uid &&
	    first->gid == n->inode.gid && first->size == n->inode.size)
		return;
	diag_warn(cs->diag, n->entry_offset, path,
		  "shares data at 0x%llx with the entry at 0x%llx but differs in type, mode, owner or size: Linux shows both as whichever it looks up first",
		  (unsigned long long)first->offset,
		  (unsigned long long)first->entry_offset);
}

static void check_data_entry(struct check_state *cs,
			     const struct cramfs_node *n, const char *path)
{
	struct data_item *item;
	bool first;

	if (!n->inode.offset) {
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "%u bytes of data but offset 0", n->inode.size);
		return;
	}
	item = item_lookup(cs, n, &first);
	if (!item)
		return;
	if (!first)
		check_shared(cs, n, path, item);
	else
		item->bad = !check_data_item(cs, n, path);
	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK) && !item->bad &&
	    !(cs->flags & CRAMFS_CHECK_NO_DATA))
		check_symlink(cs, n, path);
}

static void check_device(struct check_state *cs, const struct cramfs_node *n,
			 const char *path)
{
	unsigned maj, min, kmaj, kmin;

	cramfs_rdev_split(n->inode.size, &maj, &min);
	cramfs_rdev_split_kernel(n->inode.size, &kmaj, &kmin);
	if (maj != kmaj || min != kmin)
		diag_warn(cs->diag, n->entry_offset, path,
			  "device %u:%u: Linux decodes it as %u:%u (only 8-bit major and minor survive)",
			  maj, min, kmaj, kmin);
}

static void check_dir_entry(struct check_state *cs,
			    const struct cramfs_node *n, const char *path)
{
	uint64_t off = cramfs_node_data_offset(n);

	if (!n->inode.size)
		return;
	if (!off) {
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "directory of %u bytes at offset 0", n->inode.size);
		return;
	}
	extent_add(cs, off, n->inode.size, EXT_DIR, n->entry_offset);
	if (off + n->inode.size > cs->dir_end)
		cs->dir_end = off + n->inode.size;
}

static void check_special(struct check_state *cs, const struct cramfs_node *n,
			  const char *path)
{
	bool is_dev = cramfs_is_type(n->inode.mode, CRAMFS_S_IFCHR) ||
		      cramfs_is_type(n->inode.mode, CRAMFS_S_IFBLK);

	if (n->inode.offset)
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "special file has non-zero offset 0x%llx",
			     (unsigned long long)cramfs_node_data_offset(n));
	if (is_dev)
		check_device(cs, n, path);
	else if (n->inode.size)
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "fifo or socket with non-zero size %u", n->inode.size);
}

static void check_node(struct check_state *cs, const struct cramfs_node *n,
		       const char *path)
{
	tree_stats_count(cs->st, n);
	switch (n->inode.mode & CRAMFS_S_IFMT) {
	case CRAMFS_S_IFDIR:
		check_dir_entry(cs, n, path);
		break;
	case CRAMFS_S_IFREG:
		if (n->inode.size)
			check_data_entry(cs, n, path);
		else if (n->inode.offset)
			diag_corrupt(cs->diag, n->entry_offset, path,
				     "empty file with data offset 0x%llx",
				     (unsigned long long)cramfs_node_data_offset(n));
		break;
	case CRAMFS_S_IFLNK:
		if (n->inode.size)
			check_data_entry(cs, n, path);
		else
			diag_corrupt(cs->diag, n->entry_offset, path,
				     "symlink with an empty target");
		break;
	case CRAMFS_S_IFCHR:
	case CRAMFS_S_IFBLK:
	case CRAMFS_S_IFIFO:
	case CRAMFS_S_IFSOCK:
		check_special(cs, n, path);
		break;
	default:
		diag_corrupt(cs->diag, n->entry_offset, path,
			     "bogus mode 0%o", n->inode.mode);
	}
}

static int check_tree(struct check_state *cs)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	int ret;

	ret = cramfs_walk_open(cs->img, NULL, CRAMFS_WALK_CONTINUE, cs->diag,
			       &w);
	if (ret)
		return ret;
	while ((ret = cramfs_walk_next(w, &e)) == 1 && !cs->oom) {
		if (e.depth)
			cs->st->entries++;
		check_node(cs, &e.node, e.depth ? e.path : "/");
	}
	cramfs_walk_close(w);
	return cs->oom ? -ENOMEM : ret;
}

/* Counts in the superblock, and the layout util-linux insists on. */
static void check_totals(struct check_state *cs)
{
	const struct cramfs_super *sb = &cs->info.super;

	if (cs->info.version2 && sb->files != cs->st->entries + 1)
		diag_corrupt(cs->diag, cs->info.start + 44, NULL,
			     "superblock file count %u, but the tree has %llu entries + root",
			     sb->files, (unsigned long long)cs->st->entries);
	if (cs->info.version2 && sb->blocks != cs->blocks_counted)
		diag_warn(cs->diag, cs->info.start + 40, NULL,
			  "superblock block count %u, but the files have %llu blocks",
			  sb->blocks, (unsigned long long)cs->blocks_counted);
	if (cs->dir_end && cs->data_start != UINT64_MAX &&
	    cs->dir_end != cs->data_start)
		diag_warn(cs->diag, cs->dir_end, NULL,
			  "directory data ends at 0x%llx but file data starts at 0x%llx: util-linux fsck.cramfs rejects that",
			  (unsigned long long)cs->dir_end,
			  (unsigned long long)cs->data_start);
}

int cramfs_check(struct cramfs_image *img, unsigned flags,
		 struct cramfs_diag *diag, struct cramfs_tree_stats *stats)
{
	struct cramfs_tree_stats local;
	struct cramfs_diag *own = NULL;
	struct check_state cs = { .img = img, .flags = flags, .diag = diag };
	size_t errors_before;
	int ret;

	if (!diag && cramfs_diag_new(1, &own))
		return -ENOMEM;
	if (!diag)
		cs.diag = own;
	cs.st = stats ? stats : &local;
	memset(cs.st, 0, sizeof(*cs.st));
	cs.data_start = UINT64_MAX;
	errors_before = cramfs_diag_tally(cs.diag, CRAMFS_DIAG_ERROR);
	cramfs_image_get_info(img, &cs.info);
	check_block_size(&cs);
	check_super_fields(&cs);
	ret = check_tree(&cs);
	if (!ret) {
		check_totals(&cs);
		extents_check(&cs);
	}
	if (!ret && cramfs_diag_tally(cs.diag, CRAMFS_DIAG_ERROR) > errors_before)
		ret = -EUCLEAN;
	free(cs.ext);
	free(cs.items);
	cramfs_diag_free(own);
	return ret;
}
