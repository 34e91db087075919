// SPDX-License-Identifier: MIT
/* cramfs check: every problem in the image, fsck exit codes, XIP coverage. */
#include <getopt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

struct check_opts {
	unsigned flags;
	bool xip;			/* --xip: a line per XIP file */
	enum cramfs_xip_target target;	/* --xip-mode */
};

static int check_opt(void *ctx, int c, const char *arg)
{
	struct check_opts *o = ctx;

	switch (c) {
	case 'D':
		o->flags |= CRAMFS_CHECK_NO_DATA;
		return 0;
	case 'X':
		o->xip = true;
		return 0;
	case 'M':
		if (!strcmp(arg, "auto"))
			o->target = CRAMFS_XIP_TARGET_AUTO;
		else if (!strcmp(arg, "mmu"))
			o->target = CRAMFS_XIP_TARGET_MMU;
		else if (!strcmp(arg, "nommu"))
			o->target = CRAMFS_XIP_TARGET_NOMMU;
		else
			return opt_bad("expected auto, mmu or nommu");
		return 0;
	}
	return -1;
}

/* ---- XIP coverage ------------------------------------------------------ */

struct xip_report {
	bool ran, json;
	struct cramfs_xip_totals tot;
	FILE *mem;		/* per-file lines (text) or objects (JSON) */
	char *buf;
	size_t len;
	unsigned nfiles;
};

/* The kernel's outcome in words: with no MMU a mapping is direct or a copy. */
static const char *kind_word(bool nommu, enum cramfs_xip_kind kind)
{
	if (!nommu)
		return cramfs_xip_kind_name(kind);
	return kind == CRAMFS_XIP_PFNMAP ? "direct" :
	       kind == CRAMFS_XIP_REFUSED ? "refused" : "copy";
}

static void flags_rwx(uint32_t f, char out[4])
{
	out[0] = f & CRAMFS_ELF_PF_R ? 'r' : '-';
	out[1] = f & CRAMFS_ELF_PF_W ? 'w' : '-';
	out[2] = f & CRAMFS_ELF_PF_X ? 'x' : '-';
	out[3] = '\0';
}

/* "120/300 (mixedmap: last page is shared)" */
static void text_map(const struct xip_report *r, bool nommu,
		     const struct cramfs_xip_map *m)
{
	char why[256];

	cramfs_xip_describe(m, why, sizeof(why));
	fprintf(r->mem, "%u/%llu (%s%s%s)", m->direct_pages,
		(unsigned long long)m->vma_pages, kind_word(nommu, m->kind),
		*why ? ": " : "", why);
}

static void text_file(struct xip_report *r, const char *path,
		      const struct cramfs_xip_summary *s)
{
	char rwx[4];

	fprintf(r->mem, "xip: %s: %u/%u pages in place; whole file ", path,
		s->in_place_pages, s->pages);
	text_map(r, s->nommu, &s->whole);
	for (uint32_t k = 0; k < s->nsegs; k++) {
		flags_rwx(s->seg[k].flags, rwx);
		fprintf(r->mem, "%s seg %u %s ", k ? "," : ";", k, rwx);
		if (s->seg[k].map.vma_pages)
			text_map(r, s->nommu, &s->seg[k].map);
		else
			fprintf(r->mem, "0/0 (no file pages)");
	}
	if (s->stranded)
		fprintf(r->mem, "; %u of %u direct+uncompressed blocks not in place",
			s->stranded, s->du_blocks);
	if (s->read_bug)
		fprintf(r->mem, "; read() returns zeros for the last page");
	fputc('\n', r->mem);
}

static void json_map(const struct xip_report *r, bool nommu,
		     const struct cramfs_xip_map *m)
{
	char why[256];

	cramfs_xip_describe(m, why, sizeof(why));
	fprintf(r->mem, "\"pgoff\": %llu, \"pages\": %llu, \"in_place\": %u, \"kind\": \"%s\", \"image_offset\": ",
		(unsigned long long)m->pgoff, (unsigned long long)m->vma_pages,
		m->direct_pages, kind_word(nommu, m->kind));
	if (m->direct_pages)
		fprintf(r->mem, "%llu", (unsigned long long)m->image_offset);
	else
		fprintf(r->mem, "null");
	fprintf(r->mem, ", \"reason\": ");
	if (*why)
		json_string(r->mem, why);
	else
		fprintf(r->mem, "null");
}

static void json_segments(const struct xip_report *r,
			  const struct cramfs_xip_summary *s)
{
	char rwx[4];

	fprintf(r->mem, ", \"segments\": [");
	for (uint32_t k = 0; k < s->nsegs; k++) {
		flags_rwx(s->seg[k].flags, rwx);
		fprintf(r->mem, "%s\n        {\"flags\": \"%s\", ", k ? "," : "",
			rwx);
		json_map(r, s->nommu, &s->seg[k].map);
		fprintf(r->mem, "}");
	}
	fprintf(r->mem, "%s]", s->nsegs ? "\n       " : "");
}

