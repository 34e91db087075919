// SPDX-License-Identifier: MIT
/*
 * Writing planned (XIP) files.
 *
 * In-place blocks of every file go into one region after all other data,
 * each file's blocks consecutive, so that alignment is paid once for the
 * region instead of once per run, and compressed data packs densely.  The
 * region's offset is known only at the end, so the pointer tables of
 * planned files are held in memory with region-relative entries and
 * written last.
 *
 * The kernel finds a non-direct block right after the previous block
 * (format.md §7.2); after an in-place block that would be inside the region.
 * So the first compressed block after in-place ones is written DIRECT:
 * at a 4-byte boundary, with a u16 length prefix.  A hole there is an end
 * pointer equal to the computed start: the end of the in-place block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint32_t block_len(const struct bnode *n, uint32_t i, uint32_t bs)
{
	uint64_t left = n->size - (uint64_t)i * bs;

	return left < bs ? (uint32_t)left : bs;
}

/* Bytes file `n` takes in the region, before the next file's alignment. */
static uint64_t region_bytes(const struct writer *w, struct xip_plan *p,
			     const struct bnode *n)
{
	uint64_t len = (uint64_t)p->in_place * w->bs;
	uint32_t tail = n->size % w->bs;

	if (p->map[p->nblocks - 1] == XIP_IN_PLACE && tail) {
		len -= w->bs - tail;
		/* MMU: the kernel maps the last page only if the rest is 0. */
		if (w->o->xip.mode == CRAMFS_XIP_MMU)
			p->info.tail_fill = w->bs - tail;
	}
	return len + p->info.tail_fill;
}

static int assign_file(struct bnode *n, void *ctx)
{
	struct writer *w = ctx;
	struct xip_plan *p = n->xip;

	if (!p || n->same)
		return 0;
	if (p->legacy) {
		w->legacy_len += align_up(n->size, w->bs);
		return 0;
	}
	w->region_len = align_up(w->region_len, w->xip_align);
	p->region_off = w->region_len;
	p->region_len = region_bytes(w, p, n);
	w->region_len += p->region_len;
	return 0;
}

void xip_assign_region(struct writer *w)
{
	w->region_len = w->legacy_len = 0;
	bnode_walk(&w->t->root, assign_file, w);
}

static int hold_table(struct writer *w, struct xip_plan *p)
{
	p->ptrs = malloc(p->nblocks * sizeof(*p->ptrs));
	if (!p->ptrs)
		return -ENOMEM;
	memcpy(p->ptrs, w->ptrs, p->nblocks * sizeof(*p->ptrs));
	return 0;
}

/* A compressed block whose chained start would be wrong: make it DIRECT. */
static int put_anchored(struct writer *w, uint32_t i, const uint8_t *src,
			uint32_t len)
{
	uint8_t prefix[2];
	uint64_t at = align_up(w->pos, 4);
	int ret;

	w->anchor_bytes += at - w->pos + 2;
	cramfs_put16(prefix, (uint16_t)len, w->e);
	ret = writer_put(w, prefix, 2, at);
	if (!ret)
		ret = writer_put(w, src, len, at + 2);
	w->ptrs[i] = CRAMFS_BLK_FLAG_DIRECT_PTR |
		     (uint32_t)(at >> CRAMFS_BLK_DIRECT_PTR_SHIFT);
	w->pos = at + 2 + len;
	w->chain = w->pos;
	w->chain_in_region = false;
	return ret;
}

static int commit_block(struct writer *w, struct xip_plan *p, uint32_t i,
			uint32_t len, const uint8_t *src)
{
	int ret = 0;

	p->reloc[i] = RELOC_NONE;
	if (p->map[i] == XIP_IN_PLACE) {
		p->reloc[i] = RELOC_DIRECT;
		w->ptrs[i] = w->xip_k++;	/* relocated by the region pass */
		w->chain_in_region = true;
		w->chain_k = w->xip_k;
	} else if (!len && w->chain_in_region) {
		p->reloc[i] = RELOC_END;
		w->ptrs[i] = w->chain_k;
		w->holes_written = true;
	} else if (!len) {
		w->ptrs[i] = (uint32_t)w->chain;
		w->holes_written = true;
	} else if (w->chain_in_region) {
		ret = put_anchored(w, i, src, len);
	} else {
		ret = writer_put(w, src, len, w->pos);
		w->pos += len;
		w->ptrs[i] = (uint32_t)w->pos;
		w->chain = w->pos;
	}
	return ret;
}

