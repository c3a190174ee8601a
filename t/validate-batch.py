#!/usr/bin/env python3
"""validate-batch - test helper: many runs of an independent validator in one
Python process (t/corpus.sh).

usage: validate-batch.py VALIDATOR.py <JOBS

VALIDATOR.py is check_sanitized.py (MUGAI_VALIDATOR), loaded as a module
and left as it is: each line of JOBS is OUTFILE, a tab, then the
arguments of one command-line run (tab-separated), e.g.
"x.check<TAB>--require-notice<TAB>orig.eml<TAB>out.eml". What that run
would print goes to OUTFILE; "RC OUTFILE" goes to stdout, RC being the
exit status the command would give: its main()'s value, 2 for a usage
error or an uncaught exception (as the script's run_in_big_stack() says
when its thread dies). Starting Python and importing the email package
cost more than checking most messages; this pays it once.
"""
import contextlib
import importlib.util
import io
import sys
import threading
import traceback


def run_all(mod, jobs):
    for line in jobs:
        line = line.rstrip("\n")
        if not line:
            continue
        outfile, *args = line.split("\t")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            try:
                rc = mod.main(args)
            except SystemExit as e:  # argparse
                rc = e.code if isinstance(e.code, int) else 2
            except Exception:  # noqa: the command would die: exit 2
                traceback.print_exc()
                rc = 2
        with open(outfile, "w", encoding="utf-8", errors="replace") as f:
            f.write(buf.getvalue())
        print("%d %s" % (rc if rc is not None else 0, outfile), flush=True)


def main():
    if len(sys.argv) != 2:
        print("usage: validate-batch.py VALIDATOR.py <JOBS", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("validator", sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    jobs = sys.stdin.readlines()
    # What the validator's own __main__ does (run_in_big_stack): deeply
    # nested MIME needs deep recursion in the stdlib parser.
    sys.setrecursionlimit(60000)
    threading.stack_size(512 * 1024 * 1024)
    t = threading.Thread(target=run_all, args=(mod, jobs))
    t.start()
    t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
