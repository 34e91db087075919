// SPDX-License-Identifier: MIT
/*
 * The XIP planner and its layouts: ELF program headers of both classes and
 * byte orders; which pages go in place (read-only segments, not pages a
 * writable segment shares, not the last page of a page-multiple file);
 * in-place blocks DIRECT|UNCOMPRESSED, aligned and consecutive, zero after
 * EOF; every file reads back; no-MMU alignment; the legacy layout; budget
 * and size limits fail without writing; bytes independent of threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cramfs/elf.h"
#include "tutil.h"

static char *src, *out;

struct seg {
	uint32_t offset, filesz, flags;
};

static void put_u(uint8_t *p, uint64_t v, unsigned width, bool be)
{
	for (unsigned i = 0; i < width; i++)
		p[be ? width - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* An ELF file of `size` bytes (random body) with these PT_LOADs. */
static uint8_t *make_elf(int cls, bool be, uint16_t type, const struct seg *s,
			 unsigned n, size_t size)
{
	uint8_t *b = malloc(size);
	unsigned eh = cls == 32 ? 52 : 64, ph = cls == 32 ? 32 : 56;

	t_fill(b, size, (uint32_t)size + n, false);
	memset(b, 0, eh + n * ph);
	memcpy(b, "\177ELF", 4);
	b[4] = cls == 32 ? 1 : 2;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	put_u(b + 16, type, 2, be);
	put_u(b + 18, 62, 2, be);
	put_u(b + (cls == 32 ? 28 : 32), eh, cls == 32 ? 4 : 8, be);
	put_u(b + (cls == 32 ? 42 : 54), ph, 2, be);
	put_u(b + (cls == 32 ? 44 : 56), n, 2, be);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = b + eh + i * ph;

		put_u(p, 1, 4, be);	/* PT_LOAD */
		if (cls == 32) {
			put_u(p + 4, s[i].offset, 4, be);
			put_u(p + 16, s[i].filesz, 4, be);
			put_u(p + 20, s[i].filesz, 4, be);
			put_u(p + 24, s[i].flags, 4, be);
		} else {
			put_u(p + 4, s[i].flags, 4, be);
			put_u(p + 8, s[i].offset, 8, be);
			put_u(p + 32, s[i].filesz, 8, be);
			put_u(p + 40, s[i].filesz, 8, be);
		}
	}
	return b;
}

static void put_file(const char *rel, const uint8_t *data, size_t len)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", src, rel);
	f = fopen(p, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
	chmod(p, 0755);
}

struct mem {
	const uint8_t *b;
	size_t len;
};

static long mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct mem *m = ctx;

	if (off >= m->len)
		return 0;
	if (len > m->len - off)
		len = m->len - off;
	memcpy(buf, m->b + off, len);
	return (long)len;
}

#define R CRAMFS_ELF_PF_R
#define W CRAMFS_ELF_PF_W
#define X CRAMFS_ELF_PF_X

