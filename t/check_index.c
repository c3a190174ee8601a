/*
 * check_index - the quarantine index (lib/index/) on SQLite, fed by a
 * real store's journal
 *
 * Each case stores items through lib/store (so the journal is the one
 * the milter writes), applies the journal and searches: substring
 * matches (Japanese too, words of two characters included), SHA-256 of
 * a part, Message-ID, rule, node; each line applied exactly once however
 * often the journal is read (and when the positions are lost); purge
 * lines remove rows; the portal's request rows; newest-first pages in
 * time order whatever order the rows came in (rid = time, schema 2); a
 * schema 1 index converted when opened; whole addresses looked up
 * exactly in addrs, and a schema 2 index given them (schema 3); part of
 * an address through names and addrs finding exactly what the words'
 * trigrams find, and a schema 3 index given its names (schema 4);
 * a purge taking the addresses no item carries any more out of names;
 * two gateways adding the same new names at once, a batch broken out
 * of a deadlock run again, a purge beside another gateway's open batch;
 * journal retention. With MUGAI_TEST_PG_URL set (t/index-pg.sh), the
 * names, purge and concurrency cases run on that PostgreSQL database
 * instead (each case on a database of its own).
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "index/index.h"
#include "index/index_int.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "testutil.h"

static const char msg_ja[] =
    "From: =?UTF-8?B?5bGx55Sw?= <taro_y@sender.example>\r\n"
    "To: staff@city.example.lg.jp\r\n"
    "Subject: =?UTF-8?B?6KuL5rGC5pu4?= =?UTF-8?B?44Gu6YCB5LuY?=\r\n"
    "Message-ID: <ja1@sender.example>\r\n"
    "\r\n"
    "body\r\n";
static const char msg_en[] =
    "From: bob@other.example\r\n"
    "To: clerk@town.example.lg.jp\r\n"
    "Subject: quarterly report\r\n"
    "Message-ID: <en1@other.example>\r\n"
    "\r\n"
    "body\r\n";

struct fix {
	char *tmp;
	char *store;
	struct mugai_quarantine *q;
	struct mugai_index *ix;
	int top;
};

static void
fix_open(struct fix *f)
{
	enum mugai_err err;
	g_autofree char *msg = NULL;

	f->tmp = g_dir_make_tmp("mugai-ix-XXXXXX", NULL);
	ck_assert_ptr_nonnull(f->tmp);
	f->store = g_build_filename(f->tmp, "store", NULL);
	f->q = mugai_quarantine_open(f->store, NULL, &err);
	ck_assert_ptr_nonnull(f->q);
	mugai_quarantine_set_node(f->q, "gw1");
	f->ix = mugai_index_open(NULL, f->store, (gid_t)-1, &err, &msg);
	ck_assert_msg(f->ix != NULL, "%s", msg);
	f->top = mugai_quarantine_fd(f->q);
}

static void
fix_close(struct fix *f)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->tmp);

	mugai_index_close(f->ix);
	mugai_quarantine_close(f->q);
	ck_assert_int_eq(system(cmd), 0);
	g_free(f->store);
	g_free(f->tmp);
}

/* Stores msg with a report whose part 1.2 has sha and rule "exe". */
static char *
store(struct fix *f, const char *msg, const char *sha)
{
	const char *const rcpts[] = { "<staff@city.example.lg.jp>", NULL };
	struct mugai_envelope env = { "Q1", "192.0.2.1", "c.example",
	    "h.example", "<taro_y@sender.example>", rcpts, NULL };
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	char *id = mugai_qid_new();

	r->rr_verdict = MUGAI_V_SANITIZED;
	p = mugai_report_add_part(r, "1.2", "part");
	p->rp_filename = g_strdup("a.exe");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	p->rp_rule = g_strdup("exe");
	g_strlcpy(p->rp_sha256, sha, sizeof p->rp_sha256);
	ck_assert_int_eq(mugai_quarantine_store(f->q, id, s, &env, r,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	mugai_report_free(r);
	return id;
}

static guint
count(struct fix *f, const struct mugai_index_query *q)
{
	enum mugai_err err;
	GPtrArray *a = mugai_index_search(f->ix, q, &err);
	guint n;

	ck_assert_msg(a != NULL, "search: %s", mugai_index_errmsg(f->ix));
	n = a->len;
	g_ptr_array_free(a, TRUE);
	return n;
}

static const char sha_a[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

START_TEST(search_finds_by_every_field)
{
	struct fix f;
	struct mugai_index_query q;
	guint n = 0;

	fix_open(&f);
	g_free(store(&f, msg_ja, sha_a));
	g_free(store(&f, msg_en, sha_b));
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 2);
	mugai_index_query_init(&q);
	ck_assert_uint_eq(count(&f, &q), 2);
	/* A Japanese word inside the subject, three and two characters. */
	q.iq_subject = "請求書";
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_subject = "送付";
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_subject = "REPORT";
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_subject = NULL;
	/* An _ is a character, not a wildcard. */
	q.iq_from = "taro_y";
	ck_assert_uint_eq(count(&f, &q), 2);	/* the envelope sender */
	q.iq_from = "o_y";
	ck_assert_uint_eq(count(&f, &q), 2);
	q.iq_from = "oXy";
	ck_assert_uint_eq(count(&f, &q), 0);
	q.iq_from = NULL;
	q.iq_rcpt = "clerk@town";
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_rcpt = NULL;
	q.iq_sha256 = sha_b;
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_sha256 = NULL;
	q.iq_message_id = "ja1@sender.example";
	ck_assert_uint_eq(count(&f, &q), 1);
	q.iq_message_id = NULL;
	q.iq_rule = "exe";
	ck_assert_uint_eq(count(&f, &q), 2);
	q.iq_rule = "ex";
	ck_assert_uint_eq(count(&f, &q), 0);
	q.iq_rule = NULL;
	q.iq_node = "gw1";
	ck_assert_uint_eq(count(&f, &q), 2);
	q.iq_node = "gw2";
	ck_assert_uint_eq(count(&f, &q), 0);
	fix_close(&f);
}
END_TEST

static const char msg_x[] =
    "From: \"Bob\" <BOB@Other.example>\r\n"
    "To: xclerk@town.example.lg.jp, Clerk <clerk@town.example.lg.jp.ex>\r\n"
    "Subject: quarterly report\r\n"
    "Message-ID: <x1@other.example>\r\n"
    "\r\n"
    "body\r\n";

/* Rows of addrs for kind and addr, straight from the file. */
static int
addr_rows(struct fix *f, int kind, const char *addr)
{
	g_autofree char *path = g_build_filename(f->store, "index.sqlite",
	    NULL);
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM addrs "
	    "WHERE kind = ? AND addr = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* The searches of whole_address_is_looked_up_exactly, on f. */
static void
whole_address_searches(struct fix *f)
{
	struct mugai_index_query q;

	mugai_index_query_init(&q);
	/* Whole and known: that address only, in any case. */
	q.iq_rcpt = "clerk@town.example.lg.jp";
	ck_assert_uint_eq(count(f, &q), 1);
	q.iq_rcpt = "CLERK@Town.Example.LG.jp";
	ck_assert_uint_eq(count(f, &q), 1);
	/* Part of an address: a substring, as before. */
	q.iq_rcpt = "clerk@town";
	ck_assert_uint_eq(count(f, &q), 2);
	/* Whole but never seen: a substring too. */
	q.iq_rcpt = "lerk@town.example.lg.jp";
	ck_assert_uint_eq(count(f, &q), 2);
	/* Every item's envelope recipient. */
	q.iq_rcpt = "staff@city.example.lg.jp";
	ck_assert_uint_eq(count(f, &q), 3);
	q.iq_rcpt = NULL;
	q.iq_from = "bob@other.example";
	ck_assert_uint_eq(count(f, &q), 2);
	/* With other conditions, tested on the address's items. */
	q.iq_rcpt = "clerk@town.example.lg.jp";
	ck_assert_uint_eq(count(f, &q), 1);
	q.iq_subject = "report";
	ck_assert_uint_eq(count(f, &q), 1);
	q.iq_subject = "請求書";
	ck_assert_uint_eq(count(f, &q), 0);
	q.iq_subject = NULL;
	q.iq_rcpt = "staff@city.example.lg.jp";
	q.iq_rule = "exe";
	ck_assert_uint_eq(count(f, &q), 2);
	q.iq_rule = NULL;
	q.iq_limit = 1;
	ck_assert_uint_eq(count(f, &q), 1);
	q.iq_limit = 0;
	q.iq_from = "taro_y@sender.example";
	q.iq_rcpt = "staff@city.example.lg.jp";
	ck_assert_uint_eq(count(f, &q), 3);
	q.iq_from = NULL;
	q.iq_rcpt = NULL;
	/* Two characters and a wildcard-looking _ next to an address. */
	q.iq_from = "bob@other.example";
	q.iq_subject = "ly";
	ck_assert_uint_eq(count(f, &q), 2);
	q.iq_subject = "l_";
	ck_assert_uint_eq(count(f, &q), 0);
}

START_TEST(whole_address_is_looked_up_exactly)
{
	struct fix f;
	g_autofree char *x = NULL;
	guint n = 0;

	fix_open(&f);
	g_free(store(&f, msg_ja, sha_a));
	g_free(store(&f, msg_en, sha_b));
	x = store(&f, msg_x, sha_b);
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 3);
	/* The From: header's address, lower case, beside the envelope. */
	ck_assert_int_eq(addr_rows(&f, 0, "bob@other.example"), 2);
	ck_assert_int_eq(addr_rows(&f, 1, "clerk@town.example.lg.jp.ex"), 1);
	whole_address_searches(&f);
	/* A purged item's addresses go with it. */
	ck_assert_int_eq(mugai_index_delete_item(f.ix, x), MUGAI_OK);
	ck_assert_int_eq(addr_rows(&f, 0, "bob@other.example"), 1);
	ck_assert_int_eq(addr_rows(&f, 1, "xclerk@town.example.lg.jp"), 0);
	fix_close(&f);
}
END_TEST

START_TEST(schema2_index_gets_addresses)
{
	struct fix f;
	g_autofree char *path = NULL, *msg = NULL;
	enum mugai_err err;
	guint n = 0;
	sqlite3 *db;

	fix_open(&f);
	g_free(store(&f, msg_ja, sha_a));
	g_free(store(&f, msg_en, sha_b));
	g_free(store(&f, msg_x, sha_b));
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	mugai_index_close(f.ix);
	/* What schema 2 had: no addrs. */
	path = g_build_filename(f.store, "index.sqlite", NULL);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE addrs;"
	    "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f.ix = mugai_index_open(NULL, f.store, (gid_t)-1, &err, &msg);
	ck_assert_msg(f.ix != NULL, "%s", msg);
	ck_assert_int_eq(addr_rows(&f, 0, "bob@other.example"), 2);
	ck_assert_int_eq(addr_rows(&f, 1, "staff@city.example.lg.jp"), 3);
	whole_address_searches(&f);
	fix_close(&f);
}
END_TEST

START_TEST(journal_applied_exactly_once)
{
	struct fix f;
	struct mugai_index_query q;
	enum mugai_err err;
	guint n = 0;

	fix_open(&f);
	g_free(store(&f, msg_ja, sha_a));
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	/* Again: nothing new. */
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 0);
	/* Positions lost (another node name): every line again, no row. */
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "other", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 0);
	g_free(store(&f, msg_en, sha_b));
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 2);
	mugai_index_query_init(&q);
	ck_assert_uint_eq(count(&f, &q), 2);
	fix_close(&f);
}
END_TEST

