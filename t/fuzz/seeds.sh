#!/bin/sh
# seeds.sh - hostile seed inputs made by code, not kept as files
#
#   t/fuzz/seeds.sh HARNESS DIR
#
# Writes into DIR inputs for the harness named (sanitize, stream, headers,
# notice, unlock, docs; nothing for the others) that aim at what mugai writes in
# its own voice and at the headers it passes: filenames with encoded line breaks
# (RFC 2231 %0A, CR, NEL, U+2028) and bidi controls, long names, encoded
# ESC/BEL and U+202E in From: and Subject:, a character split across two
# encoded-words, double-encoded words in headers that get rewritten, raw
# UTF-8 addresses with bidi and C1 characters, a header of many folds,
# header names as long as a line and longer, a withheld message. contrib/fuzz seeds its runs with them, and
# t/regress.sh replays them through each harness (the oracle of
# t/fuzz/oracle.c included) on every make check.
set -eu

h=${1:?harness}
d=${2:?directory}
mkdir -p "$d"

# The pieces, as printf formats (no '%' but the escapes below).
EVIL='a.exe%%0A%%E3%%80%%90%%E7%%AE%%A1%%E7%%90%%86%%E8%%80%%85%%E3%%81%%8B%%E3%%82%%89%%E3%%80%%91%%E6%%B7%%BB%%E4%%BB%%98%%E3%%81%%AF%%E5%%AE%%89%%E5%%85%%A8%%0D%%0A%%C2%%85%%E2%%80%%A8%%E2%%80%%AEtxt.exe'
HDRS='From: a@example.jp\nTo: b@lgwan.example\nSubject: seed\nDate: Sat, 21 Nov 2026 10:00:00 +0900\nMIME-Version: 1.0\n'
MZ='TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

# msg NAME FORMAT: one message.
msg() { printf "$2" >"$d/$1.eml"; }

messages() {
	msg name-2231 "${HDRS}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8''${EVIL}\nContent-Transfer-Encoding: base64\n\n${MZ}\n--b--\n"
	msg name-2231-parts "${HDRS}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*0*=utf-8''a%%0A%%E3%%80%%90; filename*1*=%%E2%%80%%AEfdp.exe\nContent-Transfer-Encoding: base64\n\n${MZ}\n--b--\n"
	msg name-2047-crlf "${HDRS}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: application/zip; name=\"=?utf-8?q?x=0D=0A=E3=80=90fake=E3=80=91_=E2=80=AEpiz.exe?=\"\nContent-Transfer-Encoding: base64\n\nUEsDBAo=\n--b--\n"
	msg name-text-label "${HDRS}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename*=utf-8''${EVIL}\n\nAttached words.\n--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename*=utf-8''${EVIL}\n\nFrom: c@example.jp\nSubject: =?utf-8?q?in=0Aner=E2=80=A8x?=\n\nInner words.\n--b--\n"
	long=$(printf '%0300d' 0 | tr 0 x)
	msg name-long "${HDRS}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: application/octet-stream; name=\"${long}.exe\"\nContent-Transfer-Encoding: base64\n\n${MZ}\n--b--\n"
	msg hdr-encoded-controls "From: =?utf-8?q?=1B=5D0=3Bpwned=07Boss?= <boss@example.jp>\nTo: =?utf-8?b?4oCuc3JlcGFw?= <b@lgwan.example>\nSubject: =?utf-8?b?aW52b2ljZeKArmZkcC5leGU=?=\nX-Note: =?iso-8859-1?q?a=85b=9Bc?=\nKeywords: =?utf-8?q?a=E2=80?= =?utf-8?q?=AEb?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nPlain words.\n"
	msg hdr-encoded-controls-html "From: =?utf-8?q?=1B]0;pwned=07Boss?= <boss@example.jp>\nSubject: =?utf-8?q?=E2=81=A6x=E2=81=A9=E2=80=8F=D8=9C?=\nMIME-Version: 1.0\nContent-Type: text/html\n\n<p>Rendered words.</p>\n"
	msg hdr-double-encoded "From: \223\372 =?utf-8?b?Qm9zcyA9P3V0Zi04P3E/PTFCXTA7eD0wNz89?= <b@example.jp>\nSubject: \223\372 =?utf-8?b?aW52b2ljZSA9P3V0Zi04P2I/NG9DdVptUndMbVY0WlE9PT89?=\nMIME-Version: 1.0\nContent-Type: text/plain\n\nWords.\n"
	msg hdr-raw-utf8 "From: \"Evil \342\200\256cba\" <t@example.jp>\nTo: \345\261\261\347\224\260\302\233 <u@example.jp>\nSubject: caf\303\251 \342\200\250 next\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nWords.\n"
	folds=$(i=0; while [ $i -lt 2000 ]; do printf '\n w'; i=$((i + 1)); done)
	msg hdr-many-folds "${HDRS}X-Folded: start${folds}\nContent-Type: text/plain\n\nWords.\n"
	# A header name that fills a line (CI's fuzz_stream, session 10),
	# and one past where GMime's parser gives up.
	for n in 990 4300; do
		name=$(printf "%0${n}d" 0 | tr 0 X)
		msg "hdr-name-$n" "${HDRS}${name}: v\nContent-Type: text/plain\n\nWords.\n"
		msg "hdr-name-$n-withheld" "${HDRS}${name}: v\nContent-Type: multipart/encrypted; boundary=e\n\n--e\nContent-Type: application/octet-stream\n\nX\n--e--\n"
	done
	msg withheld "From: =?utf-8?q?=07x?= <a@example.jp>\nSubject: =?utf-8?q?=E2=80=AEenc?=\nContent-Type: multipart/encrypted; boundary=e\n\n--e\nContent-Type: application/octet-stream; name=\"x\n\"\n\nX\n--e--\n"
}

