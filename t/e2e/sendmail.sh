#!/bin/bash
# sendmail.sh - end to end through Sendmail: SMTP -> Sendmail 8.17 ->
# mugai-milter -> LMTP -> Dovecot
#
# Debian's sendmail-bin conflicts with postfix, so it is not installed: its
# packages (sendmail-bin, sendmail-base, sendmail-cf) are unpacked into a
# private root (MUGAI_SENDMAIL_ROOT, else $top_builddir/t/sendmail-root,
# fetched once with apt-get download) and the binary runs from there on a
# private configuration: a .mc built here around contrib/sendmail/mugai.mc
# (the tested snippet: only its port is changed), m4 with the unpacked
# sendmail-cf, every path under the lab directory (-C, QueueDirectory,
# PidFile...), listening on a free loopback port, relaying everything to
# the lab's private Dovecot over LMTP (t/e2e/lab.sh).
#
# Sends what make check generates (t/gen/: the benchmark mix and the
# hostile cases) and e2e.py's own cases, waits for the queue to drain and
# judges each stored message with t/oracle-check (e2e.py verify): each
# delivered once, the contract kept, its original in the quarantine. Then
# stops the milter: Sendmail must tempfail (F=T) a message over SMTP and
# keep a locally queued one; after the restart the SMTP one is accepted and
# the queue delivers the queued one, each exactly once. Prints the figures
# (messages, contract failures, lost).
#
# Exit 77 (skip) when not root, without Dovecot or m4, when mugai-milter is
# not built, or when the Sendmail packages cannot be fetched (no network
# and no MUGAI_SENDMAIL_ROOT). MUGAI_E2E_KEEP=1 keeps the lab directory.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/e2e/lab.sh"
. "$top_srcdir/t/gen-dirs.sh"
child=
e2e() {
	python3 "$top_srcdir/t/e2e/e2e.py" "$@" &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return "$rc"
}
say() { printf 'sendmail: [%ss] %s\n' "$SECONDS" "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (private Sendmail and Dovecot instances)"
	exit 77
fi
if ! lab_have_tools; then
	say "SKIP: $LAB_MISSING not installed (contrib/quickstart check installs it)"
	exit 77
fi
command -v m4 >/dev/null || { say "SKIP: no m4"; exit 77; }
if ! unshare -m true 2>/dev/null; then
	say "SKIP: no mount namespace (unshare -m)"
	exit 77
fi
milter_bin=${MUGAI_MILTER:-$top_builddir/mugai-milter}
[ -x "$milter_bin" ] || { say "SKIP: mugai-milter not built"; exit 77; }
gen_ready || exit 1

# The unpacked packages, fetched once per build tree.
smroot=${MUGAI_SENDMAIL_ROOT:-$top_builddir/t/sendmail-root}
sm=$smroot/usr/libexec/sendmail/sendmail
cfdir=$smroot/usr/share/sendmail/cf
if [ ! -x "$sm" ] || [ ! -f "$cfdir/m4/cf.m4" ]; then
	fetch=$(mktemp -d /tmp/mugai-smdeb.XXXXXX) || exit 99
	chmod 755 "$fetch"
	if (cd "$fetch" && apt-get download sendmail-bin sendmail-base \
	    sendmail-cf >/dev/null 2>&1); then
		rm -rf "$smroot.tmp" && mkdir -p "$smroot.tmp" &&
		for d in "$fetch"/*.deb; do
			dpkg-deb -x "$d" "$smroot.tmp" || exit 99
		done
		rm -rf "$smroot" && mv "$smroot.tmp" "$smroot"
	fi
	rm -rf "$fetch"
	if [ ! -x "$sm" ]; then
		say "SKIP: Debian's sendmail packages could not be fetched" \
		    "(set MUGAI_SENDMAIL_ROOT to an unpacked root)"
		exit 77
	fi
fi

start=$SECONDS
dir=$(mktemp -d /tmp/mugai-sendmail.XXXXXX) || exit 99
sm_pid=
sm_stop() {
	[ -n "$sm_pid" ] || return 0
	kill -TERM "$sm_pid" 2>/dev/null
	lab_wait_gone "$sm_pid" 100 || kill -KILL "$sm_pid" 2>/dev/null
	wait "$sm_pid" 2>/dev/null
	sm_pid=
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	sm_stop
	lab_stop
	if { [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; } &&
	    [ -z "${MUGAI_E2E_KEEP:-}" ]; then
		rm -rf "$dir"
	else
		say "lab kept in $dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_init "$dir" || exit 99
sd=$dir/sendmail
mkdir -p "$sd/mqueue" "$sd/clientmqueue" || exit 99
chmod 700 "$sd/mqueue" "$sd/clientmqueue"
printf 'hosts files\naliases files\n' >"$sd/service.switch"
# Sendmail sleeps a minute at every start when the host's name has no
# domain ("My unqualified host name unknown"): each run gets a mount
# namespace whose /etc/hosts qualifies it (the machine's file is untouched).
{ echo "127.0.0.1 mx.lab.example submit.lab.example $(hostname) localhost"
  echo "::1 localhost ip6-localhost"; } >"$sd/hosts"
chmod 644 "$sd/hosts"
smx() {	# smx ARGS: the unpacked sendmail with the lab's /etc/hosts
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
	    "$sd/hosts" "$sm" "$@"
}
say "$(smx -d0.1 -bt </dev/null 2>/dev/null | head -n 1) from $smroot"
: >"$sd/statistics"
say "lab in $dir: smtp 127.0.0.1:$LAB_SMTP_PORT, lmtp :$LAB_LMTP_PORT," \
    "milter :$LAB_MILTER_PORT"

# The configuration: private paths, loopback only, everything relayed to
# Dovecot's LMTP port, and contrib/sendmail/mugai.mc as shipped but for
# the milter's port. High load limits: the CI machine is busy.
mc() {	# mc QUEUE PORT: a daemon .mc on QUEUE listening on PORT
	cat <<EOF
divert(-1)
The mugai lab's Sendmail: generated by t/e2e/sendmail.sh.
divert(0)dnl
include(\`$cfdir/m4/cf.m4')dnl
VERSIONID(\`mugai lab')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.lab.example')dnl
define(\`QUEUE_DIR', \`$1')dnl
define(\`STATUS_FILE', \`$sd/statistics')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confHELP_FILE', \`')dnl
define(\`confPID_FILE', \`$sd/sendmail-$2.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$sd/service.switch')dnl
define(\`confHOSTS_FILE', \`/etc/hosts')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`2000')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
define(\`confMAX_MESSAGE_SIZE', \`0')dnl
define(\`confTO_QUEUEWARN', \`1h')dnl
define(\`confTO_QUEUERETURN', \`1d')dnl
define(\`confMIN_QUEUE_AGE', \`0')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`confPRIVACY_FLAGS', \`noexpn,novrfy')dnl
define(\`SMART_HOST', \`dovelmtp:[127.0.0.1]')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
DAEMON_OPTIONS(\`Port=$2, Addr=127.0.0.1, Name=MTA')dnl
EOF
	sed "s/inet:8890@127.0.0.1/inet:$LAB_MILTER_PORT@127.0.0.1/" \
	    "$top_srcdir/contrib/sendmail/mugai.mc"
	cat <<EOF
MAILER(\`smtp')dnl
MAILER_DEFINITIONS
Mdovelmtp,	P=[IPC], F=mDFMuXz8, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, E=\r\n, L=990,
		T=DNS/RFC822/SMTP, A=TCP \$h $LAB_LMTP_PORT
EOF
}
mc "$sd/mqueue" "$LAB_SMTP_PORT" >"$sd/sendmail.mc"
grep -q "INPUT_MAIL_FILTER(\`mugai', \`S=inet:$LAB_MILTER_PORT@127.0.0.1, F=T" \
    "$sd/sendmail.mc" || { say "FAIL: contrib/sendmail/mugai.mc changed shape"; exit 1; }
m4 "$sd/sendmail.mc" >"$sd/sendmail.cf" 2>"$sd/m4.err" ||
    { say "FAIL: m4"; cat "$sd/m4.err"; exit 1; }
chmod 644 "$sd/sendmail.cf"

lab_dovecot_start || exit 99
# The documents' text comes from the build's helper (as in run.sh).
LAB_EXTRACT=${MUGAI_EXTRACT:-$top_builddir/mugai-extract}
[ -x "$LAB_EXTRACT" ] || LAB_EXTRACT=
lab_milter_conf "$top_srcdir/conf/mugai.conf" "$LAB_MILTER_CONF" || exit 99
lab_milter_start "$milter_bin" || exit 1

# -bD: a daemon in the foreground, so its PID is ours to stop; -q30s runs
# the queue (deferred messages) every 30 s; -d0 keeps stdout quiet.
# unshare execs sh, which execs sendmail: $! is the daemon itself.
unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$sd/hosts" \
    "$sm" -C "$sd/sendmail.cf" -bD -q30s -L mugai-lab >"$sd/sendmail.log" 2>&1 &
sm_pid=$!
if ! lab_wait_port "$LAB_SMTP_PORT" 150 || ! kill -0 "$sm_pid" 2>/dev/null; then
	say "FAIL: sendmail did not come up"
	cat "$sd/sendmail.log"
	exit 1
fi

# sm_queue: messages in Sendmail's queue.
sm_queue() { find "$sd/mqueue" -name 'qf*' | wc -l; }
sm_queue_wait() {	# sm_queue_wait SECS
	local i
	for i in $(seq "$1"); do
		[ "$(sm_queue)" -eq 0 ] && return 0
		sleep 1
	done
	return 1
}

e2e gen "$dir/gen" || exit 99
# In a sanitizer build (MUGAI_SLOW_TESTS) the hostile cases with LF only
# (SMTP makes them CRLF anyway): the milter's code under ASan already
# meets every message behind Postfix (t/e2e/run.sh), and this keeps CI's
# sanitize step short.
send_dirs=$gen_dirs
skip_name=
[ -n "${MUGAI_SLOW_TESTS:-}" ] && send_dirs=$gen/hostile skip_name=*-crlf.eml
files=()
while IFS= read -r f; do
	files+=("$f")
# shellcheck disable=SC2086
done < <(find $send_dirs -name "*.eml" ! -name "${skip_name:-/}" -type f |
    LC_ALL=C sort |
    head -n "${MUGAI_E2E_LIMIT:-100000}")
for f in "$dir"/gen/gen-*.eml; do
	files+=("$f")
done
state=$dir/state.json
say "sending ${#files[@]} messages through Sendmail"
e2e send --port "$LAB_SMTP_PORT" --state "$state" "${files[@]}" || exit 1
if ! sm_queue_wait 300; then
	say "FAIL: Sendmail's queue not empty after 300s: $(sm_queue) left"
	exit 1
fi

rc=0
say "milter down: Sendmail must tempfail (F=T) and keep queued mail"
lab_milter_stop
e2e send --port "$LAB_SMTP_PORT" --state "$state" --expect-code 4 \
    "$dir/gen/restart-smtp.eml" || rc=1
# A message in the queue meets the milter only when it reaches the daemon:
# a second, queue-only Sendmail (a submission client, as the MSP is) on
# its own queue relays to ours over SMTP; with the milter down ours
# answers 4xx and the message stays queued there.
mc "$sd/clientmqueue" 0 | sed \
    -e "s/^define(\`SMART_HOST'.*/define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl/" \
    -e "/^DAEMON_OPTIONS/d" -e "/INPUT_MAIL_FILTER/d" \
    -e "s/mx.lab.example/submit.lab.example/" \
    -e "s/^MAILER(\`smtp')dnl/define(\`RELAY_MAILER_ARGS', \`TCP \$h $LAB_SMTP_PORT')dnl\nMAILER(\`smtp')dnl/" \
    >"$sd/client.mc"
m4 "$sd/client.mc" >"$sd/client.cf" 2>>"$sd/m4.err" ||
    { say "FAIL: m4 (client)"; cat "$sd/m4.err"; exit 1; }
python3 - "$dir/gen/restart-local.eml" "$state" <<'EOF' || exit 1
import json, sys
# e2e.py's state names the local message like the others: an ID the
# envelope sender carries, the bytes as sent.
src, statef = sys.argv[1:3]
st = json.load(open(statef))
rid = "e2e-%04d" % (len(st["messages"]) + 1)
import os
sent = os.path.join(os.path.dirname(statef), "sent", rid + ".eml")
data = open(src, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
open(sent, "wb").write(data)
st["messages"].append({"id": rid, "source": os.path.abspath(src),
    "name": os.path.basename(src), "sent": sent, "mta": sent,
    "attempts": [{"code": 250, "stage": "queue", "text": "queued locally"}]})
json.dump(st, open(statef, "w"))
print(rid)
EOF
lid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["messages"][-1]["id"])' "$state")
smx -C "$sd/client.cf" -odq -f "$lid@sender.example" -i \
    "user@$LAB_DOMAIN" <"$dir/gen/restart-local.eml" ||
    { say "FAIL: local submission to the client queue"; rc=1; }
smx -C "$sd/client.cf" -q >/dev/null 2>&1
n=$(find "$sd/clientmqueue" -name 'qf*' | wc -l)
if [ "$n" -ne 1 ]; then
	say "FAIL: $n message(s) queued with the milter down, expected 1"
	rc=1
fi
if grep -rqsl "$lid@sender.example" "$LAB_MAILDIR"; then
	say "FAIL: the queued message was delivered while the milter was down"
	rc=1
fi
say "milter up again: resend the SMTP one, run the queue"
lab_milter_start "$milter_bin" || exit 1
e2e send --port "$LAB_SMTP_PORT" --state "$state" --resend \
    --expect-code 2 "$dir/gen/restart-smtp.eml" || rc=1
smx -C "$sd/client.cf" -q >/dev/null 2>&1
# The queue run hands the message on in the background.
for i in $(seq 60); do
	n=$(find "$sd/clientmqueue" -name 'qf*' | wc -l)
	[ "$n" -eq 0 ] && break
	sleep 1
done
[ "$n" -eq 0 ] || { say "FAIL: $n message(s) still in the client queue"; rc=1; }
if ! sm_queue_wait 120; then
	say "FAIL: Sendmail's queue not empty after the milter restarted"
	rc=1
fi

e2e verify --state "$state" --maildir "$LAB_MAILDIR" --checker "$oracle" \
    --quarantine "$LAB_QUARANTINE" --milter yes \
    --report "$dir/report.json" >"$dir/verify.out"
vrc=$?
cat "$dir/verify.out"
[ "$vrc" -eq 0 ] || rc=1
python3 - "$dir/report.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
n, f = c["counts"], c["failures"]
contract = sum(1 for x in f if "contract FAIL" in x)
lost = n["accepted"] - n["delivered"]
print("sendmail: figures: messages=%d delivered=%d rejected=%d "
      "contract_failures=%d lost=%d duplicates=%d" % (
          n["sent"], n["delivered"], n["rejected_policy"] + n["rejected_mta"],
          contract, lost, sum(1 for x in f if "delivered" in x and "times" in x)))
EOF
say "time: $((SECONDS - start))s"
exit "$rc"
