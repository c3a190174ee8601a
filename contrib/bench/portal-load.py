#!/usr/bin/env python3
"""portal-load - pages per second of mugai-portal under concurrent users.

Usage: portal-load.py BASE_URL LOGIN PASSWORD USERS SECONDS PATH...

Logs in once per user (each its own session), then USERS threads fetch
the PATHs round-robin over keep-alive HTTPS connections for SECONDS and
the totals are printed: requests, errors, pages/s, median and 95th
percentile latency, the mean size of a page and the mean number of
links to items on it (so that a fast figure can be told from a short
answer). Used by t/portal.sh with MUGAI_PORTAL_BENCH set
(BENCHMARKS.md, "mugai-portal").
"""
import http.client
import re
import ssl
import sys
import threading
import time
import urllib.parse

base, login, pw, users, secs = sys.argv[1:6]
paths = sys.argv[6:]
u = urllib.parse.urlsplit(base)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE


def conn():
    return http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                       timeout=60)


def session():
    c = conn()
    c.request("GET", "/login")
    r = c.getresponse()
    body = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    form = re.search(r'name="form" value="([^"]+)"', body).group(1)
    data = urllib.parse.urlencode({"form": form, "next": "/",
                                   "login": login, "password": pw})
    c.request("POST", "/login", data, {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    if r.status != 303:
        sys.exit("portal-load: login as %s failed (%d)" % (login, r.status))
    return r.getheader("Set-Cookie").split(";")[0]


lat = []
errors = [0]
nbytes = [0]
nitems = [0]
lock = threading.Lock()
stop_at = [0.0]


def worker(cookie, k):
    c = conn()
    mine = []
    got = 0
    links = 0
    i = k
    while time.monotonic() < stop_at[0]:
        p = paths[i % len(paths)]
        i += 1
        t0 = time.monotonic()
        try:
            c.request("GET", p, headers={"Cookie": cookie})
            r = c.getresponse()
            body = r.read()
            got += len(body)
            links += body.count(b'href="/item/')
            ok = r.status == 200
        except Exception:
            ok = False
            c = conn()
        mine.append(time.monotonic() - t0)
        if not ok:
            with lock:
                errors[0] += 1
    with lock:
        lat.extend(mine)
        nbytes[0] += got
        nitems[0] += links


cookies = [session() for _ in range(int(users))]
stop_at[0] = time.monotonic() + float(secs)
t0 = time.monotonic()
ts = [threading.Thread(target=worker, args=(c, k))
      for k, c in enumerate(cookies)]
for t in ts:
    t.start()
for t in ts:
    t.join()
el = time.monotonic() - t0
lat.sort()
n = len(lat)
print("requests %d errors %d seconds %.1f pages/s %.1f median %.0f ms "
      "p95 %.0f ms bytes/page %.0f item links/page %.1f" % (
          n, errors[0], el, n / el, 1000 * lat[n // 2] if n else 0,
          1000 * lat[int(n * 0.95)] if n else 0,
          nbytes[0] / n if n else 0, nitems[0] / n if n else 0))
