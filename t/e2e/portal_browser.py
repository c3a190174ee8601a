#!/usr/bin/python3
"""portal_browser - drives mugai-portal in headless Chromium for
t/e2e/portal-browser.sh, printing TAP-like lines ("ok - ..." /
"not ok - ...") and taking a PNG of each page.

Each step of the story is one function (step_*), run in order by main()
over one shared state (class Story); a step that fails stops the story
(later steps need what it made). To add a step (a preview, a single-part
release), write step_x(st) and put it in STEPS.

The mails go in through the lab's SMTP port; what arrives is read from the
Dovecot Maildir (LAB_MAILDIR/USER/{new,cur}).
"""
import argparse
import email
import email.policy
import glob
import os
import re
import signal
import smtplib
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

fails = 0


def check(desc, cond, detail=""):
    global fails
    if cond:
        print("ok - " + desc, flush=True)
    else:
        fails += 1
        print("not ok - " + desc + ("  # " + str(detail)[:300]
                                    if detail else ""), flush=True)
    return cond


class StepFailed(Exception):
    pass


def need(desc, cond, detail=""):
    if not check(desc, cond, detail):
        raise StepFailed(desc)


# ---- mail ----

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]"
       b"/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
       b"4 0 obj<</Length 52>>stream\nBT /F1 24 Tf 72 700 Td "
       b"(Mitsumori 12000 yen) Tj ET\nendstream endobj\n"
       b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def pdf_mail(to, subject, tag):
    m = email.message.EmailMessage()
    m["From"] = "Taro Yamada <taro@sender.example>"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = "<%s@sender.example>" % tag
    m["Date"] = email.utils.formatdate()
    m.set_content("見積書をお送りします。\nPlease find the quote attached.\n")
    m.add_attachment(PDF, maintype="application", subtype="pdf",
                     filename="見積書.pdf")
    return m.as_bytes()


def send(st, rcpt, data):
    with smtplib.SMTP("127.0.0.1", st.a.smtp, timeout=30) as s:
        s.sendmail("taro@sender.example", [rcpt], data)


def mails(st, user):
    """Every message in user's Maildir, parsed."""
    out = []
    for f in sorted(glob.glob(os.path.join(st.a.maildir, user, "new", "*")) +
                    glob.glob(os.path.join(st.a.maildir, user, "cur", "*"))):
        with open(f, "rb") as fh:
            out.append(email.message_from_binary_file(
                fh, policy=email.policy.default))
    return out


def wait_mail(st, user, pred, n=1, secs=40):
    end = time.time() + secs
    while time.time() < end:
        got = [m for m in mails(st, user) if pred(m)]
        if len(got) >= n:
            return got
        time.sleep(0.3)
    return [m for m in mails(st, user) if pred(m)]


def text_of(m):
    parts = []
    for p in m.walk():
        if p.get_content_type() == "text/plain":
            try:
                parts.append(p.get_content())
            except Exception:
                pass
    return "\n".join(parts)


def has_pdf(m):
    return any(p.get_content_type() == "application/pdf" for p in m.walk())


# ---- the browser ----