static void test_elf_parse(void)
{
	const struct seg s[] = { { 0, 0x800, R }, { 0x1000, 0x2000, R | X },
				 { 0x3800, 0x2000, R | W } };
	struct cramfs_elf_info info;
	const char *why;
	uint64_t pgoff, pages;

	for (int v = 0; v < 4; v++) {
		int cls = v & 1 ? 64 : 32;
		bool be = v & 2;
		uint8_t *b = make_elf(cls, be, 2, s, 3, 0x5800);
		struct mem m = { b, 0x5800 };

		t_context("ELF%d %s", cls, be ? "BE" : "LE");
		CHECK_EQ(cramfs_elf_parse(mem_read, &m, m.len, &info, &why), 1);
		CHECK_EQ(info.elf_class, cls);
		CHECK_EQ(info.big_endian, be);
		CHECK_EQ(info.nload, 3u);
		CHECK_EQ(info.seg[2].offset, 0x3800u);
		CHECK_EQ(info.seg[2].filesz, 0x2000u);
		CHECK_EQ(info.seg[1].flags, R | X);
		CHECK(cramfs_elf_segment_in_place(&info.seg[1]));
		CHECK(!cramfs_elf_segment_in_place(&info.seg[2]));
		cramfs_elf_segment_pages(&info.seg[2], 4096, &pgoff, &pages);
		CHECK_EQ(pgoff, 3u);
		CHECK_EQ(pages, 3u);
		m.len = 0x5000;	/* the writable segment now runs past EOF */
		CHECK_EQ(cramfs_elf_parse(mem_read, &m, m.len, &info, &why), 0);
		CHECK(why && strstr(why, "past the end"));
		m.len = 40;	/* header cut */
		CHECK_EQ(cramfs_elf_parse(mem_read, &m, m.len, &info, &why), 0);
		free(b);
	}
	t_context("not ELF");
	{
		struct mem m = { (const uint8_t *)"#!/bin/sh\n", 10 };

		CHECK_EQ(cramfs_elf_parse(mem_read, &m, m.len, &info, &why), 0);
		CHECK(!why);
	}
}

/* The test tree; returns the number of regular files. */
static void make_tree(void)
{
	/* R page 0, RX pages 1-2, R page 3 shared with RW (3-5). */
	const struct seg prog[] = { { 0, 0x800, R }, { 0x1000, 0x2000, R | X },
				    { 0x3000, 0x900, R }, { 0x3900, 0x1f00, R | W } };
	const struct seg text32[] = { { 0, 0x2400, R | X } };
	const struct seg exact[] = { { 0, 0x3000, R | X } };
	uint8_t *b;

	b = make_elf(64, false, 3, prog, 4, 0x5800);
	put_file("prog", b, 0x5800);
	put_file("prog-copy", b, 0x5800);
	free(b);
	b = make_elf(32, true, 2, text32, 1, 0x2400);
	put_file("be32", b, 0x2400);
	free(b);
	b = make_elf(64, false, 2, exact, 1, 0x3000);
	put_file("exact", b, 0x3000);
	free(b);
	b = make_elf(64, false, 1, exact, 1, 0x3000);	/* ET_REL */
	put_file("reloc.o", b, 0x3000);
	free(b);
	b = malloc(10000);
	t_fill(b, 10000, 3, true);
	put_file("blob.bin", b, 10000);
	put_file("text", b, 5000);
	free(b);
}

static int build(const struct cramfs_build_opts *o, const char *name,
		 struct cramfs_build_result *r)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	return t_build_dir(src, p, o, r, false);
}

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char p[4096];
	FILE *f;
	uint8_t *buf = malloc(1 << 20);

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "rb");
	*len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static const struct cramfs_xip_file *find(const struct cramfs_xip_report *r,
					  const char *path)
{
	for (uint32_t i = 0; r && i < r->nfiles; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	return NULL;
}

static void expect_runs(const struct cramfs_xip_report *r, const char *path,
			const char *runs)
{
	const struct cramfs_xip_file *f = find(r, path);

	t_context("%s", path);
	if (!runs) {
		CHECK(!f);
		return;
	}
	CHECK(f != NULL);
	if (f && strcmp(f->runs, runs))
		t_fail(__FILE__, __LINE__, "%s: runs %s, want %s", path, f->runs,
		       runs);
}

static bool in_runs(const char *runs, uint32_t page)
{
	const char *p = runs;

	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (page >= a && page <= b)
			return true;
		p = *end == ',' ? end + 1 : end;
	}
	return false;
}

