#!/bin/sh
# quarantine-owner.sh - a root command on the milter's store leaves every
# file it creates to the store's owner, so the milter (its user) still
# starts and stores afterwards. On a fresh store (the directory only, as
# systemd's StateDirectory= makes it) owned by nobody, root runs purge,
# list, show, extract, release and `mugai sanitize --quarantine`: nothing
# in the store may then belong to root, nobody can store into it, and
# mugai-milter running as nobody starts on it. A store an older version
# left with a root-owned audit.log is refused with the fix named. Needs
# root (skip 77 otherwise): the point is what root leaves behind.
set -u
top_builddir=${top_builddir:-.}
MUGAI="$top_builddir/mugai"
MILTER="$top_builddir/mugai-milter"
QFILL="$top_builddir/t/qfill"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (what root leaves in another user's store)"
	exit 77
fi
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: no setpriv"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-qowner-XXXXXX") || exit 99
milter_pid=
cleanup() {
	[ -n "$milter_pid" ] && kill -TERM "$milter_pid" 2>/dev/null &&
	    wait "$milter_pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
chmod 755 "$W"
. "${top_srcdir:-.}/t/tap.sh"
nobodys() {	# nobodys DESC: everything in the store is nobody's
	strays=$(find "$F" ! -user nobody)
	if [ -z "$strays" ]; then pass "$1"; else
		fail "$1: not nobody's:"; ls -ld $strays | sed 's/^/    /'; fi
}
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

F=$W/store
mkdir "$F"
chown nobody:nogroup "$F"
chmod 750 "$F"
printf 'From: bob@other.example\nTo: x@city.example.lg.jp\nSubject: s\n\nhello\n' >"$W/in.eml"
printf 'From: a@sender.example\nTo: b@city.example.lg.jp\nSubject: att\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee\n--B\nContent-Type: application/octet-stream; name=x.exe\n\nMZ\n--B--\n' >"$W/att.eml"
chmod 644 "$W/in.eml" "$W/att.eml"
printf '#!/bin/sh\ncat >/dev/null\n' >"$W/submit"
chmod 755 "$W/submit"
cat >"$W/mugai.conf" <<CONF
[milter]
socket = unix:$W/milter.sock
user = nobody
group = nogroup
pidfile =
spool_dir = $W/spool

[quarantine]
dir = $F
keep_original = quarantined
release_secret = $W/release.key
submit_command = '$W/submit'
CONF
mkdir "$W/spool"
chown nobody:nogroup "$W/spool"
Q="$MUGAI quarantine -c $W/mugai.conf"

# The first command on the fresh store is root's purge.
expect "root purge on a fresh store" 0 $Q purge
[ "$(stat -c %U "$F/tmp" 2>/dev/null)" = nobody ] &&
    pass "tmp/ made by root's purge is nobody's" ||
    fail "tmp/ belongs to $(stat -c %U "$F/tmp" 2>/dev/null)"
[ "$(stat -c %U "$F/audit.log" 2>/dev/null)" = nobody ] &&
    pass "audit.log made by root's purge is nobody's" ||
    fail "audit.log belongs to $(stat -c %U "$F/audit.log" 2>/dev/null)"

# The milter's user can still store into it...
ID=$(as_nobody "$QFILL" "$F" "$W/in.eml") && pass "nobody stores after root" ||
    fail "nobody cannot store after root's purge"
# ... and root's other commands leave nothing of root's behind.
expect "root list" 0 $Q list
expect "root show" 0 $Q show "$ID"
expect "root extract -o" 0 $Q extract "$ID" -o "$W/extracted"
[ "$(stat -c %U "$W/extracted")" = root ] &&
    pass "extract's -o file is root's (made before becoming nobody)" ||
    fail "extract -o file belongs to $(stat -c %U "$W/extracted")"
expect "root release" 0 $Q release "$ID" --to audit@city.example.lg.jp
expect "root sanitize --quarantine" 0 "$MUGAI" sanitize -c "$W/mugai.conf" \
    --quarantine "$F" "$W/att.eml" "$W/att.out"
n=$(find "$F" -name original.eml | wc -l)
[ "$n" -eq 2 ] && pass "sanitize kept its original" || fail "$n originals"
[ "$(stat -c %U "$W/att.out")" = root ] &&
    pass "sanitize's output is root's" ||
    fail "sanitize output belongs to $(stat -c %U "$W/att.out")"
nobodys "nothing in the store is root's after root's commands"
expect "root purge again" 0 $Q purge --older-than 0
nobodys "nothing in the store is root's after a purge of everything"

# mugai-milter as nobody starts on the store root has used.
"$MILTER" -f -c "$W/mugai.conf" >"$W/milter.log" 2>&1 &
milter_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "listening on" "$W/milter.log"; do
	kill -0 "$milter_pid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if grep -q "listening on" "$W/milter.log"; then
	pass "mugai-milter (as nobody) starts on the store"
else
	fail "mugai-milter does not start:"; sed 's/^/    /' "$W/milter.log"
fi
kill -TERM "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null
milter_pid=

# A user who cannot read the store's days gets no empty table: exit 1 and
# why (issue 20). The top is readable, the year below it is nobody's.
as_nobody "$QFILL" "$F" "$W/att.eml" >/dev/null
chmod 755 "$F"
expect "list by a user who cannot read the store fails" 1 \
    setpriv --reuid=daemon --regid=daemon --clear-groups $Q list
grep -q "could not be read: the list is incomplete" "$W/err" &&
    pass "the failure says the list is incomplete and why" ||
    { fail "unreadable store message"; cat "$W/err"; }
expect "list --json by that user fails too" 1 \
    setpriv --reuid=daemon --regid=daemon --clear-groups $Q list --json
chmod 750 "$F"

# A store an older root command left with a root-owned audit.log.
chown root "$F/audit.log"
expect "a root-owned audit.log is refused" 1 $Q purge
grep -q "audit.log belongs to uid 0, not to the store's owner" "$W/err" &&
    pass "the refusal names the file and the owner" ||
    { fail "refusal message"; cat "$W/err"; }

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