/* SELECT count(*) of sql, straight from the file. */
static int
rows_of(struct fix *f, const char *sql)
{
	g_autofree char *path = g_build_filename(f->store, "index.sqlite",
	    NULL);
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

START_TEST(purge_and_dropped_remove_rows)
{
	struct fix f;
	enum mugai_err err;
	g_autofree char *id = NULL;
	g_autofree char *line = NULL;
	gboolean changed;
	guint n = 0, purged = 0;

	fix_open(&f);
	id = store(&f, msg_ja, sha_a);
	g_free(store(&f, msg_en, sha_b));
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 2);
	ck_assert_int_eq(rows_of(&f, "SELECT count(*) FROM rules"), 2);
	line = g_strdup_printf("{\"op\":\"dropped\",\"id\":\"%s\"}", id);
	ck_assert_int_eq(mugai_index_apply_line(f.ix, line, &changed),
	    MUGAI_OK);
	ck_assert(changed);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 1);
	ck_assert_int_eq(rows_of(&f, "SELECT count(*) FROM rules"), 1);
	/* Purge everything (0 days, a minute ahead): a journal line each. */
	ck_assert_int_eq(mugai_quarantine_purge(f.q, 0, g_get_real_time() +
	    60 * G_USEC_PER_SEC, "test", &purged, NULL), MUGAI_OK);
	ck_assert_uint_eq(purged, 2);
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 0);
	/* Every row of theirs, each through its key. */
	ck_assert_int_eq(rows_of(&f, "SELECT (SELECT count(*) FROM rules) + "
	    "(SELECT count(*) FROM addrs) + (SELECT count(*) FROM parts) + "
	    "(SELECT count(*) FROM words)"), 0);
	/* Their addresses left names: only display names' words stay. */
	ck_assert_int_eq(rows_of(&f, "SELECT count(*) FROM names "
	    "WHERE name LIKE '%@%'"), 0);
	fix_close(&f);
}
END_TEST

START_TEST(stored_line_for_a_missing_item_is_skipped)
{
	struct fix f;
	enum mugai_err err;
	g_autofree char *id = NULL;
	guint n = 0;
	int day;

	fix_open(&f);
	id = store(&f, msg_ja, sha_a);
	/* The item goes (a crash took it back) before the indexer runs. */
	{
		g_autofree char *path = mugai_qid_path(f.store, id);
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", path);

		ck_assert_int_eq(system(cmd), 0);
	}
	(void)day;
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 0);
	fix_close(&f);
}
END_TEST

START_TEST(requests_are_stored_and_decided)
{
	struct fix f;
	struct mugai_index_request rq = { 0 };
	struct mugai_index_request *got;
	enum mugai_err err;
	g_autofree char *id = mugai_qid_new();
	GPtrArray *a;

	fix_open(&f);
	rq.rq_item = id;
	rq.rq_part = (char *)"1.2";
	rq.rq_requester = (char *)"staff@city.example.lg.jp";
	rq.rq_state = (char *)"pending";
	rq.rq_reason = (char *)"見積書が必要です";
	ck_assert_int_eq(mugai_index_request_put(f.ix, &rq), MUGAI_OK);
	ck_assert_int_gt(rq.rq_id, 0);
	rq.rq_state = (char *)"approved";
	rq.rq_decider = (char *)"admin";
	ck_assert_int_eq(mugai_index_request_put(f.ix, &rq), MUGAI_OK);
	a = mugai_index_requests(f.ix, id, NULL, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 1);
	got = g_ptr_array_index(a, 0);
	ck_assert_str_eq(got->rq_state, "approved");
	ck_assert_str_eq(got->rq_decider, "admin");
	ck_assert_str_eq(got->rq_reason, "見積書が必要です");
	ck_assert_int_gt(got->rq_decided, 0);
	g_ptr_array_free(a, TRUE);
	a = mugai_index_requests(f.ix, NULL, "pending", &err);
	ck_assert_uint_eq(a->len, 0);
	g_ptr_array_free(a, TRUE);
	rq.rq_id = 9999;
	ck_assert_int_eq(mugai_index_request_put(f.ix, &rq),
	    MUGAI_E_NOTFOUND);
	fix_close(&f);
}
END_TEST

