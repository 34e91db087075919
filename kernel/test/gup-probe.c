// SPDX-License-Identifier: MIT
/*
 * gup-probe.c - what users of get_user_pages() (GUP) get on an XIP mapping
 * of cramfs, inside the NOR harness guest (kernel/test/nor-run.sh);
 * statically linked.  Used by tests/kernel/nor-gup.sh.
 *
 *   gup-probe [-n] [-g GOFILE] [-t] [-r REF] OP FILE [ARGS]
 *
 * FILE is mapped whole, MAP_PRIVATE, PROT_READ|PROT_EXEC, and every page is
 * touched (read; not with -n), in this process or in a child of it (the
 * process whose memory OP works on); then, with -g, the probe waits until
 * GOFILE exists (at most 60 s; "gup ready OP FILE pid=N" says it waits)
 * and, with -t, touches every page again (during an erase whose reads
 * suspend it, those faults map copies of the flash pages).
 * Then OP runs on each page of the mapping in turn:
 *
 *   vmsplice FILE           vmsplice() the page into a pipe, read it back
 *   odirect FILE DEV OFF    pwrite() the page with O_DIRECT to block device
 *                           DEV at OFF (every page at the same offset: an
 *                           mtdblock device then erases one block at the
 *                           close, not one per page), read it back
 *   read-syscall FILE       pwrite() the page (plain write(), the kernel's
 *                           copy_from_user()) into a file in /tmp, read back
 *   peektext FILE           a traced child maps FILE: PTRACE_PEEKTEXT of
 *                           16 words of every page; then one
 *                           PTRACE_POKETEXT (of the word that is there)
 *   procmem FILE            /proc/CHILD/mem: pread() of every page; then
 *                           one pwrite()
 *   process_vm_readv FILE   process_vm_readv() of the child's page (and,
 *                           as a control, of a page of its heap)
 *   core FILE               the child aborts with RLIMIT_CORE unlimited and
 *                           coredump_filter 0x37 (private file mappings
 *                           too); the ELF core (kernel.core_pattern, %p) is
 *                           searched for a PT_LOAD over the mapping
 *
 * The expected bytes come from pread() of FILE, or of REF with -r (a copy
 * outside the cramfs, so that the probe itself never fills FILE's page
 * cache).  Output, one line per operation:
 *
 *   gup OP FILE result=R pages=N vmflags=F before=W after=W each=C [detail]
 *
 * R: the result of every page if they agree (ok, EFAULT, EIO, ENOSYS, ...,
 * MISMATCH: it worked but gave other bytes than the file's), else "mixed".
 * vmflags: the mapping's VmFlags (/proc/PID/smaps: mm = VM_MIXEDMAP, io =
 * VM_IO, dd = VM_DONTDUMP).  before/after: per page, where it is just
 * before and after OP (/proc/PID/pagemap): f = flash (the physical address
 * is in [NOR_BASE, NOR_BASE + NOR_RO_SIZE) of the environment), r = RAM
 * (page cache or a copy), - = not present.  each: per page, o = ok (the
 * right bytes), M = mismatch, E = EFAULT, I = EIO, N = ENOSYS, B = EBUSY,
 * X = EEXIST (GUP found a PTE without a struct page: VM_MIXEDMAP without
 * VM_IO), ? = another error (named in the detail).  peektext and procmem
 * compare only the file's bytes; for the bytes after EOF in its last page
 * (the mapping shows zeros there) they add tail=ok|MISMATCH|EIO|short:N.
 * core prints instead
 *   gup core FILE result=omitted|dumped|ENOSYS ... segment=... content=...
 * Exit: 0 the probe ran (the caller judges), 1 setup failure (cannot map,
 * fork, open), 2 usage error.
 */
#define _GNU_SOURCE
/* /proc/PID/mem offsets are addresses: above 2 GiB on 32-bit ARM */
#define _FILE_OFFSET_BITS 64
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PS 4096u
#define MAX_PAGES 1024u

