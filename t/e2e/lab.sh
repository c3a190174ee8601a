# lab.sh - a private mail lab on loopback: Postfix -> mugai-milter -> LMTP -> Dovecot
#
# Sourced (bash) by t/e2e/run.sh and contrib/demo. Everything lives under
# one directory (LAB_DIR): configs, queues, logs, the Maildir store, the
# quarantine. Nothing outside it is written, and the system-wide Postfix and
# Dovecot (/etc/postfix, /etc/dovecot, their queues and sockets) are never
# touched. Every daemon listens on 127.0.0.1 only.
#
#   lab_init DIR              create the layout, choose free ports (unless
#                             LAB_SMTP_PORT, LAB_LMTP_PORT, LAB_MILTER_PORT
#                             are set)
#   lab_dovecot_start         Dovecot with protocols = lmtp, Maildir store;
#                             with LAB_IMAP_PORT set, IMAP there too, its
#                             logins checked against LAB_DC_PASSWD (a
#                             passwd-file: "user:{PLAIN}password::::::")
#                             or else LAB_IMAP_PASSWORD (every user's)
#   lab_slapd_start DIR PORT LDIF
#                             a private slapd (dc=example,dc=jp, mdb in
#                             DIR) on 127.0.0.1:PORT, filled from LDIF
#   lab_slapd_chief DIR PORT MAIL
#                             the same, filled with the portal's one
#                             approver: uid=chief (password chiefpw, MAIL)
#   lab_postfix_start [nomilter]
#                             private Postfix: smtpd on LAB_SMTP_PORT, relays
#                             lgwan.example over LMTP to Dovecot, milter at
#                             inet:127.0.0.1:LAB_MILTER_PORT (tempfail when
#                             it is down)
#   lab_milter_conf SRC DST   DST = SRC with the lab's socket, dirs and user
#                             (and [extract] helper = LAB_EXTRACT when set:
#                             the build's mugai-extract)
#   lab_milter_start [ARGS]   mugai-milter -f -c LAB_MILTER_CONF, by PID
#   lab_milter_stop           SIGTERM to that PID, wait
#   lab_queue_wait SECS       wait until Postfix's queues are empty
#   lab_queue_count           messages in Postfix's queues (incl. maildrop)
#   lab_stop                  stop everything this shell started (trap it)
#
# Processes are only ever ended by the PIDs this library recorded.
# Needs root (Postfix and Dovecot drop privileges themselves).
#
# LAB_MILTER_SERVICE=NAME (e.g. mugai-milter, as the Debian package installs
# it) puts the milter functions on the installed service instead: the lab
# uses its socket (an inet one) and quarantine from /etc/mugai/mugai.conf,
# lab_milter_conf changes nothing, lab_milter_start and lab_milter_stop
# start and stop the service (systemctl, else /etc/init.d/NAME), and
# lab_stop leaves it running, as it was found.

LAB_MAIL_USER=${LAB_MAIL_USER:-mail}	# owns the Maildir store
LAB_MILTER_USER=${LAB_MILTER_USER:-nobody}
LAB_MILTER_GROUP=${LAB_MILTER_GROUP:-nogroup}
LAB_DOMAIN=${LAB_DOMAIN:-lgwan.example}
LAB_PF_PID=
LAB_DC_PID=
LAB_MILTER_PID=
LAB_SLAPD_PID=

lab_log() { printf '%s\n' "lab: $*" >&2; }

# lab_have_tools: 0 when Postfix, Dovecot (with LMTP) and python3 are here.
lab_have_tools() {
	local t
	for t in postfix postconf postqueue postsuper postkick dovecot doveadm \
	    doveconf python3; do
		command -v "$t" >/dev/null 2>&1 ||
		    [ -x "/usr/sbin/$t" ] || { LAB_MISSING=$t; return 1; }
	done
	[ -x /usr/lib/dovecot/lmtp ] || { LAB_MISSING=dovecot-lmtpd; return 1; }
	return 0
}

