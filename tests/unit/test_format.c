/* SPDX-License-Identifier: MIT */
/*
 * format module: inode and superblock encoding against the golden bytes of
 * docs/format.md §4.3 (util-linux mkfs-endianness fixture), superblock
 * location, CRC-32 and the small helpers.
 */
#include <errno.h>
#include <string.h>

#include "tutil.h"

static const uint8_t root_le[12] = { 0xED, 0x41, 0x00, 0x00, 0x10, 0x00,
				     0x00, 0x00, 0xC0, 0x04, 0x00, 0x00 };
static const uint8_t root_be[12] = { 0x41, 0xED, 0x00, 0x00, 0x00, 0x00,
				     0x10, 0x00, 0x00, 0x00, 0x00, 0x13 };

static void check_inode(const struct cramfs_inode *i, uint32_t mode,
			uint32_t size, uint32_t namelen, uint32_t offset)
{
	CHECK_EQ(i->mode, mode);
	CHECK_EQ(i->uid, 0);
	CHECK_EQ(i->size, size);
	CHECK_EQ(i->gid, 0);
	CHECK_EQ(i->namelen, namelen);
	CHECK_EQ(i->offset, offset);
}

static void test_golden_root(void)
{
	struct cramfs_inode ino;
	uint8_t raw[12];

	t_context("golden root");
	cramfs_inode_decode(root_le, CRAMFS_LITTLE_ENDIAN, &ino);
	check_inode(&ino, 040755, 16, 0, 19);
	cramfs_inode_encode(&ino, CRAMFS_LITTLE_ENDIAN, raw);
	CHECK(memcmp(raw, root_le, 12) == 0);

	cramfs_inode_decode(root_be, CRAMFS_BIG_ENDIAN, &ino);
	check_inode(&ino, 040755, 16, 0, 19);
	cramfs_inode_encode(&ino, CRAMFS_BIG_ENDIAN, raw);
	CHECK(memcmp(raw, root_be, 12) == 0);
}

/* "dirA": namelen 1, entry list at 92 = 23 * 4. */
static void test_golden_dira(void)
{
	static const uint8_t w_le[4] = { 0xC1, 0x05, 0x00, 0x00 };
	static const uint8_t w_be[4] = { 0x04, 0x00, 0x00, 0x17 };
	struct cramfs_inode ino = { .mode = 040755, .size = 12,
				    .namelen = 1, .offset = 23 }, back;
	uint8_t raw[12];

	t_context("golden dirA");
	cramfs_inode_encode(&ino, CRAMFS_LITTLE_ENDIAN, raw);
	CHECK(memcmp(raw + 8, w_le, 4) == 0);
	cramfs_inode_decode(raw, CRAMFS_LITTLE_ENDIAN, &back);
	check_inode(&back, 040755, 12, 1, 23);

	cramfs_inode_encode(&ino, CRAMFS_BIG_ENDIAN, raw);
	CHECK(memcmp(raw + 8, w_be, 4) == 0);
	cramfs_inode_decode(raw, CRAMFS_BIG_ENDIAN, &back);
	check_inode(&back, 040755, 12, 1, 23);
}

static bool inode_eq(const struct cramfs_inode *a, const struct cramfs_inode *b)
{
	return a->mode == b->mode && a->uid == b->uid && a->size == b->size &&
	       a->gid == b->gid && a->namelen == b->namelen &&
	       a->offset == b->offset;
}

/* Each field alone at its maximum: no field may bleed into another. */
static void test_inode_fields(enum cramfs_endian e)
{
	static const struct cramfs_inode cases[] = {
		{ .mode = 0xFFFF }, { .uid = 0xFFFF }, { .size = 0xFFFFFF },
		{ .gid = 0xFF }, { .namelen = 0x3F }, { .offset = 0x3FFFFFF },
		{ 0xFFFF, 0xFFFF, 0xFFFFFF, 0xFF, 0x3F, 0x3FFFFFF },
		{ 0x81A4, 0x1234, 0xABCDEF, 0x56, 0x15, 0x2345678 },
	};
	struct spec_inode si;
	uint8_t raw[12], sraw[12];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cramfs_inode back;
		t_context("inode fields endian %d case %zu", e, i);
		CHECK(cramfs_inode_fits(&cases[i]));
		cramfs_inode_encode(&cases[i], e, raw);
		cramfs_inode_decode(raw, e, &back);
		CHECK(inode_eq(&back, &cases[i]));
		si = (struct spec_inode){ cases[i].mode, cases[i].uid,
					  cases[i].size, cases[i].gid,
					  cases[i].namelen, cases[i].offset };
		spec_inode_encode(&si, (enum spec_endian)e, sraw);
		CHECK(memcmp(raw, sraw, 12) == 0);
	}
}

