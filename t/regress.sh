#!/bin/sh
# regress.sh - every input the fuzzers found (t/data/regress/) again
#
# t/data/regress/*.eml are messages: each goes through `mugai sanitize`
# (exit 0 sanitized/unchanged or 1 withheld, never a crash or a usage
# error) and through the sanitize harness built with the ordinary
# compiler (t/fuzz/replay_sanitize), whose oracle aborts on any output
# that breaks the contract. t/data/regress/NAME/* are inputs of the other
# harnesses (html2text, charset, headers, config, policy, stream, notice),
# replayed by
# t/fuzz/replay_NAME. In a --enable-sanitizers build all of it runs under
# ASan and UBSan. The reference configuration goes through the config
# harness too, so that replay program is always exercised. Last, the
# hostile inputs t/fuzz/seeds.sh makes by code (names with line breaks
# and bidi controls, encoded controls in headers...) go through their
# harnesses: the oracle reads every delivered header and every notice
# line of them.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
data="$top_srcdir/t/data/regress"
mugai="$top_builddir/mugai"
fails=0
n=0

pass() { n=$((n + 1)); }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }

[ -x "$mugai" ] || { echo "SKIP: no $mugai"; exit 77; }
# The inputs ship with the sources (EXTRA_DIST): missing is a broken tree.
[ -d "$data" ] || { echo "FAIL: no $data"; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-regress.XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT

for f in "$data"/*.eml; do
	[ -f "$f" ] || continue
	"$mugai" sanitize "$f" "$out/o.eml" 2>"$out/err"
	rc=$?
	case $rc in
	0|1) pass ;;
	*) fail "mugai sanitize $(basename "$f") exited $rc"
	   sed 's/^/    /' "$out/err" | head -20 ;;
	esac
	if "$top_builddir/t/fuzz/replay_sanitize" "$f" >"$out/err" 2>&1; then
		pass
	else
		fail "oracle on $(basename "$f")"
		sed 's/^/    /' "$out/err" | head -30
	fi
done
for h in html2text charset headers config policy stream notice unlock docs; do
	[ -d "$data/$h" ] || continue
	if "$top_builddir/t/fuzz/replay_$h" "$data/$h" >"$out/err" 2>&1; then
		pass
	else
		fail "t/fuzz/replay_$h on t/data/regress/$h"
		sed 's/^/    /' "$out/err" | head -30
	fi
done
for h in sanitize stream headers notice unlock docs; do
	rm -rf "$out/seeds"
	if ! sh "$top_srcdir/t/fuzz/seeds.sh" "$h" "$out/seeds"; then
		fail "t/fuzz/seeds.sh $h"
	elif "$top_builddir/t/fuzz/replay_$h" "$out/seeds" >"$out/err" 2>&1
	then
		pass
	else
		fail "t/fuzz/replay_$h on the seeds of t/fuzz/seeds.sh $h"
		sed 's/^/    /' "$out/err" | head -30
	fi
done
if "$top_builddir/t/fuzz/replay_config" "$top_srcdir/conf/mugai.conf" \
    >"$out/err" 2>&1; then
	pass
else
	fail "t/fuzz/replay_config on conf/mugai.conf"
	sed 's/^/    /' "$out/err" | head -30
fi
echo "regress: $n checks passed, $fails failed"
[ "$fails" -eq 0 ]
