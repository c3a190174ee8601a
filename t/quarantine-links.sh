#!/bin/sh
# quarantine-links.sh - `mugai quarantine` on a store whose owner (the
# milter's user) planted symbolic links: tmp/, a day directory and an item
# directory pointing outside the store, at directories holding "old" files
# a purge would take. purge, list, show, extract and release must walk the
# store without following them: every file outside survives and the
# command says what it left alone. First on a store owned by the user
# running the test (the walk alone protects), then, as root, on a store
# owned by another user (the command becomes that user before it touches
# the store) with the targets owned by that user too, so that only the
# walk protects them, and owned by root. Without root the second part is
# skipped; the first part runs for anyone.
set -u
top_builddir=${top_builddir:-.}
MUGAI="$top_builddir/mugai"
QFILL="$top_builddir/t/qfill"

W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-qlinks-XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"		# the store's owner must reach the fake sendmail
. "${top_srcdir:-.}/t/tap.sh"
hasnt() {	# hasnt DESC FILE PATTERN (fixed string)
	if grep -F -q -- "$3" "$2"; then
		fail "$1 ('$3' in $2)"; sed 's/^/    /' "$2"; else pass "$1"; fi
}
survives() {	# survives DESC DIR: every file planted outside is there
	n=$(find "$2" -name evidence | wc -l)
	if [ "$n" -eq "$(cat "$2/.count")" ]; then pass "$1"; else
		fail "$1 ($n of $(cat "$2/.count") files left)"; fi
}

printf 'From: bob@other.example\nTo: x@city.example.lg.jp\nSubject: old news\n\nold\n' >"$W/old.eml"
chmod 644 "$W/old.eml"
cat >"$W/fake-sendmail" <<'FAKE'
#!/bin/sh
cat >"$(dirname "$0")/submitted"
FAKE
chmod 755 "$W/fake-sendmail"

# plant NAME: a store under $W/NAME with three old items (40, 41 and 42
# days back, one per day directory) and, under $W/NAME.out, what the
# links point at: a day directory holding an old item, an item directory
# and a tmp/ with a stale entry, each with "evidence" files. Sets S, OUT,
# ID_DAY (its day directory becomes a link), ID_ITEM (becomes a link),
# ID_KEEP (an ordinary old item), FAKE (the item inside the linked day),
# ID_NEW (a recent item).
plant() {
	S=$W/$1
	OUT=$W/$1.out
	"$QFILL" "$S" "$W/old.eml" 3 40 3 >"$W/$1.ids" ||
	    { echo "qfill failed"; exit 1; }
	ID_DAY=$(sed -n 1p "$W/$1.ids")
	ID_ITEM=$(sed -n 2p "$W/$1.ids")
	ID_KEEP=$(sed -n 3p "$W/$1.ids")
	# Same day as ID_DAY: reached through the linked day directory.
	FAKE=$(echo "$ID_DAY" | cut -c1-22)-0a1b2c3d-0000000000000045
	ID_NEW=$("$QFILL" "$S" "$W/old.eml") || { echo "qfill failed"; exit 1; }
	day=$(dirname "$(find "$S" -type d -name "$ID_DAY")")
	item=$(find "$S" -type d -name "$ID_ITEM")
	mkdir -p "$OUT/day/$FAKE" "$OUT/item" "$OUT/tmp/new.stale"
	cp "$item/original.eml" "$item/meta.json" "$OUT/day/$FAKE/"
	cp "$item/original.eml" "$item/meta.json" "$OUT/item/"
	for d in "$OUT/day/$FAKE" "$OUT/item" "$OUT/tmp/new.stale" \
	    "$OUT/tmp"; do
		echo "keep me" >"$d/evidence"
	done
	echo 4 >"$OUT/.count"
	touch -d '-2 hours' "$OUT/tmp/new.stale/evidence" \
	    "$OUT/tmp/new.stale" "$OUT/tmp/evidence"
	rm -rf "$day" "$item"
	ln -s "$OUT/day" "$day"
	ln -s "$OUT/item" "$item"
	cat >"$W/$1.conf" <<CONF
[quarantine]
dir = $S
retention_days = 30
release_secret = $W/release.key
submit_command = '$W/fake-sendmail'
CONF
	Q="$MUGAI quarantine -c $W/$1.conf"
}

