#!/usr/bin/env python3
"""e2e-measure - the measuring half of contrib/bench/e2e-bench

Driven by e2e-bench (which starts the private Postfix, smtp-sink and the
milters, and stops them by PID). For each repeat, each session count and
each configuration, interleaved, it points Postfix's smtpd_milters at the
configuration (postconf -e; postfix reload), sends the message plan at that
concurrency, waits until Postfix's queue directories are empty (every
message delivered to smtp-sink), and records:
  - messages/s: messages / (first connect .. queue empty)
  - CPU seconds of Postfix (master's own and reaped children's times from
    /proc/MASTER/stat plus its live children), of the milter's processes
    (the same for each given PID and its children), of the sender and of
    smtp-sink, each as a difference over the run
  - peak RSS (VmHWM, reset before each run) of the milter's processes
Senders: "py" (default) is a small threaded SMTP client in this file that
sends the corpus mix (files read once, CRLF and dot-stuffing done before
the clock starts; one connection per session, reused); "smtp-source" runs
Postfix's smtp-source -s SESSIONS -m N -F FILE for one file.
Python 3 standard library only.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # fields after ")": state(3) ppid(4) ... utime(14) stime(15)
    # cutime(16) cstime(17); rest[0] is field 3.
    return {"ppid": int(rest[1]), "utime": int(rest[11]),
            "stime": int(rest[12]), "cutime": int(rest[13]),
            "cstime": int(rest[14])}


def all_procs():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                out[int(d)] = proc_stat(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def tree_cpu(roots, procs):
    """Seconds used by roots, their reaped children, and live descendants."""
    kids = {}
    for pid, st in procs.items():
        kids.setdefault(st["ppid"], []).append(pid)
    total, seen = 0, set()
    for root in roots:
        if root not in procs:
            continue
        st = procs[root]
        total += st["utime"] + st["stime"] + st["cutime"] + st["cstime"]
        stack = list(kids.get(root, []))
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            total += procs[p]["utime"] + procs[p]["stime"]
            stack.extend(kids.get(p, []))
    return total / TICK


def tree_hwm_kb(roots):
    procs = all_procs()
    kids = {}
    for pid, st in procs.items():
        kids.setdefault(st["ppid"], []).append(pid)
    total, stack = 0, list(roots)
    while stack:
        p = stack.pop()
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(kids.get(p, []))
    return total


def queue_empty(qdir):
    for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
        for _, _, files in os.walk(os.path.join(qdir, sub)):
            if files:
                return False
    return True


def smtp_data(raw):
    """CRLF line ends and dot-stuffing, once, before the clock starts."""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = [(b"." + l if l.startswith(b".") else l) for l in lines]
    return b"\r\n".join(out) + b"\r\n.\r\n"


class Session:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")
        self.reply()
        self.cmd(b"EHLO bench.sender.example")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise ConnectionError("connection closed")
            if line[3:4] != b"-":
                return int(line[:3])

    def cmd(self, c):
        self.s.sendall(c + b"\r\n")
        return self.reply()

    def send(self, data):
        if self.cmd(b"MAIL FROM:<bench@sender.example>") != 250:
            self.cmd(b"RSET")
            return False
        if self.cmd(b"RCPT TO:<soumu@lgwan.example>") != 250:
            self.cmd(b"RSET")
            return False
        if self.cmd(b"DATA") != 354:
            self.cmd(b"RSET")
            return False
        self.s.sendall(data)
        return self.reply() == 250

    def close(self):
        try:
            self.cmd(b"QUIT")
        except OSError:
            pass
        self.s.close()


def py_send(port, plan, sessions):
    lock = threading.Lock()
    idx = [0]
    bad = [0]

    def worker():
        s = Session(port)
        while True:
            with lock:
                if idx[0] >= len(plan):
                    break
                data = plan[idx[0]]
                idx[0] += 1
            if not s.send(data):
                with lock:
                    bad[0] += 1
        s.close()

    ts = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return bad[0]


def set_milter(a, milter):
    subprocess.run(["postconf", "-c", a.pf_conf, "-e",
                    "smtpd_milters=" + milter,
                    "non_smtpd_milters=" + milter], check=True)
    subprocess.run(["postfix", "-c", a.pf_conf, "reload"], check=True,
                   stderr=subprocess.DEVNULL)
    time.sleep(1.5)


def reset_hwm(pids):
    """Peak RSS counts from here (Linux: clear_refs 5 resets VmHWM)."""
    for p in pids:
        try:
            with open("/proc/%d/clear_refs" % p, "w") as f:
                f.write("5")
        except OSError:
            pass


def one_run(a, name, milter_spec, milter_pids, sessions, plan, nbytes,
            sfile):
    set_milter(a, milter_spec)
    reset_hwm(milter_pids)
    sink = [a.sink_pid]
    procs = all_procs()
    pf0 = tree_cpu([a.master_pid], procs)
    ml0 = tree_cpu(milter_pids, procs)
    sk0 = tree_cpu(sink, procs)
    self0 = os.times()
    t0 = time.perf_counter()
    if a.sender == "py":
        bad = py_send(a.port, plan, sessions)
        nmsgs = len(plan)
    else:
        nmsgs = a.messages
        r = subprocess.run(["smtp-source", "-s", str(sessions), "-m",
                            str(nmsgs), "-F", sfile, "-f",
                            "bench@sender.example", "-t",
                            "soumu@lgwan.example",
                            "127.0.0.1:%d" % a.port],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        bad = 0 if r.returncode == 0 else -1
        nbytes = os.path.getsize(sfile) * nmsgs
    t_acc = time.perf_counter() - t0
    deadline = time.time() + a.timeout
    while not queue_empty(a.pf_queue):
        if time.time() > deadline:
            raise RuntimeError("queue not empty after %ds" % a.timeout)
        time.sleep(0.05)
    t_all = time.perf_counter() - t0
    self1 = os.times()
    procs = all_procs()
    sender = (self1.user - self0.user + self1.system - self0.system +
              self1.children_user - self0.children_user +
              self1.children_system - self0.children_system)
    return {"config": name, "sessions": sessions, "msgs": nmsgs,
            "bytes": nbytes, "bad": bad, "accept_s": t_acc, "wall_s": t_all,
            "postfix_cpu": tree_cpu([a.master_pid], procs) - pf0,
            "milter_cpu": tree_cpu(milter_pids, procs) - ml0 if milter_pids
            else 0.0,
            "sink_cpu": tree_cpu(sink, procs) - sk0, "sender_cpu": sender,
            "milter_hwm_kb": tree_hwm_kb(milter_pids) if milter_pids else 0}


def load_plan(a):
    """The mix: each class's share of the corpus, cycling through its files."""
    by, order = {}, []
    with open(os.path.join(a.corpus, "MANIFEST.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cls, rel = line.split("\t")[:2]
            if a.classes and cls not in a.classes.split(","):
                continue
            if cls not in by:
                by[cls] = []
                order.append(cls)
            by[cls].append(os.path.join(a.corpus, rel))
    total = sum(len(v) for v in by.values())
    plan, mix = [], []
    for cls in order:
        n = max(1, round(a.messages * len(by[cls]) / total))
        data = []
        for i in range(n):
            p = by[cls][i % len(by[cls])]
            with open(p, "rb") as f:
                data.append(smtp_data(f.read()))
        plan.append(data)
        mix.append((cls, n, sum(len(d) for d in data)))
    # Interleave the classes so that every part of the run sees the mix.
    out = []
    while any(plan):
        for data in plan:
            if data:
                out.append(data.pop(0))
    return out, mix


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pf-conf", required=True)
    ap.add_argument("--pf-queue", required=True)
    ap.add_argument("--master-pid", type=int, required=True)
    ap.add_argument("--sink-pid", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--config", action="append", default=[],
                    help="NAME=MILTER_SPEC=PID,PID (spec empty: none)")
    ap.add_argument("--sessions", default="8,32")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--classes")
    ap.add_argument("--sender", default="py", choices=["py", "smtp-source"])
    ap.add_argument("--file", help="the file smtp-source sends")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--json")
    ap.add_argument("corpus")
    a = ap.parse_args()
    configs = []
    for c in a.config:
        name, spec, pids = c.split("=", 2)
        configs.append((name, spec, [int(p) for p in pids.split(",") if p]))
    plan, mix, nbytes = [], [], 0
    if a.sender == "py":
        plan, mix = load_plan(a)
        nbytes = sum(len(d) for d in plan)
        print("mix: " + ", ".join("%s %d (%.1f MB)" % (c, n, b / 1e6)
                                  for c, n, b in mix) +
              "; total %d messages, %.1f MB" % (len(plan), nbytes / 1e6),
              file=sys.stderr)
    runs = []
    for r in range(a.repeats):
        for s in [int(x) for x in a.sessions.split(",")]:
            for name, spec, pids in configs:
                x = one_run(a, name, spec, pids, s, plan, nbytes, a.file)
                x["repeat"] = r
                runs.append(x)
                print("%d %-10s s=%-3d %6.1f msg/s  postfix %.2fs  "
                      "milter %.2fs  bad %d" % (
                          r + 1, name, s, x["msgs"] / x["wall_s"],
                          x["postfix_cpu"], x["milter_cpu"], x["bad"]),
                      file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"mix": mix, "runs": runs}, f, indent=1)
    base = configs[0][0]
    print("| sessions | configuration | msgs/s median (min) | ratio to %s "
          "(median) | MB/s | Postfix CPU ms/msg | milter CPU ms/msg | "
          "milter peak RSS MB | failed |" % base)
    print("|---|---|---|---|---|---|---|---|---|")
    for s in [int(x) for x in a.sessions.split(",")]:
        for name, _, _ in configs:
            xs = [x for x in runs if x["config"] == name and
                  x["sessions"] == s]
            mps = [x["msgs"] / x["wall_s"] for x in xs]
            ratios = []
            for x in xs:
                b = [y for y in runs if y["config"] == base and
                     y["sessions"] == s and y["repeat"] == x["repeat"]][0]
                ratios.append((x["msgs"] / x["wall_s"]) /
                              (b["msgs"] / b["wall_s"]))
            print("| %d | %s | %.1f (%.1f) | %.2f | %.1f | %.2f | %s | %s "
                  "| %d |" % (
                      s, name, statistics.median(mps), min(mps),
                      statistics.median(ratios),
                      statistics.median(x["bytes"] / 1e6 / x["wall_s"]
                                        for x in xs),
                      statistics.median(1e3 * x["postfix_cpu"] / x["msgs"]
                                        for x in xs),
                      "%.2f" % statistics.median(
                          1e3 * x["milter_cpu"] / x["msgs"] for x in xs)
                      if name != base else "-",
                      "%.0f" % (max(x["milter_hwm_kb"] for x in xs) / 1024)
                      if name != base else "-",
                      sum(x["bad"] for x in xs)))
    targets(runs, a.sessions, base)
    return 0


def paired(runs, name, other, s):
    """Median over the repeats of name's rate / other's, same repeat."""
    rs = []
    for x in runs:
        if x["config"] != name or x["sessions"] != s:
            continue
        y = [y for y in runs if y["config"] == other and
             y["sessions"] == s and y["repeat"] == x["repeat"]]
        if y:
            rs.append((x["msgs"] / x["wall_s"]) /
                      (y[0]["msgs"] / y[0]["wall_s"]))
    return statistics.median(rs) if rs else None


def targets(runs, sessions, base):
    """Issue 17's figures, same-run and interleaved: mugai against the
    null milter (the protocol's ceiling, >= 0.95), against Postfix alone
    (>= 0.90) and its CPU per message (<= 2.0 ms), with the load average
    (the machine is shared: a ratio taken at a high load says little)."""
    names = set(x["config"] for x in runs)
    if "mugai" not in names:
        return
    print()
    print("load average at the end: %s" % " ".join(
        "%.1f" % v for v in os.getloadavg()))
    print("| sessions | mugai / null milter (>= 0.95) | mugai / %s "
          "(>= 0.90) | mugai CPU ms/msg (<= 2.0) |" % base)
    print("|---|---|---|---|")
    for s in [int(x) for x in sessions.split(",")]:
        cpu = [1e3 * x["milter_cpu"] / x["msgs"] for x in runs
               if x["config"] == "mugai" and x["sessions"] == s]
        vs_null = (paired(runs, "mugai", "null", s)
                   if "null" in names else None)
        vs_base = paired(runs, "mugai", base, s)

        def mark(v, goal, low_is_good=False):
            if v is None:
                return "-"
            ok = v <= goal if low_is_good else v >= goal
            return "%.2f %s" % (v, "met" if ok else "MISSED")
        print("| %d | %s | %s | %s |" % (
            s, mark(vs_null, 0.95), mark(vs_base, 0.90),
            mark(statistics.median(cpu) if cpu else None, 2.0, True)))


if __name__ == "__main__":
    sys.exit(main())
