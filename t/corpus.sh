#!/bin/bash
# corpus - sanitize every message the tree generates (t/gen/: the
# benchmark mix of contrib/bench/corpus-gen and the hostile cases of
# t/hostile-gen) with `mugai sanitize` and hold each output to the
# contract of t/fuzz/oracle.c (t/oracle-check): exactly one safe text
# leaf, the notice when parts were removed or the content withheld, and,
# for the hostile cases that promise it (t/gen/hostile/KEEP), the sender's
# text still there.
#
# Extras, when .ci/run (or you) pass them in: MUGAI_EXTRA_CORPUS=DIR adds
# DIR's messages (../shared/corpus), judged by the same oracle and, with
# MUGAI_VALIDATOR=check_sanitized.py, by the independent validator too:
# sanitized or unchanged (exit 0) with --require-notice, withheld (exit 1)
# with its structural checks only. Failures of the validator are accepted
# only for the few messages t/corpus-known.tsv lists with the reason it
# reads them differently. Any other exit status, a crash, or a failed
# check fails the test. Nothing here skips for lack of data.
#
# The validator runs after the messages are sanitized, in two Python
# processes (t/validate-batch.py loads check_sanitized.py once and calls
# its main() per message, as its command line would): starting Python and
# its email package per message cost more than mugai and the oracle did.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/gen-dirs.sh"
mugai="$top_builddir/mugai"
known="$top_srcdir/t/corpus-known.tsv"
py=${PYTHON3:-python3}

gen_ready || exit 1
if [ -n "$validator" ] && ! command -v "$py" >/dev/null; then
	echo "FAIL: MUGAI_VALIDATOR given but no python3"
	exit 1
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-corpus.XXXXXX")
trap 'rm -rf "$out"' EXIT
# The documents' text comes from the helper the build made.
conf="$out/mugai.conf"
# No time limit of its own: on a loaded machine it would leave documents
# without their text at random.
printf '[extract]\nhelper = %s\nmax_message_time = 0\nmax_time = 60s\n' \
    "$top_builddir/mugai-extract" >"$conf"
# MUGAI_OUTPUT_CHARSET=iso-2022-jp: the outputs in that charset, held to
# the same oracle and validator (its ISO-2022-JP decoding is strict).
[ -n "${MUGAI_OUTPUT_CHARSET:-}" ] &&
    printf '[sanitize]\noutput_charset = %s\n' "$MUGAI_OUTPUT_CHARSET" \
    >>"$conf"

# one ROOT FILE: ROOT is the directory FILE's name is relative to.
one() {
	root=$1 f=$2
	rel=${f#$root/}
	name=$(echo "$f" | md5sum | cut -c1-16)
	o="$out/$name.out"
	"$mugai" sanitize -c "$conf" --json "$f" "$o" 2>"$out/$name.json"
	rc=$?
	case $rc in
	0|1)
		if [ $rc -eq 1 ] &&
		    ! grep -q '"verdict" : "withheld"' "$out/$name.json"; then
			echo "FAIL $f: exit 1 without a withheld verdict"
			head -5 "$out/$name.json"
			return 1
		fi
		keep=
		[ $rc -eq 0 ] && [ -f "$root/KEEP" ] &&
		    grep -qxF "$rel" "$root/KEEP" && keep=KEEP-THIS-TEXT
		if ! "$oracle" --stamp ${keep:+--keep "$keep"} "$o" \
		    >"$out/$name.check" 2>&1; then
			echo "FAIL $f (oracle)"; sed 's/^/    /' "$out/$name.check"
			return 1
		fi
		;;
	*)
		echo "FAIL $f: mugai sanitize exited $rc"
		head -5 "$out/$name.json"
		return 1
		;;
	esac
	# The validator's runs come after, many in one process (judge).
	if [ -n "$validator" ] && [ "$root" = "$extra_corpus" ]; then
		echo "$rc" >"$out/$name.rc"
		echo "pend $f"
		return 0
	fi
	verdict "$rc" "$f" "$name"
}

