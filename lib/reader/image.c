// SPDX-License-Identifier: MIT
/*
 * Opening an image: find and decode the superblock, apply the checks a
 * Linux kernel applies at mount (format.md §3.4), settle the block size.
 * Everything else (CRC, counts, the tree) is the checker's business, so
 * that a damaged image can still be opened, listed and salvaged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int image_read(struct cramfs_image *img, void *buf, size_t len, uint64_t off)
{
	if (!range_ok(off, len, img->image_size))
		return -EUCLEAN;
	return cramfs_source_read(img->src, buf, len, off);
}

static int read_super(struct cramfs_image *img, struct cramfs_diag *diag)
{
	uint8_t head[CRAMFS_PAD_SIZE + CRAMFS_SUPER_SIZE];
	uint64_t have = cramfs_source_size(img->src);
	size_t len = have < sizeof(head) ? (size_t)have : sizeof(head);
	int ret;

	if (have < CRAMFS_SUPER_SIZE)
		return diag_corrupt(diag, 0, NULL,
				    "file too short for a cramfs image (%llu bytes)",
				    (unsigned long long)have);
	ret = cramfs_source_read(img->src, head, len, 0);
	if (ret)
		return ret;
	if (cramfs_super_locate(head, len, &img->start, &img->endian))
		return diag_corrupt(diag, 0, NULL,
				    "no cramfs superblock (magic not found at offset 0 or 512)");
	if (img->start + CRAMFS_SUPER_SIZE > len)
		return diag_corrupt(diag, img->start, NULL,
				    "superblock cut off: file is %llu bytes",
				    (unsigned long long)have);
	cramfs_super_decode(head + img->start, img->endian, &img->super);
	return 0;
}

/* The root inode checks of cramfs_read_super() in fs/cramfs/inode.c. */
static int check_root(struct cramfs_image *img, struct cramfs_diag *diag)
{
	const struct cramfs_inode *root = &img->super.root;
	uint32_t root_off = root->offset * 4;

	if (!cramfs_is_type(root->mode, CRAMFS_S_IFDIR))
		return diag_corrupt(diag, img->start + 64, "/",
				    "root inode is not a directory (mode 0%o)",
				    root->mode);
	if (root_off == 0 || (img->super.flags & CRAMFS_FLAG_SHIFTED_ROOT_OFFSET))
		return 0;
	if (root_off != CRAMFS_SUPER_SIZE &&
	    root_off != CRAMFS_PAD_SIZE + CRAMFS_SUPER_SIZE)
		return diag_corrupt(diag, img->start + 64, "/",
				    "bad root offset %u (expected %u or %u)",
				    root_off, CRAMFS_SUPER_SIZE,
				    CRAMFS_PAD_SIZE + CRAMFS_SUPER_SIZE);
	return 0;
}

static int check_super(struct cramfs_image *img, struct cramfs_diag *diag)
{
	const struct cramfs_super *sb = &img->super;
	uint64_t have = cramfs_source_size(img->src);

	if (sb->flags & ~CRAMFS_SUPPORTED_FLAGS)
		return diag_add(diag, CRAMFS_DIAG_ERROR, -EOPNOTSUPP,
				img->start + 8, NULL,
				"unsupported filesystem features (flags 0x%x; Linux knows 0x%x)",
				sb->flags, CRAMFS_SUPPORTED_FLAGS);
	img->image_size = have;
	if (sb->flags & CRAMFS_FLAG_FSID_VERSION_2) {
		if (sb->size < img->start + CRAMFS_SUPER_SIZE)
			return diag_corrupt(diag, img->start + 4, NULL,
					    "superblock size %u too small",
					    sb->size);
		if (sb->size < have)
			img->image_size = sb->size;
	}
	return check_root(img, diag);
}

static int valid_block_size(uint32_t b)
{
	return b >= CRAMFS_MIN_BLOCK_SIZE && b <= CRAMFS_MAX_BLOCK_SIZE &&
	       !(b & (b - 1));
}

int cramfs_image_open(struct cramfs_source *src,
		      const struct cramfs_open_opts *opts,
		      struct cramfs_diag *diag, struct cramfs_image **out)
{
	struct cramfs_image *img;
	uint32_t bs = opts ? opts->block_size : 0;
	int ret;

	if (bs && !valid_block_size(bs))
		return -EINVAL;
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->src = src;
	ret = read_super(img, diag);
	if (!ret)
		ret = check_super(img, diag);
	if (ret) {
		free(img);
		return ret;
	}
	img->block_size = bs;
	if (!bs) {
		img->block_size = blocksize_detect(img, &img->bs);
		img->block_size_detected = true;
	}
	*out = img;
	return 0;
}

void cramfs_image_close(struct cramfs_image *img)
{
	free(img);
}

void cramfs_image_get_info(const struct cramfs_image *img,
			   struct cramfs_image_info *out)
{
	memset(out, 0, sizeof(*out));
	out->super = img->super;
	out->endian = img->endian;
	out->start = img->start;
	out->block_size = img->block_size;
	out->block_size_detected = img->block_size_detected;
	out->bs = img->bs;
	out->source_size = cramfs_source_size(img->src);
	out->image_size = img->image_size;
	out->version2 = img->super.flags & CRAMFS_FLAG_FSID_VERSION_2;
}

int cramfs_image_compute_crc(struct cramfs_image *img, uint32_t *crc)
{
	uint8_t buf[65536];
	uint64_t off = img->start, end = img->super.size;
	uint32_t c = 0;

	if (end > cramfs_source_size(img->src) || end < off + CRAMFS_SUPER_SIZE)
		return -EUCLEAN;
	while (off < end) {
		size_t n = end - off < sizeof(buf) ? (size_t)(end - off) : sizeof(buf);
		int ret = cramfs_source_read(img->src, buf, n, off);

		if (ret)
			return ret;
		/* The CRC field itself counts as zero (format.md §3.3). */
		if (off == img->start)
			memset(buf + 32, 0, 4);
		c = cramfs_crc32(c, buf, n);
		off += n;
	}
	*crc = c;
	return 0;
}

struct cramfs_source *cramfs_image_source(const struct cramfs_image *img)
{
	return img->src;
}

void cramfs_image_root(const struct cramfs_image *img, struct cramfs_node *out)
{
	memset(out, 0, sizeof(*out));
	out->inode = img->super.root;
	out->entry_offset = img->start + 64;
}