struct probe {
	const char *op;
	const char *path;
	const char *ref;
	const char *go;
	int retouch;
	int notouch;
	size_t size;		/* of the file */
	size_t npages;
	size_t len;		/* npages * PS */
	unsigned char *map;	/* the mapping (in pid) */
	unsigned char *want;	/* the file's bytes, zeros after EOF */
	pid_t pid;		/* the process that has the mapping */
	char vmflags[256];
	char before[MAX_PAGES + 1];
	char after[MAX_PAGES + 1];
	char each[MAX_PAGES + 1];
	char other[32];		/* the first error that has no letter */
	char tail[32];		/* bytes after EOF in the last page, if any */
};

static int usage(void)
{
	fputs("usage: gup-probe [-n] [-g GOFILE] [-t] [-r REF] vmsplice|read-syscall|peektext|"
	      "procmem|process_vm_readv|core FILE | odirect FILE DEV OFF\n", stderr);
	return 2;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EFAULT: return "EFAULT";
	case EIO: return "EIO";
	case ENOSYS: return "ENOSYS";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case ESRCH: return "ESRCH";
	case EAGAIN: return "EAGAIN";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EROFS: return "EROFS";
	case EEXIST: return "EEXIST";
	default: return "E?";
	}
}

static char errno_letter(int e)
{
	switch (e) {
	case EFAULT: return 'E';
	case EIO: return 'I';
	case ENOSYS: return 'N';
	case EBUSY: return 'B';
	case EEXIST: return 'X';
	default: return '?';
	}
}

/* Record page i's outcome: err = 0 and the bytes compared, or an errno. */
static void note(struct probe *p, size_t i, int err, int same)
{
	if (!err) {
		p->each[i] = same ? 'o' : 'M';
		return;
	}
	p->each[i] = errno_letter(err);
	if (p->each[i] == '?' && !p->other[0])
		snprintf(p->other, sizeof(p->other), "%s(%d)", errno_name(err), err);
}

/* Turn p into the one-page record of an operation on page 0 (a write). */
static void one_page(struct probe *p, int err)
{
	p->npages = 1;
	p->other[0] = 0;
	note(p, 0, err, 1);
	p->each[1] = 0;
}

static const char *summary(const struct probe *p)
{
	size_t i;

	for (i = 1; i < p->npages; i++)
		if (p->each[i] != p->each[0])
			return "mixed";
	switch (p->each[0]) {
	case 'o': return "ok";
	case 'M': return "MISMATCH";
	case 'E': return "EFAULT";
	case 'I': return "EIO";
	case 'N': return "ENOSYS";
	case 'B': return "EBUSY";
	case 'X': return "EEXIST";
	default: return "other";
	}
}

static void print_line(const struct probe *p, const char *op, const char *detail)
{
	printf("gup %s %s result=%s pages=%zu vmflags=%s before=%s after=%s each=%s%s%s%s%s%s%s\n",
	       op, p->path, summary(p), p->npages, p->vmflags, p->before, p->after,
	       p->each, p->other[0] ? " error=" : "", p->other,
	       p->tail[0] ? " tail=" : "", p->tail,
	       detail && *detail ? " " : "", detail ? detail : "");
	fflush(stdout);
}

static uint64_t env_num(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* out[i]: where page i of [addr, addr + n pages) of pid is: f, r or - */
static void where(pid_t pid, const unsigned char *addr, size_t n, char *out)
{
	uint64_t base = env_num("NOR_BASE", 0xff800000u);
	uint64_t size = env_num("NOR_RO_SIZE", 4u << 20);
	char path[64];
	uint64_t e, phys;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	for (i = 0; i < n; i++) {
		off_t off = (off_t)((uintptr_t)addr / PS + i) * 8;

		out[i] = '?';
		if (fd < 0 || pread(fd, &e, 8, off) != 8)
			continue;
		phys = (e & ((1ull << 55) - 1)) * PS;
		if (!(e >> 63))
			out[i] = '-';
		else
			out[i] = phys >= base && phys < base + size ? 'f' : 'r';
	}
	out[n] = 0;
	if (fd >= 0)
		close(fd);
}

/* The VmFlags of pid's mapping that starts at addr, comma-separated. */
static void vmflags(pid_t pid, const void *addr, char *out, size_t size)
{
	char path[64], line[512];
	int found = 0;
	FILE *f;

	snprintf(out, size, "-");
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char *s, *d;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			found = start == (uintptr_t)addr;
			continue;
		}
		if (!found || strncmp(line, "VmFlags:", 8))
			continue;
		for (s = line + 8; *s == ' '; s++)
			;
		for (d = out; *s && *s != '\n' && d < out + size - 1; s++)
			*d++ = *s == ' ' ? ',' : *s;
		while (d > out && d[-1] == ',')
			d--;
		*d = 0;
		break;
	}
	fclose(f);
}

