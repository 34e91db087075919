/* SPDX-License-Identifier: MIT */
/*
 * Reading cramfs images.
 *
 * Conventions (all of libcramfs):
 * - Functions return 0 (or a documented non-negative value) on success and a
 *   negative errno on failure.  -EUCLEAN means the image is corrupt; the
 *   detail is appended to the `diag` argument (which may be NULL).
 * - Handles are opaque.  Every `*_open`/`*_new` has a matching close/free;
 *   closing NULL is a no-op.  A handle borrows its parent: close children
 *   (dirs, files, walks) before the image, and the image before its source.
 * - Nothing here prints, exits or keeps global state.  An image handle and
 *   its source may be used from several threads at once for reading; each
 *   dir, file and walk handle belongs to one thread at a time.
 * - Memory is bounded by the block size and the directory depth, never by
 *   the image size: nothing reads the whole image into memory.
 */
#ifndef CRAMFS_READER_H
#define CRAMFS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Sources: where image bytes come from ---------------------------- */

struct cramfs_source;

/*
 * Open a file or block device read-only.  Returns 0, or -errno (with a diag
 * entry naming the path).
 */
int cramfs_source_open_file(const char *path, struct cramfs_diag *diag,
			    struct cramfs_source **out);

/*
 * Wrap `len` bytes at `buf` (borrowed: must stay valid and unchanged until
 * the source is closed).  Returns 0 or -ENOMEM.
 */
int cramfs_source_from_memory(const void *buf, size_t len,
			      struct cramfs_source **out);

/* Total length of the source in bytes. */
uint64_t cramfs_source_size(const struct cramfs_source *src);

/*
 * Read exactly `len` bytes at `off`.  Returns 0, -EUCLEAN when the range
 * lies past the end, or -errno on an I/O error.  Thread-safe.
 */
int cramfs_source_read(struct cramfs_source *src, void *buf, size_t len,
		       uint64_t off);

void cramfs_source_close(struct cramfs_source *src);

/* ---- Images ---------------------------------------------------------- */

struct cramfs_image;

struct cramfs_open_opts {
	/*
	 * Block size the image was built with (4096..65536, a power of two),
	 * or 0 to detect it from the data (cramfs does not record it).
	 */
	uint32_t block_size;
};

/*
 * Open an image: locate and validate the superblock and root, then settle
 * the block size.  Detection (when opts->block_size is 0) walks the tree
 * and reads every data item's pointer table under each candidate size,
 * plus a bounded number of blocks (see struct cramfs_bs_evidence); it never
 * fails: an image no size fits is opened with the best fit.
 * `src` is borrowed and must outlive the image.  `opts` may be NULL.
 * Returns 0, -EUCLEAN (not a cramfs image, or a broken superblock: detail in
 * diag), -EOPNOTSUPP (flags no Linux kernel supports), or -errno.
 */
int cramfs_image_open(struct cramfs_source *src,
		      const struct cramfs_open_opts *opts,
		      struct cramfs_diag *diag, struct cramfs_image **out);

void cramfs_image_close(struct cramfs_image *img);

/* ---- Block size detection ------------------------------------------- */

/* The sizes detection weighs: CRAMFS_MIN_BLOCK_SIZE << k, k < this. */
#define CRAMFS_BS_CANDIDATES	5

/* How the block size of an open image was settled. */
enum cramfs_bs_source {
	CRAMFS_BS_GIVEN = 0,	/* by the caller (cramfs_open_opts) */
	CRAMFS_BS_DETECTED,	/* the one size the evidence points to */
	CRAMFS_BS_AMBIGUOUS,	/* several sizes fit equally well: the smallest is used */
	CRAMFS_BS_BEST_FIT,	/* no size fits every file: the one with fewest misfits */
};

/* What one candidate size made of the image. */
struct cramfs_bs_candidate {
	uint32_t size;
	uint64_t fit;		/* files whose layout is consistent with it */
	uint64_t misfit;	/* files whose layout contradicts it */
	uint64_t gaps;		/* files not starting where the one before ends */
	bool blocks_match;	/* superblock block count = the files' blocks */
	bool size_aligned;	/* superblock size is a multiple of it */
};

/*
 * The evidence detection gathered.  A file "fits" a size when, with that
 * size, its pointer table has ceil(size/block) entries that decode in range,
 * block 0 (if compressed) begins with a zlib header right after the table,
 * no block is too short or too long for its output, its blocks do not
 * overlap each other or the next file's data, and (for files that still
 * leave several sizes) its first and last blocks inflate to exactly one
 * block and to the remainder.  Sizes no file contradicts are ranked by
 * fewer gaps, then the block count, then the image size's alignment.
 */
