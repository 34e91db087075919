/* SPDX-License-Identifier: MIT */
/*
 * Legacy sticky-bit Linear XIP files (format.md §9): stored raw at a page
 * boundary with no pointer table, flagged by nothing but S_ISVTX.  The
 * reader must recognise them (including when the file's offset is itself
 * page-aligned, so its "table" is file data) and still read sticky-bit
 * files that have a valid table as ordinary files.
 */
#include "ttrees.h"

static void run(enum spec_endian e, bool pad, uint32_t bs, uint32_t open_bs)
{
	struct spec_opts o = { .endian = e, .pad = pad, .block_size = bs };
	struct spec_image *im = spec_new(&o);
	struct t_img t;
	int rc;

	t_context("legacy endian=%d pad=%d bs=%u open_bs=%u", e, pad, bs,
		  open_bs);
	t_tree_legacy(im);
	t_build(im);
	rc = t_open(&t, im->buf, im->len, open_bs);
	CHECK_EQ(rc, 0);
	if (rc == 0)
		t_verify_image(&t, im);
	if (rc || t_errors(t.diag))
		t_dump_diag(t.diag);
	t_close(&t);
	spec_free(im);
}

int main(void)
{
	for (int e = 0; e < 2; e++)
		for (int pad = 0; pad < 2; pad++) {
			run((enum spec_endian)e, pad, 4096, 0);
			run((enum spec_endian)e, pad, 4096, 4096);
		}
	run(SPEC_LE, false, 16384, 16384);
	return t_done("test_legacy_xip");
}
