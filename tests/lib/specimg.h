/* SPDX-License-Identifier: MIT */
/*
 * specimg: a small cramfs image writer for tests.
 *
 * It is written from docs/format.md alone and shares no code with
 * libcramfs (only the header's constants), so that a test built on it checks
 * the library against the specification and not against itself.  Images are
 * built in memory; every block of every file can be given its own encoding,
 * including encodings no production builder emits, and the result can be
 * post-edited byte by byte to make deliberately broken images.
 *
 * Usage: spec_new(), add nodes below spec_root(), tune them, spec_build(),
 * then use img->buf / img->len and the per-node layout fields.
 */
#ifndef SPECIMG_H
#define SPECIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spec_endian {
	SPEC_LE = 0,
	SPEC_BE = 1,
};

/* How one block of a file is stored (format.md §6.3, §7.1). */
enum spec_enc {
	SPEC_ENC_ZLIB = 0,	/* end pointer, zlib stream */
	SPEC_ENC_HOLE,		/* end pointer == start; block must be zero */
	SPEC_ENC_RAW,		/* UNCOMPRESSED end pointer, stored bytes */
	SPEC_ENC_DIRECT_ZLIB,	/* DIRECT start/4, u16 length, zlib stream */
	SPEC_ENC_DIRECT_RAW,	/* DIRECT|UNCOMPRESSED, block-aligned (XIP) */
};

struct spec_opts {
	enum spec_endian endian;
	bool pad;			/* 512-byte boot pad before the super */
	const void *blob;		/* -i: inserted after the superblock */
	size_t blob_len;
	uint32_t block_size;		/* 0: 4096 */
	const char *label;		/* NULL: "Compressed" */
	uint32_t edition;
	uint32_t extra_flags;		/* ORed into the superblock flags */
	/*
	 * Omit the zero padding to a page (block) boundary at the image end
	 * and after XIP data (DIRECT_RAW blocks, legacy files): makes small
	 * images, e.g. fuzz seeds.
	 */
	bool no_tail_pad;
	int level;			/* zlib level; 0: 9 */
};

struct spec_node {
	char *name;			/* "" for the root */
	char *path;			/* "a/b/c"; "" for the root */
	uint16_t mode;			/* full st_mode, 16 bits */
	uint16_t uid;
	uint8_t gid;
	uint32_t rdev;			/* devices: stored 24-bit value */
	uint8_t *data;			/* file content or symlink target */
	size_t len;
	enum spec_enc *encs;		/* per block; NULL: all zlib */
	size_t nencs;			/* 1: applies to every block */
	bool legacy_xip;		/* §9.2 layout, no pointer table */
	bool unsorted;			/* dir: keep insertion order */
	struct spec_node *share;	/* reuse this node's data item */
	struct spec_node *parent;
	struct spec_node **kids;
	size_t nkids, capkids;

	/* Layout, filled by spec_build(). */
	uint64_t entry_off;		/* the 12-byte record (root: in super) */
	uint32_t offset;		/* byte offset of list/table/data */
	uint32_t size;			/* the inode size field */
	uint32_t nblocks;		/* pointer-table entries (0: none) */
};

struct spec_image {
	struct spec_opts o;
	struct spec_node *root;
	struct spec_node **all;		/* every node, root first */
	size_t nall, capall;

	/* Result of spec_build(), owned by the image. */
	uint8_t *buf;
	size_t len;
	uint32_t start;			/* superblock offset: 0 or 512 */
	uint32_t flags, blocks, files, crc;
};

/* A decoded inode, spec-side (host values). */
struct spec_inode {
	uint32_t mode, uid, size, gid, namelen, offset;
};

/* NULL opts: little-endian, 4096-byte blocks, no pad.  NULL on ENOMEM. */
struct spec_image *spec_new(const struct spec_opts *opts);
void spec_free(struct spec_image *img);
struct spec_node *spec_root(struct spec_image *img);

/*
 * Add children.  `perm` holds permission bits (and suid/sgid/sticky); the
 * type is added.  spec_add_node takes a full mode for devices, FIFOs and
 * sockets.  Return NULL only on ENOMEM.
 */
struct spec_node *spec_add_dir(struct spec_image *img, struct spec_node *dir,
			       const char *name, uint16_t perm);
struct spec_node *spec_add_file(struct spec_image *img, struct spec_node *dir,
				const char *name, uint16_t perm,
				const void *data, size_t len);
struct spec_node *spec_add_symlink(struct spec_image *img,
				   struct spec_node *dir, const char *name,
				   const char *target);
struct spec_node *spec_add_node(struct spec_image *img, struct spec_node *dir,
				const char *name, uint16_t mode, uint32_t rdev);

/* Per-block encodings: one value for all blocks, or one per block. */
int spec_set_enc(struct spec_node *n, enum spec_enc enc);
int spec_set_encs(struct spec_node *n, const enum spec_enc *encs, size_t cnt);
/* Legacy sticky-bit Linear XIP layout (sets S_ISVTX too). */
void spec_set_legacy_xip(struct spec_node *n);
void spec_set_owner(struct spec_node *n, uint16_t uid, uint8_t gid);
/* `n` points at `orig`'s data item (dedup); n keeps its own metadata. */
void spec_share_data(struct spec_node *n, struct spec_node *orig);

/* Lay out and encode.  Returns 0, -EINVAL (unencodable tree), -ENOMEM. */
int spec_build(struct spec_image *img);

/* The node at `path` ("" = root), or NULL. */
struct spec_node *spec_find(struct spec_image *img, const char *path);

/* ---- Post-editing a built image --------------------------------------- */

uint16_t spec_get16(const struct spec_image *img, uint64_t off);
uint32_t spec_get32(const struct spec_image *img, uint64_t off);
void spec_put16(struct spec_image *img, uint64_t off, uint16_t v);
void spec_put32(struct spec_image *img, uint64_t off, uint32_t v);
void spec_inode_read(const struct spec_image *img, uint64_t off,
		     struct spec_inode *out);
void spec_inode_write(struct spec_image *img, uint64_t off,
		      const struct spec_inode *in);
/* Encode an inode in either byte order (for golden-byte tests). */
void spec_inode_encode(const struct spec_inode *in, enum spec_endian e,
		       uint8_t raw[12]);
/* Offset of a field of the superblock (e.g. 32 for the CRC). */
uint64_t spec_super_off(const struct spec_image *img, uint32_t field);
/* Recompute and store the CRC after editing; returns it. */
uint32_t spec_fix_crc(struct spec_image *img);

#endif /* SPECIMG_H */
