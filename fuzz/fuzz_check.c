/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: cramfs_check() over an arbitrary image from memory, with
 * data decompression.  Property: no crash, no hang, no sanitizer report;
 * the result is 0 or -EUCLEAN (or -ENOMEM), never anything undocumented.
 */
#include <errno.h>
#include <stdlib.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cramfs_source *src;
	struct cramfs_image *img;
	struct cramfs_diag *diag;
	struct cramfs_tree_stats st;
	int rc;

	if (cramfs_diag_new(64, &diag))
		return 0;
	if (cramfs_source_from_memory(data, size, &src) == 0) {
		if (cramfs_image_open(src, NULL, diag, &img) == 0) {
			rc = cramfs_check(img, 0, diag, &st);
			if (rc != 0 && rc != -EUCLEAN && rc != -ENOMEM)
				abort();
			cramfs_image_close(img);
		}
		cramfs_source_close(src);
	}
	cramfs_diag_free(diag);
	return 0;
}
