// SPDX-License-Identifier: MIT
/* Creating the entries of an extraction (see extract_internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "extract_internal.h"
#include "shared.h"

#define WRITE_CHUNK (256u * 1024u)

static const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };

int extract_fail(struct extract_ctx *x, const char *path, int err,
		 const char *what)
{
	int none = 0;

	if (err == -EUCLEAN) {
		atomic_fetch_add(&x->corrupt, 1);
	} else {
		atomic_fetch_add(&x->failed, 1);
		atomic_compare_exchange_strong(&x->first_err, &none, err);
	}
	/* Only make_room refuses with EEXIST: the entry is in the way. */
	if (err == -EEXIST)
		atomic_fetch_add(&x->existing, 1);
	return diag_add(x->diag, CRAMFS_DIAG_ERROR, err, CRAMFS_NO_OFFSET, path,
			"%s: %s", what, cramfs_strerror(err));
}

/* Make room for `name` when overwriting is allowed (never a directory). */
static int make_room(struct extract_ctx *x, int dirfd, const char *name)
{
	struct stat st;

	if (!x->opts->overwrite)
		return -EEXIST;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return unlinkat(dirfd, name, 0) ? -errno : 0;
}

static void apply_owner_at(struct extract_ctx *x, int dirfd, const char *name,
			   const struct cramfs_node *n, const char *path)
{
	if (!x->owners)
		return;
	if (fchownat(dirfd, name, n->inode.uid, n->inode.gid,
		     AT_SYMLINK_NOFOLLOW))
		extract_fail(x, path, -errno, "cannot set owner");
}

/* ---- regular files: opened here, filled by a worker ---- */

struct file_job {
	struct extract_ctx *x;
	struct xdir *dir;	/* a reference, dropped when done */
	struct cramfs_node node;
	int fd;
	char path[];
};

struct xdir *xdir_new(int fd, const struct cramfs_node *n, const char *path,
		      bool apply)
{
	size_t plen = strlen(path) + 1;
	struct xdir *d = malloc(sizeof(*d) + plen);

	if (!d)
		return NULL;
	d->fd = fd;
	atomic_init(&d->refs, 1);
	d->apply = apply;
	d->node = *n;
	memcpy(d->path, path, plen);
	return d;
}

void xdir_get(struct xdir *d)
{
	atomic_fetch_add(&d->refs, 1);
}

