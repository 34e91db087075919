/* SPDX-License-Identifier: MIT */
/*
 * Verifying images and extracting them safely.
 *
 * Same conventions as reader.h.  Checking and extracting report every
 * problem they find into the diag (errors and warnings), not just the
 * first, and carry on wherever the rest of the image can still be trusted.
 * The XIP section predicts what Linux maps in place.
 */
#ifndef CRAMFS_CHECK_H
#define CRAMFS_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "elf.h"
#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counts gathered while checking or extracting. */
struct cramfs_tree_stats {
	uint64_t files, dirs, symlinks, chrdevs, blkdevs, fifos, sockets;
	uint64_t file_bytes;		/* sum of regular file sizes */
	uint64_t data_items;		/* distinct data items (after dedup) */
	uint64_t shared_items;		/* entries reusing another's data */
	uint64_t blocks;		/* blocks in distinct data items */
	uint64_t hole_blocks, raw_blocks, direct_blocks, zlib_blocks;
	uint64_t xip_blocks;		/* DIRECT|UNCOMPRESSED, page-aligned */
	uint64_t legacy_xip_files;
	uint64_t entries;		/* directory entries, root excluded */
	/* cramfs_check only: the CRC it computed (v2 images that are whole). */
	bool crc_computed;
	uint32_t crc;
};

#define CRAMFS_CHECK_NO_DATA	0x1u	/* skip decompressing file data */

/*
 * Check the whole image: superblock fields against the tree (size, CRC,
 * file and block counts), every directory (sorted, tiled, valid names, no
 * cycles), every data item (pointer tables in range, blocks decode to the
 * right length, no overlaps), and the layout rules the kernel and util-linux
 * rely on.  Kernel-visible quirks (format.md §4.6, §7.4, §18) are warnings.
 *
 * Returns 0 when no error was found (warnings allowed), -EUCLEAN when at
 * least one was (all in diag), or -errno for an operational failure.
 * `stats` may be NULL.
 */
int cramfs_check(struct cramfs_image *img, unsigned flags,
		 struct cramfs_diag *diag, struct cramfs_tree_stats *stats);

