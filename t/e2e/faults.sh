#!/bin/bash
# faults.sh - faults under load, with a real Postfix (issue 7)
#
# The lab of t/e2e/lab.sh (loopback only, every daemon stopped by PID on
# every exit path), mugai-milter running as nobody, the quarantine on a
# tmpfs of its own (256k) mounted by this script.
#
# 1. Quarantine full, then unwritable. The tmpfs is filled to the last
#    byte, and a burst of mixed mail (e2e.py gen cases: plain text,
#    ISO-2022-JP, HTML, zip/exe attachments, encrypted, uuencode) is sent by
#    SMTP and by the local sendmail command. Every message whose original
#    must be kept (keep_original = modified) is tempfailed: SMTP gets
#    451 4.3.0 from the milter, local mail stays in Postfix's queue
#    (postqueue -j). Nothing is delivered unsanitized: whatever got through
#    is verdict=unchanged with no quarantine ID. Then space is freed but the
#    quarantine is chmod 000 (EPERM for nobody): the SMTP resend is
#    tempfailed again. Then it is made writable, the client resends what it
#    holds, the queue is flushed, and every message is delivered exactly
#    once, sanitized (check_sanitized.py), its quarantine item whole
#    (original.eml SHA-256 and size = meta.json): e2e.py verify.
# 2. SIGKILL. A sustained SMTP send while mugai-milter is killed with
#    SIGKILL three times, 1.5 s apart (up to eight, until a kill has hit a
#    transaction: on a loaded machine one can fall between the sender's
#    sessions), and restarted each time. Postfix
#    tempfails (milter_default_action = tempfail); the client resends what
#    was not accepted. In the end every message of both phases is delivered
#    exactly once, sanitized, and the quarantine holds only whole items
#    (tmp/ leftovers allowed).
#
# Exit 77 (skip) when not root, when Postfix/Dovecot or mugai-milter are
# missing, or when a tmpfs cannot be mounted. MUGAI_E2E_KEEP=1 keeps the
# lab directory.
set -u -o pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/e2e/lab.sh"
# Clients run in the background so that a signal reaches our trap at once;
# cleanup ends them by PID.
child=
sender=
py() {
	python3 "$@" &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return "$rc"
}
e2e() { py "$top_srcdir/t/e2e/e2e.py" "$@"; }
faults() { py "$top_srcdir/t/e2e/faults.py" "$@"; }
say() { printf 'faults: %s\n' "$*"; }
fail() { say "FAIL: $*"; rc=1; }

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (private Postfix and Dovecot, a tmpfs)"
	exit 77
fi
if ! lab_have_tools; then
	say "SKIP: $LAB_MISSING not installed"
	exit 77
fi
# The judge: t/oracle-check, or MUGAI_VALIDATOR (check_sanitized.py).
. "$top_srcdir/t/gen-dirs.sh"
gen_ready || exit 1
checker=${validator:-$oracle}
milter_bin=${MUGAI_MILTER:-$top_builddir/mugai-milter}
if [ ! -x "$milter_bin" ]; then
	say "SKIP: mugai-milter not built"
	exit 77
fi

start=$SECONDS
dir=$(mktemp -d /tmp/mugai-faults.XXXXXX) || exit 99
mounted=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$sender" ]; then
		kill -TERM "$sender" 2>/dev/null
		wait "$sender" 2>/dev/null
	fi
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	lab_stop
	if [ -n "$mounted" ]; then
		# Keep what the quarantine held when the lab is kept.
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			cp -a "$mounted" "$dir/quarantine.kept" 2>/dev/null
		fi
		umount "$mounted" || say "cannot unmount $mounted"
	fi
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
if ! mount -t tmpfs -o size=256k,mode=0750 mugai-faults "$LAB_QUARANTINE"
then
	say "SKIP: cannot mount a tmpfs for the quarantine"
	exit 77
fi
mounted=$LAB_QUARANTINE
say "lab in $dir: smtp 127.0.0.1:$LAB_SMTP_PORT, lmtp :$LAB_LMTP_PORT," \
    "milter :$LAB_MILTER_PORT, quarantine on a 256k tmpfs"
lab_dovecot_start || exit 99
lab_milter_conf "$top_srcdir/conf/mugai.conf" "$LAB_MILTER_CONF" || exit 99
lab_postfix_start || exit 99
lab_milter_start "$milter_bin" || exit 1

