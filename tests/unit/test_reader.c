/* SPDX-License-Identifier: MIT */
/*
 * reader: images built by specimg with every entry type and every block
 * encoding, both byte orders, boot pad and shifted root, are opened, walked,
 * looked up and read through the public API and compared with the source.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttrees.h"

enum tree { TREE_TYPES, TREE_ENC, TREE_BOTH };

static struct spec_image *make(enum spec_endian e, bool pad, bool blob,
			       enum tree tree)
{
	struct spec_opts o = { .endian = e, .pad = pad };
	struct spec_image *im;

	if (blob) {
		o.blob = "inserted boot blob";
		o.blob_len = 18;
	}
	im = spec_new(&o);
	if (tree != TREE_ENC)
		t_tree_types(im);
	if (tree != TREE_TYPES)
		t_tree_encodings(im);
	t_build(im);
	return im;
}

static void verify_spec(struct spec_image *im, uint32_t bs)
{
	struct t_img t;
	int rc = t_open(&t, im->buf, im->len, bs);

	CHECK_EQ(rc, 0);
	if (rc == 0)
		t_verify_image(&t, im);
	if (rc || t_errors(t.diag))
		t_dump_diag(t.diag);
	CHECK_EQ(t_errors(t.diag), 0);
	t_close(&t);
}

static void test_variants(void)
{
	static const char *tn[] = { "types", "enc", "both" };

	for (int e = 0; e < 2; e++)
		for (int v = 0; v < 4; v++)
			for (int tr = 0; tr < 3; tr++) {
				struct spec_image *im = make(
					(enum spec_endian)e, v & 1, v & 2,
					(enum tree)tr);
				t_context("%s endian=%d pad=%d blob=%d",
					  tn[tr], e, v & 1, (v & 2) != 0);
				verify_spec(im, 0);
				spec_free(im);
			}
}

static void expect_lookup(struct t_img *t, const char *path, int want,
			  const char *name)
{
	struct cramfs_node n;
	int rc = cramfs_lookup(t->img, path, NULL, &n);

	t_context("lookup '%s'", path);
	CHECK_EQ(rc, want);
	if (rc == 0 && want == 0)
		CHECK(strcmp(n.name, name) == 0);
}

static void test_lookup_edges(void)
{
	struct spec_image *im = make(SPEC_LE, false, false, TREE_TYPES);
	struct cramfs_node n;
	struct cramfs_file *f = NULL;
	struct t_img t;

	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	expect_lookup(&t, "", 0, "");
	expect_lookup(&t, "/", 0, "");
	expect_lookup(&t, "/a//f1/", 0, "f1");
	expect_lookup(&t, "a/sub/deep/x", 0, "x");
	expect_lookup(&t, "nonexistent", -ENOENT, NULL);
	expect_lookup(&t, "a/nonexistent", -ENOENT, NULL);
	expect_lookup(&t, "a/f1/x", -ENOTDIR, NULL);
	expect_lookup(&t, "b.lnk/f1", -ENOTDIR, NULL);
	expect_lookup(&t, "a/.", -ENOENT, NULL);
	expect_lookup(&t, "q", 0, "q");
	expect_lookup(&t, "qqqq", 0, "qqqq");
	expect_lookup(&t, "qqq", 0, "qqq");
	expect_lookup(&t, "qqqqqq", -ENOENT, NULL);
	t_context("file_open on non-files");
	CHECK_EQ(cramfs_lookup(t.img, "a", NULL, &n), 0);
	CHECK_EQ(cramfs_file_open(t.img, &n, NULL, &f), -EINVAL);
	CHECK_EQ(cramfs_lookup(t.img, "chr", NULL, &n), 0);
	CHECK_EQ(cramfs_file_open(t.img, &n, NULL, &f), -EINVAL);
	CHECK_EQ(cramfs_lookup(t.img, "a/f0", NULL, &n), 0);
	CHECK_EQ(cramfs_file_open(t.img, &n, NULL, &f), 0);
	CHECK_EQ(cramfs_file_block_count(f), 0);
	CHECK_EQ(cramfs_file_pread(f, &n, 1, 0), 0);
	cramfs_file_close(f);
	t_close(&t);
	spec_free(im);
}

static unsigned slashes(const char *p)
{
	unsigned n = 0;

	while ((p = strchr(p, '/')) != NULL)
		n++, p++;
	return n;
}

static void test_walk_subtree(void)
{
	struct spec_image *im = make(SPEC_BE, true, false, TREE_TYPES);
	struct spec_node *a = spec_find(im, "a");
	struct cramfs_walk *w = NULL;
	struct cramfs_walk_entry e;
	struct cramfs_node n;
	struct t_img t;
	size_t cnt = 0, want = 0;
	int rc;

	t_context("walk subtree");
	for (size_t i = 0; i < im->nall; i++)
		want += strncmp(im->all[i]->path, "a/", 2) == 0;
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	CHECK_EQ(cramfs_lookup(t.img, "a", NULL, &n), 0);
	CHECK_EQ(cramfs_walk_open(t.img, &n, 0, t.diag, &w), 0);
	while (w && (rc = cramfs_walk_next(w, &e)) == 1) {
		if (cnt == 0)
			CHECK(strcmp(e.path, "") == 0 && e.depth == 0);
		else
			CHECK_EQ(e.depth, 1 + slashes(e.path));
		cnt++;
	}
	CHECK_EQ(cnt, want + 1);
	CHECK(a != NULL);
	cramfs_walk_close(w);
	t_close(&t);
	spec_free(im);
}

/* A DIRECT compressed block of u16 length 0 is a hole (format.md §7.1). */
static void test_direct_zero_length(void)
{
	static const enum spec_enc encs[] = { SPEC_ENC_ZLIB,
					      SPEC_ENC_DIRECT_ZLIB };
	static uint8_t data[4096 + 300];
	struct spec_image *im = spec_new(NULL);
	struct spec_node *f;
	struct t_img t;
	uint8_t *out = NULL;
	struct cramfs_node n;

	t_context("direct zlib with length 0");
	t_fill(data, 4096, 3, true);
	f = spec_add_file(im, spec_root(im), "f", 0644, data, sizeof(data));
	spec_set_encs(f, encs, 2);
	t_build(im);
	spec_put16(im, (spec_get32(im, f->offset + 4) & 0x3FFFFFFF) * 4, 0);
	spec_fix_crc(im);
	CHECK_EQ(t_open(&t, im->buf, im->len, 4096), 0);
	CHECK_EQ(cramfs_lookup(t.img, "f", NULL, &n), 0);
	CHECK_EQ(t_read_all(t.img, &n, 8192, &out), sizeof(data));
	CHECK(out && memcmp(out, data, sizeof(data)) == 0);
	free(out);
	t_close(&t);
	spec_free(im);
}

