// SPDX-License-Identifier: MIT
/* cramfs ls: list entries (plain, long, recursive, JSON). */
#include <getopt.h>
#include <errno.h>
#include <string.h>

#include "commands.h"

struct ls_opts {
	bool lng, recursive;
	bool json, first;
	int owner_width, size_width;	/* -l columns: the widest entry's */
};

static int ls_opt(void *ctx, int c, const char *arg)
{
	struct ls_opts *o = ctx;

	(void)arg;
	if (c == 'l')
		o->lng = true;
	else if (c == 'R')
		o->recursive = true;
	else
		return -1;
	return 0;
}

static const char *type_name(unsigned mode)
{
	switch (cramfs_type_char(mode)) {
	case '-': return "file";
	case 'd': return "dir";
	case 'l': return "symlink";
	case 'c': return "char";
	case 'b': return "block";
	case 'p': return "fifo";
	case 's': return "socket";
	default: return "unknown";
	}
}

static bool is_dev(unsigned mode)
{
	return cramfs_is_type(mode, CRAMFS_S_IFCHR) ||
	       cramfs_is_type(mode, CRAMFS_S_IFBLK);
}

static void print_json_entry(struct ls_opts *o, const struct cramfs_node *n,
			     const char *path, const char *target)
{
	unsigned maj, min;

	printf("%s\n  {\"path\": ", o->first ? "" : ",");
	o->first = false;
	json_string(stdout, path);
	printf(", \"type\": \"%s\", \"mode\": \"%04o\", \"uid\": %u, \"gid\": %u",
	       type_name(n->inode.mode), n->inode.mode & 07777, n->inode.uid,
	       n->inode.gid);
	if (is_dev(n->inode.mode)) {
		cramfs_rdev_split(n->inode.size, &maj, &min);
		printf(", \"major\": %u, \"minor\": %u", maj, min);
	} else {
		printf(", \"size\": %u", n->inode.size);
	}
	if (target) {
		printf(", \"target\": ");
		json_string(stdout, target);
	}
	printf(", \"offset\": %llu}", (unsigned long long)cramfs_node_data_offset(n));
}

/* The -l columns of one entry: "UID/GID" and the size (or MAJOR,MINOR). */
static void long_columns(const struct cramfs_node *n, char owner[16],
			 char size[32])
{
	unsigned maj, min;

	snprintf(owner, 16, "%u/%u", n->inode.uid, n->inode.gid);
	if (is_dev(n->inode.mode)) {
		cramfs_rdev_split(n->inode.size, &maj, &min);
		snprintf(size, 32, "%u,%u", maj, min);
	} else {
		snprintf(size, 32, "%u", n->inode.size);
	}
}

static void widen_columns(struct ls_opts *o, const struct cramfs_node *n)
{
	char owner[16], size[32];

	long_columns(n, owner, size);
	if ((int)strlen(owner) > o->owner_width)
		o->owner_width = (int)strlen(owner);
	if ((int)strlen(size) > o->size_width)
		o->size_width = (int)strlen(size);
}

static void print_long(const struct ls_opts *o, const struct cramfs_node *n,
		       const char *path, const char *target)
{
	char mode[11], owner[16], size[32];

	tool_mode_string(n->inode.mode, mode);
	long_columns(n, owner, size);
	printf("%s %-*s %*s ", mode, o->owner_width, owner, o->size_width,
	       size);
	tool_put_name(stdout, path);
	if (target) {
		fputs(" -> ", stdout);
		tool_put_name(stdout, target);
	}
	putchar('\n');
}

static int print_entry(struct tool_image *t, struct ls_opts *o,
		       const struct cramfs_node *n, const char *path)
{
	char target[CRAMFS_MAX_BLOCK_SIZE + 1];
	const char *tp = NULL;
	long len;

	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK) && (o->lng || o->json)) {
		len = cramfs_readlink(t->img, n, t->diag, target, sizeof(target));
		if (len < 0)
			return (int)len;
		tp = target;
	}
	if (o->json)
		print_json_entry(o, n, path, tp);
	else if (o->lng)
		print_long(o, n, path, tp);
	else {
		tool_put_name(stdout, path);
		putchar('\n');
	}
	return 0;
}

/*
 * -l columns as wide as the widest entry's, as ls -l aligns them: a walk
 * over the same entries first (metadata only, no diagnostics: the listing
 * walk reports them), so the listing itself still streams.
 */
static void measure_columns(struct tool_image *t, struct ls_opts *o,
			    const struct cramfs_node *start)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;

	o->owner_width = 3;	/* "0/0" */
	o->size_width = 8;	/* sizes up to 99 MB line up as before */
	if (!cramfs_is_type(start->inode.mode, CRAMFS_S_IFDIR)) {
		widen_columns(o, start);
		return;
	}
	if (cramfs_walk_open(t->img, start, CRAMFS_WALK_CONTINUE, NULL, &w))
		return;
	while (cramfs_walk_next(w, &e) == 1)
		if (e.depth && (o->recursive || e.depth == 1))
			widen_columns(o, &e.node);
	cramfs_walk_close(w);
}

/* List `start`: a directory's entries (recursively with -R), or itself. */
static int list_tree(struct tool_image *t, struct ls_opts *o,
		     const struct cramfs_node *start, const char *shown)
{
	struct cramfs_walk *w;
	struct cramfs_walk_entry e;
	int ret, err = 0;

	if (o->lng && !o->json)
		measure_columns(t, o, start);
	if (!cramfs_is_type(start->inode.mode, CRAMFS_S_IFDIR))
		return print_entry(t, o, start, shown);
	ret = cramfs_walk_open(t->img, start, CRAMFS_WALK_CONTINUE, t->diag, &w);
	if (ret)
		return ret;
	while ((ret = cramfs_walk_next(w, &e)) == 1) {
		if (!e.depth || (!o->recursive && e.depth > 1))
			continue;
		ret = print_entry(t, o, &e.node, o->recursive ? e.path : e.node.name);
		if (ret && !err)
			err = ret;
	}
	cramfs_walk_close(w);
	return ret ? ret : err;
}

static const char ls_usage[] = "cramfs ls [-b N] [-l] [-R] [--json] IMAGE [PATH]";

int cmd_ls(int argc, char **argv)
{
	struct ls_opts o = { .first = true };
	struct common_opts co = { 0 };
	struct cramfs_node node;
	struct tool_image t;
	const char *path;
	static const struct cmd_syntax syn = { ls_usage, "lR", NULL, ls_opt, 1, 2 };
	int i = parse_opts(argc, argv, &co, &syn, &o);
	int ret;

	if (i < 0)
		return parse_exit(i);
	o.json = co.json;
	path = argc - i == 2 ? argv[i + 1] : "/";
	ret = tool_open(&t, argv[i], co.block_size);
	if (ret)
		return ret;
	tool_warn_superblock(&t);
	ret = tool_lookup(&t, path, &node);
	if (!ret) {
		if (o.json)
			printf("[");
		ret = list_tree(&t, &o, &node, path);
		if (o.json)
			printf("%s]\n", o.first ? "" : "\n");
	}
	tool_print_diag(stderr, &t, co.verbose, co.verbose, true);
	if (!ret && cramfs_diag_tally(t.diag, CRAMFS_DIAG_ERROR))
		ret = -EUCLEAN;
	tool_close(&t);
	return tool_exit_code(ret);
}
