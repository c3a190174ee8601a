#!/bin/sh
# portal - mugai-portal over HTTPS against a real Dovecot (IMAP login of a
# recipient, passwd-file) and a real slapd (LDAP simple bind of the
# approver), both private, on free loopback ports, with a store filled by
# t/qfill. t/portal_client.py drives it: login, list, item by its link,
# forged link, another recipient, a request, a replayed form, the
# approver's queue and decision, a replayed decision, one part requested,
# approved and delivered to the requester's Maildir, the lockout after
# failed logins, the security headers; t/portal_ppap.py the PPAP password
# form (wrong password, replay, the right one, the limit); then audit.log,
# `mugai quarantine show` and the password in no file are checked here.
# The portal's server process runs as a test user of its own in the
# store's group, its keeper as the store's owner (another test user);
# both are made with useradd when missing (mugai-tportal, mugai-tstore,
# group mugai-tq), and the server's user is shown unable to write the
# store or read an original.
# Skips (77) unless run as root with dovecot-imapd, slapd and openssl
# installed. About 30 seconds on a busy machine (the previews run the
# extraction helper).
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
PYTHON3=${PYTHON3:-python3}
. "$top_srcdir/t/e2e/lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for t in slapd slapadd openssl dovecot doveconf; do
	command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] ||
	    { echo "skip: $t not installed"; exit 77; }
done
[ -x /usr/lib/dovecot/imap ] || { echo "skip: dovecot-imapd"; exit 77; }
[ -d /usr/lib/ldap ] || { echo "skip: slapd modules"; exit 77; }
PATH=$PATH:/usr/sbin

# The portal's server process runs as its own user in the store's group
# ([portal] user; portal/keeper.h); the store belongs to a user of its
# own in that group too (the milter's user: its keeper and releases run
# as that user, and so does the Dovecot below, whose Maildirs the submit
# stand-in writes). All made here when missing, as the package's
# postinst makes them.
PGROUP=mugai-tq PUSER=mugai-tportal SUSER=mugai-tstore
getent group "$PGROUP" >/dev/null || groupadd -r "$PGROUP" ||
    { echo "not ok - groupadd"; exit 1; }
for u in "$PUSER" "$SUSER"; do
	getent passwd "$u" >/dev/null || useradd -r -M -d /nonexistent \
	    -s /usr/sbin/nologin -G "$PGROUP" "$u" ||
	    { echo "not ok - useradd $u"; exit 1; }
	id -Gn "$u" | tr ' ' '\n' | grep -qx "$PGROUP" ||
	    usermod -a -G "$PGROUP" "$u"