/* An item row as the journal has it, stored at usec (+ n). */
static JsonObject *
row_at(gint64 usec, guint n, const char *subject, const char *rule)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(usec /
	    G_USEC_PER_SEC);
	g_autofree char *day = g_date_time_format(dt, "%Y%m%d-%H%M%S");
	g_autofree char *id = g_strdup_printf("%s-%06d-5bce98f7-%016x", day,
	    (int)(usec % G_USEC_PER_SEC), n);
	g_autofree char *text = g_strdup_printf("{\"op\":\"stored\","
	    "\"id\":\"%s\",\"node\":\"gw1\",\"envelope\":{\"sender\":"
	    "\"a@sender.example\",\"recipients\":[\"b@city.example.lg.jp\"]},"
	    "\"headers\":{\"subject\":\"%s\",\"message_id\":\"%u@x\"},"
	    "\"summary\":{\"verdict\":\"%s\"},\"rules\":[%s%s%s]}", id,
	    subject, n, n % 3 == 0 ? "rejected" : "sanitized",
	    rule != NULL ? "\"" : "", rule != NULL ? rule : "",
	    rule != NULL ? "\"" : "");
	g_autoptr(JsonParser) p = json_parser_new();

	ck_assert(json_parser_load_from_data(p, text, -1, NULL));
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

/* The times of the rows a search finds, in its order. */
static GArray *
times(struct fix *f, const struct mugai_index_query *q)
{
	enum mugai_err err;
	GPtrArray *a = mugai_index_search(f->ix, q, &err);
	GArray *t = g_array_new(FALSE, FALSE, sizeof(gint64));

	ck_assert_msg(a != NULL, "search: %s", mugai_index_errmsg(f->ix));
	for (guint i = 0; i < a->len; i++)
		g_array_append_val(t, ((struct mugai_index_row *)
		    g_ptr_array_index(a, i))->ir_time);
	g_ptr_array_free(a, TRUE);
	return t;
}

#define MINUTE (G_GINT64_CONSTANT(60) * G_USEC_PER_SEC)

START_TEST(pages_are_newest_first_whatever_the_order_put)
{
	/* 2026-01-01 00:00:00 UTC */
	const gint64 t0 = G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC;
	struct mugai_index_query q;
	struct fix f;
	gboolean added;
	GArray *t;

	fix_open(&f);
	/*
	 * 60 rows, one a minute, put in a shuffled order (a reindex, two
	 * gateways); rows 10 and 11 share a microsecond.
	 */
	ck_assert_int_eq(mugai_index_begin(f.ix), MUGAI_OK);
	for (guint k = 0; k < 60; k++) {
		guint i = (k * 37) % 60;
		gint64 at = t0 + (gint64)(i == 11 ? 10 : i) * MINUTE;
		JsonObject *o = row_at(at, i, i % 2 ? "請求書 送付" :
		    "会議 資料", i % 4 == 0 ? "exe" : NULL);

		ck_assert_int_eq(mugai_index_put_item(f.ix, o, &added),
		    MUGAI_OK);
		ck_assert(added);
		json_object_unref(o);
	}
	ck_assert_int_eq(mugai_index_commit(f.ix), MUGAI_OK);
	mugai_index_query_init(&q);
	q.iq_limit = 5;
	t = times(&f, &q);
	ck_assert_uint_eq(t->len, 5);
	for (guint i = 0; i < 5; i++)
		ck_assert_int_eq(g_array_index(t, gint64, i), t0 +
		    (gint64)(59 - i) * MINUTE);
	g_array_free(t, TRUE);
	/* A word carried by every other row: the newest odd rows. */
	q.iq_subject = "請求書";
	t = times(&f, &q);
	ck_assert_uint_eq(t->len, 5);
	ck_assert_int_eq(g_array_index(t, gint64, 0), t0 + 59 * MINUTE);
	ck_assert_int_eq(g_array_index(t, gint64, 4), t0 + 51 * MINUTE);
	g_array_free(t, TRUE);
	/* Two characters (a scan), oldest first, within a range. */
	q.iq_subject = "会議";
	q.iq_oldest_first = TRUE;
	q.iq_since = t0 + 20 * MINUTE;
	q.iq_until = t0 + 30 * MINUTE;
	t = times(&f, &q);
	ck_assert_uint_eq(t->len, 5);
	for (guint i = 0; i < 5; i++)
		ck_assert_int_eq(g_array_index(t, gint64, i), t0 +
		    (gint64)(20 + 2 * i) * MINUTE);
	g_array_free(t, TRUE);
	/* The same microsecond twice: both rows, rule and verdict pages. */
	mugai_index_query_init(&q);
	q.iq_since = t0 + 10 * MINUTE;
	q.iq_until = q.iq_since + 1;
	ck_assert_uint_eq(count(&f, &q), 2);
	mugai_index_query_init(&q);
	q.iq_rule = "exe";
	q.iq_limit = 3;
	t = times(&f, &q);
	ck_assert_uint_eq(t->len, 3);
	ck_assert_int_eq(g_array_index(t, gint64, 0), t0 + 56 * MINUTE);
	ck_assert_int_eq(g_array_index(t, gint64, 2), t0 + 48 * MINUTE);
	g_array_free(t, TRUE);
	q.iq_limit = 0;
	ck_assert_uint_eq(count(&f, &q), 15);
	q.iq_rule = NULL;
	q.iq_verdict = "rejected";
	ck_assert_uint_eq(count(&f, &q), 20);
	q.iq_subject = "請求書";
	q.iq_rule = "exe";
	ck_assert_uint_eq(count(&f, &q), 0);	/* exe rows are even */
	q.iq_subject = "会議";
	ck_assert_uint_eq(count(&f, &q), 5);	/* 0, 12, 24, 36, 48 */
	fix_close(&f);
}
END_TEST

/*
 * Row n of the names cases: senders and recipients in several cases,
 * display names (one that looks like a domain), a second recipient, a
 * non-ASCII address, distinct times a minute apart.
 */
