// SPDX-License-Identifier: MIT
/*
 * cramfs_build(): limits, deduplication, layout, then the image into a
 * temporary file beside the output, put in place only when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "write.h"

int writer_fail(struct writer *w, int err, const char *what)
{
	if (w->write_err)
		return w->write_err;
	w->write_err = err;
	return diag_add(w->diag, CRAMFS_DIAG_ERROR, err, CRAMFS_NO_OFFSET, NULL,
			"cannot %s the image: %s", what, strerror(-err));
}

int writer_put(struct writer *w, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	if (w->write_err)
		return w->write_err;
	while (len) {
		ssize_t r = pwrite(w->fd, p, len, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return writer_fail(w, -errno, "write");
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* The inserted blob (-i), padded to 4 bytes, right after the superblock. */
static int write_blob(struct writer *w)
{
	const char *path = w->o->blob_path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t buf[65536];
	uint64_t at = w->start + CRAMFS_SUPER_SIZE;
	ssize_t r;
	int ret = 0;

	if (fd < 0)
		return diag_add(w->diag, CRAMFS_DIAG_ERROR, -errno, CRAMFS_NO_OFFSET,
				NULL, "%s: cannot read the file to insert: %s",
				path, strerror(errno));
	while (!ret && (r = read(fd, buf, sizeof(buf))) > 0) {
		ret = writer_put(w, buf, (size_t)r, at);
		at += (uint64_t)r;
	}
	close(fd);
	w->header_end = (at + 3) & ~3ull;
	return ret;
}

static void count_stats(struct bnode *dir, struct cramfs_tree_stats *st)
{
	for (uint32_t i = 0; i < dir->nkids; i++) {
		struct bnode *n = dir->kids[i];
		uint64_t *by_type[] = {
			['-'] = &st->files, ['d'] = &st->dirs, ['l'] = &st->symlinks,
			['c'] = &st->chrdevs, ['b'] = &st->blkdevs,
			['p'] = &st->fifos, ['s'] = &st->sockets,
		};
		char type = cramfs_type_char(n->mode);

		if (type != '?')
			(*by_type[(unsigned char)type])++;
		if (type == '-')
			st->file_bytes += n->size;
		st->entries++;
		if (n->same)
			st->shared_items++;
		else if (bnode_has_data(n))
			st->data_items++;
		if (bnode_is_dir(n))
			count_stats(n, st);
	}
}

/* The directory the output goes into ("." for a bare name). */
static char *output_dir(const char *output)
{
	char *copy = strdup(output), *dir;

	if (!copy)
		return NULL;
	dir = strdup(dirname(copy));
	free(copy);
	return dir;
}

/*
 * An unnamed file in the output's directory (same file system, so it can
 * be linked there): a build killed by any signal leaves nothing behind.
 * -EOPNOTSUPP (and what old kernels return) where O_TMPFILE is missing.
 */
static int open_unnamed(const char *output)
{
	char *dir = output_dir(output);
	int fd, err;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	err = errno;
	free(dir);
	if (fd >= 0)
		return fd;
	return err == EISDIR || err == EINVAL ? -EOPNOTSUPP : -err;
}

/* The fallback: OUTPUT.tmp.XXXXXX, announced to o->temp_file. */
static int open_named(struct writer *w, const char *output, char **tmp)
{
	if (asprintf(tmp, "%s.tmp.XXXXXX", output) < 0) {
		*tmp = NULL;
		return -ENOMEM;
	}
	w->fd = mkostemp(*tmp, O_CLOEXEC);
	if (w->fd < 0) {
		free(*tmp);
		*tmp = NULL;
		return -errno;
	}
	if (w->o->temp_file)
		w->o->temp_file(w->o->progress_ctx, *tmp);
	return 0;
}

static int open_temp(struct writer *w, const char *output, char **tmp)
{
	int ret;

	*tmp = NULL;
	w->fd = open_unnamed(output);
	ret = w->fd >= 0 ? 0 : w->fd;
	if (ret == -EOPNOTSUPP || ret == -EACCES || ret == -EPERM)
		ret = open_named(w, output, tmp);
	if (ret) {
		w->fd = -1;
		if (ret == -ENOMEM)
			return ret;
		diag_add(w->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
			 NULL, "cannot create the image: %s", strerror(-ret));
		return ret == -ENOENT ? -ENOTDIR : ret;
	}
	fchmod(w->fd, 0644);
	return 0;
}

