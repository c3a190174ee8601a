/*
 * check_eom - the end-of-message sequence against a fake engine, a fake
 * quarantine and the recording fake MTA: the original is stored before
 * any change or reply, failures tempfail with nothing applied, the reply
 * table decides the rest
 */
#include "autoconfig.h"

#include <string.h>

#include "autopw.h"
#include "context.h"
#include "current.h"
#include "eom.h"
#include "stats.h"
#include "fake_mta.h"
#include "log.h"
#include "quar.h"
#include "core/sanitize.h"
#include "testutil.h"

/* ---- fake engine: returns what the test put in next_* ---- */

static enum mugai_verdict next_verdict;
static gboolean next_keep;
static gboolean next_null;
static const char *next_body;
static guint engine_calls;
static char *seen_qid;

void
mugai_sanitize_init(void)
{
}

void
mugai_sanitize_shutdown(void)
{
}

static struct mugai_hdr_edit *
edit(enum mugai_hdr_op op, const char *name, guint index, const char *value)
{
	struct mugai_hdr_edit *he = g_new0(struct mugai_hdr_edit, 1);

	he->he_op = op;
	he->he_name = g_strdup(name);
	he->he_index = index;
	he->he_value = g_strdup(value);
	return he;
}

static void
edit_free(gpointer p)
{
	struct mugai_hdr_edit *he = p;

	g_free(he->he_name);
	g_free(he->he_value);
	g_free(he);
}

struct mugai_result *
mugai_sanitize(const struct mugai_config *cf, GMimeStream *message,
    const struct mugai_envelope *env, enum mugai_err *err)
{
	struct mugai_result *rs;

	engine_calls++;
	g_free(seen_qid);
	seen_qid = g_strdup(env->ev_quarantine_id);
	if (next_null) {
		*err = MUGAI_E_NOMEM;
		return NULL;
	}
	rs = g_new0(struct mugai_result, 1);
	rs->rs_verdict = next_verdict;
	rs->rs_keep_original = next_keep;
	rs->rs_edits = g_ptr_array_new_with_free_func(edit_free);
	if (next_body != NULL) {
		g_ptr_array_add(rs->rs_edits, edit(MUGAI_HDR_CHANGE,
		    "Content-Type", 1, "text/plain; charset=UTF-8"));
		rs->rs_body = g_bytes_new_static(next_body, strlen(next_body));
	}
	g_ptr_array_add(rs->rs_edits, edit(MUGAI_HDR_ADD, "X-Mugai-Sanitized",
	    0, "done"));
	return rs;
}

/*
 * The fake live stream keeps what it was fed; its finish checks that it
 * is exactly the spooled message, then answers as mugai_sanitize().
 */
struct mugai_sanitize_stream {
	const struct mugai_config *ss_cf;
	GByteArray *ss_fed;
};

static guint live_finished;

struct mugai_sanitize_stream *
mugai_sanitize_stream_new(const struct mugai_config *cf,
    const struct mugai_envelope *env)
{
	struct mugai_sanitize_stream *ss = g_new0(struct mugai_sanitize_stream,
	    1);

	ck_assert_ptr_nonnull(env->ev_sender);
	ss->ss_cf = cf;
	ss->ss_fed = g_byte_array_new();
	return ss;
}

void
mugai_sanitize_stream_feed(struct mugai_sanitize_stream *ss,
    const void *buf, gsize len)
{
	g_byte_array_append(ss->ss_fed, buf, (guint)len);
}

struct mugai_result *
mugai_sanitize_stream_finish(struct mugai_sanitize_stream *ss,
    GMimeStream *message, const struct mugai_envelope *env,
    enum mugai_err *err)
{
	GByteArray *spooled = g_byte_array_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(spooled);

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	ck_assert_int_ge(g_mime_stream_write_to_stream(message, mem), 0);
	ck_assert_uint_eq(spooled->len, ss->ss_fed->len);
	ck_assert_int_eq(memcmp(spooled->data, ss->ss_fed->data,
	    spooled->len), 0);
	g_object_unref(mem);
	g_byte_array_free(spooled, TRUE);
	g_mime_stream_reset(message);
	live_finished++;
	return mugai_sanitize(ss->ss_cf, message, env, err);
}

void
mugai_sanitize_stream_free(struct mugai_sanitize_stream *ss)
{
	if (ss == NULL)
		return;
	g_byte_array_free(ss->ss_fed, TRUE);
	g_free(ss);
}