static JsonObject *
mixed_row(guint n)
{
	static const char *const froms[] = {
		"\"山田 太郎\" <%s>", "Office3.pref team <%s>",
		"yamada@例え.jp", NULL, "Yamada <%s>",
	};
	gint64 usec = G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC +
	    (gint64)n * MINUTE;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(usec /
	    G_USEC_PER_SEC);
	g_autofree char *day = g_date_time_format(dt, "%Y%m%d-%H%M%S");
	g_autofree char *id = g_strdup_printf("%s-000000-5bce98f7-%016x", day,
	    n);
	g_autofree char *sender = g_strdup_printf(n % 11 == 0 ?
	    "User%u@Sender%u.Example" : "user%u@sender%u.example", n % 7,
	    n % 5);
	g_autofree char *rcpt = g_strdup_printf("staff%u@office%u.pref."
	    "example.lg.jp", n % 40, n % 40 % 6);
	g_autofree char *subject = g_strdup_printf("%s %u", n % 2 ?
	    "invoice" : "請求書", n);
	JsonObject *row = json_object_new(), *env = json_object_new();
	JsonObject *hdr = json_object_new(), *sum = json_object_new();
	JsonArray *rcpts = json_array_new();
	const char *from = froms[n % G_N_ELEMENTS(froms)];

	json_object_set_string_member(row, "op", "stored");
	json_object_set_string_member(row, "id", id);
	json_object_set_string_member(row, "node", n % 2 ? "gw1" : "gw2");
	json_object_set_string_member(env, "sender", sender);
	json_array_add_string_element(rcpts, rcpt);
	if (n % 3 == 0) {
		g_autofree char *r2 = g_strdup_printf("clerk%u@town%u.example",
		    n % 9, n % 4);

		json_array_add_string_element(rcpts, r2);
	}
	json_object_set_array_member(env, "recipients", rcpts);
	json_object_set_object_member(row, "envelope", env);
	if (from != NULL) {
		const char *at = strstr(from, "%s");
		g_autofree char *h = at == NULL ? g_strdup(from) :
		    g_strdup_printf("%.*s%s%s", (int)(at - from), from, sender,
		    at + 2);

		json_object_set_string_member(hdr, "from", h);
	}
	if (n % 5 == 0)
		json_object_set_string_member(hdr, "to",
		    "Sender1.example desk <desk@y.example>");
	else
		json_object_set_string_member(hdr, "to", rcpt);
	json_object_set_string_member(hdr, "subject", subject);
	json_object_set_object_member(row, "headers", hdr);
	json_object_set_string_member(sum, "verdict", n % 3 == 0 ?
	    "rejected" : "sanitized");
	json_object_set_object_member(row, "summary", sum);
	return row;
}

/* The IDs q finds, in order, one a line, with names_max as given. */
static char *
found_ids(struct mugai_index *ix, const struct mugai_index_query *q,
    guint names_max)
{
	guint keep = mugai_ix_names_max;
	GString *s = g_string_new(NULL);
	enum mugai_err err;
	GPtrArray *a;

	mugai_ix_names_max = names_max;
	a = mugai_index_search(ix, q, &err);
	mugai_ix_names_max = keep;
	ck_assert_msg(a != NULL, "search: %s", mugai_index_errmsg(ix));
	for (guint i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s\n", ((struct mugai_index_row *)
		    g_ptr_array_index(a, i))->ir_id);
	g_ptr_array_free(a, TRUE);
	return g_string_free(s, FALSE);
}

/*
 * Every search of part of an address, with names (schema 4) and without
 * (the words' trigrams, as before), finds the same items in the same
 * order; returns how many went through names.
 */
static guint
names_same_as_words(struct mugai_index *ix)
{
	static const char *const parts[] = {
		"user3@", "sender1.example", "ser1.exam", "USER3@SENDER",
		"staff12@office", "office3.pref", "OFFICE3.PREF", "ice3.pr",
		"@office1", "nosuch.example", "yamada", "例え", "desk@y",
		"town2.example", "clerk4@town", "a%b", "er_1", "u3",
		"user3@sender1", "r5@sender2.ex",
	};
	guint used = mugai_ix_names_used, found = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++)
		for (int kind = 0; kind < 2; kind++)
			for (int v = 0; v < 6; v++) {
				g_autofree char *a = NULL, *b = NULL;
				struct mugai_index_query q;

				mugai_index_query_init(&q);
				*(kind == 0 ? &q.iq_from : &q.iq_rcpt) =
				    parts[i];
				q.iq_limit = v == 0 ? 0 : 5;
				q.iq_oldest_first = v == 2;
				if (v == 3)
					q.iq_subject = "invoice";
				if (v == 4)
					q.iq_verdict = "rejected";
				if (v == 5) {
					q.iq_since = G_GINT64_CONSTANT(
					    1767225600) * G_USEC_PER_SEC +
					    100 * MINUTE;
					q.iq_until = q.iq_since + 150 * MINUTE;
					q.iq_limit = 0;
					q.iq_node = "gw1";
				}
				a = found_ids(ix, &q, MUGAI_IX_NAMES_MAX);
				b = found_ids(ix, &q, 0);
				ck_assert_msg(strcmp(a, b) == 0, "%s %s (%d): "
				    "names found\n%swords found\n%s",
				    kind == 0 ? "--from" : "--rcpt", parts[i], v,
				    a, b);
				if (*a != '\0')
					found++;
			}
	/* Something was found, and not only through the words. */
	ck_assert_uint_gt(found, 60);
	return mugai_ix_names_used - used;
}

/* TRUE when q went through names. */
static gboolean
through_names(struct mugai_index *ix, const char *from, const char *rcpt)
{
	struct mugai_index_query q;
	guint used = mugai_ix_names_used;

	mugai_index_query_init(&q);
	q.iq_from = from;
	q.iq_rcpt = rcpt;
	g_free(found_ids(ix, &q, mugai_ix_names_max));
	return mugai_ix_names_used != used;
}

static void
names_cases(struct mugai_index *ix)
{
	guint n;

	/* Most parts go through names; these must not. */
	n = names_same_as_words(ix);
	ck_assert_uint_gt(n, 80);
	ck_assert(through_names(ix, NULL, "office3.pref"));
	ck_assert(through_names(ix, "USER3@SENDER", NULL));
	/* A sender's local part or domain alone: the words. */
	ck_assert(!through_names(ix, "user3@", NULL));
	ck_assert(!through_names(ix, "sender1.example", NULL));
	/* A display name's word, a non-ASCII address, a wildcard. */
	ck_assert(!through_names(ix, "office3.pref", NULL));
	ck_assert(!through_names(ix, NULL, "sender1.example"));
	ck_assert(!through_names(ix, "yamada", NULL));
	ck_assert(!through_names(ix, "er_1", NULL));
	/* More names than the bound: the words. */
	mugai_ix_names_max = 3;
	ck_assert(!through_names(ix, NULL, "office"));
	mugai_ix_names_max = MUGAI_IX_NAMES_MAX;
	ck_assert(through_names(ix, NULL, "office"));
}

