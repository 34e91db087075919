// SPDX-License-Identifier: MIT
/*
 * The builder: images written from a host tree read back exactly through the
 * reader and pass the checker, in both modes, byte orders and with every
 * layout option; the bytes do not depend on the thread count; dedup follows
 * each mode's rule; limits warn or (strict) fail without writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/internal.h"
#include "tutil.h"

static char *src, *out;

static void put_file(const char *rel, const uint8_t *data, size_t len,
		     mode_t mode)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", src, rel);
	f = fopen(p, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
	chmod(p, mode);
}

/* Files of block-boundary sizes, a zero block, duplicates, a symlink. */
static void make_tree(void)
{
	static uint8_t buf[70000], zeros[131072] = { 1 };
	char p[4096];

	t_fill(buf, sizeof(buf), 7, true);
	snprintf(p, sizeof(p), "%s/sub", src);
	mkdir(p, 0750);
	put_file("empty", buf, 0, 0644);
	put_file("one-block", buf, 4096, 0600);
	put_file("sub/odd", buf, 10000, 0755);
	put_file("sub/big", buf, sizeof(buf), 0644);
	/* All zero but its first byte: holes at every block size. */
	put_file("zeros", zeros, sizeof(zeros), 0644);
	put_file("dup-a", (const uint8_t *)"same bytes", 10, 0644);
	put_file("dup-b", (const uint8_t *)"same bytes", 10, 0600);
	put_file("text", (const uint8_t *)"tgt", 3, 0644);
	snprintf(p, sizeof(p), "%s/link", src);
	CHECK(!symlink("tgt", p));
	snprintf(p, sizeof(p), "%s/fifo", src);
	CHECK(!mkfifo(p, 0640));
}

static int build(const struct cramfs_build_opts *o, const char *name,
		 struct cramfs_build_result *r)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	return t_build_dir(src, p, o, r, true);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);

	*len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void verify_node(struct cramfs_image *img, const struct cramfs_node *n,
			const char *rel)
{
	char host[4096], target[4096];
	struct stat st;
	uint8_t *want, *got = NULL;
	size_t wlen;

	snprintf(host, sizeof(host), "%s/%s", src, rel);
	if (lstat(host, &st)) {
		t_fail(__FILE__, __LINE__, "%s: not in the source", rel);
		return;
	}
	CHECK_EQ(n->inode.mode, st.st_mode & 0xFFFF);
	CHECK_EQ(n->inode.uid, st.st_uid & 0xFFFF);
	CHECK_EQ(n->inode.gid, st.st_gid & 0xFF);
	if (S_ISREG(st.st_mode)) {
		want = slurp(host, &wlen);
		CHECK_EQ(t_read_all(img, n, 3000, &got), (long)wlen);
		CHECK(got && !memcmp(got, want, wlen));
		free(want);
		free(got);
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t len = readlink(host, target, sizeof(target));
		char back[4096];

		CHECK_EQ(cramfs_readlink(img, n, NULL, back, sizeof(back)), len);
		CHECK(len > 0 && !memcmp(back, target, (size_t)len));
	}
}

/* Open out/name, compare every entry with the source, run the checker. */
static void verify(const char *name, unsigned want_entries)
{
	struct cramfs_source *s = NULL;
	struct cramfs_image *img = NULL;
	struct cramfs_walk *w = NULL;
	struct cramfs_walk_entry e;
	struct cramfs_diag *d = NULL;
	unsigned seen = 0;
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	CHECK_EQ(cramfs_diag_new(0, &d), 0);
	CHECK_EQ(cramfs_source_open_file(p, d, &s), 0);
	CHECK_EQ(cramfs_image_open(s, NULL, d, &img), 0);
	if (img && !cramfs_walk_open(img, NULL, 0, d, &w)) {
		while (cramfs_walk_next(w, &e) == 1) {
			if (e.depth) {
				seen++;
				verify_node(img, &e.node, e.path);
			}
		}
		cramfs_walk_close(w);
		CHECK_EQ(cramfs_check(img, 0, d, NULL), 0);
	}
	CHECK_EQ(seen, want_entries);
	if (t_errors(d))
		t_dump_diag(d);
	cramfs_image_close(img);
	cramfs_source_close(s);
	cramfs_diag_free(d);
}