void
mugai_result_free(struct mugai_result *rs)
{
	if (rs == NULL)
		return;
	g_ptr_array_free(rs->rs_edits, TRUE);
	if (rs->rs_body != NULL)
		g_bytes_unref(rs->rs_body);
	g_free(rs->rs_reply);
	g_free(rs);
}

const char *
mugai_verdict_name(enum mugai_verdict v)
{
	return v == MUGAI_V_UNCHANGED ? "unchanged" :
	    v == MUGAI_V_SANITIZED ? "sanitized" : "other";
}

guint
mugai_report_removed(const struct mugai_report *report)
{
	return 0;
}

/* ---- fake quarantine: records "store ID" in the MTA log ---- */

static gboolean store_fails;
static enum mugai_release_status next_release = MUGAI_RELEASE_UNKNOWN_ID;

enum mugai_err
mugai_mquar_open(const struct mugai_config *cf, struct mugai_mquar **out,
    char **message)
{
	*out = NULL;
	*message = NULL;
	return MUGAI_OK;
}

void
mugai_mquar_close(struct mugai_mquar *q)
{
}

char *
mugai_mquar_new_id(struct mugai_mquar *q)
{
	return g_strdup("20260101-ABC");
}

/*
 * The spool's side of the store (milter/spool.c links them): never
 * reached, as the fake attach gives no spool a store.
 */
struct mugai_qitem *
mugai_quarantine_begin(struct mugai_quarantine *q, enum mugai_err *err)
{
	ck_abort_msg("no store in this test");
	return NULL;
}

enum mugai_err
mugai_quarantine_write(struct mugai_qitem *it, const void *buf, gsize len)
{
	ck_abort_msg("no store in this test");
	return MUGAI_E_IO;
}

int
mugai_quarantine_item_fd(const struct mugai_qitem *it)
{
	return -1;
}

enum mugai_err
mugai_quarantine_commit(struct mugai_qitem *it, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha256, const char *actor)
{
	ck_abort_msg("no store in this test");
	return MUGAI_E_IO;
}

void
mugai_quarantine_item_free(struct mugai_qitem *it)
{
}

void
mugai_mquar_attach(struct mugai_mquar *q, struct mugai_spool *sp)
{
}

enum mugai_err
mugai_mquar_store(struct mugai_mquar *q, const char *id,
    struct mugai_spool *sp, const struct mugai_envelope *env,
    const struct mugai_report *report)
{
	enum mugai_err err;
	GMimeStream *original = mugai_spool_stream(sp, &err);
	char buf[64];
	gssize n;

	/* The store gets the whole message, from its start. */
	ck_assert_ptr_nonnull(original);
	n = g_mime_stream_read(original, buf, sizeof buf - 1);
	g_object_unref(original);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert(g_str_has_prefix(buf, "Subject: hi\r\n"));
	g_ptr_array_add(fake_mta_log, g_strdup_printf("store %s", id));
	return store_fails ? MUGAI_E_NOSPACE : MUGAI_OK;
}

enum mugai_release_status
mugai_mquar_release_check(struct mugai_mquar *q,
    const struct mugai_config *cf, const char *value,
    struct mugai_spool *sp, const char *const *rcpts, char **id)
{
	/* The check is given the whole message and the envelope. */
	ck_assert_ptr_nonnull(sp);
	ck_assert_uint_gt(mugai_spool_size(sp), 0);
	ck_assert_ptr_nonnull(rcpts);
	ck_assert_str_eq(rcpts[0], "<b@lgwan.example>");
	*id = g_strdup("20251231-XYZ");
	return next_release;
}

const char *
mugai_mquar_release_name(enum mugai_release_status r)
{
	return r == MUGAI_RELEASE_VALID ? "valid" : "not-valid";
}

/* ---- fake automatic password pick: records its calls ---- */

static guint autopw_calls;
static char *autopw_kept;

void
mugai_mautopw_note(const struct mugai_config *cf,
    const struct mugai_envelope *env, const char *kept_id,
    const struct mugai_result *rs)
{
	ck_assert(cf->cf_ppap_auto_password);
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(env->ev_sender, "<a@example.jp>");
	autopw_calls++;
	g_free(autopw_kept);
	autopw_kept = g_strdup(kept_id);
}

/* ---- helpers ---- */

/* TRUE when the stats line has the word "key=value". */
static gboolean
stats_has(const char *word)
{
	g_autofree char *line = mugai_stats_format();
	g_autofree char *padded = g_strdup_printf(" %s ", line);
	g_autofree char *want = g_strdup_printf(" %s ", word);

	return strstr(padded, want) != NULL;
}