/* Progress: called from the caller's thread, roughly every 64 KiB. */
typedef void (*cramfs_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct cramfs_extract_opts {
	const char *target_dir;	/* created if missing (parent must exist) */
	/* Image paths to extract (with their subtrees); NULL/0: everything. */
	const char *const *paths;
	unsigned npaths;
	bool overwrite;		/* replace existing non-directories */
	/*
	 * Apply ownership and create device nodes: 1 yes, 0 no, -1 decide by
	 * whether the process runs as root.
	 */
	int owners;
	/*
	 * Where to write the manifest of what could not be applied when
	 * ownership is not applied (see cramfs(1), MANIFEST FORMAT).
	 * NULL: "<target_dir>.manifest".  Written only if non-empty.
	 */
	const char *manifest_path;
	unsigned threads;	/* 0: one per online CPU */
	cramfs_progress_fn progress;
	void *progress_ctx;
	/*
	 * The most bytes the extraction may write: the sizes of its regular
	 * files (holes included, though they are written as holes) and
	 * symlink targets.  Entries are admitted in walk order; the first
	 * that would pass the limit is not created, and nothing after it.
	 * A warning comes first, once the output passes 16 times the image
	 * size and 256 MiB.
	 * 0: CRAMFS_EXTRACT_MAX_OUTPUT_DEFAULT(image size);
	 * CRAMFS_EXTRACT_UNLIMITED: no limit.
	 */
	uint64_t max_output;
};

#define CRAMFS_EXTRACT_UNLIMITED UINT64_MAX
/*
 * The default limit: 64 times the image size plus 1 GiB.  Ordinary data
 * inflates 2 to 5 times and all-zero blocks are cheap holes, so 64 times
 * leaves room for heavy sharing, and the 1 GiB for small images with big
 * sparse or shared files; yet 16 MB whose 1M entries alias one 16 MiB file
 * stop at 2 GiB instead of writing 16 TiB.
 */
#define CRAMFS_EXTRACT_MAX_OUTPUT_DEFAULT(image_size) \
	((uint64_t)(image_size) * 64u + (UINT64_C(1) << 30))

struct cramfs_extract_result {
	struct cramfs_tree_stats stats;
	uint64_t bytes_written;
	uint64_t manifest_lines;	/* 0: no manifest written */
	uint64_t skipped;		/* entries not extracted (errors) */
	uint64_t existing;		/* of those: already in the target and
					 * not replaced (no `overwrite`) */
	uint64_t max_output;		/* the limit applied (UNLIMITED: none) */
	bool stopped;			/* max_output reached: extraction cut */
};

/*
 * Extract files from the image into opts->target_dir.  Never writes outside
 * it: names are validated, no symlink is ever followed (neither one from the
 * image nor one already in the target), files are created with O_EXCL unless
 * `overwrite`.  Symlinks are created with the target they hold, even one
 * that is absolute or climbs above the image root: nothing here resolves
 * through them.  Modes are restored (directories after their
 * contents); timestamps are set to the epoch like the kernel shows them.
 *
 * Holes, and blocks that read as zeros, are left as holes (the file is
 * extended with ftruncate), so the target uses no space for them.  Of
 * two entries of one name in a directory the first (in on-disk order) is
 * extracted and each later one reported as corrupt, whatever the threads.
 * A file that cannot be written completely (full disk, RLIMIT_FSIZE: the
 * caller should ignore SIGXFSZ, I/O error) is removed and its error says
 * so: no truncated file is left with its final mode and time.
 *
 * Returns 0 when everything was extracted, -EUCLEAN when some entries were
 * corrupt (the rest is extracted), -ENOENT when a requested path is absent,
 * -EFBIG when max_output stopped the extraction (whatever else happened;
 * result->stopped tells it from a write that failed with EFBIG),
 * or another -errno for an operational failure.  `result` may be NULL.
 */
int cramfs_extract(struct cramfs_image *img,
		   const struct cramfs_extract_opts *opts,
		   struct cramfs_diag *diag,
		   struct cramfs_extract_result *result);

/* ---- Execute in place: what Linux maps directly (format.md §8) ---------- */

/*
 * The predictions below follow Linux >= 4.15 (fs/cramfs/inode.c, unchanged
 * in this respect up to 6.x) for an image mounted from directly addressable
 * flash (CONFIG_CRAMFS_MTD) that starts at a page-aligned physical address
 * other than 0.  Offsets in the image then differ from physical addresses
 * by that base only.
 */
enum cramfs_xip_kind {
	/* Nothing in place: every page through read_folio (no-MMU: copied). */
	CRAMFS_XIP_PAGECACHE = 0,
	/* VM_MIXEDMAP: the first direct_pages in place, the rest faulted in. */
	CRAMFS_XIP_MIXEDMAP,
	/* remap_pfn_range: the whole mapping in place (no-MMU: mapped direct). */
	CRAMFS_XIP_PFNMAP,
	/* The mmap itself fails (no-MMU, a range past EOF: -EINVAL). */
	CRAMFS_XIP_REFUSED,
};

struct cramfs_xip_map {
	uint64_t pgoff;		/* the mapping asked for: first file page */
	uint64_t vma_pages;	/* ... and its length in pages */
	/*
	 * The part the kernel considers: min(vma_pages, file pages - pgoff),
	 * 0 when it gave up before computing it (writable, past EOF).
	 */
	uint32_t pages;
	uint32_t direct_pages;	/* leading pages mapped in place */
	uint64_t image_offset;	/* of the first of them (if direct_pages) */
	enum cramfs_xip_kind kind;
	/*
	 * Why not every page of the mapping is in place (static), NULL when
	 * all are.  The kernel's own pr_debug words where it has them:
	 * "vma is writable", "beyond file limit", "unsuitable block layout",
	 * "data is not page aligned", "last page is shared", "no suitable
	 * block remaining"; CRAMFS_XIP_RANGE_BREAK when a block interrupts the
	 * run (see break_*); otherwise a sentence of ours.
	 */
	const char *reason;
	bool last_page_shared;	/* the tail test dropped the last page */
	/*
	 * Where cramfs_get_block_range() stopped, with the numbers of its
	 * pr_debug "range: block %d/%d got %#x expects %#x".
	 */
	bool range_break;
	uint32_t break_block, break_last, break_got, break_expect;
};

/* The reason when the run of in-place blocks ends inside the mapping. */
#define CRAMFS_XIP_RANGE_BREAK "range: block does not continue the run"

/*
 * Predict what an MMU kernel with pages of `page_size` bytes does for
 * mmap(file, `pages` pages at page `pgoff`), `writable` for a VMA with
 * VM_WRITE (a private PROT_WRITE mapping, as the ELF loader makes for PF_W
 * segments; shared writable mappings are refused before cramfs is asked).
 * This is cramfs_physmem_mmap(): no EXT_BLOCK_POINTERS flag means generic
 * file operations (nothing in place); then writable VMAs and pgoff past
 * EOF bail out; the run must start with a DIRECT|UNCOMPRESSED pointer and
 * continue with pointers exactly one page apart; its address must be page
 * aligned; a run reaching EOF loses its last page unless the image bytes
 * from EOF to the end of that page are all zero ("last page is shared").
 * Bytes past the end of the source count as not zero: flash after the
 * image is not known (erased NOR reads 0xFF).  `file` must come from `img`;
 * a legacy Linear XIP file is predicted never to map in place.
 * Returns 0 and fills *out, -EINVAL (page size not a power of 2 in
 * 4096..65536, or pages 0), or -errno reading the image.
 */
int cramfs_xip_predict(struct cramfs_image *img, struct cramfs_file *file,
		       uint32_t page_size, uint64_t pgoff, uint64_t pages,
		       bool writable, struct cramfs_xip_map *out);

/*
 * The same for a no-MMU kernel (cramfs_physmem_get_unmapped_area): a
 * read-only mapping is direct (kind PFNMAP) only when the whole range lies
 * in the file and is one run of DIRECT|UNCOMPRESSED blocks one page apart;
 * no alignment or tail test.  A range past EOF fails the mmap (REFUSED);
 * anything else, writable mappings included, is copied (PAGECACHE).
 */
int cramfs_xip_predict_nommu(struct cramfs_image *img,
			     struct cramfs_file *file, uint32_t page_size,
			     uint64_t pgoff, uint64_t pages, bool writable,
			     struct cramfs_xip_map *out);

/* "pagecache", "mixedmap", "pfnmap" or "refused". */
const char *cramfs_xip_kind_name(enum cramfs_xip_kind kind);

/*
 * The reason of `m` as one line into `buf` ("" when there is none), with
 * the kernel's range message and a plain-words hint for a run break, e.g.
 * "range: block 5/9 got 0x40000400 expects 0xc0000415 (direct but
 * compressed)".  Returns what snprintf returns.
 */
int cramfs_xip_describe(const struct cramfs_xip_map *m, char *buf,
			size_t cap);

/*
 * Kernel bug (format.md §7.4, §18 #1): the last block is DIRECT|UNCOMPRESSED
 * and the size a multiple of `page_size`, so cramfs_read_folio() sizes that
 * block as 0 bytes: read() returns zeros for the last page (an in-place
 * mapping shows the right bytes).  cramfs_check() reports it as a warning.
 */
bool cramfs_xip_read_bug(struct cramfs_file *file, uint32_t page_size);

/* One PT_LOAD segment as the ELF loader maps it. */
struct cramfs_xip_segment {
	uint32_t flags;			/* CRAMFS_ELF_PF_* */
	/* vma_pages 0: no file bytes (bss only), nothing mapped */
	struct cramfs_xip_map map;
};

/* XIP facts of one regular file. */
struct cramfs_xip_summary {
	bool nommu;			/* predicted with the no-MMU rules */
	uint32_t size, pages;
	uint32_t du_blocks;		/* DIRECT|UNCOMPRESSED blocks */
	struct cramfs_xip_map whole;	/* read-only mmap of the whole file */
	bool elf;			/* ELF with sane program headers */
	uint32_t nsegs;
	struct cramfs_xip_segment seg[CRAMFS_ELF_MAX_LOAD];
	/* Pages in place in the whole-file mapping or any segment's. */
	uint32_t in_place_pages;
	/*
	 * DIRECT|UNCOMPRESSED blocks none of those mappings puts in place
	 * (flash spent for nothing), the first of them, and which mapping
	 * explains it: the segment index, or -1 for the whole-file one.
	 */
	uint32_t stranded, stranded_first;
	int stranded_via;
	bool read_bug;			/* cramfs_xip_read_bug() */
};

/*
 * Summarise `file` (see above) with pages of `page_size`: the whole-file
 * mapping, and for an ELF file (its headers read with cramfs_file_pread)
 * each PT_LOAD segment mapped as elf_map() does, writable when PF_W; with
 * the no-MMU rules if `nommu`.  One simplification: for the first segment
 * of an ET_DYN file elf_map() maps the span of all segments and unmaps the
 * rest, so Linux may report a mixed map where this predicts pfnmap; the
 * pages in place are the same.
 * Returns 0, -EINVAL, -ENOMEM or -errno reading the image.
 */
int cramfs_xip_summarize(struct cramfs_image *img, struct cramfs_file *file,
			 uint32_t page_size, bool nommu,
			 struct cramfs_xip_summary *out);

/* Which kernel cramfs_xip_scan() predicts for. */
enum cramfs_xip_target {
	/*
	 * No-MMU when most DIRECT|UNCOMPRESSED blocks are not page aligned
	 * (no-MMU builders align them to 4 or 8 bytes only), else MMU.
	 */
	CRAMFS_XIP_TARGET_AUTO = 0,
	CRAMFS_XIP_TARGET_MMU,
	CRAMFS_XIP_TARGET_NOMMU,
};

/* Totals over the files that have DIRECT|UNCOMPRESSED blocks. */
struct cramfs_xip_totals {
	uint32_t page_size;
	bool nommu;			/* the rules used */
	uint64_t files;			/* distinct data items */
	uint64_t pages;			/* their pages */
	uint64_t du_blocks;
	uint64_t in_place_pages;	/* the summaries' in_place_pages */
	uint64_t in_place_bytes;	/* in_place_pages * page_size of flash */
	uint64_t stranded_blocks, stranded_files;
	uint64_t read_bug_files;
};

/* Called once per summarised file; `path` starts with '/'. */
typedef void (*cramfs_xip_file_fn)(void *ctx, const char *path,
				   const struct cramfs_xip_summary *s);

/*
 * Summarise every regular file with DIRECT|UNCOMPRESSED blocks (entries
 * sharing data with an earlier one are skipped), call `each` (may be NULL)
 * for it, add the totals, and append one warning per file with stranded
 * blocks to `diag`, naming the mapping and the kernel's reason.  Images
 * without EXT_BLOCK_POINTERS get no such warning (cramfs_check() already
 * says that nothing maps in place).  `page_size` 0 means the block size.
 * Corrupt parts are skipped silently (cramfs_check() reports them).
 * Returns 0, -EINVAL, -ENOMEM or -errno from reading.
 */
int cramfs_xip_scan(struct cramfs_image *img, uint32_t page_size,
		    enum cramfs_xip_target target, struct cramfs_diag *diag,
		    cramfs_xip_file_fn each, void *ctx,
		    struct cramfs_xip_totals *totals);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_CHECK_H */