/* Legacy: the table's place is the offset; the file follows page-aligned. */
static int legacy_begin(struct writer *w, struct bnode *n)
{
	w->pos = align_up(w->pos, 4);
	/*
	 * A page-aligned offset would put the file's first bytes where a
	 * reader looks for a pointer table; keep it in zeros before the page.
	 */
	if (w->pos % w->bs == 0)
		w->pos += 4;
	n->offset = (uint32_t)w->pos;
	w->align_fill += align_up(w->pos, w->bs) - w->pos;
	w->pos = align_up(w->pos, w->bs);
	n->xip->info.image_offset = w->pos;
	n->xip->region_len = align_up(n->size, w->bs);
	n->xip->info.tail_fill = (uint32_t)(n->xip->region_len - n->size);
	return w->pos > CRAMFS_MAXOFFSET ? -EFBIG : 0;
}

static int commit_legacy(struct writer *w, struct bnode *n, uint32_t first,
			 uint32_t count, const uint32_t *lens,
			 const uint8_t *out)
{
	size_t bytes = 0;
	int ret = first ? 0 : legacy_begin(w, n);

	for (uint32_t i = 0; i < count; i++)
		bytes += lens[i];
	if (!ret)
		ret = writer_put(w, out, bytes, w->pos);
	w->pos += bytes;
	if (first + count == n->xip->nblocks) {
		w->pos = align_up(w->pos, w->bs);
		w->bytes_in += n->size;
	}
	return ret;
}

int xip_commit_job(struct writer *w, struct bnode *n, uint32_t first,
		   uint32_t count, const uint32_t *lens, const uint8_t *out)
{
	struct xip_plan *p = n->xip;
	int ret = 0;

	if (p->legacy)
		return commit_legacy(w, n, first, count, lens, out);
	if (!first) {
		ret = data_file_begin(w, n);
		w->chain = w->pos;
		w->chain_in_region = false;
		w->xip_k = 0;
		p->reloc = calloc(p->nblocks, 1);
		if (!ret && !p->reloc)
			ret = -ENOMEM;
	}
	for (uint32_t i = 0; !ret && i < count; i++) {
		ret = commit_block(w, p, first + i, lens[i], out);
		out += lens[i];
	}
	if (!ret && first + count == p->nblocks) {
		ret = hold_table(w, p);
		w->blocks += p->nblocks;
		w->bytes_in += n->size;
		w->raw_written = true;
	}
	return ret;
}

