/* SPDX-License-Identifier: MIT */
/*
 * extract: contents, modes and symlink targets land in the target; hostile
 * names and symlinks (from the image or already in the target) never make
 * it write outside; existing files are kept unless `overwrite`.
 *
 * Layout of every case: BASE/out is the target, BASE/canary a sibling that
 * must stay empty, BASE/manifest the manifest.  Nothing else may appear.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttrees.h"

struct env {
	char *base;
	char out[4096], canary[4096], manifest[4096];
};

static void env_init(struct env *v)
{
	v->base = t_mkdtemp("extract");
	if (!v->base)
		exit(2);
	snprintf(v->out, sizeof(v->out), "%s/out", v->base);
	snprintf(v->canary, sizeof(v->canary), "%s/canary", v->base);
	snprintf(v->manifest, sizeof(v->manifest), "%s/manifest", v->base);
	mkdir(v->canary, 0755);
}

static void env_free(struct env *v)
{
	t_rmtree(v->base);
	free(v->base);
}

/* The canary stays empty and BASE holds nothing unexpected. */
static void env_check_contained(struct env *v)
{
	DIR *d = opendir(v->base);
	struct dirent *de;

	CHECK_EQ(t_dir_entries(v->canary), 0);
	while (d && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		bool ok = !strcmp(n, ".") || !strcmp(n, "..") ||
			  !strcmp(n, "out") || !strcmp(n, "canary") ||
			  !strcmp(n, "manifest");
		if (!ok)
			t_fail(__FILE__, __LINE__, "unexpected %s/%s",
			       v->base, n);
	}
	if (d)
		closedir(d);
}

static int extract(struct spec_image *im, struct env *v, bool overwrite,
		   const char *const *paths, unsigned npaths)
{
	struct cramfs_extract_opts o = {
		.target_dir = v->out, .overwrite = overwrite, .owners = 0,
		.manifest_path = v->manifest, .threads = 2,
		.paths = paths, .npaths = npaths,
	};
	struct t_img t;
	int rc = t_open(&t, im->buf, im->len, 0);

	if (rc == 0)
		rc = cramfs_extract(t.img, &o, t.diag, NULL);
	t_close(&t);
	return rc;
}

static bool file_is(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(len + 1);
	size_t got = f && buf ? fread(buf, 1, len + 1, f) : (size_t)-1;
	bool ok = got == len && memcmp(buf, data, len) == 0;

	if (f)
		fclose(f);
	free(buf);
	return ok;
}

static void check_entry(struct env *v, const struct spec_node *n)
{
	char path[4400], tgt[512];
	struct stat st;
	uint32_t t = n->mode & CRAMFS_S_IFMT;
	ssize_t l;

	snprintf(path, sizeof(path), "%s/%s", v->out, n->path);
	t_context("extracted /%s", n->path);
	if (t == CRAMFS_S_IFCHR || t == CRAMFS_S_IFBLK ||
	    t == CRAMFS_S_IFSOCK || t == CRAMFS_S_IFIFO)
		return;	/* owners off: these may go to the manifest */
	CHECK_EQ(lstat(path, &st), 0);
	CHECK_EQ(st.st_mode & CRAMFS_S_IFMT, t);
	if (t != CRAMFS_S_IFLNK)
		CHECK_EQ(st.st_mode & 0777, n->mode & 0777);
	if (t == CRAMFS_S_IFREG)
		CHECK(file_is(path, n->data, n->len));
	if (t == CRAMFS_S_IFLNK) {
		l = readlink(path, tgt, sizeof(tgt));
		CHECK_EQ(l, n->len);
		CHECK(l == (ssize_t)n->len && memcmp(tgt, n->data, n->len) == 0);
	}
}

