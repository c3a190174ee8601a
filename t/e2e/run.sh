#!/bin/bash
# run.sh - end to end: SMTP -> Postfix -> mugai-milter -> LMTP -> Dovecot
#
# Starts the lab of t/e2e/lab.sh in a temp dir (loopback only, every daemon
# stopped by PID on every exit path), sends the corpora and the
# generated cases through SMTP, waits for Postfix's queues to drain, then
# judges what Dovecot stored and the quarantine (t/e2e/e2e.py verify). The
# messages: what make check generates (t/gen/: the benchmark mix and
# t/hostile-gen's cases), e2e.py's own cases and, when .ci/run passes it
# in, MUGAI_EXTRA_CORPUS (../shared/corpus); the judge: t/oracle-check (the
# contract of t/fuzz/oracle.c) and, for the extra corpus, MUGAI_VALIDATOR
# (check_sanitized.py) when given. Then stops the milter, checks that
# Postfix tempfails SMTP mail (4xx) and keeps locally submitted mail queued,
# starts the milter again and checks both arrive sanitized, exactly once.
#
# Exit 77 (skip) when not root, when Postfix/Dovecot are not installed, or
# when mugai-milter is not built (the Postfix -> Dovecot path is still run
# and checked then, but nothing is sanitized, so the test cannot pass).
# MUGAI_E2E_KEEP=1 keeps the lab directory; MUGAI_E2E_LIMIT=N sends only the
# first N files of the generated data and the extra corpus. LAB_MILTER_SERVICE=mugai-milter tests the installed
# daemon (the Debian package's service and config, t/e2e/lab.sh) instead
# of the build tree's.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/e2e/lab.sh"
# The client runs in the background so that a signal reaches our trap at
# once (bash defers traps while a foreground child runs); cleanup ends it.
child=
e2e() {
	python3 "$top_srcdir/t/e2e/e2e.py" "$@" &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return "$rc"
}
say() { printf 'e2e: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (private Postfix and Dovecot instances)"
	exit 77
fi
if ! lab_have_tools; then
	say "SKIP: $LAB_MISSING not installed (contrib/quickstart check installs it)"
	exit 77
fi
. "$top_srcdir/t/gen-dirs.sh"
gen_ready || exit 1
checker=$oracle
milter_bin=${MUGAI_MILTER:-$top_builddir/mugai-milter}
# The build's extraction helper (the installed one otherwise).
LAB_EXTRACT=${MUGAI_EXTRACT:-$top_builddir/mugai-extract}
[ -x "$LAB_EXTRACT" ] || LAB_EXTRACT=
milter=no
[ -x "$milter_bin" ] && milter=yes
[ -n "${LAB_MILTER_SERVICE:-}" ] && milter=yes

start=$SECONDS
dir=$(mktemp -d /tmp/mugai-e2e.XXXXXX) || exit 99
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	lab_stop
	if { [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; } &&
	    [ -z "${MUGAI_E2E_KEEP:-}" ]; then
		rm -rf "$dir"
	else
		say "lab kept in $dir (maillog: $LAB_PF_LOG)"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_init "$dir" || exit 99
say "lab in $dir: smtp 127.0.0.1:$LAB_SMTP_PORT, lmtp :$LAB_LMTP_PORT," \
    "milter :$LAB_MILTER_PORT"
lab_dovecot_start || exit 99
if [ "$milter" = yes ]; then
	lab_milter_conf "$top_srcdir/conf/mugai.conf" "$LAB_MILTER_CONF" ||
	    exit 99
	lab_postfix_start || exit 99
	lab_milter_start "$milter_bin" || exit 1
else
	say "mugai-milter not built: running Postfix -> Dovecot without a milter"
	lab_postfix_start nomilter || exit 99
fi

# The corpora (single messages only: .mbox files hold many) and the cases.
e2e gen "$dir/gen" || exit 99
files=()
while IFS= read -r f; do
	files+=("$f")
# shellcheck disable=SC2086
done < <(find $gen_dirs $extra_corpus -name '*.eml' -type f | LC_ALL=C sort |
    head -n "${MUGAI_E2E_LIMIT:-100000}")
for f in "$dir"/gen/gen-*.eml; do
	files+=("$f")
done
state=$dir/state.json
say "sending ${#files[@]} messages (judge: $checker${validator:+; $validator for $extra_corpus})"
e2e send --port "$LAB_SMTP_PORT" --state "$state" --relto "${extra_corpus:-/}" \
    "${files[@]}" || exit 1
if ! lab_queue_wait 300; then
	say "FAIL: Postfix queue not empty after 300s"
	postqueue -c "$LAB_PF_CONF" -p | tail -n 30
	exit 1
fi

rc=0
if [ "$milter" = yes ]; then
	say "milter down: Postfix must tempfail and keep the mail"
	lab_milter_stop
	e2e send --port "$LAB_SMTP_PORT" --state "$state" --expect-code 4 \
	    "$dir/gen/restart-smtp.eml" || rc=1
	e2e send --channel local --sendmail-conf "$LAB_PF_CONF" \
	    --state "$state" "$dir/gen/restart-local.eml" || rc=1
	# pickup hands the local message to cleanup, whose milter is down:
	# it must stay queued.
	postkick -c "$LAB_PF_CONF" public pickup W
	sleep 3
	n=$(lab_queue_count)
	if [ "$n" -ne 1 ]; then
		say "FAIL: $n message(s) queued with the milter down, expected 1"
		rc=1
	fi
	if grep -rqsl 'restart-local@sender.example' "$LAB_MAILDIR"; then
		say "FAIL: restart-local delivered while the milter was down"
		rc=1
	fi
	say "milter up again: resend the SMTP one, flush the queue"
	lab_milter_start "$milter_bin" || exit 1
	e2e send --port "$LAB_SMTP_PORT" --state "$state" --resend \
	    --expect-code 2 "$dir/gen/restart-smtp.eml" || rc=1
	postkick -c "$LAB_PF_CONF" public pickup W
	postqueue -c "$LAB_PF_CONF" -f
	if ! lab_queue_wait 120; then
		say "FAIL: Postfix queue not empty after the milter restarted"
		postqueue -c "$LAB_PF_CONF" -p | tail -n 30
		rc=1
	fi
fi

e2e verify --state "$state" --maildir "$LAB_MAILDIR" --checker "$checker" \
    ${validator:+--validator "$validator" --extra-root "$extra_corpus"} \
    --quarantine "$LAB_QUARANTINE" --maillog "$LAB_PF_LOG" --milter "$milter" \
    --report "$dir/report.json" || rc=1
n=$(lab_queue_count)
if [ "$n" -ne 0 ]; then
	say "FAIL: $n message(s) left in Postfix's queues"
	rc=1
fi
say "time: $((SECONDS - start))s"
if [ "$rc" -eq 0 ] && [ "$milter" = no ]; then
	say "SKIP: Postfix -> Dovecot path works; mugai-milter not built, so" \
	    "nothing was sanitized"
	exit 77
fi
exit "$rc"
