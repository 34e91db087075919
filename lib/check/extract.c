// SPDX-License-Identifier: MIT
/*
 * Extraction: one walking thread resolves and creates every name, worker
 * threads decompress and write regular files.  See extract_internal.h for
 * the safety model.
 */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract_internal.h"
#include "shared.h"

#define MAX_DEPTH 1025u

struct tree_pos {
	const struct cramfs_node *start;
	const char *base;	/* image path of `start` ("" for the root) */
	struct xdir *parent;	/* where `start` is created (a reference) */
	bool is_target;		/* `start` is the target directory itself */
	bool apply_target;	/* ... and we created it, so set its mode */
};

/* Image path of a walk entry: base joined with the walk's relative path. */
static const char *full_path(char *buf, size_t cap, const char *base,
			     const char *rel)
{
	if (!*base)
		return rel;
	if (!*rel)
		return base;
	snprintf(buf, cap, "%s/%s", base, rel);
	return buf;
}

static void report_progress(struct extract_ctx *x)
{
	if (x->opts->progress)
		x->opts->progress(x->opts->progress_ctx,
				  atomic_load(&x->bytes_written),
				  x->res->stats.file_bytes);
}

/* Open (or create) the directory for walk entry `e`; NULL on failure. */
static struct xdir *enter_dir(struct extract_ctx *x, const struct tree_pos *tp,
			      const struct cramfs_walk_entry *e,
			      const char *path, int parent)
{
	bool top = tp->is_target && !e->depth;
	int fd = top ? dup(tp->parent->fd) :
		 extract_mkdir(x, parent, e->node.name, path);
	struct xdir *d;

	if (fd < 0)
		return NULL;
	d = xdir_new(fd, &e->node, path, !top || tp->apply_target);
	if (!d)
		close(fd);
	return d;
}

int extract_admit(struct extract_ctx *x, const struct cramfs_node *n,
		  const char *path)
{
	uint64_t next = x->admitted + n->inode.size;

	if (next > x->max_output) {
		x->stopped = true;
		return diag_add(x->diag, CRAMFS_DIAG_ERROR, -EFBIG,
				CRAMFS_NO_OFFSET, path,
				"output limit of %llu bytes (%s) reached: extraction stopped, this entry and the rest are not extracted",
				(unsigned long long)x->max_output,
				x->opts->max_output ? "as given" :
				"the default: 64 times the image size plus 1 GiB");
	}
	x->admitted = next;
	if (!x->warned && next > x->warn_output) {
		x->warned = true;
		diag_warn(x->diag, CRAMFS_NO_OFFSET, path,
			  "the output passes %llu bytes, more than 16 times the image size (entries sharing data, or holes); %s",
			  (unsigned long long)x->warn_output,
			  x->max_output == CRAMFS_EXTRACT_UNLIMITED ?
			  "no limit is set" : "it stops at the output limit");
	}
	return 0;
}

/*
 * Duplicate names (issue 14, defect 6): the first entry of a name in a
 * directory wins, every later one is corrupt and not extracted, decided
 * here in walk order so that no worker's timing can change the result.
 * While a directory's names come in strcmp order (as SORTED_DIRS
 * promises, and every builder writes them), a duplicate can only be the
 * previous name.  The first name out of order makes the directory keep
 * a search tree of its names (glibc's red-black tree: no input makes it
 * slow), filled with those before it by one more pass over its list.
 */
