/* SPDX-License-Identifier: MIT */
/* Reader internals shared by the reader's own files (and its unit tests). */
#ifndef CRAMFS_LIB_READER_INTERNAL_H
#define CRAMFS_LIB_READER_INTERNAL_H

#include "cramfs/reader.h"
#include "util/util.h"

struct cramfs_source {
	uint64_t size;
	int fd;			/* -1 for memory sources */
	const uint8_t *mem;	/* NULL for file sources */
};

struct cramfs_image {
	struct cramfs_source *src;	/* borrowed */
	struct cramfs_super super;
	enum cramfs_endian endian;
	uint32_t start;			/* 0 or 512 */
	uint32_t block_size;
	bool block_size_detected;
	struct cramfs_bs_evidence bs;	/* how detection settled it */
	uint64_t image_size;		/* readable bytes: min(super.size, source) */
};

/* Read `len` bytes at `off`, which must lie inside the image proper. */
int image_read(struct cramfs_image *img, void *buf, size_t len, uint64_t off);

/* Name the directory in messages (the iterator only knows its own name). */
void dir_set_path(struct cramfs_dir *dir, const char *path);

/*
 * Block size detection (blocksize.c): weighs every candidate size against
 * the whole image, fills *ev and returns the size to use.  Never fails.
 */
uint32_t blocksize_detect(struct cramfs_image *img,
			  struct cramfs_bs_evidence *ev);

/*
 * Decode the pointer table `ptrs` (host order) of a file of `size` bytes
 * whose table starts at `table_off`, with block size `bsize`, into `out`
 * (one per block).  Reports the first bad block into diag and returns
 * -EUCLEAN (out[] is then only valid up to that block).
 */
struct block_table {
	const uint32_t *ptrs;
	uint32_t nblocks;
	uint64_t table_off;
	uint32_t size;
	uint32_t bsize;
};
int blocks_decode(struct cramfs_image *img, const struct block_table *t,
		  struct cramfs_block *out, struct cramfs_diag *diag,
		  const char *path);

/* Number of blocks of a file of `size` bytes. */
static inline uint32_t blocks_for(uint32_t size, uint32_t bsize)
{
	return (uint32_t)(((uint64_t)size + bsize - 1) / bsize);
}

#endif /* CRAMFS_LIB_READER_INTERNAL_H */
