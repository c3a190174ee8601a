#!/bin/sh
# milter-test.sh - drive a real mugai-milter with OpenDKIM's miltertest.
#
# Starts ./mugai-milter -f on a unix socket in a temp dir (and a second
# instance on a free 127.0.0.1 port with on_error = reject), runs the Lua
# scripts in t/milter/, checks -t, a reload by SIGUSR1 and SIGHUP without
# dropping connections, and a clean stop by SIGTERM (pid file removed).
# Runs as any user: the test config names the current user and group.
# Exit 77 (skip) when miltertest is not installed. Every daemon started
# here is stopped on every exit path, by its PID.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
milter=${MUGAI_MILTER:-$builddir/mugai-milter}
libdir=$srcdir/t/milter

if ! command -v miltertest >/dev/null 2>&1; then
	echo "SKIP: miltertest not installed (apt-get install miltertest)"
	exit 77
fi
if [ ! -x "$milter" ]; then
	echo "FAIL: $milter not built"
	exit 1
fi

# miltertest reads each reply into a 1024-byte buffer and overflows it on
# a longer body replacement message; the daemon sends smaller ones here.
MUGAI_MILTER_BODY_CHUNK=1024
export MUGAI_MILTER_BODY_CHUNK

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mugai-milter-test.XXXXXX") || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${MUGAI_KEEP_LOGS:-}" ] && trap 'cat "$tmp"/*.log; cleanup' EXIT
trap 'exit 1' HUP INT TERM

fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
	done
	exit 1
}

# write_conf NAME SOCKET [EXTRA SANITIZE LINES]
write_conf() {
	name=$1 sock=$2 extra=${3:-}
	mkdir -p "$tmp/$name.spool" "$tmp/$name.q"
	cat > "$tmp/$name.conf" <<EOC
[milter]
socket = $sock
user = $(id -un)
group = $(id -gn)
pidfile = $tmp/$name.pid
spool_dir = $tmp/$name.spool
spool_mem_max = 1K
timeout = 30

[sanitize]
reject_text = Refused by test policy
$extra

[limits]
max_message_size = 64K

[quarantine]
dir = $tmp/$name.q
keep_original = modified
release_secret = $tmp/release.key
submit_command = /bin/sh $tmp/submit.sh
EOC
}

# start NAME -> sets $pid; waits until the socket answers.
start() {
	"$milter" -f -d 1 -c "$tmp/$1.conf" > "$tmp/$1.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	i=0
	while [ $i -lt 100 ]; do
		grep -q "listening on" "$tmp/$1.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || fail "$1: daemon exited at start"
		sleep 0.1
		i=$((i + 1))
	done
	fail "$1: daemon did not start"
}

run() {
	echo "# $1 ($2)"
	miltertest -D socket="$2" -D libdir="$libdir" -s "$libdir/$1" \
	    || fail "$1 against $2"
}

# -t: valid config exits 0, a bad one 2.
write_conf main "unix:$tmp/milter.sock"
"$milter" -t -c "$tmp/main.conf" >/dev/null 2>&1 || fail "-t on a valid config"
printf '[milter]\nno_such_key = 1\n' > "$tmp/bad.conf"
"$milter" -t -c "$tmp/bad.conf" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-t on a bad config must exit 2"
"$milter" -t -c "$tmp/main.conf" -p "tcp:99@host" >/dev/null 2>&1
[ $? -eq 2 ] || fail "-t with a bad -p must exit 2"
"$milter" --help > /dev/null 2>&1 || fail "--help must exit 0"
"$milter" --no-such-option > /dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option must exit 2"
echo "ok - -t, --help"

# Main instance on a unix socket.
start main
main_pid=$pid
[ -S "$tmp/milter.sock" ] || fail "no unix socket"
[ "$(cat "$tmp/main.pid")" = "$main_pid" ] || fail "pid file"
# glibc's thread stack cache sized for libmilter's workers: the daemon
# executed itself again with the tunable (milter/stackcache.c), same pid.
if [ -e /proc/self/exe ]; then
	tr '\0' '\n' < "/proc/$main_pid/environ" |
	    grep -q '^GLIBC_TUNABLES=\(.*:\)\{0,1\}glibc.pthread.stack_cache_size=' ||
	    fail "daemon runs without the thread stack cache tunable"
	grep -q "glibc tunables: glibc.pthread.stack_cache_size=" \
	    "$tmp/main.log" || fail "tunables not logged"
	echo "ok - thread stack cache tunable set"
