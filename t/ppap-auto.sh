#!/bin/sh
# ppap-auto.sh - [ppap] auto_password end to end, with the real
# mugai-milter (three instances on 127.0.0.1:18601-18603) driven by
# t/milter_client.py's protocol code: mail 1 carries a password-protected
# zip (t/ppapgen) and is kept; mail 2 from the same envelope sender to the
# same recipient says "パスワードは xxx です". The password mail is
# delivered as usual; the archive is opened and its sanitized contents go
# to that recipient through a fake submit command; audit.log has the
# "opened" and "delivered" lines of the actor auto-password. Nothing is
# sent for another sender, a wrong password (audit: wrong_password), a
# password mail after the window, or with the option off. The password is
# in no file and no log. Every daemon started here is stopped on every
# exit path, by its PID.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
srcdir=$(cd "$top_srcdir" && pwd)
milter=$top_builddir/mugai-milter
GEN=$top_builddir/t/ppapgen
HELPER="$(cd "$top_builddir" && pwd)/mugai-extract"
PY=${PYTHON3:-python3}

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-ppap-auto-XXXXXX") || exit 99
pids=""
# Stops every daemon started here, all at once, by PID.
stop_all() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	pids=""
}
cleanup() {
	stop_all
	[ -n "${MUGAI_KEEP_LOGS:-}" ] && cat "$W"/*.log
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
. "$srcdir/t/tap.sh"
fail_out() { echo "Bail out! $1"; exit 1; }

PW='Mitsumori2025x'
BAD='Wrong7Guess42'
FROM='<taro@sender.example>'
TO='<staff@city.example.lg.jp>'

cat >"$W/fake sendmail" <<'FAKE'
#!/bin/sh
dir=$(dirname "$0")
printf '%s\n' "$@" >"$dir/args.part" && mv "$dir/args.part" "$dir/args"
cat >"$dir/stdin.part" && mv "$dir/stdin.part" "$dir/stdin"
exit 0
FAKE

# conf NAME PORT AUTO WINDOW
conf() {
	mkdir -p "$W/$1.spool" "$W/$1.q"
	cat >"$W/$1.conf" <<EOC
[milter]
socket = inet:$2@127.0.0.1
user = $(id -un)
group = $(id -gn)
pidfile = $W/$1.pid
spool_dir = $W/$1.spool
timeout = 60

[quarantine]
dir = $W/$1.q
keep_original = modified
release_secret = $W/release.key
submit_command = /bin/sh '$W/fake sendmail' -i

[extract]
helper = $HELPER
pool_size = 1

[ppap]
auto_password = $3
auto_password_window = $4
EOC
}

# start NAME: waits until the daemon listens.
start() {
	"$milter" -f -d 1 -c "$W/$1.conf" >"$W/$1.log" 2>&1 &
	pids="$pids $!"
	i=0
	while [ $i -lt 100 ]; do
		grep -q "listening on" "$W/$1.log" 2>/dev/null && return 0
		kill -0 "$!" 2>/dev/null || { cat "$W/$1.log"; fail_out "$1 exited"; }
		sleep 0.1
		i=$((i + 1))
	done
	fail_out "$1 did not start"
}

# send PORT FROM TO FILE: one conversation; prints the end-of-message
# answer: the final reply letter, then "body" when the body was replaced.
send() {
	"$PY" - "$srcdir/t" "$@" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import milter_client as mc
port, sender, rcpt, path = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
msg = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
c = mc.Conn(port)
c.negotiate()
c.command(mc.SMFIC_CONNECT, b"mx.sender.example\0" + b"4" +
          mc.struct.pack(">H", 40000) + b"192.0.2.10\0")
c.command(mc.SMFIC_HELO, b"mx.sender.example\0")
c.send(mc.SMFIC_MACRO, mc.SMFIC_MAIL + b"i\0QID\0")
c.command(mc.SMFIC_MAIL, sender.encode() + b"\0")
c.command(mc.SMFIC_RCPT, rcpt.encode() + b"\0")
ans = c.message("QID", msg)
c.send(mc.SMFIC_QUIT)
c.close()
print(ans[-1][0].decode(), "body" if any(a[0] == b"b" for a in ans) else "")
PYEOF
}

# wait_for FILE TEXT: up to 30 s for TEXT in FILE; 0 when it came.
wait_for() {
	i=0
	while [ $i -lt 300 ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

pwmail() {
	printf 'From: taro@sender.example\nTo: staff@city.example.lg.jp\nSubject: =?UTF-8?B?44OR44K544Ov44O844OJ?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nお世話になっております。\n先ほどのファイルのパスワードをお知らせします。\nパスワードは %s です。\n' "$1" >"$2"
}

"$GEN" aes256 "$PW" >"$W/ppap.eml" || fail_out "ppapgen failed"
pwmail "$PW" "$W/right.eml"
pwmail "$BAD" "$W/wrong.eml"

conf on 18601 true 30m
conf short 18602 true 2s
conf off 18603 false 30m
start on
start short
start off

# ---- on: the whole flow ----
ans=$(send 18601 "$FROM" "$TO" "$W/ppap.eml")
case $ans in c\ body) pass "mail 1 sanitized and delivered";; *) fail "mail 1: $ans";; esac
wait_for "$W/on.log" "waits for its password mail" &&
    pass "the archive waits for its password mail" || fail "not registered"
ID=$(sed -n 's/.*item \([^ ]*\) part \([^:]*\): an encrypted archive waits.*/\1/p' "$W/on.log" | head -1)
PART=$(sed -n 's/.*item \([^ ]*\) part \([^:]*\): an encrypted archive waits.*/\2/p' "$W/on.log" | head -1)
[ -n "$ID" ] && [ -f "$(find "$W/on.q" -path "*$ID*" -name original.eml | head -1)" ] &&
    pass "kept as item $ID part $PART" || fail "no kept item ($ID)"

# Another sender: matches nothing.
ans=$(send 18601 "<mallory@elsewhere.example>" "$TO" "$W/right.eml")
case $ans in c\ ) pass "another sender's mail is delivered unchanged";; *) fail "other sender: $ans";; esac
# Another recipient of the same sender: matches nothing either.
ans=$(send 18601 "$FROM" "<someone@city.example.lg.jp>" "$W/right.eml")
case $ans in c\ ) pass "another recipient's mail is delivered unchanged";; *) fail "other rcpt: $ans";; esac