/* Every block of a planned file is where the plan says, in the right form. */
static void check_blocks(struct cramfs_file *f, const struct cramfs_xip_file *x,
			 const uint8_t *img, uint32_t align)
{
	uint64_t prev_start = 0;
	struct cramfs_block b;

	for (uint32_t i = 0; i < cramfs_file_block_count(f); i++) {
		bool want = x && in_runs(x->runs, i);
		bool du;

		CHECK_EQ(cramfs_file_block_info(f, i, &b), 0);
		du = (b.ptr & CRAMFS_BLK_FLAGS) == CRAMFS_BLK_FLAGS;
		t_context("%s block %u", x ? x->path : "?", i);
		CHECK_EQ(du, want);
		if (!want)
			continue;
		CHECK_EQ(b.start % align, 0u);
		if (i && in_runs(x->runs, i - 1))
			CHECK_EQ(b.start, prev_start + 4096);
		prev_start = b.start;
		if (i == cramfs_file_block_count(f) - 1 && align == 4096)
			for (uint32_t k = b.out_len; k < 4096; k++)
				if (img[b.start + k]) {
					t_fail(__FILE__, __LINE__, "tail byte %u not zero", k);
					break;
				}
	}
}

static void verify_file(struct cramfs_image *img, const char *name,
			const struct cramfs_xip_report *r, const uint8_t *raw,
			uint32_t align)
{
	char path[4096], want_path[4096];
	struct cramfs_node n;
	struct cramfs_file *f = NULL;
	size_t want_len;
	uint8_t *want = slurp(src, name, &want_len), *got = malloc(1 << 20);

	snprintf(want_path, sizeof(want_path), "/%s", name);
	/* A duplicate shares its original's blocks, so its plan too. */
	snprintf(path, sizeof(path), "/%s",
		 strcmp(name, "prog-copy") ? name : "prog");
	t_context("%s", path);
	CHECK_EQ(cramfs_lookup(img, strrchr(want_path, '/'), NULL, &n), 0);
	CHECK_EQ(cramfs_file_open(img, &n, NULL, &f), 0);
	if (f) {
		CHECK_EQ(cramfs_file_pread(f, got, 1 << 20, 0), (long)want_len);
		CHECK(!memcmp(got, want, want_len));
		if (r->mode == CRAMFS_XIP_LEGACY)
			CHECK_EQ(cramfs_file_layout(f) == CRAMFS_LAYOUT_LEGACY_XIP,
				 find(r, path) != NULL);
		else
			check_blocks(f, find(r, path), raw, align);
	}
	cramfs_file_close(f);
	free(want);
	free(got);
}

static const char *const names[] = { "prog", "prog-copy", "be32", "exact",
				      "reloc.o", "blob.bin", "text" };

static void verify(const char *name, const struct cramfs_xip_report *r,
		   uint32_t align)
{
	struct t_img t;
	size_t len;
	uint8_t *raw = slurp(out, name, &len);
	struct cramfs_tree_stats st;

	t_context("%s", name);
	CHECK_EQ(t_open(&t, raw, len, 4096), 0);
	if (t.img) {
		CHECK_EQ(cramfs_check(t.img, 0, t.diag, &st), 0);
		CHECK_EQ(t_errors(t.diag), 0u);
		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
			verify_file(t.img, names[i], r, raw, align);
	}
	if (t_errors(t.diag))
		t_dump_diag(t.diag);
	t_close(&t);
	free(raw);
}

