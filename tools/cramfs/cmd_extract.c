// SPDX-License-Identifier: MIT
/* cramfs extract: safe extraction into a directory. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

/*
 * --max-output: a byte count (tool_parse_bytes); 0 means no limit, which
 * the library spells CRAMFS_EXTRACT_UNLIMITED (its 0 is the default).
 */
static int parse_max_output(const char *arg, uint64_t *out)
{
	if (tool_parse_bytes(arg, out))
		return -1;
	if (!*out)
		*out = CRAMFS_EXTRACT_UNLIMITED;
	return 0;
}

static int extract_opt(void *ctx, int c, const char *arg)
{
	struct cramfs_extract_opts *o = ctx;
	char *end;

	switch (c) {
	case 't':
		o->target_dir = arg;
		return 0;
	case 'f':
		o->overwrite = true;
		return 0;
	case 'O':
		o->owners = 1;
		return 0;
	case 'N':
		o->owners = 0;
		return 0;
	case 'm':
		o->manifest_path = arg;
		return 0;
	case 'X':
		if (parse_max_output(arg, &o->max_output))
			return opt_bad("expected bytes, with an optional K, M or G suffix (0: no limit)");
		return 0;
	case 'j':
		o->threads = (unsigned)strtoul(arg, &end, 10);
		if (*end || !o->threads || o->threads > 256)
			return opt_bad("expected 1 to 256 jobs");
		return 0;
	default:
		return -1;
	}
}

/* Progress on a terminal, at most ten updates a second. */
static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	static struct timespec last;
	struct timespec now;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && now.tv_sec * 10 + now.tv_nsec / 100000000 ==
			    last.tv_sec * 10 + last.tv_nsec / 100000000)
		return;
	last = now;
	fprintf(stderr, "\rextracting: %llu / %llu MiB%s",
		(unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20), done >= total ? "\n" : "");
}

static const char extract_usage[] =
	"cramfs extract [-b N] [-v] [--to DIR] [--force] [--owners|--no-owners] [--manifest FILE] [--max-output BYTES] [-j N] IMAGE [PATH...]";

static void summary(const struct tool_image *t,
		    const struct cramfs_extract_opts *o,
		    const struct cramfs_extract_result *r)
{
	const struct cramfs_tree_stats *s = &r->stats;

	printf("%s: extracted %llu files (%llu bytes), %llu dirs, %llu symlinks, %llu special into %s\n",
	       t->name, (unsigned long long)s->files,
	       (unsigned long long)r->bytes_written, (unsigned long long)s->dirs,
	       (unsigned long long)s->symlinks,
	       (unsigned long long)(s->chrdevs + s->blkdevs + s->fifos + s->sockets),
	       o->target_dir);
	if (r->manifest_lines)
		printf("%s: %llu entries whose owner or type could not be applied are listed in %s%s\n",
		       t->name, (unsigned long long)r->manifest_lines,
		       o->manifest_path ? o->manifest_path : o->target_dir,
		       o->manifest_path ? "" : ".manifest");
}

/*
 * PATHs that go through a symlink or a file are reported here, since the
 * library only returns -ENOTDIR for them, and left out; returns how many
 * remain (in place, in order).
 */
static unsigned drop_blocked_paths(struct tool_image *t, char **paths,
				   unsigned n, bool *dropped)
{
	struct cramfs_node node;
	unsigned kept = 0;

	for (unsigned i = 0; i < n; i++) {
		if (cramfs_lookup(t->img, paths[i], NULL, &node) == -ENOTDIR) {
			tool_lookup(t, paths[i], &node);	/* says why */
			*dropped = true;
			continue;
		}
		paths[kept++] = paths[i];
	}
	return kept;
}

int cmd_extract(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "to", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "owners", no_argument, NULL, 'O' },
		{ "no-owners", no_argument, NULL, 'N' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "max-output", required_argument, NULL, 'X' },
		{ 0 },
	};
	struct cramfs_extract_opts o = { .target_dir = "cramfs-root", .owners = -1 };
	struct cramfs_extract_result r;
	struct common_opts co = { 0 };
	struct tool_image t;
	bool dropped = false;
	static const struct cmd_syntax syn = { extract_usage, "fj:", longs,
					       extract_opt, 1, -1 };
	int i = parse_opts(argc, argv, &co, &syn, &o);
	int ret;

	if (i < 0)
		return parse_exit(i);
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	tool_warn_superblock(&t);
	o.paths = (const char *const *)argv + i + 1;
	o.npaths = drop_blocked_paths(&t, argv + i + 1, (unsigned)(argc - i - 1),
				      &dropped);
	if (dropped && !o.npaths) {	/* nothing left: create nothing */
		tool_close(&t);
		return EXIT_NOT_FOUND;
	}
	if (isatty(STDERR_FILENO))
		o.progress = show_progress;
	/*
	 * Past RLIMIT_FSIZE a write fails with EFBIG after SIGXFSZ, whose
	 * default action would kill us with a partial file left: ignored, the
	 * extractor removes that file and says so.
	 */
	signal(SIGXFSZ, SIG_IGN);
	ret = cramfs_extract(t.img, &o, t.diag, &r);
	if (!ret && dropped)
		ret = -ENOENT;
	/* Warnings too: the only ones are about the output's size. */
	tool_print_diag(stderr, &t, true, co.verbose, true);
	/* The data was read with a size detection could not be sure of. */
	tool_warn_block_size(&t, "--block-size");
	if (co.verbose || r.manifest_lines)
		summary(&t, &o, &r);
	/* Each entry was named above; say once what would replace them. */
	if (r.existing && ret != -EUCLEAN && !o.overwrite)
		tool_error(t.name, "%llu %s already in %s %s kept; pass --force to replace %s",
			   (unsigned long long)r.existing,
			   r.existing == 1 ? "entry" : "entries", o.target_dir,
			   r.existing == 1 ? "was" : "were",
			   r.existing == 1 ? "it" : "them");
	if (r.stopped)
		tool_error(t.name, "extraction stopped at the output limit of %llu bytes; pass --max-output BYTES to raise it (0: no limit)",
			   (unsigned long long)r.max_output);
	tool_close(&t);
	return tool_exit_code(ret);
}