/* Copy the in-place blocks of `n` from its source into the region. */
static int copy_in_place(struct writer *w, struct bnode *n, uint8_t *buf)
{
	struct xip_plan *p = n->xip;
	uint64_t at = w->region_start + p->region_off;
	int fd = bnode_open(n), ret = fd < -1 ? fd : 0;

	for (uint32_t i = 0; !ret && i < p->nblocks; i++) {
		uint32_t len = block_len(n, i, w->bs);

		if (p->map[i] != XIP_IN_PLACE)
			continue;
		ret = bnode_read(n, fd, buf, len, (uint64_t)i * w->bs);
		if (!ret)
			ret = writer_put(w, buf, len, at);
		at += w->bs;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static uint32_t relocate(const struct writer *w, const struct xip_plan *p,
			 uint32_t i)
{
	uint64_t base = w->region_start + p->region_off;

	switch (p->reloc[i]) {
	case RELOC_DIRECT:
		return CRAMFS_BLK_FLAG_DIRECT_PTR | CRAMFS_BLK_FLAG_UNCOMPRESSED |
		       (uint32_t)((base + (uint64_t)p->ptrs[i] * w->bs) >>
				  CRAMFS_BLK_DIRECT_PTR_SHIFT);
	case RELOC_END:
		return (uint32_t)(base + (uint64_t)p->ptrs[i] * w->bs);
	default:
		return p->ptrs[i];
	}
}

static int write_held_table(struct writer *w, struct bnode *n)
{
	struct xip_plan *p = n->xip;
	uint8_t *raw = malloc(4ull * p->nblocks);
	int ret;

	if (!raw)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nblocks; i++)
		cramfs_put32(raw + 4 * i, relocate(w, p, i), w->e);
	ret = writer_put(w, raw, 4ull * p->nblocks, n->offset);
	free(raw);
	p->info.image_offset = w->region_start + p->region_off;
	return ret;
}

static int region_file(struct bnode *n, void *ctx)
{
	struct writer *w = ctx;
	uint8_t *buf;
	int ret;

	if (!n->xip || n->xip->legacy || n->same)
		return 0;
	buf = malloc(w->bs);
	ret = buf ? copy_in_place(w, n, buf) : -ENOMEM;
	free(buf);
	if (!ret)
		ret = write_held_table(w, n);
	/* A failed write was reported once, naming the output. */
	if (ret && ret != -ENOMEM && !w->write_err)
		diag_add(w->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
			 n->xip->info.path, "%s: cannot read: %s",
			 n->host_path ? n->host_path : n->name, strerror(-ret));
	return ret;
}

int xip_write_region(struct writer *w)
{
	uint64_t start = align_up(w->pos, w->xip_align);

	if (!w->region_len)
		return 0;
	if (start + w->region_len > CRAMFS_MAXOFFSET)
		return diag_add(w->diag, CRAMFS_DIAG_ERROR, -EFBIG,
				CRAMFS_NO_OFFSET, NULL,
				"image too big: the XIP region would end at 0x%llx, past cramfs's 256 MiB offset limit",
				(unsigned long long)(start + w->region_len));
	w->align_fill += start - w->pos;
	w->region_start = start;
	w->pos = start + w->region_len;
	return bnode_walk(&w->t->root, region_file, w);
}

/* "0-3,5,7-9": the page runs of the map that are in place. */
static char *page_runs(const struct xip_plan *p)
{
	char *s = malloc(24ull * p->nblocks + 1), *at = s;

	if (!s)
		return NULL;
	*at = '\0';
	for (uint32_t i = 0; i < p->nblocks; i++) {
		uint32_t j = i;

		if (p->map[i] != XIP_IN_PLACE)
			continue;
		while (j + 1 < p->nblocks && p->map[j + 1] == XIP_IN_PLACE)
			j++;
		at += sprintf(at, j > i ? "%s%u-%u" : "%s%u", at == s ? "" : ",",
			      i, j);
		i = j;
	}
	return s;
}

static int report_file(struct bnode *n, void *ctx)
{
	struct cramfs_xip_report *r = ctx;
	struct cramfs_xip_file *f;

	if (!n->xip || n->same)
		return 0;
	f = &r->files[r->nfiles++];
	*f = n->xip->info;
	n->xip->info.path = NULL;	/* moved into the report */
	n->xip->info.segs = NULL;
	f->runs = page_runs(n->xip);
	if (!f->runs)
		return -ENOMEM;
	f->ram_pages = f->in_place;
	f->flash_bytes = n->xip->region_len;
	r->tail_fill += f->tail_fill;
	r->in_place_pages += f->in_place;
	r->ram_pages += f->ram_pages;
	return 0;
}

static int count_planned(struct bnode *n, void *ctx)
{
	*(uint32_t *)ctx += n->xip && !n->same;
	return 0;
}

struct cramfs_xip_report *xip_report(struct writer *w)
{
	struct cramfs_xip_report *r = calloc(1, sizeof(*r));
	uint32_t nfiles = 0;

	if (!r)
		return NULL;
	bnode_walk(&w->t->root, count_planned, &nfiles);
	r->files = calloc(nfiles ? nfiles : 1, sizeof(*r->files));
	if (!r->files) {
		free(r);
		return NULL;
	}
	r->mode = w->o->xip.mode;
	r->page_size = w->bs;
	r->region_offset = w->region_start;
	r->region_bytes = w->region_len;
	r->align_fill = w->align_fill;
	r->anchor_bytes = w->anchor_bytes;
	if (bnode_walk(&w->t->root, report_file, r)) {
		cramfs_xip_report_free(r);
		return NULL;
	}
	return r;
}

void cramfs_xip_report_free(struct cramfs_xip_report *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].runs);
		free(r->files[i].segs);
	}
	free(r->files);
	free(r);
}
