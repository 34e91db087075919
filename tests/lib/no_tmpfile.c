// SPDX-License-Identifier: MIT
/*
 * no_tmpfile.so: LD_PRELOAD shim for tests/cli/build-tempfile.sh.  Makes
 * open(2) with O_TMPFILE fail with EOPNOTSUPP, as on a file system that
 * has none (vfat, some FUSE file systems), so that the builder's named
 * temporary file and the tools' signal cleanup of it can be tested on any
 * machine.  Everything else goes to the real open.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

typedef int (*open_fn)(const char *, int, ...);

static int shim(const char *name, const char *path, int flags, va_list ap)
{
	open_fn real = (open_fn)dlsym(RTLD_NEXT, name);
	mode_t mode = 0;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = shim("open", path, flags, ap);
	va_end(ap);
	return ret;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = shim("open64", path, flags, ap);
	va_end(ap);
	return ret;
}
