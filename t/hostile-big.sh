#!/bin/sh
# hostile-big.sh - large hostile messages (t/hostile-big: 1 to 20 MB each,
# built once per build into t/big/) through both engines and the milter's
# way, each within a time and memory bound, and judged
#
# The fuzzers' inputs are at most 16 KB and t/hostile-gen's cases small:
# shapes that are large (nesting thousands deep, 100,000 parts or fields,
# folded fields, encoded words, 20 MB lines, bombs) were found by reading
# (a 2 MB To: that overflowed GMime's stack) rather than by a test. Every
# case goes through `mugai sanitize --engine=gmime`, `--engine=stream` and
# t/live-run (mugai_sanitize_stream_*() fed in 64 KiB chunks, as the
# milter does), each a process of its own, and t/hostile-big-run.py holds
# each to: no crash; at most $MUGAI_BIG_TIME seconds (30; none with
# MUGAI_SLOW_TESTS, as sanitizer builds set) and 64 MB of peak RSS (the
# design's bound for a 200 MB message; t/big/BOUNDS states the few larger
# ones and why); a sanitized output the C oracle accepts (and
# check_sanitized.py with MUGAI_VALIDATOR, for the messages of at most
# MUGAI_BIG_VALIDATOR_MAX bytes, 2 MiB: it takes 7 to 16 s on one of
# 10 to 20 MB), or the limit's action
# (withheld, with a reason; t/big/LIMITS names the limit where only that
# is right); the same answer from every run. The table of every run
# (time, RSS, verdict, limit) ends the log.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
big=$builddir/t/big
W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-big.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
. "$srcdir/t/tap.sh"

if [ ! -f "$big/stamp" ]; then
	echo "not ok - $big/stamp missing (make t/big/stamp)"
	exit 1
fi
for p in mugai mugai-extract t/live-run t/peak-rss t/oracle-check; do
	[ -x "$builddir/$p" ] || { echo "not ok - $builddir/$p not built"; exit 1; }
done
validator=
[ -n "${MUGAI_VALIDATOR:-}" ] && [ -f "$MUGAI_VALIDATOR" ] &&
    validator=$MUGAI_VALIDATOR
secs=${MUGAI_BIG_TIME:-30}
rss=65536
max=0
# Under the sanitizers (MUGAI_SLOW_TESTS): no time or memory bound (the
# shadow memory is most of the RSS), and only the cases of at most 4 MiB
# (MUGAI_BIG_SLOW_MAX), where the crash shapes are: the large ones cost
# CI minutes there and test bounds, which the plain run checks.
if [ -n "${MUGAI_SLOW_TESTS:-}" ]; then
	secs=0
	rss=0
	max=${MUGAI_BIG_SLOW_MAX:-4194304}
fi
# The helper the build made; no time limit of the message's own (on a
# loaded machine it would leave documents without their text at random).
printf '[extract]\nhelper = %s\nmax_message_time = 0\nmax_time = 60s\n' \
    "$builddir/mugai-extract" >"$W/mugai.conf"
mkdir "$W/out"
"$py" "$srcdir/t/hostile-big-run.py" --mugai "$builddir/mugai" \
    --live "$builddir/t/live-run" --peak "$builddir/t/peak-rss" \
    --oracle "$builddir/t/oracle-check" \
    --conf "$W/mugai.conf" --out "$W/out" ${validator:+--validator "$validator"} \
    --validator-max "${MUGAI_BIG_VALIDATOR_MAX:-2097152}" \
    --time "$secs" --rss "$rss" --max-size "$max" -j 2 "$big"
