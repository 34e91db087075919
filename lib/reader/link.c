// SPDX-License-Identifier: MIT
/* Symlink targets: stored like a one-block file (format.md §6.6). */
#include <errno.h>
#include <string.h>

#include "internal.h"


long cramfs_readlink(struct cramfs_image *img, const struct cramfs_node *n,
		     struct cramfs_diag *diag, char *buf, size_t cap)
{
	struct cramfs_file *f;
	long got;
	int ret;

	if (!cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK))
		return -EINVAL;
	if (cap <= n->inode.size)
		return -ERANGE;
	if (!n->inode.size)
		return diag_corrupt(diag, n->entry_offset, n->name,
				    "symlink with an empty target");
	ret = cramfs_file_open(img, n, diag, &f);
	if (ret)
		return ret;
	got = cramfs_file_pread(f, buf, n->inode.size, 0);
	cramfs_file_close(f);
	if (got < 0)
		return got;
	buf[got] = '\0';
	if (memchr(buf, 0, (size_t)got))
		return diag_corrupt(diag, n->entry_offset, n->name,
				    "symlink target contains a NUL byte");
	return got;
}
