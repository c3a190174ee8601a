#!/bin/sh
# sanitize-rss.sh - `mugai sanitize` reading a big message from stdin stays
# small (issue 17: a 200 MB message in under 64 MB of RSS)
#
# Before, stdin was read whole into memory: a 200 MB message took 216 MB
# of RSS through a pipe or `< FILE`, 24 MB when named as a file. Now a
# regular file on stdin is read where it is and a pipe goes to an unlinked
# file past spool_mem_max. A generated message of 96 MB (one base64
# attachment) is piped to each engine; the child's peak RSS
# (getrusage(RUSAGE_CHILDREN)) must stay under 64 MB, the output must be
# the same as from the message named as a file, and no spill file may be
# left behind.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
mugai=$builddir/mugai
py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-rss.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
. "$srcdir/t/tap.sh"
mkdir "$W/tmp"

# The message on stdout: headers, a text part, 96 MB of base64.
gen() {
	"$py" - "$1" <<'EOF'
import sys
mb = int(sys.argv[1])
out = sys.stdout.buffer
out.write(b"From: a@example.jp\nTo: b@lgwan.example\nSubject: big\n"
          b"Message-ID: <rss@example.jp>\nMIME-Version: 1.0\n"
          b"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
          b"Content-Type: text/plain; charset=us-ascii\n\nsee attached\n"
          b"--b\nContent-Type: application/octet-stream; name=big.dat\n"
          b"Content-Transfer-Encoding: base64\n\n")
line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
block = line * ((1 << 20) // len(line))
for _ in range(mb):
    out.write(block)
out.write(b"--b--\n")
EOF
}

# run ENGINE MODE: sanitizes the message from stdin (MODE pipe: through a
# pipe; file: `< FILE`), prints the child's peak RSS in KB.
run() {
	"$py" - "$mugai" "$1" "$2" "$W" <<'EOF'
import resource, subprocess, sys, os
mugai, engine, mode, w = sys.argv[1:5]
env = dict(os.environ, TMPDIR=os.path.join(w, "tmp"))
out = open(os.path.join(w, "out-%s-%s" % (engine, mode)), "wb")
if mode == "pipe":
    gen = subprocess.Popen(["sh", "-c", "cat \"$0\"", os.path.join(w, "msg")],
                           stdout=subprocess.PIPE)
    stdin = gen.stdout
else:
    gen = None
    stdin = open(os.path.join(w, "msg"), "rb")
rc = subprocess.call([mugai, "sanitize", "-c", "/dev/null",
                      "--engine=" + engine], stdin=stdin, stdout=out, env=env)
if gen:
    gen.wait()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if rc == 0
      else "exit %d" % rc)
EOF
}

gen 96 > "$W/msg" || { echo "not ok - generating the message"; exit 1; }
for e in stream gmime; do
	"$mugai" sanitize -c /dev/null --engine=$e "$W/msg" "$W/ref-$e" ||
	    fail "$e: the message named as a file"
	for m in pipe file; do
		kb=$(run $e $m)
		case $kb in
		[0-9]*) if [ "$kb" -lt 65536 ]; then
				pass "$e, stdin $m: $kb KB of RSS for 96 MB"
			else
				fail "$e, stdin $m: $kb KB of RSS for 96 MB (64 MB at most)"
			fi ;;
		*) fail "$e, stdin $m: $kb" ;;
		esac
		if cmp -s "$W/out-$e-$m" "$W/ref-$e"; then
			pass "$e, stdin $m: the same output as from the file"
		else
			fail "$e, stdin $m: not the output of the file"
		fi
	done
done
# A spool_dir this user cannot use: the spill goes to $TMPDIR.
printf '[milter]\nspool_dir = %s/none\n' "$W" > "$W/nodir.conf"
cat "$W/msg" | TMPDIR=$W/tmp "$mugai" sanitize -c "$W/nodir.conf" \
    --engine=stream > "$W/out-nodir" && cmp -s "$W/out-nodir" "$W/ref-stream" &&
    pass "spool_dir missing: spilled to TMPDIR, the same output" ||
    fail "spool_dir missing: not spilled to TMPDIR"
grep -q 'X-Mugai-Sanitized' "$W/ref-stream" && ! grep -q QUJDREVGR0 "$W/ref-stream" &&
    pass "the attachment removed" || fail "the attachment not removed"
left=$(ls "$W/tmp" | wc -l)
[ "$left" -eq 0 ] && pass "no spill file left in TMPDIR" ||
    fail "$left files left in TMPDIR"
exit $((fails > 0))