static int read_file(const char *path, unsigned char *buf, size_t len, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	memset(buf, 0, len);
	while (done < len && done < *size) {
		n = pread(fd, buf + done, len - done, (off_t)done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return done == (*size < len ? *size : len) ? 0 : -1;
}

/* Map FILE, read the expected bytes (from REF if given). */
static int setup(struct probe *p)
{
	struct stat st;
	size_t size;
	int fd = open(p->path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "gup-probe: %s: %s\n", p->path, strerror(errno));
		return -1;
	}
	p->size = (size_t)st.st_size;
	p->npages = (p->size + PS - 1) / PS;
	if (!p->npages || p->npages > MAX_PAGES) {
		fprintf(stderr, "gup-probe: %s: size %lld not 1..%u pages\n", p->path,
			(long long)st.st_size, MAX_PAGES);
		return -1;
	}
	p->len = p->npages * PS;
	p->map = mmap(NULL, p->len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	p->want = aligned_alloc(PS, p->len);
	if (p->map == MAP_FAILED || !p->want) {
		fprintf(stderr, "gup-probe: mmap %s: %s\n", p->path, strerror(errno));
		return -1;
	}
	if (read_file(p->ref ? p->ref : p->path, p->want, p->len, &size) ||
	    size != (size_t)st.st_size) {
		fprintf(stderr, "gup-probe: cannot read %s (or its size differs)\n",
			p->ref ? p->ref : p->path);
		return -1;
	}
	memset(p->before, '?', p->npages);
	memset(p->after, '?', p->npages);
	memset(p->each, '?', p->npages);
	return 0;
}

static unsigned int touch(const unsigned char *map, size_t len)
{
	unsigned int sum = 0;
	size_t off;

	for (off = 0; off < len; off += PS)
		sum += ((const volatile unsigned char *)map)[off];
	return sum;
}

static int wait_go(const char *go)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; go && i < 6000; i++) {
		if (!access(go, F_OK))
			return 0;
		nanosleep(&ts, NULL);
	}
	if (go)
		fprintf(stderr, "gup-probe: %s did not appear within 60 s\n", go);
	return go ? -1 : 0;
}

/* Touch, wait for the go file, touch again: the state OP is to see. */
static int prepare_pages(const struct probe *p)
{
	if (!p->notouch)
		touch(p->map, p->len);
	if (p->go) {
		printf("gup ready %s %s pid=%d\n", p->op, p->path, (int)getpid());
		fflush(stdout);
	}
	if (wait_go(p->go))
		return -1;
	if (p->retouch)
		touch(p->map, p->len);
	return 0;
}

/* --- operations on this process's own mapping ------------------------------ */

static int op_vmsplice(struct probe *p)
{
	static unsigned char buf[PS];
	int pfd[2];
	size_t i;

	if (pipe(pfd)) {
		perror("gup-probe: pipe");
		return 1;
	}
	for (i = 0; i < p->npages; i++) {
		struct iovec iov = { p->map + i * PS, PS };
		ssize_t n, got = 0;
		int err;

		where(p->pid, iov.iov_base, 1, p->before + i);
		n = vmsplice(pfd[1], &iov, 1, 0);
		err = n < 0 ? errno : 0;
		where(p->pid, iov.iov_base, 1, p->after + i);
		while (n > 0 && got < n) {
			ssize_t r = read(pfd[0], buf + got, (size_t)(n - got));

			if (r <= 0)
				break;
			got += r;
		}
		note(p, i, err, n == PS && got == n && !memcmp(buf, p->want + i * PS, PS));
	}
	print_line(p, "vmsplice", NULL);
	return 0;
}

