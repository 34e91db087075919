/* SPDX-License-Identifier: MIT */
/*
 * The XIP predictor against every rule of format.md §8.2 (cramfs_physmem_mmap)
 * and §8.3 (no-MMU), the read-path bug of §18 #1, the per-file summary
 * (whole file and ELF segments) and the image scan.  Images come from
 * specimg with per-block encodings, then get their pointers or padding
 * edited where a rule needs a layout no builder makes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tutil.h"

#define PS 4096u
#define DU 0xC0000000u

static const enum spec_enc D = SPEC_ENC_DIRECT_RAW, Z = SPEC_ENC_ZLIB,
			   H = SPEC_ENC_HOLE, R = SPEC_ENC_RAW,
			   DZ = SPEC_ENC_DIRECT_ZLIB;

/* An image with files "f" (and "g" when g_len) and the file "f" opened. */
struct fx {
	struct spec_image *im;
	struct spec_node *f;
	struct t_img t;
	struct cramfs_file *file;
};

static uint8_t *random_data(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	t_fill(p, len, seed, false);
	return p;
}

static void fx_build(struct fx *x, const struct spec_opts *o, size_t len,
		     const enum spec_enc *encs, size_t nencs, size_t g_len)
{
	uint8_t *data = random_data(len, 1);

	memset(x, 0, sizeof(*x));
	x->im = spec_new(o);
	/* a hole must read as zeros */
	for (size_t i = 0; i < nencs && nencs > 1; i++)
		if (encs[i] == SPEC_ENC_HOLE)
			memset(data + i * PS, 0,
			       len - i * PS < PS ? len - i * PS : PS);
	x->f = spec_add_file(x->im, spec_root(x->im), "f", 0755, data, len);
	spec_set_encs(x->f, encs, nencs);
	if (g_len) {
		uint8_t *g = random_data(g_len, 2);

		spec_add_file(x->im, spec_root(x->im), "g", 0644, g, g_len);
		free(g);
	}
	free(data);
	t_build(x->im);
}

static void fx_open(struct fx *x)
{
	struct cramfs_node n;
	int rc = t_open(&x->t, x->im->buf, x->im->len, 0);

	CHECK_EQ(rc, 0);
	if (rc)
		return;
	CHECK_EQ(cramfs_lookup(x->t.img, "f", x->t.diag, &n), 0);
	CHECK_EQ(cramfs_file_open(x->t.img, &n, x->t.diag, &x->file), 0);
}

static void fx_close(struct fx *x)
{
	cramfs_file_close(x->file);
	t_close(&x->t);
	spec_free(x->im);
}

static uint32_t ptr_at(const struct fx *x, uint32_t i)
{
	return spec_get32(x->im, x->f->offset + 4u * i);
}

static void ptr_set(struct fx *x, uint32_t i, uint32_t v)
{
	spec_put32(x->im, x->f->offset + 4u * i, v);
}

static uint64_t block_start(const struct fx *x, uint32_t i)
{
	return (uint64_t)(ptr_at(x, i) & ~DU) << 2;
}

static struct cramfs_xip_map mmu(struct fx *x, uint64_t pgoff,
				 uint64_t pages, bool writable)
{
	struct cramfs_xip_map m;
	int rc = cramfs_xip_predict(x->t.img, x->file, PS, pgoff, pages,
				    writable, &m);

	CHECK_EQ(rc, 0);
	return m;
}

static struct cramfs_xip_map nommu(struct fx *x, uint64_t pgoff,
				   uint64_t pages, bool writable)
{
	struct cramfs_xip_map m;
	int rc = cramfs_xip_predict_nommu(x->t.img, x->file, PS, pgoff,
					  pages, writable, &m);

	CHECK_EQ(rc, 0);
	return m;
}

static bool reason_is(const struct cramfs_xip_map *m, const char *want)
{
	if (!m->reason || !want)
		return m->reason == want;
	return !strcmp(m->reason, want);
}