static void test_super_variants(void)
{
	struct spec_image *im = make(SPEC_LE, false, false, TREE_TYPES);
	struct cramfs_image_info info;
	struct t_img t;

	t_context("source shorter than super.size");
	CHECK_EQ(t_open(&t, im->buf, im->len - 100, 0), 0);
	if (t.img) {
		uint32_t crc;
		cramfs_image_get_info(t.img, &info);
		CHECK_EQ(info.image_size, im->len - 100);
		CHECK_EQ(info.source_size, im->len - 100);
		CHECK_EQ(cramfs_image_compute_crc(t.img, &crc), -EUCLEAN);
	}
	t_close(&t);
	t_context("version 1 image");
	spec_put32(im, 8, spec_get32(im, 8) & ~1u);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	if (t.img) {
		cramfs_image_get_info(t.img, &info);
		CHECK(!info.version2);
		CHECK_EQ(info.image_size, im->len);
	}
	t_close(&t);
	t_context("unsupported flags");
	spec_put32(im, 8, spec_get32(im, 8) | 0x1001u);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), -EOPNOTSUPP);
	t_close(&t);
	t_context("no magic");
	memset(im->buf, 0, 4);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), -EUCLEAN);
	CHECK(t_errors(t.diag) >= 1);
	t_close(&t);
	CHECK_EQ(t_open(&t, im->buf, 10, 0), -EUCLEAN);
	t_close(&t);
	spec_free(im);
}

