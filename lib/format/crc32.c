// SPDX-License-Identifier: MIT
/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum zlib's
 * crc32() computes and cramfs stores.  Slicing-by-4 keeps whole-image checks
 * cheap next to decompression; the table is built on first use.
 */
#include <pthread.h>
#include <stdint.h>

#include "cramfs/format.h"

static uint32_t crc_table[4][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++) {
		for (int t = 1; t < 4; t++) {
			uint32_t prev = crc_table[t - 1][i];

			crc_table[t][i] = (prev >> 8) ^ crc_table[0][prev & 0xFF];
		}
	}
}

uint32_t cramfs_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len >= 4) {
		crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		crc = crc_table[3][crc & 0xFF] ^ crc_table[2][(crc >> 8) & 0xFF] ^
		      crc_table[1][(crc >> 16) & 0xFF] ^ crc_table[0][crc >> 24];
		p += 4;
		len -= 4;
	}
	while (len--)
		crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}
