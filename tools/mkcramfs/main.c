// SPDX-License-Identifier: MIT
/*
 * mkcramfs: util-linux mkfs.cramfs's options, exit codes, -v listing and
 * (in its default util-linux mode) byte-identical output; also the classic
 * cramfs-tools byte-order, owner, device-table and XIP flags build systems
 * pass (-B, -L, -q, -D, -x, -X).  See mkcramfs(8).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "precheck.h"
#include "tool.h"

const char *tool_prog = "mkcramfs";

static void usage(FILE *to)
{
	fprintf(to,
		"Usage:\n mkcramfs [options] <dirname> <outfile>\n\n"
		"Make a compressed ROM file system (byte-identical to util-linux\n"
		"mkfs.cramfs for its options).\n\nOptions:\n"
		" -v             be verbose (list entries and sizes, as util-linux)\n"
		" -E             make all warnings errors (nothing is written)\n"
		" -b blksize     use this blocksize, must equal page size\n"
		" -e edition     set edition number (part of fsid)\n"
		" -N endian      set cramfs endianness (big|little|host), default host\n"
		" -B, -L         big / little endian (cramfs-tools)\n"
		" -i file        insert a file image into the filesystem\n"
		" -n name        set name of cramfs filesystem\n"
		" -p             pad by 512 bytes for boot code\n"
		" -q             squash owners: every entry root:root (cramfs-tools)\n"
		" -D file        apply a device table (count = number of nodes)\n"
		" -s             sort directory entries (old option, ignored)\n"
		" -z             make explicit holes\n"
		" -x             store blocks compression does not shrink raw\n"
		"                (cramfs-tools; needs Linux >= 4.15)\n"
		" -X             execute in place (cramfs-tools; implies -x): the\n"
		"                pages ELF files map without write access stay\n"
		"                uncompressed; once: no-MMU (8-byte aligned), twice:\n"
		"                MMU (page-aligned, Linux >= 4.15 on MTD)\n"
		" -l[=mode]      use exclusive device lock (accepted, ignored)\n"
		" -j N           compression threads (default: one per CPU)\n"
		" -h, --help     display this help\n"
		" -V, --version  display version\n\n"
		"Exit status: 0 success, 8 operational error, 16 usage error\n"
		"(also: a missing source or -i file, an output that cannot be created\n"
		"or that is an input).\n");
}

static int bad(const char *what, const char *arg)
{
	tool_error(NULL, "invalid %s: %s", what, arg);
	return EXIT_USAGE;
}

static int parse_one(int c, const char *arg, struct cramfs_build_opts *o,
		     struct tool_build *b)
{
	unsigned long long v;

	switch (c) {
	case 'v': b->verbose = true; break;
	case 'E': o->strict = true; break;
	case 'b': return tool_parse_block_size(arg, &o->block_size) ? bad("blocksize", arg) : 0;
	case 'e':
		if (tool_parse_uint(arg, UINT32_MAX, &v))
			return bad("edition number", arg);
		o->edition = (uint32_t)v;
		break;
	case 'N': return tool_parse_endian(arg, &o->endian) ? bad("endianness", arg) : 0;
	case 'B': o->endian = CRAMFS_BIG_ENDIAN; break;
	case 'L': o->endian = CRAMFS_LITTLE_ENDIAN; break;
	case 'i': o->blob_path = arg; break;
	case 'n': o->label = arg; break;
	case 'p': o->pad = true; break;
	case 'q': b->uid = b->gid = 0; break;
	case 'D':
		if (b->ndevtables == 16)
			return bad("number of device tables (16 at most)", arg);
		b->devtables[b->ndevtables++] = arg;
		break;
	case 'z': o->holes = true; break;
	case 'x': o->raw_blocks = true; break;
	case 'X':
		/* cramfs-tools: -X no-MMU, -X -X MMU; every ELF file. */
		o->raw_blocks = true;
		o->xip.mode = o->xip.mode ? CRAMFS_XIP_MMU : CRAMFS_XIP_NOMMU;
		o->xip.all_elf = true;
		break;
	case 's': case 'l': break;
	case 'j':
		if (tool_parse_uint(arg, 256, &v) || !v)
			return bad("thread count", arg);
		o->threads = (unsigned)v;
		break;
	case 'V':
		printf("mkcramfs (cramfs-xip) %s\n", CRAMFS_VERSION_STRING);
		exit(EXIT_OK);
	case 'h':
		usage(stdout);
		exit(EXIT_OK);
	default:
		fprintf(stderr, "Try 'mkcramfs --help' for more information.\n");
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * util-linux's checks first (exit 16), then the build; -v's listing comes
 * from the image written, so b->verbose (our one-line summary) stays off.
 */
static int build(char *const *operands, struct cramfs_build_opts *o,
		 struct tool_build *b)
{
	bool listing = b->verbose;
	int ret = o->blob_path ? mk_check_insert(o->blob_path) : EXIT_OK;

	if (!ret)
		ret = mk_check_source(operands[0]);
	if (!ret)
		ret = mk_check_output(b->output);
	if (ret)
		return ret;
	b->verbose = false;
	ret = tool_build_run(operands, 1, o, b);
	if (!ret && listing)
		ret = mk_print_listing(b->output, o->block_size, o->blob_path);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_UTIL_LINUX };
	/*
	 * cramfs-tools since its 2026-04 fix (e49bcce) reads a table's count
	 * as makedevs does, as `cramfs build -D` does: one table, one tree.
	 */
	struct tool_build b = { .uid = -1, .gid = -1,
				.flavor = CRAMFS_DEVTABLE_MAKEDEVS };
	int c, ret;

	o.endian = cramfs_host_endian();
	while ((c = getopt_long(argc, argv, "vEb:e:N:BLi:n:pqszxXl::j:D:hV", longs,
				NULL)) != -1) {
		ret = parse_one(c, optarg, &o, &b);
		if (ret)
			return ret;
	}
	if (argc - optind != 2) {
		tool_error(NULL, "bad usage: a directory and an output file expected");
		fprintf(stderr, "Try 'mkcramfs --help' for more information.\n");
		return EXIT_USAGE;
	}
	b.output = argv[optind + 1];
	if (b.ndevtables)	/* cramfs-tools: a table turns -q off */
		b.uid = b.gid = -1;
	return build(argv + optind, &o, &b);
}
