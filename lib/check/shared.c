// SPDX-License-Identifier: MIT
#include <string.h>

#include "shared.h"

bool symlink_escapes(const char *link_path, const char *target)
{
	long depth = 0;

	if (target[0] == '/')
		return false;
	/* The link's own directory is as deep as the path has slashes. */
	for (const char *p = link_path; *p; p++)
		depth += *p == '/';
	for (const char *t = target; *t;) {
		size_t len = strcspn(t, "/");

		if (len == 2 && t[0] == '.' && t[1] == '.')
			depth--;
		else if (len && !(len == 1 && t[0] == '.'))
			depth++;
		if (depth < 0)
			return true;
		t += len + (t[len] == '/');
	}
	return false;
}

void tree_stats_count(struct cramfs_tree_stats *st, const struct cramfs_node *n)
{
	switch (n->inode.mode & CRAMFS_S_IFMT) {
	case CRAMFS_S_IFDIR:
		st->dirs++;
		break;
	case CRAMFS_S_IFREG:
		st->files++;
		st->file_bytes += n->inode.size;
		break;
	case CRAMFS_S_IFLNK:
		st->symlinks++;
		break;
	case CRAMFS_S_IFCHR:
		st->chrdevs++;
		break;
	case CRAMFS_S_IFBLK:
		st->blkdevs++;
		break;
	case CRAMFS_S_IFIFO:
		st->fifos++;
		break;
	case CRAMFS_S_IFSOCK:
		st->sockets++;
		break;
	}
}
