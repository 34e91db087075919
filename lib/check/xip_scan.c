// SPDX-License-Identifier: MIT
/*
 * XIP coverage: for each file with DIRECT|UNCOMPRESSED blocks, what a
 * whole-file mmap and the ELF loader get in place (xip.c predicts each
 * mapping), which such blocks no mapping puts in place, and totals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cramfs/check.h"
#include "util/util.h"

#define DU (CRAMFS_BLK_FLAG_DIRECT_PTR | CRAMFS_BLK_FLAG_UNCOMPRESSED)

static bool valid_page_size(uint32_t ps)
{
	return ps >= CRAMFS_MIN_BLOCK_SIZE && ps <= CRAMFS_MAX_BLOCK_SIZE &&
	       !(ps & (ps - 1));
}

static bool block_is_du(struct cramfs_file *file, uint32_t idx)
{
	struct cramfs_block b;

	return !cramfs_file_block_info(file, idx, &b) && (b.ptr & DU) == DU;
}

static uint32_t count_du(struct cramfs_file *file)
{
	uint32_t n = 0;

	if (cramfs_file_layout(file) != CRAMFS_LAYOUT_BLOCKS)
		return 0;
	for (uint32_t i = 0; i < cramfs_file_block_count(file); i++)
		n += block_is_du(file, i);
	return n;
}

/* One mapping with the MMU or the no-MMU rules. */
static int predict(struct cramfs_image *img, struct cramfs_file *file,
		   uint32_t page_size, bool nommu, uint64_t pgoff,
		   uint64_t pages, bool writable, struct cramfs_xip_map *out)
{
	if (nommu)
		return cramfs_xip_predict_nommu(img, file, page_size, pgoff,
						pages, writable, out);
	return cramfs_xip_predict(img, file, page_size, pgoff, pages,
				  writable, out);
}

static long elf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return cramfs_file_pread(ctx, buf, len, off);
}

/* Each PT_LOAD segment mapped as elf_map() maps it. */
static int summarize_elf(struct cramfs_image *img, struct cramfs_file *file,
			 uint32_t page_size, bool nommu,
			 struct cramfs_xip_summary *s)
{
	struct cramfs_elf_info elf;
	int ret = cramfs_elf_parse(elf_read, file, s->size, &elf, NULL);

	/* A block that does not decode: not ELF as far as we can tell. */
	if (ret <= 0)
		return ret == -EUCLEAN ? 0 : ret;
	s->elf = true;
	s->nsegs = elf.nload;
	ret = 0;
	for (uint32_t i = 0; i < elf.nload && !ret; i++) {
		struct cramfs_xip_segment *sg = &s->seg[i];
		uint64_t pgoff, pages;

		sg->flags = elf.seg[i].flags;
		cramfs_elf_segment_pages(&elf.seg[i], page_size, &pgoff, &pages);
		sg->map.pgoff = pgoff;
		if (pages)
			ret = predict(img, file, page_size, nommu, pgoff, pages,
				      sg->flags & CRAMFS_ELF_PF_W, &sg->map);
	}
	return ret;
}

static void mark_direct(uint8_t *in_place, uint32_t npages,
			const struct cramfs_xip_map *m)
{
	for (uint64_t p = m->pgoff; p < m->pgoff + m->direct_pages &&
				    p < npages; p++)
		in_place[p] = 1;
}

/* Which mapping explains a stranded page: a segment holding it, or -1. */
static int stranded_via(const struct cramfs_xip_summary *s, uint32_t page)
{
	for (uint32_t k = 0; k < s->nsegs; k++) {
		const struct cramfs_xip_map *m = &s->seg[k].map;

		if (page >= m->pgoff && page - m->pgoff < m->vma_pages)
			return (int)k;
	}
	return -1;
}

/* Union of the in-place pages of all mappings; D+U blocks left out. */
static int count_in_place(struct cramfs_file *file,
			  struct cramfs_xip_summary *s)
{
	uint32_t nb = cramfs_file_block_count(file);
	uint8_t *in_place = calloc(s->pages, 1);

