/* SPDX-License-Identifier: MIT */
/*
 * check: clean images (every variant specimg can build) give no error and
 * the right statistics; each seeded defect gives -EUCLEAN with an error in
 * the diag; kernel-visible quirks give warnings but no error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "ttrees.h"

/* ---- clean images ------------------------------------------------------- */

struct expect {
	uint64_t files, symlinks, chr, blk, fifo, sock, entries, bytes;
	uint64_t shared, holes, xip, legacy;
};

static void count_blocks(const struct spec_node *n, uint32_t bs,
			 struct expect *x)
{
	for (uint32_t i = 0; i < n->nblocks; i++) {
		enum spec_enc e = !n->encs ? SPEC_ENC_ZLIB
				  : n->nencs == 1 ? n->encs[0]
				  : i < n->nencs ? n->encs[i] : SPEC_ENC_ZLIB;
		bool last_exact = i + 1 == n->nblocks && n->len % bs == 0;
		x->holes += e == SPEC_ENC_HOLE;
		x->xip += e == SPEC_ENC_DIRECT_RAW && !last_exact;
	}
}

static void expected_stats(const struct spec_image *im, struct expect *x)
{
	memset(x, 0, sizeof(*x));
	x->entries = im->nall - 1;
	for (size_t i = 0; i < im->nall; i++) {
		const struct spec_node *n = im->all[i];
		uint32_t t = n->mode & CRAMFS_S_IFMT;
		x->files += t == CRAMFS_S_IFREG;
		x->symlinks += t == CRAMFS_S_IFLNK;
		x->chr += t == CRAMFS_S_IFCHR;
		x->blk += t == CRAMFS_S_IFBLK;
		x->fifo += t == CRAMFS_S_IFIFO;
		x->sock += t == CRAMFS_S_IFSOCK;
		x->bytes += t == CRAMFS_S_IFREG ? n->len : 0;
		x->shared += n->share != NULL;
		x->legacy += n->legacy_xip;
		if (!n->share)
			count_blocks(n, im->o.block_size, x);
	}
}

static void check_stats(const struct spec_image *im,
			const struct cramfs_tree_stats *s)
{
	struct expect x;

	expected_stats(im, &x);
	CHECK_EQ(s->files, x.files);
	CHECK_EQ(s->symlinks, x.symlinks);
	CHECK_EQ(s->chrdevs, x.chr);
	CHECK_EQ(s->blkdevs, x.blk);
	CHECK_EQ(s->fifos, x.fifo);
	CHECK_EQ(s->sockets, x.sock);
	CHECK_EQ(s->entries, x.entries);
	CHECK_EQ(s->file_bytes, x.bytes);
	CHECK_EQ(s->shared_items, x.shared);
	CHECK_EQ(s->hole_blocks, x.holes);
	CHECK_EQ(s->xip_blocks, x.xip);
	CHECK_EQ(s->legacy_xip_files, x.legacy);
	if (!x.legacy)
		CHECK_EQ(s->blocks, im->blocks);
}

static void check_clean(struct spec_image *im, unsigned flags)
{
	struct cramfs_tree_stats st;
	struct t_img t;
	int rc = t_open(&t, im->buf, im->len, 0);

	CHECK_EQ(rc, 0);
	if (rc == 0) {
		memset(&st, 0xA5, sizeof(st));
		rc = cramfs_check(t.img, flags, t.diag, &st);
		CHECK_EQ(rc, 0);
		CHECK_EQ(t_errors(t.diag), 0);
		check_stats(im, &st);
		CHECK_EQ(cramfs_check(t.img, flags, NULL, NULL), 0);
		/* legacy XIP files are reported (info), never an error */
		if (st.legacy_xip_files)
			CHECK(cramfs_diag_count(t.diag) >= st.legacy_xip_files);
	}
	if (t_errors(t.diag))
		t_dump_diag(t.diag);
	t_close(&t);
}

