// SPDX-License-Identifier: MIT
/* The XIP plan of a build, as text or JSON (cramfs build --xip-report). */
#include <stdio.h>

#include "cramfs/elf.h"
#include "tool.h"

static const char *mode_name(enum cramfs_xip_mode m)
{
	static const char *const names[] = { "off", "mmu", "nommu", "legacy" };

	return names[m];
}

static void seg_perms(uint32_t flags, char out[4])
{
	out[0] = flags & CRAMFS_ELF_PF_R ? 'r' : '-';
	out[1] = flags & CRAMFS_ELF_PF_W ? 'w' : '-';
	out[2] = flags & CRAMFS_ELF_PF_X ? 'x' : '-';
	out[3] = '\0';
}

/* Why pages of a planned file stay out of place, in words. */
static void file_notes(const struct cramfs_xip_file *f)
{
	char perms[4];

	for (uint32_t i = 0; i < f->nsegs; i++) {
		seg_perms(f->segs[i].flags, perms);
		printf("%s%s %u/%u", i ? ", " : " [", perms, f->segs[i].in_place,
		       f->segs[i].pages);
	}
	if (f->nsegs)
		putchar(']');
	if (f->shared_rw)
		printf(" %u page(s) also in a writable segment stay compressed",
		       f->shared_rw);
	if (f->exact_last)
		printf(" last page compressed: Linux read() misreads a direct last block of a page-multiple file");
	if (f->legacy)
		printf(" legacy: whole file, sticky bit");
}

static void text_report(const struct cramfs_xip_report *r)
{
	printf("XIP plan (%s, page %u): %u files, %llu pages in place (%llu KiB of page cache a target need not fill)\n",
	       mode_name(r->mode), r->page_size, r->nfiles,
	       (unsigned long long)r->in_place_pages,
	       (unsigned long long)(r->ram_pages * r->page_size / 1024));
	printf("%-40s %6s %6s %10s %6s  %s\n", "file", "pages", "inpl",
	       "flash", "fill", "pages in place");
	for (uint32_t i = 0; i < r->nfiles; i++) {
		const struct cramfs_xip_file *f = &r->files[i];

		printf("%-40s %6u %6u %10llu %6u  %s", f->path, f->pages,
		       f->in_place, (unsigned long long)f->flash_bytes,
		       f->tail_fill, f->runs);
		file_notes(f);
		putchar('\n');
	}
	printf("region: %llu bytes at 0x%llx\n", (unsigned long long)r->region_bytes,
	       (unsigned long long)r->region_offset);
	printf("padding: %llu bytes to align in-place data (paid once for the region), %llu bytes of tail fill (the kernel maps a file's last page in place only when the rest of that page is zero), %llu bytes of length prefixes and their alignment (compressed blocks after in-place ones)\n",
	       (unsigned long long)r->align_fill, (unsigned long long)r->tail_fill,
	       (unsigned long long)r->anchor_bytes);
}

static void json_file(const struct cramfs_xip_file *f, uint32_t page)
{
	char perms[4];

	printf("{\"path\": ");
	json_string(stdout, f->path);
	printf(", \"size\": %u, \"pages\": %u, \"in_place\": %u, \"runs\": \"%s\", \"image_offset\": %llu, \"flash_bytes\": %llu, \"tail_fill\": %u, \"ram_saved_bytes\": %llu, \"elf\": %s, \"legacy\": %s, \"shared_rw_pages\": %u, \"exact_last_page\": %s, \"segments\": [",
	       f->size, f->pages, f->in_place, f->runs,
	       (unsigned long long)f->image_offset,
	       (unsigned long long)f->flash_bytes, f->tail_fill,
	       (unsigned long long)f->ram_pages * page, f->elf ? "true" : "false",
	       f->legacy ? "true" : "false", f->shared_rw,
	       f->exact_last ? "true" : "false");
	for (uint32_t i = 0; i < f->nsegs; i++) {
		seg_perms(f->segs[i].flags, perms);
		printf("%s{\"pgoff\": %u, \"pages\": %u, \"in_place\": %u, \"flags\": \"%s\"}",
		       i ? ", " : "", f->segs[i].pgoff, f->segs[i].pages,
		       f->segs[i].in_place, perms);
	}
	printf("]}");
}

void tool_xip_report_json(const struct cramfs_xip_report *r)
{
	printf("{\"mode\": \"%s\", \"page_size\": %u, \"region_offset\": %llu, \"region_bytes\": %llu, \"align_fill\": %llu, \"tail_fill\": %llu, \"anchor_bytes\": %llu, \"in_place_pages\": %llu, \"ram_saved_bytes\": %llu, \"files\": [",
	       mode_name(r->mode), r->page_size,
	       (unsigned long long)r->region_offset,
	       (unsigned long long)r->region_bytes,
	       (unsigned long long)r->align_fill, (unsigned long long)r->tail_fill,
	       (unsigned long long)r->anchor_bytes,
	       (unsigned long long)r->in_place_pages,
	       (unsigned long long)r->ram_pages * r->page_size);
	for (uint32_t i = 0; i < r->nfiles; i++) {
		printf(i ? ", " : "");
		json_file(&r->files[i], r->page_size);
	}
	printf("]}");
}

void tool_xip_report_text(const struct cramfs_xip_report *r)
{
	text_report(r);
}
