/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the --chmod spec and --exclude pattern parsers.  The input
 * is "SPEC\nPATTERN"; both are applied to a small fixed tree made from a
 * device table (directories, devices, a fifo and a socket, names with
 * brackets, stars and backslashes).  Property: no crash, hang or sanitizer
 * report; chmod returns 0 or -EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"
#include "fuzz_input.h"

static const char tree_table[] =
	"/usr/share/doc d 755 0 0 - - - - -\n"
	"/usr/bin d 755 0 0 - - - - -\n"
	"/dev/tty c 620 0 5 4 0 0 1 4\n"
	"/dev/sda b 660 0 6 8 0 - - -\n"
	"/run/fifo p 644 0 0 - - - - -\n"
	"/run/[x]*\\134 s 755 0 0 - - - - -\n"
	"/a/b/c/d/e d 700 1 1 - - - - -\n";

static struct cramfs_tree *make_tree(void)
{
	struct cramfs_tree *tree;
	char path[64];
	int fd = fuzz_input_file((const uint8_t *)tree_table,
				 sizeof(tree_table) - 1, path, sizeof(path));

	if (fd < 0)
		return NULL;
	if (cramfs_tree_new(&tree) ||
	    cramfs_tree_apply_devtable(tree, path, CRAMFS_DEVTABLE_MAKEDEVS,
				       NULL))
		abort();	/* the fixed table is valid */
	close(fd);
	return tree;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cramfs_tree *tree = make_tree();
	char *spec = malloc(size + 1), *pattern;
	int rc;

	if (!tree || !spec)
		abort();
	memcpy(spec, data, size);
	spec[size] = '\0';
	pattern = strchr(spec, '\n');
	if (pattern)
		*pattern++ = '\0';
	rc = cramfs_tree_chmod(tree, spec);
	if (rc && rc != -EINVAL)
		abort();
	if (pattern)
		cramfs_tree_exclude(tree, pattern);
	cramfs_tree_free(tree);
	free(spec);
	return 0;
}
