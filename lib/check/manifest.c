// SPDX-License-Identifier: MIT
/*
 * The manifest an unprivileged extraction writes for what it could not
 * apply: device nodes it could not create and ownership it could not set.
 * Format: the 10-column device table of makedevs/genext2fs/mkfs.jffs2,
 *
 *   <path> <type> <mode> <uid> <gid> <major> <minor> <start> <inc> <count>
 *
 * type f d c b p s l (s and l as genext2fs extends it), mode in octal,
 * unused columns "-".  Paths are absolute within the image; bytes that would
 * break the whitespace-separated format are written as \ooo octal escapes.
 * The file is written to a temporary name and renamed into place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract_internal.h"

struct manifest {
	char *buf;	/* all lines, in walk order */
	size_t len, cap;
	uint64_t lines;
};

int manifest_new(struct manifest **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void manifest_free(struct manifest *m)
{
	if (m)
		free(m->buf);
	free(m);
}

uint64_t manifest_lines(const struct manifest *m)
{
	return m->lines;
}

static int append(struct manifest *m, const char *s, size_t n)
{
	if (m->len + n + 1 > m->cap) {
		size_t ncap = (m->len + n + 1) * 2;
		char *b = realloc(m->buf, ncap);

		if (!b)
			return -ENOMEM;
		m->buf = b;
		m->cap = ncap;
	}
	memcpy(m->buf + m->len, s, n);
	m->len += n;
	return 0;
}

static int append_path(struct manifest *m, const char *path)
{
	char esc[5];
	int ret = append(m, "/", 1);

	for (const unsigned char *p = (const void *)path; !ret && *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '\\') {
			ret = append(m, (const char *)p, 1);
			continue;
		}
		snprintf(esc, sizeof(esc), "\\%03o", *p);
		ret = append(m, esc, 4);
	}
	return ret;
}

bool manifest_wants(const struct extract_ctx *x, const struct cramfs_node *n)
{
	if (x->owners)
		return false;
	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFCHR) ||
	    cramfs_is_type(n->inode.mode, CRAMFS_S_IFBLK))
		return true;
	return n->inode.uid != x->euid || n->inode.gid != x->egid;
}

int manifest_note(struct manifest *m, const char *path,
		  const struct cramfs_node *n)
{
	char line[128];
	char dev[32] = "- -";
	int len, ret;

	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFCHR) ||
	    cramfs_is_type(n->inode.mode, CRAMFS_S_IFBLK)) {
		unsigned maj, min;

		cramfs_rdev_split(n->inode.size, &maj, &min);
		snprintf(dev, sizeof(dev), "%u %u", maj, min);
	}
	ret = append_path(m, path);
	if (ret)
		return ret;
	len = snprintf(line, sizeof(line), " %c %04o %u %u %s - - -\n",
		       cramfs_type_char(n->inode.mode) == '-' ? 'f' :
		       cramfs_type_char(n->inode.mode),
		       n->inode.mode & 07777, n->inode.uid, n->inode.gid, dev);
	m->lines++;
	return append(m, line, (size_t)len);
}

int manifest_write(const struct manifest *m, const char *file)
{
	size_t tlen = strlen(file) + 16;
	char *tmp = malloc(tlen);
	FILE *f;
	int ret = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, tlen, "%s.tmp%d", file, (int)getpid());
	f = fopen(tmp, "wx");
	if (!f) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	if (fwrite(m->buf, 1, m->len, f) != m->len)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, file))
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
