// SPDX-License-Identifier: MIT
/* zlib-stream inflation through libdeflate (2-3x faster than zlib). */
#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>

#include "codec.h"

struct inflater {
	struct libdeflate_decompressor *d;
};

int inflater_new(struct inflater **out)
{
	struct inflater *inf = malloc(sizeof(*inf));

	if (!inf)
		return -ENOMEM;
	inf->d = libdeflate_alloc_decompressor();
	if (!inf->d) {
		free(inf);
		return -ENOMEM;
	}
	*out = inf;
	return 0;
}

void inflater_free(struct inflater *inf)
{
	if (!inf)
		return;
	libdeflate_free_decompressor(inf->d);
	free(inf);
}

int inflater_run(struct inflater *inf, const void *in, size_t in_len,
		 void *out, size_t cap, size_t *out_len)
{
	size_t used_in = 0;
	enum libdeflate_result r;

	/*
	 * The _ex variant accepts trailing bytes after the stream, as the
	 * kernel does; giving it an actual-output pointer makes a short
	 * output legal (the caller checks the length it expects).
	 */
	r = libdeflate_zlib_decompress_ex(inf->d, in, in_len, out, cap,
					  &used_in, out_len);
	return r == LIBDEFLATE_SUCCESS ? 0 : -EUCLEAN;
}