/* All D+U, page-aligned, tail zero-filled: one pfnmap of every page. */
static void test_all_direct(enum spec_endian e)
{
	struct spec_opts o = { .endian = e };
	struct fx x;
	struct cramfs_xip_map m;

	t_context("all direct, endian %d", e);
	fx_build(&x, &o, 2 * PS + 100, &D, 1, 5000);
	fx_open(&x);
	m = mmu(&x, 0, 3, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(m.pages, 3);
	CHECK_EQ(m.direct_pages, 3);
	CHECK_EQ(m.image_offset, block_start(&x, 0));
	CHECK_EQ(m.image_offset % PS, 0);
	CHECK(reason_is(&m, NULL));
	CHECK(!m.range_break && !m.last_page_shared);
	/* a window in the middle, and one clipped at EOF */
	m = mmu(&x, 1, 1, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(m.image_offset, block_start(&x, 1));
	m = mmu(&x, 1, 5, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.pages, 2);
	CHECK_EQ(m.direct_pages, 2);
	CHECK(reason_is(&m, "mapping extends past the end of the file"));
	CHECK(!cramfs_xip_read_bug(x.file, PS));
	fx_close(&x);
}

/* A non-zero byte after EOF in the last page: that page is dropped. */
static void test_tail_not_zero(void)
{
	struct fx x;
	struct cramfs_xip_map m;
	char why[160];

	t_context("tail not zero");
	fx_build(&x, NULL, 2 * PS + 100, &D, 1, 0);
	x.im->buf[block_start(&x, 2) + 100 + 7] = 0xAA;
	fx_open(&x);
	m = mmu(&x, 0, 3, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.direct_pages, 2);
	CHECK(m.last_page_shared);
	CHECK(reason_is(&m, "last page is shared"));
	/* only the last page asked for: nothing remains */
	m = mmu(&x, 2, 1, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "no suitable block remaining"));
	cramfs_xip_describe(&m, why, sizeof(why));
	CHECK(!strcmp(why, "no suitable block remaining; last page is shared"));
	/* a mapping that stops before the last page never looks at it */
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK(!m.last_page_shared);
	fx_close(&x);
}

/* No tail fill: next file's bytes follow (format.md §8.2's 5000 B case). */
static void test_next_file_follows(void)
{
	struct spec_opts o = { .no_tail_pad = true };
	struct fx x;
	struct cramfs_xip_map m;

	t_context("next file follows");
	fx_build(&x, &o, 5000, &D, 1, 3000);
	fx_open(&x);
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.direct_pages, 1);
	CHECK(reason_is(&m, "last page is shared"));
	fx_close(&x);
}

/* The last page runs past the end of the image: unknown flash is data. */
static void test_tail_past_image(void)
{
	struct spec_opts o = { .no_tail_pad = true };
	struct fx x;
	struct cramfs_xip_map m;

	t_context("tail past the image end");
	fx_build(&x, &o, PS + 10, &D, 1, 0);
	CHECK(block_start(&x, 1) + PS > x.im->len);
	fx_open(&x);
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.direct_pages, 1);
	CHECK(m.last_page_shared);
	fx_close(&x);
}

/* A direct run at an address that is not a page boundary. */
static void test_misaligned(void)
{
	struct fx x;
	struct cramfs_xip_map m;

	t_context("misaligned");
	fx_build(&x, NULL, 2 * PS, &D, 1, 0);
	/* 8 bytes earlier, still one page apart: fine without an MMU */
	ptr_set(&x, 0, ptr_at(&x, 0) - 2);
	ptr_set(&x, 1, ptr_at(&x, 1) - 2);
	fx_open(&x);
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK_EQ(m.direct_pages, 0);
	CHECK(reason_is(&m, "data is not page aligned"));
	m = nommu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(m.direct_pages, 2);
	CHECK_EQ(m.image_offset % PS, PS - 8);
	fx_close(&x);
}

