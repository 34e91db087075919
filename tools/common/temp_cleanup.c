// SPDX-License-Identifier: MIT
/*
 * Removing the builder's named temporary file when a signal stops the
 * build.  The library writes into an unnamed O_TMPFILE file where the file
 * system allows it, which no signal can leave behind; elsewhere it names
 * the file OUTPUT.tmp.XXXXXX and announces it (cramfs_build_opts
 * temp_file), and these handlers unlink it on SIGINT, SIGTERM and SIGHUP
 * before dying of the same signal.  SIGKILL cannot be caught: only
 * O_TMPFILE helps there.
 */
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

/*
 * Read by the handler, which may run on any thread (the compressors'
 * too): the release store of `armed` after the path is written pairs
 * with the handler's acquire load, so a handler that sees it armed sees
 * the whole path; it is disarmed before the path changes.  A lock-free
 * atomic_int is async-signal-safe.
 */
static char temp_path[PATH_MAX];
static atomic_int armed;

static void remove_and_die(int sig)
{
	if (atomic_load_explicit(&armed, memory_order_acquire))
		unlink(temp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

void tool_temp_file(void *ctx, const char *path)
{
	struct sigaction sa;

	(void)ctx;
	atomic_store_explicit(&armed, 0, memory_order_release);
	if (!path || strlen(path) >= sizeof(temp_path))
		return;
	strcpy(temp_path, path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(int); i++) {
		struct sigaction old;

		/* An ignored signal (nohup, a background job's SIGINT) stays
		 * ignored: it will not stop the build. */
		if (!sigaction(cleanup_signals[i], NULL, &old) &&
		    old.sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
	atomic_store_explicit(&armed, 1, memory_order_release);
}
