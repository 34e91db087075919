/* SPDX-License-Identifier: MIT */
/* mkcramfs -v: util-linux mkfs.cramfs -v's listing of a finished image. */
#ifndef MKCRAMFS_LISTING_H
#define MKCRAMFS_LISTING_H

#include <stdint.h>

#include "tool.h"

/*
 * Print on stdout what util-linux mkfs.cramfs -v prints for `image`
 * (written with `block_size`, 0 for 4096; `blob` is the -i file or NULL).
 * Returns the exit code: 0, or 8 when the image cannot be read back.
 */
int mk_print_listing(const char *image, uint32_t block_size, const char *blob);

#endif /* MKCRAMFS_LISTING_H */
