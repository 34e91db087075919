// SPDX-License-Identifier: MIT
/*
 * Block size detection: what neighbouring files say, and the verdict.
 *
 * A file's data must end where the next file's begins (util-linux writes
 * them back to back): ending after that start is an overlap, which no valid
 * image has, so it contradicts the size; ending before it is a gap, which
 * XIP images have legitimately, so it only counts against the size.
 *
 * The verdict: the sizes no file contradicts are consistent with all the
 * evidence.  Files that fit no size at all are damaged and say nothing
 * about the size.  Among the consistent sizes the most telling soft
 * evidence wins: fewest gaps, then the superblock's block count, then the
 * image size being a multiple of the size (the tools pad to a whole block).
 * One winner is "detected"; several that read every file alike are
 * "ambiguous" and the smallest is used (the checker's rules are strictest
 * there).  If no size is consistent, the one most files fit is used.
 */
#include <stdio.h>
#include <string.h>

#include "blocksize.h"

static void tally(struct bs_state *s, const struct bs_pending *p)
{
	struct cramfs_bs_evidence *ev = s->ev;

	ev->files++;
	if (!p->mask) {
		ev->unfit++;
		return;
	}
	if (p->mask != BS_ALL)
		ev->telling++;
	for (unsigned k = 0; k < BS_N; k++) {
		if (p->mask & (1u << k)) {
			ev->cand[k].fit++;
			s->blocks[k] += p->nblocks[k];
		} else {
			ev->cand[k].misfit++;
		}
	}
}

/* Overlaps and gaps between the pending file and the next one. */
static void settle(struct bs_state *s, uint64_t next_off)
{
	struct bs_pending *p = &s->pend;

	for (unsigned k = 0; k < BS_N; k++) {
		if (!(p->mask & (1u << k)))
			continue;
		if (next_off < p->end[k])
			p->mask &= ~(1u << k);
		else if (next_off != UINT64_MAX && next_off > p->end[k])
			s->ev->cand[k].gaps++;
	}
	tally(s, p);
}

void bs_arrive(struct bs_state *s, uint64_t next_off,
	       const struct bs_pending *next)
{
	if (s->pend.valid)
		settle(s, next_off);
	s->pend.valid = false;
	if (next)
		s->pend = *next;
}

/* The superblock's testimony: recorded block count, padded size. */
static void fill_super_evidence(struct bs_state *s)
{
	const struct cramfs_super *sb = &s->img->super;
	bool v2 = sb->flags & CRAMFS_FLAG_FSID_VERSION_2;

	for (unsigned k = 0; k < BS_N; k++) {
		struct cramfs_bs_candidate *c = &s->ev->cand[k];

		c->size = BS_SIZE(k);
		c->blocks_match = v2 && s->blocks[k] == sb->blocks;
		c->size_aligned = v2 && sb->size % c->size == 0;
	}
}

/* Soft evidence, most telling first; < 0 when a is the better size. */
static int soft_cmp(const struct cramfs_bs_candidate *a,
		    const struct cramfs_bs_candidate *b)
{
	if (a->gaps != b->gaps)
		return a->gaps < b->gaps ? -1 : 1;
	if (a->blocks_match != b->blocks_match)
		return a->blocks_match ? -1 : 1;
	if (a->size_aligned != b->size_aligned)
		return a->size_aligned ? -1 : 1;
	return 0;
}

/* The sizes of `set` that no other size of it beats. */
static unsigned best_of(const struct cramfs_bs_evidence *ev, unsigned set)
{
	unsigned best = 0;
	int bk = -1;

	for (unsigned k = 0; k < BS_N; k++) {
		int c;

		if (!(set & (1u << k)))
			continue;
		c = bk < 0 ? -1 : soft_cmp(&ev->cand[k], &ev->cand[bk]);
		if (c < 0) {
			best = 1u << k;
			bk = (int)k;
		} else if (c == 0) {
			best |= 1u << k;
		}
	}
	return best;
}

/* The sizes with the fewest contradicting files. */
static unsigned fewest_misfits(const struct cramfs_bs_evidence *ev)
{
	uint64_t least = UINT64_MAX;
	unsigned set = 0;

	for (unsigned k = 0; k < BS_N; k++) {
		if (ev->cand[k].misfit < least) {
			least = ev->cand[k].misfit;
			set = 0;
		}
		if (ev->cand[k].misfit == least)
			set |= 1u << k;
	}
	return set;
}

static unsigned lowest_bit(unsigned set)
{
	unsigned k = 0;

	while (k + 1 < BS_N && !(set & (1u << k)))
		k++;
	return k;
}

uint32_t bs_decide(struct bs_state *s)
{
	struct cramfs_bs_evidence *ev = s->ev;
	unsigned clean = 0;

	fill_super_evidence(s);
	for (unsigned k = 0; k < BS_N; k++)
		if (!ev->cand[k].misfit)
			clean |= 1u << k;
	ev->fits = best_of(ev, clean ? clean : fewest_misfits(ev));
	if (!clean)
		ev->source = CRAMFS_BS_BEST_FIT;
	else if (ev->fits & (ev->fits - 1))
		ev->source = CRAMFS_BS_AMBIGUOUS;
	else
		ev->source = CRAMFS_BS_DETECTED;
	return BS_SIZE(lowest_bit(ev->fits));
}

/* ---- in words ---------------------------------------------------------- */

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

void cramfs_bs_list_fits(const struct cramfs_bs_evidence *ev, char *buf,
			 size_t cap)
{
	unsigned left = 0, k;
	size_t len = 0;

	for (k = 0; k < BS_N; k++)
		left += !!(ev->fits & (1u << k));
	buf[0] = '\0';
	for (k = 0; k < BS_N && len < cap; k++) {
		if (!(ev->fits & (1u << k)))
			continue;
		left--;
		len += (size_t)snprintf(buf + len, cap - len, "%u%s", BS_SIZE(k),
					left > 1 ? ", " : left == 1 ? " or " : "");
	}
}

static void describe_detected(const struct cramfs_image_info *in, char *buf,
			      size_t cap)
{
	const struct cramfs_bs_evidence *ev = &in->bs;
	char fits[96];

	switch (ev->source) {
	case CRAMFS_BS_AMBIGUOUS:
		cramfs_bs_list_fits(ev, fits, sizeof(fits));
		snprintf(buf, cap, "ambiguous: %s", fits);
		break;
	case CRAMFS_BS_BEST_FIT: {
		uint64_t m = ev->cand[lowest_bit(ev->fits)].misfit;

		snprintf(buf, cap, "%u (best fit: %llu file%s do%s not fit it)",
			 in->block_size, (unsigned long long)m, plural(m),
			 m == 1 ? "es" : "");
		break;
	}
	default:
		if (ev->telling)
			snprintf(buf, cap, "%u (detected from %llu file%s)",
				 in->block_size, (unsigned long long)ev->telling,
				 plural(ev->telling));
		else
			snprintf(buf, cap, "%u (detected from the image size)",
				 in->block_size);
	}
}

void cramfs_bs_describe(const struct cramfs_image_info *in, char *buf,
			size_t cap)
{
	const struct cramfs_bs_evidence *ev = &in->bs;
	size_t len;

	if (!in->block_size_detected) {
		snprintf(buf, cap, "%u (given)", in->block_size);
		return;
	}
	describe_detected(in, buf, cap);
	len = strlen(buf);
	if (ev->unfit && len < cap)
		snprintf(buf + len, cap - len, "; %llu file%s fit%s no size",
			 (unsigned long long)ev->unfit, plural(ev->unfit),
			 ev->unfit == 1 ? "s" : "");
}
