/* SPDX-License-Identifier: MIT */
#include "tutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int t_failures;
static char t_ctx[256];

void t_context(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t_ctx, sizeof(t_ctx), fmt, ap);
	va_end(ap);
}

const char *t_context_get(void)
{
	return t_ctx;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d [%s]: ", file, line, t_ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	t_failures++;
}

int t_done(const char *name)
{
	if (t_failures)
		fprintf(stderr, "%s: %d check(s) failed\n", name, t_failures);
	else
		printf("%s: all checks passed\n", name);
	return t_failures ? 1 : 0;
}

int t_open(struct t_img *t, const void *buf, size_t len, uint32_t bs)
{
	struct cramfs_open_opts o = { .block_size = bs };
	int rc;

	memset(t, 0, sizeof(*t));
	rc = cramfs_diag_new(0, &t->diag);
	if (rc == 0)
		rc = cramfs_source_from_memory(buf, len, &t->src);
	if (rc == 0)
		rc = cramfs_image_open(t->src, &o, t->diag, &t->img);
	return rc;
}

void t_close(struct t_img *t)
{
	cramfs_image_close(t->img);
	cramfs_source_close(t->src);
	cramfs_diag_free(t->diag);
	memset(t, 0, sizeof(*t));
}

void t_dump_diag(const struct cramfs_diag *diag)
{
	static const char *sev[] = { "info", "warning", "error" };
	size_t n = cramfs_diag_count(diag);

	for (size_t i = 0; i < n; i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(diag, i);
		fprintf(stderr, "  diag %s: %s%s%s (off %llu)\n",
			sev[e->severity % 3], e->path ? e->path : "",
			e->path ? ": " : "", e->message,
			(unsigned long long)e->offset);
	}
}

size_t t_errors(const struct cramfs_diag *diag)
{
	return cramfs_diag_tally(diag, CRAMFS_DIAG_ERROR);
}

size_t t_warnings(const struct cramfs_diag *diag)
{
	return cramfs_diag_tally(diag, CRAMFS_DIAG_WARNING);
}

void t_build(struct spec_image *img)
{
	int rc = img ? spec_build(img) : -ENOMEM;

	if (rc) {
		fprintf(stderr, "specimg: build failed: %s\n", strerror(-rc));
		exit(2);
	}
}

uint32_t t_rand(uint32_t *s)
{
	/* xorshift32: deterministic across platforms */
	uint32_t x = *s ? *s : 0x9E3779B9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

void t_fill(uint8_t *buf, size_t len, uint32_t seed, bool compressible)
{
	static const char words[] = "cramfs xip block page zlib inode ";
	uint32_t s = seed;

	for (size_t i = 0; i < len; i++) {
		uint32_t r = t_rand(&s);
		buf[i] = compressible ? (uint8_t)words[(i + (r % 3 == 0)) %
						      (sizeof(words) - 1)]
				      : (uint8_t)r;
	}
}

long t_read_all(struct cramfs_image *img, const struct cramfs_node *node,
		size_t chunk, uint8_t **out)
{
	struct cramfs_file *f;
	size_t cap = node->inode.size + chunk + 1, got = 0;
	uint8_t *buf = malloc(cap);
	long n = buf ? cramfs_file_open(img, node, NULL, &f) : -ENOMEM;

	if (n < 0) {
		free(buf);
		return n;
	}
	do {
		size_t want = cap - got < chunk ? cap - got : chunk;
		n = cramfs_file_pread(f, buf + got, want, got);
		if (n > 0)
			got += (size_t)n;
	} while (n > 0 && got < cap);
	cramfs_file_close(f);
	if (n < 0) {
		free(buf);
		return n;
	}
	*out = buf;
	return (long)got;
}

static int rm_at(int dfd, const char *name);

static int rm_dir_contents(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rm_at(dirfd(d), de->d_name))
			rc = -1;
	}
	closedir(d);
	return rc;
}

static int rm_at(int dfd, const char *name)
{
	struct stat st;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) ? -errno : 0;
	/* extracted modes may forbid reading: open up before descending */
	fchmodat(dfd, name, 0700, 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	rm_dir_contents(fd);
	return unlinkat(dfd, name, AT_REMOVEDIR) ? -errno : 0;
}

int t_rmtree(const char *path)
{
	return rm_at(AT_FDCWD, path);
}

char *t_mkdtemp(const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	char *p;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&p, "%s/cramfs-%s-XXXXXX", tmp, tag) < 0)
		return NULL;
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

size_t t_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

int t_build_dir(const char *src, const char *image,
		const struct cramfs_build_opts *o, struct cramfs_build_result *r,
		bool show_diag)
{
	struct cramfs_tree *t = NULL;
	struct cramfs_diag *d = NULL;
	int ret;

	CHECK_EQ(cramfs_diag_new(0, &d), 0);
	CHECK_EQ(cramfs_tree_new(&t), 0);
	ret = cramfs_tree_add_dir(t, src, d);
	if (!ret)
		ret = cramfs_build(t, o, image, d, r);
	if (ret && show_diag)
		t_dump_diag(d);
	cramfs_tree_free(t);
	cramfs_diag_free(d);
	return ret;
}
