/* SPDX-License-Identifier: MIT */
/*
 * Block codecs.  cramfs stores each compressed block as one complete zlib
 * stream (RFC 1950) holding at most one block of input; the kernel inflates
 * it with Z_FINISH into one page and ignores bytes after the stream end.
 */
#ifndef CRAMFS_LIB_CODEC_H
#define CRAMFS_LIB_CODEC_H

#include <stddef.h>

struct inflater;

/* Returns 0 or -ENOMEM.  One inflater per thread. */
int inflater_new(struct inflater **out);
void inflater_free(struct inflater *inf);

/*
 * Inflate the zlib stream at `in`.  The stream must end (with a valid
 * Adler-32) within `in_len` bytes and produce at most `cap` bytes.
 * Returns 0 with *out_len set, or -EUCLEAN.
 */
int inflater_run(struct inflater *inf, const void *in, size_t in_len,
		 void *out, size_t cap, size_t *out_len);


/* ---- compression ---- */

enum deflater_kind {
	DEFLATER_ZLIB6,		/* zlib's compress(): util-linux's exact bytes */
	DEFLATER_LIBDEFLATE,	/* faster and smaller, still a zlib stream */
};

struct deflater;

/* One per thread; `level` (1-12) is for libdeflate.  0 or -ENOMEM. */
int deflater_new(enum deflater_kind kind, int level, struct deflater **out);
void deflater_free(struct deflater *def);

/* Output space needed for `len` bytes of input, worst case. */
size_t deflater_bound(size_t len);

/*
 * Compress `len` bytes into one complete zlib stream at `out` (at least
 * deflater_bound(len) bytes).  Returns the stream length, or 0 on failure.
 */
size_t deflater_run(struct deflater *def, const void *in, size_t len,
		    void *out, size_t cap);

#endif /* CRAMFS_LIB_CODEC_H */
