/*
 * mugai_index - the quarantine index on SQLite (lib/index/index.h)
 *
 * Tables: items (one row per item, the journal row kept whole as JSON so
 * a reader needs nothing else), parts (path, SHA-256, action, rule of
 * each part, for --sha256 and --rule), words (FTS5, trigram: sender and
 * From:, recipients and To:/Cc:, Subject:, rowid = items.rid), events
 * (released, extracted, purged), requests (the portal's), journal (the
 * byte offset applied in each journal segment, per node). WAL, and
 * synchronous=NORMAL: a power cut may lose the last transactions, and
 * the journal, which is durable, gives them again.
 *
 * An item's rid is its time: the ID's microseconds times 1,000 plus a
 * number for items of the same microsecond (schema 2). Newest first is
 * then rowid order everywhere, in items, in the words' FTS5 index and in
 * the (rule, rid) and (verdict, rid) indexes, so a search walks one of
 * them from the newest end and stops at the page's LIMIT: a subject word
 * carried by one item in ten costs its first hundred matches, not all of
 * them sorted (BENCHMARKS.md, issue 17). Schema 1 (rids in insertion
 * order) is converted when opened.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "index/index.h"
#include "index/index_int.h"
#include "store/qdir.h"
#include "store/qid.h"

/* A journal segment is read this much at a time. */
#define CHUNK ((gsize)4 << 20)
/* A batch that deadlocked with another gateway's: run again so often. */
#define BATCH_RETRIES 5
/* A journal line past this is not ours. */
#define LINE_MAX_LEN ((gsize)1 << 20)
/* Waiting for another writer (the milter's indexer, a CLI). */
#define BUSY_MS 10000

struct mugai_index {
	sqlite3 *ix_db;			/* SQLite, or NULL ... */
	struct mugai_pgx *ix_pg;	/* ... PostgreSQL */
	GHashTable *ix_stmts;		/* SQL text -> prepared statement */
	char *ix_path;
	char *ix_msg;			/* last error text */
};

/* Versions of the tables below (PRAGMA user_version). */
#define SCHEMA_VERSION 4
/* rid = usec * RID_SCALE + the number within the microsecond. */
#define RID_SCALE G_GINT64_CONSTANT(1000)
#define RID_SCALE_SQL "1000"

