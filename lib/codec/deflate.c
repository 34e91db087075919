// SPDX-License-Identifier: MIT
/*
 * Block compression.  util-linux's mkfs.cramfs calls zlib's compress()
 * (level 6) per block; byte-identical images need exactly that deflater, so
 * the compat kind uses zlib with a stream that is reset, not re-created,
 * per block (same output, no allocation per block).  The native kind uses
 * libdeflate (levels 1-12), whose streams every zlib inflater reads.
 */
#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <zlib.h>

#include "codec.h"

struct deflater {
	enum deflater_kind kind;
	z_stream zs;				/* DEFLATER_ZLIB6 */
	struct libdeflate_compressor *ld;	/* DEFLATER_LIBDEFLATE12 */
};

int deflater_new(enum deflater_kind kind, int level, struct deflater **out)
{
	struct deflater *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->kind = kind;
	if (kind == DEFLATER_ZLIB6) {
		if (deflateInit(&d->zs, 6) != Z_OK) {
			free(d);
			return -ENOMEM;
		}
	} else {
		d->ld = libdeflate_alloc_compressor(level);
		if (!d->ld) {
			free(d);
			return -ENOMEM;
		}
	}
	*out = d;
	return 0;
}

void deflater_free(struct deflater *d)
{
	if (!d)
		return;
	if (d->kind == DEFLATER_ZLIB6)
		deflateEnd(&d->zs);
	else
		libdeflate_free_compressor(d->ld);
	free(d);
}

size_t deflater_bound(size_t len)
{
	size_t a = compressBound((uLong)len);
	size_t b = libdeflate_zlib_compress_bound(NULL, len);

	return a > b ? a : b;
}

static size_t run_zlib(struct deflater *d, const void *in, size_t len,
		       void *out, size_t cap)
{
	z_stream *zs = &d->zs;

	if (deflateReset(zs) != Z_OK)
		return 0;
	zs->next_in = (Bytef *)in;
	zs->avail_in = (uInt)len;
	zs->next_out = out;
	zs->avail_out = (uInt)cap;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return 0;
	return cap - zs->avail_out;
}

size_t deflater_run(struct deflater *d, const void *in, size_t len, void *out,
		    size_t cap)
{
	if (d->kind == DEFLATER_ZLIB6)
		return run_zlib(d, in, len, out, cap);
	return libdeflate_zlib_compress(d->ld, in, len, out, cap);
}
