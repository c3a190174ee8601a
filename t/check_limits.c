/*
 * check_limits - every configured limit just under and just over, on
 * every way into the engine
 *
 * One table row per limit: a small config, a generator that builds a
 * message of size n in code, the largest n within the limit and the
 * smallest past it. Each message goes through the GMime walk, the
 * streaming walk, AUTO and the milter's live stream (fed in 7-byte
 * chunks and whole): under the limit nothing is withheld and no limit is
 * named; over it the on_error action is taken (withhold, tempfail and
 * reject each tried) and the report names the limit (rr_limit, or the
 * archive's "limit=..." fact and the [rule] it triggers). All engines
 * that take a message give the same verdict, limit and body.
 *
 * max_time runs on a fake clock (lib/base/deadline.h) that moves one step per
 * read, so "too slow" is a count of clock reads: deterministic.
 *
 * Then the process stays healthy: each over-limit message again and
 * again, the heap in use (mallinfo2) back where it was, and an ordinary
 * message still sanitized as before.
 */
#include "autoconfig.h"

#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "base/deadline.h"
#include "fixtures.h"
#include "text/html2text.h"
#include "core/sanitize.h"
#include "testconf.h"
#include "testutil.h"

#define HDRS "From: a@example.jp\nTo: b@lgwan.example\nSubject: limits\n" \
	"Date: Sat, 21 Nov 2026 10:00:00 +0900\nMessage-ID: <l@example.jp>\n"
#define MIXED HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; " \
	"boundary=\"b\"\n\n"

static const char *const rcpts[] = { "b@lgwan.example", NULL };
static const struct mugai_envelope env = {
	.ev_queue_id = "Q1", .ev_sender = "a@example.jp", .ev_rcpts = rcpts,
	.ev_quarantine_id = "ID-LIMITS",
};

/* ------------------------------------------------------------ the clock */

static gint64 fake_now = 1000000;
static gint64 fake_step;

static gint64
fake_clock(void)
{
	fake_now += fake_step;
	return fake_now;
}

/* ------------------------------------------------------------ messages */

/* A text leaf depth levels deep (the message is level 1). */
static char *
nested(guint depth)
{
	GString *s = g_string_new(HDRS "MIME-Version: 1.0\n");

	for (guint i = 1; i < depth; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; "
		    "boundary=\"n%u\"\n\n--n%u\n", i, i);
	g_string_append(s, "Content-Type: text/plain\n\nDeep text.\n");
	for (guint i = depth - 1; i >= 1; i--)
		g_string_append_printf(s, "--n%u--\n", i);
	return g_string_free(s, FALSE);
}

/* A multipart/mixed of n text leaves: n + 1 parts. */
static char *
leaves(guint n)
{
	GString *s = g_string_new(MIXED);

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "--b\nContent-Type: text/plain\n\n"
		    "Leaf %u.\n", i);
	g_string_append(s, "--b--\n");
	return g_string_free(s, FALSE);
}

/* A header block of exactly n bytes (with its blank line), n >= 400. */
static char *
header_block(guint n)
{
	GString *s = g_string_new(HDRS "MIME-Version: 1.0\n"
	    "Content-Type: text/plain\n");

	while (s->len + 1 + 70 < n)
		g_string_append(s, "X-Pad: 012345678901234567890123456789"
		    "012345678901234567890123456789\n");
	g_string_append(s, "X-Last: ");
	while (s->len + 2 < n)
		g_string_append_c(s, 'x');
	g_string_append(s, "\n\nBody.\n");
	return g_string_free(s, FALSE);
}

/* n header fields of their own, each one to decode and maybe re-encode. */
static char *
header_fields(guint n)
{
	GString *s = g_string_new(HDRS "MIME-Version: 1.0\n"
	    "Content-Type: text/plain\n");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "X-F: =?utf-8?q?f=C3=A9?= %u\n", i);
	g_string_append(s, "\nBody.\n");
	return g_string_free(s, FALSE);
}

