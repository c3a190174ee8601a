#!/usr/bin/env python3
"""portal_client - drives mugai-portal for t/portal.sh, printing TAP lines.

Usage: portal_client.py BASE_URL ID ID_OF_B LINK_KEY_FILE

staff@ (IMAP) owns ID, b@ (IMAP) owns ID_OF_B, chief@ (LDAP) approves for
the whole domain. Exit 0 when every check passed.
"""
import hashlib
import hmac
import html.parser
import http.client
import ssl
import sys
import urllib.parse

BASE, ID, IDB, KEYFILE = sys.argv[1:5]
IDP = sys.argv[5] if len(sys.argv) > 5 else None   # an item with a PDF
HOST = urllib.parse.urlsplit(BASE)
fails = 0


def check(desc, cond, detail=""):
    global fails
    if cond:
        print("ok - " + desc)
    else:
        fails += 1
        print("not ok - " + desc + ("  # " + detail[:300] if detail else ""))


def mac(i):
    key = open(KEYFILE, "rb").read()
    return hmac.new(key, b"mugai-portal-link-1\n" + i.encode(),
                    hashlib.sha256).hexdigest()[:32]


class Forms(html.parser.HTMLParser):
    """Every form of a page: action and its fields (buttons kept apart)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {},
                               "buttons": []})
        elif tag in ("input", "textarea") and self.forms and "name" in a:
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and "name" in a:
            self.forms[-1]["buttons"].append((a["name"], a.get("value")))


class Client:
    def __init__(self):
        self.cookie = None
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    def req(self, method, path, form=None, raw=False):
        c = http.client.HTTPSConnection(HOST.hostname, HOST.port,
                                        context=self.ctx, timeout=30)
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body, headers)
        r = c.getresponse()
        data = r.read()
        text = data if raw else data.decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                self.cookie = v.split(";")[0]
                self.last_set_cookie = v
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), text

    def forms(self, text):
        p = Forms()
        p.feed(text)
        return p.forms

    def login(self, user, pw, next_path=None):
        path = "/login" + ("?next=" + urllib.parse.quote(next_path)
                           if next_path else "")
        st, h, text = self.req("GET", path)
        f = [x for x in self.forms(text) if x["action"] == "/login"][0]
        fields = dict(f["fields"])
        fields.update(login=user, password=pw)
        return self.req("POST", "/login", fields)


def path_of(h):
    u = urllib.parse.urlsplit(h.get("location", ""))
    return u.path + ("?" + u.query if u.query else "")


def item(i):
    return "/item/%s?m=%s" % (i, mac(i))


# ---- the recipient, through IMAP
staff = Client()
st, h, text = staff.req("GET", item(ID))
check("not logged in: sent to the login page",
      st == 303 and path_of(h).startswith("/login?next="))
check("every page has the strict CSP",
      "script-src" not in h.get("content-security-policy", "x") and
      "default-src 'none'" in h.get("content-security-policy", ""))
st, h, text = staff.login("staff", "wrong")
check("a wrong IMAP password is refused", st == 200 and "違います" in text)
st, h, text = staff.login("staff", "staffpw", item(ID))
check("IMAP login: back to the item link", st == 303 and
      path_of(h) == item(ID), "%d %s" % (st, h.get("location")))
ck = staff.last_set_cookie
check("session cookie HttpOnly, Secure, SameSite=Strict",
      "HttpOnly" in ck and "Secure" in ck and "SameSite=Strict" in ck, ck)
st, h, text = staff.req("GET", "/")
check("the list shows the user's items", st == 200 and ID in text and
      IDB not in text and "見積書" in text, text)
check("Japanese first, then English", text.find("受信一覧") <
      text.find("Your items") and text.find("受信一覧") >= 0)
check("no script in the page", "<script" not in text.lower())
st, h, text = staff.req("GET", "/?q=nothing-matches-this")
check("search narrows the list", st == 200 and ID not in text)
st, h, text = staff.req("GET", item(ID))
check("the item page shows the removed part", st == 200 and
      "invoice.exe" in text and "SHA-256" in text, text[:500])
bad = "/item/%s?m=%s" % (ID, "0" * 32)
st, h, text = staff.req("GET", bad)
check("a forged link is refused", st == 403 and "invoice.exe" not in text)
st, h, text = staff.req("GET", item(IDB))
check("another recipient's item is refused", st == 403 and
      "invoice.exe" not in text)

st, h, text = staff.req("GET", item(ID))
req = [f for f in staff.forms(text) if f["action"] ==
       "/item/%s/request" % ID and f["fields"].get("part") == "original"][0]
fields = dict(req["fields"])
fields["reason"] = "契約書の原本確認のため"
st, h, text = staff.req("POST", req["action"], fields)
check("the request is made (申請中)", st == 200 and "申請中" in text, text)
st, h, text = staff.req("POST", req["action"], fields)
check("the same form sent again is refused", st == 403)
f2 = dict(fields)
f2.pop("form")
st, h, text = staff.req("POST", req["action"], f2)
check("a form without its token is refused", st == 403)
st, h, text = staff.req("GET", item(ID))
req1 = [f for f in staff.forms(text) if f["action"] ==
        "/item/%s/request" % ID and f["fields"].get("part") == "1.2"][0]
f3 = dict(req1["fields"])
f3.update(part="1.1", reason="x")
st, h, text = staff.req("POST", req1["action"], f3)
check("a part that was not removed cannot be asked for", st == 400)
st, h, text = staff.req("GET", "/queue")
check("a recipient has nothing to approve", st == 200 and ID not in text)

# ---- the approver, through LDAP
chief = Client()
st, h, text = chief.login("chief", "chiefpw")
check("LDAP login of the approver", st == 303, "%d %s" % (st, text[:300]))
st, h, text = chief.req("GET", "/queue")
check("the request waits in the approver's queue", st == 200 and
      mac(ID) in text and "契約書の原本確認のため" in text, text)
st, h, text = chief.req("GET", item(ID))
dec = [f for f in chief.forms(text) if f["action"] ==
       "/item/%s/decide" % ID][0]
fields = dict(dec["fields"])
fields.update(action="approve", comment="確認済み")
st, h, text = chief.req("POST", dec["action"], fields)
check("approved and released", st == 200 and "承認" in text and
      "配送しました" in text, text)
st, h, text = chief.req("POST", dec["action"], fields)
check("a replayed approval is refused", st == 403)
st, h, text = chief.req("GET", item(ID))
dec2 = [f for f in chief.forms(text) if f["action"] ==
        "/item/%s/decide" % ID]
check("no decision form once decided", dec2 == [] and "確認済み" in text)

# ---- the preview (画面転送): the PDF drawn to PNGs, never the PDF
if IDP:
    st, h, text = staff.req("GET", item(IDP))
    src = "/item/%s/preview/1.2?m=%s&amp;p=0" % (IDP, mac(IDP))
    check("the item page shows the preview image", st == 200 and
          ('<img class="pv" src="%s"' % src) in text, text[-1500:])
    st, h, body = staff.req("GET", src.replace("&amp;", "&"), raw=True)
    check("the preview URL returns image/png", st == 200 and
          h.get("content-type") == "image/png" and
          body[:8] == b"\x89PNG\r\n\x1a\n" and b"%PDF" not in body,
          "%d %s" % (st, h.get("content-type")))
    check("the preview is inline, under the same CSP",
          h.get("content-disposition", "").startswith("inline") and
          "default-src 'none'" in h.get("content-security-policy", ""))
    st, h, body = staff.req("GET", "/item/%s/preview/1.2?m=%s&p=0" %
                            (IDP, "0" * 32), raw=True)
    check("a preview with a forged link is refused", st == 403)
    st, h, body = staff.req("GET", "/item/%s/preview/1.1?m=%s&p=0" %
                            (IDP, mac(IDP)), raw=True)
    check("a part that was kept has no preview", st == 404)

# ---- one part: asked for by the recipient, approved, delivered to them
st, h, text = staff.req("GET", item(ID))
rp = [f for f in staff.forms(text) if f["action"] ==
      "/item/%s/request" % ID and f["fields"].get("part") == "1.2"][0]
fields = dict(rp["fields"])
fields["reason"] = "請求書の確認のため"
st, h, text = staff.req("POST", rp["action"], fields)
check("the part is requested", st == 200 and "申請中" in text, text[:300])
st, h, text = chief.req("GET", item(ID))
dec = [f for f in chief.forms(text) if f["action"] ==
       "/item/%s/decide" % ID]
check("one decision form for the part", len(dec) == 1, text[:300])
fields = dict(dec[0]["fields"])
fields.update(action="approve", comment="添付のみ可")
st, h, text = chief.req("POST", dec[0]["action"], fields)
check("the part is approved and delivered", st == 200 and
      "添付ファイルを申請者に配送しました" in text, text[:600])

# ---- the lockout: three failures lock the user out, even with the
# right password afterwards
b = Client()
for i in range(3):
    b.login("b", "wrong")
st, h, text = b.login("b", "bpw")
check("locked out after failed logins", st == 200 and "しばらく" in text,
      text[:300])
st, h, text = staff.req("GET", item(ID))
check("the recipient sees the decision", "承認" in text and
      "chief@city.example.lg.jp" in text)
logout = [f for f in staff.forms(text) if f["action"] == "/logout"][0]
st, h, text = staff.req("POST", "/logout", logout["fields"])
st, h, text = staff.req("GET", "/")
check("logged out", st == 303)
sys.exit(1 if fails else 0)
