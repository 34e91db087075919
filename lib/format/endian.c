// SPDX-License-Identifier: MIT
/* Explicit byte-order accessors: the image's order, never the host's. */
#include "cramfs/format.h"

uint16_t cramfs_get16(const uint8_t *p, enum cramfs_endian e)
{
	if (e == CRAMFS_BIG_ENDIAN)
		return (uint16_t)(p[0] << 8 | p[1]);
	return (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t cramfs_get32(const uint8_t *p, enum cramfs_endian e)
{
	if (e == CRAMFS_BIG_ENDIAN)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

void cramfs_put16(uint8_t *p, uint16_t v, enum cramfs_endian e)
{
	int hi = e == CRAMFS_BIG_ENDIAN ? 0 : 1;

	p[hi] = (uint8_t)(v >> 8);
	p[!hi] = (uint8_t)v;
}

void cramfs_put32(uint8_t *p, uint32_t v, enum cramfs_endian e)
{
	for (int i = 0; i < 4; i++) {
		int shift = e == CRAMFS_BIG_ENDIAN ? 24 - 8 * i : 8 * i;

		p[i] = (uint8_t)(v >> shift);
	}
}

enum cramfs_endian cramfs_host_endian(void)
{
	const uint16_t probe = 1;

	return *(const uint8_t *)&probe ? CRAMFS_LITTLE_ENDIAN :
					  CRAMFS_BIG_ENDIAN;
}
