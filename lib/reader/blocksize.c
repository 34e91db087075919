// SPDX-License-Identifier: MIT
/*
 * Block size detection: what each file's layout says.
 *
 * cramfs does not record its block size (it is the writer's idea of the
 * reader's PAGE_SIZE).  Under the right size B every file of S bytes has a
 * table of ceil(S/B) pointers, its first block starts right after that
 * table, and its data ends where the next file's begins.  A wrong size
 * gives a different table length, so the table either runs into block data
 * (garbage pointers), or stops early and "block 0" starts inside the real
 * table (no zlib header there, and a gap before the next file).
 *
 * So every file with data is examined under every candidate size, in the
 * walk's order (the order util-linux writes the data in): one read of its
 * pointer table as long as the smallest size needs, plus, for the few files
 * whose tables still leave sizes that read them differently, the inflation
 * of their first and last blocks.  Reads are bounded by a budget
 * proportional to the image size; memory is a few fixed buffers.
 * blocksize_decide.c turns the tallies into a verdict.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blocksize.h"
#include "codec/codec.h"

/* Largest pointer table: a file of CRAMFS_MAXFILESIZE in 4 KiB blocks. */
#define MAX_PTRS (CRAMFS_MAXFILESIZE / CRAMFS_MIN_BLOCK_SIZE + 1u)
/* A complete zlib stream: 2-byte header, an empty block, Adler-32. */
#define ZLIB_MIN_LEN 8u
/* Files whose blocks may be inflated: each costs <= 2 per candidate. */
#define INFLATE_FILES 64u
/*
 * Bytes of pointer tables read, at most: a multiple of the image size,
 * since honest tables (even read as 4 KiB ones) add up to about the image
 * size; hostile overlapping tables stop here instead of costing more.
 */
#define BUDGET_PER_BYTE 8u
#define BUDGET_FLOOR (1u << 20)

/* Buffers reused for every file. */
struct bs_scratch {
	uint8_t *win;			/* one file's table (+2 bytes) */
	uint32_t *ptrs;			/* the same, decoded to host order */
	struct cramfs_block *blk;	/* the table decoded for one size */
	struct inflater *inf;
	uint8_t *in, *out;		/* one compressed block, its output */
};

/* One file being examined. */
struct bs_file {
	uint64_t off;			/* its pointer table */
	uint32_t size;
	size_t have;			/* table bytes read (the image may end) */
};

/*
 * A deflater never needs more than stored blocks, out + 5 bytes per 64 KiB
 * + 6 (zlib's compressBound() is a little more); a "block" much longer than
 * that is not one block's stream but a wrong size's reading of the table.
 */
static uint32_t zlib_max_len(uint32_t out)
{
	return out + out / 8u + 64u;
}

static int scratch_new(struct bs_scratch *x)
{
	memset(x, 0, sizeof(*x));
	x->win = malloc(4u * MAX_PTRS + 2u);
	x->ptrs = malloc(MAX_PTRS * sizeof(*x->ptrs));
	x->blk = malloc(MAX_PTRS * sizeof(*x->blk));
	x->in = malloc(zlib_max_len(CRAMFS_MAX_BLOCK_SIZE));
	x->out = malloc(CRAMFS_MAX_BLOCK_SIZE);
	if (!x->win || !x->ptrs || !x->blk || !x->in || !x->out ||
	    inflater_new(&x->inf))
		return -ENOMEM;
	return 0;
}

static void scratch_free(struct bs_scratch *x)
{
	inflater_free(x->inf);
	free(x->win);
	free(x->ptrs);
	free(x->blk);
	free(x->in);
	free(x->out);
}

/* Read the table as long as the smallest size makes it.  -ENOSPC: budget. */
static int read_table(struct bs_state *s, struct bs_scratch *x,
		      struct bs_file *f)
{
	uint64_t room = f->off < s->img->image_size ?
			s->img->image_size - f->off : 0;
	size_t need = 4u * blocks_for(f->size, CRAMFS_MIN_BLOCK_SIZE) + 2u;

	f->have = room < need ? (size_t)room : need;
	if (f->have > s->budget)
		return -ENOSPC;
	s->budget -= f->have;
	if (image_read(s->img, x->win, f->have, f->off))
		f->have = 0;
	for (size_t i = 0; i < f->have / 4; i++)
		x->ptrs[i] = cramfs_get32(x->win + 4 * i, s->img->endian);
	return 0;
}