static void test_clean(void)
{
	static void (*const trees[])(struct spec_image *) = {
		t_tree_types, t_tree_encodings, t_tree_legacy };

	for (int v = 0; v < 16; v++)
		for (int tr = 0; tr < 3; tr++) {
			struct spec_opts o = { .endian = v & 1, .pad = v & 2,
					       .block_size = v & 4 ? 16384 : 0 };
			struct spec_image *im;
			if (v & 8) {
				o.blob = "blob";
				o.blob_len = 4;
			}
			im = spec_new(&o);
			trees[tr](im);
			t_build(im);
			t_context("clean tree %d variant %d", tr, v);
			check_clean(im, 0);
			t_context("clean tree %d variant %d no-data", tr, v);
			check_clean(im, CRAMFS_CHECK_NO_DATA);
			spec_free(im);
		}
}

/* ---- seeded defects ----------------------------------------------------- */

static struct spec_image *base(enum spec_endian e, bool pad)
{
	struct spec_opts o = { .endian = e, .pad = pad };
	struct spec_image *im = spec_new(&o);
	struct spec_node *r = spec_root(im), *a, *b;
	static uint8_t big[8192];

	t_fill(big, sizeof(big), 7, true);
	a = spec_add_dir(im, r, "a", 0755);
	spec_add_file(im, a, "f1", 0644, big + 100, 5000);
	spec_add_file(im, a, "f2", 0644, big + 200, 100);
	spec_add_file(im, spec_add_dir(im, a, "sub", 0755), "g", 0644, big, 50);
	b = spec_add_dir(im, r, "b", 0755);
	spec_add_file(im, b, "h", 0644, big + 300, 30);
	spec_add_file(im, b, "i", 0644, big + 400, 40);
	spec_add_file(im, r, "c", 0644, big, 8192);
	spec_add_file(im, r, "d", 0644, big, 4096);
	spec_add_symlink(im, r, "l", "a/f1");
	spec_add_file(im, r, "n1", 0644, "1234567890", 10);
	spec_add_file(im, r, "n2", 0644, "abcdefghij", 10);
	spec_add_file(im, r, "n3", 0644, "ABCDEFGHIJ", 10);
	t_build(im);
	return im;
}

static struct spec_node *node(struct spec_image *im, const char *path)
{
	struct spec_node *n = spec_find(im, path);

	if (!n)
		abort();
	return n;
}

static void edit_inode(struct spec_image *im, const char *path,
		       void (*fn)(struct spec_inode *, struct spec_image *))
{
	struct spec_inode ino;
	uint64_t off = node(im, path)->entry_off;

	spec_inode_read(im, off, &ino);
	fn(&ino, im);
	spec_inode_write(im, off, &ino);
}

static void d_crc(struct spec_image *im)
{
	im->buf[spec_super_off(im, 33)] ^= 0x10;
}

/* Swap the records of b/h and b/i (same length): names out of order. */
static void d_unsorted(struct spec_image *im)
{
	uint8_t tmp[16];
	uint64_t h = node(im, "b/h")->entry_off, i = node(im, "b/i")->entry_off;

	memcpy(tmp, im->buf + h, 16);
	memcpy(im->buf + h, im->buf + i, 16);
	memcpy(im->buf + i, tmp, 16);
}

static void d_slash(struct spec_image *im)
{
	im->buf[node(im, "n1")->entry_off + 13] = '/';
}

static void d_dot(struct spec_image *im)
{
	memcpy(im->buf + node(im, "a")->entry_off + 12, ".\0\0\0", 4);
}

static void d_dotdot(struct spec_image *im)
{
	memcpy(im->buf + node(im, "a")->entry_off + 12, "..\0\0", 4);
}

static void set_namelen0(struct spec_inode *i, struct spec_image *im)
{
	(void)im;
	i->namelen = 0;
}

static void d_namelen0(struct spec_image *im)
{
	edit_inode(im, "n2", set_namelen0);
}

