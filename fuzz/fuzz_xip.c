/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the XIP scan (`cramfs check --xip`) of an arbitrary image
 * from memory, for both targets (MMU and no-MMU) and the page sizes the
 * first input byte picks.  Property: no crash, hang or sanitizer report;
 * the result is one cramfs_xip_scan() documents.
 */
#include <errno.h>
#include <stdlib.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"

static void scan(struct cramfs_image *img, uint32_t page,
		 enum cramfs_xip_target target)
{
	struct cramfs_xip_totals totals;
	struct cramfs_diag *diag;
	int rc;

	if (cramfs_diag_new(64, &diag))
		return;
	rc = cramfs_xip_scan(img, page, target, diag, NULL, NULL, &totals);
	if (rc && rc != -EINVAL && rc != -ENOMEM && rc != -EUCLEAN)
		abort();
	cramfs_diag_free(diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pages[] = { 0, 4096, 16384, 65536 };
	struct cramfs_source *src;
	struct cramfs_image *img;
	uint32_t page = size ? pages[data[0] & 3] : 0;

	if (cramfs_source_from_memory(data, size, &src))
		return 0;
	if (!cramfs_image_open(src, NULL, NULL, &img)) {
		scan(img, page, CRAMFS_XIP_TARGET_MMU);
		scan(img, page, CRAMFS_XIP_TARGET_NOMMU);
		cramfs_image_close(img);
	}
	cramfs_source_close(src);
	return 0;
}
