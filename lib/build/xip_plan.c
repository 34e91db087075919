// SPDX-License-Identifier: MIT
/*
 * The XIP planner: which blocks of which files are stored uncompressed and
 * directly addressable, so that Linux maps them from flash instead of
 * copying them into the page cache (format.md §8, §9).
 *
 * ELF files: a page is kept in place when a PT_LOAD segment that the loader
 * maps without write access (r-x, r--) covers it, except when a writable
 * segment covers it too (its private mapping needs a page-cache copy
 * anyway, so flash would be spent for no RAM) and except the last page of a
 * file whose size is a page multiple (Linux's read() returns zeros for such
 * a block when it is direct, format.md §18 #1).  Files matched by a pattern
 * are kept in place whole.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cramfs/elf.h"
#include "internal.h"

/* Longer image paths than this are not planned (cramfs allows ~ 252 per level). */
#define PLAN_PATH_MAX 8192

struct planner {
	const struct cramfs_xip_opts *o;
	uint32_t page;
	struct cramfs_diag *diag;
	char path[PLAN_PATH_MAX];
};

void xip_plan_free(struct xip_plan *p)
{
	if (!p)
		return;
	free(p->map);
	free(p->ptrs);
	free(p->reloc);
	free(p->info.path);
	free(p->info.segs);
	free(p);
}

bool xip_same_plan(const struct bnode *a, const struct bnode *b)
{
	if (!a->xip || !b->xip)
		return !a->xip && !b->xip;
	return a->xip->legacy == b->xip->legacy &&
	       a->xip->nblocks == b->xip->nblocks &&
	       !memcmp(a->xip->map, b->xip->map, a->xip->nblocks);
}

struct elf_src {
	const struct bnode *n;
	int fd;
};

static long elf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct elf_src *s = ctx;
	int ret;

	if (off >= s->n->size)
		return 0;
	if (len > s->n->size - off)
		len = s->n->size - off;
	ret = bnode_read(s->n, s->fd, buf, len, off);
	return ret ? ret : (long)len;
}

/* Parse `n` as ELF: 1 (ELF with PT_LOADs), 0 (not), -errno. */
static int read_elf(struct planner *pl, const struct bnode *n,
		    struct cramfs_elf_info *elf)
{
	struct elf_src s = { n, bnode_open(n) };
	int ret;

	if (s.fd < 0)
		return diag_add(pl->diag, CRAMFS_DIAG_ERROR, s.fd,
				CRAMFS_NO_OFFSET, pl->path,
				"%s: cannot read: %s", n->host_path,
				strerror(-s.fd));
	ret = cramfs_elf_parse(elf_read, &s, n->size, elf, NULL);
	close(s.fd);
	if (ret < 0)
		diag_add(pl->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
			 pl->path, "%s: cannot read: %s", n->host_path,
			 strerror(-ret));
	return ret < 0 ? ret : ret && elf->nload;
}

static bool wanted_elf(const struct cramfs_xip_opts *o,
		       const struct cramfs_elf_info *elf)
{
	if (o->no_elf)
		return false;
	return o->all_elf || elf->type == 2 || elf->type == 3;	/* EXEC, DYN */
}

static bool glob_match(const struct planner *pl)
{
	const char *path = pl->path + 1;	/* patterns see "usr/bin/x" */
	const char *base = strrchr(pl->path, '/') + 1;

	for (unsigned i = 0; i < pl->o->nglobs; i++) {
		const char *pat = pl->o->globs[i];

		if (!fnmatch(pat, strchr(pat, '/') ? path : base, 0))
			return true;
	}
	return false;
}

static struct xip_plan *plan_new(const struct bnode *n, uint32_t page)
{
	struct xip_plan *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->nblocks = blocks_of(n->size, page);
	p->map = calloc(p->nblocks, 1);
	if (!p->map) {
		free(p);
		return NULL;
	}
	p->info.size = n->size;
	p->info.pages = p->nblocks;
	return p;
}

/* Mark the pages [first, first + count) of the file. */
static void mark_pages(struct xip_plan *p, uint64_t first, uint64_t count,
		       uint8_t value)
{
	for (uint64_t i = first; i < first + count && i < p->nblocks; i++)
		p->map[i] = value;
}

static int plan_segments(struct xip_plan *p, const struct cramfs_elf_info *elf,
			 uint32_t page, bool nommu)
{
	uint64_t pgoff, pages;

	p->info.elf = true;
	p->info.nsegs = elf->nload;
	p->info.segs = calloc(elf->nload, sizeof(*p->info.segs));
	if (!p->info.segs)
		return -ENOMEM;
	for (uint32_t i = 0; i < elf->nload; i++) {
		cramfs_elf_segment_pages(&elf->seg[i], page, &pgoff, &pages);
		p->info.segs[i] = (struct cramfs_xip_seg){
			(uint32_t)pgoff, (uint32_t)pages, 0, elf->seg[i].flags };
		if (cramfs_elf_segment_in_place(&elf->seg[i]))
			mark_pages(p, pgoff, pages, XIP_IN_PLACE);
	}
	/*
	 * No-MMU maps a segment directly only when all of it is one run
	 * (format 8.3): keep shared pages in place there.
	 */
	for (uint32_t i = 0; !nommu && i < elf->nload; i++) {
		if (cramfs_elf_segment_in_place(&elf->seg[i]))
			continue;
		cramfs_elf_segment_pages(&elf->seg[i], page, &pgoff, &pages);
		for (uint64_t k = pgoff; k < pgoff + pages && k < p->nblocks; k++)
			if (p->map[k] == XIP_IN_PLACE) {
				p->map[k] = XIP_COMPRESSED;
				p->info.shared_rw++;
			}
	}
	return 0;
}