void xdir_put(struct extract_ctx *x, struct xdir *d)
{
	if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	if (d->apply)
		extract_dir_done(x, d->fd, &d->node, d->path);
	close(d->fd);
	free(d);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* A short write (full disk, RLIMIT_FSIZE) is retried to learn its errno. */
static int write_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Write `len` bytes that belong at file offset `off` (a multiple of the
 * block size), leaving every block of zeros out: holes in the image and
 * blocks that inflate to zeros alike, as tar --sparse does.  *end is where
 * the written data ends.
 */
static int write_sparse(int fd, const uint8_t *buf, size_t len, uint64_t off,
			uint32_t bs, uint64_t *end)
{
	size_t i = 0, start;
	bool zero;
	int ret;

	while (i < len) {
		/* One run of zero blocks, or of the others. */
		start = i;
		zero = all_zero(buf + i, len - i < bs ? len - i : bs);
		do
			i += len - i < bs ? len - i : bs;
		while (i < len &&
		       all_zero(buf + i, len - i < bs ? len - i : bs) == zero);
		if (zero)
			continue;
		ret = write_all(fd, buf + start, i - start, off + start);
		if (ret)
			return ret;
		*end = off + i;
	}
	return 0;
}

static int fill_file(struct file_job *j, uint8_t *buf)
{
	struct cramfs_file *f = NULL;
	uint64_t off = 0, end = 0, size = j->node.inode.size;
	int ret = cramfs_file_open_path(j->x->img, &j->node, j->path,
					j->x->diag, &f);

	while (!ret && off < size) {
		size_t want = size - off < WRITE_CHUNK ? size - off : WRITE_CHUNK;
		long got = cramfs_file_pread(f, buf, want, off);

		if (got <= 0) {
			ret = got < 0 ? (int)got : -EUCLEAN;
			break;
		}
		ret = write_sparse(j->fd, buf, (size_t)got, off,
				   j->x->block_size, &end);
		off += (uint64_t)got;
	}
	cramfs_file_close(f);
	/* Trailing holes: the length (of what could be read, if corrupt). */
	if ((!ret || ret == -EUCLEAN) && end < off &&
	    ftruncate(j->fd, (off_t)off))
		ret = -errno;
	if (!ret)
		atomic_fetch_add(&j->x->bytes_written, size);
	return ret;
}

static int open_new(struct extract_ctx *x, int dirfd, const char *name);

/* Owner, mode and the epoch time: what marks a file as complete. */
static void finish_file(struct file_job *j)
{
	struct extract_ctx *x = j->x;

	/* A new file is already ours: skip the syscall when that is right. */
	if (x->owners && (j->node.inode.uid != x->euid ||
			  j->node.inode.gid != x->egid) &&
	    fchown(j->fd, j->node.inode.uid, j->node.inode.gid))
		extract_fail(x, j->path, -errno, "cannot set owner");
	/* After chown, which clears set-id bits. */
	if (fchmod(j->fd, j->node.inode.mode & 07777))
		extract_fail(x, j->path, -errno, "cannot set mode");
	futimens(j->fd, epoch);
}

/*
 * A file that could not be written completely (full disk, RLIMIT_FSIZE,
 * I/O error) is removed: left truncated it might pass for complete.  Only
 * this job ever creates the name (see extract_internal.h), so removing it
 * removes what the job created.
 */
static void drop_partial(struct file_job *j, int err)
{
	if (!unlinkat(j->dir->fd, j->node.name, 0)) {
		extract_fail(j->x, j->path, err,
			     "cannot write (the partial file was removed)");
		return;
	}
	extract_fail(j->x, j->path, err,
		     "cannot write (and the partial file, mode 0600 and not of the epoch, could not be removed)");
}

static void file_job_run(void *arg)
{
	struct file_job *j = arg;
	struct extract_ctx *x = j->x;
	uint8_t *buf;
	int ret;

	j->fd = open_new(x, j->dir->fd, j->node.name);
	if (j->fd < 0) {
		extract_fail(x, j->path, j->fd, "cannot create file");
		goto out;
	}
	buf = malloc(WRITE_CHUNK);
	ret = buf ? fill_file(j, buf) : -ENOMEM;
	free(buf);
	/* Corrupt data: what could be read stays, the error names it. */
	if (ret == -EUCLEAN)
		atomic_fetch_add(&x->corrupt, 1);	/* detail is in diag */
	if (!ret || ret == -EUCLEAN)
		finish_file(j);
	/* Write-back errors may show only here (NFS, quotas). */
	if (close(j->fd) && errno != EINTR && !ret)
		ret = -errno;
	if (ret && ret != -EUCLEAN)
		drop_partial(j, ret);
out:
	xdir_put(x, j->dir);
	free(j);
}

static int open_new(struct extract_ctx *x, int dirfd, const char *name)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags, 0600);
	int ret;

	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	ret = make_room(x, dirfd, name);
	if (ret)
		return ret;
	fd = openat(dirfd, name, flags, 0600);
	return fd >= 0 ? fd : -errno;
}

int extract_file(struct extract_ctx *x, struct xdir *dir,
		 const struct cramfs_node *n, const char *path)
{
	size_t plen = strlen(path) + 1;
	struct file_job *j = malloc(sizeof(*j) + plen);

	if (!j)
		return -ENOMEM;
	j->x = x;
	j->dir = dir;
	j->node = *n;
	j->fd = -1;
	memcpy(j->path, path, plen);
	xdir_get(dir);
	return tpool_submit(x->pool, file_job_run, j);
}

/* ---- symlinks, devices, fifos, sockets ---- */