# Free TCP ports on 127.0.0.1, one per line.
lab_free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
EOF
}

lab_init() {
	LAB_DIR=$1
	mkdir -p "$LAB_DIR" || return 1
	LAB_DIR=$(cd "$LAB_DIR" && pwd)
	# Postfix, Dovecot and the milter drop privileges and must reach
	# their files below LAB_DIR.
	chmod 755 "$LAB_DIR"
	if [ -z "${LAB_SMTP_PORT:-}" ] || [ -z "${LAB_LMTP_PORT:-}" ] ||
	    [ -z "${LAB_MILTER_PORT:-}" ]; then
		local p
		p=$(lab_free_ports 3) || return 1
		set -- $p
		LAB_SMTP_PORT=${LAB_SMTP_PORT:-$1}
		LAB_LMTP_PORT=${LAB_LMTP_PORT:-$2}
		LAB_MILTER_PORT=${LAB_MILTER_PORT:-$3}
	fi
	LAB_PF_CONF=$LAB_DIR/postfix/etc
	LAB_PF_QUEUE=$LAB_DIR/postfix/spool
	LAB_PF_LOG=$LAB_DIR/postfix/maillog
	LAB_DC_CONF=$LAB_DIR/dovecot/dovecot.conf
	LAB_DC_LOG=$LAB_DIR/dovecot/dovecot.log
	LAB_MAILDIR=$LAB_DIR/maildir
	LAB_QUARANTINE=$LAB_DIR/quarantine
	LAB_SPOOL=$LAB_DIR/spool
	LAB_MILTER_CONF=$LAB_DIR/mugai.conf
	LAB_MILTER_LOG=$LAB_DIR/mugai-milter.log
	if [ -n "${LAB_MILTER_SERVICE:-}" ]; then
		lab_service_init || return 1
	fi
	mkdir -p "$LAB_PF_CONF" "$LAB_PF_QUEUE" "$LAB_DIR/postfix/data" \
	    "$LAB_DIR/dovecot/run" "$LAB_DIR/dovecot/state" "$LAB_MAILDIR" \
	    "$LAB_QUARANTINE" "$LAB_SPOOL" "$LAB_DIR/run" || return 1
	chown postfix "$LAB_DIR/postfix/data"
	chown "$LAB_MAIL_USER:$LAB_MAIL_USER" "$LAB_MAILDIR"
	chmod 750 "$LAB_MAILDIR"
}

# ---------------------------------------------------------------- Dovecot

