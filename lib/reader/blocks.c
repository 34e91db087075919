// SPDX-License-Identifier: MIT
/*
 * Block pointer decoding (format.md §6.3, §7.2), the same way the kernel's
 * cramfs_read_folio() does it:
 *
 * - A classic pointer holds the absolute END of its block; the block starts
 *   where the previous one ended (block 0: right after the pointer table).
 * - With DIRECT_PTR the pointer holds START / 4 instead.  A compressed
 *   direct block begins with a u16 length (image byte order); an
 *   uncompressed one is a whole block (the last: the file's remainder).
 * - A non-direct block that follows a direct one starts right after that
 *   block's bytes, which is why the previous pointer's flags matter here.
 *
 * The flag bits are decoded whatever the superblock says, as the kernel's
 * read path does; the checker reports pointers whose flags lack 0x800.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define PTR_VALUE(p) ((p) & ~CRAMFS_BLK_FLAGS)

struct decode_ctx {
	struct cramfs_image *img;
	const struct block_table *t;
	struct cramfs_diag *diag;
	const char *path;
};

static int block_bad(const struct decode_ctx *c, uint32_t idx, const char *why,
		     uint64_t at)
{
	return diag_corrupt(c->diag, at, c->path,
			    "block %u of %u (pointer 0x%08x at 0x%llx): %s",
			    idx, c->t->nblocks, c->t->ptrs[idx],
			    (unsigned long long)(c->t->table_off + 4ull * idx), why);
}

static int read_prefix(const struct decode_ctx *c, uint64_t at, uint16_t *len)
{
	uint8_t raw[2];
	int ret = image_read(c->img, raw, 2, at);

	if (!ret)
		*len = cramfs_get16(raw, c->img->endian);
	return ret;
}

/* Where a non-direct block i begins: after the previous block's bytes. */
static int chained_start(const struct decode_ctx *c, uint32_t idx,
			 uint64_t *start)
{
	uint32_t prev;
	uint16_t plen;

	if (idx == 0) {
		*start = c->t->table_off + 4ull * c->t->nblocks;
		return 0;
	}
	prev = c->t->ptrs[idx - 1];
	if (!(prev & CRAMFS_BLK_FLAG_DIRECT_PTR)) {
		*start = PTR_VALUE(prev);
		return 0;
	}
	*start = (uint64_t)PTR_VALUE(prev) << CRAMFS_BLK_DIRECT_PTR_SHIFT;
	if (prev & CRAMFS_BLK_FLAG_UNCOMPRESSED) {
		*start += c->t->bsize;
		return 0;
	}
	if (read_prefix(c, *start, &plen))
		return block_bad(c, idx - 1, "length prefix outside the image",
				 *start);
	*start += 2u + plen;
	return 0;
}

static uint32_t block_out_len(const struct block_table *t, uint32_t idx)
{
	if (idx + 1 < t->nblocks)
		return t->bsize;
	return t->size - (t->nblocks - 1) * t->bsize;
}

static int locate_direct(const struct decode_ctx *c, uint32_t idx,
			 struct cramfs_block *b)
{
	uint16_t plen;

	b->start = (uint64_t)PTR_VALUE(b->ptr) << CRAMFS_BLK_DIRECT_PTR_SHIFT;
	if (b->kind == CRAMFS_BLOCK_RAW) {
		b->len = b->out_len;
		return 0;
	}
	if (read_prefix(c, b->start, &plen))
		return block_bad(c, idx, "length prefix outside the image",
				 b->start);
	b->start += 2;
	b->len = plen;
	return 0;
}

static int locate_block(const struct decode_ctx *c, uint32_t idx,
			struct cramfs_block *b)
{
	uint64_t start, end;
	int ret;

	memset(b, 0, sizeof(*b));
	b->ptr = c->t->ptrs[idx];
	b->out_len = block_out_len(c->t, idx);
	b->direct = b->ptr & CRAMFS_BLK_FLAG_DIRECT_PTR;
	b->kind = b->ptr & CRAMFS_BLK_FLAG_UNCOMPRESSED ? CRAMFS_BLOCK_RAW :
							   CRAMFS_BLOCK_ZLIB;
	if (b->direct)
		return locate_direct(c, idx, b);
	ret = chained_start(c, idx, &start);
	if (ret)
		return ret;
	end = PTR_VALUE(b->ptr);
	if (end < start)
		return block_bad(c, idx, "block ends before it starts", end);
	b->start = start;
	b->len = (uint32_t)(end - start);
	return 0;
}

/* Length and range rules of Linux and util-linux (format.md §6.3, §7.3). */
static int check_block(const struct decode_ctx *c, uint32_t idx,
		       struct cramfs_block *b)
{
	uint32_t bs = c->t->bsize;

	if (!b->len) {
		b->kind = CRAMFS_BLOCK_HOLE;
		return 0;
	}
	if (!range_ok(b->start, b->len, c->img->image_size))
		return block_bad(c, idx, "data past the end of the image",
				 b->start);
	if (b->kind == CRAMFS_BLOCK_ZLIB && b->len > 2 * bs)
		return block_bad(c, idx, "compressed block longer than twice the block size",
				 b->start);
	if (b->kind == CRAMFS_BLOCK_RAW && b->len != b->out_len)
		return block_bad(c, idx, "uncompressed block length differs from the file's",
				 b->start);
	return 0;
}

int blocks_decode(struct cramfs_image *img, const struct block_table *t,
		  struct cramfs_block *out, struct cramfs_diag *diag,
		  const char *path)
{
	struct decode_ctx c = { img, t, diag, path };

	for (uint32_t i = 0; i < t->nblocks; i++) {
		int ret = locate_block(&c, i, &out[i]);

		if (!ret)
			ret = check_block(&c, i, &out[i]);
		if (ret)
			return ret;
	}
	return 0;
}
