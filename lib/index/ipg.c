/*
 * mugai_pgx - the quarantine index on PostgreSQL (libpq), for several
 * gateways sharing one index ([index] url = postgresql://...)
 *
 * The same tables as the SQLite backend (lib/index/index.c), with the
 * searched words as columns of items and pg_trgm GIN indexes on them, so
 * ILIKE '%word%' is an index search for words of three characters or
 * more. Rows carry the node that holds each original; the journal
 * positions are per node, so each gateway's indexer applies its own
 * store's journal. Every statement is parameterized ($1 ...): nothing
 * from mail is ever part of SQL text.
 */
#include "autoconfig.h"

#ifdef HAVE_LIBPQ

#include <string.h>

#include <libpq-fe.h>

#include "index/index_int.h"

/*
 * The advisory lock that orders adding names against taking them out
 * (flush_names()): shared to add, exclusive to prune.
 */
#define NAMES_LOCK "4718"

/* How many names one statement of flush_names() carries. */
#define NAMES_PER_STATEMENT 500

struct mugai_pgx {
	PGconn *pg_conn;
	char *pg_msg;
	/* The last error was a deadlock or a serialization failure. */
	gboolean pg_transient;
	/*
	 * The transaction's names ("<kind><name>"): to add (the names of
	 * the items put) and to check (the addresses of the items
	 * deleted), at its COMMIT (flush_names()).
	 */
	GHashTable *pg_add;
	GHashTable *pg_check;
};

static const char pg_schema[] =
    "SET client_min_messages = warning;"
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "CREATE TABLE IF NOT EXISTS items("
    " rid BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " time BIGINT NOT NULL, node TEXT, sender TEXT, message_id TEXT,"
    " verdict TEXT, rules TEXT, size BIGINT, sha256 TEXT,"
    " row TEXT NOT NULL, w_sender TEXT, w_rcpt TEXT, w_subject TEXT);"
    "CREATE INDEX IF NOT EXISTS items_time ON items(time);"
    /*
     * Newest first by verdict, node or rule without a sort of every
     * match: the planner walks these from the end and stops at the LIMIT
     * (issue 17); rules ("\nA\nB\n") through trigrams like the words.
     */
    "CREATE INDEX IF NOT EXISTS items_verdict_time ON items(verdict, time);"
    "CREATE INDEX IF NOT EXISTS items_node_time ON items(node, time);"
    "CREATE INDEX IF NOT EXISTS items_rules ON items "
    " USING gin (rules gin_trgm_ops);"
    "CREATE INDEX IF NOT EXISTS items_msgid ON items(message_id);"
    "CREATE INDEX IF NOT EXISTS items_sha ON items(sha256);"
    "CREATE INDEX IF NOT EXISTS items_ws ON items "
    " USING gin (w_sender gin_trgm_ops);"
    "CREATE INDEX IF NOT EXISTS items_wr ON items "
    " USING gin (w_rcpt gin_trgm_ops);"
    "CREATE INDEX IF NOT EXISTS items_wj ON items "
    " USING gin (w_subject gin_trgm_ops);"
    /* Whole addresses, lower case (index.c's schema 3). */
    "CREATE TABLE IF NOT EXISTS addrs("
    " kind SMALLINT NOT NULL, addr TEXT NOT NULL, rid BIGINT NOT NULL,"
    " PRIMARY KEY(kind, addr, rid));"
    /*
     * Every distinct name of the sender and recipient words, lower case
     * (index.c's schema 4): part of an address is looked up here, among
     * thousands of names, not in the trigrams of a million rows.
     */
    "CREATE TABLE IF NOT EXISTS names("
    " kind SMALLINT NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY(kind, name));"
    "CREATE INDEX IF NOT EXISTS names_trgm ON names "
    " USING gin (name gin_trgm_ops);"
    "CREATE TABLE IF NOT EXISTS parts("
    " rid BIGINT NOT NULL, path TEXT, sha256 TEXT, action TEXT,"
    " rule TEXT);"
    "CREATE INDEX IF NOT EXISTS parts_rid ON parts(rid);"
    "CREATE INDEX IF NOT EXISTS parts_sha ON parts(sha256);"
    "CREATE TABLE IF NOT EXISTS events("
    " id TEXT NOT NULL, op TEXT NOT NULL, time TEXT NOT NULL,"
    " actor TEXT NOT NULL, outcome TEXT, node TEXT, line TEXT,"
    " UNIQUE(id, op, time, actor));"
    "CREATE TABLE IF NOT EXISTS requests("
    " rq BIGSERIAL PRIMARY KEY, item TEXT NOT NULL, part TEXT,"
    " requester TEXT NOT NULL, state TEXT NOT NULL, decider TEXT,"
    " requested BIGINT NOT NULL, decided BIGINT, reason TEXT,"
    " decision TEXT);"
    "CREATE INDEX IF NOT EXISTS requests_item ON requests(item);"
    "CREATE INDEX IF NOT EXISTS requests_state ON requests(state);"
    "CREATE TABLE IF NOT EXISTS journal("
    " node TEXT NOT NULL, segment TEXT NOT NULL, pos BIGINT NOT NULL,"
    " PRIMARY KEY(node, segment));";

