// SPDX-License-Identifier: MIT
/*
 * Reading file and symlink data.  Opening a file decodes and validates its
 * whole pointer table up front (at most 4096 entries), so reads only index
 * an array.  The last decoded block is cached for sequential small reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "internal.h"

struct cramfs_file {
	struct cramfs_image *img;
	enum cramfs_file_layout layout;
	uint32_t size, nblocks, bsize;
	uint64_t legacy_base;		/* LEGACY_XIP: first data byte */
	struct cramfs_block *blocks;	/* BLOCKS layout */
	struct inflater *inf;
	uint8_t *cbuf;			/* compressed input, 2 * bsize */
	uint8_t *bbuf;			/* cached decoded block */
	uint32_t cached;		/* index in bbuf, or UINT32_MAX */
	size_t cached_len;
	char *path;			/* for messages */
	struct cramfs_diag *diag;	/* borrowed from open */
};

static int load_table(struct cramfs_file *f, uint64_t off, uint32_t **ptrs)
{
	size_t bytes = (size_t)f->nblocks * 4;
	uint8_t *raw = malloc(bytes);
	uint32_t *p = malloc(f->nblocks * sizeof(*p));
	int ret = raw && p ? image_read(f->img, raw, bytes, off) : -ENOMEM;

	for (uint32_t i = 0; !ret && i < f->nblocks; i++)
		p[i] = cramfs_get32(raw + 4 * i, f->img->endian);
	free(raw);
	if (ret)
		free(p);
	else
		*ptrs = p;
	return ret;
}

/*
 * Legacy Linear XIP (format.md §9): a sticky-bit file stored whole and raw at
 * the next page boundary, with no pointer table.  Chosen only when the
 * table does not decode, so a normal file with the sticky bit is unaffected.
 */
static bool legacy_xip_fits(struct cramfs_file *f, const struct cramfs_node *n)
{
	uint64_t base = cramfs_node_data_offset(n);

	if (!cramfs_is_type(n->inode.mode, CRAMFS_S_IFREG) ||
	    !(n->inode.mode & CRAMFS_S_ISVTX))
		return false;
	base = (base + f->bsize - 1) & ~(uint64_t)(f->bsize - 1);
	if (!range_ok(base, f->size, f->img->image_size))
		return false;
	f->legacy_base = base;
	return true;
}

static int decode_table(struct cramfs_file *f, const struct cramfs_node *n,
			struct cramfs_diag *diag)
{
	uint64_t off = cramfs_node_data_offset(n);
	struct block_table t = { NULL, f->nblocks, off, f->size, f->bsize };
	uint32_t *ptrs = NULL;
	int ret;

	if (off < f->img->start + CRAMFS_SUPER_SIZE)
		ret = -EUCLEAN;
	else
		ret = load_table(f, off, &ptrs);
	f->blocks = calloc(f->nblocks, sizeof(*f->blocks));
	if (!f->blocks)
		ret = -ENOMEM;
	t.ptrs = ptrs;
	if (!ret) {
		/* A quiet first try: a legacy file would only add noise. */
		ret = blocks_decode(f->img, &t, f->blocks, NULL, f->path);
		if (ret == -EUCLEAN && legacy_xip_fits(f, n))
			f->layout = CRAMFS_LAYOUT_LEGACY_XIP;
		else if (ret == -EUCLEAN)
			blocks_decode(f->img, &t, f->blocks, diag, f->path);
	}
	if (f->layout == CRAMFS_LAYOUT_LEGACY_XIP)
		ret = 0;
	else if (ret == -EUCLEAN && !ptrs)
		diag_corrupt(diag, n->entry_offset, f->path,
			     "pointer table at 0x%llx (%u entries) outside the image",
			     (unsigned long long)off, f->nblocks);
	free(ptrs);
	return ret;
}

