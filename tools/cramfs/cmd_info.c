// SPDX-License-Identifier: MIT
/* cramfs info: the superblock and what the image holds, in words. */
#include <errno.h>
#include <string.h>

#include "commands.h"

static const struct {
	unsigned bit;
	const char *word;
} flag_words[] = {
	{ CRAMFS_FLAG_FSID_VERSION_2, "fsid-v2" },
	{ CRAMFS_FLAG_SORTED_DIRS, "sorted-dirs" },
	{ CRAMFS_FLAG_HOLES, "holes" },
	{ CRAMFS_FLAG_WRONG_SIGNATURE, "wrong-signature" },
	{ CRAMFS_FLAG_SHIFTED_ROOT_OFFSET, "shifted-root" },
	{ CRAMFS_FLAG_EXT_BLOCK_POINTERS, "ext-block-pointers" },
};

static void flags_words(unsigned flags, char *buf, size_t cap)
{
	unsigned known = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++) {
		known |= flag_words[i].bit;
		if (flags & flag_words[i].bit)
			snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s",
				 *buf ? ", " : "", flag_words[i].word);
	}
	if (flags & ~known)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%sunknown 0x%x",
			 *buf ? ", " : "", flags & ~known);
}

struct info_facts {
	struct cramfs_image_info in;
	char label[17], flags[160], crc[64], bsize[160];
	bool crc_ok;
	struct cramfs_tree_stats st;
	int tree_ret;
	bool xip_ran;			/* the image can hold XIP data */
	struct cramfs_xip_totals xip;
};

/*
 * What Linux maps in place, for images that can hold XIP data (others
 * keep their output as it always was).  Reads the ELF headers of XIP files.
 */
static int gather_xip(struct tool_image *t, struct info_facts *f)
{
	int ret;

	if (!f->st.direct_blocks &&
	    !(f->in.super.flags & CRAMFS_FLAG_EXT_BLOCK_POINTERS))
		return 0;
	ret = cramfs_xip_scan(t->img, 0, CRAMFS_XIP_TARGET_AUTO, t->diag, NULL,
			      NULL, &f->xip);
	f->xip_ran = !ret && f->xip.files;
	return ret;
}

static void gather(struct tool_image *t, struct info_facts *f)
{
	uint32_t crc;

	cramfs_image_get_info(t->img, &f->in);
	memcpy(f->label, f->in.super.name, 16);
	f->label[16] = '\0';
	flags_words(f->in.super.flags, f->flags, sizeof(f->flags));
	cramfs_bs_describe(&f->in, f->bsize, sizeof(f->bsize));
	if (f->in.bs.source == CRAMFS_BS_AMBIGUOUS)
		snprintf(f->bsize + strlen(f->bsize),
			 sizeof(f->bsize) - strlen(f->bsize),
			 " (pass --block-size)");
	/* Pointer tables and CRC, no decompression: cheap even on big images. */
	f->tree_ret = cramfs_check(t->img, CRAMFS_CHECK_NO_DATA, t->diag, &f->st);
	crc = f->st.crc;
	if (!f->in.version2)
		snprintf(f->crc, sizeof(f->crc), "none (version 1 image)");
	else if (!f->st.crc_computed)
		snprintf(f->crc, sizeof(f->crc), "0x%08X (cannot verify: image truncated)",
			 f->in.super.crc);
	else if ((f->crc_ok = crc == f->in.super.crc))
		snprintf(f->crc, sizeof(f->crc), "0x%08X (ok)", crc);
	else
		snprintf(f->crc, sizeof(f->crc), "0x%08X (MISMATCH: data gives 0x%08X)",
			 f->in.super.crc, crc);
}

static void print_text_xip(const struct cramfs_xip_totals *x)
{
	printf("xip coverage:   %llu files, %llu of %llu pages in place, %llu bytes of flash mapped directly (%s, page %u); %llu direct+uncompressed blocks not in place\n",
	       (unsigned long long)x->files,
	       (unsigned long long)x->in_place_pages,
	       (unsigned long long)x->pages,
	       (unsigned long long)x->in_place_bytes,
	       x->nommu ? "no-MMU" : "MMU", x->page_size,
	       (unsigned long long)x->stranded_blocks);
}

/* -v: what each candidate block size made of the image. */
static void print_text_candidates(const struct cramfs_bs_evidence *ev)
{
	printf("block sizes:    %llu files examined, %llu telling, %llu fit no size, %llu blocks inflated%s\n",
	       (unsigned long long)ev->files, (unsigned long long)ev->telling,
	       (unsigned long long)ev->unfit, (unsigned long long)ev->inflated,
	       ev->truncated ? ", stopped at the read budget" : "");
	for (unsigned k = 0; k < CRAMFS_BS_CANDIDATES; k++) {
		const struct cramfs_bs_candidate *c = &ev->cand[k];

		printf("  %6u: %llu fit, %llu do not, %llu gaps, block count %s, size %s\n",
		       c->size, (unsigned long long)c->fit,
		       (unsigned long long)c->misfit,
		       (unsigned long long)c->gaps,
		       c->blocks_match ? "matches" : "differs",
		       c->size_aligned ? "aligned" : "not aligned");
	}
}

