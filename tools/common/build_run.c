// SPDX-License-Identifier: MIT
/* Shared by `cramfs build` and `mkcramfs`: scan, build, report. */
#include <errno.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	static time_t last;
	time_t now = time(NULL);

	(void)ctx;
	(void)total;
	if (now == last)
		return;
	last = now;
	fprintf(stderr, "\rcompressing: %llu MiB", (unsigned long long)(done >> 20));
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_summary(const struct tool_build *b,
			  const struct cramfs_build_result *r, double secs)
{
	const struct cramfs_tree_stats *s = &r->stats;
	double ratio = r->bytes_in ? (double)r->image_size / (double)r->bytes_in : 0;

	if (b->json) {
		printf("{\"image\": ");
		json_string(stdout, b->output);
		printf(", \"files\": %llu, \"dirs\": %llu, \"symlinks\": %llu, \"special\": %llu, \"bytes_in\": %llu, \"image_size\": %llu, \"ratio\": %.4f, \"dedup_bytes\": %llu, \"shared_entries\": %llu, \"blocks\": %llu, \"warnings\": %llu, \"crc\": %u, \"seconds\": %.3f",
		       (unsigned long long)s->files, (unsigned long long)s->dirs,
		       (unsigned long long)s->symlinks,
		       (unsigned long long)(s->chrdevs + s->blkdevs + s->fifos + s->sockets),
		       (unsigned long long)r->bytes_in, (unsigned long long)r->image_size,
		       ratio, (unsigned long long)r->dedup_bytes,
		       (unsigned long long)s->shared_items, (unsigned long long)s->blocks,
		       (unsigned long long)r->warnings, r->crc, secs);
		if (r->xip) {
			printf(", \"xip\": ");
			tool_xip_report_json(r->xip);
		}
		printf("}\n");
		return;
	}
	printf("%s: %llu files, %llu dirs, %llu symlinks, %llu special; %llu bytes in, %llu bytes out (%.1f%%); dedup saved %llu bytes in %llu entries; crc 0x%08x; %.2f s\n",
	       b->output, (unsigned long long)s->files, (unsigned long long)s->dirs,
	       (unsigned long long)s->symlinks,
	       (unsigned long long)(s->chrdevs + s->blkdevs + s->fifos + s->sockets),
	       (unsigned long long)r->bytes_in, (unsigned long long)r->image_size,
	       100 * ratio, (unsigned long long)r->dedup_bytes,
	       (unsigned long long)s->shared_items, r->crc, secs);
}

/* A directory, or a tar archive (a regular file, or "-" for stdin). */
static int add_source(struct cramfs_tree *tree, const char *src,
		      struct cramfs_diag *diag)
{
	struct stat st;

	if (!strcmp(src, "-") || (!stat(src, &st) && S_ISREG(st.st_mode)))
		return cramfs_tree_add_tar(tree, src, diag);
	return cramfs_tree_add_dir(tree, src, diag);
}

int tool_build_run(char *const *sources, int nsources,
		   struct cramfs_build_opts *o, const struct tool_build *b)
{
	struct tool_image t = { .name = b->output };
	struct cramfs_build_result r = { 0 };
	struct cramfs_tree *tree = NULL;
	struct timespec t0;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cramfs_diag_new(1000, &t.diag) || cramfs_tree_new(&tree)) {
		tool_error(b->output, "out of memory");
		return EXIT_OPERATIONAL;
	}
	for (int i = 0; i < nsources; i++) {
		ret = add_source(tree, sources[i], t.diag);
		if (ret)
			goto out;
	}
	for (unsigned i = 0; i < b->nexcludes; i++)
		cramfs_tree_exclude(tree, b->excludes[i]);
	if (b->chmod && cramfs_tree_chmod(tree, b->chmod)) {
		tool_error(b->output, "bad --chmod: %s", b->chmod);
		ret = -EINVAL;
		goto out;
	}
	cramfs_tree_set_owner(tree, b->uid, b->gid);
	for (unsigned i = 0; i < b->ndevtables; i++) {
		ret = cramfs_tree_apply_devtable(tree, b->devtables[i], b->flavor,
						 t.diag);
		if (ret)
			goto out;
	}
	if (isatty(STDERR_FILENO) && !b->json)
		o->progress = show_progress;
	ret = cramfs_build(tree, o, b->output, t.diag, &r);
	if (o->progress)
		fputc('\n', stderr);
	if (!ret && (b->verbose || b->json))
		print_summary(b, &r, seconds_since(&t0));
	if (!ret && b->xip_report && !b->json && r.xip)
		tool_xip_report_text(r.xip);
	cramfs_xip_report_free(r.xip);
out:
	tool_print_diag(stderr, &t, true, b->verbose, true);
	if (ret == -EOVERFLOW)
		tool_error(b->output, "not written: limits exceeded (strict mode)");
	cramfs_tree_free(tree);
	cramfs_diag_free(t.diag);
	return ret ? EXIT_OPERATIONAL : EXIT_OK;
}
