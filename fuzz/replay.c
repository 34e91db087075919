/* SPDX-License-Identifier: MIT */
/*
 * Replay main: runs a fuzz target over every file named on the command
 * line (directories are read one level deep), the way libFuzzer would, but
 * in any build.  Each input gets an allocation of exactly its size, so
 * sanitizer builds catch over-reads.  Exit 0 when all inputs ran, 77 when
 * there was nothing to run, 1 on a usage or I/O error.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	int rc = -1;

	if (!f || fstat(fileno(f), &st)) {
		perror(path);
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
		LLVMFuzzerTestOneInput(buf, (size_t)st.st_size);
		rc = 0;
	}
	free(buf);
out:
	if (f)
		fclose(f);
	return rc;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Runs every file of `dir` in name order; returns inputs run or -1. */
static int run_dir(const char *dir)
{
	struct dirent **list;
	char path[4096];
	int n = scandir(dir, &list, not_hidden, name_cmp), ran = 0;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (ran >= 0 && run_file(path) == 0)
			ran++;
		else
			ran = -1;
		free(list[i]);
	}
	free(list);
	return ran;
}

int main(int argc, char **argv)
{
	int total = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
				? run_dir(argv[i])
				: (run_file(argv[i]) == 0 ? 1 : -1);
		if (n < 0)
			return 1;
		total += n;
	}
	printf("replayed %d input(s)\n", total);
	return total ? 0 : 77;
}
