/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: cramfs_extract() of an arbitrary image from memory into a
 * fresh directory (under $TMPDIR, else /dev/shm or /tmp), single-threaded,
 * without owners.  Properties: no crash, hang or sanitizer report, and
 * nothing is created outside the target: beside it in the base directory
 * only the manifest may appear, and a sibling canary directory stays empty.
 * Whatever was extracted is removed after each input.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cramfs/cramfs.h"
#include "fuzz.h"

static char base[4096], target[4200], manifest[4200], canary[4200];

static void teardown(void)
{
	rmdir(canary);
	rmdir(base);
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp)
		tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(base, sizeof(base), "%s/cramfs-fuzz-extract.XXXXXX", tmp);
	if (!mkdtemp(base))
		return -1;
	snprintf(target, sizeof(target), "%s/out", base);
	snprintf(manifest, sizeof(manifest), "%s/manifest", base);
	snprintf(canary, sizeof(canary), "%s/canary", base);
	if (mkdir(canary, 0755))
		return -1;
	atexit(teardown);
	return 0;
}

/* Modes from the image may deny even the owner: open everything first. */
static int open_up(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D && !S_ISLNK(st->st_mode))
		chmod(path, 0700);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void clean(void)
{
	chmod(target, 0700);
	nftw(target, open_up, 16, FTW_PHYS);
	nftw(target, remove_one, 16, FTW_PHYS | FTW_DEPTH);
	unlink(manifest);
}

/* Nothing but out/, manifest and an empty canary/ in the base directory. */
static void check_contained(void)
{
	struct dirent *d;
	DIR *dir = opendir(base);
	int in_canary = 0;

	if (!dir)
		abort();
	while ((d = readdir(dir))) {
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strcmp(d->d_name, "out") && strcmp(d->d_name, "manifest") &&
		    strcmp(d->d_name, "canary"))
			abort();
	}
	closedir(dir);
	dir = opendir(canary);
	if (!dir)
		abort();
	while ((d = readdir(dir)))
		in_canary += strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
	closedir(dir);
	if (in_canary)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct cramfs_extract_opts o = { .owners = 0, .threads = 1 };
	struct cramfs_source *src;
	struct cramfs_image *img;

	if (!ready && setup())
		abort();
	ready = 1;
	o.target_dir = target;
	o.manifest_path = manifest;
	o.overwrite = size && (data[size - 1] & 1);
	if (cramfs_source_from_memory(data, size, &src))
		return 0;
	if (!cramfs_image_open(src, NULL, NULL, &img)) {
		cramfs_extract(img, &o, NULL, NULL);
		cramfs_image_close(img);
	}
	cramfs_source_close(src);
	check_contained();
	clean();
	return 0;
}
