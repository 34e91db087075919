/* SPDX-License-Identifier: MIT */
/*
 * Block sizes 4096..65536: cramfs does not record the block size, so the
 * reader must detect it from the data (format §17) or take it from the
 * caller.  Both paths must read every tree exactly.
 */
#include "ttrees.h"

static struct spec_image *make(uint32_t bs, enum spec_endian e, bool enc)
{
	struct spec_opts o = { .endian = e, .block_size = bs, .pad = enc };
	struct spec_image *im = spec_new(&o);

	if (enc)
		t_tree_encodings(im);
	else
		t_tree_types(im);
	t_build(im);
	return im;
}

static void run(struct spec_image *im, uint32_t open_bs)
{
	struct cramfs_image_info info;
	struct t_img t;
	int rc = t_open(&t, im->buf, im->len, open_bs);

	CHECK_EQ(rc, 0);
	if (rc == 0) {
		cramfs_image_get_info(t.img, &info);
		CHECK_EQ(info.block_size, im->o.block_size);
		CHECK_EQ(info.block_size_detected, open_bs == 0);
		t_verify_image(&t, im);
	}
	if (rc || t_errors(t.diag))
		t_dump_diag(t.diag);
	t_close(&t);
}

int main(void)
{
	for (uint32_t bs = 4096; bs <= 65536; bs *= 2)
		for (int e = 0; e < 2; e++)
			for (int enc = 0; enc < 2; enc++) {
				struct spec_image *im =
					make(bs, (enum spec_endian)e, enc);
				t_context("bs=%u endian=%d %s detect", bs, e,
					  enc ? "encodings" : "types");
				run(im, 0);
				t_context("bs=%u endian=%d %s explicit", bs, e,
					  enc ? "encodings" : "types");
				run(im, bs);
				spec_free(im);
			}
	return t_done("test_blocksize");
}
