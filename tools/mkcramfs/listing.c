// SPDX-License-Identifier: MIT
/*
 * mkcramfs -v: the listing util-linux mkfs.cramfs -v prints, rebuilt from
 * the finished image.  Our builder compresses in parallel and prints
 * nothing per entry, but in util-linux mode the image has util-linux's
 * layout, so every number util-linux prints can be read back from it:
 *
 *   Including: FILE                        (-i)
 *     NAME                                 each entry, in the order the
 *   'DIR':                                 directory lists are written
 *     NAME
 *   Directory data: N bytes                (end of the last entry list)
 *    12.34% (-567 bytes)	NAME            each data item, in data order
 *   Everything: N kilobytes
 *   Super block: 76 bytes
 *   CRC: 1a2b3c4d
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"

/* Directories whose lists are still to be printed (util-linux's stack). */
struct dir_stack {
	struct cramfs_node *v;
	size_t n, cap;
};

static int push(struct dir_stack *s, const struct cramfs_node *node)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct cramfs_node *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *node;
	return 0;
}

/* util-linux reverses what one directory pushed ("ls -UR order"). */
static void reverse_from(struct dir_stack *s, size_t from)
{
	for (size_t lo = from, hi = s->n; lo + 1 < hi; lo++, hi--) {
		struct cramfs_node tmp = s->v[lo];

		s->v[lo] = s->v[hi - 1];
		s->v[hi - 1] = tmp;
	}
}

/* "  NAME" per entry of `dir`; pushes its non-empty subdirectories. */
static int list_one_dir(struct tool_image *t, const struct cramfs_node *dir,
			struct dir_stack *s)
{
	struct cramfs_dir *d;
	struct cramfs_node n;
	size_t from = s->n;
	int ret = cramfs_dir_open(t->img, dir, t->diag, &d);

	while (!ret && (ret = cramfs_dir_next(d, &n)) > 0) {
		printf("  %s\n", n.name);
		ret = 0;
		/* util-linux pushes only directories with children. */
		if (cramfs_is_type(n.inode.mode, CRAMFS_S_IFDIR) && n.inode.size)
			ret = push(s, &n);
	}
	cramfs_dir_close(d);
	reverse_from(s, from);
	return ret < 0 ? ret : 0;
}

/*
 * The directory part, breadth first as util-linux writes it; *end is set
 * to the end of the last entry list, which util-linux prints as
 * "Directory data" (the superblock, pad and -i file included).
 */
static int list_dirs(struct tool_image *t, uint64_t *end)
{
	struct dir_stack s = { 0 };
	struct cramfs_node dir;
	int ret;

	cramfs_image_root(t->img, &dir);
	*end = cramfs_node_data_offset(&dir) + dir.inode.size;
	ret = list_one_dir(t, &dir, &s);
	while (!ret && s.n) {
		dir = s.v[--s.n];
		printf("'%s':\n", dir.name);
		if (cramfs_node_data_offset(&dir) + dir.inode.size > *end)
			*end = cramfs_node_data_offset(&dir) + dir.inode.size;
		ret = list_one_dir(t, &dir, &s);
	}
	free(s.v);
	return ret;
}

/*
 * Bytes the data item of `node` takes: its pointer table and blocks,
 * padded to 4 (util-linux's new_size, whose blocks follow the table
 * without gaps).
 */
static int stored_bytes(struct tool_image *t, const struct cramfs_node *node,
			uint64_t *out)
{
	struct cramfs_file *f;
	struct cramfs_block b;
	int ret = cramfs_file_open(t->img, node, t->diag, &f);
	uint32_t nblocks;

	if (ret)
		return ret;
	nblocks = cramfs_file_block_count(f);
	*out = 4ull * nblocks;
	for (uint32_t i = 0; !ret && i < nblocks; i++) {
		ret = cramfs_file_block_info(f, i, &b);
		*out += b.len;
	}
	if (cramfs_file_layout(f) == CRAMFS_LAYOUT_LEGACY_XIP)
		*out = cramfs_file_size(f);
	*out = (*out + 3) & ~3ull;
	cramfs_file_close(f);
	return ret;
}

/* "%6.2f%% (%+ld bytes)\tNAME" for each data item, in data order. */
static int list_data(struct tool_image *t)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	uint64_t last = 0, stored;
	int ret = cramfs_walk_open(t->img, NULL, 0, t->diag, &w);

	while (!ret && (ret = cramfs_walk_next(w, &e)) == 1) {
		uint64_t at = cramfs_node_data_offset(&e.node);
		uint32_t size = e.node.inode.size;

		ret = 0;
		/*
		 * util-linux writes data items in walk order, so their offsets
		 * only grow; one at or below the last offset is a duplicate,
		 * which util-linux shares without a line.
		 */
		if (!cramfs_has_data(e.node.inode.mode) || !size || at <= last)
			continue;
		last = at;
		ret = stored_bytes(t, &e.node, &stored);
		if (!ret) {
			long change = (long)stored - (long)size;

			printf("%6.2f%% (%+ld bytes)\t%s\n",
			       change * 100 / (double)size, change, e.node.name);
		}
	}
	cramfs_walk_close(w);
	return ret < 0 ? ret : 0;
}

int mk_print_listing(const char *image, uint32_t block_size, const char *blob)
{
	struct cramfs_image_info info;
	struct tool_image t;
	uint64_t dir_end;
	int ret = tool_open(&t, image, block_size ? block_size : 4096);

	if (ret)
		return ret;
	if (blob)
		printf("Including: %s\n", blob);
	ret = list_dirs(&t, &dir_end);
	if (!ret) {
		printf("Directory data: %llu bytes\n", (unsigned long long)dir_end);
		ret = list_data(&t);
	}
	if (!ret) {
		cramfs_image_get_info(t.img, &info);
		printf("Everything: %llu kilobytes\n",
		       (unsigned long long)(info.source_size >> 10));
		printf("Super block: %u bytes\n", CRAMFS_SUPER_SIZE);
		printf("CRC: %x\n", info.super.crc);
	}
	if (ret)
		tool_error(image, "cannot list the image written: %s",
			   cramfs_strerror(ret));
	tool_close(&t);
	return ret ? EXIT_OPERATIONAL : EXIT_OK;
}
