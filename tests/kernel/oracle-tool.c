// SPDX-License-Identifier: MIT
/*
 * oracle-tool.c - helper of the test suites (tests/kernel, tests/cli).
 *
 * One binary, run on the host and as a process inside User-Mode Linux, so
 * the manifest of a tree is produced by the same code on both sides.
 *
 *   oracle-tool manifest [--kernel|--stored] [--no-owners] DIR
 *   oracle-tool insmod FILE [PARAMS]          finit_module(2)
 *   oracle-tool mount [-w] SRC DIR TYPE [DATA] mount(2), read-only unless -w
 *   oracle-tool dmesg                          print the kernel log buffer
 *   oracle-tool poweroff                       sync + reboot(RB_POWER_OFF)
 *
 * Manifest: one line per entry, sorted by path (byte order):
 *   PATH TYPE MODE UID GID SIZE EXTRA
 *   PATH  "/" for the root, "/a/b" below it; bytes <= 0x20, >= 0x7f and '\'
 *         are written as \ooo (octal), like /proc/mounts
 *   TYPE  f d l c b p s
 *   MODE  st_mode & 07777, 4 octal digits
 *   SIZE  regular file: st_size; symlink: target length; else "-"
 *   EXTRA regular file: sha256 of the content read with read(); symlink:
 *         the target (escaped); c/b: major:minor; else "-".
 *         Errors: "ERROR:<what>:<strerror>" (and exit status 1).
 *
 * Views of a source tree (what a util-linux mkfs.cramfs image of DIR holds):
 *   --stored  what the image stores and an extractor restores: uid & 0xffff,
 *             gid & 0xff, file size capped at 2^24 - 1 (content hashed up to
 *             there), st_rdev cut to the 24-bit field and read back as a
 *             glibc dev_t (what fsck.cramfs --extract passes to mknod).
 *   --kernel  what the Linux cramfs driver shows of that image: as --stored,
 *             but device numbers through old_decode_dev() (8-bit major and
 *             minor) and the root directory's mode ORed with 0555
 *             (cramfs_read_super()).  --cramfs is an alias.
 *   --no-owners prints "-" for UID and GID (extractions done as non-root).
 * Without a view the plain lstat() values are printed.
 *
 * SHA-256 follows FIPS 180-4 (written for this tool).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

/* ------------------------------------------------------------ SHA-256 */

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char buf[64];
	size_t fill;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->fill = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->total += len;
	while (len) {
		size_t n = 64 - s->fill;
		if (n > len)
			n = len;
		memcpy(s->buf + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == 64) {
			sha256_block(s, s->buf);
			s->fill = 0;
		}
	}
}

static void sha256_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->total * 8;
	unsigned char pad = 0x80, lenb[8];
	int i;

	sha256_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		sha256_update(s, &pad, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, lenb, 8);
	for (i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", s->h[i]);
	out[64] = 0;
}

/* ------------------------------------------------------- tree walking */

enum view { VIEW_RAW, VIEW_STORED, VIEW_KERNEL };

struct entry {
	char *rel;	/* "/" or "/a/b" */
	char *full;	/* path to open */
	struct stat st;
	int stat_errno;
	int dir_errno;	/* opendir/readdir failure */
	int cycle;
};

static struct entry *ents;
static size_t nents, cap;
static int had_error;
static const size_t max_entries = 2000000;
static const int max_depth = 512;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("oracle-tool: realloc");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *r = xrealloc(NULL, la + lb + 2);

	memcpy(r, a, la);
	if (!(la && a[la - 1] == '/'))
		r[la++] = '/';
	memcpy(r + la, b, lb + 1);
	return r;
}

static struct entry *add_entry(const char *rel, const char *full)
{
	struct entry *e;

	if (nents == cap) {
		cap = cap ? cap * 2 : 256;
		ents = xrealloc(ents, cap * sizeof(*ents));
	}
	e = &ents[nents++];
	memset(e, 0, sizeof(*e));
	e->rel = xstrdup(rel);
	e->full = xstrdup(full);
	if (lstat(full, &e->st) < 0) {
		e->stat_errno = errno;
		had_error = 1;
	}
	return e;
}

