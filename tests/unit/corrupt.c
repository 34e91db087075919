/* SPDX-License-Identifier: MIT */
/*
 * Corrupt-image suite.  From several clean specimg images, derive tens of
 * thousands of broken ones (systematic byte flips, truncations, random
 * multi-byte mutations, targeted hostile renames) and push each through
 * open -> check -> walk -> read everything -> (sampled) extract.
 *
 * The properties: nothing crashes or hangs (the sanitizer build runs this
 * suite, meson's timeout catches hangs), every return code is one the API
 * documents, and extraction never creates anything outside its target.
 *
 * Debugging: CORRUPT_TRACE=1 prints every case before running it;
 * CORRUPT_ONLY=<seed name> runs one seed image; CORRUPT_CASE=<description>
 * (e.g. "byte 1169 = 0") runs only the matching cases, always extracting.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ttrees.h"

#define RANDOM_CASES 2000
#define EXTRACT_EVERY 10

struct seed {
	const char *name;
	uint8_t *buf;
	size_t len;
	uint32_t start;
	enum spec_endian endian;
};

struct tally {
	unsigned long cases, open_fail, clean, euclean, extracts;
};

struct env {
	char *base;
	char out[4096], canary[4096], manifest[4096];
	bool trace;
	const char *only_case;	/* run just this case, with extraction */
	unsigned long seq;
};

static struct env env;

/* ---- checks around one case -------------------------------------------- */

static bool rc_documented(long rc)
{
	return rc == 0 || rc == -EUCLEAN || rc == -ENOMEM || rc == -EINVAL ||
	       rc == -ENOENT || rc == -ENOTDIR || rc == -EOPNOTSUPP ||
	       rc == -ERANGE;
}

static void read_file(struct cramfs_image *img, const struct cramfs_node *n)
{
	static uint8_t buf[65536];
	struct cramfs_file *f = NULL;
	struct cramfs_block blk;
	uint64_t off = 0;
	long r;

	r = cramfs_file_open(img, n, NULL, &f);
	CHECK(rc_documented(r));
	if (r)
		return;
	for (uint32_t i = 0; i < cramfs_file_block_count(f) && i < 8192; i++)
		if (cramfs_file_block_info(f, i, &blk))
			break;
	while ((r = cramfs_file_pread(f, buf, sizeof(buf), off)) > 0)
		off += (uint64_t)r;
	CHECK(rc_documented(r));
	CHECK(off <= n->inode.size);
	cramfs_file_close(f);
}

static void visit(struct cramfs_image *img, const struct cramfs_node *n)
{
	static char target[4096 * 4];
	long r;

	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFREG))
		read_file(img, n);
	if (cramfs_is_type(n->inode.mode, CRAMFS_S_IFLNK)) {
		r = cramfs_readlink(img, n, NULL, target, sizeof(target));
		CHECK(r >= 0 || rc_documented(r));
		read_file(img, n);
	}
}

static void walk_all(struct cramfs_image *img, struct cramfs_diag *diag)
{
	struct cramfs_walk *w = NULL;
	struct cramfs_walk_entry e;
	int rc = cramfs_walk_open(img, NULL, CRAMFS_WALK_CONTINUE, diag, &w);

	CHECK(rc_documented(rc));
	while (w && (rc = cramfs_walk_next(w, &e)) == 1)
		visit(img, &e.node);
	CHECK(rc_documented(rc));
	cramfs_walk_close(w);
}

/* ---- containment after extraction -------------------------------------- */

static void check_base(void)
{
	DIR *d = opendir(env.base);
	struct dirent *de;

	CHECK_EQ(t_dir_entries(env.canary), 0);
	while (d && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "out") &&
		    strcmp(n, "canary") && strcmp(n, "manifest"))
			t_fail(__FILE__, __LINE__, "created outside: %s", n);
	}
	if (d)
		closedir(d);
}

/*
 * Lexically resolve a symlink found at `dir`/... and, if it points into
 * BASE but outside the target, require that nothing exists there (other
 * than BASE and the canary, whose emptiness check_base() asserts).
 */
