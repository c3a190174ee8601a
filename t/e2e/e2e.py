#!/usr/bin/env python3
"""e2e.py - client side of the mugai end-to-end test (Python 3 stdlib only)

  e2e.py gen DIR
      write the generated cases (ISO-2022-JP, HTML, zip/exe attachments,
      encrypted multiparts, a PDF whose text must arrive, ...) as DIR/*.eml
  e2e.py pdf FILE LINE...
      write a one-page PDF holding the lines (the demo's sample)
  e2e.py send --port P --state STATE.json [--channel smtp|local]
              [--sendmail-conf DIR] [--expect-code 2|4] FILE...
      send each FILE to user@lgwan.example; the envelope sender
      e2e-NNNN@sender.example is the message's ID (Dovecot writes it into
      Return-Path, so the message bytes are sent as they are). Line endings
      become CRLF, smtplib dot-stuffs. Each SMTP reply is recorded in STATE.
  e2e.py verify --state STATE.json --maildir DIR --checker PROG
              [--quarantine DIR] [--maillog FILE] [--milter yes|no]
      match what Dovecot stored against what was sent and judge it with
      PROG: t/oracle-check (the project's contract) or, a .py, the
      independent check_sanitized.py;
      prints a summary, exit 0 when every check passed.

STATE.json holds one record per message sent (id, source file, the exact
bytes sent in sent/ID.eml, every attempt with its SMTP reply).
"""
import argparse
import concurrent.futures
import email.parser
import email.policy
import hashlib
import io
import json
import os
import re
import smtplib
import subprocess
import sys
import time
import zipfile

RCPT = "user@lgwan.example"
SENDER_DOMAIN = "sender.example"
ID_RE = re.compile(r"e2e-(\d{4,})@" + re.escape(SENDER_DOMAIN), re.I)


# ---------------------------------------------------------------- state