static void print_text(const struct tool_image *t, const struct info_facts *f,
		       bool verbose)
{
	const struct cramfs_super *sb = &f->in.super;
	const struct cramfs_tree_stats *st = &f->st;

	printf("image:          %s\n", t->name);
	printf("byte order:     %s-endian\n",
	       f->in.endian == CRAMFS_BIG_ENDIAN ? "big" : "little");
	printf("superblock:     offset %u%s\n", f->in.start,
	       f->in.start ? " (after a 512-byte boot pad)" : "");
	printf("flags:          0x%03x (%s)\n", sb->flags, f->flags);
	printf("size:           %u bytes (file: %llu bytes)\n", sb->size,
	       (unsigned long long)f->in.source_size);
	printf("block size:     %s\n", f->bsize);
	if (verbose && f->in.block_size_detected)
		print_text_candidates(&f->in.bs);
	printf("files:          %u in superblock; %llu entries + root in tree\n",
	       sb->files, (unsigned long long)st->entries);
	printf("blocks:         %u in superblock; %llu in tree\n", sb->blocks,
	       (unsigned long long)st->blocks);
	printf("edition:        %u\n", sb->edition);
	printf("label:          %s\n", f->label);
	printf("crc:            %s\n", f->crc);
	printf("signature:      %s\n",
	       memcmp(sb->signature, CRAMFS_SIGNATURE, 16) ? "unexpected" : "Compressed ROMFS");
	printf("root:           offset %u, %u bytes, mode %04o\n",
	       sb->root.offset * 4, sb->root.size, sb->root.mode & 07777);
	printf("contents:       %llu files (%llu bytes), %llu dirs, %llu symlinks, %llu devices, %llu fifos, %llu sockets\n",
	       (unsigned long long)st->files, (unsigned long long)st->file_bytes,
	       (unsigned long long)st->dirs, (unsigned long long)st->symlinks,
	       (unsigned long long)(st->chrdevs + st->blkdevs),
	       (unsigned long long)st->fifos, (unsigned long long)st->sockets);
	printf("data blocks:    %llu compressed, %llu uncompressed, %llu holes, %llu direct; %llu shared entries\n",
	       (unsigned long long)st->zlib_blocks, (unsigned long long)st->raw_blocks,
	       (unsigned long long)st->hole_blocks, (unsigned long long)st->direct_blocks,
	       (unsigned long long)st->shared_items);
	printf("xip:            %llu blocks mappable in place (direct, uncompressed, aligned); %llu legacy sticky-bit XIP files\n",
	       (unsigned long long)st->xip_blocks,
	       (unsigned long long)st->legacy_xip_files);
	if (f->xip_ran)
		print_text_xip(&f->xip);
}

#define JU(key, v) printf(",\n  \"%s\": %llu", key, (unsigned long long)(v))

