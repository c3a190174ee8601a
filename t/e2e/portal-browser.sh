#!/bin/bash
# portal-browser.sh - mugai-portal in a real browser, end to end (issues
# 18 and 19): mail through the lab's Postfix and mugai-milter into
# Dovecot (t/e2e/lab.sh, with IMAP for the recipients' passwords), a
# private slapd for the approver, mugai-portal on the lab's quarantine,
# and headless Chromium driven by t/e2e/portal_browser.py (python3-selenium,
# chromium-driver): the recipient logs in with the Dovecot password, opens
# the item from the link in the delivered notice, asks for the original;
# the approver (LDAP) sees the queue and approves; the original arrives in
# the recipient's Maildir exactly once; another recipient, a forged link
# and a replayed form are refused; the PPAP form refuses a wrong password
# and delivers the opened archive for the right one. A PNG of each page
# goes to $top_builddir/screenshots/ (`make screenshots` copies them to
# doc/screenshots/).
#
# Every daemon listens on 127.0.0.1 and is stopped by PID on every exit.
# Exit 77 (skip) when not root or a tool is missing, unless
# MUGAI_REQUIRE_TEST_DEPS=1 (CI), which makes a missing browser a failure.
# MUGAI_E2E_KEEP=1 keeps the lab directory. About 30 seconds.
set -u
start=$SECONDS

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd)
. "$top_srcdir/t/e2e/lab.sh"
# Debian's python3-selenium: the system interpreter, not a virtualenv's.
PYTHON3=${MUGAI_SELENIUM_PYTHON:-/usr/bin/python3}
SHOTS=${MUGAI_SCREENSHOTS:-$top_builddir/screenshots}
say() { printf 'portal-browser: [%ss] %s\n' "$((SECONDS - start))" "$*"; }
missing() {
	if [ "${MUGAI_REQUIRE_TEST_DEPS:-}" = 1 ]; then
		say "FAIL: $1 not installed (MUGAI_REQUIRE_TEST_DEPS=1)"
		exit 1
	fi
	say "SKIP: $1 not installed (contrib/quickstart check installs it)"
	exit 77
}

[ "$(id -u)" -eq 0 ] || { say "SKIP: needs root"; exit 77; }
lab_have_tools || missing "$LAB_MISSING"
PATH=$PATH:/usr/sbin
for t in slapd slapadd openssl chromium chromedriver; do
	command -v "$t" >/dev/null 2>&1 || missing "$t"
done
[ -x /usr/lib/dovecot/imap ] || missing dovecot-imapd
"$PYTHON3" -c 'import selenium' 2>/dev/null || missing python3-selenium
for b in mugai-milter mugai-portal mugai mugai-extract t/ppapgen; do
	[ -x "$top_builddir/$b" ] || { say "FAIL: $b not built"; exit 1; }
done

child= PORTAL_PID=
dir=$(mktemp -d /tmp/mugai-browser.XXXXXX) || exit 99
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	if [ -n "$PORTAL_PID" ]; then
		kill -TERM "$PORTAL_PID" 2>/dev/null
		lab_wait_gone "$PORTAL_PID" 50 ||
		    kill -KILL "$PORTAL_PID" 2>/dev/null
	fi
	lab_stop
	if [ "$rc" -eq 0 ] && [ -z "${MUGAI_E2E_KEEP:-}" ]; then
		rm -rf "$dir"
	else
		say "lab kept in $dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the lab: Dovecot (LMTP + IMAP), slapd, Postfix, the milter
set -- $(lab_free_ports 3)
LAB_IMAP_PORT=$1 LDAP_PORT=$2 HTTPS_PORT=$3
lab_init "$dir" || exit 99
LAB_DC_PASSWD=$dir/dovecot/passwd
cat >"$LAB_DC_PASSWD" <<'EOF'
staff:{PLAIN}staffpw::::::
b:{PLAIN}bpw::::::
EOF
lab_dovecot_start || exit 99
say "dovecot up"
lab_slapd_chief "$dir/ldap" "$LDAP_PORT" chief@lgwan.example || exit 99
LAB_EXTRACT=$top_builddir/mugai-extract
lab_milter_conf "$top_srcdir/conf/mugai.conf" "$LAB_MILTER_CONF" || exit 99
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 1 -subj /CN=localhost \
    -keyout "$dir/portal.key" -out "$dir/portal.crt" >/dev/null 2>&1 ||
    exit 99
