/* SPDX-License-Identifier: MIT */
/* Helpers shared by the checker and the extractor. */
#ifndef CRAMFS_LIB_CHECK_SHARED_H
#define CRAMFS_LIB_CHECK_SHARED_H

#include <stdbool.h>

#include "cramfs/check.h"

/*
 * Does the relative symlink `target`, stored at image path `link_path`
 * ("a/b/link"), climb above the image root?  Absolute targets do not: in a
 * root filesystem they resolve against the image's own root.
 */
bool symlink_escapes(const char *link_path, const char *target);

/* Count `n` in the per-type fields of `st` (files, dirs, ..., file_bytes). */
void tree_stats_count(struct cramfs_tree_stats *st, const struct cramfs_node *n);

#endif /* CRAMFS_LIB_CHECK_SHARED_H */