static void test_inode_fits(void)
{
	struct cramfs_inode ok = { 0xFFFF, 0xFFFF, 0xFFFFFF, 0xFF, 63,
				   0x3FFFFFF };
	struct cramfs_inode bad;

	t_context("inode fits");
	CHECK(cramfs_inode_fits(&ok));
	bad = ok, bad.mode = 0x10000;
	CHECK(!cramfs_inode_fits(&bad));
	bad = ok, bad.uid = 0x10000;
	CHECK(!cramfs_inode_fits(&bad));
	bad = ok, bad.size = 0x1000000;
	CHECK(!cramfs_inode_fits(&bad));
	bad = ok, bad.gid = 0x100;
	CHECK(!cramfs_inode_fits(&bad));
	bad = ok, bad.namelen = 64;
	CHECK(!cramfs_inode_fits(&bad));
	bad = ok, bad.offset = 0x4000000;
	CHECK(!cramfs_inode_fits(&bad));
}

static void make_super(struct cramfs_super *s)
{
	memset(s, 0, sizeof(*s));
	s->magic = CRAMFS_MAGIC;
	s->size = 0x12345678;
	s->flags = 0xF03;
	s->future = 0xA5A5A5A5;
	memcpy(s->signature, CRAMFS_SIGNATURE, 16);
	s->crc = 0xDEADBEEF;
	s->edition = 7;
	s->blocks = 0x01020304;
	s->files = 0x0A0B0C0D;
	memcpy(s->name, "sixteen-bytes-xx", 16);
	s->root = (struct cramfs_inode){ 040755, 3, 16, 4, 0, 19 };
}

static void test_super(enum cramfs_endian e)
{
	static const uint8_t magic_le[4] = { 0x45, 0x3D, 0xCD, 0x28 };
	static const uint8_t magic_be[4] = { 0x28, 0xCD, 0x3D, 0x45 };
	struct cramfs_super s, back;
	uint8_t raw[CRAMFS_SUPER_SIZE];

	t_context("super endian %d", e);
	make_super(&s);
	cramfs_super_encode(&s, e, raw);
	CHECK(memcmp(raw, e == CRAMFS_LITTLE_ENDIAN ? magic_le : magic_be,
		     4) == 0);
	CHECK(memcmp(raw + 16, CRAMFS_SIGNATURE, 16) == 0);
	CHECK(memcmp(raw + 48, "sixteen-bytes-xx", 16) == 0);
	CHECK_EQ(cramfs_get32(raw + 32, e), 0xDEADBEEF);
	CHECK_EQ(cramfs_get32(raw + 44, e), 0x0A0B0C0D);
	cramfs_super_decode(raw, e, &back);
	CHECK_EQ(back.magic, s.magic);
	CHECK_EQ(back.size, s.size);
	CHECK_EQ(back.flags, s.flags);
	CHECK_EQ(back.future, s.future);
	CHECK_EQ(back.crc, s.crc);
	CHECK_EQ(back.edition, s.edition);
	CHECK_EQ(back.blocks, s.blocks);
	CHECK_EQ(back.files, s.files);
	CHECK(memcmp(back.signature, s.signature, 16) == 0);
	CHECK(memcmp(back.name, s.name, 16) == 0);
	CHECK(inode_eq(&back.root, &s.root));
}

static void put_magic(uint8_t *p, enum cramfs_endian e)
{
	cramfs_put32(p, CRAMFS_MAGIC, e);
}

static void expect_locate(const uint8_t *buf, size_t len, int want_rc,
			  uint32_t want_start, enum cramfs_endian want_e)
{
	uint32_t start = 99;
	enum cramfs_endian e = 99;
	int rc = cramfs_super_locate(buf, len, &start, &e);

	CHECK_EQ(rc, want_rc);
	if (want_rc == 0 && rc == 0) {
		CHECK_EQ(start, want_start);
		CHECK_EQ(e, want_e);
	}
}

