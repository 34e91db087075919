/* SPDX-License-Identifier: MIT */
/*
 * diag: bounded storage (a hostile image must not grow it without limit),
 * tallies that count dropped entries too, and cramfs_strerror().
 */
#include <errno.h>
#include <string.h>

#include "tutil.h"
#include "util/util.h"

static void test_limit(void)
{
	struct cramfs_diag *d;

	t_context("limit");
	CHECK_EQ(cramfs_diag_new(3, &d), 0);
	for (int i = 0; i < 5; i++)
		diag_corrupt(d, (uint64_t)i, i ? "p" : NULL, "error %d", i);
	diag_warn(d, CRAMFS_NO_OFFSET, NULL, "late warning");
	CHECK_EQ(cramfs_diag_count(d), 3);
	CHECK_EQ(cramfs_diag_dropped(d), 3);
	CHECK_EQ(cramfs_diag_tally(d, CRAMFS_DIAG_ERROR), 5);
	CHECK_EQ(cramfs_diag_tally(d, CRAMFS_DIAG_WARNING), 1);
	CHECK_EQ(cramfs_diag_tally(d, CRAMFS_DIAG_INFO), 0);
	CHECK(cramfs_diag_get(d, 0) && cramfs_diag_get(d, 0)->path == NULL);
	CHECK(cramfs_diag_get(d, 1) &&
	      strcmp(cramfs_diag_get(d, 1)->message, "error 1") == 0);
	CHECK_EQ(cramfs_diag_get(d, 2)->code, -EUCLEAN);
	CHECK_EQ(cramfs_diag_get(d, 2)->offset, 2);
	CHECK_EQ(cramfs_diag_get(d, 2)->severity, CRAMFS_DIAG_ERROR);
	cramfs_diag_clear(d);
	CHECK_EQ(cramfs_diag_count(d), 0);
	CHECK_EQ(cramfs_diag_dropped(d), 0);
	CHECK_EQ(cramfs_diag_tally(d, CRAMFS_DIAG_ERROR), 0);
	for (int i = 0; i < 4; i++)
		diag_info(d, 0, NULL, "info");
	CHECK_EQ(cramfs_diag_count(d), 3);
	cramfs_diag_free(d);
	cramfs_diag_free(NULL);
}

static void test_default_limit(void)
{
	struct cramfs_diag *d;

	t_context("default limit");
	CHECK_EQ(cramfs_diag_new(0, &d), 0);
	for (int i = 0; i < 1005; i++)
		diag_warn(d, 0, "x", "w");
	CHECK_EQ(cramfs_diag_count(d), 1000);
	CHECK_EQ(cramfs_diag_dropped(d), 5);
	cramfs_diag_free(d);
}

static void test_return_and_null(void)
{
	t_context("diag_add return / NULL diag");
	CHECK_EQ(diag_corrupt(NULL, 0, NULL, "x"), -EUCLEAN);
	CHECK_EQ(diag_add(NULL, CRAMFS_DIAG_ERROR, -EIO, 0, NULL, "y"), -EIO);
}

static void test_strerror(void)
{
	t_context("strerror");
	CHECK(strcmp(cramfs_strerror(-EUCLEAN), "corrupt cramfs image") == 0);
	/* A host file not found is not "not in the image" (issue 13, item
	 * 10): the code alone cannot tell, so the text is the host's. */
	CHECK(strcmp(cramfs_strerror(-ENOENT), strerror(ENOENT)) == 0);
	CHECK(strstr(cramfs_strerror(-ENOENT), "image") == NULL);
	CHECK(cramfs_strerror(-EOPNOTSUPP) != NULL);
	CHECK(cramfs_strerror(0) != NULL);
	CHECK(cramfs_strerror(-123456) != NULL);
	CHECK(cramfs_strerror(5) != NULL);
}

int main(void)
{
	test_limit();
	test_default_limit();
	test_return_and_null();
	test_strerror();
	return t_done("test_diag");
}