/* A body line of n bytes (LF not counted). */
static char *
long_line(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: text/plain\n\n");

	for (guint i = 0; i < n; i++)
		g_string_append_c(s, (char)('a' + i % 26));
	g_string_append(s, "\nEnd.\n");
	return g_string_free(s, FALSE);
}

/* A whole message of exactly n bytes. */
static char *
sized(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: text/plain\n\n");

	while (s->len + 1 < n)
		g_string_append_c(s, s->len % 64 == 63 ? '\n' :
		    "Sized message text. "[s->len % 20]);
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static char *
with_attachment(GBytes *data, const char *type, const char *name)
{
	gsize len;
	const guchar *d = g_bytes_get_data(data, &len);
	g_autofree char *b64 = g_base64_encode(d, len);
	GString *s = g_string_new(MIXED "--b\nContent-Type: text/plain\n\n"
	    "See the attachment.\n");

	g_string_append_printf(s, "--b\nContent-Type: %s\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", type, name);
	for (gsize i = 0; i < strlen(b64); i += 76)
		g_string_append_printf(s, "%.76s\n", b64 + i);
	g_string_append(s, "--b--\n");
	return g_string_free(s, FALSE);
}

/* A text part of "Text." and an attachment of n decoded bytes. */
static char *
decoded(guint n)
{
	g_autoptr(GBytes) data = fx_fill(n, 'd');

	return with_attachment(data, "application/octet-stream", "d.bin");
}

/* text/html with a text n elements deep (html and body count). */
static char *
html_nested(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: text/html\n\n");

	for (guint i = 0; i < n; i++)
		g_string_append(s, "<div>");
	g_string_append(s, "deep");
	for (guint i = 0; i < n; i++)
		g_string_append(s, "</div>");
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

/* Prose, so that no run of it looks like an encoded block. */
static const char prose[] = "The quick brown fox jumps over the lazy dog. ";

/* text/plain of n bytes of text (lines of 64, the last ends with LF). */
static char *
text_of(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: text/plain\n\n");

	for (guint i = 1; i < n; i++)
		g_string_append_c(s, i % 64 == 0 ? '\n' :
		    prose[i % (sizeof prose - 1)]);
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

/* text/html whose rendered text is n bytes (with its final LF). */
static char *
html_text_of(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: text/html\n\n<p>");

	for (guint i = 1; i < n; i++)
		g_string_append_c(s, "html words "[i % 11]);
	g_string_append(s, "</p>\n");
	return g_string_free(s, FALSE);
}

/* A zip of n small text entries. */
static char *
zip_entries(guint n)
{
	g_autoptr(GBytes) t = fx_text("entry\n");
	struct fx_entry *e = g_new0(struct fx_entry, n);
	g_autofree char **names = g_new0(char *, n + 1);
	g_autoptr(GBytes) zip = NULL;

	for (guint i = 0; i < n; i++) {
		names[i] = g_strdup_printf("e%u.txt", i);
		e[i].name = names[i];
		e[i].data = t;
	}
	zip = fx_archive("zip", NULL, NULL, NULL, e, n);
	for (guint i = 0; i < n; i++)
		g_free(names[i]);
	g_free(e);
	return with_attachment(zip, "application/zip", "a.zip");
}

/* Zips inside zips: the attachment is level 1, a text at level n. */
static char *
zip_depth(guint n)
{
	GBytes *cur = fx_text("inner\n");
	g_autofree char *m = NULL;

	for (guint i = 0; i < n; i++) {
		GBytes *z = fx_zip1(i == 0 ? "t.txt" : "z.zip", cur);

		g_bytes_unref(cur);
		cur = z;
	}
	m = with_attachment(cur, "application/zip", "a.zip");
	g_bytes_unref(cur);
	return g_steal_pointer(&m);
}

/* A zip of one entry of n bytes. */
static char *
zip_bytes(guint n)
{
	g_autoptr(GBytes) data = fx_fill(n, 'z');
	g_autoptr(GBytes) zip = fx_zip1("big.txt", data);

	return with_attachment(zip, "application/zip", "a.zip");
}

/* ---------------------------------------------------------- the table */

#define ARC_RULES "[rule arc-limit]\nany_flag = archive_limit;" \
	"archive_too_deep\naction = reject\n\n[rule rest]\naction = drop\n"

struct limit_case {
	const char *lc_name;
	const char *lc_conf;
	char *(*lc_make)(guint n);
	guint lc_under;		/* largest n within the limit */
	guint lc_over;		/* lc_under + 1 unless said */
	const char *lc_limit;	/* rr_limit over it (withheld) */
	const char *lc_flag;	/* or: a part fact over it (archive) */
	gint64 lc_step;		/* max_time: fake clock step (usec) */
};

static const struct limit_case cases[] = {
	{ "max_depth", "[limits]\nmax_depth = 5\n", nested, 5, 6,
	  "max_depth", NULL, 0 },
	/* n leaves are n + 1 parts */
	{ "max_parts", "[limits]\nmax_parts = 8\n", leaves, 7, 8,
	  "max_parts", NULL, 0 },
	{ "max_header_size", "[limits]\nmax_header_size = 2048\n",
	  header_block, 2048, 2049, "max_header_size", NULL, 0 },
	{ "max_line_length", "[limits]\nmax_line_length = 2000\n",
	  long_line, 2000, 2001, "max_line_length", NULL, 0 },
	{ "max_message_size", "[limits]\nmax_message_size = 4K\n", sized,
	  4096, 4097, "max_message_size", NULL, 0 },
	/* the text part is 19 bytes */
	{ "max_decoded_size", "[limits]\nmax_decoded_size = 2K\n", decoded,
	  2048 - 19, 2048 - 18, "max_decoded_size", NULL, 0 },
	/* html and body are 2 of the 8 levels */
	{ "max_html_depth", "[limits]\nmax_html_depth = 8\n", html_nested,
	  6, 7, "max_html_depth", NULL, 0 },
	{ "max_text_size", "[limits]\nmax_text_size = 1024\n", text_of,
	  1024, 1025, "max_text_size", NULL, 0 },
	{ "max_text_size_html", "[limits]\nmax_text_size = 1024\n",
	  html_text_of, 1024, 1025, "max_text_size", NULL, 0 },
	{ "archive_max_entries", "[policy]\narchive_max_entries = 3\n"
	  ARC_RULES, zip_entries, 3, 4, NULL, "limit=archive_max_entries",
	  0 },
	{ "archive_max_depth", "[policy]\narchive_max_depth = 2\n" ARC_RULES,
	  zip_depth, 2, 3, NULL, "archive_too_deep", 0 },
	{ "archive_max_bytes", "[policy]\narchive_max_bytes = 1K\n" ARC_RULES,
	  zip_bytes, 1024, 1025, NULL, "limit=archive_max_bytes", 0 },
	/* 10 s in steps of 2 ms: 5000 clock reads. Every part takes at
	 * least one (3 to 5 in all), so 20 parts are far within and 4000
	 * parts far past it, whichever engine reads the clock how often. */
	{ "max_time", "[limits]\nmax_time = 10s\nmax_parts = 100000\n",
	  leaves, 20, 4000, "max_time", NULL, 2000 },
	/* The header work counts too: one clock read per field at least,
	 * so 6000 fields are 12 s at 2 ms a read. */
	{ "max_time_headers", "[limits]\nmax_time = 10s\n", header_fields,
	  20, 6000, "max_time", NULL, 2000 },
};

static struct mugai_config *
case_conf(const struct limit_case *c, const char *on_error)
{
	g_autofree char *text = g_strdup_printf("%s\n[sanitize]\n"
	    "on_error = %s\n", c->lc_conf, on_error);

	return t_config(text);
}

/* ---------------------------------------------------------- the engines */

enum way { W_GMIME, W_STREAM, W_AUTO, W_LIVE_7, W_LIVE_WHOLE, W_N };

static const char *const way_names[] = { "gmime", "stream", "auto",
    "live/7", "live/whole" };

static struct mugai_result *
run_way(const struct mugai_config *cf, const char *msg, enum way way)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM, MUGAI_ENGINE_AUTO };
	gsize len = strlen(msg);
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, len);
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;

	if (way <= W_AUTO) {
		struct mugai_sanitize_opts so = { engines[way], 0 };

		rs = mugai_sanitize_with(cf, in, &env, &so, &err);
	} else {
		struct mugai_envelope early = { .ev_sender = env.ev_sender,
		    .ev_rcpts = rcpts };
		struct mugai_sanitize_stream *ss =
		    mugai_sanitize_stream_new(cf, &early);
		gsize chunk = way == W_LIVE_7 ? 7 : len;

		for (gsize off = 0; off < len; off += chunk)
			mugai_sanitize_stream_feed(ss, msg + off,
			    MIN(chunk, len - off));
		rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
		mugai_sanitize_stream_free(ss);
	}
	g_object_unref(in);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(rs);
	return rs;
}

