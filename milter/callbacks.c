/*
 * mugai_callbacks - xxfi_* for mugai-milter
 *
 * Negotiation asks for what makes the milter exact and cheap, and only
 * what the MTA offers:
 *   SMFIP_HDR_LEADSPC  header values exactly as received (space and all)
 *   SMFIP_NR_*         no reply for connect, HELO, MAIL, RCPT, headers,
 *                      end of headers and body chunks: those callbacks
 *                      always continue, and an input failure (spool full,
 *                      message past the size cap) is recorded and answered
 *                      at end of message, where the reply table applies.
 *                      With SMFIP_NR_BODY the MTA streams the body without
 *                      waiting a round trip per 64 KiB chunk; once a
 *                      failure is recorded, later chunks are dropped unread.
 *   SMFIP_NODATA, SMFIP_NOUNKNOWN  steps we have no use for
 * An MTA that does not offer SMFIP_NR_BODY gets a reply to every chunk, so
 * there a message past the size cap is refused at once. SMFIP_SKIP is not
 * asked for: the whole body is needed.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "callbacks.h"
#include "context.h"
#include "current.h"
#include "eom.h"
#include "idle.h"
#include "log.h"
#include "mta.h"

#define MUGAI_ACTIONS (SMFIF_CHGBODY | SMFIF_CHGHDRS | SMFIF_ADDHDRS)
#define MUGAI_NR (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
    SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define MUGAI_STEPS (SMFIP_HDR_LEADSPC | SMFIP_NODATA | SMFIP_NOUNKNOWN)

static struct mugai_conn *
conn_of(SMFICTX *ctx)
{
	return mugai_mta_getpriv(ctx);
}

/*
 * The connection context, created on first use (negotiate or connect).
 * Every callback that takes it is busy until it returns through done():
 * only time between callbacks counts towards [milter] timeout (idle.h).
 */
static struct mugai_conn *
conn_get(SMFICTX *ctx)
{
	struct mugai_conn *cc = mugai_mta_getpriv(ctx);

	if (cc == NULL) {
		cc = mugai_conn_new();
		(void)mugai_mta_setpriv(ctx, cc);
		if (!mugai_idle_add(cc, mugai_mta_socket(ctx)))
			mugai_log(LOG_DEBUG, "connection socket unknown: "
			    "idle timeout left to libmilter");
	}
	mugai_idle_busy(cc, TRUE);
	return cc;
}

/* A callback's way out: the connection is idle from now on. */
static sfsistat
done(struct mugai_conn *cc, sfsistat r)
{
	mugai_idle_busy(cc, FALSE);
	return r;
}

/* Returns (transfer full) the numeric address of sa, or NULL. */
static char *
addr_string(const _SOCK_ADDR *sa)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;

	if (sa == NULL)
		return NULL;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return NULL;
	if (inet_ntop(sa->sa_family, a, buf, sizeof buf) == NULL)
		return NULL;
	return g_strdup(buf);
}

/* The status of a callback that always continues: none when NR agreed. */
static sfsistat
cont(struct mugai_conn *cc, unsigned long nr_flag)
{
	return done(cc, cc != NULL && (cc->cc_pflags & nr_flag) != 0 ?
	    SMFIS_NOREPLY : SMFIS_CONTINUE);
}

static sfsistat
xxfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct mugai_conn *cc;

	*pf0 = *pf1 = *pf2 = *pf3 = 0;
	if ((f0 & MUGAI_ACTIONS) != MUGAI_ACTIONS) {
		mugai_log(LOG_ERR, "MTA does not offer the body and header "
		    "changes sanitizing needs (actions 0x%lx)", f0);
		return SMFIS_REJECT;
	}
	cc = conn_get(ctx);
	*pf0 = MUGAI_ACTIONS;
	*pf1 = f1 & (MUGAI_NR | MUGAI_STEPS);
	*pf2 = 0;
	*pf3 = 0;
	cc->cc_pflags = *pf1;
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		*pf0 |= SMFIF_SETSYMLIST;
		(void)mugai_mta_setsymlist(ctx, SMFIM_CONNECT,
		    "{client_addr} {client_name}");
		(void)mugai_mta_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_authen}");
		(void)mugai_mta_setsymlist(ctx, SMFIM_EOH, "i");
		(void)mugai_mta_setsymlist(ctx, SMFIM_EOM, "i");
	}
	mugai_log(LOG_DEBUG, "negotiated actions 0x%lx protocol 0x%lx "
	    "(offered 0x%lx 0x%lx)", *pf0, *pf1, f0, f1);
	return done(cc, SMFIS_CONTINUE);
}

