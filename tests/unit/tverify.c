/* SPDX-License-Identifier: MIT */
/*
 * The spec-vs-library verifier: everything the reader API shows of an image
 * must match the specimg tree the image was built from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "ttrees.h"

static const struct spec_node *data_owner(const struct spec_node *sn)
{
	while (sn->share)
		sn = sn->share;
	return sn;
}

static enum spec_enc spec_enc_of(const struct spec_node *sn, uint32_t i)
{
	if (!sn->encs)
		return SPEC_ENC_ZLIB;
	if (sn->nencs == 1)
		return sn->encs[0];
	return i < sn->nencs ? sn->encs[i] : SPEC_ENC_ZLIB;
}

static bool spec_is(const struct spec_node *sn, uint32_t type)
{
	return (sn->mode & CRAMFS_S_IFMT) == type;
}

static void verify_info(struct t_img *t, struct spec_image *sp)
{
	struct cramfs_image_info info;
	uint32_t crc = 0;

	cramfs_image_get_info(t->img, &info);
	CHECK_EQ(info.endian, sp->o.endian);
	CHECK_EQ(info.start, sp->start);
	CHECK_EQ(info.block_size, sp->o.block_size);
	CHECK_EQ(info.super.magic, CRAMFS_MAGIC);
	CHECK_EQ(info.super.size, sp->len);
	CHECK_EQ(info.super.flags, sp->flags);
	CHECK_EQ(info.super.files, sp->files);
	CHECK_EQ(info.super.blocks, sp->blocks);
	CHECK_EQ(info.super.crc, sp->crc);
	CHECK_EQ(info.source_size, sp->len);
	CHECK_EQ(info.image_size, sp->len);
	CHECK(info.version2);
	CHECK_EQ(cramfs_image_compute_crc(t->img, &crc), 0);
	CHECK_EQ(crc, sp->crc);
}

/* pread that tolerates short reads (legal) but not errors. */
static long pread_full(struct cramfs_file *f, uint8_t *buf, size_t len,
		       uint64_t off)
{
	size_t got = 0;
	long n;

	do {
		n = cramfs_file_pread(f, buf + got, len - got, off + got);
		if (n > 0)
			got += (size_t)n;
	} while (n > 0 && got < len);
	return n < 0 ? n : (long)got;
}

static void verify_preads(struct cramfs_file *f, const struct spec_node *sn,
			  uint32_t bs)
{
	uint64_t sl = sn->len;
	const uint64_t offs[] = { 0, 1, 3, 511, bs - 1, bs, bs + 1,
				  2 * (uint64_t)bs - 3, sl / 2, sl - 1, sl,
				  sl + 1, sl + 100000 };
	const size_t lens[] = { 1, 5, 333, bs + 3, 3 * (size_t)bs };
	uint8_t *buf = malloc(3 * (size_t)bs + 16);

	for (size_t i = 0; buf && i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			uint64_t off = offs[i];
			uint64_t want = off >= sl ? 0 : sl - off;
			long got = pread_full(f, buf, lens[j], off);
			if (want > lens[j])
				want = lens[j];
			CHECK_EQ(got, want);
			if (got == (long)want && want)
				CHECK(memcmp(buf, sn->data + off, want) == 0);
		}
	}
	free(buf);
}

static void verify_block(struct cramfs_file *f, const struct spec_node *own,
			 uint32_t i, uint32_t bs, uint8_t *buf)
{
	static const enum cramfs_block_kind kinds[] = {
		[SPEC_ENC_ZLIB] = CRAMFS_BLOCK_ZLIB,
		[SPEC_ENC_HOLE] = CRAMFS_BLOCK_HOLE,
		[SPEC_ENC_RAW] = CRAMFS_BLOCK_RAW,
		[SPEC_ENC_DIRECT_ZLIB] = CRAMFS_BLOCK_ZLIB,
		[SPEC_ENC_DIRECT_RAW] = CRAMFS_BLOCK_RAW,
	};
	enum spec_enc e = spec_enc_of(own, i);
	size_t at = (size_t)i * bs, out_len = 0;
	size_t want = own->len - at < bs ? own->len - at : bs;
	struct cramfs_block blk;

	CHECK_EQ(cramfs_file_block_info(f, i, &blk), 0);
	CHECK_EQ(blk.kind, kinds[e]);
	CHECK_EQ(blk.direct, e == SPEC_ENC_DIRECT_ZLIB ||
			     e == SPEC_ENC_DIRECT_RAW);
	CHECK_EQ(blk.out_len, want);
	CHECK_EQ(cramfs_file_read_block(f, i, buf, &out_len), 0);
	CHECK_EQ(out_len, want);
	if (out_len == want)
		CHECK(memcmp(buf, own->data + at, want) == 0);
}

