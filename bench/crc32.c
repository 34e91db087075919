// SPDX-License-Identifier: MIT
/*
 * bench/crc32: the speed of cramfs_crc32 (libdeflate's CRC-32 since issue
 * 13) against zlib's crc32 and the slicing-by-4 table code libcramfs used
 * before, kept here as the "before" figure.  Checks that all three agree.
 *
 * Usage: build/bench/bench-crc32 [MIB]   (default 256 MiB, in 1 MiB calls)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

#include "cramfs/format.h"

static uint32_t table[4][256];

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 4; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
				      table[0][table[t - 1][i] & 0xFF];
}

/* The table code of lib/format/crc32.c before issue 13. */
static uint32_t crc_slice4(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (; len >= 4; p += 4, len -= 4) {
		crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		crc = table[3][crc & 0xFF] ^ table[2][(crc >> 8) & 0xFF] ^
		      table[1][(crc >> 16) & 0xFF] ^ table[0][crc >> 24];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

enum { CHUNK = 1 << 20 };

static uint32_t run(int which, const uint8_t *buf, size_t mib)
{
	uint32_t c = 0;

	for (size_t i = 0; i < mib; i++) {
		const uint8_t *p = buf + (i % 16) * CHUNK;

		if (which == 0)
			c = cramfs_crc32(c, p, CHUNK);
		else if (which == 1)
			c = (uint32_t)crc32(c, p, CHUNK);
		else
			c = crc_slice4(c, p, CHUNK);
	}
	return c;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"cramfs_crc32 (libdeflate)", "zlib crc32",
		"slicing-by-4 (before)",
	};
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	uint8_t *buf = malloc(16 * CHUNK);
	uint32_t crc[3];
	double secs[3];

	if (!buf || !mib)
		return 1;
	for (size_t i = 0; i < 16 * CHUNK; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	table_init();
	for (int w = 0; w < 3; w++) {
		struct timespec t0, t1;
		double s;

		run(w, buf, 16);	/* warm the cache and the tables */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		crc[w] = run(w, buf, mib);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		secs[w] = s;
		printf("%-28s %8.2f GB/s  (%zu MiB in %.3f s, crc %08x)\n",
		       names[w], (double)mib * CHUNK / s / 1e9, mib, s, crc[w]);
	}
	free(buf);
	printf("speed ratio cramfs_crc32/slicing-by-4: %.2fx\n", secs[2] / secs[0]);
	printf("speed ratio cramfs_crc32/zlib: %.2fx\n", secs[1] / secs[0]);
	if (crc[0] != crc[1] || crc[1] != crc[2]) {
		fprintf(stderr, "bench-crc32: the three CRCs differ\n");
		return 1;
	}
	return 0;
}
