// SPDX-License-Identifier: MIT
/* Shared by `cramfs build` and `mkcramfs`: scan, build, report. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "tool.h"

/* What the library's callbacks need during cramfs_build. */
struct build_ui {
	struct tool_image *t;
	const struct tool_build *b;
	struct tool_progress bar;
	bool bar_wanted;
};

/*
 * The tree is final and nothing is written yet: show the warnings so far
 * (limits: files cut at 16 MiB, names cut, ...) now, before the data, as
 * the man page promises; then the bar.
 */
static void on_prepared(void *ctx, uint64_t total)
{
	struct build_ui *ui = ctx;

	tool_print_diag(stderr, ui->t, true, ui->b->verbose, true);
	cramfs_diag_clear(ui->t->diag);
	if (ui->bar_wanted)
		progress_start(&ui->bar, "writing", total);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct build_ui *ui = ctx;

	(void)total;
	progress_update(&ui->bar, done);
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

/* A directory, or an archive (any other file, or "-" for stdin). */
static int add_source(struct cramfs_tree *tree, const char *src,
		      struct cramfs_diag *diag)
{
	struct stat st;

	if (!strcmp(src, "-") || (!stat(src, &st) && !S_ISDIR(st.st_mode)))
		return cramfs_tree_add_archive(tree, src, diag);
	return cramfs_tree_add_dir(tree, src, diag);
}

/*
 * The finished image is renamed over the output's directory entry, so what
 * must not be there is an input.  Files are told apart by device and inode
 * (lstat for the output: the entry the rename replaces), never by how the
 * paths are spelt.
 */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether input `path` ("-": standard input) is the output or links to it. */
static bool is_output(const char *path, const struct stat *out)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return !fstat(STDIN_FILENO, &st) && same_file(&st, out);
	return (!stat(path, &st) && same_file(&st, out)) ||
	       (!lstat(path, &st) && same_file(&st, out));
}

/* A regular file with the cramfs magic, plain or after the boot pad. */
static bool is_cramfs_image(const char *path, const struct stat *st)
{
	static const off_t at[] = { 0, CRAMFS_PAD_SIZE };
	int fd = S_ISREG(st->st_mode) ?
		 open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	bool yes = false;
	uint8_t m[4];

	for (int i = 0; fd >= 0 && !yes && i < 2; i++)
		yes = pread(fd, m, 4, at[i]) == 4 &&
		      (cramfs_get32(m, CRAMFS_LITTLE_ENDIAN) == CRAMFS_MAGIC ||
		       cramfs_get32(m, CRAMFS_BIG_ENDIAN) == CRAMFS_MAGIC);
	if (fd >= 0)
		close(fd);
	return yes;
}

/*
 * Whether the output's entry lies in directory `dir`, at any depth: its
 * directory and each one up ("..", so through symlinks as the kernel
 * resolved them) compared with `dir`, up to the root.
 */
static bool output_below(const char *output, const struct stat *dir)
{
	char *copy = strdup(output);
	int fd = copy ? open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	struct stat st, up;
	bool found = false;

	free(copy);
	while (fd >= 0 && !found && !fstat(fd, &st)) {
		int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		found = same_file(&st, dir);
		close(fd);
		fd = parent;
		if (fd >= 0 && !fstat(fd, &up) && same_file(&up, &st))
			break;		/* "/": its own parent */
	}
	if (fd >= 0)
		close(fd);
	return found;
}

static bool refuse(const char *output, const char *what, const char *path)
{
	tool_error(output, "the output is %s %s: not overwritten", what, path);
	return true;
}

/*
 * An output that would replace an input: a source (archive or directory),
 * a device table, the -i file, or an entry of a source directory that is
 * not a cramfs image.  An image there is an earlier build into the tree,
 * which cramfs_tree_leave_out keeps out of the new one (with a warning).
 */
