/* SPDX-License-Identifier: MIT */
/*
 * For the targets whose library entry point takes a path: the input as a
 * memory file (memfd), named /proc/self/fd/N.
 */
#ifndef CRAMFS_FUZZ_INPUT_H
#define CRAMFS_FUZZ_INPUT_H

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Returns the fd (close it after use) and fills `path`, or -1. */
static inline int fuzz_input_file(const uint8_t *data, size_t size,
				  char *path, size_t cap)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

#endif /* CRAMFS_FUZZ_INPUT_H */
