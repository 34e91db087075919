/* SPDX-License-Identifier: MIT */
/*
 * Building cramfs images.
 *
 * Same conventions as reader.h.  A build has two steps: collect a tree of
 * entries from sources (host directories, archives, device tables), then
 * write the image.  Writing
 * goes to a temporary file next to the output that is renamed over it only
 * when complete, so an error or a kill never leaves a partial image at the
 * output path.  The bytes written depend only on the tree and the options,
 * never on the thread count.
 */
#ifndef CRAMFS_BUILD_H
#define CRAMFS_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "diag.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cramfs_tree;

/* An empty tree (a root directory 0755 owned by 0:0).  0 or -ENOMEM. */
int cramfs_tree_new(struct cramfs_tree **out);
void cramfs_tree_free(struct cramfs_tree *tree);

/*
 * Add everything below host directory `dir` to the tree, and take the
 * root's mode and owner from `dir` itself.  With several sources, later
 * ones merge into earlier ones: directories merge, any other entry of the
 * same name is replaced (a warning).  File contents are read when the image
 * is written, so the files must stay in place until then.
 * Returns 0, or -errno (detail in diag naming the host path).
 */
int cramfs_tree_add_dir(struct cramfs_tree *tree, const char *dir,
			struct cramfs_diag *diag);

/*
 * Add the entries of an archive read from `path`, or from standard input
 * when `path` is "-": tar in every dialect libarchive reads (ustar, pax,
 * GNU; sparse entries come out with their holes as zeros), or cpio (newc,
 * odc, binary), each plain or compressed (gzip, xz, zstd, bzip2, lz4, ...;
 * recognised by content, not by name).  The archive is read once, front
 * to back; contents are copied to an unlinked temporary file under $TMPDIR
 * (or /tmp), so a pipe works and memory stays bounded.  Leading "/" and
 * "./", doubled and trailing "/" are dropped; a name (or hard link target)
 * with a "." or ".." component is refused: one error naming the archive
 * and the entry, the rest still read, the build failing (-EUCLEAN, with or
 * without strict); owners are the numeric ids.  Hard links share their
 * target's data (cpio newc's data on the last link included).  What cramfs
 * cannot hold (xattrs, ACLs, a hard link to an entry not earlier in the
 * archive, an entry of an unknown type) gets one warning per entry and
 * makes a strict build fail.
 * Returns 0, -EUCLEAN for a damaged archive or something that is not one
 * (detail in diag, naming `path`), -ELIBACC when libarchive (loaded on the
 * first call, not linked) is not installed, or -errno.
 */
int cramfs_tree_add_archive(struct cramfs_tree *tree, const char *path,
			    struct cramfs_diag *diag);

/*
 * Never add the host file at `path` (the same device and inode), should a
 * later cramfs_tree_add_dir meet it: for the output image inside its own
 * source tree.  Each time it is met, a warning names it.  Returns 0 (also
 * when `path` does not exist: then there is nothing to meet), or -errno.
 */
int cramfs_tree_leave_out(struct cramfs_tree *tree, const char *path);

enum cramfs_devtable_flavor {
	/*
	 * buildroot makedevs / genext2fs: `count` is the number of nodes,
	 * named NAME<start> .. NAME<start+count-1>, minor + (i - start) * inc.
	 */
	CRAMFS_DEVTABLE_MAKEDEVS = 0,
	/*
	 * cramfs-tools mkcramfs -D: i runs from start while i < count, minor
	 * + i * inc - start (count is an end bound).
	 */
	CRAMFS_DEVTABLE_CRAMFS_TOOLS,
};

/*
 * Apply a device table (10 columns: name type mode uid gid major minor
 * start inc count; '#' comments; '-' for unused columns; names absolute in
 * the image, with \ooo escapes as cramfs extract writes them).  Types: d
 * (create or update a directory), f (update an existing regular file), l
 * (update an existing symlink), c b (create device nodes), p s (create a
 * fifo, a socket).  Missing parent directories are created 0755 root:root.
 * Owners are numeric.  Doubled and trailing "/" in a name are dropped; a
 * "." or ".." component, or a NUL or "/" made by an escape, makes the line
 * bad.  This is also the manifest format `cramfs extract` writes when it
 * cannot apply ownership.  Returns 0, or -EINVAL with one diag error per
 * bad line (naming file and line; bad lines are not applied), or -errno.
 */
int cramfs_tree_apply_devtable(struct cramfs_tree *tree, const char *path,
			       enum cramfs_devtable_flavor flavor,
			       struct cramfs_diag *diag);