struct anc {
	dev_t dev;
	ino_t ino;
	const struct anc *up;
};

/* Reads the names of a directory (without . and ..); sets *err on failure. */
static char **read_names(const char *full, size_t *count, int *err)
{
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	struct dirent *de;
	DIR *d = opendir(full);

	*err = 0;
	if (!d) {
		*err = errno;
		*count = 0;
		return NULL;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			*err = errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (nn == ncap) {
			ncap = ncap ? ncap * 2 : 32;
			names = xrealloc(names, ncap * sizeof(*names));
		}
		names[nn++] = xstrdup(de->d_name);
		if (nents + nn > max_entries) {
			*err = EOVERFLOW;
			break;
		}
	}
	closedir(d);
	*count = nn;
	return names;
}

static void walk(const char *rel, const char *full, int depth,
		 const struct anc *up)
{
	size_t me = add_entry(rel, full) - ents, nn, i;
	const struct anc *a;
	struct anc self;
	char **names;
	int err;

	if (ents[me].stat_errno || !S_ISDIR(ents[me].st.st_mode))
		return;
	for (a = up; a; a = a->up)
		if (a->dev == ents[me].st.st_dev && a->ino == ents[me].st.st_ino) {
			ents[me].cycle = 1;
			had_error = 1;
			return;
		}
	if (depth >= max_depth) {
		ents[me].dir_errno = ELOOP;
		had_error = 1;
		return;
	}
	self.dev = ents[me].st.st_dev;
	self.ino = ents[me].st.st_ino;
	self.up = up;
	names = read_names(full, &nn, &err);
	if (err) {
		ents[me].dir_errno = err;
		had_error = 1;
	}
	for (i = 0; i < nn; i++) {
		char *r = join(rel, names[i]);
		char *f = join(full, names[i]);

		if (nents < max_entries)
			walk(r, f, depth + 1, &self);
		free(r);
		free(f);
		free(names[i]);
	}
	free(names);
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->rel,
		      ((const struct entry *)b)->rel);
}

/* ---------------------------------------------------------- manifest */

static void put_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static char type_char(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	}
	return '?';
}

/* sha256 of the first `limit` bytes of a file; returns 0 or an errno */
static int hash_file(const char *path, off_t limit, char hex[65], off_t *nread)
{
	static unsigned char buf[1 << 16];
	struct sha256 s;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY);

	*nread = 0;
	if (fd < 0)
		return errno;
	sha256_init(&s);
	for (;;) {
		size_t want = sizeof(buf);

		if (limit - *nread < (off_t)want)
			want = (size_t)(limit - *nread);
		if (want == 0)
			break;
		n = read(fd, buf, want);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		sha256_update(&s, buf, (size_t)n);
		*nread += n;
	}
	close(fd);
	sha256_hex(&s, hex);
	return 0;
}

static void print_file(const struct entry *e, off_t size)
{
	char hex[65];
	off_t got;
	int err = hash_file(e->full, size, hex, &got);

	printf("%lld ", (long long)size);
	if (err) {
		printf("ERROR:read:%s\n", strerror(err));
		had_error = 1;
	} else if (got != size) {
		printf("ERROR:short-read:%lld\n", (long long)got);
		had_error = 1;
	} else {
		printf("%s\n", hex);
	}
}

static void print_link(const struct entry *e)
{
	char buf[8192];
	ssize_t n = readlink(e->full, buf, sizeof(buf));

	printf("%lld ", (long long)e->st.st_size);
	if (n < 0) {
		printf("ERROR:readlink:%s\n", strerror(errno));
		had_error = 1;
		return;
	}
	if (n == 0)
		fputs("\\000", stdout);	/* keep the field non-empty */
	put_escaped(buf, (size_t)n);
	putchar('\n');
}

static void print_dev(const struct entry *e, enum view view)
{
	unsigned long ma = major(e->st.st_rdev), mi = minor(e->st.st_rdev);
	unsigned long v = (unsigned long)e->st.st_rdev & 0xffffff;

	if (view == VIEW_STORED) {
		ma = major((dev_t)v);
		mi = minor((dev_t)v);
	} else if (view == VIEW_KERNEL) {
		ma = (v >> 8) & 0xff;
		mi = v & 0xff;
	}
	printf("- %lu:%lu\n", ma, mi);
}

