// SPDX-License-Identifier: MIT
/*
 * Names from the inputs: every name an entry gets, whether from a host
 * directory (readdir), an archive (tar, cpio), a device table or the
 * manifest `cramfs extract` writes, passes build_name_bad() before it is
 * put into the tree.  A name cramfs cannot store as a name (format.md
 * §5.1: no "/", no NUL, not empty, neither "." nor "..") is refused by
 * the caller with an error naming the input; stored as it is, a naive
 * extractor would follow ".." out of its target directory.
 *
 * Length is not checked here: a name over 252 bytes is cut to 252 by the
 * limits pass (limits.c, format.md §4.7), with a warning, and --strict
 * refuses it; that is the same for every input.
 */
#include <string.h>

#include "internal.h"

const char *build_name_bad(const char *name, size_t len)
{
	if (!len)
		return "an empty name";
	if (memchr(name, '\0', len))
		return "a NUL byte in a name";
	if (memchr(name, '/', len))
		return "a \"/\" inside a name";
	if (len == 1 && name[0] == '.')
		return "a \".\" component";
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return "a \"..\" component";
	return NULL;
}

static int octal(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/*
 * Copy `len` bytes from `in` to `out` (out <= in), undoing the \ooo escapes
 * of device tables and manifests.  Returns the bytes written, which may
 * include a NUL or a "/": the caller's check refuses those.
 */
static size_t unescape(char *out, const char *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\\' && i + 3 < len && in[i + 1] >= '0' &&
		    in[i + 1] <= '3' && octal(in[i + 2]) >= 0 &&
		    octal(in[i + 3]) >= 0) {
			out[o++] = (char)((in[i + 1] - '0') << 6 |
					  octal(in[i + 2]) << 3 | octal(in[i + 3]));
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	return o;
}

/* Past the leading "/" (and with `dots`, "./" and a lone "."). */
static char *skip_prefix(char *p, bool dots)
{
	for (;;) {
		if (*p == '/')
			p++;
		else if (dots && p[0] == '.' && p[1] == '/')
			p += 2;
		else if (dots && p[0] == '.' && !p[1])
			p++;
		else
			return p;
	}
}

const char *build_path_clean(char *path, unsigned flags)
{
	char *in = skip_prefix(path, flags & BUILD_PATH_DOT_PREFIX), *out = path;

	/* Only ever shrinks: out stays at or before in. */
	while (*in) {
		size_t len = strcspn(in, "/"), n;
		const char *why;

		if (!len) {		/* "a//b", "a/": separators, no name */
			in++;
			continue;
		}
		if (out != path)
			*out++ = '/';
		if (flags & BUILD_PATH_ESCAPES) {
			n = unescape(out, in, len);
		} else {
			memmove(out, in, len);
			n = len;
		}
		why = build_name_bad(out, n);
		if (why)
			return why;
		out += n;
		in += len;
	}
	*out = '\0';
	return NULL;
}
