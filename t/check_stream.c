/*
 * check_stream - the streaming engine: the scanner's declines, and one
 * answer with the GMime engine on t/data/stream at chunk sizes 1, 7,
 * 64 KiB and whole, from memory and from a file
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core/sanitize.h"
#include "mime/scan.h"
#include "testutil.h"

static const gsize chunks[] = { 1, 7, 65536, 1 << 30 };

/* ---- the scanner alone ---- */

struct events {
	GString *log;
};

static gboolean
ev_begin(void *ctx, const struct mugai_scan_part *p)
{
	struct events *e = ctx;
	g_autofree char *t = g_mime_content_type_get_mime_type(p->sp_type);

	g_string_append_printf(e->log, "<%s %s>", p->sp_path, t);
	return TRUE;
}

static gboolean
ev_data(void *ctx, const struct mugai_scan_part *p, const guint8 *buf,
    gsize len)
{
	struct events *e = ctx;

	(void)p;
	g_string_append_len(e->log, (const char *)buf, (gssize)len);
	return TRUE;
}

static gboolean
ev_end(void *ctx, const struct mugai_scan_part *p)
{
	struct events *e = ctx;

	g_string_append_printf(e->log, "</%s>", p->sp_path);
	return TRUE;
}

/* No so_warn: a warning about the top header block declines. */
static const struct mugai_scan_ops ev_ops = {
	.so_begin = ev_begin,
	.so_data = ev_data,
	.so_end = ev_end,
};

/* Scans msg at chunk size n; returns the event log or "DECLINED: why". */
static char *
scan(const char *msg, gsize n)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct events e = { g_string_new(NULL) };
	struct mugai_scan *s = mugai_scan_new(cf, &ev_ops, &e);
	gsize len = strlen(msg);
	char *out;

	for (gsize i = 0; i < len; i += n)
		mugai_scan_feed(s, msg + i, MIN(n, len - i));
	if (!mugai_scan_finish(s)) {
		g_string_free(e.log, TRUE);
		out = g_strdup_printf("DECLINED: %s", mugai_scan_declined(s));
	} else
		out = g_string_free(e.log, FALSE);
	mugai_scan_free(s);
	mugai_config_unref(cf);
	return out;
}

#define HDRS "From: a@example.jp\nTo: b@example.jp\nSubject: t\n"

