// SPDX-License-Identifier: MIT
/*
 * XIP prediction (format.md §8.2, §8.3): what Linux does for one mmap of a
 * cramfs file on directly addressable flash.  The MMU path follows
 * cramfs_physmem_mmap() step by step, in its order and with its pr_debug
 * reasons; the no-MMU path follows cramfs_physmem_get_unmapped_area().
 * Both share cramfs_get_block_range(): a run of DIRECT|UNCOMPRESSED
 * pointers, each exactly one page after the previous one.
 *
 * Also the read-path bug of format.md §18 #1, which hits the same blocks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cramfs/check.h"
#include "util/util.h"

#define DU (CRAMFS_BLK_FLAG_DIRECT_PTR | CRAMFS_BLK_FLAG_UNCOMPRESSED)

/* What both predictors know about the file once the request is checked. */
struct xip_req {
	struct cramfs_image *img;
	struct cramfs_file *file;
	uint32_t page_size;
	uint32_t max_pages;	/* the file's pages, rounded up */
};

static bool valid_page_size(uint32_t ps)
{
	return ps >= CRAMFS_MIN_BLOCK_SIZE && ps <= CRAMFS_MAX_BLOCK_SIZE &&
	       !(ps & (ps - 1));
}

static int req_init(struct xip_req *r, struct cramfs_image *img,
		    struct cramfs_file *file, uint32_t page_size,
		    uint64_t pgoff, uint64_t pages, struct cramfs_xip_map *m)
{
	if (!valid_page_size(page_size) || !pages)
		return -EINVAL;
	*r = (struct xip_req){ img, file, page_size,
			       (uint32_t)(((uint64_t)cramfs_file_size(file) +
					   page_size - 1) / page_size) };
	memset(m, 0, sizeof(*m));
	m->pgoff = pgoff;
	m->vma_pages = pages;
	m->kind = CRAMFS_XIP_PAGECACHE;
	return 0;
}

/*
 * Reasons that hold before cramfs's mmap code runs at all: without the
 * EXT_BLOCK_POINTERS flag get_cramfs_inode() gives regular files the
 * generic file operations, and the kernel reads blocks of exactly one
 * page.  Legacy files have no pointer table for the kernel to follow.
 */
static const char *precondition_fails(const struct xip_req *r)
{
	struct cramfs_image_info info;

	cramfs_image_get_info(r->img, &info);
	if (!(info.super.flags & CRAMFS_FLAG_EXT_BLOCK_POINTERS))
		return "no EXT_BLOCK_POINTERS flag (0x800): generic file operations, never in place";
	if (info.block_size != r->page_size)
		return "block size is not the page size";
	if (cramfs_file_layout(r->file) != CRAMFS_LAYOUT_BLOCKS)
		return "legacy Linear XIP file: mainline kernels have no pointer table to follow";
	return NULL;
}

static int block_ptr(const struct xip_req *r, uint32_t idx, uint32_t *ptr)
{
	struct cramfs_block b;
	int ret = cramfs_file_block_info(r->file, idx, &b);

	if (!ret)
		*ptr = b.ptr;
	return ret;
}

/*
 * cramfs_get_block_range(): the run of pointers equal to the first one's
 * address plus one page per block, flags D|U included.  Sets *offset to
 * the run's image offset (0: no run, which the kernel also reads as "no
 * run" for a block at offset 0) and clips *pages to the run.  Pointer
 * arithmetic stays in 32 bits as in the kernel.
 */
static int block_range(const struct xip_req *r, uint32_t pgoff,
		       uint32_t *pages, uint32_t *offset,
		       struct cramfs_xip_map *m)
{
	uint32_t ptr, first, i = 0;
	int ret = block_ptr(r, pgoff, &ptr);

	if (ret)
		return ret;
	first = ptr & ~CRAMFS_BLK_FLAGS;
	do {
		uint32_t expect = (first + i * (r->page_size >> 2)) | DU;

		if (i && (ret = block_ptr(r, pgoff + i, &ptr)))
			return ret;
		if (ptr != expect) {
			m->range_break = true;
			m->break_block = pgoff + i;
			m->break_last = pgoff + *pages - 1;
			m->break_got = ptr;
			m->break_expect = expect;
			break;
		}
	} while (++i < *pages);
	*pages = i;
	*offset = i ? first << CRAMFS_BLK_DIRECT_PTR_SHIFT : 0;
	return 0;
}

