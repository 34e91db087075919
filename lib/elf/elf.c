// SPDX-License-Identifier: MIT
/*
 * elf.c - ELF header and PT_LOAD program headers, any class and byte order.
 *
 * Only what the XIP planner needs: which byte ranges of a file the ELF
 * loader maps, and with which permissions.  Fields are read with the
 * file's own byte order (npitre's mkcramfs read host-order ELF32 only,
 * format.md §18 #9), so cross-endian and 64-bit targets plan correctly.
 */
#include <errno.h>
#include <string.h>

#include "cramfs/elf.h"

#define EI_NIDENT 16
#define PT_LOAD 1
#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56
#define MAX_PHNUM 256	/* more program headers than any sane file has */

struct elf_reader {
	cramfs_elf_read_fn read;
	void *ctx;
	uint64_t file_size;
	int big_endian;
};

static uint64_t get_uint(const unsigned char *p, unsigned width, int be)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < width; i++) {
		unsigned shift = be ? 8 * (width - 1 - i) : 8 * i;

		v |= (uint64_t)p[i] << shift;
	}
	return v;
}

/* Read exactly len bytes: 1 done, 0 short file, negative errno. */
static int read_exact(const struct elf_reader *r, void *buf, size_t len,
		      uint64_t off)
{
	long got;

	if (off > r->file_size || len > r->file_size - off)
		return 0;
	got = r->read(r->ctx, buf, len, off);
	if (got < 0)
		return (int)got;
	return (size_t)got == len;
}

struct elf_header {
	uint64_t phoff;
	uint32_t phentsize, phnum;
};

static int parse_ident(const unsigned char *id, struct cramfs_elf_info *out,
		       const char **why)
{
	if (memcmp(id, "\177ELF", 4) != 0)
		return 0;
	if (id[4] != 1 && id[4] != 2) {
		*why = "unknown ELF class";
		return 0;
	}
	if (id[5] != 1 && id[5] != 2) {
		*why = "unknown ELF byte order";
		return 0;
	}
	if (id[6] != 1) {
		*why = "unknown ELF version";
		return 0;
	}
	out->elf_class = id[4] == 1 ? 32 : 64;
	out->big_endian = id[5] == 2;
	return 1;
}

static void parse_ehdr(const unsigned char *h, struct cramfs_elf_info *out,
		       struct elf_header *eh)
{
	int be = out->big_endian;

	out->type = (uint16_t)get_uint(h + 16, 2, be);
	out->machine = (uint16_t)get_uint(h + 18, 2, be);
	if (out->elf_class == 32) {
		eh->phoff = get_uint(h + 28, 4, be);
		eh->phentsize = (uint32_t)get_uint(h + 42, 2, be);
		eh->phnum = (uint32_t)get_uint(h + 44, 2, be);
	} else {
		eh->phoff = get_uint(h + 32, 8, be);
		eh->phentsize = (uint32_t)get_uint(h + 54, 2, be);
		eh->phnum = (uint32_t)get_uint(h + 56, 2, be);
	}
}

/* Decode one program header; returns its p_type. */
static uint32_t parse_phdr(const unsigned char *p, int elf_class, int be,
			   struct cramfs_elf_segment *seg)
{
	if (elf_class == 32) {
		seg->offset = get_uint(p + 4, 4, be);
		seg->vaddr = get_uint(p + 8, 4, be);
		seg->filesz = get_uint(p + 16, 4, be);
		seg->memsz = get_uint(p + 20, 4, be);
		seg->flags = (uint32_t)get_uint(p + 24, 4, be);
	} else {
		seg->flags = (uint32_t)get_uint(p + 4, 4, be);
		seg->offset = get_uint(p + 8, 8, be);
		seg->vaddr = get_uint(p + 16, 8, be);
		seg->filesz = get_uint(p + 32, 8, be);
		seg->memsz = get_uint(p + 40, 8, be);
	}
	return (uint32_t)get_uint(p, 4, be);
}

static int load_segment(const struct elf_reader *r,
			const struct cramfs_elf_segment *seg,
			struct cramfs_elf_info *out, const char **why)
{
	if (seg->offset > r->file_size ||
	    seg->filesz > r->file_size - seg->offset) {
		*why = "PT_LOAD segment extends past the end of the file";
		return 0;
	}
	if (out->nload == CRAMFS_ELF_MAX_LOAD) {
		*why = "too many PT_LOAD segments";
		return 0;
	}
	out->seg[out->nload++] = *seg;
	return 1;
}

static int parse_phdrs(const struct elf_reader *r, const struct elf_header *eh,
		       struct cramfs_elf_info *out, const char **why)
{
	unsigned want = out->elf_class == 32 ? PHDR32_SIZE : PHDR64_SIZE;
	unsigned char ph[PHDR64_SIZE];
	uint32_t i;
	int rc;

	if (eh->phnum == 0 || eh->phnum > MAX_PHNUM || eh->phentsize < want) {
		*why = "no usable program header table";
		return 0;
	}
	for (i = 0; i < eh->phnum; i++) {
		struct cramfs_elf_segment seg;

		rc = read_exact(r, ph, want,
				eh->phoff + (uint64_t)i * eh->phentsize);
		if (rc <= 0) {
			if (rc == 0)
				*why = "program header table past the end of the file";
			return rc;
		}
		if (parse_phdr(ph, out->elf_class, r->big_endian, &seg) != PT_LOAD)
			continue;
		rc = load_segment(r, &seg, out, why);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

int cramfs_elf_parse(cramfs_elf_read_fn read, void *ctx, uint64_t file_size,
		     struct cramfs_elf_info *out, const char **why)
{
	struct elf_reader r = { read, ctx, file_size, 0 };
	unsigned char hdr[EHDR64_SIZE];
	struct elf_header eh;
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(out, 0, sizeof(*out));
	rc = read_exact(&r, hdr, EI_NIDENT, 0);
	if (rc <= 0)
		return rc;
	if (parse_ident(hdr, out, why) <= 0)
		return 0;
	r.big_endian = out->big_endian;
	rc = read_exact(&r, hdr, out->elf_class == 32 ? EHDR32_SIZE : EHDR64_SIZE, 0);
	if (rc <= 0) {
		if (rc == 0)
			*why = "ELF header cut short";
		return rc;
	}
	parse_ehdr(hdr, out, &eh);
	rc = parse_phdrs(&r, &eh, out, why);
	if (rc <= 0)
		out->nload = 0;
	return rc;
}

int cramfs_elf_segment_in_place(const struct cramfs_elf_segment *seg)
{
	if (seg->flags & CRAMFS_ELF_PF_W)
		return 0;
	return (seg->flags & (CRAMFS_ELF_PF_R | CRAMFS_ELF_PF_X)) != 0;
}

void cramfs_elf_segment_pages(const struct cramfs_elf_segment *seg,
			      uint32_t page_size, uint64_t *pgoff,
			      uint64_t *pages)
{
	uint64_t in_page = seg->offset % page_size;

	*pgoff = seg->offset / page_size;
	*pages = seg->filesz ? (in_page + seg->filesz + page_size - 1) / page_size
			     : 0;
}
