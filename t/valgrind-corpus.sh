#!/bin/bash
# valgrind-corpus.sh - the corpus through both engines under valgrind memcheck
#
# Messages of t/data/regress/, the generated data (t/gen/: the benchmark
# mix and the hostile cases) and MUGAI_EXTRA_CORPUS (the shared corpus,
# when .ci/run passes it in) are sanitized by the
# gcc build under memcheck with --engine=gmime and with --engine=stream
# (which may decline a message: exit 3). Two ways, because memcheck's own
# start-up (~2.5 CPU seconds) dwarfs the engine's work on a message:
#   - t/sanitize-batch: every message in one process per engine (what
#     mugai sanitize does, minus option parsing and files): ~45 CPU
#     seconds per engine for the whole corpus, both engines at once;
#   - mugai sanitize, the CLI itself: one process per message and engine,
#     for VALGRIND_SAMPLE messages spread evenly over the sorted list.
# Any memory error or definite/indirect leak fails (exit 99 from valgrind).
# make check runs this (about a minute on two idle cores); make
# check-valgrind (MUGAI_VALGRIND_FULL=1) runs every message through the
# CLI too (about 30 CPU minutes, nearly all of it memcheck starting up).
# Skips (77) without valgrind, with MUGAI_VALGRIND=0, or when the binaries
# are built with ASan (--enable-sanitizers: ASan and valgrind do not mix).
#   MUGAI_VALGRIND_FULL=1  every message through the CLI as well
#   VALGRIND_SAMPLE=N      messages through the CLI (default 4)
#   VALGRIND_ENGINES=LIST  engines (default "gmime stream")
#   VALGRIND_JOBS=N        CLI processes at once (default 2)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"
batch="$top_builddir/t/sanitize-batch"
sample=${VALGRIND_SAMPLE:-4}
[ -n "${MUGAI_VALGRIND_FULL:-}" ] && sample=
engines=${VALGRIND_ENGINES:-gmime stream}
jobs=${VALGRIND_JOBS:-2}

[ "${MUGAI_VALGRIND:-}" = 0 ] && { echo "SKIP: MUGAI_VALGRIND=0"; exit 77; }
command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
for b in "$mugai" "$batch"; do
	[ -x "$b" ] || { echo "SKIP: no $b"; exit 77; }
	# libtool wrapper scripts would put valgrind on the shell.
	if head -c 2 "$b" | grep -q '#!'; then
		echo "SKIP: $b is a wrapper script"; exit 77
	fi
	if grep -q __asan_init "$b"; then
		echo "SKIP: $b is built with AddressSanitizer"; exit 77
	fi
done
. "$top_srcdir/t/gen-dirs.sh"
gen_ready || exit 1

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-vg.XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT
# Private copies: a rebuild during the (long) run must not swap them.
cp "$mugai" "$out/mugai" && mugai="$out/mugai"
cp "$batch" "$out/batch" && batch="$out/batch"

vg() {
	G_SLICE=always-malloc G_DEBUG=gc-friendly \
	    valgrind -q --tool=memcheck --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    --num-callers=30 --suppressions="$top_srcdir/t/valgrind.supp" "$@"
}

# one ENGINE FILE: mugai sanitize under memcheck; exit 0 when clean.
one() {
	e=$1 f=$2
	name=$e-$(echo "$f" | cksum | cut -d' ' -f1)
	vg --log-file="$out/$name.vg" "$mugai" sanitize --engine="$e" "$f" \
	    "$out/$name.out" 2>"$out/$name.err"
	rc=$?
	# 0 sanitized, 1 withheld, 3 declined by the stream engine.
	if [ "$rc" -eq 2 ] || [ "$rc" -gt 3 ] || [ -s "$out/$name.vg" ]; then
		echo "FAIL mugai sanitize --engine=$e $f (exit $rc)"
		sed 's/^/    /' "$out/$name.vg" "$out/$name.err" | head -60
		return 1
	fi
	echo "ok   mugai sanitize --engine=$e $f"
	rm -f "$out/$name".*
}
export mugai out top_srcdir

# shellcheck disable=SC2086
{ find $gen_dirs $extra_corpus -name '*.eml' | LC_ALL=C sort
  find "$top_srcdir/t/data/regress" -name '*.eml' | sort; } >"$out/all"
[ -s "$out/all" ] || { echo "SKIP: no messages"; exit 77; }
cp "$out/all" "$out/list"
if [ -n "$sample" ]; then
	# The first of each of $sample equal slices of the sorted list.
	awk -v n="$sample" -v t="$(wc -l <"$out/all")" \
	    'n > 0 && (NR == 1 || int((NR - 1) * n / t) != int((NR - 2) * n / t))' \
	    "$out/all" >"$out/cli"
else
	cp "$out/all" "$out/cli"
fi
failed=0

# The batch: one process per engine, all at once (there are two).
for e in $engines; do
	# shellcheck disable=SC2046
	{ vg "$batch" "$e" $(cat "$out/list"); echo "exit $?"; } \
	    >"$out/batch-$e.log" 2>&1 &
done
wait
for e in $engines; do
	# File names come as "== NAME"; memcheck's lines as "==PID== ...".
	if ! grep -q '^exit 0$' "$out/batch-$e.log" ||
	    grep -q '^==[0-9]*==' "$out/batch-$e.log" ||
	    ! grep -qxF "== $(tail -n 1 "$out/list")" "$out/batch-$e.log" ||
	    grep -q '^sanitize-batch:' "$out/batch-$e.log"; then
		echo "FAIL t/sanitize-batch $e over $(wc -l <"$out/list") messages:"
		grep -v '^== ' "$out/batch-$e.log" | sed 's/^/    /' | head -80
		failed=$((failed + 1))
	else
		echo "ok   t/sanitize-batch $e: $(wc -l <"$out/list") messages"
	fi
done

# The CLI: one process per message and engine, $jobs at a time.
for e in $engines; do
	sed "s|^|$e |" "$out/cli"
done >"$out/runs"
xargs -r -P "$jobs" -L 1 bash -c "$(declare -f one vg); one \"\$1\" \"\$2\"" _ \
    <"$out/runs" >"$out/log" 2>&1
grep -A60 '^FAIL' "$out/log"
total=$(grep -c '^\(ok\|FAIL\)' "$out/log")
failed=$((failed + $(grep -c '^FAIL' "$out/log")))
[ "$total" -eq "$(wc -l <"$out/runs")" ] || failed=$((failed + 1))
echo "valgrind: $(wc -l <"$out/list") messages x ($engines) in one process" \
    "per engine, $total runs of mugai sanitize: $failed failed"
[ "$failed" -eq 0 ]