struct names_seen {
	bool any;
	void *tree;		/* NULL while the names are in order */
	char prev[CRAMFS_MAXNAME + 1];
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void seen_reset(struct names_seen *s)
{
	tdestroy(s->tree, free);
	s->tree = NULL;
	s->any = false;
}

/* Add `name` to the tree: 1 if it was there, 0 if added, -ENOMEM. */
static int seen_add(struct names_seen *s, const char *name)
{
	char *copy = strdup(name);
	void *got = copy ? tsearch(copy, &s->tree, name_cmp) : NULL;

	if (!got) {
		free(copy);
		return -ENOMEM;
	}
	if (*(char **)got == copy)
		return 0;
	free(copy);
	return 1;
}

/* The names of `dir`'s list before the entry at `stop` into the tree. */
static int seen_fill(struct extract_ctx *x, struct names_seen *s,
		     const struct cramfs_node *dir, uint64_t stop)
{
	struct cramfs_dir *d = NULL;
	struct cramfs_node n;
	int ret = cramfs_dir_open(x->img, dir, NULL, &d);

	/* The walk has read this list up to `stop` already: it reads again. */
	while (!ret && cramfs_dir_next(d, &n) == 1 && n.entry_offset != stop)
		ret = seen_add(s, n.name) < 0 ? -ENOMEM : 0;
	if (d)
		cramfs_dir_close(d);
	return ret == -ENOMEM ? ret : 0;
}

/* 1 when `e` repeats a name of its directory, 0 if not, or -ENOMEM. */
static int name_repeats(struct extract_ctx *x,
			const struct cramfs_walk_entry *e)
{
	struct names_seen *s = &x->seen[e->depth];
	int c = s->any ? strcmp(e->node.name, s->prev) : 1;

	if (!s->tree && c >= 0) {
		memcpy(s->prev, e->node.name, e->node.name_len + 1);
		s->any = true;
		return c == 0;
	}
	if (!s->tree && seen_fill(x, s, &x->dirs[e->depth - 1]->node,
				 e->node.entry_offset))
		return -ENOMEM;
	return seen_add(s, e->node.name);
}

static int check_name(struct extract_ctx *x, const struct cramfs_walk_entry *e,
		      const char *path)
{
	int r = e->depth ? name_repeats(x, e) : 0;

	if (r == 1)
		return extract_fail(x, path, -EUCLEAN,
				    "duplicate name: not extracted (the first entry of the name was)");
	return r;
}

/* Create one walked node; a directory goes to dirs[depth]. */
static int make_node(struct extract_ctx *x, const struct tree_pos *tp,
		     const struct cramfs_walk_entry *e, const char *path)
{
	struct xdir *pdir = e->depth ? x->dirs[e->depth - 1] : tp->parent;
	const struct cramfs_node *n = &e->node;
	int ret = check_name(x, e, path);

	if (ret)
		return ret;
	/* Before anything is counted or created: a refused entry is not. */
	if ((cramfs_is_type(n->inode.mode, CRAMFS_S_IFREG) ||
	     cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK)) &&
	    extract_admit(x, n, path))
		return -EFBIG;
	tree_stats_count(&x->res->stats, n);
	if (manifest_wants(x, n) && manifest_note(x->manifest, path, n))
		return -ENOMEM;
	switch (n->inode.mode & CRAMFS_S_IFMT) {
	case CRAMFS_S_IFDIR:
		seen_reset(&x->seen[e->depth + 1]);
		x->dirs[e->depth] = enter_dir(x, tp, e, path, pdir->fd);
		return x->dirs[e->depth] ? 0 : -EIO;
	case CRAMFS_S_IFREG:
		return extract_file(x, pdir, n, path);
	case CRAMFS_S_IFLNK:
		return extract_symlink(x, pdir->fd, n, path);
	default:
		return extract_special(x, pdir->fd, n, path);
	}
}

static void finish_dir(struct extract_ctx *x, const struct cramfs_walk_entry *e)
{
	seen_reset(&x->seen[e->depth + 1]);
	xdir_put(x, x->dirs[e->depth]);
	x->dirs[e->depth] = NULL;
}

