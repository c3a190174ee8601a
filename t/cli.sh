#!/bin/bash
# cli - `mugai sanitize`, `mugai check-config` and `mugai extract` end to
# end: each policy action, exit statuses, pipes, --explain, --quarantine,
# config errors, the text of a document.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mugai-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# A message with one attachment named $1, declared $2.
msg() {
	cat <<EOM
From: a@example.jp
To: b@lgwan.example
Subject: test
Date: Sat, 21 Nov 2026 10:00:00 +0900
Message-ID: <cli@example.jp>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

本文です。
--b
Content-Type: $2; name="$1"
Content-Disposition: attachment; filename="$1"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
--b--
EOM
}

cat > "$tmp/rules.conf" <<'EOC'
[rule reject-exe]
extension = exe
action = reject

[rule defer-bat]
extension = bat
action = tempfail

[rule drop-csv]
declared_type = text/csv
action = drop

[rule keep-rest]
declared_type = *
action = quarantine
EOC

msg tool.exe application/octet-stream > "$tmp/exe.eml"
"$mugai" sanitize -c "$tmp/rules.conf" "$tmp/exe.eml" > "$tmp/out" 2> "$tmp/err"
check "reject rule: exit 1" "[ $? -eq 1 ]"
check "reject rule: nothing written" "[ ! -s '$tmp/out' ]"
check "reject rule: says reject" "grep -q 'reject' '$tmp/err'"

msg run.bat application/octet-stream > "$tmp/bat.eml"
"$mugai" sanitize -c "$tmp/rules.conf" "$tmp/bat.eml" > "$tmp/out" 2> "$tmp/err"
check "tempfail rule: exit 1" "[ $? -eq 1 ]"
check "tempfail rule: says tempfail" "grep -q 'tempfail' '$tmp/err'"

msg list.csv text/csv > "$tmp/csv.eml"
"$mugai" sanitize -c "$tmp/rules.conf" --explain "$tmp/csv.eml" > "$tmp/out" 2> "$tmp/err"
check "drop rule: exit 0" "[ $? -eq 0 ]"
check "drop rule: --explain names the rule" "grep -q 'rule: drop-csv' '$tmp/err'"
check "drop rule: notice lists it as removed" \
    "base64 -d < <(sed '1,/^\$/d' '$tmp/out') | grep -q 'list.csv.*削除'"

msg report.pdf application/pdf > "$tmp/pdf.eml"
mkdir "$tmp/q"
chmod 750 "$tmp/q"
cat "$tmp/pdf.eml" | "$mugai" sanitize --quarantine "$tmp/q" --json 2> "$tmp/err" | cat > "$tmp/out"
check "quarantine: stdin and stdout pipes work" "grep -q '^X-Mugai-Sanitized: .*verdict=sanitized' '$tmp/out'"
check "quarantine: the PE inside a .pdf is flagged" "grep -q '\"mismatch\"' '$tmp/err'"
id=$(sed -n 's/.*quarantine=\([^; ]*\).*/\1/p' "$tmp/out")
check "quarantine: the header names the item" "[ -n '$id' ]"
check "quarantine: the original is stored byte for byte" \
    "cmp -s '$tmp/pdf.eml' \"\$(find '$tmp/q' -path '*$id/original.eml')\""
check "quarantine: the notice gives the ID" \
    "base64 -d < <(sed '1,/^\$/d' '$tmp/out') | grep -q '$id'"

printf 'From: a@b\nSubject: x\nContent-Type: multipart/encrypted; boundary=e\n\n--e\nContent-Type: application/octet-stream\n\nX\n--e--\n' > "$tmp/enc.eml"
"$mugai" sanitize "$tmp/enc.eml" > "$tmp/out" 2>/dev/null
check "withheld: exit 1 with the notice written" "[ $? -eq 1 ] && grep -q 'verdict=withheld' '$tmp/out'"