static uint32_t image_flags(const char *name)
{
	struct cramfs_source *s = NULL;
	struct cramfs_image *img = NULL;
	struct cramfs_image_info info = { 0 };
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", out, name);
	if (!cramfs_source_open_file(p, NULL, &s) &&
	    !cramfs_image_open(s, NULL, NULL, &img))
		cramfs_image_get_info(img, &info);
	cramfs_image_close(img);
	cramfs_source_close(s);
	return info.super.flags;
}

static bool same_bytes(const char *a, const char *b)
{
	char pa[4096], pb[4096];
	size_t la, lb;
	uint8_t *x, *y;
	bool same;

	snprintf(pa, sizeof(pa), "%s/%s", out, a);
	snprintf(pb, sizeof(pb), "%s/%s", out, b);
	x = slurp(pa, &la);
	y = slurp(pb, &lb);
	same = la == lb && la && !memcmp(x, y, la);
	free(x);
	free(y);
	return same;
}

#define ENTRIES 11u	/* make_tree(): 10 entries + sub */

static void test_variants(void)
{
	static const uint32_t sizes[] = { 4096, 16384, 65536 };

	for (int mode = 0; mode < 2; mode++) {
		for (int v = 0; v < 6; v++) {
			struct cramfs_build_opts o = { .mode = mode };

			o.endian = v & 1 ? CRAMFS_BIG_ENDIAN : CRAMFS_LITTLE_ENDIAN;
			o.block_size = sizes[v % 3];
			o.pad = v >= 3;
			o.holes = v == 2 || v == 5;
			o.blob_path = v == 4 ? "/etc/hostname" : NULL;
			o.label = "unit";
			t_context("mode %d variant %d", mode, v);
			CHECK_EQ(build(&o, "v.img", NULL), 0);
			verify("v.img", ENTRIES);
			CHECK_EQ(!!(image_flags("v.img") & CRAMFS_FLAG_HOLES),
				 o.holes);
			CHECK_EQ(!!(image_flags("v.img") &
				    CRAMFS_FLAG_SHIFTED_ROOT_OFFSET), v == 4);
		}
	}
}

static void test_threads(void)
{
	for (int mode = 0; mode < 2; mode++) {
		struct cramfs_build_opts o = { .mode = mode, .threads = 1 };

		t_context("threads, mode %d", mode);
		CHECK_EQ(build(&o, "j1.img", NULL), 0);
		o.threads = 3;
		CHECK_EQ(build(&o, "j3.img", NULL), 0);
		CHECK(same_bytes("j1.img", "j3.img"));
	}
}

/* An entry of `name` in image out/img, via lookup. */
static bool lookup(const char *img_name, const char *path,
		   struct cramfs_node *n)
{
	struct cramfs_source *s = NULL;
	struct cramfs_image *img = NULL;
	char p[4096];
	bool ok;

	snprintf(p, sizeof(p), "%s/%s", out, img_name);
	ok = !cramfs_source_open_file(p, NULL, &s) &&
	     !cramfs_image_open(s, NULL, NULL, &img) &&
	     !cramfs_lookup(img, path, NULL, n);
	cramfs_image_close(img);
	cramfs_source_close(s);
	return ok;
}

/* util-linux shares data by content alone; native also needs equal metadata. */
static void test_dedup(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_UTIL_LINUX };
	struct cramfs_node a, b, text, link;
	struct cramfs_build_result r;

	t_context("dedup");
	CHECK_EQ(build(&o, "u.img", &r), 0);
	CHECK(lookup("u.img", "dup-a", &a) && lookup("u.img", "dup-b", &b));
	CHECK_EQ(a.inode.offset, b.inode.offset);
	CHECK(lookup("u.img", "text", &text) && lookup("u.img", "link", &link));
	CHECK_EQ(text.inode.offset, link.inode.offset);
	CHECK_EQ(r.stats.shared_items, 2);
	o.mode = CRAMFS_BUILD_NATIVE;
	CHECK_EQ(build(&o, "n.img", &r), 0);
	CHECK(lookup("n.img", "dup-a", &a) && lookup("n.img", "dup-b", &b));
	CHECK(a.inode.offset != b.inode.offset);
	CHECK(lookup("n.img", "text", &text) && lookup("n.img", "link", &link));
	CHECK(text.inode.offset != link.inode.offset);
	CHECK_EQ(r.stats.shared_items, 0);
}

