// SPDX-License-Identifier: MIT
/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum zlib's
 * crc32() computes and cramfs stores.  libdeflate's is used because it
 * folds with carry-less multiplication where the CPU has it (PCLMULQDQ,
 * ARMv8 PMULL) and falls back to slicing tables elsewhere: several times
 * the speed of the table code this replaced (bench/crc32).  Its contract
 * is zlib's: start from 0, pass the previous value to continue.
 */
#include <libdeflate.h>
#include <stdint.h>

#include "cramfs/format.h"

uint32_t cramfs_crc32(uint32_t crc, const void *buf, size_t len)
{
	/* libdeflate (like zlib) returns 0 for a NULL buffer, not `crc`. */
	if (!len)
		return crc;
	return libdeflate_crc32(crc, buf, len);
}