e2e gen "$dir/gen" >/dev/null || exit 99
faults burst "$dir/gen" "$dir/b1" f1 4 || exit 99
faults burst "$dir/gen" "$dir/b1l" f1l 1 || exit 99
faults burst "$dir/gen" "$dir/b2" f2 8 || exit 99
state=$dir/state.json
rc=0

# ------------------------------------------------ 1. quarantine full

# Fill the tmpfs to the last byte (root writes it; nothing is reserved).
dd if=/dev/zero of="$LAB_QUARANTINE/.fill" bs=4k >/dev/null 2>&1
sync
say "1. quarantine full: $(df -k --output=avail "$LAB_QUARANTINE" |
    tail -n 1 | tr -d ' ')k free"
e2e send --port "$LAB_SMTP_PORT" --state "$state" "$dir"/b1/*.eml || rc=1
e2e send --channel local --sendmail-conf "$LAB_PF_CONF" --state "$state" \
    "$dir"/b1l/*.eml || rc=1
nlocal=$(ls "$dir"/b1l/*.eml | wc -l)
postkick -c "$LAB_PF_CONF" public pickup W
# pickup hands each local message to cleanup; give the milter time to
# answer all of them.
sleep 5
faults held "$state" "$LAB_MAILDIR" || fail "phase 1 (full): see above"
ntemp=$(faults pending "$state" | wc -l)
nq=$(lab_queue_count)
nfull=$(grep -c 'cannot keep original.*no space left' "$LAB_MILTER_LOG")
say "full: SMTP tempfailed $ntemp, local held in Postfix's queue $nq" \
    "of $nlocal, milter logged $nfull 'cannot keep original'"
[ "$ntemp" -gt 0 ] || fail "no SMTP message tempfailed with the quarantine full"
[ "$nq" -gt 0 ] || fail "no local message held in the queue"
[ "$nfull" -gt 0 ] || fail "the milter did not log the full quarantine"
postqueue -c "$LAB_PF_CONF" -j | python3 -c '
import json, sys
for l in sys.stdin:
    m = json.loads(l)
    for r in m.get("recipients", []):
        print("  queued %s %s %s: %s" % (m["queue_id"], m["queue_name"],
              m["sender"], r.get("delay_reason", "-")[:100]))' | head -n 5

# The store ends clean: no partial item, nothing left in tmp/.
faults store "$LAB_QUARANTINE" || fail "partial item while full"

# Space back, but the directory unwritable (EPERM for nobody).
rm -f "$LAB_QUARANTINE/.fill"
mount -o remount,size=64m "$LAB_QUARANTINE" || exit 99
chmod 000 "$LAB_QUARANTINE"
say "1b. quarantine unwritable (mode 000): the client resends"
mapfile -t again < <(faults pending "$state")
[ "${#again[@]}" -gt 0 ] &&
    { e2e send --port "$LAB_SMTP_PORT" --state "$state" --resend \
    "${again[@]}" || rc=1; }
faults held "$state" "$LAB_MAILDIR" || fail "phase 1b (000): see above"
n=$(faults pending "$state" | wc -l)
[ "$n" -eq "${#again[@]}" ] ||
    fail "unwritable quarantine: $n of ${#again[@]} resent tempfailed"
nq=$(lab_queue_count)
[ "$nq" -gt 0 ] || fail "local mail left the queue while unwritable"

say "1c. quarantine writable again: resend, flush the queue"
chmod 750 "$LAB_QUARANTINE"
mapfile -t again < <(faults pending "$state")
[ "${#again[@]}" -gt 0 ] &&
    { e2e send --port "$LAB_SMTP_PORT" --state "$state" --resend \
    --expect-code 2 "${again[@]}" || rc=1; }
postkick -c "$LAB_PF_CONF" public pickup W
postqueue -c "$LAB_PF_CONF" -f
if ! lab_queue_wait 60; then
	fail "Postfix queue not empty 60s after space was freed"
	postqueue -c "$LAB_PF_CONF" -p | tail -n 20
fi
e2e verify --state "$state" --maildir "$LAB_MAILDIR" --checker "$checker" \
    --quarantine "$LAB_QUARANTINE" --maillog "$LAB_PF_LOG" \
    --report "$dir/report1.json" | grep -v '^note: ' ||
    fail "phase 1: e2e.py verify"
faults store "$LAB_QUARANTINE" || fail "phase 1: quarantine store"
say "phase 1 done at $((SECONDS - start))s"

# ------------------------------------------------ 2. SIGKILL under load

say "2. SIGKILL mugai-milter 3 times during a sustained send"
log2=$(wc -l <"$LAB_PF_LOG")
(
	cur=
	trap '[ -n "$cur" ] && kill -TERM "$cur" 2>/dev/null; exit 143' TERM
	set -- "$dir"/b2/*.eml
	while [ $# -gt 0 ]; do
		python3 "$top_srcdir/t/e2e/e2e.py" send --port "$LAB_SMTP_PORT" \
		    --state "$state" "${@:1:4}" >/dev/null &
		cur=$!
		wait "$cur"
		cur=
		shift $(($# < 4 ? $# : 4))
	done
) &
sender=$!
# hits: transactions cut and connections refused since phase 2 began (the
# Postfix side of a kill; see below).
hits() {
	tail -n +"$((log2 + 1))" "$LAB_PF_LOG" | grep -c \
	    "warning: milter inet:.*\(can't read\|EOF\|Broken pipe\|reset\)\|connect to Milter service.*refused"
}
# Three kills; on a loaded machine a kill can fall between the sender's
# SMTP sessions and hit nothing, so go on (up to eight) while the sender
# runs and no kill has hit a transaction yet.
kills=0
while [ "$kills" -lt 8 ]; do
	sleep 1.5
	old=$LAB_MILTER_PID
	kill -KILL "$old"
	wait "$old" 2>/dev/null
	LAB_MILTER_PID=
	kills=$((kills + 1))
	say "killed mugai-milter $old"
	sleep 0.3
	lab_milter_start "$milter_bin" || exit 1
	[ "$kills" -ge 3 ] && [ "$(hits)" -gt 0 ] && break
	kill -0 "$sender" 2>/dev/null || break
done
wait "$sender"
sender=
st=$(python3 -c '
import json, sys
st = json.load(open(sys.argv[1]))
c = {}
for m in st["messages"]:
    for a in m["attempts"]:
        c[a["code"]] = c.get(a["code"], 0) + 1
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$state")
say "replies so far (all attempts, both phases): $st"
# What the kills did to Postfix's side: transactions cut (cleanup/smtpd
# lost the milter mid-message) and connections refused while it was down.
cut=$(tail -n +"$((log2 + 1))" "$LAB_PF_LOG" |
    grep -c "warning: milter inet:.*\(can't read\|EOF\|Broken pipe\|reset\)")
refused=$(tail -n +"$((log2 + 1))" "$LAB_PF_LOG" |
    grep -c 'connect to Milter service.*refused')
n2=$(python3 -c '
import json, sys
st = json.load(open(sys.argv[1]))
print(sum(1 for m in st["messages"] if m["id"] > "e2e-0040"
          for a in m["attempts"] if a["code"] // 100 == 4))' "$state")
say "kills: $cut transaction(s) cut mid-message, $refused connection(s)" \
    "refused; $n2 SMTP attempt(s) tempfailed in phase 2"
[ "$((cut + refused + n2))" -gt 0 ] ||
    fail "the kills hit no transaction: phase 2 exercised nothing"
for _ in 1 2 3; do
	mapfile -t again < <(faults pending "$state")
	[ "${#again[@]}" -eq 0 ] && break
	say "client resends ${#again[@]} not accepted"
	e2e send --port "$LAB_SMTP_PORT" --state "$state" --resend \
	    "${again[@]}" || rc=1
done
[ "$(faults pending "$state" | wc -l)" -eq 0 ] ||
    fail "messages still not accepted after 3 resends"
postqueue -c "$LAB_PF_CONF" -f
if ! lab_queue_wait 60; then
	fail "Postfix queue not empty 60s after the last restart"
	postqueue -c "$LAB_PF_CONF" -p | tail -n 20
fi
e2e verify --state "$state" --maildir "$LAB_MAILDIR" --checker "$checker" \
    --quarantine "$LAB_QUARANTINE" --maillog "$LAB_PF_LOG" \
    --report "$dir/report2.json" | grep -v '^note: ' ||
    fail "phase 2: e2e.py verify"
faults store "$LAB_QUARANTINE" || fail "phase 2: quarantine store"
n=$(lab_queue_count)
[ "$n" -eq 0 ] || fail "$n message(s) left in Postfix's queues"
say "time: $((SECONDS - start))s"
exit "$rc"