static struct mugai_conn *
message(const char *extra_header)
{
	struct mugai_conn *cc = mugai_conn_new();
	struct mugai_msg *mc;

	fake_mta_reset();
	cc->cc_pflags = SMFIP_HDR_LEADSPC;
	mc = mugai_conn_msg_begin(cc, mugai_current_config(),
	    "<a@example.jp>", "QID", NULL);
	mugai_msg_add_rcpt(mc, "<b@lgwan.example>");
	mugai_msg_add_header(mc, "Subject", " hi");
	if (extra_header != NULL)
		mugai_msg_add_header(mc, extra_header, " token");
	mugai_msg_end_headers(mc);
	mugai_msg_add_body(mc, (const guint8 *)"body\r\n", 6);
	next_verdict = MUGAI_V_UNCHANGED;
	next_keep = FALSE;
	next_null = FALSE;
	next_body = NULL;
	store_fails = FALSE;
	next_release = MUGAI_RELEASE_UNKNOWN_ID;
	engine_calls = 0;
	live_finished = 0;
	return cc;
}

static const char *
logged(guint i)
{
	ck_assert_uint_lt(i, fake_mta_log->len);
	return g_ptr_array_index(fake_mta_log, i);
}

/* ---- cases ---- */

START_TEST(unchanged_gets_only_the_header)
{
	struct mugai_conn *cc = message(NULL);

	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	ck_assert_uint_eq(fake_mta_log->len, 1);
	ck_assert_str_eq(logged(0), "add X-Mugai-Sanitized [ done]");
	ck_assert_ptr_null(cc->cc_msg);
	/* An ID was offered to the engine for its notice. */
	ck_assert_str_eq(seen_qid, "20260101-ABC");
	/* The engine finished the stream fed since end of headers. */
	ck_assert_uint_eq(live_finished, 1);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(original_is_stored_before_any_change)
{
	struct mugai_conn *cc = message(NULL);

	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	ck_assert_str_eq(logged(0), "store 20260101-ABC");
	ck_assert_str_eq(logged(1),
	    "chg Content-Type 1 [ text/plain; charset=UTF-8]");
	ck_assert_str_eq(logged(2), "add X-Mugai-Sanitized [ done]");
	ck_assert_str_eq(logged(3), "body 11");
	ck_assert_uint_eq(fake_mta_log->len, 4);
	mugai_conn_free(cc);
}
END_TEST

/*
 * [ppap] auto_password: off, the hook is never called; on, it sees every
 * message the MTA takes (with the kept item's ID), never a refused one.
 */
START_TEST(auto_password_hook_only_when_on)
{
	struct mugai_config *on = mugai_config_new_default();
	struct mugai_conn *cc;

	autopw_calls = 0;
	cc = message(NULL);
	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	mugai_conn_free(cc);
	ck_assert_uint_eq(autopw_calls, 0);

	on->cf_ppap_auto_password = TRUE;
	mugai_current_set_config(on);
	cc = message(NULL);
	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	mugai_conn_free(cc);
	ck_assert_uint_eq(autopw_calls, 1);
	ck_assert_str_eq(autopw_kept, "20260101-ABC");

	cc = message(NULL);
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	mugai_conn_free(cc);
	ck_assert_uint_eq(autopw_calls, 2);
	ck_assert_ptr_null(autopw_kept);

	cc = message(NULL);
	next_verdict = MUGAI_V_REJECT;
	next_keep = TRUE;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_REJECT);
	mugai_conn_free(cc);
	ck_assert_uint_eq(autopw_calls, 2);
	mugai_current_set_config(mugai_config_new_default());
	g_clear_pointer(&autopw_kept, g_free);
}
END_TEST

START_TEST(store_failure_tempfails_with_nothing_applied)
{
	struct mugai_conn *cc = message(NULL);

	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	store_fails = TRUE;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_TEMPFAIL);
	ck_assert_str_eq(logged(0), "store 20260101-ABC");
	ck_assert_str_eq(logged(1), "reply 451 4.3.0 Temporary failure in "
	    "mail sanitization, try again later");
	ck_assert_uint_eq(fake_mta_log->len, 2);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(reject_keeps_the_original_then_replies_550)
{
	struct mugai_conn *cc = message(NULL);

	next_verdict = MUGAI_V_REJECT;
	next_keep = TRUE;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_REJECT);
	ck_assert_str_eq(logged(0), "store 20260101-ABC");
	ck_assert(g_str_has_prefix(logged(1), "reply 550 5.7.1 "));
	ck_assert_uint_eq(fake_mta_log->len, 2);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(engine_failure_tempfails)
{
	struct mugai_conn *cc = message(NULL);

	next_null = TRUE;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_TEMPFAIL);
	ck_assert(g_str_has_prefix(logged(0), "reply 451 4.3.0 "));
	mugai_conn_free(cc);
}
END_TEST