/*
 * The addresses of the items indexed before addrs existed, found in the
 * words as mugai_ix_addrs() finds them (ADDR_SEPARATORS).
 */
static const char pg_addrs_upgrade[] =
    "INSERT INTO addrs(kind, addr, rid) SELECT DISTINCT k, m[1], rid FROM "
    "(SELECT 0 AS k, w_sender AS t, rid FROM items UNION ALL "
    " SELECT 1, w_rcpt, rid FROM items) w, "
    "regexp_matches(lower(t), '[^ \\t\\r\\n<>,;\"()]*@"
    "[^ \\t\\r\\n<>,;\"()]*', 'g') m ON CONFLICT DO NOTHING";

/* The names of the items indexed before names existed (the same runs). */
static const char pg_names_upgrade[] =
    "INSERT INTO names(kind, name) SELECT DISTINCT k, n FROM "
    "(SELECT 0 AS k, w_sender AS t FROM items UNION ALL "
    " SELECT 1, w_rcpt FROM items) w, "
    "regexp_split_to_table(lower(t), '[ \\t\\r\\n<>,;\"()]+') n "
    "WHERE n <> '' ON CONFLICT DO NOTHING";

static enum mugai_err
pg_fail(struct mugai_pgx *pg, PGresult *res)
{
	/* The state is res's: read it before res is cleared. */
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	enum mugai_err err = MUGAI_E_IO;

	g_free(pg->pg_msg);
	pg->pg_msg = g_strchomp(g_strdup(PQerrorMessage(pg->pg_conn)));
	pg->pg_transient = state != NULL && (strcmp(state, "40P01") == 0 ||
	    strcmp(state, "40001") == 0);
	if (state != NULL && strcmp(state, "53100") == 0)
		err = MUGAI_E_NOSPACE;
	else if (state != NULL && strncmp(state, "42", 2) == 0)
		err = MUGAI_E_PERM;
	if (res != NULL)
		PQclear(res);
	return err;
}

const char *
mugai_pgx_errmsg(struct mugai_pgx *pg)
{
	return pg->pg_msg != NULL ? pg->pg_msg : "";
}

gboolean
mugai_pgx_transient(struct mugai_pgx *pg)
{
	return pg->pg_transient;
}

/* Runs sql with n text parameters (NULL: SQL NULL); the result or NULL. */
static PGresult *
query(struct mugai_pgx *pg, const char *sql, int n,
    const char *const *params, enum mugai_err *err)
{
	PGresult *res = PQexecParams(pg->pg_conn, sql, n, NULL, params, NULL,
	    NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*err = pg_fail(pg, res);
		return NULL;
	}
	*err = MUGAI_OK;
	return res;
}

static enum mugai_err
run(struct mugai_pgx *pg, const char *sql, int n, const char *const *params,
    gboolean *changed)
{
	enum mugai_err err;
	PGresult *res = query(pg, sql, n, params, &err);

	if (res == NULL)
		return err;
	if (changed != NULL) {
		const char *t = PQcmdTuples(res);

		*changed = t != NULL && *t != '\0' && strcmp(t, "0") != 0;
	}
	PQclear(res);
	return MUGAI_OK;
}