/* TRUE when some part of rs carries fact flag. */
static gboolean
has_flag(const struct mugai_result *rs, const char *flag)
{
	const GPtrArray *parts = rs->rs_report->rr_parts;

	for (guint i = 0; i < parts->len; i++) {
		const struct mugai_report_part *p = parts->pdata[i];

		for (guint j = 0; j < p->rp_flags->len; j++)
			if (strcmp(p->rp_flags->pdata[j], flag) == 0)
				return TRUE;
	}
	return FALSE;
}

static gboolean
same_body(const struct mugai_result *a, const struct mugai_result *b)
{
	if (a->rs_body == NULL || b->rs_body == NULL)
		return a->rs_body == b->rs_body;
	return g_bytes_equal(a->rs_body, b->rs_body);
}

static void
check_under(const struct limit_case *c, const struct mugai_result *rs,
    const char *way)
{
	enum mugai_verdict v = rs->rs_verdict;

	ck_assert_msg(v == MUGAI_V_SANITIZED || v == MUGAI_V_UNCHANGED,
	    "%s under (%s): verdict %s, withheld \"%s\"", c->lc_name, way,
	    mugai_verdict_name(v), rs->rs_report->rr_withheld_reason);
	ck_assert_msg(rs->rs_report->rr_limit == NULL, "%s under (%s): "
	    "limit %s", c->lc_name, way, rs->rs_report->rr_limit);
	if (c->lc_flag != NULL)
		ck_assert_msg(!has_flag(rs, c->lc_flag), "%s under (%s): %s",
		    c->lc_name, way, c->lc_flag);
}

