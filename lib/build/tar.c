// SPDX-License-Identifier: MIT
/*
 * Tar archives as a source: ustar headers with GNU long-name records and
 * pax extended headers.  File contents are copied into one unlinked spill
 * file owned by the tree, so a pipe can be read once and memory stays
 * bounded; nodes point into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

#define TAR_BLOCK 512u

struct tar_in {
	struct cramfs_tree *t;
	struct cramfs_diag *diag;
	const char *file;
	int fd;
	uint64_t pos;		/* bytes consumed, for messages */
	uint64_t spill_end;
	char *long_name, *long_link;	/* from GNU L/K or pax records */
	long long pax_size, pax_uid, pax_gid;	/* -1: not given */
};

struct tar_hdr {
	char path[8192];
	char link[8192];
	char type;
	uint32_t mode;
	unsigned long long uid, gid, size, major, minor;
};

static int tar_bad(struct tar_in *in, const char *what)
{
	return diag_add(in->diag, CRAMFS_DIAG_ERROR, -EUCLEAN, CRAMFS_NO_OFFSET,
			NULL, "%s: %s at byte %llu", in->file, what,
			(unsigned long long)in->pos);
}

static int read_full(struct tar_in *in, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = read(in->fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return diag_add(in->diag, CRAMFS_DIAG_ERROR, -errno,
					CRAMFS_NO_OFFSET, NULL, "%s: cannot read: %s",
					in->file, strerror(errno));
		if (!r)
			return tar_bad(in, "archive ends in the middle of an entry");
		p += r;
		len -= (size_t)r;
		in->pos += (uint64_t)r;
	}
	return 0;
}

/* An octal field, or GNU base-256 when the top bit of the first byte is set. */
static bool tar_number(const uint8_t *f, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		v = f[0] & 0x3F;
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v << 3 | (unsigned)(f[i] - '0');
	}
	*out = v;
	return i == len || !f[i] || f[i] == ' ';
}