/* A compressed block inside the run: a mixed map of the prefix. */
static void test_break_in_middle(void)
{
	const enum spec_enc encs[] = { D, D, Z, D };
	struct fx x;
	struct cramfs_xip_map m;
	char why[160], want[160];

	t_context("break in the middle");
	fx_build(&x, NULL, 4 * PS - 1, encs, 4, 0);
	fx_open(&x);
	m = mmu(&x, 0, 4, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.direct_pages, 2);
	CHECK(reason_is(&m, CRAMFS_XIP_RANGE_BREAK));
	CHECK(m.range_break);
	CHECK_EQ(m.break_block, 2);
	CHECK_EQ(m.break_last, 3);
	CHECK_EQ(m.break_got, ptr_at(&x, 2));
	CHECK_EQ(m.break_expect, (ptr_at(&x, 0) + 2 * PS / 4) | DU);
	cramfs_xip_describe(&m, why, sizeof(why));
	snprintf(want, sizeof(want),
		 "range: block 2/3 got %#x expects %#x (compressed or a hole)",
		 m.break_got, m.break_expect);
	CHECK(!strcmp(why, want));
	/* the D+U block after it maps on its own */
	m = mmu(&x, 3, 1, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(m.image_offset, block_start(&x, 3));
	m = nommu(&x, 0, 4, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, CRAMFS_XIP_RANGE_BREAK));
	m = nommu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	fx_close(&x);
}

/* §8.2's "block 0 D+U, then a hole, then compressed blocks": 1/4. */
static void test_hole_after_direct(void)
{
	const enum spec_enc encs[] = { D, H, Z, Z };
	struct fx x;
	struct cramfs_xip_map m;

	t_context("hole after direct");
	fx_build(&x, NULL, 4 * PS, encs, 4, 0);
	fx_open(&x);
	m = mmu(&x, 0, 4, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.direct_pages, 1);
	CHECK_EQ(m.break_block, 1);
	fx_close(&x);
}

/* The first page is not D+U: nothing in place, whatever follows. */
static void test_first_not_direct(enum spec_enc first, const char *hint)
{
	const enum spec_enc encs[] = { first, D };
	struct fx x;
	struct cramfs_xip_map m;
	char why[160];

	t_context("first block enc %d", first);
	fx_build(&x, NULL, 2 * PS - 5, encs, 2, 0);
	fx_open(&x);
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "unsuitable block layout"));
	CHECK(m.range_break);
	CHECK_EQ(m.break_block, 0);
	cramfs_xip_describe(&m, why, sizeof(why));
	CHECK(strstr(why, "unsuitable block layout; range: block 0/1 got"));
	CHECK(strstr(why, hint));
	m = nommu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "unsuitable block layout"));
	fx_close(&x);
}

/* A D+U pointer to offset 0 reads as "no range" in the kernel. */
static void test_direct_at_zero(void)
{
	struct fx x;
	struct cramfs_xip_map m;

	t_context("direct at offset 0");
	fx_build(&x, NULL, 100, &D, 1, 0);
	ptr_set(&x, 0, DU);
	fx_open(&x);
	m = mmu(&x, 0, 1, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "unsuitable block layout"));
	CHECK(!m.range_break);
	fx_close(&x);
}

static void test_writable_and_limits(void)
{
	struct fx x;
	struct cramfs_xip_map m;

	t_context("writable, beyond EOF, bad arguments");
	fx_build(&x, NULL, 3 * PS - 1, &D, 1, 0);
	fx_open(&x);
	m = mmu(&x, 0, 3, true);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "vma is writable"));
	CHECK_EQ(m.pages, 0);
	m = nommu(&x, 0, 3, true);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "vma is writable"));
	m = mmu(&x, 3, 1, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(reason_is(&m, "beyond file limit"));
	m = mmu(&x, 1ull << 40, 1, false);
	CHECK(reason_is(&m, "beyond file limit"));
	m = nommu(&x, 1, 3, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_REFUSED);
	CHECK(reason_is(&m, "beyond file limit"));
	CHECK_EQ(cramfs_xip_predict(x.t.img, x.file, 5000, 0, 1, false, &m),
		 -EINVAL);
	CHECK_EQ(cramfs_xip_predict(x.t.img, x.file, PS, 0, 0, false, &m),
		 -EINVAL);
	CHECK_EQ(cramfs_xip_predict(x.t.img, x.file, 4 * PS, 0, 1, false, &m),
		 0);
	CHECK(reason_is(&m, "block size is not the page size"));
	fx_close(&x);
}