static int op_odirect(struct probe *p, const char *dev, off_t base)
{
	unsigned char *buf = aligned_alloc(PS, PS);
	char detail[64];
	int fd = open(dev, O_RDWR | O_DIRECT);
	size_t i;

	if (fd < 0 || !buf) {
		printf("gup odirect %s result=setup-error detail=open-%s:%s\n", p->path, dev,
		       errno_name(errno));
		return 1;
	}
	for (i = 0; i < p->npages; i++) {
		unsigned char *page = p->map + i * PS;
		off_t off = base;	/* one erase block: mtdblock flushes once */
		ssize_t n;
		int err;

		where(p->pid, page, 1, p->before + i);
		n = pwrite(fd, page, PS, off);
		err = n < 0 ? errno : 0;
		where(p->pid, page, 1, p->after + i);
		if (n == PS && pread(fd, buf, PS, off) != PS)
			n = -1;
		note(p, i, err, n == PS && !memcmp(buf, p->want + i * PS, PS));
	}
	fsync(fd);
	close(fd);
	snprintf(detail, sizeof(detail), "dev=%s off=0x%llx", dev, (unsigned long long)base);
	print_line(p, "odirect", detail);
	return 0;
}

static int op_read_syscall(struct probe *p)
{
	static unsigned char buf[PS];
	char tmp[64];
	size_t i;
	int fd;

	snprintf(tmp, sizeof(tmp), "/tmp/gup-probe.%d", (int)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("gup-probe: /tmp");
		return 1;
	}
	unlink(tmp);
	for (i = 0; i < p->npages; i++) {
		unsigned char *page = p->map + i * PS;
		ssize_t n;
		int err;

		where(p->pid, page, 1, p->before + i);
		n = pwrite(fd, page, PS, (off_t)(i * PS));
		err = n < 0 ? errno : 0;
		where(p->pid, page, 1, p->after + i);
		if (n == PS && pread(fd, buf, PS, (off_t)(i * PS)) != PS)
			n = -1;
		note(p, i, err, n == PS && !memcmp(buf, p->want + i * PS, PS));
	}
	close(fd);
	print_line(p, "read-syscall", NULL);
	return 0;
}

/* --- operations on a child's mapping ---------------------------------------- */

static void *heap_page;	/* the control page of process_vm_readv */

/*
 * A child with the mapping: traced (PTRACE_TRACEME) or not, it prepares
 * the pages and stops itself; on SIGCONT it aborts (the core dump) or
 * waits to be killed.  Returns its pid, stopped, or -1.
 */
static pid_t start_child(struct probe *p, int trace, int dump)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (trace && ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(1);
		if (dump) {
			struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
			int fd = open("/proc/self/coredump_filter", O_WRONLY);

			setrlimit(RLIMIT_CORE, &rl);
			if (fd >= 0 && write(fd, "0x37", 4) != 4)
				_exit(1);
			if (fd >= 0)
				close(fd);
		}
		if (prepare_pages(p))
			_exit(1);
		raise(SIGSTOP);
		if (dump)
			abort();
		for (;;)
			pause();
	}
	munmap(p->map, p->len);	/* the child's is the one probed */
	p->pid = pid;
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "gup-probe: child %d did not stop (status 0x%x)\n", (int)pid, st);
		return -1;
	}
	vmflags(pid, p->map, p->vmflags, sizeof(p->vmflags));
	return pid;
}

static void end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Bytes of page i that are the file's (the rest of the last page is not). */
static size_t inside(const struct probe *p, size_t i)
{
	return p->size - i * PS < PS ? p->size - i * PS : PS;
}

/* Note what the bytes after EOF gave: r = 0 ok (zeros), > 0 mismatch, < 0 -errno */
static void note_tail(struct probe *p, int r)
{
	snprintf(p->tail, sizeof(p->tail), "%s", !r ? "ok" : r > 0 ? "MISMATCH" : errno_name(-r));
}

/* One word: 0 the expected bytes, 1 others, -errno */
static int peek_word(pid_t pid, const unsigned char *page, const unsigned char *want,
		     size_t off)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKTEXT, pid, page + off, NULL);
	if (errno)
		return -errno;
	return memcmp(&w, want + off, sizeof(w)) ? 1 : 0;
}

/*
 * PTRACE_PEEKTEXT of 16 words spread over page i (ptrace is slow under
 * TCG), from the first to the last; on the last page of the file only the
 * words before EOF count, those at or after it go to p->tail.
 */
