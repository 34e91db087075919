// SPDX-License-Identifier: MIT
/* cramfs: inspect, check and extract cramfs images.  See cramfs(1). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

const char *tool_prog = "cramfs";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "show the superblock and image facts" },
	{ "check", cmd_check, "verify the whole image, report every problem" },
	{ "ls", cmd_ls, "list entries" },
	{ "cat", cmd_cat, "write file contents to standard output" },
	{ "extract", cmd_extract, "extract files safely into a directory" },
	{ "build", cmd_build, "write an image from directories" },
};

static void usage(FILE *to)
{
	fprintf(to, "usage: cramfs [--version] [--help] COMMAND [OPTIONS] IMAGE [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(to, "\ncommon options: -b/--block-size N, -v/--verbose, -h/--help\n"
		    "exit: 0 ok, 1 path not in image, 4 corrupt image, 8 operational error, 16 usage\n");
}

static int usage_error(const char *msg, const char *arg)
{
	tool_error(NULL, "%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'cramfs --help'.\n");
	return EXIT_USAGE;
}

int parse_opts(int argc, char **argv, struct common_opts *co,
	       const struct cmd_syntax *syn, void *ctx)
{
	const char *usage_line = syn->usage;
	static const struct option common[] = {
		{ "block-size", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longs[64];
	char shorts[64];
	size_t n = 0;
	int c;

	memcpy(longs, common, sizeof(common));
	n = sizeof(common) / sizeof(common[0]);
	for (const struct option *o = syn->longs; o && o->name && n < 63; o++)
		longs[n++] = *o;
	memset(&longs[n], 0, sizeof(longs[n]));
	snprintf(shorts, sizeof(shorts), "b:vh%s", syn->shorts ? syn->shorts : "");
	optind = 1;
	argv[0] = "cramfs";	/* getopt's own messages name the program */
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: %s\n", usage_line);
			return -2;
		} else if (c == 'b') {
			if (tool_parse_block_size(optarg, &co->block_size))
				return usage_error("bad block size (4096..65536, a power of 2)", optarg), -1;
		} else if (c == 'v') {
			co->verbose = true;
		} else if (c == 'J') {
			co->json = true;
		} else if (c == '?' || !syn->on_opt || syn->on_opt(ctx, c, optarg)) {
			fprintf(stderr, "usage: %s\n", usage_line);
			return -1;
		}
	}
	if (argc - optind < syn->min_operands ||
	    (syn->max_operands >= 0 && argc - optind > syn->max_operands)) {
		fprintf(stderr, "usage: %s\n", usage_line);
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr), EXIT_USAGE;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout), EXIT_OK;
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("cramfs (cramfs-xip) %s\n", CRAMFS_VERSION_STRING);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	return usage_error("unknown command", argv[1]);
}