static void verify_blocks(struct cramfs_file *f, const struct spec_node *sn,
			  uint32_t bs)
{
	const struct spec_node *own = data_owner(sn);
	struct cramfs_block blk;
	uint8_t *buf;

	if (own->legacy_xip) {
		CHECK_EQ(cramfs_file_layout(f), CRAMFS_LAYOUT_LEGACY_XIP);
		return;
	}
	CHECK_EQ(cramfs_file_layout(f), CRAMFS_LAYOUT_BLOCKS);
	CHECK_EQ(cramfs_file_block_count(f), own->nblocks);
	buf = malloc(bs);
	for (uint32_t i = 0; buf && i < own->nblocks; i++)
		verify_block(f, own, i, bs, buf);
	free(buf);
	CHECK_EQ(cramfs_file_block_info(f, own->nblocks, &blk), -EINVAL);
}

static void verify_file(struct t_img *t, const struct cramfs_node *n,
			const struct spec_node *sn, uint32_t bs)
{
	struct cramfs_file *f = NULL;
	uint8_t *buf = NULL;
	long got = t_read_all(t->img, n, sn->len + 1, &buf);

	CHECK_EQ(got, sn->len);
	if (got == (long)sn->len)
		CHECK(memcmp(buf, sn->data, sn->len) == 0);
	free(buf);
	got = t_read_all(t->img, n, 1000, &buf);
	CHECK_EQ(got, sn->len);
	if (got == (long)sn->len)
		CHECK(memcmp(buf, sn->data, sn->len) == 0);
	free(buf);
	CHECK_EQ(cramfs_file_open(t->img, n, t->diag, &f), 0);
	if (!f)
		return;
	verify_preads(f, sn, bs);
	verify_blocks(f, sn, bs);
	cramfs_file_close(f);
}

static void verify_symlink(struct t_img *t, const struct cramfs_node *n,
			   const struct spec_node *sn)
{
	char *buf = malloc(sn->len + 2);

	CHECK_EQ(cramfs_readlink(t->img, n, NULL, buf, sn->len + 2), sn->len);
	CHECK(memcmp(buf, sn->data, sn->len) == 0 && buf[sn->len] == 0);
	CHECK_EQ(cramfs_readlink(t->img, n, NULL, buf, sn->len), -ERANGE);
	free(buf);
}

static void verify_dev(const struct cramfs_node *n, const struct spec_node *sn)
{
	unsigned ma = 0, mi = 0;
	dev_t d = (dev_t)sn->rdev;

	CHECK_EQ(n->inode.size, sn->rdev);
	cramfs_rdev_split(n->inode.size, &ma, &mi);
	CHECK_EQ(ma, major(d));
	CHECK_EQ(mi, minor(d));
	cramfs_rdev_split_kernel(n->inode.size, &ma, &mi);
	CHECK_EQ(ma, (sn->rdev >> 8) & 0xFF);
	CHECK_EQ(mi, sn->rdev & 0xFF);
}