static int peek_page(struct probe *p, pid_t pid, size_t i)
{
	const unsigned char *page = p->map + i * PS, *want = p->want + i * PS;
	size_t k, off, in = inside(p, i);
	int r, ret = 0, tail = 0;

	for (k = 0; k < 17; k++) {
		off = k * (PS / sizeof(long) - 1) / 15 * sizeof(long);
		if (k == 16)	/* the word with EOF in it */
			off = in & ~(sizeof(long) - 1);
		if (off >= PS)
			break;
		r = peek_word(pid, page, want, off);
		if (off + sizeof(long) <= in)
			ret = ret ? ret : r;
		else
			tail = tail ? tail : r;
	}
	if (in < PS)
		note_tail(p, tail);
	return ret;
}

static int op_peektext(struct probe *p)
{
	pid_t pid = start_child(p, 1, 0);
	size_t i;
	long w;
	int r, err;

	if (pid < 0)
		return 1;
	for (i = 0; i < p->npages; i++) {
		where(pid, p->map + i * PS, 1, p->before + i);
		r = peek_page(p, pid, i);
		where(pid, p->map + i * PS, 1, p->after + i);
		note(p, i, r < 0 ? -r : 0, r == 0);
	}
	print_line(p, "peektext", NULL);
	p->tail[0] = 0;

	/* a breakpoint: the same word back, so a success changes no byte */
	memcpy(&w, p->want, sizeof(w));
	where(pid, p->map, 1, p->before);
	r = (int)ptrace(PTRACE_POKETEXT, pid, p->map, (void *)w);
	err = r ? errno : 0;
	where(pid, p->map, 1, p->after);
	one_page(p, err);
	print_line(p, "poketext", NULL);
	end_child(pid);
	return 0;
}

/* The n bytes read of page i: the file's bytes; on the last page, after EOF */
static void procmem_page(struct probe *p, size_t i, const unsigned char *buf, ssize_t n,
			 int err)
{
	size_t in = inside(p, i);
	const unsigned char *want = p->want + i * PS;

	note(p, i, err, n >= (ssize_t)in && !memcmp(buf, want, in));
	if (in == PS || err)
		return;
	if (n == PS)
		note_tail(p, memcmp(buf + in, want + in, PS - in) ? 1 : 0);
	else
		snprintf(p->tail, sizeof(p->tail), "short:%zd", n);
}

static int op_procmem(struct probe *p)
{
	static unsigned char buf[PS];
	char path[64];
	pid_t pid = start_child(p, 0, 0);
	size_t i;
	ssize_t n;
	int fd, err;

	if (pid < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("gup procmem %s result=setup-error detail=open:%s\n", p->path,
		       errno_name(errno));
		end_child(pid);
		return 1;
	}
	for (i = 0; i < p->npages; i++) {
		off_t off = (off_t)(uintptr_t)(p->map + i * PS);

		where(pid, p->map + i * PS, 1, p->before + i);
		n = pread(fd, buf, PS, off);
		err = n < 0 ? errno : 0;
		where(pid, p->map + i * PS, 1, p->after + i);
		procmem_page(p, i, buf, n, err);
	}
	print_line(p, "procmem", NULL);
	p->tail[0] = 0;

	where(pid, p->map, 1, p->before);
	n = pwrite(fd, p->want, sizeof(long), (off_t)(uintptr_t)p->map);
	err = n < 0 ? errno : 0;
	where(pid, p->map, 1, p->after);
	one_page(p, err);
	print_line(p, "procmem-write", NULL);
	close(fd);
	end_child(pid);
	return 0;
}

static int op_process_vm_readv(struct probe *p)
{
	static unsigned char buf[PS];
	struct iovec local = { buf, PS }, remote = { NULL, PS };
	char detail[64];
	pid_t pid;
	size_t i;
	ssize_t n;

	heap_page = aligned_alloc(PS, PS);
	if (!heap_page)
		return 1;
	memset(heap_page, 0x5a, PS);
	pid = start_child(p, 0, 0);
	if (pid < 0)
		return 1;
	for (i = 0; i < p->npages; i++) {
		remote.iov_base = p->map + i * PS;
		where(pid, remote.iov_base, 1, p->before + i);
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		where(pid, remote.iov_base, 1, p->after + i);
		note(p, i, n < 0 ? errno : 0, n == PS && !memcmp(buf, p->want + i * PS, PS));
	}
	remote.iov_base = heap_page;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	snprintf(detail, sizeof(detail), "control=%s",
		 n < 0 ? errno_name(errno) : n == PS && buf[0] == 0x5a ? "ok" : "short");
	print_line(p, "process_vm_readv", detail);
	end_child(pid);
	return 0;
}

