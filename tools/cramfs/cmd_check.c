// SPDX-License-Identifier: MIT
/* cramfs check: every problem in the image, fsck exit codes. */
#include <getopt.h>
#include <errno.h>
#include <string.h>

#include "commands.h"

struct check_opts {
	unsigned flags;
};

static int check_opt(void *ctx, int c, const char *arg)
{
	struct check_opts *o = ctx;

	(void)arg;
	if (c != 'D')
		return -1;
	o->flags |= CRAMFS_CHECK_NO_DATA;
	return 0;
}

static void print_json(const struct tool_image *t, int ret,
		       const struct cramfs_tree_stats *st)
{
	size_t n = cramfs_diag_count(t->diag);

	printf("{\n  \"image\": ");
	json_string(stdout, t->name);
	printf(",\n  \"clean\": %s,\n  \"errors\": %zu,\n  \"warnings\": %zu,\n",
	       ret ? "false" : "true",
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_ERROR),
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_WARNING));
	printf("  \"entries\": %llu,\n  \"problems\": [",
	       (unsigned long long)st->entries);
	for (size_t i = 0; i < n; i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(t->diag, i);

		printf("%s\n    {\"severity\": \"%s\", \"path\": ", i ? "," : "",
		       e->severity == CRAMFS_DIAG_ERROR ? "error" :
		       e->severity == CRAMFS_DIAG_WARNING ? "warning" : "info");
		if (e->path)
			json_string(stdout, e->path);
		else
			printf("null");
		if (e->offset != CRAMFS_NO_OFFSET)
			printf(", \"offset\": %llu", (unsigned long long)e->offset);
		printf(", \"message\": ");
		json_string(stdout, e->message);
		printf("}");
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

static const char check_usage[] = "cramfs check [-b N] [-v] [--json] [--no-data] IMAGE";

int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "no-data", no_argument, NULL, 'D' }, { 0 },
	};
	struct check_opts o = { 0 };
	struct common_opts co = { 0 };
	struct cramfs_tree_stats st;
	struct tool_image t;
	static const struct cmd_syntax syn = { check_usage, NULL, longs,
					       check_opt, 1, 1 };
	int i = parse_opts(argc, argv, &co, &syn, &o);
	int ret;

	if (i < 0)
		return parse_exit(i);
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	ret = cramfs_check(t.img, o.flags, t.diag, &st);
	if (co.json) {
		print_json(&t, ret, &st);
	} else {
		tool_print_diag(stdout, &t, true, co.verbose, false);
		printf("%s: %s: %zu errors, %zu warnings, %llu entries checked\n",
		       t.name, ret ? "CORRUPT" : "clean",
		       cramfs_diag_tally(t.diag, CRAMFS_DIAG_ERROR),
		       cramfs_diag_tally(t.diag, CRAMFS_DIAG_WARNING),
		       (unsigned long long)st.entries);
	}
	tool_close(&t);
	return ret == -ENOENT ? EXIT_CORRUPT : tool_exit_code(ret);
}
