// SPDX-License-Identifier: MIT
/* Device numbers: cramfs keeps the low 24 bits of the builder's st_rdev. */
#include "cramfs/reader.h"

void cramfs_rdev_split(uint32_t v, unsigned *major, unsigned *minor)
{
	/* glibc's dev_t: major in bits 8-19, minor in bits 0-7 and 20-31. */
	*major = (v >> 8) & 0xFFFu;
	*minor = (v & 0xFFu) | ((v >> 12) & 0xFFF00u);
}

void cramfs_rdev_split_kernel(uint32_t v, unsigned *major, unsigned *minor)
{
	/* fs/cramfs uses old_decode_dev() on the low 16 bits only. */
	*major = (v >> 8) & 0xFFu;
	*minor = v & 0xFFu;
}
