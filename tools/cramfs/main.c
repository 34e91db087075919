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
	fprintf(to, "usage: cramfs [--version] [--help] [-v] [-b N] [--json] COMMAND [OPTIONS] IMAGE [ARGS]\n\ncommands:\n");
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

static const char *bad_value_why;

int opt_bad(const char *why)
{
	bad_value_why = why;
	return -1;
}

/* "build" of "cramfs build [-b N] ...". */
static void command_name(const char *usage_line, char *buf, size_t cap)
{
	const char *p = strchr(usage_line, ' ');
	size_t len;

	p = p ? p + 1 : usage_line;
	len = strcspn(p, " ");
	snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
}

/*
 * One line naming the option as it was typed ("-j", "--level") and the
 * value, then where the help is; not the whole usage text, which hides
 * what was wrong.  getopt has already named an unknown option.
 */
static int bad_option(char **argv, const char *usage_line, int c,
		      const char *arg, bool known)
{
	const char *typed = argv[optind - 1];
	char cmd[32], opt[64];

	command_name(usage_line, cmd, sizeof(cmd));
	if (known) {
		/* "-j 0" / "--level 13": the option is the word before. */
		if (arg && typed == arg && optind >= 2)
			typed = argv[optind - 2];
		if (typed[0] == '-' && typed[1] == '-')	/* "--level=13" */
			snprintf(opt, sizeof(opt), "%.*s",
				 (int)strcspn(typed, "="), typed);
		else					/* "-j0", "-zj0" */
			snprintf(opt, sizeof(opt), "-%c", c);
		fprintf(stderr, "cramfs: %s: %s%s%s: %s\n", cmd, opt,
			arg ? " " : "", arg ? arg : "",
			bad_value_why ? bad_value_why : "invalid value");
	}
	fprintf(stderr, "Try 'cramfs %s --help'.\n", cmd);
	bad_value_why = NULL;
	return -1;
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
			if (tool_parse_block_size(optarg, &co->block_size)) {
				opt_bad("expected 4096 to 65536, a power of 2");
				return bad_option(argv, usage_line, c, optarg, true);
			}
		} else if (c == 'v') {
			co->verbose = true;
		} else if (c == 'J') {
			co->json = true;
		} else if (c == '?' || !syn->on_opt) {
			return bad_option(argv, usage_line, c, NULL, false);
		} else if (syn->on_opt(ctx, c, optarg)) {
			return bad_option(argv, usage_line, c, optarg, true);
		}
	}
	if (argc - optind < syn->min_operands ||
	    (syn->max_operands >= 0 && argc - optind > syn->max_operands)) {
		fprintf(stderr, "usage: %s\n", usage_line);
		return -1;
	}
	return optind;
}

/* How many words the common option at argv[0] takes (0: not one). */
static int common_option_words(char *const *argv)
{
	static const char *const flags[] = { "-v", "--verbose", "--json" };
	const char *a = argv[0];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(a, flags[i]))
			return 1;
	if (!strncmp(a, "--block-size=", 13) || (!strncmp(a, "-b", 2) && a[2]))
		return 1;
	if (!strcmp(a, "-b") || !strcmp(a, "--block-size"))
		return argv[1] ? 2 : 0;
	return 0;
}

/*
 * `cramfs -v info IMAGE`: common options before the command are moved
 * after it, where the command's parser reads them.  Returns the new argc.
 */
static int hoist_common_options(int argc, char **argv)
{
	int n = 1, words;
	char *moved[8], *command;
	int nmoved = 0;

	while (n < argc && (words = common_option_words(argv + n)) &&
	       nmoved + words <= 8) {
		for (int w = 0; w < words; w++)
			moved[nmoved++] = argv[n + w];
		n += words;
	}
	if (!nmoved || n >= argc)
		return argc;
	/* argv[1..]: COMMAND, the moved options, then the rest as given */
	command = argv[n];
	memmove(argv + 2 + nmoved, argv + n + 1,
		(size_t)(argc - n - 1) * sizeof(*argv));
	argv[1] = command;
	memcpy(argv + 2, moved, (size_t)nmoved * sizeof(*argv));
	return argc;
}

int main(int argc, char **argv)
{
	argc = hoist_common_options(argc, argv);
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