static void verify_dir(struct t_img *t, const struct cramfs_node *n,
		       const struct spec_node *sn)
{
	struct cramfs_dir *d = NULL;
	struct cramfs_node e;
	size_t i = 0;
	int rc;

	CHECK_EQ(cramfs_dir_open(t->img, n, t->diag, &d), 0);
	if (!d)
		return;
	while ((rc = cramfs_dir_next(d, &e)) == 1) {
		if (i < sn->nkids) {
			CHECK(strcmp(e.name, sn->kids[i]->name) == 0);
			CHECK_EQ(e.name_len, strlen(sn->kids[i]->name));
			CHECK_EQ(e.entry_offset, sn->kids[i]->entry_off);
		}
		i++;
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(i, sn->nkids);
	cramfs_dir_close(d);
}

static void verify_meta(const struct cramfs_node *n, const struct spec_node *sn)
{
	CHECK_EQ(n->inode.mode, sn->mode);
	CHECK_EQ(n->inode.uid, sn->uid);
	CHECK_EQ(n->inode.gid, sn->gid);
	CHECK_EQ(cramfs_node_data_offset(n), sn->offset);
	if (!sn->parent)
		return;
	CHECK(strcmp(n->name, sn->name) == 0);
	CHECK_EQ(n->entry_offset, sn->entry_off);
	CHECK_EQ(n->inode.namelen, (strlen(sn->name) + 3) / 4);
}

static void verify_node(struct t_img *t, struct spec_image *sp,
			const struct spec_node *sn)
{
	struct cramfs_node n;
	struct cramfs_dir *d = NULL;
	int rc = cramfs_lookup(t->img, sn->path, t->diag, &n);

	CHECK_EQ(rc, 0);
	if (rc)
		return;
	verify_meta(&n, sn);
	if (spec_is(sn, CRAMFS_S_IFDIR)) {
		CHECK_EQ(n.inode.size, sn->size);
		verify_dir(t, &n, sn);
		return;
	}
	CHECK_EQ(cramfs_dir_open(t->img, &n, NULL, &d), -ENOTDIR);
	if (spec_is(sn, CRAMFS_S_IFREG) || spec_is(sn, CRAMFS_S_IFLNK)) {
		CHECK_EQ(n.inode.size, sn->len);
		verify_file(t, &n, sn, sp->o.block_size);
	}
	if (spec_is(sn, CRAMFS_S_IFLNK))
		verify_symlink(t, &n, sn);
	if (spec_is(sn, CRAMFS_S_IFCHR) || spec_is(sn, CRAMFS_S_IFBLK))
		verify_dev(&n, sn);
	if (spec_is(sn, CRAMFS_S_IFIFO) || spec_is(sn, CRAMFS_S_IFSOCK))
		CHECK_EQ(n.inode.size, 0);
}

/* The walk order is the on-disk pre-order of the spec tree. */
static void preorder(const struct spec_node *sn, const struct spec_node **out,
		     size_t *n)
{
	out[(*n)++] = sn;
	for (size_t i = 0; i < sn->nkids; i++)
		preorder(sn->kids[i], out, n);
}

static void verify_walk(struct t_img *t, struct spec_image *sp)
{
	const struct spec_node **order = calloc(sp->nall, sizeof(*order));
	struct cramfs_walk *w = NULL;
	struct cramfs_walk_entry e;
	size_t n = 0, i = 0, dirs = 0, done = 0;
	int rc;

	preorder(sp->root, order, &n);
	CHECK_EQ(cramfs_walk_open(t->img, NULL, CRAMFS_WALK_WANT_DIR_DONE,
				  t->diag, &w), 0);
	while (w && (rc = cramfs_walk_next(w, &e)) == 1) {
		if (e.event == CRAMFS_WALK_DIR_DONE) {
			done++;
			continue;
		}
		CHECK(i < n);
		if (i < n) {
			CHECK(strcmp(e.path, order[i]->path) == 0);
			CHECK_EQ(e.node.inode.mode, order[i]->mode);
			dirs += spec_is(order[i], CRAMFS_S_IFDIR);
		}
		i++;
	}
	if (w)
		CHECK_EQ(rc, 0);
	CHECK_EQ(i, n);
	CHECK_EQ(done, dirs);
	cramfs_walk_close(w);
	free(order);
}

void t_verify_image(struct t_img *t, struct spec_image *sp)
{
	char base[200];

	snprintf(base, sizeof(base), "%s", t_context_get());
	verify_info(t, sp);
	for (size_t i = 0; i < sp->nall; i++) {
		t_context("%s: /%s", base, sp->all[i]->path);
		verify_node(t, sp, sp->all[i]);
	}
	t_context("%s: walk", base);
	verify_walk(t, sp);
	t_context("%s", base);
}
