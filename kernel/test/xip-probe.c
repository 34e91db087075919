// SPDX-License-Identifier: MIT
/*
 * xip-probe - the consumer side of the NOR stress test and benchmark.
 * Built static; stored XIP in the cramfs image and run in the guest, so
 * its own text is mapped from flash and revoked on every write.
 *
 *   xip-probe sum FILE            print "fnv64 SIZE PATH" (host and guest)
 *   xip-probe verify SECONDS SUMS read() and mmap() every file listed in
 *                                 SUMS ("fnv64 size path" lines) in a loop,
 *                                 and a mapping of each held for the whole
 *                                 run; count mismatches (never stops early)
 *   xip-probe status FILE         print "status_blocks=N FILE": how many
 *                                 aligned 64-byte blocks of FILE are all
 *                                 SR_READY (the host checks the image has
 *                                 none, so that any the guest sees are the
 *                                 chip's status register)
 *   xip-probe stall SECONDS       run in a tight loop; report the longest
 *                                 gaps between iterations (the stall a
 *                                 process executing in place sees)
 *
 * With XIP_PROBE_STOP=FILE in the environment, verify and stall also stop
 * as soon as FILE exists (so a test can end them after its writes).
 *
 * Output: one line "verify rounds=N files=F bytes=B mismatches=M
 * status_blocks=S status_bytes=X other_bytes=Y [first=PATH:map|read|held
 * at=OFF seen=HEX want=HEX]", summed over every read(), fresh mapping or
 * held mapping whose sum mismatched, from the very bytes that were hashed
 * (S: aligned 64-byte blocks all SR_READY; X, Y: bytes that differ from
 * the file as read before the writes, reading SR_READY or something else)
 * or "stall iterations=N max_us=... p50_us=... p99_us=... over_1ms=K"; a SIGBUS or SIGSEGV prints "crash signal=N" and
 * exits 3.  Exit: 0 clean, 1 mismatches, 2 usage or I/O error, 3 crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 64

struct sum_entry {
	uint64_t sum;
	uint64_t size;
	const unsigned char *held;	/* mapped once, kept: like program text */
	unsigned char *ref;		/* read() once before the writes */
	char path[512];
};

static uint64_t fnv64(const unsigned char *p, size_t len, uint64_t h)
{
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ull

/*
 * An Intel CFI chip out of read-array mode answers every read with its
 * status register: SR.7 (ready) set once the operation is done.  QEMU's
 * chip gives 0x80 in every byte or 0x0080 in every 16-bit word, depending
 * on the width of the load (seen: "seen=8000800080008000"), so the bytes
 * that count are the differing bytes that read SR_READY.
 */
#define SR_READY 0x80
#define STATUS_BLOCK 64

/* True if the STATUS_BLOCK bytes at p are all SR_READY. */
static int is_status_block(const unsigned char *p)
{
	for (int i = 0; i < STATUS_BLOCK; i++)
		if (p[i] != SR_READY)
			return 0;
	return 1;
}

/* Aligned STATUS_BLOCK-byte blocks of p[0..len) that are all SR_READY. */
static long status_blocks(const unsigned char *p, size_t len)
{
	long n = 0;

	for (size_t off = 0; off + STATUS_BLOCK <= len; off += STATUS_BLOCK)
		n += is_status_block(p + off);
	return n;
}

/*
 * What one copy of a file (a read() or a mapping) held: its hash, its
 * status blocks, and the bytes that differ from the file as read before
 * the writes (ref), split into SR_READY bytes (the chip's status register
 * read in place) and others; the first difference as "at=OFF seen=HEX
 * want=HEX".
 */
struct copy_check {
	uint64_t sum;
	long status_blocks;
	long status_bytes;
	long other_bytes;
	char first_diff[80];
};

static void note_diff(struct copy_check *c, uint64_t off,
		      const unsigned char *seen, const unsigned char *want,
		      size_t n)
{
	int k = snprintf(c->first_diff, sizeof(c->first_diff), " at=%llu seen=",
			 (unsigned long long)off);

	for (size_t i = 0; i < n && i < 8; i++)
		k += snprintf(c->first_diff + k, sizeof(c->first_diff) - k, "%02x", seen[i]);
	k += snprintf(c->first_diff + k, sizeof(c->first_diff) - k, " want=");
	for (size_t i = 0; i < n && i < 8; i++)
		k += snprintf(c->first_diff + k, sizeof(c->first_diff) - k, "%02x", want[i]);
}

/* Compare one block of a copy with the reference. */
static void compare_block(struct copy_check *c, uint64_t off,
			  const unsigned char *blk, const unsigned char *ref,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (blk[i] == ref[i])
			continue;
		if (!c->status_bytes && !c->other_bytes)
			note_diff(c, off + i, blk + i, ref + i, n - i);
		if (blk[i] == SR_READY)
			c->status_bytes++;
		else
			c->other_bytes++;
	}
}