static void set_like_a(struct spec_inode *i, struct spec_image *im)
{
	i->offset = node(im, "a")->offset / 4;
	i->size = node(im, "a")->size;
}

static void set_like_root(struct spec_inode *i, struct spec_image *im)
{
	i->offset = im->root->offset / 4;
	i->size = im->root->size;
}

static void d_alias(struct spec_image *im)
{
	edit_inode(im, "b", set_like_a);
}

static void d_ancestor(struct spec_image *im)
{
	edit_inode(im, "a/sub", set_like_root);
}

static void d_ptr_past_end(struct spec_image *im)
{
	spec_put32(im, node(im, "a/f2")->offset, (uint32_t)im->len + 100);
}

/* d's table becomes c's second pointer: d's item lies inside c's. */
static void set_into_c(struct spec_inode *i, struct spec_image *im)
{
	i->offset = node(im, "c")->offset / 4 + 1;
}

static void d_overlap(struct spec_image *im)
{
	edit_inode(im, "d", set_into_c);
}

static void set_size_5100(struct spec_inode *i, struct spec_image *im)
{
	(void)im;
	i->size = 5100;
}

static void d_inflate_len(struct spec_image *im)
{
	edit_inode(im, "a/f1", set_size_5100);
}

static void d_files(struct spec_image *im)
{
	uint64_t off = spec_super_off(im, 44);
	spec_put32(im, off, spec_get32(im, off) + 1);
}

static void set_outside(struct spec_inode *i, struct spec_image *im)
{
	i->offset = (uint32_t)(im->len + 64) / 4;
}

static void d_table_outside(struct spec_image *im)
{
	edit_inode(im, "a/f2", set_outside);
}

/* super.size ends inside the directory area: the tree lies beyond it */
static void d_size(struct spec_image *im)
{
	spec_put32(im, spec_super_off(im, 4), im->start + 100);
}

struct defect {
	const char *name;
	void (*apply)(struct spec_image *im);
	bool keep_crc;		/* the defect is the CRC itself */
	bool open_may_fail;	/* a broken superblock may fail the open */
};

static const struct defect defects[] = {
	{ "bad crc", d_crc, true },
	{ "unsorted dir", d_unsorted, false },
	{ "name with slash", d_slash, false },
	{ "name '.'", d_dot, false },
	{ "name '..'", d_dotdot, false },
	{ "zero namelen", d_namelen0, false },
	{ "two dirs share a list", d_alias, false },
	{ "dir points at ancestor", d_ancestor, false },
	{ "pointer past end", d_ptr_past_end, false },
	{ "overlapping data items", d_overlap, false },
	{ "inflates to wrong length", d_inflate_len, false },
	{ "files count wrong", d_files, false },
	{ "table outside image", d_table_outside, false },
	{ "super size too small", d_size, false, true },
};

static bool has_euclean_error(const struct cramfs_diag *d)
{
	for (size_t i = 0; i < cramfs_diag_count(d); i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(d, i);
		if (e->severity == CRAMFS_DIAG_ERROR && e->code == -EUCLEAN)
			return true;
	}
	return false;
}

static void run_defect(const struct defect *d, enum spec_endian e, bool pad)
{
	struct spec_image *im = base(e, pad);
	struct t_img t;
	int rc;

	t_context("defect '%s' endian=%d pad=%d", d->name, e, pad);
	d->apply(im);
	if (!d->keep_crc)
		spec_fix_crc(im);
	rc = t_open(&t, im->buf, im->len, 4096);
	if (rc == -EUCLEAN && d->open_may_fail)
		CHECK(has_euclean_error(t.diag));
	else
		CHECK_EQ(rc, 0);
	if (rc == 0) {
		CHECK_EQ(cramfs_check(t.img, 0, t.diag, NULL), -EUCLEAN);
		CHECK(has_euclean_error(t.diag));
	}
	t_close(&t);
	spec_free(im);
}