/* Are the `len` source bytes at `off` all zero?  Unknown bytes are not. */
static int bytes_zero(struct cramfs_source *src, uint64_t off, uint32_t len,
		      bool *zero)
{
	uint8_t buf[4096];

	*zero = false;
	if (!range_ok(off, len, cramfs_source_size(src)))
		return 0;	/* flash after the image: erased NOR reads 0xFF */
	while (len) {
		uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
		int ret = cramfs_source_read(src, buf, n, off);

		if (ret)
			return ret;
		for (uint32_t i = 0; i < n; i++)
			if (buf[i])
				return 0;
		off += n;
		len -= n;
	}
	*zero = true;
	return 0;
}

/*
 * cramfs_last_page_is_shared(): the image bytes from EOF to the end of the
 * last page must be zero, or mapping that page would show data that is
 * not the file's.  Only called when the run reaches the last page, so its
 * pointer is DIRECT|UNCOMPRESSED.
 */
static int last_page_shared(const struct xip_req *r, bool *shared)
{
	uint32_t size = cramfs_file_size(r->file);
	uint32_t partial = size % r->page_size, ptr, addr;
	bool zero;
	int ret;

	*shared = false;
	if (!partial)
		return 0;
	ret = block_ptr(r, size / r->page_size, &ptr);
	if (ret)
		return ret;
	addr = (ptr & ~CRAMFS_BLK_FLAGS) << CRAMFS_BLK_DIRECT_PTR_SHIFT;
	ret = bytes_zero(cramfs_image_source(r->img), (uint64_t)addr + partial,
			 r->page_size - partial, &zero);
	*shared = !ret && !zero;
	return ret;
}

/* The run is settled: pfnmap if it covers the whole VMA, else mixed. */
static void finish_mapped(struct cramfs_xip_map *m, uint32_t pages,
			  uint32_t offset)
{
	m->direct_pages = pages;
	m->image_offset = offset;
	if (pages == m->vma_pages) {
		m->kind = CRAMFS_XIP_PFNMAP;
		return;
	}
	m->kind = CRAMFS_XIP_MIXEDMAP;
	if (m->range_break)
		m->reason = CRAMFS_XIP_RANGE_BREAK;
	else if (m->last_page_shared)
		m->reason = "last page is shared";
	else
		m->reason = "mapping extends past the end of the file";
}

/* cramfs_physmem_mmap() from the block range on. */
static int map_range(const struct xip_req *r, struct cramfs_xip_map *m)
{
	uint32_t pages = m->pages, offset;
	int ret = block_range(r, (uint32_t)m->pgoff, &pages, &offset, m);

	if (ret)
		return ret;
	if (!offset) {
		m->reason = "unsuitable block layout";
		return 0;
	}
	if (offset % r->page_size) {
		m->reason = "data is not page aligned";
		return 0;
	}
	if (m->pgoff + pages == r->max_pages) {
		ret = last_page_shared(r, &m->last_page_shared);
		if (ret)
			return ret;
		if (m->last_page_shared)
			pages--;
	}
	if (!pages)
		m->reason = "no suitable block remaining";
	else
		finish_mapped(m, pages, offset);
	return 0;
}

/* Reasons both kernels give before looking at blocks. */
static const char *early_bailout(const struct xip_req *r, bool writable)
{
	const char *why = precondition_fails(r);

	/* "Could COW work here?" asks the MMU kernel; it never tries. */
	if (!why && writable)
		why = "vma is writable";
	return why;
}

