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
 * status_blocks=S [first=PATH:map|read|held]" (S: the status blocks seen
 * through the mapping in the passes where its sum mismatched) or "stall iterations=N max_us=... p50_us=
 * p99_us=... over_1ms=K"; a SIGBUS or SIGSEGV prints "crash signal=N" and
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
 * status register: SR.7 (ready) set, 0x80, on every byte of a bank-width-1
 * chip once the operation is done.
 */
#define SR_READY 0x80
#define STATUS_BLOCK 64

/* Aligned STATUS_BLOCK-byte blocks of p[0..len) that are all SR_READY. */
static long status_blocks(const unsigned char *p, size_t len)
{
	long n = 0;

	for (size_t off = 0; off + STATUS_BLOCK <= len; off += STATUS_BLOCK) {
		size_t i = 0;

		while (i < STATUS_BLOCK && p[off + i] == SR_READY)
			i++;
		n += i == STATUS_BLOCK;
	}
	return n;
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

/* fnv64 of the whole file through read(); -1 on error. */
static int sum_read(const char *path, uint64_t *sum, uint64_t *size)
{
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	*sum = FNV_INIT;
	*size = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		*sum = fnv64(buf, (size_t)r, *sum);
		*size += (uint64_t)r;
	}
	close(fd);
	return r < 0 ? -1 : 0;
}

/*
 * fnv64 of the file through a private read+exec mapping, as a loader would,
 * and its status blocks (*status) from the same read.
 */
static int sum_map(const char *path, uint64_t size, uint64_t *sum,
		   long *status)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return -1;
	*sum = FNV_INIT;
	if (size) {
		p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return -1;
		}
		*sum = fnv64(p, size, *sum);
		*status = status_blocks(p, size);
		munmap(p, size);
	}
	close(fd);
	return 0;
}

static int cmd_sum(const char *path)
{
	uint64_t sum, size;

	if (sum_read(path, &sum, &size)) {
		fprintf(stderr, "xip-probe: %s: %s\n", path, strerror(errno));
		return 2;
	}
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

/*
 * Where a mapping differs from the file as read() gives it: " at=OFF
 * seen=BYTES want=BYTES" (8 bytes from the first differing one) into out.
 */
static void describe_mismatch(const char *path, const unsigned char *map,
			      uint64_t size, char *out, size_t cap)
{
	unsigned char buf[65536];
	uint64_t off = 0;
	ssize_t r = 0;
	int fd = open(path, O_RDONLY);

	*out = 0;
	if (fd < 0)
		return;
	while (off < size && (r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r && off + i < size; i++) {
			if (map[off + i] == buf[i])
				continue;
			int n = snprintf(out, cap, " at=%llu seen=",
					 (unsigned long long)(off + i));
			for (int k = 0; k < 8 && off + i + k < size && n < (int)cap - 3; k++)
				n += snprintf(out + n, cap - n, "%02x", map[off + i + k]);
			n += snprintf(out + n, cap - n, " want=");
			for (int k = 0; k < 8 && i + k < r && n < (int)cap - 3; k++)
				n += snprintf(out + n, cap - n, "%02x", buf[i + k]);
			close(fd);
			return;
		}
		off += (uint64_t)r;
	}
	close(fd);
}

/* One pass over the files; returns the mismatches, noting the first. */
static int verify_pass(const struct sum_entry *e, int n, char *first,
		       size_t cap, uint64_t *bytes, long *status)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		uint64_t sum = 0, size = 0, msum = 0;
		long st = 0;
		int rd = sum_read(e[i].path, &sum, &size);
		int mp = sum_map(e[i].path, e[i].size, &msum, &st);

		*bytes += 2 * e[i].size;
		if (rd || sum != e[i].sum || size != e[i].size) {
			if (!bad++)
				snprintf(first, cap, "%s:read", e[i].path);
		}
		if (mp || msum != e[i].sum) {
			if (!bad++)
				snprintf(first, cap, "%s:map", e[i].path);
			*status += st;
		}
		if (e[i].held && fnv64(e[i].held, e[i].size, FNV_INIT) != e[i].sum) {
			char where[100];

			*status += status_blocks(e[i].held, e[i].size);
			if (!bad++) {
				describe_mismatch(e[i].path, e[i].held, e[i].size,
						  where, sizeof(where));
				snprintf(first, cap, "%s:held%s", e[i].path, where);
			}
		}
	}
	return bad;
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
	long rounds = 0, bad = 0, status = 0;
	uint64_t bytes = 0;
	char first[600] = "";
	double end = now_us() + seconds * 1e6;

	if (n <= 0) {
		fprintf(stderr, "xip-probe: %s: no sums\n", list);
		return 2;
	}
	hold_maps(e, n);
	do {
		bad += verify_pass(e, n, first, sizeof(first), &bytes, &status);
		rounds++;
	} while (now_us() < end && !stop_requested());
	printf("verify rounds=%ld files=%d bytes=%llu mismatches=%ld status_blocks=%ld%s%s\n",
	       rounds, n, (unsigned long long)bytes, bad, status,
	       *first ? " first=" : "", first);
	free(e);
	return bad ? 1 : 0;
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