static void test_defects(void)
{
	struct spec_image *im;

	/* the base image itself must be clean, or the defects prove nothing */
	for (int v = 0; v < 4; v++) {
		im = base(v & 1, v & 2);
		t_context("defect base %d", v);
		check_clean(im, 0);
		spec_free(im);
	}
	for (size_t i = 0; i < sizeof(defects) / sizeof(defects[0]); i++)
		for (int v = 0; v < 4; v++)
			run_defect(&defects[i], v & 1, v & 2);
}

/* ---- warnings, not errors ----------------------------------------------- */

static void expect_warning_only(struct spec_image *im, const char *what)
{
	struct t_img t;
	int rc;

	t_context("warning: %s", what);
	t_build(im);
	rc = t_open(&t, im->buf, im->len, 4096);
	CHECK_EQ(rc, 0);
	if (rc == 0) {
		CHECK_EQ(cramfs_check(t.img, 0, t.diag, NULL), 0);
		CHECK_EQ(t_errors(t.diag), 0);
		CHECK(t_warnings(t.diag) >= 1);
		if (t_errors(t.diag) || !t_warnings(t.diag))
			t_dump_diag(t.diag);
	}
	t_close(&t);
	spec_free(im);
}

static void test_warnings(void)
{
	static const enum spec_enc du2[] = { SPEC_ENC_DIRECT_RAW,
					     SPEC_ENC_DIRECT_RAW };
	static uint8_t data[8192];
	struct spec_image *im;
	struct spec_node *n, *m;

	t_fill(data, sizeof(data), 9, false);
	im = spec_new(NULL);
	n = spec_add_file(im, spec_root(im), "exact", 0755, data, 8192);
	spec_set_encs(n, du2, 2);
	expect_warning_only(im, "exact-multiple D+U last block");

	im = spec_new(NULL);
	n = spec_add_file(im, spec_root(im), "x", 0644, data, 100);
	m = spec_add_file(im, spec_root(im), "y", 0755, "", 0);
	spec_share_data(m, n);
	expect_warning_only(im, "dedup with different mode");

	im = spec_new(NULL);
	n = spec_add_file(im, spec_root(im), "x", 0644, "tgt", 3);
	m = spec_add_symlink(im, spec_root(im), "y", "tgt");
	spec_share_data(m, n);
	expect_warning_only(im, "symlink dedup with file");

	im = spec_new(NULL);
	spec_add_node(im, spec_root(im), "bigmajor", CRAMFS_S_IFCHR | 0600,
		      (uint32_t)makedev(300, 1));
	expect_warning_only(im, "major > 255");

	im = spec_new(NULL);
	spec_add_node(im, spec_root(im), "bigminor", CRAMFS_S_IFBLK | 0600,
		      (uint32_t)makedev(1, 300));
	expect_warning_only(im, "minor > 255");
}

/* Unsorted lists are corrupt with SORTED_DIRS (0x2), legal without it. */
static void test_unsorted_builder(void)
{
	struct spec_image *im = spec_new(NULL);
	struct t_img t;

	spec_root(im)->unsorted = true;
	spec_add_file(im, spec_root(im), "b", 0644, "b", 1);
	spec_add_file(im, spec_root(im), "a", 0644, "a", 1);
	t_build(im);
	t_context("unsorted root, SORTED_DIRS set");
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	CHECK_EQ(cramfs_check(t.img, 0, t.diag, NULL), -EUCLEAN);
	t_close(&t);
	t_context("unsorted root, SORTED_DIRS clear");
	spec_put32(im, 8, spec_get32(im, 8) & ~2u);
	spec_fix_crc(im);
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	CHECK_EQ(cramfs_check(t.img, 0, t.diag, NULL), 0);
	CHECK_EQ(t_errors(t.diag), 0);
	t_close(&t);
	spec_free(im);
}

int main(void)
{
	test_clean();
	test_unsorted_builder();
	test_defects();
	test_warnings();
	return t_done("test_check");
}