	if (!in_place)
		return -ENOMEM;
	mark_direct(in_place, s->pages, &s->whole);
	for (uint32_t k = 0; k < s->nsegs; k++)
		mark_direct(in_place, s->pages, &s->seg[k].map);
	for (uint32_t p = 0; p < s->pages; p++) {
		s->in_place_pages += in_place[p];
		if (in_place[p] || p >= nb || !block_is_du(file, p))
			continue;
		if (!s->stranded++)
			s->stranded_first = p;
	}
	free(in_place);
	if (s->stranded)
		s->stranded_via = stranded_via(s, s->stranded_first);
	return 0;
}

int cramfs_xip_summarize(struct cramfs_image *img, struct cramfs_file *file,
			 uint32_t page_size, bool nommu,
			 struct cramfs_xip_summary *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->nommu = nommu;
	out->stranded_via = -1;
	if (!valid_page_size(page_size))
		return -EINVAL;
	out->size = cramfs_file_size(file);
	out->pages = (uint32_t)(((uint64_t)out->size + page_size - 1) /
				page_size);
	out->du_blocks = count_du(file);
	if (!out->pages)
		return 0;
	ret = predict(img, file, page_size, nommu, 0, out->pages, false,
		      &out->whole);
	if (!ret)
		ret = summarize_elf(img, file, page_size, nommu, out);
	if (!ret)
		ret = count_in_place(file, out);
	out->read_bug = cramfs_xip_read_bug(file, page_size);
	return ret;
}

/* ---- Whole image ------------------------------------------------------- */

struct xip_scan {
	struct cramfs_image *img;
	uint32_t page_size;
	bool warn;		/* EXT_BLOCK_POINTERS set: stranding is news */
	struct cramfs_diag *diag;
	cramfs_xip_file_fn each;
	void *ctx;
	struct cramfs_xip_totals *t;
	uint64_t du_seen, du_aligned;	/* for CRAMFS_XIP_TARGET_AUTO */
	uint64_t *seen;		/* data offsets summarised, sorted */
	size_t nseen, capseen;
	struct cramfs_xip_summary sum;
};

