// SPDX-License-Identifier: MIT
/*
 * A fixed-size thread pool with a bounded FIFO queue.
 *
 * Concurrency: every field below `lock` is protected by it.  Producers wait
 * on `not_full`, workers on `not_empty`, tpool_wait() on `idle`.  With one
 * thread the pool has no workers at all and runs each job inline, the serial
 * twin that tests use to compare against the parallel path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

struct tpool_job {
	tpool_fn fn;
	void *arg;
};

struct tpool {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full, idle;
	struct tpool_job *ring;		/* protected by lock */
	unsigned cap, head, queued;	/* protected by lock */
	unsigned running;		/* jobs being executed; protected by lock */
	bool stopping;			/* protected by lock */
	unsigned nthreads;
	pthread_t *threads;
};

unsigned tpool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

static bool take_job(struct tpool *p, struct tpool_job *job)
{
	pthread_mutex_lock(&p->lock);
	while (!p->queued && !p->stopping)
		pthread_cond_wait(&p->not_empty, &p->lock);
	if (!p->queued) {
		pthread_mutex_unlock(&p->lock);
		return false;
	}
	*job = p->ring[p->head];
	p->head = (p->head + 1) % p->cap;
	p->queued--;
	p->running++;
	pthread_cond_signal(&p->not_full);
	pthread_mutex_unlock(&p->lock);
	return true;
}

static void *worker_main(void *arg)
{
	struct tpool *p = arg;
	struct tpool_job job;

	while (take_job(p, &job)) {
		job.fn(job.arg);
		pthread_mutex_lock(&p->lock);
		p->running--;
		if (!p->running && !p->queued)
			pthread_cond_broadcast(&p->idle);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static int start_workers(struct tpool *p)
{
	p->threads = calloc(p->nthreads, sizeof(*p->threads));
	if (!p->threads)
		return -ENOMEM;
	for (unsigned i = 0; i < p->nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p)) {
			p->nthreads = i;
			return -EAGAIN;
		}
	}
	return 0;
}

int tpool_new(unsigned threads, unsigned max_queued, struct tpool **out)
{
	struct tpool *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->not_empty, NULL);
	pthread_cond_init(&p->not_full, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->cap = max_queued ? max_queued : 64;
	p->nthreads = threads > 1 ? threads : 0;
	p->ring = calloc(p->cap, sizeof(*p->ring));
	ret = p->ring ? 0 : -ENOMEM;
	if (!ret && p->nthreads)
		ret = start_workers(p);
	if (ret) {
		tpool_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int tpool_submit(struct tpool *p, tpool_fn fn, void *arg)
{
	if (!p->nthreads) {
		fn(arg);
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	while (p->queued == p->cap)
		pthread_cond_wait(&p->not_full, &p->lock);
	p->ring[(p->head + p->queued) % p->cap] = (struct tpool_job){ fn, arg };
	p->queued++;
	pthread_cond_signal(&p->not_empty);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void tpool_wait(struct tpool *p)
{
	if (!p->nthreads)
		return;
	pthread_mutex_lock(&p->lock);
	while (p->queued || p->running)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void tpool_free(struct tpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->not_empty);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	free(p->ring);
	pthread_cond_destroy(&p->not_empty);
	pthread_cond_destroy(&p->not_full);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