static sfsistat
xxfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct mugai_conn *cc = conn_get(ctx);
	const char *macro = mugai_mta_getsymval(ctx, "{client_addr}");
	char *addr = macro != NULL ? g_strdup(macro) : addr_string(hostaddr);

	mugai_conn_set_client(cc, hostname, addr);
	g_free(addr);
	return cont(cc, SMFIP_NR_CONN);
}

static sfsistat
xxfi_helo(SMFICTX *ctx, char *helo)
{
	struct mugai_conn *cc = conn_get(ctx);

	mugai_conn_set_helo(cc, helo);
	return cont(cc, SMFIP_NR_HELO);
}

static sfsistat
xxfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct mugai_conn *cc = conn_get(ctx);

	(void)mugai_conn_msg_begin(cc, mugai_current_config(), argv[0],
	    mugai_mta_getsymval(ctx, "i"),
	    mugai_mta_getsymval(ctx, "{auth_authen}"));
	return cont(cc, SMFIP_NR_MAIL);
}

static sfsistat
xxfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mugai_conn *cc = conn_get(ctx);

	if (cc->cc_msg != NULL)
		mugai_msg_add_rcpt(cc->cc_msg, argv[0]);
	return cont(cc, SMFIP_NR_RCPT);
}

static sfsistat
xxfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct mugai_conn *cc = conn_get(ctx);

	if (cc->cc_msg != NULL)
		(void)mugai_msg_add_header(cc->cc_msg, name, value);
	return cont(cc, SMFIP_NR_HDR);
}

static sfsistat
xxfi_eoh(SMFICTX *ctx)
{
	struct mugai_conn *cc = conn_get(ctx);

	if (cc->cc_msg != NULL) {
		mugai_msg_set_queue_id(cc->cc_msg,
		    mugai_mta_getsymval(ctx, "i"));
		(void)mugai_msg_end_headers(cc->cc_msg);
	}
	return cont(cc, SMFIP_NR_EOH);
}

static sfsistat
xxfi_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct mugai_conn *cc = conn_get(ctx);
	gboolean no_reply = (cc->cc_pflags & SMFIP_NR_BODY) != 0;

	/* No message context: end of message tempfails (eom below). */
	if (cc->cc_msg == NULL)
		return done(cc, no_reply ? SMFIS_NOREPLY : SMFIS_TEMPFAIL);
	/* A failure stays in cc_msg: answered now, or at end of message. */
	if (mugai_msg_add_body(cc->cc_msg, data, len) != MUGAI_OK &&
	    !no_reply)
		return done(cc, mugai_eom_fail_early(ctx, cc));
	return cont(cc, SMFIP_NR_BODY);
}

static sfsistat
xxfi_eom(SMFICTX *ctx)
{
	struct mugai_conn *cc = conn_of(ctx);

	/* No message context: fail closed, never pass unseen content. */
	if (cc == NULL || cc->cc_msg == NULL)
		return SMFIS_TEMPFAIL;
	mugai_idle_busy(cc, TRUE);
	return done(cc, mugai_eom_run(ctx, cc));
}

static sfsistat
xxfi_abort(SMFICTX *ctx)
{
	struct mugai_conn *cc = conn_of(ctx);

	mugai_idle_busy(cc, TRUE);
	if (cc != NULL && cc->cc_msg != NULL) {
		char *qid = mugai_log_escape(cc->cc_msg->mc_queue_id);

		mugai_log(LOG_DEBUG, "%s: aborted by the MTA", qid);
		g_free(qid);
		mugai_conn_msg_end(cc);
	}
	return done(cc, SMFIS_CONTINUE);
}

static sfsistat
xxfi_close(SMFICTX *ctx)
{
	struct mugai_conn *cc = conn_of(ctx);

	/* Before libmilter closes the socket: see idle.h. */
	mugai_idle_remove(cc);
	(void)mugai_mta_setpriv(ctx, NULL);
	mugai_conn_free(cc);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"mugai-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = MUGAI_ACTIONS,
	.xxfi_connect = xxfi_connect,
	.xxfi_helo = xxfi_helo,
	.xxfi_envfrom = xxfi_envfrom,
	.xxfi_envrcpt = xxfi_envrcpt,
	.xxfi_header = xxfi_header,
	.xxfi_eoh = xxfi_eoh,
	.xxfi_body = xxfi_body,
	.xxfi_eom = xxfi_eom,
	.xxfi_abort = xxfi_abort,
	.xxfi_close = xxfi_close,
	.xxfi_unknown = NULL,
	.xxfi_data = NULL,
	.xxfi_negotiate = xxfi_negotiate,
};

struct smfiDesc *
mugai_callbacks_desc(void)
{
	return &desc;
}