static void test_locate(void)
{
	static uint8_t buf[1024];

	for (int e = 0; e < 2; e++) {
		t_context("locate endian %d", e);
		memset(buf, 0, sizeof(buf));
		put_magic(buf, (enum cramfs_endian)e);
		expect_locate(buf, sizeof(buf), 0, 0, (enum cramfs_endian)e);
		expect_locate(buf, CRAMFS_SUPER_SIZE, 0, 0,
			      (enum cramfs_endian)e);
		memset(buf, 0, sizeof(buf));
		put_magic(buf + 512, (enum cramfs_endian)e);
		expect_locate(buf, sizeof(buf), 0, 512, (enum cramfs_endian)e);
		expect_locate(buf, 512 + CRAMFS_SUPER_SIZE, 0, 512,
			      (enum cramfs_endian)e);
		expect_locate(buf, 514, -EUCLEAN, 0, 0);
	}
	t_context("locate wrong magic");
	memset(buf, 0, sizeof(buf));
	expect_locate(buf, sizeof(buf), -EUCLEAN, 0, 0);
	memcpy(buf, "\x45\x3D\xCD\x29", 4);
	expect_locate(buf, sizeof(buf), -EUCLEAN, 0, 0);
	/* a magic anywhere but 0 or 512 does not count */
	memset(buf, 0, sizeof(buf));
	put_magic(buf + 256, CRAMFS_LITTLE_ENDIAN);
	expect_locate(buf, sizeof(buf), -EUCLEAN, 0, 0);
	put_magic(buf, CRAMFS_LITTLE_ENDIAN);
	expect_locate(buf, 3, -EUCLEAN, 0, 0);
	expect_locate(buf, 0, -EUCLEAN, 0, 0);
}

static void test_crc(void)
{
	const char *v = "123456789";
	uint32_t c;

	t_context("crc32");
	CHECK_EQ(cramfs_crc32(0, v, 9), 0xCBF43926u);
	c = cramfs_crc32(0, v, 4);
	CHECK_EQ(cramfs_crc32(c, v + 4, 5), 0xCBF43926u);
	CHECK_EQ(cramfs_crc32(0, v, 0), 0);
}

static void test_endian_helpers(void)
{
	uint8_t b[4];
	union { uint16_t v; uint8_t c[2]; } u = { .v = 1 };

	t_context("get/put");
	cramfs_put32(b, 0x11223344, CRAMFS_LITTLE_ENDIAN);
	CHECK(b[0] == 0x44 && b[3] == 0x11);
	CHECK_EQ(cramfs_get32(b, CRAMFS_BIG_ENDIAN), 0x44332211u);
	cramfs_put16(b, 0xA1B2, CRAMFS_BIG_ENDIAN);
	CHECK(b[0] == 0xA1 && b[1] == 0xB2);
	CHECK_EQ(cramfs_get16(b, CRAMFS_LITTLE_ENDIAN), 0xB2A1);
	CHECK_EQ(cramfs_host_endian(), u.c[0] ? CRAMFS_LITTLE_ENDIAN
					      : CRAMFS_BIG_ENDIAN);
}

static void test_small_helpers(void)
{
	t_context("helpers");
	CHECK_EQ(cramfs_name_padded(0), 0);
	CHECK_EQ(cramfs_name_padded(1), 4);
	CHECK_EQ(cramfs_name_padded(4), 4);
	CHECK_EQ(cramfs_name_padded(5), 8);
	CHECK_EQ(cramfs_name_padded(252), 252);
	CHECK_EQ(cramfs_type_char(0100644), '-');
	CHECK_EQ(cramfs_type_char(040755), 'd');
	CHECK_EQ(cramfs_type_char(0120777), 'l');
	CHECK_EQ(cramfs_type_char(020644), 'c');
	CHECK_EQ(cramfs_type_char(060644), 'b');
	CHECK_EQ(cramfs_type_char(010644), 'p');
	CHECK_EQ(cramfs_type_char(0140644), 's');
	CHECK_EQ(cramfs_type_char(0170644), '?');
	CHECK(cramfs_has_data(0100644) && cramfs_has_data(0120777));
	CHECK(!cramfs_has_data(040755) && !cramfs_has_data(020644));
}

int main(void)
{
	test_golden_root();
	test_golden_dira();
	test_inode_fields(CRAMFS_LITTLE_ENDIAN);
	test_inode_fields(CRAMFS_BIG_ENDIAN);
	test_inode_fits();
	test_super(CRAMFS_LITTLE_ENDIAN);
	test_super(CRAMFS_BIG_ENDIAN);
	test_locate();
	test_crc();
	test_endian_helpers();
	test_small_helpers();
	return t_done("test_format");
}
