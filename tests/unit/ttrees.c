/* SPDX-License-Identifier: MIT */
/*
 * Standard test trees, shared by the reader, check, extract and corrupt
 * tests and the fuzz corpus generator.  Sizes scale with the image's block
 * size so the same tree exercises every block size.
 */
#include <stdlib.h>
#include <string.h>

#include "ttrees.h"

#define S_CHR 0020000
#define S_BLK 0060000
#define S_FIFO 0010000
#define S_SOCK 0140000

static struct spec_node *add_filled(struct spec_image *im,
				    struct spec_node *dir, const char *name,
				    size_t len, uint32_t seed, bool comp)
{
	uint8_t *buf = malloc(len ? len : 1);
	struct spec_node *n;

	if (!buf)
		abort();
	t_fill(buf, len, seed, comp);
	n = spec_add_file(im, dir, name, 0644, buf, len);
	free(buf);
	if (!n)
		abort();
	return n;
}

static void add_types_dir_a(struct spec_image *im, struct spec_node *r)
{
	uint32_t bs = im->o.block_size;
	struct spec_node *a = spec_add_dir(im, r, "a", 0755);
	struct spec_node *sub = spec_add_dir(im, a, "sub", 0750);
	struct spec_node *deep = spec_add_dir(im, sub, "deep", 0755);

	spec_add_dir(im, a, "empty", 0700);
	spec_add_file(im, a, "f0", 0644, "", 0);
	spec_add_file(im, a, "f1", 0600, "1", 1);
	add_filled(im, a, "big", 3 * (size_t)bs + 123, 11, true);
	add_filled(im, a, "rand", bs + 7, 12, false);
	add_filled(im, a, "exact", bs, 13, true);
	add_filled(im, deep, "x", 100, 14, true);
}

static void add_types_names(struct spec_image *im, struct spec_node *r)
{
	static const char *qs[] = { "q", "qq", "qqq", "qqqq", "qqqqq" };
	char longname[253];

	memset(longname, 'n', 252);
	longname[252] = 0;
	add_filled(im, r, longname, 33, 20, true);
	add_filled(im, r, "\xc3\x9cn\xc3\xaf" "code", 17, 21, true);
	add_filled(im, r, "\xff", 3, 22, true);
	add_filled(im, r, "A", 5, 23, true);
	add_filled(im, r, "_", 6, 24, true);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		add_filled(im, r, qs[i], 10 + i, 30 + (uint32_t)i, true);
}

void t_tree_types(struct spec_image *im)
{
	struct spec_node *r = spec_root(im), *d1, *d3, *s;
	char target[300];

	add_types_dir_a(im, r);
	add_types_names(im, r);
	spec_add_symlink(im, r, "b.lnk", "a/f1");
	memset(target, 0, sizeof(target));
	for (int i = 0; i < 140; i++)
		memcpy(target + 2 * i, "./", 2);
	strcat(target, "a/f1");
	spec_add_symlink(im, r, "long.lnk", target);
	spec_add_symlink(im, r, "abs.lnk", "/nonexistent/target");
	spec_add_node(im, r, "chr", S_CHR | 0644, (4 << 8) | 64);
	spec_add_node(im, r, "blk", S_BLK | 0660, (8 << 8) | 1);
	spec_add_node(im, r, "fifo", S_FIFO | 0644, 0);
	spec_add_node(im, r, "sock", S_SOCK | 0755, 0);
	s = spec_add_file(im, r, "suid", 04755, "#!/bin/sh\n", 10);
	spec_set_owner(s, 1000, 100);
	spec_add_dir(im, r, "emptydir", 0755);
	d1 = add_filled(im, r, "dup1", 500, 40, true);
	add_filled(im, r, "dup2", 500, 40, true);
	d3 = spec_add_file(im, r, "dup3", 0644, "", 0);
	spec_share_data(d3, d1);
}

struct enc_case {
	const char *name;
	size_t blocks;		/* full blocks */
	size_t extra;		/* plus this many bytes */
	uint32_t zero_mask;	/* blocks that must be zero (for holes) */
	enum spec_enc encs[5];
	size_t nencs;
};

