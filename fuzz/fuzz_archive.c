/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: cramfs_tree_add_archive() of arbitrary bytes (tar, cpio,
 * compressed or not, as libarchive recognises them), then the tree is
 * freed.  Property: no crash, hang or sanitizer report in our glue
 * (names, hard links, sparse maps, limits); the result is 0, -EUCLEAN (not
 * an archive, or a damaged one), -EINVAL or -ENOMEM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cramfs_tree *tree;
	struct cramfs_diag *diag;
	char path[64];
	int fd, rc;

	fd = fuzz_input_file(data, size, path, sizeof(path));
	if (fd < 0 || cramfs_diag_new(64, &diag)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!cramfs_tree_new(&tree)) {
		rc = cramfs_tree_add_archive(tree, path, diag);
		if (rc && rc != -EUCLEAN && rc != -EINVAL && rc != -ENOMEM &&
		    rc != -EFBIG && rc != -ENAMETOOLONG) {
			fprintf(stderr, "fuzz_archive: undocumented result %d\n", rc);
			abort();
		}
		cramfs_tree_free(tree);
	}
	cramfs_diag_free(diag);
	close(fd);
	return 0;
}