# A wrong password: tried, counted, nothing sent.
ans=$(send 18601 "$FROM" "$TO" "$W/wrong.eml")
case $ans in c\ ) pass "the wrong password mail is delivered unchanged";; *) fail "wrong: $ans";; esac
wait_for "$W/on.log" "did not open the archive (wrong password)" &&
    pass "the wrong password is logged as such" || fail "no wrong-password line"
has "audit: a failed automatic try" "$W/on.q/audit.log" '"status":"wrong_password"'
has "audit: by auto-password" "$W/on.q/audit.log" '"actor":"auto-password"'
[ ! -e "$W/stdin" ] && pass "nothing sent for another sender or a wrong password" ||
    fail "something was sent"

# The right password, mailed twice at once (a sender's resend): opened
# once and sent to the recipient alone, once.
send 18601 "$FROM" "$TO" "$W/right.eml" >"$W/ans1" &
s1=$!
send 18601 "$FROM" "$TO" "$W/right.eml" >"$W/ans2"
wait $s1
ans="$(cat "$W/ans1")/$(cat "$W/ans2")"
case $ans in "c /c ") pass "the password mails themselves are delivered unchanged";; *) fail "right: $ans";; esac
wait_for "$W/stdin" "Content-Type" && pass "the opened archive was submitted" ||
    fail "nothing submitted"
wait_for "$W/on.log" "opened automatically" && pass "the log says it was opened" ||
    fail "no log line"