static int extract_tree(struct extract_ctx *x, const struct tree_pos *tp)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	unsigned skip = UINT32_MAX, count = 0;
	char buf[8192];
	int ret;

	ret = cramfs_walk_open(x->img, tp->start, CRAMFS_WALK_CONTINUE |
			       CRAMFS_WALK_WANT_DIR_DONE, x->diag, &w);
	while (!ret && (ret = cramfs_walk_next(w, &e)) == 1) {
		const char *path = full_path(buf, sizeof(buf), tp->base, e.path);

		ret = 0;
		if (e.depth >= MAX_DEPTH || (skip != UINT32_MAX && e.depth > skip))
			continue;
		if (e.event == CRAMFS_WALK_DIR_DONE) {
			if (skip == e.depth)
				skip = UINT32_MAX;
			finish_dir(x, &e);
			continue;
		}
		ret = make_node(x, tp, &e, path);
		if (ret < 0 && cramfs_is_type(e.node.inode.mode, CRAMFS_S_IFDIR))
			skip = e.depth;	/* its contents have nowhere to go */
		/* Nothing else stops the walk: the other entries can go on. */
		ret = ret == -ENOMEM || ret == -EFBIG ? ret : 0;
		if (++count % 256 == 0)
			report_progress(x);
	}
	cramfs_walk_close(w);
	/* A walk cut short leaves directories the walker still holds. */
	for (unsigned i = 0; i < MAX_DEPTH; i++) {
		xdir_put(x, x->dirs[i]);
		x->dirs[i] = NULL;
		seen_reset(&x->seen[i + 1]);
	}
	return ret < 0 ? ret : 0;
}

/* Extract tp->start into directory `fd` (borrowed). */
static int tree_in(struct extract_ctx *x, struct tree_pos *tp, int fd)
{
	struct cramfs_node none = { 0 };
	int dfd = dup(fd);
	int ret;

	if (dfd < 0)
		return -errno;
	tp->parent = xdir_new(dfd, &none, "", false);
	if (!tp->parent) {
		close(dfd);
		return -ENOMEM;
	}
	ret = extract_tree(x, tp);
	xdir_put(x, tp->parent);
	return ret;
}

struct chain {
	int *fds;	/* fds[i]: directory of the first i+1 components */
	unsigned n;
};

/* Create and open the directories leading to `path` (not `path` itself). */
static int open_chain(struct extract_ctx *x, int target, const char *path,
		      struct chain *c)
{
	char prefix[8192];
	unsigned slashes = 0;
	int fd = target;

	for (const char *p = path; *p; p++)
		slashes += *p == '/';
	c->n = 0;
	c->fds = malloc((slashes + 1) * sizeof(*c->fds));
	if (!c->fds)
		return -ENOMEM;
	for (const char *p = path; p[strcspn(p, "/")];) {
		size_t len = strcspn(p, "/");

		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p + len - path),
			 path);
		fd = extract_mkdir(x, fd, prefix + (p - path), prefix);
		if (fd < 0)
			return fd;
		c->fds[c->n++] = fd;
		p += len + 1;
	}
	return 0;
}

/* Give the leading directories their image modes, deepest first. */
static void close_chain(struct extract_ctx *x, const char *path,
			struct chain *c)
{
	char prefix[8192];
	struct cramfs_node node;

	while (c->n) {
		const char *end = path;
		unsigned i = --c->n;

		for (unsigned k = 0; k <= i; k++)
			end += strcspn(end, "/") + (k < i);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(end - path), path);
		if (!cramfs_lookup(x->img, prefix, NULL, &node))
			extract_dir_done(x, c->fds[i], &node, prefix);
		close(c->fds[i]);
	}
	free(c->fds);
}

/* "/a//b/" -> "a/b": one slash between components, none around. */
static const char *normalize_path(const char *path, char *norm, size_t cap)
{
	size_t len = 0;

	for (const char *p = path; *p && len + 1 < cap; p++) {
		if (*p != '/' || (len && norm[len - 1] != '/'))
			norm[len++] = *p;
	}
	while (len && norm[len - 1] == '/')
		len--;
	norm[len] = '\0';
	return norm;
}

