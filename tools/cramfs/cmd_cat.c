// SPDX-License-Identifier: MIT
/* cramfs cat: file contents to standard output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int write_all(const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What `cat` cannot print, in the words cat(1) uses for them. */
static const char *not_printable(uint16_t mode)
{
	if (cramfs_is_type(mode, CRAMFS_S_IFDIR))
		return "is a directory";
	if (cramfs_is_type(mode, CRAMFS_S_IFLNK))
		return "is a symlink (not followed)";
	return "is not a regular file";
}

/* Prints one file; returns its exit code (tool.h). */
static int cat_node(struct tool_image *t, const struct cramfs_node *n,
		    const char *path)
{
	static uint8_t buf[1 << 18];
	struct cramfs_file *f = NULL;
	uint64_t off = 0;
	int ret;

	/* Naming something that has no contents is a mistake in the request. */
	if (!cramfs_is_type(n->inode.mode, CRAMFS_S_IFREG)) {
		tool_error(t->name, "%s: %s", path, not_printable(n->inode.mode));
		return EXIT_USAGE;
	}
	ret = cramfs_file_open_path(t->img, n, path, t->diag, &f);
	while (!ret) {
		long got = cramfs_file_pread(f, buf, sizeof(buf), off);

		if (got <= 0) {
			ret = (int)got;
			break;
		}
		ret = write_all(buf, (size_t)got);
		off += (uint64_t)got;
	}
	cramfs_file_close(f);
	if (ret && ret != -EUCLEAN)
		tool_error(t->name, "%s: %s", path, cramfs_strerror(ret));
	return tool_exit_code(ret);
}

static const char cat_usage[] = "cramfs cat [-b N] IMAGE PATH...";

int cmd_cat(int argc, char **argv)
{
	struct common_opts co = { 0 };
	struct cramfs_node node;
	struct tool_image t;
	static const struct cmd_syntax syn = { cat_usage, NULL, NULL, NULL, 2, -1 };
	int i = parse_opts(argc, argv, &co, &syn, NULL);
	int ret, code, worst = EXIT_OK;

	if (i < 0)
		return parse_exit(i);
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	tool_warn_superblock(&t);
	for (int k = i + 1; k < argc; k++) {
		ret = tool_lookup(&t, argv[k], &node);
		code = ret ? tool_exit_code(ret) : cat_node(&t, &node, argv[k]);
		if (code > worst)
			worst = code;
	}
	tool_print_diag(stderr, &t, co.verbose, co.verbose, true);
	/* The data was read with a size detection could not be sure of. */
	tool_warn_block_size(&t, "--block-size");
	tool_close(&t);
	return worst;
}