static void print_json_xip(const struct cramfs_xip_totals *x)
{
	printf(",\n  \"xip\": {\"rules\": \"%s\", \"page_size\": %u, \"files\": %llu, \"pages\": %llu, \"direct_uncompressed_blocks\": %llu, \"in_place_pages\": %llu, \"in_place_bytes\": %llu, \"not_in_place_blocks\": %llu, \"read_bug_files\": %llu}",
	       x->nommu ? "nommu" : "mmu", x->page_size,
	       (unsigned long long)x->files, (unsigned long long)x->pages,
	       (unsigned long long)x->du_blocks,
	       (unsigned long long)x->in_place_pages,
	       (unsigned long long)x->in_place_bytes,
	       (unsigned long long)x->stranded_blocks,
	       (unsigned long long)x->read_bug_files);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* -v's lines in JSON: what each candidate size made of the image. */
static void print_json_candidates(const struct cramfs_image_info *in)
{
	const struct cramfs_bs_evidence *ev = &in->bs;

	JU("block_size_examined_files", ev->files);
	JU("block_size_inflated_blocks", ev->inflated);
	printf(",\n  \"block_size_read_budget_exhausted\": %s",
	       json_bool(ev->truncated));
	printf(",\n  \"block_size_candidates\": [");
	/* A given size was not detected: there is no evidence to show. */
	for (unsigned k = 0; in->block_size_detected && k < CRAMFS_BS_CANDIDATES; k++) {
		const struct cramfs_bs_candidate *c = &ev->cand[k];

		printf("%s\n    {\"size\": %u, \"fit\": %llu, \"misfit\": %llu, \"gaps\": %llu, \"blocks_match\": %s, \"size_aligned\": %s}",
		       k ? "," : "", c->size, (unsigned long long)c->fit,
		       (unsigned long long)c->misfit,
		       (unsigned long long)c->gaps, json_bool(c->blocks_match),
		       json_bool(c->size_aligned));
	}
	printf("%s]", in->block_size_detected ? "\n  " : "");
}

/* How the block size was settled: source, the sizes that fit, the counts. */
static void print_json_bs(const struct cramfs_image_info *in)
{
	const struct cramfs_bs_evidence *ev = &in->bs;

	JU("block_size", in->block_size);
	printf(",\n  \"block_size_detected\": %s",
	       json_bool(in->block_size_detected));
	printf(",\n  \"block_size_source\": \"%s\"",
	       tool_bs_source_name(ev->source));
	printf(",\n  \"block_size_fits\": ");
	tool_json_bs_fits(stdout, ev);
	JU("block_size_evidence_files", ev->telling);
	JU("block_size_unfit_files", ev->unfit);
	print_json_candidates(in);
}

/*
 * The text's crc line as facts: "ok", "mismatch", "unverified" (image
 * truncated) or "none" (version 1), and the CRC of the data when computed.
 */
static void print_json_crc(const struct info_facts *f)
{
	const char *status = !f->in.version2 ? "none" :
			     !f->st.crc_computed ? "unverified" :
			     f->crc_ok ? "ok" : "mismatch";

	JU("crc", f->in.super.crc);
	printf(",\n  \"crc_ok\": %s", json_bool(f->crc_ok));
	printf(",\n  \"crc_status\": \"%s\"", status);
	if (f->in.version2 && f->st.crc_computed)
		JU("crc_computed", f->st.crc);
	else
		printf(",\n  \"crc_computed\": null");
}

/* Signature (the 16 bytes as stored) and the root inode. */
static void print_json_root(const struct cramfs_super *sb)
{
	char sig[17];

	memcpy(sig, sb->signature, 16);
	sig[16] = '\0';
	printf(",\n  \"signature\": ");
	json_string(stdout, sig);
	printf(",\n  \"signature_ok\": %s",
	       json_bool(!memcmp(sb->signature, CRAMFS_SIGNATURE, 16)));
	JU("root_offset", sb->root.offset * 4);
	JU("root_size", sb->root.size);
	/* An octal string, as `cramfs ls --json` writes modes. */
	printf(",\n  \"root_mode\": \"%04o\"", sb->root.mode & 07777);
}

/* The contents, data blocks and xip lines of the text. */
static void print_json_tree(const struct cramfs_tree_stats *st)
{
	JU("tree_entries", st->entries);
	JU("tree_blocks", st->blocks);
	JU("regular_files", st->files);
	JU("file_bytes", st->file_bytes);
	JU("directories", st->dirs);
	JU("symlinks", st->symlinks);
	JU("devices", st->chrdevs + st->blkdevs);
	JU("fifos", st->fifos);
	JU("sockets", st->sockets);
	JU("compressed_blocks", st->zlib_blocks);
	JU("uncompressed_blocks", st->raw_blocks);
	JU("hole_blocks", st->hole_blocks);
	JU("direct_blocks", st->direct_blocks);
	JU("shared_entries", st->shared_items);
	JU("xip_blocks", st->xip_blocks);
	JU("legacy_xip_files", st->legacy_xip_files);
}

/* Every fact of the text (with -v), under the keys docs/cli-spec.md lists. */
static void print_json(const struct tool_image *t, const struct info_facts *f)
{
	const struct cramfs_super *sb = &f->in.super;

	printf("{\n  \"image\": ");
	json_string(stdout, t->name);
	printf(",\n  \"endian\": \"%s\"",
	       f->in.endian == CRAMFS_BIG_ENDIAN ? "big" : "little");
	JU("superblock_offset", f->in.start);
	JU("flags", sb->flags);
	printf(",\n  \"flag_names\": ");
	json_string(stdout, f->flags);
	JU("size", sb->size);
	JU("file_size", f->in.source_size);
	print_json_bs(&f->in);
	JU("files", sb->files);
	JU("blocks", sb->blocks);
	JU("edition", sb->edition);
	printf(",\n  \"label\": ");
	json_string(stdout, f->label);
	print_json_crc(f);
	print_json_root(sb);
	print_json_tree(&f->st);
	if (f->xip_ran)
		print_json_xip(&f->xip);
	printf("\n}\n");
}

static const char info_usage[] = "cramfs info [-b N] [--json] IMAGE";

int cmd_info(int argc, char **argv)
{
	struct common_opts co = { 0 };
	struct tool_image t;
	struct info_facts f;
	static const struct cmd_syntax syn = { info_usage, NULL, NULL, NULL, 1, 1 };
	int i = parse_opts(argc, argv, &co, &syn, NULL);
	int ret, xret = 0;

	if (i < 0)
		return parse_exit(i);
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	memset(&f, 0, sizeof(f));
	gather(&t, &f);
	if (f.tree_ret == 0 || f.tree_ret == -EUCLEAN)
		xret = gather_xip(&t, &f);
	if (xret)
		tool_error(t.name, "xip: %s", cramfs_strerror(xret));
	if (co.json)
		print_json(&t, &f);
	else
		print_text(&t, &f, co.verbose);
	/* Facts first; then what is wrong, as `cramfs check` would say it. */
	tool_print_diag(stderr, &t, co.verbose, co.verbose, true);
	tool_close(&t);
	return tool_exit_code(f.tree_ret ? f.tree_ret : xret);
}