/* Without superblock flag 0x800 the kernel uses generic file operations. */
static void test_no_ext_flag(void)
{
	struct fx x;
	struct cramfs_xip_map m;
	struct cramfs_xip_totals tot;
	uint64_t flags_off;

	t_context("no EXT_BLOCK_POINTERS");
	fx_build(&x, NULL, 2 * PS, &D, 1, 0);
	flags_off = spec_super_off(x.im, 8);
	spec_put32(x.im, flags_off, spec_get32(x.im, flags_off) & ~0x800u);
	spec_fix_crc(x.im);
	fx_open(&x);
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	CHECK(m.reason && strstr(m.reason, "EXT_BLOCK_POINTERS"));
	m = nommu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PAGECACHE);
	/* the read path decodes the flags anyway: the bug is still there */
	CHECK(cramfs_xip_read_bug(x.file, PS));
	/* stranded, but cramfs_check's own warning says so: none here */
	CHECK_EQ(cramfs_xip_scan(x.t.img, 0, CRAMFS_XIP_TARGET_AUTO, x.t.diag,
				 NULL, NULL, &tot), 0);
	CHECK_EQ(tot.stranded_blocks, 2);
	CHECK_EQ(tot.read_bug_files, 1);
	CHECK_EQ(t_warnings(x.t.diag), 0);
	fx_close(&x);
}

/* §18 #1: a D+U last block of a page-multiple file reads as a hole. */
static void test_exact_multiple(void)
{
	const enum spec_enc fixed[] = { D, R };
	struct fx x;
	struct cramfs_xip_map m;

	t_context("exact page multiple");
	fx_build(&x, NULL, 2 * PS, &D, 1, 0);
	fx_open(&x);
	CHECK(cramfs_xip_read_bug(x.file, PS));
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);	/* no partial page to test */
	fx_close(&x);

	/* the builder's cure: the last block raw but chained, 1/2 mixed */
	fx_build(&x, NULL, 2 * PS, fixed, 2, 0);
	fx_open(&x);
	CHECK(!cramfs_xip_read_bug(x.file, PS));
	m = mmu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(m.direct_pages, 1);
	fx_close(&x);

	/* not a multiple: no bug */
	fx_build(&x, NULL, 2 * PS + 1, &D, 1, 0);
	fx_open(&x);
	CHECK(!cramfs_xip_read_bug(x.file, PS));
	fx_close(&x);
}