#define Z SPEC_ENC_ZLIB
#define H SPEC_ENC_HOLE
#define R SPEC_ENC_RAW
#define DZ SPEC_ENC_DIRECT_ZLIB
#define DU SPEC_ENC_DIRECT_RAW

static const struct enc_case enc_cases[] = {
	{ "e_zlib", 2, 5, 0, { Z }, 1 },
	{ "e_raw", 2, 5, 0, { R }, 1 },
	{ "e_dz", 2, 5, 0, { DZ }, 1 },
	{ "e_du", 2, 5, 0, { DU }, 1 },
	{ "e_hole", 2, 5, 7, { H }, 1 },
	{ "m1", 4, 10, 1u << 3, { DZ, Z, DU, H, R }, 5 },
	{ "m2", 3, 4095, 1u << 1, { DU, H, Z, Z }, 4 },
	{ "m3", 3, 0, 1u << 1, { Z, H, Z }, 3 },
	{ "m4", 2, 0, 0, { DU, R }, 2 },
	{ "m5", 3, 77, 0, { R, DZ, R, DU }, 4 },
	{ "m6", 2, 9, 1u << 1, { DZ, H, R }, 3 },
	{ "m7", 1, 100, 0, { DU, Z }, 2 },
	{ "m8", 2, 1, 1u << 0, { H, DZ, DU }, 3 },
	{ "tiny_du", 0, 10, 0, { DU }, 1 },
	{ "tiny_dz", 0, 10, 0, { DZ }, 1 },
};

static bool has_dz(const struct enc_case *c)
{
	for (size_t i = 0; i < c->nencs; i++)
		if (c->encs[i] == DZ)
			return true;
	return false;
}

static void add_enc_case(struct spec_image *im, struct spec_node *dir,
			 const struct enc_case *c, uint32_t seed)
{
	uint32_t bs = im->o.block_size;
	size_t extra = c->extra < bs ? c->extra : bs - 1;
	size_t len = c->blocks * bs + extra;
	uint8_t *buf = malloc(len);
	struct spec_node *n;

	if (!buf)
		abort();
	/* a u16 length cannot hold an incompressible 64 KiB block */
	t_fill(buf, len, seed, seed % 2 || has_dz(c));
	for (size_t b = 0; b * bs < len; b++)
		if (c->zero_mask & (1u << b))
			memset(buf + b * bs, 0, len - b * bs < bs ? len - b * bs
								   : bs);
	n = spec_add_file(im, dir, c->name, 0755, buf, len);
	free(buf);
	if (!n || spec_set_encs(n, c->encs, c->nencs))
		abort();
}

void t_tree_encodings(struct spec_image *im)
{
	struct spec_node *r = spec_root(im);
	struct spec_node *d = spec_add_dir(im, r, "enc", 0755), *s;
	size_t n = sizeof(enc_cases) / sizeof(enc_cases[0]);

	for (size_t i = 0; i < n; i++)
		add_enc_case(im, d, &enc_cases[i], 100 + (uint32_t)i);
	s = spec_add_symlink(im, d, "s_raw", "e_raw");
	spec_set_enc(s, SPEC_ENC_RAW);
	s = spec_add_symlink(im, d, "s_dz", "e_dz");
	spec_set_enc(s, SPEC_ENC_DIRECT_ZLIB);
	s = spec_add_symlink(im, d, "s_du", "e_du");
	spec_set_enc(s, SPEC_ENC_DIRECT_RAW);
}

void t_tree_legacy(struct spec_image *im)
{
	struct spec_node *r = spec_root(im), *n;
	uint32_t bs = im->o.block_size;

	add_filled(im, r, "before", 300, 50, true);
	n = add_filled(im, r, "xip_small", 100, 51, false);
	spec_set_legacy_xip(n);
	n = add_filled(im, r, "xip_exact", bs, 52, false);
	spec_set_legacy_xip(n);
	n = add_filled(im, r, "xip_multi", 2 * (size_t)bs + 1000, 53, false);
	spec_set_legacy_xip(n);
	/* sticky bit with a valid pointer table: an ordinary file */
	n = add_filled(im, r, "yy_sticky", bs + 10, 54, true);
	n->mode |= 01000;
	add_filled(im, r, "zz_after", 700, 55, true);
}
