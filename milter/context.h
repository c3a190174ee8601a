/*
 * mugai_conn / mugai_msg - per-connection and per-message state
 *
 * libmilter gives each SMTP connection its own thread and SMFICTX; the
 * connection context hangs off it (mugai_mta_setpriv) from negotiate to
 * close. A connection carries zero or more messages; each message context
 * lives from envfrom to eom or abort and owns a reference to the config it
 * started with, so a reload never changes a message in flight.
 *
 * Message input is collected as the MTA passed it: "Name:value\r\n" per
 * header (a bare LF inside a folded value becomes CRLF), "\r\n", the body.
 * The first spool failure is kept in mc_err and stops further input; the
 * callbacks report it at the next point where a reply is possible.
 *
 * From the end of the headers on, the spooled bytes also feed a live
 * sanitize stream (mc_live: the header block at once, then each body
 * chunk), so end of message only finishes the engine. The spool keeps the
 * whole message for the quarantine and for the GMime fallback.
 */
#ifndef MUGAI_CONTEXT_H
#define MUGAI_CONTEXT_H

#include <glib.h>

#include "core/config.h"
#include "base/err.h"
#include "core/sanitize.h"
#include "spool.h"

struct mugai_msg {
	struct mugai_config *mc_cf;	/* reference held */
	struct mugai_spool *mc_spool;
	char *mc_sender;
	GPtrArray *mc_rcpts;		/* (char *), NULL-terminated */
	char *mc_queue_id;
	char *mc_auth;			/* {auth_authen}, or NULL */
	char *mc_release;		/* first X-Mugai-Release value */
	enum mugai_err mc_err;		/* first input failure */
	gint64 mc_start;		/* g_get_monotonic_time() at envfrom */
	/* Fed from end of headers on; NULL before, or when it could not be. */
	struct mugai_sanitize_stream *mc_live;
	struct mugai_envelope mc_live_env;	/* sender, rcpts for mc_live */
};

struct mugai_conn {
	unsigned long cc_pflags;	/* protocol flags negotiated */
	char *cc_client_addr;
	char *cc_client_name;
	char *cc_helo;
	struct mugai_msg *cc_msg;	/* NULL between messages */
};

/* Returns (transfer full) an empty connection context, never NULL. */
struct mugai_conn *mugai_conn_new(void);

/* Frees cc and its message, if any. NULL does nothing. */
void mugai_conn_free(struct mugai_conn *cc);

/* Sets the client (strings copied, NULL allowed). */
void mugai_conn_set_client(struct mugai_conn *cc, const char *name,
    const char *addr);

/* Sets the HELO name (copied). */
void mugai_conn_set_helo(struct mugai_conn *cc, const char *helo);

/*
 * Ends any message in progress and starts a new one. cf: reference taken
 * (ownership passes to the message). sender, queue_id, auth copied.
 * Returns (transfer none) the new message.
 */
struct mugai_msg *mugai_conn_msg_begin(struct mugai_conn *cc,
    struct mugai_config *cf, const char *sender, const char *queue_id,
    const char *auth);

/* Frees the message in progress (abort, eom, close). */
void mugai_conn_msg_end(struct mugai_conn *cc);

/* Adds one recipient (copied). */
void mugai_msg_add_rcpt(struct mugai_msg *mc, const char *rcpt);

/* Sets the queue ID (copied) when it was not known yet. */
void mugai_msg_set_queue_id(struct mugai_msg *mc, const char *queue_id);

/* Appends one header as received; returns mc_err. */
enum mugai_err mugai_msg_add_header(struct mugai_msg *mc, const char *name,
    const char *value);

/*
 * Appends the blank line after the headers and starts mc_live with the
 * header block; returns mc_err.
 */
enum mugai_err mugai_msg_end_headers(struct mugai_msg *mc);

/* Appends a body chunk (lent); returns mc_err. */
enum mugai_err mugai_msg_add_body(struct mugai_msg *mc,
    const unsigned char *data, gsize len);

/* Returns (transfer none) the recipients, NULL-terminated. */
const char *const *mugai_msg_rcpts(const struct mugai_msg *mc);

#endif