/*
 * Drop every entry (with its subtree) whose image path matches the
 * fnmatch(3) `pattern`: a pattern with a '/' is matched against the whole
 * path ("usr/share/doc/\*"), one without against each name ("*.o").
 * Returns the number of entries dropped.
 */
unsigned long cramfs_tree_exclude(struct cramfs_tree *tree, const char *pattern);

/*
 * Change modes as rsync --chmod does: comma-separated clauses, each
 * optionally prefixed D (directories only) or F (everything else), then an
 * octal mode or chmod(1) symbolic changes ([ugoa]*[+-=][rwxXst]*).
 * Returns 0, or -EINVAL for a malformed `spec` (nothing changed).
 */
int cramfs_tree_chmod(struct cramfs_tree *tree, const char *spec);

/* Give every entry owner `uid`/`gid` (-1: keep), e.g. for --all-root. */
void cramfs_tree_set_owner(struct cramfs_tree *tree, long long uid,
			   long long gid);

enum cramfs_build_mode {
	/*
	 * Byte-identical to util-linux mkfs.cramfs (Debian 12, 2.38.1): zlib
	 * level 6, its deduplication (by content only) and flag policy.
	 */
	CRAMFS_BUILD_UTIL_LINUX = 0,
	/*
	 * Faster builds of smaller images every kernel >= 2.6 mounts:
	 * libdeflate (still zlib streams, level 6 unless opts->level says);
	 * deduplication only of entries whose type, mode and owner also
	 * match (format.md §4.6).
	 */
	CRAMFS_BUILD_NATIVE,
};

/*
 * Execute in place (format.md §8, §9).  The planner keeps chosen blocks
 * uncompressed and directly addressable so the kernel maps them instead of
 * copying them into the page cache.
 */
enum cramfs_xip_mode {
	CRAMFS_XIP_OFF = 0,
	/*
	 * Mainline Linux >= 4.15 with an MMU: DIRECT|UNCOMPRESSED blocks,
	 * page-aligned and consecutive per file, zero-filled to the end of
	 * the page after EOF, all of them in one region at the end of the
	 * image so that alignment is paid once, not per file.
	 */
	CRAMFS_XIP_MMU,
	/* The same for no-MMU kernels: runs aligned to xip.align only. */
	CRAMFS_XIP_NOMMU,
	/*
	 * Out-of-tree "Linear XIP" kernels (2000-2010): chosen files get the
	 * sticky bit and are stored whole, raw, page-aligned, without a
	 * pointer table.  Mainline kernels cannot read such files.
	 */
	CRAMFS_XIP_LEGACY,
};

struct cramfs_xip_opts {
	enum cramfs_xip_mode mode;
	/*
	 * ELF files of type EXEC and DYN (programs, PIEs, shared libraries)
	 * get their PT_LOAD pages that the loader maps without write access
	 * in place; with all_elf every ELF file with PT_LOAD segments does;
	 * with no_elf none (only `globs`).
	 */
	bool all_elf;
	bool no_elf;
	/* fnmatch(3) patterns (as for cramfs_tree_exclude) of whole files. */
	const char *const *globs;
	unsigned nglobs;
	uint32_t align;		/* no-MMU run alignment: 0 means 8 */
	/*
	 * Flash the in-place region may take (pages + padding); more fails
	 * the build with -ENOSPC before anything is written.  0: no limit.
	 */
	uint64_t budget;
};

/* One planned file of the XIP report. */
struct cramfs_xip_file {
	char *path;		/* in the image, with a leading '/' */
	char *runs;		/* in-place pages, e.g. "0-3,5-6" ("" none) */
	uint32_t size;
	uint32_t pages;		/* pages (blocks) of the file */
	uint32_t in_place;	/* pages stored for direct mapping */
	uint32_t ram_pages;	/* of those, pages no writable mapping needs */
	uint64_t flash_bytes;	/* in-place bytes incl. the tail fill */
	uint32_t tail_fill;	/* zero bytes after EOF to the page end */
	/* Pages left compressed although inside an in-place segment: */
	uint32_t shared_rw;	/* ... also mapped by a writable segment */
	uint32_t exact_last;	/* ... last page of a page-multiple file */
	uint64_t image_offset;	/* first in-place byte, 0 if none */
	bool elf;		/* chosen by its program headers */
	bool legacy;		/* stored whole for a legacy kernel */
	uint32_t nsegs;		/* PT_LOAD segments (ELF) */
	struct cramfs_xip_seg {
		uint32_t pgoff, pages, in_place, flags;	/* CRAMFS_ELF_PF_* */
	} *segs;
};