[ "$(cat "$W/args" 2>/dev/null)" = "-i
staff@city.example.lg.jp" ] && pass "to the recipient, through submit_command" ||
    { fail "submit arguments"; cat "$W/args"; }
"$PY" - "$W/stdin" >"$W/check" 2>&1 <<'PYEOF' && pass "the submitted message is the archive's contents" || { fail "the result"; cat "$W/check"; }
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
subj = str(m["subject"])
assert "パスワード付きZIP「見積書.zip」の内容" in subj, subj
assert "staff@city.example.lg.jp" in str(m["to"]), m["to"]
body = m.get_content()
for want in ("見積書.txt", "setup.exe", "資料.pdf", "SHA-256"):
    assert want in body, want
PYEOF
wait_for "$W/on.q/audit.log" '"event":"delivered"' &&
    pass "audit: delivered" || fail "no delivered line"
"$PY" - "$W/on.q/audit.log" "$ID" >"$W/check" 2>&1 <<'PYEOF' && pass "audit: opened ok and delivered ok by auto-password" || { fail "audit lines"; cat "$W/check"; }
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
opened = [l for l in lines if l.get("event") == "opened" and l.get("outcome") == "ok"]
assert len(opened) == 1, opened
assert opened[0]["actor"] == "auto-password", opened
assert opened[0]["id"] == sys.argv[2] if "id" in opened[0] else True, opened
deliv = [l for l in lines if l.get("event") == "delivered"]
assert len(deliv) == 1 and deliv[0]["outcome"] == "ok", deliv
assert deliv[0]["actor"] == "auto-password", deliv
PYEOF
# The contract validator, on the new item's original and what was sent.
oracle="$srcdir/../shared/tools/check_sanitized.py"
NEW=$(sed -n 's/.*opened automatically.*new item \([^,]*\),.*/\1/p' "$W/on.log" | head -1)
if [ -f "$oracle" ] && [ -n "$NEW" ]; then
	"$top_builddir/mugai" quarantine -c "$W/on.conf" extract "$NEW" \
	    -o "$W/built.eml" >/dev/null 2>&1
	"$PY" "$oracle" --require-notice "$W/built.eml" "$W/stdin" \
	    >"$W/v" 2>&1 && pass "the validator passes what was sent" ||
	    { fail "validator"; cat "$W/v"; }
fi

# Opened: no longer waiting (a later password mail sends nothing more).
mv "$W/stdin" "$W/first.eml"
ans=$(send 18601 "$FROM" "$TO" "$W/right.eml")
sleep 1
[ ! -e "$W/stdin" ] && pass "an opened archive waits no more" || fail "sent twice"
n=$(grep -c "opened automatically" "$W/on.log")
[ "$n" -eq 1 ] && pass "opened once for two password mails" || fail "opened $n times"

# ---- short window: a password mail after it is not tried ----
ans=$(send 18602 "$FROM" "$TO" "$W/ppap.eml")
wait_for "$W/short.log" "waits for its password mail" ||
    fail "short: not registered"
sleep 3
ans=$(send 18602 "$FROM" "$TO" "$W/right.eml")
case $ans in c\ ) pass "after the window: the password mail is delivered";; *) fail "late: $ans";; esac
sleep 1
[ ! -e "$W/stdin" ] && ! grep -q '"event":"opened"' "$W/short.q/audit.log" &&
    pass "after the window: nothing opened or sent" || fail "opened after the window"

# ---- off: nothing remembered, nothing opened ----
ans=$(send 18603 "$FROM" "$TO" "$W/ppap.eml")
case $ans in c\ body) pass "off: mail 1 sanitized as usual";; *) fail "off mail 1: $ans";; esac
ans=$(send 18603 "$FROM" "$TO" "$W/right.eml")
case $ans in c\ ) pass "off: the password mail is delivered";; *) fail "off: $ans";; esac
sleep 1
! grep -q "password mail" "$W/off.log" && [ ! -e "$W/stdin" ] &&
    ! grep -q '"event":"opened"' "$W/off.q/audit.log" &&
    pass "off: nothing remembered, opened or sent" || fail "off acted"

# ---- the password is nowhere: no store file, no log, no submission ----
stop_all
if grep -rlF -e "$PW" -e "$BAD" "$W"/*.q "$W"/*.log "$W/args" "$W/first.eml" \
    2>/dev/null | grep -q .; then
	fail "a password was written somewhere"
	grep -rlF -e "$PW" -e "$BAD" "$W"/*.q "$W"/*.log "$W/args" "$W/first.eml"
else
	pass "the password is in no log, audit line, meta.json or submission"
fi
exit $((fails > 0))
