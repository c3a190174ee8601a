#!/bin/bash
# stream-diff - the two engines, one answer (doc/design.md).
#
# For every message of t/data/stream, of the data make check generates
# (t/gen/: the benchmark mix and t/hostile-gen's cases) and, when given,
# of MUGAI_EXTRA_CORPUS (../shared/corpus in .ci/run), `mugai sanitize
# --engine=stream` runs at scanner chunk sizes 1,
# 7, 65536 and whole. Where the stream engine takes the message (exit is
# not 3), its output and its JSON report must be byte-identical to those
# of --engine=gmime, but for the engine's name; and it must take or
# decline the message alike at every chunk size. Prints how many messages
# the fast path takes and how many fall back.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"
. "$top_srcdir/t/gen-dirs.sh"
gen_ready || exit 1
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
		echo "fall $f: $(sed -n 's/^mugai sanitize: stream engine declined: //p' "$out/$n.sj")"
	else
		echo "take $f"
	fi
}
export -f one
export mugai out chunks conf

# shellcheck disable=SC2086
find $dirs -name '*.eml' | LC_ALL=C sort |
    xargs -d '\n' -P 2 -n 1 bash -c 'one "$1"' _ >"$out/log" 2>&1
take=$(grep -c '^take' "$out/log")
fall=$(grep -c '^fall' "$out/log")
diffs=$(grep -c '^DIFF' "$out/log")
grep -A10 '^DIFF' "$out/log"
if [ -n "${STREAM_DIFF_VERBOSE:-}" ]; then
	grep '^fall' "$out/log" | sed 's/^fall [^:]*: //' | sort | uniq -c |
	    sort -rn
fi
echo "stream-diff: $((take + fall + diffs)) messages (extra corpus:" \
    "${extra_corpus:-none}): the stream engine takes $take, falls back" \
    "on $fall; $diffs differ"
[ "$diffs" -eq 0 ] && [ "$take" -gt 0 ]