/* Everything after the temporary file exists: blob, data, lists, super. */
static int write_image(struct writer *w, uint64_t *total)
{
	int ret = 0;

	w->header_end = w->start + CRAMFS_SUPER_SIZE;
	if (w->o->blob_path)
		ret = write_blob(w);
	if (ret)
		return ret;
	layout_dirs(w);
	ret = write_data(w);
	if (!ret)
		ret = xip_write_region(w);
	*total = (w->pos + w->bs - 1) / w->bs * w->bs;
	if (!ret && *total > UINT32_MAX)
		ret = -EFBIG;
	if (!ret && w->o->max_size && *total > w->o->max_size)
		ret = diag_add(w->diag, CRAMFS_DIAG_ERROR, -ENOSPC,
			       CRAMFS_NO_OFFSET, NULL,
			       "the image needs %llu bytes, more than the %llu allowed",
			       (unsigned long long)*total,
			       (unsigned long long)w->o->max_size);
	if (!ret && ftruncate(w->fd, (off_t)*total))
		ret = writer_fail(w, -errno, "write");
	if (!ret)
		ret = write_dirs(w);
	if (!ret)
		ret = write_super(w, *total);
	return ret;
}

/* The alignment of in-place data; -EINVAL for a bad no-MMU alignment. */
static int xip_init(struct writer *w)
{
	uint32_t a = w->o->xip.align ? w->o->xip.align : 8;

	w->xip_align = w->bs;
	/* Mainline XIP needs Linux >= 4.15, which reads raw blocks too. */
	w->raw_blocks = w->o->raw_blocks || w->o->xip.mode == CRAMFS_XIP_MMU ||
			w->o->xip.mode == CRAMFS_XIP_NOMMU;
	if (w->o->xip.mode != CRAMFS_XIP_NOMMU)
		return 0;
	/* DIRECT pointers count in 4-byte units (format.md §7.1). */
	if (a < 4 || a > w->bs || (a & (a - 1)))
		return -EINVAL;
	w->xip_align = a;
	return 0;
}

/*
 * Place the planned files in the XIP region (after deduplication: shared
 * data takes no room of its own) and hold the result against the budget
 * before anything is written.
 */
static int place_xip(struct writer *w)
{
	const struct cramfs_xip_opts *x = &w->o->xip;
	uint64_t need;

	if (x->mode == CRAMFS_XIP_OFF)
		return 0;
	xip_assign_region(w);
	need = w->region_len + w->legacy_len;
	if (x->budget && need > x->budget)
		return diag_add(w->diag, CRAMFS_DIAG_ERROR, -ENOSPC,
				CRAMFS_NO_OFFSET, NULL,
				"XIP needs %llu bytes of flash, more than the budget of %llu",
				(unsigned long long)need,
				(unsigned long long)x->budget);
	return 0;
}

static int writer_init(struct writer *w, struct cramfs_tree *t,
		       const struct cramfs_build_opts *o, struct cramfs_diag *d)
{
	memset(w, 0, sizeof(*w));
	w->t = t;
	w->o = o;
	w->diag = d;
	w->e = o->endian;
	w->bs = o->block_size ? o->block_size : 4096;
	w->kind = o->mode == CRAMFS_BUILD_UTIL_LINUX ? DEFLATER_ZLIB6 :
						       DEFLATER_LIBDEFLATE;
	w->level = o->level ? o->level : 6;
	w->start = o->pad ? CRAMFS_PAD_SIZE : 0;
	/* Before any return: cramfs_build closes and destroys these. */
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	if (w->level < 1 || w->level > 12)
		return -EINVAL;
	if (w->bs < 4096 || w->bs > 65536 || (w->bs & (w->bs - 1)))
		return -EINVAL;
	return xip_init(w);
}

static void fill_result(struct writer *w, uint64_t total, uint64_t saved,
			uint64_t warnings, struct cramfs_build_result *r)
{
	memset(r, 0, sizeof(*r));
	r->stats.dirs = 1;	/* the root */
	count_stats(&w->t->root, &r->stats);
	r->stats.blocks = w->blocks;
	r->bytes_in = w->bytes_in + saved;
	r->image_size = total;
	r->dedup_bytes = saved;
	r->warnings = warnings;
	r->crc = w->crc;
	if (w->o->xip.mode)
		r->xip = xip_report(w);
}