/*
 * A 253-byte name: a warning and a 252-byte name, or (strict) nothing
 * written, not even a temporary file.
 */
static void test_limits(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE, .strict = true };
	struct cramfs_build_result r;
	char name[254], p[4096];
	struct cramfs_node n;
	size_t before = t_dir_entries(out);

	t_context("limits");
	memset(name, 'n', 253);
	name[253] = '\0';
	put_file(name, (const uint8_t *)"x", 1, 0644);
	snprintf(p, sizeof(p), "%s/strict.img", out);
	CHECK_EQ(build(&o, "strict.img", &r), -EOVERFLOW);
	CHECK(access(p, F_OK) && errno == ENOENT);
	CHECK_EQ(t_dir_entries(out), before);
	o.strict = false;
	CHECK_EQ(build(&o, "lax.img", &r), 0);
	CHECK_EQ(r.warnings, 1);
	snprintf(p, sizeof(p), "%s/%s", src, name);
	unlink(p);
	name[252] = '\0';
	CHECK(lookup("lax.img", name, &n));
	CHECK_EQ(n.name_len, 252);
}

/* An output that cannot be created fails cleanly, leaving nothing. */
static void test_bad_output(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE };

	t_context("bad output");
	CHECK(build(&o, "no/such/dir/x.img", NULL) < 0);
}

static int build_with_table(const char *table, enum cramfs_devtable_flavor fl,
			    const char *name)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE };
	struct cramfs_tree *t = NULL;
	struct cramfs_diag *d = NULL;
	char p[4096], tp[4096];
	FILE *f;
	int ret;

	snprintf(tp, sizeof(tp), "%s/table", out);
	f = fopen(tp, "w");
	CHECK(f && fputs(table, f) >= 0);
	if (f)
		fclose(f);
	snprintf(p, sizeof(p), "%s/%s", out, name);
	CHECK_EQ(cramfs_diag_new(0, &d), 0);
	CHECK_EQ(cramfs_tree_new(&t), 0);
	ret = cramfs_tree_add_dir(t, src, d);
	if (!ret)
		ret = cramfs_tree_apply_devtable(t, tp, fl, d);
	if (!ret)
		ret = cramfs_build(t, &o, p, d, NULL);
	if (ret == -EINVAL)
		CHECK(t_errors(d) >= 1 &&
		      strstr(cramfs_diag_get(d, 0)->message, "table:"));
	cramfs_tree_free(t);
	cramfs_diag_free(d);
	unlink(tp);
	return ret;
}

static void expect_dev(const char *img, const char *path, unsigned maj,
		       unsigned min, uint32_t mode)
{
	struct cramfs_node n;
	unsigned ma = ~0u, mi = ~0u;

	t_context("device %s", path);
	CHECK(lookup(img, path, &n));
	cramfs_rdev_split(n.inode.size, &ma, &mi);
	CHECK_EQ(ma, maj);
	CHECK_EQ(mi, min);
	CHECK_EQ(n.inode.mode, mode);
}

