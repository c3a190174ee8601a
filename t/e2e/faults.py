#!/usr/bin/env python3
"""faults.py - helpers of t/e2e/faults.sh (Python 3 stdlib only)

  faults.py burst GENDIR OUTDIR PREFIX COPIES
      OUTDIR/PREFIX-NN-CASE.eml: COPIES variants of every generated case
      of e2e.py gen (plain text, ISO-2022-JP, HTML, zip/exe, encrypted,
      uuencode, ...), each with its own Message-ID and Subject tag
  faults.py pending STATE
      the source files whose last attempt was not accepted (not 2xx), one
      a line: what the client still holds and must send again
  faults.py held STATE MAILDIR
      while the quarantine cannot be written: every message delivered so far
      carries X-Mugai-Sanitized with verdict=unchanged and no quarantine ID
      (nothing that needed its original kept got through), every 4xx came
      from the milter's tempfail; prints the counts
  faults.py store QDIR
      every item of the quarantine is whole (original.eml and meta.json
      there, SHA-256 and size as meta.json says); tmp/ leftovers are
      listed, not failed
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402


def burst(gendir, outdir, prefix, copies):
    os.makedirs(outdir, exist_ok=True)
    cases = sorted(f for f in os.listdir(gendir)
                   if f.startswith("gen-") and f.endswith(".eml"))
    n = 0
    for k in range(int(copies)):
        for c in cases:
            with open(os.path.join(gendir, c), "rb") as f:
                data = f.read()
            tag = "%s-%02d-%s" % (prefix, k, c[:-4])
            data = re.sub(rb"(?im)^Message-ID:[^\r\n]*",
                          b"Message-ID: <" + tag.encode() + b"@sender.example>",
                          data, count=1)
            data = re.sub(rb"(?im)^Subject:", b"Subject: [" + tag.encode() +
                          b"]", data, count=1)
            with open(os.path.join(outdir, tag + ".eml"), "wb") as f:
                f.write(data)
            n += 1
    print("burst: %d message(s) in %s" % (n, outdir))
    return 0


def pending(state):
    st = e2e.load_state(state)
    for m in st["messages"]:
        last = m["attempts"][-1] if m["attempts"] else {"code": 0}
        if last["code"] // 100 != 2:
            print(m["source"])
    return 0


def held(state, maildir):
    st = e2e.load_state(state)
    delivered, stray = e2e.read_maildir(maildir)
    fails = []
    c = {"sent": 0, "accepted": 0, "tempfailed": 0, "other": 0,
         "delivered": 0}
    for m in st["messages"]:
        c["sent"] += 1
        last = m["attempts"][-1] if m["attempts"] else {"code": 0}
        code = last["code"]
        label = "%s (%s)" % (m["id"], m["name"])
        if code // 100 == 2:
            c["accepted"] += 1
        elif code // 100 == 4:
            c["tempfailed"] += 1
            if not (code == 451 and "4.3.0" in last.get("text", "") and
                    last.get("stage") == "DATA"):
                fails.append("%s: 4xx not the milter's tempfail: %d %s" % (
                    label, code, last.get("text", "")[:160]))
        else:
            c["other"] += 1
            fails.append("%s: %d %s" % (label, code, last.get("text", "")[:160]))
        for p in delivered.get(m["id"], []):
            c["delivered"] += 1
            with open(p, "rb") as f:
                hv = e2e.first_header(f.read(), "X-Mugai-Sanitized")
            v, qid = e2e.stamp_of(hv)
            if hv is None:
                fails.append("%s: delivered UNSANITIZED (no X-Mugai-Sanitized)"
                             % label)
            elif v != "unchanged" or qid is not None:
                fails.append("%s: delivered as %r while the quarantine could "
                             "not be written" % (label, hv))
    for p in stray:
        fails.append("stray message in the store: %s" % p)
    for f in fails:
        print("FAIL: " + f)
    print("held: sent=%(sent)d accepted=%(accepted)d tempfailed=%(tempfailed)d "
          "other=%(other)d delivered_so_far=%(delivered)d" % c)
    return 1 if fails else 0


def store(qdir):
    items = e2e.read_quarantine(qdir)
    bad = [it for it in items.values() if it["problems"]]
    # Anything visible outside tmp/ that is not a whole YYYY/MM/DD/QID item.
    odd = []
    for dirpath, dirs, files in os.walk(qdir):
        rel = os.path.relpath(dirpath, qdir)
        parts = [] if rel == "." else rel.split(os.sep)
        if parts and parts[0] == "tmp":
            continue
        if parts and parts[0] == "journal" and len(parts) == 1:
            continue    # the index's journal, checked below
        if len(parts) < 4:
            for f in files:
                # audit.log: the store's own log; .fill: faults.sh's filler;
                # index.sqlite*: the index (lib/index/), rebuilt at will
                if not (parts == [] and (f in ("audit.log", ".fill") or
                                         f.startswith("index.sqlite"))):
                    odd.append(os.path.join(dirpath, f))
        if len(parts) > 4:
            odd.append(dirpath)
    # The journal: each row a whole JSON line; a "stored" row (unless a
    # "dropped" one withdrew it) names a whole item, and no item has two.
    # An item without a row is possible only after a kill between its
    # rename and its row (its message was never answered): counted.
    rows = {}
    jdir = os.path.join(qdir, "journal")
    for seg in sorted(os.listdir(jdir)) if os.path.isdir(jdir) else []:
        with open(os.path.join(jdir, seg), "rb") as f:
            for line in f.read().split(b"\n"):
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    odd.append("journal/%s: a line that is not JSON" % seg)
                    continue
                if row.get("op") == "stored":
                    rows[row["id"]] = rows.get(row["id"], 0) + 1
                elif row.get("op") == "dropped":
                    rows.pop(row["id"], None)
    ids = set(os.path.basename(it["dir"]) for it in items.values())
    for qid, n in rows.items():
        if qid not in ids:
            odd.append("journal row for a missing item %s" % qid)
        elif n > 1:
            odd.append("journal: %d rows for item %s" % (n, qid))
    print("journal: %d row(s); %d item(s) without a row" % (
        len(rows), len(ids - set(rows))))
    tmpdir = os.path.join(qdir, "tmp")
    left = sorted(os.listdir(tmpdir)) if os.path.isdir(tmpdir) else []
    for it in bad:
        print("FAIL: partial quarantine item %s: %s" % (
            it["dir"], "; ".join(it["problems"])))
    for p in odd:
        print("FAIL: stray entry in the quarantine: %s" % p)
    print("store: %d item(s), %d whole, %d partial, %d stray; tmp/ leftovers: "
          "%d%s" % (len(items), len(items) - len(bad), len(bad), len(odd),
                    len(left), (" (" + ", ".join(left[:5]) + ")") if left
                    else ""))
    return 1 if bad or odd else 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "burst":
        return burst(*args)
    if cmd == "pending":
        return pending(*args)
    if cmd == "held":
        return held(*args)
    if cmd == "store":
        return store(*args)
    print("usage: see the docstring", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
