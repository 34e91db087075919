/* SPDX-License-Identifier: MIT */
/*
 * Block sizes 4096..65536: cramfs does not record the block size, so the
 * reader must detect it from the data (format.md §17) or take it from the
 * caller.  Both paths must read every tree exactly, detection must weigh
 * the whole image (issue 12: a sample of the first files was fooled), and
 * images no file can tell apart must come out "ambiguous", not wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ttrees.h"

#define ALL_SIZES 0x1fu		/* bits of 4096..65536 in cramfs_bs_evidence.fits */
#define FITS(bs) (1u << (__builtin_ctz(bs) - 12))

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
		CHECK_EQ(info.bs.source, open_bs ? CRAMFS_BS_GIVEN :
						   CRAMFS_BS_DETECTED);
		t_verify_image(&t, im);
	}
	if (rc || t_errors(t.diag))
		t_dump_diag(t.diag);
	t_close(&t);
}

static void add_file(struct spec_image *im, const char *name, size_t len,
		     uint32_t seed)
{
	uint8_t *buf = malloc(len);

	if (!buf)
		abort();
	t_fill(buf, len, seed, true);
	if (!spec_add_file(im, spec_root(im), name, 0644, buf, len))
		abort();
	free(buf);
}

/* Every file of the (flat) tree reads back exactly under the size in use. */
static void check_contents(struct t_img *t, struct spec_image *im)
{
	for (size_t i = 0; i < im->nall; i++) {
		const struct spec_node *sn = im->all[i];
		struct cramfs_node node;
		uint8_t *got = NULL;
		long n;

		if ((sn->mode & CRAMFS_S_IFMT) != CRAMFS_S_IFREG)
			continue;
		CHECK_EQ(cramfs_lookup(t->img, sn->path, NULL, &node), 0);
		n = t_read_all(t->img, &node, 7000, &got);
		CHECK_EQ(n, (long)sn->len);
		CHECK(n == (long)sn->len && !memcmp(got, sn->data, sn->len));
		free(got);
	}
}

/*
 * Open with detection and return the info; the tree must read exactly
 * (ambiguous sizes read every file alike), and fully verify when given.
 */
static void detect(struct spec_image *im, struct cramfs_image_info *info)
{
	struct t_img t;

	memset(info, 0, sizeof(*info));
	if (t_open(&t, im->buf, im->len, 0)) {
		CHECK(!"open failed");
		t_close(&t);
		return;
	}
	cramfs_image_get_info(t.img, info);
	check_contents(&t, im);
	CHECK_EQ(cramfs_check(t.img, 0, t.diag, NULL), 0);
	t_close(&t);
	run(im, im->o.block_size);
}

/*
 * Issue 12 in miniature: the first files are all between 4 KiB and 32 KiB,
 * so they read alike under 32768 and 65536; later, larger files tell.
 */
static void test_small_files_first(void)
{
	struct spec_opts o = { .block_size = 65536 };
	struct spec_image *im = spec_new(&o);
	struct cramfs_image_info info;
	char name[16];

	t_context("small files first, then large ones (65536)");
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "a%02d", i);
		add_file(im, name, 5000 + 2000 * (size_t)i, (uint32_t)i);
	}
	add_file(im, "z1", 100000, 50);
	add_file(im, "z2", 300000, 51);
	t_build(im);
	detect(im, &info);
	CHECK_EQ(info.block_size, 65536);
	CHECK_EQ(info.bs.source, CRAMFS_BS_DETECTED);
	CHECK_EQ(info.bs.fits, FITS(65536));
	CHECK_EQ(info.bs.files, 14);
	CHECK_EQ(info.bs.unfit, 0);
	CHECK(info.bs.telling >= 12);
	spec_free(im);
}

/* Every file smaller than one 4 KiB block: no size can be told apart. */
static void test_all_small(void)
{
	struct spec_opts o = { .block_size = 65536 };
	struct spec_image *im = spec_new(&o);
	struct cramfs_image_info info;
	char name[16], words[96];

	t_context("every file smaller than one block (65536)");
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d", i);
		add_file(im, name, 100 + 190 * (size_t)i, (uint32_t)i);
	}
	t_build(im);
	detect(im, &info);
	CHECK_EQ(info.bs.source, CRAMFS_BS_AMBIGUOUS);
	CHECK_EQ(info.bs.fits, ALL_SIZES);
	CHECK_EQ(info.block_size, 4096);	/* the smallest: strictest checks */
	CHECK_EQ(info.bs.telling, 0);
	cramfs_bs_describe(&info, words, sizeof(words));
	CHECK(!strcmp(words, "ambiguous: 4096, 8192, 16384, 32768 or 65536"));
	spec_free(im);
}

/*
 * A single 20000-byte file: 4096..16384 give it a longer table than it has,
 * 32768 and 65536 read it alike.  With 32 KiB blocks the image size (a
 * multiple of the block size) still tells; with 64 KiB ones it cannot.
 */
static void test_single_file(uint32_t bs, enum cramfs_bs_source want,
			     unsigned fits)
{
	struct spec_opts o = { .block_size = bs };
	struct spec_image *im = spec_new(&o);
	struct cramfs_image_info info;

	t_context("a single 20000-byte file (%u)", bs);
	add_file(im, "only", 20000, 7);
	t_build(im);
	detect(im, &info);
	CHECK_EQ(info.bs.source, want);
	CHECK_EQ(info.bs.fits, fits);
	CHECK_EQ(info.block_size, 32768);
	CHECK_EQ(info.bs.cand[2].misfit, 1);
	spec_free(im);
}

/* A file whose table points outside the image says nothing; others do. */
static void test_damaged_file(void)
{
	struct spec_opts o = { .block_size = 16384 };
	struct spec_image *im = spec_new(&o);
	struct cramfs_image_info info;
	struct spec_node *bad;
	struct t_img t;

	t_context("one damaged file (16384)");
	add_file(im, "a", 70000, 1);
	add_file(im, "b", 50000, 2);
	add_file(im, "c", 90000, 3);
	t_build(im);
	bad = spec_find(im, "b");
	spec_put32(im, bad->offset, 0x3ffffff0u);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	cramfs_image_get_info(t.img, &info);
	CHECK_EQ(info.block_size, 16384);
	CHECK_EQ(info.bs.source, CRAMFS_BS_DETECTED);
	CHECK_EQ(info.bs.unfit, 1);
	t_close(&t);
	spec_free(im);
}

/* Without tail padding the image size says nothing: the tables still do. */
static void test_unpadded(void)
{
	for (uint32_t bs = 4096; bs <= 65536; bs *= 2) {
		struct spec_opts o = { .block_size = bs, .no_tail_pad = true };
		struct spec_image *im = spec_new(&o);
		struct cramfs_image_info info;

		t_context("no tail padding (%u)", bs);
		add_file(im, "a", 3 * (size_t)bs + 100, 1);
		add_file(im, "b", 2 * 65536 + 10, 2);
		t_build(im);
		detect(im, &info);
		CHECK_EQ(info.block_size, bs);
		CHECK_EQ(info.bs.source, CRAMFS_BS_DETECTED);
		spec_free(im);
	}
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
	test_small_files_first();
	test_all_small();
	test_single_file(32768, CRAMFS_BS_DETECTED, FITS(32768));
	test_single_file(65536, CRAMFS_BS_AMBIGUOUS, FITS(32768) | FITS(65536));
	test_damaged_file();
	test_unpadded();
	return t_done("test_blocksize");
}