struct cramfs_xip_report {
	enum cramfs_xip_mode mode;
	uint32_t page_size;
	uint64_t region_offset;	/* where the in-place region starts */
	uint64_t region_bytes;	/* its size, padding included */
	uint64_t align_fill;	/* zero bytes before the region */
	uint64_t tail_fill;	/* sum of the files' tail fills */
	uint64_t anchor_bytes;	/* u16 length prefixes + their alignment */
	uint64_t in_place_pages, ram_pages;
	uint32_t nfiles;
	struct cramfs_xip_file *files;
};

struct cramfs_build_opts {
	enum cramfs_build_mode mode;
	enum cramfs_endian endian;
	uint32_t block_size;	/* 0: 4096 */
	bool pad;		/* a 512-byte boot pad before the superblock */
	const char *blob_path;	/* inserted after the superblock, or NULL */
	const char *label;	/* volume name; NULL: "Compressed" */
	uint32_t edition;
	bool holes;		/* store all-zero blocks as holes */
	int level;		/* native mode: libdeflate level 1-12; 0: 6 */
	/*
	 * Store a block uncompressed when compression does not shrink it
	 * (an UNCOMPRESSED block pointer, superblock flag 0x800): faster to
	 * read, but only Linux >= 4.15 mounts such images.  Implied by
	 * xip.mode MMU and NOMMU, which need 4.15 anyway.
	 */
	bool raw_blocks;
	/*
	 * A limit warning, or an archive entry cramfs could not hold (see
	 * cramfs_tree_add_archive), fails the build unwritten (-EOVERFLOW).
	 */
	bool strict;
	struct cramfs_xip_opts xip;
	/*
	 * The whole image may not exceed this many bytes (an MTD partition):
	 * -ENOSPC, nothing written at the output.  0: no limit.
	 */
	uint64_t max_size;
	unsigned threads;	/* compression threads; 0: one per CPU */
	/*
	 * Called from the calling thread once the tree is final (limits
	 * applied and warned about in diag, duplicates found, XIP planned),
	 * right before the first byte is written, with `total` the bytes of
	 * file and symlink data to compress.  The caller may print and clear
	 * diag here, so that warnings come before the data.  NULL: none.
	 */
	void (*prepared)(void *ctx, uint64_t total);
	/*
	 * Bytes of that data compressed and written so far, and the total;
	 * called from the calling thread after every job (at most 32 blocks).
	 */
	cramfs_progress_fn progress;
	void *progress_ctx;		/* for both */
	/*
	 * The image is written into an unnamed file (O_TMPFILE) beside the
	 * output and linked into place when complete, so a killed build
	 * leaves nothing.  Where the file system has no O_TMPFILE it is a
	 * named temporary file: this is called with its path right after it
	 * is created and with NULL once it is gone, so that a caller's
	 * signal handler can remove it.  NULL: none.
	 */
	void (*temp_file)(void *ctx, const char *path);
};

struct cramfs_build_result {
	struct cramfs_tree_stats stats;	/* what went into the image */
	uint64_t bytes_in;		/* file and symlink bytes read */
	uint64_t image_size;
	uint64_t dedup_bytes;		/* input bytes not stored twice */
	uint64_t warnings;		/* limit warnings (truncations) */
	uint32_t crc;
	/* XIP plan, when opts->xip.mode is set; free with cramfs_xip_report_free. */
	struct cramfs_xip_report *xip;
};

void cramfs_xip_report_free(struct cramfs_xip_report *report);

/*
 * Write the image of `tree` to `output`.  Entries beyond cramfs's limits
 * (names > 252 bytes, files >= 16 MiB, uid > 65535, gid > 255, device
 * numbers > 24 bits, offsets past 256 MiB) are reported as warnings before
 * anything is written and truncated as util-linux does; with opts->strict
 * they make the build fail with -EOVERFLOW and nothing is written.  Names
 * that become equal once cut fail the build with -EEXIST (an error each).
 * Returns 0, -EOVERFLOW, -EEXIST, -EFBIG (the image cannot be addressed),
 * or -errno.  A failed write (a full disk: -ENOSPC; a file size limit:
 * -EFBIG) is one diag error, "cannot write the image: REASON"; the
 * temporary file is removed and `output` is left as it was.
 * `result` may be NULL.
 */
int cramfs_build(struct cramfs_tree *tree, const struct cramfs_build_opts *opts,
		 const char *output, struct cramfs_diag *diag,
		 struct cramfs_build_result *result);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_BUILD_H */