struct mugai_pgx *
mugai_pgx_open(const char *url, enum mugai_err *err, char **message)
{
	struct mugai_pgx *pg = g_new0(struct mugai_pgx, 1);
	PGresult *res;
	gboolean upgrade, upgrade_names;

	pg->pg_add = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	pg->pg_check = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);

	pg->pg_conn = PQconnectdb(url);
	if (PQstatus(pg->pg_conn) != CONNECTION_OK) {
		g_autofree char *why = g_strchomp(g_strdup(
		    PQerrorMessage(pg->pg_conn)));

		*err = MUGAI_E_IO;
		*message = g_strdup_printf("index (PostgreSQL): %s", why);
		mugai_pgx_close(pg);
		return NULL;
	}
	/* Two gateways creating the tables at once: one waits. */
	res = PQexec(pg->pg_conn, "SELECT pg_advisory_lock(4717)");
	PQclear(res);
	/* Tables from before addrs: their items' addresses put in below. */
	res = PQexec(pg->pg_conn, "SELECT to_regclass('items') IS NOT NULL "
	    "AND to_regclass('addrs') IS NULL");
	upgrade = PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	/* ... and from before names: their names. */
	res = PQexec(pg->pg_conn, "SELECT to_regclass('items') IS NOT NULL "
	    "AND to_regclass('names') IS NULL");
	upgrade_names = PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	res = PQexec(pg->pg_conn, pg_schema);
	if (PQresultStatus(res) == PGRES_COMMAND_OK && upgrade) {
		PQclear(res);
		res = PQexec(pg->pg_conn, pg_addrs_upgrade);
	}
	if (PQresultStatus(res) == PGRES_COMMAND_OK && upgrade_names) {
		PQclear(res);
		res = PQexec(pg->pg_conn, pg_names_upgrade);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*err = pg_fail(pg, res);
		*message = g_strdup_printf("index (PostgreSQL): %s",
		    mugai_pgx_errmsg(pg));
		mugai_pgx_close(pg);
		return NULL;
	}
	PQclear(res);
	PQclear(PQexec(pg->pg_conn, "SELECT pg_advisory_unlock(4717)"));
	*err = MUGAI_OK;
	return pg;
}

void
mugai_pgx_close(struct mugai_pgx *pg)
{
	if (pg == NULL)
		return;
	if (pg->pg_conn != NULL)
		PQfinish(pg->pg_conn);
	g_free(pg->pg_msg);
	if (pg->pg_add != NULL)
		g_hash_table_destroy(pg->pg_add);
	if (pg->pg_check != NULL)
		g_hash_table_destroy(pg->pg_check);
	g_free(pg);
}

