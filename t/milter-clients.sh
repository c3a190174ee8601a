#!/bin/sh
# milter-clients.sh - slow and broken milter clients (issue 7): the daemon
# times them out or closes them and keeps serving the others.
#
# Starts ./mugai-milter -f on a free 127.0.0.1 port with [milter] timeout
# = 2 and spool_mem_max = 1K (so that a half-sent attachment sits in a
# spool file), warms it up with one plain and one attachment conversation
# and takes its baseline: open descriptors and threads. Then
# t/milter_client.py storm runs, all at once: clients that stall mid-body,
# mid-packet and before negotiating (each must see the daemon close the
# connection, not before the timeout), garbage (random bytes, an absurd
# length, zero length, a truncated packet, an unknown command, garbage in
# the middle of a message, a body before MAIL), clients that vanish
# mid-body and right after end of body, an abort followed by a new
# message on the same connection, and all along normal conversations
# that must keep getting the right answers (plain: continue with only
# X-Mugai-Sanitized added; attachment: body replaced). Afterwards the
# daemon is the same process, back to its baseline descriptors and
# threads (no per-message spool or context left), the spool directory
# and the quarantine's tmp/ are empty, and SIGTERM stops it with status 0
# (a leak fails that in sanitizer builds). Every daemon started here is
# stopped by its PID on every exit path.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
milter=${MUGAI_MILTER:-$builddir/mugai-milter}
py=${PYTHON3:-python3}
client=$srcdir/t/milter_client.py
timeout=2

command -v "$py" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
[ -d /proc/self/fd ] || { echo "SKIP: no /proc"; exit 77; }
[ -x "$milter" ] || { echo "FAIL: $milter not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mugai-milter-clients.XXXXXX") || exit 1
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
	echo "FAIL: $*"
	echo "--- daemon log (tail)"
	tail -n 40 "$tmp/milter.log"
	exit 1
}

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
spool_mem_max = 1K
timeout = $timeout

[quarantine]
dir = $tmp/q
keep_original = modified
EOC

"$milter" -f -d 1 -c "$tmp/milter.conf" > "$tmp/milter.log" 2>&1 &
pid=$!
i=0
until grep -q "listening on" "$tmp/milter.log" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || { pid=; fail "daemon exited at start"; }
	i=$((i + 1))
	[ $i -lt 300 ] || fail "daemon did not start"
	sleep 0.1
done
grep -q "TCP_NODELAY set on 1 listening socket" "$tmp/milter.log" ||
    fail "TCP_NODELAY not set on the listening socket"

fds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$pid/status"; }

# Warm up (libmagic, GMime, the quarantine), then take the baseline. A
# connection's thread ends a little after the client's QUIT: wait for
# the counts to settle.
for kind in plain attach; do
	"$py" "$client" "$port" "$kind" || fail "warm-up $kind conversation"
done
settle() {
	i=0 prev=
	while [ $i -lt 50 ]; do
		now="$(fds) $(threads)"
		[ "$now" = "$prev" ] && [ -n "${1:-}" ] && [ "$now" = "$1" ] &&
		    break
		[ "$now" = "$prev" ] && [ -z "${1:-}" ] && break
		prev=$now
		sleep 0.2
		i=$((i + 1))
	done
	echo "$now"
}
base=$(settle)
echo "# baseline: descriptors threads = $base"

"$py" "$client" "$port" storm "$timeout" > "$tmp/storm.out" 2>&1
rc=$?
cat "$tmp/storm.out"
[ $rc -eq 0 ] || fail "storm: $(grep -c '^not ok' "$tmp/storm.out") failure(s)"

kill -0 "$pid" 2>/dev/null || { pid=; fail "daemon died"; }
[ "$(cat "$tmp/milter.pid")" = "$pid" ] || fail "pid file changed"
# Same process, no restart: it logged "listening on" once.
[ "$(grep -c 'listening on' "$tmp/milter.log")" -eq 1 ] ||
    fail "the daemon restarted"
echo "ok - daemon $pid still serving"

after=$(settle "$base")
[ "$after" = "$base" ] ||
    fail "descriptors threads: $after after the storm, $base before"
echo "ok - descriptors and threads back to baseline ($after)"

[ -z "$(ls -A "$tmp/spool")" ] || fail "spool files left: $(ls "$tmp/spool")"
[ ! -d "$tmp/q/tmp" ] || [ -z "$(ls -A "$tmp/q/tmp")" ] ||
    fail "partial quarantine items left in tmp/"
echo "ok - no spool or partial quarantine file left"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
echo "ok - SIGTERM stops it cleanly"
echo "PASS"
exit 0
