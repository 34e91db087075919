/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the unit tests: a failure counter with CHECK macros
 * (a test keeps going after a failed check so one run shows every problem),
 * opening specimg images through the public API, and whole-file reads.
 *
 * Exit protocol (meson): 0 pass, 77 skip, anything else fail.
 */
#ifndef TUTIL_H
#define TUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cramfs/cramfs.h"
#include "specimg.h"

#define T_SKIP 77

extern int t_failures;

void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Label printed with every later failure (which case was running). */
void t_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *t_context_get(void);
/* 0 if nothing failed, 1 otherwise; prints a summary. */
int t_done(const char *name);

#define CHECK(c)							\
	do {								\
		if (!(c))						\
			t_fail(__FILE__, __LINE__, "%s", #c);		\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_)						\
			t_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", \
			       #a, #b, a_, b_);				\
	} while (0)

/* An image opened from memory through the public API. */
struct t_img {
	struct cramfs_source *src;
	struct cramfs_image *img;
	struct cramfs_diag *diag;
};

/* Open `buf` with block size `bs` (0: detect).  Returns the open result. */
int t_open(struct t_img *t, const void *buf, size_t len, uint32_t bs);
void t_close(struct t_img *t);
/* Print every diag entry to stderr (for failures). */
void t_dump_diag(const struct cramfs_diag *diag);
/* Errors / warnings recorded in a diag. */
size_t t_errors(const struct cramfs_diag *diag);
size_t t_warnings(const struct cramfs_diag *diag);

/* Build a spec image or abort the test (a specimg bug is not a result). */
void t_build(struct spec_image *img);
/* Deterministic pseudo-random bytes, some compressible, some not. */
void t_fill(uint8_t *buf, size_t len, uint32_t seed, bool compressible);
uint32_t t_rand(uint32_t *state);

/*
 * Read a whole file with cramfs_file_pread in chunks of `chunk` bytes.
 * Returns bytes read (>= 0) into a malloc'd *out, or a negative errno.
 */
long t_read_all(struct cramfs_image *img, const struct cramfs_node *node,
		size_t chunk, uint8_t **out);

/* Entries in directory `path`, "." and ".." excluded (0 if unreadable). */
size_t t_dir_entries(const char *path);

/* Recursively remove a directory tree (no symlink is followed). */
int t_rmtree(const char *path);
/* Make a fresh temporary directory; returns a malloc'd path or NULL. */
char *t_mkdtemp(const char *tag);

/*
 * Build directory `src` into `image` with `o` (result `r` may be NULL).
 * Prints the diagnostics of a failed build when `show_diag`.
 */
int t_build_dir(const char *src, const char *image,
		const struct cramfs_build_opts *o, struct cramfs_build_result *r,
		bool show_diag);

#endif /* TUTIL_H */
