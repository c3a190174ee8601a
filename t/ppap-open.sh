#!/bin/sh
# ppap-open.sh - `mugai quarantine open` end to end: a mail with a
# password-protected zip (t/ppapgen: CP932 and UTF-8 names, an
# executable, a PDF, a zip inside) stored by t/qfill; wrong passwords and
# the rate limit, -o FILE, delivery through a fake submit command, the
# new item linked to the old one (show, extract), audit.log lines, and
# the password in no file, argument or log.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
MUGAI="$top_builddir/mugai"
QFILL="$top_builddir/t/qfill"
GEN="$top_builddir/t/ppapgen"
HELPER="$(cd "$top_builddir" && pwd)/mugai-extract"
PY=${PYTHON3:-python3}

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-ppap-XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
. "${top_srcdir:-.}/t/tap.sh"

S="$W/store"
PW='Mitsumori-2025-パス'
BAD='wrong-xyzzy-4711'
cat >"$W/mugai.conf" <<CONF
[quarantine]
dir = $S
release_secret = $W/release.key
submit_command = /bin/sh '$W/fake sendmail' -G -i
CONF
cat >"$W/fake sendmail" <<'FAKE'
#!/bin/sh
dir=$(dirname "$0")
printf '%s\n' "$@" >"$dir/args"
cat >"$dir/stdin.part" && mv "$dir/stdin.part" "$dir/stdin"
exit 0
FAKE
"$GEN" aes256 "$PW" >"$W/ppap.eml" || { echo "ppapgen failed"; exit 1; }
"$GEN" zipcrypt "$PW" >"$W/zc.eml" || { echo "ppapgen failed"; exit 1; }
ID=$("$QFILL" "$S" "$W/ppap.eml") || { echo "qfill failed"; exit 1; }
ZC=$("$QFILL" "$S" "$W/zc.eml") || { echo "qfill failed"; exit 1; }
Q="$MUGAI quarantine -c $W/mugai.conf"
OPEN="$Q open --helper $HELPER"

# Usage
expect "open without --part" 2 $OPEN "$ID" </dev/null
expect "open with a bad --part" 2 $OPEN "$ID" --part x </dev/null
expect "open with an invalid ID" 2 $OPEN ../etc --part 2 </dev/null
expect "open with no password" 1 $OPEN "$ID" --part 1.2 </dev/null
has "says there is no password" "$W/err" "no password on standard input"

# A part that is no archive: not counted as a wrong password.
printf '%s\n' "$PW" >"$W/pw"
expect "open a text part" 1 $OPEN "$ID" --part 1.1 <"$W/pw"
has "a text part is damaged" "$W/err" "damaged"
expect "open a part that is not there" 1 $OPEN "$ID" --part 1.9 <"$W/pw"
has "no such part" "$W/err" "no leaf MIME part 1.9"

# Wrong password
printf '%s\n' "$BAD" | expect "wrong password" 1 $OPEN "$ID" --part 1.2
printf '%s\n' "$BAD" >"$W/bad"
expect "wrong password" 1 $OPEN "$ID" --part 1.2 <"$W/bad"
has "says so plainly" "$W/err" "パスワードが違います / wrong password"
has "counts the tries left" "$W/err" "3 more tries"

# Opened to a file
expect "open -o FILE" 0 $OPEN "$ID" --part 1.2 -o "$W/result.eml" <"$W/pw"
has "says where it went" "$W/out" "written to $W/result.eml"
NEW=$(sed -n 's/.*stored as \([^ ]*\),.*/\1/p' "$W/out")
[ -n "$NEW" ] && [ "$NEW" != "$ID" ] && pass "a new item" || fail "new item ($NEW)"
expect "open -o an existing FILE" 1 $OPEN "$ID" --part 1.2 -o "$W/result.eml" <"$W/pw"
"$PY" - "$W/result.eml" >"$W/check" 2>&1 <<'PYEOF' && pass "the result reads right" || { fail "the result"; cat "$W/check"; }
import email, email.header, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
subj = str(m["subject"])
assert "パスワード付きZIP「見積書.zip」の内容" in subj, subj
assert 'Contents of the password-protected ZIP "見積書.zip"' in subj, subj
assert "taro@sender.example" in str(m["from"]), m["from"]
assert "staff@city.example.lg.jp" in str(m["to"]), m["to"]
assert not m.is_multipart(), "the result is plain text"
body = m.get_content()
for want in ("見積書.txt", "setup.exe", "資料.pdf", "inner.zip", "SHA-256"):
    assert want in body, want
