// SPDX-License-Identifier: MIT
/*
 * cramfsck: a front-end with util-linux fsck.cramfs's options and exit codes
 * that reads every cramfs variant (see cramfsck(8)).  Unlike util-linux it
 * always verifies the whole tree and every block; -x/--extract=DIR also
 * writes the files, safely.
 */
#include <getopt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const char *tool_prog = "cramfsck";

struct fsck_opts {
	bool verbose;
	unsigned block_size;
	const char *extract_dir;
	const char *image;
};

static void usage(FILE *to)
{
	fprintf(to,
		"Usage:\n cramfsck [options] <file>\n\n"
		"Check and repair a compressed ROM filesystem (every variant:\n"
		"both byte orders, boot pad, holes, shifted root, XIP pointers).\n\n"
		"Options:\n"
		" -a                       for compatibility only, ignored\n"
		" -v, --verbose            be more verbose\n"
		" -y                       for compatibility only, ignored\n"
		" -b, --blocksize <size>   use this blocksize, defaults to detection\n"
		" -x, --extract[=<dir>]    test uncompression, optionally extract into <dir>\n"
		" -h, --help               display this help\n"
		" -V, --version            display version\n\n"
		"Exit status: 0 no errors, 4 errors left uncorrected,\n"
		"8 operational error, 16 usage or syntax error.\n");
}

static int parse(int argc, char **argv, struct fsck_opts *o)
{
	static const struct option longs[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "blocksize", required_argument, NULL, 'b' },
		{ "extract", optional_argument, NULL, 'x' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "ayvb:x::Vh", longs, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'y':
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'b':
			if (tool_parse_block_size(optarg, &o->block_size)) {
				tool_error(NULL, "invalid blocksize argument: %s", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'x':
			/* "-x DIR" (cramfs-tools) as well as "--extract=DIR". */
			if (!optarg && optind < argc - 1)
				optarg = argv[optind++];
			o->extract_dir = optarg;
			break;
		case 'V':
			printf("cramfsck (cramfs-xip) %s\n", CRAMFS_VERSION_STRING);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'cramfsck --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		tool_error(NULL, "bad usage: exactly one image file expected");
		return EXIT_USAGE;
	}
	o->image = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct fsck_opts o = { 0 };
	struct cramfs_extract_opts xo = { .owners = -1 };
	struct tool_image t;
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret;
	ret = tool_open(&t, o.image, o.block_size);
	if (ret)
		return ret;
	ret = cramfs_check(t.img, 0, t.diag, NULL);
	if (!ret && o.extract_dir) {
		xo.target_dir = o.extract_dir;
		ret = cramfs_extract(t.img, &xo, t.diag, NULL);
	}
	tool_print_diag(stderr, &t, o.verbose, o.verbose, true);
	if (o.verbose && !ret)
		printf("%s: OK\n", t.name);
	tool_close(&t);
	return tool_exit_code(ret == -ENOENT ? -EUCLEAN : ret);
}
