#!/bin/bash
# corpus - sanitize every message of ../shared/corpus with `mugai sanitize`
# and hold each output to the contract validator (check_sanitized.py).
#
# Sanitized or unchanged (exit 0): the validator must pass, with
# --require-notice (every named attachment is listed). Withheld (exit 1):
# the report must say so and the output must still pass the validator's
# structural checks (nothing of the original content is required). Any
# other exit status, a crash, or a validator failure fails the test, but
# for the few messages t/corpus-known.tsv lists with the reason the
# validator reads them differently.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
# ../shared beside the checkout; a worktree in wt/NAME has it one up more.
shared="$top_srcdir/../shared"
[ -d "$shared/corpus" ] || shared="$top_srcdir/../../shared"
corpus="$shared/corpus"
oracle="$shared/tools/check_sanitized.py"
mugai="$top_builddir/mugai"
known="$top_srcdir/t/corpus-known.tsv"
py=${PYTHON3:-python3}

if [ ! -d "$corpus" ] || [ ! -f "$oracle" ]; then
	echo "SKIP: ../shared/corpus or the validator is missing"
	exit 77
fi
command -v "$py" >/dev/null || { echo "SKIP: no python3"; exit 77; }

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-corpus.XXXXXX")
trap 'rm -rf "$out"' EXIT
# The documents' text comes from the helper the build made.
conf="$out/mugai.conf"
# No time limit of its own: on a loaded machine it would leave documents
# without their text at random.
printf '[extract]\nhelper = %s\nmax_message_time = 0\nmax_time = 60s\n' \
    "$top_builddir/mugai-extract" >"$conf"

one() {
	f=$1
	name=$(echo "${f#$corpus/}" | tr '/' '_')
	o="$out/$name.out"
	"$mugai" sanitize -c "$conf" --json "$f" "$o" 2>"$out/$name.json"
	rc=$?
	case $rc in
	0)
		if "$py" "$oracle" --require-notice "$f" "$o" >"$out/$name.check" 2>&1; then
			echo "ok   $f"
			return 0
		fi
		# A known difference of reading: every failure must match it.
		pat=$(awk -F'\t' -v p="${f#$corpus/}" '$1 == p { print $2 }' "$known")
		if [ -n "$pat" ] && ! grep '^FAIL:' "$out/$name.check" |
		    grep -qvE "$pat"; then
			echo "knwn $f"
			return 0
		fi
		echo "FAIL $f"; sed 's/^/    /' "$out/$name.check" | head -12
		return 1
		;;
	1)
		if ! grep -q '"verdict" : "withheld"' "$out/$name.json"; then
			echo "FAIL $f: exit 1 without a withheld verdict"
			head -5 "$out/$name.json"
			return 1
		fi
		if ! "$py" "$oracle" --min-preserve 0 "$f" "$o" >"$out/$name.check" 2>&1; then
			echo "FAIL $f (withheld output)"; sed 's/^/    /' "$out/$name.check" | head -12
			return 1
		fi
		echo "held $f: $(grep -o '"withheld_reason" : "[^"]*"' "$out/$name.json")"
		;;
	*)
		echo "FAIL $f: mugai sanitize exited $rc"
		head -5 "$out/$name.json"
		return 1
		;;
	esac
}
export -f one
export corpus oracle mugai py out known conf

find "$corpus" -name '*.eml' | sort |
    xargs -P "$(nproc)" -I{} bash -c 'one "$1"' _ {} >"$out/log" 2>&1
total=$(grep -c '^\(ok\|held\|knwn\|FAIL\)' "$out/log")
knwn=$(grep -c '^knwn' "$out/log")
ok=$(grep -c '^ok' "$out/log")
held=$(grep -c '^held' "$out/log")
failed=$(grep -c '^FAIL' "$out/log")
grep -A12 '^FAIL' "$out/log"
grep '^held' "$out/log"
echo "corpus: $total messages: $ok sanitized or unchanged and valid, $held withheld, $knwn known reading differences (t/corpus-known.tsv), $failed failed"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
