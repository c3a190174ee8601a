/*
 * check_index - the quarantine index (lib/index/) on SQLite, fed by a
 * real store's journal
 *
 * Each case stores items through lib/store (so the journal is the one
 * the milter writes), applies the journal and searches: substring
 * matches (Japanese too, words of two characters included), SHA-256 of
 * a part, Message-ID, rule, node; each line applied exactly once however
 * often the journal is read (and when the positions are lost); purge
 * lines remove rows; the portal's request rows.
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "index/index.h"
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
	g_autofree char *ja = NULL, *en = NULL;
	guint n = 0;

	fix_open(&f);
	ja = store(&f, msg_ja, sha_a);
	en = store(&f, msg_en, sha_b);
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
	line = g_strdup_printf("{\"op\":\"dropped\",\"id\":\"%s\"}", id);
	ck_assert_int_eq(mugai_index_apply_line(f.ix, line, &changed),
	    MUGAI_OK);
	ck_assert(changed);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 1);
	/* Purge everything (0 days, a minute ahead): a journal line each. */
	ck_assert_int_eq(mugai_quarantine_purge(f.q, 0, g_get_real_time() +
	    60 * G_USEC_PER_SEC, "test", &purged, NULL), MUGAI_OK);
	ck_assert_uint_eq(purged, 2);
	ck_assert_int_eq(mugai_index_catch_up(f.ix, f.top, "gw1", &n),
	    MUGAI_OK);
	ck_assert_int_eq(mugai_index_count(f.ix, &err), 0);
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

int
main(void)
{
	Suite *s = suite_create("index");

	g_mime_init();
	t_test(s, search_finds_by_every_field);
	t_test(s, journal_applied_exactly_once);
	t_test(s, purge_and_dropped_remove_rows);
	t_test(s, stored_line_for_a_missing_item_is_skipped);
	t_test(s, requests_are_stored_and_decided);
	return t_run(s);
}