fi
run negotiate.lua "unix:$tmp/milter.sock"
run messages.lua "unix:$tmp/milter.sock"

# Every changed message left its original, whole, in the quarantine; the
# X-Mugai-Sanitized summary line names the item.
stored=$(find "$tmp/main.q" -name original.eml | wc -l)
[ "$stored" -ge 1 ] || fail "no original in the quarantine"
[ -z "$(ls -A "$tmp/main.q/tmp")" ] || fail "partial item left in tmp/"
grep -q '"event" *: *"stored"\|"event":"stored"' "$tmp/main.q/audit.log" ||
    fail "no stored line in audit.log"
# meta.json's size and SHA-256 (the engine's, not hashed again by the
# store) are those of the file, recomputed here.
python3 - "$tmp/main.q" <<'PY' || fail "meta.json size/sha256 differ from original.eml"
import glob, hashlib, json, os, sys
for orig in glob.glob(os.path.join(sys.argv[1], "*/*/*/*/original.eml")):
    meta = json.load(open(os.path.join(os.path.dirname(orig), "meta.json")))
    data = open(orig, "rb").read()
    o = meta["original"]
    if o["size"] != len(data) or o["sha256"] != hashlib.sha256(data).hexdigest():
        sys.exit("%s: meta %r" % (orig, o))
PY
echo "ok - $stored original(s) kept in the quarantine"

# A release: the token `mugai quarantine release` makes for an item passes
# that original to that recipient once, and nothing else (release.lua).
printf '#!/bin/sh\ncat > "%s/submitted"\n' "$tmp" > "$tmp/submit.sh"
{ printf 'From: sender@example.jp\r\nSubject: released\r\n\r\n'
  i=0; while [ $i -lt 150 ]; do printf 'Released text.\r\n'; i=$((i + 1)); done
} > "$tmp/released.eml"
rid=$("$builddir/t/qfill" "$tmp/main.q" "$tmp/released.eml") ||
    fail "qfill into the milter's store"
"$builddir/mugai" quarantine -c "$tmp/main.conf" release "$rid" \
    --to user@lgwan.example > /dev/null || fail "mugai quarantine release"
token=$(head -n 1 "$tmp/submitted" | tr -d '\r' | sed 's/^X-Mugai-Release: //')
echo "# release.lua (unix:$tmp/milter.sock)"
miltertest -D socket="unix:$tmp/milter.sock" -D libdir="$libdir" \
    -D token="$token" -s "$libdir/release.lua" || fail "release.lua"
for w in "FORGEDC: X-Mugai-Release forged (valid for other content)" \
    "FORGEDR: X-Mugai-Release forged (valid for other recipients)" \
    "RELEASED: X-Mugai-Release valid for item $rid: passes unchanged" \
    "REPLAY: X-Mugai-Release replayed"; do
	grep -qF "$w" "$tmp/main.log" || fail "log: $w"
done
echo "ok - a release token passes only its own original to its recipient"

