#!/bin/sh
# store-syncs.sh - what a kept item costs in syncs (issue 17): at most two
# per item amortized at 8 concurrent sessions, counted by strace on the
# real daemon.
#
# Starts ./mugai-milter -f under `strace -f -c -e trace=fsync,fdatasync,
# syncfs,sync` on a free 127.0.0.1 port (keep_original = modified, so
# every attachment message is kept), sends 8 sessions x 12 attachment
# messages with t/milter_client.py load, stops the daemon with SIGTERM
# and divides strace's call count by the items in the store. Also: every
# item is journalled once, and the indexer thread put every item in the
# index (mugai quarantine list finds them). SKIP (77) without strace or
# python3, or when ptrace is not allowed.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
milter=${MUGAI_MILTER:-$builddir/mugai-milter}
mugai=$builddir/mugai
py=${PYTHON3:-python3}
client=$srcdir/t/milter_client.py
sessions=8
each=12

command -v "$py" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
command -v strace >/dev/null 2>&1 || { echo "SKIP: no strace"; exit 77; }
strace -f -o /dev/null true 2>/dev/null ||
    { echo "SKIP: ptrace not allowed here"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mugai-syncs.XXXXXX") || exit 1
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
	echo "not ok - $*"
	echo "# --- daemon log (tail)"
	tail -n 20 "$tmp/milter.log" | sed 's/^/# /'
	exit 1
}
echo "1..4"

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
    fail "no free port"
mkdir -p "$tmp/spool" "$tmp/q"
cat > "$tmp/milter.conf" <<EOC
[milter]
socket = inet:$port@127.0.0.1
user = $(id -un)
group = $(id -gn)
pidfile = $tmp/milter.pid
spool_dir = $tmp/spool

[quarantine]
dir = $tmp/q
keep_original = modified

[index]
node = gw-test
EOC

# strace's pid is the daemon's parent; SIGTERM goes to the daemon.
# LeakSanitizer cannot run under ptrace: in a sanitizer build the
# daemon's leaks are checked by the other tests, not this one.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
strace -f -c -o "$tmp/strace.out" -e trace=fsync,fdatasync,syncfs,sync \
    "$milter" -f -d 1 -c "$tmp/milter.conf" > "$tmp/milter.log" 2>&1 &
spid=$!
pid=$spid
i=0
until grep -q "listening on" "$tmp/milter.log" 2>/dev/null; do
	kill -0 "$spid" 2>/dev/null || { pid=; fail "daemon exited at start"; }
	i=$((i + 1))
	[ $i -lt 600 ] || fail "daemon did not start"
	sleep 0.1
done
dpid=$(cat "$tmp/milter.pid")

"$py" "$client" "$port" load "$sessions" "$each" > "$tmp/load.out" 2>&1 ||
    fail "load: $(head -3 "$tmp/load.out")"
echo "ok 1 - $sessions sessions x $each messages answered right"

# The indexer applies the journal four times a second.
sleep 1
kill -TERM "$dpid"
wait "$spid"
pid=

items=$(find "$tmp/q" -mindepth 4 -maxdepth 4 -type d -path "$tmp/q/[0-9]*" | wc -l)
syncs=$(awk '$NF ~ /^(fsync|fdatasync|syncfs|sync)$/ { n += $4 } END { print n + 0 }' "$tmp/strace.out")
echo "# $items items kept, $syncs syncs (strace -c):"
sed 's/^/#   /' "$tmp/strace.out"
[ "$items" -eq $((sessions * each)) ] ||
    fail "$items items kept, not $((sessions * each))"
per=$(awk -v s="$syncs" -v n="$items" 'BEGIN { printf "%.2f", s / n }')
awk -v s="$syncs" -v n="$items" 'BEGIN { exit !(s <= 2 * n) }' ||
    fail "$per syncs per kept item (at most 2)"
echo "ok 2 - $per syncs per kept item at $sessions sessions (at most 2)"

lines=$(cat "$tmp/q/journal/"* | grep -c '"op":"stored"')
[ "$lines" -eq "$items" ] || fail "$lines journal rows for $items items"
grep -q '"node":"gw-test"' "$tmp/q/journal/"* || fail "node not in rows"
echo "ok 3 - one journal row per item, node gw-test"

printf '[quarantine]\ndir = %s\n[index]\nnode = gw-test\n' "$tmp/q" > "$tmp/cli.conf"
[ -f "$tmp/q/index.sqlite" ] || fail "the indexer made no index.sqlite"
"$mugai" quarantine -c "$tmp/cli.conf" list --node gw-test > "$tmp/list.out" 2>&1 ||
    fail "list: $(head -3 "$tmp/list.out")"
n=$(($(wc -l < "$tmp/list.out") - 1))
[ "$n" -eq "$items" ] || fail "the index lists $n items, not $items"
echo "ok 4 - the index lists all $n items"
