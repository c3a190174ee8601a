/*
 * mugai_index - the quarantine index: one row per kept item, its parts,
 * the events on it (released, extracted, purged) and release requests
 *
 * The store's directories stay the truth; the index is how `mugai
 * quarantine list` and the portal find items among millions without
 * walking them. It is filled only from the store's journal
 * (DIR/journal/YYYYMMDD, one JSON line per stored, dropped, released,
 * extracted or purged item, made durable with the item by the group
 * commit) and from the directories (reindex): the milter never waits for
 * it. Applying a line is idempotent (rows are keyed by item ID, events
 * by ID, kind, time and actor) and the position reached in each journal
 * segment is saved in the same transaction as the rows, so each line is
 * applied exactly once however often the indexer restarts.
 *
 * Backends: SQLite (index.sqlite in the store, WAL), the default, and
 * PostgreSQL ([index] url = postgresql://..., lib/index/ipg.c) for several
 * gateways sharing one index. Subject and address searches are substring
 * searches through trigram indexes (SQLite FTS5 trigram, pg_trgm), so
 * Japanese words match inside a subject; a pattern of fewer than three
 * characters is answered by a scan.
 *
 * One handle belongs to one thread at a time.
 */
#ifndef MUGAI_INDEX_H
#define MUGAI_INDEX_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/err.h"

struct mugai_index;

/*
 * Opens (creating when missing) the index named by url: NULL or "" is
 * SQLite in the store, the file index.sqlite (0640, group gid unless
 * (gid_t)-1) under the store directory store_dir; "sqlite:PATH" another
 * SQLite file; "postgresql://..." a PostgreSQL database (libpq's URI,
 * tables created when missing; the pg_trgm extension is needed). Returns (transfer full) the index, or NULL with *err and
 * *message (transfer full, a sentence for the log).
 */
struct mugai_index *mugai_index_open(const char *url, const char *store_dir,
    gid_t gid, enum mugai_err *err, char **message);

/* Closes the index. NULL does nothing. */
void mugai_index_close(struct mugai_index *ix);

/* TRUE when url names no index ("none"). */
gboolean mugai_index_disabled(const char *url);

/* TRUE when the default SQLite index exists in store_dir. */
gboolean mugai_index_exists(const char *url, const char *store_dir);

/*
 * Applies one journal line (lent): an item row ("op": "stored",
 * lib/store/qmeta.h mugai_qmeta_row()), or "dropped", "purged",
 * "released", "extracted". *changed (may be NULL) is TRUE when a row was
 * added or removed. A line that is not one of ours is MUGAI_E_PARSE.
 */
enum mugai_err mugai_index_apply_line(struct mugai_index *ix,
    const char *line, gboolean *changed);

/* Adds the item row (lent) unless its ID is there: an upsert by ID. */
enum mugai_err mugai_index_put_item(struct mugai_index *ix, JsonObject *row,
    gboolean *added);

/* Removes the item's rows (item, parts, words). */
enum mugai_err mugai_index_delete_item(struct mugai_index *ix,
    const char *id);

/*
 * Applies the journal of the store whose top directory is topfd (lent)
 * from the positions saved for node: every whole line not applied yet,
 * in order, in transactions that also save the new position. A "stored"
 * line whose item is no longer in the store is skipped. *applied (may be
 * NULL) gets how many lines added or removed a row.
 */
enum mugai_err mugai_index_catch_up(struct mugai_index *ix, int topfd,
    const char *node, guint *applied);

/*
 * Journal retention: removes the segments of the store's journal (topfd
 * lent) named before the UTC day before_day ("YYYYMMDD") whose every
 * line the index holds (the position saved for node is at the segment's
 * end); with ix NULL (no index is kept: [index] url = none) every such
 * segment. A segment the index has not read to its end stays, so an
 * index that is down loses nothing. *removed (may be NULL) gets how many
 * went.
 */
enum mugai_err mugai_index_prune_journal(struct mugai_index *ix, int topfd,
    const char *node, const char *before_day, guint *removed);

/* Groups many puts into one transaction (reindex). */
enum mugai_err mugai_index_begin(struct mugai_index *ix);
enum mugai_err mugai_index_commit(struct mugai_index *ix);

/* What to look for; every member set narrows the search. */
struct mugai_index_query {
	gint64 iq_since;		/* usec, inclusive; G_MININT64: none */
	gint64 iq_until;		/* usec, exclusive; G_MAXINT64: none */
	const char *iq_from;		/* substring of sender or From: */
	const char *iq_rcpt;		/* ... of a recipient, To: or Cc: */
	const char *iq_subject;		/* ... of Subject: */
	const char *iq_message_id;	/* exactly, without <> */
	const char *iq_sha256;		/* the original's or a part's */
	const char *iq_verdict;		/* exactly */
	const char *iq_rule;		/* a rule that decided, exactly */
	const char *iq_node;		/* the gateway, exactly */
	guint iq_limit;			/* rows at most; 0: no limit */
	gboolean iq_oldest_first;	/* else newest first */
};

/* Sets q to "everything". */
void mugai_index_query_init(struct mugai_index_query *q);

/* One found item. */
struct mugai_index_row {
	char *ir_id;
	gint64 ir_time;			/* usec, from the ID */
	char *ir_node;			/* the gateway holding the original */
	JsonObject *ir_row;		/* the journal row: meta.json's
					   envelope, headers, original,
					   summary, plus parts and rules */
};

/*
 * Returns (transfer full) the matching rows (struct mugai_index_row *,
 * freed with the array), or NULL with *err.
 */
GPtrArray *mugai_index_search(struct mugai_index *ix,
    const struct mugai_index_query *q, enum mugai_err *err);

/* Rows in the index (items). */
gint64 mugai_index_count(struct mugai_index *ix, enum mugai_err *err);

/*
 * A request to release an item (or one part of it), as the portal
 * writes them: rq_id 0 until stored.
 */
struct mugai_index_request {
	gint64 rq_id;
	char *rq_item;			/* item ID */
	char *rq_part;			/* part path, or NULL: the original */
	char *rq_requester;
	char *rq_state;			/* "pending", "approved", "denied",
					   "released", ... (the portal's) */
	char *rq_decider;		/* NULL until decided */
	gint64 rq_requested;		/* usec */
	gint64 rq_decided;		/* usec, 0 until decided */
	char *rq_reason;		/* the requester's */
	char *rq_decision;		/* the decider's reason */
};

/*
 * Stores rq (lent): a new request when rq_id is 0 (rq_id gets its
 * number), else updates the state, decider, decided and decision of
 * request rq_id (MUGAI_E_NOTFOUND when there is none).
 */
enum mugai_err mugai_index_request_put(struct mugai_index *ix,
    struct mugai_index_request *rq);

/*
 * Returns (transfer full) the requests for item (NULL: any) in state
 * (NULL: any), oldest first, as struct mugai_index_request * freed with
 * the array; NULL with *err.
 */
GPtrArray *mugai_index_requests(struct mugai_index *ix, const char *item,
    const char *state, enum mugai_err *err);

void mugai_index_request_free(struct mugai_index_request *rq);

/*
 * The events of an item (released, extracted, purged), oldest first, as
 * JSON objects (the audit line's members); transfer full.
 */
GPtrArray *mugai_index_events(struct mugai_index *ix, const char *id,
    enum mugai_err *err);

/* The last error's text from the backend (transfer none). */
const char *mugai_index_errmsg(struct mugai_index *ix);

#endif