static const struct {
	const char *name, *msg, *want;
} scans[] = {
	{ "plain", HDRS "Content-Type: text/plain\n\nhello\n",
	  "<1 text/plain>hello\n</1>" },
	{ "base64_across_chunks", HDRS "Content-Transfer-Encoding: base64\n"
	  "\naGVs\nbG8g\nd29y\nbGQ=\n", "<1 text/plain>hello world</1>" },
	{ "qp_soft_break", HDRS "Content-Transfer-Encoding: quoted-printable"
	  "\n\nab=\ncd=3D\n", "<1 text/plain>abcd=\n</1>" },
	{ "crlf_boundary_eats_crlf", "Subject: x\r\nContent-Type: multipart/"
	  "mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\ny\r\n--b--\r\n",
	  "<1 multipart/mixed><1.1 text/plain>x\r\ny</1.1></1>" },
	/* The CRLF before the boundary is the boundary's (RFC 2046), also
	 * when the closing boundary has no line end (issue 20). */
	{ "crlf_unterminated_close_drops_crlf", "Subject: x\r\nContent-Type: "
	  "multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--",
	  "<1 multipart/mixed><1.1 text/plain>x</1.1></1>" },
	{ "boundary_lookalikes_are_content", HDRS "Content-Type: multipart/"
	  "mixed; boundary=zz\n\n--zz\n\n--zzz\n--zz-\n--zz \t\n\nb\n--zz--\n",
	  "<1 multipart/mixed><1.1 text/plain>--zzz\n--zz-</1.1>"
	  "<1.2 text/plain>b</1.2></1>" },
	{ "no_closing_boundary", HDRS "Content-Type: multipart/mixed; "
	  "boundary=b\n\n--b\n\nx\n", "<1 multipart/mixed><1.1 text/plain>"
	  "x\n</1.1></1>" },
	{ "ends_in_preamble", HDRS "Content-Type: multipart/mixed; "
	  "boundary=b\n\npre\n", "<1 multipart/mixed></1>" },
	{ "ends_in_forward_in_multipart", HDRS "Content-Type: multipart/"
	  "mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
	  "From: x\n\ny", "<1 multipart/mixed><1.1 message/rfc822>"
	  "<1.1.1 text/plain>y</1.1.1></1.1></1>" },
	{ "outer_boundary_closes_inner", HDRS "Content-Type: multipart/mixed;"
	  " boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n"
	  "--i\n\nx\n--o--\n", "DECLINED: boundary of an outer multipart "
	  "inside a part" },
	{ "forwarded_message", HDRS "Content-Type: message/rfc822\n\n"
	  HDRS "\nx\n", "<1 message/rfc822><1.1 text/plain>x\n</1.1></1>" },
	{ "forward_ends_at_outer_boundary", HDRS "Content-Type: multipart/"
	  "mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
	  HDRS "Content-Type: multipart/mixed; boundary=c\n\n--c\n\ny\n"
	  "--c--\nepilogue\n--b\n\nz\n--b--\n",
	  "<1 multipart/mixed><1.1 message/rfc822><1.1.1 multipart/mixed>"
	  "<1.1.1.1 text/plain>y</1.1.1.1></1.1.1></1.1><1.2 text/plain>z"
	  "</1.2></1>" },
	{ "forward_base64_is_a_leaf", HDRS "Content-Type: message/rfc822\n"
	  "Content-Transfer-Encoding: base64\n\neA==\n",
	  "<1 message/rfc822>x</1>" },
	{ "forward_header_block_unended", HDRS "Content-Type: multipart/mixed;"
	  " boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: x\n"
	  "--b--\n", "DECLINED: \"--\" line in a header block" },
	{ "forward_without_headers", HDRS "Content-Type: message/rfc822\n\n"
	  "\nx\n", "DECLINED: forwarded message without headers" },
	{ "forward_field_twice_is_a_message_field", HDRS "Content-Type: "
	  "message/rfc822\n\nReceived: a\nReceived: b\n\nx\n",
	  "<1 message/rfc822><1.1 text/plain>x\n</1.1></1>" },
	{ "partial_is_a_leaf", HDRS "Content-Type: message/partial; id=a; "
	  "number=1\n\nx\n", "<1 message/partial>x\n</1>" },
	{ "mbox_from_line_skipped", "From a@example.jp Sat Nov 21 10:00:00 "
	  "2026\n" HDRS "\nx\n", "<1 text/plain>x\n</1>" },
	{ "report", HDRS "Content-Type: multipart/report; boundary=b\n\n--b"
	  "\nContent-Type: message/delivery-status\n\nStatus: 5.0.0\n--b--"
	  "\n", "<1 multipart/report><1.1 message/delivery-status>Status: "
	  "5.0.0</1.1></1>" },
	{ "signed", HDRS "Content-Type: multipart/signed; boundary=b\n\n",
	  "<1 multipart/signed></1>" },
	{ "digest", HDRS "Content-Type: multipart/digest; boundary=b\n\n",
	  "DECLINED: multipart/digest" },
	{ "bare_cr", HDRS "\nx\ry\n", "DECLINED: bare CR" },
	{ "mixed_line_ends", HDRS "\nx\r\ny\n",
	  "DECLINED: lines end both with LF and CRLF" },
	{ "top_header_warning_without_so_warn", "To: Big Bug b@example.jp\n"
	  "\nx\n", "DECLINED: GMime warns about the message headers" },
	{ "forward_header_warning", HDRS "Content-Type: message/rfc822\n\n"
	  "To: Big Bug b@example.jp\n\nx\n",
	  "DECLINED: GMime warns about the message headers" },
	{ "utf8_header", "Subject: \xe3\x81\x82\n\nx\n",
	  "<1 text/plain>x\n</1>" },
	{ "eight_bit_header_not_utf8", "Subject: \x82\xa0\n\nx\n",
	  "DECLINED: 8-bit header not in UTF-8" },
	{ "eight_bit_split_by_fold", "Subject: \xe3\x81\n \x82\n\nx\n",
	  "DECLINED: 8-bit header not in UTF-8" },
	{ "control_byte_header", "Subject: a\x01\n\nx\n",
	  "DECLINED: control byte in headers" },
	{ "no_blank_line", HDRS "not a header\nx\n",
	  "DECLINED: header line not modelled" },
	{ "uuencode_cte", HDRS "Content-Transfer-Encoding: x-uuencode\n\nx\n",
	  "DECLINED: transfer encoding not modelled" },
	{ "duplicate_field_in_part", HDRS "Content-Type: multipart/mixed; "
	  "boundary=b\n\n--b\nX-A: 1\nX-A: 2\n\nx\n--b--\n",
	  "DECLINED: field twice in a header block" },
	{ "prefix_boundary", HDRS "Content-Type: multipart/mixed; boundary=b"
	  "\n\n--b\nContent-Type: multipart/mixed; boundary=b2\n\n--b2\n\n"
	  "x\n--b2x\n--b--x\n--b2--\n--b\n\ny\n--b--\n",
	  "<1 multipart/mixed><1.1 multipart/mixed><1.1.1 text/plain>x\n--b2x"
	  "\n--b--x</1.1.1></1.1><1.2 text/plain>y</1.2></1>" },
	{ "outer_boundary_prefix_of_inner_line", HDRS "Content-Type: "
	  "multipart/mixed; boundary=b2\n\n--b2\nContent-Type: multipart/"
	  "mixed; boundary=b\n\n--b\n\nx\n--b--\n--b2--\n",
	  "<1 multipart/mixed><1.1 multipart/mixed><1.1.1 text/plain>x"
	  "</1.1.1></1.1></1>" },
	{ "empty_part", HDRS "Content-Type: multipart/mixed; boundary=b\n\n"
	  "--b\n\n--b--\n", "<1 multipart/mixed><1.1 text/plain></1.1></1>" },
	{ "empty_part_crlf", "Subject: x\r\nContent-Type: multipart/mixed; "
	  "boundary=b\r\n\r\n--b\r\n\r\n--b\r\n\r\ny\r\n--b--\r\n",
	  "<1 multipart/mixed><1.1 text/plain></1.1><1.2 text/plain>y</1.2>"
	  "</1>" },
};

