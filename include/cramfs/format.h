/* SPDX-License-Identifier: MIT */
/*
 * The cramfs on-disk format: constants and the decoding/encoding of single
 * records.  Pure functions over byte arrays: no I/O, no allocation, no
 * knowledge of files on disk.  See docs/format.md for the layout.
 *
 * Disk records are never C bitfields here: each is decoded explicitly for the
 * image's byte order, because the third inode word is laid out differently
 * (not merely byte-swapped) in big-endian images.
 */
#ifndef CRAMFS_FORMAT_H
#define CRAMFS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRAMFS_MAGIC		0x28CD3D45u
#define CRAMFS_MAGIC_WEND	0x453DCD28u	/* the magic read in the wrong order */
#define CRAMFS_SIGNATURE	"Compressed ROMFS"
#define CRAMFS_SUPER_SIZE	76u
#define CRAMFS_INODE_SIZE	12u
#define CRAMFS_PAD_SIZE		512u	/* optional boot pad before the superblock */
#define CRAMFS_MAXNAME		252u	/* 63 * 4: the 6-bit namelen in words */
#define CRAMFS_MAXFILESIZE	0xFFFFFFu
#define CRAMFS_MAXOFFSET	(0x3FFFFFFu * 4u)

/* Superblock flags. */
#define CRAMFS_FLAG_FSID_VERSION_2	0x001u
#define CRAMFS_FLAG_SORTED_DIRS		0x002u
#define CRAMFS_FLAG_HOLES		0x100u
#define CRAMFS_FLAG_WRONG_SIGNATURE	0x200u
#define CRAMFS_FLAG_SHIFTED_ROOT_OFFSET	0x400u
#define CRAMFS_FLAG_EXT_BLOCK_POINTERS	0x800u
/* Every bit a Linux kernel mounts with; anything above is refused. */
#define CRAMFS_SUPPORTED_FLAGS		0xFFFu

/* Block pointer bits, meaningful with CRAMFS_FLAG_EXT_BLOCK_POINTERS. */
#define CRAMFS_BLK_FLAG_UNCOMPRESSED	0x80000000u
#define CRAMFS_BLK_FLAG_DIRECT_PTR	0x40000000u
#define CRAMFS_BLK_FLAGS		0xC0000000u
#define CRAMFS_BLK_DIRECT_PTR_SHIFT	2

#define CRAMFS_MIN_BLOCK_SIZE	4096u
#define CRAMFS_MAX_BLOCK_SIZE	65536u

enum cramfs_endian {
	CRAMFS_LITTLE_ENDIAN = 0,
	CRAMFS_BIG_ENDIAN = 1,
};

/* A decoded inode.  All fields are host values. */
struct cramfs_inode {
	uint32_t mode;		/* 16 bits: st_mode, type and permissions */
	uint32_t uid;		/* 16 bits */
	uint32_t size;		/* 24 bits: meaning depends on the type */
	uint32_t gid;		/* 8 bits */
	uint32_t namelen;	/* 6 bits: padded name length in 4-byte words */
	uint32_t offset;	/* 26 bits: byte offset / 4 */
};

/* A decoded superblock (76 bytes on disk). */
struct cramfs_super {
	uint32_t magic;
	uint32_t size;
	uint32_t flags;
	uint32_t future;
	uint8_t signature[16];
	uint32_t crc;
	uint32_t edition;
	uint32_t blocks;
	uint32_t files;
	uint8_t name[16];	/* not necessarily NUL-terminated */
	struct cramfs_inode root;
};

/* Read or write a 16/32-bit value in the given byte order. */
uint16_t cramfs_get16(const uint8_t *p, enum cramfs_endian endian);
uint32_t cramfs_get32(const uint8_t *p, enum cramfs_endian endian);
void cramfs_put16(uint8_t *p, uint16_t v, enum cramfs_endian endian);
void cramfs_put32(uint8_t *p, uint32_t v, enum cramfs_endian endian);

/* The byte order of the machine running this code. */
enum cramfs_endian cramfs_host_endian(void);

void cramfs_inode_decode(const uint8_t raw[CRAMFS_INODE_SIZE],
			 enum cramfs_endian endian, struct cramfs_inode *out);
/*
 * Encode an inode.  Fields wider than their disk width are truncated to it;
 * callers check the limits first (cramfs_inode_fits()).
 */
void cramfs_inode_encode(const struct cramfs_inode *in,
			 enum cramfs_endian endian,
			 uint8_t raw[CRAMFS_INODE_SIZE]);
/* True when every field fits its disk width. */
bool cramfs_inode_fits(const struct cramfs_inode *in);

void cramfs_super_decode(const uint8_t raw[CRAMFS_SUPER_SIZE],
			 enum cramfs_endian endian, struct cramfs_super *out);
void cramfs_super_encode(const struct cramfs_super *in,
			 enum cramfs_endian endian,
			 uint8_t raw[CRAMFS_SUPER_SIZE]);

/*
 * Find the superblock in the first bytes of an image: at 0, else at 512,
 * in either byte order.  `head` holds the first `len` bytes.
 * Returns 0 and sets *start (0 or 512) and *endian, or -EUCLEAN when no
 * magic is found (or `len` is too short to hold one).
 */
int cramfs_super_locate(const uint8_t *head, size_t len, uint32_t *start,
			enum cramfs_endian *endian);

/* Standard CRC-32 (zlib's crc32()), continuing from `crc` (0 to start). */
uint32_t cramfs_crc32(uint32_t crc, const void *buf, size_t len);

/* Padded length of a name of `len` bytes (a multiple of 4). */
static inline uint32_t cramfs_name_padded(uint32_t len)
{
	return (len + 3u) & ~3u;
}

/* File-type helpers on the 16-bit mode, independent of the host's S_IF*. */
#define CRAMFS_S_IFMT	0170000u
#define CRAMFS_S_IFSOCK	0140000u
#define CRAMFS_S_IFLNK	0120000u
#define CRAMFS_S_IFREG	0100000u
#define CRAMFS_S_IFBLK	0060000u
#define CRAMFS_S_IFDIR	0040000u
#define CRAMFS_S_IFCHR	0020000u
#define CRAMFS_S_IFIFO	0010000u
#define CRAMFS_S_ISVTX	0001000u

static inline bool cramfs_is_type(uint32_t mode, uint32_t type)
{
	return (mode & CRAMFS_S_IFMT) == type;
}

/* True for the types that carry a data item (regular file, symlink). */
static inline bool cramfs_has_data(uint32_t mode)
{
	return cramfs_is_type(mode, CRAMFS_S_IFREG) ||
	       cramfs_is_type(mode, CRAMFS_S_IFLNK);
}

/* One-letter type as in `ls -l` ('-', 'd', 'l', 'c', 'b', 'p', 's', '?'). */
char cramfs_type_char(uint32_t mode);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_FORMAT_H */
