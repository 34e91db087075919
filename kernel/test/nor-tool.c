// SPDX-License-Identifier: MIT
/*
 * nor-tool.c - raw MTD operations inside the NOR harness guest
 * (kernel/test/nor-run.sh), statically linked: Debian's busybox has no
 * flash_eraseall/flashcp.  Every command prints one result line (more with
 * -v) and exits 0 on success, 1 on failure (mismatch, I/O error), 2 on
 * usage errors, 3 when the kernel lacks what the command needs (gp:
 * membarrier(), or one CPU online).  Offsets and lengths accept 0x hex,
 * and the suffixes k/m (KiB, MiB).  Times are microseconds of
 * CLOCK_MONOTONIC.
 *
 *   nor-tool info DEV                          MEMGETINFO
 *       info DEV size=N erasesize=N writesize=N type=N flags=0xX
 * The other commands take the geometry from /sys/class/mtd/mtdN (no ioctl:
 * mtdchar serialises all ioctls of a chip on one mutex, which a waiting
 * MEMERASE holds); only erase uses an ioctl (MEMERASE).
 *   nor-tool erase [-v] [--hold-open MS] [--single] DEV [OFF [LEN]]
 *       MEMERASE, one ioctl per block (--single: one ioctl for the whole
 *       range, one operation of many blocks); --hold-open: close MS ms later
 *       erase DEV off=0xO len=N blocks=B us=T max_block_us=M
 *       (-v: "erase-block DEV off=0xO us=T" per block first)
 *   nor-tool write [-v] DEV OFF LEN PATTERN    write(), one erase block per call
 *       write DEV off=0xO len=N pattern=P us=T max_chunk_us=M
 *   nor-tool verify DEV OFF LEN PATTERN        read() and compare
 *       verify DEV off=0xO len=N pattern=P ok us=T
 *       verify DEV off=0xO len=N pattern=P MISMATCH at=0xA got=XX want=YY bad_bytes=K
 *   nor-tool cycle [-v] DEV N [OFF [LEN [PLEN]]]  N x (erase, write, verify);
 *       PLEN: program and verify only the first PLEN bytes of the erased
 *       range (for chips that program slowly: QEMU's cfi02)
 *       cycle I erase_us=T write_us=T verify=ok|MISMATCH|error max_block_us=M
 *       cycles N failed=F erase_us=MIN/AVG/MAX write_us=MIN/AVG/MAX
 *   nor-tool mapread FILE SECONDS              mmap FILE read-only (shared),
 *       compare every page with pread() over and over for SECONDS
 *       mapread FILE pages=N passes=P mismatches=M sigbus=S
 *       (mismatch: flash in status mode seen through a mapping)
 *   nor-tool pagemap PID START END BASE SIZE    where the present pages of
 *       PID's virtual range [START, END) are (/proc/PID/pagemap, as root):
 *       pagemap present=N flash=F other=O  (flash: physical address in
 *       [BASE, BASE + SIZE), i.e. mapped in place; other: RAM, a copy)
 *   nor-tool refuse [--stats FILE] DEV OFF LEN  on one open file of DEV, try
 *       to change [OFF, OFF+LEN): pwrite() of zeros, MEMERASE, MEMLOCK and
 *       MEMUNLOCK of the erase blocks; one line each
 *       refuse OP off=0xO len=N result=ok|ERRNO-NAME us=T
 *       --stats FILE (a cramfs revoke_stats file): its "revocations" count
 *       before the open and after the attempts, before the close (closing
 *       a writable mtdchar file syncs, which is a revocation of its own)
 *       refuse revocations before=N after=M
 *   nor-tool residency FILE STOPFILE            mmap FILE read-only (private),
 *       touch every page, then sample its pages' presence in
 *       /proc/self/pagemap every 5 ms until STOPFILE exists; then touch
 *       them all again
 *       residency FILE pages=N samples=S zapped_samples=Z min_present=M
 *       minflt_after=F  (zapped_samples: samples with a page not present;
 *       minflt_after: minor faults of the final touch)
 *   nor-tool remap FILE STOPFILE                map FILE private, read-only;
 *       until STOPFILE exists: compare every page with the file's content,
 *       mprotect() its first half away and back, mremap() it elsewhere
 *       remap FILE pages=N rounds=R mismatches=M sigbus=S
 *   nor-tool killwait PID MS                    SIGKILL PID, then poll
 *       /proc/PID/stat every 0.2 ms until it is a zombie or gone (MS at most)
 *       killwait pid=N ms=T.TTT ended=yes|no state=S  (S: its state when
 *       killed)
 *   nor-tool gp N                               N x membarrier(MEMBARRIER_CMD_GLOBAL),
 *       one RCU grace period each (synchronize_rcu()), timed
 *       gp n=N cpus=C p50_us=T p99_us=T max_us=T
 *       (exit 3, one line on stderr: no membarrier(), nohz_full, one CPU)
 *   nor-tool ms                                 monotonic time in ms
 *   nor-tool pause MS                           sleep MS milliseconds
 *   nor-tool tsc-khz                            (host, x86) the TSC rate in kHz,
 *       measured over 100 ms: nor-run.sh passes it as tsc_early_khz= (TCG's
 *       guest TSC is the host's; the guest's own calibration against the
 *       emulated PIT fails when the host is busy)
 *
 * PATTERN: a decimal seed (a pseudo-random byte per device offset, so any
 * sub-range can be verified), "ff" (erased flash) or "00".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <mtd/mtd-user.h>

static int verbose;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int usage(void)
{
	fputs("usage: nor-tool info DEV | erase [-v] [--hold-open MS] [--single] DEV [OFF [LEN]] |"
	      " refuse [--stats FILE] DEV OFF LEN | residency FILE STOPFILE |"
	      " killwait PID MS | remap FILE STOPFILE |"
	      " write [-v] DEV OFF LEN PATTERN | verify DEV OFF LEN PATTERN |"
	      " cycle [-v] DEV N [OFF [LEN [PLEN]]] | mapread FILE SECONDS |"
	      " pagemap PID START END BASE SIZE | gp N | ms | pause MS | tsc-khz\n"
	      "exit: 0 ok, 1 failure, 2 usage, 3 not supported by the kernel (gp)\n",
	      stderr);
	return 2;
}

static int parse_num(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		n <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		n <<= 20, end++;
	if (*end)
		return -1;
	*v = n;
	return 0;
}

/* pattern: -1 = 0xff, -2 = 0x00, else a seed */
static int parse_pattern(const char *s, long long *pat)
{
	uint64_t v;

	if (!strcmp(s, "ff")) {
		*pat = -1;
		return 0;
	}
	if (!strcmp(s, "00")) {
		*pat = -2;
		return 0;
	}
	if (parse_num(s, &v) || v > 0x7fffffff)
		return -1;
	*pat = (long long)v;
	return 0;
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void fill(unsigned char *buf, uint64_t off, size_t len, long long pat)
{
	size_t i;

	if (pat < 0) {
		memset(buf, pat == -1 ? 0xff : 0x00, len);
		return;
	}
	for (i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint64_t r = splitmix(((uint64_t)pat << 40) ^ (o >> 3));

		buf[i] = (unsigned char)(r >> (8 * (o & 7)));
	}
}

struct dev {
	const char *path;
	int fd;
	struct mtd_info_user info;
};

/* a number from /sys/class/mtd/NAME/FIELD; -1 if unreadable */
static long long sysfs_num(const char *name, const char *field)
{
	char p[256], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(p, sizeof(p), "/sys/class/mtd/%s/%s", name, field);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

/*
 * Opens an MTD character device.  Its geometry comes from sysfs when
 * with_ioctl is 0: MEMGETINFO, like every ioctl of mtdchar, takes the
 * master's chrdev_lock, which a MEMERASE that waits for the chip holds:
 * a writer must not queue behind an erase's ioctl before it even writes.
 */
static int dev_open_how(struct dev *d, const char *path, int flags, int with_ioctl)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	long long size, es, ws;

	memset(&d->info, 0, sizeof(d->info));
	d->path = path;
	d->fd = open(path, flags);
	if (d->fd < 0) {
		fprintf(stderr, "nor-tool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!with_ioctl) {
		size = sysfs_num(name, "size");
		es = sysfs_num(name, "erasesize");
		ws = sysfs_num(name, "writesize");
		if (size > 0 && size <= 0xffffffffll && es > 0 && ws > 0) {
			d->info.size = (uint32_t)size;
			d->info.erasesize = (uint32_t)es;
			d->info.writesize = (uint32_t)ws;
			return 0;
		}
	}
	if (ioctl(d->fd, MEMGETINFO, &d->info) < 0) {
		fprintf(stderr, "nor-tool: %s: MEMGETINFO: %s\n", path, strerror(errno));
		close(d->fd);
		return -1;
	}
	return 0;
}

static int dev_open(struct dev *d, const char *path, int flags)
{
	return dev_open_how(d, path, flags, 0);
}

/* range from optional OFF LEN arguments; checks alignment to erase blocks */
static int get_range(struct dev *d, int argc, char **argv, uint64_t *off,
		     uint64_t *len, int erase_aligned)
{
	*off = 0;
	*len = d->info.size;
	if (argc > 0 && parse_num(argv[0], off))
		return -1;
	if (argc > 1) {
		if (parse_num(argv[1], len))
			return -1;
	} else if (*off <= d->info.size) {
		*len = d->info.size - *off;
	}
	if (*off > d->info.size || *len > d->info.size - *off) {
		fprintf(stderr, "nor-tool: %s: range 0x%" PRIx64 "+%" PRIu64
			" beyond the device (%u bytes)\n", d->path, *off, *len,
			d->info.size);
		return -1;
	}
	if (erase_aligned && d->info.erasesize &&
	    (*off % d->info.erasesize || *len % d->info.erasesize)) {
		fprintf(stderr, "nor-tool: %s: range not aligned to the erase size %u\n",
			d->path, d->info.erasesize);
		return -1;
	}
	return 0;
}

/* erase [off, off+len); returns 0/-1, total and max block time */
static int erase_single;	/* erase --single: one MEMERASE for the range */

static int do_erase(struct dev *d, uint64_t off, uint64_t len, uint64_t *us,
		    uint64_t *max_us)
{
	uint32_t step = erase_single ? (uint32_t)len : d->info.erasesize;
	uint64_t o, t0 = now_us();

	*max_us = 0;
	for (o = off; o < off + len; o += step) {
		struct erase_info_user ei = { .start = (uint32_t)o,
					      .length = step };
		uint64_t b0 = now_us(), b;

		if (ioctl(d->fd, MEMERASE, &ei) < 0) {
			fprintf(stderr, "nor-tool: %s: MEMERASE at 0x%" PRIx64 ": %s\n",
				d->path, o, strerror(errno));
			return -1;
		}
		b = now_us() - b0;
		if (b > *max_us)
			*max_us = b;
		if (verbose)
			printf("erase-block %s off=0x%" PRIx64 " us=%" PRIu64 "\n",
			       d->path, o, b);
	}
	*us = now_us() - t0;
	return 0;
}

static int do_write(struct dev *d, uint64_t off, uint64_t len, long long pat,
		    uint64_t *us, uint64_t *max_us)
{
	size_t chunk = d->info.erasesize ? d->info.erasesize : 4096;
	unsigned char *buf = malloc(chunk);
	uint64_t o, t0 = now_us();
	int rc = 0;

	*max_us = 0;
	if (!buf)
		return -1;
	for (o = off; o < off + len; o += chunk) {
		size_t n = off + len - o < chunk ? (size_t)(off + len - o) : chunk;
		uint64_t c0, c;
		ssize_t w;

		fill(buf, o, n, pat);
		c0 = now_us();
		w = pwrite(d->fd, buf, n, (off_t)o);
		c = now_us() - c0;
		if (w != (ssize_t)n) {
			fprintf(stderr, "nor-tool: %s: write at 0x%" PRIx64 ": %s\n",
				d->path, o, w < 0 ? strerror(errno) : "short write");
			rc = -1;
			break;
		}
		if (c > *max_us)
			*max_us = c;
		if (verbose)
			printf("write-chunk %s off=0x%" PRIx64 " len=%zu us=%" PRIu64 "\n",
			       d->path, o, n, c);
	}
	*us = now_us() - t0;
	free(buf);
	return rc;
}

/* 0 equal, 1 mismatch (described in msg), -1 error */
static int do_verify(struct dev *d, uint64_t off, uint64_t len, long long pat,
		     char *msg, size_t msgsz)
{
	size_t chunk = 65536;
	unsigned char *buf = malloc(chunk), *want = malloc(chunk);
	uint64_t o, first = 0, bad = 0;
	int got_first = 0, rc = 0;
	unsigned fg = 0, fw = 0;

	if (!buf || !want)
		return -1;
	for (o = off; o < off + len; o += chunk) {
		size_t n = off + len - o < chunk ? (size_t)(off + len - o) : chunk, i;
		ssize_t r = pread(d->fd, buf, n, (off_t)o);

		if (r != (ssize_t)n) {
			fprintf(stderr, "nor-tool: %s: read at 0x%" PRIx64 ": %s\n",
				d->path, o, r < 0 ? strerror(errno) : "short read");
			rc = -1;
			break;
		}
		fill(want, o, n, pat);
		for (i = 0; i < n; i++) {
			if (buf[i] == want[i])
				continue;
			if (!got_first) {
				got_first = 1;
				first = o + i;
				fg = buf[i];
				fw = want[i];
			}
			bad++;
		}
	}
	if (rc == 0 && bad) {
		snprintf(msg, msgsz, "MISMATCH at=0x%" PRIx64 " got=%02x want=%02x bad_bytes=%" PRIu64,
			 first, fg, fw, bad);
		rc = 1;
	}
	free(buf);
	free(want);
	return rc;
}

static int cmd_info(int argc, char **argv)
{
	struct dev d;

	if (argc != 1)
		return usage();
	if (dev_open_how(&d, argv[0], O_RDONLY, 1) < 0)
		return 1;
	printf("info %s size=%u erasesize=%u writesize=%u type=%u flags=0x%x\n",
	       d.path, d.info.size, d.info.erasesize, d.info.writesize,
	       (unsigned)d.info.type, d.info.flags);
	return 0;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * --hold-open MS keeps the device open for MS ms after the erase: closing a
 * writable mtdchar file calls mtd_sync(), itself a revocation bracket, which
 * would unmap whatever the erase's own bracket left mapped before anyone
 * could look at it.
 */
static int cmd_erase(int argc, char **argv)
{
	struct dev d;
	uint64_t off, len, us, max_us, hold_ms = 0;

	if (argc >= 2 && !strcmp(argv[0], "--hold-open")) {
		if (parse_num(argv[1], &hold_ms))
			return usage();
		argc -= 2;
		argv += 2;
	}
	if (argc >= 1 && !strcmp(argv[0], "--single")) {
		erase_single = 1;
		argc--;
		argv++;
	}
	if (argc < 1 || argc > 3)
		return usage();
	if (dev_open(&d, argv[0], O_RDWR) < 0)
		return 1;
	if (get_range(&d, argc - 1, argv + 1, &off, &len, 1))
		return 2;
	if (do_erase(&d, off, len, &us, &max_us))
		return 1;
	printf("erase %s off=0x%" PRIx64 " len=%" PRIu64 " blocks=%" PRIu64
	       " us=%" PRIu64 " max_block_us=%" PRIu64 "\n", d.path, off, len,
	       d.info.erasesize ? len / d.info.erasesize : 0, us, max_us);
	sleep_ms(hold_ms);
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	struct dev d;
	uint64_t off, len, us, max_us;
	long long pat;

	if (argc != 4)
		return usage();
	if (dev_open(&d, argv[0], O_RDWR) < 0)
		return 1;
	if (get_range(&d, 2, argv + 1, &off, &len, 0) || parse_pattern(argv[3], &pat))
		return 2;
	if (do_write(&d, off, len, pat, &us, &max_us))
		return 1;
	printf("write %s off=0x%" PRIx64 " len=%" PRIu64 " pattern=%s us=%" PRIu64
	       " max_chunk_us=%" PRIu64 "\n", d.path, off, len, argv[3], us, max_us);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	struct dev d;
	uint64_t off, len, t0;
	long long pat;
	char msg[160];
	int r;

	if (argc != 4)
		return usage();
	if (dev_open(&d, argv[0], O_RDONLY) < 0)
		return 1;
	if (get_range(&d, 2, argv + 1, &off, &len, 0) || parse_pattern(argv[3], &pat))
		return 2;
	t0 = now_us();
	r = do_verify(&d, off, len, pat, msg, sizeof(msg));
	if (r < 0)
		return 1;
	printf("verify %s off=0x%" PRIx64 " len=%" PRIu64 " pattern=%s %s us=%" PRIu64 "\n",
	       d.path, off, len, argv[3], r ? msg : "ok", now_us() - t0);
	return r ? 1 : 0;
}

static void stat3(const char *name, uint64_t *v, int n)
{
	uint64_t mn = UINT64_MAX, mx = 0, sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (v[i] < mn)
			mn = v[i];
		if (v[i] > mx)
			mx = v[i];
		sum += v[i];
	}
	if (!n)
		mn = 0;
	printf(" %s=%" PRIu64 "/%" PRIu64 "/%" PRIu64, name, mn, n ? sum / n : 0, mx);
}

static int cmd_cycle(int argc, char **argv)
{
	struct dev d;
	uint64_t n, off, len, plen, *eus, *wus;
	int i, failed = 0;

	if (argc < 2 || argc > 5)
		return usage();
	if (parse_num(argv[1], &n) || n == 0 || n > 1000000)
		return usage();
	if (dev_open(&d, argv[0], O_RDWR) < 0)
		return 1;
	if (get_range(&d, argc > 4 ? 2 : argc - 2, argv + 2, &off, &len, 1))
		return 2;
	plen = len;
	if (argc > 4 && (parse_num(argv[4], &plen) || plen == 0 || plen > len)) {
		fprintf(stderr, "nor-tool: cycle: PLEN %s not in 1..%" PRIu64 "\n",
			argv[4], len);
		return 2;
	}
	eus = calloc(n, sizeof(*eus));
	wus = calloc(n, sizeof(*wus));
	if (!eus || !wus)
		return 1;
	for (i = 0; i < (int)n; i++) {
		uint64_t emax, wmax;
		char msg[160];
		const char *v = "ok";
		int r;

		if (do_erase(&d, off, len, &eus[i], &emax) ||
		    do_write(&d, off, plen, i + 1, &wus[i], &wmax)) {
			printf("cycle %d error\n", i + 1);
			failed++;
			n = i + 1;
			break;
		}
		r = do_verify(&d, off, plen, i + 1, msg, sizeof(msg));
		if (r) {
			v = r < 0 ? "error" : msg;
			failed++;
		}
		printf("cycle %d erase_us=%" PRIu64 " write_us=%" PRIu64
		       " verify=%s max_block_us=%" PRIu64 " max_chunk_us=%" PRIu64 "\n",
		       i + 1, eus[i], wus[i], v, emax, wmax);
		fflush(stdout);
	}
	printf("cycles %" PRIu64 " failed=%d", n, failed);
	stat3("erase_us", eus, (int)n);
	stat3("write_us", wus, (int)n);
	printf("\n");
	return failed ? 1 : 0;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* a SIGBUS or SIGSEGV of compare_pages() goes back to its sigsetjmp() */
static void catch_faults(void)
{
	signal(SIGBUS, on_bus);
	signal(SIGSEGV, on_bus);
}

/* the content of FILE in *copy and its size in *size; fd open read-only */
static int load_file(const char *path, int *fd, unsigned char **copy,
		     size_t *size, size_t *pages)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	struct stat st;

	*fd = open(path, O_RDONLY);
	if (*fd < 0 || fstat(*fd, &st) < 0 || st.st_size == 0) {
		fprintf(stderr, "nor-tool: %s: %s\n", path, *fd < 0 ? strerror(errno) : "empty");
		return -1;
	}
	*size = (size_t)st.st_size;
	*pages = (*size + ps - 1) / ps;
	*copy = calloc(*pages, ps);
	if (!*copy || pread(*fd, *copy, *size, 0) != st.st_size) {
		fprintf(stderr, "nor-tool: %s: read failed\n", path);
		return -1;
	}
	return 0;
}

/*
 * Compare every page of map with copy; a SIGBUS or SIGSEGV on a page counts
 * in *sigbus (catch_faults() first).  Returns the pages that differ.
 */
static uint64_t compare_pages(const char *path, const unsigned char *map,
			      const unsigned char *copy, size_t size,
			      volatile uint64_t *sigbus)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), pages = (size - 1) / ps + 1;
	volatile uint64_t mism = 0;
	volatile size_t pg;

	for (pg = 0; pg < pages; pg++) {
		size_t n = pg == pages - 1 ? size - pg * ps : ps;

		if (sigsetjmp(bus_jmp, 1)) {
			(*sigbus)++;
			continue;
		}
		if (memcmp(map + pg * ps, copy + pg * ps, n)) {
			if (!mism)
				printf("mismatch %s page=%zu\n", path, (size_t)pg);
			mism++;
		}
	}
	return mism;
}

