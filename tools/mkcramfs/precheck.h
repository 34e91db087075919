/* SPDX-License-Identifier: MIT */
/* mkcramfs: util-linux's checks before the build (exit 16 on failure). */
#ifndef MKCRAMFS_PRECHECK_H
#define MKCRAMFS_PRECHECK_H

#include "tool.h"

/* Each prints one line naming `path` and returns 16 on failure, else 0. */
int mk_check_insert(const char *path);	/* -i: an existing regular file */
int mk_check_source(const char *path);	/* exists (or is "-") */
int mk_check_output(const char *path);	/* could be created or replaced */

#endif /* MKCRAMFS_PRECHECK_H */
