// SPDX-License-Identifier: MIT
/* The progress bar (progress.h). */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_NS 100000000LL	/* 10 redraws a second at most */
#define BAR_MAX 50u
#define BAR_MIN 10u

static long long ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

static unsigned term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || ws.ws_col < 40)
		return 80;
	return ws.ws_col;
}

/* "1:05" or "2:03:04". */
static void fmt_time(char *buf, size_t len, long long secs)
{
	if (secs >= 3600)
		snprintf(buf, len, "%lld:%02lld:%02lld", secs / 3600,
			 secs / 60 % 60, secs % 60);
	else
		snprintf(buf, len, "%lld:%02lld", secs / 60, secs % 60);
}

/* " 12/345 MiB   3%  ETA  0:41", or "took 0:52" once complete. */
static void fmt_numbers(char *buf, size_t len, const struct tool_progress *p,
			uint64_t done, long long elapsed_ns)
{
	bool mib = p->total >= (10u << 20);
	unsigned shift = mib ? 20 : 10;
	unsigned pct = p->total ? (unsigned)(done * 100 / p->total) : 100;
	char t[32] = "--:--";

	if (done >= p->total)
		fmt_time(t, sizeof(t), elapsed_ns / 1000000000LL);
	else if (done && elapsed_ns > REDRAW_NS)	/* too early says nothing */
		fmt_time(t, sizeof(t), (long long)((double)elapsed_ns / 1e9 *
				(double)(p->total - done) / (double)done + 0.5));
	char total[24];

	/* Fixed widths, so that the bar keeps its length from frame to frame. */
	snprintf(total, sizeof(total), "%llu", (unsigned long long)(p->total >> shift));
	snprintf(buf, len, " %*llu/%s %s %3u%%  %s %-7s", (int)strlen(total),
		 (unsigned long long)(done >> shift), total, mib ? "MiB" : "KiB",
		 pct, done >= p->total ? "took" : "ETA ", t);
}

static void draw(struct tool_progress *p, uint64_t done, long long elapsed_ns)
{
	char nums[96], bar[BAR_MAX + 1];
	size_t room = p->width - 1 - strlen(p->label) - 3;
	unsigned cells, filled;

	if (done > p->total)
		done = p->total;
	fmt_numbers(nums, sizeof(nums), p, done, elapsed_ns);
	room = room > strlen(nums) ? room - strlen(nums) : 0;
	cells = room > BAR_MAX ? BAR_MAX : room < BAR_MIN ? BAR_MIN : (unsigned)room;
	filled = p->total ? (unsigned)((double)done / (double)p->total * cells) : cells;
	memset(bar, '=', filled);
	memset(bar + filled, ' ', cells - filled);
	if (filled < cells)
		bar[filled] = '>';
	bar[cells] = '\0';
	fprintf(stderr, "\r%s [%s]%s", p->label, bar, nums);
	fflush(stderr);
	p->drawn = true;
}

void progress_start(struct tool_progress *p, const char *label,
		    uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
	if (!p->on)
		return;
	p->label = label;
	p->total = total;
	p->width = term_width();
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	draw(p, 0, 0);
}

void progress_update(struct tool_progress *p, uint64_t done)
{
	struct timespec now;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* The last update is drawn by progress_end, with the time taken. */
	if (done >= p->total || ns_between(&p->last, &now) < REDRAW_NS)
		return;
	p->last = now;
	draw(p, done, ns_between(&p->start, &now));
}

void progress_end(struct tool_progress *p, bool complete)
{
	struct timespec now;

	if (!p->on || !p->drawn)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (complete) {
		draw(p, p->total, ns_between(&p->start, &now));
		fputc('\n', stderr);
	} else {
		fprintf(stderr, "\r%*s\r", (int)p->width - 1, "");
	}
	fflush(stderr);
	p->on = p->drawn = false;
}
