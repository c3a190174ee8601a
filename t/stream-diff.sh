#!/bin/bash
# stream-diff - the two engines, one answer (doc/design.md).
#
# For every message of t/data/stream, of the data make check generates
# (t/gen/: the benchmark mix and t/hostile-gen's cases) and, when given,
# of MUGAI_EXTRA_CORPUS (../shared/corpus in .ci/run), the stream engine
# runs at scanner chunk sizes 1, 7, 65536 and whole (STREAM_DIFF_CHUNKS).
# Where it takes the message (exit is not 3), its output and its JSON
# report must be byte-identical to those of the GMime engine, but for the
# engine's name; and it must take or decline the message alike at every
# chunk size. Prints how many messages the fast path takes and how many
# fall back (STREAM_DIFF_VERBOSE=1: why, counted).
#
# The messages go through t/stream-diff-run, which does what `mugai
# sanitize --json` does (cli/sanitize-run.c) for every engine and chunk
# size in one process, in two batches at once: one process start per
# message and run would cost more than the engines' work. A few messages
# (STREAM_DIFF_CLI, default 6, spread over the list) go through the real
# `mugai sanitize` as well, one process per run, so the command's own path
# stays compared; and before all that the driver must see a difference
# when one byte of the stream engine's output is flipped (--perturb).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"
driver="$top_builddir/t/stream-diff-run"
. "$top_srcdir/t/gen-dirs.sh"
gen_ready || exit 1
[ -x "$driver" ] || { echo "FAIL: $driver not built"; exit 1; }
dirs="$top_srcdir/t/data/stream $gen_dirs $extra_corpus"
chunks=${STREAM_DIFF_CHUNKS:-"1 7 65536 1073741824"}

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-sdiff.XXXXXX")
trap 'rm -rf "$out"' EXIT
# The documents' text comes from the helper the build made.
conf="$out/mugai.conf"
# No time limit of its own: on a loaded machine a limit reached at
# different documents would make the engines' outputs differ.
printf '[extract]\nhelper = %s\nmax_message_time = 0\nmax_time = 60s\n' \
    "$top_builddir/mugai-extract" >"$conf"

one() {
	f=$1
	n=$(echo "$f" | md5sum | cut -c1-12)
	"$mugai" sanitize -c "$conf" --engine=gmime --json "$f" "$out/$n.g" 2>"$out/$n.gj"
	grc=$?
	sed -i 's/"engine" : "gmime"/"engine" : "E"/' "$out/$n.gj"
	[ -f "$out/$n.g" ] && sed -i 's/; engine=gmime;/; engine=E;/' "$out/$n.g"
	taken=""
	for c in $chunks; do
		rm -f "$out/$n.s"
		"$mugai" sanitize -c "$conf" --engine=stream --chunk="$c" --json "$f" \
		    "$out/$n.s" 2>"$out/$n.sj"
		src=$?
		if [ $src -eq 3 ]; then
			t=declined
		else
			t=taken
			sed -i 's/"engine" : "stream"/"engine" : "E"/' "$out/$n.sj"
			[ -f "$out/$n.s" ] && sed -i 's/; engine=stream;/; engine=E;/' "$out/$n.s"
			if [ $src -ne $grc ]; then
				echo "DIFF $f chunk $c: exit $src, gmime $grc"
				return 1
			fi
			if ! cmp -s "$out/$n.g" "$out/$n.s" 2>/dev/null &&
			    { [ -f "$out/$n.g" ] || [ -f "$out/$n.s" ]; }; then
				echo "DIFF $f chunk $c: output"
				diff "$out/$n.g" "$out/$n.s" | head -10
				return 1
			fi
			if ! cmp -s "$out/$n.gj" "$out/$n.sj"; then
				echo "DIFF $f chunk $c: report"
				diff "$out/$n.gj" "$out/$n.sj" | head -10
				return 1
			fi
		fi
		if [ -n "$taken" ] && [ "$taken" != "$t" ]; then
			echo "DIFF $f chunk $c: $t, other chunk sizes $taken"
			return 1
		fi
		taken=$t
	done
	if [ "$taken" = declined ]; then
		echo "fall $f: $(sed -n 's/^ *"stream_declined" : "\(.*\)",\{0,1\}$/\1/p' "$out/$n.sj")"
	else
		echo "take $f"
	fi
}
export -f one
export mugai out chunks conf

# shellcheck disable=SC2086
find $dirs -name '*.eml' | LC_ALL=C sort >"$out/list"
listed=$(wc -l <"$out/list")

# The test of the test: a flipped byte of the stream engine's output must
# be a DIFF (and exit 1) for a message it takes.
head -20 "$out/list" | "$driver" -c "$conf" --chunks 65536 --perturb \
    >"$out/perturb" 2>&1
prc=$?
if [ $prc -ne 1 ] || ! grep -q '^DIFF .*: output$' "$out/perturb"; then
	echo "FAIL: t/stream-diff-run --perturb found no difference (exit $prc)"
	head -20 "$out/perturb"
	exit 1
fi

# Two batches at once (the machine's two cores), every other message.
for b in 0 1; do
	awk -v b=$b 'NR % 2 == b' "$out/list" |
	    "$driver" -c "$conf" --chunks "$chunks" >"$out/log$b" 2>&1 &
	eval "pid$b=\$!"
done
# shellcheck disable=SC2154
wait "$pid0"; rc0=$?
# shellcheck disable=SC2154
wait "$pid1"; rc1=$?
cat "$out/log0" "$out/log1" >"$out/log"
for rc in $rc0 $rc1; do
	if [ "$rc" -gt 1 ]; then
		echo "FAIL: t/stream-diff-run exited $rc"
		tail -5 "$out/log0" "$out/log1"
		exit 1
	fi
done

# The command itself, one process per run, for a few messages.
sample=${STREAM_DIFF_CLI:-6}
step=$(( (listed + sample - 1) / (sample > 0 ? sample : 1) ))
[ "$step" -gt 0 ] || step=1
if [ "$sample" -gt 0 ]; then
	awk -v s="$step" '(NR - 1) % s == 0' "$out/list" |
	    xargs -d '\n' -P 2 -n 1 bash -c 'one "$1"' _ >"$out/cli" 2>&1
fi
touch "$out/cli"
cli_n=$(grep -c '^\(take\|fall\|DIFF\)' "$out/cli")
cli_diffs=$(grep -c '^DIFF' "$out/cli")
grep -A10 '^DIFF' "$out/cli"

take=$(grep -c '^take' "$out/log")
fall=$(grep -c '^fall' "$out/log")
diffs=$(grep -c '^DIFF' "$out/log")
grep -A10 '^DIFF' "$out/log"
if [ -n "${STREAM_DIFF_VERBOSE:-}" ]; then
	grep '^fall' "$out/log" | sed 's/^fall [^:]*: //' | sort | uniq -c |
	    sort -rn
fi
echo "stream-diff: $((take + fall + diffs)) of $listed messages (extra" \
    "corpus: ${extra_corpus:-none}): the stream engine takes $take, falls" \
    "back on $fall; $diffs differ; through mugai sanitize: $cli_n," \
    "$cli_diffs differ"
[ "$diffs" -eq 0 ] && [ "$take" -gt 0 ] && [ "$cli_diffs" -eq 0 ] &&
    [ $((take + fall)) -eq "$listed" ] && [ "$cli_n" -gt 0 ]