assert "MZ" not in body
PYEOF
# The contract validator, on the new item's original and the result.
oracle="$top_srcdir/../shared/tools/check_sanitized.py"
if [ -f "$oracle" ]; then
	$Q extract "$NEW" -o "$W/built.eml" >/dev/null 2>&1
	"$PY" "$oracle" --require-notice "$W/built.eml" "$W/result.eml" \
	    >"$W/v" 2>&1 && pass "the validator passes the result" ||
	    { fail "validator"; cat "$W/v"; }
fi

# The two items point at each other.
expect "show the new item" 0 $Q show "$NEW"
has "opened from the old item" "$W/out" "Opened from: $ID part 1.2 (見積書.zip)"
has "lists the CP932-named entry" "$W/out" "見積書.txt"
sha=$(printf 'お見積もりです。合計 12,000 円。\nQuote: JPY 12,000.\n' | sha256sum | cut -d' ' -f1)
has "with its SHA-256" "$W/out" "SHA-256 $sha"
has "the executable's part is removed" "$W/out" "setup.exe"
expect "show the old item" 0 $Q show "$ID"
has "lists the opening" "$W/out" "as $NEW"
has "and the entries" "$W/out" "SHA-256 $sha"
expect "extract an entry from the new item" 0 $Q extract "$NEW" --part 1.3 -o "$W/setup.exe"
[ "$(head -c 2 "$W/setup.exe")" = MZ ] && pass "the entry is the executable" || fail "extracted entry"

# Delivered through submit_command (ZipCrypto this time).
expect "open and send" 0 $OPEN "$ZC" --part 1.2 <"$W/pw"
has "said it was sent" "$W/out" "sent to the recipients"
has "to the envelope recipients" "$W/args" "staff@city.example.lg.jp"
has "the message went" "$W/stdin" "Content-Type: text/plain"
has "audit: delivered" "$S/audit.log" '"event":"delivered"'
has "audit: opened ok" "$S/audit.log" '"outcome":"ok"'
has "audit: a failed attempt" "$S/audit.log" '"status":"wrong_password"'

# Rate limit: two wrong so far, three more, then even the right one waits.
for i in 1 2 3; do
	$OPEN "$ID" --part 1.2 <"$W/bad" >/dev/null 2>&1
done
expect "rate limited" 1 $OPEN "$ID" --part 1.2 -o "$W/late.eml" <"$W/pw"
has "says to wait" "$W/err" "too many wrong passwords"
[ ! -e "$W/late.eml" ] && pass "no output file left" || fail "late.eml left"
has "audit: refused" "$S/audit.log" '"status":"rate_limited"'
expect "the other item is not limited" 0 $OPEN "$ZC" --part 1.2 -o "$W/zc2.eml" <"$W/pw"

# Run as root on a store of another user (the milter's): the command
# becomes that user before it touches the store, so what it creates there
# is theirs; the -o file, made before, is root's.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	S2="$W/owned"
	mkdir "$S2"
	ID2=$("$QFILL" "$S2/store" "$W/ppap.eml") || { echo "qfill failed"; exit 1; }
	chown -R nobody "$S2/store"
	chmod 755 "$W" "$S2"
	printf '[quarantine]\ndir = %s\n' "$S2/store" >"$W/owned.conf"
	expect "open as root on nobody's store" 0 "$MUGAI" quarantine -c "$W/owned.conf" \
	    open --helper "$HELPER" "$ID2" --part 1.2 -o "$W/owned.eml" <"$W/pw"
	bad=$(find "$S2/store" ! -user nobody | head -1)
	[ -z "$bad" ] && pass "everything in the store is nobody's" ||
	    fail "root left $bad in the store"
	[ "$(stat -c %U "$W/owned.eml")" = root ] && pass "the -o file is root's" ||
	    fail "the -o file's owner"
	chmod 700 "$W"
fi

# The password is nowhere.
if grep -rqF -e "$PW" -e "$BAD" "$S" "$W/args" "$W/result.eml" "$W/stdin"; then
	fail "a password was written somewhere"
	grep -rlF -e "$PW" -e "$BAD" "$S" "$W"
else
	pass "no password in the store, the log, the arguments or the output"
fi
exit $((fails > 0))
