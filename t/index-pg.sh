#!/bin/bash
# index-pg.sh - several gateways, one PostgreSQL index (issue 17)
#
# Starts PostgreSQL 15 from Debian (initdb and pg_ctl as the postgres user
# in a temporary directory, listening on 127.0.0.1 only, on a free port)
# and two mugai-milter instances, gw1 and gw2, each with its own store and
# [index] node, both with [index] url = postgresql://... Then:
# 1. t/milter_client.py load feeds each gateway (kept attachment mail);
#    each milter's indexer applies its journal to the shared index: `mugai
#    quarantine list` run against gw1's configuration sees both gateways'
#    items, --node picks one, every row is there exactly once.
# 2. PostgreSQL is stopped; gw1 keeps accepting and storing mail (the
#    index never holds mail up), logs that the index is unavailable; when
#    PostgreSQL is back the journalled items are indexed, exactly once.
# 3. An item of gw2 found through gw1's index is fetched from gw2's store
#    (the node in its row names the store: doc/deployment.md).
# 4. A whole address is looked up in addrs (exactly, any case), a part of
#    one as a substring; an index from before addrs and names gets them
#    when opened.
# 5. Part of an address through names and addrs finds what the trigrams
#    of the words find (t/check_index's case on a database of its own).
# 6. A purge takes the addresses no item carries any more out of names;
#    two gateways adding the same new names at once, in opposite orders,
#    both succeed; a batch PostgreSQL broke out of a deadlock is run again;
#    a purge beside another gateway's open batch leaves that batch's names
#    (t/check_index's cases, each on a database of its own).
# Every daemon started here is stopped by its PID on every exit path.
# Needs root (initdb runs as postgres) and postgresql-15: SKIP (77)
# without them, FAIL when MUGAI_REQUIRE_TEST_DEPS=1 (contrib/quickstart
# check, which installs them).
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-.}
milter=${MUGAI_MILTER:-$builddir/mugai-milter}
mugai=$builddir/mugai
py=${PYTHON3:-python3}
client=$srcdir/t/milter_client.py
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

need() {
	if [ "${MUGAI_REQUIRE_TEST_DEPS:-0}" = 1 ]; then
		echo "FAIL: $* (contrib/quickstart installs postgresql; run as root)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || need "needs root (initdb runs as postgres)"
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
    need "PostgreSQL 15 not installed ($PGBIN/initdb)"
id postgres >/dev/null 2>&1 || need "no postgres user"
command -v "$py" >/dev/null 2>&1 || need "no python3"
. "$srcdir/t/e2e/lab.sh"

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-index-pg.XXXXXX") || exit 1
chmod 755 "$W"
pids=
pgup=
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "$pgup" ]; then
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" -m immediate \
		    -w stop >/dev/null 2>&1
	fi
	[ "${MUGAI_KEEP:-0}" = 1 ] && echo "# kept $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() {
	n=$((n + 1))
	echo "not ok $n - $*"
	for f in "$W"/gw*.log "$W/pg/server.log"; do
		[ -f "$f" ] || continue
		echo "# --- $f (tail)"
		tail -n 15 "$f" | sed 's/^/# /'
	done
	exit 1
}
echo "1..13"

set -- $(lab_free_ports 3) || fail "no free ports"
pgport=$1 port1=$2 port2=$3

pgstart() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" -l "$W/pg/server.log" -w \
	    -o "-p $pgport -c listen_addresses=127.0.0.1 -k $W/pg" start \
	    >/dev/null && pgup=1
}
mkdir "$W/pg" && chown postgres "$W/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg" -A trust -U postgres \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$W/initdb.log" 2>&1 ||
    fail "initdb: $(tail -3 "$W/initdb.log")"
pgstart || fail "pg_ctl start"
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" mugai ||
    fail "createdb"
URL="postgresql://postgres@127.0.0.1:$pgport/mugai?connect_timeout=3"
psql() {
	runuser -u postgres -- /usr/bin/psql -X -q -t -A -h 127.0.0.1 \
	    -p "$pgport" -d "${db:-mugai}" -c "$1"
}
ok "PostgreSQL 15 on 127.0.0.1:$pgport"

