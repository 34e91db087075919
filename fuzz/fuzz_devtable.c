/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: cramfs_tree_apply_devtable() of an arbitrary device table
 * (also the manifest format `cramfs extract` writes) on an empty tree, in
 * the flavour the first byte picks, then a chmod and an exclude over what
 * it made.  Property: no crash, hang or sanitizer report; the result is 0,
 * -EINVAL (bad lines, each reported) or -ENOMEM.
 *
 * Inputs whose ranges could make more than 4096 nodes in all (start or
 * count columns summing above 4096) are skipped: nodes cost time linear
 * in their number, up to the library's bound of 2^20 per line, which
 * would slow a campaign to a few inputs a second;
 * tests/cli/hostile-build.sh covers large ranges.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"
#include "fuzz_input.h"

/* A start or count column's contribution to the nodes an input makes. */
static unsigned long range_weight(const char *column)
{
	unsigned long v = strtoul(column, NULL, 10);

	return v > 4096 ? 4097 : v;
}

/* The 8th and 10th columns (start, count) of all lines sum above 4096. */
static int has_big_range(const uint8_t *data, size_t size)
{
	static char text[1 << 16];
	unsigned long total = 0;
	char *line, *save_line, *tok, *save_tok;

	if (size >= sizeof(text))
		return 1;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The library reads on past a NUL (that line is an error): so do we. */
	for (size_t i = 0; i < size; i++)
		if (!text[i])
			text[i] = '?';
	for (line = strtok_r(text, "\n", &save_line); line;
	     line = strtok_r(NULL, "\n", &save_line)) {
		int col = 0;

		for (tok = strtok_r(line, " \t", &save_tok); tok;
		     tok = strtok_r(NULL, " \t", &save_tok), col++)
			if (col == 7 || col == 9)
				total += range_weight(tok);
		if (total > 4096)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cramfs_tree *tree;
	struct cramfs_diag *diag;
	char path[64];
	int fd, rc;

	if (!size || has_big_range(data + 1, size - 1))
		return 0;
	fd = fuzz_input_file(data + 1, size - 1, path, sizeof(path));
	if (fd < 0 || cramfs_diag_new(64, &diag)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!cramfs_tree_new(&tree)) {
		rc = cramfs_tree_apply_devtable(tree, path, data[0] & 1 ?
				CRAMFS_DEVTABLE_CRAMFS_TOOLS :
				CRAMFS_DEVTABLE_MAKEDEVS, diag);
		if (rc && rc != -EINVAL && rc != -ENOMEM)
			abort();
		cramfs_tree_chmod(tree, "D755,F644");
		cramfs_tree_exclude(tree, "*/dev*");
		cramfs_tree_free(tree);
	}
	cramfs_diag_free(diag);
	close(fd);
	return 0;
}
