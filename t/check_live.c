/*
 * check_live - a message fed as it arrives (mugai_sanitize_stream_*, the
 * milter's way) gives the result mugai_sanitize() gives for the same bytes:
 * verdict, header block, edits, body, report (JSON) and the fast path's
 * decline, on t/data/stream, the generated data (t/gen/) and the extra
 * corpus (MUGAI_EXTRA_CORPUS) if any, cut at random places
 * (fixed seed), plus bare CR and oversized header blocks; and, where the
 * fast path took the message, the GMime engine's output but for the
 * engine's name.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "core/sanitize.h"
#include "testutil.h"

static const char *const engines[] = { "engine=stream", "engine=gmime",
	"\"engine\":\"stream\"", "\"engine\":\"gmime\"", NULL };

/*
 * What must not differ: everything the milter applies or logs (with
 * blank_engine, but for the engine's name).
 */
static char *
digest_result(const struct mugai_result *rs, gboolean blank_engine)
{
	GString *s = g_string_new(NULL);
	g_autoptr(JsonNode) j = mugai_report_to_json(rs->rs_report);
	g_autofree char *js = json_to_string(j, FALSE);
	char *at;

	g_string_append_printf(s, "verdict %d keep %d offset %" G_GINT64_FORMAT
	    "\nreply %s\ndeclined %s\nheaders\n%s\n", rs->rs_verdict,
	    rs->rs_keep_original, rs->rs_body_offset,
	    rs->rs_reply != NULL ? rs->rs_reply : "-",
	    rs->rs_declined != NULL ? rs->rs_declined : "-",
	    rs->rs_headers);
	for (guint i = 0; rs->rs_edits != NULL && i < rs->rs_edits->len;
	    i++) {
		const struct mugai_hdr_edit *e =
		    g_ptr_array_index(rs->rs_edits, i);

		g_string_append_printf(s, "edit %d %s %u %s\n", e->he_op,
		    e->he_name, e->he_index,
		    e->he_value != NULL ? e->he_value : "-");
	}
	if (rs->rs_body != NULL) {
		gsize len;
		const char *b = g_bytes_get_data(rs->rs_body, &len);

		g_string_append(s, "body\n");
		g_string_append_len(s, b, (gssize)len);
	}
	g_string_append_printf(s, "\nreport %s\n", js);
	for (const char *const *e = engines; blank_engine && *e != NULL; e++)
		while ((at = strstr(s->str, *e)) != NULL)
			g_string_erase(s, at - s->str, (gssize)strlen(*e));
	return g_string_free(s, FALSE);
}

static const char *const rcpts[] = { "b@example.jp", NULL };
static const struct mugai_envelope env = {
	.ev_queue_id = "Q1", .ev_sender = "a@example.jp", .ev_rcpts = rcpts,
	.ev_quarantine_id = "ID1",
};

/* Sanitizes msg the milter's way, cut where r says. */
static struct mugai_result *
live(const struct mugai_config *cf, GBytes *msg, GRand *r)
{
	gsize len, off = 0;
	const char *p = g_bytes_get_data(msg, &len);
	/* The milter's envelope before end of message: no IDs yet. */
	struct mugai_envelope early = { .ev_sender = env.ev_sender,
	    .ev_rcpts = rcpts };
	struct mugai_sanitize_stream *ss = mugai_sanitize_stream_new(cf,
	    &early);
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(p, len);
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;

	while (off < len) {
		/* Mostly small cuts, sometimes one byte, sometimes big. */
		gsize n = (gsize)g_rand_int_range(r, 1, g_rand_boolean(r) ?
		    9 : 70000);

		n = MIN(n, len - off);
		mugai_sanitize_stream_feed(ss, p + off, n);
		off += n;
	}
	rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(rs);
	mugai_sanitize_stream_free(ss);
	g_object_unref(in);
	return rs;
}

static struct mugai_result *
whole(const struct mugai_config *cf, GBytes *msg, enum mugai_engine e)
{
	struct mugai_sanitize_opts so = { e, 0 };
	gsize len;
	const char *p = g_bytes_get_data(msg, &len);
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(p, len);
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs = mugai_sanitize_with(cf, in, &env, &so, &err);

	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(rs);
	g_object_unref(in);
	return rs;
}

/* Checks one message; returns TRUE when the fast path took it. */
static gboolean
check_one(const struct mugai_config *cf, const char *name, GBytes *msg,
    GRand *r)
{
	struct mugai_result *ref = whole(cf, msg, MUGAI_ENGINE_AUTO);
	g_autofree char *want = digest_result(ref, FALSE);
	gboolean taken = strcmp(ref->rs_report->rr_engine, "stream") == 0;

	for (int k = 0; k < 3; k++) {
		struct mugai_result *got = live(cf, msg, r);
		g_autofree char *have = digest_result(got, FALSE);

		ck_assert_msg(strcmp(want, have) == 0,
		    "%s: live differs from mugai_sanitize():\n%s\n----\n%s",
		    name, want, have);
		mugai_result_free(got);
	}
	if (taken) {
		struct mugai_result *gm = whole(cf, msg, MUGAI_ENGINE_GMIME);
		g_autofree char *a = digest_result(ref, TRUE);
		g_autofree char *b = digest_result(gm, TRUE);

		ck_assert_msg(strcmp(a, b) == 0, "%s: stream and gmime "
		    "differ:\n%s\n----\n%s", name, a, b);
		mugai_result_free(gm);
	}
	mugai_result_free(ref);
	return taken;
}