static int cmd_mapread(int argc, char **argv)
{
	volatile uint64_t sigbus = 0;
	uint64_t secs, end, passes = 0, mism = 0;
	size_t size, pages, ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *copy, *map;
	int fd;

	if (argc != 2 || parse_num(argv[1], &secs))
		return usage();
	if (load_file(argv[0], &fd, &copy, &size, &pages))
		return 1;
	map = mmap(NULL, pages * ps, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "nor-tool: %s: mmap: %s\n", argv[0], strerror(errno));
		return 1;
	}
	catch_faults();
	end = now_us() + secs * 1000000u;
	do {
		mism += compare_pages(argv[0], map, copy, size, &sigbus);
		passes++;
	} while (now_us() < end);
	printf("mapread %s pages=%zu passes=%" PRIu64 " mismatches=%" PRIu64
	       " sigbus=%" PRIu64 "\n", argv[0], pages, passes, mism, sigbus);
	return mism || sigbus ? 1 : 0;
}

/* mremap() [from, from + half) and [from + half, from + len) to to */
static int move_halves(unsigned char *from, unsigned char *to, size_t len,
		       size_t half)
{
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED;

	if (mremap(from, half, half, flags, to) != to)
		return -1;
	if (half < len &&
	    mremap(from + half, len - half, len - half, flags, to + half) != to + half)
		return -1;
	return 0;
}

