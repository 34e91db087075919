/* SPDX-License-Identifier: MIT */
#ifndef CRAMFS_COMMANDS_H
#define CRAMFS_COMMANDS_H

#include "tool.h"

/* Options every command accepts; parsed before the command's own. */
struct common_opts {
	unsigned block_size;	/* 0: detect */
	bool verbose;
	bool json;
};

int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_build(int argc, char **argv);

/* A command's own options, and how many operands it takes. */
struct cmd_syntax {
	const char *usage;
	const char *shorts;		/* getopt letters beyond the common ones */
	const struct option *longs;	/* NULL-terminated, or NULL */
	/* 0, or -1 for a bad value (opt_bad says why) */
	int (*on_opt)(void *ctx, int c, const char *arg);
	int min_operands, max_operands;	/* max -1: no limit */
};

/*
 * getopt_long over the common options plus the command's; checks the
 * operand count.  Returns the index of the first operand, or -1 after
 * printing a usage error, or -2 when --help was printed.
 */
int parse_opts(int argc, char **argv, struct common_opts *co,
	       const struct cmd_syntax *syn, void *ctx);

/*
 * For an on_opt handler: returns -1, and parse_opts prints `why` after the
 * option and its value ("cramfs: build: -j 0: expected 1 to 256 jobs").
 */
int opt_bad(const char *why);

/* Exit code for parse_opts()'s negative results. */
static inline int parse_exit(int i)
{
	return i == -2 ? EXIT_OK : EXIT_USAGE;
}

#endif /* CRAMFS_COMMANDS_H */
