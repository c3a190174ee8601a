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
#include <time.h>

#include "t/testdirs.h"	/* MUGAI_TOP_SRCDIR, made by t/local.mk */

/* Returns (transfer full) top_srcdir/REL. */
static inline char *
t_srcpath(const char *rel)
{
	return g_build_filename(MUGAI_TOP_SRCDIR, rel, NULL);
}

/*
 * Returns (transfer full) top_builddir/t/gen/REL: the messages make check
 * generates (t/local.mk: bench, bench-crlf, hostile).
 */
static inline char *
t_gen_dir(const char *rel)
{
	return g_build_filename(MUGAI_TOP_BUILDDIR, "t", "gen", rel, NULL);
}

/*
 * The extra corpus .ci/run passes in (MUGAI_EXTRA_CORPUS, the shared
 * corpus), or NULL: an extra, never a reason to skip.
 */
static inline const char *
t_extra_corpus_dir(void)
{
	const char *d = g_getenv("MUGAI_EXTRA_CORPUS");

	return d != NULL && *d != '\0' ? d : NULL;
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

/* CPU time used by this thread, in ns: other processes do not add to it. */
static inline gint64
t_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		ck_abort_msg("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
	return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

/*
 * How work grows with input size, for tests that guard against quadratic
 * behaviour without a wall-clock limit (the project's rule: performance
 * targets belong in benchmarks; a limit in seconds fails on a loaded CI
 * machine and means nothing under sanitizers or valgrind). run(ctx, n)
 * builds an input of about n bytes, does the work on it, checks its result
 * and returns the CPU ns (t_cpu_ns()) the work alone took. Returns the
 * least of three such times at T_GROWTH_FACTOR * small over the least of
 * three at small: a ratio, so the same on a fast, slow, busy or
 * instrumented machine. It is about 16 when linear and about 256 when
 * quadratic.
 */
#define T_GROWTH_FACTOR	16

static inline double
t_growth_once(gint64 (*run)(void *ctx, gsize n), void *ctx, gsize small)
{
	gint64 ts = G_MAXINT64, tb = G_MAXINT64;

	for (int i = 0; i < 3; i++) {
		ts = MIN(ts, run(ctx, small));
		tb = MIN(tb, run(ctx, T_GROWTH_FACTOR * small));
	}
	return (double)tb / (double)MAX(ts, 1);
}

/* Limit for t_growth(). Linear code measured 16x to 36x on this project's
 * machines (the big input leaves the caches, its buffers take page
 * faults; under load more), quadratic code is about 256x: the limit sits
 * at 2.5x from each, so neither a busy machine nor a small quadratic term
 * decides wrongly. (With 8x inputs and a limit of 24, linear charset code
 * measured 31x on a loaded CI machine.) */
#define T_GROWTH_MAX	96.0

/*
 * t_growth_once(), measured once more when over T_GROWTH_MAX (another
 * process may have had the caches for the whole first measurement):
 * returns the lesser. Quadratic work stays over the limit both times.
 */
static inline double
t_growth(gint64 (*run)(void *ctx, gsize n), void *ctx, gsize small)
{
	double g = t_growth_once(run, ctx, small);

	if (g >= T_GROWTH_MAX)
		g = MIN(g, t_growth_once(run, ctx, small));
	return g;
}

/*
 * One TCase per test, named after the test function, so that
 * `CK_RUN_CASE=name ./t/check_x` runs that test alone. t_timeout, when
 * set before the first t_test(), is every case's timeout in seconds
 * (otherwise Check's default, CK_DEFAULT_TIMEOUT).
 */
static int t_timeout;

static inline void
t_add_case(Suite *s, const char *name, const TTest *tt, int start, int end)
{
	TCase *tc = tcase_create(name);

	if (t_timeout > 0)
		tcase_set_timeout(tc, t_timeout);
	_tcase_add_test(tc, tt, 0, 0, start, end);
	suite_add_tcase(s, tc);
}

#define t_test(s, tf) t_add_case((s), #tf, (tf), 0, 1)
#define t_loop_test(s, tf, start, end) \
	t_add_case((s), #tf, (tf), (start), (end))

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