static const char pragmas[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    /*
     * 64 MB of page cache (the default is 2 MB): an index of millions of
     * items is gigabytes, and FTS5's merges and the B-trees' upper
     * levels are read again and again by the indexer's batches.
     */
    "PRAGMA cache_size=-65536;"
    "PRAGMA temp_store=MEMORY;";

/*
 * Schema 3: every whole address of an item (kind 0: the envelope sender
 * and From:, 1: the recipients, To: and Cc:), lower case, for a search
 * by one whole address: the trigrams of "staff1234@office..." are in
 * nearly every row, so FTS5 reads all their doclists (140 ms at
 * 1,000,000 items), where this is one B-tree range of that address's
 * items, newest first.
 */
#define ADDRS_SCHEMA \
    "CREATE TABLE IF NOT EXISTS addrs(" \
    " kind INTEGER NOT NULL, addr TEXT NOT NULL, rid INTEGER NOT NULL," \
    " PRIMARY KEY(kind, addr, rid)) WITHOUT ROWID;"

/*
 * Schema 4: every distinct name (kind as in addrs) that the sender and
 * recipient words hold, the addresses and the display names' other
 * words alike, lower case, with a trigram index of its own. Part of an
 * address ("staff1234@office", "sender9.example") is looked up here
 * first, among thousands of names rather than a million rows whose
 * trigrams are nearly all alike (108 ms in FTS5 at 1,000,000 items),
 * and the items of the names found are then read through addrs, newest
 * first (mugai_index_search()). An address goes from names when the
 * last item that carries it is purged (prune_name()); a display name's
 * word stays: it then finds nothing, and costs only its row.
 */
#define NAMES_SCHEMA \
    "CREATE TABLE IF NOT EXISTS names(" \
    " nid INTEGER PRIMARY KEY, kind INTEGER NOT NULL," \
    " name TEXT NOT NULL, UNIQUE(kind, name));" \
    "CREATE VIRTUAL TABLE IF NOT EXISTS names_w USING fts5(" \
    " kind UNINDEXED, name, content='names', content_rowid='nid'," \
    " tokenize='trigram');"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS items("
    " rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " time INTEGER NOT NULL, node TEXT, sender TEXT, message_id TEXT,"
    " verdict TEXT, rules TEXT, size INTEGER, sha256 TEXT,"
    " row TEXT NOT NULL);"
    /* With the rid after each key: newest first without a sort. */
    "CREATE INDEX IF NOT EXISTS items_msgid ON items(message_id);"
    "CREATE INDEX IF NOT EXISTS items_sha ON items(sha256);"
    "CREATE INDEX IF NOT EXISTS items_verdict ON items(verdict);"
    "CREATE INDEX IF NOT EXISTS items_node ON items(node);"
    "CREATE TABLE IF NOT EXISTS parts("
    " rid INTEGER NOT NULL, path TEXT, sha256 TEXT, action TEXT,"
    " rule TEXT);"
    "CREATE INDEX IF NOT EXISTS parts_rid ON parts(rid);"
    "CREATE INDEX IF NOT EXISTS parts_sha ON parts(sha256);"
    "CREATE TABLE IF NOT EXISTS rules("
    " rule TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(rule, rid))"
    " WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5("
    " sender, rcpt, subject, tokenize='trigram');"
    ADDRS_SCHEMA
    NAMES_SCHEMA
    "CREATE TABLE IF NOT EXISTS events("
    " id TEXT NOT NULL, op TEXT NOT NULL, time TEXT NOT NULL,"
    " actor TEXT NOT NULL, outcome TEXT, node TEXT, line TEXT,"
    " UNIQUE(id, op, time, actor));"
    "CREATE TABLE IF NOT EXISTS requests("
    " rq INTEGER PRIMARY KEY, item TEXT NOT NULL, part TEXT,"
    " requester TEXT NOT NULL, state TEXT NOT NULL, decider TEXT,"
    " requested INTEGER NOT NULL, decided INTEGER, reason TEXT,"
    " decision TEXT);"
    "CREATE INDEX IF NOT EXISTS requests_item ON requests(item);"
    "CREATE INDEX IF NOT EXISTS requests_state ON requests(state);"
    "CREATE TABLE IF NOT EXISTS journal("
    " node TEXT NOT NULL, segment TEXT NOT NULL, pos INTEGER NOT NULL,"
    " PRIMARY KEY(node, segment));";

/*
 * Schema 1 to 2: the item tables are set aside, made again, and every
 * row put again (new rids); events, requests and the journal positions
 * stay as they are.
 */
static const char schema1_aside[] =
    "DROP INDEX IF EXISTS items_time;"
    "DROP INDEX IF EXISTS items_msgid;"
    "DROP INDEX IF EXISTS items_sha;"
    "DROP INDEX IF EXISTS parts_rid;"
    "DROP INDEX IF EXISTS parts_sha;"
    "DROP INDEX IF EXISTS parts_rule;"
    "DROP TABLE IF EXISTS words;"
    "DROP TABLE IF EXISTS parts;"
    "ALTER TABLE items RENAME TO items_v1;";

static enum mugai_err
db_fail(struct mugai_index *ix)
{
	int code = sqlite3_errcode(ix->ix_db);

	g_free(ix->ix_msg);
	ix->ix_msg = g_strdup(sqlite3_errmsg(ix->ix_db));
	if (code == SQLITE_FULL)
		return MUGAI_E_NOSPACE;
	if (code == SQLITE_PERM || code == SQLITE_READONLY ||
	    code == SQLITE_AUTH || code == SQLITE_CANTOPEN)
		return MUGAI_E_PERM;
	return MUGAI_E_IO;
}

static enum mugai_err
exec(struct mugai_index *ix, const char *sql)
{
#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_exec(ix->ix_pg, sql);
#endif
	if (sqlite3_exec(ix->ix_db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(ix);
	return MUGAI_OK;
}

const char *
mugai_index_errmsg(struct mugai_index *ix)
{
#ifdef HAVE_LIBPQ
	if (ix != NULL && ix->ix_pg != NULL)
		return mugai_pgx_errmsg(ix->ix_pg);
#endif
	return ix != NULL && ix->ix_msg != NULL ? ix->ix_msg : "";
}

gboolean
mugai_index_disabled(const char *url)
{
	return url != NULL && strcmp(url, "none") == 0;
}

/* The SQLite file for url, or NULL for a URL that is not SQLite. */
static char *
sqlite_path(const char *url, const char *store_dir)
{
	if (url == NULL || *url == '\0')
		return g_build_filename(store_dir, "index.sqlite", NULL);
	if (g_str_has_prefix(url, "sqlite:"))
		return g_strdup(url + 7);
	return NULL;
}

gboolean
mugai_index_exists(const char *url, const char *store_dir)
{
	g_autofree char *path = NULL;

	if (mugai_index_disabled(url))
		return FALSE;
	if ((path = sqlite_path(url, store_dir)) == NULL)
		return TRUE;	/* a server: it is there or it is down */
	return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/*
 * Creates the file 0640 with the auditors' group before SQLite opens it:
 * SQLite gives its -wal and -shm files the database file's mode.
 */
static void
precreate(const char *path, gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0640);

	if (fd < 0)
		return;
	if (gid != (gid_t)-1)
		(void)fchown(fd, (uid_t)-1, gid);
	(void)fchmod(fd, 0640);
	close(fd);
}

static enum mugai_err upgrade_rows(struct mugai_index *ix);
static enum mugai_err upgrade_from_words(struct mugai_index *ix,
    gboolean names, gboolean addrs);

/* An integer the query returns (a pragma), or -1. */
static gint64
query_int(struct mugai_index *ix, const char *sql)
{
	sqlite3_stmt *st;
	gint64 v = -1;

	if (sqlite3_prepare_v2(ix->ix_db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Creates the tables, or converts older ones, in one transaction: a
 * second opener waits for it and then finds the current version.
 */
static enum mugai_err
set_up(struct mugai_index *ix)
{
	enum mugai_err err;
	gint64 version;

	if (query_int(ix, "PRAGMA user_version") == SCHEMA_VERSION)
		return MUGAI_OK;
	if ((err = exec(ix, "BEGIN IMMEDIATE")) != MUGAI_OK)
		return err;
	version = query_int(ix, "PRAGMA user_version");
	if (version == SCHEMA_VERSION)
		return exec(ix, "COMMIT");
	if (version < 0 || version > SCHEMA_VERSION) {
		(void)exec(ix, "ROLLBACK");
		g_free(ix->ix_msg);
		ix->ix_msg = g_strdup_printf("schema version %" G_GINT64_FORMAT
		    " is not one this mugai knows (%d): a newer mugai made "
		    "it", version, SCHEMA_VERSION);
		return MUGAI_E_CONFIG;
	}
	if (version == 2 || version == 3) {
		/* Schema 2 to 3: the addresses of the items already in. */
		if (version == 2 && ((err = exec(ix, ADDRS_SCHEMA)) !=
		    MUGAI_OK || (err = upgrade_from_words(ix, FALSE, TRUE)) !=
		    MUGAI_OK))
			goto fail;
		/* 3 to 4: their names. */
		if ((err = exec(ix, NAMES_SCHEMA)) != MUGAI_OK ||
		    (err = upgrade_from_words(ix, TRUE, FALSE)) != MUGAI_OK)
			goto fail;
	} else if (query_int(ix, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'items'") > 0) {
		if ((err = exec(ix, schema1_aside)) != MUGAI_OK ||
		    (err = exec(ix, schema)) != MUGAI_OK ||
		    (err = upgrade_rows(ix)) != MUGAI_OK ||
		    (err = exec(ix, "DROP TABLE items_v1")) != MUGAI_OK)
			goto fail;
	} else if ((err = exec(ix, schema)) != MUGAI_OK)
		goto fail;
	if ((err = exec(ix, "PRAGMA user_version = "
	    G_STRINGIFY(SCHEMA_VERSION))) != MUGAI_OK)
		goto fail;
	return exec(ix, "COMMIT");
fail:
	(void)exec(ix, "ROLLBACK");
	return err;
}

struct mugai_index *
mugai_index_open(const char *url, const char *store_dir, gid_t gid,
    enum mugai_err *err, char **message)
{
	struct mugai_index *ix;
	char *path;

	*message = NULL;
	if (mugai_index_disabled(url)) {
		*err = MUGAI_E_CONFIG;
		*message = g_strdup("index: url = none");
		return NULL;
	}
	if ((path = sqlite_path(url, store_dir)) == NULL) {
#ifdef HAVE_LIBPQ
		struct mugai_pgx *pg;

		if (g_str_has_prefix(url, "postgresql://") ||
		    g_str_has_prefix(url, "postgres://")) {
			if ((pg = mugai_pgx_open(url, err, message)) == NULL)
				return NULL;
			ix = g_new0(struct mugai_index, 1);
			ix->ix_pg = pg;
			return ix;
		}
#endif
		*err = MUGAI_E_CONFIG;
		*message = g_strdup_printf("index %s: not a URL this mugai "
		    "knows (empty, sqlite:PATH, postgresql://...)", url);
		return NULL;
	}
	precreate(path, gid);
	ix = g_new0(struct mugai_index, 1);
	ix->ix_path = path;
	if (sqlite3_open_v2(path, &ix->ix_db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		*err = ix->ix_db != NULL ? db_fail(ix) : MUGAI_E_NOMEM;
		*message = g_strdup_printf("index %s: %s", path,
		    mugai_index_errmsg(ix));
		mugai_index_close(ix);
		return NULL;
	}
	sqlite3_busy_timeout(ix->ix_db, BUSY_MS);
	if ((*err = exec(ix, pragmas)) != MUGAI_OK ||
	    (*err = set_up(ix)) != MUGAI_OK) {
		*message = g_strdup_printf("index %s: %s", path,
		    mugai_index_errmsg(ix));
		mugai_index_close(ix);
		return NULL;
	}
	return ix;
}

void
mugai_index_close(struct mugai_index *ix)
{
	if (ix == NULL)
		return;
	if (ix->ix_stmts != NULL)
		g_hash_table_destroy(ix->ix_stmts);
	if (ix->ix_db != NULL)
		sqlite3_close(ix->ix_db);
#ifdef HAVE_LIBPQ
	mugai_pgx_close(ix->ix_pg);
#endif
	g_free(ix->ix_path);
	g_free(ix->ix_msg);
	g_free(ix);
}

enum mugai_err
mugai_index_begin(struct mugai_index *ix)
{
	return exec(ix, "BEGIN IMMEDIATE");
}

enum mugai_err
mugai_index_commit(struct mugai_index *ix)
{
	return exec(ix, "COMMIT");
}

/* ---- rows ---- */

static JsonObject *
jobj(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	return json_node_get_object(n);
}

static JsonArray *
jarr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(n))
		return NULL;
	return json_node_get_array(n);
}

static const char *
jstr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

/* The strings of a, and then of the named strings of o, one a line. */
static char *
join(JsonArray *a, JsonObject *o, const char *const *names)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (json_node_get_value_type(n) != G_TYPE_STRING)
			continue;
		if (s->len > 0)
			g_string_append_c(s, '\n');
		g_string_append(s, json_node_get_string(n));
	}
	for (; names != NULL && *names != NULL; names++) {
		const char *v = jstr(o, *names);

		if (v == NULL)
			continue;
		if (s->len > 0)
			g_string_append_c(s, '\n');
		g_string_append(s, v);
	}
	return g_string_free(s, FALSE);
}

static char *
to_text(JsonObject *o)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	char *text;

	json_node_set_object(root, o);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	return text;
}

static void
finalize(gpointer st)
{
	sqlite3_finalize(st);
}

/*
 * The prepared statement for sql, made once and kept: preparing costs as
 * much as the insert itself. release() readies it for the next use.
 */
static sqlite3_stmt *
prepare(struct mugai_index *ix, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (ix->ix_stmts == NULL)
		ix->ix_stmts = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, finalize);
	if ((st = g_hash_table_lookup(ix->ix_stmts, sql)) != NULL)
		return st;
	if (sqlite3_prepare_v3(ix->ix_db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		(void)db_fail(ix);
		return NULL;
	}
	g_hash_table_insert(ix->ix_stmts, g_strdup(sql), st);
	return st;
}

static void
release(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds text (NULL: SQL NULL), copied. */
static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Runs a statement that returns no row; releases it. */
static enum mugai_err
run(struct mugai_index *ix, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return MUGAI_E_IO;
	rc = sqlite3_step(st);
	release(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(ix);
	return MUGAI_OK;
}

/* The distinct names of text, only the addresses when only_addrs. */
static GPtrArray *
names_of(const char *text, gboolean only_addrs)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		gsize n = strcspn(p, ADDR_SEPARATORS);

		if (n > 0 && (!only_addrs || memchr(p, '@', n) != NULL)) {
			g_autofree char *raw = g_strndup(p, n);
			char *a = g_utf8_strdown(raw, -1);

			if (g_ptr_array_find_with_equal_func(out, a,
			    g_str_equal, NULL))
				g_free(a);
			else
				g_ptr_array_add(out, a);
		}
		p += n;
		p += strspn(p, ADDR_SEPARATORS);
	}
	return out;
}

GPtrArray *
mugai_ix_addrs(const char *text)
{
	return names_of(text, TRUE);
}

GPtrArray *
mugai_ix_names(const char *text)
{
	return names_of(text, FALSE);
}

guint mugai_ix_names_max = MUGAI_IX_NAMES_MAX;
guint mugai_ix_names_used;

/* TRUE when s is printable ASCII (no control characters, no 8th bit). */
static gboolean
plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((guchar)*s < 0x20 || (guchar)*s > 0x7e)
			return FALSE;
	return TRUE;
}

char *
mugai_ix_name_part(const char *value)
{
	if (strlen(value) < 3 || !plain_ascii(value) ||
	    value[strcspn(value, ADDR_SEPARATORS "%_\\")] != '\0')
		return NULL;
	return g_ascii_strdown(value, -1);
}

gboolean
mugai_ix_names_worth(int kind, const char *part)
{
	const char *at = strchr(part, '@');

	return kind == 1 || (at != NULL && at != part && at[1] != '\0');
}

gboolean
mugai_ix_name_is_plain_addr(const char *name)
{
	return strchr(name, '@') != NULL && plain_ascii(name);
}

/*
 * A name into names (schema 4) unless it is there, and then into the
 * trigram index of names_w: a name already seen (nearly every one, once
 * the index has some days of mail) costs one B-tree probe.
 */
static enum mugai_err
put_name(struct mugai_index *ix, int kind, const char *name)
{
	sqlite3_stmt *st = prepare(ix, "INSERT INTO names(kind, name) "
	    "VALUES(?,?) ON CONFLICT DO NOTHING");
	enum mugai_err err;

	if (st == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int(st, 1, kind);
	bind_text(st, 2, name);
	if ((err = run(ix, st)) != MUGAI_OK ||
	    sqlite3_changes(ix->ix_db) == 0)
		return err;
	if ((st = prepare(ix, "INSERT INTO names_w(rowid, kind, name) "
	    "VALUES(?,?,?)")) == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(ix->ix_db));
	sqlite3_bind_int(st, 2, kind);
	bind_text(st, 3, name);
	return run(ix, st);
}

/*
 * The item's addresses into addrs (schema 3) and, with names TRUE, all
 * its names into names (schema 4).
 */
static enum mugai_err
put_addrs(struct mugai_index *ix, sqlite3_int64 rid,
    const struct mugai_ix_item *it, gboolean names, gboolean addrs)
{
	const char *text[2] = { it->it_w_sender, it->it_w_rcpt };
	enum mugai_err err = MUGAI_OK;

	for (int kind = 0; kind < 2 && err == MUGAI_OK; kind++) {
		g_autoptr(GPtrArray) a = names_of(text[kind], !names);

		for (guint i = 0; i < a->len && err == MUGAI_OK; i++) {
			const char *name = g_ptr_array_index(a, i);
			sqlite3_stmt *st;

			if (names && (err = put_name(ix, kind, name)) !=
			    MUGAI_OK)
				break;
			if (!addrs || strchr(name, '@') == NULL)
				continue;
			st = prepare(ix, "INSERT INTO addrs("
			    "kind, addr, rid) VALUES(?,?,?) "
			    "ON CONFLICT DO NOTHING");
			if (st == NULL)
				return MUGAI_E_IO;
			sqlite3_bind_int(st, 1, kind);
			bind_text(st, 2, name);
			sqlite3_bind_int64(st, 3, rid);
			err = run(ix, st);
		}
	}
	return err;
}

/* The SQLite side of put_item. */
static enum mugai_err
sqlite_put_item(struct mugai_index *ix, const struct mugai_ix_item *it,
    gboolean *added)
{
	JsonArray *parts = it->it_parts, *rules = it->it_rule_list;
	sqlite3_stmt *st;
	enum mugai_err err;
	sqlite3_int64 rid, base = it->it_usec * RID_SCALE;
	int rc;

	/* The next free number in the item's microsecond. */
	if ((st = prepare(ix, "SELECT max(rid) FROM items "
	    "WHERE rid >= ?1 AND rid < ?1 + " RID_SCALE_SQL)) ==
	    NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 1, base);
	rc = sqlite3_step(st);
	rid = rc == SQLITE_ROW && sqlite3_column_type(st, 0) !=
	    SQLITE_NULL ? sqlite3_column_int64(st, 0) + 1 : base;
	release(st);
	if (rc != SQLITE_ROW)
		return db_fail(ix);
	st = prepare(ix, "INSERT INTO items(id, time, node, sender, "
	    "message_id, verdict, rules, size, sha256, row, rid) "
	    "VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING");
	if (st == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 11, rid);
	bind_text(st, 1, it->it_id);
	sqlite3_bind_int64(st, 2, it->it_usec);
	bind_text(st, 3, it->it_node);
	bind_text(st, 4, it->it_sender);
	bind_text(st, 5, it->it_message_id);
	bind_text(st, 6, it->it_verdict);
	bind_text(st, 7, it->it_rules);
	if (it->it_size >= 0)
		sqlite3_bind_int64(st, 8, it->it_size);
	bind_text(st, 9, it->it_sha256);
	bind_text(st, 10, it->it_row);
	if ((err = run(ix, st)) != MUGAI_OK)
		return err;
	if (sqlite3_changes(ix->ix_db) == 0)
		return MUGAI_OK;	/* there already: exactly once */
	for (guint i = 0; rules != NULL && i < json_array_get_length(rules);
	    i++) {
		JsonNode *n = json_array_get_element(rules, i);

		if (json_node_get_value_type(n) != G_TYPE_STRING)
			continue;
		st = prepare(ix, "INSERT INTO rules(rule, rid) VALUES(?,?) "
		    "ON CONFLICT DO NOTHING");
		if (st == NULL)
			return MUGAI_E_IO;
		bind_text(st, 1, json_node_get_string(n));
		sqlite3_bind_int64(st, 2, rid);
		if ((err = run(ix, st)) != MUGAI_OK)
			return err;
	}
	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		st = prepare(ix, "INSERT INTO parts(rid, path, sha256, "
		    "action, rule) VALUES(?,?,?,?,?)");
		if (st == NULL)
			return MUGAI_E_IO;
		sqlite3_bind_int64(st, 1, rid);
		bind_text(st, 2, jstr(p, "path"));
		bind_text(st, 3, jstr(p, "sha256"));
		bind_text(st, 4, jstr(p, "action"));
		bind_text(st, 5, jstr(p, "rule"));
		if ((err = run(ix, st)) != MUGAI_OK)
			return err;
	}
	if ((err = put_addrs(ix, rid, it, TRUE, TRUE)) != MUGAI_OK)
		return err;
	st = prepare(ix, "INSERT INTO words(rowid, sender, rcpt, subject) "
	    "VALUES(?,?,?,?)");
	if (st == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 1, rid);
	bind_text(st, 2, it->it_w_sender);
	bind_text(st, 3, it->it_w_rcpt);
	bind_text(st, 4, it->it_w_subject);
	if ((err = run(ix, st)) != MUGAI_OK)
		return err;
	*added = TRUE;
	return MUGAI_OK;
}

enum mugai_err
mugai_index_put_item(struct mugai_index *ix, JsonObject *row,
    gboolean *added)
{
	static const char *const from_names[] = { "from", NULL };
	static const char *const rcpt_names[] = { "to", "cc", NULL };
	JsonObject *env = jobj(row, "envelope"), *hdr = jobj(row, "headers");
	JsonObject *orig = jobj(row, "original"), *sum = jobj(row, "summary");
	const char *id = jstr(row, "id"), *sender = jstr(env, "sender");
	g_autofree char *text = NULL, *rules = NULL, *from = NULL;
	g_autofree char *rcpt = NULL, *hfrom = NULL;
	struct mugai_ix_item it;
	gboolean dummy;
	gint64 usec;

	if (added == NULL)
		added = &dummy;
	*added = FALSE;
	if (id == NULL || !mugai_qid_valid(id) || !mugai_qid_time(id,
	    &usec) || usec < 0 || usec >= G_MAXINT64 / RID_SCALE - 1)
		return MUGAI_E_PARSE;
	text = to_text(row);
	{
		/* "\nA\nB\n": a rule is found whole, never a prefix. */
		g_autofree char *r = join(jarr(row, "rules"), NULL, NULL);

		rules = *r != '\0' ? g_strconcat("\n", r, "\n", NULL) : NULL;
	}
	hfrom = join(NULL, hdr, from_names);
	from = sender != NULL ? g_strconcat(sender, "\n", hfrom, NULL) :
	    g_strdup(hfrom);
	rcpt = join(jarr(env, "recipients"), hdr, rcpt_names);
	memset(&it, 0, sizeof it);
	it.it_id = id;
	it.it_usec = usec;
	it.it_node = jstr(row, "node");
	it.it_sender = sender;
	it.it_message_id = jstr(hdr, "message_id");
	it.it_verdict = jstr(sum, "verdict");
	it.it_rules = rules;
	it.it_size = orig != NULL && json_object_has_member(orig, "size") ?
	    json_object_get_int_member(orig, "size") : -1;
	it.it_sha256 = jstr(orig, "sha256");
	it.it_row = text;
	it.it_w_sender = from;
	it.it_w_rcpt = rcpt;
	it.it_w_subject = jstr(hdr, "subject");
	it.it_parts = jarr(row, "parts");
	it.it_rule_list = jarr(row, "rules");
#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_put_item(ix->ix_pg, &it, added);
#endif
	return sqlite_put_item(ix, &it, added);
}

static JsonObject *parse_line(JsonParser *parser, const char *line,
    gssize len);

/* Puts every row of schema 1's items again (set_up()). */
static enum mugai_err
upgrade_rows(struct mugai_index *ix)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	sqlite3_stmt *st;
	enum mugai_err err = MUGAI_OK;
	int rc;

	if (sqlite3_prepare_v2(ix->ix_db, "SELECT row FROM items_v1 "
	    "ORDER BY rid", -1, &st, NULL) != SQLITE_OK)
		return db_fail(ix);
	while (err == MUGAI_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		JsonObject *o;
		gboolean added;

		if (text == NULL || (o = parse_line(parser, text, -1)) ==
		    NULL)
			continue;	/* nothing a search could show */
		err = mugai_index_put_item(ix, o, &added);
		if (err == MUGAI_E_PARSE)
			err = MUGAI_OK;
	}
	if (err == MUGAI_OK && rc != SQLITE_DONE)
		err = db_fail(ix);
	sqlite3_finalize(st);
	return err;
}

/*
 * Schema 2 to 3 (set_up()), with addrs TRUE: the addresses of every item;
 * schema 3 to 4, with names TRUE: its names (addrs holds only the
 * addresses, and a search needs to know the other names too, to fall
 * back when one matches). Both from the words each item was indexed with.
 */
static enum mugai_err
upgrade_from_words(struct mugai_index *ix, gboolean names, gboolean addrs)
{
	sqlite3_stmt *st;
	enum mugai_err err = MUGAI_OK;
	int rc;

	if (sqlite3_prepare_v2(ix->ix_db, "SELECT rowid, sender, rcpt "
	    "FROM words", -1, &st, NULL) != SQLITE_OK)
		return db_fail(ix);
	while (err == MUGAI_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mugai_ix_item it;

		memset(&it, 0, sizeof it);
		it.it_w_sender = (const char *)sqlite3_column_text(st, 1);
		it.it_w_rcpt = (const char *)sqlite3_column_text(st, 2);
		err = put_addrs(ix, sqlite3_column_int64(st, 0), &it, names,
		    addrs);
	}
	if (err == MUGAI_OK && rc != SQLITE_DONE)
		err = db_fail(ix);
	sqlite3_finalize(st);
	return err;
}

/*
 * A name (an address: a name with an @, which addrs holds for each of
 * its items) that no item carries any more goes from names and from its
 * trigrams in names_w (an external-content table: its 'delete' command
 * needs the values that were put in). Else a purged index keeps dead
 * names for ever, each a wasted lookup that counts towards
 * mugai_ix_names_max. One probe of addrs' primary key decides. The
 * other names (display names' words) have no rows in addrs to tell
 * whether a live item still carries them: they stay, as before.
 */
static enum mugai_err
prune_name(struct mugai_index *ix, int kind, const char *name)
{
	sqlite3_stmt *st = prepare(ix, "SELECT nid FROM names "
	    "WHERE kind = ?1 AND name = ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM addrs WHERE kind = ?1 AND addr = ?2)");
	sqlite3_int64 nid;
	enum mugai_err err;
	int rc;

	if (st == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int(st, 1, kind);
	bind_text(st, 2, name);
	rc = sqlite3_step(st);
	nid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	release(st);
	if (rc == SQLITE_DONE)
		return MUGAI_OK;	/* still carried (or never there) */
	if (rc != SQLITE_ROW)
		return db_fail(ix);
	if ((st = prepare(ix, "INSERT INTO names_w(names_w, rowid, kind, "
	    "name) VALUES('delete',?,?,?)")) == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 1, nid);
	sqlite3_bind_int(st, 2, kind);
	bind_text(st, 3, name);
	if ((err = run(ix, st)) != MUGAI_OK)
		return err;
	if ((st = prepare(ix, "DELETE FROM names WHERE nid = ?")) == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(st, 1, nid);
	return run(ix, st);
}

/*
 * The item id's rid, its rules ("\nA\nB\n" or NULL) and its addresses,
 * each a kind ("0"/"1") before it, as put_addrs() made them from its
 * words (transfer full); NULL with *err MUGAI_OK when there is no such
 * item.
 */
static GPtrArray *
item_addrs(struct mugai_index *ix, const char *id, sqlite3_int64 *rid,
    char **rules, enum mugai_err *err)
{
	sqlite3_stmt *st = prepare(ix, "SELECT i.rid, w.sender, w.rcpt, "
	    "i.rules FROM items i LEFT JOIN words w ON w.rowid = i.rid "
	    "WHERE i.id = ?");
	GPtrArray *out;
	int rc;

	*err = MUGAI_OK;
	if (st == NULL) {
		*err = MUGAI_E_IO;
		return NULL;
	}
	bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		release(st);
		if (rc != SQLITE_DONE)
			*err = db_fail(ix);
		return NULL;
	}
	*rid = sqlite3_column_int64(st, 0);
	*rules = g_strdup((const char *)sqlite3_column_text(st, 3));
	out = g_ptr_array_new_with_free_func(g_free);
	for (int kind = 0; kind < 2; kind++) {
		g_autoptr(GPtrArray) a = names_of((const char *)
		    sqlite3_column_text(st, kind + 1), TRUE);

		for (guint i = 0; i < a->len; i++)
			g_ptr_array_add(out, g_strdup_printf("%d%s", kind,
			    (char *)g_ptr_array_index(a, i)));
	}
	release(st);
	return out;
}

/*
 * An item's rows, each through a key that leads to it: its addresses
 * and rules through the primary keys of addrs and rules (a scan of them
 * for its rid read every row of the table for each purged item). Then
 * its addresses that no other item carries leave names.
 */
static enum mugai_err
delete_item(struct mugai_index *ix, const char *id, gboolean *changed)
{
	static const char *const sql[] = {
		"DELETE FROM words WHERE rowid = ?",
		"DELETE FROM parts WHERE rid = ?",
		"DELETE FROM items WHERE rid = ?",
	};
	g_autoptr(GPtrArray) addrs = NULL;
	g_auto(GStrv) rules = NULL;
	g_autofree char *rtext = NULL;
	sqlite3_int64 rid = 0;
	enum mugai_err err;

	*changed = FALSE;
#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_delete_item(ix->ix_pg, id, changed);
#endif
	if ((addrs = item_addrs(ix, id, &rid, &rtext, &err)) == NULL)
		return err;	/* not there (MUGAI_OK): nothing to do */
	rules = g_strsplit(rtext != NULL ? rtext : "", "\n", -1);
	for (guint i = 0; rules[i] != NULL; i++) {
		sqlite3_stmt *st;

		if (*rules[i] == '\0')
			continue;
		if ((st = prepare(ix, "DELETE FROM rules WHERE rule = ? "
		    "AND rid = ?")) == NULL)
			return MUGAI_E_IO;
		bind_text(st, 1, rules[i]);
		sqlite3_bind_int64(st, 2, rid);
		if ((err = run(ix, st)) != MUGAI_OK)
			return err;
	}
	for (guint i = 0; i < addrs->len; i++) {
		const char *a = g_ptr_array_index(addrs, i);
		sqlite3_stmt *st = prepare(ix, "DELETE FROM addrs "
		    "WHERE kind = ? AND addr = ? AND rid = ?");

		if (st == NULL)
			return MUGAI_E_IO;
		sqlite3_bind_int(st, 1, a[0] - '0');
		bind_text(st, 2, a + 1);
		sqlite3_bind_int64(st, 3, rid);
		if ((err = run(ix, st)) != MUGAI_OK)
			return err;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(sql); i++) {
		sqlite3_stmt *st = prepare(ix, sql[i]);

		if (st == NULL)
			return MUGAI_E_IO;
		sqlite3_bind_int64(st, 1, rid);
		if ((err = run(ix, st)) != MUGAI_OK)
			return err;
	}
	*changed = sqlite3_changes(ix->ix_db) > 0;
	/* Its addresses that no other item carries go from names. */
	for (guint i = 0; i < addrs->len && err == MUGAI_OK; i++) {
		const char *a = g_ptr_array_index(addrs, i);

		err = prune_name(ix, a[0] - '0', a + 1);
	}
	return err;
}

enum mugai_err
mugai_index_delete_item(struct mugai_index *ix, const char *id)
{
	gboolean changed;

	return delete_item(ix, id, &changed);
}

/* An event line (released, extracted, purged): kept once. */
static enum mugai_err
put_event(struct mugai_index *ix, JsonObject *o, const char *op,
    const char *line, gboolean *changed)
{
	sqlite3_stmt *st;
	enum mugai_err err;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL) {
		gboolean c;

		err = mugai_pgx_put_event(ix->ix_pg, jstr(o, "id"), op,
		    jstr(o, "time") != NULL ? jstr(o, "time") : "",
		    jstr(o, "actor") != NULL ? jstr(o, "actor") : "",
		    jstr(o, "outcome"), jstr(o, "host"), line, &c);
		if (changed != NULL)
			*changed = c;
		return err;
	}
#endif
	st = prepare(ix, "INSERT INTO events(id, op, time, "
	    "actor, outcome, node, line) VALUES(?,?,?,?,?,?,?) "
	    "ON CONFLICT DO NOTHING");
	if (st == NULL)
		return MUGAI_E_IO;
	bind_text(st, 1, jstr(o, "id"));
	bind_text(st, 2, op);
	bind_text(st, 3, jstr(o, "time") != NULL ? jstr(o, "time") : "");
	bind_text(st, 4, jstr(o, "actor") != NULL ? jstr(o, "actor") : "");
	bind_text(st, 5, jstr(o, "outcome"));
	bind_text(st, 6, jstr(o, "host"));
	bind_text(st, 7, line);
	if ((err = run(ix, st)) == MUGAI_OK && changed != NULL)
		*changed = sqlite3_changes(ix->ix_db) > 0;
	return err;
}

/* Parses a line; NULL unless it is a JSON object with a string "op". */
static JsonObject *
parse_line(JsonParser *parser, const char *line, gssize len)
{
	JsonNode *root;

	if (!json_parser_load_from_data(parser, line, len, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_get_object(root);
}

/* The row of a statement's current result: id, time, node, row (JSON). */
static struct mugai_index_row *
row_of(sqlite3_stmt *st, JsonParser *parser)
{
	struct mugai_index_row *r = g_new0(struct mugai_index_row, 1);
	const char *text = (const char *)sqlite3_column_text(st, 3);
	JsonObject *o;

	r->ir_id = g_strdup((const char *)sqlite3_column_text(st, 0));
	r->ir_time = sqlite3_column_int64(st, 1);
	r->ir_node = g_strdup((const char *)sqlite3_column_text(st, 2));
	if (text != NULL && (o = parse_line(parser, text, -1)) != NULL)
		r->ir_row = json_object_ref(o);
	else
		r->ir_row = json_object_new();
	return r;
}

/*
 * Applies line; itemfd_check (may be NULL) says whether an item is still
 * in the store (a "stored" line for an item that is not is skipped).
 */
static enum mugai_err
apply(struct mugai_index *ix, JsonParser *parser, const char *line,
    gssize len, int topfd, gboolean *changed)
{
	JsonObject *o = parse_line(parser, line, len);
	const char *op, *id;

	*changed = FALSE;
	if (o == NULL && len > 0) {
		/*
		 * A short write on a full disk may have left part of a line
		 * that the next write continued: the last row in it is
		 * whole.
		 */
		const char *p = g_strrstr_len(line, len, "{\"op\":");

		if (p != NULL && p != line)
			o = parse_line(parser, p, len - (p - line));
	}
	if (o == NULL || (op = jstr(o, "op")) == NULL ||
	    (id = jstr(o, "id")) == NULL || !mugai_qid_valid(id))
		return MUGAI_E_PARSE;
	if (strcmp(op, "stored") == 0) {
		if (topfd >= 0) {
			int fd = mugai_qdir_open_item(topfd, id);

			if (fd < 0)
				return MUGAI_OK;	/* gone since */
			close(fd);
		}
		return mugai_index_put_item(ix, o, changed);
	}
	if (strcmp(op, "dropped") == 0 || strcmp(op, "purged") == 0) {
		enum mugai_err err = delete_item(ix, id, changed);

		if (err == MUGAI_OK && strcmp(op, "purged") == 0) {
			g_autofree char *l = g_strndup(line, (gsize)len);

			err = put_event(ix, o, op, l, NULL);
		}
		return err;
	}
	if (strcmp(op, "released") == 0 || strcmp(op, "extracted") == 0) {
		g_autofree char *l = g_strndup(line, (gsize)len);

		return put_event(ix, o, op, l, changed);
	}
	return MUGAI_E_PARSE;
}

enum mugai_err
mugai_index_apply_line(struct mugai_index *ix, const char *line,
    gboolean *changed)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	gboolean c;
	enum mugai_err err = apply(ix, parser, line, (gssize)strlen(line), -1,
	    &c);

	if (changed != NULL)
		*changed = c;
	return err;
}

/* ---- the journal ---- */

static gint64
saved_pos(struct mugai_index *ix, const char *node, const char *segment)
{
	sqlite3_stmt *st;
	gint64 pos = 0;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_saved_pos(ix->ix_pg, node, segment);
#endif
	st = prepare(ix, "SELECT pos FROM journal "
	    "WHERE node = ? AND segment = ?");
	if (st == NULL)
		return -1;
	bind_text(st, 1, node);
	bind_text(st, 2, segment);
	if (sqlite3_step(st) == SQLITE_ROW)
		pos = sqlite3_column_int64(st, 0);
	release(st);
	return pos;
}

static enum mugai_err
save_pos(struct mugai_index *ix, const char *node, const char *segment,
    gint64 pos)
{
	sqlite3_stmt *st;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_save_pos(ix->ix_pg, node, segment, pos);
#endif
	st = prepare(ix, "INSERT INTO journal(node, segment, "
	    "pos) VALUES(?,?,?) ON CONFLICT(node, segment) "
	    "DO UPDATE SET pos = excluded.pos");
	if (st == NULL)
		return MUGAI_E_IO;
	bind_text(st, 1, node);
	bind_text(st, 2, segment);
	sqlite3_bind_int64(st, 3, pos);
	return run(ix, st);
}

/* TRUE when the last error may go away when the batch runs again. */
static gboolean
transient(struct mugai_index *ix)
{
#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_transient(ix->ix_pg);
#endif
	(void)ix;
	return FALSE;
}

/*
 * The whole lines of buf[0..n) (read at pos of segment) in one
 * transaction with the position after them (*used bytes); *applied
 * counts the lines that changed the index, once committed.
 */
static enum mugai_err
apply_chunk(struct mugai_index *ix, JsonParser *parser, int topfd,
    const char *buf, gsize n, const char *node, const char *segment,
    gint64 pos, guint *applied, gsize *used)
{
	enum mugai_err err;
	guint changes = 0;

	*used = 0;
	if ((err = mugai_index_begin(ix)) != MUGAI_OK)
		return err;
	for (;;) {
		const char *nl = memchr(buf + *used, '\n', n - *used);
		gboolean changed;
		enum mugai_err e;

		if (nl == NULL)
			break;
		e = apply(ix, parser, buf + *used, nl - (buf + *used), topfd,
		    &changed);
		/* A line not ours is skipped, not retried forever. */
		if (e != MUGAI_OK && e != MUGAI_E_PARSE) {
			err = e;
			break;
		}
		if (changed)
			changes++;
		*used = (gsize)(nl - buf) + 1;
	}
	if (err == MUGAI_OK && *used == 0 && n == CHUNK) {
		/* A line longer than a chunk: not ours, skip it. */
		const char *nl = memchr(buf, '\n', n);

		*used = nl != NULL ? (gsize)(nl - buf) + 1 : n;
	}
	if (err == MUGAI_OK)
		err = save_pos(ix, node, segment, pos + (gint64)*used);
	if (err == MUGAI_OK)
		err = mugai_index_commit(ix);
	else
		(void)exec(ix, "ROLLBACK");	/* keeps transient() */
	if (err == MUGAI_OK)
		*applied += changes;
	return err;
}

/* Applies one segment from its saved position. */
static enum mugai_err
catch_up_segment(struct mugai_index *ix, JsonParser *parser, int topfd,
    int jfd, const char *node, const char *segment, guint *applied)
{
	gint64 pos = saved_pos(ix, node, segment);
	char *buf = NULL;
	enum mugai_err err = MUGAI_OK;
	struct stat st;
	int fd;

	if (pos < 0)
		return MUGAI_E_IO;
	if ((fd = openat(jfd, segment, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) < 0)
		return errno == ENOENT ? MUGAI_OK : mugai_err_from_errno(errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return MUGAI_E_PERM;
	}
	if (pos >= st.st_size) {
		close(fd);	/* nothing new: the usual case */
		return MUGAI_OK;
	}
	buf = g_malloc(CHUNK + 1);
	while (err == MUGAI_OK && pos < st.st_size) {
		ssize_t n = pread(fd, buf, CHUNK, (off_t)pos);
		gsize used = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? mugai_err_from_errno(errno) : MUGAI_OK;
			break;
		}
		err = apply_chunk(ix, parser, topfd, buf, (gsize)n, node,
		    segment, pos, applied, &used);
		for (guint again = 1; err != MUGAI_OK && transient(ix) &&
		    again <= BATCH_RETRIES; again++) {
			/*
			 * Another gateway's batch and this one deadlocked
			 * (PostgreSQL chose this one) or could not be
			 * serialized: all of it was rolled back, the
			 * position too; the same lines again, so nothing
			 * is lost and nothing indexed twice.
			 */
			g_usleep(g_random_int_range(1, 50) * 1000 * again);
			err = apply_chunk(ix, parser, topfd, buf, (gsize)n,
			    node, segment, pos, applied, &used);
		}
		if (err != MUGAI_OK || used == 0)
			break;	/* only a partial line: the writer is on it */
		pos += (gint64)used;
	}
	g_free(buf);
	close(fd);
	return err;
}

enum mugai_err
mugai_index_catch_up(struct mugai_index *ix, int topfd, const char *node,
    guint *applied)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	GPtrArray *segs;
	enum mugai_err err = MUGAI_OK;
	guint dummy = 0;
	int jfd;

	if (applied == NULL)
		applied = &dummy;
	*applied = 0;
	if ((jfd = mugai_qdir_open(topfd, "journal")) < 0)
		return errno == ENOENT ? MUGAI_OK : MUGAI_E_PERM;
	segs = mugai_qdir_entries(jfd, 8);
	for (guint i = 0; i < segs->len && err == MUGAI_OK; i++)
		err = catch_up_segment(ix, parser, topfd, jfd, node,
		    g_ptr_array_index(segs, i), applied);
	g_ptr_array_free(segs, TRUE);
	close(jfd);
	return err;
}

enum mugai_err
mugai_index_prune_journal(struct mugai_index *ix, int topfd,
    const char *node, const char *before_day, guint *removed)
{
	enum mugai_err err = MUGAI_OK;
	GPtrArray *segs;
	guint dummy = 0;
	int jfd;

	if (removed == NULL)
		removed = &dummy;
	*removed = 0;
	if ((jfd = mugai_qdir_open(topfd, "journal")) < 0)
		return errno == ENOENT ? MUGAI_OK : MUGAI_E_PERM;
	segs = mugai_qdir_entries(jfd, 8);
	/* Sorted: the old segments come first. */
	for (guint i = 0; i < segs->len && err == MUGAI_OK; i++) {
		const char *seg = g_ptr_array_index(segs, i);
		struct stat st;

		if (strcmp(seg, before_day) >= 0)
			break;
		if (fstatat(jfd, seg, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;	/* not ours to remove */
		/* Kept until every line of it is in the index. */
		if (ix != NULL && saved_pos(ix, node, seg) < st.st_size)
			continue;
		if (unlinkat(jfd, seg, 0) != 0) {
			err = mugai_err_from_errno(errno);
			break;
		}
		(*removed)++;
		if (ix == NULL)
			continue;
#ifdef HAVE_LIBPQ
		if (ix->ix_pg != NULL)
			continue;	/* positions of gone segments: harmless */
#endif
		{
			sqlite3_stmt *q = prepare(ix, "DELETE FROM journal "
			    "WHERE node = ? AND segment = ?");

			if (q == NULL) {
				err = MUGAI_E_IO;
				break;
			}
			bind_text(q, 1, node);
			bind_text(q, 2, seg);
			err = run(ix, q);
		}
	}
	g_ptr_array_free(segs, TRUE);
	if (*removed > 0)
		(void)fsync(jfd);
	close(jfd);
	return err;
}

/* ---- search ---- */

void
mugai_index_query_init(struct mugai_index_query *q)
{
	memset(q, 0, sizeof *q);
	q->iq_since = G_MININT64;
	q->iq_until = G_MAXINT64;
}

/* The first rid of the microsecond usec (G_MININT64, G_MAXINT64: open). */
static gint64
rid_bound(gint64 usec)
{
	if (usec <= G_MININT64 / RID_SCALE)
		return G_MININT64;
	if (usec >= G_MAXINT64 / RID_SCALE)
		return G_MAXINT64;
	return usec * RID_SCALE;
}

/* A LIKE pattern matching s anywhere: %, _ and \ escaped. */
static char *
like(const char *s)
{
	GString *p = g_string_new("%");

	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			g_string_append_c(p, '\\');
		g_string_append_c(p, *s);
	}
	g_string_append_c(p, '%');
	return g_string_free(p, FALSE);
}

JsonObject *
mugai_ix_parse_object(const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o;

	if ((o = parse_line(parser, text, -1)) == NULL)
		return NULL;
	return json_object_ref(o);
}

void
mugai_ix_row_free(gpointer data)
{
	struct mugai_index_row *r = data;

	g_free(r->ir_id);
	g_free(r->ir_node);
	if (r->ir_row != NULL)
		json_object_unref(r->ir_row);
	g_free(r);
}

/* TRUE when hay contains needle, both casefolded. */
static gboolean
has(const char *hay, const char *needle)
{
	g_autofree char *h = NULL, *n = NULL;

	if (hay == NULL)
		return FALSE;
	h = g_utf8_casefold(hay, -1);
	n = g_utf8_casefold(needle, -1);
	return strstr(h, n) != NULL;
}

/*
 * The words check of a search, on the row itself: what (0 sender, 1
 * recipients, 2 subject) contains needle (NULL: no condition).
 */
static gboolean
row_has(JsonObject *row, int what, const char *needle)
{
	JsonObject *env = jobj(row, "envelope"), *hdr = jobj(row, "headers");
	JsonArray *rcpts;

	if (needle == NULL)
		return TRUE;
	if (what == 0)
		return has(jstr(env, "sender"), needle) ||
		    has(jstr(hdr, "from"), needle);
	if (what == 2)
		return has(jstr(hdr, "subject"), needle);
	rcpts = jarr(env, "recipients");
	for (guint i = 0; rcpts != NULL && i < json_array_get_length(rcpts);
	    i++) {
		JsonNode *n = json_array_get_element(rcpts, i);

		if (json_node_get_value_type(n) == G_TYPE_STRING &&
		    has(json_node_get_string(n), needle))
			return TRUE;
	}
	return has(jstr(hdr, "to"), needle) || has(jstr(hdr, "cc"), needle);
}

/* Whether row r holds each of q's words (a wild search's check). */
static gboolean
row_matches(const struct mugai_index_row *r,
    const struct mugai_index_query *q)
{
	return row_has(r->ir_row, 0, q->iq_from) &&
	    row_has(r->ir_row, 1, q->iq_rcpt) &&
	    row_has(r->ir_row, 2, q->iq_subject);
}

/*
 * value in lower case when it is a whole address (local@domain, nothing
 * that ends an address, no LIKE wildcard) that addrs holds for kind (0
 * sender, 1 recipient), else NULL: a part of an address, or one the
 * index never saw, is searched as a substring, as before schema 3.
 */
char *
mugai_ix_whole_addr(const char *value)
{
	const char *at = strchr(value, '@');

	if (at == NULL || at == value || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(value, '%') != NULL ||
	    value[strcspn(value, ADDR_SEPARATORS)] != '\0')
		return NULL;
	return g_utf8_strdown(value, -1);
}

static char *
known_addr(struct mugai_index *ix, int kind, const char *value)
{
	char *a = mugai_ix_whole_addr(value);
	sqlite3_stmt *st;
	int rc;

	if (a == NULL)
		return NULL;
	if ((st = prepare(ix, "SELECT 1 FROM addrs WHERE kind = ? AND "
	    "addr = ? LIMIT 1")) == NULL) {
		g_free(a);
		return NULL;
	}
	sqlite3_bind_int(st, 1, kind);
	bind_text(st, 2, a);
	rc = sqlite3_step(st);
	release(st);
	if (rc != SQLITE_ROW)
		g_clear_pointer(&a, g_free);
	return a;
}

/*
 * The names of kind that contain part (mugai_ix_name_part()), when a
 * search for part may go through them and addrs: each one a plain
 * address (mugai_ix_name_is_plain_addr()), at most MUGAI_IX_NAMES_MAX;
 * else NULL, and the search goes through the words' trigrams as before
 * schema 4 (transfer full).
 */
static GPtrArray *
sqlite_names(struct mugai_index *ix, int kind, const char *part)
{
	g_autofree char *pat = g_strconcat("%", part, "%", NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *st;
	int rc;

	if (mugai_ix_names_max == 0 || (st = prepare(ix, "SELECT name FROM "
	    "names_w WHERE name LIKE ? AND kind = ? LIMIT ?")) == NULL)
		goto no;
	bind_text(st, 1, pat);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_int64(st, 3, (gint64)mugai_ix_names_max + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name == NULL || !mugai_ix_name_is_plain_addr(name) ||
		    out->len >= mugai_ix_names_max)
			break;
		g_ptr_array_add(out, g_strdup(name));
	}
	release(st);
	if (rc == SQLITE_DONE)
		return out;
no:
	g_ptr_array_free(out, TRUE);
	return NULL;
}

/* TRUE when s has three characters in a row that are not % or _. */
static gboolean
has_trigram(const char *s)
{
	int plain = 0;

	for (; *s != '\0'; s = g_utf8_next_char(s)) {
		plain = *s == '%' || *s == '_' ? 0 : plain + 1;
		if (plain >= 3)
			return TRUE;
	}
	return FALSE;
}

static gint
rid_desc(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static gint
rid_asc(gconstpointer a, gconstpointer b)
{
	return rid_desc(b, a);
}

/*
 * Appends the row of item rid to out, unless it is gone since its rid was
 * found or (wild) the row itself does not hold q's words.
 */
static enum mugai_err
add_row(struct mugai_index *ix, gint64 rid,
    const struct mugai_index_query *q, gboolean wild, JsonParser *parser,
    GPtrArray *out)
{
	struct mugai_index_row *r;
	sqlite3_stmt *get;
	int rc;

	if ((get = prepare(ix, "SELECT id, time, node, row FROM items "
	    "WHERE rid = ?")) == NULL)
		return MUGAI_E_IO;
	sqlite3_bind_int64(get, 1, rid);
	if ((rc = sqlite3_step(get)) != SQLITE_ROW) {
		release(get);
		return rc == SQLITE_DONE ? MUGAI_OK : db_fail(ix);
	}
	r = row_of(get, parser);
	release(get);
	if (wild && !row_matches(r, q))
		mugai_ix_row_free(r);
	else
		g_ptr_array_add(out, r);
	return MUGAI_OK;
}

/*
 * The rids st finds from lo to hi (?1, ?2; binds from ?3), in its order,
 * appended to rids; SQLITE_DONE or the error.
 */
static int
collect_rids(sqlite3_stmt *st, gint64 lo, gint64 hi, GPtrArray *binds,
    GArray *rids)
{
	int rc;

	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	for (guint i = 0; i < binds->len; i++)
		bind_text(st, (int)i + 3, g_ptr_array_index(binds, i));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 rid = sqlite3_column_int64(st, 0);

		g_array_append_val(rids, rid);
	}
	release(st);
	return rc;
}

/*
 * The search through names (schema 4): st is the driver's statement for
 * one address (addrs a, ?3), with every other condition and the LIMIT,
 * binds (from ?4) its values. Each name's first matches come from its
 * own range of addrs, newest (or oldest) first; the page is the first
 * of all of them together, each item once (an item may carry two of the
 * names). Then its rows, in that order.
 */
static GPtrArray *
sqlite_search_names(struct mugai_index *ix, const struct mugai_index_query *q,
    sqlite3_stmt *st, GPtrArray *names, GPtrArray *binds, JsonParser *parser,
    enum mugai_err *err)
{
	g_autoptr(GArray) rids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GPtrArray) with_name = g_ptr_array_new();
	GPtrArray *out;
	guint n = 0;
	int rc = SQLITE_DONE;

	mugai_ix_names_used++;
	/* ?3 the name, then binds. */
	g_ptr_array_add(with_name, NULL);
	for (guint i = 0; i < binds->len; i++)
		g_ptr_array_add(with_name, g_ptr_array_index(binds, i));
	for (guint k = 0; k < names->len && rc == SQLITE_DONE; k++) {
		g_ptr_array_index(with_name, 0) = g_ptr_array_index(names, k);
		rc = collect_rids(st, rid_bound(q->iq_since),
		    rid_bound(q->iq_until), with_name, rids);
	}
	if (rc != SQLITE_DONE) {
		*err = db_fail(ix);
		return NULL;
	}
	g_array_sort(rids, q->iq_oldest_first ? rid_asc : rid_desc);
	for (guint i = 0; i < rids->len; i++)
		if (n == 0 || g_array_index(rids, gint64, i) !=
		    g_array_index(rids, gint64, n - 1))
			g_array_index(rids, gint64, n++) =
			    g_array_index(rids, gint64, i);
	if (q->iq_limit > 0 && n > q->iq_limit)
		n = q->iq_limit;
	out = g_ptr_array_new_with_free_func(mugai_ix_row_free);
	for (guint i = 0; i < n; i++)
		if ((*err = add_row(ix, g_array_index(rids, gint64, i), q,
		    FALSE, parser, out)) != MUGAI_OK) {
			g_ptr_array_unref(out);
			return NULL;
		}
	*err = MUGAI_OK;
	return out;
}

/*
 * The words' matches newest first without FTS5's newest-first walk.
 * SQLite 3.40's FTS5 leaves out some matches of a phrase (a trigram
 * LIKE of four characters or more) when it reads a large doclist
 * backwards and the gaps between rowids vary, as an index of real mail
 * has them: 3,397 of 3,401 at 1,000,000 items (BENCHMARKS.md, session
 * 10; t/check_index newest_first_finds_what_oldest_first_finds). Its
 * oldest-first walk finds them all. So st (the words' search, oldest
 * first, no LIMIT, selecting i.rid) is run on windows of time from the
 * newest end, each read oldest first and turned over, until the page is
 * full or the range is done: first the time of the newest four pages'
 * number of items (of any words), then, while nothing is found, eight
 * times the time read so far, else the time that the rate found so far
 * says the rest of the page needs, and half as much again. A word in
 * every item costs one statement, as before; a rarer one two or more,
 * and up to half again its page's matches (1,000,000 items:
 * BENCHMARKS.md, session 11).
 */

static GPtrArray *
sqlite_search_windows(struct mugai_index *ix,
    const struct mugai_index_query *q, sqlite3_stmt *st, GPtrArray *binds,
    gboolean wild, JsonParser *parser, enum mugai_err *err)
{
	g_autoptr(GArray) rids = g_array_new(FALSE, FALSE, sizeof(gint64));
	GPtrArray *out = g_ptr_array_new_with_free_func(mugai_ix_row_free);
	gint64 lo = rid_bound(q->iq_since), hi = rid_bound(q->iq_until);
	gint64 w = G_MAXINT64 / 2, read = 0, first, last;
	sqlite3_stmt *span;
	double est;
	int rc;

	/* Windows start at the newest item, not at the end of time. */
	if ((span = prepare(ix, "SELECT (SELECT min(rid) FROM items), "
	    "(SELECT max(rid) FROM items)")) == NULL) {
		*err = MUGAI_E_IO;
		goto fail;
	}
	rc = sqlite3_step(span);
	first = sqlite3_column_int64(span, 0);
	last = sqlite3_column_int64(span, 1);
	if (rc == SQLITE_ROW && sqlite3_column_type(span, 1) == SQLITE_NULL)
		hi = lo;	/* no items */
	release(span);
	if (rc != SQLITE_ROW) {
		*err = db_fail(ix);
		goto fail;
	}
	lo = MAX(lo, first);
	hi = MIN(hi, last < G_MAXINT64 ? last + 1 : last);
	/*
	 * The first window holds four times the page's number of items, of
	 * any words (all of them when there are fewer): a word in every
	 * item then costs one statement, one in ten or two hundred two
	 * (fewer statements than a smaller window or an hour, at 1,000,000
	 * items).
	 */
	if (q->iq_limit > 0 && (span = prepare(ix, "SELECT rid FROM items "
	    "WHERE rid < ?1 ORDER BY rid DESC LIMIT 1 OFFSET ?2")) != NULL) {
		sqlite3_bind_int64(span, 1, hi);
		sqlite3_bind_int64(span, 2, (gint64)q->iq_limit * 4 - 1);
		if (sqlite3_step(span) == SQLITE_ROW)
			w = MAX(hi - sqlite3_column_int64(span, 0), 1);
		release(span);
	}
	while (hi > lo) {
		gint64 from = q->iq_limit == 0 || hi - lo <= w ? lo : hi - w;

		g_array_set_size(rids, 0);
		if (collect_rids(st, from, hi, binds, rids) != SQLITE_DONE) {
			*err = db_fail(ix);
			goto fail;
		}
		for (guint i = rids->len; i-- > 0 && (q->iq_limit == 0 ||
		    out->len < q->iq_limit);)
			if ((*err = add_row(ix, g_array_index(rids, gint64, i),
			    q, wild, parser, out)) != MUGAI_OK)
				goto fail;
		read += hi - from;
		hi = from;
		if (q->iq_limit == 0 || out->len >= q->iq_limit)
			break;
		if (out->len == 0)
			est = (double)read * 8;
		else
			est = (double)read * (q->iq_limit - out->len) /
			    out->len * 1.5;
		w = est < (double)G_MAXINT64 / 2 ? MAX((gint64)est, 1) :
		    G_MAXINT64 / 2;
	}
	*err = MUGAI_OK;
	return out;
fail:
	g_ptr_array_unref(out);
	return NULL;
}

GPtrArray *
mugai_index_search(struct mugai_index *ix, const struct mugai_index_query *q,
    enum mugai_err *err)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GPtrArray) names = NULL;
	GString *sql = g_string_new(NULL);
	const char *driver;
	GString *words = g_string_new(NULL);
	GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *out = NULL;
	sqlite3_stmt *st;
	gboolean wild = FALSE, windows = FALSE;
	char *addr[2] = { NULL, NULL };
	int rc, n_addr = 0;
	struct {
		const char *value;
		const char *col;
	} w[] = {
		{ q->iq_from, "sender" },
		{ q->iq_rcpt, "rcpt" },
		{ q->iq_subject, "subject" },
	};

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL) {
		char *likes[3];

		for (gsize i = 0; i < G_N_ELEMENTS(w); i++)
			likes[i] = w[i].value != NULL ? like(w[i].value) :
			    NULL;
		out = mugai_pgx_search(ix->ix_pg, q,
		    (const char *const *)likes, err);
		for (gsize i = 0; i < G_N_ELEMENTS(w); i++)
			g_free(likes[i]);
		goto out;
	}