# gw1, gw2: their own store, spool and node; the same index.
for g in 1 2; do
	port=$(eval echo \$port$g)
	mkdir -p "$W/gw$g/spool" "$W/gw$g/q"
	cat > "$W/gw$g.conf" <<EOC
[milter]
socket = inet:$port@127.0.0.1
user = $(id -un)
group = $(id -gn)
pidfile = $W/gw$g/milter.pid
spool_dir = $W/gw$g/spool

[quarantine]
dir = $W/gw$g/q
keep_original = modified

[index]
url = $URL
node = gw$g
EOC
	"$milter" -f -d 1 -c "$W/gw$g.conf" > "$W/gw$g.log" 2>&1 &
	pids="$pids $!"
done
for g in 1 2; do
	i=0
	until grep -q "listening on" "$W/gw$g.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "gw$g did not start"
		sleep 0.1
	done
done
ok "two gateways, gw1 and gw2, share the index"

"$py" "$client" "$port1" load 4 5 > "$W/load1.out" 2>&1 || fail "load gw1"
"$py" "$client" "$port2" load 3 5 > "$W/load2.out" 2>&1 || fail "load gw2"
items() { find "$W/$1/q" -mindepth 4 -maxdepth 4 -type d -path "$W/$1/q/[0-9]*" | wc -l; }
[ "$(items gw1)" -eq 20 ] && [ "$(items gw2)" -eq 15 ] ||
    fail "stores hold $(items gw1) and $(items gw2) items, not 20 and 15"
