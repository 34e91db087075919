/* SPDX-License-Identifier: MIT */
/* The image writer's shared state (write.c, write_data.c, write_meta.c). */
#ifndef CRAMFS_LIB_BUILD_WRITE_H
#define CRAMFS_LIB_BUILD_WRITE_H

#include <pthread.h>

#include "codec/codec.h"
#include "internal.h"

struct job;

struct writer {
	struct cramfs_tree *t;
	const struct cramfs_build_opts *o;
	struct cramfs_diag *diag;
	enum cramfs_endian e;
	enum deflater_kind kind;
	int level;			/* libdeflate's, native mode */
	uint32_t bs;
	uint32_t start;			/* superblock offset: 0 or 512 */
	uint64_t header_end;		/* superblock + blob */
	uint64_t data_start;		/* end of the directory area */
	int fd;				/* the temporary output */
	uint64_t pos;			/* next data byte */
	uint64_t blocks;		/* fsid.blocks */
	uint64_t bytes_in;
	uint64_t total_in;		/* data bytes to compress (progress) */
	uint64_t done_in;		/* of those, committed so far */
	/*
	 * The first failed write or read-back of the output (-errno): it is
	 * reported once, and nothing more is written after it.
	 */
	int write_err;
	bool holes_written;
	bool raw_written;		/* some block pointer is flagged */
	uint32_t crc;			/* set by write_super() */
	bool raw_blocks;		/* opts->raw_blocks, or implied by XIP */
	struct tpool *pool;
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	/*
	 * Idle compressors, reused across jobs (a libdeflate compressor costs
	 * more to set up than a small file costs to compress); protected by
	 * lock.  At most one per thread ever exists.
	 */
	struct deflater **idle;
	unsigned nidle;
	struct job **ring;		/* in-flight jobs, oldest at head */
	unsigned ring_cap, head, count;
	uint64_t table_pos;		/* pointer table of the current file */
	/* XIP (write_xip.c) */
	uint32_t xip_align;		/* start of the region and of each file */
	uint64_t region_start, region_len;
	uint64_t legacy_len;		/* legacy files, page-rounded */
	uint64_t anchor_bytes;		/* u16 prefixes + their alignment */
	uint64_t align_fill;		/* zeros before in-place data */
	/*
	 * Where the kernel would start the current file's next non-direct
	 * block (format.md §7.2): an absolute offset, or, after an in-place
	 * block, the end of in-place block chain_k - 1 of this file.
	 */
	uint64_t chain;
	bool chain_in_region;
	uint32_t chain_k, xip_k;
	uint32_t ptrs[CRAMFS_MAXFILESIZE / CRAMFS_MIN_BLOCK_SIZE + 1];
};

/* Start a file's data: reserve its pointer table at w->pos (4-aligned). */
int data_file_begin(struct writer *w, struct bnode *n);

/* Write `len` bytes at `off` of the output; 0 or -errno. */
int writer_put(struct writer *w, const void *buf, size_t len, uint64_t off);
/*
 * Record that the output failed with `err` (what: "write", "read back"):
 * one diag error for the whole build, naming no source file.  Returns the
 * first error.
 */
int writer_fail(struct writer *w, int err, const char *what);

/* The data area, from w->data_start; sets every data offset.  0 or -errno. */
int write_data(struct writer *w);

/* XIP (write_xip.c). */
struct job;
/* Region-relative offsets of every planned file; sets w->region_len. */
void xip_assign_region(struct writer *w);
/* Commit a job of a file with a plan (blocks in place, or legacy). */
int xip_commit_job(struct writer *w, struct bnode *n, uint32_t first,
		   uint32_t count, const uint32_t *lens, const uint8_t *out);
/* After all other data: the in-place region, and the held tables. */
int xip_write_region(struct writer *w);
/* The report for the build result (NULL on -ENOMEM). */
struct cramfs_xip_report *xip_report(struct writer *w);

/* Directory lists and superblock (write_meta.c). */
void layout_dirs(struct writer *w);
int write_dirs(struct writer *w);
int write_super(struct writer *w, uint64_t total);

#endif /* CRAMFS_LIB_BUILD_WRITE_H */
