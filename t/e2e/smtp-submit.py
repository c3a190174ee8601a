#!/usr/bin/python3
"""smtp-submit - a submit_command for the lab that speaks SMTP to
127.0.0.1:PORT instead of running Postfix's sendmail: the daemons that
submit as an unprivileged user (mugai-portal, as the store's owner) may
not point sendmail at the lab's private configuration (-C is honoured for
root only).

Usage: smtp-submit.py PORT [sendmail options such as -G -i] RCPT...
The message is read from standard input, the envelope sender is empty
(as for a bounce: nothing to reply to). Exit 0 when the server took it,
75 (EX_TEMPFAIL) otherwise, as sendmail does.
"""
import smtplib
import sys

port = int(sys.argv[1])
rcpts = [a for a in sys.argv[2:] if not a.startswith("-")]
data = sys.stdin.buffer.read()
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.sendmail("<>", rcpts, data)
except (OSError, smtplib.SMTPException) as e:
    print("smtp-submit: %s" % e, file=sys.stderr)
    sys.exit(75)
