/* SPDX-License-Identifier: MIT */
/* Standard test trees (see ttrees.c) and the spec-vs-library verifier. */
#ifndef TTREES_H
#define TTREES_H

#include "tutil.h"

/* Every entry type, odd names, dedup, nested and empty directories. */
void t_tree_types(struct spec_image *im);
/* Every block encoding and the format.md §7.2 chaining cases, under "enc/". */
void t_tree_encodings(struct spec_image *im);
/* Legacy sticky-bit Linear XIP files next to ordinary ones (format.md §9). */
void t_tree_legacy(struct spec_image *im);

/*
 * Compare everything the library shows of an open image with the spec
 * tree it was built from: superblock info, every node (lookup, metadata,
 * directory order), file contents through whole and odd-offset reads,
 * block decoding, symlink targets, device numbers, and a full walk.
 * Failures are counted through CHECK.
 */
void t_verify_image(struct t_img *t, struct spec_image *sp);

#endif /* TTREES_H */
