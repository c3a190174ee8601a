#!/bin/bash
# valgrind-corpus.sh - `mugai sanitize` over the corpus under valgrind memcheck
#
# Every message of ../shared/corpus and t/data/regress/ is sanitized by
# the gcc build under memcheck: any memory error or definite/indirect
# leak fails (--errors-for-leak-kinds=definite,indirect, exit 99).
# Slow (minutes): opt-in, run by `make check-valgrind` or with
# MUGAI_VALGRIND=1 in make check; otherwise it skips (77).
#   VALGRIND_JOBS=N   messages at once (default 2)
#   VALGRIND_LIMIT=N  only the first N messages (a quick look)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mugai="$top_builddir/mugai"

if [ -z "${MUGAI_VALGRIND:-}" ]; then
	echo "SKIP: set MUGAI_VALGRIND=1 or run make check-valgrind"
	exit 77
fi
command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
[ -x "$mugai" ] || { echo "SKIP: no $mugai"; exit 77; }
# libtool wrapper scripts would put valgrind on the shell: want a binary.
if head -c 2 "$mugai" | grep -q '#!'; then
	echo "SKIP: $mugai is a wrapper script"; exit 77
fi
shared="$top_srcdir/../shared"
[ -d "$shared/corpus" ] || shared="$top_srcdir/../../shared"

out=$(mktemp -d "${TMPDIR:-/tmp}/mugai-vg.XXXXXX") || exit 99
trap 'rm -rf "$out"' EXIT
# A private copy: a rebuild during the (long) run must not swap it.
cp "$mugai" "$out/mugai" && mugai="$out/mugai"

one() {
	f=$1
	name=$(echo "$f" | cksum | cut -d' ' -f1)
	G_SLICE=always-malloc G_DEBUG=gc-friendly \
	    valgrind -q --tool=memcheck --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect --error-exitcode=99 \
	    --num-callers=30 --log-file="$out/$name.vg" \
	    --suppressions="$top_srcdir/t/valgrind.supp" \
	    "$mugai" sanitize "$f" "$out/$name.out" 2>"$out/$name.err"
	rc=$?
	if [ "$rc" -ge 2 ] || [ -s "$out/$name.vg" ]; then
		echo "FAIL $f (exit $rc)"
		sed 's/^/    /' "$out/$name.vg" | head -60
		return 1
	fi
	echo "ok   $f"
}
export mugai out top_srcdir

{ find "$shared/corpus" -name '*.eml' 2>/dev/null | sort
  find "$top_srcdir/t/data/regress" -name '*.eml' | sort; } |
    head -n "${VALGRIND_LIMIT:-100000}" >"$out/list"
[ -s "$out/list" ] || { echo "SKIP: no messages"; exit 77; }
# bash for export -f; xargs runs the messages VALGRIND_JOBS at a time.
xargs -P "${VALGRIND_JOBS:-2}" -I{} bash -c "$(declare -f one); one \"\$1\"" _ {} \
    <"$out/list" >"$out/log" 2>&1
grep -A60 '^FAIL' "$out/log"
total=$(grep -c '^\(ok\|FAIL\)' "$out/log")
failed=$(grep -c '^FAIL' "$out/log")
echo "valgrind: $total messages, $failed with memory errors or leaks"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