START_TEST(part_of_address_through_names)
{
	const char *url = g_getenv("MUGAI_TEST_PG_URL");
	g_autofree char *tmp = g_dir_make_tmp("mugai-ixn-XXXXXX", NULL);
	g_autofree char *msg = NULL, *cmd = NULL;
	struct mugai_index *ix;
	enum mugai_err err;

	ix = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	ck_assert_int_eq(mugai_index_begin(ix), MUGAI_OK);
	for (guint n = 0; n < 400; n++) {
		JsonObject *row = mixed_row(n);

		ck_assert_int_eq(mugai_index_put_item(ix, row, NULL),
		    MUGAI_OK);
		json_object_unref(row);
	}
	ck_assert_int_eq(mugai_index_commit(ix), MUGAI_OK);
	names_cases(ix);
	mugai_index_close(ix);
	if (url == NULL) {
		g_autofree char *path = g_build_filename(tmp, "index.sqlite",
		    NULL);
		sqlite3 *db;

		/* What schema 3 had: no names; given them when opened. */
		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE names_w;"
		    "DROP TABLE names; PRAGMA user_version = 3", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(db);
		ix = mugai_index_open(NULL, tmp, (gid_t)-1, &err, &msg);
		ck_assert_msg(ix != NULL, "%s", msg);
		names_cases(ix);
		mugai_index_close(ix);
		ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(db, "SELECT 1", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A "stored" line of item n (one a minute) from sender to rcpt. */
static char *
stored_line(guint n, const char *from, const char *rcpt)
{
	gint64 usec = G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC +
	    (gint64)n * MINUTE;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(usec /
	    G_USEC_PER_SEC);
	g_autofree char *day = g_date_time_format(dt, "%Y%m%d-%H%M%S");

	return g_strdup_printf("{\"op\":\"stored\",\"id\":\"%s-000000-"
	    "5bce98f7-%016x\",\"node\":\"gw1\",\"envelope\":{\"sender\":"
	    "\"%s\",\"recipients\":[\"%s\"]},\"headers\":{\"from\":"
	    "\"Gone Name <%s>\",\"subject\":\"prune %u\"},\"summary\":"
	    "{\"verdict\":\"sanitized\"}}", day, n, from, rcpt, from, n);
}

static char *
line_id(const char *line)
{
	const char *p = strstr(line, "\"id\":\"") + 6;

	return g_strndup(p, strcspn(p, "\""));
}

/* The IDs a search of rcpt finds, and whether it went through names. */
static char *
rcpt_ids(struct mugai_index *ix, const char *rcpt, gboolean *names)
{
	struct mugai_index_query q;
	guint used = mugai_ix_names_used;
	char *ids;

	mugai_index_query_init(&q);
	q.iq_rcpt = rcpt;
	ids = found_ids(ix, &q, 2);
	*names = mugai_ix_names_used != used;
	return ids;
}

/* Rows of names_w (SQLite) whose trigrams hold part. */
static int
names_w_rows(const char *dir, const char *part)
{
	g_autofree char *path = g_build_filename(dir, "index.sqlite", NULL);
	g_autofree char *m = g_strdup_printf("\"%s\"", part);
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM names_w "
	    "WHERE names_w MATCH ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO names_w(names_w, rank) "
	    "VALUES('integrity-check', 1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	return n;
}

/* Rows of names (SQLite) of kind and name. */
static int
names_rows(const char *dir, int kind, const char *name)
{
	g_autofree char *path = g_build_filename(dir, "index.sqlite", NULL);
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM names "
	    "WHERE kind = ? AND name = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * A purge takes the names (addresses) that no item carries any more out
 * of names and names_w, in its transaction; a name another item still
 * carries stays and finds it. Dead names counted towards
 * mugai_ix_names_max: "@dead.example" (three names, the bound two) went
 * through the words until two of them were purged. With
 * MUGAI_TEST_PG_URL (t/index-pg.sh), on that PostgreSQL database (and
 * the script checks its names table after).
 */
START_TEST(purge_takes_dead_names)
{
	const char *url = g_getenv("MUGAI_TEST_PG_URL");
	g_autofree char *tmp = g_dir_make_tmp("mugai-ixp-XXXXXX", NULL);
	g_autofree char *msg = NULL, *cmd = NULL, *a = NULL;
	g_autofree char *ids = NULL, *purged = NULL;
	char *lines[3];
	struct mugai_index *ix;
	enum mugai_err err;
	gboolean names;

	/* A, A': recipients only they have (x@both also in kind 1). */
	lines[0] = stored_line(1, "only1@gone.example", "r1@dead.example");
	lines[1] = stored_line(2, "only1@gone.example",
	    "r2@dead.example\",\"x@both.example");
	/* B: live, x@both.example its sender (another kind). */
	lines[2] = stored_line(3, "x@both.example", "r3@dead.example");
	ix = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	ck_assert_int_eq(mugai_index_begin(ix), MUGAI_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(mugai_index_apply_line(ix, lines[i], NULL),
		    MUGAI_OK);
	ck_assert_int_eq(mugai_index_commit(ix), MUGAI_OK);
	a = line_id(lines[0]);
	/* Three names: more than the bound, the words find all three. */
	ids = rcpt_ids(ix, "@dead.example", &names);
	ck_assert(!names);
	ck_assert_uint_eq(strlen(ids), 3 * (strlen(a) + 1));
	g_free(ids);
	/* A and A' (every item of only1@gone.example) purged at once. */
	ck_assert_int_eq(mugai_index_begin(ix), MUGAI_OK);
	for (int i = 0; i < 2; i++) {
		g_autofree char *id = line_id(lines[i]);

		purged = g_strdup_printf("{\"op\":\"purged\",\"id\":\"%s\","
		    "\"time\":\"2026-01-02T00:00:00Z\",\"actor\":\"test\"}",
		    id);
		ck_assert_int_eq(mugai_index_apply_line(ix, purged, NULL),
		    MUGAI_OK);
		g_clear_pointer(&purged, g_free);
	}
	ck_assert_int_eq(mugai_index_commit(ix), MUGAI_OK);
	/* Part of the live name: through names (one now), B only. */
	{
		g_autofree char *live = line_id(lines[2]);
		g_autofree char *want = g_strdup_printf("%s\n", live);

		ids = rcpt_ids(ix, "@dead.example", &names);
		ck_assert(names);
		ck_assert_str_eq(ids, want);
		g_free(ids);
		ids = rcpt_ids(ix, "r3@dead", &names);
		ck_assert(names);
		ck_assert_str_eq(ids, want);
		g_free(ids);
		/* The dead names find nothing, through names. */
		ids = rcpt_ids(ix, "r1@dead", &names);
		ck_assert(names);
		ck_assert_str_eq(ids, "");
		g_free(ids);
	}
	if (url == NULL) {
		/* Gone from names and from names_w's trigrams. */
		ck_assert_int_eq(names_rows(tmp, 1, "r1@dead.example"), 0);
		ck_assert_int_eq(names_rows(tmp, 1, "r2@dead.example"), 0);
		ck_assert_int_eq(names_rows(tmp, 0, "only1@gone.example"), 0);
		ck_assert_int_eq(names_w_rows(tmp, "r1@dead"), 0);
		ck_assert_int_eq(names_w_rows(tmp, "only1@gone"), 0);
		/* A live item's names stay, of their kind. */
		ck_assert_int_eq(names_rows(tmp, 1, "r3@dead.example"), 1);
		ck_assert_int_eq(names_rows(tmp, 0, "x@both.example"), 1);
		ck_assert_int_eq(names_rows(tmp, 1, "x@both.example"), 0);
		ck_assert_int_eq(names_w_rows(tmp, "r3@dead"), 1);
		/* A display name's word: no addrs to tell, it stays. */
		ck_assert_int_eq(names_rows(tmp, 0, "gone"), 1);
	}
	/* Purged again (the journal read twice): nothing more goes. */
	ck_assert_int_eq(mugai_index_begin(ix), MUGAI_OK);
	purged = g_strdup_printf("{\"op\":\"purged\",\"id\":\"%s\","
	    "\"time\":\"2026-01-02T00:00:00Z\",\"actor\":\"test\"}", a);
	ck_assert_int_eq(mugai_index_apply_line(ix, purged, NULL), MUGAI_OK);
	ck_assert_int_eq(mugai_index_commit(ix), MUGAI_OK);
	ids = rcpt_ids(ix, "r3@dead", &names);
	ck_assert(names);
	ck_assert_uint_eq(strlen(ids), strlen(a) + 1);
	mugai_index_close(ix);
	for (int i = 0; i < 3; i++)
		g_free(lines[i]);
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

#define RACE_ITEMS 300

struct racer {
	const char *url;
	const char *dir;	/* the SQLite index's */
	int top;		/* the gateway's store */
	const char *node;
	gint *ready;
	enum mugai_err err;
	char *msg;
	guint applied;
	struct mugai_index *ix;	/* opened already, else NULL */
};

static gpointer
race(gpointer data)
{
	struct racer *r = data;
	g_autofree char *msg = NULL;
	struct mugai_index *ix = r->ix != NULL ? r->ix :
	    mugai_index_open(r->url, r->dir, (gid_t)-1, &r->err, &msg);

	if (ix == NULL) {
		r->msg = g_steal_pointer(&msg);
		return NULL;
	}
	/* Both connected: off together. */
	g_atomic_int_inc(r->ready);
	while (g_atomic_int_get(r->ready) < 2)
		g_usleep(100);
	r->err = mugai_index_catch_up(ix, r->top, r->node, &r->applied);
	r->msg = g_strdup(mugai_index_errmsg(ix));
	if (r->ix == NULL)
		mugai_index_close(ix);
	return NULL;
}

/*
 * A store tmp/name holding the items of lines (their directories,
 * empty) and lines in its journal; its descriptor.
 */
static int
store_of_lines(const char *tmp, const char *name, GPtrArray *lines)
{
	g_autofree char *top = g_build_filename(tmp, name, NULL);
	g_autofree char *jdir = g_build_filename(top, "journal", NULL);
	g_autofree char *seg = g_build_filename(jdir, "20260101", NULL);
	GString *j = g_string_new(NULL);
	int fd;

	ck_assert_int_eq(g_mkdir_with_parents(jdir, 0755), 0);
	for (guint i = 0; i < lines->len; i++) {
		const char *line = g_ptr_array_index(lines, i);
		g_autofree char *id = line_id(line);
		g_autofree char *dir = g_strdup_printf("%s/%.4s/%.2s/%.2s/%s",
		    top, id, id + 4, id + 6, id);

		ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
		g_string_append_printf(j, "%s\n", line);
	}
	ck_assert(g_file_set_contents(seg, j->str, (gssize)j->len, NULL));
	g_string_free(j, TRUE);
	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/*
 * A gateway's store with RACE_ITEMS items, item i of gw1 to n<i>@race,
 * of gw2 to n<RACE_ITEMS - 1 - i>@race: the same new names in the
 * opposite order.
 */
static int
race_store(const char *tmp, int g)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *name = g_strdup_printf("gw%d", g);

	for (guint i = 0; i < RACE_ITEMS; i++) {
		guint k = g == 1 ? i : RACE_ITEMS - 1 - i;
		g_autofree char *rcpt = g_strdup_printf("n%03u@race.example",
		    k);
		g_autofree char *sender = g_strdup_printf("s%d@race.example",
		    g);

		g_ptr_array_add(lines, stored_line(g * 1000 + i, sender,
		    rcpt));
	}
	return store_of_lines(tmp, name, lines);
}

/*
 * Two gateways' indexers add the same new names at once, in opposite
 * orders, each in its batch (one transaction per journal chunk). Every
 * item is indexed, exactly once, and every name is there, whatever the
 * two transactions did to each other (PostgreSQL: a deadlock between
 * the two batches' INSERTs into names must not lose a batch; SQLite
 * takes one writer at a time). With MUGAI_TEST_PG_URL, on that
 * PostgreSQL database.
 */
START_TEST(two_gateways_add_the_same_names_at_once)
{
	const char *url = g_getenv("MUGAI_TEST_PG_URL");
	g_autofree char *tmp = g_dir_make_tmp("mugai-ixr-XXXXXX", NULL);
	g_autofree char *msg = NULL, *cmd = NULL;
	struct racer r[2];
	GThread *t[2];
	struct mugai_index *ix;
	struct mugai_index_query q;
	enum mugai_err err;
	gint ready = 0;
	gboolean names;
	GPtrArray *a;

	/*
	 * The index made before the race, with an item whose display
	 * name's words the racers' items have too: else the first new
	 * name of both batches (the same) makes the second wait for the
	 * first's commit before it adds any other name.
	 */
	ix = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	msg = stored_line(999, "p@pre.example", "p@pre.example");
	ck_assert_int_eq(mugai_index_apply_line(ix, msg, NULL), MUGAI_OK);
	g_clear_pointer(&msg, g_free);
	mugai_index_close(ix);
	for (int g = 0; g < 2; g++) {
		r[g] = (struct racer){ url, tmp, race_store(tmp, g + 1),
		    g == 0 ? "gw1" : "gw2", &ready, MUGAI_OK, NULL, 0, NULL };
	}
	for (int g = 0; g < 2; g++)
		t[g] = g_thread_new("race", race, &r[g]);
	for (int g = 0; g < 2; g++) {
		g_thread_join(t[g]);
		ck_assert_msg(r[g].err == MUGAI_OK, "gw%d: %s: %s", g + 1,
		    mugai_err_str(r[g].err), r[g].msg);
		ck_assert_uint_eq(r[g].applied, RACE_ITEMS);
		g_free(r[g].msg);
		close(r[g].top);
	}
	ix = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	/* Every item once. */
	mugai_index_query_init(&q);
	q.iq_rcpt = "@race.example";
	a = mugai_index_search(ix, &q, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 2 * RACE_ITEMS);
	g_ptr_array_free(a, TRUE);
	/* Every name, each finding its two items through names. */
	for (guint k = 0; k < RACE_ITEMS; k += 37) {
		g_autofree char *part = g_strdup_printf("n%03u@race", k);
		g_autofree char *ids = rcpt_ids(ix, part, &names);

		ck_assert_msg(names, "%s not through names", part);
		ck_assert_uint_eq(strlen(ids), 2 * 49);
	}
	mugai_index_close(ix);
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/*
 * The indexer's batch chosen by PostgreSQL to break a deadlock (40P01)
 * is rolled back and run again (catch_up_segment()): both its items
 * indexed, once. The other side is a transaction of this test that
 * holds item K while the batch waits for it, then asks for item L that
 * the batch holds; its connection's deadlock_timeout is long, so that
 * the batch's (1 s) finds the circle first and is the one broken.
 * PostgreSQL only (MUGAI_TEST_PG_URL, t/index-pg.sh).
 */
START_TEST(deadlocked_batch_is_run_again)
{
	const char *url = g_getenv("MUGAI_TEST_PG_URL");
	g_autofree char *tmp = g_dir_make_tmp("mugai-ixd-XXXXXX", NULL);
	g_autofree char *msg = NULL, *cmd = NULL, *slow = NULL;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	struct mugai_index *ix;
	struct mugai_index_query q;
	struct racer r;
	enum mugai_err err;
	gint ready = 1;
	gboolean added = FALSE;
	GThread *t;
	GPtrArray *a;

	if (url == NULL)
		goto out;	/* SQLite: one writer at a time */
	g_ptr_array_add(lines, stored_line(1, "l@dead.lock", "x@dead.lock"));
	g_ptr_array_add(lines, stored_line(2, "k@dead.lock", "x@dead.lock"));
	slow = g_strdup_printf("%s%coptions=-c%%20deadlock_timeout%%3D20s",
	    url, strchr(url, '?') != NULL ? '&' : '?');
	/* Both open first (opening makes the tables: it waits for us). */
	r = (struct racer){ url, tmp, store_of_lines(tmp, "gw", lines),
	    "gw", &ready, MUGAI_OK, NULL, 0, NULL };
	r.ix = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(r.ix != NULL, "%s", msg);
	ix = mugai_index_open(slow, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	ck_assert_int_eq(mugai_index_begin(ix), MUGAI_OK);
	ck_assert_int_eq(mugai_index_apply_line(ix, g_ptr_array_index(lines,
	    1), NULL), MUGAI_OK);
	t = g_thread_new("batch", race, &r);
	/* The batch has L and waits for K. */
	g_usleep(400 * 1000);
	ck_assert_msg(mugai_index_apply_line(ix, g_ptr_array_index(lines, 0),
	    &added) == MUGAI_OK, "%s", mugai_index_errmsg(ix));
	/* The batch was broken, so L was free. */
	ck_assert(added);
	mugai_index_close(ix);	/* its transaction rolled back */
	g_thread_join(t);
	ck_assert_msg(r.err == MUGAI_OK, "%s: %s", mugai_err_str(r.err),
	    r.msg);
	ck_assert_uint_eq(r.applied, 2);
	g_free(r.msg);
	close(r.top);
	mugai_index_query_init(&q);
	q.iq_rcpt = "x@dead.lock";
	a = mugai_index_search(r.ix, &q, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 2);
	g_ptr_array_free(a, TRUE);
	mugai_index_close(r.ix);
out:
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/*
 * Another gateway's open batch has just put an item of x@open.example
 * (its addrs row not visible to others yet) when the last committed
 * item of that address is purged: the prune cannot see the new row and
 * takes the name out, and the batch's commit must put it back (its
 * names go in at its COMMIT, after the prune's lock). Then part of the
 * address still finds the new item through names. PostgreSQL only
 * (SQLite has one writer at a time).
 */
START_TEST(purge_beside_an_open_batch_keeps_its_names)
{
	const char *url = g_getenv("MUGAI_TEST_PG_URL");
	g_autofree char *tmp = g_dir_make_tmp("mugai-ixo-XXXXXX", NULL);
	g_autofree char *msg = NULL, *cmd = NULL, *old = NULL, *neu = NULL;
	g_autofree char *old_id = NULL, *neu_id = NULL, *purged = NULL;
	g_autofree char *ids = NULL, *want = NULL;
	struct mugai_index *a, *b;
	enum mugai_err err;
	gboolean names;

	if (url == NULL)
		goto out;
	old = stored_line(1, "s@open.example", "x@open.example");
	neu = stored_line(2, "s@open.example", "x@open.example");
	old_id = line_id(old);
	neu_id = line_id(neu);
	a = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(a != NULL, "%s", msg);
	b = mugai_index_open(url, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(b != NULL, "%s", msg);
	ck_assert_int_eq(mugai_index_apply_line(a, old, NULL), MUGAI_OK);
	/* b's batch: the new item, not committed. */
	ck_assert_int_eq(mugai_index_begin(b), MUGAI_OK);
	ck_assert_int_eq(mugai_index_apply_line(b, neu, NULL), MUGAI_OK);
	/* a purges the old one meanwhile. */
	purged = g_strdup_printf("{\"op\":\"purged\",\"id\":\"%s\","
	    "\"time\":\"2026-01-02T00:00:00Z\",\"actor\":\"test\"}", old_id);
	ck_assert_int_eq(mugai_index_begin(a), MUGAI_OK);
	ck_assert_int_eq(mugai_index_apply_line(a, purged, NULL), MUGAI_OK);
	ck_assert_int_eq(mugai_index_commit(a), MUGAI_OK);
	ck_assert_int_eq(mugai_index_commit(b), MUGAI_OK);
	want = g_strdup_printf("%s\n", neu_id);
	ids = rcpt_ids(a, "x@open", &names);
	ck_assert(names);
	ck_assert_str_eq(ids, want);
	mugai_index_close(a);
	mugai_index_close(b);
out:
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(schema1_index_is_converted)
{
	static const char v1[] =
	    "CREATE TABLE items(rid INTEGER PRIMARY KEY, id TEXT NOT NULL "
	    "UNIQUE, time INTEGER NOT NULL, node TEXT, sender TEXT, "
	    "message_id TEXT, verdict TEXT, rules TEXT, size INTEGER, "
	    "sha256 TEXT, row TEXT NOT NULL);"
	    "CREATE INDEX items_time ON items(time);"
	    "CREATE INDEX items_msgid ON items(message_id);"
	    "CREATE INDEX items_sha ON items(sha256);"
	    "CREATE TABLE parts(rid INTEGER NOT NULL, path TEXT, sha256 TEXT,"
	    " action TEXT, rule TEXT);"
	    "CREATE INDEX parts_rid ON parts(rid);"
	    "CREATE INDEX parts_sha ON parts(sha256);"
	    "CREATE INDEX parts_rule ON parts(rule);"
	    "CREATE VIRTUAL TABLE words USING fts5(sender, rcpt, subject, "
	    "tokenize='trigram');"
	    "CREATE TABLE journal(node TEXT NOT NULL, segment TEXT NOT NULL,"
	    " pos INTEGER NOT NULL, PRIMARY KEY(node, segment));"
	    "INSERT INTO journal VALUES('gw1', '20260101', 123);";
	const gint64 t0 = G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC;
	g_autofree char *tmp = g_dir_make_tmp("mugai-ix1-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(tmp, "index.sqlite", NULL);
	g_autofree char *msg = NULL, *cmd = NULL;
	struct mugai_index_query q;
	struct mugai_index *ix;
	enum mugai_err err;
	sqlite3 *db;
	GPtrArray *a;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 3; i++) {
		JsonObject *o = row_at(t0 + (gint64)(2 - i) * G_USEC_PER_SEC,
		    (guint)i, "旧い索引", "exe");
		g_autoptr(JsonGenerator) gen = json_generator_new();
		JsonNode *root = json_node_new(JSON_NODE_OBJECT);
		g_autofree char *text = NULL;
		char *sql;

		json_node_set_object(root, o);
		json_generator_set_root(gen, root);
		text = json_generator_to_data(gen, NULL);
		/* rids 1, 2, 3 for the times 2, 1, 0: insertion order. */
		sql = sqlite3_mprintf("INSERT INTO items(rid, id, time, row) "
		    "VALUES(%d, %Q, %lld, %Q)", i + 1,
		    json_object_get_string_member(o, "id"),
		    (long long)t0 + (2 - i) * (long long)G_USEC_PER_SEC, text);
		ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_free(sql);
		json_node_unref(root);
		json_object_unref(o);
	}
	sqlite3_close(db);
	ix = mugai_index_open(NULL, tmp, (gid_t)-1, &err, &msg);
	ck_assert_msg(ix != NULL, "%s", msg);
	mugai_index_query_init(&q);
	q.iq_subject = "旧い索引";
	q.iq_rule = "exe";
	a = mugai_index_search(ix, &q, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 3);
	for (guint i = 0; i < 3; i++)
		ck_assert_int_eq(((struct mugai_index_row *)
		    g_ptr_array_index(a, i))->ir_time, t0 + (gint64)(2 - i) *
		    G_USEC_PER_SEC);
	g_ptr_array_free(a, TRUE);
	mugai_index_close(ix);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *st;

		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT "
		    "(SELECT count(*) FROM sqlite_master WHERE name = "
		    "'items_v1'), (SELECT pos FROM journal), "
		    "(SELECT min(rid) FROM items)", -1, &st, NULL),
		    SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
		ck_assert_int_eq(sqlite3_column_int(st, 1), 123);
		ck_assert_int_eq(sqlite3_column_int64(st, 2), t0 * 1000);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static void
put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

START_TEST(old_journal_goes_once_indexed)
{
	struct fix f;
	guint n = 0, removed = 0;
	int jfd;

	fix_open(&f);
	g_free(store(&f, msg_ja, sha_a));
	jfd = mugai_qdir_open(f.top, "journal");
	ck_assert_int_ge(jfd, 0);
	put_file(jfd, "20200101", "{\"op\":\"dropped\",\"id\":"
	    "\"20200101-000000-000000-5bce98f7-0000000000000000\"}\n");
	/* A line still being written: not all in the index. */
	put_file(jfd, "20200102", "{\"op\":\"dro");
	put_file(jfd, "20200103", "");
	/* Not applied yet: nothing goes. */
	ck_assert_int_eq(mugai_index_prune_journal(f.ix, f.top, "gw1",
	    "20991231", &removed), MUGAI_OK);
	ck_assert_uint_eq(removed, 1);	/* only the empty one */
	ck_assert_int_eq(faccessat(jfd, "20200101", F_OK, 0), 0);
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	/* Before 20200102: 20200101 goes (applied), nothing newer. */
	ck_assert_int_eq(mugai_index_prune_journal(f.ix, f.top, "gw1",
	    "20200102", &removed), MUGAI_OK);
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_ne(faccessat(jfd, "20200101", F_OK, 0), 0);
	/* Everything applied goes; the partial line stays. */
	ck_assert_int_eq(mugai_index_prune_journal(f.ix, f.top, "gw1",
	    "20991231", &removed), MUGAI_OK);
	ck_assert_uint_eq(removed, 1);	/* today's */
	ck_assert_int_eq(faccessat(jfd, "20200102", F_OK, 0), 0);
	/* Without an index: by age alone. */
	ck_assert_int_eq(mugai_index_prune_journal(NULL, f.top, NULL,
	    "20991231", &removed), MUGAI_OK);
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_ne(faccessat(jfd, "20200102", F_OK, 0), 0);
	close(jfd);
	fix_close(&f);
}
END_TEST

/*
 * Row n of an index shaped like a prefecture's (contrib/bench/index-bench):
 * 2,000 recipients of 30 offices, about a minute apart: the gaps between
 * rids vary, as between real items (FTS5's newest-first loss below
 * needs that).
 */
static JsonObject *
office_row(guint n)
{
	gint64 usec = G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC +
	    (gint64)n * MINUTE + (gint64)((n * 104729u) % 59000000u);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(usec /
	    G_USEC_PER_SEC);
	g_autofree char *day = g_date_time_format(dt, "%Y%m%d-%H%M%S");
	guint staff = (n * 7919u) % 2000;
	g_autofree char *text = g_strdup_printf("{\"op\":\"stored\","
	    "\"id\":\"%s-%06d-5bce98f7-%016x\",\"node\":\"gw1\","
	    "\"envelope\":{\"sender\":\"user%u@sender%u.example\","
	    "\"recipients\":[\"staff%u@office%u.pref.example.lg.jp\"]},"
	    "\"headers\":{\"subject\":\"%s %u\"},"
	    "\"summary\":{\"verdict\":\"sanitized\"}}", day,
	    (int)(usec % G_USEC_PER_SEC), n,
	    (n * 31u) % 200, n % 20, staff, staff % 30,
	    n % 3 ? "請求書 送付" : "invoice", n % 1000);
	g_autoptr(JsonParser) p = json_parser_new();

	ck_assert(json_parser_load_from_data(p, text, -1, NULL));
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

/* How many IDs a found_ids() text split at its newlines holds. */
static guint
ids_in(GStrv v)
{
	guint n = g_strv_length(v);

	return n > 0 ? n - 1 : 0;
}

/*
 * SQLite 3.40's FTS5 leaves out some matches of a phrase (a trigram
 * LIKE of four characters or more) when it walks a large doclist
 * newest first: 3,397 of 3,401 at 1,000,000 items (BENCHMARKS.md,
 * session 10). A small page size gives the same doclist shape with a
 * few thousand rows. Every words search newest first must find what the
 * same search finds oldest first, in the opposite order, with a page,
 * without one and within a time range.
 */
START_TEST(newest_first_finds_what_oldest_first_finds)
{
	static const struct {
		const char *rcpt, *subject;
	} qs[] = {
		{ "office1", NULL }, { "pref.ex", NULL }, { "ffice2", NULL },
		{ "staff12", NULL }, { NULL, "請求書" }, { "office1", "送付" },
		{ "ice2", "invoice" },
	};
	const guint rows = 3000;
	g_autofree char *path = NULL;
	struct fix f;
	sqlite3 *db;
	gboolean added;

	fix_open(&f);
	path = g_build_filename(f.store, "index.sqlite", NULL);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO words(words, rank) "
	    "VALUES('pgsz', 64)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	for (guint n = 0; n < rows; n++) {
		JsonObject *o = office_row(n);

		if (n % 100 == 0)
			ck_assert_int_eq(mugai_index_begin(f.ix), MUGAI_OK);
		ck_assert_int_eq(mugai_index_put_item(f.ix, o, &added),
		    MUGAI_OK);
		ck_assert(added);
		json_object_unref(o);
		if (n % 100 == 99)
			ck_assert_int_eq(mugai_index_commit(f.ix), MUGAI_OK);
	}
	for (gsize k = 0; k < G_N_ELEMENTS(qs); k++)
		for (int range = 0; range < 2; range++) {
			struct mugai_index_query q;
			g_auto(GStrv) old = NULL, new = NULL, page = NULL;
			g_autofree char *o = NULL, *nw = NULL, *pg = NULL;
			guint n;

			mugai_index_query_init(&q);
			q.iq_rcpt = qs[k].rcpt;
			q.iq_subject = qs[k].subject;
			if (range) {
				q.iq_since = G_GINT64_CONSTANT(1767225600) *
				    G_USEC_PER_SEC + 500 * MINUTE;
				q.iq_until = q.iq_since + 1700 * MINUTE;
			}
			q.iq_oldest_first = TRUE;
			o = found_ids(f.ix, &q, 0);
			q.iq_oldest_first = FALSE;
			nw = found_ids(f.ix, &q, 0);
			q.iq_limit = 100;
			pg = found_ids(f.ix, &q, 0);
			old = g_strsplit(o, "\n", -1);
			new = g_strsplit(nw, "\n", -1);
			page = g_strsplit(pg, "\n", -1);
			n = ids_in(old);
			ck_assert_msg(n > 40, "%s %s: %u", qs[k].rcpt,
			    qs[k].subject, n);
			ck_assert_msg(ids_in(new) == n,
			    "%s %s (range %d): %u newest first, %u oldest "
			    "first", qs[k].rcpt, qs[k].subject, range,
			    ids_in(new), n);
			for (guint i = 0; i < n; i++) {
				ck_assert_str_eq(new[i], old[n - 1 - i]);
				if (i < 100)
					ck_assert_str_eq(page[i], new[i]);
			}
			ck_assert_uint_eq(ids_in(page), MIN(n, 100));
		}
	fix_close(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("index");

	g_mime_init();
	t_test(s, search_finds_by_every_field);
	t_test(s, whole_address_is_looked_up_exactly);
	t_test(s, schema2_index_gets_addresses);
	t_test(s, journal_applied_exactly_once);
	t_test(s, purge_and_dropped_remove_rows);
	t_test(s, stored_line_for_a_missing_item_is_skipped);
	t_test(s, requests_are_stored_and_decided);
	t_test(s, pages_are_newest_first_whatever_the_order_put);
	t_test(s, schema1_index_is_converted);
	t_test(s, old_journal_goes_once_indexed);
	t_test(s, part_of_address_through_names);
	t_test(s, newest_first_finds_what_oldest_first_finds);
	t_test(s, purge_takes_dead_names);
	t_test(s, two_gateways_add_the_same_names_at_once);
	t_test(s, deadlocked_batch_is_run_again);
	t_test(s, purge_beside_an_open_batch_keeps_its_names);
	return t_run(s);
}