START_TEST(mta_refusing_a_change_tempfails)
{
	struct mugai_conn *cc = message(NULL);

	next_verdict = MUGAI_V_SANITIZED;
	next_body = "sanitized\r\n";
	fake_mta_fail_at = 2;	/* the X-Mugai-Sanitized add */
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_TEMPFAIL);
	ck_assert(g_str_has_prefix(logged(2), "reply 451 4.3.0 "));
	/* The body never went out. */
	ck_assert_uint_eq(fake_mta_body->len, 0);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(too_big_is_refused_without_the_engine)
{
	struct mugai_conn *cc = message(NULL);

	cc->cc_msg->mc_err = MUGAI_E_LIMIT;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_REJECT);
	ck_assert(g_str_has_prefix(logged(0), "reply 552 5.3.4 "));
	ck_assert_uint_eq(engine_calls, 0);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(valid_release_passes_unchanged)
{
	struct mugai_conn *cc = message("X-Mugai-Release");

	next_release = MUGAI_RELEASE_VALID;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	ck_assert_uint_eq(fake_mta_log->len, 0);
	ck_assert_uint_eq(engine_calls, 0);
	mugai_conn_free(cc);
}
END_TEST

/* Every status but VALID, a good token on other content or recipients too. */
static const enum mugai_release_status not_valid[] = {
	MUGAI_RELEASE_FORGED, MUGAI_RELEASE_EXPIRED, MUGAI_RELEASE_REPLAYED,
	MUGAI_RELEASE_UNKNOWN_ID, MUGAI_RELEASE_OTHER_CONTENT,
	MUGAI_RELEASE_OTHER_RCPTS,
};

START_TEST(forged_release_is_sanitized_like_any_mail)
{
	struct mugai_conn *cc = message("X-Mugai-Release");

	next_release = not_valid[_i];
	next_verdict = MUGAI_V_SANITIZED;
	next_body = "sanitized\r\n";
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	ck_assert_uint_eq(engine_calls, 1);
	ck_assert(fake_mta_body->len > 0);
	mugai_conn_free(cc);
}
END_TEST

START_TEST(stats_count_engines_verdicts_and_body_fates)
{
	struct mugai_conn *cc;

	mugai_stats_reset();
	cc = message(NULL);
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	mugai_conn_free(cc);
	cc = message(NULL);
	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_CONTINUE);
	mugai_conn_free(cc);
	cc = message(NULL);
	next_verdict = MUGAI_V_SANITIZED;
	next_keep = TRUE;
	next_body = "sanitized\r\n";
	store_fails = TRUE;
	ck_assert_int_eq(mugai_eom_run(NULL, cc), SMFIS_TEMPFAIL);
	mugai_conn_free(cc);
	ck_assert(stats_has("messages=3"));
	ck_assert(stats_has("unchanged=1"));
	ck_assert(stats_has("sanitized=2"));
	ck_assert(stats_has("action_continue=2"));
	ck_assert(stats_has("action_tempfail=1"));
	ck_assert(stats_has("body_replaced=1"));
	ck_assert(stats_has("body_untouched=1"));
	ck_assert(stats_has("kept=1"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("eom");

	g_mime_init();
	mugai_log_init("check_eom", TRUE, 0);
	mugai_current_set_config(mugai_config_new_default());
	fake_mta_reset();
	t_test(s, unchanged_gets_only_the_header);
	t_test(s, original_is_stored_before_any_change);
	t_test(s, auto_password_hook_only_when_on);
	t_test(s, store_failure_tempfails_with_nothing_applied);
	t_test(s, reject_keeps_the_original_then_replies_550);
	t_test(s, engine_failure_tempfails);
	t_test(s, mta_refusing_a_change_tempfails);
	t_test(s, too_big_is_refused_without_the_engine);
	t_test(s, valid_release_passes_unchanged);
	t_loop_test(s, forged_release_is_sanitized_like_any_mail, 0,
	    G_N_ELEMENTS(not_valid));
	t_test(s, stats_count_engines_verdicts_and_body_fates);
	return t_run(s);
}