static bool output_is_input(char *const *sources, int nsources,
			    const struct cramfs_build_opts *o,
			    const struct tool_build *b)
{
	struct stat out, st;

	if (lstat(b->output, &out))
		return false;	/* nothing there to lose */
	for (int i = 0; i < nsources; i++) {
		if (is_output(sources[i], &out))
			return refuse(b->output, "the source",
				      strcmp(sources[i], "-") ? sources[i] :
				      "read from standard input");
		if (strcmp(sources[i], "-") && !stat(sources[i], &st) &&
		    S_ISDIR(st.st_mode) && output_below(b->output, &st) &&
		    !is_cramfs_image(b->output, &out))
			return refuse(b->output,
				      "a file (not a cramfs image) of the source",
				      sources[i]);
	}
	for (unsigned i = 0; i < b->ndevtables; i++) {
		if (is_output(b->devtables[i], &out))
			return refuse(b->output, "the device table", b->devtables[i]);
	}
	if (o->blob_path && is_output(o->blob_path, &out))
		return refuse(b->output, "the file to insert", o->blob_path);
	return false;
}

/* Sources, then excludes, modes, owners and device tables, in that order. */
static int make_tree(struct cramfs_tree *tree, char *const *sources,
		     int nsources, const struct tool_build *b,
		     struct cramfs_diag *diag)
{
	/* An old image inside its own source must not go into the new one. */
	int ret = cramfs_tree_leave_out(tree, b->output);

	for (int i = 0; !ret && i < nsources; i++)
		ret = add_source(tree, sources[i], diag);
	if (ret)
		return ret;
	for (unsigned i = 0; i < b->nexcludes; i++)
		cramfs_tree_exclude(tree, b->excludes[i]);
	if (b->chmod && cramfs_tree_chmod(tree, b->chmod)) {
		tool_error(b->output, "bad --chmod: %s", b->chmod);
		return -EINVAL;
	}
	cramfs_tree_set_owner(tree, b->uid, b->gid);
	for (unsigned i = 0; !ret && i < b->ndevtables; i++)
		ret = cramfs_tree_apply_devtable(tree, b->devtables[i], b->flavor,
						 diag);
	return ret;
}

static int build(struct cramfs_tree *tree, struct cramfs_build_opts *o,
		 struct build_ui *ui, const struct timespec *t0)
{
	const struct tool_build *b = ui->b;
	struct cramfs_build_result r = { 0 };
	int ret;

	ui->bar_wanted = !b->json;
	o->prepared = on_prepared;
	o->progress = on_progress;
	o->progress_ctx = ui;
	o->temp_file = tool_temp_file;
	ret = cramfs_build(tree, o, b->output, ui->t->diag, &r);
	progress_end(&ui->bar, !ret);
	if (!ret && (b->verbose || b->json))
		print_summary(b, &r, seconds_since(t0));
	if (!ret && b->xip_report && !b->json && r.xip)
		tool_xip_report_text(r.xip);
	cramfs_xip_report_free(r.xip);
	return ret;
}

int tool_build_run(char *const *sources, int nsources,
		   struct cramfs_build_opts *o, const struct tool_build *b)
{
	struct tool_image t = { .name = b->output };
	struct build_ui ui = { .t = &t, .b = b };
	struct cramfs_tree *tree = NULL;
	struct timespec t0;
	int ret;

	/*
	 * Past a file size limit (ulimit -f) a write fails with EFBIG; the
	 * default action of SIGXFSZ would kill us first, leaving the
	 * temporary file behind and saying nothing.
	 */
	signal(SIGXFSZ, SIG_IGN);
	/* A usage error: the command line names one file twice. */
	if (output_is_input(sources, nsources, o, b))
		return EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cramfs_diag_new(1000, &t.diag) || cramfs_tree_new(&tree)) {
		tool_error(b->output, "out of memory");
		cramfs_diag_free(t.diag);
		return EXIT_OPERATIONAL;
	}
	ret = make_tree(tree, sources, nsources, b, t.diag);
	if (!ret)
		ret = build(tree, o, &ui, &t0);
	tool_print_diag(stderr, &t, true, b->verbose, true);
	if (ret == -EOVERFLOW)
		tool_error(b->output, "not written: limits exceeded (strict mode)");
	else if (ret && ret != -EINVAL && !cramfs_diag_tally(t.diag, CRAMFS_DIAG_ERROR))
		tool_error(b->output, "not written: %s", cramfs_strerror(ret));
	cramfs_tree_free(tree);
	cramfs_diag_free(t.diag);
	return ret ? EXIT_OPERATIONAL : EXIT_OK;
}
