// SPDX-License-Identifier: MIT
/*
 * The checks util-linux mkfs.cramfs makes before it reads the tree, in its
 * order, each failing with its usage code 16 (MKFS_EX_USAGE): the -i file
 * and the source must exist, and the output must be creatable.  Without
 * them a missing source or an unwritable output would only show up inside
 * the build, as an operational error (8).
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "precheck.h"

static int fail(const char *path, const char *what, int err)
{
	tool_error(path, "%s: %s", what, strerror(err));
	return EXIT_USAGE;
}

int mk_check_insert(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return fail(path, "cannot stat the file to insert", errno);
	/* util-linux crashes on a directory and inserts nothing of a fifo. */
	if (!S_ISREG(st.st_mode)) {
		tool_error(path, "cannot insert: not a regular file");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int mk_check_source(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") && stat(path, &st))	/* "-": a tar on stdin */
		return fail(path, "cannot stat the source", errno);
	return EXIT_OK;
}

/*
 * Why util-linux's open(path, O_WRONLY | O_CREAT | O_TRUNC) would fail, 0
 * if it would not.  We cannot simply open: that would truncate the old
 * image, which is kept until the new one is complete, or leave an empty
 * file behind should the build fail.
 */
static int output_errno(const char *path)
{
	struct stat st;
	const char *dir;
	char *copy;
	int err = 0;

	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		return access(path, W_OK) ? errno : 0;
	}
	if (errno != ENOENT)
		return errno;
	copy = strdup(path);
	if (!copy)
		return ENOMEM;
	/* A new file: its directory must exist and let us add names. */
	dir = dirname(copy);	/* (may return a static ".", not copy) */
	if (stat(dir, &st))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	else if (access(dir, W_OK | X_OK))
		err = errno;
	free(copy);
	return err;
}

int mk_check_output(const char *path)
{
	int err = output_errno(path);

	return err ? fail(path, "cannot open the output", err) : EXIT_OK;
}