static void
check_over(const struct limit_case *c, const struct mugai_result *rs,
    const char *way, enum mugai_on_error on_error)
{
	static const enum mugai_verdict want[] = {
		[MUGAI_ON_ERROR_WITHHOLD] = MUGAI_V_WITHHELD,
		[MUGAI_ON_ERROR_TEMPFAIL] = MUGAI_V_TEMPFAIL,
		[MUGAI_ON_ERROR_REJECT] = MUGAI_V_REJECT,
	};
	const struct mugai_report *r = rs->rs_report;

	if (c->lc_flag != NULL) {
		/* An archive limit is a fact of the part; its rule acts. */
		ck_assert_msg(has_flag(rs, c->lc_flag), "%s over (%s): no %s",
		    c->lc_name, way, c->lc_flag);
		ck_assert_int_eq(rs->rs_verdict, MUGAI_V_REJECT);
		ck_assert_str_eq(r->rr_rule, "arc-limit");
		return;
	}
	ck_assert_msg(rs->rs_verdict == want[on_error], "%s over (%s): "
	    "verdict %s", c->lc_name, way, mugai_verdict_name(rs->rs_verdict));
	ck_assert_msg(r->rr_limit != NULL && strcmp(r->rr_limit,
	    c->lc_limit) == 0, "%s over (%s): limit %s, reason \"%s\"",
	    c->lc_name, way, r->rr_limit, r->rr_withheld_reason);
	ck_assert_ptr_nonnull(r->rr_withheld_reason);
	if (on_error == MUGAI_ON_ERROR_WITHHOLD) {
		/* The original is kept; the body is the withheld notice. */
		ck_assert(rs->rs_keep_original);
		ck_assert_ptr_nonnull(rs->rs_body);
		ck_assert_ptr_nonnull(strstr(rs->rs_headers,
		    "verdict=withheld"));
		ck_assert_ptr_nonnull(strstr(rs->rs_headers,
		    "quarantine=ID-LIMITS"));
	} else
		ck_assert_ptr_null(rs->rs_body);
}