int extract_symlink(struct extract_ctx *x, int dirfd,
		    const struct cramfs_node *n, const char *path)
{
	char target[CRAMFS_MAX_BLOCK_SIZE + 1];
	long len = cramfs_readlink(x->img, n, NULL, target, sizeof(target));
	int ret;

	if (len == -EUCLEAN)
		return extract_fail(x, path, -EUCLEAN,
				    "symlink target unreadable (corrupt data or a NUL byte)");
	if (len < 0)
		return extract_fail(x, path, (int)len, "cannot read symlink");
	/*
	 * Created whatever the target, as util-linux's fsck.cramfs and
	 * unsquashfs do, even one that climbs above the image root: nothing
	 * here resolves through a link (every directory is opened with
	 * O_NOFOLLOW, every file created O_EXCL | O_NOFOLLOW), so a link can
	 * only mislead whoever follows it later, as it would on the device.
	 */
	ret = symlinkat(target, dirfd, n->name) ? -errno : 0;
	if (ret == -EEXIST) {
		ret = make_room(x, dirfd, n->name);
		if (!ret)
			ret = symlinkat(target, dirfd, n->name) ? -errno : 0;
	}
	if (ret)
		return extract_fail(x, path, ret, "cannot create symlink");
	apply_owner_at(x, dirfd, n->name, n, path);
	utimensat(dirfd, n->name, epoch, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int special_mknod(int dirfd, const struct cramfs_node *n)
{
	mode_t mode = n->inode.mode & 07777;
	unsigned maj, min;

	switch (n->inode.mode & CRAMFS_S_IFMT) {
	case CRAMFS_S_IFCHR:
	case CRAMFS_S_IFBLK:
		cramfs_rdev_split(n->inode.size, &maj, &min);
		mode |= cramfs_is_type(n->inode.mode, CRAMFS_S_IFCHR) ? S_IFCHR
								     : S_IFBLK;
		return mknodat(dirfd, n->name, mode, makedev(maj, min)) ? -errno : 0;
	case CRAMFS_S_IFSOCK:
		return mknodat(dirfd, n->name, mode | S_IFSOCK, 0) ? -errno : 0;
	default:
		return mkfifoat(dirfd, n->name, mode) ? -errno : 0;
	}
}

int extract_special(struct extract_ctx *x, int dirfd,
		    const struct cramfs_node *n, const char *path)
{
	bool dev = cramfs_is_type(n->inode.mode, CRAMFS_S_IFCHR) ||
		   cramfs_is_type(n->inode.mode, CRAMFS_S_IFBLK);
	int ret;

	if (dev && !x->owners)
		return 0;	/* listed in the manifest instead */
	ret = special_mknod(dirfd, n);
	if (ret == -EEXIST) {
		ret = make_room(x, dirfd, n->name);
		if (!ret)
			ret = special_mknod(dirfd, n);
	}
	if (ret)
		return extract_fail(x, path, ret, "cannot create special file");
	apply_owner_at(x, dirfd, n->name, n, path);
	/* mknod applies the umask; the node is not a symlink, so chmod is safe. */
	if (fchmodat(dirfd, n->name, n->inode.mode & 07777, 0))
		extract_fail(x, path, -errno, "cannot set mode");
	utimensat(dirfd, n->name, epoch, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* ---- directories ---- */

int extract_mkdir(struct extract_ctx *x, int dirfd, const char *name,
		  const char *path)
{
	int fd;

	/* Owner-only until its contents are in; the real mode comes last. */
	if (mkdirat(dirfd, name, 0700) && errno != EEXIST)
		return extract_fail(x, path, -errno, "cannot create directory");
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) &&
	    !make_room(x, dirfd, name)) {
		if (mkdirat(dirfd, name, 0700))
			return extract_fail(x, path, -errno, "cannot create directory");
		fd = openat(dirfd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return extract_fail(x, path, errno == ELOOP ? -ENOTDIR : -errno,
				    "cannot enter directory (an existing non-directory or symlink is in the way)");
	return fd;
}

void extract_dir_done(struct extract_ctx *x, int fd,
		      const struct cramfs_node *n, const char *path)
{
	if (x->owners && fchown(fd, n->inode.uid, n->inode.gid))
		extract_fail(x, path, -errno, "cannot set owner");
	if (fchmod(fd, n->inode.mode & 07777))
		extract_fail(x, path, -errno, "cannot set mode");
	futimens(fd, epoch);
}