struct cramfs_bs_evidence {
	enum cramfs_bs_source source;
	uint32_t fits;		/* bit k: size MIN << k is among the best */
	uint64_t files;		/* data items examined */
	uint64_t telling;	/* of those, files that rule out some size */
	uint64_t unfit;		/* files no size fits (damaged): ignored */
	uint64_t inflated;	/* blocks inflated to tell sizes apart */
	bool truncated;		/* the read budget ran out before the end */
	struct cramfs_bs_candidate cand[CRAMFS_BS_CANDIDATES];
};

struct cramfs_image_info {
	struct cramfs_super super;	/* decoded, host values */
	enum cramfs_endian endian;
	uint32_t start;			/* superblock offset: 0 or 512 */
	uint32_t block_size;
	bool block_size_detected;	/* false: given by the caller */
	struct cramfs_bs_evidence bs;	/* detection: how sure (GIVEN: empty) */
	uint64_t source_size;		/* length of the file/device */
	uint64_t image_size;		/* min(super.size, source_size); v1: source */
	bool version2;			/* FSID_VERSION_2: size/crc/counts valid */
};

/* Fill `out`; never fails once the image is open. */
void cramfs_image_get_info(const struct cramfs_image *img,
			   struct cramfs_image_info *out);

/*
 * The block size and how sure it is, in words, e.g. "65536 (detected from
 * 812 files)", "ambiguous: 32768 or 65536", "4096 (given)",
 * "65536 (best fit: 3 files do not fit it)".
 */
void cramfs_bs_describe(const struct cramfs_image_info *info, char *buf,
			size_t cap);

/* The fitting sizes as "32768 or 65536" (or "4096, 8192 or 16384"). */
void cramfs_bs_list_fits(const struct cramfs_bs_evidence *ev, char *buf,
			 size_t cap);

/*
 * Compute the CRC over [start, super.size) with the CRC field taken as zero,
 * reading in bounded chunks.  Returns 0, -EUCLEAN if the source is shorter
 * than super.size, or -errno.
 */
int cramfs_image_compute_crc(struct cramfs_image *img, uint32_t *crc);

/*
 * The source the image was opened on (borrowed, not a new reference): for
 * raw reads of bytes the tree does not describe, e.g. the padding after a
 * file's last block, which decides whether Linux maps that page in place.
 */
struct cramfs_source *cramfs_image_source(const struct cramfs_image *img);

/* ---- Nodes and directories ------------------------------------------- */

/* One directory entry (or the root), decoded.  A plain value type. */
struct cramfs_node {
	struct cramfs_inode inode;
	uint64_t entry_offset;	/* byte offset of the 12-byte record */
	uint32_t name_len;	/* bytes, padding stripped; 0 for the root */
	char name[CRAMFS_MAXNAME + 1];	/* NUL-terminated */
};

/* Byte offset of a node's data or entry list: inode.offset * 4. */
static inline uint64_t cramfs_node_data_offset(const struct cramfs_node *n)
{
	return (uint64_t)n->inode.offset * 4u;
}

/* The root directory. */
void cramfs_image_root(const struct cramfs_image *img, struct cramfs_node *out);

struct cramfs_dir;

/*
 * Iterate the entries of directory `dir` in on-disk order.
 * Returns 0, -ENOTDIR, or -EUCLEAN (entry list outside the image, size not a
 * multiple of 4).
 */
int cramfs_dir_open(struct cramfs_image *img, const struct cramfs_node *dir,
		    struct cramfs_diag *diag, struct cramfs_dir **out);

/*
 * Next entry into *out.  Returns 1 for an entry, 0 at the end, -EUCLEAN for
 * a bad entry (empty name, '/' or NUL inside, "." or "..", bad padding, a
 * record that overruns the list); after such an error the iterator is
 * finished.  An entry out of order or a duplicate name under SORTED_DIRS
 * (the kernel's lookup cannot find it) is reported to diag as an error but
 * still returned, so that the rest of the directory can be salvaged.
 */
int cramfs_dir_next(struct cramfs_dir *dir, struct cramfs_node *out);

void cramfs_dir_close(struct cramfs_dir *dir);

/*
 * Resolve `path` ("a/b/c"; leading, trailing and repeated slashes ignored;
 * "" or "/" is the root) without following symlinks.  Returns 0, -ENOENT,
 * -ENOTDIR, or -EUCLEAN.
 */
int cramfs_lookup(struct cramfs_image *img, const char *path,
		  struct cramfs_diag *diag, struct cramfs_node *out);

/* ---- Whole-tree walk ------------------------------------------------- */

enum cramfs_walk_event {
	CRAMFS_WALK_NODE = 1,	/* any entry, directories before their contents */
	CRAMFS_WALK_DIR_DONE,	/* a directory after its contents (if asked) */
};

#define CRAMFS_WALK_WANT_DIR_DONE	0x1u
/* Keep going past a corrupt directory (reported in diag) instead of failing. */
#define CRAMFS_WALK_CONTINUE		0x2u