/*
 * When PATHs are given and none of them is in the image there is nothing
 * to extract: each is reported and the target is not even created, so a
 * mistyped path leaves no empty directory behind.
 */
static bool no_path_present(struct extract_ctx *x)
{
	const struct cramfs_extract_opts *o = x->opts;
	struct cramfs_node node;
	char norm[8192];

	if (!o->npaths)
		return false;
	for (unsigned i = 0; i < o->npaths; i++) {
		normalize_path(o->paths[i], norm, sizeof(norm));
		if (cramfs_lookup(x->img, norm, NULL, &node) != -ENOENT)
			return false;
	}
	for (unsigned i = 0; i < o->npaths; i++) {
		x->missing++;
		diag_add(x->diag, CRAMFS_DIAG_ERROR, -ENOENT, CRAMFS_NO_OFFSET,
			 normalize_path(o->paths[i], norm, sizeof(norm)),
			 "not in the image");
	}
	return true;
}

static int extract_path(struct extract_ctx *x, int target, const char *path)
{
	struct cramfs_node node;
	struct tree_pos tp = { &node, path, NULL, false, false };
	struct chain c = { NULL, 0 };
	char norm[8192];
	int ret;

	path = normalize_path(path, norm, sizeof(norm));
	tp.base = path;
	ret = cramfs_lookup(x->img, path, x->diag, &node);
	if (ret == -ENOENT && ++x->missing)
		return diag_add(x->diag, CRAMFS_DIAG_ERROR, -ENOENT,
				CRAMFS_NO_OFFSET, path, "not in the image");
	if (ret)
		return ret;
	tp.is_target = !*path;
	if (!tp.is_target)
		ret = open_chain(x, target, path, &c);
	if (!ret)
		ret = tree_in(x, &tp, c.n ? c.fds[c.n - 1] : target);
	close_chain(x, path, &c);
	return ret;
}

/* -ENOENT means "not in the image" to callers; a missing parent is not. */
static int target_err(int err)
{
	return err == ENOENT ? -ENOTDIR : -err;
}

