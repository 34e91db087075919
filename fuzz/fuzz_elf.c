/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ELF program header parser the XIP planner and checker
 * use, on an arbitrary file, and the page arithmetic of every segment it
 * accepts.  Properties: no crash, hang or sanitizer report; the result is
 * 1 or 0 (a read from memory cannot fail); an accepted file's PT_LOAD
 * segments lie inside it, as the parser promises.
 */
#include <stdlib.h>
#include <string.h>

#include "cramfs/elf.h"
#include "fuzz.h"

struct buf {
	const uint8_t *data;
	size_t size;
};

static long read_buf(void *ctx, void *out, size_t len, uint64_t off)
{
	const struct buf *b = ctx;

	if (off >= b->size)
		return 0;
	if (len > b->size - off)
		len = (size_t)(b->size - off);
	memcpy(out, b->data + off, len);
	return (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = { data, size };
	struct cramfs_elf_info info;
	const char *why;
	uint64_t pgoff, pages;
	int rc = cramfs_elf_parse(read_buf, &b, size, &info, &why);

	if (rc != 0 && rc != 1)
		abort();
	for (uint32_t i = 0; rc == 1 && i < info.nload; i++) {
		const struct cramfs_elf_segment *s = &info.seg[i];

		if (s->offset > size || s->filesz > size - s->offset)
			abort();
		cramfs_elf_segment_in_place(s);
		cramfs_elf_segment_pages(s, 4096, &pgoff, &pages);
		cramfs_elf_segment_pages(s, 65536, &pgoff, &pages);
	}
	return 0;
}