/*
 * Map FILE (private, read-only) and, until STOPFILE exists, compare it with
 * its content, move it with mremap() and take its access away and back
 * with mprotect(), over and over: the XIP vma is split, moved and merged
 * while revocations unmap it.
 */
static int cmd_remap(int argc, char **argv)
{
	volatile uint64_t sigbus = 0;
	uint64_t rounds = 0, mism = 0;
	size_t size, pages, ps = (size_t)sysconf(_SC_PAGESIZE), len;
	unsigned char *copy, *map, *slot[2];
	int fd;

	if (argc != 2)
		return usage();
	if (load_file(argv[0], &fd, &copy, &size, &pages))
		return 1;
	len = pages * ps;
	/* two slots in one reservation: the moves never land on anything else */
	slot[0] = mmap(NULL, 3 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slot[1] = slot[0] + 2 * len;
	map = slot[0] == MAP_FAILED ? MAP_FAILED :
	      mmap(slot[0], len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "nor-tool: %s: mmap: %s\n", argv[0], strerror(errno));
		return 1;
	}
	catch_faults();
	while (access(argv[1], F_OK) != 0) {
		unsigned char *to = slot[(rounds + 1) & 1];

		mism += compare_pages(argv[0], map, copy, size, &sigbus);
		/* split the vma: the first half's access away and back */
		if (pages > 1 && (mprotect(map, len / 2 & ~(ps - 1), PROT_NONE) ||
				  mprotect(map, len / 2 & ~(ps - 1), PROT_READ | PROT_EXEC))) {
			fprintf(stderr, "nor-tool: %s: mprotect: %s\n", argv[0], strerror(errno));
			break;
		}
		/*
		 * An XIP vma has ->close(), so the split is never merged back:
		 * move each half (one mremap() cannot cross vmas)
		 */
		if (move_halves(map, to, len, pages > 1 ? len / 2 & ~(ps - 1) : len)) {
			fprintf(stderr, "nor-tool: %s: mremap: %s\n", argv[0], strerror(errno));
			break;
		}
		/* keep the vacated slot reserved */
		mmap(map, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		map = to;
		rounds++;
	}
	printf("remap %s pages=%zu rounds=%" PRIu64 " mismatches=%" PRIu64
	       " sigbus=%" PRIu64 "\n", argv[0], pages, rounds, mism, sigbus);
	return mism || sigbus || !rounds ? 1 : 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EBUSY: return "EBUSY";
	case EROFS: return "EROFS";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "other";
	}
}

