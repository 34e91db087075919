/* SPDX-License-Identifier: MIT */
/* Reading an archive into the tree (archive.c, archive_node.c). */
#ifndef CRAMFS_LIB_BUILD_ARCHIVE_IN_H
#define CRAMFS_LIB_BUILD_ARCHIVE_IN_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct archive;
struct archive_entry;

/* A hard link seen so far: image paths, normalised. */
struct ar_link {
	char *path, *target;
};

struct ar_in {
	struct cramfs_tree *t;
	struct cramfs_diag *diag;
	const char *file;		/* as given, for messages */
	int fd;
	struct archive *a;
	uint64_t entries;		/* headers read */
	uint64_t spill_end;		/* next free byte of the spill file */
	uint64_t spill_size;		/* its length */
	struct ar_link *links;
	size_t nlinks, links_cap;
};

/* One error naming the archive, with libarchive's reason. */
int ar_error(struct ar_in *in, int err, const char *what);

/*
 * Copy the current entry's data into the spill file and point `n` at it;
 * sets n->host_size.  0 or -errno (reported).
 */
int ar_spill_entry(struct ar_in *in, struct archive_entry *e, struct bnode *n);

/* Add the entry just read to the tree (archive_node.c).  0 or -errno. */
int ar_add_entry(struct ar_in *in, struct archive_entry *e);

#endif /* CRAMFS_LIB_BUILD_ARCHIVE_IN_H */