def load_state(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return {"messages": []}


def save_state(path, st):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(st, f, indent=1, ensure_ascii=False)
    os.replace(tmp, path)


def crlf(data):
    return re.sub(rb"\r\n|\r|\n", b"\r\n", data)


# ---------------------------------------------------------------- gen

def b64lines(data):
    import base64
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def fake_exe():
    """A small PE-looking file: what libmagic calls a DOS/Windows executable."""
    dos = bytearray(128)
    dos[0:2] = b"MZ"
    dos[0x3c:0x40] = (0x80).to_bytes(4, "little")
    dos[0x40:0x40 + 39] = b"This program cannot be run in DOS mode."
    pe = bytearray(b"PE\0\0")
    pe += (0x14c).to_bytes(2, "little") + (1).to_bytes(2, "little")
    pe += bytes(12) + (0xe0).to_bytes(2, "little") + (0x102).to_bytes(2, "little")
    opt = bytearray(0xe0)
    opt[0:2] = (0x10b).to_bytes(2, "little")
    return bytes(dos + pe + opt + bytes(512))


def pdf_doc(lines):
    """A one-page PDF with lines of ASCII text in Helvetica (not embedded),
    made here so that no document is committed: what mugai-extract reads
    with poppler."""
    def esc(t):
        return t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = ("BT /F1 14 Tf 72 720 Td 18 TL\n" +
               "".join("(%s) '\n" % esc(l) for l in lines) + "ET\n").encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content +
            b"endstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, xref))
    return bytes(out)


# Cases whose delivered text must hold these strings (the milter on).
EXPECT_TEXT = {
    "gen-pdf.eml": [
        "添付ファイル「minutes.pdf」の内容（テキストのみ） / Text of the "
        "attachment \"minutes.pdf\" (text only)",
        "Budget meeting minutes",
        "The library opens on Monday.",
        "テキスト（", "text included after the message (",
    ],
}


def gen(outdir):
    os.makedirs(outdir, exist_ok=True)
    cases = {}
    date = "Date: Fri, 21 Nov 2025 10:00:00 +0900\r\n"
    hdr = ("From: =?UTF-8?B?5aSW6YOo6YCB5L+h6ICF?= <sender@sender.example>\r\n"
           "To: user@lgwan.example\r\n" + date)

    # 1. Japanese mail in ISO-2022-JP (7bit), subject in RFC 2047.
    body = ("お世話になっております。\n"
            "来週の会議の資料について、ご確認をお願いいたします。\n"
            "会議は十一月二十八日の午後二時から第三会議室で行います。\n"
            "どうぞよろしくお願い申し上げます。\n")
    subj = "=?ISO-2022-JP?B?" + __import__("base64").b64encode(
        "会議資料のご確認".encode("iso2022_jp")).decode() + "?="
    cases["gen-iso2022jp"] = (
        hdr + "Subject: " + subj + "\r\n"
        "Message-ID: <gen-iso2022jp@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n").encode() + \
        crlf(body.encode("iso2022_jp"))

    # 2. HTML mail with active content, and its text alternative.
    html = ("<html><head><style>p{color:red}</style>"
            "<script>alert('x')</script></head>"
            "<body onload=\"steal()\"><p>Dear resident, the new waste "
            "collection schedule starts in December.</p>"
            "<p>Please see <a href=\"https://city.example.jp/gomi\">the "
            "city web page</a> for the details of each district.</p>"
            "<img src=\"https://tracker.example/p.gif\" alt=\"city logo\">"
            "<ul><li>Burnable waste on Mondays and Thursdays.</li>"
            "<li>Plastic containers on Wednesdays.</li></ul>"
            "<table><tr><td>District one</td><td>North area</td></tr></table>"
            "<iframe src=\"https://evil.example/\"></iframe>"
            "</body></html>")
    text = ("Dear resident, the new waste collection schedule starts in "
            "December.\r\nPlease see the city web page for the details of "
            "each district.\r\n")
    cases["gen-html-alternative"] = (
        hdr + "Subject: Waste collection schedule\r\n"
        "Message-ID: <gen-html-alternative@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/alternative; boundary=\"alt-b\"\r\n\r\n"
        "--alt-b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + text +
        "--alt-b\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n"
        + html + "\r\n--alt-b--\r\n").encode()
    cases["gen-html-only"] = (
        hdr + "Subject: =?UTF-8?B?" + __import__("base64").b64encode(
            "お知らせ (HTML)".encode()).decode() + "?=\r\n"
        "Message-ID: <gen-html-only@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + crlf(
        ("<html><body><h1>市役所からのお知らせ</h1>"
         "<p>年末年始の窓口業務は十二月二十九日から一月三日までお休みです。</p>"
         "<p>詳しくは<a href=\"https://city.example.jp/info\">こちら</a>"
         "をご覧ください。</p><script>document.location='https://evil."
         "example/'</script></body></html>\n").encode())

    # 3. A zip holding an .exe, and a bare .exe (declared as a PDF).
    exe = fake_exe()
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("invoice.exe", exe)
        z.writestr("readme.txt", "Run invoice.exe to see the invoice.\n")
    cases["gen-zip-exe"] = (
        hdr + "Subject: Invoice for November\r\n"
        "Message-ID: <gen-zip-exe@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"mix-b\"\r\n\r\n"
        "This is a multi-part message in MIME format.\r\n"
        "--mix-b\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Please find the invoice for November attached to this message.\r\n"
        "請求書を添付しますのでご確認ください。\r\n"
        "--mix-b\r\nContent-Type: application/zip; name=\"invoice.zip\"\r\n"
        "Content-Disposition: attachment; filename=\"invoice.zip\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + b64lines(zbuf.getvalue()) + "\r\n"
        "--mix-b\r\nContent-Type: application/pdf; name=\"statement.pdf\"\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''%E6%98%8E%E7%B4"
        "%B0%E6%9B%B8.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + b64lines(exe) + "\r\n--mix-b--\r\n").encode("utf-8")

    # 4. Encrypted multiparts: OpenPGP/MIME and S/MIME enveloped data.
    cases["gen-pgp-encrypted"] = (
        hdr + "Subject: Confidential report\r\n"
        "Message-ID: <gen-pgp-encrypted@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/encrypted; protocol=\"application/pgp-"
        "encrypted\"; boundary=\"enc-b\"\r\n\r\n"
        "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
        "--enc-b\r\nContent-Type: application/pgp-encrypted\r\n"
        "Content-Description: PGP/MIME version identification\r\n\r\n"
        "Version: 1\r\n\r\n"
        "--enc-b\r\nContent-Type: application/octet-stream; "
        "name=\"encrypted.asc\"\r\n"
        "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n"
        "-----BEGIN PGP MESSAGE-----\r\n\r\n"
        "hF4DAAAAAAAAAAASAQdAb3v5c2VjcmV0IGlzIG5vdCBoZXJlIGJ1dCBpdCBsb29r\r\n"
        "cyBsaWtlIGEgcmVhbCBlbmNyeXB0ZWQgbWVzc2FnZSBmb3IgdGhlIHRlc3Q=\r\n"
        "=abcd\r\n-----END PGP MESSAGE-----\r\n\r\n--enc-b--\r\n").encode()
    cases["gen-smime-encrypted"] = (
        hdr + "Subject: S/MIME enveloped\r\n"
        "Message-ID: <gen-smime-encrypted@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; "
        "name=\"smime.p7m\"\r\n"
        "Content-Disposition: attachment; filename=\"smime.p7m\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + b64lines(b"\x30\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01"
                   b"\x07\x03" + os.urandom(240)) + "\r\n").encode()

    # 5. Plain text, nothing to remove: passes unchanged.
    cases["gen-plain-ascii"] = (
        hdr + "Subject: Plain text only\r\n"
        "Message-ID: <gen-plain-ascii@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This message is plain text and should pass without changes.\r\n"
        "It has two sentences and no attachment at all.\r\n").encode()

    # 6. Shift_JIS text with a uuencoded binary hidden in the body.
    uu = "begin 644 tool.exe\n" + "".join(
        "M" + "".join(chr(0x20 + ((i * 7 + j) % 64)) for j in range(60)) + "\n"
        for i in range(8)) + "`\nend\n"
    cases["gen-sjis-uuencode"] = (
        hdr + "Subject: =?Shift_JIS?B?" + __import__("base64").b64encode(
            "ツールの送付".encode("shift_jis")).decode() + "?=\r\n"
        "Message-ID: <gen-sjis-uuencode@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=Shift_JIS\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + crlf(
        ("ご依頼のツールを本文に埋め込んで送付いたします。\n"
         "ご確認のほどよろしくお願いいたします。\n\n").encode("shift_jis")
        + uu.encode())

    # 7. A PDF whose text the recipient reads in the body.
    pdf = pdf_doc(["Budget meeting minutes", "The library opens on Monday."])
    cases["gen-pdf"] = (
        hdr + "Subject: Minutes\r\n"
        "Message-ID: <gen-pdf@sender.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"pdf-b\"\r\n\r\n"
        "--pdf-b\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "議事録を添付します。\r\n"
        "--pdf-b\r\nContent-Type: application/pdf; name=\"minutes.pdf\"\r\n"
        "Content-Disposition: attachment; filename=\"minutes.pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + b64lines(pdf) + "\r\n--pdf-b--\r\n").encode("utf-8")

    # 8. For the milter-down phase: mail with an attachment, by SMTP and
    # by the local sendmail command.
    for name in ("restart-smtp", "restart-local"):
        cases[name] = (
            hdr + "Subject: Sent while the milter was down (%s)\r\n"
            "Message-ID: <%s@sender.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"rs-b\"\r\n\r\n"
            "--rs-b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "This message was sent while the sanitizing milter was stopped.\r\n"
            "It must be delivered exactly once, sanitized, after it restarts.\r\n"
            "--rs-b\r\nContent-Type: application/octet-stream; "
            "name=\"setup.exe\"\r\n"
            "Content-Disposition: attachment; filename=\"setup.exe\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            % (name, name) + b64lines(exe) + "\r\n--rs-b--\r\n").encode()

    for name, data in cases.items():
        with open(os.path.join(outdir, name + ".eml"), "wb") as f:
            f.write(data)
    return 0


# ---------------------------------------------------------------- send

class Sender:
    def __init__(self, port):
        self.port = port
        self.s = None

    def close(self):
        if self.s is not None:
            try:
                self.s.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.s = None

    def send(self, mailfrom, data):
        """Returns (code, text, stage)."""
        for attempt in (1, 2):
            try:
                if self.s is None:
                    self.s = smtplib.SMTP("127.0.0.1", self.port,
                                          local_hostname="client.sender.example",
                                          timeout=600)
                    self.s.ehlo()
                code, resp = self.s.mail(mailfrom)
                if code != 250:
                    self.reset()
                    return code, resp.decode(errors="replace"), "MAIL"
                code, resp = self.s.rcpt(RCPT)
                if code not in (250, 251):
                    self.reset()
                    return code, resp.decode(errors="replace"), "RCPT"
                code, resp = self.s.data(data)
                if code != 250:
                    self.reset()
                return code, resp.decode(errors="replace"), "DATA"
            except smtplib.SMTPResponseException as e:
                self.reset()
                return e.smtp_code, e.smtp_error.decode(errors="replace"), "DATA"
            except (smtplib.SMTPServerDisconnected, ConnectionError) as e:
                self.s = None
                if attempt == 2:
                    return 0, "connection lost: %s" % e, "CONNECT"
        return 0, "unreachable", "CONNECT"

    def reset(self):
        try:
            self.s.rset()
        except (smtplib.SMTPException, OSError):
            self.s = None


def send(args):
    st = load_state(args.state)
    sentdir = os.path.join(os.path.dirname(os.path.abspath(args.state)), "sent")
    os.makedirs(sentdir, exist_ok=True)
    by_src = {m["source"]: m for m in st["messages"]}
    sender = Sender(args.port)
    counts = {}
    t0 = time.time()
    for path in args.files:
        src = os.path.abspath(path)
        rec = by_src.get(src) if args.resend else None
        if rec is None:
            rec = {"id": "e2e-%04d" % (len(st["messages"]) + 1),
                   "source": src, "name": os.path.relpath(src, args.relto)
                   if args.relto and os.path.abspath(src).startswith(
                       os.path.abspath(args.relto) + os.sep)
                   else os.path.basename(src),
                   "attempts": []}
            with open(src, "rb") as f:
                data = crlf(f.read())
            rec["sent"] = os.path.join(sentdir, rec["id"] + ".eml")
            with open(rec["sent"], "wb") as f:
                f.write(data)
            # What Postfix hands the milter: the reference for the checks.
            rec["mta"] = os.path.join(sentdir, rec["id"] + ".mta.eml")
            with open(rec["mta"], "wb") as f:
                f.write(postfix_view(data))
            st["messages"].append(rec)
            by_src[src] = rec
        else:
            with open(rec["sent"], "rb") as f:
                data = f.read()
        mailfrom = "%s@%s" % (rec["id"], SENDER_DOMAIN)
        if args.channel == "smtp":
            code, text, stage = sender.send(mailfrom, data)
        else:
            p = subprocess.run(["/usr/sbin/sendmail", "-C", args.sendmail_conf,
                                "-f", mailfrom, "-i", RCPT], input=data,
                               capture_output=True)
            code = 250 if p.returncode == 0 else 0
            text, stage = "sendmail exit %d %s" % (
                p.returncode, p.stderr.decode(errors="replace").strip()), "LOCAL"
        rec["attempts"].append({"channel": args.channel, "code": code,
                                "text": text.strip(), "stage": stage,
                                "time": time.time()})
        counts[code // 100] = counts.get(code // 100, 0) + 1
        if args.expect_code and code // 100 != args.expect_code:
            print("send: %s (%s): expected %dxx, got %d %s" % (
                rec["id"], rec["name"], args.expect_code, code, text[:200]),
                file=sys.stderr)
    sender.close()
    save_state(args.state, st)
    print("send: %d message(s) in %.1fs via %s: %s" % (
        len(args.files), time.time() - t0, args.channel,
        ", ".join("%dxx=%d" % (k, v) for k, v in sorted(counts.items()))))
    if args.expect_code and set(counts) != {args.expect_code}:
        return 1
    return 0


# ---------------------------------------------------------------- verify

def header_block(data):
    m = re.search(rb"\r?\n\r?\n", data)
    return (data[:m.start()], data[m.end():]) if m else (data, b"")


def body_key(data):
    """The body with LF line endings, for comparing copies. SMTP ends the
    data with CRLF: a missing final newline is added on the way."""
    body = re.sub(rb"\r\n", b"\n", header_block(data)[1])
    return body.rstrip(b"\n") + b"\n"


def transport_key(data, delivered):
    """The message as the lab's transport should leave it, LF line endings:
    without the headers Dovecot and Postfix prepend on delivery (Return-Path,
    Delivered-To, two Received), and without those Postfix's cleanup drops
    (message_drop_headers)."""
    data = re.sub(rb"\r\n", b"\n", data)
    m = re.search(rb"\n\n", data)
    hdr, body = (data[:m.start() + 1], data[m.end():]) if m else (data, b"")
    fields = re.findall(rb"[^\n]*\n(?:[ \t][^\n]*\n)*", hdr)
    if delivered:
        for name in (b"return-path:", b"delivered-to:", b"received:",
                     b"received:"):
            if fields and fields[0].lower().startswith(name):
                fields.pop(0)
    drop = (b"return-path:", b"content-length:", b"bcc:", b"resent-bcc:")
    fields = [f for f in fields if not f.lower().startswith(drop)]
    # SMTP ends the data with CRLF: a missing final newline is added.
    return b"".join(fields) + b"\n" + body.rstrip(b"\n") + b"\n"


HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")


def postfix_view(data):
    """The message as Postfix passes it on (to the milter and to LMTP), LF
    line endings: an mbox "From " first line becomes X-Mailbox-Line:, and
    the header block ends at the first line that is not a header field or
    its continuation, with a blank line put there when there is none."""
    lines = re.sub(rb"\r\n", b"\n", data).splitlines(keepends=True)
    if lines and lines[0].startswith(b"From "):
        lines[0] = b"X-Mailbox-Line: " + lines[0]
    for i, line in enumerate(lines):
        if line in (b"\n", b""):
            break
        if HEADER_LINE.match(line) or (i > 0 and line[:1] in (b" ", b"\t")):
            continue
        lines.insert(i, b"\n")
        break
    else:
        # Headers only: Postfix ends them with a blank line.
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        lines.append(b"\n")
    return b"".join(lines)


def transport_why(sent):
    """A guess at why Postfix changed a message on its way (no milter)."""
    d = re.sub(rb"\r\n", b"\n", sent)
    if d.startswith(b"From "):
        return "mbox From_ line became X-Mailbox-Line"
    if b"\n\n" not in d:
        return "no header/body separator: Postfix adds the blank line"
    if b"\0" in d:
        return "NUL bytes"
    if any(len(l) > 998 for l in d.split(b"\n")):
        return "line over 998 bytes folded by the LMTP client"
    hdr = d[:d.index(b"\n\n") + 1]
    if re.search(rb"(?m)^[^ \t:\n]*[ \t]*\n|^[^ \t:\n]+[ \t]+[^:\n]*\n", hdr):
        return "non-header line in the header block: Postfix ends the headers there"
    if not re.match(rb"[!-9;-~]+:", d):
        return "first line is not a header field: Postfix ends the headers there"
    return "other"


def first_header(data, name):
    hdr = header_block(data)[0].decode("latin-1")
    m = re.search(r"(?im)^%s:[ \t]*(.*(?:\r?\n[ \t].*)*)" % re.escape(name), hdr)
    return re.sub(r"\r?\n[ \t]+", " ", m.group(1)).strip() if m else None


def read_maildir(root):
    out = {}
    stray = []
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) not in ("new", "cur"):
            continue
        for fn in files:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                data = f.read()
            rp = first_header(data, "Return-Path") or ""
            m = ID_RE.search(rp)
            if m:
                out.setdefault("e2e-" + m.group(1), []).append(p)
            else:
                stray.append(p)
    return out, stray


def read_quarantine(root):
    """Every item of the store (YYYY/MM/DD/QID/{original.eml,meta.json},
    see doc/quarantine-meta.md): {qid: item}, each item checked on its own
    (both files there, meta.json's original.sha256 and size match
    original.eml)."""
    items = {}
    if not root or not os.path.isdir(root):
        return items
    for dirpath, _dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root).split(os.sep)
        if rel[0] == "tmp" or len(rel) != 4:
            continue
        it = {"dir": dirpath, "qid": rel[3], "problems": [], "sender": None}
        orig = os.path.join(dirpath, "original.eml")
        meta = os.path.join(dirpath, "meta.json")
        if os.path.exists(orig):
            with open(orig, "rb") as f:
                data = f.read()
            it["sha256"] = hashlib.sha256(data).hexdigest()
            it["size"] = len(data)
            it["body"] = body_key(data)
        else:
            it["problems"].append("no original.eml")
        m = None
        if os.path.exists(meta):
            try:
                with open(meta, encoding="utf-8") as f:
                    m = json.load(f)
            except ValueError as e:
                it["problems"].append("meta.json is not JSON: %s" % e)
        else:
            it["problems"].append("no meta.json")
        if isinstance(m, dict):
            o = m.get("original") or {}
            if "sha256" in it and o.get("sha256") != it["sha256"]:
                it["problems"].append("meta.json original.sha256 %s != "
                                      "SHA-256 of original.eml %s" % (
                                          o.get("sha256"), it["sha256"]))
            if "size" in it and o.get("size") != it["size"]:
                it["problems"].append("meta.json original.size %s != %d" % (
                    o.get("size"), it["size"]))
            if m.get("id") != it["qid"]:
                it["problems"].append("meta.json id %r != directory" % m.get("id"))
            it["sender"] = (m.get("envelope") or {}).get("sender")
            it["verdict"] = (m.get("summary") or {}).get("verdict")
        items[it["qid"]] = it
    return items


def stamp_of(value):
    """(verdict, quarantine ID) from X-Mugai-Sanitized:
    "mugai VERSION; verdict=V; engine=E; removed=N[; quarantine=ID]"."""
    v = re.search(r"\bverdict=([a-z]+)", value or "")
    q = re.search(r"\bquarantine=([0-9a-f-]+)", value or "")
    return (v.group(1) if v else None), (q.group(1) if q else None)


def known_differences():
    """{corpus path: regex} from t/corpus-known.tsv: messages the validator
    reads differently from mugai, each with the one failure accepted."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "corpus-known.tsv")
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            out[cols[0]] = re.compile(cols[1])
    return out


def run_checker(checker, orig, deliv, extra):
    """The independent validator (a .py: check_sanitized.py) or the
    project's own oracle (t/oracle-check --stamp: the contract of
    t/fuzz/oracle.c, the notice as X-Mugai-Sanitized says)."""
    if not checker.endswith(".py"):
        try:
            p = subprocess.run([checker, "--stamp", deliv],
                               capture_output=True, timeout=300)
        except subprocess.TimeoutExpired:
            return False, ["oracle-check timed out"]
        out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
        return p.returncode == 0, [out[-600:]] if p.returncode else []
    try:
        p = subprocess.run([sys.executable, checker, orig, deliv, "--json"] + extra,
                           capture_output=True, timeout=300)
    except subprocess.TimeoutExpired:
        return False, ["check_sanitized.py timed out"]
    try:
        j = json.loads(p.stdout.decode("utf-8", "replace"))
        return bool(j.get("ok")), j.get("failures", [])
    except ValueError:
        return False, ["check_sanitized.py exit %d: %s" % (
            p.returncode, (p.stdout + p.stderr).decode(errors="replace")[-300:])]


def judge(args, rec):
    """The validator for the extra corpus's messages when given, else the
    checker (t/oracle-check, or a validator for everything)."""
    if args.validator and args.extra_root and \
            os.path.abspath(rec["source"]).startswith(
                os.path.abspath(args.extra_root) + os.sep):
        return args.validator
    return args.checker


def maillog_reasons(path):
    """{e2e-id: [status lines]} for bounces and rejects in the Postfix log."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    qid_sender = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"\b([0-9A-F]{6,}): from=<(e2e-\d+)@", line)
            if m:
                qid_sender[m.group(1)] = m.group(2)
            m = re.search(r"\b([0-9A-F]{6,}): (?:to=<[^>]*>.*status=(?:bounced|"
                          r"deferred)|milter-\w+:).*", line)
            if m and m.group(1) in qid_sender:
                out.setdefault(qid_sender[m.group(1)], []).append(
                    m.group(0)[:300])
            m = re.search(r"(?:NOQUEUE|[0-9A-F]{6,}): (?:reject|milter-reject): "
                          r".*from=<(e2e-\d+)@", line)
            if m:
                out.setdefault(m.group(1), []).append(line.strip()[:300])
    return out


def delivered_text(data):
    """The decoded text of the delivered message's text/plain body."""
    m = email.parser.BytesParser(policy=email.policy.default).parsebytes(data)
    try:
        return m.get_content() if m.get_content_maintype() == "text" else ""
    except (LookupError, ValueError):
        return ""


def verify(args):
    t0 = time.time()
    st = load_state(args.state)
    msgs = st["messages"]
    delivered, stray = read_maildir(args.maildir)
    quar = read_quarantine(args.quarantine)
    nquar = len(quar)
    used = set()
    logr = maillog_reasons(args.maillog)
    milter = args.milter == "yes"
    failures = []
    notes = []
    c = {"sent": len(msgs), "accepted": 0, "delivered": 0, "rejected_policy": 0,
         "rejected_mta": 0, "tempfailed": 0, "unchanged": 0, "sanitized": 0,
         "withheld": 0, "checked_ok": 0, "known": 0, "quarantine_ok": 0,
         "transport_identical": 0, "mta_altered": 0}
    jobs = []
    changed = {}

    for rec in msgs:
        last = rec["attempts"][-1] if rec["attempts"] else {"code": 0}
        code = last["code"]
        copies = delivered.get(rec["id"], [])
        label = "%s (%s)" % (rec["id"], rec["name"])
        if len(copies) > 1:
            failures.append("%s: delivered %d times" % (label, len(copies)))
        if code // 100 == 2:
            c["accepted"] += 1
        elif code // 100 == 5:
            policy = milter and (last.get("stage") == "DATA" and
                                 "5.7.1" in last.get("text", ""))
            c["rejected_policy" if policy else "rejected_mta"] += 1
            (notes if policy else notes).append("%s: rejected %s by %s: %d %s" % (
                label, "by policy" if policy else "by Postfix",
                last.get("stage"), code, last.get("text", "")[:160]))
            if copies:
                failures.append("%s: rejected at SMTP time but delivered" % label)
            continue
        else:
            c["tempfailed"] += 1
            failures.append("%s: not accepted: %d %s" % (
                label, code, last.get("text", "")[:160]))
            continue
        if not copies:
            why = "; ".join(logr.get(rec["id"], [])) or "no trace in the maillog"
            failures.append("%s: accepted but not delivered: %s" % (label, why))
            continue
        c["delivered"] += 1
        deliv = copies[0]
        with open(deliv, "rb") as f:
            dbytes = f.read()
        with open(rec["sent"], "rb") as f:
            sbytes = f.read()
        if postfix_view(sbytes) != re.sub(rb"\r\n", b"\n", sbytes):
            c["mta_altered"] += 1
            rec["mta_altered"] = transport_why(sbytes)
        sbytes = postfix_view(sbytes)
        if not milter:
            if transport_key(dbytes, True) == transport_key(sbytes, False):
                c["transport_identical"] += 1
            else:
                changed.setdefault(transport_why(sbytes), []).append(label)
            continue
        hv = first_header(dbytes, "X-Mugai-Sanitized")
        if hv is None:
            failures.append("%s: delivered without X-Mugai-Sanitized" % label)
            continue
        v, qid = stamp_of(hv)
        if v not in ("unchanged", "sanitized", "withheld"):
            failures.append("%s: X-Mugai-Sanitized without a delivered verdict: "
                            "%r" % (label, hv))
            continue
        c[v] += 1
        rec["verdict"] = v
        want_text = EXPECT_TEXT.get(os.path.basename(rec.get("source", "")))
        if want_text:
            got = delivered_text(dbytes)
            for w in want_text:
                if w not in got:
                    failures.append("%s: delivered text lacks %r" % (label, w))
        # A withheld message carries a notice instead of the content: the
        # contract and the headers are checked, text preservation is not.
        extra = ["--min-preserve", "0"] if v == "withheld" else []
        jobs.append((rec, label, deliv, extra))
        # keep_original = modified (the default): every changed message has
        # its original in the quarantine, named in X-Mugai-Sanitized.
        if qid is None:
            if v != "unchanged":
                failures.append("%s: %s but no quarantine ID in "
                                "X-Mugai-Sanitized: %r" % (label, v, hv))
            continue
        it = quar.get(qid)
        if it is None:
            failures.append("%s: quarantine item %s not in the store" % (
                label, qid))
            continue
        used.add(qid)
        probs = list(it["problems"])
        want = "%s@%s" % (rec["id"], SENDER_DOMAIN)
        if (it["sender"] or "").strip("<>") != want:
            probs.append("envelope.sender %r, sent as %s" % (it["sender"], want))
        if it.get("body") is not None and it["body"] != body_key(sbytes):
            probs.append("original.eml body differs from what was sent")
        if probs:
            failures.append("%s: quarantine %s: %s" % (
                label, it["dir"], "; ".join(probs)))
        else:
            c["quarantine_ok"] += 1

    if jobs:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = {ex.submit(run_checker, judge(args, j[0]), j[0]["mta"], j[2],
                              j[3]): j for j in jobs}
            known = known_differences()
            for fu in concurrent.futures.as_completed(futs):
                rec, label, deliv, _extra = futs[fu]
                ok, why = fu.result()
                pat = known.get(rec.get("name"))
                if ok:
                    c["checked_ok"] += 1
                elif pat is not None and why and all(pat.search(w) for w in why):
                    c["known"] += 1
                    notes.append("%s: known reading difference "
                                 "(t/corpus-known.tsv)" % label)
                else:
                    failures.append("%s: contract FAIL (%s%s): %s" % (
                        label, rec.get("verdict"), "; Postfix changed it: " +
                        rec["mta_altered"] if rec.get("mta_altered") else "",
                        " | ".join(why)[:600]))
    for why, labels in sorted(changed.items()):
        notes.append("Postfix changed %d message(s) in transport (%s), e.g. %s"
                     % (len(labels), why, ", ".join(labels[:4])))
    for p in stray:
        failures.append("stray message in the store (no e2e ID): %s" % p)
    for qid in sorted(set(quar) - used):
        it = quar[qid]
        notes.append("quarantine item %s (sender %s, verdict %s) is named by no "
                     "delivered message%s" % (qid, it["sender"], it.get("verdict"),
                     "; " + "; ".join(it["problems"]) if it["problems"] else ""))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({"counts": c, "failures": failures, "notes": notes}, f,
                      indent=1, ensure_ascii=False)
    for n in notes:
        print("note: " + n)
    for fl in failures:
        print("FAIL: " + fl)
    print("summary: sent=%(sent)d accepted=%(accepted)d delivered=%(delivered)d "
          "rejected_policy=%(rejected_policy)d rejected_mta=%(rejected_mta)d "
          "tempfailed=%(tempfailed)d" % c)
    if milter:
        print("summary: unchanged=%(unchanged)d sanitized=%(sanitized)d "
              "withheld=%(withheld)d contract_ok=%(checked_ok)d "
              "known_differences=%(known)d "
              "quarantine_ok=%(quarantine_ok)d" % c + " quarantine_items=%d" % nquar)
    else:
        print("summary: milter not exercised; delivered bodies identical to "
              "sent: %(transport_identical)d" % c)
    print("summary: %(mta_altered)d message(s) Postfix itself changes (mbox "
          "From_ line, header block ended early); judged as Postfix passed "
          "them on" % c)
    print("summary: sent = delivered + rejected: %d = %d + %d: %s" % (
        c["sent"], c["delivered"], c["rejected_policy"] + c["rejected_mta"],
        "ok" if c["sent"] == c["delivered"] + c["rejected_policy"] +
        c["rejected_mta"] else "MISMATCH"))
    print("verify: %d failure(s), %.1fs" % (len(failures), time.time() - t0))
    if c["sent"] != c["delivered"] + c["rejected_policy"] + c["rejected_mta"]:
        return 1
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    s = sub.add_parser("send")
    s.add_argument("--port", type=int)
    s.add_argument("--state", required=True)
    s.add_argument("--channel", choices=("smtp", "local"), default="smtp")
    s.add_argument("--sendmail-conf")
    s.add_argument("--expect-code", type=int)
    s.add_argument("--resend", action="store_true",
                   help="send a file already in STATE again under its ID")
    s.add_argument("--relto", help="name messages under this dir relative to it")
    s.add_argument("files", nargs="*")
    pp = sub.add_parser("pdf")
    pp.add_argument("file")
    pp.add_argument("lines", nargs="+")
    v = sub.add_parser("verify")
    v.add_argument("--state", required=True)
    v.add_argument("--maildir", required=True)
    v.add_argument("--checker", required=True)
    v.add_argument("--validator", help="check_sanitized.py for the "
                   "messages under --extra-root (the shared corpus)")
    v.add_argument("--extra-root")
    v.add_argument("--quarantine")
    v.add_argument("--maillog")
    v.add_argument("--milter", choices=("yes", "no"), default="yes")
    v.add_argument("--jobs", type=int, default=2)
    v.add_argument("--report")
    a = ap.parse_args()
    if a.cmd == "gen":
        return gen(a.dir)
    if a.cmd == "send":
        return send(a)
    if a.cmd == "pdf":
        with open(a.file, "wb") as f:
            f.write(pdf_doc(a.lines))
        return 0
    return verify(a)


if __name__ == "__main__":
    sys.exit(main())