/* the "revocations N" line of a cramfs revoke_stats file, -1 if none */
static long long read_revocations(const char *path)
{
	char line[128];
	long long n = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "revocations %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* one attempt of cmd_refuse: 0 or the errno of op */
static int refuse_one(struct dev *d, const char *op, uint64_t off, uint64_t len)
{
	struct erase_info_user ei = { .start = (uint32_t)off, .length = (uint32_t)len };
	uint64_t t0 = now_us();
	unsigned char *zeros;
	int rc = 0;

	if (!strcmp(op, "write")) {
		zeros = calloc(1, (size_t)len);
		if (!zeros)
			return ENOMEM;
		if (pwrite(d->fd, zeros, (size_t)len, (off_t)off) != (ssize_t)len)
			rc = errno ? errno : EIO;
		free(zeros);
	} else {
		unsigned long req = !strcmp(op, "erase") ? MEMERASE :
				    !strcmp(op, "lock") ? MEMLOCK : MEMUNLOCK;

		if (ioctl(d->fd, req, &ei) < 0)
			rc = errno;
	}
	printf("refuse %s off=0x%" PRIx64 " len=%" PRIu64 " result=%s us=%" PRIu64 "\n",
	       op, off, len, errno_name(rc), now_us() - t0);
	return rc;
}

static int cmd_refuse(int argc, char **argv)
{
	static const char *const ops[] = { "write", "erase", "lock", "unlock" };
	const char *stats = NULL;
	long long before = -1;
	uint64_t off, len;
	struct dev d;
	size_t i;

	if (argc >= 2 && !strcmp(argv[0], "--stats")) {
		stats = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3)
		return usage();
	if (stats)
		before = read_revocations(stats);
	if (dev_open(&d, argv[0], O_RDWR) < 0)
		return 1;
	if (get_range(&d, 2, argv + 1, &off, &len, 1))
		return 2;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		refuse_one(&d, ops[i], off, len);
	if (stats)
		printf("refuse revocations before=%lld after=%lld\n", before,
		       read_revocations(stats));
	close(d.fd);
	return 0;
}

/* pagemap entry: bit 63 present, bits 0-54 the page frame number */
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

static int cmd_pagemap(int argc, char **argv)
{
	uint64_t pid, start, end, base, size, va, pm;
	uint64_t present = 0, flash = 0, other = 0;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	char path[64];
	int fd;

	if (argc != 5 || parse_num(argv[0], &pid) || parse_num(argv[1], &start) ||
	    parse_num(argv[2], &end) || parse_num(argv[3], &base) ||
	    parse_num(argv[4], &size) || start > end)
		return usage();
	snprintf(path, sizeof(path), "/proc/%" PRIu64 "/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "nor-tool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (va = start & ~(ps - 1); va < end; va += ps) {
		if (pread(fd, &pm, sizeof(pm), (off_t)(va / ps * sizeof(pm))) != sizeof(pm)) {
			fprintf(stderr, "nor-tool: %s: read failed at 0x%" PRIx64 "\n", path, va);
			close(fd);
			return 1;
		}
		if (!(pm & PM_PRESENT))
			continue;
		present++;
		if ((pm & PM_PFN_MASK) * ps - base < size)
			flash++;
		else
			other++;
	}
	close(fd);
	printf("pagemap present=%" PRIu64 " flash=%" PRIu64 " other=%" PRIu64 "\n",
	       present, flash, other);
	return 0;
}

/* pages of [map, map + pages * ps) present in /proc/self/pagemap */
static size_t count_present(int pm_fd, const unsigned char *map, size_t pages,
			    size_t ps)
{
	size_t i, n = 0;
	uint64_t pm;

	for (i = 0; i < pages; i++) {
		off_t at = (off_t)(((uintptr_t)map / ps + i) * sizeof(pm));

		if (pread(pm_fd, &pm, sizeof(pm), at) == sizeof(pm) && (pm & PM_PRESENT))
			n++;
	}
	return n;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void touch_pages(const volatile unsigned char *map, size_t pages, size_t ps)
{
	size_t i;

	for (i = 0; i < pages; i++)
		(void)map[i * ps];
}

static int cmd_residency(int argc, char **argv)
{
	size_t pages, ps = (size_t)sysconf(_SC_PAGESIZE), present, min_present;
	uint64_t samples = 0, zapped = 0;
	unsigned char *map;
	struct stat st;
	long flt;
	int fd, pm_fd;

	if (argc != 2)
		return usage();
	fd = open(argv[0], O_RDONLY);
	pm_fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pm_fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		fprintf(stderr, "nor-tool: %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	pages = ((size_t)st.st_size + ps - 1) / ps;
	map = mmap(NULL, pages * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "nor-tool: %s: mmap: %s\n", argv[0], strerror(errno));
		return 1;
	}
	touch_pages(map, pages, ps);
	min_present = pages;
	printf("residency-start %s pages=%zu present=%zu\n", argv[0], pages,
	       count_present(pm_fd, map, pages, ps));
	while (access(argv[1], F_OK) != 0) {
		present = count_present(pm_fd, map, pages, ps);
		samples++;
		if (present < pages)
			zapped++;
		if (present < min_present)
			min_present = present;
		sleep_ms(5);
	}
	flt = minor_faults();
	touch_pages(map, pages, ps);
	flt = minor_faults() - flt;
	printf("residency %s pages=%zu samples=%" PRIu64 " zapped_samples=%" PRIu64
	       " min_present=%zu minflt_after=%ld\n", argv[0], pages, samples,
	       zapped, min_present, flt);
	return 0;
}

/* the state letter of /proc/PID/stat, '-' if the process is gone */
static char proc_state(long pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '-';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '-';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static int cmd_killwait(int argc, char **argv)
{
	uint64_t pid, ms, t0, t;
	char state, before;
	struct timespec step = { 0, 200000 };

	if (argc != 2 || parse_num(argv[0], &pid) || parse_num(argv[1], &ms))
		return usage();
	before = proc_state((long)pid);
	t0 = now_us();
	if (kill((pid_t)pid, SIGKILL) < 0) {
		fprintf(stderr, "nor-tool: kill %" PRIu64 ": %s\n", pid, strerror(errno));
		return 1;
	}
	do {
		state = proc_state((long)pid);
		t = now_us() - t0;
		if (state == 'Z' || state == '-')
			break;
		nanosleep(&step, NULL);
	} while (t < ms * 1000);
	printf("killwait pid=%" PRIu64 " ms=%" PRIu64 ".%03" PRIu64 " ended=%s state=%c\n",
	       pid, t / 1000, t % 1000, state == 'Z' || state == '-' ? "yes" : "no", before);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * 0 if membarrier(MEMBARRIER_CMD_GLOBAL) waits for a grace period here;
 * else says why not on stderr (exit 3).  Linux 6.1,
 * kernel/sched/membarrier.c, SYSCALL_DEFINE3(membarrier): "case
 * MEMBARRIER_CMD_GLOBAL: ... if (num_online_cpus() > 1)
 * synchronize_rcu(); return 0;" (-EINVAL with nohz_full; -ENOSYS without
 * CONFIG_MEMBARRIER).  With one CPU online it returns at once: no figure.
 */
static int gp_check(long *cpus)
{
	long mask = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (mask < 0 || !(mask & MEMBARRIER_CMD_GLOBAL)) {
		fprintf(stderr, "nor-tool: gp: membarrier(MEMBARRIER_CMD_GLOBAL) not available: %s\n",
			mask < 0 ? strerror(errno) : "not in MEMBARRIER_CMD_QUERY (nohz_full?)");
		return -1;
	}
	*cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (*cpus < 2) {
		fprintf(stderr, "nor-tool: gp: %ld CPU online: membarrier() skips the grace period\n",
			*cpus);
		return -1;
	}
	return 0;
}

/*
 * One RCU grace period per call, timed: what percpu_ref_kill() waits for
 * before its count can reach zero (bench/kernel).  membarrier() is the one
 * system call that waits for exactly that.  Percentiles as the series'
 * revoke_stats takes them: the sorted sample at n * p / 100.
 */
static int cmd_gp(int argc, char **argv)
{
	uint64_t n, i, *us;
	long cpus;

	if (argc != 1 || parse_num(argv[0], &n) || n == 0 || n > 100000)
		return usage();
	if (gp_check(&cpus))
		return 3;
	us = calloc(n, sizeof(*us));
	if (!us)
		return 1;
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_us();

		if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0) {
			int e = errno;

			fprintf(stderr, "nor-tool: gp: membarrier: %s\n", strerror(e));
			free(us);
			return e == ENOSYS || e == EINVAL ? 3 : 1;
		}
		us[i] = now_us() - t0;
	}
	qsort(us, n, sizeof(*us), cmp_u64);
	printf("gp n=%" PRIu64 " cpus=%ld p50_us=%" PRIu64 " p99_us=%" PRIu64
	       " max_us=%" PRIu64 "\n", n, cpus, us[n / 2], us[n * 99 / 100], us[n - 1]);
	free(us);
	return 0;
}

static int cmd_tsc_khz(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec a, b;
	uint32_t lo, hi;
	uint64_t t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t0 = ((uint64_t)hi << 32) | lo;
	do
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec) < 100000000ll);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	t1 = ((uint64_t)hi << 32) | lo;
	ns = (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec));
	printf("%" PRIu64 "\n", (t1 - t0) * 1000000u / ns);
	return 0;