# The checks, on the store plant made; $1 names the case.
run_checks() {
	c=$1
	# What it left alone makes the list incomplete: exit 1, and why.
	expect "$c: list" 1 $Q list
	has "$c: list shows the ordinary item" "$W/out" "$ID_KEEP"
	hasnt "$c: list does not follow a linked day" "$W/out" "$FAKE"
	hasnt "$c: list does not follow a linked item" "$W/out" "$ID_ITEM"
	has "$c: list says what it left alone" "$W/err" "symbolic link"
	has "$c: list says it is incomplete" "$W/err" "the list is incomplete"
	expect "$c: show through a linked item refused" 1 $Q show "$ID_ITEM"
	has "$c: show says why" "$W/err" "symbolic link"
	expect "$c: show through a linked day refused" 1 $Q show "$FAKE"
	expect "$c: extract through a linked item refused" 1 \
	    $Q extract "$ID_ITEM"
	[ ! -s "$W/out" ] && pass "$c: nothing extracted" ||
	    fail "$c: extract wrote the linked original"
	rm -f "$W/submitted"
	expect "$c: release through a linked item refused" 1 \
	    $Q release "$ID_ITEM" --to audit@city.example.lg.jp
	[ ! -e "$W/submitted" ] && pass "$c: nothing submitted" ||
	    fail "$c: the linked original was submitted"
	expect "$c: purge refuses the links" 1 $Q purge --older-than 30
	has "$c: the ordinary old item is purged" "$W/out" "purged 1 item(s)"
	has "$c: purge names the linked day" "$W/err" "symbolic link"
	has "$c: purge names the linked item" "$W/err" "$ID_ITEM"
	has "$c: audit.log records the refusal" "$S/audit.log" \
	    '"outcome":"failed"'
	survives "$c: files behind the day and item links survive" "$OUT"
	[ -L "$(dirname "$(find "$S" -name "$ID_ITEM")")/$ID_ITEM" ] &&
	    pass "$c: the item link is left for the administrator" ||
	    fail "$c: the item link is gone"
	# tmp/ itself a link: refused before anything is removed.
	mv "$S/tmp" "$S/tmp.real"
	ln -s "$OUT/tmp" "$S/tmp"
	expect "$c: purge with tmp/ a link refused" 1 $Q purge --older-than 30
	has "$c: purge says tmp/ is a link" "$W/err" "tmp"
	survives "$c: files behind the tmp/ link survive" "$OUT"
	expect "$c: extract with tmp/ a link refused" 1 $Q extract "$ID_NEW"
	rm "$S/tmp"
	mv "$S/tmp.real" "$S/tmp"
}

plant mine
run_checks "own store"

if [ "$(id -u)" -ne 0 ]; then
	echo "# not root: the root part (another user's store) is skipped"
else
	# The store belongs to nobody; so do the link targets: only the
	# walk keeps root (become nobody) from removing them.
	plant theirs
	chown -R nobody:nogroup "$S" "$OUT"
	run_checks "nobody's store, nobody's targets"
	has "root's purge is audited as root" "$S/audit.log" \
	    '"actor":"root'
	[ "$(stat -c %U "$S/audit.log")" = nobody ] &&
	    pass "audit.log still belongs to nobody" ||
	    fail "audit.log now belongs to $(stat -c %U "$S/audit.log")"
	# Targets owned by root: a root purge that followed the links
	# would remove them; become the owner and it could not either.
	plant rootout
	chown -R nobody:nogroup "$S"
	run_checks "nobody's store, root's targets"
fi

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