/*
 * Copy n bytes out of a mapping with loads of at most 32 bits.  QEMU's
 * AMD chip (pflash_cfi02) stays in I/O mode after a command until it has
 * served 42 reads, and in I/O mode rejects loads wider than 32 bits (its
 * "invalid size (min:1 max:4)"), which xilinx-zynq-a9 turns into zeros
 * instead of an abort; memcpy() uses 64- and 128-bit loads.  A real chip
 * in read-array mode answers any bus access, so this is the emulator's
 * limit, not the kernel's: read the way every access size works.
 */
static void copy_from_map(unsigned char *dst, const unsigned char *src, size_t n)
{
	size_t i = 0;

	if (((uintptr_t)src & 3) == 0) {
		for (; i + 4 <= n; i += 4) {
			uint32_t w = *(const volatile uint32_t *)(src + i);

			memcpy(dst + i, &w, 4);
		}
	}
	for (; i < n; i++)
		dst[i] = *(const volatile unsigned char *)(src + i);
}

/*
 * Hash p[0..len) (the bytes at offset off of the file) into c, and check
 * the same bytes against ref[off..] if ref.  Each block is copied once and
 * everything is computed from the copy: the chip leaves status mode within
 * milliseconds, so a second pass over a mapping would no longer see what
 * the hash saw.
 */
static void check_bytes(struct copy_check *c, const unsigned char *p,
			size_t len, uint64_t off, const unsigned char *ref)
{
	unsigned char blk[STATUS_BLOCK];

	for (size_t done = 0; done < len;) {
		size_t n = len - done < STATUS_BLOCK ? len - done : STATUS_BLOCK;

		copy_from_map(blk, p + done, n);
		c->sum = fnv64(blk, n, c->sum);
		if (n == STATUS_BLOCK && (off + done) % STATUS_BLOCK == 0)
			c->status_blocks += is_status_block(blk);
		if (ref)
			compare_block(c, off + done, blk, ref + off + done, n);
		done += n;
	}
}

/* True once the stop file (XIP_PROBE_STOP) exists. */
static int stop_requested(void)
{
	static const char *stop;
	static int looked;

	if (!looked++)
		stop = getenv("XIP_PROBE_STOP");
	return stop && access(stop, F_OK) == 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void on_crash(int sig)
{
	char msg[40];
	int n = snprintf(msg, sizeof(msg), "crash signal=%d\n", sig);

	/* async-signal-safe: write(2) and _exit(2) only */
	if (write(STDOUT_FILENO, msg, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

/*
 * The whole file through read() into c (checked against ref if not NULL);
 * its size in *size; -1 on error.
 */
static int sum_read(const char *path, const unsigned char *ref,
		    struct copy_check *c, uint64_t *size)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	c->sum = FNV_INIT;
	*size = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		check_bytes(c, buf, (size_t)r, *size, ref);
		*size += (uint64_t)r;
	}
	close(fd);
	return r < 0 ? -1 : 0;
}

/*
 * The file through a private read+exec mapping, as a loader would, into c
 * (checked against ref if not NULL); -1 on error.
 */
static int sum_map(const char *path, uint64_t size, const unsigned char *ref,
		   struct copy_check *c)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return -1;
	c->sum = FNV_INIT;
	if (size) {
		p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return -1;
		}
		check_bytes(c, p, size, 0, ref);
		munmap(p, size);
	}
	close(fd);
	return 0;
}

static int cmd_sum(const char *path)
{
	struct copy_check c = { 0 };
	uint64_t sum, size;

	if (sum_read(path, NULL, &c, &size)) {
		fprintf(stderr, "xip-probe: %s: %s\n", path, strerror(errno));
		return 2;
	}
	sum = c.sum;
	printf("%016llx %llu %s\n", (unsigned long long)sum,
	       (unsigned long long)size, path);
	return 0;
}

static int cmd_status(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "xip-probe: %s: %s\n", path, strerror(errno));
		return 2;
	}
	p = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	if (p == MAP_FAILED) {
		fprintf(stderr, "xip-probe: %s: mmap: %s\n", path, strerror(errno));
		return 2;
	}
	printf("status_blocks=%ld %s\n", p ? status_blocks(p, st.st_size) : 0L, path);
	close(fd);
	return 0;
}

static int load_sums(const char *list, struct sum_entry *e, int max)
{
	FILE *f = fopen(list, "r");
	unsigned long long sum, size;
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fscanf(f, "%llx %llu %511s", &sum, &size, e[n].path) == 3) {
		e[n].sum = sum;
		e[n].size = size;
		n++;
	}
	fclose(f);
	return n;
}

/* What the bad copies of a run held, summed; the first one named. */
struct verify_stats {
	long mismatches;
	long status_blocks;
	long status_bytes;
	long other_bytes;
	char first[700];
};

/* Count copy c of file e (read, map or held) if it is bad. */
static void account(struct verify_stats *v, const struct sum_entry *e,
		    const char *how, const struct copy_check *c, int failed)
{
	if (!failed && c->sum == e->sum)
		return;
	if (!v->mismatches++)
		snprintf(v->first, sizeof(v->first), "%s:%s%s", e->path, how,
			 c->first_diff);
	v->status_blocks += c->status_blocks;
	v->status_bytes += c->status_bytes;
	v->other_bytes += c->other_bytes;
}