START_TEST(scanner_events)
{
	for (gsize c = 0; c < G_N_ELEMENTS(chunks); c++) {
		g_autofree char *got = scan(scans[_i].msg, chunks[c]);

		ck_assert_msg(strcmp(got, scans[_i].want) == 0,
		    "%s at chunk %zu: got \"%s\"", scans[_i].name, chunks[c],
		    got);
	}
}
END_TEST

/* ---- the two engines ---- */

struct out {
	enum mugai_verdict verdict;
	char *headers;		/* engine name blanked */
	GBytes *body;
	char *declined;
	const char *engine;
};

static void
out_clear(struct out *o)
{
	g_free(o->headers);
	g_clear_pointer(&o->body, g_bytes_unref);
	g_free(o->declined);
}

static void
run(const struct mugai_config *cf, GMimeStream *in, enum mugai_engine e,
    gsize chunk, struct out *o)
{
	struct mugai_sanitize_opts so = { e, chunk };
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;
	GString *h;
	char *at;

	memset(o, 0, sizeof *o);
	g_mime_stream_reset(in);
	rs = mugai_sanitize_with(cf, in, NULL, &so, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(rs);
	o->verdict = rs->rs_verdict;
	o->engine = rs->rs_report->rr_engine;
	o->declined = g_strdup(rs->rs_declined);
	h = g_string_new(rs->rs_headers);
	if ((at = strstr(h->str, "engine=")) != NULL)
		g_string_erase(h, at - h->str + 7, strcspn(at + 7, ";\n"));
	o->headers = g_string_free(h, FALSE);
	if (rs->rs_body != NULL)
		o->body = g_bytes_ref(rs->rs_body);
	mugai_result_free(rs);
}

static GPtrArray *
data_files(void)
{
	const char *dir = MUGAI_TOP_SRCDIR "/t/data/stream";
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	ck_assert_ptr_nonnull(d);
	while ((n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".eml"))
			g_ptr_array_add(files, g_build_filename(dir, n, NULL));
	g_dir_close(d);
	ck_assert_uint_gt(files->len, 10);
	return files;
}

/*
 * Every generated message, memory and file, every chunk size: one answer.
 * fallback-*.eml are malformed variants the stream engine must decline.
 */
START_TEST(engines_agree_on_generated_mail)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autoptr(GPtrArray) files = data_files();
	guint taken = 0, expect = 0;

	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		GMimeStream *fs = g_mime_stream_fs_open(path, O_RDONLY, 0,
		    NULL);
		GMimeStream *mem = g_mime_stream_mem_new();
		GMimeStream *ins[2] = { fs, mem };
		struct out ref, got;

		g_autofree char *base = g_path_get_basename(path);
		gboolean fallback = g_str_has_prefix(base, "fallback-");

		ck_assert_ptr_nonnull(fs);
		expect += fallback ? 0 : 1;
		g_mime_stream_write_to_stream(fs, mem);
		run(cf, mem, MUGAI_ENGINE_GMIME, 0, &ref);
		ck_assert_str_eq(ref.engine, "gmime");
		for (guint k = 0; k < 2; k++)
			for (gsize c = 0; c < G_N_ELEMENTS(chunks); c++) {
				run(cf, ins[k], MUGAI_ENGINE_STREAM, chunks[c],
				    &got);
				ck_assert_msg(!fallback || got.declined != NULL,
				    "%s taken at chunk %zu", path, chunks[c]);
				if (got.declined != NULL) {
					out_clear(&got);
					continue;
				}
				taken++;
				ck_assert_str_eq(got.engine, "stream");
				ck_assert_msg(got.verdict == ref.verdict &&
				    strcmp(got.headers, ref.headers) == 0 &&
				    (got.body == NULL) == (ref.body == NULL) &&
				    (got.body == NULL ||
				    g_bytes_equal(got.body, ref.body)),
				    "%s (%s, chunk %zu) differs", path,
				    k == 0 ? "file" : "memory", chunks[c]);
				out_clear(&got);
			}
		out_clear(&ref);
		g_object_unref(fs);
		g_object_unref(mem);
	}
	ck_assert_uint_gt(taken, 8 * expect * 8 / 10);
	mugai_config_unref(cf);
}
END_TEST