static void check_root_only(struct spec_image *im)
{
	struct cramfs_walk *w = NULL;
	struct cramfs_walk_entry e;
	struct t_img t;
	int n = 0;

	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	CHECK_EQ(cramfs_walk_open(t.img, NULL, 0, t.diag, &w), 0);
	while (w && cramfs_walk_next(w, &e) == 1)
		n++;
	CHECK_EQ(n, 1);
	cramfs_walk_close(w);
	t_close(&t);
}

/* Empty root: offset 76 and size 0, or offset 0 ("empty filesystem"). */
static void test_empty_root(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_inode root;

	t_context("empty root");
	t_build(im);
	spec_inode_read(im, 64, &root);
	CHECK_EQ(root.offset * 4, 76);
	CHECK_EQ(root.size, 0);
	check_root_only(im);
	t_context("root offset 0");
	root.offset = 0;
	spec_inode_write(im, 64, &root);
	spec_fix_crc(im);
	check_root_only(im);
	spec_free(im);
}

/*
 * reader.h: cramfs_dir_next() returns -EUCLEAN for unsorted entries when
 * SORTED_DIRS is set, and the iterator is then finished.
 */
static void test_unsorted_next(void)
{
	struct spec_image *im = spec_new(NULL);
	struct cramfs_node root, e;
	struct cramfs_dir *d = NULL;
	struct cramfs_diag *diag = NULL;
	struct t_img t;

	t_context("dir_next on an unsorted list");
	spec_root(im)->unsorted = true;
	spec_add_file(im, spec_root(im), "b", 0644, "b", 1);
	spec_add_file(im, spec_root(im), "a", 0644, "a", 1);
	t_build(im);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	cramfs_image_root(t.img, &root);
	CHECK_EQ(cramfs_diag_new(0, &diag), 0);
	CHECK_EQ(cramfs_dir_open(t.img, &root, diag, &d), 0);
	/* Reported as an error, but both entries stay readable (salvage). */
	CHECK_EQ(cramfs_dir_next(d, &e), 1);
	CHECK_EQ(cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR), 0);
	CHECK_EQ(cramfs_dir_next(d, &e), 1);
	CHECK(!strcmp(e.name, "a"));
	CHECK_EQ(cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR), 1);
	CHECK_EQ(cramfs_dir_next(d, &e), 0);
	cramfs_dir_close(d);
	cramfs_diag_free(diag);
	t_close(&t);
	spec_free(im);
}

static void test_file_source(void)
{
	struct spec_image *im = make(SPEC_BE, true, true, TREE_BOTH);
	char *dir = t_mkdtemp("reader"), path[4200];
	struct cramfs_source *src = NULL;
	struct cramfs_image *img = NULL;
	struct t_img t = { 0 };
	uint8_t b4[4];
	FILE *fp;

	t_context("file source");
	snprintf(path, sizeof(path), "%s/img", dir ? dir : "/nonexistent");
	fp = fopen(path, "wb");
	CHECK(fp && fwrite(im->buf, 1, im->len, fp) == im->len);
	if (fp)
		fclose(fp);
	CHECK_EQ(cramfs_source_open_file(path, NULL, &src), 0);
	CHECK_EQ(cramfs_source_size(src), im->len);
	CHECK_EQ(cramfs_source_read(src, b4, 4, im->len - 4), 0);
	CHECK_EQ(cramfs_source_read(src, b4, 4, im->len - 3), -EUCLEAN);
	CHECK_EQ(cramfs_image_open(src, NULL, NULL, &img), 0);
	t.src = src, t.img = img;
	cramfs_diag_new(0, &t.diag);
	if (img)
		t_verify_image(&t, im);
	t_close(&t);
	CHECK_EQ(cramfs_source_open_file("/nonexistent/x", NULL, &src),
		 -ENOENT);
	if (dir)
		t_rmtree(dir);
	free(dir);
	spec_free(im);
}

int main(void)
{
	test_variants();
	test_lookup_edges();
	test_walk_subtree();
	test_direct_zero_length();
	test_super_variants();
	test_empty_root();
	test_unsorted_next();
	test_file_source();
	return t_done("test_reader");
}
