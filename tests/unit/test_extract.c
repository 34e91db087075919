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
#include <signal.h>
#include <sys/resource.h>
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

/* extract() with more options; `o` gets the target, manifest and owners. */
static int extract_o(struct spec_image *im, struct env *v,
		     struct cramfs_extract_opts *o,
		     struct cramfs_extract_result *r, size_t *warnings)
{
	struct t_img t;
	int rc = t_open(&t, im->buf, im->len, 0);

	o->target_dir = v->out;
	o->manifest_path = v->manifest;
	o->owners = 0;
	if (rc == 0)
		rc = cramfs_extract(t.img, o, t.diag, r);
	if (warnings)
		*warnings = rc == 0 || rc == -EFBIG ? t_warnings(t.diag) : 0;
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
	CHECK(file_is(p, "first", 5));	/* the first entry of a name wins */
	snprintf(p, sizeof(p), "%s/mixed/in-dir", v.out);
	CHECK(file_is(p, "x", 1));
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* What is at `name` in the target: "f:DATA", "l:TARGET", "d", "-". */
static void describe(const struct env *v, const char *name, char *out,
		     size_t cap)
{
	char p[4200], buf[64] = "";
	struct stat st;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", v->out, name);
	if (lstat(p, &st)) {
		snprintf(out, cap, "-");
	} else if (S_ISLNK(st.st_mode)) {
		buf[readlink(p, buf, sizeof(buf) - 1) & 63] = '\0';
		snprintf(out, cap, "l:%s", buf);
	} else if (S_ISDIR(st.st_mode)) {
		snprintf(out, cap, "d:%zu", t_dir_entries(p));
	} else {
		f = fopen(p, "rb");
		buf[f ? fread(buf, 1, sizeof(buf) - 1, f) : 0] = '\0';
		if (f)
			fclose(f);
		snprintf(out, cap, "f:%s", buf);
	}
}

/*
 * Duplicate names, in order and out of order, of every kind against every
 * kind: the first entry of a name wins whatever the threads do, with and
 * without overwrite; each later one is corrupt.  30 runs each.
 */
static void test_duplicates_deterministic(void)
{
	static const char *const want[][2] = {
		{ "a", "f:a1" }, { "b", "f:b1" }, { "c", "l:c1" },
		{ "d", "f:d1" }, { "e", "d:1" }, { "z", "f:z" },
	};
	struct spec_image *im = spec_new(NULL);
	struct spec_node *r = spec_root(im);
	char got[96];
	struct env v;

	r->unsorted = true;	/* insertion order: b, a, ... */
	spec_add_file(im, r, "b", 0644, "b1", 2);
	spec_add_file(im, r, "a", 0644, "a1", 2);
	spec_add_file(im, r, "z", 0644, "z", 1);
	spec_add_file(im, r, "a", 0644, "a2", 2);
	spec_add_symlink(im, r, "c", "c1");
	spec_add_file(im, r, "c", 0644, "c2", 2);	/* file after symlink */
	spec_add_file(im, r, "d", 0644, "d1", 2);
	spec_add_symlink(im, r, "d", "d2");		/* symlink after file */
	spec_add_file(im, spec_add_dir(im, r, "e", 0755), "in-e", 0644, "x", 1);
	spec_add_file(im, r, "e", 0644, "e2", 2);	/* file after dir */
	spec_add_dir(im, r, "b", 0755);			/* dir after file */
	spec_add_file(im, r, "a", 0644, "a3", 2);
	t_build(im);
	env_init(&v);
	for (int run = 0; run < 60; run++) {
		struct cramfs_extract_opts o = { .threads = 4,
						 .overwrite = run % 2 };

		t_context("duplicates, run %d, overwrite %d", run, run % 2);
		CHECK_EQ(extract_o(im, &v, &o, NULL, NULL), -EUCLEAN);
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			describe(&v, want[i][0], got, sizeof(got));
			if (strcmp(got, want[i][1]))
				t_fail(__FILE__, __LINE__, "%s is %s, not %s",
				       want[i][0], got, want[i][1]);
		}
		CHECK_EQ(t_dir_entries(v.out), sizeof(want) / sizeof(want[0]));
		t_rmtree(v.out);
	}
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* Does the file system of `dir` keep holes?  (Else sizes prove nothing.) */
static bool keeps_holes(const char *dir)
{
	char p[4200];
	struct stat st;
	int fd;
	bool ok;

	snprintf(p, sizeof(p), "%s/probe", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok = fd >= 0 && !ftruncate(fd, 1 << 20) && !fstat(fd, &st) &&
	     st.st_blocks < 256;
	if (fd >= 0)
		close(fd);
	unlink(p);
	return ok;
}

/*
 * Holes (zero-length pointers) and blocks that inflate to zeros are left
 * as holes, a trailing hole included (the length comes from ftruncate).
 */
static void test_sparse(void)
{
	struct spec_image *im = spec_new(NULL);
	enum spec_enc encs[40];
	size_t len = 40 * 4096 - 1000;
	uint8_t *data = calloc(1, len);
	struct cramfs_extract_opts o = { .threads = 2 };
	struct spec_node *n;
	struct stat st;
	char p[4200];
	struct env v;

	for (unsigned i = 0; i < 40; i++)	/* 10..19 and 20: zlib */
		encs[i] = i >= 10 && i <= 20 ? SPEC_ENC_ZLIB : SPEC_ENC_HOLE;
	memset(data + 20 * 4096 + 7, 'x', 100);
	n = spec_add_file(im, spec_root(im), "sparse", 0644, data, len);
	spec_set_encs(n, encs, 40);
	im->o.extra_flags = 0x100;	/* HOLES */
	t_build(im);
	env_init(&v);
	t_context("sparse extraction");
	CHECK_EQ(extract_o(im, &v, &o, NULL, NULL), 0);
	snprintf(p, sizeof(p), "%s/sparse", v.out);
	CHECK(file_is(p, data, len));
	CHECK(stat(p, &st) == 0 && st.st_size == (off_t)len);
	/* One 4 KiB block of data; some file systems allocate a little more. */
	if (keeps_holes(v.base))
		CHECK(st.st_blocks * 512 <= 16384);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
	free(data);
}

/* Five names of one 10000-byte data item, then a symlink of 100 bytes. */
static struct spec_image *alias_image(void)
{
	struct spec_image *im = spec_new(NULL);
	struct spec_node *r = spec_root(im), *a;
	static uint8_t data[10000];
	char target[101];

	t_fill(data, sizeof(data), 7, false);
	a = spec_add_file(im, r, "a", 0644, data, sizeof(data));
	for (const char *nm = "bcde"; *nm; nm++) {
		char name[2] = { *nm, '\0' };

		spec_share_data(spec_add_file(im, r, name, 0644, data,
					      sizeof(data)), a);
	}
	memset(target, 't', 100);
	target[100] = '\0';
	spec_add_symlink(im, r, "l", target);
	t_build(im);
	return im;
}

static bool exists_in(const struct env *v, const char *name)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", v->out, name);
	return lstat(p, &st) == 0;
}

/*
 * max_output: entries are admitted in walk order; the first that would
 * pass the limit stops the extraction (-EFBIG) and is not created; the
 * ones before it are complete.  0 is the default, UNLIMITED none.
 */
static void test_max_output(void)
{
	struct spec_image *im = alias_image();
	struct cramfs_extract_opts o = { .threads = 2, .max_output = 30000 };
	struct cramfs_extract_result r;
	char p[4200];
	struct env v;

	env_init(&v);
	t_context("max_output 30000");
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), -EFBIG);
	CHECK(r.stopped);
	CHECK_EQ(r.max_output, 30000);
	CHECK_EQ(r.stats.files, 3);
	for (const char *nm = "abc"; *nm; nm++) {
		snprintf(p, sizeof(p), "%s/%c", v.out, *nm);
		CHECK(file_is(p, spec_find(im, "a")->data, 10000));
	}
	CHECK(!exists_in(&v, "d") && !exists_in(&v, "e") && !exists_in(&v, "l"));
	t_rmtree(v.out);
	t_context("max_output: the symlink's 100 bytes count");
	o.max_output = 50099;
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), -EFBIG);
	CHECK(exists_in(&v, "e") && !exists_in(&v, "l"));
	t_rmtree(v.out);
	o.max_output = 50100;
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), 0);
	CHECK(exists_in(&v, "l") && !r.stopped);
	t_rmtree(v.out);
	t_context("max_output: default and unlimited");
	o.max_output = 0;
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), 0);
	CHECK_EQ(r.max_output, CRAMFS_EXTRACT_MAX_OUTPUT_DEFAULT(im->len));
	t_rmtree(v.out);
	o.max_output = CRAMFS_EXTRACT_UNLIMITED;
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), 0);
	CHECK(r.max_output == CRAMFS_EXTRACT_UNLIMITED);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
}

