/*
 * mugai-portal's keeper - the one process of the portal that holds the
 * store's owner's rights (keeper.c)
 *
 * Started as root, mugai-portal forks the keeper before it drops to
 * [portal] user: the keeper becomes the store's owner (as `mugai
 * quarantine` does) and does, on behalf of the server process, exactly
 * what needs that owner: audit.log lines, requests and decisions
 * (lib/portal/request.c), a release of an approved request, the bytes of
 * a removed part for a preview, a PPAP opening, the index's catch-up.
 * The server process (HTTPS, logins, pages) runs as the portal's user,
 * in the quarantine's group: it reads the store (0750/0640) and writes
 * nothing in it.
 *
 * Without a keeper (started as a non-root user, or [portal] user empty),
 * every call below does the work in the calling process, as before.
 */
#ifndef MUGAI_PORTAL_KEEPER_H
#define MUGAI_PORTAL_KEEPER_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/err.h"

struct mugai_portal;
struct mugai_request;
struct mugai_portal_ppap_result;

/*
 * Forks the keeper of po (po_top open, po_cf loaded): it becomes the
 * store's owner, opens the store, the index and the link key, and
 * answers po->po_keeper until that closes. In the caller, po_keeper and
 * po_link_key are set. FALSE with *why (transfer full).
 */
gboolean mugai_keeper_start(struct mugai_portal *po, char **why);

/* One audit.log line (extra lent, may be NULL). */
enum mugai_err mugai_keeper_audit(struct mugai_portal *po, const char *event,
    const char *id, const char *actor, const char *outcome,
    JsonObject *extra);

/* mugai_request_add() and mugai_request_decide() (lib/portal/request.h). */
enum mugai_err mugai_keeper_request_add(struct mugai_portal *po,
    const char *id, const char *part, const char *requester,
    const char *reason, guint *n);
enum mugai_err mugai_keeper_request_decide(struct mugai_portal *po,
    const char *id, guint n, gboolean approve, const char *decider,
    const char *comment, struct mugai_request **out);

/*
 * Releases what request n of item id asked for (the original, or one part
 * with a note naming decider) to its requester, when it is approved by
 * decider: `mugai quarantine release` as the store's owner. FALSE with
 * *why (transfer full).
 */
gboolean mugai_keeper_release(struct mugai_portal *po, const char *id,
    guint n, const char *decider, char **why);

/* mugai_portal_part_bytes() (portal.h). */
GBytes *mugai_keeper_part_bytes(struct mugai_portal *po, const char *id,
    const char *path);

/* mugai_portal_ppap_try() (ppap.h); pass is wiped by the caller. */
void mugai_keeper_ppap_try(struct mugai_portal *po, const char *user,
    JsonObject *meta, char **rcpts, const char *id, const char *part,
    const char *pass, gsize pass_len, struct mugai_portal_ppap_result *r);

/* Applies the store's journal to the index (the list's freshness). */
void mugai_keeper_catch_up(struct mugai_portal *po);

/* Reopens audit.log (SIGUSR1, after logrotate). */
enum mugai_err mugai_keeper_reopen_log(struct mugai_portal *po);

#endif
