/* SPDX-License-Identifier: MIT */
/*
 * Block size detection, shared by blocksize.c (what one file's layout says
 * under each candidate size) and blocksize_decide.c (what neighbouring files
 * say, the tally and the verdict).  Private to the reader.
 */
#ifndef CRAMFS_LIB_READER_BLOCKSIZE_H
#define CRAMFS_LIB_READER_BLOCKSIZE_H

#include "internal.h"

#define BS_N CRAMFS_BS_CANDIDATES
#define BS_ALL ((1u << BS_N) - 1u)
#define BS_SIZE(k) (CRAMFS_MIN_BLOCK_SIZE << (k))

_Static_assert(BS_SIZE(BS_N - 1) == CRAMFS_MAX_BLOCK_SIZE,
	       "the candidates must span CRAMFS_MIN_BLOCK_SIZE..CRAMFS_MAX_BLOCK_SIZE");

/* One file's verdict, kept until the next file says where its data starts. */
struct bs_pending {
	bool valid;
	unsigned mask;			/* bit k: its own layout fits BS_SIZE(k) */
	uint64_t end[BS_N];		/* where its data ends, 4-aligned */
	uint32_t nblocks[BS_N];
};

struct bs_state {
	struct cramfs_image *img;
	struct cramfs_bs_evidence *ev;
	uint64_t blocks[BS_N];		/* blocks of the files that fit */
	struct bs_pending pend;
	uint64_t max_off;		/* highest data offset examined so far */
	uint64_t budget;		/* bytes of pointer tables still to read */
	unsigned inflate_left;		/* files whose blocks may still be inflated */
};

/* Settle the pending file against the next one at `next_off` (UINT64_MAX:
 * none), then make `next` (NULL: none) the pending one. */
void bs_arrive(struct bs_state *s, uint64_t next_off,
	       const struct bs_pending *next);

/* Fill in the verdict of s->ev from its tallies; returns the size to use. */
uint32_t bs_decide(struct bs_state *s);

#endif /* CRAMFS_LIB_READER_BLOCKSIZE_H */