# Reload by SIGUSR1 and SIGHUP: the daemon stays and keeps serving. The
# audit.log is renamed first, as logrotate does (debian/mugai.logrotate):
# after SIGUSR1 alone (systemctl reload, the logrotate script's signal)
# the daemon writes to a new audit.log, and no stored line is lost
# between the two files.
mv "$tmp/main.q/audit.log" "$tmp/main.q/audit.log.1"
kill -USR1 "$main_pid"
i=0
until [ "$(grep -c 'configuration reloaded' "$tmp/main.log")" -ge 1 ] ||
    [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
run messages.lua "unix:$tmp/milter.sock"
grep -q '"event" *: *"stored"\|"event":"stored"' "$tmp/main.q/audit.log" ||
    fail "SIGUSR1 alone: no stored line in the new audit.log"
kill -HUP "$main_pid"
sleep 0.5
kill -0 "$main_pid" 2>/dev/null || fail "daemon died on reload"
[ "$(grep -c 'configuration reloaded' "$tmp/main.log")" -ge 2 ] ||
    fail "reload not logged twice"
run messages.lua "unix:$tmp/milter.sock"
grep -q '"event" *: *"stored"\|"event":"stored"' "$tmp/main.q/audit.log" ||
    fail "no stored line in the new audit.log after the reload"
n_lines=$(cat "$tmp/main.q/audit.log.1" "$tmp/main.q/audit.log" |
    grep -c '"event" *: *"stored"\|"event":"stored"')
n_items=$(find "$tmp/main.q" -name original.eml | wc -l)
[ "$n_lines" -eq "$n_items" ] ||
    fail "audit.log rotated: $n_lines stored lines for $n_items items"
echo "ok - audit.log reopened on reload: $n_lines stored lines, $n_items items"
grep -q 'MULTI1: client=192.0.2.10 from=<sender@example.jp> to=<user@lgwan.example> verdict=[a-z]* engine=\(stream\|gmime\) ' \
    "$tmp/main.log" || fail "summary line (with the engine that decided)"
echo "ok - reload and summary line"

# keep_original = never opens no store; a reload that needs one is refused
# (the running configuration stays) instead of tempfailing kept messages.
write_conf never "unix:$tmp/never.sock"
sed -i 's/^keep_original = modified$/keep_original = never/' "$tmp/never.conf"
start never
never_pid=$pid
sed -i 's/^keep_original = never$/keep_original = modified/' "$tmp/never.conf"
kill -HUP "$never_pid"
i=0
until grep -q 'reload refused: keep_original = modified' "$tmp/never.log"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "reload to keep_original = modified not refused"
	sleep 0.1
done
! grep -q 'configuration reloaded' "$tmp/never.log" ||
    fail "reload to keep_original = modified applied without a store"
kill -0 "$never_pid" 2>/dev/null || fail "never: daemon died on reload"
run negotiate.lua "unix:$tmp/never.sock"
echo "ok - a reload that needs a store where none is open is refused"

# A second instance with on_error = reject, on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) || port=""
if [ -n "$port" ]; then
	write_conf reject "inet:$port@127.0.0.1" "on_error = reject"
	start reject
	run reject.lua "inet:$port@127.0.0.1"
else
	echo "# no python3: on_error = reject runs over a unix socket"
	write_conf reject "unix:$tmp/reject.sock" "on_error = reject"
	start reject
	run reject.lua "unix:$tmp/reject.sock"
fi
# A limit is named in the summary line: the config key, then the reason.
grep -q 'DEEP1: .* verdict=reject .* limit=max_depth reason="MIME nesting deeper than 20"' \
    "$tmp/reject.log" || fail "summary line names limit=max_depth"
grep -q 'BIG1: .* verdict=too-big .* limit=max_message_size ' \
    "$tmp/reject.log" || fail "summary line names limit=max_message_size"
echo "ok - limits named in the log"

# SIGTERM: clean exit, pid file gone.
kill -TERM "$main_pid"
wait "$main_pid"
rc=$?
pids=$(echo "$pids" | sed "s/ $main_pid\b//")
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM"
[ ! -e "$tmp/main.pid" ] || fail "pid file left behind"
echo "ok - SIGTERM stops cleanly"

# The stats line (at reload and at stop) counts what the summary lines say.
grep -q 'stats (reload): messages=[1-9]' "$tmp/main.log" ||
    fail "no stats line at reload"
stats=$(grep 'stats (stop): ' "$tmp/main.log") || fail "no stats line at stop"
stat() { echo "$stats" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
n=$(grep -c ' verdict=' "$tmp/main.log")
[ "$(stat messages)" = "$n" ] || fail "stats: messages=$(stat messages), $n summary lines"
n=$(grep -c ' verdict=unchanged ' "$tmp/main.log")
[ "$(stat unchanged)" = "$n" ] || fail "stats: unchanged=$(stat unchanged), $n summary lines"
n=$(grep -c ' verdict=\(unchanged\|released\) ' "$tmp/main.log")
[ "$n" -ge 1 ] && [ "$(stat body_untouched)" = "$n" ] ||
    fail "stats: body_untouched=$(stat body_untouched), $n passed unchanged"
n=$(grep -c ' engine=stream ' "$tmp/main.log")
[ "$(stat engine_stream)" = "$n" ] || fail "stats: engine_stream=$(stat engine_stream), $n summary lines"
[ "$(stat body_replaced)" -ge 1 ] || fail "stats: no body_replaced"
echo "ok - stats line: $stats"
echo "PASS"
exit 0
