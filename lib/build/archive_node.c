// SPDX-License-Identifier: MIT
/*
 * Archive entries into tree nodes: names made relative (no "." or ".."), types,
 * owners, device numbers, symlink targets, hard links; what cramfs cannot
 * hold gets one warning per entry, counted in the tree's `lossy` so that a
 * strict build refuses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "archive_in.h"
#include "archive_lib.h"

/*
 * An archive's name made an image path (names.c): the harmless spellings
 * tar and cpio write ("./a", "/abs", "a//b", "dir/") are taken as they
 * mean; a "." or ".." component is refused.  NULL, or why refused.
 */
static const char *normalize(char *path)
{
	return build_path_clean(path, BUILD_PATH_DOT_PREFIX);
}

static uint32_t entry_type(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return CRAMFS_S_IFREG;
	case AE_IFDIR: return CRAMFS_S_IFDIR;
	case AE_IFLNK: return CRAMFS_S_IFLNK;
	case AE_IFCHR: return CRAMFS_S_IFCHR;
	case AE_IFBLK: return CRAMFS_S_IFBLK;
	case AE_IFIFO: return CRAMFS_S_IFIFO;
	case AE_IFSOCK: return CRAMFS_S_IFSOCK;
	default: return 0;
	}
}

/* An entry cramfs cannot hold as it is: a warning, counted for --strict. */
static void lossy(struct ar_in *in, const char *path, const char *what)
{
	in->t->lossy++;
	diag_warn(in->diag, CRAMFS_NO_OFFSET, path, "%s: %s", in->file, what);
}

/* Extended attributes and ACLs have no place in cramfs: one warning. */
static void check_extras(struct ar_in *in, struct archive_entry *e,
			 const char *path)
{
	int xattrs = archive_entry_xattr_count(e);
	int acls = archive_entry_acl_count(e, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E |
						  ARCHIVE_ENTRY_ACL_TYPE_NFS4);
	char what[160];

	if (xattrs <= 0 && acls <= 0)
		return;
	snprintf(what, sizeof(what), "%s%s%s not stored (cramfs has neither)",
		 xattrs > 0 ? "extended attributes" : "",
		 xattrs > 0 && acls > 0 ? " and " : "", acls > 0 ? "an ACL" : "");
	lossy(in, path, what);
}

static uint32_t clamp_id(la_int64_t id)
{
	/* Out of range stays out of range, so the limits pass warns. */
	return id < 0 ? 0 : id > UINT32_MAX ? UINT32_MAX : (uint32_t)id;
}

static void set_meta(struct bnode *n, struct archive_entry *e, uint32_t type)
{
	n->mode = type | (archive_entry_perm(e) & 07777);
	n->uid = clamp_id(archive_entry_uid(e));
	n->gid = clamp_id(archive_entry_gid(e));
}

/* The node for `path`, emptied unless a directory entry meets a directory. */
static int node_for(struct ar_in *in, const char *path, uint32_t type,
		    struct bnode **out)
{
	int err = 0;
	struct bnode *n = bnode_at(in->t, path, &err);

	if (!n)
		return err == -ENOMEM ? err :
		       diag_add(in->diag, CRAMFS_DIAG_ERROR, -EUCLEAN,
				CRAMFS_NO_OFFSET, path, "%s: %s", in->file,
				err == -EINVAL ? "bad name" :
				"a parent is not a directory");
	/* A later entry replaces an earlier one, as tar extracts them. */
	if (n->mode && !(bnode_is_dir(n) && type == CRAMFS_S_IFDIR))
		bnode_reset(n);
	*out = n;
	return 0;
}

static int fill_node(struct ar_in *in, struct archive_entry *e,
		     struct bnode *n, uint32_t type)
{
	const char *target;

	set_meta(n, e, type);
	switch (type) {
	case CRAMFS_S_IFREG:
		return ar_spill_entry(in, e, n);
	case CRAMFS_S_IFLNK:
		target = archive_entry_symlink(e);
		n->target = strdup(target ? target : "");
		if (!n->target)
			return -ENOMEM;
		n->host_size = strlen(n->target);
		return 0;
	case CRAMFS_S_IFCHR:
	case CRAMFS_S_IFBLK:
		n->host_size = makedev(archive_entry_rdevmajor(e),
				       archive_entry_rdevminor(e));
		return 0;
	default:
		return 0;
	}
}

/* What a hard link copies from its target: everything but the name. */
struct content {
	uint32_t type;
	uint64_t host_size;
	bool spilled;
	int spill_fd;
	uint64_t spill_off;
	char *target;
};

static int content_get(const struct bnode *src, struct content *c)
{
	*c = (struct content){ .type = src->mode & CRAMFS_S_IFMT,
		.host_size = src->host_size, .spilled = src->spilled,
		.spill_fd = src->spill_fd, .spill_off = src->spill_off };
	if (src->target && !(c->target = strdup(src->target)))
		return -ENOMEM;
	return 0;
}

static int content_put(struct bnode *n, const struct content *c)
{
	n->host_size = c->host_size;
	n->spilled = c->spilled;
	n->spill_fd = c->spill_fd;
	n->spill_off = c->spill_off;
	free(n->target);
	n->target = NULL;
	if (c->target && !(n->target = strdup(c->target)))
		return -ENOMEM;
	return 0;
}