/* One warning once the output passes 256 MiB (and 16 x the image). */
static void test_output_warning(void)
{
	struct spec_image *im = spec_new(NULL);
	struct cramfs_extract_opts o = { .threads = 2 };
	struct cramfs_extract_result r;
	size_t len = 16777215, warnings = 0;
	uint8_t *zeros = calloc(1, len);
	struct spec_node *f;
	char name[8];
	struct env v;

	f = spec_add_file(im, spec_root(im), "f00", 0644, zeros, len);
	spec_set_enc(f, SPEC_ENC_HOLE);
	for (int i = 1; i < 18; i++) {	/* 18 x 16 MiB: 288 MiB */
		snprintf(name, sizeof(name), "f%02d", i);
		spec_share_data(spec_add_file(im, spec_root(im), name, 0644,
					      zeros, len), f);
	}
	im->o.extra_flags = 0x100;
	t_build(im);
	env_init(&v);
	t_context("output warning");
	CHECK_EQ(extract_o(im, &v, &o, &r, &warnings), 0);
	CHECK_EQ(warnings, 1);
	CHECK_EQ(r.stats.files, 18);
	t_rmtree(v.out);
	t_context("output limit below the warning");
	o.max_output = 100u << 20;
	CHECK_EQ(extract_o(im, &v, &o, &r, &warnings), -EFBIG);
	CHECK_EQ(warnings, 0);
	CHECK_EQ(r.stats.files, 6);
	env_check_contained(&v);
	env_free(&v);
	spec_free(im);
	free(zeros);
}

