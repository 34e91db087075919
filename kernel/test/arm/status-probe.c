// SPDX-License-Identifier: MIT
/*
 * status-probe - what a process reading its in-place pages sees while the
 * NOR chip under them is busy.  Static armhf helper of the ARM boards of
 * the NOR harness (kernel/test/arm/, tests/kernel/arm-zynq-mainline.sh).
 *
 *   status-probe FILE STOPFILE [SECONDS]
 *
 * Maps FILE shared and read-only (on an XIP cramfs: the flash itself),
 * copies it through the mapping into RAM while the chip is idle and checks
 * the copy against read(), prints "status-probe ready", then, until
 * STOPFILE exists (or SECONDS, default 60, have passed), compares the
 * mapping with the copy, one 32-bit word at a time; a word that differs
 * is read a second time at once.  After STOPFILE, one more pass.
 *
 * Output (stdout):
 *   status-probe ready bytes=N ref=read-ok|read-MISMATCH
 *   status-probe FILE bytes=N passes=P bad_words=W bad_bytes=B
 *       status_bytes=S other_bytes=O toggling=T after=clean|bad:K
 *   status-probe values XX=COUNT ...   (the bad bytes, most frequent first)
 *   status-probe first at=0xOFF got=0xW again=0xW want=0xW
 * bad_*: words/bytes that differed from the copy, summed over all passes;
 * status_bytes: bad bytes an AMD (cmdset 0002) chip returns in erase mode
 * in place of data: DQ7 (0x80) clear and nothing set but DQ6 (0x40, which
 * toggles on every read), DQ3 (0x08, erase phase) and DQ2 (0x04, toggles in
 * the sector being erased), i.e. (b & ~0x4c) == 0; other_bytes: the rest;
 * toggling: bad words whose second read differed from the first (a data
 * word reads the same twice; a toggle bit does not); after: the pass after
 * STOPFILE (the chip idle again).
 * Exit: 0 ran (whatever it saw), 2 usage or I/O error, 3 SIGBUS/SIGSEGV.
 */
#define _GNU_SOURCE
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

#define STATUS_BITS 0x4c	/* DQ6 | DQ3 | DQ2 */

struct counts {
	uint64_t passes;
	uint64_t bad_words;
	uint64_t bad_bytes;
	uint64_t status_bytes;
	uint64_t other_bytes;
	uint64_t toggling;
	uint64_t values[256];
	int have_first;
	size_t first_at;
	uint32_t first_got, first_again, first_want;
};

static void on_fault(int sig)
{
	char msg[] = "status-probe crash signal=NN\n";

	msg[sizeof(msg) - 4] = '0' + sig / 10;
	msg[sizeof(msg) - 3] = '0' + sig % 10;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* one pass over the mapping; returns the number of bad words */
static uint64_t pass(const volatile uint32_t *map, const uint32_t *ref,
		     size_t words, struct counts *c)
{
	uint64_t bad = 0;
	size_t i;
	int b;

	for (i = 0; i < words; i++) {
		uint32_t got = map[i], again, diff;

		if (got == ref[i])
			continue;
		again = map[i];
		bad++;
		c->bad_words++;
		if (again != got)
			c->toggling++;
		if (!c->have_first) {
			c->have_first = 1;
			c->first_at = i * 4;
			c->first_got = got;
			c->first_again = again;
			c->first_want = ref[i];
		}
		diff = got ^ ref[i];
		for (b = 0; b < 4; b++) {
			uint8_t v = got >> (8 * b);

			if (!((diff >> (8 * b)) & 0xff))
				continue;
			c->bad_bytes++;
			c->values[v]++;
			if (v & ~STATUS_BITS)
				c->other_bytes++;
			else
				c->status_bytes++;
		}
	}
	c->passes++;
	return bad;
}

int main(int argc, char **argv)
{
	static struct counts c, c_after;
	const char *path, *stop;
	double end;
	struct stat st;
	uint32_t *ref;
	unsigned char *rd;
	void *map;
	size_t size, words, done;
	uint64_t after;
	ssize_t n;
	int fd, i, shown;

	if (argc < 3 || argc > 4) {
		fputs("usage: status-probe FILE STOPFILE [SECONDS]\n", stderr);
		return 2;
	}
	path = argv[1];
	stop = argv[2];
	end = now() + (argc > 3 ? atof(argv[3]) : 60);
	signal(SIGBUS, on_fault);
	signal(SIGSEGV, on_fault);
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 2;
	}
	words = st.st_size / 4;
	size = words * 4;
	if (!size) {
		fprintf(stderr, "status-probe: %s is too small\n", path);
		return 2;
	}
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ref = malloc(size);
	rd = malloc(size);
	if (map == MAP_FAILED || !ref || !rd) {
		perror("status-probe: mmap/malloc");
		return 2;
	}
	memcpy(ref, map, size);
	for (done = 0; done < size; done += n) {
		n = pread(fd, rd + done, size - done, done);
		if (n <= 0) {
			perror("status-probe: pread");
			return 2;
		}
	}
	printf("status-probe ready bytes=%zu ref=%s\n", size,
	       memcmp(ref, rd, size) ? "read-MISMATCH" : "read-ok");

	while (access(stop, F_OK) && now() < end)
		pass(map, ref, words, &c);
	after = pass(map, ref, words, &c_after);

	printf("status-probe %s bytes=%zu passes=%llu bad_words=%llu"
	       " bad_bytes=%llu status_bytes=%llu other_bytes=%llu"
	       " toggling=%llu after=", path, size,
	       (unsigned long long)c.passes, (unsigned long long)c.bad_words,
	       (unsigned long long)c.bad_bytes,
	       (unsigned long long)c.status_bytes,
	       (unsigned long long)c.other_bytes,
	       (unsigned long long)c.toggling);
	if (after)
		printf("bad:%llu\n", (unsigned long long)after);
	else
		printf("clean\n");

	printf("status-probe values");
	for (shown = 0; shown < 8; shown++) {
		int best = -1;

		for (i = 0; i < 256; i++)
			if (c.values[i] && (best < 0 || c.values[i] > c.values[best]))
				best = i;
		if (best < 0)
			break;
		printf(" %02x=%llu", best, (unsigned long long)c.values[best]);
		c.values[best] = 0;
	}
	printf("\n");
	if (c.have_first)
		printf("status-probe first at=0x%zx got=0x%08x again=0x%08x want=0x%08x\n",
		       c.first_at, c.first_got, c.first_again, c.first_want);
	return 0;
}
