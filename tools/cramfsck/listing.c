// SPDX-License-Identifier: MIT
/*
 * cramfsck -v: the lines util-linux fsck.cramfs -v prints, one per entry
 * in walk order ("d 0755        84     0:0   /"), and with -vv one per
 * block after each file and symlink.  util-linux walks the tree only when
 * extracting and names each entry by the path it extracts to; we always
 * walk it, and name entries as util-linux would extract them (below the
 * directory given, or below "" as with a bare --extract).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"

void fsck_print_endianness(const struct tool_image *t)
{
	struct cramfs_image_info info;

	cramfs_image_get_info(t->img, &info);
	printf("cramfs endianness is %s\n",
	       info.endian == CRAMFS_BIG_ENDIAN ? "big" : "little");
}

/* util-linux's type letter: 'f' for a regular file where ls says '-'. */
static char type_letter(uint32_t mode)
{
	char c = cramfs_type_char(mode);

	return c == '-' ? 'f' : c;
}

/* util-linux's print_node: "T MODE SIZE UID:GID PATH[ -> TARGET]". */
static void print_node(const struct cramfs_node *n, const char *prefix,
		       const char *path, const char *target)
{
	const struct cramfs_inode *i = &n->inode;
	char type = type_letter(i->mode);
	/* util-linux's 10 bytes: minors of 4 digits or more are cut as there */
	char info[10];
	unsigned major, minor;

	if (type == 'c' || type == 'b') {
		cramfs_rdev_split(i->size, &major, &minor);
		snprintf(info, sizeof(info), "%4u,%4u", major, minor);
	} else {
		snprintf(info, sizeof(info), "%9u", (unsigned)i->size);
	}
	printf("%c %04o %s %5u:%-3u ", type, (unsigned)(i->mode & 07777), info,
	       (unsigned)i->uid, (unsigned)i->gid);
	if (*path)
		printf("%s/%s", prefix, path);
	else
		fputs(*prefix ? prefix : "/", stdout);	/* the root */
	if (target)
		printf(" -> %s", target);
	putchar('\n');
}

/* -vv: one line per block, util-linux's words (cramfs-tools' for raw). */
static void print_block(const struct cramfs_block *b, uint32_t block_size)
{
	unsigned long long start = b->start, end = b->start + b->len;

	if (b->kind == CRAMFS_BLOCK_HOLE)
		printf("  hole at %llu (%u)\n", start, block_size);
	else if (b->kind == CRAMFS_BLOCK_RAW)
		printf("  non-compressed %sblock at %llu to %llu (%u)\n",
		       b->direct ? "direct " : "", start, end, b->len);
	else
		printf("  uncompressing %sblock at %llu to %llu (%u)\n",
		       b->direct ? "direct " : "", start, end, b->len);
}

static int print_blocks(struct tool_image *t, const struct cramfs_node *n,
			struct cramfs_diag *diag)
{
	struct cramfs_image_info info;
	struct cramfs_file *f;
	struct cramfs_block b;
	int ret = cramfs_file_open(t->img, n, diag, &f);

	if (ret)
		return ret;
	cramfs_image_get_info(t->img, &info);
	for (uint32_t i = 0; !ret && i < cramfs_file_block_count(f); i++) {
		ret = cramfs_file_block_info(f, i, &b);
		if (!ret)
			print_block(&b, info.block_size);
	}
	cramfs_file_close(f);
	return ret;
}

static int print_symlink(struct tool_image *t, const struct cramfs_node *n,
			 const char *prefix, const char *path,
			 struct cramfs_diag *diag)
{
	size_t cap = (size_t)n->inode.size + 1;
	char *target = malloc(cap);
	long len;

	if (!target)
		return -ENOMEM;
	len = cramfs_readlink(t->img, n, diag, target, cap);
	if (len >= 0)
		print_node(n, prefix, path, target);
	free(target);
	return len < 0 ? (int)len : 0;
}

static int print_entry(struct tool_image *t, const struct cramfs_walk_entry *e,
		       const char *prefix, unsigned verbose,
		       struct cramfs_diag *diag)
{
	const struct cramfs_node *n = &e->node;
	int ret = 0;

	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK))
		ret = print_symlink(t, n, prefix, e->path, diag);
	else
		print_node(n, prefix, e->path, NULL);
	if (!ret && verbose > 1 && cramfs_has_data(n->inode.mode) &&
	    n->inode.size)
		ret = print_blocks(t, n, diag);
	return ret;
}

int fsck_print_listing(struct tool_image *t, const char *extract_dir,
		       unsigned verbose)
{
	const char *prefix = extract_dir ? extract_dir : "";
	struct cramfs_walk_entry e;
	struct cramfs_diag *diag;
	struct cramfs_walk *w = NULL;
	int ret;

	/*
	 * The check has reported every problem already: what the walk
	 * meets again goes to a diag of its own, which is dropped.
	 */
	if (cramfs_diag_new(16, &diag))
		return -ENOMEM;
	ret = cramfs_walk_open(t->img, NULL, 0, diag, &w);
	while (!ret && (ret = cramfs_walk_next(w, &e)) == 1)
		ret = print_entry(t, &e, prefix, verbose, diag);
	cramfs_walk_close(w);
	cramfs_diag_free(diag);
	return ret < 0 ? ret : 0;
}