/*
 * A file that cannot be written completely is removed (RLIMIT_FSIZE here,
 * a full disk alike): nothing truncated keeps its final mode.
 */
static void test_partial_removed(void)
{
	struct spec_image *im = spec_new(NULL);
	struct cramfs_extract_opts o = { .threads = 2 };
	struct cramfs_extract_result r;
	static uint8_t big[200000];
	struct rlimit old, lim;
	struct stat st;
	char p[4200];
	struct env v;

	t_fill(big, sizeof(big), 3, false);
	spec_add_file(im, spec_root(im), "big", 0644, big, sizeof(big));
	spec_add_file(im, spec_root(im), "small", 0640, "small data", 10);
	t_build(im);
	env_init(&v);
	t_context("partial file removed");
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 65536;
	signal(SIGXFSZ, SIG_IGN);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_EQ(extract_o(im, &v, &o, &r, NULL), -EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CHECK(!r.stopped);	/* a write failed: not max_output */
	CHECK_EQ(r.skipped, 1);
	CHECK(!exists_in(&v, "big"));
	snprintf(p, sizeof(p), "%s/small", v.out);
	CHECK(file_is(p, "small data", 10));
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640 &&
	      st.st_mtime == 0);
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
	test_duplicates_deterministic();
	test_sparse();
	test_max_output();
	test_output_warning();
	test_partial_removed();
	return t_done("test_extract");
}
