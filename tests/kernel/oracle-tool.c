// SPDX-License-Identifier: MIT
/*
 * oracle-tool.c - helper of the test suites (tests/kernel, tests/cli).
 *
 * One binary, run on the host, as a process inside User-Mode Linux and in
 * the qemu guest of qemu-xip.sh (built statically there), so the manifest
 * of a tree is produced by the same code on every side.
 *
 *   oracle-tool manifest [--kernel|--stored] [--no-owners] DIR
 *   oracle-tool xip DIR              whole-file mmap of each file: direct?
 *   oracle-tool xippages BASE LEN DIR  per-page probe, whole files and ELF
 *                                    PT_LOAD segments (see "XIP probes")
 *   oracle-tool execmap [--delay MS] BASE LEN PATH [ARG...]
 *                                    run PATH, report how it is mapped
 *   oracle-tool insmod FILE [PARAMS]          finit_module(2)
 *   oracle-tool mount [-w] SRC DIR TYPE [DATA] mount(2), read-only unless -w
 *   oracle-tool dmesg                          print the kernel log buffer
 *   oracle-tool poweroff                       sync + reboot(RB_POWER_OFF)
 *   oracle-tool reboot                         sync + reboot(RB_AUTOBOOT)
 *   oracle-tool cpio <SPEC >ARCHIVE   newc cpio (initramfs) without root
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
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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

/* --------------------------------------------------------- XIP probes */

/*
 * Whether the kernel maps a file's pages directly from the image
 * (execute-in-place) is visible in two places: the VmFlags of the mapping
 * in /proc/PID/smaps ("pf" = VM_PFNMAP: cramfs mapped the whole range with
 * remap_pfn_range(), and smaps' offset is then the physical address; "mm"
 * = VM_MIXEDMAP: the leading pages were inserted directly, the rest comes
 * from the page cache), and per page in /proc/PID/pagemap: the physical
 * address of a direct page lies inside the MTD window the image sits in
 * (BASE, LEN: qemu-xip.sh passes the physmap window), a page-cache page's
 * does not.  PFNs in pagemap are only shown to CAP_SYS_ADMIN.
 *
 * Page strings have one character per page: '1' present and inside the
 * window (in place), '0' present elsewhere (page cache, anonymous copy),
 * '-' not present (never touched, or the touch faulted).
 * Errors are single tokens: "ERROR:<what>:<errno name>".
 */

static size_t pagesz = 4096;

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	b->len += (size_t)n;
}

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "EUNKNOWN";
}

/* "ERROR:<what>:<errno name>" with a leading space */
static void sb_error(struct sbuf *b, const char *what, int err)
{
	sb_printf(b, " ERROR:%s:%s", what, errname(err));
}

static void put_path(const char *tag, const char *rel)
{
	printf("%s ", tag);
	put_escaped(rel, strlen(rel));
}

/* ---- /proc/PID/smaps */

struct vma {
	unsigned long start, end;
	unsigned long long off;
	unsigned dmaj, dmin;
	unsigned long ino;
	char perms[8];
	char flags[192];	/* VmFlags, ','-separated */
};

/* "rd ex mr\n" -> "rd,ex,mr", so the flags stay one field */
static void copy_flags(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	while (*src == ' ')
		src++;
	for (; *src && *src != '\n' && n + 1 < size; src++)
		dst[n++] = *src == ' ' ? ',' : *src;
	while (n && dst[n - 1] == ',')
		n--;
	dst[n] = 0;
}

/* Every mapping of an smaps file; returns the count or -errno. */
static long smaps_read(const char *path, struct vma **out)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	struct vma *v = NULL;
	size_t n = 0, vcap = 0;

	*out = NULL;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct vma t;

		memset(&t, 0, sizeof(t));
		/* header "START-END PERMS OFFSET MAJ:MIN INODE [PATH]";
		 * field lines ("Size:", "AnonHugePages:") never give 7 */
		if (sscanf(line, "%lx-%lx %7s %llx %x:%x %lu", &t.start, &t.end,
			   t.perms, &t.off, &t.dmaj, &t.dmin, &t.ino) == 7) {
			if (n == vcap) {
				vcap = vcap ? vcap * 2 : 64;
				v = xrealloc(v, vcap * sizeof(*v));
			}
			v[n++] = t;
		} else if (n && !strncmp(line, "VmFlags:", 8)) {
			copy_flags(v[n - 1].flags, sizeof(v[n - 1].flags), line + 8);
		}
	}
	fclose(f);
	*out = v;
	return (long)n;
}