static void test_mmu(void)
{
	const char *globs[] = { "*.bin" };
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE,
		.xip = { .mode = CRAMFS_XIP_MMU, .globs = globs, .nglobs = 1 } };
	struct cramfs_build_result r, r2;
	const struct cramfs_xip_file *f;

	CHECK_EQ(build(&o, "mmu.img", &r), 0);
	CHECK(r.xip != NULL);
	expect_runs(r.xip, "/prog", "0-2");
	expect_runs(r.xip, "/prog-copy", NULL);	/* shares /prog's data */
	expect_runs(r.xip, "/be32", "0-2");
	expect_runs(r.xip, "/exact", "0-1");
	expect_runs(r.xip, "/reloc.o", NULL);
	expect_runs(r.xip, "/blob.bin", "0-2");
	expect_runs(r.xip, "/text", NULL);
	f = find(r.xip, "/prog");
	CHECK(f && f->shared_rw == 1 && f->nsegs == 4 && f->segs[1].in_place == 2);
	f = find(r.xip, "/exact");
	CHECK(f && f->exact_last == 1);
	f = find(r.xip, "/be32");
	CHECK(f && f->tail_fill == 4096 - 0x400 && f->flash_bytes == 3 * 4096);
	CHECK_EQ(r.xip->region_offset % 4096, 0u);
	CHECK_EQ(r.xip->region_bytes, (3 + 3 + 2 + 3) * 4096u);
	verify("mmu.img", r.xip, 4096);
	o.threads = 1;
	CHECK_EQ(build(&o, "mmu-1.img", &r2), 0);
	{
		size_t a, b;
		uint8_t *x = slurp(out, "mmu.img", &a), *y = slurp(out, "mmu-1.img", &b);

		CHECK(a == b && !memcmp(x, y, a));
		free(x);
		free(y);
	}
	cramfs_xip_report_free(r.xip);
	cramfs_xip_report_free(r2.xip);
	o.xip.all_elf = true;
	CHECK_EQ(build(&o, "all.img", &r), 0);
	expect_runs(r.xip, "/reloc.o", "0-1");
	cramfs_xip_report_free(r.xip);
}

static void test_nommu_legacy(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE,
		.xip = { .mode = CRAMFS_XIP_NOMMU } };
	struct cramfs_build_result r;

	CHECK_EQ(build(&o, "nommu.img", &r), 0);
	expect_runs(r.xip, "/be32", "0-2");
	CHECK_EQ(find(r.xip, "/be32")->tail_fill, 0u);
	/* no-MMU maps a segment only whole: shared pages stay in place... */
	expect_runs(r.xip, "/prog", "0-3");
	/* ...and a segment that loses its last page (18 #1) loses all */
	expect_runs(r.xip, "/exact", NULL);
	verify("nommu.img", r.xip, 8);
	cramfs_xip_report_free(r.xip);
	o.xip.align = 6;
	CHECK_EQ(build(&o, "bad.img", &r), -EINVAL);
	cramfs_xip_report_free(r.xip);
	o.xip = (struct cramfs_xip_opts){ .mode = CRAMFS_XIP_LEGACY };
	CHECK_EQ(build(&o, "legacy.img", &r), 0);
	expect_runs(r.xip, "/prog", "0-5");
	expect_runs(r.xip, "/exact", "0-2");
	expect_runs(r.xip, "/text", NULL);
	verify("legacy.img", r.xip, 4096);
	cramfs_xip_report_free(r.xip);
}

static bool exists(const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	return access(p, F_OK) == 0;
}

static void test_limits(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE,
		.xip = { .mode = CRAMFS_XIP_MMU, .budget = 4 * 4096 } };
	struct cramfs_build_result r;

	t_context("budget");
	CHECK_EQ(build(&o, "budget.img", &r), -ENOSPC);
	CHECK(!exists("budget.img"));
	cramfs_xip_report_free(r.xip);
	o.xip.budget = 8 * 4096;	/* prog 3 + be32 3 + exact 2 */
	CHECK_EQ(build(&o, "budget.img", &r), 0);
	cramfs_xip_report_free(r.xip);
	t_context("max size");
	o.max_size = 8192;
	CHECK_EQ(build(&o, "small.img", &r), -ENOSPC);
	CHECK(!exists("small.img"));
	cramfs_xip_report_free(r.xip);
}

int main(void)
{
	src = t_mkdtemp("xip-src");
	out = t_mkdtemp("xip-out");
	if (!src || !out)
		return 1;
	test_elf_parse();
	make_tree();
	test_mmu();
	test_nommu_legacy();
	test_limits();
	t_rmtree(src);
	t_rmtree(out);
	free(src);
	free(out);
	return t_done("test_xip_build");
}
