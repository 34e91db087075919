// SPDX-License-Identifier: MIT
/* Scanning host directories into the entry tree (lstat; no link followed). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct scan {
	struct cramfs_tree *t;
	struct cramfs_diag *diag;
};

static int scan_dir(struct scan *s, struct bnode *dir, const char *path);

static int scan_fail(struct scan *s, const char *path, int err,
		     const char *what)
{
	/* Host paths go into the text; diag paths are paths in the image. */
	return diag_add(s->diag, CRAMFS_DIAG_ERROR, err, CRAMFS_NO_OFFSET, NULL,
			"%s: %s: %s", path, what, strerror(-err));
}

static void set_meta(struct bnode *n, const struct stat *st)
{
	n->mode = st->st_mode & 0xFFFFu;
	n->uid = st->st_uid;
	n->gid = st->st_gid;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		n->host_size = st->st_rdev;
	else if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
		n->host_size = (uint64_t)st->st_size;
	else
		n->host_size = 0;
}

static int fill_node(struct scan *s, struct bnode *n, const char *path,
		     const struct stat *st)
{
	char target[PATH_MAX + 1];
	ssize_t len;

	free(n->host_path);
	free(n->target);
	n->host_path = n->target = NULL;
	set_meta(n, st);
	if (S_ISREG(st->st_mode)) {
		n->host_path = strdup(path);
		return n->host_path ? 0 : -ENOMEM;
	}
	if (!S_ISLNK(st->st_mode))
		return 0;
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return scan_fail(s, path, -errno, "cannot read symlink");
	target[len] = '\0';
	n->host_size = (uint64_t)len;
	n->target = strdup(target);
	return n->target ? 0 : -ENOMEM;
}

static void release_kids(struct bnode *n)
{
	for (uint32_t i = 0; i < n->nkids; i++) {
		bnode_release(n->kids[i]);
		free(n->kids[i]);
	}
	n->nkids = 0;
	bnode_index_drop(n);
	n->unsorted = false;
}

static bool is_left_out(const struct cramfs_tree *t, const struct stat *st)
{
	return t->leave_out && S_ISREG(st->st_mode) &&
	       (uint64_t)st->st_dev == t->leave_dev &&
	       (uint64_t)st->st_ino == t->leave_ino;
}

int cramfs_tree_leave_out(struct cramfs_tree *t, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	t->leave_out = true;
	t->leave_dev = (uint64_t)st.st_dev;
	t->leave_ino = (uint64_t)st.st_ino;
	return 0;
}

/* Add or merge host entry `name` of `dir` (kids[0..old) are sorted). */
static int scan_entry(struct scan *s, struct bnode *dir, uint32_t old,
		      const char *path, const char *name)
{
	struct bnode key = { .name = (char *)name }, *kp = &key, **hit, *n;
	struct stat st;
	int ret;

	if (lstat(path, &st))
		return scan_fail(s, path, -errno, "cannot stat");
	if (is_left_out(s->t, &st)) {
		diag_warn(s->diag, CRAMFS_NO_OFFSET, NULL,
			  "%s: the output image is inside the source: left out",
			  path);
		return 0;
	}
	hit = old ? bsearch(&kp, dir->kids, old, sizeof(*dir->kids),
			    bnode_name_cmp) : NULL;
	n = hit ? *hit : calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (hit && !(bnode_is_dir(n) && S_ISDIR(st.st_mode))) {
		diag_warn(s->diag, CRAMFS_NO_OFFSET, NULL,
			  "%s: replaces an entry of the same name from an earlier source",
			  path);
		release_kids(n);
	}
	if (!hit) {
		n->name = strdup(name);
		n->name_len = (uint32_t)strlen(name);
		if (!n->name || bnode_add_kid(dir, n)) {
			free(n->name);
			free(n);
			return -ENOMEM;
		}
	}
	ret = fill_node(s, n, path, &st);
	if (!ret && S_ISDIR(st.st_mode))
		ret = scan_dir(s, n, path);
	return ret;
}

static int scan_dir(struct scan *s, struct bnode *dir, const char *path)
{
	uint32_t old = dir->nkids;
	DIR *d = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return scan_fail(s, path, -errno, "cannot read directory");
	while (!ret && (errno = 0, de = readdir(d)) != NULL) {
		const char *why;
		char *sub = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* The kernel never lists others; a FUSE server might try. */
		why = build_name_bad(de->d_name, strlen(de->d_name));
		if (why) {
			ret = diag_add(s->diag, CRAMFS_DIAG_ERROR, -EUCLEAN,
				       CRAMFS_NO_OFFSET, NULL, "%s: %s listed: %s",
				       path, de->d_name, why);
			break;
		}
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			ret = -ENOMEM;
		else
			ret = scan_entry(s, dir, old, sub, de->d_name);
		free(sub);
	}
	if (!ret && errno)
		ret = scan_fail(s, path, -errno, "cannot read directory");
	closedir(d);
	if (dir->nkids > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(dir->kids, dir->nkids, sizeof(*dir->kids), bnode_name_cmp);
	return ret;
}

int cramfs_tree_add_dir(struct cramfs_tree *t, const char *dir,
			struct cramfs_diag *diag)
{
	struct scan s = { t, diag };
	struct stat st;

	if (stat(dir, &st))
		return scan_fail(&s, dir, -errno, "cannot read source");
	if (!S_ISDIR(st.st_mode))
		return scan_fail(&s, dir, -ENOTDIR, "source is not a directory");
	set_meta(&t->root, &st);
	t->root.host_size = 0;
	return scan_dir(&s, &t->root, dir);
}
