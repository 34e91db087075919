// SPDX-License-Identifier: MIT
/*
 * The 12-byte inode.  The kernel defines it with C bitfields, so its layout
 * follows the compiler's bitfield order for the image's byte order:
 *
 *   LE: mode:16 uid:16 | size:24 gid:8 | namelen:6 offset:26   (first = LSB)
 *   BE: mode:16 uid:16 | size:24 gid:8 | namelen:6 offset:26   (first = MSB)
 *
 * For the first two words that is just a byte swap, but in the third word
 * namelen sits in the low 6 bits (LE) or the top 6 bits (BE): a BE image is
 * not a byte-swapped LE image.  Hence the explicit per-order code below.
 */
#include "cramfs/format.h"

static uint32_t get24(const uint8_t *p, enum cramfs_endian e)
{
	if (e == CRAMFS_BIG_ENDIAN)
		return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put24(uint8_t *p, uint32_t v, enum cramfs_endian e)
{
	int msb = e == CRAMFS_BIG_ENDIAN ? 0 : 2;

	p[msb] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2 - msb] = (uint8_t)v;
}

void cramfs_inode_decode(const uint8_t raw[CRAMFS_INODE_SIZE],
			 enum cramfs_endian e, struct cramfs_inode *out)
{
	uint32_t w = cramfs_get32(raw + 8, e);

	out->mode = cramfs_get16(raw, e);
	out->uid = cramfs_get16(raw + 2, e);
	out->size = get24(raw + 4, e);
	out->gid = raw[7];
	if (e == CRAMFS_BIG_ENDIAN) {
		out->namelen = w >> 26;
		out->offset = w & 0x03FFFFFFu;
	} else {
		out->namelen = w & 0x3Fu;
		out->offset = w >> 6;
	}
}

void cramfs_inode_encode(const struct cramfs_inode *in, enum cramfs_endian e,
			 uint8_t raw[CRAMFS_INODE_SIZE])
{
	uint32_t namelen = in->namelen & 0x3Fu, offset = in->offset & 0x03FFFFFFu;
	uint32_t w;

	if (e == CRAMFS_BIG_ENDIAN)
		w = namelen << 26 | offset;
	else
		w = offset << 6 | namelen;
	cramfs_put16(raw, (uint16_t)in->mode, e);
	cramfs_put16(raw + 2, (uint16_t)in->uid, e);
	put24(raw + 4, in->size & 0xFFFFFFu, e);
	raw[7] = (uint8_t)in->gid;
	cramfs_put32(raw + 8, w, e);
}

bool cramfs_inode_fits(const struct cramfs_inode *in)
{
	return in->mode <= 0xFFFFu && in->uid <= 0xFFFFu &&
	       in->size <= 0xFFFFFFu && in->gid <= 0xFFu &&
	       in->namelen <= 0x3Fu && in->offset <= 0x03FFFFFFu;
}

char cramfs_type_char(uint32_t mode)
{
	switch (mode & CRAMFS_S_IFMT) {
	case CRAMFS_S_IFREG:
		return '-';
	case CRAMFS_S_IFDIR:
		return 'd';
	case CRAMFS_S_IFLNK:
		return 'l';
	case CRAMFS_S_IFCHR:
		return 'c';
	case CRAMFS_S_IFBLK:
		return 'b';
	case CRAMFS_S_IFIFO:
		return 'p';
	case CRAMFS_S_IFSOCK:
		return 's';
	default:
		return '?';
	}
}
