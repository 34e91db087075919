/* SPDX-License-Identifier: MIT */
/* Shared by the command-line tools: opening images, reporting, exit codes. */
#ifndef CRAMFS_TOOL_H
#define CRAMFS_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "cramfs/cramfs.h"

/*
 * Exit codes (fsck's, plus 1 for a path that is not in the image, and 2 for
 * `cramfs check` on a clean image whose block size is ambiguous).
 */
enum {
	EXIT_OK = 0,
	EXIT_NOT_FOUND = 1,
	EXIT_AMBIGUOUS = 2,
	EXIT_CORRUPT = 4,
	EXIT_OPERATIONAL = 8,
	EXIT_USAGE = 16,
};

struct tool_image {
	const char *name;		/* as given on the command line */
	struct cramfs_source *src;
	struct cramfs_image *img;
	struct cramfs_diag *diag;
};

extern const char *tool_prog;	/* "cramfs", "cramfsck" */

/* Open; on failure prints the reason and returns the exit code. */
int tool_open(struct tool_image *t, const char *name, unsigned block_size);
void tool_close(struct tool_image *t);

/*
 * True when block size detection could not settle the size (ambiguous, or
 * no size fits every file); then prints one warning line on stderr saying
 * what was assumed and that `option` (e.g. "--block-size") chooses.
 */
bool tool_warn_block_size(const struct tool_image *t, const char *option);

/*
 * For the commands that read without checking (ls, cat, extract): one
 * warning line when the superblock contradicts the file (a size past its
 * end, a zero file count), so that a listing of a damaged image does not
 * pass for a sound one.  True when it warned.
 */
bool tool_warn_superblock(const struct tool_image *t);

/*
 * cramfs_lookup, reporting a path that is not in the image on one line,
 * also when it goes through a symlink or a file ("not in the image: a is
 * a symlink (not followed)"): both return -ENOENT (exit 1).
 */
int tool_lookup(struct tool_image *t, const char *path,
		struct cramfs_node *out);

/* "given", "detected", "ambiguous" or "best-fit" (JSON's block_size_source). */
const char *tool_bs_source_name(enum cramfs_bs_source source);

/* The sizes that fit as a JSON array, e.g. [32768, 65536]. */
void tool_json_bs_fits(FILE *out, const struct cramfs_bs_evidence *ev);

/*
 * cramfs_build_opts.temp_file for the tools: the named temporary file (the
 * fallback where O_TMPFILE is missing) is removed on SIGINT, SIGTERM or
 * SIGHUP (temp_cleanup.c).
 */
void tool_temp_file(void *ctx, const char *path);

/*
 * A name from an image as ls -b shows it: control characters and DEL as
 * C escapes (\n, \t, \033), a backslash doubled; other bytes as they are.
 * One name can then never look like two lines, or drive the terminal.
 */
void tool_put_name(FILE *to, const char *s);

/* Exit code for a library return value. */
int tool_exit_code(int ret);

/*
 * Print the diag: errors always, warnings if `warnings`, info and offsets
 * if `verbose`.  `to` is stdout for reports, stderr for incidental errors.
 */
void tool_print_diag(FILE *to, const struct tool_image *t, bool warnings,
		     bool verbose, bool prefix_prog);

/* One-line error on stderr: "PROG: IMAGE: message". */
void tool_error(const char *image, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a block size option; returns 0 and sets *out, or -1. */
int tool_parse_block_size(const char *arg, unsigned *out);

/* "big", "little" or "host"; returns 0 and sets *out, or -1. */
int tool_parse_endian(const char *arg, enum cramfs_endian *out);

/* A decimal number in [0, max]; returns 0 and sets *out, or -1. */
int tool_parse_uint(const char *arg, unsigned long long max,
		    unsigned long long *out);

/*
 * A byte count: decimal, with an optional K, M or G (binary) suffix, not
 * above UINT64_MAX.  Returns 0 and sets *out, or -1.
 */
int tool_parse_bytes(const char *arg, uint64_t *out);

/* "drwxr-xr-x" for a cramfs mode (buf >= 11 bytes). */
void tool_mode_string(unsigned mode, char *buf);

/* What `cramfs build` and `mkcramfs` share after parsing their options. */
struct tool_build {
	const char *output;
	bool verbose, json;
	long long uid, gid;	/* override every owner; -1: keep */
	const char *devtables[16];	/* applied last, in order */
	unsigned ndevtables;
	const char *excludes[64];	/* globs, applied after the sources */
	unsigned nexcludes;
	const char *chmod;		/* then this mode change, if any */
	enum cramfs_devtable_flavor flavor;
	bool xip_report;		/* print the XIP plan */
};

/* The XIP plan of a build: a table (text) or one JSON object (no newline). */
void tool_xip_report_text(const struct cramfs_xip_report *r);
void tool_xip_report_json(const struct cramfs_xip_report *r);

/*
 * Scan `sources`, build the image with `o` (progress filled in here) and
 * report warnings, errors and (verbose/json) a summary.  Returns the exit
 * code: 0 written, 8 not written, 16 the output would replace an input.
 */
int tool_build_run(char *const *sources, int nsources,
		   struct cramfs_build_opts *o, const struct tool_build *b);

/* Write `s` as a JSON string literal. */
void json_string(FILE *f, const char *s);

#endif /* CRAMFS_TOOL_H */