static void json_file(struct xip_report *r, const char *path,
		      const struct cramfs_xip_summary *s)
{
	fprintf(r->mem, "%s\n      {\"path\": ", r->nfiles ? "," : "");
	json_string(r->mem, path);
	fprintf(r->mem, ", \"size\": %u, \"pages\": %u, \"direct_uncompressed_blocks\": %u, \"in_place_pages\": %u,\n       \"whole_file\": {",
		s->size, s->pages, s->du_blocks, s->in_place_pages);
	json_map(r, s->nommu, &s->whole);
	fprintf(r->mem, "},\n       \"elf\": %s", s->elf ? "true" : "false");
	json_segments(r, s);
	fprintf(r->mem, ",\n       \"not_in_place_blocks\": %u, \"first_not_in_place\": ",
		s->stranded);
	if (s->stranded)
		fprintf(r->mem, "%u", s->stranded_first);
	else
		fprintf(r->mem, "null");
	fprintf(r->mem, ", \"read_bug\": %s}", s->read_bug ? "true" : "false");
}

static void on_xip_file(void *ctx, const char *path,
			const struct cramfs_xip_summary *s)
{
	struct xip_report *r = ctx;

	if (!r->mem)
		return;
	if (r->json)
		json_file(r, path, s);
	else
		text_file(r, path, s);
	r->nfiles++;
}

/*
 * Only images that can hold XIP data are scanned unless --xip asks, so the
 * output for every other image stays as it always was.
 */
static int run_xip(struct tool_image *t, const struct check_opts *o,
		   const struct cramfs_tree_stats *st, bool json,
		   struct xip_report *r)
{
	struct cramfs_image_info in;
	int ret;

	cramfs_image_get_info(t->img, &in);
	memset(r, 0, sizeof(*r));
	r->json = json;
	if (!o->xip && !st->direct_blocks &&
	    !(in.super.flags & CRAMFS_FLAG_EXT_BLOCK_POINTERS))
		return 0;
	if (o->xip && !(r->mem = open_memstream(&r->buf, &r->len)))
		return -ENOMEM;
	ret = cramfs_xip_scan(t->img, 0, o->target, t->diag, on_xip_file, r,
			      &r->tot);
	if (r->mem)
		fclose(r->mem);
	r->mem = NULL;
	r->ran = !ret && (o->xip || r->tot.files);
	return ret;
}

static void print_xip_text(const struct tool_image *t,
			   const struct xip_report *r)
{
	const struct cramfs_xip_totals *x = &r->tot;
	const char *p = r->buf;

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		printf("%s: %.*s\n", t->name, (int)(nl - p), p);
		p = nl + 1;
	}
	printf("%s: xip (%s, page %u): %llu files, %llu of %llu pages in place, %llu bytes of flash mapped directly; %llu direct+uncompressed blocks not in place\n",
	       t->name, x->nommu ? "no-MMU" : "MMU", x->page_size,
	       (unsigned long long)x->files,
	       (unsigned long long)x->in_place_pages,
	       (unsigned long long)x->pages,
	       (unsigned long long)x->in_place_bytes,
	       (unsigned long long)x->stranded_blocks);
}

#define JU(key, v) printf(",\n    \"%s\": %llu", key, (unsigned long long)(v))

static void print_xip_json(const struct xip_report *r, bool per_file)
{
	const struct cramfs_xip_totals *x = &r->tot;

	printf("  \"xip\": {\n    \"rules\": \"%s\"", x->nommu ? "nommu" : "mmu");
	JU("page_size", x->page_size);
	JU("files", x->files);
	JU("pages", x->pages);
	JU("direct_uncompressed_blocks", x->du_blocks);
	JU("in_place_pages", x->in_place_pages);
	JU("in_place_bytes", x->in_place_bytes);
	JU("not_in_place_blocks", x->stranded_blocks);
	JU("files_not_in_place", x->stranded_files);
	JU("read_bug_files", x->read_bug_files);
	if (per_file)
		printf(",\n    \"per_file\": [%s%s]", r->buf ? r->buf : "",
		       r->nfiles ? "\n    " : "");
	printf("\n  },\n");
}

/* ---- Report ------------------------------------------------------------ */

/*
 * A path as the text spells it (tool_print_diag): from the image root, with
 * a leading '/', so that "/" is the root and JSON names what the text names.
 */
static void json_image_path(const char *path)
{
	size_t len = strlen(path);
	char *buf;

	if (path[0] == '/') {
		json_string(stdout, path);
		return;
	}
	buf = malloc(len + 2);
	if (!buf) {
		json_string(stdout, path);
		return;
	}
	buf[0] = '/';
	memcpy(buf + 1, path, len + 1);
	json_string(stdout, buf);
	free(buf);
}

