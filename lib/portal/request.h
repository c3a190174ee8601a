/*
 * mugai_request - requests for a quarantined original or one of its parts
 *
 * A recipient asks for the whole original ("original") or for one removed
 * part (its report path, "1.2"), with a reason; an approver or an
 * administrator approves or denies it with a comment. The requests of an
 * item live in its directory as requests.json (a JSON array, one object
 * per request, numbered from 1), written under an exclusive flock(2) of
 * the item directory: read, change, write requests.json.tmp (O_EXCL,
 * O_NOFOLLOW, 0640, fsync), rename over requests.json, fsync the
 * directory. The item directory is reached from the store's descriptor
 * without following links (lib/store/qdir.h); a requests.json that is a
 * link or not the store owner's is refused (MUGAI_E_PERM).
 *
 * States: 申請中 (pending) -> 承認 (approved) or 却下 (denied), once. A
 * decided request is never changed again (MUGAI_E_INVAL); so a replayed
 * approval form is refused by the state, not only by its CSRF token.
 * Every call that changes a request writes an audit.log line with the
 * authenticated user as actor ("requested", "approved", "denied"), and a
 * failed one a line with outcome "failed".
 *
 * Strings from users are stored as valid UTF-8 (g_utf8_make_valid) and
 * cut at MUGAI_REQUEST_TEXT_MAX bytes. Who may do what is not checked
 * here but in lib/portal/role.h.
 */
#ifndef MUGAI_REQUEST_H
#define MUGAI_REQUEST_H

#include <sys/types.h>

#include <glib.h>

#include "base/err.h"

struct mugai_quarantine;

/* Bytes kept of a reason or comment. */
#define MUGAI_REQUEST_TEXT_MAX 2000
/* Requests one item may carry (a user cannot grow the file forever). */
#define MUGAI_REQUEST_MAX 200
/* The part name of a request for the whole message. */
#define MUGAI_REQUEST_ORIGINAL "original"

enum mugai_request_state {
	MUGAI_REQUEST_PENDING,
	MUGAI_REQUEST_APPROVED,
	MUGAI_REQUEST_DENIED,
};

struct mugai_request {
	guint rq_n;			/* 1, 2, ... within the item */
	char *rq_part;			/* "original" or a report path */
	char *rq_requester;
	char *rq_reason;
	enum mugai_request_state rq_state;
	gint64 rq_time;			/* microseconds since the epoch */
	char *rq_decider;		/* NULL while pending */
	gint64 rq_decided;		/* 0 while pending */
	char *rq_comment;		/* NULL while pending */
};

/* Frees a request. NULL does nothing. */
void mugai_request_free(struct mugai_request *rq);

/* "pending", "approved", "denied". */
const char *mugai_request_state_name(enum mugai_request_state s);

/* "申請中", "承認", "却下". */
const char *mugai_request_state_ja(enum mugai_request_state s);

/*
 * TRUE for "original" or a report path ("1", "1.2.3": digits and dots,
 * no empty component, at most 64 bytes).
 */
gboolean mugai_request_part_valid(const char *part);

/*
 * Returns (transfer full) the requests of the item whose directory is
 * itemfd (lent), in order, as mugai_request_free()d elements; an item
 * without requests gives an empty array. requests.json must be a regular
 * file of owner (unless (uid_t)-1). NULL with *err: MUGAI_E_PERM (a link,
 * another owner), MUGAI_E_PARSE (not what this module writes), MUGAI_E_IO.
 */
GPtrArray *mugai_request_list_at(int itemfd, uid_t owner,
    enum mugai_err *err);

/* The same for item id of the store q. MUGAI_E_NOTFOUND: no such item. */
GPtrArray *mugai_request_list(struct mugai_quarantine *q, const char *id,
    enum mugai_err *err);

/*
 * Adds a pending request by requester for part (mugai_request_part_valid)
 * of item id, with reason (may be NULL). A pending request of the same
 * requester for the same part is not doubled: its number is returned
 * and nothing is written. *n (may be NULL) gets the number. MUGAI_E_INVAL
 * for a bad part or requester, MUGAI_E_LIMIT past MUGAI_REQUEST_MAX.
 * Writes a "requested" audit line (actor requester, members part, request,
 * reason).
 */
enum mugai_err mugai_request_add(struct mugai_quarantine *q,
    const char *id, const char *part, const char *requester,
    const char *reason, guint *n);

/*
 * Decides request n of item id: approve TRUE (approved) or FALSE
 * (denied), by decider with comment (may be NULL). MUGAI_E_NOTFOUND for
 * no such request, MUGAI_E_INVAL when it is decided already. Writes an
 * "approved" or "denied" audit line (actor decider, members part,
 * request, requester, comment). *out (may be NULL) is set to (transfer full)
 * the request as decided.
 */
enum mugai_err mugai_request_decide(struct mugai_quarantine *q,
    const char *id, guint n, gboolean approve, const char *decider,
    const char *comment, struct mugai_request **out);

/*
 * Test hook, NULL in production: "now" for new requests and decisions
 * (microseconds), so tests are stable.
 */
extern gint64 (*mugai_request_clock)(void);

struct mugai_index;

/*
 * Makes the index's request rows of item id say what reqs (its requests,
 * as mugai_request_list() read them) say: a row for each request (matched
 * by part, requester and time), its state, decider and comment. Called
 * after every add and decision, and by `mugai quarantine reindex`; the
 * approvers' queue reads the pending rows. ix NULL: nothing to do.
 */
enum mugai_err mugai_request_index(struct mugai_index *ix, const char *id,
    GPtrArray *reqs);

#endif
