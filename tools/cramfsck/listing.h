/* SPDX-License-Identifier: MIT */
/* cramfsck -v: util-linux fsck.cramfs -v's lines. */
#ifndef CRAMFSCK_LISTING_H
#define CRAMFSCK_LISTING_H

#include "tool.h"

/* "cramfs endianness is little" (or big), on stdout. */
void fsck_print_endianness(const struct tool_image *t);

/*
 * One line per entry on stdout, each named below `extract_dir` (NULL: as
 * for a bare --extract); `verbose` > 1 adds a line per block.  Stops at the
 * first entry that cannot be read (the check has reported it).
 * Returns 0 or a negative errno.
 */
int fsck_print_listing(struct tool_image *t, const char *extract_dir,
		       unsigned verbose);

#endif /* CRAMFSCK_LISTING_H */