static void test_content(void)
{
	struct spec_opts o = { .endian = SPEC_BE, .pad = true };
	struct spec_image *im = spec_new(&o);
	struct env v;

	t_tree_types(im);
	t_tree_encodings(im);
	t_build(im);
	env_init(&v);
	t_context("extract content");
	CHECK_EQ(extract(im, &v, false, NULL, 0), 0);
	for (size_t i = 1; i < im->nall; i++)
		check_entry(&v, im->all[i]);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

static void test_paths(void)
{
	static const char *const sub[] = { "a/sub" };
	static const char *const none[] = { "no/such" };
	struct spec_image *im = spec_new(NULL);
	char p[4200];
	struct env v;

	t_tree_types(im);
	t_build(im);
	env_init(&v);
	t_context("extract subset");
	CHECK_EQ(extract(im, &v, false, sub, 1), 0);
	snprintf(p, sizeof(p), "%s/a/sub/deep/x", v.out);
	CHECK(file_is(p, spec_find(im, "a/sub/deep/x")->data, 100));
	snprintf(p, sizeof(p), "%s/a/f1", v.out);
	CHECK(access(p, F_OK) != 0);
	snprintf(p, sizeof(p), "%s/q", v.out);
	CHECK(access(p, F_OK) != 0);
	t_rmtree(v.out);
	CHECK_EQ(extract(im, &v, false, none, 1), -ENOENT);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* Rename the entry of `path` to `name` (same padded length). */
static void rename_entry(struct spec_image *im, const char *path,
			 const char *name)
{
	struct spec_node *n = spec_find(im, path);

	if (!n)
		abort();
	memset(im->buf + n->entry_off + 12, 0, (strlen(n->name) + 3) & ~3u);
	memcpy(im->buf + n->entry_off + 12, name, strlen(name));
}

static struct spec_image *hostile_image(const char *canary)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *r = spec_root(im), *d;

	spec_add_symlink(im, r, "abs", canary);
	d = spec_add_dir(im, r, "abs", 0755);
	spec_add_file(im, d, "through-abs", 0644, "x", 1);
	spec_add_symlink(im, r, "esc", "../canary");
	d = spec_add_dir(im, r, "esc2", 0755);
	spec_add_file(im, d, "through-esc", 0644, "x", 1);
	spec_add_file(im, r, "slsh", 0644, "x", 1);
	d = spec_add_dir(im, r, "yy", 0755);
	spec_add_file(im, d, "pwn-dot", 0644, "x", 1);
	d = spec_add_dir(im, r, "zz", 0755);
	spec_add_file(im, d, "pwn-dotdot", 0644, "x", 1);
	t_build(im);
	rename_entry(im, "esc2", "esc");	/* dir after symlink "esc" */
	rename_entry(im, "slsh", "../c");
	rename_entry(im, "yy", ".");
	rename_entry(im, "zz", "..");
	spec_fix_crc(im);
	return im;
}

static void test_hostile(void)
{
	struct env v;
	struct spec_image *im;
	char p[4200];

	env_init(&v);
	im = hostile_image(v.canary);
	t_context("hostile names");
	CHECK(extract(im, &v, false, NULL, 0) < 0);
	env_check_contained(&v);
	snprintf(p, sizeof(p), "%s/pwn-dotdot", v.base);
	CHECK(access(p, F_OK) != 0);
	snprintf(p, sizeof(p), "%s/c", v.base);
	CHECK(access(p, F_OK) != 0);
	t_context("hostile names, overwrite");
	CHECK(extract(im, &v, true, NULL, 0) < 0);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* Symlinks planted in the target before extraction are never followed. */
static void test_planted_symlinks(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *d = spec_add_dir(im, spec_root(im), "d", 0755);
	char p[4200];
	struct stat st;
	struct env v;

	spec_add_file(im, d, "f", 0644, "data-f", 6);
	spec_add_file(im, spec_root(im), "g", 0644, "data-g", 6);
	t_build(im);
	env_init(&v);
	mkdir(v.out, 0755);
	snprintf(p, sizeof(p), "%s/d", v.out);
	CHECK_EQ(symlink("../canary", p), 0);
	snprintf(p, sizeof(p), "%s/g", v.out);
	CHECK_EQ(symlink("../canary/g", p), 0);
	t_context("planted symlinks");
	CHECK(extract(im, &v, false, NULL, 0) < 0);
	env_check_contained(&v);
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	t_context("planted symlinks, overwrite");
	extract(im, &v, true, NULL, 0);
	env_check_contained(&v);
	CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(file_is(p, "data-g", 6));
	env_free(&v);
	spec_free(im);
}

static void test_overwrite(void)
{
	struct spec_image *im = spec_new(NULL);
	char p[4200];
	struct env v;
	FILE *f;

	t_tree_types(im);
	t_build(im);
	env_init(&v);
	t_context("overwrite");
	CHECK_EQ(extract(im, &v, false, NULL, 0), 0);
	snprintf(p, sizeof(p), "%s/a/big", v.out);
	f = fopen(p, "wb");
	CHECK(f && fputs("changed", f) >= 0);
	if (f)
		fclose(f);
	CHECK(extract(im, &v, false, NULL, 0) < 0);
	CHECK(file_is(p, "changed", 7));
	CHECK_EQ(extract(im, &v, true, NULL, 0), 0);
	CHECK(file_is(p, spec_find(im, "a/big")->data,
		      spec_find(im, "a/big")->len));
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* Duplicate names are corruption (-EUCLEAN), not an operational error. */
static void test_duplicates(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *r = spec_root(im), *d;
	char p[4200];
	struct env v;

	spec_add_file(im, r, "dup", 0644, "first", 5);
	spec_add_file(im, r, "dup", 0644, "second", 6);
	d = spec_add_dir(im, r, "mixed", 0755);
	spec_add_file(im, d, "in-dir", 0644, "x", 1);
	spec_add_file(im, r, "mixed", 0644, "file", 4);
	t_build(im);
	env_init(&v);
	t_context("duplicate names");
	CHECK_EQ(extract(im, &v, false, NULL, 0), -EUCLEAN);
	snprintf(p, sizeof(p), "%s/dup", v.out);
	CHECK(file_is(p, "first", 5) || file_is(p, "second", 6));
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

int main(void)
{
	test_content();
	test_paths();
	test_hostile();
	test_planted_symlinks();
	test_overwrite();
	test_duplicates();
	return t_done("test_extract");
}