#else
	return 1;
#endif
}

int main(int argc, char **argv)
{
	const char *cmd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (argc > 0 && !strcmp(argv[0], "-v")) {
		verbose = 1;
		argc--;
		argv++;
	}
	if (!strcmp(cmd, "info"))
		return cmd_info(argc, argv);
	if (!strcmp(cmd, "erase"))
		return cmd_erase(argc, argv);
	if (!strcmp(cmd, "write"))
		return cmd_write(argc, argv);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc, argv);
	if (!strcmp(cmd, "cycle"))
		return cmd_cycle(argc, argv);
	if (!strcmp(cmd, "mapread"))
		return cmd_mapread(argc, argv);
	if (!strcmp(cmd, "remap"))
		return cmd_remap(argc, argv);
	if (!strcmp(cmd, "refuse"))
		return cmd_refuse(argc, argv);
	if (!strcmp(cmd, "killwait"))
		return cmd_killwait(argc, argv);
	if (!strcmp(cmd, "residency"))
		return cmd_residency(argc, argv);
	if (!strcmp(cmd, "pagemap"))
		return cmd_pagemap(argc, argv);
	if (!strcmp(cmd, "tsc-khz"))
		return cmd_tsc_khz();
	if (!strcmp(cmd, "gp"))
		return cmd_gp(argc, argv);
	if (!strcmp(cmd, "ms")) {
		printf("%" PRIu64 "\n", now_us() / 1000);
		return 0;
	}
	if (!strcmp(cmd, "pause")) {
		uint64_t ms;

		if (argc != 1 || parse_num(argv[0], &ms))
			return usage();
		sleep_ms(ms);
		return 0;
	}
	return usage();
}
