/*
 * index_int - what lib/index/index.c hands to the PostgreSQL backend
 * (lib/index/ipg.c). Private to lib/index/.
 */
#ifndef MUGAI_INDEX_INT_H
#define MUGAI_INDEX_INT_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/err.h"
#include "index/index.h"

/* An item row, its columns worked out once for either backend. */
struct mugai_ix_item {
	const char *it_id;
	gint64 it_usec;
	const char *it_node;
	const char *it_sender;
	const char *it_message_id;
	const char *it_verdict;
	const char *it_rules;		/* "\nA\nB\n" or NULL */
	gint64 it_size;			/* -1: unknown */
	const char *it_sha256;
	const char *it_row;		/* the row, compact JSON */
	const char *it_w_sender;	/* searched words */
	const char *it_w_rcpt;
	const char *it_w_subject;
	JsonArray *it_parts;
	JsonArray *it_rule_list;	/* the row's "rules" */
};

/*
 * What ends an address in the searched words: an address is a run of
 * anything else with an @ in it ("Name <a@b.example>, c@d.example").
 * ipg.c's upgrade says the same as a regular expression.
 */
#define ADDR_SEPARATORS " \t\r\n<>,;\"()"

/*
 * The distinct addresses in text (NULL: none), lower case (transfer
 * full): what addrs holds and a whole-address search looks up.
 */
GPtrArray *mugai_ix_addrs(const char *text);

/*
 * The distinct names in text (NULL: none), lower case (transfer full):
 * every run of anything but ADDR_SEPARATORS, the addresses (with an @)
 * and the other words (display names) alike: what the names table holds
 * (schema 4) for a search by part of an address.
 */
GPtrArray *mugai_ix_names(const char *text);

/*
 * The most names a part of an address may match for the search to go
 * through names and addrs (schema 4); past it, the trigrams of the words
 * as before: reading the newest items of each of thousands of addresses
 * costs more than the trigram plan (BENCHMARKS.md, session 10).
 */
#define MUGAI_IX_NAMES_MAX 1000
/* MUGAI_IX_NAMES_MAX, changed only by tests and benches (0: never). */
extern guint mugai_ix_names_max;
/* Searches that went through names, for tests. */
extern guint mugai_ix_names_used;

/*
 * value in lower case when a search for it may go through names (it
 * cannot match across the end of a name): ASCII, three characters or
 * more (a trigram), nothing that ends an address, no LIKE wildcard or
 * escape; else NULL (transfer full).
 */
char *mugai_ix_name_part(const char *value);

/*
 * TRUE when part (mugai_ix_name_part()) of kind is worth looking up in
 * names: a recipient's (a few thousand names), or a sender's with
 * something on both sides of its @. A sender's domain or local part
 * alone shares its trigrams with hundreds of thousands of senders:
 * looking it up costs 10-30 ms (SQLite) or 30-80 ms (PostgreSQL) at
 * 1,000,000 items, and matches hundreds or thousands of addresses,
 * where the words' plan stops at the LIMIT in about as much
 * (BENCHMARKS.md, session 10).
 */
gboolean mugai_ix_names_worth(int kind, const char *part);

/*
 * TRUE when a name found for a part of an address lets that search go
 * through addrs and give what the words would: an address (with an @)
 * in ASCII, whose lower case is a byte for byte fold of what the words
 * hold. A display name, or an address with other characters, sends the
 * search back to the words.
 */
gboolean mugai_ix_name_is_plain_addr(const char *name);

/*
 * value in lower case when it has the shape of one whole address
 * (local@domain, nothing that ends an address, no % wildcard), else NULL
 * (transfer full).
 */
char *mugai_ix_whole_addr(const char *value);

struct mugai_pgx;

#ifdef HAVE_LIBPQ
struct mugai_pgx *mugai_pgx_open(const char *url, enum mugai_err *err,
    char **message);
void mugai_pgx_close(struct mugai_pgx *pg);
const char *mugai_pgx_errmsg(struct mugai_pgx *pg);
/* TRUE when the last error was a deadlock or serialization failure. */
gboolean mugai_pgx_transient(struct mugai_pgx *pg);
enum mugai_err mugai_pgx_exec(struct mugai_pgx *pg, const char *sql);
enum mugai_err mugai_pgx_put_item(struct mugai_pgx *pg,
    const struct mugai_ix_item *it, gboolean *added);
enum mugai_err mugai_pgx_delete_item(struct mugai_pgx *pg, const char *id,
    gboolean *changed);
enum mugai_err mugai_pgx_put_event(struct mugai_pgx *pg, const char *id,
    const char *op, const char *time, const char *actor,
    const char *outcome, const char *node, const char *line,
    gboolean *changed);
gint64 mugai_pgx_saved_pos(struct mugai_pgx *pg, const char *node,
    const char *segment);
enum mugai_err mugai_pgx_save_pos(struct mugai_pgx *pg, const char *node,
    const char *segment, gint64 pos);
GPtrArray *mugai_pgx_search(struct mugai_pgx *pg,
    const struct mugai_index_query *q, const char *const *likes,
    enum mugai_err *err);
gint64 mugai_pgx_count(struct mugai_pgx *pg, enum mugai_err *err);
enum mugai_err mugai_pgx_request_put(struct mugai_pgx *pg,
    struct mugai_index_request *rq);
GPtrArray *mugai_pgx_requests(struct mugai_pgx *pg, const char *item,
    const char *state, enum mugai_err *err);
GPtrArray *mugai_pgx_events(struct mugai_pgx *pg, const char *id,
    enum mugai_err *err);
#endif

/* Frees a struct mugai_index_row (index.c). */
void mugai_ix_row_free(gpointer row);
/* Parses a JSON object line; NULL when it is not one (transfer full). */
JsonObject *mugai_ix_parse_object(const char *text);

#endif
