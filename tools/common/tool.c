// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int tool_exit_code(int ret)
{
	switch (ret) {
	case 0:
		return EXIT_OK;
	case -ENOENT:
		return EXIT_NOT_FOUND;
	case -EUCLEAN:
		return EXIT_CORRUPT;
	default:
		return EXIT_OPERATIONAL;
	}
}

void tool_error(const char *image, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_prog);
	if (image)
		fprintf(stderr, "%s: ", image);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *severity_word(enum cramfs_severity s)
{
	return s == CRAMFS_DIAG_ERROR ? "error" :
	       s == CRAMFS_DIAG_WARNING ? "warning" : "info";
}

void tool_put_name(FILE *to, const char *s)
{
	static const char named[] = "\a\b\t\n\v\f\r";
	static const char letters[] = "abtnvfr";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *k = c ? strchr(named, c) : NULL;

		if (c == '\\')
			fputs("\\\\", to);
		else if (k)
			fprintf(to, "\\%c", letters[k - named]);
		else if (c < 0x20 || c == 0x7f)
			fprintf(to, "\\%03o", c);
		else
			fputc(c, to);
	}
}

static void print_entry(FILE *to, const struct tool_image *t,
			const struct cramfs_diag_entry *e, bool verbose,
			bool prefix_prog)
{
	if (prefix_prog)
		fprintf(to, "%s: ", tool_prog);
	fprintf(to, "%s: %s: ", t->name, severity_word(e->severity));
	if (e->path) {
		fputs(e->path[0] == '/' ? "" : "/", to);
		tool_put_name(to, e->path);
		fputs(": ", to);
	}
	tool_put_name(to, e->message);	/* it may quote a name or target */
	if (verbose && e->offset != CRAMFS_NO_OFFSET)
		fprintf(to, " [offset 0x%llx]", (unsigned long long)e->offset);
	fputc('\n', to);
}

void tool_print_diag(FILE *to, const struct tool_image *t, bool warnings,
		     bool verbose, bool prefix_prog)
{
	size_t n = cramfs_diag_count(t->diag);

	for (size_t i = 0; i < n; i++) {
		const struct cramfs_diag_entry *e = cramfs_diag_get(t->diag, i);

		if (e->severity == CRAMFS_DIAG_ERROR ||
		    (e->severity == CRAMFS_DIAG_WARNING && warnings) || verbose)
			print_entry(to, t, e, verbose, prefix_prog);
	}
	if (cramfs_diag_dropped(t->diag))
		fprintf(to, "%s%s%s: %zu more messages not shown\n",
			prefix_prog ? tool_prog : "", prefix_prog ? ": " : "",
			t->name, cramfs_diag_dropped(t->diag));
}