class Story:
    def __init__(self, a):
        self.a = a
        self.base = a.portal
        opts = webdriver.ChromeOptions()
        for o in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage", "--ignore-certificate-errors",
                  "--window-size=1280,1000", "--lang=ja",
                  "--no-first-run", "--disable-extensions",
                  "--disable-background-networking", "--disable-sync",
                  "--disable-component-update",
                  "--user-data-dir=" + os.path.join(a.work, "chromium")):
            opts.add_argument(o)
        svc = Service("/usr/bin/chromedriver",
                      log_path=os.path.join(a.work, "chromedriver.log"))
        self.d = webdriver.Chrome(service=svc, options=opts)
        self.d.set_page_load_timeout(90)
        self.item_url = None
        self.ppap_url = None

    def go(self, path):
        self.d.get(path if path.startswith("https:") else self.base + path)

    def shot(self, name):
        # The whole page, not only the window.
        h = self.d.execute_script(
            "return document.documentElement.scrollHeight")
        self.d.set_window_size(1280, max(700, min(int(h) + 40, 3000)))
        self.d.save_screenshot(os.path.join(self.a.shots, name + ".png"))
        self.d.set_window_size(1280, 1000)

    def loaded(self, old):
        """Waits until old (the last page's root) is gone and the next
        page (after any redirect) has loaded."""
        WebDriverWait(self.d, 90).until(EC.staleness_of(old))
        WebDriverWait(self.d, 90).until(lambda d: d.execute_script(
            "return document.readyState") == "complete")

    def click(self, el):
        """Clicks el (a form's button) and waits for the next page."""
        old = self.d.find_element(By.TAG_NAME, "html")
        el.click()
        self.loaded(old)

    def script_submit(self, js, *args):
        old = self.d.find_element(By.TAG_NAME, "html")
        self.d.execute_script(js, *args)
        self.loaded(old)

    def fresh(self, act):
        """Runs act() up to three times, every node found afresh by it on
        each try: right after a navigation or a resize chromedriver may
        hand back a node of the page before ("does not belong to the
        document"), and a click that raised did not navigate."""
        for attempt in range(3):
            try:
                return act()
            except WebDriverException:
                if attempt == 2:
                    raise
                time.sleep(0.5)

    def body(self):
        return self.fresh(
            lambda: self.d.find_element(By.TAG_NAME, "body").text)

    def login(self, user, pw, shot=None):
        if os.environ.get("MUGAI_BROWSER_DEBUG"):
            print("# cookies:", self.d.get_cookies(), self.d.current_url)
        def act():
            old = self.d.find_element(By.TAG_NAME, "html")
            for name, text in (("login", user), ("password", pw)):
                el = self.d.find_element(By.NAME, name)
                el.clear()
                el.send_keys(text)
            if shot:
                self.shot(shot)
            self.d.find_element(By.CSS_SELECTOR, "form button").click()
            return old
        self.loaded(self.fresh(act))

    def logout(self):
        def act():
            old = self.d.find_element(By.TAG_NAME, "html")
            self.d.find_element(By.CSS_SELECTOR,
                                "header form button").click()
            return old
        self.loaded(self.fresh(act))

    def submit(self, action_end, fields):
        """Fills the form whose action ends in action_end (fields: name ->
        text) and clicks its button (fresh(): every node found again on
        a retry)."""
        def act():
            old = self.d.find_element(By.TAG_NAME, "html")
            f = self.form_with(action_end)
            for name, text in fields.items():
                el = f.find_element(By.NAME, name)
                el.clear()
                el.send_keys(text)
            f.find_element(By.TAG_NAME, "button").click()
            return old
        self.loaded(self.fresh(act))

    def form_with(self, action_end):
        def act():
            for f in self.d.find_elements(By.TAG_NAME, "form"):
                if (f.get_attribute("action") or "").endswith(action_end):
                    return f
            return None
        return self.fresh(act)


def link_in(m, base):
    t = text_of(m)
    found = re.findall(re.escape(base) + r"/item/[0-9A-Za-z._-]+\?m=[0-9a-f]+",
                       t)
    return found[0] if found else None


# ---- the steps ----

def step_mail_in(st):
    """The PDF mail and the PPAP mail go through Postfix and the milter;
    the sanitized copies with their notice links arrive."""
    dom = st.a.domain
    send(st, "staff@" + dom, pdf_mail("staff@" + dom,
                                      "見積書の送付 (PDF)", "pdf-1"))
    with open(st.a.ppap, "rb") as f:
        send(st, "staff@" + dom, f.read())
    got = wait_mail(st, "staff", lambda m: "pdf-1@" in str(m["Message-ID"]))
    need("the sanitized PDF mail is in staff's Maildir", len(got) == 1)
    need("the PDF was removed from it", not has_pdf(got[0]))
    st.item_url = link_in(got[0], st.base)
    need("its notice links the item", st.item_url is not None,
         text_of(got[0])[-500:])
    got = wait_mail(st, "staff", lambda m: "見積書.zip" in text_of(m) and
                    "パスワード付きZIP" not in str(m["Subject"]))
    need("the PPAP mail arrived, the zip removed", len(got) >= 1)
    st.ppap_url = link_in(got[0], st.base)
    need("its notice links the item", st.ppap_url is not None)


def step_login_recipient(st):
    """staff opens the link from the notice: the login page first, then
    the item (the IMAP password of Dovecot)."""
    st.go(st.item_url)
    need("the link asks for a login", "/login" in st.d.current_url)
    st.login("staff", "staffpw", shot="01-login")
    need("after the login the item is shown",
         "/item/" in st.d.current_url and "見積書.pdf" in st.body(),
         st.body()[:300])
    st.shot("03-item")