# verdict RC FILE NAME: the line of a message that passed.
verdict() {
	if [ "$1" -eq 1 ]; then
		echo "held $2: $(grep -o '"withheld_reason" : "[^"]*"' \
		    "$out/$3.json")"
	else
		echo "ok   $2"
	fi
}

# judge VRC FILE: the validator said VRC on FILE of the extra corpus
# (its output in $out/NAME.check): sanitized or unchanged (exit 0 of
# mugai) with --require-notice, withheld (exit 1) with its structural
# checks only.
judge() {
	vrc=$1 f=$2
	rel=${f#$extra_corpus/}
	name=$(echo "$f" | md5sum | cut -c1-16)
	rc=$(cat "$out/$name.rc")
	if [ $rc -eq 1 ]; then
		if [ "$vrc" != 0 ]; then
			echo "FAIL $f (withheld output, validator)"
			sed 's/^/    /' "$out/$name.check" | head -12
			return 1
		fi
	elif [ "$vrc" != 0 ]; then
		# A known difference of reading: every failure must match it
		# (exit 1: failures listed; anything else is no reading).
		pat=$(awk -F'\t' -v p="$rel" '$1 == p { print $2 }' "$known")
		if [ "$vrc" = 1 ] && [ -n "$pat" ] &&
		    ! grep '^FAIL:' "$out/$name.check" | grep -qvE "$pat"; then
			echo "knwn $f"
			return 0
		fi
		echo "FAIL $f (validator)"
		sed 's/^/    /' "$out/$name.check" | head -12
		return 1
	fi
	verdict "$rc" "$f" "$name"
}
export -f one verdict
export oracle validator extra_corpus mugai py out known conf

{
	for d in $gen_dirs; do
		find "$d" -name '*.eml' | LC_ALL=C sort | sed "s|^|$d	|"
	done
	[ -n "$extra_corpus" ] && find "$extra_corpus" -name '*.eml' |
	    LC_ALL=C sort | sed "s|^|$extra_corpus	|"
} >"$out/list"
# One line is ROOT<TAB>FILE; names may hold blanks and quotes.
xargs -d '\n' -P 2 -n 1 bash -c 'one "${1%%	*}" "${1#*	}"' _ \
    <"$out/list" >"$out/log1" 2>&1
grep -v '^pend ' "$out/log1" >"$out/log"
# The validator over the extra corpus's outputs: two Python processes,
# every other message, instead of one per message.
if [ -n "$validator" ]; then
	sed -n 's/^pend //p' "$out/log1" | while IFS= read -r f; do
		name=$(echo "$f" | md5sum | cut -c1-16)
		if [ "$(cat "$out/$name.rc")" = 1 ]; then
			args="--min-preserve	0"
		else
			args="--require-notice"
		fi
		printf '%s\t%s\t%s\t%s\n' "$out/$name.check" "$args" "$f" \
		    "$out/$name.out" >&3
		printf '%s\t%s\n' "$out/$name.check" "$f"
	done >"$out/pairs" 3>"$out/jobs"
	for b in 0 1; do
		awk -v b=$b 'NR % 2 == b' "$out/jobs" |
		    "$py" "$top_srcdir/t/validate-batch.py" "$validator" \
		    >"$out/vrc$b" 2>&1 &
		eval "vpid$b=\$!"
	done
	# shellcheck disable=SC2154
	wait "$vpid0"; wait "$vpid1"
	cat "$out/vrc0" "$out/vrc1" >"$out/vrc"
	# Each job's file, its status (none: the batch died) and message.
	while IFS='	' read -r check f; do
		vrc=$(awk -v c="$check" '{ r = $1; sub(/^[^ ]* /, "") }
		    $0 == c { print r }' "$out/vrc")
		judge "${vrc:-none}" "$f"
	done <"$out/pairs" >>"$out/log" 2>&1
fi
total=$(grep -c '^\(ok\|held\|knwn\|FAIL\)' "$out/log")
knwn=$(grep -c '^knwn' "$out/log")
ok=$(grep -c '^ok' "$out/log")
held=$(grep -c '^held' "$out/log")
failed=$(grep -c '^FAIL' "$out/log")
listed=$(wc -l <"$out/list")
extra=0
[ -n "$extra_corpus" ] && extra=$(grep -c "^$extra_corpus	" "$out/list")
grep -A12 '^FAIL' "$out/log"
grep '^held' "$out/log"
echo "corpus: $total messages ($((listed - extra)) generated, $extra extra" \
    "from ${extra_corpus:-nowhere}; validator: ${validator:-none}):" \
    "$ok sanitized or unchanged and valid, $held withheld, $knwn known" \
    "reading differences (t/corpus-known.tsv), $failed failed"
[ "$failed" -eq 0 ] && [ "$total" -eq "$listed" ] && [ "$total" -gt 0 ]