static void
add_dir(GPtrArray *files, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	if (d == NULL)
		return;
	while ((n = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, n, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			add_dir(files, path);
			g_free(path);
		} else if (g_str_has_suffix(n, ".eml"))
			g_ptr_array_add(files, path);
		else
			g_free(path);
	}
	g_dir_close(d);
}

START_TEST(live_equals_whole)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	GRand *r = g_rand_new_with_seed(20240611);
	guint taken = 0, stream_files;

	add_dir(files, MUGAI_TOP_SRCDIR "/t/data/stream");
	stream_files = files->len;
	ck_assert_uint_gt(stream_files, 10);
	/* The generated data (t/local.mk), then the extra corpus if any. */
	{
		g_autofree char *gen = t_gen_dir(NULL);
		guint before = files->len;

		add_dir(files, gen);
		ck_assert_msg(files->len > before + 100, "%s: no generated "
		    "messages (make t/gen/stamp)", gen);
	}
	if (t_extra_corpus_dir() != NULL)
		add_dir(files, t_extra_corpus_dir());
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		g_autoptr(GBytes) msg = NULL;
		char *data;
		gsize len;

		ck_assert(g_file_get_contents(path, &data, &len, NULL));
		msg = g_bytes_new_take(data, len);
		taken += check_one(cf, path, msg, r);
	}
	/* Most generated cases take the fast path (check_stream says so). */
	ck_assert_uint_gt(taken, stream_files / 2);
	g_rand_free(r);
	mugai_config_unref(cf);
}
END_TEST

#define HDRS "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: t\r\n"

/* Ways out before or beside the walk: one answer all the same. */
static const char *const odd[] = {
	HDRS "\r\nplain\r\n",
	HDRS "\r\nbare\rCR\r\n",
	HDRS "\r\nends with CR\r",
	HDRS "Content-Type: multipart/signed; boundary=b\r\n\r\n--b\r\n\r\n"
	    "x\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n"
	    "sig\r\n--b--\r\n",
	HDRS "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n"
	    "x\r\n--b\r\nContent-Type: application/zip\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b--\r\n",
	HDRS,
	"",
	/* Where the header block ends (the kept head stops there). */
	HDRS "X-A: 1\r\n\r\nSubject: in the body\r\n\r\nx\r\n",
	"From: a@example.jp\nSubject: t\n\nSubject: body\n",
	"From: a@example.jp\nSubject: t\n\r\nSubject: body\r\n",
	"From: a@example.jp\r\nSubject: t\r\r\nX-B: 2\r\n\r\nbody\r\n",
	"From: a@example.jp\r\nSubject: t\r\n\rX-B: 2\r\n\r\nbody\r\n",
	"From: a@example.jp\r\nSubject: t\r\n \r\nX-B: 2\r\n\r\nb\r\n",
	"From x@example.jp Mon Sep  1 00:00:00 2025\nFrom: a@example.jp\n"
	    "Subject: t\n\nbody\n",
	"\r\nSubject: body only\r\n",
	"\nSubject: body only\n",
	"From: a@example.jp\r\nnot a header line\r\nSubject: t\r\n\r\nb\r\n",
	HDRS "\r",
};

START_TEST(live_equals_whole_odd)
{
	struct mugai_config *cf = mugai_config_new_default();
	GRand *r = g_rand_new_with_seed((guint32)_i);
	g_autoptr(GBytes) msg = g_bytes_new_static(odd[_i], strlen(odd[_i]));

	check_one(cf, odd[_i], msg, r);
	g_rand_free(r);
	mugai_config_unref(cf);
}
END_TEST

/* Header block and line limits: withheld before any walk, alike. */
START_TEST(live_equals_whole_limits)
{
	struct mugai_config *cf = mugai_config_new_default();
	GRand *r = g_rand_new_with_seed(7);
	GString *m = g_string_new(HDRS);
	g_autoptr(GBytes) big = NULL, longl = NULL;

	for (gint64 i = 0; i * 70 < cf->cf_max_header_size + 100; i++)
		g_string_append_printf(m, "X-Pad-%05" G_GINT64_FORMAT ": %060d"
		    "\r\n", i, 0);
	g_string_append(m, "\r\nbody\r\n");
	big = g_bytes_new(m->str, m->len);
	check_one(cf, "big header block", big, r);
	g_string_assign(m, HDRS "\r\n");
	for (gint64 i = 0; i <= cf->cf_max_line_length; i++)
		g_string_append_c(m, 'x');
	g_string_append(m, "\r\n");
	longl = g_bytes_new(m->str, m->len);
	check_one(cf, "long line", longl, r);
	g_string_free(m, TRUE);
	g_rand_free(r);
	mugai_config_unref(cf);
}
END_TEST

static Suite *
live_suite(void)
{
	Suite *s = suite_create("live");

	t_timeout = 600;
	t_test(s, live_equals_whole);
	t_loop_test(s, live_equals_whole_odd, 0, G_N_ELEMENTS(odd));
	t_test(s, live_equals_whole_limits);
	return s;
}

int
main(void)
{
	int status;

	g_mime_init();
	status = t_run(live_suite());
	g_mime_shutdown();
	return status;
}
