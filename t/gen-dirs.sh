# gen-dirs.sh - where the corpus tests find their messages (sourced)
#
# Sets
#   gen          $top_builddir/t/gen, the data `make check` generates
#                (t/local.mk: the benchmark mix and t/hostile-gen's cases);
#                missing is a broken build, not a skip: the test fails
#   gen_dirs     its message directories, space-separated
#   extra_corpus $MUGAI_EXTRA_CORPUS when it names a directory (the shared
#                corpus .ci/run passes in), else empty
#   validator    $MUGAI_VALIDATOR when it names a file (the independent
#                check_sanitized.py), else empty
#   oracle       t/oracle-check, the contract of t/fuzz/oracle.c
# gen_ready returns 1 (with a message) when the generated data or the
# oracle is missing.
gen="$top_builddir/t/gen"
gen_dirs="$gen/bench $gen/bench-crlf $gen/hostile"
oracle="$top_builddir/t/oracle-check"
extra_corpus=
[ -n "${MUGAI_EXTRA_CORPUS:-}" ] && [ -d "$MUGAI_EXTRA_CORPUS" ] &&
    extra_corpus=$(cd "$MUGAI_EXTRA_CORPUS" && pwd)
validator=
[ -n "${MUGAI_VALIDATOR:-}" ] && [ -f "$MUGAI_VALIDATOR" ] &&
    validator=$MUGAI_VALIDATOR

gen_ready() {
	if [ ! -f "$gen/stamp" ]; then
		echo "FAIL: $gen/stamp missing (make check generates it:" \
		    "make t/gen/stamp)"
		return 1
	fi
	if [ ! -x "$oracle" ]; then
		echo "FAIL: $oracle not built (make t/oracle-check)"
		return 1
	fi
	[ -n "${MUGAI_EXTRA_CORPUS:-}" ] && [ -z "$extra_corpus" ] &&
	    echo "note: MUGAI_EXTRA_CORPUS=$MUGAI_EXTRA_CORPUS is not a directory"
	[ -n "${MUGAI_VALIDATOR:-}" ] && [ -z "$validator" ] &&
	    echo "note: MUGAI_VALIDATOR=$MUGAI_VALIDATOR is not a file"
	return 0
}
