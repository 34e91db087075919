// SPDX-License-Identifier: MIT
/*
 * cramfsck: a front-end with util-linux fsck.cramfs's options, exit codes
 * and -v lines that reads every cramfs variant (see cramfsck(8)); it also
 * takes cramfs-tools cramfsck's -c and -x DIR.  Unlike util-linux it
 * always verifies the whole tree and every block; -x/--extract=DIR also
 * writes the files, safely.
 */
#include <getopt.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "tool.h"

const char *tool_prog = "cramfsck";

struct fsck_opts {
	unsigned verbose;	/* -v: list entries; -vv: and their blocks */
	bool keep_going;	/* -c: extract what can be read despite errors */
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
		" -v, --verbose            list every entry (twice: and its blocks)\n"
		" -y                       for compatibility only, ignored\n"
		" -b, --blocksize <size>   use this blocksize, defaults to detection\n"
		" -x, --extract[=<dir>]    test uncompression, optionally extract into <dir>\n"
		" -c                       extract even when errors are found (cramfs-tools)\n"
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

	while ((c = getopt_long(argc, argv, "ayvcb:x::Vh", longs, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'y':
			break;
		case 'v':
			o->verbose++;
			break;
		case 'c':
			o->keep_going = true;
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

/* Errors found, as cramfs-tools' "extraction with N errors" counts them. */
static size_t count_errors(const struct cramfs_diag *diag)
{
	size_t n = 0;

	for (size_t i = 0; i < cramfs_diag_count(diag); i++)
		n += cramfs_diag_get(diag, i)->severity == CRAMFS_DIAG_ERROR;
	return n;
}

/* Check, then extract if asked (with -c even from a corrupt image). */
static int check_and_extract(struct tool_image *t, const struct fsck_opts *o)
{
	struct cramfs_extract_opts xo = { .owners = -1 };
	int ret = cramfs_check(t->img, 0, t->diag, NULL);
	int xret;

	if (!o->extract_dir || (ret && !(o->keep_going && ret == -EUCLEAN)))
		return ret;
	xo.target_dir = o->extract_dir;
	/* EFBIG past RLIMIT_FSIZE, not death: the partial file is removed. */
	signal(SIGXFSZ, SIG_IGN);
	xret = cramfs_extract(t->img, &xo, t->diag, NULL);
	return ret ? ret : xret;
}

int main(int argc, char **argv)
{
	struct fsck_opts o = { 0 };
	struct tool_image t;
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret;
	ret = tool_open(&t, o.image, o.block_size);
	if (ret)
		return ret;
	if (o.verbose)
		fsck_print_endianness(&t);
	ret = check_and_extract(&t, &o);
	if (o.verbose)
		fsck_print_listing(&t, o.extract_dir, o.verbose);
	tool_print_diag(stderr, &t, o.verbose, o.verbose, true);
	/* Not a failure (fsck's codes have no room for it), but worth a line. */
	if (!o.verbose)
		tool_warn_block_size(&t, "--blocksize");
	if (o.verbose && !ret)
		printf("%s: OK\n", t.name);
	if (o.verbose && o.keep_going && count_errors(t.diag))
		printf("%s: extraction with %zu errors encountered\n", t.name,
		       count_errors(t.diag));
	tool_close(&t);
	return tool_exit_code(ret == -ENOENT ? -EUCLEAN : ret);
}