static int open_target(struct extract_ctx *x, bool *created)
{
	const char *dir = x->opts->target_dir;
	int fd;

	*created = !mkdir(dir, 0777);	/* umask applies, as with tar */
	if (!*created && errno != EEXIST)
		return diag_add(x->diag, CRAMFS_DIAG_ERROR, target_err(errno),
				CRAMFS_NO_OFFSET, NULL,
				"cannot create target directory %s: %s", dir,
				strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return diag_add(x->diag, CRAMFS_DIAG_ERROR, target_err(errno),
				CRAMFS_NO_OFFSET, NULL,
				"cannot open target directory %s: %s", dir,
				strerror(errno));
	return fd;
}

static int extract_all(struct extract_ctx *x, int target, bool created)
{
	const struct cramfs_extract_opts *o = x->opts;
	int ret = 0, r;

	if (!o->npaths) {
		struct cramfs_node root;
		struct tree_pos tp = { &root, "", NULL, true, created };

		cramfs_image_root(x->img, &root);
		return tree_in(x, &tp, target);
	}
	for (unsigned i = 0; i < o->npaths && !x->stopped; i++) {
		r = extract_path(x, target, o->paths[i]);
		if (r && (!ret || r == -ENOMEM || r == -EFBIG))
			ret = r;
	}
	return ret;
}

static int ctx_init(struct extract_ctx *x, struct cramfs_image *img,
		    const struct cramfs_extract_opts *o,
		    struct cramfs_extract_result *res)
{
	unsigned threads = o->threads ? o->threads : tpool_default_threads();
	struct cramfs_image_info info;

	cramfs_image_get_info(img, &info);
	x->img = img;
	x->opts = o;
	x->res = res;
	x->block_size = info.block_size;
	x->owners = o->owners < 0 ? geteuid() == 0 : o->owners;
	x->euid = geteuid();
	x->egid = getegid();
	x->max_output = o->max_output ? o->max_output :
			CRAMFS_EXTRACT_MAX_OUTPUT_DEFAULT(info.image_size);
	x->warn_output = info.image_size * 16u > (UINT64_C(256) << 20) ?
			 info.image_size * 16u : UINT64_C(256) << 20;
	res->max_output = x->max_output;
	x->dirs = calloc(MAX_DEPTH, sizeof(*x->dirs));
	x->seen = calloc(MAX_DEPTH + 1, sizeof(*x->seen));
	if (!x->dirs || !x->seen || manifest_new(&x->manifest))
		return -ENOMEM;
	return tpool_new(threads, threads * 8, &x->pool);
}

static void ctx_fini(struct extract_ctx *x)
{
	tpool_free(x->pool);
	manifest_free(x->manifest);
	free(x->dirs);
	free(x->seen);
}

static int write_manifest(struct extract_ctx *x)
{
	const char *file = x->opts->manifest_path;
	char def[4096];
	int ret;

	x->res->manifest_lines = manifest_lines(x->manifest);
	if (!x->res->manifest_lines)
		return 0;
	if (!file) {
		snprintf(def, sizeof(def), "%s.manifest", x->opts->target_dir);
		file = def;
	}
	ret = manifest_write(x->manifest, file);
	if (ret)
		diag_add(x->diag, CRAMFS_DIAG_ERROR, ret, CRAMFS_NO_OFFSET, NULL,
			 "cannot write manifest %s: %s", file, strerror(-ret));
	return ret;
}

/*
 * The overall verdict.  A corrupt image wins over write failures, because
 * corruption causes some of them (duplicate names meet EEXIST); a clean
 * image with failures is an operational error.
 */
static int extract_verdict(struct extract_ctx *x, int ret, size_t errs_before)
{
	bool corrupt = atomic_load(&x->corrupt) ||
		       cramfs_diag_tally(x->diag, CRAMFS_DIAG_ERROR) >
		       errs_before + atomic_load(&x->failed) + x->missing;

	if (ret && ret != -ENOENT)
		return ret;
	if (corrupt)
		return -EUCLEAN;
	if (atomic_load(&x->failed))
		return atomic_load(&x->first_err);
	return ret;
}

int cramfs_extract(struct cramfs_image *img,
		   const struct cramfs_extract_opts *opts,
		   struct cramfs_diag *diag,
		   struct cramfs_extract_result *result)
{
	struct cramfs_extract_result local;
	struct extract_ctx x = { .diag = diag };
	struct cramfs_diag *own = NULL;
	size_t errs_before;
	bool created = false;
	int target, ret;

	if (!diag && cramfs_diag_new(1, &own))
		return -ENOMEM;
	if (!diag)
		x.diag = own;
	memset(result ? result : &local, 0, sizeof(local));
	errs_before = cramfs_diag_tally(x.diag, CRAMFS_DIAG_ERROR);
	ret = ctx_init(&x, img, opts, result ? result : &local);
	if (!ret && no_path_present(&x))
		ret = -ENOENT;
	target = ret ? ret : open_target(&x, &created);
	if (target >= 0) {
		ret = extract_all(&x, target, created);
		tpool_wait(x.pool);
		close(target);
		/* What was extracted before a stop is complete: list it. */
		if (!ret || ret == -ENOENT || ret == -EFBIG)
			write_manifest(&x);
		report_progress(&x);
	} else {
		ret = target;
	}
	x.res->bytes_written = atomic_load(&x.bytes_written);
	x.res->skipped = atomic_load(&x.corrupt) + atomic_load(&x.failed);
	x.res->existing = atomic_load(&x.existing);
	x.res->stopped = x.stopped;
	ret = extract_verdict(&x, ret, errs_before);
	ctx_fini(&x);
	cramfs_diag_free(own);
	return ret;
}
