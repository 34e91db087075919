/* SPDX-License-Identifier: MIT */
/*
 * cramfs/elf.h - the little of ELF the XIP planner and checker need.
 *
 * Reads the ELF header and the PT_LOAD program headers of 32- and 64-bit
 * files of either byte order and any machine.  Nothing here touches the
 * host file system: bytes come through a read callback, so the same code
 * serves files on disk (builder) and files inside an image (checker).
 */
#ifndef CRAMFS_ELF_H
#define CRAMFS_ELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* p_flags bits (the ELF values). */
#define CRAMFS_ELF_PF_X 1u
#define CRAMFS_ELF_PF_W 2u
#define CRAMFS_ELF_PF_R 4u

/* More PT_LOAD entries than this make the file "not plannable". */
#define CRAMFS_ELF_MAX_LOAD 32

struct cramfs_elf_segment {
	uint64_t offset;	/* p_offset: where the bytes are in the file */
	uint64_t filesz;	/* p_filesz: bytes taken from the file */
	uint64_t memsz;		/* p_memsz */
	uint64_t vaddr;		/* p_vaddr */
	uint32_t flags;		/* CRAMFS_ELF_PF_* */
};

struct cramfs_elf_info {
	uint8_t elf_class;	/* 32 or 64 */
	uint8_t big_endian;	/* 1 for ELFDATA2MSB */
	uint16_t type;		/* e_type: 2 EXEC, 3 DYN, ... */
	uint16_t machine;	/* e_machine */
	uint32_t nload;		/* PT_LOAD segments in seg[] (file order) */
	struct cramfs_elf_segment seg[CRAMFS_ELF_MAX_LOAD];
};

/*
 * Read `len` bytes at `off` into `buf`.  Returns the bytes read (short only
 * at end of file) or a negative errno.
 */
typedef long (*cramfs_elf_read_fn)(void *ctx, void *buf, size_t len,
				   uint64_t off);

/*
 * Parse the file of `file_size` bytes that `read` gives.
 * Returns 1 and fills *out for an ELF file whose program headers are sane
 * (table inside the file, every PT_LOAD's file bytes inside the file);
 * 0 when the file is not ELF, or is ELF but malformed (then *why, if not
 * NULL, points to a static one-line reason, else to NULL);
 * a negative errno when `read` failed.
 */
int cramfs_elf_parse(cramfs_elf_read_fn read, void *ctx, uint64_t file_size,
		     struct cramfs_elf_info *out, const char **why);

/*
 * True when the kernel's ELF loader maps this segment without write access,
 * i.e. its pages can run in place: PF_R or PF_X set and PF_W clear.
 */
int cramfs_elf_segment_in_place(const struct cramfs_elf_segment *seg);

/*
 * The file pages the ELF loader maps for `seg` (as elf_map() does: the
 * offset rounded down to a page, the length p_filesz plus that rounding).
 * Sets *pgoff and *pages (0 pages for an empty segment).
 */
void cramfs_elf_segment_pages(const struct cramfs_elf_segment *seg,
			      uint32_t page_size, uint64_t *pgoff,
			      uint64_t *pages);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_ELF_H */