lab_dovecot_start() {
	local uid gid
	local protocols=lmtp passdb="driver = static
  args = nopassword=y" imap=
	uid=$(id -u "$LAB_MAIL_USER") && gid=$(id -g "$LAB_MAIL_USER") ||
	    return 1
	# LAB_IMAP_PORT (opt-in): IMAP too, what mugai-portal's IMAP login
	# checks. The passwords: LAB_DC_PASSWD, a passwd-file (Dovecot reads
	# it as its own user), else every user's LAB_IMAP_PASSWORD (the
	# demo).
	if [ -n "${LAB_IMAP_PORT:-}" ]; then
		protocols="lmtp imap"
		if [ -n "${LAB_DC_PASSWD:-}" ]; then
			passdb="driver = passwd-file
  args = $LAB_DC_PASSWD"
			chmod 644 "$LAB_DC_PASSWD"
		else
			passdb="driver = static
  args = password=${LAB_IMAP_PASSWORD:?}"
		fi
		imap="service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $LAB_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0"
	fi
	cat >"$LAB_DC_CONF" <<EOF
# Private Dovecot of the mugai lab: the LGWAN-side store, LMTP only.
base_dir = $LAB_DIR/dovecot/run
state_dir = $LAB_DIR/dovecot/state
log_path = $LAB_DC_LOG
info_log_path = $LAB_DC_LOG
debug_log_path = $LAB_DC_LOG
instance_name = mugai-lab-$LAB_LMTP_PORT
protocols = $protocols
listen = 127.0.0.1
ssl = no
shutdown_clients = yes
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $uid
mail_location = maildir:$LAB_MAILDIR/%n
passdb {
  $passdb
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$LAB_MAILDIR/%n allow_all_users=yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LAB_LMTP_PORT
  }
  unix_listener lmtp {
    mode = 0600
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
$imap
EOF
	doveconf -c "$LAB_DC_CONF" -n >/dev/null || {
		lab_log "doveconf rejects $LAB_DC_CONF"
		return 1
	}
	dovecot -c "$LAB_DC_CONF" || return 1
	local i
	for i in $(seq 50); do
		if [ -s "$LAB_DIR/dovecot/run/master.pid" ]; then
			LAB_DC_PID=$(cat "$LAB_DIR/dovecot/run/master.pid")
			lab_wait_port "$LAB_LMTP_PORT" && return 0
		fi
		sleep 0.1
	done
	lab_log "dovecot did not come up; see $LAB_DC_LOG"
	return 1
}

lab_dovecot_stop() {
	[ -n "$LAB_DC_PID" ] || return 0
	kill -TERM "$LAB_DC_PID" 2>/dev/null
	lab_wait_gone "$LAB_DC_PID" 100 || kill -KILL "$LAB_DC_PID" 2>/dev/null
	LAB_DC_PID=
}

# ---------------------------------------------------------------- slapd

# lab_slapd_start DIR PORT LDIF: slapd for dc=example,dc=jp (mdb in DIR,
# filled from the LDIF file) on ldap://127.0.0.1:PORT/, by PID.
lab_slapd_start() {
	local d=$1 port=$2
	mkdir -p "$d/db" || return 1
	cat >"$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $d/slapd.pid
database mdb
maxsize 10485760
suffix "dc=example,dc=jp"
rootdn "cn=admin,dc=example,dc=jp"
directory $d/db
EOF
	slapadd -f "$d/slapd.conf" -l "$3" >"$d/add.log" 2>&1 || {
		lab_log "slapadd failed: $(cat "$d/add.log")"
		return 1
	}
	slapd -f "$d/slapd.conf" -h "ldap://127.0.0.1:$port/" -d 0 \
	    >"$d/slapd.log" 2>&1 &
	LAB_SLAPD_PID=$!
	lab_wait_port "$port" && return 0
	lab_log "slapd did not come up; see $d/slapd.log"
	return 1
}

# lab_slapd_chief DIR PORT MAIL: lab_slapd_start with the directory the
# portal's tests log in to (t/portal.sh, t/e2e/portal-browser.sh): the
# approver uid=chief, "Section Chief", password chiefpw, mail MAIL.
lab_slapd_chief() {
	mkdir -p "$1" || return 1
	cat >"$1/people.ldif" <<EOF
dn: dc=example,dc=jp
objectClass: dcObject
objectClass: organization
dc: example
o: example

dn: ou=people,dc=example,dc=jp
objectClass: organizationalUnit
ou: people

dn: uid=chief,ou=people,dc=example,dc=jp
objectClass: inetOrgPerson
uid: chief
cn: Section Chief
sn: Chief
mail: $3
userPassword: chiefpw
EOF
	lab_slapd_start "$1" "$2" "$1/people.ldif"
}

lab_slapd_stop() {
	[ -n "$LAB_SLAPD_PID" ] || return 0
	kill -TERM "$LAB_SLAPD_PID" 2>/dev/null
	lab_wait_gone "$LAB_SLAPD_PID" 50 ||
	    kill -KILL "$LAB_SLAPD_PID" 2>/dev/null
	LAB_SLAPD_PID=
}

# ---------------------------------------------------------------- Postfix

lab_postfix_conf() {
	local milter=inet:127.0.0.1:$LAB_MILTER_PORT
	[ "${1:-}" = nomilter ] && milter=
	cat >"$LAB_PF_CONF/main.cf" <<EOF
# Private Postfix of the mugai lab: the boundary MTA.
compatibility_level = 3.6
config_directory = $LAB_PF_CONF
queue_directory = $LAB_PF_QUEUE
data_directory = $LAB_DIR/postfix/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = mugai-lab
maillog_file = $LAB_PF_LOG
maillog_file_prefixes = $LAB_DIR
myhostname = mx.boundary.example
mydomain = boundary.example
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# Treat the loopback client as the internet: no From/Date/Message-ID added
# to what it sends, as for any remote client of a boundary MTA.
local_header_rewrite_clients =
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
relay_domains = $LAB_DOMAIN
relay_transport = lmtp:inet:127.0.0.1:$LAB_LMTP_PORT
# Nothing leaves the lab: every other destination fails at once, so a
# bounce is logged instead of waiting in the queue for DNS.
default_transport = error:outside the mugai lab
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# One client sends the whole corpus; a 4xx/5xx reply is a test result, not
# a reason to slow it down or drop it.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 10000
smtpd_hard_error_limit = 10000
message_size_limit = 104857600
mailbox_size_limit = 0
smtputf8_enable = no
lmtp_host_lookup = native
smtp_host_lookup = native
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 30s
delay_warning_time = 0
# The milter: what a deployment sets (contrib/postfix).
smtpd_milters = $milter
non_smtpd_milters = $milter
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 60s
milter_content_timeout = 300s
EOF
	cat >"$LAB_PF_CONF/master.cf" <<EOF
# Private Postfix of the mugai lab: no chroot, smtpd on loopback only.
127.0.0.1:$LAB_SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

lab_postfix_start() {
	lab_postfix_conf "${1:-}"
	: >"$LAB_PF_LOG"
	postfix -c "$LAB_PF_CONF" check || {
		lab_log "postfix check failed for $LAB_PF_CONF"
		return 1
	}
	postfix -c "$LAB_PF_CONF" start || return 1
	local i
	for i in $(seq 50); do
		if [ -s "$LAB_PF_QUEUE/pid/master.pid" ]; then
			LAB_PF_PID=$(tr -d ' \n' <"$LAB_PF_QUEUE/pid/master.pid")
			lab_wait_port "$LAB_SMTP_PORT" && return 0
		fi
		sleep 0.1
	done
	lab_log "postfix did not come up; see $LAB_PF_LOG"
	return 1
}

lab_postfix_stop() {
	[ -n "$LAB_PF_PID" ] || return 0
	postfix -c "$LAB_PF_CONF" stop >/dev/null 2>&1 ||
	    kill -TERM "$LAB_PF_PID" 2>/dev/null
	lab_wait_gone "$LAB_PF_PID" 100 || kill -KILL "$LAB_PF_PID" 2>/dev/null
	LAB_PF_PID=
}

# Messages in Postfix's queues; showq counts maildrop (not yet picked up)
# too.
lab_queue_count() {
	postqueue -c "$LAB_PF_CONF" -j 2>/dev/null | grep -c .
}

# lab_queue_wait SECS: 0 when the queues are empty within SECS seconds.
lab_queue_wait() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(lab_queue_count)" -eq 0 ] && return 0
		sleep 0.5
	done
	return 1
}

# ---------------------------------------------------------------- milter

# lab_conf_set FILE SECTION KEY VALUE [KEY VALUE ...]: set keys of one
# section of an ini file in place (one python3 for them all: under load a
# start of the interpreter is seconds).
lab_conf_set() {
	python3 - "$@" <<'EOF' || return 1
import re, sys
path, section = sys.argv[1:3]
pairs = sys.argv[3:]
lines = open(path, encoding="utf-8").read().split("\n")
for key, value in zip(pairs[0::2], pairs[1::2]):
    cur, done = None, False
    for i, l in enumerate(lines):
        m = re.match(r"\s*\[([^]]+)\]", l)
        if m:
            if cur == section and not done:
                lines.insert(i, "%s = %s" % (key, value))
                done = True
                break
            cur = m.group(1)
            continue
        if cur == section and re.match(r"\s*%s\s*=" % re.escape(key), l):
            lines[i] = "%s = %s" % (key, value)
            done = True
            break
    if not done:
        if cur != section:
            lines.append("[%s]" % section)
        lines.append("%s = %s" % (key, value))
open(path, "w", encoding="utf-8").write("\n".join(lines))
EOF
}

# lab_milter_conf SRC DST: the config SRC (normally the shipped default) with
# only what the lab needs changed: socket, user, and paths under LAB_DIR.
lab_milter_conf() {
	local dst=$2
	[ -z "${LAB_MILTER_SERVICE:-}" ] || return 0
	cp "$1" "$dst" || return 1
	lab_conf_set "$dst" milter socket "inet:$LAB_MILTER_PORT@127.0.0.1" \
	    user "$LAB_MILTER_USER" group "$LAB_MILTER_GROUP" \
	    pidfile "$LAB_DIR/run/mugai-milter.pid" spool_dir "$LAB_SPOOL" &&
	lab_conf_set "$dst" quarantine dir "$LAB_QUARANTINE" \
	    release_secret "$LAB_DIR/release.key" \
	    submit_command "/usr/sbin/sendmail -C $LAB_PF_CONF -G -i" ||
	    return 1
	if [ -n "${LAB_EXTRACT:-}" ]; then
		lab_conf_set "$dst" extract helper "$LAB_EXTRACT" || return 1
	fi
	chown "$LAB_MILTER_USER:$LAB_MILTER_GROUP" "$LAB_QUARANTINE" \
	    "$LAB_SPOOL" "$LAB_DIR/run"
	chmod 750 "$LAB_QUARANTINE" "$LAB_SPOOL"
}

# lab_portal_user NAME: mugai-portal's server process runs as NAME
# ([portal] user of LAB_MILTER_CONF), a system user made when missing and
# put in LAB_MILTER_GROUP, the group of the milter's store (its keeper
# runs as LAB_MILTER_USER, the store's owner). Needs root.
lab_portal_user() {
	getent passwd "$1" >/dev/null ||
	    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$1" ||
	    return 1
	id -Gn "$1" | tr ' ' '\n' | grep -qx "$LAB_MILTER_GROUP" ||
	    usermod -a -G "$LAB_MILTER_GROUP" "$1" || return 1
	lab_conf_set "$LAB_MILTER_CONF" portal user "$1"
}

# lab_milter_start BINARY [ARGS]: runs BINARY -f -c LAB_MILTER_CONF ARGS.
lab_milter_start() {
	local bin=$1
	shift
	if [ -n "${LAB_MILTER_SERVICE:-}" ]; then
		lab_service_start
		return
	fi
	"$bin" -f -c "$LAB_MILTER_CONF" "$@" >>"$LAB_MILTER_LOG" 2>&1 &
	LAB_MILTER_PID=$!
	if lab_wait_port "$LAB_MILTER_PORT" 100 &&
	    kill -0 "$LAB_MILTER_PID" 2>/dev/null; then
		return 0
	fi
	lab_log "mugai-milter did not come up; see $LAB_MILTER_LOG"
	tail -n 20 "$LAB_MILTER_LOG" >&2
	lab_milter_stop
	return 1
}

lab_milter_stop() {
	if [ -n "${LAB_MILTER_SERVICE:-}" ]; then
		lab_service_stop
		return
	fi
	[ -n "$LAB_MILTER_PID" ] || return 0
	kill -TERM "$LAB_MILTER_PID" 2>/dev/null
	lab_wait_gone "$LAB_MILTER_PID" 100 ||
	    kill -KILL "$LAB_MILTER_PID" 2>/dev/null
	wait "$LAB_MILTER_PID" 2>/dev/null
	LAB_MILTER_PID=
}

# ---------------------------------------------------------------- helpers

# lab_wait_port PORT [TENTHS]: until something listens on 127.0.0.1:PORT.
lab_wait_port() {
	local i
	for i in $(seq "${2:-50}"); do
		python3 -c 'import socket,sys
s=socket.socket(); s.settimeout(1)
sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))' "$1" && return 0
		sleep 0.1
	done
	return 1
}

