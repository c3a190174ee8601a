#!/bin/sh
# smoke.sh - the bench tools work: corpus-gen is deterministic, mugai-bench
# runs every mode over a tiny corpus and counts every message. Timing is
# not judged here (BENCHMARKS.md is where figures go).
set -eu
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
py=${PYTHON3:-python3}
bench=$top_builddir/contrib/bench/mugai-bench
gen=$top_srcdir/contrib/bench/corpus-gen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
classes=plain-en,plain-ja-jis,plain-ja-utf8,html-alt,attach-small,forward
"$py" "$gen" --seed 7 --scale 0.05 --classes "$classes" "$tmp/a" >/dev/null
"$py" "$gen" --seed 7 --scale 0.05 --classes "$classes" "$tmp/b" >/dev/null
diff -r "$tmp/a" "$tmp/b" >/dev/null || {
	echo "smoke: corpus-gen is not deterministic" >&2
	exit 1
}
n=$(grep -vc '^#' "$tmp/a/MANIFEST.tsv")
mkdir "$tmp/q"
chmod 700 "$tmp/q"
for m in read spool parse decode engine store live; do
	"$bench" -m "$m" -n 2 -q "$tmp/q" "$tmp/a" >"$tmp/out" || {
		echo "smoke: mugai-bench -m $m failed" >&2
		exit 1
	}
	got=$(awk -F '\t' '$2 == "total" { print $3 }' "$tmp/out")
	if [ "$got" != $((n * 2)) ]; then
		echo "smoke: mode $m counted '$got' messages, expected $((n * 2))" >&2
		cat "$tmp/out" >&2
		exit 1
	fi
done
# Plain text in an allowed charset needs no new body.
awk -F '\t' '$2 == "plain-en" && $11 == 0 { bad = 1 } END { exit bad }' \
    "$tmp/out" || { echo "smoke: plain-en never unchanged" >&2; exit 1; }
echo "smoke: ok ($n messages, every mode)"