/* --- the core dump -------------------------------------------------------------- */

/* The core file name for pid from kernel.core_pattern (%p and %% only). */
static int core_name(pid_t pid, char *out, size_t size)
{
	char pat[256], *s, *d = out;
	int uses_pid = 0;
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");

	if (!f)
		return -1;
	if (!fgets(pat, sizeof(pat), f))
		pat[0] = 0;
	fclose(f);
	pat[strcspn(pat, "\n")] = 0;
	if (pat[0] == '|' || !pat[0])
		return -1;
	for (s = pat; *s && d < out + size - 16; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			d += sprintf(d, "%d", (int)pid);
			uses_pid = 1;
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			*d++ = *++s;
		} else {
			*d++ = *s;
		}
	}
	*d = 0;
	f = fopen("/proc/sys/kernel/core_uses_pid", "r");
	if (f) {
		if (!uses_pid && fgetc(f) == '1')
			sprintf(d, ".%d", (int)pid);
		fclose(f);
	}
	return 0;
}

/* A core's ELF header, either class, as the fields core_segment() needs. */
struct core_hdr {
	int class;
	uint64_t phoff;
	unsigned int phnum, phentsize;
};

static int read_core_hdr(int fd, struct core_hdr *h)
{
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	if (pread(fd, &e64, sizeof(e64), 0) != sizeof(e64) ||
	    memcmp(e64.e_ident, ELFMAG, SELFMAG))
		return -1;
	h->class = e64.e_ident[EI_CLASS];
	if (h->class == ELFCLASS64 && e64.e_type == ET_CORE) {
		h->phoff = e64.e_phoff, h->phnum = e64.e_phnum, h->phentsize = e64.e_phentsize;
		return 0;
	}
	memcpy(&e32, &e64, sizeof(e32));
	if (h->class != ELFCLASS32 || e32.e_type != ET_CORE)
		return -1;
	h->phoff = e32.e_phoff, h->phnum = e32.e_phnum, h->phentsize = e32.e_phentsize;
	return 0;
}

/* Program header i of the core, widened to Elf64_Phdr; -1 if unreadable. */
static int read_core_phdr(int fd, const struct core_hdr *h, unsigned int i, Elf64_Phdr *ph)
{
	off_t at = (off_t)(h->phoff + (uint64_t)i * h->phentsize);
	Elf32_Phdr p32;

	if (h->class == ELFCLASS64)
		return pread(fd, ph, sizeof(*ph), at) == sizeof(*ph) ? 0 : -1;
	if (pread(fd, &p32, sizeof(p32), at) != sizeof(p32))
		return -1;
	ph->p_type = p32.p_type, ph->p_offset = p32.p_offset, ph->p_vaddr = p32.p_vaddr;
	ph->p_filesz = p32.p_filesz, ph->p_memsz = p32.p_memsz;
	return 0;
}

/*
 * The PT_LOAD of the core over [start, start + len): "omitted" if there is
 * none or its p_filesz is 0, else "dumped" with how its bytes compare with
 * want (ok, zeros: the dumper skipped the pages, mismatch).
 */