static void check_symlink(const char *dir, const char *target)
{
	char full[8192], *p;
	struct stat st;
	size_t bl = strlen(env.base), ol = strlen(env.out);
	int n;

	if (target[0] == '/')
		n = snprintf(full, sizeof(full), "%s", target);
	else
		n = snprintf(full, sizeof(full), "%s/%s", dir, target);
	if (n < 0 || (size_t)n >= sizeof(full))
		return;	/* longer than PATH_MAX: the kernel cannot follow it */
	p = realpath(full, NULL);
	if (!p)
		return;	/* dangling: nothing was written through it */
	if (!strncmp(p, env.out, ol) && (p[ol] == '/' || !p[ol]))
		goto out;
	if (!strncmp(p, env.base, bl) && (p[bl] == '/' || !p[bl])) {
		bool ok = !strcmp(p, env.base) || !strcmp(p, env.canary) ||
			  !strcmp(p, env.manifest);
		if (!ok && lstat(p, &st) == 0)
			t_fail(__FILE__, __LINE__, "write through %s -> %s",
			       full, p);
	}
out:
	free(p);
}

static void scan_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[8192], tgt[8192];
	struct stat st;
	ssize_t l;

	while (d && depth < 64 && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			chmod(path, 0700);
			scan_tree(path, depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			l = readlink(path, tgt, sizeof(tgt) - 1);
			if (l >= 0) {
				tgt[l] = 0;
				check_symlink(dir, tgt);
			}
		}
	}
	if (d)
		closedir(d);
}

static void extract_case(struct cramfs_image *img)
{
	struct cramfs_extract_opts o = {
		.target_dir = env.out, .owners = 0,
		.manifest_path = env.manifest, .threads = 1,
	};
	struct cramfs_diag *diag = NULL;
	int rc;

	cramfs_diag_new(16, &diag);
	rc = cramfs_extract(img, &o, diag, NULL);
	if (!rc_documented(rc)) {
		t_fail(__FILE__, __LINE__, "cramfs_extract() = %d (%s)", rc,
		       cramfs_strerror(rc));
		t_dump_diag(diag);
	}
	cramfs_diag_free(diag);
	chmod(env.out, 0700);
	scan_tree(env.out, 0);
	check_base();
	t_rmtree(env.out);
	unlink(env.manifest);
}

/* ---- one case ------------------------------------------------------------ */

static void run_case(const uint8_t *buf, size_t len, bool extract,
		     struct tally *t)
{
	struct t_img ti;
	int rc = t_open(&ti, buf, len, 0);

	t->cases++;
	CHECK(rc_documented(rc));
	if (rc) {
		t->open_fail++;
		t_close(&ti);
		return;
	}
	rc = cramfs_check(ti.img, 0, ti.diag, NULL);
	CHECK(rc == 0 || rc == -EUCLEAN || rc == -ENOMEM);
	t->clean += rc == 0;
	t->euclean += rc == -EUCLEAN;
	cramfs_diag_clear(ti.diag);
	walk_all(ti.img, ti.diag);
	if (extract) {
		t->extracts++;
		extract_case(ti.img);
	}
	t_close(&ti);
}

/* Copy the seed, let `mut` edit it, run it.  `desc` names the case. */
static void mutate_and_run(const struct seed *s, uint8_t *work, size_t len,
			   struct tally *t, const char *desc)
{
	bool extract = env.seq++ % EXTRACT_EVERY == 0;

	if (env.only_case) {
		if (strcmp(env.only_case, desc))
			return;
		extract = true;
	}
	t_context("%s: %s", s->name, desc);
	if (env.trace) {
		printf("case %s: %s\n", s->name, desc);
		fflush(stdout);
	}
	run_case(work, len, extract, t);
}

/* ---- mutation families --------------------------------------------------- */

static void fix_crc(const struct seed *s, uint8_t *w, size_t len)
{
	uint8_t *c = w + s->start + 32;
	uLong crc;

	if (len < s->start + 76)
		return;
	memset(c, 0, 4);
	crc = crc32(0, w + s->start, (uInt)(len - s->start));
	for (int i = 0; i < 4; i++)
		c[s->endian == SPEC_LE ? i : 3 - i] = (uint8_t)(crc >> (8 * i));
}

