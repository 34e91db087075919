// SPDX-License-Identifier: MIT
/*
 * The data area: each file's blocks are compressed by worker threads in
 * jobs of up to JOB_BLOCKS blocks and committed strictly in order by the
 * calling thread, so offsets (and so the bytes) do not depend on timing or
 * the thread count.  At most `ring` jobs are in flight, which bounds memory
 * whatever the file sizes.
 *
 * Concurrency: a job's fields are written by its worker until `done` is
 * set under w->lock, and read by the committing thread only after it saw
 * `done`.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/codec.h"
#include "write.h"

#define JOB_BLOCKS 32u

struct job {
	struct writer *w;
	struct bnode *n;
	uint32_t first, count;		/* blocks [first, first + count) */
	uint32_t lens[JOB_BLOCKS];	/* stored length of each block */
	bool raw[JOB_BLOCKS];		/* stored uncompressed */
	uint8_t *out;			/* the stored blocks, back to back */
	size_t out_len;
	int err;
	bool done;			/* protected by w->lock */
};

static bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* How block `idx` of the job's file is stored, before compressing it. */
enum block_way { WAY_DEFLATE, WAY_SKIP, WAY_COPY };

static enum block_way block_way(const struct job *j, uint32_t idx)
{
	const struct xip_plan *p = j->n->xip;

	if (!p)
		return WAY_DEFLATE;
	if (p->legacy)
		return WAY_COPY;	/* the whole file raw (format.md §9) */
	return p->map[idx] == XIP_IN_PLACE ? WAY_SKIP : WAY_DEFLATE;
}

