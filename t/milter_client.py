#!/usr/bin/env python3
"""milter_client.py - a small milter-protocol client for t/milter-clients.sh

Python 3 standard library only. It speaks the MTA side of the milter
protocol (libmilter's mfdef.h: each packet is a 4-byte big-endian length,
a command byte, then data) well enough to hold full conversations with
mugai-milter, and badly on purpose to play broken clients.

  milter_client.py PORT plain|attach
      one full conversation; exit 0 when the verdict is right
  milter_client.py PORT storm TIMEOUT
      everything at once, in threads: clients that stall mid-body or
      mid-packet (the daemon must close them after TIMEOUT seconds),
      garbage (random bytes, an absurd length, a truncated packet, an
      unknown command, garbage in the middle of a message), clients that
      vanish mid-body or right after end of body, an abort followed by a
      new message on the same connection, and all along full conversations
      that must keep succeeding. Prints "ok - ..." or "not ok - ..." lines;
      exit 0 when every line is ok.
  milter_client.py PORT load SESSIONS MESSAGES
      SESSIONS connections at once, each holding MESSAGES attachment
      conversations one after another (each kept in the quarantine);
      exit 0 when every answer was right (t/store-syncs.sh)
"""
import base64
import quopri
import random
import socket
import struct
import sys
import threading
import time

# Commands (MTA to milter) and replies (milter to MTA), mfdef.h.
SMFIC_ABORT, SMFIC_BODY, SMFIC_CONNECT = b"A", b"B", b"C"
SMFIC_MACRO, SMFIC_BODYEOB, SMFIC_HELO = b"D", b"E", b"H"
SMFIC_HEADER, SMFIC_MAIL, SMFIC_EOH = b"L", b"M", b"N"
SMFIC_OPTNEG, SMFIC_QUIT, SMFIC_RCPT = b"O", b"Q", b"R"
FINAL = set(b"acdrty4f")        # replies that end a command's answer
SMFIF_ALL = 0xFF                 # every action up to SETSYMLIST (not it)
SMFIP_NR = {"C": 0x1000, "H": 0x2000, "M": 0x4000, "R": 0x8000,
            "L": 0x80, "N": 0x40000}
SMFIP_OFFER = 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x80 | 0x40000 | \
    0x100000 | 0x200 | 0x100   # NR_*, HDR_LEADSPC, NODATA, NOUNKNOWN

IO_TIMEOUT = 30.0                # a client never waits longer than this
PAYLOAD = "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK"


class Closed(Exception):
    """The daemon closed the connection."""