/* Bytes of file and symlink data the writer will read and compress. */
static int add_total(struct bnode *n, void *ctx)
{
	if (bnode_has_data(n) && !n->same)
		*(uint64_t *)ctx += n->size;
	return 0;
}

/*
 * Everything decided before a byte is written: limits (warnings; with
 * --strict they, and archive entries cramfs could not hold, stop the
 * build), the XIP plan, duplicates, the XIP region against its budget.
 */
static int prepare(struct writer *w, uint64_t *warnings, uint64_t *saved)
{
	const struct cramfs_build_opts *o = w->o;
	uint64_t collisions = 0;
	int ret;

	*warnings = limits_apply(w->t, w->diag, &collisions);
	if (collisions)
		return -EEXIST;
	if (o->strict && (*warnings || w->t->lossy))
		return -EOVERFLOW;
	ret = o->xip.mode ? xip_plan_tree(w->t, &o->xip, w->bs, w->diag) : 0;
	if (!ret)
		ret = dedup_tree(w->t, o->mode, w->diag, saved);
	if (!ret)
		ret = place_xip(w);
	if (!ret)
		bnode_walk(&w->t->root, add_total, &w->total_in);
	if (!ret && o->prepared)
		o->prepared(o->progress_ctx, w->total_in);
	return ret;
}

/*
 * Give the complete unnamed file a name beside the output, to rename over
 * it (linkat cannot replace a file).  AT_EMPTY_PATH needs
 * CAP_DAC_READ_SEARCH; /proc/self/fd/N does the same for anyone.  Only a
 * kill between this and the rename can leave the name.
 */
static int link_unnamed(struct writer *w, const char *output, char **tmp)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
	for (unsigned i = 0; i < 100; i++) {
		free(*tmp);
		if (asprintf(tmp, "%s.tmp.%ld.%u", output, (long)getpid(), i) < 0) {
			*tmp = NULL;
			return -ENOMEM;
		}
		if (!linkat(w->fd, "", AT_FDCWD, *tmp, AT_EMPTY_PATH) ||
		    !linkat(AT_FDCWD, proc, AT_FDCWD, *tmp, AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != EEXIST)
			break;
	}
	free(*tmp);
	*tmp = NULL;
	return -errno;
}

/* The temporary file complete: close it and put it in place. */
static int finish(struct writer *w, char **tmp, const char *output, int ret)
{
	bool unnamed = !*tmp;

	if (!ret && w->fd >= 0 && unnamed && (ret = link_unnamed(w, output, tmp)))
		diag_add(w->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET,
			 NULL, "cannot link the image into place: %s",
			 strerror(-ret));
	if (w->fd >= 0 && close(w->fd) && !ret)
		ret = writer_fail(w, -errno, "write");
	w->fd = -1;
	if (!ret && rename(*tmp, output))
		ret = diag_add(w->diag, CRAMFS_DIAG_ERROR, -errno,
			       CRAMFS_NO_OFFSET, NULL,
			       "cannot rename the image into place: %s",
			       strerror(errno));
	if (ret && *tmp)
		unlink(*tmp);
	if (!unnamed && w->o->temp_file)
		w->o->temp_file(w->o->progress_ctx, NULL);
	return ret;
}

int cramfs_build(struct cramfs_tree *t, const struct cramfs_build_opts *o,
		 const char *output, struct cramfs_diag *diag,
		 struct cramfs_build_result *result)
{
	struct writer w;
	uint64_t warnings = 0, saved = 0, total = 0;
	char *tmp = NULL;
	int ret = writer_init(&w, t, o, diag);

	if (!ret)
		ret = prepare(&w, &warnings, &saved);
	if (!ret)
		ret = open_temp(&w, output, &tmp);
	if (!ret)
		ret = write_image(&w, &total);
	ret = finish(&w, &tmp, output, ret);
	free(tmp);
	if (result)
		fill_result(&w, total, saved, warnings, result);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.done_cv);
	return ret;
}