static int job_compress(struct job *j, struct deflater *def, uint8_t *in)
{
	const struct writer *w = j->w;
	size_t bound = deflater_bound(w->bs);
	int fd = bnode_open(j->n), ret = fd < -1 ? fd : 0;
	/*
	 * Raw blocks would need DIRECT|UNCOMPRESSED pointers after in-place
	 * ones, which the checker would take for misplaced XIP blocks.
	 */
	bool may_raw = w->raw_blocks && !j->n->xip;

	for (uint32_t i = 0; !ret && i < j->count; i++) {
		uint64_t off = (uint64_t)(j->first + i) * w->bs;
		size_t len = j->n->size - off < w->bs ? j->n->size - off : w->bs;
		enum block_way way = block_way(j, j->first + i);

		j->lens[i] = 0;
		if (way == WAY_SKIP)
			continue;	/* written to the region at the end */
		ret = bnode_read(j->n, fd, way == WAY_COPY ? j->out + j->out_len : in,
				 len, off);
		if (!ret && way == WAY_COPY) {
			j->lens[i] = (uint32_t)len;
			j->out_len += len;
			continue;
		}
		if (ret || (w->o->holes && all_zero(in, len)))
			continue;
		j->lens[i] = (uint32_t)deflater_run(def, in, len,
						    j->out + j->out_len, bound);
		ret = j->lens[i] ? 0 : -EIO;
		if (!ret && may_raw && j->lens[i] >= len) {
			memcpy(j->out + j->out_len, in, len);
			j->lens[i] = (uint32_t)len;
			j->raw[i] = true;
		}
		j->out_len += j->lens[i];
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int deflater_take(struct writer *w, struct deflater **def)
{
	pthread_mutex_lock(&w->lock);
	*def = w->nidle ? w->idle[--w->nidle] : NULL;
	pthread_mutex_unlock(&w->lock);
	return *def ? 0 : deflater_new(w->kind, w->level, def);
}

static void deflater_give(struct writer *w, struct deflater *def)
{
	if (!def)
		return;
	pthread_mutex_lock(&w->lock);
	w->idle[w->nidle++] = def;	/* room for one per thread */
	pthread_mutex_unlock(&w->lock);
}

static void job_run(void *arg)
{
	struct job *j = arg;
	struct writer *w = j->w;
	struct deflater *def = NULL;
	uint8_t *in = malloc(w->bs);
	int ret = in ? deflater_take(w, &def) : -ENOMEM;

	j->out = malloc(j->count * deflater_bound(w->bs));
	if (!ret && !j->out)
		ret = -ENOMEM;
	if (!ret)
		ret = job_compress(j, def, in);
	deflater_give(w, def);
	free(in);
	pthread_mutex_lock(&w->lock);
	j->err = ret;
	j->done = true;
	pthread_cond_broadcast(&w->done_cv);
	pthread_mutex_unlock(&w->lock);
}

/* Start a file: its pointer table comes first, filled in at its end. */
int data_file_begin(struct writer *w, struct bnode *n)
{
	w->pos = (w->pos + 3) & ~3ull;
	if (w->pos > CRAMFS_MAXOFFSET)
		return diag_add(w->diag, CRAMFS_DIAG_ERROR, -EFBIG,
				CRAMFS_NO_OFFSET, NULL,
				"image too big: data would start at 0x%llx, past cramfs's 256 MiB offset limit",
				(unsigned long long)w->pos);
	n->offset = (uint32_t)w->pos;
	w->table_pos = w->pos;
	w->pos += 4ull * blocks_of(n->size, w->bs);
	return 0;
}

static int file_end(struct writer *w, struct bnode *n)
{
	uint32_t nb = blocks_of(n->size, w->bs);
	uint8_t *raw = malloc(4ull * nb);
	int ret;

	if (!raw)
		return -ENOMEM;
	for (uint32_t i = 0; i < nb; i++)
		cramfs_put32(raw + 4 * i, w->ptrs[i], w->e);
	ret = writer_put(w, raw, 4ull * nb, w->table_pos);
	free(raw);
	w->blocks += nb;
	w->bytes_in += n->size;
	return ret;
}

/* Wait for the oldest job and take it off the ring. */
static struct job *take_oldest(struct writer *w)
{
	struct job *j = w->ring[w->head];

	pthread_mutex_lock(&w->lock);
	while (!j->done)
		pthread_cond_wait(&w->done_cv, &w->lock);
	pthread_mutex_unlock(&w->lock);
	w->head = (w->head + 1) % w->ring_cap;
	w->count--;
	return j;
}

/* Put a compressed job's blocks in place: offsets, pointers, bytes. */
static int place_job(struct writer *w, struct job *j)
{
	uint64_t at;
	int ret = 0;

	if (j->n->xip)
		return xip_commit_job(w, j->n, j->first, j->count, j->lens, j->out);
	if (!j->first)
		ret = data_file_begin(w, j->n);
	at = w->pos;
	for (uint32_t i = 0; !ret && i < j->count; i++) {
		w->pos += j->lens[i];
		w->ptrs[j->first + i] = (uint32_t)w->pos |
			(j->raw[i] ? CRAMFS_BLK_FLAG_UNCOMPRESSED : 0);
		w->holes_written |= !j->lens[i];
		w->raw_written |= j->raw[i];
	}
	if (!ret)
		ret = writer_put(w, j->out, j->out_len, at);
	if (!ret && j->first + j->count == blocks_of(j->n->size, w->bs))
		ret = file_end(w, j->n);
	return ret;
}

/* Input bytes a job covers (its blocks of the file), for progress. */
static uint64_t job_bytes(const struct writer *w, const struct job *j)
{
	uint64_t from = (uint64_t)j->first * w->bs;
	uint64_t to = (uint64_t)(j->first + j->count) * w->bs;

	return (to < j->n->size ? to : j->n->size) - from;
}

/*
 * Commit the oldest job.  After a failure (`discard`) jobs are only
 * freed: nothing more is written, and nothing more is reported.
 */
static int commit_oldest(struct writer *w, bool discard)
{
	struct job *j = take_oldest(w);
	int ret = discard ? 0 : j->err;

	/* A job's own error is reading or compressing its source file. */
	if (ret)
		diag_add(w->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
			 NULL, "%s: cannot read or compress: %s",
			 j->n->host_path ? j->n->host_path : j->n->name,
			 strerror(-ret));
	if (!ret && !discard)
		ret = place_job(w, j);
	if (!ret && !discard && w->o->progress) {
		w->done_in += job_bytes(w, j);
		w->o->progress(w->o->progress_ctx, w->done_in, w->total_in);
	}
	free(j->out);
	free(j);
	return ret;
}

static int submit_job(struct writer *w, struct bnode *n, uint32_t first,
		      uint32_t count)
{
	struct job *j;
	int ret;

	if (w->count == w->ring_cap) {
		ret = commit_oldest(w, false);
		if (ret)
			return ret;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct job){ .w = w, .n = n, .first = first, .count = count };
	w->ring[(w->head + w->count) % w->ring_cap] = j;
	w->count++;
	return tpool_submit(w->pool, job_run, j);
}

static int submit_file(struct bnode *n, void *ctx)
{
	struct writer *w = ctx;
	uint32_t nb = blocks_of(n->size, w->bs);
	int ret = 0;

	if (!bnode_has_data(n) || n->same)
		return 0;
	for (uint32_t first = 0; !ret && first < nb; first += JOB_BLOCKS)
		ret = submit_job(w, n, first,
				 nb - first < JOB_BLOCKS ? nb - first : JOB_BLOCKS);
	return ret;
}

/* A duplicate takes the offset of the entry it shares data with. */
static int resolve_same(struct bnode *n, void *ctx)
{
	struct bnode *orig = n->same;

	(void)ctx;
	while (orig && orig->same)
		orig = orig->same;
	if (orig)
		n->offset = orig->offset;
	return 0;
}

int write_data(struct writer *w)
{
	int ret, r;

	unsigned threads = w->o->threads ? w->o->threads : tpool_default_threads();

	w->ring_cap = 4 * threads;
	w->ring = calloc(w->ring_cap, sizeof(*w->ring));
	/* One for each worker, plus the caller's when it runs jobs inline. */
	w->idle = calloc(threads + 1, sizeof(*w->idle));
	if (!w->ring || !w->idle) {
		free(w->ring);
		free(w->idle);
		return -ENOMEM;
	}
	ret = tpool_new(threads, w->ring_cap, &w->pool);
	w->pos = w->data_start;
	if (!ret)
		ret = bnode_walk(&w->t->root, submit_file, w);
	while (w->count) {	/* drain even after an error: jobs own memory */
		r = commit_oldest(w, ret != 0);
		if (!ret)
			ret = r;
	}
	tpool_free(w->pool);
	free(w->ring);
	while (w->nidle)
		deflater_free(w->idle[--w->nidle]);
	free(w->idle);
	if (!ret)
		ret = bnode_walk(&w->t->root, resolve_same, NULL);
	return ret;
}
