/* SPDX-License-Identifier: MIT */
#ifndef CRAMFS_LIB_PATHS_H
#define CRAMFS_LIB_PATHS_H

#include <stdbool.h>

/*
 * Does the relative symlink `target`, stored at image path `link_path`
 * ("a/b/link"), climb above the image root?  Absolute targets do not: in a
 * root filesystem they resolve against the image's own root.
 */
bool symlink_escapes(const char *link_path, const char *target);

#endif /* CRAMFS_LIB_PATHS_H */