static void family_super(const struct seed *s, uint8_t *w, struct tally *t)
{
	static const uint8_t xs[] = { 0x01, 0x80, 0xFF };
	char desc[64];

	for (uint32_t i = 0; i < 76; i++)
		for (size_t k = 0; k < sizeof(xs); k++) {
			size_t at = s->start + i;
			memcpy(w, s->buf, s->len);
			w[at] ^= xs[k];
			snprintf(desc, sizeof(desc), "super byte %u ^ 0x%02x",
				 i, xs[k]);
			mutate_and_run(s, w, s->len, t, desc);
		}
}

static void family_bytes(const struct seed *s, uint8_t *w, struct tally *t)
{
	size_t end = s->len < 4096 ? s->len : 4096;
	char desc[64];

	for (size_t i = 0; i < end; i++)
		for (int k = 0; k < 2; k++) {
			memcpy(w, s->buf, s->len);
			w[i] = k ? 0x00 : w[i] ^ 0xFF;
			snprintf(desc, sizeof(desc), "byte %zu %s", i,
				 k ? "= 0" : "^ 0xff");
			mutate_and_run(s, w, s->len, t, desc);
		}
}

static void family_truncate(const struct seed *s, uint8_t *w, struct tally *t)
{
	char desc[64];

	for (size_t n = 0; n < s->len; n += n < 1024 ? 4 : 97) {
		/* a fresh allocation of exactly n bytes: ASan sees overreads */
		uint8_t *cut = malloc(n ? n : 1);
		if (!cut)
			abort();
		memcpy(cut, s->buf, n);
		snprintf(desc, sizeof(desc), "truncated to %zu", n);
		mutate_and_run(s, cut, n, t, desc);
		free(cut);
	}
	(void)w;
}

static void random_edit(uint8_t *w, size_t len, uint32_t *rs)
{
	uint32_t kind = t_rand(rs) % 4, n = 1 + t_rand(rs) % 8;
	static const uint32_t words[] = { 0, 0xFFFFFFFFu, 0x80000000u,
					  0x40000000u, 0xC0000000u, 4, 76 };

	for (uint32_t i = 0; i < n; i++) {
		size_t at = t_rand(rs) % len;
		if (kind == 0 && len >= 4) {
			uint32_t v = words[t_rand(rs) % 7];
			at &= ~(size_t)3;
			if (at + 4 <= len)
				memcpy(w + at, &v, 4);
		} else if (kind == 1) {
			w[at] ^= (uint8_t)(1u << (t_rand(rs) % 8));
		} else {
			w[at] = (uint8_t)t_rand(rs);
		}
	}
}

static void family_random(const struct seed *s, uint8_t *w, struct tally *t)
{
	uint32_t rs = 0xC0FFEE11u;
	char desc[64];

	for (int i = 0; i < RANDOM_CASES; i++) {
		memcpy(w, s->buf, s->len);
		random_edit(w, s->len, &rs);
		/* half with a valid CRC, so the CRC alone never decides */
		if (i % 2)
			fix_crc(s, w, s->len);
		snprintf(desc, sizeof(desc), "random #%d", i);
		mutate_and_run(s, w, s->len, t, desc);
	}
}

/* ---- hostile renames (always extracted) ----------------------------------- */

static void rename_at(uint8_t *w, uint64_t entry_off, const char *name)
{
	memset(w + entry_off + 12, 0, 4);
	memcpy(w + entry_off + 12, name, strlen(name));
}

static void family_hostile(const struct seed *s, struct spec_image *im,
			   uint8_t *w, struct tally *t)
{
	static const char *names[] = { "ca", "..", ".", "a/b", "/", "ca/" };
	uint64_t off = spec_find(im, "cb")->entry_off;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memcpy(w, s->buf, s->len);
		rename_at(w, off, names[i]);
		fix_crc(s, w, s->len);
		t_context("%s: rename cb -> '%s'", s->name, names[i]);
		run_case(w, s->len, true, t);
	}
}