static void test_nommu_no_tail_test(void)
{
	struct fx x;
	struct cramfs_xip_map m;

	t_context("no-MMU ignores the tail");
	fx_build(&x, NULL, PS + 100, &D, 1, 0);
	x.im->buf[block_start(&x, 1) + 200] = 1;
	fx_open(&x);
	m = nommu(&x, 0, 2, false);
	CHECK_EQ(m.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(m.direct_pages, 2);
	CHECK_EQ(mmu(&x, 0, 2, false).direct_pages, 1);
	fx_close(&x);
}

/* ---- summary and scan -------------------------------------------------- */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* A 64-bit little-endian ELF: r-x pages 0-1, rw- 100 bytes at page 2. */
static void make_elf(uint8_t *buf)
{
	static const struct { uint32_t flags; uint64_t off, filesz; } seg[] = {
		{ 5, 0, 2 * PS }, { 6, 2 * PS, 100 },
	};

	memcpy(buf, "\177ELF\2\1\1", 7);
	put_le(buf + 16, 3, 2);		/* ET_DYN */
	put_le(buf + 18, 62, 2);
	put_le(buf + 20, 1, 4);
	put_le(buf + 32, 64, 8);	/* e_phoff */
	put_le(buf + 52, 64, 2);
	put_le(buf + 54, 56, 2);
	put_le(buf + 56, 2, 2);
	for (int i = 0; i < 2; i++) {
		uint8_t *ph = buf + 64 + 56 * i;

		memset(ph, 0, 56);
		put_le(ph, 1, 4);	/* PT_LOAD */
		put_le(ph + 4, seg[i].flags, 4);
		put_le(ph + 8, seg[i].off, 8);
		put_le(ph + 16, seg[i].off + 0x10000, 8);
		put_le(ph + 32, seg[i].filesz, 8);
		put_le(ph + 40, seg[i].filesz + 64, 8);
	}
}

static void elf_fx(struct fx *x, const enum spec_enc *encs)
{
	uint8_t *data = random_data(2 * PS + 100, 3);

	memset(x, 0, sizeof(*x));
	make_elf(data);
	x->im = spec_new(NULL);
	x->f = spec_add_file(x->im, spec_root(x->im), "f", 0755, data,
			     2 * PS + 100);
	spec_set_encs(x->f, encs, 3);
	free(data);
	t_build(x->im);
	fx_open(x);
}

static void test_summary_elf(void)
{
	const enum spec_enc text_only[] = { D, D, Z }, gap[] = { D, Z, D };
	struct cramfs_xip_summary s;
	struct fx x;

	t_context("summary: ELF, text in place");
	elf_fx(&x, text_only);
	CHECK_EQ(cramfs_xip_summarize(x.t.img, x.file, PS, false, &s), 0);
	CHECK(s.elf);
	CHECK_EQ(s.nsegs, 2);
	CHECK_EQ(s.pages, 3);
	CHECK_EQ(s.du_blocks, 2);
	CHECK_EQ(s.whole.kind, CRAMFS_XIP_MIXEDMAP);
	CHECK_EQ(s.whole.direct_pages, 2);
	CHECK_EQ(s.seg[0].flags, 5);
	CHECK_EQ(s.seg[0].map.kind, CRAMFS_XIP_PFNMAP);
	CHECK_EQ(s.seg[0].map.direct_pages, 2);
	CHECK_EQ(s.seg[1].map.pgoff, 2);
	CHECK_EQ(s.seg[1].map.vma_pages, 1);
	CHECK(reason_is(&s.seg[1].map, "vma is writable"));
	CHECK_EQ(s.in_place_pages, 2);
	CHECK_EQ(s.stranded, 0);
	fx_close(&x);

	t_context("summary: ELF, D+U page in the writable segment");
	elf_fx(&x, gap);
	CHECK_EQ(cramfs_xip_summarize(x.t.img, x.file, PS, false, &s), 0);
	CHECK_EQ(s.seg[0].map.direct_pages, 1);
	CHECK_EQ(s.in_place_pages, 1);
	CHECK_EQ(s.stranded, 1);
	CHECK_EQ(s.stranded_first, 2);
	CHECK_EQ(s.stranded_via, 1);
	fx_close(&x);
}

struct seen {
	char paths[4][16];
	int n;
};

static void on_file(void *ctx, const char *path,
		    const struct cramfs_xip_summary *s)
{
	struct seen *sn = ctx;

	(void)s;
	if (sn->n < 4)
		snprintf(sn->paths[sn->n], sizeof(sn->paths[0]), "%s", path);
	sn->n++;
}

static bool warned_about(const struct cramfs_diag *d, const char *path,
			 const char *text)
{
	for (size_t i = 0; i < cramfs_diag_count(d); i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(d, i);

		if (e->severity == CRAMFS_DIAG_WARNING && e->path &&
		    !strcmp(e->path, path) && strstr(e->message, text))
			return true;
	}
	return false;
}

static void test_scan(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *root = spec_root(im), *a;
	uint8_t *data = random_data(3 * PS, 4);
	struct cramfs_xip_totals tot;
	struct seen sn = { .n = 0 };
	struct t_img t;

	t_context("scan");
	a = spec_add_file(im, root, "a", 0755, data, 2 * PS + 1);
	spec_set_enc(a, D);
	spec_set_enc(spec_add_file(im, root, "b", 0755, data, PS + 9), D);
	spec_add_file(im, root, "c", 0644, data, 3 * PS);
	spec_share_data(spec_add_file(im, root, "d", 0755, data, 2 * PS + 1),
			a);
	t_build(im);
	/* b's tail page gets a stray byte: its last page is stranded */
	im->buf[((spec_get32(im, spec_find(im, "b")->offset + 4) & ~DU) << 2) +
		100] = 9;
	CHECK_EQ(t_open(&t, im->buf, im->len, 0), 0);
	CHECK_EQ(cramfs_xip_scan(t.img, 0, CRAMFS_XIP_TARGET_AUTO, t.diag,
				 on_file, &sn, &tot), 0);
	CHECK(!tot.nommu);
	CHECK_EQ(tot.page_size, PS);
	CHECK_EQ(sn.n, 2);
	CHECK(!strcmp(sn.paths[0], "/a") && !strcmp(sn.paths[1], "/b"));
	CHECK_EQ(tot.files, 2);
	CHECK_EQ(tot.pages, 5);
	CHECK_EQ(tot.du_blocks, 5);
	CHECK_EQ(tot.in_place_pages, 4);
	CHECK_EQ(tot.in_place_bytes, 4 * PS);
	CHECK_EQ(tot.stranded_blocks, 1);
	CHECK_EQ(tot.stranded_files, 1);
	CHECK_EQ(t_warnings(t.diag), 1);
	CHECK(warned_about(t.diag, "b", "last page is shared"));
	CHECK(warned_about(t.diag, "b", "1 of 2 direct+uncompressed blocks"));
	t_close(&t);
	spec_free(im);
	free(data);
}

/* Runs aligned to 8 bytes only: the auto target picks no-MMU rules. */
static void test_scan_auto_nommu(void)
{
	struct fx x;
	struct cramfs_xip_totals tot;

	t_context("scan: auto no-MMU");
	fx_build(&x, NULL, 2 * PS + 50, &D, 1, 0);
	for (uint32_t i = 0; i < 3; i++)
		ptr_set(&x, i, ptr_at(&x, i) - 2);
	fx_open(&x);
	CHECK_EQ(cramfs_xip_scan(x.t.img, 0, CRAMFS_XIP_TARGET_AUTO, x.t.diag,
				 NULL, NULL, &tot), 0);
	CHECK(tot.nommu);
	CHECK_EQ(tot.in_place_pages, 3);
	CHECK_EQ(t_warnings(x.t.diag), 0);
	CHECK_EQ(cramfs_xip_scan(x.t.img, 0, CRAMFS_XIP_TARGET_MMU, x.t.diag,
				 NULL, NULL, &tot), 0);
	CHECK(!tot.nommu);
	CHECK_EQ(tot.in_place_pages, 0);
	CHECK(warned_about(x.t.diag, "f", "data is not page aligned"));
	fx_close(&x);
}

int main(void)
{
	test_all_direct(SPEC_LE);
	test_all_direct(SPEC_BE);
	test_tail_not_zero();
	test_next_file_follows();
	test_tail_past_image();
	test_misaligned();
	test_break_in_middle();
	test_hole_after_direct();
	test_first_not_direct(Z, "compressed or a hole");
	test_first_not_direct(R, "uncompressed but not direct");
	test_first_not_direct(DZ, "direct but compressed");
	test_direct_at_zero();
	test_writable_and_limits();
	test_no_ext_flag();
	test_exact_multiple();
	test_nommu_no_tail_test();
	test_summary_elf();
	test_scan();
	test_scan_auto_nommu();
	return t_done("test_xip_predict");
}
