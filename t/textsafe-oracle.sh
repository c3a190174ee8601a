#!/bin/sh
# textsafe-oracle - the text mugai_textsafe() leaves passes the contract
# checks of t/fuzz/oracle.c (t/oracle-check) and, when MUGAI_VALIDATOR names
# it (.ci/run), the independent validator check_sanitized.py.
#
# Builds a nasty text/plain message (every MARKUP_RULES pattern, tags,
# uuencode/yEnc/BinHex/armor lines, base64 runs, file signatures in bytes
# and in the latin-1 view, controls, bidi overrides) around ordinary
# Japanese and English sentences, runs it through t/textsafe-filter
# (textsafe alone, then encblock + textsafe), wraps each output in a minimal
# text/plain UTF-8 base64 message and asks the oracle (and the validator).
# Skips (77) without python3, which builds the message.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
oracle="$top_builddir/t/oracle-check"
[ -x "$oracle" ] || { echo "FAIL: $oracle not built"; exit 1; }
checker=${MUGAI_VALIDATOR:-}
[ -n "$checker" ] && [ ! -f "$checker" ] &&
    { echo "FAIL: MUGAI_VALIDATOR=$checker is not a file"; exit 1; }
filter="$top_builddir/t/textsafe-filter"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/textsafe-oracle.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

"$py" - "$tmp" <<'PYEOF' || exit 1
import base64, sys
tmp = sys.argv[1]
prose = [
    "令和6年度の予算案について、総務課よりご連絡いたします。",
    "添付の資料は三層分離の方針により無害化されています。",
    "ご不明な点がございましたら、担当の山田までお問い合わせください。",
    "会議は来週の火曜日、午前十時から第二会議室で開催します。",
    "住民票の写しの交付申請は、窓口または郵送で受け付けています。",
    "The committee will meet on Tuesday at ten in the second room.",
    "Please send the signed form back before the end of the month.",
    "Our office is closed on national holidays and at the year end.",
    "a < b and x <= y hold, and if (a<3) the loop stops early.",
    "Write to me: yamada@city.example.lg.jp with the data: 5 items.",
]
nasty = [
    "<html><body onload=alert(1)><script>alert('x')</script></body></html>",
    "< script src=x></ script> <iframe src=x> <frame> <object> <embed>",
    "<applet code=x> <form action=x> <style>a{}</style> <svg onload=x>",
    "<meta http-equiv=refresh content=0> <base href=x> <link href=x>",
    "<\u017fcript>alert(1)</\u017fcript> <\u212abd> <!-- comment --> <?php ?>",
    "<a href=\"x\" onmouseover=\"steal()\">click</a> <img src=x onerror=y>",
    "java script:alert(1) JaVaScRiPt : x vbscript:msgbox vb script :y",
    "livescript:x data:text/html;base64,PHNjcmlwdD4= data : image/svg+xml ,x",
    "data:,hello data:;base64,AAAA width: expression(alert(1))",
    "-moz-binding: url(x.xml#x) behavior: url(x.htc) onclick = go()",
    "ondragstart=a onpointerdown=b ontouchstart=c onanimationend=d",
    "onbeforeunload=x onhashchange=y onmessage=z oncontextmenu=w",
    "begin 644 evil.exe",
    "M86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C86)C",
    "end",
    "begin-base64 644 evil.txt",
    "=ybegin line=128 size=100 name=evil.bin",
    "=ypart begin=1 end=100",
    "=yend size=100",
    "(This file must be converted with BinHex 4.0)",
    "-----BEGIN PGP MESSAGE-----",
    "------BEGIN PKCS7-----",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----",
    "-----BEGIN PGP ARMORED FILE-----",
] + ["QUFBQUFBQUFBQUFBQUFBQUFBQUFB%d" % i for i in range(12)] + [
    "%PDF-1.7 %%PDF-1 %\u6f22PDF-2 %!PS-Adobe-3.0 {\\rtf1\\ansi",
    "This program cannot be run in DOS mode.",
    "MZ\u00e9 MZ\u6f22 M\u6f22Z\u6f22\u00e9 GIF89a\u00e9 GIF87a\u6f22",
    "\u00ff\u00d8\u00ff\u00e0 \u00c9PNG",
    "controls:\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x80\x85\x9f end.",
    "bidi: invoice\u202efdp.exe \u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069 end.",
    "Content-Type: message/rfc822",
    "content-type : application/ms-tnef",
]
# The sentences the filter must leave alone (the last two hold characters
# it may mark up).
with open(tmp + "/prose.txt", "w", encoding="utf-8") as f:
    f.write("".join(p + "\n" for p in prose[:8]))
lines = ["\ufeff" + prose[0]]
for i, n in enumerate(nasty):
    lines.append(n)
    lines.append(prose[(i + 1) % len(prose)])
text = "\r\n".join(lines) + "\r\n"
with open(tmp + "/body.txt", "wb") as f:
    f.write(text.replace("\r\n", "\n").encode("utf-8"))
hdr = ("From: Sender <sender@example.com>\r\nTo: staff@city.example.lg.jp\r\n"
       "Subject: oracle\r\nDate: Mon, 01 Apr 2024 10:00:00 +0900\r\n"
       "Message-ID: <oracle@example.com>\r\nMIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=utf-8\r\n"
       "Content-Transfer-Encoding: base64\r\n\r\n")
with open(tmp + "/hdr.txt", "wb") as f:
    f.write(hdr.encode("ascii"))
body = base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")
with open(tmp + "/orig.eml", "wb") as f:
    f.write(hdr.encode("ascii") + body)
PYEOF

wrap() {
	"$py" - "$1" "$2" "$tmp/hdr.txt" <<'PYEOF'
import base64, sys
src, dst, hdr = sys.argv[1:4]
data = open(src, "rb").read()
body = base64.encodebytes(data).replace(b"\n", b"\r\n")
open(dst, "wb").write(open(hdr, "rb").read() + body)
PYEOF
}

rc=0
for mode in textsafe encblock; do
	opt=
	[ "$mode" = encblock ] && opt=-e
	"$filter" $opt <"$tmp/body.txt" >"$tmp/out.txt" 2>"$tmp/blocks.txt" ||
	    { echo "$mode: filter failed"; exit 1; }
	wrap "$tmp/out.txt" "$tmp/out.eml" || exit 1
	if "$oracle" "$tmp/out.eml" >"$tmp/verdict.txt" &&
	    "$oracle" --text "$tmp/out.txt" >>"$tmp/verdict.txt"; then
		echo "$mode: oracle PASS"
	else
		echo "$mode: oracle FAIL"
		rc=1
	fi
	cat "$tmp/verdict.txt"
	# Text that is safe is never dropped.
	while IFS= read -r line; do
		grep -qF -- "$line" "$tmp/out.txt" ||
		    { echo "$mode: FAIL: lost \"$line\""; rc=1; }
	done <"$tmp/prose.txt"
	if [ -n "$checker" ]; then
		if "$py" "$checker" "$tmp/orig.eml" "$tmp/out.eml" \
		    >"$tmp/verdict.txt"; then
			echo "$mode: validator PASS"
		else
			echo "$mode: validator FAIL"
			rc=1
		fi
		cat "$tmp/verdict.txt"
	fi
	[ "$mode" = encblock ] && cat "$tmp/blocks.txt"
	# The filter's output is a fixed point.
	"$filter" <"$tmp/out.txt" | cmp -s - "$tmp/out.txt" ||
	    { echo "$mode: second run changed the text"; rc=1; }
done
exit $rc