/* RFC 1950: deflate, window <= 32 KiB, check bits, no preset dictionary. */
static bool zlib_header_ok(const uint8_t *p)
{
	return (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 &&
	       ((p[0] << 8) | p[1]) % 31 == 0 && !(p[1] & 0x20);
}

/* First byte a block occupies (a direct compressed one has a u16 before). */
static uint64_t block_begin(const struct cramfs_block *b)
{
	return b->direct && b->kind == CRAMFS_BLOCK_ZLIB ? b->start - 2 : b->start;
}

/* Two blocks of one file laid out in rising order must not overlap. */
static bool blocks_overlap(const struct cramfs_block *a,
			   const struct cramfs_block *b)
{
	if (a->kind == CRAMFS_BLOCK_HOLE || b->kind == CRAMFS_BLOCK_HOLE)
		return false;
	return block_begin(b) > block_begin(a) && a->start + a->len > block_begin(b);
}

/* Rules beyond the reader's own that real streams obey and garbage fails. */
static bool blocks_plausible(const struct bs_scratch *x, const struct bs_file *f,
			     uint32_t nb)
{
	const struct cramfs_block *b = x->blk;
	size_t at = 4u * (size_t)nb;

	for (uint32_t i = 0; i < nb; i++) {
		if (b[i].kind == CRAMFS_BLOCK_ZLIB &&
		    (b[i].len < ZLIB_MIN_LEN || b[i].len > zlib_max_len(b[i].out_len)))
			return false;
		if (i + 1 < nb && blocks_overlap(&b[i], &b[i + 1]))
			return false;
	}
	/* A chained compressed block 0 starts right after the table. */
	if (b[0].kind != CRAMFS_BLOCK_ZLIB || b[0].direct)
		return true;
	return at + 2 <= f->have && zlib_header_ok(x->win + at);
}

/* Where the table and the blocks chained after it end, 4-aligned. */
static uint64_t chain_end(const struct bs_file *f, const struct cramfs_block *b,
			  uint32_t nb)
{
	uint64_t end = f->off + 4ull * nb;

	/* Direct blocks live elsewhere (an XIP region): the chain stops. */
	for (uint32_t i = 0; i < nb && !b[i].direct; i++)
		if (b[i].kind != CRAMFS_BLOCK_HOLE)
			end = b[i].start + b[i].len;
	return (end + 3) & ~3ull;
}

/* Decode the file's table for size k into x->blk; false if it cannot be. */
static bool layout_fits(struct bs_state *s, struct bs_scratch *x,
			const struct bs_file *f, unsigned k, uint64_t *end)
{
	uint32_t nb = blocks_for(f->size, BS_SIZE(k));
	struct block_table t = { x->ptrs, nb, f->off, f->size, BS_SIZE(k) };

	if (4ull * nb > f->have ||
	    f->off < s->img->start + (uint64_t)CRAMFS_SUPER_SIZE)
		return false;
	if (blocks_decode(s->img, &t, x->blk, NULL, NULL) ||
	    !blocks_plausible(x, f, nb))
		return false;
	*end = chain_end(f, x->blk, nb);
	return true;
}

static bool block_inflates(struct bs_state *s, struct bs_scratch *x,
			   const struct cramfs_block *b)
{
	size_t got = 0;

	if (b->kind != CRAMFS_BLOCK_ZLIB)
		return true;
	s->ev->inflated++;
	if (image_read(s->img, x->in, b->len, b->start))
		return false;
	/* The cap is the expected length: a longer output fails the run. */
	return !inflater_run(x->inf, x->in, b->len, x->out, b->out_len, &got) &&
	       got == b->out_len;
}

/* Block 0 gives one block (or the whole file), the last the remainder. */
static bool inflates_right(struct bs_state *s, struct bs_scratch *x,
			   const struct bs_file *f, unsigned k)
{
	uint64_t end;
	uint32_t nb = blocks_for(f->size, BS_SIZE(k));

	if (!layout_fits(s, x, f, k, &end))
		return false;
	return block_inflates(s, x, &x->blk[0]) &&
	       (nb == 1 || block_inflates(s, x, &x->blk[nb - 1]));
}

/* Do two sizes that fit the tables read the file differently? */
static bool sizes_disagree(const struct bs_pending *p)
{
	uint32_t first = 0;

	for (unsigned k = 0; k < BS_N; k++) {
		if (!(p->mask & (1u << k)))
			continue;
		if (first && p->nblocks[k] != first)
			return true;
		first = p->nblocks[k];
	}
	return false;
}

static void file_examine(struct bs_state *s, struct bs_scratch *x,
			 const struct bs_file *f)
{
	struct bs_pending p = { .valid = true };

	for (unsigned k = 0; k < BS_N; k++) {
		p.nblocks[k] = blocks_for(f->size, BS_SIZE(k));
		if (layout_fits(s, x, f, k, &p.end[k]))
			p.mask |= 1u << k;
	}
	/* Only the data can tell such sizes apart; a bounded number of files. */
	if (s->inflate_left && sizes_disagree(&p)) {
		s->inflate_left--;
		for (unsigned k = 0; k < BS_N; k++)
			if ((p.mask & (1u << k)) && !inflates_right(s, x, f, k))
				p.mask &= ~(1u << k);
	}
	bs_arrive(s, f->off, &p);
}

static void walk_files(struct bs_state *s, struct bs_scratch *x)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;

	if (cramfs_walk_open(s->img, NULL, CRAMFS_WALK_CONTINUE, NULL, &w))
		return;
	while (cramfs_walk_next(w, &e) == 1) {
		const struct cramfs_inode *in = &e.node.inode;
		struct bs_file f = { cramfs_node_data_offset(&e.node), in->size, 0 };

		if (!cramfs_has_data(in->mode) || !in->size || !in->offset)
			continue;
		/* Shared data repeats evidence; data out of order cannot be tiled. */
		if (f.off <= s->max_off)
			continue;
		s->max_off = f.off;
		if (read_table(s, x, &f)) {
			s->ev->truncated = true;
			break;
		}
		file_examine(s, x, &f);
	}
	cramfs_walk_close(w);
	bs_arrive(s, UINT64_MAX, NULL);
}

uint32_t blocksize_detect(struct cramfs_image *img,
			  struct cramfs_bs_evidence *ev)
{
	struct bs_state s = { .img = img, .ev = ev,
			      .inflate_left = INFLATE_FILES };
	struct bs_scratch x;

	memset(ev, 0, sizeof(*ev));
	s.budget = BUDGET_PER_BYTE * img->image_size + BUDGET_FLOOR;
	/* Out of memory: no evidence, so the superblock alone decides. */
	if (!scratch_new(&x))
		walk_files(&s, &x);
	else
		ev->truncated = true;
	scratch_free(&x);
	return bs_decide(&s);
}