int tool_open(struct tool_image *t, const char *name, unsigned block_size)
{
	struct cramfs_open_opts opts = { block_size };
	int ret;

	memset(t, 0, sizeof(*t));
	t->name = name;
	if (cramfs_diag_new(1000, &t->diag)) {
		tool_error(name, "out of memory");
		return EXIT_OPERATIONAL;
	}
	ret = cramfs_source_open_file(name, t->diag, &t->src);
	if (!ret)
		ret = cramfs_image_open(t->src, &opts, t->diag, &t->img);
	if (ret) {
		/* The library's own words ("not a regular file or block
		 * device") say more than the errno it returns (EINVAL). */
		const struct cramfs_diag_entry *e = cramfs_diag_get(t->diag, 0);

		tool_error(name, "%s", e ? e->message : cramfs_strerror(ret));
		tool_close(t);
		return ret == -EUCLEAN ? EXIT_CORRUPT : EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

bool tool_warn_superblock(const struct tool_image *t)
{
	struct cramfs_image_info in;
	const char *what = NULL;
	char why[160];

	cramfs_image_get_info(t->img, &in);
	if (!in.version2)
		return false;	/* version 1 records no size or counts */
	if (in.source_size < in.super.size) {
		snprintf(why, sizeof(why), "superblock size is %u bytes, the file has %llu",
			 in.super.size, (unsigned long long)in.source_size);
		what = why;
	} else if (!in.super.files) {
		what = "superblock file count is zero";
	}
	if (what)
		fprintf(stderr, "%s: %s: warning: %s: the image is truncated or damaged (cramfs check tells more)\n",
			tool_prog, t->name, what);
	return what != NULL;
}

bool tool_warn_block_size(const struct tool_image *t, const char *option)
{
	struct cramfs_image_info in;
	char fits[96];

	cramfs_image_get_info(t->img, &in);
	if (in.bs.source == CRAMFS_BS_AMBIGUOUS) {
		cramfs_bs_list_fits(&in.bs, fits, sizeof(fits));
		fprintf(stderr, "%s: %s: warning: block size ambiguous: %s; read as %u (pass %s if you know it)\n",
			tool_prog, t->name, fits, in.block_size, option);
		return true;
	}
	if (in.bs.source == CRAMFS_BS_BEST_FIT) {
		fprintf(stderr, "%s: %s: warning: no block size fits every file; read as %u, the best fit (pass %s if you know it)\n",
			tool_prog, t->name, in.block_size, option);
		return true;
	}
	return false;
}

/*
 * Why `path` does not resolve when a component before its last is not a
 * directory: "a is a symlink (not followed)".  The first such component.
 */
static void describe_blocker(struct tool_image *t, const char *path,
			     char *why, size_t cap)
{
	struct cramfs_node n;
	const char *p = path;
	char prefix[4096];
	size_t len;

	snprintf(why, cap, "a component is not a directory");
	while (*p && (p = strchr(p + 1, '/'))) {
		len = (size_t)(p - path);
		if (len >= sizeof(prefix))
			return;
		memcpy(prefix, path, len);
		prefix[len] = '\0';
		if (!len || cramfs_lookup(t->img, prefix, NULL, &n) ||
		    cramfs_is_type(n.inode.mode, CRAMFS_S_IFDIR))
			continue;
		snprintf(why, cap, "%s is %s", prefix,
			 cramfs_is_type(n.inode.mode, CRAMFS_S_IFLNK) ?
			 "a symlink (not followed)" : "not a directory");
		return;
	}
}

int tool_lookup(struct tool_image *t, const char *path,
		struct cramfs_node *out)
{
	char why[4200];
	int ret = cramfs_lookup(t->img, path, t->diag, out);

	if (ret == -ENOENT) {
		tool_error(t->name, "%s: not in the image", path);
	} else if (ret == -ENOTDIR) {
		describe_blocker(t, path, why, sizeof(why));
		tool_error(t->name, "%s: not in the image: %s", path, why);
		ret = -ENOENT;
	}
	return ret;
}

const char *tool_bs_source_name(enum cramfs_bs_source source)
{
	static const char *const names[] = {
		[CRAMFS_BS_GIVEN] = "given",
		[CRAMFS_BS_DETECTED] = "detected",
		[CRAMFS_BS_AMBIGUOUS] = "ambiguous",
		[CRAMFS_BS_BEST_FIT] = "best-fit",
	};

	return (unsigned)source < sizeof(names) / sizeof(names[0]) ?
	       names[source] : "unknown";
}

void tool_json_bs_fits(FILE *out, const struct cramfs_bs_evidence *ev)
{
	bool first = true;

	fputc('[', out);
	for (unsigned k = 0; k < CRAMFS_BS_CANDIDATES; k++) {
		if (!(ev->fits & (1u << k)))
			continue;
		fprintf(out, "%s%u", first ? "" : ", ", CRAMFS_MIN_BLOCK_SIZE << k);
		first = false;
	}
	fputc(']', out);
}

void tool_close(struct tool_image *t)
{
	cramfs_image_close(t->img);
	cramfs_source_close(t->src);
	cramfs_diag_free(t->diag);
	memset(t, 0, sizeof(*t));
}

int tool_parse_block_size(const char *arg, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);

	if (*end || v < CRAMFS_MIN_BLOCK_SIZE || v > CRAMFS_MAX_BLOCK_SIZE ||
	    (v & (v - 1)))
		return -1;
	*out = (unsigned)v;
	return 0;
}

void tool_mode_string(unsigned mode, char *b)
{
	static const char rwx[] = "rwxrwxrwx";

	b[0] = cramfs_type_char(mode);
	for (int i = 0; i < 9; i++)
		b[1 + i] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & 04000)
		b[3] = mode & 0100 ? 's' : 'S';
	if (mode & 02000)
		b[6] = mode & 0010 ? 's' : 'S';
	if (mode & 01000)
		b[9] = mode & 0001 ? 't' : 'T';
	b[10] = '\0';
}

/* Length of the well-formed UTF-8 sequence at p (1-4), or 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
	int n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (!n || p[0] > 0xF4)
		return 0;
	cp = p[0] & (0x7F >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

/*
 * Valid UTF-8 is written as is; a byte that is not part of valid UTF-8 is
 * written as \u00XX.  Valid non-ASCII text is never escaped, so in our
 * output \u0080-\u00ff always stands for a raw byte of a name.
 */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const void *)s;

	fputc('"', f);
	while (*p) {
		int n = utf8_len(p);

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || !n)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, (size_t)n, f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

int tool_parse_endian(const char *arg, enum cramfs_endian *out)
{
	if (!strcmp(arg, "big"))
		*out = CRAMFS_BIG_ENDIAN;
	else if (!strcmp(arg, "little"))
		*out = CRAMFS_LITTLE_ENDIAN;
	else if (!strcmp(arg, "host"))
		*out = cramfs_host_endian();
	else
		return -1;
	return 0;
}

int tool_parse_bytes(const char *arg, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *arg == '-')
		return -1;
	if (*end)
		shift = *end == 'K' || *end == 'k' ? 10 :
			*end == 'M' || *end == 'm' ? 20 :
			*end == 'G' || *end == 'g' ? 30 : 64;
	if (shift == 64 || (*end && end[1]) || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int tool_parse_uint(const char *arg, unsigned long long max,
		    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (!*arg || *end || errno || v > max || arg[0] == '-')
		return -1;
	*out = v;
	return 0;
}