def step_preview(st):
    """The removed PDF is shown as a picture drawn in the sandbox: an
    <img> of /item/ID/preview/PART that the browser decoded as a PNG."""
    st.go(st.item_url)
    imgs = [i for i in st.d.find_elements(By.TAG_NAME, "img")
            if "/preview/" in (i.get_attribute("src") or "")]
    need("the item page shows one picture of the one-page PDF",
         len(imgs) == 1, "%d pictures" % len(imgs))
    WebDriverWait(st.d, 60).until(lambda d: d.execute_script(
        "return arguments[0].complete", imgs[0]))
    w = st.d.execute_script("return arguments[0].naturalWidth", imgs[0])
    need("the browser decoded the preview picture", int(w or 0) > 0,
         "naturalWidth %s" % w)


def step_list(st):
    st.go("/")
    b = st.body()
    need("the list shows the PDF mail", "見積書の送付" in b, b[:300])
    st.shot("02-list")


def step_request(st):
    """staff asks for the original with a reason."""
    st.go(st.item_url)
    f = st.form_with("/request")
    need("the item offers a request form", f is not None)
    forms = [x for x in st.d.find_elements(By.TAG_NAME, "form")
             if (x.get_attribute("action") or "").endswith("/request") and
             x.find_elements(By.TAG_NAME, "textarea")]
    need("a form for the whole original", len(forms) == 1)
    st.stale_token = forms[0].find_element(
        By.NAME, "form").get_attribute("value")
    forms[0].find_element(By.NAME, "reason").send_keys(
        "見積内容の確認のため原本が必要です。")
    st.click(forms[0].find_element(By.TAG_NAME, "button"))
    b = st.body()
    need("the request is recorded", "申請しました" in b, b[:300])
    need("its state is 申請中", "申請中" in b)
    st.shot("04-request")


def step_replayed_form(st):
    """The same form token sent again is refused (a replayed form)."""
    st.go(st.item_url)
    st.script_submit(
        "var f=[...document.forms].find(f=>f.querySelector('textarea'));"
        "f.elements['form'].value=arguments[0];"
        "f.elements['reason'].value='replay';f.submit();", st.stale_token)
    b = st.body()
    need("a replayed form is refused", "使用済みか無効" in b, b[:300])


def step_forged_link(st):
    u = urllib.parse.urlsplit(st.item_url)
    mac = urllib.parse.parse_qs(u.query)["m"][0]
    forged = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    st.go(st.item_url.replace("m=" + mac, "m=" + forged))
    need("a forged link is refused", "このリンクは正しくありません" in
         st.body(), st.body()[:300])


def step_other_recipient(st):
    """b, another recipient of the same office, cannot see staff's item."""
    st.logout()
    st.go(st.item_url)
    st.login("b", "bpw")
    b = st.body()
    need("b may not see staff's item", "権限がありません" in b and
         "見積書.pdf" not in b, b[:300])
    st.go("/")
    need("b's list does not show it", "見積書の送付" not in st.body())
    st.logout()


def step_approver(st):
    """chief (LDAP) sees the queue, opens the request and approves."""
    st.go("/queue")
    st.login("chief", "chiefpw")
    b = st.body()
    need("chief's queue lists the request", "見積書の送付" in b and
         "staff@" in b, b[:300])
    st.shot("05-queue")
    st.click(st.d.find_element(By.PARTIAL_LINK_TEXT, "見積書の送付"))
    f = st.form_with("/decide")
    need("the item offers approve and deny", f is not None)
    f.find_element(By.NAME, "comment").send_keys("確認しました。")
    st.shot("06-approval")
    f = st.form_with("/decide")
    st.click(f.find_element(By.CSS_SELECTOR, "button[value=approve]"))
    b = st.body()
    need("approved and sent", "承認し、原本を申請者に配送しました" in b,
         b[:400])
    st.shot("07-approved")
    st.logout()


def step_released_once(st):
    """The original (with its PDF) arrives in staff's Maildir once."""
    got = wait_mail(st, "staff", lambda m: "pdf-1@" in str(m["Message-ID"])
                    and has_pdf(m))
    time.sleep(2)   # a second copy would have come by now
    got = [m for m in mails(st, "staff")
           if "pdf-1@" in str(m["Message-ID"]) and has_pdf(m)]
    need("the released original arrived exactly once", len(got) == 1,
         "%d copies" % len(got))