static gint
by_text(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * sql_head, then the keys of set ("<kind><name>") as (kind, name) rows
 * of a VALUES list, then sql_tail: in statements of at most
 * NAMES_PER_STATEMENT names, in the keys' sorted order.
 */
static enum mugai_err
run_names(struct mugai_pgx *pg, GHashTable *set, const char *sql_head,
    const char *sql_tail)
{
	g_autofree gpointer *keys = (gpointer *)g_hash_table_get_keys_as_array(
	    set, NULL);
	guint n = g_hash_table_size(set);
	enum mugai_err err = MUGAI_OK;

	qsort(keys, n, sizeof *keys, by_text);
	for (guint i = 0; i < n && err == MUGAI_OK;) {
		g_autoptr(GString) sql = g_string_new(sql_head);
		g_autoptr(GPtrArray) p = g_ptr_array_new_with_free_func(
		    g_free);

		for (; i < n && p->len < 2 * NAMES_PER_STATEMENT; i++) {
			const char *key = keys[i];

			g_string_append_printf(sql, "%s($%u::smallint,$%u)",
			    p->len > 0 ? "," : "", p->len + 1, p->len + 2);
			g_ptr_array_add(p, g_strndup(key, 1));
			g_ptr_array_add(p, g_strdup(key + 1));
		}
		g_string_append(sql, sql_tail);
		err = run(pg, sql->str, (int)p->len,
		    (const char *const *)p->pdata, NULL);
	}
	return err;
}

/*
 * At COMMIT: the addresses of the items deleted that no item carries
 * any more go from names, and the names of the items put come in (a
 * name already there, nearly all, is left alone); each once however
 * many items of the transaction had it, in one sorted order, so that
 * two gateways adding the same new names wait for each other but never
 * in a circle (a deadlock of their INSERTs, one batch failed).
 *
 * The advisory lock NAMES_LOCK keeps a prune from taking out a name
 * that another gateway's transaction, not committed yet, has just put
 * an item of into addrs (not visible to the prune's NOT EXISTS): taken
 * shared to add (many gateways at once), exclusive to prune, in its own
 * statement, so the prune's snapshot is taken once every transaction
 * that added names before it has committed, and a transaction that adds
 * after it puts back what it took. Only here, once per transaction, so
 * that no transaction holds it shared and then asks for it exclusive.
 */
static enum mugai_err
flush_names(struct mugai_pgx *pg)
{
	gboolean prune = g_hash_table_size(pg->pg_check) > 0;
	enum mugai_err err;

	if (!prune && g_hash_table_size(pg->pg_add) == 0)
		return MUGAI_OK;
	if ((err = run(pg, prune ? "SELECT pg_advisory_xact_lock("
	    NAMES_LOCK ")" : "SELECT pg_advisory_xact_lock_shared("
	    NAMES_LOCK ")", 0, NULL, NULL)) != MUGAI_OK)
		return err;
	/* Through addrs' primary key, one probe a name. */
	if (prune && (err = run_names(pg, pg->pg_check, "DELETE FROM names n "
	    "USING (VALUES", ") g(kind, name) WHERE n.kind = g.kind AND "
	    "n.name = g.name AND NOT EXISTS (SELECT 1 FROM addrs a WHERE "
	    "a.kind = g.kind AND a.addr = g.name)")) != MUGAI_OK)
		return err;
	if (g_hash_table_size(pg->pg_add) > 0 && (err = run_names(pg,
	    pg->pg_add, "INSERT INTO names(kind, name) VALUES",
	    " ON CONFLICT DO NOTHING")) != MUGAI_OK)
		return err;
	g_hash_table_remove_all(pg->pg_add);
	g_hash_table_remove_all(pg->pg_check);
	return MUGAI_OK;
}

enum mugai_err
mugai_pgx_exec(struct mugai_pgx *pg, const char *sql)
{
	enum mugai_err err;

	if (strcmp(sql, "COMMIT") == 0 &&
	    (err = flush_names(pg)) != MUGAI_OK) {
		gboolean transient = pg->pg_transient;

		PQclear(PQexec(pg->pg_conn, "ROLLBACK"));
		g_hash_table_remove_all(pg->pg_add);
		g_hash_table_remove_all(pg->pg_check);
		pg->pg_transient = transient;
		return err;
	}
	if (strcmp(sql, "BEGIN IMMEDIATE") == 0 ||
	    strcmp(sql, "ROLLBACK") == 0) {
		g_hash_table_remove_all(pg->pg_add);
		g_hash_table_remove_all(pg->pg_check);
	}
	if (strcmp(sql, "BEGIN IMMEDIATE") == 0)
		sql = "BEGIN";
	return run(pg, sql, 0, NULL, NULL);
}

/*
 * fn(pg, it, out) in a transaction: the caller's, else one of its own
 * (so that its names are added or pruned, flush_names(), at its end).
 */
static enum mugai_err
in_transaction(struct mugai_pgx *pg, enum mugai_err (*fn)(struct mugai_pgx *,
    gconstpointer, gboolean *), gconstpointer arg, gboolean *out)
{
	enum mugai_err err;

	if (PQtransactionStatus(pg->pg_conn) != PQTRANS_IDLE)
		return fn(pg, arg, out);
	if ((err = mugai_pgx_exec(pg, "BEGIN IMMEDIATE")) != MUGAI_OK)
		return err;
	if ((err = fn(pg, arg, out)) != MUGAI_OK) {
		gboolean transient = pg->pg_transient;

		(void)mugai_pgx_exec(pg, "ROLLBACK");
		pg->pg_transient = transient;
		return err;
	}
	return mugai_pgx_exec(pg, "COMMIT");
}

/* The item's names, to be added at COMMIT (flush_names()). */
static void
put_names(struct mugai_pgx *pg, const struct mugai_ix_item *it)
{
	for (int kind = 0; kind < 2; kind++) {
		g_autoptr(GPtrArray) a = mugai_ix_names(kind == 0 ?
		    it->it_w_sender : it->it_w_rcpt);

		for (guint i = 0; i < a->len; i++)
			g_hash_table_add(pg->pg_add, g_strdup_printf("%d%s",
			    kind, (char *)g_ptr_array_index(a, i)));
	}
}

static enum mugai_err
put_item(struct mugai_pgx *pg, gconstpointer arg, gboolean *added)
{
	const struct mugai_ix_item *it = arg;
	g_autofree char *usec = g_strdup_printf("%" G_GINT64_FORMAT,
	    it->it_usec);
	g_autofree char *size = it->it_size >= 0 ? g_strdup_printf("%"
	    G_GINT64_FORMAT, it->it_size) : NULL;
	const char *p[] = { it->it_id, usec, it->it_node, it->it_sender,
	    it->it_message_id, it->it_verdict, it->it_rules, size,
	    it->it_sha256, it->it_row, it->it_w_sender, it->it_w_rcpt,
	    it->it_w_subject };
	enum mugai_err err;
	PGresult *res;
	char *rid;

	*added = FALSE;
	res = query(pg, "INSERT INTO items(id, time, node, sender, "
	    "message_id, verdict, rules, size, sha256, row, w_sender, "
	    "w_rcpt, w_subject) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,"
	    "$12,$13) ON CONFLICT(id) DO NOTHING RETURNING rid",
	    G_N_ELEMENTS(p), p, &err);
	if (res == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return MUGAI_OK;	/* there already: exactly once */
	}
	rid = g_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	put_names(pg, it);
	for (int kind = 0; kind < 2; kind++) {
		g_autoptr(GPtrArray) a = mugai_ix_addrs(kind == 0 ?
		    it->it_w_sender : it->it_w_rcpt);
		const char *k = kind == 0 ? "0" : "1";

		for (guint i = 0; i < a->len; i++) {
			const char *q[] = { k, g_ptr_array_index(a, i), rid };

			if ((err = run(pg, "INSERT INTO addrs(kind, addr, rid) "
			    "VALUES($1,$2,$3) ON CONFLICT DO NOTHING", 3, q,
			    NULL)) != MUGAI_OK) {
				g_free(rid);
				return err;
			}
		}
	}
	for (guint i = 0; it->it_parts != NULL &&
	    i < json_array_get_length(it->it_parts); i++) {
		JsonNode *n = json_array_get_element(it->it_parts, i);
		JsonObject *o;
		const char *q[5];

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		o = json_node_get_object(n);
		q[0] = rid;
		q[1] = json_object_get_string_member_with_default(o, "path",
		    NULL);
		q[2] = json_object_get_string_member_with_default(o, "sha256",
		    NULL);
		q[3] = json_object_get_string_member_with_default(o, "action",
		    NULL);
		q[4] = json_object_get_string_member_with_default(o, "rule",
		    NULL);
		if ((err = run(pg, "INSERT INTO parts(rid, path, sha256, "
		    "action, rule) VALUES($1,$2,$3,$4,$5)", 5, q, NULL)) !=
		    MUGAI_OK) {
			g_free(rid);
			return err;
		}
	}
	g_free(rid);
	*added = TRUE;
	return MUGAI_OK;
}

enum mugai_err
mugai_pgx_put_item(struct mugai_pgx *pg, const struct mugai_ix_item *it,
    gboolean *added)
{
	*added = FALSE;
	return in_transaction(pg, put_item, it, added);
}

/*
 * The item's rows, each through a key that leads to it: its addresses
 * (as put_item() made them from its words) through addrs' primary key,
 * where "WHERE rid IN (...)" read every row of addrs for each purged
 * item. They are checked against names at COMMIT (flush_names()).
 */
static enum mugai_err
delete_item(struct mugai_pgx *pg, gconstpointer arg, gboolean *changed)
{
	const char *p[] = { arg };
	g_autoptr(GString) sql = g_string_new("DELETE FROM addrs a USING "
	    "(VALUES");
	g_autoptr(GPtrArray) q = g_ptr_array_new_with_free_func(g_free);
	enum mugai_err err;
	PGresult *res;

	if ((res = query(pg, "SELECT rid, w_sender, w_rcpt FROM items "
	    "WHERE id = $1", 1, p, &err)) == NULL)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return MUGAI_OK;	/* not there: nothing to do */
	}
	g_ptr_array_add(q, g_strdup(PQgetvalue(res, 0, 0)));
	for (int kind = 0; kind < 2; kind++) {
		g_autoptr(GPtrArray) a = mugai_ix_addrs(PQgetisnull(res, 0,
		    kind + 1) ? NULL : PQgetvalue(res, 0, kind + 1));

		for (guint i = 0; i < a->len; i++) {
			const char *addr = g_ptr_array_index(a, i);

			g_string_append_printf(sql, "%s($%u::smallint,$%u)",
			    q->len > 1 ? "," : "", q->len + 1, q->len + 2);
			g_ptr_array_add(q, g_strdup(kind == 0 ? "0" : "1"));
			g_ptr_array_add(q, g_strdup(addr));
			g_hash_table_add(pg->pg_check, g_strdup_printf("%d%s",
			    kind, addr));
		}
	}
	PQclear(res);
	g_string_append(sql, ") g(kind, addr) WHERE a.kind = g.kind AND "
	    "a.addr = g.addr AND a.rid = $1::bigint");
	if (q->len > 1 && (err = run(pg, sql->str, (int)q->len,
	    (const char *const *)q->pdata, NULL)) != MUGAI_OK)
		return err;
	if ((err = run(pg, "DELETE FROM parts WHERE rid = $1::bigint", 1,
	    (const char *const *)q->pdata, NULL)) != MUGAI_OK)
		return err;
	return run(pg, "DELETE FROM items WHERE rid = $1::bigint", 1,
	    (const char *const *)q->pdata, changed);
}