struct cramfs_walk_entry {
	enum cramfs_walk_event event;
	struct cramfs_node node;
	const char *path;	/* "" for the start node; valid until next call */
	unsigned depth;		/* 0 for the start node */
};

struct cramfs_walk;

/*
 * Walk the tree below `start` (NULL: the root) depth first in on-disk order:
 * a node, then its subtree, then its next sibling; this is also the order of
 * the data area.  Each entry list is visited at most once (a second
 * reference is an error: it would be a cycle or aliasing), and depth is
 * capped at 1024.
 */
int cramfs_walk_open(struct cramfs_image *img, const struct cramfs_node *start,
		     unsigned flags, struct cramfs_diag *diag,
		     struct cramfs_walk **out);

/* Returns 1 with *out filled, 0 at the end, or a negative errno. */
int cramfs_walk_next(struct cramfs_walk *walk, struct cramfs_walk_entry *out);

void cramfs_walk_close(struct cramfs_walk *walk);

/* ---- File data -------------------------------------------------------- */

enum cramfs_block_kind {
	CRAMFS_BLOCK_HOLE = 0,	/* reads as zeros */
	CRAMFS_BLOCK_ZLIB,	/* a zlib stream */
	CRAMFS_BLOCK_RAW,	/* stored bytes */
};

/* Where one block of a file lives, from its pointer (format.md §7.2). */
struct cramfs_block {
	enum cramfs_block_kind kind;
	bool direct;		/* DIRECT_PTR: position given, not chained */
	uint32_t ptr;		/* the raw pointer value, host order */
	uint64_t start;		/* first payload byte (after a u16 prefix) */
	uint32_t len;		/* payload bytes in the image */
	uint32_t out_len;	/* bytes this block contributes to the file */
};

enum cramfs_file_layout {
	CRAMFS_LAYOUT_BLOCKS = 0,	/* pointer table (classic or extended) */
	CRAMFS_LAYOUT_LEGACY_XIP,	/* sticky-bit Linear XIP: raw, no table */
};

struct cramfs_file;

/*
 * Open a regular file or symlink for reading: loads and validates its
 * pointer table.  Files of size 0 open and read as empty.  A sticky-bit file
 * whose table is invalid but whose page-aligned raw region fits is read with
 * the legacy Linear XIP layout (format.md §9).
 * Returns 0, -EINVAL (not a file/symlink), -EUCLEAN, or -ENOMEM.
 */
int cramfs_file_open(struct cramfs_image *img, const struct cramfs_node *node,
		     struct cramfs_diag *diag, struct cramfs_file **out);

/* The same, naming the file `path` (its path in the image) in messages. */
int cramfs_file_open_path(struct cramfs_image *img,
			  const struct cramfs_node *node, const char *path,
			  struct cramfs_diag *diag, struct cramfs_file **out);

void cramfs_file_close(struct cramfs_file *file);

uint32_t cramfs_file_block_count(const struct cramfs_file *file);
enum cramfs_file_layout cramfs_file_layout(const struct cramfs_file *file);

/* Location of block `idx`.  Returns 0, -EINVAL (idx out of range), -EUCLEAN. */
int cramfs_file_block_info(struct cramfs_file *file, uint32_t idx,
			   struct cramfs_block *out);

/*
 * Decode block `idx` into `buf` (at least the block size).  *out_len is set
 * to the bytes the block contributes.  Checks that a zlib stream ends within
 * its length and yields exactly that many bytes.  Returns 0 or -EUCLEAN/-errno.
 */
int cramfs_file_read_block(struct cramfs_file *file, uint32_t idx, void *buf,
			   size_t *out_len);

/*
 * Read up to `len` bytes at file offset `off` into `buf`.  Returns the
 * number of bytes read (0 at or past EOF), or a negative errno.
 */
long cramfs_file_pread(struct cramfs_file *file, void *buf, size_t len,
		       uint64_t off);

/* Size of the file in bytes (the inode's 24-bit size). */
uint32_t cramfs_file_size(const struct cramfs_file *file);

/*
 * Read a symlink's target into `buf` (NUL-terminated; `cap` >= size + 1).
 * Returns the target length, -ERANGE if it does not fit, -EUCLEAN for a
 * target with a NUL byte or the wrong length.
 */
long cramfs_readlink(struct cramfs_image *img, const struct cramfs_node *node,
		     struct cramfs_diag *diag, char *buf, size_t cap);

/*
 * Device number as glibc's dev_t encodes the stored 24 bits (what
 * util-linux's fsck.cramfs passes to mknod), and as the Linux kernel decodes
 * it (old_decode_dev of the low 16 bits: major and minor below 256 only).
 */
void cramfs_rdev_split(uint32_t stored, unsigned *major, unsigned *minor);
void cramfs_rdev_split_kernel(uint32_t stored, unsigned *major,
			      unsigned *minor);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_READER_H */