static void print_entry(const struct entry *e, enum view view, int owners)
{
	const struct stat *st = &e->st;
	unsigned long uid = st->st_uid, gid = st->st_gid;
	unsigned mode = st->st_mode & 07777;
	off_t size = st->st_size;

	put_escaped(e->rel, strlen(e->rel));
	if (e->stat_errno) {
		printf(" ? - - - - ERROR:lstat:%s\n", strerror(e->stat_errno));
		return;
	}
	if (view != VIEW_RAW) {
		uid &= 0xffff;
		gid &= 0xff;
		if (size > 0xffffff)	/* the 24-bit size field */
			size = 0xffffff;
	}
	if (view == VIEW_KERNEL && !strcmp(e->rel, "/"))
		mode |= 0555;
	if (owners)
		printf(" %c %04o %lu %lu ", type_char(st->st_mode), mode, uid, gid);
	else
		printf(" %c %04o - - ", type_char(st->st_mode), mode);
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		print_file(e, size);
		break;
	case S_IFLNK:
		print_link(e);
		break;
	case S_IFCHR:
	case S_IFBLK:
		print_dev(e, view);
		break;
	case S_IFDIR:
		if (e->cycle)
			printf("- ERROR:directory-cycle\n");
		else if (e->dir_errno)
			printf("- ERROR:readdir:%s\n", strerror(e->dir_errno));
		else
			printf("- -\n");
		break;
	default:
		printf("- -\n");
	}
}

static int cmd_manifest(int argc, char **argv)
{
	enum view view = VIEW_RAW;
	int owners = 1;
	size_t i;

	for (argc--, argv++; argc > 1; argc--, argv++) {
		if (!strcmp(argv[0], "--kernel") || !strcmp(argv[0], "--cramfs"))
			view = VIEW_KERNEL;
		else if (!strcmp(argv[0], "--stored"))
			view = VIEW_STORED;
		else if (!strcmp(argv[0], "--no-owners"))
			owners = 0;
		else
			break;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: oracle-tool manifest [--kernel|--stored] [--no-owners] DIR\n");
		return 2;
	}
	walk("/", argv[0], 0, NULL);
	qsort(ents, nents, sizeof(*ents), cmp_ent);
	for (i = 0; i < nents; i++)
		print_entry(&ents[i], view, owners);
	fflush(stdout);
	return had_error ? 1 : 0;
}

/* ------------------------------------------------------ init chores */

static int cmd_insmod(int argc, char **argv)
{
	const char *params = argc > 2 ? argv[2] : "";
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: oracle-tool insmod FILE [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "insmod: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0) < 0 && errno != EEXIST) {
		fprintf(stderr, "insmod: %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int cmd_mount(int argc, char **argv)
{
	unsigned long flags = MS_RDONLY;

	if (argc > 1 && !strcmp(argv[1], "-w")) {
		flags = 0;
		argc--;
		argv++;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: oracle-tool mount [-w] SRC DIR TYPE [DATA]\n");
		return 2;
	}
	if (mount(argv[1], argv[2], argv[3], flags, argc > 4 ? argv[4] : NULL) < 0) {
		fprintf(stderr, "mount %s on %s (%s): %s\n", argv[1], argv[2],
			argv[3], strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_dmesg(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int n;

	if (size <= 0)
		size = 1 << 20;
	buf = xrealloc(NULL, (size_t)size);
	n = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		perror("klogctl");
		free(buf);
		return 1;
	}
	fwrite(buf, 1, (size_t)n, stdout);
	free(buf);
	return 0;
}

static int cmd_poweroff(void)
{
	sync();
	reboot(RB_POWER_OFF);
	perror("reboot");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "manifest"))
		return cmd_manifest(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "insmod"))
		return cmd_insmod(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "mount"))
		return cmd_mount(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "dmesg"))
		return cmd_dmesg();
	if (argc == 2 && !strcmp(argv[1], "poweroff"))
		return cmd_poweroff();
	fprintf(stderr, "usage: oracle-tool manifest|insmod|mount|dmesg|poweroff ...\n");
	return 2;
}
