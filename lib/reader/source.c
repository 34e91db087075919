// SPDX-License-Identifier: MIT
/*
 * Image sources: a file/device read with pread(), or caller memory (used by
 * the fuzzers and tests).  pread() rather than mmap keeps the resident set
 * small on large images and turns I/O errors into return codes, not SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "internal.h"

static int source_size_of(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

int cramfs_source_open_file(const char *path, struct cramfs_diag *diag,
			    struct cramfs_source **out)
{
	struct cramfs_source *src = calloc(1, sizeof(*src));
	int ret;

	if (!src)
		return -ENOMEM;
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = source_size_of(src->fd, &src->size);
	if (ret == -EINVAL) {
		diag_add(diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET, NULL,
			 "not a regular file or block device");
		goto fail_quiet;
	}
	if (ret)
		goto fail;
	*out = src;
	return 0;
fail:
	diag_add(diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET, NULL,
		 "cannot open: %s", strerror(-ret));
fail_quiet:
	if (src->fd >= 0)
		close(src->fd);
	free(src);
	return ret;
}

int cramfs_source_from_memory(const void *buf, size_t len,
			      struct cramfs_source **out)
{
	struct cramfs_source *src = calloc(1, sizeof(*src));

	if (!src)
		return -ENOMEM;
	src->fd = -1;
	src->mem = buf;
	src->size = len;
	*out = src;
	return 0;
}

uint64_t cramfs_source_size(const struct cramfs_source *src)
{
	return src->size;
}

static int read_fd(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EUCLEAN;	/* file shrank under us */
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int cramfs_source_read(struct cramfs_source *src, void *buf, size_t len,
		       uint64_t off)
{
	if (!range_ok(off, len, src->size))
		return -EUCLEAN;
	if (src->mem) {
		memcpy(buf, src->mem + off, len);
		return 0;
	}
	return read_fd(src->fd, buf, len, off);
}

void cramfs_source_close(struct cramfs_source *src)
{
	if (!src)
		return;
	if (src->fd >= 0)
		close(src->fd);
	free(src);
}
