// SPDX-License-Identifier: MIT
/* Loading libarchive on first use: see archive_lib.h for why. */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

/* The real names here: this file fills the table the others call. */
#define ARLIB_NO_REDIRECT
#include "archive_lib.h"

struct arlib arlib;

static pthread_once_t arlib_once = PTHREAD_ONCE_INIT;
/* Set once by load_once: NULL when loaded, else why not. */
static const char *arlib_error = "libarchive not loaded";

/* libarchive's soname has been .13 since 3.0 (2011); the bare name is for
 * a system that only has the development link. */
static void *open_libarchive(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);

	return h ? h : dlopen("libarchive.so", RTLD_NOW | RTLD_LOCAL);
}

static void load_once(void)
{
	void *h = open_libarchive();

	if (!h) {
		arlib_error = "libarchive.so.13 is not installed (Debian: libarchive13)";
		return;
	}
#define ARLIB_LOAD(f)							\
	arlib.f = (__typeof__(arlib.f))dlsym(h, #f);			\
	if (!arlib.f) {							\
		arlib_error = "libarchive lacks " #f;			\
		return;							\
	}
	ARLIB_FUNCS(ARLIB_LOAD)
#undef ARLIB_LOAD
	arlib_error = NULL;
}

int arlib_load(const char **why)
{
	pthread_once(&arlib_once, load_once);
	*why = arlib_error;
	return arlib_error ? -ELIBACC : 0;
}