# lab_wait_gone PID TENTHS: until PID has exited.
lab_wait_gone() {
	local i
	for i in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

lab_stop() {
	if [ -n "${LAB_MILTER_SERVICE:-}" ]; then
		# Running again if a test stopped it, else left alone.
		[ -z "${LAB_SERVICE_STOPPED:-}" ] || lab_service_start
	else
		lab_milter_stop
	fi
	lab_postfix_stop
	lab_dovecot_stop
	lab_slapd_stop
}

# ------------------------------------------------- the installed service

# The installed configuration's socket and store; the service must be
# running and listening on an inet socket on 127.0.0.1.
lab_service_init() {
	local conf=/etc/mugai/mugai.conf sock
	LAB_MILTER_CONF=$conf
	sock=$(lab_conf_get "$conf" milter socket inet:8890@127.0.0.1) &&
	    LAB_QUARANTINE=$(lab_conf_get "$conf" quarantine dir \
	    /var/lib/mugai/quarantine) &&
	    LAB_SERVICE_PIDFILE=$(lab_conf_get "$conf" milter pidfile \
	    /run/mugai/mugai-milter.pid) || return 1
	case "$sock" in
	inet:*@127.0.0.1)
		LAB_MILTER_PORT=${sock#inet:}
		LAB_MILTER_PORT=${LAB_MILTER_PORT%@*}
		;;
	*)
		lab_log "$LAB_MILTER_SERVICE listens on $sock: the lab needs" \
		    "inet:PORT@127.0.0.1"
		return 1
		;;
	esac
	lab_service_start
}