/* Remember a data offset; false if it was already there.  -ENOMEM < 0. */
static int first_visit(struct xip_scan *x, uint64_t off)
{
	size_t lo = 0, hi = x->nseen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->seen[mid] == off)
			return 0;
		if (x->seen[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->nseen == x->capseen) {
		size_t cap = x->capseen ? 2 * x->capseen : 64;
		uint64_t *p = realloc(x->seen, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		x->seen = p;
		x->capseen = cap;
	}
	memmove(x->seen + lo + 1, x->seen + lo,
		(x->nseen - lo) * sizeof(*x->seen));
	x->seen[lo] = off;
	x->nseen++;
	return 1;
}

static void mapping_name(const struct cramfs_xip_summary *s, int via,
			 char *buf, size_t cap)
{
	uint32_t f;

	if (via < 0) {
		snprintf(buf, cap, "whole-file mmap");
		return;
	}
	f = s->seg[via].flags;
	snprintf(buf, cap, "ELF segment %d %c%c%c", via,
		 f & CRAMFS_ELF_PF_R ? 'r' : '-', f & CRAMFS_ELF_PF_W ? 'w' : '-',
		 f & CRAMFS_ELF_PF_X ? 'x' : '-');
}

static void warn_stranded(struct xip_scan *x, const struct cramfs_node *n,
			  const char *path)
{
	const struct cramfs_xip_summary *s = &x->sum;
	const struct cramfs_xip_map *m = s->stranded_via < 0 ? &s->whole :
					 &s->seg[s->stranded_via].map;
	char name[48], why[256];

	mapping_name(s, s->stranded_via, name, sizeof(name));
	cramfs_xip_describe(m, why, sizeof(why));
	diag_warn(x->diag, n->entry_offset, path,
		  "%u of %u direct+uncompressed blocks are not mapped in place (first: page %u); %s: %s",
		  s->stranded, s->du_blocks, s->stranded_first, name,
		  *why ? why : "not part of the mapping");
}

static void add_totals(struct xip_scan *x)
{
	const struct cramfs_xip_summary *s = &x->sum;
	struct cramfs_xip_totals *t = x->t;

	t->files++;
	t->pages += s->pages;
	t->du_blocks += s->du_blocks;
	t->in_place_pages += s->in_place_pages;
	t->in_place_bytes += (uint64_t)s->in_place_pages * x->page_size;
	t->stranded_blocks += s->stranded;
	t->stranded_files += s->stranded != 0;
	t->read_bug_files += s->read_bug;
}

static int report_file(struct xip_scan *x, struct cramfs_file *f,
		       const struct cramfs_node *n, const char *path)
{
	char *slashed;
	int ret = cramfs_xip_summarize(x->img, f, x->page_size, x->t->nommu,
				       &x->sum);

	if (ret)
		return ret;
	add_totals(x);
	if (x->sum.stranded && x->warn)
		warn_stranded(x, n, path);
	if (!x->each)
		return 0;
	slashed = malloc(strlen(path) + 2);
	if (!slashed)
		return -ENOMEM;
	slashed[0] = '/';
	strcpy(slashed + 1, path);
	x->each(x->ctx, slashed, &x->sum);
	free(slashed);
	return 0;
}

static int scan_file(struct xip_scan *x, struct cramfs_file *f,
		     const struct cramfs_node *n, const char *path)
{
	int ret = 0;

	if (count_du(f))
		ret = first_visit(x, cramfs_node_data_offset(n));
	if (ret > 0)
		ret = report_file(x, f, n, path);
	return ret;
}

/* Count D+U blocks, and those at a page boundary, for the auto target. */
static int count_alignment(struct xip_scan *x, struct cramfs_file *f,
			   const struct cramfs_node *n, const char *path)
{
	struct cramfs_block b;

	(void)n;
	(void)path;
	if (cramfs_file_layout(f) != CRAMFS_LAYOUT_BLOCKS)
		return 0;
	for (uint32_t i = 0; i < cramfs_file_block_count(f); i++) {
		if (cramfs_file_block_info(f, i, &b) || (b.ptr & DU) != DU)
			continue;
		x->du_seen++;
		x->du_aligned += b.start % x->page_size == 0;
	}
	return 0;
}

typedef int (*file_fn)(struct xip_scan *x, struct cramfs_file *f,
		       const struct cramfs_node *n, const char *path);

/* Call `fn` for every regular file that opens (the rest is check's). */
static int for_each_file(struct xip_scan *x, file_fn fn)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	struct cramfs_file *f;
	int ret = cramfs_walk_open(x->img, NULL, CRAMFS_WALK_CONTINUE, NULL,
				   &w);

	while (!ret && (ret = cramfs_walk_next(w, &e)) == 1) {
		ret = 0;
		if (!cramfs_is_type(e.node.inode.mode, CRAMFS_S_IFREG) ||
		    !e.node.inode.size)
			continue;
		ret = cramfs_file_open_path(x->img, &e.node, e.path, NULL, &f);
		if (!ret) {
			ret = fn(x, f, &e.node, e.path);
			cramfs_file_close(f);
		}
		if (ret == -EUCLEAN)
			ret = 0;
	}
	cramfs_walk_close(w);
	return ret == -EUCLEAN ? 0 : ret;
}

static int choose_rules(struct xip_scan *x, enum cramfs_xip_target target)
{
	int ret;

	if (target != CRAMFS_XIP_TARGET_AUTO) {
		x->t->nommu = target == CRAMFS_XIP_TARGET_NOMMU;
		return 0;
	}
	ret = for_each_file(x, count_alignment);
	x->t->nommu = 2 * x->du_aligned < x->du_seen;
	return ret;
}

int cramfs_xip_scan(struct cramfs_image *img, uint32_t page_size,
		    enum cramfs_xip_target target, struct cramfs_diag *diag,
		    cramfs_xip_file_fn each, void *ctx,
		    struct cramfs_xip_totals *totals)
{
	struct cramfs_image_info info;
	struct xip_scan *x;
	int ret;

	cramfs_image_get_info(img, &info);
	memset(totals, 0, sizeof(*totals));
	totals->page_size = page_size ? page_size : info.block_size;
	if (!valid_page_size(totals->page_size))
		return -EINVAL;
	/* The summary holds a few KiB of segment maps: keep it off the stack. */
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->img = img;
	x->page_size = totals->page_size;
	x->diag = diag;
	x->each = each;
	x->ctx = ctx;
	x->t = totals;
	x->warn = info.super.flags & CRAMFS_FLAG_EXT_BLOCK_POINTERS;
	ret = choose_rules(x, target);
	if (!ret)
		ret = for_each_file(x, scan_file);
	free(x->seen);
	free(x);
	return ret;
}
