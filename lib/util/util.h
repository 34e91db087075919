/* SPDX-License-Identifier: MIT */
/*
 * Private helpers shared by all libcramfs modules: diagnostics appends,
 * checked arithmetic, a small thread pool.  Knows nothing about cramfs.
 */
#ifndef CRAMFS_LIB_UTIL_H
#define CRAMFS_LIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cramfs/diag.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/*
 * Append one entry to `diag` (NULL: dropped).  `path` may be NULL.  Returns
 * `code`, so callers can write `return diag_err(...)`.
 */
int diag_add(struct cramfs_diag *diag, enum cramfs_severity sev, int code,
	     uint64_t offset, const char *path, const char *fmt, ...)
	PRINTF_LIKE(6, 7);

/* Shorthands: an error with -EUCLEAN, a warning, an info line. */
#define diag_corrupt(d, off, path, ...) \
	diag_add((d), CRAMFS_DIAG_ERROR, -EUCLEAN, (off), (path), __VA_ARGS__)
#define diag_warn(d, off, path, ...) \
	diag_add((d), CRAMFS_DIAG_WARNING, 0, (off), (path), __VA_ARGS__)
#define diag_info(d, off, path, ...) \
	diag_add((d), CRAMFS_DIAG_INFO, 0, (off), (path), __VA_ARGS__)

/* True if [off, off+len) lies within [0, limit). */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* ---- thread pool -------------------------------------------------------
 * Workers run jobs in any order; the caller waits for all of them with
 * tpool_wait().  With threads == 1 no thread is created and jobs run in
 * tpool_submit() itself (the serial twin), which keeps tests deterministic.
 */
struct tpool;
typedef void (*tpool_fn)(void *arg);

int tpool_new(unsigned threads, unsigned max_queued, struct tpool **out);
/* Queue a job; blocks while max_queued jobs are waiting.  0 or -ENOMEM. */
int tpool_submit(struct tpool *pool, tpool_fn fn, void *arg);
/* Wait until every submitted job has finished. */
void tpool_wait(struct tpool *pool);
void tpool_free(struct tpool *pool);
unsigned tpool_default_threads(void);

#endif /* CRAMFS_LIB_UTIL_H */