printf '[sanitize]\nurl_mode = keep\n\n[limits]\nmax_dpth = 3\n' > "$tmp/bad.conf"
"$mugai" check-config -c "$tmp/bad.conf" > /dev/null 2> "$tmp/err"
check "check-config: exit 2 on an unknown key" "[ $? -eq 2 ]"
check "check-config: names file and line" "grep -q 'bad.conf:5: unknown key \"max_dpth\"' '$tmp/err'"
"$mugai" check-config "$tmp/bad.conf" > /dev/null 2> "$tmp/err"
check "check-config FILE (no -c): the file is read" "[ $? -eq 2 ] && grep -q 'bad.conf:5' '$tmp/err'"
"$mugai" check-config -c "$tmp/bad.conf" extra > /dev/null 2>&1
check "check-config: a stray argument is a usage error" "[ $? -eq 2 ]"
printf '[rule x]\ndetected_type = app[lication/*\naction = drop\n' > "$tmp/glob.conf"
"$mugai" check-config -c "$tmp/glob.conf" > /dev/null 2> "$tmp/err"
check "check-config: a bad glob is an error" "[ $? -eq 2 ] && grep -q 'glob.conf:2' '$tmp/err'"
"$mugai" sanitize -c "$tmp/bad.conf" "$tmp/pdf.eml" > /dev/null 2>&1
check "sanitize: exit 2 on a bad config" "[ $? -eq 2 ]"
"$mugai" sanitize --no-such-option > /dev/null 2>&1
check "sanitize: exit 2 on a bad option" "[ $? -eq 2 ]"

# --json: stderr is one JSON document, remarks inside it. A bare CR
# makes the fast path decline and the GMime engine take over.
py=${PYTHON3:-python3}
is_json() { "$py" -c 'import json,sys; json.load(sys.stdin)' < "$1"; }
printf 'From: a@example.jp\nTo: b@lgwan.example\nSubject: cr\n\nline one\rline two\n' > "$tmp/cr.eml"
"$mugai" sanitize --json "$tmp/cr.eml" > "$tmp/out" 2> "$tmp/err"
check "--json after a fallback: exit 0" "[ $? -eq 0 ]"
check "--json after a fallback: stderr parses as JSON" "is_json '$tmp/err'"
check "--json after a fallback: the reason is inside" \
    "grep -q '\"stream_declined\" : \"bare CR\"' '$tmp/err'"
"$mugai" sanitize --explain "$tmp/cr.eml" > "$tmp/out" 2> "$tmp/err"
check "--explain still says the fast path declined" \
    "grep -q '^stream engine declined: bare CR' '$tmp/err'"
"$mugai" sanitize -c "$tmp/rules.conf" --json "$tmp/exe.eml" > "$tmp/out" 2> "$tmp/err"
check "--json on reject: exit 1, JSON only" "[ $? -eq 1 ] && is_json '$tmp/err'"
check "--json on reject: the reply is inside" "grep -q '\"reject: ' '$tmp/err'"
"$mugai" sanitize --engine=stream --json "$tmp/cr.eml" > "$tmp/out" 2> "$tmp/err"
check "--json --engine=stream declined: exit 3, JSON only" "[ $? -eq 3 ] && is_json '$tmp/err'"
"$mugai" sanitize --json "$tmp/none.eml" > "$tmp/out" 2> "$tmp/err"
check "--json on a missing input: exit 1, JSON only" "[ $? -eq 1 ] && is_json '$tmp/err' && grep -q none.eml '$tmp/err'"
"$mugai" sanitize -c "$tmp/bad.conf" --json "$tmp/pdf.eml" > "$tmp/out" 2> "$tmp/err"
check "--json on a bad config: exit 2, JSON only" "[ $? -eq 2 ] && is_json '$tmp/err' && grep -q max_dpth '$tmp/err'"
mkdir -p "$tmp/bad-q" && chmod 777 "$tmp/bad-q"
"$mugai" sanitize --json --quarantine "$tmp/bad-q" "$tmp/pdf.eml" > "$tmp/out" 2> "$tmp/err"
check "--json when the original cannot be kept: exit 1, JSON only" "[ $? -eq 1 ] && is_json '$tmp/err'"
"$mugai" quarantine --dir "$tmp/q" list --json > "$tmp/out" 2> "$tmp/err"
check "quarantine list --json: stdout is JSON" "is_json '$tmp/out'"