/* Both count semantics, owners, escapes, new parents, and bad lines. */
static void test_devtable(void)
{
	struct cramfs_node n;

	CHECK_EQ(build_with_table(
		"# makedevs\n/dev d 755 0 0 - - - - -\n"
		"/dev/tty c 620 0 5 4 0 1 1 3\n"
		"/one-block f 4600 7 8 - - - - -\n"
		"/new/dir/with\\040space b 660 0 6 8 1 - - -\n",
		CRAMFS_DEVTABLE_MAKEDEVS, "mk.img"), 0);
	expect_dev("mk.img", "dev/tty1", 4, 0, CRAMFS_S_IFCHR | 0620);
	expect_dev("mk.img", "dev/tty3", 4, 2, CRAMFS_S_IFCHR | 0620);
	CHECK(!lookup("mk.img", "dev/tty4", &n));
	expect_dev("mk.img", "new/dir/with space", 8, 1, CRAMFS_S_IFBLK | 0660);
	CHECK(lookup("mk.img", "one-block", &n));
	CHECK_EQ(n.inode.mode, CRAMFS_S_IFREG | 04600);
	CHECK_EQ(n.inode.uid, 7);
	/* cramfs-tools: i = start .. count-1, minor + i * inc - start */
	CHECK_EQ(build_with_table("/dev/hd b 640 0 6 3 0 1 2 4\n",
				  CRAMFS_DEVTABLE_CRAMFS_TOOLS, "ct.img"), 0);
	expect_dev("ct.img", "dev/hd1", 3, 1, CRAMFS_S_IFBLK | 0640);
	expect_dev("ct.img", "dev/hd3", 3, 5, CRAMFS_S_IFBLK | 0640);
	CHECK(!lookup("ct.img", "dev/hd4", &n));
	t_context("devtable errors");
	CHECK_EQ(build_with_table("/x c 600 root 0 1 1 - - -\n",
				  CRAMFS_DEVTABLE_MAKEDEVS, "e.img"), -EINVAL);
	CHECK_EQ(build_with_table("/missing f 600 0 0 - - - - -\n",
				  CRAMFS_DEVTABLE_MAKEDEVS, "e.img"), -EINVAL);
	CHECK_EQ(build_with_table("/sub c 600 0 0 1 1 - - -\n",
				  CRAMFS_DEVTABLE_MAKEDEVS, "e.img"), -EINVAL);
}

/* One check for every input's names (names.c); the harmless forms pass. */
static void test_names(void)
{
	static const struct {
		const char *in, *out;	/* out NULL: refused */
		unsigned flags;
	} cases[] = {
		{ "", "", 0 }, { "/", "", 0 }, { "//a//b/", "a/b", 0 },
		{ "./a", "a", BUILD_PATH_DOT_PREFIX }, { ".", "", BUILD_PATH_DOT_PREFIX },
		{ "././a/", "a", BUILD_PATH_DOT_PREFIX }, { "/./a", "a", BUILD_PATH_DOT_PREFIX },
		{ "./a", NULL, 0 }, { "a/./b", NULL, BUILD_PATH_DOT_PREFIX },
		{ "..", NULL, BUILD_PATH_DOT_PREFIX }, { "a/..", NULL, 0 },
		{ "a/../b", NULL, 0 }, { "./..", NULL, BUILD_PATH_DOT_PREFIX },
		{ "...", "...", 0 }, { ".a/..b", ".a/..b", 0 },
		{ "x\\040y", "x y", BUILD_PATH_ESCAPES },
		{ "x\\040y", "x\\040y", 0 },
		{ "x\\000y", NULL, BUILD_PATH_ESCAPES },
		{ "a\\057b", NULL, BUILD_PATH_ESCAPES },
		{ "\\056\\056", NULL, BUILD_PATH_ESCAPES },
		{ "x\\00", "x\\00", BUILD_PATH_ESCAPES },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why;

		t_context("path \"%s\" flags %u", cases[i].in, cases[i].flags);
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		why = build_path_clean(buf, cases[i].flags);
		CHECK(!why == !!cases[i].out);
		if (!why && cases[i].out)
			CHECK(!strcmp(buf, cases[i].out));
	}
	t_context("names");
	CHECK(build_name_bad("", 0));
	CHECK(build_name_bad("a\0b", 3));
	CHECK(build_name_bad("a/b", 3));
	CHECK(!build_name_bad("a b", 3));
	t_context("devtable names");
	CHECK_EQ(build_with_table("/sub/../../etc/cron.d d 755 0 0 - - - - -\n",
				  CRAMFS_DEVTABLE_MAKEDEVS, "n.img"), -EINVAL);
	CHECK_EQ(build_with_table("/x\\000y d 755 0 0 - - - - -\n",
				  CRAMFS_DEVTABLE_MAKEDEVS, "n.img"), -EINVAL);
}