#endif
	/*
	 * One table drives the search, walked by rid (time) from the end
	 * the caller wants, and the other conditions are tested row by row
	 * until the LIMIT is reached: the words (FTS5 hands its matches out
	 * in rowid order, so a common word stops after the page), else a
	 * rule's (rule, rid) entries, else items itself, where SQLite picks
	 * the Message-ID, SHA-256, verdict or node index when there is one
	 * of those (each ordered by rid after its key). CROSS JOIN keeps
	 * the driver outside.
	 *
	 * FTS5's trigram index serves LIKE only without ESCAPE: a % or _
	 * the user typed is then a wildcard, and the rows are checked
	 * against the text itself after the query (wild).
	 */
	/*
	 * A sender or recipient that is a whole address the index has seen
	 * is looked up in addrs (its items, newest first), not through
	 * trigrams common to nearly every row; the other words are then
	 * tested on the driver's rows.
	 */
	for (gsize i = 0; i < 2; i++)
		if (w[i].value != NULL && (addr[i] = known_addr(ix, (int)i,
		    w[i].value)) != NULL)
			n_addr++;
	for (gsize i = 0; i < G_N_ELEMENTS(w); i++)
		if (w[i].value != NULL && strpbrk(w[i].value, "%_") != NULL)
			wild = TRUE;
	/*
	 * Else part of an address (schema 4): the names that contain it,
	 * when they are few plain addresses, drive through addrs, one
	 * name after the other (sqlite_search_names()); addr[k] stands for
	 * them in the SQL below.
	 */
	for (gsize i = 0; i < 2 && n_addr == 0 && !wild; i++) {
		g_autofree char *part = NULL;

		if (w[i].value == NULL || (part = mugai_ix_name_part(
		    w[i].value)) == NULL)
			continue;
		if (!mugai_ix_names_worth((int)i, part) ||
		    (names = sqlite_names(ix, (int)i, part)) == NULL)
			continue;
		addr[i] = g_steal_pointer(&part);
		n_addr++;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(w); i++) {
		if (w[i].value == NULL || (i < 2 && addr[i] != NULL))
			continue;
		if (n_addr > 0)
			/* On the driver's row: its rowid, not a search. */
			g_string_append_printf(words, " AND EXISTS(SELECT 1 "
			    "FROM words w WHERE w.rowid = i.rid AND "
			    "(w.%s || '') LIKE ?)", w[i].col);
		/*
		 * Fewer than three characters have no trigram: the index
		 * would find nothing, so such a word is matched by a scan
		 * (an expression, which FTS5 leaves to SQLite), of the
		 * words in rid order, which still stops at the LIMIT. So
		 * is a pattern whose every run between wildcards is
		 * shorter ("a%b"): SQLite 3.40's FTS5 crashed on one of
		 * those beside a second word (t/check_index).
		 */
		else
			g_string_append_printf(words,
			    !has_trigram(w[i].value) ?
			    " AND (w.%s || '') LIKE ?" : " AND w.%s LIKE ?",
			    w[i].col);
		g_ptr_array_add(binds, g_strconcat("%", w[i].value, "%",
		    NULL));
	}
	if (n_addr > 0) {
		int k = addr[0] != NULL ? 0 : 1;
		GPtrArray *words_binds = binds;

		/* The address binds come first in the SQL text. */
		binds = g_ptr_array_new_with_free_func(g_free);
		driver = "a.rid";
		g_string_append_printf(sql, "addrs a CROSS JOIN items i "
		    "ON i.rid = a.rid WHERE a.rid >= ?1 AND a.rid < ?2 AND "
		    "a.kind = %d AND a.addr = ?", k);
		g_ptr_array_add(binds, g_strdup(addr[k]));
		if (k == 0 && addr[1] != NULL) {
			g_string_append(sql, " AND EXISTS(SELECT 1 FROM addrs "
			    "b WHERE b.kind = 1 AND b.addr = ? AND "
			    "b.rid = i.rid)");
			g_ptr_array_add(binds, g_strdup(addr[1]));
		}
		g_string_append(sql, words->str);
		for (guint i = 0; i < words_binds->len; i++)
			g_ptr_array_add(binds,
			    g_strdup(g_ptr_array_index(words_binds, i)));
		g_ptr_array_free(words_binds, TRUE);
		if (q->iq_rule != NULL) {
			g_string_append(sql, " AND i.rid IN (SELECT rid FROM "
			    "rules WHERE rule = ?)");
			g_ptr_array_add(binds, g_strdup(q->iq_rule));
		}
	} else if (words->len > 0) {
		driver = "w.rowid";
		windows = !q->iq_oldest_first;
		g_string_append(sql, "words w CROSS JOIN items i "
		    "ON i.rid = w.rowid WHERE w.rowid >= ?1 AND w.rowid < ?2");
		g_string_append(sql, words->str);
		if (q->iq_rule != NULL) {
			g_string_append(sql, " AND i.rid IN (SELECT rid FROM "
			    "rules WHERE rule = ?)");
			g_ptr_array_add(binds, g_strdup(q->iq_rule));
		}
	} else if (q->iq_rule != NULL) {
		driver = "r.rid";
		g_string_append(sql, "rules r CROSS JOIN items i "
		    "ON i.rid = r.rid WHERE r.rid >= ?1 AND r.rid < ?2 AND "
		    "r.rule = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_rule));
	} else {
		driver = "i.rid";
		g_string_append(sql, "items i WHERE i.rid >= ?1 AND "
		    "i.rid < ?2");
	}
	if (q->iq_message_id != NULL) {
		g_string_append(sql, " AND i.message_id = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_message_id));
	}
	if (q->iq_sha256 != NULL) {
		/* Two index lookups, not an OR that SQLite would scan. */
		g_string_append(sql, " AND i.rid IN (SELECT rid FROM items "
		    "WHERE sha256 = ? UNION SELECT rid FROM parts "
		    "WHERE sha256 = ?)");
		g_ptr_array_add(binds, g_ascii_strdown(q->iq_sha256, -1));
		g_ptr_array_add(binds, g_ascii_strdown(q->iq_sha256, -1));
	}
	if (q->iq_verdict != NULL) {
		g_string_append(sql, " AND i.verdict = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_verdict));
	}
	if (q->iq_node != NULL) {
		g_string_append(sql, " AND i.node = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_node));
	}
	g_string_append_printf(sql, " ORDER BY %s %s", driver,
	    q->iq_oldest_first || windows ? "ASC" : "DESC");
	if (q->iq_limit > 0 && !wild && !windows)
		g_string_append_printf(sql, " LIMIT %u", q->iq_limit);
	g_string_prepend(sql, names != NULL || windows ? "SELECT i.rid FROM " :
	    "SELECT i.id, i.time, i.node, i.row FROM ");
	if (names != NULL && binds->len == 1) {
		/*
		 * Nothing else to test: each name's entries in addrs alone,
		 * without reading an item row for each (17 offices' names,
		 * 1,700 rows: 15 ms with them at 1,000,000 items).
		 */
		g_string_printf(sql, "SELECT a.rid FROM addrs a WHERE "
		    "a.rid >= ?1 AND a.rid < ?2 AND a.kind = %d AND "
		    "a.addr = ? ORDER BY a.rid %s", addr[0] != NULL ? 0 : 1,
		    q->iq_oldest_first ? "ASC" : "DESC");
		if (q->iq_limit > 0)
			g_string_append_printf(sql, " LIMIT %u", q->iq_limit);
	}
	if ((st = prepare(ix, sql->str)) == NULL) {
		*err = MUGAI_E_IO;
		goto out;
	}
	if (names != NULL) {
		/* binds[0] is the address: each name in its place. */
		g_ptr_array_remove_index(binds, 0);
		out = sqlite_search_names(ix, q, st, names, binds, parser,
		    err);
		goto out;
	}
	if (windows) {
		out = sqlite_search_windows(ix, q, st, binds, wild, parser,
		    err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, rid_bound(q->iq_since));
	sqlite3_bind_int64(st, 2, rid_bound(q->iq_until));
	for (guint i = 0; i < binds->len; i++)
		bind_text(st, (int)i + 3, g_ptr_array_index(binds, i));
	out = g_ptr_array_new_with_free_func(mugai_ix_row_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mugai_index_row *r = row_of(st, parser);

		if (wild && !row_matches(r, q)) {
			mugai_ix_row_free(r);
			continue;
		}
		g_ptr_array_add(out, r);
		if (wild && q->iq_limit > 0 && out->len >= q->iq_limit)
			break;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE) {
		*err = db_fail(ix);
		g_clear_pointer(&out, g_ptr_array_unref);
	} else
		*err = MUGAI_OK;
	release(st);
out:
	g_free(addr[0]);
	g_free(addr[1]);
	g_string_free(sql, TRUE);
	g_string_free(words, TRUE);
	g_ptr_array_free(binds, TRUE);
	return out;
}

gint64
mugai_index_count(struct mugai_index *ix, enum mugai_err *err)
{
	sqlite3_stmt *st;
	gint64 n = -1;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_count(ix->ix_pg, err);
#endif
	st = prepare(ix, "SELECT count(*) FROM items");
	if (st == NULL) {
		*err = MUGAI_E_IO;
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		*err = MUGAI_OK;
	} else
		*err = db_fail(ix);
	release(st);
	return n;
}

/* ---- requests and events ---- */

void
mugai_index_request_free(struct mugai_index_request *rq)
{
	if (rq == NULL)
		return;
	g_free(rq->rq_item);
	g_free(rq->rq_part);
	g_free(rq->rq_requester);
	g_free(rq->rq_state);
	g_free(rq->rq_decider);
	g_free(rq->rq_reason);
	g_free(rq->rq_decision);
	g_free(rq);
}

enum mugai_err
mugai_index_request_put(struct mugai_index *ix,
    struct mugai_index_request *rq)
{
	sqlite3_stmt *st;
	enum mugai_err err;

	if (rq->rq_state == NULL || (rq->rq_id == 0 &&
	    (rq->rq_item == NULL || !mugai_qid_valid(rq->rq_item) ||
	    rq->rq_requester == NULL)))
		return MUGAI_E_INVAL;
#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_request_put(ix->ix_pg, rq);
#endif
	if (rq->rq_id == 0) {
		st = prepare(ix, "INSERT INTO requests(item, part, "
		    "requester, state, decider, requested, decided, reason, "
		    "decision) VALUES(?,?,?,?,?,?,?,?,?)");
		if (st == NULL)
			return MUGAI_E_IO;
		bind_text(st, 1, rq->rq_item);
		bind_text(st, 2, rq->rq_part);
		bind_text(st, 3, rq->rq_requester);
		bind_text(st, 4, rq->rq_state);
		bind_text(st, 5, rq->rq_decider);
		sqlite3_bind_int64(st, 6, rq->rq_requested != 0 ?
		    rq->rq_requested : g_get_real_time());
		sqlite3_bind_int64(st, 7, rq->rq_decided);
		bind_text(st, 8, rq->rq_reason);
		bind_text(st, 9, rq->rq_decision);
		if ((err = run(ix, st)) == MUGAI_OK)
			rq->rq_id = sqlite3_last_insert_rowid(ix->ix_db);
		return err;
	}
	if (rq->rq_state == NULL)
		return MUGAI_E_INVAL;
	st = prepare(ix, "UPDATE requests SET state = ?, decider = ?, "
	    "decided = ?, decision = ? WHERE rq = ?");
	if (st == NULL)
		return MUGAI_E_IO;
	bind_text(st, 1, rq->rq_state);
	bind_text(st, 2, rq->rq_decider);
	sqlite3_bind_int64(st, 3, rq->rq_decided != 0 ? rq->rq_decided :
	    g_get_real_time());
	bind_text(st, 4, rq->rq_decision);
	sqlite3_bind_int64(st, 5, rq->rq_id);
	if ((err = run(ix, st)) != MUGAI_OK)
		return err;
	return sqlite3_changes(ix->ix_db) > 0 ? MUGAI_OK : MUGAI_E_NOTFOUND;
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

GPtrArray *
mugai_index_requests(struct mugai_index *ix, const char *item,
    const char *state, enum mugai_err *err)
{
	sqlite3_stmt *st;
	GPtrArray *out;
	int rc;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_requests(ix->ix_pg, item, state, err);
#endif
	st = prepare(ix, "SELECT rq, item, part, requester, "
	    "state, decider, requested, decided, reason, decision "
	    "FROM requests WHERE (?1 IS NULL OR item = ?1) AND "
	    "(?2 IS NULL OR state = ?2) ORDER BY rq");
	if (st == NULL) {
		*err = MUGAI_E_IO;
		return NULL;
	}
	bind_text(st, 1, item);
	bind_text(st, 2, state);
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_index_request_free);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mugai_index_request *rq = g_new0(
		    struct mugai_index_request, 1);

		rq->rq_id = sqlite3_column_int64(st, 0);
		rq->rq_item = col_dup(st, 1);
		rq->rq_part = col_dup(st, 2);
		rq->rq_requester = col_dup(st, 3);
		rq->rq_state = col_dup(st, 4);
		rq->rq_decider = col_dup(st, 5);
		rq->rq_requested = sqlite3_column_int64(st, 6);
		rq->rq_decided = sqlite3_column_int64(st, 7);
		rq->rq_reason = col_dup(st, 8);
		rq->rq_decision = col_dup(st, 9);
		g_ptr_array_add(out, rq);
	}
	if (rc != SQLITE_DONE) {
		*err = db_fail(ix);
		g_clear_pointer(&out, g_ptr_array_unref);
	} else
		*err = MUGAI_OK;
	release(st);
	return out;
}

GPtrArray *
mugai_index_events(struct mugai_index *ix, const char *id,
    enum mugai_err *err)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	sqlite3_stmt *st;
	GPtrArray *out;
	int rc;

#ifdef HAVE_LIBPQ
	if (ix->ix_pg != NULL)
		return mugai_pgx_events(ix->ix_pg, id, err);
#endif
	st = prepare(ix, "SELECT line FROM events WHERE id = ? "
	    "ORDER BY time");
	if (st == NULL) {
		*err = MUGAI_E_IO;
		return NULL;
	}
	bind_text(st, 1, id);
	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)json_object_unref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		JsonObject *o;

		if (t != NULL && (o = parse_line(parser, t, -1)) != NULL)
			g_ptr_array_add(out, json_object_ref(o));
	}
	if (rc != SQLITE_DONE) {
		*err = db_fail(ix);
		g_clear_pointer(&out, g_ptr_array_unref);
	} else
		*err = MUGAI_OK;
	release(st);
	return out;
}
