// SPDX-License-Identifier: MIT
/*
 * Directory lists and the superblock.  Lists are placed as util-linux does
 * (format.md §5.4): the root's first, then every non-empty directory's in
 * depth-first pre-order of the sorted tree.  Their positions are known
 * before any data is compressed; their contents (which hold data offsets)
 * are written after the data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write.h"

static uint32_t list_size(const struct bnode *dir)
{
	uint32_t size = 0;

	for (uint32_t i = 0; i < dir->nkids; i++)
		size += CRAMFS_INODE_SIZE + cramfs_name_padded(dir->kids[i]->name_len);
	return size;
}

static void place_lists(struct writer *w, struct bnode *dir, uint64_t *pos)
{
	for (uint32_t i = 0; i < dir->nkids; i++) {
		struct bnode *k = dir->kids[i];

		if (!bnode_is_dir(k))
			continue;
		k->size = list_size(k);
		k->offset = k->size ? (uint32_t)*pos : 0;
		*pos += k->size;
		place_lists(w, k, pos);
	}
}

void layout_dirs(struct writer *w)
{
	uint64_t pos = w->header_end;
	struct bnode *root = &w->t->root;

	root->size = list_size(root);
	/* util-linux points an empty root at its would-be list, too. */
	root->offset = (uint32_t)pos;
	pos += root->size;
	place_lists(w, root, &pos);
	w->data_start = pos;
}

static void encode_inode(const struct writer *w, const struct bnode *n,
			 uint8_t *raw)
{
	struct cramfs_inode in = {
		.mode = n->mode, .uid = n->uid & 0xFFFF, .size = n->size,
		.gid = n->gid & 0xFF,
		.namelen = cramfs_name_padded(n->name_len) / 4,
		.offset = n->offset / 4,
	};

	cramfs_inode_encode(&in, w->e, raw);
}

static int write_list(struct writer *w, const struct bnode *dir)
{
	uint8_t *buf = calloc(1, dir->size);
	size_t at = 0;
	int ret;

	if (!buf)
		return -ENOMEM;
	for (uint32_t i = 0; i < dir->nkids; i++) {
		const struct bnode *k = dir->kids[i];

		encode_inode(w, k, buf + at);
		memcpy(buf + at + CRAMFS_INODE_SIZE, k->name, k->name_len);
		at += CRAMFS_INODE_SIZE + cramfs_name_padded(k->name_len);
	}
	ret = writer_put(w, buf, dir->size, dir->offset);
	free(buf);
	return ret;
}

static int write_lists(struct writer *w, const struct bnode *dir)
{
	int ret = dir->size ? write_list(w, dir) : 0;

	for (uint32_t i = 0; !ret && i < dir->nkids; i++) {
		if (bnode_is_dir(dir->kids[i]))
			ret = write_lists(w, dir->kids[i]);
	}
	return ret;
}

int write_dirs(struct writer *w)
{
	return write_lists(w, &w->t->root);
}

static uint32_t super_flags(const struct writer *w)
{
	uint32_t f = CRAMFS_FLAG_FSID_VERSION_2 | CRAMFS_FLAG_SORTED_DIRS;

	/* util-linux sets HOLES for -z whether or not a hole was written. */
	if (w->o->mode == CRAMFS_BUILD_UTIL_LINUX ? w->o->holes : w->holes_written)
		f |= CRAMFS_FLAG_HOLES;
	if (w->header_end != w->start + CRAMFS_SUPER_SIZE)
		f |= CRAMFS_FLAG_SHIFTED_ROOT_OFFSET;
	if (w->raw_written)
		f |= CRAMFS_FLAG_EXT_BLOCK_POINTERS;
	return f;
}

/* CRC over [start, total) with the CRC field still zero (format.md §3.3). */
static int image_crc(struct writer *w, uint64_t total, uint32_t *crc)
{
	uint8_t *buf = malloc(1 << 20);
	uint32_t c = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t off = w->start; off < total;) {
		size_t len = total - off < (1 << 20) ? total - off : (1 << 20);
		ssize_t r = pread(w->fd, buf, len, (off_t)off);

		if (r <= 0) {
			free(buf);
			return writer_fail(w, r < 0 ? -errno : -EIO, "read back");
		}
		c = cramfs_crc32(c, buf, (size_t)r);
		off += (uint64_t)r;
	}
	free(buf);
	*crc = c;
	return 0;
}

int write_super(struct writer *w, uint64_t total)
{
	const char *label = w->o->label ? w->o->label : "Compressed";
	struct cramfs_super sb = { 0 };
	uint8_t raw[CRAMFS_SUPER_SIZE], crc_raw[4];
	struct bnode *root = &w->t->root;
	int ret;

	sb.magic = CRAMFS_MAGIC;
	sb.size = (uint32_t)total;
	sb.flags = super_flags(w);
	memcpy(sb.signature, CRAMFS_SIGNATURE, 16);
	sb.edition = w->o->edition;
	sb.blocks = (uint32_t)w->blocks;
	sb.files = (uint32_t)(bnode_count(root) + 1);
	strncpy((char *)sb.name, label, sizeof(sb.name));
	sb.root = (struct cramfs_inode){ .mode = root->mode, .uid = root->uid & 0xFFFF,
		.gid = root->gid & 0xFF, .size = root->size,
		.offset = root->offset / 4 };
	cramfs_super_encode(&sb, w->e, raw);
	ret = writer_put(w, raw, sizeof(raw), w->start);
	if (!ret)
		ret = image_crc(w, total, &sb.crc);
	cramfs_put32(crc_raw, sb.crc, w->e);
	if (!ret)
		ret = writer_put(w, crc_raw, 4, w->start + 32);
	w->crc = sb.crc;
	return ret;
}
