#!/usr/bin/env python3
"""hostile-big-run - t/hostile-big.sh's runs and judges (see that script)

usage: hostile-big-run.py --mugai M --live L --peak P --oracle O --conf C
           --out DIR [--validator V [--validator-max BYTES]] [--time S]
           [--rss KB] [--max-size BYTES] [-j N] CASEDIR

Every CASEDIR/*.eml goes through three runs, each a process of its own:
`mugai sanitize --json --engine=gmime`, the same with --engine=stream
(exit 3: declined, GMime reads it) and t/live-run (the milter's way: fed
in 64 KiB chunks, then finished over the file as the spool). Each run's
wall time and peak RSS come from t/peak-rss (wait4() in a small parent;
the extraction helper is a child of the run, reaped by it, so its peak
counts too). Then, per case:

  - no run ends by a signal (a crash) or is killed past 4 x --time;
  - each run within --time seconds and --rss KB (0: no bound; cases
    over --max-size bytes are skipped), unless CASEDIR/BOUNDS
    (NAME.eml, a tab, KB, a tab, why) states a larger RSS for the case;
  - exit 0 (sanitized or unchanged) or 1 with verdict withheld and a
    reason; the output is held to the C oracle (t/oracle-check --stamp,
    --keep KEEP-THIS-TEXT for CASEDIR/KEEP's cases not withheld) and, with
    --validator, GMime's output to check_sanitized.py (--require-notice,
    or --min-preserve 0 when withheld; CASEDIR/VKNOWN: NAME.eml, a tab,
    why its failures are a known difference), as t/corpus.sh does, for the
    messages of at most --validator-max bytes (2 MiB: the validator takes
    7 to 16 s on one of 10 to 20 MB); the other runs must equal it;
  - CASEDIR/LIMITS's cases are withheld by that limit in every run;
  - the engines agree: live's output, exit status and verdict are
    GMime's, and so are the stream engine's where it takes the message
    (the engine's name aside).

Prints one "ok - ..." or "not ok - ..." line per case (TAP, as t/tap.sh)
and a table of every run (case, run, exit, seconds, KB, verdict, limit or
reason), then exits 1 when any case failed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

RUNS = ("gmime", "stream", "live")
MARK = "KEEP-THIS-TEXT"


def run_one(a, path, kind, outdir):
    name = os.path.basename(path)[:-4]
    out = os.path.join(outdir, "%s.%s.out" % (name, kind))
    err = os.path.join(outdir, "%s.%s.json" % (name, kind))
    if kind == "live":
        argv = [a.live, "-c", a.conf, path, out]
    else:
        argv = [a.mugai, "sanitize", "-c", a.conf, "--json",
                "--engine=" + kind, path, out]
    with open(err, "wb") as ef:
        subprocess.run([a.peak, str(4 * a.time)] + argv,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=ef)
    with open(err, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    m = re.search(r"^peak-rss: (-?\d+) ([\d.]+) (\d+)$", text, re.M)
    r = {"kind": kind, "out": out, "json": None, "rc": 127, "secs": 0.0,
         "kb": 0}
    if m:
        r.update(rc=int(m.group(1)), secs=float(m.group(2)),
                 kb=int(m.group(3)))
        text = text[:m.start()]
    r["killed"] = r["rc"] == -9 and a.time > 0 and r["secs"] >= 4 * a.time
    try:
        r["json"] = json.loads(text[text.index("{"):])
    except ValueError:
        pass
    # The validator reads GMime's output, which the others must equal.
    r["validator"] = None
    if kind == "gmime" and a.validator and r["rc"] in (0, 1) and \
            os.path.getsize(path) <= a.validator_max:
        args = ["--require-notice"] if r["rc"] == 0 else \
            ["--min-preserve", "0"]
        v = subprocess.run([sys.executable, a.validator] + args +
                           [path, out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        r["validator"] = (v.returncode, v.stdout.decode(
            "utf-8", "replace").strip())
    return r


def report(r):
    j = r["json"] or {}
    rep = j.get("report", j)
    return (rep.get("verdict"), rep.get("limit"),
            rep.get("withheld_reason"), j.get("stream_declined"))


def unname(path, engine):
    try:
        with open(path, "rb") as f:
            b = f.read()
    except OSError:
        return None
    return b.replace(b"; engine=%s;" % engine.encode(), b"; engine=E;")


def read_table(path, cols):
    t = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= cols:
                    t[p[0]] = p[1:]
    return t


def judge(a, path, runs, keep, limits, bounds, vknown):
    fname = os.path.basename(path)
    why = []
    rss = a.rss
    if rss > 0 and fname in bounds:
        rss = int(bounds[fname][0])
    for r in runs:
        k = r["kind"]
        if r["rc"] < 0:
            why.append("%s: killed by signal %d%s" % (
                k, -r["rc"], " (past 4 x the time bound)" if r["killed"]
                else ""))
            continue
        if a.time > 0 and r["secs"] > a.time:
            why.append("%s: %.1f s (bound %d s)" % (k, r["secs"], a.time))
        if rss > 0 and r["kb"] > rss:
            why.append("%s: %d KB of RSS (bound %d KB)" % (k, r["kb"], rss))
        verdict, limit, reason, declined = report(r)
        if k == "stream" and r["rc"] == 3:
            if not declined:
                why.append("stream: exit 3 without a reason")
            continue
        if r["rc"] not in (0, 1):
            why.append("%s: exit %d" % (k, r["rc"]))
            continue
        if r["rc"] == 1 and (verdict != "withheld" or not reason):
            why.append("%s: exit 1, verdict %s, reason %r" % (
                k, verdict, reason))
            continue
        if fname in limits and (verdict != "withheld" or
                                limit != limits[fname][0]):
            why.append("%s: %s by %s, wanted withheld by %s" % (
                k, verdict, limit, limits[fname][0]))
        cmd = [a.oracle, "--stamp"]
        if r["rc"] == 0 and fname in keep:
            cmd += ["--keep", MARK]
        o = subprocess.run(cmd + [r["out"]], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if o.returncode != 0:
            why.append("%s: oracle: %s" % (
                k, o.stdout.decode("utf-8", "replace").strip()[:300]))
        if k == "gmime" and r.get("validator") is not None:
            vrc, vout = r["validator"]
            if vrc != 0 and fname in vknown:
                print("# validator, known (CASEDIR/VKNOWN): %s: %s" % (
                    fname, vknown[fname][0]))
            elif vrc != 0:
                why.append("%s: validator: %s" % (k, vout[:300]))
    # The engines agree.
    by = {r["kind"]: r for r in runs}
    g = by["gmime"]
    if g["rc"] in (0, 1):
        ref = unname(g["out"], "gmime")
        for k in ("stream", "live"):
            r = by[k]
            if r["rc"] == 3 or r["rc"] < 0:
                continue
            j = r["json"] or {}
            engine = j.get("report", j).get("engine") or k
            if r["rc"] != g["rc"] or report(r)[:2] != report(g)[:2]:
                why.append("%s: exit %d %s, GMime exit %d %s" % (
                    k, r["rc"], report(r)[:2], g["rc"], report(g)[:2]))
            elif unname(r["out"], engine) != ref:
                why.append("%s: output differs from GMime's" % k)
    return why


def main():
    ap = argparse.ArgumentParser()
    for o in ("--mugai", "--live", "--peak", "--oracle", "--conf", "--out"):
        ap.add_argument(o, required=True)
    ap.add_argument("--validator")
    ap.add_argument("--validator-max", type=int, default=2 << 20)
    ap.add_argument("--time", type=int, default=30)
    ap.add_argument("--rss", type=int, default=65536)
    ap.add_argument("--max-size", type=int, default=0)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("dir")
    a = ap.parse_args()
    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir)
                   if f.endswith(".eml"))
    if a.max_size > 0:
        for f in files:
            if os.path.getsize(f) > a.max_size:
                print("ok - %s # SKIP over %d bytes" % (
                    os.path.basename(f), a.max_size))
        files = [f for f in files if os.path.getsize(f) <= a.max_size]
    keep = set(read_table(os.path.join(a.dir, "KEEP"), 1))
    limits = read_table(os.path.join(a.dir, "LIMITS"), 2)
    bounds = read_table(os.path.join(a.dir, "BOUNDS"), 3)
    vknown = read_table(os.path.join(a.dir, "VKNOWN"), 2)
    jobs = [(f, k) for f in files for k in RUNS]
    # The largest first, so that two workers end together.
    jobs.sort(key=lambda j: -os.path.getsize(j[0]))
    with ThreadPoolExecutor(a.j) as ex:
        futs = {j: ex.submit(run_one, a, j[0], j[1], a.out) for j in jobs}
        res = {j: f.result() for j, f in futs.items()}
    failed = 0
    table = []
    for f in files:
        runs = [res[(f, k)] for k in RUNS]
        why = judge(a, f, runs, keep, limits, bounds, vknown)
        name = os.path.basename(f)
        if why:
            failed += 1
            print("not ok - %s: %s" % (name, "; ".join(why)))
        else:
            print("ok - %s" % name)
        for r in runs:
            verdict, limit, reason, declined = report(r)
            what = limit or (declined and "declined: " + declined) or \
                reason or ""
            table.append("  %-44s %-6s %3d %6.2f s %7d KB  %-9s %s" % (
                name[:-4][:44], r["kind"], r["rc"], r["secs"], r["kb"],
                verdict or "-", re.sub(r"\s+", " ", what)[:60]))
    print("# case                                         run    rc"
          "   time      peak RSS verdict  limit / declined / reason")
    for t in table:
        print("#" + t)
    if a.validator:
        n = sum(1 for f in files if res[(f, "gmime")]["validator"]
                is not None)
        print("# validator: GMime's output of %d cases of at most %d "
              "bytes (the other runs must equal it)" % (n, a.validator_max))
    print("# hostile-big: %d cases, %d runs, %d failed" % (
        len(files), len(jobs), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