/*
 * Runs msg every way; checks each result with under/over and that every
 * engine that took it agrees with the GMime walk.
 */
static void
check_all_ways(const struct limit_case *c, const struct mugai_config *cf,
    const char *msg, gboolean over, enum mugai_on_error on_error)
{
	struct mugai_result *ref = NULL;

	fake_step = c->lc_step;
	mugai_deadline_set_clock(c->lc_step > 0 ? fake_clock : NULL);
	for (enum way w = W_GMIME; w < W_N; w++) {
		struct mugai_result *rs = run_way(cf, msg, w);

		if (w == W_STREAM && rs->rs_declined != NULL) {
			mugai_result_free(rs);
			continue;
		}
		if (over)
			check_over(c, rs, way_names[w], on_error);
		else
			check_under(c, rs, way_names[w]);
		if (ref == NULL) {
			ref = rs;
			continue;
		}
		ck_assert_msg(rs->rs_verdict == ref->rs_verdict &&
		    g_strcmp0(rs->rs_report->rr_limit,
		    ref->rs_report->rr_limit) == 0 && same_body(rs, ref),
		    "%s %s: %s (%s) differs from gmime", c->lc_name,
		    over ? "over" : "under", way_names[w],
		    rs->rs_report->rr_engine);
		mugai_result_free(rs);
	}
	mugai_result_free(ref);
	mugai_deadline_set_clock(NULL);
}

START_TEST(limit_just_under_and_over)
{
	const struct limit_case *c = &cases[_i];
	static const char *const on_errors[] = { "withhold", "tempfail",
	    "reject" };
	g_autofree char *under = c->lc_make(c->lc_under);
	g_autofree char *over = c->lc_make(c->lc_over);

	for (guint e = 0; e < G_N_ELEMENTS(on_errors); e++) {
		struct mugai_config *cf = case_conf(c, on_errors[e]);

		check_all_ways(c, cf, under, FALSE, e);
		check_all_ways(c, cf, over, TRUE, e);
		mugai_config_unref(cf);
	}
}
END_TEST

/* ------------------------------------------------------ the deadline */

START_TEST(deadline_is_exact_to_the_microsecond)
{
	gint64 d;

	fake_step = 0;
	fake_now = 5000000;
	mugai_deadline_set_clock(fake_clock);
	ck_assert_int_eq(mugai_deadline_after(0), 0);
	ck_assert(!mugai_deadline_passed(0));
	d = mugai_deadline_after(250);
	ck_assert_int_eq(d, 5000000 + 250000);
	fake_now = d;
	ck_assert(!mugai_deadline_passed(d));
	fake_now = d + 1;
	ck_assert(mugai_deadline_passed(d));
	mugai_deadline_set_clock(NULL);
}
END_TEST

START_TEST(html2text_stops_at_the_deadline)
{
	struct mugai_html2text *h = mugai_html2text_new(NULL);
	enum mugai_err err = MUGAI_OK;

	fake_step = 0;
	fake_now = 1000;
	mugai_deadline_set_clock(fake_clock);
	mugai_html2text_set_deadline(h, 2000);
	ck_assert_int_eq(mugai_html2text_feed(h, "<p>one</p>", 10), MUGAI_OK);
	ck_assert_int_eq(mugai_html2text_limit_hit(h), MUGAI_HTML_LIMIT_NONE);
	fake_now = 2001;
	ck_assert_int_eq(mugai_html2text_feed(h, "<p>two</p>", 10),
	    MUGAI_E_LIMIT);
	ck_assert_ptr_null(mugai_html2text_finish(h, NULL, &err));
	ck_assert_int_eq(err, MUGAI_E_LIMIT);
	ck_assert_int_eq(mugai_html2text_limit_hit(h), MUGAI_HTML_LIMIT_TIME);
	mugai_html2text_free(h);
	mugai_deadline_set_clock(NULL);
}
END_TEST

