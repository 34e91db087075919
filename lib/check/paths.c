// SPDX-License-Identifier: MIT
#include <string.h>

#include "paths.h"

bool symlink_escapes(const char *link_path, const char *target)
{
	long depth = 0;

	if (target[0] == '/')
		return false;
	/* The link's own directory is as deep as the path has slashes. */
	for (const char *p = link_path; *p; p++)
		depth += *p == '/';
	for (const char *t = target; *t;) {
		size_t len = strcspn(t, "/");

		if (len == 2 && t[0] == '.' && t[1] == '.')
			depth--;
		else if (len && !(len == 1 && t[0] == '.'))
			depth++;
		if (depth < 0)
			return true;
		t += len + (t[len] == '/');
	}
	return false;
}