enum mugai_err
mugai_pgx_delete_item(struct mugai_pgx *pg, const char *id,
    gboolean *changed)
{
	*changed = FALSE;
	return in_transaction(pg, delete_item, id, changed);
}

enum mugai_err
mugai_pgx_put_event(struct mugai_pgx *pg, const char *id, const char *op,
    const char *time, const char *actor, const char *outcome,
    const char *node, const char *line, gboolean *changed)
{
	const char *p[] = { id, op, time, actor, outcome, node, line };

	return run(pg, "INSERT INTO events(id, op, time, actor, outcome, "
	    "node, line) VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
	    G_N_ELEMENTS(p), p, changed);
}

gint64
mugai_pgx_saved_pos(struct mugai_pgx *pg, const char *node,
    const char *segment)
{
	const char *p[] = { node, segment };
	enum mugai_err err;
	PGresult *res = query(pg, "SELECT pos FROM journal WHERE node = $1 "
	    "AND segment = $2", 2, p, &err);
	gint64 pos = 0;

	if (res == NULL)
		return -1;
	if (PQntuples(res) > 0)
		pos = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return pos;
}

enum mugai_err
mugai_pgx_save_pos(struct mugai_pgx *pg, const char *node,
    const char *segment, gint64 pos)
{
	g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, pos);
	const char *p[] = { node, segment, s };

	return run(pg, "INSERT INTO journal(node, segment, pos) "
	    "VALUES($1,$2,$3) ON CONFLICT(node, segment) "
	    "DO UPDATE SET pos = excluded.pos", 3, p, NULL);
}

