// SPDX-License-Identifier: MIT
/* cramfs build: write an image from directories (native mode by default). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

struct build_cli {
	struct cramfs_build_opts o;
	struct tool_build b;
	const char *xip_globs[64];
	unsigned xip_page;	/* --xip-page-size, 0 if not given */
};

static int parse_xip_mode(const char *arg, enum cramfs_xip_mode *mode)
{
	static const char *const names[] = { "off", "mmu", "nommu", "legacy" };

	for (unsigned m = 0; m < 4; m++)
		if (!strcmp(arg, names[m])) {
			*mode = (enum cramfs_xip_mode)m;
			return 0;
		}
	return -1;
}

/* The --xip-* options (long only; their codes are 256 and up). */
static int xip_opt(struct build_cli *bc, int c, const char *arg)
{
	struct cramfs_xip_opts *x = &bc->o.xip;
	unsigned long long v;

	if (c != 256 + 1 && !x->mode)
		x->mode = CRAMFS_XIP_MMU;	/* any --xip-* turns XIP on */
	switch (c) {
	case 256: return 0;
	case 256 + 1:
		if (parse_xip_mode(arg, &x->mode))
			return opt_bad("expected mmu, nommu, legacy or off");
		return 0;
	case 256 + 2: x->all_elf = true; return 0;
	case 256 + 3: x->no_elf = true; return 0;
	case 256 + 4:
		if (x->nglobs == 64)
			return opt_bad("at most 64 patterns");
		bc->xip_globs[x->nglobs++] = arg;
		x->globs = bc->xip_globs;
		return 0;
	case 256 + 5:
		if (tool_parse_block_size(arg, &bc->xip_page))
			return opt_bad("expected 4096 to 65536, a power of 2");
		return 0;
	case 256 + 6:
		/* DIRECT pointers count in 4-byte units (format 7.1) */
		if (tool_parse_uint(arg, 65536, &v) || v < 4 || (v & (v - 1)))
			return opt_bad("expected a power of 2 from 4 to 65536");
		x->align = (uint32_t)v;
		return 0;
	case 256 + 7:
		if (tool_parse_bytes(arg, &x->budget))
			return opt_bad("expected a byte count (suffix K, M or G)");
		return 0;
	case 256 + 8: bc->b.xip_report = true; return 0;
	default: return -1;
	}
}

static int parse_mode(const char *arg, enum cramfs_build_mode *mode)
{
	if (!strcmp(arg, "native"))
		*mode = CRAMFS_BUILD_NATIVE;
	else if (!strcmp(arg, "util-linux"))
		*mode = CRAMFS_BUILD_UTIL_LINUX;
	else
		return -1;
	return 0;
}

static int parse_owner(const char *arg, long long *out)
{
	unsigned long long v;

	if (tool_parse_uint(arg, UINT32_MAX, &v))
		return -1;
	*out = (long long)v;
	return 0;
}

/*
 * --target-kernel MAJOR.MINOR: the oldest kernel that must mount the image.
 * From 4.15 on, blocks compression does not shrink are stored raw.
 */
static int parse_target_kernel(const char *arg, struct cramfs_build_opts *o)
{
	unsigned major, minor;
	char tail;

	if (sscanf(arg, "%u.%u%c", &major, &minor, &tail) < 2 || major < 2)
		return -1;
	o->raw_blocks = major > 4 || (major == 4 && minor >= 15);
	return 0;
}

/* A bad --chmod is a usage error: try it on an empty tree. */
static bool valid_chmod(const char *spec)
{
	struct cramfs_tree *probe = NULL;
	bool ok = !cramfs_tree_new(&probe) && !cramfs_tree_chmod(probe, spec);

	cramfs_tree_free(probe);
	return ok;
}

static int build_opt(void *ctx, int c, const char *arg)
{
	struct build_cli *bc = ctx;
	struct cramfs_build_opts *o = &bc->o;
	unsigned long long v;

	if (c >= 256 && c < 256 + 9)
		return xip_opt(bc, c, arg);
	switch (c) {
	case 'o': bc->b.output = arg; return 0;
	case 'M':
		if (parse_mode(arg, &o->mode))
			return opt_bad("expected native or util-linux");
		return 0;
	case 'N':
		if (tool_parse_endian(arg, &o->endian))
			return opt_bad("expected big, little or host");
		return 0;
	case 'p': o->pad = true; return 0;
	case 'i': o->blob_path = arg; return 0;
	case 'n': o->label = arg; return 0;
	case 'z': o->holes = true; return 0;
	case 'E': o->strict = true; return 0;
	case 'R': bc->b.uid = bc->b.gid = 0; return 0;
	case 'U':
	case 'G':
		if (parse_owner(arg, c == 'U' ? &bc->b.uid : &bc->b.gid))
			return opt_bad("expected a number");
		return 0;
	case 'e':
		if (tool_parse_uint(arg, UINT32_MAX, &v))
			return opt_bad("expected 0 to 4294967295");
		o->edition = (uint32_t)v;
		return 0;
	case 'L':
		if (tool_parse_uint(arg, 12, &v) || !v)
			return opt_bad("expected a level from 1 to 12");
		o->level = (int)v;
		return 0;
	case 'K':
		if (parse_target_kernel(arg, o))
			return opt_bad("expected a kernel version MAJOR.MINOR, e.g. 4.15");
		return 0;
	case 'S':
		if (tool_parse_bytes(arg, &o->max_size))
			return opt_bad("expected a byte count (suffix K, M or G)");
		return 0;
	case 'X':
		if (bc->b.nexcludes == 64)
			return opt_bad("at most 64 patterns");
		bc->b.excludes[bc->b.nexcludes++] = arg;
		return 0;
	case 'C':
		bc->b.chmod = arg;
		if (!valid_chmod(arg))
			return opt_bad("expected clauses such as D755,F644 or go-w,u+X");
		return 0;
	case 'D':
		if (bc->b.ndevtables == 16)
			return opt_bad("at most 16 device tables");
		bc->b.devtables[bc->b.ndevtables++] = arg;
		return 0;
	case 'j':
		if (tool_parse_uint(arg, 256, &v) || !v)
			return opt_bad("expected 1 to 256 jobs");
		o->threads = (unsigned)v;
		return 0;
	default:
		return -1;
	}
}

