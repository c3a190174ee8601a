#!/bin/bash
# valgrind-corpus.sh - `mugai sanitize` over the corpus under valgrind memcheck
#
# Messages of ../shared/corpus and t/data/regress/ are sanitized by the
# gcc build under memcheck, once per engine (--engine=gmime and
# --engine=stream; the stream engine may decline, exit 3). Any memory
# error or definite/indirect leak fails (--errors-for-leak-kinds, exit 99).
# By default a sample runs (VALGRIND_SAMPLE messages spread evenly over the
# sorted list, about a minute or two on two cores); `make check-valgrind`
# or MUGAI_VALGRIND_FULL=1 runs every message (long: most of an hour).
# Skips (77) without valgrind, or when the binary is built with ASan
# (--enable-sanitizers: ASan and valgrind do not mix).
#   MUGAI_VALGRIND_FULL=1  every message, not the sample
#   VALGRIND_SAMPLE=N      sample size (default 40; 0 skips the test)
#   VALGRIND_ENGINES=LIST  engines (default "gmime stream")
#   VALGRIND_JOBS=N        runs at once (default 2)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"
sample=${VALGRIND_SAMPLE:-40}
[ -n "${MUGAI_VALGRIND_FULL:-}" ] && sample=
engines=${VALGRIND_ENGINES:-gmime stream}

[ "$sample" = 0 ] && { echo "SKIP: VALGRIND_SAMPLE=0"; exit 77; }
command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
[ -x "$mugai" ] || { echo "SKIP: no $mugai"; exit 77; }
# libtool wrapper scripts would put valgrind on the shell: want a binary.
if head -c 2 "$mugai" | grep -q '#!'; then
	echo "SKIP: $mugai is a wrapper script"; exit 77
fi
if grep -q __asan_init "$mugai"; then
	echo "SKIP: $mugai is built with AddressSanitizer"; exit 77
fi
shared="$top_srcdir/../shared"
[ -d "$shared/corpus" ] || shared="$top_srcdir/../../shared"

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-vg.XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT
# A private copy: a rebuild during the (long) run must not swap it.
cp "$mugai" "$out/mugai" && mugai="$out/mugai"

# one ENGINE FILE: exit 0 when memcheck found nothing.
one() {
	e=$1 f=$2
	name=$e-$(echo "$f" | cksum | cut -d' ' -f1)
	G_SLICE=always-malloc G_DEBUG=gc-friendly \
	    valgrind -q --tool=memcheck --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    --num-callers=30 --log-file="$out/$name.vg" \
	    --suppressions="$top_srcdir/t/valgrind.supp" \
	    "$mugai" sanitize --engine="$e" "$f" "$out/$name.out" \
	    2>"$out/$name.err"
	rc=$?
	# 0 sanitized, 1 withheld, 3 declined by the stream engine.
	if [ "$rc" -eq 2 ] || [ "$rc" -gt 3 ] || [ -s "$out/$name.vg" ]; then
		echo "FAIL $e $f (exit $rc)"
		sed 's/^/    /' "$out/$name.vg" "$out/$name.err" | head -60
		return 1
	fi
	[ "$rc" -eq 3 ] && echo "ok   $e $f (declined)" || echo "ok   $e $f"
	rm -f "$out/$name".*
}
export mugai out top_srcdir

{ find "$shared/corpus" -name '*.eml' 2>/dev/null | sort
  find "$top_srcdir/t/data/regress" -name '*.eml' | sort; } >"$out/all"
[ -s "$out/all" ] || { echo "SKIP: no messages"; exit 77; }
if [ -n "$sample" ]; then
	# The first of each of $sample equal slices of the sorted list.
	awk -v n="$sample" -v t="$(wc -l <"$out/all")" \
	    'NR == 1 || int((NR - 1) * n / t) != int((NR - 2) * n / t)' \
	    "$out/all" >"$out/list"
else
	cp "$out/all" "$out/list"
fi
for e in $engines; do
	sed "s|^|$e |" "$out/list"
done >"$out/runs"
# bash for the function; xargs runs VALGRIND_JOBS at a time.
xargs -P "${VALGRIND_JOBS:-2}" -L 1 bash -c "$(declare -f one); one \"\$1\" \"\$2\"" _ \
    <"$out/runs" >"$out/log" 2>&1
grep -A60 '^FAIL' "$out/log"
total=$(grep -c '^\(ok\|FAIL\)' "$out/log")
failed=$(grep -c '^FAIL' "$out/log")
declined=$(grep -c '(declined)$' "$out/log")
echo "valgrind: $(wc -l <"$out/list") messages x ($engines): $total runs," \
    "$failed with memory errors or leaks ($declined declined by stream)"
[ "$failed" -eq 0 ] && [ "$total" -eq "$(wc -l <"$out/runs")" ]