done
W=$(mktemp -d "${TMPDIR:-/tmp}/mugai-portal-XXXXXX") || exit 1
# Dovecot reads its passwd-file as its own user; the MTA stand-ins below
# write here as the portal's user (notify) and the store's (submit).
chmod 1777 "$W"
SLAPD_PID= DC_PID= PORTAL_PID=
cleanup() {
	for p in $PORTAL_PID $SLAPD_PID $DC_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PORTAL_PID $SLAPD_PID $DC_PID; do
		lab_wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null
	done
	[ -n "${PORTAL_KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
. "$top_srcdir/t/tap.sh"
set -- $(lab_free_ports 3)
IMAP_PORT=$1 LDAP_PORT=$2 HTTPS_PORT=$3

# ---- slapd: dc=example,dc=jp with the approver chief (t/e2e/lab.sh)
lab_slapd_chief "$W/ldap" "$LDAP_PORT" chief@city.example.lg.jp ||
    { echo "not ok - slapd"; exit 1; }
SLAPD_PID=$LAB_SLAPD_PID

# ---- Dovecot: IMAP with a passwd-file (the recipients' mail store)
mkdir -p "$W/dc/run" "$W/dc/state" "$W/dc/mail"
chown "$SUSER" "$W/dc/mail"
cat >"$W/dc/passwd" <<'EOC'
staff:{PLAIN}staffpw::::::
b:{PLAIN}bpw::::::
c:{PLAIN}cpw::::::
EOC
cat >"$W/dc/dovecot.conf" <<EOC
base_dir = $W/dc/run
state_dir = $W/dc/state
log_path = $W/dc/dovecot.log
instance_name = mugai-portal-$IMAP_PORT
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $(id -u "$SUSER")
mail_location = maildir:$W/dc/mail/%n
passdb {
  driver = passwd-file
  args = $W/dc/passwd
}
userdb {
  driver = static
  args = uid=$SUSER gid=$(id -g "$SUSER") home=$W/dc/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
EOC
dovecot -c "$W/dc/dovecot.conf" || { echo "not ok - dovecot"; exit 1; }
for i in $(seq 50); do
	[ -s "$W/dc/run/master.pid" ] && break
	sleep 0.1
done
DC_PID=$(cat "$W/dc/run/master.pid")

# ---- the store, a certificate, the portal
STORE=$W/quarantine
mkdir -m 700 "$STORE"
# 1.1 text, 1.2 the attachment qfill's report says was dropped.
printf 'From: taro@sender.example\r\nTo: staff@city.example.lg.jp\r\nSubject: =?UTF-8?B?6KaL56mN5pu4?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b1\r\nContent-Type: application/octet-stream; name="invoice.exe"\r\nContent-Disposition: attachment; filename="invoice.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n--b1--\r\n' >"$W/msg.eml"
MUGAI_QFILL_RCPTS='<staff@city.example.lg.jp>' \
    "$top_builddir/t/qfill" "$STORE" "$W/msg.eml" 3 >"$W/ids" ||
    { echo "not ok - qfill"; exit 1; }
MUGAI_QFILL_RCPTS='<b@city.example.lg.jp>' \
    "$top_builddir/t/qfill" "$STORE" "$W/msg.eml" 1 >"$W/ids-b" ||
    { echo "not ok - qfill"; exit 1; }
# c@'s mail with a password-protected zip (part 1.2): the PPAP form.
PPAP_PW='Mitsumori-2025-パス'
"$top_builddir/t/ppapgen" aes256 "$PPAP_PW" >"$W/ppap.eml" &&
    MUGAI_QFILL_RCPTS='<c@city.example.lg.jp>' MUGAI_QFILL_PPAP=見積書.zip \
    "$top_builddir/t/qfill" "$STORE" "$W/ppap.eml" >"$W/ids-ppap" ||
    { echo "not ok - ppapgen, qfill"; exit 1; }
# An item of staff's whose dropped 1.2 is a PDF: the preview.
"$PYTHON3" - "$W/msg-pdf.eml" <<'EOC'
import base64, sys
objs = [b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>"]
c = b"0 0 1 rg 50 600 300 150 re f"
objs.append(b"<</Length %d>>stream\n" % len(c) + c + b"\nendstream")
pdf, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs):
    offs.append(len(pdf))
    pdf += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
x = len(pdf)
pdf += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(
    b"%010d 00000 n \n" % o for o in offs)
pdf += b"trailer\n<</Size 5/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % x
b64 = base64.encodebytes(pdf).replace(b"\n", b"\r\n")
open(sys.argv[1], "wb").write(
    b"From: taro@sender.example\r\nTo: staff@city.example.lg.jp\r\n"
    b"Subject: pdf\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
    b"--b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b1\r\n"
    b"Content-Type: application/pdf; name=\"mitsumori.pdf\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64 + b"--b1--\r\n")
EOC
MUGAI_QFILL_PDF=1 MUGAI_QFILL_RCPTS='<staff@city.example.lg.jp>' \
    "$top_builddir/t/qfill" "$STORE" "$W/msg-pdf.eml" 1 >"$W/ids-p" ||
    { echo "not ok - qfill"; exit 1; }
# The store as the milter leaves it: its user's, the group reads
# 0750/0640, originals 0600; set-group-ID as the package makes it (what
# SQLite makes next to the index gets the group).
chown -R "$SUSER:$PGROUP" "$STORE"
chmod 2750 "$STORE"
find "$STORE" -type d -exec chmod g+rx,o-rwx {} + &&
    find "$STORE" -type f ! -name original.eml -exec chmod g+r,o-rwx {} +
IDP=$(head -n 1 "$W/ids-p")
ID=$(head -n 1 "$W/ids")
IDB=$(head -n 1 "$W/ids-b")
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$W/portal.key" -out "$W/portal.crt" >/dev/null 2>&1 ||
    { echo "not ok - openssl"; exit 1; }
cat >"$W/mugai.conf" <<EOC
[quarantine]
dir = $STORE
group = $PGROUP
release_secret = $W/release.key
submit_command = $W/submit.sh
[portal]
user = $PUSER
portal_url = https://127.0.0.1:$HTTPS_PORT
listen = 127.0.0.1:$HTTPS_PORT
certificate = $W/portal.crt
key = $W/portal.key
auth = imap;ldap
imap_url = imap://127.0.0.1:$IMAP_PORT/
ldap_uri = ldap://127.0.0.1:$LDAP_PORT/
ldap_bind_dn = uid=%u,ou=people,dc=example,dc=jp
user_domain = city.example.lg.jp
approvers = @city.example.lg.jp:chief@city.example.lg.jp
login_max_failures = 3
notify_command = $W/notify.sh
EOC
# The MTA's stand-ins: what they were given, kept.
printf '#!/bin/sh\necho "$@" >>%s/notify.args\ncat >>%s/notify.mail\n' \
    "$W" "$W" >"$W/notify.sh"
# The submit stand-in also delivers to the Dovecot Maildir of each
# recipient's local part, as the MTA and the LDA would.
cat >"$W/submit.sh" <<EOC
#!/bin/sh
echo "\$@" >>$W/submit.args
cat >$W/submit.mail
n=\$(wc -l <$W/submit.args)
cp $W/submit.mail $W/submit.mail.\$n
for r in "\$@"; do
	case \$r in *@*) ;; *) continue ;; esac
	d=$W/dc/mail/\${r%%@*}
	mkdir -p "\$d/new" "\$d/cur" "\$d/tmp"
	cp $W/submit.mail "\$d/tmp/\$\$.\$n" && mv "\$d/tmp/\$\$.\$n" "\$d/new/\$\$.\$n.mugai"
done
EOC
chmod 755 "$W/notify.sh" "$W/submit.sh"
"$top_builddir/mugai-portal" -c "$W/mugai.conf" \
    --mugai "$top_builddir/mugai" --helper "$top_builddir/mugai-extract" \
    >"$W/portal.log" 2>&1 &
PORTAL_PID=$!
lab_wait_port "$HTTPS_PORT" && lab_wait_port "$IMAP_PORT" &&
    lab_wait_port "$LDAP_PORT" || { cat "$W/portal.log" "$W/ldap/slapd.log";
    echo "not ok - servers did not come up"; exit 1; }
pass "portal, dovecot and slapd up"

# ---- who the portal is: the server process its own user, the keeper the
# store's owner; the server's user reads the store and writes none of it.
u=$(ps -o user= -p "$PORTAL_PID" | tr -d ' ')
[ "$u" = "$PUSER" ] && pass "the server process runs as [portal] user" ||
    fail "the server process runs as '$u'"
k=$(ps -o user= --ppid "$PORTAL_PID" | tr -d ' ' | sort -u | head -n 1)
[ "$k" = "$SUSER" ] && pass "its keeper runs as the store's owner" ||
    fail "the keeper runs as '$k'"
IDIR=$(find "$STORE" -mindepth 4 -maxdepth 4 -type d -name "$ID")
as_portal() { setpriv --reuid="$PUSER" --regid="$PGROUP" --init-groups "$@"; }
as_portal cat "$IDIR/meta.json" >/dev/null 2>&1 &&
    pass "the portal's user reads an item's meta.json" ||
    fail "the portal's user cannot read meta.json"
for f in meta.json original.eml requests.json new-file; do
	if as_portal sh -c 'echo x >>"$1"' sh "$IDIR/$f" 2>/dev/null; then
		fail "the portal's user wrote $f in an item"
	else
		pass "the portal's user cannot write $f in an item"
	fi
done
as_portal cat "$IDIR/original.eml" >/dev/null 2>&1 &&
    fail "the portal's user reads original.eml" ||
    pass "the portal's user cannot read original.eml"
as_portal sh -c 'echo x >>"$1"' sh "$STORE/audit.log" 2>/dev/null &&
    fail "the portal's user appends to audit.log" ||
    pass "the portal's user cannot write audit.log (the keeper does)"

# First: portal_client.py ends by locking 127.0.0.1 out of logins.
"$PYTHON3" "$top_srcdir/t/portal_ppap.py" "https://127.0.0.1:$HTTPS_PORT" \
    "$(head -n 1 "$W/ids-ppap")" "$STORE/portal-link.key" "$PPAP_PW"
[ $? -eq 0 ] || fail "portal_ppap.py"
has "ppap: opened for c@ alone" "$W/submit.args" 'c@city.example.lg.jp'
has "ppap: audit has the opened archive" "$STORE/audit.log" '"status":"opened"'
if grep -rqaF "$PPAP_PW" "$STORE" "$W/portal.log" "$W/dc/dovecot.log"; then
	fail "ppap: the password is in a file"
else
	pass "ppap: the password is in no file of the store or log"
fi
"$PYTHON3" "$top_srcdir/t/portal_client.py" "https://127.0.0.1:$HTTPS_PORT" \
    "$ID" "$IDB" "$STORE/portal-link.key" "$IDP"
[ $? -eq 0 ] || fail "portal_client.py"
# What the portal wrote (through its keeper) is the store owner's. (The
# release check below, as root, marks its token used.)
strays=$(find "$STORE" ! -user "$SUSER")
[ -z "$strays" ] && pass "everything the portal wrote is the store owner's" ||
    fail "not the owner's: $strays"

# ---- what the server left behind
has "audit: the login" "$STORE/audit.log" '"event":"login","id":null,"actor":"staff@city.example.lg.jp","outcome":"ok"'
has "audit: the failed login" "$STORE/audit.log" '"outcome":"failed","host"'
has "audit: the view" "$STORE/audit.log" '"event":"view"'
has "audit: the request" "$STORE/audit.log" '"event":"requested"'
has "audit: the approval" "$STORE/audit.log" '"event":"approved","id":"'"$ID"'","actor":"chief@city.example.lg.jp","outcome":"ok"'
has "audit: the release" "$STORE/audit.log" '"event":"release","id":"'"$ID"'","actor":"chief@city.example.lg.jp","outcome":"ok"'
has "audit: the forged link" "$STORE/audit.log" '"error":"bad link"'
has "audit: the preview" "$STORE/audit.log" '"event":"preview","id":"'"$IDP"'","actor":"staff@city.example.lg.jp","outcome":"ok"'
has "the approver was mailed" "$W/notify.args" 'chief@city.example.lg.jp'
has "the mail links the item" "$W/notify.mail" "/item/$ID?m="
has "released to the requester only" "$W/submit.args" 'staff@city.example.lg.jp'
# The PPAP delivery to c@ was the first submission (submit.mail.1).
has "released with its token" "$W/submit.mail.2" "X-Mugai-Release: id=$ID"
n=$(grep -c staff@ "$W/submit.args")
[ "$n" -eq 2 ] && pass "released to staff@ exactly twice (original, then the part)" ||
    fail "released $n times to staff@"
grep '"event":"released"' "$STORE/audit.log" | grep '"outcome":"ok"' |
    grep -q '"part":"1.2"' && pass "audit: the part released" ||
    fail "audit: the part released"
# The part's message in the requester's Maildir, exactly once.
set -- $(grep -l "^X-Mugai-Part-Release: $ID" "$W"/dc/mail/staff/new/* 2>/dev/null)
[ $# -eq 1 ] && pass "the approved part arrives in the Maildir exactly once" ||
    fail "the part arrived $# times"
PART_MAIL=${1:-/dev/null}
has "the part's message carries a release token" "$PART_MAIL" "X-Mugai-Release: id=$ID"
"$PYTHON3" - "$PART_MAIL" <<'EOC' && pass "the part decodes to the original's bytes, the note names the approver" || fail "the part or the note"
import base64, email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
parts = [p for p in m.walk() if not p.is_multipart()]
note = parts[0].get_payload(decode=True).decode()
want = base64.b64decode("TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
sys.exit(0 if len(parts) == 2 and parts[1].get_filename() == "invoice.exe"
         and parts[1].get_payload(decode=True) == want
         and "承認者: chief@city.example.lg.jp" in note
         and note.find("承認者") < note.find("Approved by") else 1)
EOC
# The milter's side: the token passes this message once (the part is not
# removed again), and no other content.
r=$("$top_builddir/t/qfill" --check "$STORE" "$W/release.key" "$PART_MAIL" \
    staff@city.example.lg.jp)
[ "$r" = VALID ] && pass "the milter lets the part's message pass" ||
    fail "release check of the part's message: $r"
"$top_builddir/mugai" quarantine -c "$W/mugai.conf" show "$ID" >"$W/show" 2>&1
[ -s "$STORE/index.sqlite" ] && pass "the list came from the index (index.sqlite)" ||
    fail "no index.sqlite: the portal walked the store"
has "show lists the requests" "$W/show" 'approved  original staff@city.example.lg.jp'
has "show names the decider" "$W/show" 'chief@city.example.lg.jp'
# The requests are rows of the index too (the approvers' queue reads the
# pending ones), and `mugai quarantine reindex` makes them again.
idx_rows() {
	"$PYTHON3" -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for r in c.execute("SELECT item, coalesce(part, \"original\"), state, "
                   "coalesce(decider, \"\") FROM requests ORDER BY rq"):
    print(" ".join(r))' "$STORE/index.sqlite"
}
idx_rows >"$W/idx1"
has "index: the approved original" "$W/idx1" "$ID original approved chief@city.example.lg.jp"
has "index: the approved part" "$W/idx1" "$ID 1.2 approved chief@city.example.lg.jp"
"$PYTHON3" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM requests"); c.commit()' \
    "$STORE/index.sqlite" || fail "emptying the index's requests"
"$top_builddir/mugai" quarantine -c "$W/mugai.conf" reindex >/dev/null 2>&1 ||
    fail "reindex"
idx_rows >"$W/idx2"
cmp -s "$W/idx1" "$W/idx2" && pass "reindex makes the request rows again" ||
    { fail "reindex: other request rows"; diff "$W/idx1" "$W/idx2"; }

# ---- audit.log rotated as /etc/logrotate.d/mugai does it: renamed, then
# SIGUSR1 (systemctl reload mugai-portal). The portal's next line goes to
# a new audit.log, and the renamed one keeps what it had.
mv "$STORE/audit.log" "$STORE/audit.log.1"
n_old=$(wc -l <"$STORE/audit.log.1")
kill -USR1 "$PORTAL_PID"
i=0
until grep -q 'audit.log reopened' "$W/portal.log" || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -0 "$PORTAL_PID" 2>/dev/null && pass "the portal lives through SIGUSR1" ||
    fail "the portal died on SIGUSR1"
# A failed login (wrong password, or the lockout above): one audit line.
"$PYTHON3" - "$HTTPS_PORT" <<'EOP' || fail "a login after the rotation"
import http.client, re, ssl, sys, urllib.parse
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def req(method, path, body=None, headers={}):
    c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]),
                                    context=ctx, timeout=30)
    c.request(method, path, body, headers)
    r = c.getresponse()
    return r, r.read().decode("utf-8", "replace")
r, text = req("GET", "/login")
cookie = r.getheader("Set-Cookie").split(";")[0]
form = re.search(r'name="form" value="([^"]+)"', text).group(1)
req("POST", "/login", urllib.parse.urlencode(
    {"form": form, "login": "staff", "password": "wrong"}),
    {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
EOP
has "SIGUSR1: the portal writes to the new audit.log" "$STORE/audit.log" \
    '"event":"login"'
[ "$(wc -l <"$STORE/audit.log.1")" -eq "$n_old" ] &&
    pass "the renamed audit.log keeps its $n_old lines, gets no more" ||
    fail "the renamed audit.log changed after the reopen"

# ---- load figure (BENCHMARKS.md): MUGAI_PORTAL_BENCH=N items more
if [ -n "${MUGAI_PORTAL_BENCH:-}" ]; then
	t0=$(date +%s)
	MUGAI_QFILL_RCPTS='<staff@city.example.lg.jp>' \
	    "$top_builddir/t/qfill" "$STORE" "$W/msg.eml" \
	    "$MUGAI_PORTAL_BENCH" 1 60 >/dev/null || fail "bench qfill"
	# The store's owner's, as the milter would have made them: the
	# portal's server process (PUSER, in PGROUP) reads them.
	chown -R "$SUSER:$PGROUP" "$STORE"
	echo "# filled $MUGAI_PORTAL_BENCH items in $(($(date +%s) - t0)) s"
	t0=$(date +%s)
	"$top_builddir/mugai" quarantine -c "$W/mugai.conf" reindex --journal \
	    >/dev/null || fail "bench reindex"
	echo "# the journal applied to the index in $(($(date +%s) - t0)) s"
	M=$("$PYTHON3" -c 'import hmac,hashlib,sys
print(hmac.new(open(sys.argv[1],"rb").read(),
    b"mugai-portal-link-1\n"+sys.argv[2].encode(),
    hashlib.sha256).hexdigest()[:32])' "$STORE/portal-link.key" "$ID")
	# A fresh portal: the lockout test above locked 127.0.0.1 out.
	kill -TERM "$PORTAL_PID"
	lab_wait_gone "$PORTAL_PID" 50
	"$top_builddir/mugai-portal" -c "$W/mugai.conf" \
	    --mugai "$top_builddir/mugai" >>"$W/portal.log" 2>&1 &
	PORTAL_PID=$!
	lab_wait_port "$HTTPS_PORT" || fail "portal restarted"
	L="$top_srcdir/contrib/bench/portal-load.py"
	U=https://127.0.0.1:$HTTPS_PORT
	echo "# baseline: /style.css, a static page of the same server (50 users)"
	"$PYTHON3" "$L" "$U" staff staffpw 50 20 /style.css | sed 's/^/# /'
	echo "# list, first page (staff: 50 users)"
	"$PYTHON3" "$L" "$U" staff staffpw 50 20 / | sed 's/^/# /'
	echo "# item page (staff: 50 users)"
	"$PYTHON3" "$L" "$U" staff staffpw 50 20 "/item/$ID?m=$M" |
	    sed 's/^/# /'
	echo "# list of a user with no item (50 users)"
	"$PYTHON3" "$L" "$U" c cpw 50 20 / | sed 's/^/# /'
	echo "# search of the list (staff, q=見積, 50 users)"
	"$PYTHON3" "$L" "$U" staff staffpw 50 20 "/?q=%E8%A6%8B%E7%A9%8D" |
	    sed 's/^/# /'
fi
exit $((fails > 0))