/*
 * cpio (newc) stores a file's data with the last of its links; the earlier
 * ones come first, empty.  When a link brings data, those placeholders (the
 * target, and links to it seen so far, still empty files) get it too.
 */
static void fill_placeholders(struct ar_in *in, const char *target,
			      const struct bnode *from)
{
	struct content c = { .host_size = from->host_size, .spilled = true,
			     .spill_fd = from->spill_fd,
			     .spill_off = from->spill_off };

	for (size_t i = 0; i <= in->nlinks; i++) {
		const char *p = i < in->nlinks ? in->links[i].path : target;
		struct bnode *n;

		if (i < in->nlinks && strcmp(in->links[i].target, target))
			continue;
		n = bnode_find(in->t, p);
		if (n && n != from && cramfs_is_type(n->mode, CRAMFS_S_IFREG) &&
		    !n->host_size)
			content_put(n, &c);	/* no strings: cannot fail */
	}
}

static int remember_link(struct ar_in *in, const char *path, const char *target)
{
	struct ar_link l = { strdup(path), strdup(target) };

	if (l.path && l.target && in->nlinks == in->links_cap) {
		size_t cap = in->links_cap ? 2 * in->links_cap : 16;
		struct ar_link *grown = realloc(in->links, cap * sizeof(*grown));

		if (grown) {
			in->links = grown;
			in->links_cap = cap;
		}
	}
	if (!l.path || !l.target || in->nlinks == in->links_cap) {
		free(l.path);
		free(l.target);
		return -ENOMEM;
	}
	in->links[in->nlinks++] = l;
	return 0;
}

/* The entry's own data, or a copy of its target's (cramfs has no links). */
static int link_fill(struct ar_in *in, struct archive_entry *e,
		     struct bnode *n, const struct content *c,
		     const char *target)
{
	set_meta(n, e, c->type);
	if (c->type == CRAMFS_S_IFREG && archive_entry_size(e) > 0) {
		int ret = ar_spill_entry(in, e, n);

		if (!ret)
			fill_placeholders(in, target, n);
		return ret;
	}
	return content_put(n, c);
}

/* The target of a hard link, if it is a non-directory already read. */
static struct bnode *link_source(struct ar_in *in, const char *path,
				 char *target)
{
	const char *why = normalize(target);
	struct bnode *src;

	if (why) {
		diag_corrupt(in->diag, CRAMFS_NO_OFFSET, path,
			     "%s: hard link to a name with %s: refused",
			     in->file, why);
		return NULL;
	}
	src = bnode_find(in->t, target);
	if (!src || !src->mode || bnode_is_dir(src)) {
		lossy(in, path, "hard link to an entry not earlier in the archive: left out");
		return NULL;
	}
	return src;
}

static int add_link(struct ar_in *in, struct archive_entry *e, const char *path)
{
	char *target = strdup(archive_entry_hardlink(e));
	struct bnode *src = target ? link_source(in, path, target) : NULL;
	struct content c = { 0 };
	struct bnode *n;
	int ret;

	if (!src) {
		free(target);
		return target ? 0 : -ENOMEM;
	}
	/* Copied first: making the link's node may replace the target. */
	ret = content_get(src, &c);
	if (!ret)
		ret = node_for(in, path, c.type, &n);
	if (!ret)
		ret = link_fill(in, e, n, &c, target);
	if (!ret)
		ret = remember_link(in, path, target);
	free(c.target);
	free(target);
	return ret;
}

static int add_node(struct ar_in *in, struct archive_entry *e, const char *path)
{
	uint32_t type = entry_type(e);
	struct bnode *n;
	int ret;

	if (!type) {
		lossy(in, path, "entry of a type cramfs cannot hold: left out");
		return 0;
	}
	if (!*path && type != CRAMFS_S_IFDIR)
		return diag_add(in->diag, CRAMFS_DIAG_ERROR, -EUCLEAN,
				CRAMFS_NO_OFFSET, NULL,
				"%s: the root is not a directory", in->file);
	ret = node_for(in, path, type, &n);
	return ret ? ret : fill_node(in, e, n, type);
}

int ar_add_entry(struct ar_in *in, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e), *why;
	char *path = name ? strdup(name) : NULL;
	int ret = 0;

	if (!name)
		return ar_error(in, -EUCLEAN, "an entry without a name");
	if (!path)
		return -ENOMEM;
	/*
	 * An error, not a warning: the rest of the archive is still read, so
	 * that every bad name is named, but the build fails (with or without
	 * --strict, which is about what cramfs cannot hold, not about names
	 * no image may have).
	 */
	why = normalize(path);
	if (why) {
		diag_corrupt(in->diag, CRAMFS_NO_OFFSET, name,
			     "%s: name with %s: refused", in->file, why);
		free(path);
		return 0;
	}
	check_extras(in, e, path);
	if (archive_entry_hardlink(e))
		ret = add_link(in, e, path);
	else
		ret = add_node(in, e, path);
	free(path);
	return ret;
}