static void print_problems(const struct tool_image *t)
{
	size_t n = cramfs_diag_count(t->diag);

	/* The text's "N more messages not shown": entries the diag dropped. */
	printf("  \"problems_dropped\": %zu,\n", cramfs_diag_dropped(t->diag));
	printf("  \"problems\": [");
	for (size_t i = 0; i < n; i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(t->diag, i);

		printf("%s\n    {\"severity\": \"%s\", \"path\": ", i ? "," : "",
		       e->severity == CRAMFS_DIAG_ERROR ? "error" :
		       e->severity == CRAMFS_DIAG_WARNING ? "warning" : "info");
		if (e->path)
			json_image_path(e->path);
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

static void print_json_block_size(const struct tool_image *t)
{
	struct cramfs_image_info in;

	cramfs_image_get_info(t->img, &in);
	printf("  \"block_size\": %u,\n  \"block_size_source\": \"%s\",\n  \"block_size_fits\": ",
	       in.block_size, tool_bs_source_name(in.bs.source));
	tool_json_bs_fits(stdout, &in.bs);
	printf(",\n");
}

static void print_json(const struct tool_image *t, int ret,
		       const struct cramfs_tree_stats *st,
		       const struct xip_report *xr, bool per_file)
{
	printf("{\n  \"image\": ");
	json_string(stdout, t->name);
	printf(",\n  \"clean\": %s,\n  \"errors\": %zu,\n  \"warnings\": %zu,\n",
	       ret ? "false" : "true",
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_ERROR),
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_WARNING));
	printf("  \"entries\": %llu,\n", (unsigned long long)st->entries);
	print_json_block_size(t);
	if (xr->ran)
		print_xip_json(xr, per_file);
	print_problems(t);
}

/* Detection could not settle the block size: the user may. */
static const char *block_size_hint(const struct tool_image *t)
{
	struct cramfs_image_info in;

	cramfs_image_get_info(t->img, &in);
	if (in.bs.source == CRAMFS_BS_AMBIGUOUS)
		return "; block size ambiguous: pass --block-size to choose";
	if (in.bs.source == CRAMFS_BS_BEST_FIT)
		return "; no block size fits every file: pass --block-size if you know it";
	return "";
}

/* 2: nothing is wrong under any size that fits, but which one is unknown. */
static int check_exit(const struct tool_image *t, int ret)
{
	struct cramfs_image_info in;

	cramfs_image_get_info(t->img, &in);
	if (!ret && in.bs.source == CRAMFS_BS_AMBIGUOUS)
		return EXIT_AMBIGUOUS;
	return ret == -ENOENT ? EXIT_CORRUPT : tool_exit_code(ret);
}

static void print_text(const struct tool_image *t, int ret,
		       const struct cramfs_tree_stats *st,
		       const struct xip_report *xr, bool verbose)
{
	tool_print_diag(stdout, t, true, verbose, false);
	if (xr->ran)
		print_xip_text(t, xr);
	printf("%s: %s: %zu errors, %zu warnings, %llu entries checked%s\n",
	       t->name, ret ? "CORRUPT" : "clean",
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_ERROR),
	       cramfs_diag_tally(t->diag, CRAMFS_DIAG_WARNING),
	       (unsigned long long)st->entries, block_size_hint(t));
}

static const char check_usage[] = "cramfs check [-b N] [-v] [--json] [--no-data] [--xip] [--xip-mode auto|mmu|nommu] IMAGE";

int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "no-data", no_argument, NULL, 'D' },
		{ "xip", no_argument, NULL, 'X' },
		{ "xip-mode", required_argument, NULL, 'M' }, { 0 },
	};
	struct check_opts o = { 0 };
	struct common_opts co = { 0 };
	struct cramfs_tree_stats st;
	struct xip_report xr = { 0 };
	struct tool_image t;
	static const struct cmd_syntax syn = { check_usage, NULL, longs,
					       check_opt, 1, 1 };
	int i = parse_opts(argc, argv, &co, &syn, &o);
	int ret, xret = 0;

	if (i < 0)
		return parse_exit(i);
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	ret = cramfs_check(t.img, o.flags, t.diag, &st);
	if (ret == 0 || ret == -EUCLEAN)
		xret = run_xip(&t, &o, &st, co.json, &xr);
	if (xret)
		tool_error(t.name, "xip: %s", cramfs_strerror(xret));
	if (co.json)
		print_json(&t, ret, &st, &xr, o.xip);
	else
		print_text(&t, ret, &st, &xr, co.verbose);
	free(xr.buf);
	if (!ret && xret)
		ret = xret;
	ret = check_exit(&t, ret);
	tool_close(&t);
	return ret;
}
