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

/*
 * getopt_long over the common options plus `extra`/`extra_long`; calls
 * `on_opt(ctx, c, optarg)` for the command's own ones (returns 0 or -1 on a
 * bad value).  Returns the index of the first operand, or -1 after printing
 * a usage error, or -2 when --help was printed.
 */
struct option;
int parse_opts(int argc, char **argv, struct common_opts *co,
	       const char *extra, const struct option *extra_long,
	       int (*on_opt)(void *ctx, int c, const char *arg), void *ctx,
	       const char *usage);

#endif /* CRAMFS_COMMANDS_H */