def step_part(st):
    """staff asks for the PDF alone; chief approves; the part arrives in
    staff's Maildir exactly once, with the note of who approved it."""
    st.go(st.item_url)
    st.login("staff", "staffpw")
    forms = [x for x in st.d.find_elements(By.TAG_NAME, "form")
             if (x.get_attribute("action") or "").endswith("/request") and
             x.find_elements(By.CSS_SELECTOR, "input[name=part]") and
             not x.find_elements(By.TAG_NAME, "textarea")]
    need("the PDF's row offers a request", len(forms) == 1)
    forms[0].find_element(By.NAME, "reason").send_keys("添付のみ必要です。")
    st.click(forms[0].find_element(By.TAG_NAME, "button"))
    need("the part's request is recorded", "申請しました" in st.body(),
         st.body()[:300])
    st.logout()
    st.go("/queue")
    st.login("chief", "chiefpw")
    st.click(st.d.find_element(By.PARTIAL_LINK_TEXT, "見積書の送付"))
    f = st.form_with("/decide")
    need("the part's request waits for chief", f is not None)
    st.click(f.find_element(By.CSS_SELECTOR, "button[value=approve]"))
    b = st.body()
    need("approved, the part sent", "承認し、添付ファイルを申請者に"
         "配送しました" in b, b[:400])
    st.logout()
    got = wait_mail(st, "staff", lambda m: m["X-Mugai-Part-Release"]
                    is not None)
    time.sleep(2)   # a second copy would have come by now
    got = [m for m in mails(st, "staff")
           if m["X-Mugai-Part-Release"] is not None]
    need("the approved part arrived exactly once", len(got) == 1,
         "%d copies" % len(got))
    check("it carries the PDF and names the approver", has_pdf(got[0]) and
          "chief" in text_of(got[0]), text_of(got[0])[:400])


def step_ppap(st):
    """staff types a wrong, then the right password of the PPAP zip."""
    st.go(st.ppap_url)
    st.login("staff", "staffpw")
    need("the PPAP item offers a password field",
         st.form_with("/ppap") is not None, st.body()[:300])
    st.shot("08-ppap-form")
    st.submit("/ppap", {"password": "wrong-xyzzy"})
    b = st.body()
    need("a wrong password is said plainly", "パスワードが違います" in b and
         "4 more tries" in b, b[:400])
    st.shot("09-ppap-wrong")
    st.submit("/ppap", {"password": st.a.ppap_password})
    b = st.body()
    need("the right password opens it", "新しいメールとしてお送りしました"
         in b, b[:400])
    st.shot("10-ppap-opened")
    got = wait_mail(st, "staff", lambda m: "パスワード付きZIP" in
                    str(m["Subject"]))
    need("the opened archive arrived as a new mail", len(got) == 1,
         "%d" % len(got))
    t = text_of(got[0])
    check("it lists the entries", "見積書.txt" in t and "setup.exe" in t,
          t[:400])
    st.logout()


STEPS = [step_mail_in, step_login_recipient, step_preview, step_list,
         step_request, step_replayed_form, step_forged_link,
         step_other_recipient, step_approver, step_released_once,
         step_part, step_ppap]


def main():
    p = argparse.ArgumentParser()
    for o in ("portal", "maildir", "domain", "ppap", "ppap-password",
              "shots", "work"):
        p.add_argument("--" + o, required=True)
    p.add_argument("--smtp", type=int, required=True)
    a = p.parse_args()
    # The script's TERM (portal-browser.sh's cleanup) still quits the
    # browser and chromedriver: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    st = Story(a)
    try:
        for step in STEPS:
            t0 = time.time()
            try:
                step(st)
            except StepFailed:
                st.shot("failed-" + step.__name__)
                print("# stopped in %s; page: %s" % (step.__name__,
                      st.d.current_url))
                break
            except Exception as e:
                check(step.__name__, False, "%r %s" % (e, str(e)[:300]))
                st.shot("failed-" + step.__name__)
                break
            print("# %s: %.1f s" % (step.__name__, time.time() - t0))
    finally:
        st.d.quit()
    print("# %d failed" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