/* ---- seeds --------------------------------------------------------------- */

/* The canary lures: symlinks at the canary, a dir one rename away. */
static void add_lures(struct spec_image *im)
{
	struct spec_node *r = spec_root(im), *d;

	spec_add_symlink(im, r, "ca", env.canary);
	d = spec_add_dir(im, r, "cb", 0755);
	spec_add_file(im, d, "pwn", 0644, "pwned", 5);
	spec_add_symlink(im, r, "cc", "../canary");
	spec_add_symlink(im, r, "cd", "../canary/pwn");
}

/* Classic pointers only, with holes (util-linux -z style). */
static void add_holes(struct spec_image *im)
{
	static const enum spec_enc zhz[] = { SPEC_ENC_ZLIB, SPEC_ENC_HOLE,
					     SPEC_ENC_ZLIB, SPEC_ENC_HOLE };
	static uint8_t data[4 * 4096];
	struct spec_node *r = spec_root(im), *n;

	t_fill(data, sizeof(data), 77, true);
	memset(data + 4096, 0, 4096);
	memset(data + 3 * 4096, 0, 4096);
	n = spec_add_file(im, r, "holey", 0644, data, sizeof(data) - 5);
	spec_set_encs(n, zhz, 4);
	n = spec_add_file(im, r, "allhole", 0644, data + 4096, 4096);
	spec_set_enc(n, SPEC_ENC_HOLE);
	spec_add_file(im, r, "plain", 0644, data, 3000);
}

static struct spec_image *make_seed(int which)
{
	struct spec_opts o = { .no_tail_pad = which != 0 };
	struct spec_image *im;

	o.endian = which == 1 ? SPEC_BE : SPEC_LE;
	o.pad = which == 1;
	im = spec_new(&o);
	if (which == 0 || which == 1)
		t_tree_types(im);
	if (which == 2)
		t_tree_encodings(im);
	if (which == 3)
		t_tree_legacy(im);
	if (which == 4)
		add_holes(im);
	add_lures(im);
	t_build(im);
	return im;
}

static void run_seed(const char *name, int which)
{
	struct spec_image *im = make_seed(which);
	struct seed s = { name, im->buf, im->len, im->start, im->o.endian };
	struct tally t = { 0 };
	uint8_t *w = malloc(im->len);
	const char *only = getenv("CORRUPT_ONLY");

	if (only && strcmp(only, name)) {
		free(w);
		spec_free(im);
		return;
	}
	env.seq = 0;	/* sampling per seed: CORRUPT_ONLY reproduces runs */
	t_context("%s: unmodified", name);
	run_case(im->buf, im->len, true, &t);
	CHECK_EQ(t.clean, 1);
	family_hostile(&s, im, w, &t);
	family_super(&s, w, &t);
	family_bytes(&s, w, &t);
	family_truncate(&s, w, &t);
	family_random(&s, w, &t);
	printf("%-10s %6zu bytes: %6lu cases, open failed %5lu, check ok %5lu,"
	       " -EUCLEAN %6lu, extracted %5lu\n", name, im->len, t.cases,
	       t.open_fail, t.clean, t.euclean, t.extracts);
	fflush(stdout);
	free(w);
	spec_free(im);
}

int main(void)
{
	env.base = t_mkdtemp("corrupt");
	if (!env.base)
		return 2;
	snprintf(env.out, sizeof(env.out), "%s/out", env.base);
	snprintf(env.canary, sizeof(env.canary), "%s/canary", env.base);
	snprintf(env.manifest, sizeof(env.manifest), "%s/manifest", env.base);
	mkdir(env.canary, 0755);
	env.trace = getenv("CORRUPT_TRACE") != NULL;
	env.only_case = getenv("CORRUPT_CASE");
	run_seed("classic", 0);
	run_seed("be-pad", 1);
	run_seed("extended", 2);
	run_seed("legacy", 3);
	run_seed("holes", 4);
	t_rmtree(env.base);
	free(env.base);
	return t_done("corrupt");
}
