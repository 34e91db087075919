// SPDX-License-Identifier: MIT
/*
 * cramfs_crc32 (libdeflate's CRC-32 since issue 13) against zlib's crc32,
 * the reference cramfs images are checked with: random buffers of every
 * small length and some large ones, at every alignment, in one call and
 * continued across random splits, and the zlib edge cases (empty buffer,
 * a NULL buffer of length 0 keeps the running value).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tutil.h"

/* The whole buffer, then in up to 8 pieces cut at random places. */
static void check_buffer(const uint8_t *p, size_t len, uint32_t *seed)
{
	uint32_t want = (uint32_t)crc32(0, p, (uInt)len);
	uint32_t got = 0;
	size_t at = 0;

	CHECK_EQ(cramfs_crc32(0, p, len), want);
	for (int piece = 0; piece < 8 && at < len; piece++) {
		size_t n = piece == 7 ? len - at : t_rand(seed) % (len - at + 1);

		got = cramfs_crc32(got, p + at, n);
		at += n;
	}
	got = cramfs_crc32(got, p + at, len - at);
	CHECK_EQ(got, want);
}

static void test_small_lengths(void)
{
	uint8_t buf[1024 + 64];
	uint32_t seed = 1;

	t_fill(buf, sizeof(buf), 7, false);
	for (size_t len = 0; len <= 1024; len++) {
		t_context("length %zu", len);
		/* Every alignment of the start, for the vector code's heads. */
		for (size_t align = 0; align < 64; align += len < 256 ? 1 : 13)
			check_buffer(buf + align, len, &seed);
	}
}

static void test_large(void)
{
	static const size_t lens[] = { 4095, 4096, 65536, 65537, 1 << 20,
				       (3 << 20) + 17 };
	/* The largest length, plus room for the start offsets below. */
	uint8_t *buf = malloc((3 << 20) + 17 + 8);
	uint32_t seed = 2;

	if (!buf) {
		t_fail(__FILE__, __LINE__, "out of memory");
		return;
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		t_context("length %zu", lens[i]);
		t_fill(buf, lens[i] + i, (uint32_t)i + 11, i % 2);
		check_buffer(buf + i, lens[i], &seed);
	}
	free(buf);
}

static void test_edges(void)
{
	const char *v = "123456789";
	uint32_t c = cramfs_crc32(0, v, 9);

	t_context("edges");
	CHECK_EQ(c, 0xCBF43926u);	/* the standard check value */
	CHECK_EQ(cramfs_crc32(c, NULL, 0), c);
	CHECK_EQ(cramfs_crc32(c, v, 0), c);
	CHECK_EQ(cramfs_crc32(0, "", 0), 0);
	CHECK_EQ(cramfs_crc32(0, "\0", 1), (uint32_t)crc32(0, (const Bytef *)"\0", 1));
}

int main(void)
{
	test_small_lengths();
	test_large();
	test_edges();
	return t_done("test_crc32");
}