static bool checksum_ok(const uint8_t *h)
{
	unsigned long long want;
	unsigned sum = 0;

	for (unsigned i = 0; i < TAR_BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return tar_number(h + 148, 8, &want) && want == sum;
}

/* Read an entry's data (a long name or a pax record set) into memory. */
static int read_blob(struct tar_in *in, unsigned long long size, char **out)
{
	uint64_t padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	char *buf;
	int ret;

	if (size > (1u << 20))
		return tar_bad(in, "long name or pax header over 1 MiB");
	buf = malloc(padded + 1);
	if (!buf)
		return -ENOMEM;
	ret = read_full(in, buf, padded);
	buf[size] = '\0';
	if (ret) {
		free(buf);
		return ret;
	}
	free(*out);
	*out = buf;
	return 0;
}

/* pax records "LEN KEY=VALUE\n": the keys that matter here. */
static int pax_apply(struct tar_in *in, char *rec, size_t len)
{
	char *end = rec + len;

	while (rec < end) {
		char *sp, *eq, *next;
		unsigned long n = strtoul(rec, &sp, 10);

		next = rec + n;
		if (*sp != ' ' || !n || next > end || next[-1] != '\n')
			return tar_bad(in, "malformed pax header");
		next[-1] = '\0';
		eq = strchr(sp + 1, '=');
		if (!eq)
			return tar_bad(in, "malformed pax record");
		*eq++ = '\0';
		if (!strcmp(sp + 1, "path") && !(free(in->long_name), in->long_name = strdup(eq)))
			return -ENOMEM;
		if (!strcmp(sp + 1, "linkpath") && !(free(in->long_link), in->long_link = strdup(eq)))
			return -ENOMEM;
		if (!strcmp(sp + 1, "size"))
			in->pax_size = strtoll(eq, NULL, 10);
		if (!strcmp(sp + 1, "uid"))
			in->pax_uid = strtoll(eq, NULL, 10);
		if (!strcmp(sp + 1, "gid"))
			in->pax_gid = strtoll(eq, NULL, 10);
		rec = next;
	}
	return 0;
}

static int pax_record(struct tar_in *in, unsigned long long size)
{
	char *rec = NULL;
	int ret = read_blob(in, size, &rec);

	if (!ret)
		ret = pax_apply(in, rec, size);
	free(rec);
	return ret;
}

/* ustar name: prefix "/" name, unless a long name overrides it. */
static void header_names(struct tar_in *in, const uint8_t *h, struct tar_hdr *e)
{
	if (in->long_name) {
		snprintf(e->path, sizeof(e->path), "%s", in->long_name);
	} else if (!memcmp(h + 257, "ustar", 5) && h[345]) {
		snprintf(e->path, sizeof(e->path), "%.155s/%.100s",
			 (const char *)h + 345, (const char *)h);
	} else {
		snprintf(e->path, sizeof(e->path), "%.100s", (const char *)h);
	}
	if (in->long_link)
		snprintf(e->link, sizeof(e->link), "%s", in->long_link);
	else
		snprintf(e->link, sizeof(e->link), "%.100s", (const char *)h + 157);
}

static int parse_header(struct tar_in *in, const uint8_t *h, struct tar_hdr *e)
{
	unsigned long long mode;

	if (!checksum_ok(h))
		return tar_bad(in, "not a tar archive (bad header checksum)");
	if (!tar_number(h + 100, 8, &mode) || !tar_number(h + 108, 8, &e->uid) ||
	    !tar_number(h + 116, 8, &e->gid) || !tar_number(h + 124, 12, &e->size) ||
	    !tar_number(h + 329, 8, &e->major) || !tar_number(h + 337, 8, &e->minor))
		return tar_bad(in, "bad number in a tar header");
	e->mode = (uint32_t)(mode & 07777);
	e->type = (char)h[156];
	header_names(in, h, e);
	if (in->pax_size >= 0)
		e->size = (unsigned long long)in->pax_size;
	if (in->pax_uid >= 0)
		e->uid = (unsigned long long)in->pax_uid;
	if (in->pax_gid >= 0)
		e->gid = (unsigned long long)in->pax_gid;
	return 0;
}

static int spill_open(struct tar_in *in)
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

/* Copy `size` bytes of data (and the block padding) to the spill file. */
static int spill_copy(struct tar_in *in, struct bnode *n, uint64_t size)
{
	static const size_t chunk = 1 << 16;
	uint64_t left = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	uint8_t *buf = malloc(chunk);
	uint64_t at = in->spill_end;
	int ret = buf ? spill_open(in) : -ENOMEM;

	while (!ret && left) {
		size_t len = left < chunk ? (size_t)left : chunk;
		size_t keep = size < len ? (size_t)size : len;

		ret = read_full(in, buf, len);
		if (!ret && keep && pwrite(in->t->spill_fd, buf, keep, (off_t)at) != (ssize_t)keep)
			ret = diag_add(in->diag, CRAMFS_DIAG_ERROR, -EIO,
				       CRAMFS_NO_OFFSET, NULL,
				       "%s: cannot write the temporary copy", in->file);
		at += keep;
		size -= keep;
		left -= len;
	}
	free(buf);
	n->spilled = true;
	n->spill_fd = in->t->spill_fd;
	n->spill_off = in->spill_end;
	in->spill_end = at;
	return ret;
}

/* Skip an entry's data. */
static int skip_data(struct tar_in *in, unsigned long long size)
{
	uint8_t buf[TAR_BLOCK];
	int ret = 0;

	for (uint64_t b = (size + TAR_BLOCK - 1) / TAR_BLOCK; !ret && b; b--)
		ret = read_full(in, buf, TAR_BLOCK);
	return ret;
}

/* Drop "/" and "./" prefixes; false for a ".." component. */
static bool normalize(char *path)
{
	char *p = path;

	while (*p == '/' || (p[0] == '.' && (p[1] == '/' || !p[1])))
		p += p[0] == '.' ? 1 + !!p[1] : 1;
	memmove(path, p, strlen(p) + 1);
	for (p = path; *p; p += strcspn(p, "/"), p += *p == '/') {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return false;
	}
	return true;
}

static uint32_t tar_type(char t)
{
	switch (t) {
	case '0': case '\0': case '7': case '1': return CRAMFS_S_IFREG;
	case '2': return CRAMFS_S_IFLNK;
	case '3': return CRAMFS_S_IFCHR;
	case '4': return CRAMFS_S_IFBLK;
	case '5': return CRAMFS_S_IFDIR;
	case '6': return CRAMFS_S_IFIFO;
	default: return 0;
	}
}

/* A hard link shares its target's content (already in the spill file). */
static int link_content(struct tar_in *in, struct tar_hdr *e, struct bnode *n)
{
	struct bnode *src;

	if (!normalize(e->link) || !(src = bnode_find(in->t, e->link)) ||
	    !src->spilled)
		return tar_bad(in, "hard link to a file not earlier in the archive");
	n->spilled = true;
	n->spill_fd = src->spill_fd;
	n->spill_off = src->spill_off;
	n->host_size = src->host_size;
	return skip_data(in, e->size);
}

static int fill_entry(struct tar_in *in, struct tar_hdr *e, struct bnode *n)
{
	n->mode = tar_type(e->type) | e->mode;
	n->uid = (uint32_t)e->uid;
	n->gid = (uint32_t)e->gid;
	switch (e->type) {
	case '1':
		return link_content(in, e, n);
	case '2':
		n->target = strdup(e->link);
		n->host_size = strlen(e->link);
		return n->target ? skip_data(in, e->size) : -ENOMEM;
	case '3': case '4':
		n->host_size = makedev(e->major, e->minor);
		return skip_data(in, e->size);
	case '5': case '6':
		return skip_data(in, e->size);
	default:
		n->host_size = e->size;
		return spill_copy(in, n, e->size);
	}
}

static int add_entry(struct tar_in *in, struct tar_hdr *e)
{
	struct bnode *n;
	int err = 0;

	if (!tar_type(e->type)) {
		diag_warn(in->diag, in->pos, e->path,
			  "tar entry type '%c' not supported: skipped", e->type);
		return skip_data(in, e->size);
	}
	if (!normalize(e->path)) {
		diag_corrupt(in->diag, in->pos, e->path,
			     "name with a \"..\" component: refused");
		return skip_data(in, e->size);
	}
	if (!*e->path && e->type != '5')
		return tar_bad(in, "the root is not a directory");
	n = bnode_at(in->t, e->path, &err);
	if (!n)
		return err == -ENOMEM ? err : tar_bad(in, "a parent is not a directory");
	if (n->mode && !(bnode_is_dir(n) && e->type == '5'))
		bnode_reset(n);		/* a later entry replaces an earlier one */
	return fill_entry(in, e, n);
}

static void clear_overrides(struct tar_in *in)
{
	free(in->long_name);
	free(in->long_link);
	in->long_name = in->long_link = NULL;
	in->pax_size = in->pax_uid = in->pax_gid = -1;
}

/* One header block: a record for the next entry, or an entry. */
static int tar_step(struct tar_in *in, const uint8_t *h, struct tar_hdr *e)
{
	int ret = parse_header(in, h, e);

	if (ret)
		return ret;
	switch (e->type) {
	case 'L':
		return read_blob(in, e->size, &in->long_name);
	case 'K':
		return read_blob(in, e->size, &in->long_link);
	case 'x':
		return pax_record(in, e->size);
	case 'g':
		return skip_data(in, e->size);
	default:
		ret = add_entry(in, e);
		clear_overrides(in);
		return ret;
	}
}

static bool all_zero_block(const uint8_t *h)
{
	for (unsigned i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

int cramfs_tree_add_tar(struct cramfs_tree *t, const char *path,
			struct cramfs_diag *diag)
{
	struct tar_in in = { .t = t, .diag = diag, .file = path };
	struct tar_hdr *e = malloc(sizeof(*e));
	uint8_t h[TAR_BLOCK];
	size_t errors = cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR);
	int ret = e ? 0 : -ENOMEM;

	clear_overrides(&in);
	in.fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (in.fd < 0)
		ret = diag_add(diag, CRAMFS_DIAG_ERROR, -errno, CRAMFS_NO_OFFSET,
			       NULL, "%s: cannot open: %s", path, strerror(errno));
	while (!ret && !(ret = read_full(&in, h, sizeof(h))) && !all_zero_block(h))
		ret = tar_step(&in, h, e);
	if (in.fd > STDIN_FILENO)
		close(in.fd);
	clear_overrides(&in);
	free(e);
	if (!ret && cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR) > errors)
		ret = -EUCLEAN;
	return ret;
}