# Issue 20: a CRLF file whose closing boundary has no final CRLF; the last
# part is "MZ bytes" (8 bytes: the CRLF before the boundary is the
# boundary's), not "MZ bytes\r" (a stray CR in the size and SHA-256).
printf 'From: a@example.jp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHello.\r\n--b\r\nContent-Type: application/octet-stream; name=a.exe\r\n\r\nMZ bytes\r\n--b--' > "$tmp/crlf-close.eml"
sha=$(printf 'MZ bytes' | sha256sum | cut -d' ' -f1)
for e in gmime stream; do
	"$mugai" sanitize --engine=$e --json "$tmp/crlf-close.eml" "$tmp/out" 2> "$tmp/err"
	check "CRLF, unterminated closing boundary ($e): size and SHA-256 of the part without a CR" \
	    "grep -q '\"size\" : 8,' '$tmp/err' && grep -q '$sha' '$tmp/err' && sed '1,/^\r\?$/d' '$tmp/out' | tr -d '\r' | base64 -d | grep -q '$sha'"
done
"$top_builddir/mugai-milter" --help > "$tmp/out" 2>&1
check "mugai-milter --help: exit 0, usage on stdout" "[ $? -eq 0 ] && grep -qi usage '$tmp/out'"
# mugai extract: one document through the build's helper.
printf '[extract]\nhelper = %s\n' "$top_builddir/mugai-extract" > "$tmp/x.conf"
printf '[extract]\nhelper = /nonexistent/mugai-extract\n' > "$tmp/nox.conf"
"$py" "$top_srcdir/t/e2e/e2e.py" pdf "$tmp/minutes.pdf" "Budget meeting minutes"
"$mugai" extract -c "$tmp/x.conf" "$tmp/minutes.pdf" > "$tmp/out" 2> "$tmp/err"
check "extract: a PDF's text, exit 0" "[ $? -eq 0 ] && grep -q '^Budget meeting minutes$' '$tmp/out'"
cp "$tmp/minutes.pdf" "$tmp/minutes.bin"
"$mugai" extract -c "$tmp/x.conf" --type pdf "$tmp/minutes.bin" > "$tmp/out" 2> "$tmp/err"
check "extract --type: the hint for a name that gives none" "[ $? -eq 0 ] && grep -q 'Budget' '$tmp/out'"
head -c 100 "$tmp/minutes.pdf" > "$tmp/cut.pdf"
"$mugai" extract -c "$tmp/x.conf" "$tmp/cut.pdf" > "$tmp/out" 2> "$tmp/err"
check "extract: a damaged PDF, exit 1, stderr says so" "[ $? -eq 1 ] && grep -q 'damaged' '$tmp/err'"
"$mugai" extract -c "$tmp/x.conf" --type exe "$tmp/minutes.pdf" > "$tmp/out" 2> "$tmp/err"
check "extract: an unknown type is a usage error" "[ $? -eq 2 ]"
"$mugai" extract -c "$tmp/nox.conf" "$tmp/minutes.pdf" > "$tmp/out" 2> "$tmp/err"
check "extract: no helper, exit 2, names it" "[ $? -eq 2 ] && grep -q '/nonexistent/mugai-extract' '$tmp/err'"
printf 'From: a@example.jp\nTo: b@example.jp\nSubject: m\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nbody\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="minutes.pdf"\nContent-Transfer-Encoding: base64\n\n' > "$tmp/pdfmsg.eml"
"$py" -c 'import base64,sys; sys.stdout.write(base64.encodebytes(open(sys.argv[1],"rb").read()).decode())' "$tmp/minutes.pdf" >> "$tmp/pdfmsg.eml"
printf -- '--b--\n' >> "$tmp/pdfmsg.eml"
"$mugai" sanitize -c "$tmp/x.conf" "$tmp/pdfmsg.eml" > "$tmp/out" 2> "$tmp/err"
check "sanitize: the PDF's text in the body" "[ $? -eq 0 ] && \"$py\" -c 'import email,email.policy,sys; m=email.message_from_bytes(open(sys.argv[1],\"rb\").read(),policy=email.policy.default); t=m.get_content(); sys.exit(0 if \"Budget meeting minutes\" in t and \"(text only)\" in t else 1)' '$tmp/out'"
"$mugai" sanitize -c "$tmp/nox.conf" "$tmp/pdfmsg.eml" > "$tmp/out" 2> "$tmp/err"
check "sanitize without a helper: delivered, the notice says why" "[ $? -eq 0 ] && \"$py\" -c 'import email,email.policy,sys; m=email.message_from_bytes(open(sys.argv[1],\"rb\").read(),policy=email.policy.default); sys.exit(0 if \"text extraction is unavailable\" in m.get_content() else 1)' '$tmp/out'"

[ $fails -eq 0 ] && echo "PASS" || echo "FAIL ($fails)"
[ $fails -eq 0 ]
