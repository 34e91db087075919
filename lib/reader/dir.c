// SPDX-License-Identifier: MIT
/*
 * Directory entry lists: contiguous runs of (12-byte inode, padded name)
 * records.  The iterator reads the list through a small window so that a
 * directory of any size costs a fixed amount of memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DIR_WINDOW 4096u
#define DIR_RECORD_MAX (CRAMFS_INODE_SIZE + CRAMFS_MAXNAME)

struct cramfs_dir {
	struct cramfs_image *img;
	struct cramfs_diag *diag;
	const char *path;		/* for messages; borrowed */
	uint64_t pos, end;		/* image offsets of the list */
	uint64_t win_off;		/* image offset of win[0] */
	uint32_t win_len;
	bool sorted, failed;
	uint32_t prev_len;
	char prev[CRAMFS_MAXNAME + 1];
	char own_name[CRAMFS_MAXNAME + 2];
	uint8_t win[DIR_WINDOW + DIR_RECORD_MAX];
};

int cramfs_dir_open(struct cramfs_image *img, const struct cramfs_node *node,
		    struct cramfs_diag *diag, struct cramfs_dir **out)
{
	uint64_t off = cramfs_node_data_offset(node);
	uint32_t size = node->inode.size;
	struct cramfs_dir *dir;

	if (!cramfs_is_type(node->inode.mode, CRAMFS_S_IFDIR))
		return -ENOTDIR;
	if (size && (size % 4 || off < img->start + CRAMFS_SUPER_SIZE ||
		     !range_ok(off, size, img->image_size)))
		return diag_corrupt(diag, node->entry_offset, node->name,
				    "directory list [0x%llx, +%u) outside the image or misaligned",
				    (unsigned long long)off, size);
	dir = calloc(1, sizeof(*dir));
	if (!dir)
		return -ENOMEM;
	dir->img = img;
	dir->diag = diag;
	memcpy(dir->own_name, node->name_len ? node->name : "/",
	       node->name_len ? node->name_len + 1 : 2);
	dir->path = dir->own_name;
	dir->pos = off;
	dir->end = size ? off + size : off;
	dir->sorted = img->super.flags & CRAMFS_FLAG_SORTED_DIRS;
	*out = dir;
	return 0;
}

void dir_set_path(struct cramfs_dir *dir, const char *path)
{
	dir->path = path;
}

void cramfs_dir_close(struct cramfs_dir *dir)
{
	free(dir);
}

/* Make [pos, pos + need) available in the window. */
static int dir_fill(struct cramfs_dir *dir, uint32_t need)
{
	uint64_t avail = dir->end - dir->pos;
	uint32_t len;

	if (dir->pos >= dir->win_off &&
	    dir->pos + need <= dir->win_off + dir->win_len)
		return 0;
	len = avail < sizeof(dir->win) ? (uint32_t)avail : sizeof(dir->win);
	if (len < need)
		return -EUCLEAN;
	dir->win_off = dir->pos;
	dir->win_len = len;
	return image_read(dir->img, dir->win, len, dir->pos);
}

static int dir_bad(struct cramfs_dir *dir, const char *what)
{
	dir->failed = true;
	return diag_corrupt(dir->diag, dir->pos, dir->path,
			    "bad directory entry at 0x%llx: %s",
			    (unsigned long long)dir->pos, what);
}

/* Strip the NUL padding and validate the name (format.md §5.1). */
static const char *name_problem(const uint8_t *raw, uint32_t padded,
				uint32_t *len)
{
	uint32_t n = padded;

	while (n && !raw[n - 1])
		n--;
	*len = n;
	if (!n)
		return "empty name";
	if (padded - n > 3)
		return "name padded with more than 3 NUL bytes";
	if (memchr(raw, 0, n))
		return "NUL byte inside name";
	if (memchr(raw, '/', n))
		return "'/' inside name";
	if ((n == 1 && raw[0] == '.') || (n == 2 && !memcmp(raw, "..", 2)))
		return "name is \".\" or \"..\"";
	return NULL;
}

/* SORTED_DIRS promises strcmp order; the kernel's lookup relies on it. */
static void check_order(struct cramfs_dir *dir, const struct cramfs_node *n)
{
	if (dir->sorted && dir->prev_len) {
		int c = strcmp(dir->prev, n->name);

		if (c >= 0)
			diag_corrupt(dir->diag, n->entry_offset, dir->path,
				     c ? "entry \"%s\" out of order (after \"%s\"): the kernel cannot look it up"
				       : "duplicate entry name \"%s\" (after \"%s\")",
				     n->name, dir->prev);
	}
	memcpy(dir->prev, n->name, n->name_len + 1);
	dir->prev_len = n->name_len;
}

int cramfs_dir_next(struct cramfs_dir *dir, struct cramfs_node *out)
{
	const uint8_t *rec;
	const char *why;
	uint32_t padded;

	if (dir->failed || dir->pos >= dir->end)
		return 0;
	if (dir_fill(dir, CRAMFS_INODE_SIZE))
		return dir_bad(dir, "record runs past the end of the list");
	rec = dir->win + (dir->pos - dir->win_off);
	memset(out, 0, sizeof(*out));
	cramfs_inode_decode(rec, dir->img->endian, &out->inode);
	padded = out->inode.namelen * 4;
	if (!padded)
		return dir_bad(dir, "name length is zero");
	if (dir_fill(dir, CRAMFS_INODE_SIZE + padded))
		return dir_bad(dir, "name runs past the end of the list");
	rec = dir->win + (dir->pos - dir->win_off);
	why = name_problem(rec + CRAMFS_INODE_SIZE, padded, &out->name_len);
	if (why)
		return dir_bad(dir, why);
	memcpy(out->name, rec + CRAMFS_INODE_SIZE, out->name_len);
	out->entry_offset = dir->pos;
	dir->pos += CRAMFS_INODE_SIZE + padded;
	check_order(dir, out);
	return 1;
}
