/* SPDX-License-Identifier: MIT */
/*
 * A progress bar on standard error, as mksquashfs draws one: bar, done and
 * total, percentage, time left; only when standard error is a terminal.
 */
#ifndef CRAMFS_TOOL_PROGRESS_H
#define CRAMFS_TOOL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct tool_progress {
	bool on;			/* standard error is a terminal */
	bool drawn;			/* something is on the line */
	const char *label;
	uint64_t total;			/* bytes */
	unsigned width;			/* terminal columns */
	struct timespec start, last;
};

/*
 * Begin a bar of `total` bytes labelled `label` (e.g. "writing"): draws
 * 0% at once.  Not a terminal: nothing now or later.
 */
void progress_start(struct tool_progress *p, const char *label,
		    uint64_t total);

/* `done` bytes so far: redrawn at most 10 times a second. */
void progress_update(struct tool_progress *p, uint64_t done);

/*
 * The end: `complete` draws the full bar with the time taken and ends the
 * line; otherwise the line is erased, so an error message starts clean.
 */
void progress_end(struct tool_progress *p, bool complete);

#endif /* CRAMFS_TOOL_PROGRESS_H */
