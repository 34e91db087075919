/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics: where the library puts the human-readable detail behind an
 * error code.
 *
 * Every libcramfs function that can meet a problem in an image takes a
 * `struct cramfs_diag *` (NULL allowed: the detail is then dropped) and
 * appends one entry per problem.  The library never prints; the caller
 * decides what to show.  A diag holds at most `limit` entries (set at
 * creation); later ones are counted in cramfs_diag_dropped() but not stored,
 * so a hostile image cannot make it grow without bound.
 *
 * Thread safety: a diag may be shared by threads; appends are serialised.
 */
#ifndef CRAMFS_DIAG_H
#define CRAMFS_DIAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum cramfs_severity {
	CRAMFS_DIAG_INFO = 0,	/* a fact worth knowing (e.g. "old v1 format") */
	CRAMFS_DIAG_WARNING,	/* legal but suspect; the kernel still copes */
	CRAMFS_DIAG_ERROR,	/* the image is wrong here */
};

/* Offset value meaning "no particular place in the image". */
#define CRAMFS_NO_OFFSET UINT64_MAX

struct cramfs_diag_entry {
	enum cramfs_severity severity;
	int code;		/* negative errno; -EUCLEAN for corruption */
	uint64_t offset;	/* image byte offset, or CRAMFS_NO_OFFSET */
	const char *path;	/* path inside the image, or NULL */
	const char *message;	/* one line, no trailing newline */
};

struct cramfs_diag;

/*
 * Create a diag that stores up to `limit` entries (0 means 1000).
 * Returns 0 or -ENOMEM.  Free with cramfs_diag_free().
 */
int cramfs_diag_new(size_t limit, struct cramfs_diag **out);

/* Free a diag and every string it holds.  NULL is a no-op. */
void cramfs_diag_free(struct cramfs_diag *diag);

/* Forget all entries and counters; keeps the limit. */
void cramfs_diag_clear(struct cramfs_diag *diag);

/* Number of stored entries. */
size_t cramfs_diag_count(const struct cramfs_diag *diag);

/*
 * Entry `i` (0-based, in the order they were added).  The pointer and its
 * strings stay valid until the diag is cleared or freed.
 */
const struct cramfs_diag_entry *cramfs_diag_get(const struct cramfs_diag *diag,
						 size_t i);

/* Entries of `severity` ever added, stored or dropped. */
size_t cramfs_diag_tally(const struct cramfs_diag *diag,
			 enum cramfs_severity severity);

/* Entries added after the limit was reached (not stored). */
size_t cramfs_diag_dropped(const struct cramfs_diag *diag);

/*
 * Text for a libcramfs return code (a negative errno).  -EUCLEAN reads
 * "corrupt cramfs image", -EOPNOTSUPP "unsupported cramfs feature"; the
 * rest is strerror()'s.  -ENOENT is the host's "No such file or directory"
 * (a source, output or device table that is not there): a lookup that
 * returns it for a path not in the image leaves the wording to its caller,
 * who knows which it was (the tools say "not in the image").
 * Never NULL; the string is static.
 */
const char *cramfs_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* CRAMFS_DIAG_H */