# Submissions of the portal's user go by SMTP (t/e2e/smtp-submit.py).
SENDMAIL="/usr/bin/python3 $top_srcdir/t/e2e/smtp-submit.py $LAB_SMTP_PORT"
lab_conf_set "$LAB_MILTER_CONF" portal \
    portal_url "https://127.0.0.1:$HTTPS_PORT" \
    listen "127.0.0.1:$HTTPS_PORT" \
    certificate "$dir/portal.crt" key "$dir/portal.key" auth "imap;ldap" \
    imap_url "imap://127.0.0.1:$LAB_IMAP_PORT/" \
    ldap_uri "ldap://127.0.0.1:$LDAP_PORT/" \
    ldap_bind_dn "uid=%u,ou=people,dc=example,dc=jp" \
    user_domain "$LAB_DOMAIN" approvers "@$LAB_DOMAIN:chief@$LAB_DOMAIN" \
    notify_command "$SENDMAIL" &&
    lab_conf_set "$LAB_MILTER_CONF" quarantine submit_command "$SENDMAIL" &&
    lab_portal_user mugai-tportal || exit 99
say "slapd up, certificate made"
# The release key, the store owner's: the portal runs `mugai quarantine
# release` as that user, who may not create files in the lab's directory
# (a root caller would create it so).
(umask 077 && head -c 32 /dev/urandom >"$dir/release.key") &&
    chown "$LAB_MILTER_USER" "$dir/release.key" || exit 99
lab_postfix_start || exit 99
say "postfix up"
lab_milter_start "$top_builddir/mugai-milter" || exit 1
say "milter up"
"$top_builddir/mugai-portal" -c "$LAB_MILTER_CONF" \
    --mugai "$top_builddir/mugai" --helper "$top_builddir/mugai-extract" \
    >"$dir/portal.log" 2>&1 &
PORTAL_PID=$!
lab_wait_port "$HTTPS_PORT" || {
	cat "$dir/portal.log"
	say "FAIL: mugai-portal did not come up"
	exit 1
}
say "lab in $dir: smtp :$LAB_SMTP_PORT, imap :$LAB_IMAP_PORT," \
    "ldap :$LDAP_PORT, portal https://127.0.0.1:$HTTPS_PORT"

# ---- the browser
PPAP_PASS='Mitsumori-2025-パス'
"$top_builddir/t/ppapgen" aes256 "$PPAP_PASS" >"$dir/ppap.eml" || exit 99
mkdir -p "$SHOTS"
"$PYTHON3" "$top_srcdir/t/e2e/portal_browser.py" \
    --portal "https://127.0.0.1:$HTTPS_PORT" --smtp "$LAB_SMTP_PORT" \
    --maildir "$LAB_MAILDIR" --domain "$LAB_DOMAIN" \
    --ppap "$dir/ppap.eml" --ppap-password "$PPAP_PASS" \
    --shots "$SHOTS" --work "$dir" &
child=$!
wait "$child"
rc=$?
child=

# ---- what the servers kept: the password nowhere
if grep -rqaF "$PPAP_PASS" "$LAB_QUARANTINE" "$dir/portal.log" \
    "$LAB_MILTER_LOG" "$LAB_PF_LOG" "$LAB_DC_LOG" 2>/dev/null; then
	say "FAIL: the PPAP password is in a file of the lab"
	rc=1
else
	say "ok: the PPAP password is in no file of the store or any log"
fi
if grep -q '"event":"opened".*"status":"opened"' \
    "$LAB_QUARANTINE/audit.log"; then
	say "ok: audit.log has the opened archive"
else
	say "FAIL: no opened line in audit.log"
	rc=1
fi
say "time: $((SECONDS - start))s; screenshots in $SHOTS"
exit "$rc"