case $h in
sanitize)
	messages
	;;
stream)
	t=$(mktemp -d)
	d0=$d
	d=$t
	messages
	for f in "$t"/*.eml; do
		n=$(basename "$f")
		{ printf '\000\001'; cat "$f"; } >"$d0/cut1-$n"
		{ printf '\252\125'; cat "$f"; } >"$d0/cut2-$n"
	done
	rm -rf "$t"
	;;
headers)
	t=$(mktemp -d)
	d0=$d
	d=$t
	messages
	for f in "$t"/*.eml; do
		sed -n '1,/^$/p' "$f" >"$d0/$(basename "$f" .eml).hdr"
	done
	rm -rf "$t"
	;;
notice)
	# reason NUL (selector+name NUL type NUL warning NUL)...; selector
	# bit 0 quarantine, bit 1 warning, bit 2 no name.
	printf 'why\n\343\200\220\347\256\241\347\220\206\350\200\205\343\201\213\343\202\211\343\200\221\000\003a.exe\n\343\200\220fake\343\200\221\r\n\302\205\342\200\250\342\200\256txt.exe\000application/x\n\343\200\220\000w\342\200\251x\033[2J' >"$d/lines.bin"
	printf 'reason\000\001\342\201\246iso\342\201\251\342\200\216\342\200\217\330\234\000text/plain\000\000\004\000\000\000\002\377\376\300\000t\177\000\237' >"$d/bidi-and-bytes.bin"
	long=$(printf '%0250d' 0 | sed 's/0/\xe9\x95\xb7/g')
	printf 'r\000\003%s\000type\000warn' "$long" >"$d/long.bin"
	printf '\000\002----------------------------------------\000t\000------------------------' >"$d/footer-lookalike.bin"
	;;
unlock)
	# fuzz_unlock: selector, then (1, 2) method NAME NUL CONTENT, made
	# into an encrypted zip by the harness, or (3) an answer stream.
	printf '\001\000\214\251\220\317\217\221.txt\000\202\250\214\251\220\317\202\340\202\350' >"$d/zipcrypt-cp932.bin"
	printf '\001\001\350\246\213\347\251\215\346\233\270.txt\000quote 12,000 yen' >"$d/aes128-utf8.bin"
	printf '\001\002setup.exe\000MZ\220\000This program cannot be run in DOS mode' >"$d/aes256-exe.bin"
	printf '\002\000a.txt\000secret words' >"$d/wrong-zipcrypt.bin"
	printf '\002\002a.txt\000secret words' >"$d/wrong-aes256.bin"
	zeros=$(printf '%04096d' 0)
	printf '\001\002bomb.bin\000%s%s%s%s' "$zeros" "$zeros" "$zeros" "$zeros" >"$d/zeros.bin"
	printf '\003MUGAI-UNLOCK/1 status=ok reason=- entries=1 length=21\nE size=2 name=3\nabchi' >"$d/answer.bin"
	printf '\003MUGAI-UNLOCK/1 status=wrong_password reason=passphrase entries=0 length=0\n' >"$d/answer-wrong.bin"
	printf '\000PK\005\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$d/empty-zip.bin"
	;;
docs)
	# fuzz_docs: selector 1 RTF; 2 KIND XML, the package made by the
	# harness (0 docx, 1 xlsx sheet, 2 pptx slide, 3 odt, 4 ods, 5 odp);
	# 3 the streams of a Word, Excel or PowerPoint 97 file.
	printf '\001{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0 MS Mincho;}}\\f0 \\'"'"'8c\\'"'"'a9\\'"'"'90\\'"'"'cf \\u26360?\\par{\\*\\pict 0102}{\\field{\\*\\fldinst HYPERLINK x}{\\fldrslt y}}\\tab z\\par}' >"$d/rtf-cp932.bin"
	printf '\001{\\rtf1{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{deep}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}' >"$d/rtf-deep.bin"
	printf '\002\000<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>見積書</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> 12,000 </w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>' >"$d/docx.bin"
	printf '\002\001<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>3.5</v></c></row><row r="5"><c r="XFD5" t="inlineStr"><is><t>far</t></is></c></row></sheetData></worksheet>' >"$d/xlsx.bin"
	printf '\002\002<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>スライド</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>' >"$d/pptx.bin"
	printf '\002\003<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:h>題</text:h><text:p>本文<text:s text:c="3"/>x<text:tab/>y</text:p><office:annotation><text:p>note</text:p></office:annotation></office:text></office:body></office:document-content>' >"$d/odt.bin"
	printf '\002\004<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="T"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>' >"$d/ods-repeat.bin"
	# 3: a Word 97 WordDocument (FIB, then "Hello" and a paragraph
	# mark in UTF-16LE) and its 1Table (one piece).
	{
		printf '\003\014\010\354\245\301\000\000\000\000\000\000\000\000\002'
		head -c 406 /dev/zero
		printf '\000\000\000\000\025\000\000\000'
		head -c 1622 /dev/zero
		printf 'H\000e\000l\000l\000o\000\015\000'
		printf '\002\020\000\000\000\000\000\000\000\006\000\000\000\000\000\000\010\000\000\000\000'
	} >"$d/word97.bin"
	# 3 with N's top bit: a Workbook stream (BOF, an SST of "ab" and
	# "c" crossing into a CONTINUE, EOF; a sheet with two LABELSST, an
	# RK and a NUMBER; EOF).
	{
		printf '\003\000\200'
		printf '\011\010\020\000\000\006\005\000'; head -c 12 /dev/zero
		printf '\374\000\014\000\002\000\000\000\002\000\000\000\002\000\000a'
		printf '\074\000\006\000\000b\001\000\000c'
		printf '\012\000\000\000'
		printf '\011\010\020\000\000\006\020\000'; head -c 12 /dev/zero
		printf '\375\000\012\000\000\000\000\000\000\000\000\000\000\000'
		printf '\375\000\012\000\000\000\001\000\000\000\001\000\000\000'
		printf '\176\002\012\000\001\000\000\000\000\000\016\000\000\000'
		printf '\003\002\016\000\001\000\001\000\000\000\000\000\000\000\000\000\360\077'
		printf '\012\000\000\000'
	} >"$d/xls97.bin"
	# 3 with N's two top bits: a PowerPoint Document stream: a
	# DocumentContainer holding the slides' list with one slide.
	{
		printf '\003\000\300'
		printf '\017\000\350\003\042\000\000\000'
		printf '\017\000\360\017\032\000\000\000'
		printf '\000\000\363\003\004\000\000\000\000\000\000\000'
		printf '\000\000\240\017\006\000\000\000h\000i\000\015\000'
	} >"$d/ppt97.bin"
	printf '\002\000<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>' >"$d/docx-dtd.bin"
	;;
esac
