#!/bin/sh
# quarantine-cli.sh - `mugai quarantine` end to end on a store filled
# through the library (t/qfill): list filters, show, extract, release with
# a fake submit command, the release header checked by the milter's
# function, purge, exit codes, invalid IDs and audit.log lines; then a
# store filled by `mugai sanitize --quarantine DIR` (the engine's report,
# its part numbers, a forwarded message, keep_original).
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
MUGAI="$top_builddir/mugai"
QFILL="$top_builddir/t/qfill"
PY=${PYTHON3:-python3}

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-qcli-XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
. "${top_srcdir:-.}/t/tap.sh"

S="$W/store"
cat >"$W/mugai.conf" <<CONF
[quarantine]
dir = $S
retention_days = 30
release_secret = $W/release.key
submit_command = /bin/sh '$W/fake sendmail' -G -i
CONF
# The fake keeps its input only when it read all of it (a submit command
# killed before the end of its input queues nothing). FAKE_TAMPER=FILE:
# first change one byte far into FILE, as someone racing the release would.
cat >"$W/fake sendmail" <<'FAKE'
#!/bin/sh
dir=$(dirname "$0")
printf '%s\n' "$@" >"$dir/args"
if [ -n "${FAKE_TAMPER:-}" ]; then
	printf X | dd of="$FAKE_TAMPER" bs=1 seek=900000 conv=notrunc 2>/dev/null
fi
cat >"$dir/stdin.part" && mv "$dir/stdin.part" "$dir/stdin"
exit "${FAKE_STATUS:-0}"
FAKE
printf 'From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@sender.example>\nTo: staff@city.example.lg.jp\nSubject: =?UTF-8?B?6KuL5rGC5pu4?= invoice\nDate: Mon, 2 Jun 2025 10:00:00 +0900\nMessage-ID: <cli@sender.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhello\n--XX\nContent-Type: application/octet-stream; name=invoice.exe\nContent-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--XX--\n' >"$W/in.eml"
printf 'From: bob@other.example\nTo: x@city.example.lg.jp\nSubject: old news\n\nold\n' >"$W/old.eml"

"$QFILL" "$S" "$W/in.eml" 3 >"$W/new.ids" || { echo "qfill failed"; exit 1; }
"$QFILL" "$S" "$W/old.eml" 2 40 >"$W/old.ids" || { echo "qfill failed"; exit 1; }
ID=$(head -1 "$W/new.ids")
OLD=$(head -1 "$W/old.ids")
Q="$MUGAI quarantine -c $W/mugai.conf"

# list
expect "list" 0 $Q list
lines "list shows header and 5 items" "$W/out" 6
has "list shows the decoded subject" "$W/out" "請求書 invoice"
has "list shows removed items" "$W/out" "1 invoice.exe"
expect "list --json" 0 $Q list --json
n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$W/out")
[ "$n" = 5 ] && pass "list --json is an array of 5" || fail "list --json ($n)"
today=$(date +%Y-%m-%d)
expect "list --since today" 0 $Q list --since "$today"
lines "--since keeps today's 3" "$W/out" 4
expect "list --until 35 days ago" 0 $Q list --until "$(date -d '-35 days' +%Y-%m-%d)"
lines "--until keeps the 2 old ones" "$W/out" 3
expect "list --subject (Japanese, any case)" 0 $Q list --subject 請求書 --from TARO
lines "--subject --from match 3" "$W/out" 4
expect "list --rcpt" 0 $Q list --rcpt nobody@nowhere
lines "--rcpt without match" "$W/out" 1
# Items are stored without list.json since session 9; one stored before
# (meta.json's listing members, compact) is still what list reads.
OLDDIR=$(dirname "$(find "$S" -path "*/$OLD/meta.json")")
[ ! -e "$OLDDIR/list.json" ] && pass "a new item has no list.json" ||
    fail "a new item has a list.json"
"$PY" - "$OLDDIR" <<'PY' || fail "old list.json not written"
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "meta.json")))
l = {k: m[k] for k in ("schema", "id", "time", "envelope", "headers",
                       "summary")}
