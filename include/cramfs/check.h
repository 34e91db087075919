/* SPDX-License-Identifier: MIT */
/*
 * Verifying images and extracting them safely.
 *
 * Same conventions as reader.h.  Both functions report every problem they
 * find into the diag (errors and warnings), not just the first, and carry
 * on wherever the rest of the image can still be trusted.
 */
#ifndef CRAMFS_CHECK_H
#define CRAMFS_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
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
 * rely on.  Kernel-visible quirks (format §4.6, §7.4, §18) become warnings.
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
};

struct cramfs_extract_result {
	struct cramfs_tree_stats stats;
	uint64_t bytes_written;
	uint64_t manifest_lines;	/* 0: no manifest written */
	uint64_t skipped;		/* entries not extracted (errors) */
};

/*
 * Extract files from the image into opts->target_dir.  Never writes outside
 * it: names are validated, no symlink is ever followed (neither one from the
 * image nor one already in the target), files are created with O_EXCL unless
 * `overwrite`.  Symlinks whose relative target climbs above the image root
 * are not created (error).  Modes are restored (directories after their
 * contents); timestamps are set to the epoch like the kernel shows them.
 *
 * Returns 0 when everything was extracted, -EUCLEAN when some entries were
 * corrupt (the rest is extracted), -ENOENT when a requested path is absent,
 * or another -errno for an operational failure.  `result` may be NULL.
 */
int cramfs_extract(struct cramfs_image *img,
		   const struct cramfs_extract_opts *opts,
		   struct cramfs_diag *diag,
		   struct cramfs_extract_result *result);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_CHECK_H */