/* The clock stands still while the milter waits for the next chunk. */
START_TEST(live_stream_counts_work_not_waiting)
{
	struct mugai_config *cf = t_config("[limits]\nmax_time = 1s\n");
	g_autofree char *msg = leaves(3);
	gsize len = strlen(msg);
	struct mugai_sanitize_stream *ss;
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, len);
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;

	fake_step = 0;
	mugai_deadline_set_clock(fake_clock);
	ss = mugai_sanitize_stream_new(cf, &env);
	for (gsize off = 0; off < len; off += 16) {
		/* 10 s between chunks, none of it inside the engine */
		fake_now += 10 * G_USEC_PER_SEC;
		mugai_sanitize_stream_feed(ss, msg + off, MIN(16, len - off));
	}
	rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
	ck_assert_ptr_nonnull(rs);
	ck_assert_int_eq(rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_null(rs->rs_report->rr_limit);
	mugai_result_free(rs);
	mugai_sanitize_stream_free(ss);
	g_object_unref(in);
	mugai_deadline_set_clock(NULL);
	mugai_config_unref(cf);
}
END_TEST

/* --------------------------------------------------- staying healthy */

static gsize
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Every over-limit message, 40 times through GMime and AUTO: the heap in
 * use comes back to what it was after a first round (caches warmed), and
 * an ordinary message is then sanitized exactly as before.
 */
START_TEST(memory_returns_to_baseline_after_limits)
{
	struct mugai_config *plain = t_config("[limits]\nmax_parts = 1000\n");
	g_autofree char *ordinary = leaves(3);
	struct mugai_result *before = run_way(plain, ordinary, W_AUTO);
	char *msgs[G_N_ELEMENTS(cases)];
	struct mugai_config *cfs[G_N_ELEMENTS(cases)];
	struct mugai_result *after;
	gsize base = 0, now;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		msgs[i] = cases[i].lc_make(cases[i].lc_over);
		cfs[i] = case_conf(&cases[i], "withhold");
	}
	for (guint round = 0; round < 41; round++) {
		if (round == 1)
			base = heap_in_use();
		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			fake_step = cases[i].lc_step;
			mugai_deadline_set_clock(cases[i].lc_step > 0 ?
			    fake_clock : NULL);
			mugai_result_free(run_way(cfs[i], msgs[i], W_GMIME));
			mugai_result_free(run_way(cfs[i], msgs[i], W_AUTO));
			mugai_deadline_set_clock(NULL);
		}
	}
	now = heap_in_use();
	/* 40 rounds of 13 messages: a leak of even 1 byte a message
	 * is 520 bytes; allow some noise from GLib's own tables. */
	ck_assert_msg(now <= base + 16 * 1024, "heap in use grew from %zu "
	    "to %zu bytes over 40 rounds", base, now);
	after = run_way(plain, ordinary, W_AUTO);
	ck_assert_int_eq(after->rs_verdict, before->rs_verdict);
	ck_assert(same_body(after, before));
	mugai_result_free(after);
	mugai_result_free(before);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_free(msgs[i]);
		mugai_config_unref(cfs[i]);
	}
	mugai_config_unref(plain);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("limits");

	t_timeout = 300;	int rc;

	mugai_sanitize_init();
	t_loop_test(s, limit_just_under_and_over, 0,
	    (int)G_N_ELEMENTS(cases));
	t_test(s, deadline_is_exact_to_the_microsecond);
	t_test(s, html2text_stops_at_the_deadline);
	t_test(s, live_stream_counts_work_not_waiting);
	t_test(s, memory_returns_to_baseline_after_limits);
	rc = t_run(s);
	mugai_sanitize_shutdown();
	return rc;
}
