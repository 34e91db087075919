/* SPDX-License-Identifier: MIT */
/*
 * specimg self-test: the test image writer must itself follow the format
 * document, or every reader test built on it proves nothing.  Checked
 * against the format.md §4.3 golden bytes and the §5.4 / §6.1 layout example,
 * with plain byte inspection (no libcramfs reader code).
 */
#include <string.h>
#include <zlib.h>

#include "tutil.h"

static const uint8_t root_le[12] = { 0xED, 0x41, 0x00, 0x00, 0x10, 0x00,
				     0x00, 0x00, 0xC0, 0x04, 0x00, 0x00 };
static const uint8_t root_be[12] = { 0x41, 0xED, 0x00, 0x00, 0x00, 0x00,
				     0x10, 0x00, 0x00, 0x00, 0x00, 0x13 };

/* The mkfs-endianness tree: dirA/dirB/{a,b}. */
static void test_endianness_tree(enum spec_endian e)
{
	struct spec_opts o = { .endian = e };
	struct spec_image *im = spec_new(&o);
	struct spec_node *a = spec_add_dir(im, spec_root(im), "dirA", 0755);
	struct spec_node *b = spec_add_dir(im, a, "dirB", 0755);
	static uint8_t da[512], db[15360];
	struct spec_inode ino;

	t_context("endianness tree %d", e);
	spec_add_file(im, b, "a", 0644, da, sizeof(da));
	spec_add_file(im, b, "b", 0644, db, sizeof(db));
	t_build(im);
	CHECK(memcmp(im->buf + 64, e == SPEC_LE ? root_le : root_be, 12) == 0);
	CHECK_EQ(a->offset, 92);
	CHECK_EQ(a->entry_off, 76);
	spec_inode_read(im, a->entry_off, &ino);
	CHECK_EQ(ino.namelen, 1);
	CHECK_EQ(ino.offset, 23);
	if (e == SPEC_LE)
		CHECK(memcmp(im->buf + 76 + 8, "\xC1\x05\x00\x00", 4) == 0);
	else
		CHECK(memcmp(im->buf + 76 + 8, "\x04\x00\x00\x17", 4) == 0);
	CHECK(memcmp(im->buf + 88, "dirA", 4) == 0);
	CHECK_EQ(im->len % 4096, 0);
	CHECK_EQ(spec_get32(im, 4), im->len);
	CHECK_EQ(spec_get32(im, 8), 3);
	CHECK_EQ(spec_get32(im, 44), 5);
	CHECK_EQ(spec_get32(im, 40), 1 + 4);
	spec_free(im);
}

/* §5.4 example: lists [root][a][a/x][c], data f2, f3, b, f4. */
static void test_order(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *r = spec_root(im), *c, *a, *x, *f2, *f3, *b, *f4;

	t_context("layout order");
	c = spec_add_dir(im, r, "c", 0755);
	f4 = spec_add_file(im, c, "f4", 0644, "4444", 4);
	b = spec_add_file(im, r, "b", 0644, "bbbb", 4);
	a = spec_add_dir(im, r, "a", 0755);
	x = spec_add_dir(im, a, "x", 0755);
	f3 = spec_add_file(im, x, "f3", 0644, "3333", 4);
	f2 = spec_add_file(im, a, "f2", 0644, "2222", 4);
	t_build(im);
	CHECK_EQ(a->offset, 76 + 3 * 16);
	CHECK(x->offset == a->offset + 32 && c->offset == x->offset + 16);
	CHECK_EQ(f2->offset, c->offset + 16);
	CHECK(f2->offset < f3->offset && f3->offset < b->offset &&
	      b->offset < f4->offset);
	CHECK_EQ(spec_get32(im, f2->offset), f3->offset);
	CHECK_EQ(spec_get32(im, 44), 8);
	spec_free(im);
}

static void test_pad_blob(void)
{
	struct spec_opts o = { .endian = SPEC_BE, .pad = true,
			       .blob = "BLOB!", .blob_len = 5 };
	struct spec_image *im = spec_new(&o);
	struct spec_inode root;
	uLong crc;

	t_context("pad + blob");
	spec_add_file(im, spec_root(im), "f", 0644, "x", 1);
	t_build(im);
	CHECK_EQ(im->start, 512);
	CHECK(memcmp(im->buf + 512, "\x28\xCD\x3D\x45", 4) == 0);
	CHECK(memcmp(im->buf + 588, "BLOB!\0\0\0", 8) == 0);
	spec_inode_read(im, 512 + 64, &root);
	CHECK_EQ(root.offset * 4, 596);
	CHECK_EQ(spec_get32(im, 512 + 8), 0x403);
	spec_put32(im, 512 + 32, 0);
	crc = crc32(0, im->buf + 512, (uInt)(im->len - 512));
	CHECK_EQ(spec_fix_crc(im), crc);
	CHECK_EQ(spec_get32(im, 512 + 32), crc);
	spec_free(im);
}

/* §7.2: a chained block after a direct one starts right after its bytes. */
static void test_chain(void)
{
	static const enum spec_enc encs[] = { SPEC_ENC_DIRECT_ZLIB,
		SPEC_ENC_ZLIB, SPEC_ENC_DIRECT_RAW, SPEC_ENC_HOLE,
		SPEC_ENC_RAW };
	static uint8_t data[4096 * 5];
	struct spec_image *im = spec_new(NULL);
	struct spec_node *f;
	uint32_t p0, p1, p2, p3, p4, s0;

	t_context("chaining");
	t_fill(data, sizeof(data), 1, true);
	memset(data + 3 * 4096, 0, 4096);
	f = spec_add_file(im, spec_root(im), "f", 0644, data, 4096 * 4 + 10);
	spec_set_encs(f, encs, 5);
	t_build(im);
	p0 = spec_get32(im, f->offset);
	p1 = spec_get32(im, f->offset + 4);
	p2 = spec_get32(im, f->offset + 8);
	p3 = spec_get32(im, f->offset + 12);
	p4 = spec_get32(im, f->offset + 16);
	CHECK_EQ(p0 >> 30, 1);
	s0 = (p0 & 0x3FFFFFFF) * 4;
	CHECK(s0 >= f->offset + 20 && s0 % 4 == 0);
	CHECK_EQ(p1 >> 30, 0);
	CHECK(p1 > s0 + 2 + spec_get16(im, s0));
	CHECK_EQ(p2 >> 30, 3);
	CHECK_EQ((p2 & 0x3FFFFFFF) * 4 % 4096, 0);
	CHECK_EQ(p3, (p2 & 0x3FFFFFFF) * 4 + 4096);
	CHECK_EQ(p4, 0x80000000u | (p3 + 10));
	CHECK_EQ(spec_get32(im, 8), 0x903);
	CHECK_EQ(spec_get32(im, 40), 5);
	spec_free(im);
}

int main(void)
{
	test_endianness_tree(SPEC_LE);
	test_endianness_tree(SPEC_BE);
	test_order();
	test_pad_blob();
	test_chain();
	return t_done("test_specimg");
}