l["headers"]["subject"] = "old news (list.json)"
open(os.path.join(d, "list.json"), "w").write(
    json.dumps(l, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
expect "list with an old item's list.json" 0 $Q list --subject "old news"
lines "both old items listed" "$W/out" 3
has "the old item's list.json is read" "$W/out" "old news (list.json)"
expect "list --since bad date" 2 $Q list --since 2025-13-01
expect "list with --dir after the subcommand" 0 "$MUGAI" quarantine list --dir "$S"
lines "--dir list" "$W/out" 6

# show
expect "show" 0 $Q show "$ID"
has "show subject" "$W/out" "Subject:     請求書 invoice"
has "show sender" "$W/out" "<alice@sender.example>"
has "show parts" "$W/out" "invoice.exe"
expect "show --json" 0 $Q show --json "$ID"
"$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["schema"]==1 and m["id"]==sys.argv[2]' "$W/out" "$ID" \
    && pass "show --json is meta.json" || fail "show --json"
expect "show ../x refused" 2 $Q show ../x
has "invalid ID message" "$W/err" "invalid ID"
expect "show overlong refused" 2 $Q show "${ID}0"
expect "show /etc/passwd-shaped refused" 2 $Q show "../../../../../../../../../../../../../../etc/pw"
expect "show unknown item" 1 $Q show "20200101-000000-000000-00000000-0000000000000000"
has "unknown item message" "$W/err" "no such item"

# extract
expect "extract original" 0 $Q extract "$ID"
cmp -s "$W/out" "$W/in.eml" && pass "extract is byte-exact" || fail "extract differs"
expect "extract --part 1.2 -o FILE" 0 $Q extract "$ID" --part 1.2 -o "$W/part2"
[ "$(head -c 2 "$W/part2")" = MZ ] && pass "part 1.2 decoded" || fail "part 1.2 not decoded"
expect "extract -o existing file refused" 1 $Q extract "$ID" -o "$W/part2"
expect "extract missing part" 1 $Q extract "$ID" --part 1.9
has "missing part lists parts" "$W/err" "parts on the way: 1 1.1 1.2"
expect "extract a container" 1 $Q extract "$ID" --part 1
has "container message" "$W/err" "is a container"
expect "extract --part garbage" 2 $Q extract "$ID" --part ../1
has "audit: extracted" "$S/audit.log" "\"event\":\"extracted\",\"id\":\"$ID\""

# release
expect "release to the envelope recipients" 0 $Q release "$ID"
has "submit got -G -i" "$W/args" "-G"
has "submit got the first recipient, brackets off" "$W/args" "staff@city.example.lg.jp"
has "submit got the second recipient" "$W/args" "other@city.example.lg.jp"
head -1 "$W/stdin" | grep -q "^X-Mugai-Release: id=$ID; t=[0-9]*; sha256=[0-9a-f]\{64\}; rcpt=[0-9a-f]\{64\}; mac=[0-9a-f]\{64\}\$" \
    && pass "release header first" || fail "release header: $(head -1 "$W/stdin")"
tail -n +2 "$W/stdin" | cmp -s - "$W/in.eml" && pass "then the original, byte-exact" || fail "released body differs"
[ "$(stat -c %a "$W/release.key")" = 600 ] && pass "key file 0600" || fail "key mode"
# The milter's check (lib's mugai_release_check, as the MTA hands the
# message over: envelope recipients in brackets): the token passes this
# original to these recipients, once, and nothing else.
chk() {		# chk WANT DESC FILE RCPT...
	want=$1 d=$2; shift 2
	got=$("$QFILL" --check "$S" "$W/release.key" "$@")
	[ "$got" = "$want" ] && pass "$d" || fail "$d ($got, wanted $want)"
}
cp "$W/stdin" "$W/released.eml"
{ head -1 "$W/stdin"; printf 'From: evil@attacker.example\nContent-Type: text/html\n\n<script>x</script>\n'; } >"$W/other.eml"
chk OTHER_CONTENT "milter check: the token on other content is refused" \
    "$W/other.eml" "<staff@city.example.lg.jp>" "<other@city.example.lg.jp>"
chk OTHER_RCPTS "milter check: the token for another recipient is refused" \
    "$W/released.eml" "<staff@city.example.lg.jp>" "<other@city.example.lg.jp>" "<x@attacker.example>"
chk OTHER_RCPTS "milter check: the token for fewer recipients is refused" \
    "$W/released.eml" "<staff@city.example.lg.jp>"
chk VALID "milter check: VALID" \
    "$W/released.eml" "<other@city.example.lg.jp>" "<staff@city.example.lg.jp>"
chk REPLAYED "milter check again: REPLAYED" \
    "$W/released.eml" "<other@city.example.lg.jp>" "<staff@city.example.lg.jp>"
has "audit: released" "$S/audit.log" "\"event\":\"released\",\"id\":\"$ID\""
expect "release --to" 0 $Q release "$ID" --to audit@city.example.lg.jp
lines "--to replaces the recipients" "$W/args" 3
has "--to address" "$W/args" "audit@city.example.lg.jp"
expect "release --to option-looking address refused" 2 $Q release "$ID" --to=-oQ/tmp
expect "release when submit fails" 1 env FAKE_STATUS=75 $Q release "$ID"
has "audit: failed release" "$S/audit.log" "\"outcome\":\"failed\""
chmod 644 "$W/release.key"
expect "release with a key readable by others" 2 $Q release "$ID"
chmod 600 "$W/release.key"

# release reads original.eml once, from one descriptor: what the submit
# command gets after the header is what was hashed, a link in its place is
# refused, and an original changed while it is being sent is not sent.
expect "release again" 0 $Q release "$ID"
want=$(head -1 "$W/stdin" | sed 's/.*sha256=\([0-9a-f]*\).*/\1/')
got=$(tail -n +2 "$W/stdin" | sha256sum | cut -c1-64)
[ "$got" = "$want" ] && pass "the bytes submitted are the bytes hashed" ||
    fail "submitted $got, token says $want"
ITEM=$(dirname "$(find "$S" -path "*/$ID/original.eml")")
cp "$ITEM/original.eml" "$W/copy.eml"
mv "$ITEM/original.eml" "$W/original.saved"
ln -s "$W/copy.eml" "$ITEM/original.eml"
rm -f "$W/stdin"
expect "release of an original.eml that is a link refused" 1 $Q release "$ID"
has "release says it is a link" "$W/err" "symbolic link"
[ ! -e "$W/stdin" ] && pass "nothing submitted through the link" ||
    fail "the linked file was submitted"
rm "$ITEM/original.eml"
mv "$W/original.saved" "$ITEM/original.eml"
{ printf 'From: a@sender.example\nTo: b@city.example.lg.jp\nSubject: big\n\n'
  i=0; while [ $i -lt 16000 ]; do
	echo "line $i abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
	i=$((i + 1)); done; } >"$W/big.eml"
BID=$("$QFILL" "$W/store-big" "$W/big.eml") || fail "qfill big"
BIG=$(find "$W/store-big" -path "*/$BID/original.eml")
rm -f "$W/stdin"
expect "an original changed while it is sent is not submitted" 1 \
    env FAKE_TAMPER="$BIG" $Q release "$BID" --dir "$W/store-big" \
    --to audit@city.example.lg.jp
has "release says the original changed" "$W/err" "changed while"
[ ! -e "$W/stdin" ] && pass "the submit command was stopped before the end of its input" ||
    fail "the changed original was submitted"
has "audit: the stopped release failed" "$W/store-big/audit.log" '"outcome":"failed"'

# purge
expect "purge --older-than 30" 0 $Q purge --older-than 30
has "purge count" "$W/out" "purged 2 item(s)"
expect "list after purge" 0 $Q list
lines "3 left" "$W/out" 4
n=$(grep -c '"event":"purged"' "$S/audit.log")
[ "$n" = 2 ] && pass "two purged audit lines" || fail "purged lines: $n"
expect "show purged item" 1 $Q show "$OLD"
expect "purge default (retention_days)" 0 $Q purge
has "nothing more to purge" "$W/out" "purged 0 item(s)"
expect "purge negative days" 2 $Q purge --older-than -5

# usage
expect "no subcommand" 2 $Q
expect "unknown subcommand" 2 $Q frobnicate
expect "help" 0 "$MUGAI" quarantine --help
expect "no store" 1 "$MUGAI" quarantine --dir "$W/none" list

# a store filled by the engine: mugai sanitize --quarantine DIR
S2="$W/store2"
printf '[quarantine]\nkeep_original = quarantined\n' >"$W/keep.conf"
expect "sanitize --quarantine" 0 "$MUGAI" sanitize -c "$W/keep.conf" --quarantine "$S2" "$W/in.eml" "$W/san.eml"
Q2="$MUGAI quarantine --dir $S2"
expect "list the sanitized store" 0 $Q2 list
lines "one item kept" "$W/out" 2
has "engine's removed item listed" "$W/out" "1 invoice.exe"
SID=$(tail -1 "$W/out" | awk '{print $3}')
has "the notice names the quarantine ID" "$W/san.eml" "$SID"
expect "extract the sanitized original" 0 $Q2 extract "$SID"
cmp -s "$W/out" "$W/in.eml" && pass "stored original is the input, byte-exact" || fail "stored original differs"
expect "show the engine's report" 0 $Q2 show "$SID"
has "report part numbers" "$W/out" "1.2"
expect "extract the part the report names" 0 $Q2 extract "$SID" --part 1.2
[ "$(head -c 2 "$W/out")" = MZ ] && pass "engine's part 1.2 decoded" || fail "engine part"
has "audit stored by the user" "$S2/audit.log" '"event":"stored"'
printf 'From: a@sender.example\nTo: b@city.example.lg.jp\nSubject: plain\n\nplain text only\n' >"$W/plain.eml"
expect "sanitize --quarantine, plain text" 0 "$MUGAI" sanitize -c "$W/keep.conf" --quarantine "$S2" "$W/plain.eml" "$W/plain.out"
expect "list again" 0 $Q2 list
lines "nothing quarantined, nothing kept (keep_original = quarantined)" "$W/out" 2
printf 'From: a@sender.example\nTo: b@city.example.lg.jp\nSubject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=F\n\n--F\nContent-Type: text/plain\n\nsee below\n--F\nContent-Type: message/rfc822\n\nFrom: inner@example\nSubject: inner\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=G\n\n--G\nContent-Type: text/plain\n\ninner text\n--G\nContent-Type: application/zip; name=x.zip\nContent-Transfer-Encoding: base64\n\nUEsDBAo=\n--G--\n--F--\n' >"$W/fwd.eml"
expect "sanitize --quarantine, forwarded message" 0 "$MUGAI" sanitize -c "$W/keep.conf" --quarantine "$S2" "$W/fwd.eml" "$W/fwd.out"
FID=$($Q2 list --subject fwd | tail -1 | awk '{print $3}')
expect "extract the forwarded message" 0 $Q2 extract "$FID" --part 1.2
has "forwarded message written whole" "$W/out" "Subject: inner"
expect "extract inside the forwarded message" 0 $Q2 extract "$FID" --part 1.2.1.2
[ "$(head -c 2 "$W/out")" = PK ] && pass "zip inside forwarded message decoded" || fail "nested part"
expect "sanitize --quarantine into an unsafe store" 1 sh -c "mkdir -p '$W/bad' && chmod 777 '$W/bad' && '$MUGAI' sanitize --quarantine '$W/bad' '$W/in.eml' '$W/bad.out'"
[ ! -s "$W/bad.out" ] && pass "no output when the original cannot be kept" || fail "output written without a kept original"

# mail-derived text is printed escaped: no terminal sequence, no bidi
# control, no line break of the sender's reaches the administrator's screen
S3="$W/store3"
printf 'From: =?utf-8?q?=1B=5D0=3Bpwned=07Boss?= <boss@sender.example>\nTo: b@city.example.lg.jp\nSubject: =?utf-8?b?aW52b2ljZeKArmZkcC5leGU=?= =?utf-8?q?=0Anext_line?=\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhello\n--XX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8%s%s\nContent-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--XX--\n' "''" 'a%E2%80%AEexe.txt%1B%5B2J' >"$W/evil.eml"
expect "sanitize --quarantine, hostile headers and name" 0 "$MUGAI" sanitize -c "$W/keep.conf" --quarantine "$S3" "$W/evil.eml" "$W/evil.out"
Q3="$MUGAI quarantine --dir $S3"
EID=$($Q3 list | tail -1 | awk '{print $3}')
clean_out() {	# clean_out DESC: no ESC, BEL, U+202E, U+2028 in $W/out
	if LC_ALL=C grep -q "$(printf '\033\\|\007\\|\342\200\256\\|\342\200\250')" "$W/out"; then
		fail "$1 (raw control or bidi character)"; cat -A "$W/out" | head; else pass "$1"; fi
}
expect "list a hostile item" 0 $Q3 list
clean_out "list prints hostile headers escaped"
has "list shows the bidi override as an escape" "$W/out" 'invoice\u202efdp.exe'
lines "list: one line per item" "$W/out" 2
expect "show a hostile item" 0 $Q3 show "$EID"
clean_out "show prints hostile headers and names escaped"
has "show: escaped ESC in From" "$W/out" '\x1b]0;pwned\x07Boss'
has "show: escaped line break in Subject" "$W/out" 'fdp.exe\x0anext line'
has "show: escaped filename" "$W/out" 'a\u202eexe.txt\x1b[2J'

# audit lines are JSON
"$PY" -c '
import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert set(["time","event","id","actor","outcome"]) <= set(o), l
' "$S/audit.log" && pass "audit.log is JSON lines" || fail "audit.log not JSON lines"

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
