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
#include <string.h>
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
	/* The native kind keeps zlib too, for very compressible blocks. */
	if (deflateInit(&d->zs, 6) != Z_OK) {
		free(d);
		return -ENOMEM;
	}
	if (kind != DEFLATER_ZLIB6) {
		d->ld = libdeflate_alloc_compressor(level);
		if (!d->ld) {
			deflateEnd(&d->zs);
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
	deflateEnd(&d->zs);
	if (d->ld)
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

/* Bytes of a zlib stream made of stored (uncompressed) deflate blocks. */
static size_t stored_size(size_t len)
{
	return 2 + 5 * (len / 65535 + (len % 65535 != 0 || !len)) + len + 4;
}

/*
 * A zlib stream of stored blocks: the smallest encoding of incompressible
 * data, which libdeflate pads by a byte per block (on random data that
 * made native images larger than util-linux's).
 */
static size_t write_stored(const uint8_t *in, size_t len, uint8_t *out,
			   size_t cap)
{
	uint32_t adler = libdeflate_adler32(1, in, len);
	size_t at = 2;

	if (cap < stored_size(len))
		return 0;
	out[0] = 0x78;		/* deflate, 32 KiB window */
	out[1] = 0x01;		/* no preset dictionary, (0x7801 % 31 == 0) */
	do {
		size_t n = len < 65535 ? len : 65535;

		out[at] = n == len;	/* BFINAL on the last, BTYPE 00 */
		out[at + 1] = (uint8_t)n;
		out[at + 2] = (uint8_t)(n >> 8);
		out[at + 3] = (uint8_t)~n;
		out[at + 4] = (uint8_t)(~n >> 8);
		memcpy(out + at + 5, in, n);
		at += 5 + n;
		in += n;
		len -= n;
	} while (len);
	for (int i = 3; i >= 0; i--)
		out[at++] = (uint8_t)(adler >> (8 * i));
	return at;
}

size_t deflater_run(struct deflater *d, const void *in, size_t len, void *out,
		    size_t cap)
{
	size_t n;

	if (d->kind == DEFLATER_ZLIB6)
		return run_zlib(d, in, len, out, cap);
	n = libdeflate_zlib_compress(d->ld, in, len, out, cap);
	if (!n || n > stored_size(len))
		return write_stored(in, len, out, cap);
	/*
	 * On runs of one byte, zlib's stream is often a byte shorter; such
	 * blocks (over 32:1) cost microseconds to try again, and a byte per
	 * block adds up to pages on large sparse-like files.
	 */
	if (n * 32 < len) {
		uint8_t alt[2048];	/* n < 65536 / 32 */
		size_t m = run_zlib(d, in, len, alt, n < sizeof(alt) ? n : sizeof(alt));

		if (m && m < n) {
			memcpy(out, alt, m);
			n = m;
		}
	}
	return n;
}
