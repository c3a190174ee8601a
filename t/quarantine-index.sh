#!/bin/sh
# quarantine-index.sh - `mugai quarantine` through the index (issue 17):
# list and list --json answered from index.sqlite (after reindex), --limit
# gives the newest, purge removes the purged items' rows with the items,
# and journal retention: segments older than the retention go once the
# index holds them to their end, a segment it does not (a line still being
# written, an index that cannot be opened) stays.
set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
MUGAI="$top_builddir/mugai"
QFILL="$top_builddir/t/qfill"
PY=${PYTHON3:-python3}

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-qix-XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
. "${top_srcdir:-.}/t/tap.sh"

S="$W/store"
cat >"$W/mugai.conf" <<CONF
[quarantine]
dir = $S
retention_days = 30
CONF
printf 'From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@sender.example>\nTo: staff@city.example.lg.jp\nSubject: =?UTF-8?B?6KuL5rGC5pu4?= invoice\nMessage-ID: <ix@sender.example>\nMIME-Version: 1.0\nContent-Type: text/plain\n\nhello\n' >"$W/in.eml"
printf 'From: bob@other.example\nTo: x@city.example.lg.jp\nSubject: old news\n\nold\n' >"$W/old.eml"
"$QFILL" "$S" "$W/in.eml" 3 >"$W/new.ids" || { echo "qfill failed"; exit 1; }
"$QFILL" "$S" "$W/old.eml" 2 40 >"$W/old.ids" || { echo "qfill failed"; exit 1; }
Q="$MUGAI quarantine -c $W/mugai.conf"
rows() {	# rows: the items in index.sqlite
	"$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM items").fetchone()[0])' "$S/index.sqlite"
}
jlen() {	# jlen: the length of the JSON array in $W/out
	"$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$W/out"
}

expect "reindex" 0 $Q reindex
[ -f "$S/index.sqlite" ] && [ "$(rows)" = 5 ] && pass "reindex: 5 rows" ||
    fail "reindex: index.sqlite with 5 rows"
# Each pass counted on its own: the journal put the rows in, the
# directories found them there (session 9 printed only the second).
has "reindex: the journal's count" "$W/out" "journal: 5 line(s) applied"
has "reindex: the directories' count" "$W/out" "reindexed 5 item(s), 0 added"
has "reindex: the whole command" "$W/out" "5 journal line(s) and 0 item(s) added"
mv "$S/journal" "$W/journal.aside" && rm -f "$S"/index.sqlite*
expect "reindex without the journal" 0 $Q reindex
has "reindex: nothing from the journal" "$W/out" "journal: 0 line(s) applied"
has "reindex: every row from the directories" "$W/out" "reindexed 5 item(s), 5 added"
rm -rf "$S/journal" && mv "$W/journal.aside" "$S/journal"
# The index answers from its rows (items carry no list.json since
# session 9; the walk would read meta.json).
expect "list through the index" 0 $Q list --subject 請求書
lines "the index finds the 3 by a Japanese word" "$W/out" 4
expect "list --json through the index" 0 $Q list --json
[ "$(jlen)" = 5 ] && pass "list --json: an array of 5" || fail "list --json: $(jlen)"
"$PY" - "$W/out" "$W/new.ids" <<'PY' && pass "list --json rows carry id, envelope, headers, oldest first" || fail "list --json rows"
import json, sys
rows = json.load(open(sys.argv[1]))
ids = [r["id"] for r in rows]
assert ids == sorted(ids), ids
for r in rows:
    assert r["envelope"]["recipients"] and "subject" in r["headers"], r
new = set(open(sys.argv[2]).read().split())
assert set(ids[-3:]) == new, (ids, new)
PY
expect "list --json --subject" 0 $Q list --json --subject 請求書 --from TARO
[ "$(jlen)" = 3 ] && pass "--json --subject --from: 3" || fail "--json --subject: $(jlen)"
expect "list --json --limit 2" 0 $Q list --json --limit 2
"$PY" - "$W/out" "$W/new.ids" <<'PY' && pass "--limit 2: the newest two, oldest first" || fail "--limit 2"
import json, sys
ids = [r["id"] for r in json.load(open(sys.argv[1]))]
new = sorted(open(sys.argv[2]).read().split())
assert ids == new[-2:], (ids, new)
PY
expect "list --json, nothing found" 0 $Q list --json --subject "no such words"
[ "$(jlen)" = 0 ] && pass "--json without a match is []" || fail "--json no match"

# purge: the items and their rows; the journal kept
J="$S/journal"
today=$(ls "$J")
cp "$J/$today" "$J/20200101"			# applied by the purge's catch-up
printf '{"op":"dro' >"$J/20200102"		# a line still being written
: >"$J/20200103"
expect "purge --older-than 30" 0 $Q purge --older-than 30
has "purge count" "$W/out" "purged 2 item(s)"
has "old journal segments removed" "$W/out" "removed 2 journal segment(s)"
[ "$(rows)" = 3 ] && pass "purge removed the 2 rows" || fail "rows after purge: $(rows)"
expect "list after purge (index)" 0 $Q list
lines "3 left" "$W/out" 4
[ ! -e "$J/20200101" ] && [ ! -e "$J/20200103" ] && pass "indexed old segments gone" ||
    fail "old segments left: $(ls "$J")"
[ -e "$J/20200102" ] && [ -e "$J/$today" ] &&
    pass "the unfinished segment and today's stay" || fail "segments: $(ls "$J")"
n=$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM journal WHERE segment < ?", ("20200102",)).fetchone()[0])' "$S/index.sqlite")
[ "$n" = 0 ] && pass "their positions gone from the index" || fail "positions left: $n"

# An index that cannot be opened keeps every segment.
if grep -q '^#define HAVE_LIBPQ 1' "$top_builddir/autoconfig.h" 2>/dev/null; then
	cp "$W/mugai.conf" "$W/down.conf"
	printf '[index]\nurl = postgresql://127.0.0.1:18601/none?connect_timeout=2\n' >>"$W/down.conf"
	expect "purge with the index down" 1 "$MUGAI" quarantine -c "$W/down.conf" purge --older-than 30
	has "says the journal is kept" "$W/err" "journal is kept"
	[ -e "$J/20200102" ] && pass "nothing removed while the index is down" ||
	    fail "segment removed with the index down"
else
	pass "# SKIP no libpq"
fi

# No index kept ([index] url = none): old segments go by age alone.
cp "$W/mugai.conf" "$W/none.conf"
printf '[index]\nurl = none\n' >>"$W/none.conf"
expect "purge, url = none" 0 "$MUGAI" quarantine -c "$W/none.conf" purge --older-than 30
[ ! -e "$J/20200102" ] && [ -e "$J/$today" ] && pass "url = none: by age" ||
    fail "url = none: $(ls "$J")"

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