static const char build_usage[] =
	"cramfs build [-b N] [-v] [--json] [-o IMAGE] [--mode native|util-linux] [-N big|little|host] [-p] [-i FILE] [-n LABEL] [-e N] [-z] [-E|--strict] [--level 1-12] [--target-kernel VERSION] [--all-root] [--force-uid N] [--force-gid N] [--exclude GLOB]... [--chmod SPEC] [-D|--devtable FILE]... [-j N] [--max-size BYTES] [--xip] [--xip-mode mmu|nommu|legacy|off] [--xip-all-elf] [--xip-no-elf] [--xip-files GLOB]... [--xip-page-size N] [--xip-align N] [--xip-budget BYTES] [--xip-report] SOURCE... [IMAGE]";

/*
 * The kernel maps block i of a file as page i, so the target's page size
 * is the block size: --xip-page-size sets it, and must agree with -b.
 */
static int xip_block_size(struct build_cli *bc)
{
	if (!bc->xip_page)
		return 0;
	if (bc->o.block_size && bc->o.block_size != bc->xip_page) {
		fprintf(stderr, "cramfs: build: --xip-page-size %u differs from the block size %u (XIP needs them equal)\n",
			bc->xip_page, bc->o.block_size);
		return -1;
	}
	bc->o.block_size = bc->xip_page;
	return 0;
}

/*
 * An owner asked for by option that cramfs cannot store (uid 16 bits, gid
 * 8 bits) is refused before anything is read: truncating it, as is done
 * for owners found in the sources, would silently give the image another
 * owner than the one requested.
 */
static int check_owner_range(const struct tool_build *b)
{
	if (b->uid > 0xFFFF) {
		fprintf(stderr, "cramfs: build: --force-uid %lld: cramfs stores 16-bit uids (0-65535)\n",
			b->uid);
		return -1;
	}
	if (b->gid > 0xFF) {
		fprintf(stderr, "cramfs: build: --force-gid %lld: cramfs stores 8-bit gids (0-255)\n",
			b->gid);
		return -1;
	}
	return 0;
}

int cmd_build(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'M' },
		{ "endian", required_argument, NULL, 'N' },
		{ "pad", no_argument, NULL, 'p' },
		{ "insert", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "edition", required_argument, NULL, 'e' },
		{ "holes", no_argument, NULL, 'z' },
		{ "strict", no_argument, NULL, 'E' },
		{ "all-root", no_argument, NULL, 'R' },
		{ "force-uid", required_argument, NULL, 'U' },
		{ "force-gid", required_argument, NULL, 'G' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "level", required_argument, NULL, 'L' },
		{ "devtable", required_argument, NULL, 'D' },
		{ "exclude", required_argument, NULL, 'X' },
		{ "chmod", required_argument, NULL, 'C' },
		{ "target-kernel", required_argument, NULL, 'K' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "xip", no_argument, NULL, 256 },
		{ "xip-mode", required_argument, NULL, 256 + 1 },
		{ "xip-all-elf", no_argument, NULL, 256 + 2 },
		{ "xip-no-elf", no_argument, NULL, 256 + 3 },
		{ "xip-files", required_argument, NULL, 256 + 4 },
		{ "xip-page-size", required_argument, NULL, 256 + 5 },
		{ "xip-align", required_argument, NULL, 256 + 6 },
		{ "xip-budget", required_argument, NULL, 256 + 7 },
		{ "xip-report", no_argument, NULL, 256 + 8 },
		{ 0 },
	};
	static const struct cmd_syntax syn = { build_usage, "o:N:pi:n:e:zEj:D:",
					       longs, build_opt, 1, -1 };
	struct build_cli bc = { .o = { .mode = CRAMFS_BUILD_NATIVE },
				.b = { .uid = -1, .gid = -1 } };
	struct common_opts co = { 0 };
	int i;

	bc.o.endian = cramfs_host_endian();
	i = parse_opts(argc, argv, &co, &syn, &bc);
	if (i < 0)
		return parse_exit(i);
	/* Without -o, the last operand is the image, as with mkfs.cramfs. */
	if (!bc.b.output && argc - i < 2) {
		fprintf(stderr, "cramfs: build: no image named (-o IMAGE, or IMAGE last)\nusage: %s\n",
			build_usage);
		return EXIT_USAGE;
	}
	if (!bc.b.output)
		bc.b.output = argv[--argc];
	bc.o.block_size = co.block_size;
	if (xip_block_size(&bc) < 0 || check_owner_range(&bc.b) < 0)
		return EXIT_USAGE;
	bc.b.verbose = co.verbose;
	bc.b.json = co.json;
	return tool_build_run(argv + i, argc - i, &bc.o, &bc.b);
}