int cramfs_xip_predict(struct cramfs_image *img, struct cramfs_file *file,
		       uint32_t page_size, uint64_t pgoff, uint64_t pages,
		       bool writable, struct cramfs_xip_map *out)
{
	struct xip_req r;
	int ret = req_init(&r, img, file, page_size, pgoff, pages, out);

	if (ret)
		return ret;
	if ((out->reason = early_bailout(&r, writable)))
		return 0;
	if (pgoff >= r.max_pages) {
		out->reason = "beyond file limit";
		return 0;
	}
	out->pages = (uint32_t)(pages < r.max_pages - pgoff ? pages :
				r.max_pages - pgoff);
	return map_range(&r, out);
}

/*
 * No-MMU: private writable mappings are always copies (the core never asks
 * for a direct address); read-only private ones are treated as shared, so
 * get_unmapped_area() decides: the whole range, one run, or a copy.
 */
int cramfs_xip_predict_nommu(struct cramfs_image *img,
			     struct cramfs_file *file, uint32_t page_size,
			     uint64_t pgoff, uint64_t pages, bool writable,
			     struct cramfs_xip_map *out)
{
	struct xip_req r;
	uint32_t run, offset;
	int ret = req_init(&r, img, file, page_size, pgoff, pages, out);

	if (ret)
		return ret;
	if ((out->reason = early_bailout(&r, writable)))
		return 0;
	if (pgoff >= r.max_pages || pages > r.max_pages - pgoff) {
		out->kind = CRAMFS_XIP_REFUSED;
		out->reason = "beyond file limit";
		return 0;
	}
	out->pages = run = (uint32_t)pages;
	ret = block_range(&r, (uint32_t)pgoff, &run, &offset, out);
	if (ret)
		return ret;
	if (!offset || run != pages) {
		out->reason = !offset ? "unsuitable block layout" :
					CRAMFS_XIP_RANGE_BREAK;
		return 0;
	}
	out->kind = CRAMFS_XIP_PFNMAP;
	out->direct_pages = run;
	out->image_offset = offset;
	return 0;
}

const char *cramfs_xip_kind_name(enum cramfs_xip_kind kind)
{
	switch (kind) {
	case CRAMFS_XIP_MIXEDMAP:
		return "mixedmap";
	case CRAMFS_XIP_PFNMAP:
		return "pfnmap";
	case CRAMFS_XIP_REFUSED:
		return "refused";
	default:
		return "pagecache";
	}
}

/* Plain words for the pointer that broke a run. */
static const char *break_hint(uint32_t got)
{
	if ((got & DU) == DU)
		return "not the next page";
	if (got & CRAMFS_BLK_FLAG_DIRECT_PTR)
		return "direct but compressed";
	if (got & CRAMFS_BLK_FLAG_UNCOMPRESSED)
		return "uncompressed but not direct";
	return "compressed or a hole";
}

int cramfs_xip_describe(const struct cramfs_xip_map *m, char *buf,
			size_t cap)
{
	char range[96] = "";

	if (!m->reason)
		return snprintf(buf, cap, "%s", "");
	if (m->range_break)
		snprintf(range, sizeof(range),
			 "range: block %u/%u got %#x expects %#x (%s)",
			 m->break_block, m->break_last, m->break_got,
			 m->break_expect, break_hint(m->break_got));
	if (m->range_break && !strcmp(m->reason, CRAMFS_XIP_RANGE_BREAK))
		return snprintf(buf, cap, "%s", range);
	/* Other bailouts come after the range is known: it does not matter. */
	if (m->range_break && !strcmp(m->reason, "unsuitable block layout"))
		return snprintf(buf, cap, "%s; %s", m->reason, range);
	if (m->last_page_shared && strcmp(m->reason, "last page is shared"))
		return snprintf(buf, cap, "%s; last page is shared", m->reason);
	return snprintf(buf, cap, "%s", m->reason);
}

bool cramfs_xip_read_bug(struct cramfs_file *file, uint32_t page_size)
{
	uint32_t size = cramfs_file_size(file);
	struct cramfs_block b;

	if (!valid_page_size(page_size) || !size || size % page_size ||
	    cramfs_file_layout(file) != CRAMFS_LAYOUT_BLOCKS)
		return false;
	/* read_folio caps the last page's D+U block to size % PAGE_SIZE. */
	if (cramfs_file_block_info(file, size / page_size - 1, &b))
		return false;
	return (b.ptr & DU) == DU;
}