# The indexers apply their journals four times a second.
wait_rows() {
	local want=$1 where=$2 i=0
	while [ "$(psql "SELECT count(*) FROM items WHERE $where")" != "$want" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}
wait_rows 35 "true" || fail "the index holds $(psql 'SELECT count(*) FROM items') rows, not 35"
ok "both indexers applied their journals: 35 rows"

Q="$mugai quarantine -c $W/gw1.conf"
$Q list > "$W/list.out" 2>&1 || fail "list: $(head -3 "$W/list.out")"
[ $(($(wc -l < "$W/list.out") - 1)) -eq 35 ] ||
    fail "gw1's list shows $(($(wc -l < "$W/list.out") - 1)) items, not 35"
$Q list --node gw2 > "$W/list2.out" 2>&1 || fail "list --node gw2"
[ $(($(wc -l < "$W/list2.out") - 1)) -eq 15 ] || fail "list --node gw2"
$Q list --subject "plain" --rcpt lgwan > /dev/null 2>&1 || fail "list --subject"
ok "gw1's list sees both gateways (35), --node gw2 its 15"

# 2. The index goes away: mail does not wait for it.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" -m fast -w stop >/dev/null
pgup=
"$py" "$client" "$port1" load 2 3 > "$W/load3.out" 2>&1 ||
    fail "gw1 did not take mail while the index was down: $(head -2 "$W/load3.out")"
[ "$(items gw1)" -eq 26 ] || fail "gw1 holds $(items gw1) items, not 26"
i=0
until grep -q "index unavailable" "$W/gw1.log"; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "no log line for the index going away"
	sleep 0.1
done
ok "PostgreSQL down: gw1 stored 6 more items and logged it"

pgstart || fail "pg_ctl start again"
wait_rows 26 "node = 'gw1'" ||
    fail "after the restart gw1 has $(psql "SELECT count(*) FROM items WHERE node = 'gw1'") rows, not 26"
grep -q "index available again" "$W/gw1.log" || fail "no log line for the index coming back"
ok "PostgreSQL back: the 6 journalled items indexed, 26 rows for gw1"

# Exactly once: as many rows as items, one per ID, however often applied.
"$mugai" quarantine -c "$W/gw1.conf" reindex > "$W/reindex.out" 2>&1 ||
    fail "reindex: $(cat "$W/reindex.out")"
[ "$(psql "SELECT count(*) FROM items")" = 41 ] &&
    [ "$(psql "SELECT count(DISTINCT id) FROM items")" = 41 ] ||
    fail "$(psql 'SELECT count(*) FROM items') rows after reindex, not 41"
ok "41 rows, each item once (after a reindex too: $(head -1 "$W/reindex.out"))"

# --rule through the trigram index on rules: whole rule names only, _
# and % as themselves (one row given a rule by hand).
psql "UPDATE items SET rules = E'\nzip_x\nexe\n' WHERE id = (SELECT min(id) FROM items)" >/dev/null
for r in zip_x:1 exe:1 zip:0 zipXx:0 'zip%':0 _x:0; do
	$Q list --rule "${r%:*}" > "$W/rule.out" 2>&1 || fail "list --rule ${r%:*}"
	[ $(($(wc -l < "$W/rule.out") - 1)) -eq "${r##*:}" ] ||
	    fail "list --rule ${r%:*}: $(($(wc -l < "$W/rule.out") - 1)) items, not ${r##*:}"
done
ok "--rule finds whole rule names only, _ and % as themselves"

# 3. An item of gw2, found through gw1's index, fetched from gw2's store.
id=$(awk 'NR == 2 { print $3 }' "$W/list2.out")
node=$(psql "SELECT node FROM items WHERE id = '$id'")
[ "$node" = gw2 ] || fail "row of $id names node '$node'"
"$mugai" quarantine --dir "$W/$node/q" extract "$id" -o "$W/orig.eml" \
    > /dev/null 2>&1 || fail "extract $id from $node's store"
sha=$(sha256sum < "$W/orig.eml" | cut -d' ' -f1)
[ "$sha" = "$(psql "SELECT sha256 FROM items WHERE id = '$id'")" ] ||
    fail "the original fetched from $node is not the indexed one"
ok "item $id: its row names gw2, its original fetched from gw2's store"

# --sha256, the original's or a part's: that item, through the sha256
# indexes of items and parts (the plan logged by auto_explain, sequential
# scans off so that 41 rows plan as a million do). It was "sha256 = $n OR
# rid IN (parts)": no index could serve the OR, and the planner walked
# every row newest first (BENCHMARKS.md, "Session 9").
psha=$(psql "SELECT sha256 FROM parts WHERE sha256 IS NOT NULL AND rid = (SELECT rid FROM items WHERE id = '$id') LIMIT 1")
[ -n "$psha" ] || fail "no part SHA-256 for $id"
off=$(stat -c %s "$W/pg/server.log")
for s in "$sha" "$psha"; do
	PGOPTIONS="-c session_preload_libraries=auto_explain \
-c auto_explain.log_min_duration=0 -c enable_seqscan=off" \
	    $Q list --sha256 "$s" > "$W/sha.out" 2>&1 || fail "list --sha256"
	want=$(psql "SELECT count(*) FROM items WHERE sha256 = '$s' OR rid IN (SELECT rid FROM parts WHERE sha256 = '$s')")
	[ $(($(wc -l < "$W/sha.out") - 1)) -eq "$want" ] &&
	    awk 'NR > 1 { print $3 }' "$W/sha.out" | grep -qx "$id" ||
	    fail "list --sha256 $s: not the $want items with $id: $(cat "$W/sha.out")"
done
tail -c +$((off + 1)) "$W/pg/server.log" > "$W/sha-plans.log"
[ "$(grep -c 'Index Cond: (sha256 = ' "$W/sha-plans.log")" -ge 4 ] &&
    ! grep -q 'SubPlan' "$W/sha-plans.log" ||
    fail "--sha256 not through items_sha and parts_sha: $(grep -A12 'sha256 = \$' "$W/sha-plans.log" | head -30)"
ok "--sha256 (the original's, a part's) finds $id and its kin through both sha256 indexes"

# 4. Whole addresses (addrs): every item was sent to user@lgwan.example.
[ "$(psql "SELECT count(*) FROM addrs WHERE kind = 1 AND addr = 'user@lgwan.example'")" = 41 ] &&
    [ "$(psql "SELECT count(*) FROM addrs WHERE kind = 0 AND addr = 'sender@example.jp'")" = 41 ] ||
    fail "addrs: $(psql 'SELECT kind, addr, count(*) FROM addrs GROUP BY 1, 2')"
nlist() { $Q list "$@" > "$W/addr.out" 2>&1 || fail "list $*"; echo $(($(wc -l < "$W/addr.out") - 1)); }
[ "$(nlist --rcpt USER@Lgwan.example)" = 41 ] && [ "$(nlist --from sender@example.jp)" = 41 ] ||
    fail "whole-address list: $(nlist --rcpt USER@Lgwan.example), $(nlist --from sender@example.jp)"
ok "addrs holds every item's sender and recipient; list finds them by whole address"

# An index from before addrs: one item's recipient made another (its
# words only), the table dropped; the next open puts the addresses in
# from the words. Then the whole address is exact, a part a substring.
psql "UPDATE items SET w_rcpt = E'xuser@lgwan.example\nX <xuser@lgwan.example>' WHERE id = (SELECT min(id) FROM items)" >/dev/null
psql "DROP TABLE addrs" >/dev/null
psql "DROP TABLE names" >/dev/null
for a in "--rcpt user@lgwan.example:40" "--rcpt xuser@lgwan.example:1" \
    "--rcpt ser@lgwan.example:41" "--rcpt user@lgwan:41" \
    "--from sender@example.jp:41" "--rcpt xuser@lgwan:1"; do
	got=$(nlist ${a%:*})
	[ "$got" = "${a##*:}" ] || fail "after the upgrade, list ${a%:*}: $got items, not ${a##*:}"
done
[ "$(psql "SELECT count(*) FROM addrs")" = 82 ] ||
    fail "addrs after the upgrade: $(psql 'SELECT count(*) FROM addrs') rows, not 82"
[ "$(psql "SELECT count(*) FROM names WHERE kind = 1 AND name = 'xuser@lgwan.example'")" = 1 ] ||
    fail "names after the upgrade: $(psql 'SELECT * FROM names' | head -20)"
ok "addrs and names made again from the words when opened; whole address exact, part a substring"

# 5. The same items with names as through the words' trigrams, on a
# database of its own.
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" mugai_names ||
    fail "createdb mugai_names"
MUGAI_TEST_PG_URL="postgresql://postgres@127.0.0.1:$pgport/mugai_names" \
    CK_RUN_CASE=part_of_address_through_names CK_DEFAULT_TIMEOUT=120 \
    "$builddir/t/check_index" > "$W/names.out" 2>&1 ||
    fail "part of an address through names: $(tail -5 "$W/names.out")"
ok "part of an address: names and addrs find what the trigrams find (PostgreSQL)"

# 6. A purge takes its dead addresses out of names; two gateways adding
# the same new names at once (opposite orders) both succeed; a batch
# broken out of a deadlock is run again. Each on a database of its own.
for c in purge_takes_dead_names two_gateways_add_the_same_names_at_once \
    deadlocked_batch_is_run_again purge_beside_an_open_batch_keeps_its_names; do
	runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" "mugai_$c" ||
	    fail "createdb mugai_$c"
	MUGAI_TEST_PG_URL="postgresql://postgres@127.0.0.1:$pgport/mugai_$c" \
	    CK_RUN_CASE=$c CK_DEFAULT_TIMEOUT=120 \
	    "$builddir/t/check_index" > "$W/$c.out" 2>&1 ||
	    fail "$c: $(tail -5 "$W/$c.out")"
done
got=$(db=mugai_purge_takes_dead_names psql "SELECT string_agg(kind || ':' || name, ' ' ORDER BY kind, name) FROM names")
[ "$got" = "0:gone 0:name 0:x@both.example 1:r3@dead.example" ] ||
    fail "names after the purge: $got"
ok "purge prunes names; the same new names from two gateways at once; a deadlocked batch again (PostgreSQL)"
