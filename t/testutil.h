/*
 * testutil - helpers shared by the Check suites: paths of test data and a
 * runner that names every case.
 */
#ifndef MUGAI_TESTUTIL_H
#define MUGAI_TESTUTIL_H

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Returns (transfer full) top_srcdir/REL. */
static inline char *
t_srcpath(const char *rel)
{
	return g_build_filename(MUGAI_TOP_SRCDIR, rel, NULL);
}

/* Returns (transfer full) the shared corpus directory ../shared/corpus. */
static inline char *
t_corpus_dir(void)
{
	return g_build_filename(MUGAI_TOP_SRCDIR, "..", "shared", "corpus",
	    NULL);
}

/*
 * TRUE under valgrind or when MUGAI_SLOW_TESTS is set (sanitizer builds):
 * wall-clock bounds are then not checked, byte bounds still are.
 */
static inline gboolean
t_slow(void)
{
	const char *pre = g_getenv("LD_PRELOAD");

	return g_getenv("MUGAI_SLOW_TESTS") != NULL ||
	    (pre != NULL && strstr(pre, "vgpreload") != NULL);
}

/* Runs suite s; returns the process exit status. */
static inline int
t_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
