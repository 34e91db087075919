// SPDX-License-Identifier: MIT
/*
 * The diagnostics object: a bounded, append-only list of messages.  Appends
 * take a mutex because extraction reports from worker threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct cramfs_diag {
	pthread_mutex_t lock;
	struct cramfs_diag_entry *entries;	/* protected by lock */
	size_t count, limit, dropped;		/* protected by lock */
	size_t tally[3];			/* per severity */
};

int cramfs_diag_new(size_t limit, struct cramfs_diag **out)
{
	struct cramfs_diag *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->limit = limit ? limit : 1000;
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	return 0;
}

static void free_entries(struct cramfs_diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free((char *)d->entries[i].path);
		free((char *)d->entries[i].message);
	}
	free(d->entries);
	d->entries = NULL;
	d->count = 0;
}

void cramfs_diag_clear(struct cramfs_diag *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	free_entries(d);
	d->dropped = 0;
	memset(d->tally, 0, sizeof(d->tally));
	pthread_mutex_unlock(&d->lock);
}

void cramfs_diag_free(struct cramfs_diag *d)
{
	if (!d)
		return;
	free_entries(d);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

size_t cramfs_diag_count(const struct cramfs_diag *d)
{
	return d ? d->count : 0;
}

const struct cramfs_diag_entry *cramfs_diag_get(const struct cramfs_diag *d,
						 size_t i)
{
	return d && i < d->count ? &d->entries[i] : NULL;
}

size_t cramfs_diag_tally(const struct cramfs_diag *d, enum cramfs_severity s)
{
	return d && (unsigned)s < ARRAY_SIZE(d->tally) ? d->tally[s] : 0;
}

size_t cramfs_diag_dropped(const struct cramfs_diag *d)
{
	return d ? d->dropped : 0;
}

/* Store one entry; the caller holds the lock.  Returns false on ENOMEM. */
static bool store_entry(struct cramfs_diag *d, enum cramfs_severity sev,
			int code, uint64_t offset, const char *path, char *msg)
{
	struct cramfs_diag_entry *e;

	if (d->count % 16 == 0) {
		e = realloc(d->entries, (d->count + 16) * sizeof(*e));
		if (!e)
			return false;
		d->entries = e;
	}
	e = &d->entries[d->count];
	e->path = path ? strdup(path) : NULL;
	if (path && !e->path)
		return false;
	e->severity = sev;
	e->code = code;
	e->offset = offset;
	e->message = msg;
	d->count++;
	return true;
}

int diag_add(struct cramfs_diag *d, enum cramfs_severity sev, int code,
	     uint64_t offset, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (!d)
		return code;
	pthread_mutex_lock(&d->lock);
	if ((unsigned)sev < ARRAY_SIZE(d->tally))
		d->tally[sev]++;
	if (d->count >= d->limit) {
		d->dropped++;
		goto out;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg || !store_entry(d, sev, code, offset, path, msg)) {
		free(msg);
		d->dropped++;
	}
out:
	pthread_mutex_unlock(&d->lock);
	return code;
}

const char *cramfs_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EUCLEAN:
		return "corrupt cramfs image";
	case -EOPNOTSUPP:
		return "unsupported cramfs feature";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