static const char *core_segment(const char *core, const unsigned char *start, size_t len,
				const unsigned char *want, char *detail, size_t size)
{
	uint64_t a = (uintptr_t)start;
	struct core_hdr eh;
	Elf64_Phdr ph;
	int fd = open(core, O_RDONLY);
	unsigned int i;

	snprintf(detail, size, "core=%s segment=none", core);
	if (fd < 0 || read_core_hdr(fd, &eh)) {
		snprintf(detail, size, "core=%s not-an-elf-core", core);
		if (fd >= 0)
			close(fd);
		return "bad-core";
	}
	for (i = 0; i < eh.phnum; i++) {
		static unsigned char buf[PS];
		size_t off, k;
		int zero = 1, same = 1;

		if (read_core_phdr(fd, &eh, i, &ph))
			break;
		if (ph.p_type != PT_LOAD || a < ph.p_vaddr || a >= ph.p_vaddr + ph.p_memsz)
			continue;
		for (off = 0; off < len && off < ph.p_filesz; off += PS) {
			if (pread(fd, buf, PS, (off_t)(ph.p_offset + off)) != PS)
				break;
			same &= !memcmp(buf, want + off, PS);
			for (k = 0; k < PS; k++)
				zero &= !buf[k];
		}
		snprintf(detail, size, "core=%s segment=0x%llx filesz=%llu memsz=%llu content=%s",
			 core, (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_filesz,
			 (unsigned long long)ph.p_memsz,
			 !ph.p_filesz ? "-" : same ? "ok" : zero ? "zeros" : "mismatch");
		close(fd);
		return ph.p_filesz ? "dumped" : "omitted";
	}
	close(fd);
	return "omitted";
}

static int op_core(struct probe *p)
{
	char core[300], detail[400];
	const char *result;
	pid_t pid;
	int st;

	if (access("/proc/sys/kernel/core_pattern", F_OK)) {
		printf("gup core %s result=ENOSYS detail=no-/proc/sys/kernel/core_pattern"
		       "(kernel-without-CONFIG_COREDUMP)\n", p->path);
		return 0;
	}
	pid = start_child(p, 0, 1);
	if (pid < 0)
		return 1;
	where(pid, p->map, p->npages, p->before);
	kill(pid, SIGCONT);
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st)) {
		fprintf(stderr, "gup-probe: the child did not die (status 0x%x)\n", st);
		return 1;
	}
	if (!WCOREDUMP(st) || core_name(pid, core, sizeof(core)) || access(core, R_OK)) {
		printf("gup core %s result=no-core vmflags=%s before=%s signal=%d coredump=%d\n",
		       p->path, p->vmflags, p->before, WTERMSIG(st), !!WCOREDUMP(st));
		return 0;
	}
	result = core_segment(core, p->map, p->len, p->want, detail, sizeof(detail));
	unlink(core);
	printf("gup core %s result=%s pages=%zu vmflags=%s before=%s %s\n", p->path, result,
	       p->npages, p->vmflags, p->before, detail);
	return 0;
}

/* --- main ----------------------------------------------------------------------- */

static int run(struct probe *p, int argc, char **argv)
{
	uint64_t off = 0;
	char *end;

	if (!strcmp(p->op, "odirect")) {
		if (argc != 4)
			return usage();
		off = strtoull(argv[3], &end, 0);
		if (*end || off % PS)
			return usage();
	} else if (argc != 2) {
		return usage();
	}
	if (setup(p))
		return 1;
	if (!strcmp(p->op, "peektext"))
		return op_peektext(p);
	if (!strcmp(p->op, "procmem"))
		return op_procmem(p);
	if (!strcmp(p->op, "process_vm_readv"))
		return op_process_vm_readv(p);
	if (!strcmp(p->op, "core"))
		return op_core(p);
	/* the operations on this process's own mapping */
	p->pid = getpid();
	vmflags(p->pid, p->map, p->vmflags, sizeof(p->vmflags));
	if (prepare_pages(p))
		return 1;
	if (!strcmp(p->op, "vmsplice"))
		return op_vmsplice(p);
	if (!strcmp(p->op, "read-syscall"))
		return op_read_syscall(p);
	return op_odirect(p, argv[2], (off_t)off);
}

int main(int argc, char **argv)
{
	static const char *const ops[] = {
		"vmsplice", "odirect", "read-syscall", "peektext", "procmem",
		"process_vm_readv", "core", NULL
	};
	static struct probe pr;
	struct probe *p = &pr;
	int c, i;

	while ((c = getopt(argc, argv, "+ng:tr:")) != -1) {
		switch (c) {
		case 'n': p->notouch = 1; break;
		case 'g': p->go = optarg; break;
		case 't': p->retouch = 1; break;
		case 'r': p->ref = optarg; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		return usage();
	p->op = argv[0];
	p->path = argv[1];
	for (i = 0; ops[i] && strcmp(ops[i], p->op); i++)
		;
	return ops[i] ? run(p, argc, argv) : usage();
}