/* A LIKE pattern for "\nrule\n" anywhere (%, _ and \ escaped). */
static char *
like_whole_line(const char *rule)
{
	GString *p = g_string_new("%\n");

	for (; *rule != '\0'; rule++) {
		if (*rule == '%' || *rule == '_' || *rule == '\\')
			g_string_append_c(p, '\\');
		g_string_append_c(p, *rule);
	}
	g_string_append(p, "\n%");
	return g_string_free(p, FALSE);
}

/* index.c's known_addr() for PostgreSQL. */
static char *
known_addr(struct mugai_pgx *pg, int kind, const char *value)
{
	char *a = mugai_ix_whole_addr(value);
	const char *p[] = { kind == 0 ? "0" : "1", a };
	enum mugai_err err;
	PGresult *res;
	gboolean seen;

	if (a == NULL)
		return NULL;
	res = query(pg, "SELECT 1 FROM addrs WHERE kind = $1 AND addr = $2 "
	    "LIMIT 1", 2, p, &err);
	seen = res != NULL && PQntuples(res) > 0;
	if (res != NULL)
		PQclear(res);
	if (!seen)
		g_clear_pointer(&a, g_free);
	return a;
}

/*
 * The names of kind that contain part (mugai_ix_name_part()), as a text[]
 * literal, when the search may go through them and addrs: each a plain
 * address, at most MUGAI_IX_NAMES_MAX; else NULL (index.c's
 * sqlite_names()).
 */
static char *
names_for(struct mugai_pgx *pg, int kind, const char *part)
{
	g_autofree char *pat = g_strconcat("%", part, "%", NULL);
	g_autofree char *max = g_strdup_printf("%u", mugai_ix_names_max + 1);
	const char *p[] = { kind == 0 ? "0" : "1", pat, max };
	GString *arr = g_string_new("{");
	enum mugai_err err;
	PGresult *res = NULL;
	int n;

	if (mugai_ix_names_max == 0)
		goto no;
	res = query(pg, "SELECT name FROM names WHERE kind = $1 AND "
	    "name ILIKE $2 LIMIT $3", 3, p, &err);
	if (res == NULL || (n = PQntuples(res)) > (int)mugai_ix_names_max)
		goto no;
	for (int i = 0; i < n; i++) {
		const char *name = PQgetvalue(res, i, 0);

		if (!mugai_ix_name_is_plain_addr(name))
			goto no;
		g_string_append(arr, i > 0 ? ",\"" : "\"");
		for (; *name != '\0'; name++) {
			if (*name == '"' || *name == '\\')
				g_string_append_c(arr, '\\');
			g_string_append_c(arr, *name);
		}
		g_string_append_c(arr, '"');
	}
	PQclear(res);
	g_string_append_c(arr, '}');
	return g_string_free(arr, FALSE);
no:
	if (res != NULL)
		PQclear(res);
	g_string_free(arr, TRUE);
	return NULL;
}