/* The GMime engine once rewrote a plain message read from a file. */
START_TEST(unchanged_from_file_as_from_memory)
{
	struct mugai_config *cf = mugai_config_new_default();
	const char *path = MUGAI_TOP_SRCDIR "/t/data/stream/plain-crlf.eml";
	GMimeStream *fs = g_mime_stream_fs_open(path, O_RDONLY, 0, NULL);
	struct out o;

	for (int e = MUGAI_ENGINE_AUTO; e <= MUGAI_ENGINE_GMIME; e++) {
		run(cf, fs, (enum mugai_engine)e, 0, &o);
		ck_assert_int_eq(o.verdict, MUGAI_V_UNCHANGED);
		ck_assert_ptr_null(o.body);
		out_clear(&o);
	}
	g_object_unref(fs);
	mugai_config_unref(cf);
}
END_TEST

/* auto falls back and says why; stream alone refuses with nothing to do. */
START_TEST(declined_message_falls_back)
{
	struct mugai_config *cf = mugai_config_new_default();
	const char *msg = HDRS "Content-Type: multipart/digest; boundary=b"
	    "\n\n--b\n\nFrom: c@example.jp\n\nx\n--b\nContent-Type: "
	    "application/pgp-signature\n\nsig\n--b--\n";
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	struct out o;

	run(cf, in, MUGAI_ENGINE_AUTO, 0, &o);
	ck_assert_str_eq(o.engine, "gmime");
	ck_assert_str_eq(o.declined, "multipart/digest");
	ck_assert_int_eq(o.verdict, MUGAI_V_SANITIZED);
	out_clear(&o);
	run(cf, in, MUGAI_ENGINE_STREAM, 0, &o);
	ck_assert_int_eq(o.verdict, MUGAI_V_TEMPFAIL);
	ck_assert_str_eq(o.declined, "multipart/digest");
	out_clear(&o);
	g_object_unref(in);
	mugai_config_unref(cf);
}
END_TEST

static Suite *
stream_suite(void)
{
	Suite *s = suite_create("stream");

	t_loop_test(s, scanner_events, 0, G_N_ELEMENTS(scans));
	t_test(s, engines_agree_on_generated_mail);
	t_test(s, unchanged_from_file_as_from_memory);
	t_test(s, declined_message_falls_back);
	return s;
}

int
main(void)
{
	int status;

	g_mime_init();
	status = t_run(stream_suite());
	g_mime_shutdown();
	return status;
}
