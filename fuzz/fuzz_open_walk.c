/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: open an arbitrary image from memory, walk the whole tree
 * (continuing past corrupt directories) and read every file and symlink to
 * the end.  Property: no crash, no hang, no sanitizer report, whatever the
 * bytes; errors are only ever returned.
 */
#include "cramfs/cramfs.h"
#include "fuzz.h"

static void read_node(struct cramfs_image *img, const struct cramfs_node *n)
{
	static uint8_t buf[65536];
	static char target[65536];
	struct cramfs_file *f;
	uint64_t off = 0;
	long r;

	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK))
		cramfs_readlink(img, n, NULL, target, sizeof(target));
	if (!cramfs_has_data(n->inode.mode))
		return;
	if (cramfs_file_open(img, n, NULL, &f))
		return;
	while ((r = cramfs_file_pread(f, buf, sizeof(buf), off)) > 0)
		off += (uint64_t)r;
	cramfs_file_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cramfs_source *src;
	struct cramfs_image *img;
	struct cramfs_diag *diag;
	struct cramfs_walk *walk;
	struct cramfs_walk_entry e;

	if (cramfs_diag_new(64, &diag))
		return 0;
	if (cramfs_source_from_memory(data, size, &src) == 0) {
		if (cramfs_image_open(src, NULL, diag, &img) == 0) {
			if (cramfs_walk_open(img, NULL, CRAMFS_WALK_CONTINUE,
					     diag, &walk) == 0) {
				while (cramfs_walk_next(walk, &e) == 1)
					read_node(img, &e.node);
				cramfs_walk_close(walk);
			}
			cramfs_image_close(img);
		}
		cramfs_source_close(src);
	}
	cramfs_diag_free(diag);
	return 0;
}
