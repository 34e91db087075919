// SPDX-License-Identifier: MIT
/*
 * xip-image.c - writes small cramfs test images with chosen per-block
 * encodings (XIP ones included) through the spec-driven test writer
 * (tests/lib/specimg), independent of the project's builder.  Used by the
 * kernel suite (qemu-xip-selftest.sh) to give the real kernel images whose
 * layout is known page by page.
 *
 *   xip-image OUT ENTRY...
 *     DIR/                  a directory (mode 0755)
 *     PATH=HOSTFILE[:ENC]   a regular file with HOSTFILE's content and
 *                           permission bits
 *   Parent directories are created as needed (0755); owners are 0:0.
 *   ENC: one letter for every block, or one letter per block:
 *     z  zlib (default)            r  uncompressed, chained
 *     h  hole (block must be zero) D  direct pointer, zlib
 *     d  direct, uncompressed, page-aligned: the XIP layout the kernel
 *        maps in place; consecutive d blocks are contiguous.
 *
 * Little-endian, 4096-byte blocks; the EXT_BLOCK_POINTERS flag (0x800) is
 * set whenever a block uses a direct or uncompressed pointer.  Prints, for
 * every file, "file PATH offset=0xTABLE nblocks=N direct=0xOFF,-,..."
 * (where its block pointer table lies and, per block, the image offset of
 * a direct block's data or "-"), so tests know where each page lies.
 * Exit: 0 written, 1 failure, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "specimg.h"

static int usage(void)
{
	fprintf(stderr, "usage: xip-image OUT DIR/ | PATH=HOSTFILE[:z|r|h|d|D...] ...\n");
	return 2;
}

/* the directory node for "a/b" (created as needed); NULL on ENOMEM */
static struct spec_node *dir_node(struct spec_image *img, const char *path)
{
	struct spec_node *d = spec_find(img, path), *parent;
	char *copy, *slash;

	if (d || !*path)
		return d ? d : spec_root(img);
	copy = strdup(path);
	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (slash)
		*slash = 0;
	parent = dir_node(img, slash ? copy : "");
	d = parent ? spec_add_dir(img, parent, slash ? slash + 1 : copy, 0755) : NULL;
	free(copy);
	return d;
}

static int enc_of_char(char c, enum spec_enc *e)
{
	switch (c) {
	case 'z': *e = SPEC_ENC_ZLIB; return 0;
	case 'h': *e = SPEC_ENC_HOLE; return 0;
	case 'r': *e = SPEC_ENC_RAW; return 0;
	case 'D': *e = SPEC_ENC_DIRECT_ZLIB; return 0;
	case 'd': *e = SPEC_ENC_DIRECT_RAW; return 0;
	}
	return -1;
}

static int set_encs(struct spec_node *n, const char *spec)
{
	size_t i, cnt = strlen(spec);
	enum spec_enc *e = calloc(cnt ? cnt : 1, sizeof(*e));
	int rc = 0;

	if (!e)
		return -1;
	for (i = 0; i < cnt && rc == 0; i++)
		rc = enc_of_char(spec[i], &e[i]);
	if (rc == 0 && cnt)
		rc = spec_set_encs(n, e, cnt);
	free(e);
	return rc;
}

static unsigned char *slurp(const char *path, size_t *len, mode_t *mode)
{
	unsigned char *buf = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		buf = malloc(st.st_size ? (size_t)st.st_size : 1);
		*len = (size_t)st.st_size;
		*mode = st.st_mode;
		if (buf && fread(buf, 1, *len, f) != *len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* "PATH=HOSTFILE[:ENC]" */
static int add_file(struct spec_image *img, char *arg)
{
	char *host = strchr(arg, '='), *enc, *name;
	struct spec_node *dir, *n;
	unsigned char *data;
	size_t len = 0;
	mode_t mode = 0;

	if (!host)
		return -1;
	*host++ = 0;
	enc = strrchr(host, ':');
	if (enc)
		*enc++ = 0;
	while (*arg == '/')
		arg++;
	name = strrchr(arg, '/');
	if (name)
		*name++ = 0;
	data = slurp(host, &len, &mode);
	if (!data) {
		fprintf(stderr, "xip-image: %s: %s\n", host, strerror(errno ? errno : EINVAL));
		return -1;
	}
	dir = dir_node(img, name ? arg : "");
	n = dir ? spec_add_file(img, dir, name ? name : arg, mode & 07777, data, len) : NULL;
	free(data);
	if (!n || (enc && set_encs(n, enc) < 0)) {
		fprintf(stderr, "xip-image: cannot add %s (bad encoding?)\n", name ? name : arg);
		return -1;
	}
	return 0;
}

static int write_image(const struct spec_image *img, const char *out)
{
	FILE *f = fopen(out, "wb");

	if (!f || fwrite(img->buf, 1, img->len, f) != img->len) {
		fprintf(stderr, "xip-image: %s: %s\n", out, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* "file PATH offset=0xTABLE nblocks=N direct=0xOFF,-,...": for each block
 * the image offset of a direct block's data, "-" for other blocks */
static void print_layout(const struct spec_image *img, const struct spec_node *n)
{
	uint32_t i, ptr;

	if (!n->nblocks)
		return;
	printf("file /%s offset=0x%x nblocks=%u direct=", n->path, n->offset,
	       n->nblocks);
	for (i = 0; i < n->nblocks; i++) {
		ptr = spec_get32(img, n->offset + 4ull * i);
		if (ptr & 0x40000000u)	/* CRAMFS_BLK_FLAG_DIRECT_PTR */
			printf("%s0x%x", i ? "," : "", (ptr & 0x3fffffffu) << 2);
		else
			printf("%s-", i ? "," : "");
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	struct spec_image *img;
	int i, rc = 0;

	if (argc < 3)
		return usage();
	img = spec_new(NULL);
	if (!img)
		return 1;
	for (i = 2; i < argc && rc == 0; i++) {
		size_t l = strlen(argv[i]);

		if (l && argv[i][l - 1] == '/' && !strchr(argv[i], '=')) {
			argv[i][l - 1] = 0;
			rc = dir_node(img, argv[i] + strspn(argv[i], "/")) ? 0 : -1;
		} else {
			rc = add_file(img, argv[i]);
		}
	}
	if (rc == 0 && (rc = spec_build(img)) != 0)
		fprintf(stderr, "xip-image: spec_build: %s\n", strerror(-rc));
	if (rc == 0) {
		spec_fix_crc(img);
		rc = write_image(img, argv[1]);
	}
	for (size_t k = 0; rc == 0 && k < img->nall; k++)
		print_layout(img, img->all[k]);
	spec_free(img);
	return rc ? 1 : 0;
}
