/* SPDX-License-Identifier: MIT */
/*
 * Extraction internals.
 *
 * Safety model: every name is created relative to a directory descriptor
 * that the extractor itself opened with O_NOFOLLOW|O_DIRECTORY, so no symlink
 * (from the image, or planted in the target beforehand) is ever followed;
 * files are created O_EXCL (or after unlinking a non-directory when asked
 * to overwrite).  Names come from the reader, which already rejects "/",
 * ".", ".." and NUL.  The walking thread decides every name: it drops each
 * later entry of a name already seen in the same directory (corrupt), so
 * each name is created by one thread only, the walker itself or, for a
 * regular file, the one worker that creates and fills it relative to the
 * directory descriptor the walker opened.  Nothing depends on scheduling.
 */
#ifndef CRAMFS_LIB_EXTRACT_INTERNAL_H
#define CRAMFS_LIB_EXTRACT_INTERNAL_H

#include <stdatomic.h>
#include <stdio.h>

#include "cramfs/check.h"
#include "util/util.h"

struct manifest;
struct names_seen;

/*
 * An extracted directory, shared by the walking thread (until it has walked
 * the directory's contents) and by the jobs writing files in it.  Whoever
 * drops the last reference applies the directory's mode, owner and time
 * (so a read-only directory is finished only after its files exist) and
 * closes it.
 */
struct xdir {
	int fd;
	atomic_int refs;
	bool apply;		/* set mode/owner/time when finished */
	struct cramfs_node node;
	char path[];
};

struct extract_ctx {
	struct cramfs_image *img;
	const struct cramfs_extract_opts *opts;
	struct cramfs_diag *diag;
	uint32_t block_size;
	bool owners;
	unsigned euid, egid;
	struct tpool *pool;
	struct manifest *manifest;
	struct cramfs_extract_result *res;
	atomic_uint_fast64_t bytes_written;
	atomic_uint_fast64_t corrupt;	/* entries the image got wrong */
	atomic_uint_fast64_t failed;	/* entries we could not write */
	atomic_uint_fast64_t existing;	/* of those: in the way, no overwrite */
	atomic_int first_err;		/* first operational -errno */
	unsigned missing;		/* requested paths not in the image */
	/*
	 * Output accounting, by the walking thread alone, so that where the
	 * limit stops does not depend on the workers: the sizes of the files
	 * and symlinks created so far, and the thresholds.
	 */
	uint64_t admitted, warn_output, max_output;
	bool warned, stopped;
	/* The walking thread's directories by walk depth (its references). */
	struct xdir **dirs;
	/* seen[d]: the names met so far in dirs[d - 1] (extract.c). */
	struct names_seen *seen;
};

/*
 * Report an entry that could not be extracted; `err` is a negative errno
 * (-EUCLEAN: the image is at fault).  Returns `err`.
 */
int extract_fail(struct extract_ctx *x, const char *path, int err,
		 const char *what);

/*
 * Count `n` (a file or symlink) against the output limit before creating
 * it: 0, or -EFBIG (reported) when it would pass the limit.
 */
int extract_admit(struct extract_ctx *x, const struct cramfs_node *n,
		  const char *path);

/* Wrap an open directory `fd` (taken over) with one reference. */
struct xdir *xdir_new(int fd, const struct cramfs_node *n, const char *path,
		      bool apply);
void xdir_get(struct xdir *d);
void xdir_put(struct extract_ctx *x, struct xdir *d);

/* Queue regular file `n` for creation and filling inside `dir`. */
int extract_file(struct extract_ctx *x, struct xdir *dir,
		 const struct cramfs_node *n, const char *path);
/* Create one non-directory, non-regular node named n->name in `dirfd`. */
int extract_symlink(struct extract_ctx *x, int dirfd,
		    const struct cramfs_node *n, const char *path);
int extract_special(struct extract_ctx *x, int dirfd,
		    const struct cramfs_node *n, const char *path);
/* Create (or reuse) directory `name` in `dirfd`; returns its fd or -errno. */
int extract_mkdir(struct extract_ctx *x, int dirfd, const char *name,
		  const char *path);
/* Apply mode, owner and the epoch timestamp to an open directory. */
void extract_dir_done(struct extract_ctx *x, int fd,
		      const struct cramfs_node *n, const char *path);

/* Record what could not be applied to `path` (manifest.c). */
int manifest_new(struct manifest **out);
void manifest_free(struct manifest *m);
int manifest_note(struct manifest *m, const char *path,
		  const struct cramfs_node *n);
uint64_t manifest_lines(const struct manifest *m);
int manifest_write(const struct manifest *m, const char *file);
/* True when `n` needs a manifest line because its owner was not applied. */
bool manifest_wants(const struct extract_ctx *x, const struct cramfs_node *n);

#endif /* CRAMFS_LIB_EXTRACT_INTERNAL_H */