/* rsync-style --chmod clauses, checked through the root's mode. */
static void test_chmod(void)
{
	static const struct {
		const char *spec;
		uint32_t before, after;
		bool dir;
	} cases[] = {
		{ "644", 0755, 0644, false },
		{ "go-w", 0777, 0755, false },
		{ "u=rwX,go=rX", 0600, 0644, false },
		{ "u=rwX,go=rX", 0700, 0755, false },
		{ "a+X", 0600, 0711, true },
		{ "D755,F600", 0000, 0755, true },
		{ "D755,F600", 0777, 0600, false },
		{ "u+s,g+s,+t", 0755, 07755, false },
		{ "o=", 0777, 0770, false },
	};
	static const char *const bad[] = { "", "x+r", "u+q", "8", "D", "u" };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *rel = cases[i].dir ? "sub" : "one-block";
		struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE };
		struct cramfs_tree *t = NULL;
		struct cramfs_node n;
		char p[4096], img[4096];

		t_context("chmod %s on %04o", cases[i].spec, cases[i].before);
		snprintf(p, sizeof(p), "%s/%s", src, rel);
		snprintf(img, sizeof(img), "%s/chmod.img", out);
		chmod(p, cases[i].before);
		CHECK_EQ(cramfs_tree_new(&t), 0);
		CHECK_EQ(cramfs_tree_add_dir(t, src, NULL), 0);
		CHECK_EQ(cramfs_tree_chmod(t, cases[i].spec), 0);
		CHECK_EQ(cramfs_build(t, &o, img, NULL, NULL), 0);
		CHECK(lookup("chmod.img", rel, &n));
		CHECK_EQ(n.inode.mode & 07777, cases[i].after);
		chmod(p, cases[i].dir ? 0750 : 0600);
		cramfs_tree_free(t);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cramfs_tree *t = NULL;

		t_context("bad chmod '%s'", bad[i]);
		CHECK_EQ(cramfs_tree_new(&t), 0);
		CHECK_EQ(cramfs_tree_chmod(t, bad[i]), -EINVAL);
		cramfs_tree_free(t);
	}
}

/* Globs without '/' match names anywhere; with '/', the whole path. */
static void test_exclude(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE };
	struct cramfs_tree *t = NULL;
	struct cramfs_node n;
	char img[4096];

	t_context("exclude");
	snprintf(img, sizeof(img), "%s/ex.img", out);
	CHECK_EQ(cramfs_tree_new(&t), 0);
	CHECK_EQ(cramfs_tree_add_dir(t, src, NULL), 0);
	CHECK_EQ(cramfs_tree_exclude(t, "dup-*"), 2);
	CHECK_EQ(cramfs_tree_exclude(t, "/sub/o*"), 1);
	CHECK_EQ(cramfs_tree_exclude(t, "nothing"), 0);
	CHECK_EQ(cramfs_build(t, &o, img, NULL, NULL), 0);
	CHECK(!lookup("ex.img", "dup-a", &n) && !lookup("ex.img", "sub/odd", &n));
	CHECK(lookup("ex.img", "sub/big", &n) && lookup("ex.img", "text", &n));
	CHECK_EQ(cramfs_tree_exclude(t, "sub"), 2);	/* sub and sub/big */
	cramfs_tree_free(t);
}

/* Incompressible blocks stored raw (flag 0x800) read back exactly. */
static void test_raw_blocks(void)
{
	struct cramfs_build_opts o = { .mode = CRAMFS_BUILD_NATIVE,
				       .raw_blocks = true };
	static uint8_t noise[20000];
	struct cramfs_node n;

	t_context("raw blocks");
	t_fill(noise, sizeof(noise), 99, false);
	put_file("noise", noise, sizeof(noise), 0644);
	CHECK_EQ(build(&o, "raw.img", NULL), 0);
	CHECK(image_flags("raw.img") & CRAMFS_FLAG_EXT_BLOCK_POINTERS);
	verify("raw.img", ENTRIES + 1);
	CHECK(lookup("raw.img", "noise", &n));
	o.raw_blocks = false;
	CHECK_EQ(build(&o, "noraw.img", NULL), 0);
	CHECK(!(image_flags("noraw.img") & CRAMFS_FLAG_EXT_BLOCK_POINTERS));
	{
		char p[4096];

		snprintf(p, sizeof(p), "%s/noise", src);
		unlink(p);
	}
}

int main(void)
{
	src = t_mkdtemp("build-src");
	out = t_mkdtemp("build-out");
	if (!src || !out)
		return 1;
	make_tree();
	test_variants();
	test_threads();
	test_dedup();
	test_limits();
	test_bad_output();
	test_devtable();
	test_names();
	test_chmod();
	test_exclude();
	test_raw_blocks();
	t_rmtree(src);
	t_rmtree(out);
	free(src);
	free(out);
	return t_done("test_build");
}