GPtrArray *
mugai_pgx_search(struct mugai_pgx *pg, const struct mugai_index_query *q,
    const char *const *likes, enum mugai_err *err)
{
	GString *sql = g_string_new(NULL);
	GPtrArray *params = g_ptr_array_new_with_free_func(g_free);
	static const char *const cols[] = { "w_sender", "w_rcpt",
	    "w_subject" };
	const char *order = q->iq_oldest_first ? "ASC" : "DESC";
	char *addr[2] = { NULL, NULL };
	char *names = NULL;
	int names_kind = -1;
	GPtrArray *out = NULL;
	PGresult *res;

	g_ptr_array_add(params, g_strdup_printf("%" G_GINT64_FORMAT,
	    q->iq_since));
	g_ptr_array_add(params, g_strdup_printf("%" G_GINT64_FORMAT,
	    q->iq_until));
#define ADD(fmt, v) do { \
		g_ptr_array_add(params, (v)); \
		g_string_append_printf(sql, fmt, params->len); \
	} while (0)
	/* A whole address the index has seen: its items (addrs). */
	for (int i = 0; i < 2; i++)
		if (likes[i] != NULL)
			addr[i] = known_addr(pg, i, i == 0 ? q->iq_from :
			    q->iq_rcpt);
	/*
	 * Else part of an address: the names that contain it, when they
	 * are few plain addresses, each name's newest matches through
	 * addrs (below), not the trigrams of every row (schema 4).
	 */
	for (int i = 0; i < 2 && addr[0] == NULL && addr[1] == NULL &&
	    names == NULL; i++) {
		g_autofree char *part = NULL;

		if (likes[i] == NULL || (part = mugai_ix_name_part(i == 0 ?
		    q->iq_from : q->iq_rcpt)) == NULL ||
		    !mugai_ix_names_worth(i, part))
			continue;
		if ((names = names_for(pg, i, part)) != NULL)
			names_kind = i;
	}
	if (names != NULL) {
		mugai_ix_names_used++;
		g_ptr_array_add(params, g_steal_pointer(&names));
		g_string_append_printf(sql, "SELECT id, time, node, row FROM "
		    "items WHERE rid IN (SELECT x.rid FROM unnest($3::text[]) "
		    "n(name) CROSS JOIN LATERAL (SELECT i.rid FROM addrs a "
		    "JOIN items i ON i.rid = a.rid WHERE a.kind = %d AND "
		    "a.addr = n.name AND i.time >= $1 AND i.time < $2",
		    names_kind);
	} else
		g_string_append(sql, "SELECT i.id, i.time, i.node, i.row "
		    "FROM items i WHERE i.time >= $1 AND i.time < $2");
	for (int i = 0; i < 3; i++) {
		if (i == names_kind)
			continue;	/* the names drive */
		if (i < 2 && addr[i] != NULL) {
			g_string_append_printf(sql, " AND i.rid IN (SELECT "
			    "rid FROM addrs WHERE kind = %d AND addr = $%u)",
			    i, params->len + 1);
			g_ptr_array_add(params, g_steal_pointer(&addr[i]));
		} else if (likes[i] != NULL) {
			g_ptr_array_add(params, g_strdup(likes[i]));
			g_string_append_printf(sql, " AND i.%s ILIKE $%u",
			    cols[i], params->len);
		}
	}
	if (q->iq_message_id != NULL)
		ADD(" AND i.message_id = $%u", g_strdup(q->iq_message_id));
	if (q->iq_sha256 != NULL) {
		/*
		 * One set of rids from both indexes: "sha256 = $n OR rid IN
		 * (parts)" cannot use items_sha, so the planner walked all
		 * of items newest first (1.5 s at 140,000 rows).
		 */
		ADD(" AND i.rid IN (SELECT rid FROM items WHERE sha256 = $%u",
		    g_ascii_strdown(q->iq_sha256, -1));
		g_string_append_printf(sql, " UNION ALL SELECT rid FROM parts "
		    "WHERE sha256 = $%u)", params->len);
	}
	if (q->iq_verdict != NULL)
		ADD(" AND i.verdict = $%u", g_strdup(q->iq_verdict));
	if (q->iq_rule != NULL)
		ADD(" AND i.rules LIKE $%u", like_whole_line(q->iq_rule));
	if (q->iq_node != NULL)
		ADD(" AND i.node = $%u", g_strdup(q->iq_node));
#undef ADD
	if (names_kind >= 0) {
		/* Each name's first matches, then the first of them all. */
		g_string_append_printf(sql, " ORDER BY i.time %s", order);
		if (q->iq_limit > 0)
			g_string_append_printf(sql, " LIMIT %u", q->iq_limit);
		g_string_append(sql, ") x)");
	}
	g_string_append_printf(sql, " ORDER BY time %s", order);
	if (q->iq_limit > 0)
		g_string_append_printf(sql, " LIMIT %u", q->iq_limit);
	res = query(pg, sql->str, (int)params->len,
	    (const char *const *)params->pdata, err);
	if (res != NULL) {
		out = g_ptr_array_new_with_free_func(mugai_ix_row_free);
		for (int i = 0; i < PQntuples(res); i++) {
			struct mugai_index_row *r = g_new0(
			    struct mugai_index_row, 1);

			r->ir_id = g_strdup(PQgetvalue(res, i, 0));
			r->ir_time = g_ascii_strtoll(PQgetvalue(res, i, 1),
			    NULL, 10);
			r->ir_node = PQgetisnull(res, i, 2) ? NULL :
			    g_strdup(PQgetvalue(res, i, 2));
			if ((r->ir_row = mugai_ix_parse_object(PQgetvalue(res,
			    i, 3))) == NULL)
				r->ir_row = json_object_new();
			g_ptr_array_add(out, r);
		}
		PQclear(res);
	}
	g_free(addr[0]);
	g_free(addr[1]);
	g_string_free(sql, TRUE);
	g_ptr_array_free(params, TRUE);
	return out;
}

