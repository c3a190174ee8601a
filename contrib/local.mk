# contrib/: the quick start and demo, MTA and systemd integration files,
# benchmarks (BENCHMARKS.md), fuzzing and lint.
EXTRA_DIST += contrib/quickstart contrib/demo contrib/package-test
EXTRA_DIST += contrib/postfix/README
EXTRA_DIST += contrib/postfix/main.cf.snippet
EXTRA_DIST += contrib/postfix/master.cf.snippet
EXTRA_DIST += contrib/sendmail/mugai.mc
EXTRA_DIST += contrib/systemd/mugai-milter.service
EXTRA_DIST += contrib/systemd/mugai.sysusers
EXTRA_DIST += contrib/systemd/mugai-purge.service
EXTRA_DIST += contrib/systemd/mugai-purge.timer
EXTRA_DIST += contrib/systemd/mugai-portal.service
EXTRA_DIST += contrib/fuzz contrib/lint contrib/cppcheck.supp .clang-tidy

# Benchmarks: the corpus generator, the in-process bench (built by make
# check; run by contrib/bench/core-bench), the end-to-end driver with its
# null milter (the ceiling), and a smoke test that the bench runs.
check_PROGRAMS += contrib/bench/mugai-bench
contrib_bench_mugai_bench_SOURCES = contrib/bench/mugai-bench.c
contrib_bench_mugai_bench_SOURCES += milter/spool.c milter/spool.h
contrib_bench_mugai_bench_SOURCES += milter/heap.c milter/heap.h
contrib_bench_mugai_bench_CPPFLAGS = $(MILTER_CPPFLAGS)
contrib_bench_mugai_bench_LDADD = $(MUGAI_LIBS)
# The quarantine index at a prefecture's size (BENCHMARKS.md, "Index").
check_PROGRAMS += contrib/bench/index-bench
contrib_bench_index_bench_SOURCES = contrib/bench/index-bench.c
contrib_bench_index_bench_LDADD = $(MUGAI_LIBS)
check_PROGRAMS += contrib/bench/null-milter
contrib_bench_null_milter_SOURCES = contrib/bench/null-milter.c
contrib_bench_null_milter_LDADD = $(MILTER_LIBS)
EXTRA_DIST += contrib/bench/corpus-gen
EXTRA_DIST += contrib/bench/core-bench
EXTRA_DIST += contrib/bench/e2e-bench
EXTRA_DIST += contrib/bench/e2e-measure.py
EXTRA_DIST += contrib/bench/milter-cpu
EXTRA_DIST += contrib/bench/index-pg-bench
EXTRA_DIST += contrib/bench/xbody-mix
EXTRA_DIST += contrib/bench/same-output
EXTRA_DIST += BENCHMARKS.md
TESTS += contrib/bench/smoke.sh
EXTRA_DIST += contrib/bench/smoke.sh
EXTRA_DIST += contrib/bench/portal-load.py