/*
 * No-MMU: a segment is mapped directly only if it is in place whole, so a
 * segment that lost page `k` keeps none of its pages in flash for nothing.
 */
static void drop_segments_with(struct xip_plan *p, uint32_t k)
{
	for (uint32_t s = 0; s < p->info.nsegs; s++) {
		const struct cramfs_xip_seg *sg = &p->info.segs[s];

		if (k >= sg->pgoff && k < sg->pgoff + sg->pages)
			mark_pages(p, sg->pgoff, sg->pages, XIP_COMPRESSED);
	}
}

/* Final rules and totals, once the map is drawn. */
static void plan_finish(struct xip_plan *p, const struct bnode *n,
			uint32_t page, bool nommu)
{
	uint32_t last = p->nblocks - 1;

	if (!p->legacy && n->size % page == 0 && p->map[last] == XIP_IN_PLACE) {
		p->map[last] = XIP_COMPRESSED;
		p->info.exact_last = 1;
		if (nommu)
			drop_segments_with(p, last);
	}
	for (uint32_t i = 0; i < p->nblocks; i++)
		p->in_place += p->map[i] == XIP_IN_PLACE;
	p->info.in_place = p->in_place;
	p->info.legacy = p->legacy;
	for (uint32_t s = 0; s < p->info.nsegs; s++) {
		struct cramfs_xip_seg *sg = &p->info.segs[s];

		for (uint32_t k = sg->pgoff; k < sg->pgoff + sg->pages &&
					     k < p->nblocks; k++)
			sg->in_place += p->map[k] == XIP_IN_PLACE;
	}
}

/* The plan for one regular file, or NULL when nothing goes in place. */
static int plan_file(struct planner *pl, struct bnode *n)
{
	struct cramfs_elf_info elf;
	bool legacy = pl->o->mode == CRAMFS_XIP_LEGACY;
	bool whole = glob_match(pl) || (legacy && (n->mode & CRAMFS_S_ISVTX));
	int is_elf = whole && legacy ? 0 : read_elf(pl, n, &elf);
	struct xip_plan *p;

	if (is_elf < 0)
		return is_elf;
	if (!whole && !(is_elf && wanted_elf(pl->o, &elf)))
		return 0;
	p = plan_new(n, pl->page);
	if (!p)
		return -ENOMEM;
	p->legacy = legacy;
	if (whole || legacy)
		mark_pages(p, 0, p->nblocks, XIP_IN_PLACE);
	else if (plan_segments(p, &elf, pl->page,
			       pl->o->mode == CRAMFS_XIP_NOMMU)) {
		xip_plan_free(p);
		return -ENOMEM;
	}
	plan_finish(p, n, pl->page, pl->o->mode == CRAMFS_XIP_NOMMU);
	if (!p->in_place) {
		xip_plan_free(p);
		return 0;
	}
	n->xip = p;
	if (legacy)
		n->mode |= CRAMFS_S_ISVTX;	/* the legacy kernel's marker */
	return 0;
}

static int plan_dir(struct planner *pl, struct bnode *dir, size_t len)
{
	int ret = 0;

	for (uint32_t i = 0; !ret && i < dir->nkids; i++) {
		struct bnode *n = dir->kids[i];

		if (len + 1 + n->name_len >= sizeof(pl->path))
			continue;	/* deeper than any path cramfs can name */
		pl->path[len] = '/';
		memcpy(pl->path + len + 1, n->name, n->name_len);
		pl->path[len + 1 + n->name_len] = '\0';
		xip_plan_free(n->xip);
		n->xip = NULL;
		if (bnode_is_dir(n))
			ret = plan_dir(pl, n, len + 1 + n->name_len);
		else if (cramfs_is_type(n->mode, CRAMFS_S_IFREG) && n->size)
			ret = plan_file(pl, n);
		if (!ret && n->xip && !(n->xip->info.path = strdup(pl->path)))
			ret = -ENOMEM;
	}
	return ret;
}

int xip_plan_tree(struct cramfs_tree *t, const struct cramfs_xip_opts *o,
		  uint32_t page_size, struct cramfs_diag *diag)
{
	struct planner *pl = calloc(1, sizeof(*pl));
	int ret;

	if (!pl)
		return -ENOMEM;
	pl->o = o;
	pl->page = page_size;
	pl->diag = diag;
	ret = plan_dir(pl, &t->root, 0);
	free(pl);
	return ret;
}
