// SPDX-License-Identifier: MIT
/*
 * Archives as a source, read with libarchive: tar in all its dialects
 * (ustar, pax, GNU, with sparse entries), cpio (newc, odc, binary), each
 * plain or compressed (gzip, xz, zstd, bzip2, lz4, ...), from a file or a
 * pipe.  The archive is read once, front to back.  File contents go into
 * one unlinked spill file owned by the tree (the image is written later,
 * in sorted order, and a pipe cannot be read twice); nodes point into it.
 * Memory stays bounded by libarchive's block buffer, whatever the sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "archive_in.h"
#include "archive_lib.h"

int ar_error(struct ar_in *in, int err, const char *what)
{
	const char *why = archive_error_string(in->a);

	return diag_add(in->diag, CRAMFS_DIAG_ERROR, err, CRAMFS_NO_OFFSET,
			NULL, "%s: %s%s%s", in->file, what, why ? ": " : "",
			why ? why : "");
}

static int spill_open(struct ar_in *in)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char tmpl[4096];
	int fd;

	if (in->t->spill_fd >= 0)
		return 0;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {	/* a file system without O_TMPFILE */
		snprintf(tmpl, sizeof(tmpl), "%s/cramfs-spill.XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0)
		return diag_add(in->diag, CRAMFS_DIAG_ERROR, -errno,
				CRAMFS_NO_OFFSET, NULL,
				"%s: cannot create a temporary file: %s", dir,
				strerror(errno));
	in->t->spill_fd = fd;
	return 0;
}

/* The temporary copy lives under $TMPDIR: name it, not the archive. */
static int spill_fail(struct ar_in *in, int err)
{
	return diag_add(in->diag, CRAMFS_DIAG_ERROR, -err, CRAMFS_NO_OFFSET,
			NULL, "%s: cannot write the temporary copy of %s: %s",
			getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", in->file,
			strerror(err));
}

static int spill_write(struct ar_in *in, const void *buf, size_t len,
		       uint64_t at)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = pwrite(in->t->spill_fd, p, len, (off_t)at);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return spill_fail(in, errno);
		p += r;
		len -= (size_t)r;
		at += (uint64_t)r;
	}
	return 0;
}

/*
 * Copy the entry's data to the spill file at its own range.  Sparse
 * entries come as blocks with offsets: the gaps are holes of the spill
 * file, which read as zeros.  Bytes past cramfs's largest file size are
 * dropped here (the limits pass warns, from host_size), so a huge entry
 * costs no temporary space.  Returns 0 or -errno; *end is the data's end.
 */
static int spill_data(struct ar_in *in, uint64_t base, uint64_t *end)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r, ret = spill_open(in);

	*end = 0;
	while (!ret && (r = archive_read_data_block(in->a, &buf, &len, &off)) == ARCHIVE_OK) {
		uint64_t o = (uint64_t)off, keep = len;

		if (o + len > *end)
			*end = o + len;
		if (o >= CRAMFS_MAXFILESIZE)
			continue;
		if (o + keep > CRAMFS_MAXFILESIZE)
			keep = CRAMFS_MAXFILESIZE - o;
		ret = spill_write(in, buf, (size_t)keep, base + o);
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = ar_error(in, r == ARCHIVE_FATAL ? -EUCLEAN : -EIO,
			       "cannot read an entry's data");
	return ret;
}

int ar_spill_entry(struct ar_in *in, struct archive_entry *e, struct bnode *n)
{
	uint64_t base = in->spill_end, end, stored;
	int ret = spill_data(in, base, &end);

	if (ret)
		return ret;
	n->host_size = archive_entry_size_is_set(e) ?
		       (uint64_t)archive_entry_size(e) : end;
	stored = n->host_size < CRAMFS_MAXFILESIZE ? n->host_size : CRAMFS_MAXFILESIZE;
	if (end && base + (end < stored ? end : stored) > in->spill_size)
		in->spill_size = base + (end < stored ? end : stored);
	/* A sparse entry that ends in a hole: make its whole range readable. */
	if (base + stored > in->spill_size) {
		if (ftruncate(in->t->spill_fd, (off_t)(base + stored)))
			return spill_fail(in, errno);
		in->spill_size = base + stored;
	}
	n->spilled = true;
	n->spill_fd = in->t->spill_fd;
	n->spill_off = base;
	/* 8-byte aligned ranges keep the writer's reads aligned. */
	in->spill_end = (base + stored + 7) & ~7ull;
	return 0;
}