def packet(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def plain_message(tag):
    return (("From: Sender <sender@example.jp>\r\n"
             "To: user@lgwan.example\r\n"
             "Subject: plain %s\r\n"
             "Message-ID: <%s@example.jp>\r\n"
             "MIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=us-ascii\r\n"
             "\r\n"
             "Hello from the plain client %s.\r\n") % (tag, tag, tag)
            ).encode() + b"Some text.\r\n" * 200


def attach_message(tag):
    lines = [PAYLOAD] * 120
    return ("From: Sender <sender@example.jp>\r\n"
            "To: user@lgwan.example\r\n"
            "Subject: attach %s\r\n"
            "Message-ID: <%s@example.jp>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            "\r\n"
            "--b1\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n"
            "See the attached report %s.\r\n"
            "--b1\r\n"
            "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n%s\r\n"
            "--b1--\r\n") % (tag, tag, tag, "\r\n".join(lines))


def split_message(msg):
    """Returns ([(name, value with leading space)], body bytes)."""
    head, _, body = msg.partition(b"\r\n\r\n")
    headers = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + b"\r\n" + line)
        else:
            name, _, value = line.partition(b":")
            headers.append((name, value))
    return headers, body


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), IO_TIMEOUT)
        self.s.settimeout(IO_TIMEOUT)
        self.pflags = 0

    def close(self):
        self.s.close()

    def send(self, cmd, data=b""):
        self.s.sendall(packet(cmd, data))

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.s.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed()
            buf += chunk
        return buf

    def read_packet(self):
        (n,) = struct.unpack(">I", self.recv_exact(4))
        if n < 1 or n > 1 << 20:
            raise ValueError("bad reply length %d" % n)
        data = self.recv_exact(n)
        return data[:1], data[1:]

    def answer(self):
        """Reads replies up to a final one; returns [(cmd, data)]."""
        out = []
        while True:
            cmd, data = self.read_packet()
            out.append((cmd, data))
            if cmd[0] in FINAL:
                return out

    def command(self, cmd, data=b""):
        """Sends cmd; returns its answer, or [] when none was agreed."""
        self.send(cmd, data)
        nr = SMFIP_NR.get(cmd.decode())
        if nr is not None and self.pflags & nr:
            return []
        return self.answer()

    def wait_closed(self):
        """Seconds until the daemon closes; raises socket.timeout."""
        t0 = time.monotonic()
        while True:
            try:
                if not self.s.recv(4096):
                    break
            except ConnectionResetError:
                break
        return time.monotonic() - t0

    def negotiate(self):
        self.send(SMFIC_OPTNEG, struct.pack(">III", 6, SMFIF_ALL,
                                            SMFIP_OFFER))
        cmd, data = self.read_packet()
        if cmd != SMFIC_OPTNEG or len(data) < 12:
            raise ValueError("bad negotiation reply %r" % cmd)
        _, _, self.pflags = struct.unpack(">III", data[:12])

    def envelope(self, tag):
        self.negotiate()
        self.command(SMFIC_CONNECT, b"client.example\0" + b"4" +
                     struct.pack(">H", 40000) + b"192.0.2.10\0")
        self.command(SMFIC_HELO, b"client.example\0")
        self.send(SMFIC_MACRO, SMFIC_MAIL + b"i\0" + tag.encode() + b"\0")
        self.command(SMFIC_MAIL, b"<sender@example.jp>\0")
        self.command(SMFIC_RCPT, b"<user@lgwan.example>\0")

    def headers(self, msg):
        headers, body = split_message(msg)
        for name, value in headers:
            self.command(SMFIC_HEADER, name + b"\0" + value + b"\0")
        self.command(SMFIC_EOH)
        return body

    def body(self, body, chunk=8192):
        for i in range(0, len(body), chunk):
            ans = self.command(SMFIC_BODY, body[i:i + chunk])
            if ans[-1][0] != b"c":
                raise ValueError("body chunk answered %r" % ans[-1][0])

    def message(self, tag, msg):
        """Headers, body and end of body; returns the eom answer."""
        self.body(self.headers(msg))
        return self.command(SMFIC_BODYEOB)


def decode_body(ans, body):
    """The replacement body decoded as its added C-T-E header says."""
    cte = b""
    for c, d in ans:
        if c == b"h" and d.lower().startswith(b"content-transfer-encoding\0"):
            cte = d.split(b"\0")[1].strip().lower()
    if cte == b"base64":
        return base64.b64decode(b"".join(body.split()))
    if cte == b"quoted-printable":
        return quopri.decodestring(body)
    return body


def check_eom(kind, ans):
    """None when the end-of-message answer is right for kind, else why."""
    cmds = b"".join(c for c, _ in ans)
    final = cmds[-1:]
    if final not in (b"c", b"a"):
        return "final reply %r (all: %r)" % (final, cmds)
    added = [d for c, d in ans if c == b"h"
             and d.startswith(b"X-Mugai-Sanitized\0")]
    if not added:
        return "no X-Mugai-Sanitized header (replies %r)" % cmds
    body = b"".join(d for c, d in ans if c == b"b")
    if kind == "plain":
        if body:
            return "plain message got its body replaced"
    else:
        if not body:
            return "attachment message kept its body (replies %r)" % cmds
        text = decode_body(ans, body)
        if PAYLOAD.encode() in body or PAYLOAD.encode() in text:
            return "replaced body still carries the attachment"
        if b"report.pdf" not in text:
            return "the notice in the new body does not name report.pdf"
    return None