gint64
mugai_pgx_count(struct mugai_pgx *pg, enum mugai_err *err)
{
	PGresult *res = query(pg, "SELECT count(*) FROM items", 0, NULL, err);
	gint64 n;

	if (res == NULL)
		return -1;
	n = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static char *
num(gint64 v)
{
	return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

enum mugai_err
mugai_pgx_request_put(struct mugai_pgx *pg, struct mugai_index_request *rq)
{
	enum mugai_err err;
	PGresult *res;

	if (rq->rq_id == 0) {
		g_autofree char *req = num(rq->rq_requested != 0 ?
		    rq->rq_requested : g_get_real_time());
		g_autofree char *dec = num(rq->rq_decided);
		const char *p[] = { rq->rq_item, rq->rq_part,
		    rq->rq_requester, rq->rq_state, rq->rq_decider, req, dec,
		    rq->rq_reason, rq->rq_decision };

		res = query(pg, "INSERT INTO requests(item, part, requester, "
		    "state, decider, requested, decided, reason, decision) "
		    "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING rq",
		    G_N_ELEMENTS(p), p, &err);
		if (res == NULL)
			return err;
		rq->rq_id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		return MUGAI_OK;
	} else {
		g_autofree char *dec = num(rq->rq_decided != 0 ?
		    rq->rq_decided : g_get_real_time());
		g_autofree char *id = num(rq->rq_id);
		const char *p[] = { rq->rq_state, rq->rq_decider, dec,
		    rq->rq_decision, id };
		gboolean changed = FALSE;

		if ((err = run(pg, "UPDATE requests SET state = $1, "
		    "decider = $2, decided = $3, decision = $4 WHERE rq = $5",
		    G_N_ELEMENTS(p), p, &changed)) != MUGAI_OK)
			return err;
		return changed ? MUGAI_OK : MUGAI_E_NOTFOUND;
	}
}

static char *
val(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL :
	    g_strdup(PQgetvalue(res, row, col));
}

GPtrArray *
mugai_pgx_requests(struct mugai_pgx *pg, const char *item, const char *state,
    enum mugai_err *err)
{
	const char *p[] = { item, state };
	PGresult *res = query(pg, "SELECT rq, item, part, requester, state, "
	    "decider, requested, decided, reason, decision FROM requests "
	    "WHERE ($1::text IS NULL OR item = $1) AND "
	    "($2::text IS NULL OR state = $2) ORDER BY rq", 2, p, err);
	GPtrArray *out;

	if (res == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_index_request_free);
	for (int i = 0; i < PQntuples(res); i++) {
		struct mugai_index_request *rq = g_new0(
		    struct mugai_index_request, 1);

		rq->rq_id = g_ascii_strtoll(PQgetvalue(res, i, 0), NULL, 10);
		rq->rq_item = val(res, i, 1);
		rq->rq_part = val(res, i, 2);
		rq->rq_requester = val(res, i, 3);
		rq->rq_state = val(res, i, 4);
		rq->rq_decider = val(res, i, 5);
		rq->rq_requested = g_ascii_strtoll(PQgetvalue(res, i, 6),
		    NULL, 10);
		rq->rq_decided = g_ascii_strtoll(PQgetvalue(res, i, 7), NULL,
		    10);
		rq->rq_reason = val(res, i, 8);
		rq->rq_decision = val(res, i, 9);
		g_ptr_array_add(out, rq);
	}
	PQclear(res);
	return out;
}

GPtrArray *
mugai_pgx_events(struct mugai_pgx *pg, const char *id, enum mugai_err *err)
{
	const char *p[] = { id };
	PGresult *res = query(pg, "SELECT line FROM events WHERE id = $1 "
	    "ORDER BY time", 1, p, err);
	GPtrArray *out;

	if (res == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)json_object_unref);
	for (int i = 0; i < PQntuples(res); i++) {
		JsonObject *o = mugai_ix_parse_object(PQgetvalue(res, i, 0));

		if (o != NULL)
			g_ptr_array_add(out, o);
	}
	PQclear(res);
	return out;
}

#endif /* HAVE_LIBPQ */
