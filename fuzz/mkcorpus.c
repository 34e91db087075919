/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus: a handful of tiny, valid images covering each
 * variant (byte orders, pad, inserted blob, holes, extended pointers,
 * legacy XIP, a larger block size, an empty root), built with specimg.
 * Usage: mkcorpus DIR  (the images are committed under fuzz/corpus/).
 */
#include <stdio.h>
#include <string.h>

#include "specimg.h"

#define S_CHR 0020000
#define S_FIFO 0010000

static uint8_t text[40000];

static void fill_text(void)
{
	static const char w[] = "cramfs seed corpus text ";
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)w[(i * 7 + i / 13) % (sizeof(w) - 1)];
}

static void basic_tree(struct spec_image *im)
{
	struct spec_node *r = spec_root(im);
	struct spec_node *d = spec_add_dir(im, r, "dir", 0755);

	spec_add_file(im, d, "two", 0644, text, 5000);
	spec_add_file(im, d, "empty", 0644, "", 0);
	spec_add_file(im, r, "f", 0600, "hello\n", 6);
	spec_add_symlink(im, r, "link", "dir/two");
	spec_add_node(im, r, "null", S_CHR | 0666, (1 << 8) | 3);
	spec_add_node(im, r, "pipe", S_FIFO | 0644, 0);
	spec_add_dir(im, d, "sub", 0700);
}

static void ext_tree(struct spec_image *im)
{
	static const enum spec_enc e[] = { SPEC_ENC_DIRECT_ZLIB,
		SPEC_ENC_ZLIB, SPEC_ENC_HOLE, SPEC_ENC_RAW };
	struct spec_node *n;
	static uint8_t data[4096 * 3 + 20];

	memcpy(data, text, 8192);
	memcpy(data + 3 * 4096, text, 20);
	n = spec_add_file(im, spec_root(im), "mixed", 0755, data, sizeof(data));
	spec_set_encs(n, e, 4);
	n = spec_add_file(im, spec_root(im), "xip", 0755, text, 300);
	spec_set_enc(n, SPEC_ENC_DIRECT_RAW);
}

static void hole_tree(struct spec_image *im)
{
	static const enum spec_enc e[] = { SPEC_ENC_HOLE, SPEC_ENC_ZLIB };
	static uint8_t data[4096 + 100];
	struct spec_node *n;

	memcpy(data + 4096, text, 100);
	n = spec_add_file(im, spec_root(im), "holey", 0644, data, sizeof(data));
	spec_set_encs(n, e, 2);
}

static void legacy_tree(struct spec_image *im)
{
	struct spec_node *n;

	spec_add_file(im, spec_root(im), "a", 0644, text, 100);
	n = spec_add_file(im, spec_root(im), "xip", 0755, text + 5, 200);
	spec_set_legacy_xip(n);
}

static void big_block_tree(struct spec_image *im)
{
	spec_add_file(im, spec_root(im), "big", 0644, text, sizeof(text));
}

static void empty_tree(struct spec_image *im)
{
	(void)im;
}

struct seed {
	const char *name;
	struct spec_opts o;
	void (*tree)(struct spec_image *);
};

static const struct seed seeds[] = {
	{ "classic-le", { .endian = SPEC_LE }, basic_tree },
	{ "classic-be-pad", { .endian = SPEC_BE, .pad = true }, basic_tree },
	{ "blob", { .blob = "BOOT", .blob_len = 4 }, basic_tree },
	{ "extended", { .endian = SPEC_LE }, ext_tree },
	{ "extended-be", { .endian = SPEC_BE }, ext_tree },
	{ "holes", { .endian = SPEC_LE }, hole_tree },
	{ "legacy-xip", { .endian = SPEC_LE }, legacy_tree },
	{ "block16k", { .block_size = 16384 }, big_block_tree },
	{ "empty", { .endian = SPEC_LE }, empty_tree },
};

static int write_seed(const char *dir, const struct seed *s)
{
	struct spec_opts o = s->o;
	struct spec_image *im;
	char path[4096];
	FILE *f;
	int rc = 1;

	o.no_tail_pad = true;	/* keeps every seed well under 8 KiB */
	im = spec_new(&o);
	if (!im)
		return 1;
	s->tree(im);
	snprintf(path, sizeof(path), "%s/%s.img", dir, s->name);
	f = spec_build(im) == 0 ? fopen(path, "wb") : NULL;
	if (f && fwrite(im->buf, 1, im->len, f) == im->len)
		rc = 0;
	if (f && fclose(f))
		rc = 1;
	printf("%s: %zu bytes%s\n", path, im->len, rc ? " FAILED" : "");
	spec_free(im);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 16;
	}
	fill_text();
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		rc |= write_seed(argv[1], &seeds[i]);
	return rc;
}