/* One pass over the files: every file read, mapped, and its held map. */
static void verify_pass(const struct sum_entry *e, int n, uint64_t *bytes,
			struct verify_stats *v)
{
	for (int i = 0; i < n; i++) {
		struct copy_check rd = { 0 }, mp = { 0 }, hd = { 0 };
		uint64_t size = 0;
		int rd_err = sum_read(e[i].path, e[i].ref, &rd, &size);
		int mp_err = sum_map(e[i].path, e[i].size, e[i].ref, &mp);

		*bytes += 2 * e[i].size;
		account(v, &e[i], "read", &rd, rd_err || size != e[i].size);
		account(v, &e[i], "map", &mp, mp_err);
		if (!e[i].held)
			continue;
		hd.sum = FNV_INIT;
		check_bytes(&hd, e[i].held, e[i].size, 0, e[i].ref);
		account(v, &e[i], "held", &hd, 0);
	}
}

/*
 * The reference copy of each file, read before the writes start; kept
 * only if it has the file's sum.
 */
static void load_refs(struct sum_entry *e, int n)
{
	for (int i = 0; i < n; i++) {
		struct copy_check c = { 0 };
		uint64_t size = 0;
		int fd = open(e[i].path, O_RDONLY);
		unsigned char *ref = e[i].size ? malloc(e[i].size) : NULL;
		ssize_t r = -1;

		if (fd >= 0 && ref)
			r = read(fd, ref, e[i].size);
		if (fd >= 0)
			close(fd);
		if (r == (ssize_t)e[i].size) {
			c.sum = FNV_INIT;
			check_bytes(&c, ref, e[i].size, 0, NULL);
			size = e[i].size;
		}
		if (size && c.sum == e[i].sum)
			e[i].ref = ref;
		else
			free(ref);
	}
}

/*
 * Map every file once for the whole run: a mapping that lives across the
 * writes, as program text does, is where a kernel that leaves flash PTEs
 * behind shows the chip's status register (a fresh mapping faults its
 * pages in through the gate).
 */
static void hold_maps(struct sum_entry *e, int n)
{
	for (int i = 0; i < n; i++) {
		int fd = open(e[i].path, O_RDONLY);
		void *p;

		if (fd < 0 || !e[i].size) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		p = mmap(NULL, e[i].size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		e[i].held = p == MAP_FAILED ? NULL : p;
		close(fd);
	}
}

static int cmd_verify(double seconds, const char *list)
{
	struct sum_entry *e = calloc(MAX_FILES, sizeof(*e));
	int n = e ? load_sums(list, e, MAX_FILES) : -1;
	struct verify_stats v = { 0 };
	long rounds = 0;
	uint64_t bytes = 0;
	double end = now_us() + seconds * 1e6;

	if (n <= 0) {
		fprintf(stderr, "xip-probe: %s: no sums\n", list);
		return 2;
	}
	load_refs(e, n);
	hold_maps(e, n);
	do {
		verify_pass(e, n, &bytes, &v);
		rounds++;
	} while (now_us() < end && !stop_requested());
	printf("verify rounds=%ld files=%d bytes=%llu mismatches=%ld status_blocks=%ld status_bytes=%ld other_bytes=%ld%s%s\n",
	       rounds, n, (unsigned long long)bytes, v.mismatches,
	       v.status_blocks, v.status_bytes, v.other_bytes,
	       *v.first ? " first=" : "", v.first);
	free(e);
	return v.mismatches ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Gaps above this are stalls worth recording (scheduling noise is below). */
#define GAP_US 50.0
#define MAX_GAPS 100000

static int cmd_stall(double seconds)
{
	double *gaps = malloc(MAX_GAPS * sizeof(*gaps));
	double start = now_us(), last = start, t, max = 0;
	long iterations = 0, ngaps = 0, over_1ms = 0;

	if (!gaps)
		return 2;
	do {
		t = now_us();
		if (t - last > GAP_US && ngaps < MAX_GAPS)
			gaps[ngaps++] = t - last;
		over_1ms += t - last > 1000.0;
		max = t - last > max ? t - last : max;
		last = t;
		/* the stop file is looked at rarely: access(2) is a syscall */
		if (!(++iterations & 0xfffff) && stop_requested())
			break;
	} while (t - start < seconds * 1e6);
	qsort(gaps, (size_t)ngaps, sizeof(*gaps), cmp_double);
	printf("stall iterations=%ld max_us=%.0f gaps=%ld p50_us=%.0f p99_us=%.0f over_1ms=%ld\n",
	       iterations, max, ngaps, ngaps ? gaps[ngaps / 2] : 0,
	       ngaps ? gaps[ngaps * 99 / 100] : 0, over_1ms);
	free(gaps);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGBUS, on_crash);
	signal(SIGSEGV, on_crash);
	signal(SIGILL, on_crash);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "sum"))
		return cmd_sum(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return cmd_verify(atof(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "stall"))
		return cmd_stall(atof(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "status"))
		return cmd_status(argv[2]);
	fprintf(stderr, "usage: xip-probe sum FILE | verify SECONDS SUMS | stall SECONDS | status FILE\n");
	return 2;
}