# lab_service_ctl ACTION: start or stop the service as an administrator
# does (not through invoke-rc.d, which a container's policy may forbid).
lab_service_ctl() {
	if [ -d /run/systemd/system ]; then
		systemctl "$1" "$LAB_MILTER_SERVICE.service"
	else
		"/etc/init.d/$LAB_MILTER_SERVICE" "$1" >/dev/null
	fi
}

lab_service_start() {
	local i
	lab_service_ctl start || return 1
	for i in $(seq 100); do
		if [ -s "$LAB_SERVICE_PIDFILE" ] &&
		    lab_wait_port "$LAB_MILTER_PORT" 1; then
			LAB_MILTER_PID=$(tr -d ' \n' <"$LAB_SERVICE_PIDFILE")
			LAB_SERVICE_STOPPED=
			return 0
		fi
		sleep 0.1
	done
	lab_log "$LAB_MILTER_SERVICE did not come up (see the mail log)"
	return 1
}

lab_service_stop() {
	LAB_SERVICE_STOPPED=yes
	lab_service_ctl stop || return 1
	[ -z "$LAB_MILTER_PID" ] || lab_wait_gone "$LAB_MILTER_PID" 300
	LAB_MILTER_PID=
}

# lab_conf_get FILE SECTION KEY DEFAULT: one value of an ini file.
lab_conf_get() {
	python3 - "$@" <<'EOF2'
import re, sys
path, section, key, default = sys.argv[1:5]
cur = None
for l in open(path, encoding="utf-8"):
    m = re.match(r"\s*\[([^]]+)\]", l)
    if m:
        cur = m.group(1)
        continue
    m = re.match(r"\s*%s\s*=\s*(.*?)\s*$" % re.escape(key), l)
    if cur == section and m:
        default = m.group(1)
        break
print(default)
EOF2
}

