// SPDX-License-Identifier: MIT
/* The 76-byte superblock: 64 bytes of header, then the root inode. */
#include <errno.h>
#include <string.h>

#include "cramfs/format.h"

void cramfs_super_decode(const uint8_t raw[CRAMFS_SUPER_SIZE],
			 enum cramfs_endian e, struct cramfs_super *out)
{
	out->magic = cramfs_get32(raw, e);
	out->size = cramfs_get32(raw + 4, e);
	out->flags = cramfs_get32(raw + 8, e);
	out->future = cramfs_get32(raw + 12, e);
	memcpy(out->signature, raw + 16, 16);
	out->crc = cramfs_get32(raw + 32, e);
	out->edition = cramfs_get32(raw + 36, e);
	out->blocks = cramfs_get32(raw + 40, e);
	out->files = cramfs_get32(raw + 44, e);
	memcpy(out->name, raw + 48, 16);
	cramfs_inode_decode(raw + 64, e, &out->root);
}

void cramfs_super_encode(const struct cramfs_super *in, enum cramfs_endian e,
			 uint8_t raw[CRAMFS_SUPER_SIZE])
{
	cramfs_put32(raw, in->magic, e);
	cramfs_put32(raw + 4, in->size, e);
	cramfs_put32(raw + 8, in->flags, e);
	cramfs_put32(raw + 12, in->future, e);
	memcpy(raw + 16, in->signature, 16);
	cramfs_put32(raw + 32, in->crc, e);
	cramfs_put32(raw + 36, in->edition, e);
	cramfs_put32(raw + 40, in->blocks, e);
	cramfs_put32(raw + 44, in->files, e);
	memcpy(raw + 48, in->name, 16);
	cramfs_inode_encode(&in->root, e, raw + 64);
}

/* Which byte order, if any, reads the magic at `p`. */
static int magic_order(const uint8_t *p, enum cramfs_endian *e)
{
	if (cramfs_get32(p, CRAMFS_LITTLE_ENDIAN) == CRAMFS_MAGIC) {
		*e = CRAMFS_LITTLE_ENDIAN;
		return 0;
	}
	if (cramfs_get32(p, CRAMFS_BIG_ENDIAN) == CRAMFS_MAGIC) {
		*e = CRAMFS_BIG_ENDIAN;
		return 0;
	}
	return -EUCLEAN;
}

int cramfs_super_locate(const uint8_t *head, size_t len, uint32_t *start,
			enum cramfs_endian *endian)
{
	/* The kernel probes exactly these two places (format.md §11). */
	static const uint32_t places[] = { 0, CRAMFS_PAD_SIZE };

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		if (len < places[i] + 4)
			break;
		if (!magic_order(head + places[i], endian)) {
			*start = places[i];
			return 0;
		}
	}
	return -EUCLEAN;
}
