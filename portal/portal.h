/*
 * mugai-portal - the state one server process shares between requests
 *
 * Everything here is touched from the GLib main loop only (the password
 * check runs in a worker thread and reads only the config, which is never
 * changed once loaded).
 */
#ifndef MUGAI_PORTAL_H
#define MUGAI_PORTAL_H

#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "base/err.h"

struct mugai_config;
struct mugai_quarantine;
struct mugai_roles;
struct mugai_sessions;
struct mugai_limiter;
struct mugai_index;

struct mugai_portal {
	struct mugai_config *po_cf;
	char *po_cf_path;		/* for `mugai -c` (may be NULL) */
	struct mugai_quarantine *po_q;
	int po_top;			/* the store's top directory */
	uid_t po_owner;
	struct mugai_roles *po_roles;
	GBytes *po_link_key;
	struct mugai_sessions *po_sessions;
	struct mugai_limiter *po_limit;
	char *po_mugai;			/* the mugai command (release) */
	char *po_helper;		/* mugai-extract (NULL: installed):
					 * PPAP, previews */
	GHashTable *po_ppap_tries;	/* portal/ppap.c: "user\nid" ->
					 * GArray of try times */
	struct mugai_index *po_ix;	/* NULL: [index] url = none */
	GHashTable *po_pv_pages;	/* "ID/PART" -> pages of a previewed
					 * PDF (GINT_TO_POINTER), pages.c */
	int po_keeper;			/* keeper.h: the store owner's half,
					 * or -1 (this process does it) */
	pid_t po_keeper_pid;
};

/* portal/pages.c: routes every request of the server to its page. */
void mugai_portal_handler(SoupServer *server, SoupServerMessage *msg,
    const char *path, GHashTable *query, gpointer data);

struct mugai_session;

/*
 * portal/pages.c, for the pages of other files: the item's meta when the
 * MAC is right and user may see it (else answered, NULL; *rcpts
 * transfer full), the item page with a note (may be NULL), an error page,
 * an audit.log line with one extra member k1 (may be NULL).
 */
JsonObject *mugai_portal_item_access(struct mugai_portal *po,
    SoupServerMessage *msg, struct mugai_session *s, const char *id,
    const char *mac, char ***rcpts);
void mugai_portal_item_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    const char *note_ja, const char *note_en);
void mugai_portal_error_page(SoupServerMessage *msg,
    struct mugai_session *s, guint status, const char *ja, const char *en);
void mugai_portal_audit(struct mugai_portal *po, const char *event,
    const char *id, const char *actor, gboolean ok, SoupServerMessage *msg,
    const char *k1, const char *v1);

/*
 * portal/items.c: the store as the pages see it.
 *
 * Returns (transfer full) the meta.json of id, or NULL (bad id, missing,
 * unreadable). *rcpts (transfer full) gets the envelope recipients.
 */
JsonObject *mugai_portal_item_meta(struct mugai_portal *po, const char *id,
    char ***rcpts);

/* One row of the list page. */
struct mugai_portal_row {
	char *pr_id;
	char *pr_time;
	char *pr_from;
	char *pr_subject;
	char *pr_removed;	/* names of the removed parts, ", " joined */
	char *pr_state;		/* the latest request's state, or NULL */
	guint pr_n;		/* the queue: the request's number */
};

void mugai_portal_row_free(struct mugai_portal_row *r);

/*
 * Returns (transfer full) the rows of page (0-based) of the items user
 * may see whose sender, subject or removed names contain q (may be NULL
 * or ""), newest first; *more is TRUE when a next page exists.
 */
GPtrArray *mugai_portal_list(struct mugai_portal *po, const char *user,
    const char *q, guint page, gboolean *more);

/*
 * Returns (transfer full) the pending requests user may decide, as
 * struct mugai_portal_row with pr_state "N PART REQUESTER".
 */
GPtrArray *mugai_portal_queue(struct mugai_portal *po, const char *user);

/* TRUE for "original" or the path of a part meta's report removed. */
gboolean mugai_portal_part_removed(JsonObject *meta, const char *path);

/* The rule of part path in meta's report (transfer none), or NULL. */
const char *mugai_portal_part_rule(JsonObject *meta, const char *path);

/*
 * The rule that decides who may release part (a path or "original": then
 * the first admin-only rule of any removed part). Transfer none.
 */
const char *mugai_portal_request_rule(struct mugai_portal *po,
    JsonObject *meta, const char *part);

/*
 * portal/preview.c: the preview kind ("pdf", "png") of removed part path
 * of meta, or NULL (transfer none); the decoded bytes of that part of
 * item id's original (transfer full), or NULL.
 */
const char *mugai_portal_preview_kind(JsonObject *meta, const char *path);
GBytes *mugai_portal_part_bytes(struct mugai_portal *po, const char *id,
    const char *path);

/*
 * portal/items.c: the requests of item id (transfer full), read from the
 * store as the server process may (no lock: requests.json is replaced
 * whole), or NULL with *err.
 */
GPtrArray *mugai_portal_requests(struct mugai_portal *po, const char *id,
    enum mugai_err *err);

/*
 * portal/pages.c: runs `mugai quarantine release` of item id (part NULL:
 * the original) to requester, approved by decider; FALSE with *why
 * (transfer full). The keeper's (keeper.c), as the store's owner.
 */
gboolean mugai_portal_release_run(struct mugai_portal *po, const char *id,
    const char *part, const char *requester, const char *decider,
    char **why);

#endif