static int has_flag(const char *flags, const char *fl)
{
	size_t n = strlen(fl);
	const char *p = flags;

	while ((p = strstr(p, fl))) {
		if ((p == flags || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static const char *vma_kind(const char *flags)
{
	if (has_flag(flags, "pf"))
		return "pfnmap";
	if (has_flag(flags, "mm"))
		return "mixedmap";
	return "pagecache";
}

/* ---- /proc/PID/pagemap */

struct window {
	uint64_t base, len;
};

static int in_window(const struct window *w, uint64_t phys)
{
	return phys && phys >= w->base && phys - w->base < w->len;
}

/*
 * Physical address of each of `pages` pages from `addr` (0: not present).
 * *hidden counts present pages whose PFN reads as 0 (not CAP_SYS_ADMIN).
 * Returns 0 or an errno.
 */
static int pagemap_phys(const char *path, unsigned long addr, size_t pages,
			uint64_t *phys, size_t *hidden)
{
	uint64_t ent[512];
	size_t i, k;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	*hidden = 0;
	memset(phys, 0, pages * sizeof(*phys));
	if (fd < 0)
		return errno;
	for (i = 0; i < pages && !err; i += k) {
		size_t want = pages - i < 512 ? pages - i : 512;
		off_t at = (off_t)(addr / pagesz + i) * 8;
		ssize_t n = pread(fd, ent, want * 8, at);

		if (n != (ssize_t)(want * 8)) {
			err = n < 0 ? errno : EIO;
			break;
		}
		for (k = 0; k < want; k++) {
			/* bit 63 present, bits 0-54 PFN */
			uint64_t pfn = ent[k] & ((1ULL << 55) - 1);

			if (!(ent[k] >> 63))
				continue;
			if (!pfn)
				(*hidden)++;
			phys[i + k] = pfn * pagesz;
		}
	}
	close(fd);
	return err;
}

/* the mapping holding addr, or NULL */
static const struct vma *vma_find(const struct vma *v, long n, unsigned long addr)
{
	long i;

	for (i = 0; i < n; i++)
		if (v[i].start <= addr && addr < v[i].end)
			return &v[i];
	return NULL;
}

/*
 * Physical address of the `pages` pages from addr of mapping m (NULL:
 * unknown, ask pagemap).  The kernel's page walk skips VM_PFNMAP
 * mappings, so pagemap shows their pages as absent.  For those,
 * remap_pfn_range() maps the whole mapping contiguously and, in a private
 * mapping, stores the first PFN in vm_pgoff, which smaps shows as the
 * offset: the addresses follow from it.
 */
static int vma_phys(const char *pagemap, const struct vma *m,
		    unsigned long addr, size_t pages, uint64_t *phys,
		    size_t *hidden)
{
	size_t i;

	if (m && has_flag(m->flags, "pf") && m->perms[3] == 'p') {
		*hidden = 0;
		for (i = 0; i < pages; i++)
			phys[i] = m->off + (addr - m->start) + i * pagesz;
		return 0;
	}
	return pagemap_phys(pagemap, addr, pages, phys, hidden);
}

/*
 * Appends " NAME=<page string> phys=<image offset of the first in-place
 * page> runs=<first-last@0xIMAGEOFF,...>": a run is a stretch of in-place
 * pages at consecutive physical addresses.  "-" for none.
 */
static void page_summary(struct sbuf *b, const char *name,
			 const struct window *w, const uint64_t *phys,
			 size_t pages)
{
	size_t i, first = pages, start;
	struct sbuf runs = { 0 };

	sb_printf(b, " %s=", name);
	for (i = 0; i < pages; i++) {
		int in = in_window(w, phys[i]);

		sb_printf(b, "%c", in ? '1' : phys[i] ? '0' : '-');
		if (in && first == pages)
			first = i;
	}
	if (!pages)
		sb_printf(b, "-");
	if (first == pages) {
		sb_printf(b, " phys=- runs=-");
		return;
	}
	sb_printf(b, " phys=0x%llx runs=",
		  (unsigned long long)(phys[first] - w->base));
	for (i = first; i < pages; i++) {
		if (!in_window(w, phys[i]))
			continue;
		start = i;
		while (i + 1 < pages && in_window(w, phys[i + 1]) &&
		       phys[i + 1] == phys[i] + pagesz)
			i++;
		sb_printf(&runs, "%s%zu-%zu@0x%llx", runs.len ? "," : "",
			  start, i, (unsigned long long)(phys[start] - w->base));
	}
	sb_printf(b, "%s", runs.p);
	free(runs.p);
}

/* ---- touching mapped pages (SIGBUS/SIGSEGV caught) */

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

static void catch_faults(int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_fault : SIG_DFL;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* Reads a byte of every page; faulted[i] = the signal it raised, or 0. */
static void touch_pages(const unsigned char *map, size_t pages, int *faulted)
{
	/* static volatile: the loop state must survive siglongjmp */
	static volatile size_t i;
	static volatile unsigned char sink;

	catch_faults(1);
	for (i = 0; i < pages; i++) {
		int sig = sigsetjmp(fault_jmp, 1);

		faulted[i] = sig;
		if (!sig)
			sink = map[i * pagesz];
	}
	catch_faults(0);
	(void)sink;
}

static const char *sig_name(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "SIGNAL";
}

/* pread until `len` bytes or EOF; returns the count or -errno */
static ssize_t pread_full(int fd, unsigned char *buf, size_t len, off_t at)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, at + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Appends " content=..." comparing the mapped pages with pread() of the
 * file from `foff` (zeros beyond EOF): ok, MISMATCH (note=first-diff-at=
 * FILE_OFFSET:map=XX,read=YY), SIGBUS/SIGSEGV (note=fault-at-page=I),
 * read-error (note=ERRNO), short-read (note=at=FILE_OFFSET).
 */
static void compare_pages(struct sbuf *b, int fd, const unsigned char *map,
			  size_t pages, off_t foff, off_t fsize,
			  const int *faulted)
{
	static volatile size_t i;
	unsigned char *buf = xrealloc(NULL, pagesz);
	int sig;

	catch_faults(1);
	sig = sigsetjmp(fault_jmp, 1);
	if (sig) {
		sb_printf(b, " content=%s note=fault-at-page=%zu", sig_name(sig), (size_t)i);
		goto out;
	}
	for (i = 0; i < pages; i++) {
		off_t at = foff + (off_t)(i * pagesz);
		const unsigned char *m = map + i * pagesz;
		size_t k;

		if (faulted[i]) {
			sb_printf(b, " content=%s note=fault-at-page=%zu",
				  sig_name(faulted[i]), (size_t)i);
			goto out;
		}
		memset(buf, 0, pagesz);
		if (at < fsize) {
			size_t want = fsize - at < (off_t)pagesz ? (size_t)(fsize - at) : pagesz;
			ssize_t n = pread_full(fd, buf, want, at);

			if (n < 0) {
				sb_printf(b, " content=read-error note=%s", errname((int)-n));
				goto out;
			}
			if ((size_t)n < want) {
				sb_printf(b, " content=short-read note=at=%lld",
					  (long long)(at + n));
				goto out;
			}
		}
		if (!memcmp(buf, m, pagesz))
			continue;
		for (k = 0; buf[k] == m[k]; k++)
			;
		sb_printf(b, " content=MISMATCH note=first-diff-at=%lld:map=%02x,read=%02x",
			  (long long)(at + (off_t)k), m[k], buf[k]);
		goto out;
	}
	sb_printf(b, " content=ok");
out:
	catch_faults(0);
	free(buf);
}

/*
 * Maps `pages` pages of the file from page `pgoff` with `prot`
 * (MAP_PRIVATE), touches every page (reads only) and appends
 * " inplace=... phys=... runs=... content=..." (or ERROR: fields).
 */
static void probe_mapping(struct sbuf *b, const struct window *w, int fd,
			  off_t fsize, uint64_t pgoff, size_t pages, int prot)
{
	size_t len = pages * pagesz, hidden = 0;
	const struct vma *m;
	struct vma *v = NULL;
	unsigned char *map;
	uint64_t *phys;
	int *faulted, err;
	long nv;

	map = mmap(NULL, len, prot, MAP_PRIVATE, fd, (off_t)(pgoff * pagesz));
	if (map == MAP_FAILED) {
		err = errno;
		sb_printf(b, " kind=none inplace=- phys=- runs=- content=-");
		sb_error(b, "mmap", err);
		return;
	}
	phys = xrealloc(NULL, pages * sizeof(*phys));
	faulted = xrealloc(NULL, pages * sizeof(*faulted));
	touch_pages(map, pages, faulted);
	nv = smaps_read("/proc/self/smaps", &v);
	m = vma_find(v, nv, (unsigned long)map);
	sb_printf(b, " kind=%s", m ? vma_kind(m->flags) : "none");
	err = vma_phys("/proc/self/pagemap", m, (unsigned long)map, pages,
		       phys, &hidden);
	page_summary(b, "inplace", w, phys, pages);
	compare_pages(b, fd, map, pages, (off_t)(pgoff * pagesz), fsize, faulted);
	if (nv < 0)
		sb_error(b, "smaps", (int)-nv);
	if (err)
		sb_error(b, "pagemap", err);
	else if (hidden)
		sb_printf(b, " ERROR:pagemap:pfn-hidden");
	munmap(map, len);
	free(v);
	free(phys);
	free(faulted);
}

/* ---- ELF program headers */

struct elf_seg {
	unsigned idx;
	uint32_t type, flags;
	uint64_t off, filesz;
};

/* n-byte unsigned integer in the file's byte order, whatever the host's */
static uint64_t elf_get(const unsigned char *p, int n, int big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * Reads the program headers of an ELF file (32/64-bit, either byte
 * order).  Returns their number (*segs filled), -1 if the file is not ELF,
 * -2 if it is malformed (*why says how).
 */
static long elf_phdrs(int fd, off_t fsize, struct elf_seg **segs,
		      const char **why)
{
	unsigned char eh[64], *tab;
	uint64_t phoff, phent, phnum, i;
	ssize_t got = pread_full(fd, eh, sizeof(eh), 0);
	int big, is64;

	*segs = NULL;
	if (got < EI_NIDENT || memcmp(eh, ELFMAG, SELFMAG))
		return -1;
	is64 = eh[EI_CLASS] == ELFCLASS64;
	big = eh[EI_DATA] == ELFDATA2MSB;
	*why = "bad-class";
	if (!is64 && eh[EI_CLASS] != ELFCLASS32)
		return -2;
	*why = "bad-byte-order";
	if (!big && eh[EI_DATA] != ELFDATA2LSB)
		return -2;
	*why = "short-header";
	if (got < (is64 ? 64 : 52))
		return -2;
	phoff = is64 ? elf_get(eh + 32, 8, big) : elf_get(eh + 28, 4, big);
	phent = elf_get(eh + (is64 ? 54 : 42), 2, big);
	phnum = elf_get(eh + (is64 ? 56 : 44), 2, big);
	if (phnum == 0)
		return 0;
	*why = "bad-phentsize";
	if (phent < (is64 ? 56u : 32u))
		return -2;
	*why = "phnum-extended";	/* PN_XNUM: the count is in section 0 */
	if (phnum == PN_XNUM)
		return -2;
	*why = "phdrs-beyond-eof";
	if (phoff > (uint64_t)fsize || phnum * phent > (uint64_t)fsize - phoff)
		return -2;
	tab = xrealloc(NULL, phnum * phent);
	*why = "phdrs-unreadable";
	if (pread_full(fd, tab, phnum * phent, (off_t)phoff) != (ssize_t)(phnum * phent)) {
		free(tab);
		return -2;
	}
	*segs = xrealloc(NULL, phnum * sizeof(**segs));
	for (i = 0; i < phnum; i++) {
		const unsigned char *p = tab + i * phent;
		struct elf_seg *s = &(*segs)[i];

		s->idx = (unsigned)i;
		s->type = (uint32_t)elf_get(p, 4, big);
		s->flags = (uint32_t)elf_get(p + (is64 ? 4 : 24), 4, big);
		s->off = elf_get(p + (is64 ? 8 : 4), is64 ? 8 : 4, big);
		s->filesz = elf_get(p + (is64 ? 32 : 16), is64 ? 8 : 4, big);
	}
	free(tab);
	return (long)phnum;
}

/* ---- xip, xippages */

/* one xip + xipinfo pair: whole file, offset 0, read+exec */
static void xip_one(const struct entry *e)
{
	size_t len = (size_t)e->st.st_size, pages = (len + pagesz - 1) / pagesz;
	const char *kind = "none";
	struct sbuf b = { 0 };
	struct vma *v = NULL, *m = NULL;
	unsigned char *map = MAP_FAILED;
	long n = 0, i;
	int fd;

	sb_printf(&b, "%s", "");
	fd = open(e->full, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sb_error(&b, "open", errno);
	} else if (len == 0) {
		sb_printf(&b, " note=empty-file");
	} else if ((map = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE,
			       fd, 0)) == MAP_FAILED) {
		sb_error(&b, "mmap", errno);
	} else if ((n = smaps_read("/proc/self/smaps", &v)) < 0) {
		sb_error(&b, "smaps", (int)-n);
	} else {
		for (i = 0; i < n && !m; i++)
			if (v[i].start == (unsigned long)map)
				m = &v[i];
		if (m) {
			int *faulted = xrealloc(NULL, pages * sizeof(*faulted));

			kind = vma_kind(m->flags);
			touch_pages(map, pages, faulted);
			compare_pages(&b, fd, map, pages, 0, (off_t)len, faulted);
			free(faulted);
		} else {
			sb_printf(&b, " ERROR:smaps:no-such-mapping");
		}
	}
	put_path("xip", e->rel);
	printf(" %s\n", strcmp(kind, "pfnmap") && strcmp(kind, "mixedmap") ? "no" : "yes");
	put_path("xipinfo", e->rel);
	printf(" kind=%s vmflags=%s pgoff=0x%llx size=%zu%s%s\n", kind,
	       m && m->flags[0] ? m->flags : "-", m ? m->off : 0ULL, len,
	       strstr(b.p, " content=") ? "" : " content=-", b.p);
	fflush(stdout);
	if (map != MAP_FAILED)
		munmap(map, len);
	if (fd >= 0)
		close(fd);
	free(v);
	free(b.p);
}

/* "xipseg PATH I pgoff=P pages=N flags=rwx ...": one PT_LOAD segment,
 * mapped as the ELF loader maps it */
static void xipseg_one(const struct window *w, const struct entry *e, int fd,
		       const struct elf_seg *s)
{
	uint64_t pgoff = s->off / pagesz, len = s->filesz + s->off % pagesz;
	size_t pages = (size_t)((len + pagesz - 1) / pagesz);
	int prot = 0;
	struct sbuf b = { 0 };

	if (s->flags & PF_R)
		prot |= PROT_READ;
	if (s->flags & PF_X)
		prot |= PROT_EXEC;
	if (s->flags & PF_W)
		prot |= PROT_READ | PROT_WRITE;
	sb_printf(&b, " %u pgoff=%llu pages=%zu flags=%c%c%c", s->idx,
		  (unsigned long long)pgoff, s->filesz ? pages : (size_t)0,
		  s->flags & PF_R ? 'r' : '-', s->flags & PF_W ? 'w' : '-',
		  s->flags & PF_X ? 'x' : '-');
	if (!s->filesz)
		sb_printf(&b, " kind=none inplace=- phys=- runs=- content=- note=no-file-data");
	else if (s->filesz > (1ULL << 32) || s->off > (1ULL << 40))
		sb_printf(&b, " kind=none inplace=- phys=- runs=- content=- ERROR:elf:segment-out-of-range");
	else
		probe_mapping(&b, w, fd, e->st.st_size, pgoff, pages, prot);
	put_path("xipseg", e->rel);
	printf("%s\n", b.p);
	fflush(stdout);
	free(b.p);
}

static void xippages_one(const struct window *w, const struct entry *e)
{
	size_t pages = (size_t)((e->st.st_size + (off_t)pagesz - 1) / (off_t)pagesz);
	struct elf_seg *segs = NULL;
	struct sbuf b = { 0 };
	const char *why = "";
	long n, i;
	int fd = open(e->full, O_RDONLY | O_CLOEXEC);

	sb_printf(&b, " whole pgoff=0 pages=%zu", pages);
	if (fd < 0) {
		sb_printf(&b, " kind=none inplace=- phys=- runs=- content=-");
		sb_error(&b, "open", errno);
	} else {
		probe_mapping(&b, w, fd, e->st.st_size, 0, pages, PROT_READ | PROT_EXEC);
	}
	put_path("xippages", e->rel);
	printf("%s\n", b.p);
	fflush(stdout);
	free(b.p);
	if (fd < 0)
		return;
	n = elf_phdrs(fd, e->st.st_size, &segs, &why);
	if (n == -2) {
		put_path("xipseg", e->rel);
		printf(" - ERROR:elf:%s\n", why);
	}
	for (i = 0; i < n; i++)
		if (segs[i].type == PT_LOAD)
			xipseg_one(w, e, fd, &segs[i]);
	free(segs);
	close(fd);
}

/* "0x10000000" or "268435456" */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static int cmd_xip(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: oracle-tool xip DIR\n");
		return 2;
	}
	walk("/", argv[1], 0, NULL);
	qsort(ents, nents, sizeof(*ents), cmp_ent);
	for (i = 0; i < nents; i++)
		if (!ents[i].stat_errno && S_ISREG(ents[i].st.st_mode))
			xip_one(&ents[i]);
	return 0;
}

static int cmd_xippages(int argc, char **argv)
{
	struct window w;
	size_t i;

	if (argc != 4 || parse_u64(argv[1], &w.base) || parse_u64(argv[2], &w.len)) {
		fprintf(stderr, "usage: oracle-tool xippages BASE LEN DIR\n");
		return 2;
	}
	walk("/", argv[3], 0, NULL);
	qsort(ents, nents, sizeof(*ents), cmp_ent);
	for (i = 0; i < nents; i++)
		if (!ents[i].stat_errno && S_ISREG(ents[i].st.st_mode) &&
		    ents[i].st.st_size > 0)
			xippages_one(&w, &ents[i]);
	return 0;
}

/* ---- execmap */

/* one mapping of the executed file, as seen in the child */
struct xmap {
	struct vma v;
	struct sbuf pages;	/* " pages=N pagemap=... phys=... runs=..." */
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void free_xmaps(struct xmap *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(x[i].pages.p);
	free(x);
}

/* The child's mappings of the file (dev, ino); returns how many. */
static size_t exec_snapshot(pid_t pid, const struct stat *st,
			    const struct window *w, struct xmap **out)
{
	char path[64];
	struct vma *v;
	struct xmap *x = NULL;
	size_t nx = 0;
	long n, i;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	n = smaps_read(path, &v);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	for (i = 0; i < n; i++) {
		size_t pages = (v[i].end - v[i].start) / pagesz, hidden;
		uint64_t *phys;
		int err;

		if (v[i].ino != st->st_ino || makedev(v[i].dmaj, v[i].dmin) != st->st_dev)
			continue;
		x = xrealloc(x, (nx + 1) * sizeof(*x));
		memset(&x[nx], 0, sizeof(*x));
		x[nx].v = v[i];
		phys = xrealloc(NULL, (pages ? pages : 1) * sizeof(*phys));
		err = vma_phys(path, &v[i], v[i].start, pages, phys, &hidden);
		sb_printf(&x[nx].pages, " pages=%zu", pages);
		page_summary(&x[nx].pages, "pagemap", w, phys, pages);
		if (err)
			sb_error(&x[nx].pages, "pagemap", err);
		else if (hidden)
			sb_printf(&x[nx].pages, " ERROR:pagemap:pfn-hidden");
		free(phys);
		nx++;
	}
	free(v);
	*out = x;
	return nx;
}

/* fork + exec PATH ARGS with stdout/stderr into `out`; -1 on failure */
static pid_t exec_start(char **argv, FILE *out)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid != 0)
		return pid;
	if (out) {
		dup2(fileno(out), 1);
		dup2(fileno(out), 2);
	}
	execv(argv[0], argv);
	fprintf(stderr, "oracle-tool: execv %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* 1 once the child has exited (*status filled), else 0 */
static int child_done(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == pid;
}

/* waits up to `secs` seconds, then kills; prints the exec line */
static void exec_finish(const char *path, pid_t pid, int secs, int done,
			int status)
{
	int waited = done;
	long ms;

	for (ms = 0; !waited && ms < secs * 1000L; ms += 10) {
		waited = child_done(pid, &status);
		if (!waited)
			sleep_ms(10);
	}
	if (!waited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	put_path("exec", path);
	if (WIFEXITED(status))
		printf(" exit=%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf(" exit=%d signal=%d", 128 + WTERMSIG(status), WTERMSIG(status));
	printf("%s\n", waited ? "" : " note=timeout");
}

static void print_xmaps(const char *path, const struct xmap *x, size_t n)
{
	size_t i;

	if (!n) {
		put_path("execmap", path);
		printf(" - ERROR:execmap:no-mapping-seen\n");
	}
	for (i = 0; i < n; i++) {
		const struct vma *v = &x[i].v;
		const char *kind = vma_kind(v->flags);

		put_path("execmap", path);
		printf(" %lx-%lx %s %08llx vmflags=%s inplace=%s kind=%s%s\n",
		       v->start, v->end, v->perms, v->off,
		       v->flags[0] ? v->flags : "-",
		       strcmp(kind, "pagecache") ? "yes" : "no", kind, x[i].pages.p);
	}
}

static void print_output(FILE *out)
{
	char line[4096];

	if (!out)
		return;
	rewind(out);
	while (fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = 0;
		printf("execout %s\n", line);
	}
	fclose(out);
}

/*
 * execmap [--delay MS] BASE LEN PATH [ARG...]: starts PATH (argv[0] =
 * PATH), waits until its mappings of the file show up in /proc/PID/smaps
 * (up to 5 s), lets it run DELAY ms more (default 500) so it touches its
 * pages, then prints one execmap line per mapping of the file (matched by
 * device and inode), waits for it (60 s, then SIGKILL) and prints its exit
 * status and output.
 */
static int cmd_execmap(int argc, char **argv)
{
	long delay = 500, ms;
	struct xmap *x = NULL, *later;
	struct window w;
	struct stat st;
	size_t n = 0, nl;
	int done = 0, status = 0;
	FILE *out;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "--delay")) {
		delay = atol(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || parse_u64(argv[1], &w.base) || parse_u64(argv[2], &w.len)) {
		fprintf(stderr, "usage: oracle-tool execmap [--delay MS] BASE LEN PATH [ARG...]\n");
		return 2;
	}
	if (stat(argv[3], &st) < 0) {
		put_path("exec", argv[3]);
		printf(" exit=- ERROR:stat:%s\n", errname(errno));
		return 1;
	}
	out = tmpfile();
	pid = exec_start(argv + 3, out);
	if (pid < 0) {
		put_path("exec", argv[3]);
		printf(" exit=- ERROR:fork:%s\n", errname(errno));
		return 1;
	}
	/* before execve() completes the child is still oracle-tool; a child
	 * that exits first (a quick command) is never seen */
	for (ms = 0; ms < 5000 && !n && !done; ms += 10) {
		n = exec_snapshot(pid, &st, &w, &x);
		if (!n && !(done = child_done(pid, &status)))
			sleep_ms(10);
	}
	if (n && delay > 0 && !done) {
		sleep_ms(delay);
		/* a child that has exited has no mappings left: keep the first */
		nl = exec_snapshot(pid, &st, &w, &later);
		if (nl) {
			free_xmaps(x, n);
			x = later;
			n = nl;
		}
	}
	print_xmaps(argv[3], x, n);
	free_xmaps(x, n);
	exec_finish(argv[3], pid, 60, done, status);
	print_output(out);
	fflush(stdout);
	return n ? 0 : 1;
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

static int cmd_reboot(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	perror("reboot");
	return 1;
}

/* ---------------------------------------------------------- newc cpio */

/*
 * cpio: writes a "newc" cpio archive (the initramfs format) to stdout from
 * a spec on stdin, so that no root rights are needed for device nodes:
 *   dir   PATH MODE
 *   file  PATH MODE HOSTFILE
 *   slink PATH TARGET
 *   nod   PATH MODE c|b MAJOR MINOR
 * PATH is the name inside the archive (a leading '/' is dropped); MODE is
 * octal; words are separated by blanks (no blanks inside them).
 */
static unsigned long cpio_ino = 300000;

static void cpio_pad(size_t n)
{
	while (n++ % 4)
		putchar(0);
}

static void cpio_hdr(const char *name, unsigned mode, unsigned nlink,
		     unsigned long size, unsigned rmaj, unsigned rmin)
{
	size_t nl = strlen(name) + 1;

	printf("070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
	       cpio_ino++, mode, 0u, 0u, nlink, 0u, size, 0u, 0u, rmaj, rmin,
	       (unsigned long)nl, 0u);
	fwrite(name, 1, nl, stdout);
	cpio_pad(110 + nl);
}

/* copies a host file into the archive; 0 or -1 (message on stderr) */
static int cpio_file(const char *name, unsigned mode, const char *host)
{
	static char buf[1 << 16];
	size_t got, total = 0;
	struct stat st;
	FILE *f = fopen(host, "rb");

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "cpio: %s: %s\n", host, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	cpio_hdr(name, S_IFREG | mode, 1, (unsigned long)st.st_size, 0, 0);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		fwrite(buf, 1, got, stdout);
		total += got;
	}
	fclose(f);
	if (total != (size_t)st.st_size) {
		fprintf(stderr, "cpio: %s changed while reading\n", host);
		return -1;
	}
	cpio_pad(total);
	return 0;
}

static int cmd_cpio(void)
{
	char line[4096], kind[16], path[1024], a[2048], b[2048];
	int lineno = 0;

	while (fgets(line, sizeof(line), stdin)) {
		unsigned ma = 0, mi = 0, mode;
		const char *name = path;
		int n;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = sscanf(line, "%15s %1023s %2047s %2047s %u %u", kind, path,
			   a, b, &ma, &mi);
		if (name[0] == '/')
			name++;
		mode = (unsigned)strtoul(a, NULL, 8) & 07777;
		if (n == 3 && !strcmp(kind, "dir")) {
			cpio_hdr(name, S_IFDIR | mode, 2, 0, 0, 0);
		} else if (n == 3 && !strcmp(kind, "slink")) {
			cpio_hdr(name, S_IFLNK | 0777, 1, strlen(a), 0, 0);
			fputs(a, stdout);
			cpio_pad(strlen(a));
		} else if (n == 6 && !strcmp(kind, "nod")) {
			cpio_hdr(name, mode | (b[0] == 'b' ? S_IFBLK : S_IFCHR),
				 1, 0, ma, mi);
		} else if (n == 4 && !strcmp(kind, "file")) {
			if (cpio_file(name, mode, b) < 0)
				return 1;
		} else {
			fprintf(stderr, "cpio: line %d: bad spec\n", lineno);
			return 1;
		}
	}
	cpio_hdr("TRAILER!!!", 0, 1, 0, 0, 0);
	fflush(stdout);
	return ferror(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE);

	if (ps > 0)
		pagesz = (size_t)ps;
	if (argc >= 2 && !strcmp(argv[1], "manifest"))
		return cmd_manifest(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "xip"))
		return cmd_xip(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "xippages"))
		return cmd_xippages(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "execmap"))
		return cmd_execmap(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "insmod"))
		return cmd_insmod(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "mount"))
		return cmd_mount(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "dmesg"))
		return cmd_dmesg();
	if (argc == 2 && !strcmp(argv[1], "poweroff"))
		return cmd_poweroff();
	if (argc == 2 && !strcmp(argv[1], "reboot"))
		return cmd_reboot();
	if (argc == 2 && !strcmp(argv[1], "cpio"))
		return cmd_cpio();
	fprintf(stderr, "usage: oracle-tool manifest|xip|xippages|execmap|insmod|mount|dmesg|poweroff|reboot|cpio ...\n");
	return 2;
}
