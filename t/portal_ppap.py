#!/usr/bin/env python3
"""portal_ppap - the PPAP password form of mugai-portal over HTTPS, for
t/portal.sh, printing TAP lines.

Usage: portal_ppap.py BASE_URL ID LINK_KEY_FILE PASSWORD

c@ (IMAP password cpw) is the recipient of ID, whose part 1.2 is the
encrypted zip of t/ppapgen; b@ is not. Checks: the form is shown to c@
only; a wrong password says so (403) with the tries left; the right one
opens and sends (200); a replayed form is refused; after 5 tries in all
the next is refused (429) without touching the archive. Exit 0 when
every check passed.
"""
import hashlib
import hmac
import http.client
import re
import ssl
import sys
import urllib.parse

BASE, ID, KEYFILE, PASSWORD = sys.argv[1:5]
HOST = urllib.parse.urlsplit(BASE)
fails = 0


def check(desc, cond, detail=""):
    global fails
    print(("ok - " if cond else "not ok - ") + "ppap: " + desc +
          ("" if cond or not detail else "  # " + detail[:300]))
    fails += 0 if cond else 1


def mac(i):
    key = open(KEYFILE, "rb").read()
    return hmac.new(key, b"mugai-portal-link-1\n" + i.encode(),
                    hashlib.sha256).hexdigest()[:32]


class Client:
    ctx = ssl._create_unverified_context()

    def __init__(self):
        self.cookie = None

    def req(self, method, path, form=None):
        c = http.client.HTTPSConnection(HOST.hostname, HOST.port,
                                        context=self.ctx, timeout=60)
        h = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body, h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                self.cookie = v.split(";")[0]
        c.close()
        return r.status, text

    def token(self, text, action):
        """The one-time token of the form posting to action."""
        i = text.find('action="%s"' % action)
        m = re.search(r'name="form" value="([^"]+)"', text[i:]) if i >= 0 \
            else None
        return m.group(1) if m else None

    def login(self, user, pw):
        st, text = self.req("GET", "/login")
        return self.req("POST", "/login", {
            "form": self.token(text, "/login"), "next": "/",
            "login": user, "password": pw})


ITEM = "/item/%s?m=%s" % (ID, mac(ID))
ACTION = "/item/%s/ppap" % ID

b = Client()
b.login("b", "bpw")
st, text = b.req("GET", ITEM)
check("another user gets no form", ACTION not in text)

c = Client()
c.login("c", "cpw")
st, text = c.req("GET", ITEM)
check("the recipient gets the password form", st == 200 and
      ACTION in text and 'type="password"' in text, text[:200])


def attempt(pw, text):
    tok = c.token(text, ACTION)
    return tok, c.req("POST", ACTION, {"form": tok, "m": mac(ID),
                                       "part": "1.2", "password": pw})


tok, (st, text) = attempt("wrong-xyzzy-4711", text)
check("a wrong password: 403", st == 403, str(st))
check("a wrong password is said plainly, Japanese first",
      "パスワードが違います。あと4回" in text and "4 more tries" in text,
      text[:300])
st2, text2 = c.req("POST", ACTION, {"form": tok, "m": mac(ID),
                                    "part": "1.2", "password": PASSWORD})
check("a replayed form is refused", st2 == 403 and "使用済み" in text2)
tok, (st, text) = attempt(PASSWORD, text)
check("the right password opens and sends", st == 200 and
      "新しいメールとしてお送りしました" in text, text[:300])
for i in range(3):
    tok, (st, text) = attempt("wrong-%d" % i, text)
check("the fifth try is still counted", st == 403 and "あと0回" in text,
      str(st))
tok, (st, text) = attempt(PASSWORD, text)
check("the sixth try is refused: 429", st == 429 and
      "試行回数の上限" in text, str(st))
sys.exit(1 if fails else 0)