/* No format recognised: say what the input is, as far as known. */
static int not_an_archive(struct ar_in *in)
{
	int filters = archive_filter_count(in->a);

	/* Filter 0 is the outermost; the last one is the raw file. */
	if (filters > 1)
		return diag_add(in->diag, CRAMFS_DIAG_ERROR, -EUCLEAN,
				CRAMFS_NO_OFFSET, NULL,
				"%s: %s-compressed, but not a tar or cpio archive inside",
				in->file, archive_filter_name(in->a, 0));
	return diag_add(in->diag, CRAMFS_DIAG_ERROR, -EUCLEAN, CRAMFS_NO_OFFSET,
			NULL, "%s: not a tar or cpio archive (plain or compressed)",
			in->file);
}

static int ar_open(struct ar_in *in, const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	int err;

	if (fd < 0)
		return diag_add(in->diag, CRAMFS_DIAG_ERROR, -errno,
				CRAMFS_NO_OFFSET, NULL, "%s: cannot open: %s",
				path, strerror(errno));
	in->fd = fd;
	in->a = archive_read_new();
	if (!in->a)
		return -ENOMEM;
	/* Every compression libarchive knows, but only the formats we mean. */
	archive_read_support_filter_all(in->a);
	archive_read_support_format_tar(in->a);
	archive_read_support_format_gnutar(in->a);
	archive_read_support_format_cpio(in->a);
	/* Opening reads the first header: formats are recognised here. */
	if (archive_read_open_fd(in->a, fd, 1 << 16) == ARCHIVE_OK)
		return 0;
	/* libarchive's ARCHIVE_ERRNO_FILE_FORMAT, private to it: EILSEQ. */
	err = archive_errno(in->a);
	if (err == EILSEQ)
		return not_an_archive(in);
	/*
	 * A system call's errno is passed on; libarchive's own failures
	 * (ARCHIVE_ERRNO_MISC, -1: a corrupt compressed stream) mean the
	 * bytes are damaged, -EUCLEAN as build.h promises.
	 */
	return ar_error(in, err > 0 ? -err : -EUCLEAN, "cannot read");
}

/*
 * libarchive converts pax and cpio names to the locale's charset; in the C
 * locale (we never call setlocale) it keeps the bytes as they are and
 * warns.  The bytes are what we want, so that warning is not passed on.
 */
static void header_warning(struct ar_in *in, struct archive_entry *e)
{
	const char *why = archive_error_string(in->a);

	if (why && strstr(why, "can't be converted"))
		return;
	diag_warn(in->diag, CRAMFS_NO_OFFSET, archive_entry_pathname(e),
		  "%s: %s", in->file, why ? why : "archive warning");
}

static int read_entries(struct ar_in *in)
{
	struct archive_entry *e;
	int r, ret = 0;

	while (!ret) {
		r = archive_read_next_header(in->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN && !in->entries)
			return not_an_archive(in);
		if (r < ARCHIVE_WARN)
			return ar_error(in, -EUCLEAN, "damaged archive");
		if (r == ARCHIVE_WARN)
			header_warning(in, e);
		in->entries++;
		ret = ar_add_entry(in, e);
	}
	return ret;
}

static void ar_close(struct ar_in *in)
{
	if (in->a)
		archive_read_free(in->a);
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	for (size_t i = 0; i < in->nlinks; i++) {
		free(in->links[i].path);
		free(in->links[i].target);
	}
	free(in->links);
}

int cramfs_tree_add_archive(struct cramfs_tree *t, const char *path,
			    struct cramfs_diag *diag)
{
	struct ar_in in = { .t = t, .diag = diag, .file = path, .fd = -1 };
	size_t errors = cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR);
	const char *why;
	int ret;

	if (arlib_load(&why))
		return diag_add(diag, CRAMFS_DIAG_ERROR, -ELIBACC,
				CRAMFS_NO_OFFSET, NULL,
				"%s: cannot read archives: %s", path, why);
	ret = ar_open(&in, path);

	/* Ranges already used by an earlier archive of this tree. */
	if (t->spill_fd >= 0) {
		off_t size = lseek(t->spill_fd, 0, SEEK_END);

		in.spill_end = in.spill_size = size > 0 ? (uint64_t)size : 0;
		in.spill_end = (in.spill_end + 7) & ~7ull;
	}
	if (!ret)
		ret = read_entries(&in);
	ar_close(&in);
	/* Entries came in the archive's order: sorted once, now. */
	bnode_sort_tree(&t->root);
	if (!ret && cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR) > errors)
		ret = -EUCLEAN;
	return ret;
}