static int file_alloc(struct cramfs_image *img, const struct cramfs_node *n,
		      const char *path, struct cramfs_file **out)
{
	struct cramfs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->img = img;
	f->size = n->inode.size;
	f->bsize = img->block_size;
	f->nblocks = blocks_for(f->size, f->bsize);
	f->cached = UINT32_MAX;
	f->path = strdup(path ? path : n->name_len ? n->name : "/");
	f->cbuf = malloc(2 * (size_t)f->bsize);
	f->bbuf = malloc(f->bsize);
	if (!f->path || !f->cbuf || !f->bbuf || inflater_new(&f->inf)) {
		cramfs_file_close(f);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int cramfs_file_open(struct cramfs_image *img, const struct cramfs_node *n,
		     struct cramfs_diag *diag, struct cramfs_file **out)
{
	return cramfs_file_open_path(img, n, NULL, diag, out);
}

int cramfs_file_open_path(struct cramfs_image *img,
			  const struct cramfs_node *n, const char *path,
			  struct cramfs_diag *diag, struct cramfs_file **out)
{
	struct cramfs_file *f;
	int ret;

	if (!cramfs_has_data(n->inode.mode))
		return -EINVAL;
	ret = file_alloc(img, n, path, &f);
	if (ret)
		return ret;
	f->diag = diag;
	if (f->nblocks)
		ret = decode_table(f, n, diag);
	if (ret) {
		cramfs_file_close(f);
		return ret;
	}
	*out = f;
	return 0;
}

void cramfs_file_close(struct cramfs_file *f)
{
	if (!f)
		return;
	inflater_free(f->inf);
	free(f->blocks);
	free(f->cbuf);
	free(f->bbuf);
	free(f->path);
	free(f);
}

uint32_t cramfs_file_block_count(const struct cramfs_file *f)
{
	return f->nblocks;
}

enum cramfs_file_layout cramfs_file_layout(const struct cramfs_file *f)
{
	return f->layout;
}

int cramfs_file_block_info(struct cramfs_file *f, uint32_t idx,
			   struct cramfs_block *out)
{
	if (idx >= f->nblocks)
		return -EINVAL;
	if (f->layout == CRAMFS_LAYOUT_LEGACY_XIP) {
		memset(out, 0, sizeof(*out));
		out->kind = CRAMFS_BLOCK_RAW;
		out->direct = true;
		out->start = f->legacy_base + (uint64_t)idx * f->bsize;
		out->out_len = idx + 1 < f->nblocks ? f->bsize :
			       f->size - idx * f->bsize;
		out->len = out->out_len;
		return 0;
	}
	*out = f->blocks[idx];
	return 0;
}

static int inflate_block(struct cramfs_file *f, const struct cramfs_block *b,
			 void *buf, uint32_t idx)
{
	size_t got = 0;
	int ret = image_read(f->img, f->cbuf, b->len, b->start);

	if (ret)
		return ret;
	ret = inflater_run(f->inf, f->cbuf, b->len, buf, f->bsize, &got);
	if (ret)
		return diag_corrupt(f->diag, b->start, f->path,
				    "block %u: decompression error", idx);
	if (got != b->out_len)
		return diag_corrupt(f->diag, b->start, f->path,
				    "block %u: decompressed to %zu bytes, expected %u",
				    idx, got, b->out_len);
	return 0;
}

int cramfs_file_read_block(struct cramfs_file *f, uint32_t idx, void *buf,
			   size_t *out_len)
{
	struct cramfs_block b;
	int ret = cramfs_file_block_info(f, idx, &b);

	if (ret)
		return ret;
	*out_len = b.out_len;
	switch (b.kind) {
	case CRAMFS_BLOCK_HOLE:
		memset(buf, 0, b.out_len);
		return 0;
	case CRAMFS_BLOCK_RAW:
		return image_read(f->img, buf, b.len, b.start);
	default:
		return inflate_block(f, &b, buf, idx);
	}
}

long cramfs_file_pread(struct cramfs_file *f, void *buf, size_t len,
		       uint64_t off)
{
	size_t done = 0;

	while (done < len && off + done < f->size) {
		uint64_t pos = off + done;
		uint32_t idx = (uint32_t)(pos / f->bsize), in = pos % f->bsize;
		size_t n;
		int ret;

		if (f->cached != idx) {
			f->cached = UINT32_MAX;
			ret = cramfs_file_read_block(f, idx, f->bbuf,
						     &f->cached_len);
			if (ret)
				return ret;
			f->cached = idx;
		}
		n = f->cached_len - in;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)buf + done, f->bbuf + in, n);
		done += n;
	}
	return (long)done;
}

uint32_t cramfs_file_size(const struct cramfs_file *f)
{
	return f->size;
}
