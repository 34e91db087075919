// SPDX-License-Identifier: MIT
/*
 * Block size detection.  cramfs does not record the block size (it is the
 * writer's idea of the reader's PAGE_SIZE), but only the right one makes the
 * pointer tables line up: each size gives a different table length n, hence
 * a different start for block 0, and a compressed block must inflate to
 * exactly that size.  We sample a few files with more than one 4 KiB block
 * and take the smallest size under which all of them decode.
 */
#include <errno.h>
#include <stdlib.h>

#include "codec/codec.h"
#include "internal.h"

#define SAMPLE_FILES 8u
#define SAMPLE_SCAN 4096u	/* entries looked at, at most */

/* Does the file's first non-hole block decode cleanly under `bs`? */
static bool file_fits(struct cramfs_image *img, const struct cramfs_node *n,
		      uint32_t bs)
{
	struct cramfs_image trial = *img;
	struct cramfs_file *f;
	uint8_t *buf = malloc(bs);
	bool ok = false;

	trial.block_size = bs;
	if (buf && !cramfs_file_open(&trial, n, NULL, &f)) {
		uint32_t nb = cramfs_file_block_count(f);
		struct cramfs_block b = { 0 };
		uint32_t i = 0;
		size_t len;

		ok = cramfs_file_layout(f) == CRAMFS_LAYOUT_BLOCKS;
		while (ok && i < nb && !cramfs_file_block_info(f, i, &b) &&
		       b.kind == CRAMFS_BLOCK_HOLE)
			i++;
		if (ok && i < nb)
			ok = !cramfs_file_read_block(f, i, buf, &len);
		cramfs_file_close(f);
	}
	free(buf);
	return ok;
}

/* Collect up to SAMPLE_FILES regular files bigger than the smallest size. */
static unsigned collect_samples(struct cramfs_image *img,
				struct cramfs_node *out)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	unsigned found = 0, seen = 0;

	if (cramfs_walk_open(img, NULL, CRAMFS_WALK_CONTINUE, NULL, &w))
		return 0;
	while (found < SAMPLE_FILES && seen++ < SAMPLE_SCAN &&
	       cramfs_walk_next(w, &e) == 1) {
		if (cramfs_is_type(e.node.inode.mode, CRAMFS_S_IFREG) &&
		    e.node.inode.size > CRAMFS_MIN_BLOCK_SIZE)
			out[found++] = e.node;
	}
	cramfs_walk_close(w);
	return found;
}

uint32_t blocksize_detect(struct cramfs_image *img)
{
	struct cramfs_node samples[SAMPLE_FILES];
	unsigned n = collect_samples(img, samples);
	uint32_t best = CRAMFS_MIN_BLOCK_SIZE;
	unsigned best_score = 0;

	for (uint32_t bs = CRAMFS_MIN_BLOCK_SIZE; n && bs <= CRAMFS_MAX_BLOCK_SIZE;
	     bs *= 2) {
		unsigned score = 0;

		for (unsigned i = 0; i < n; i++)
			score += file_fits(img, &samples[i], bs);
		if (score == n)
			return bs;
		if (score > best_score) {
			best_score = score;
			best = bs;
		}
	}
	return best;
}