def conversation(port, kind, tag, messages=1):
    """A whole connection: messages, then QUIT. Returns None or why."""
    c = Conn(port)
    try:
        c.envelope(tag)
        for k in range(messages):
            if k > 0:
                c.command(SMFIC_MAIL, b"<sender@example.jp>\0")
                c.command(SMFIC_RCPT, b"<user@lgwan.example>\0")
            msg = plain_message(tag) if kind == "plain" else \
                attach_message(tag).encode()
            why = check_eom(kind, c.message(tag, msg))
            if why:
                return why
        c.send(SMFIC_QUIT)
        return None
    except (Closed, OSError, ValueError) as e:
        return "%s: %r" % (type(e).__name__, e)
    finally:
        c.close()


class Storm:
    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.lock = threading.Lock()
        self.results = []
        self.stalls_left = 0
        self.normal_during_stall = 0
        self.normal = 0

    def report(self, ok, what):
        with self.lock:
            self.results.append((ok, what))

    # Clients that stall: the daemon must close them after the timeout.
    def stall(self, name, setup):
        c = Conn(self.port)
        try:
            setup(c)
            elapsed = c.wait_closed()
            # Lower bound only: a close before the timeout is a bug, a late
            # one is a loaded machine.
            self.report(elapsed >= self.timeout * 0.5,
                        "%s: closed by the daemon after %.1f s (timeout "
                        "%s s)" % (name, elapsed, self.timeout))
        except (socket.timeout, OSError, ValueError, Closed) as e:
            self.report(False, "%s: %r" % (name, e))
        finally:
            c.close()
            with self.lock:
                self.stalls_left -= 1

    def stall_mid_body(self, c):
        c.envelope("STALL1")
        body = c.headers(attach_message("STALL1").encode())
        c.body(body[:len(body) // 2])   # past spool_mem_max: a spool file

    def stall_mid_packet(self, c):
        c.envelope("STALL2")
        c.headers(plain_message("STALL2"))
        # A body packet that says 1000 bytes and brings 10.
        c.s.sendall(struct.pack(">I", 1001) + SMFIC_BODY + b"x" * 10)

    def stall_between(self, c):
        c.envelope("STALL3")
        why = check_eom("plain", c.message("STALL3", plain_message(
            "STALL3")))
        if why:
            raise ValueError(why)

    # Garbage: the daemon closes the connection, whatever it was.
    def garbage(self, name, send):
        c = Conn(self.port)
        try:
            send(c)
            # Whatever came back, the daemon must end the connection: at
            # once when it sees the garbage, at the latest after the
            # timeout (the client keeps its side open).
            elapsed = c.wait_closed()
            self.report(True, "%s: closed by the daemon after %.1f s" %
                        (name, elapsed))
        except (socket.timeout, OSError, ValueError, Closed) as e:
            self.report(False, "%s: %r" % (name, e))
        finally:
            c.close()

    def vanish(self, name, send):
        c = Conn(self.port)
        try:
            send(c)
            self.report(True, "%s: client vanished" % name)
        except (socket.timeout, OSError, ValueError, Closed) as e:
            self.report(False, "%s: %r" % (name, e))
        finally:
            # RST instead of FIN: the rudest way to go.
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
            c.close()

    def abort_then_message(self):
        c = Conn(self.port)
        try:
            c.envelope("ABORT1")
            body = c.headers(attach_message("ABORT1").encode())
            c.body(body[:len(body) // 2])
            c.send(SMFIC_ABORT)
            c.command(SMFIC_MAIL, b"<sender@example.jp>\0")
            c.command(SMFIC_RCPT, b"<user@lgwan.example>\0")
            why = check_eom("plain", c.message("ABORT2", plain_message(
                "ABORT2")))
            c.send(SMFIC_QUIT)
            self.report(why is None, "abort mid-body, then a new message "
                        "on the same connection%s" % (
                            ": " + why if why else ""))
        except (socket.timeout, OSError, ValueError, Closed) as e:
            self.report(False, "abort then message: %r" % (e,))
        finally:
            c.close()

    def normal_loop(self, kind, stop):
        n = 0
        while not stop.is_set():
            why = conversation(self.port, kind, "N%s%d" % (kind[0], n),
                               messages=2)
            with self.lock:
                if why is None:
                    self.normal += 1
                    if self.stalls_left > 0:
                        self.normal_during_stall += 1
            if why:
                self.report(False, "normal %s conversation %d: %s" %
                            (kind, n, why))
                return
            n += 1
            time.sleep(0.05)

    def run(self):
        rnd = random.Random(7)
        noise = bytes(rnd.randrange(256) for _ in range(4096))
        stalls = [("stall mid-body", self.stall_mid_body),
                  ("stall mid-packet", self.stall_mid_packet),
                  ("stall between messages", self.stall_between)]
        garbage = [
            ("random bytes", lambda c: c.s.sendall(noise)),
            ("absurd length 0x7fffffff",
             lambda c: c.s.sendall(struct.pack(">I", 0x7FFFFFFF) + b"O" +
                                   b"\0" * 64)),
            ("zero length", lambda c: c.s.sendall(b"\0\0\0\0" * 4)),
            ("truncated packet, then EOF",
             lambda c: (c.s.sendall(struct.pack(">I", 13) + b"O\0\0"),
                        c.s.shutdown(socket.SHUT_WR))),
            ("unknown command after negotiation",
             lambda c: (c.negotiate(), c.send(b"Z", b"junk"))),
            ("garbage in the middle of a message", self.garbage_mid),
            ("body before MAIL", self.body_first),
        ]
        vanish = [("vanish mid-body", self.vanish_mid_body),
                  ("vanish right after end of body", self.vanish_at_eom)]
        stop = threading.Event()
        normals = [threading.Thread(target=self.normal_loop,
                                    args=(k, stop))
                   for k in ("plain", "attach")]
        for t in normals:
            t.start()
        self.stalls_left = len(stalls)
        threads = [threading.Thread(target=self.stall, args=s)
                   for s in stalls]
        threads += [threading.Thread(target=self.garbage, args=g)
                    for g in garbage]
        threads += [threading.Thread(target=self.vanish, args=v)
                    for v in vanish]
        threads.append(threading.Thread(target=self.abort_then_message))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        for t in normals:
            t.join()
        # After all that, the daemon still serves.
        for kind in ("plain", "attach"):
            why = conversation(self.port, kind, "AFTER" + kind)
            self.report(why is None, "%s conversation after the storm%s" %
                        (kind, ": " + why if why else ""))
        self.report(self.normal_during_stall > 0,
                    "%d normal conversations (2 messages each), %d of them "
                    "while stalled clients held connections" %
                    (self.normal, self.normal_during_stall))
        bad = 0
        for ok, what in self.results:
            print("%s - %s" % ("ok" if ok else "not ok", what))
            bad += 0 if ok else 1
        return 1 if bad else 0

    def garbage_mid(self, c):
        c.envelope("GARB1")
        body = c.headers(attach_message("GARB1").encode())
        c.body(body[:len(body) // 2])
        c.s.sendall(struct.pack(">I", 0x7FFFFFFF) + b"B" + b"\xff" * 32)

    def body_first(self, c):
        c.negotiate()
        c.send(SMFIC_BODY, b"no envelope, no headers\r\n")

    def vanish_mid_body(self, c):
        c.envelope("GONE1")
        body = c.headers(attach_message("GONE1").encode())
        c.body(body[:len(body) // 2])

    def vanish_at_eom(self, c):
        c.envelope("GONE2")
        c.body(c.headers(attach_message("GONE2").encode()))
        c.send(SMFIC_BODYEOB)


def load(port, sessions, messages):
    """sessions connections at once, messages each; 0 when all right."""
    errors = []

    def one(k):
        why = conversation(port, "attach", "LOAD%d" % k, messages)
        if why:
            errors.append(why)
    threads = [threading.Thread(target=one, args=(k,))
               for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for why in errors:
        print("not ok - load: %s" % why)
    if not errors:
        print("ok - load: %d sessions x %d messages" % (sessions, messages))
    return 1 if errors else 0


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    port = int(argv[1])
    if argv[2] in ("plain", "attach"):
        why = conversation(port, argv[2], "ONE" + argv[2].upper())
        print("%s - %s conversation%s" % ("not ok" if why else "ok",
                                         argv[2], ": " + why if why else ""))
        return 1 if why else 0
    if argv[2] == "storm" and len(argv) == 4:
        return Storm(port, float(argv[3])).run()
    if argv[2] == "load" and len(argv) == 5:
        return load(port, int(argv[3]), int(argv[4]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
