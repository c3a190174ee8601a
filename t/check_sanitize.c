/*
 * check_sanitize - the engine end to end on generated messages: structure
 * rules, verdicts, header edits, every limit just under and just over
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core/notice.h"
#include "core/sanitize.h"
#include "testconf.h"
#include "testutil.h"

struct run {
	struct mugai_result *rs;
	char *output;		/* whole output message */
	char *text;		/* decoded UTF-8 text of the body */
};

static char *
output_text(const char *output)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(output,
	    strlen(output));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	char *text = NULL;

	ck_assert_ptr_nonnull(m);
	ck_assert(GMIME_IS_TEXT_PART(m->mime_part));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(m->mime_part));
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return text;
}

static void
run(struct run *r, const struct mugai_config *cf, const char *msg)
{
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	GMimeStream *out = g_mime_stream_mem_new();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	enum mugai_err err = MUGAI_E_IO;
	GByteArray *b;

	memset(r, 0, sizeof *r);
	r->rs = mugai_sanitize(cf, in, &env, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(r->rs);
	if (r->rs->rs_verdict == MUGAI_V_REJECT ||
	    r->rs->rs_verdict == MUGAI_V_TEMPFAIL)
		goto done;
	ck_assert_int_eq(mugai_result_write(r->rs, in, out, FALSE), MUGAI_OK);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	r->output = g_strndup((const char *)b->data, b->len);
	r->text = output_text(r->output);
done:
	g_object_unref(in);
	g_object_unref(out);
}

/* Whether output's body is one text/plain part, as the oracle wants. */
static gboolean
body_is_text_plain(const char *output)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(output,
	    strlen(output));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GMimeObject *b = m != NULL ? g_mime_message_get_mime_part(m) : NULL;
	gboolean ok = b != NULL && GMIME_IS_TEXT_PART(b) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(b),
	    "text", "plain");

	if (m != NULL)
		g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return ok;
}

static void
run_free(struct run *r)
{
	mugai_result_free(r->rs);
	g_free(r->output);
	g_free(r->text);
}

static const struct mugai_report_part *
part_at(const struct run *r, guint i)
{
	ck_assert_uint_lt(i, r->rs->rs_report->rr_parts->len);
	return g_ptr_array_index(r->rs->rs_report->rr_parts, i);
}

static guint
count_edits(const struct run *r, enum mugai_hdr_op op, const char *name)
{
	guint n = 0;

	for (guint i = 0; i < r->rs->rs_edits->len; i++) {
		const struct mugai_hdr_edit *e = r->rs->rs_edits->pdata[i];

		if (e->he_op == op && g_ascii_strcasecmp(e->he_name, name) == 0)
			n++;
	}
	return n;
}

#define HDRS "From: a@example.jp\nTo: b@lgwan.example\nSubject: test\n" \
	"Date: Sat, 21 Nov 2026 10:00:00 +0900\nMessage-ID: <1@example.jp>\n"

static const char *plain_msg = HDRS
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
    "Hello, this is a plain message.\n";

static const char *mixed_msg = HDRS
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=example.jp\n\n"
    "--b1\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\n本文です。Body text here.\n"
    "--b1\nContent-Type: application/pdf; name=\"report.pdf\"\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJeLjz9MK\n--b1--\n";

START_TEST(plain_ascii_message_is_unchanged)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, plain_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_UNCHANGED);
	ck_assert_ptr_null(r.rs->rs_body);
	ck_assert_uint_eq(r.rs->rs_edits->len, 1);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_ADD, "X-Mugai-Sanitized"),
	    1);
	ck_assert(!r.rs->rs_keep_original);
	ck_assert_str_eq(r.text, "Hello, this is a plain message.\n");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * [ppap] auto_password: the message's text is kept for the milter's
 * password pick only when the option is on, and only a short one.
 */
START_TEST(text_is_kept_only_for_the_password_pick)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *big = NULL;
	GString *long_msg = g_string_new(plain_msg);
	struct run r;

	run(&r, cf, plain_msg);
	ck_assert_ptr_null(r.rs->rs_text);
	run_free(&r);
	cf->cf_ppap_auto_password = TRUE;
	run(&r, cf, plain_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_UNCHANGED);
	ck_assert_ptr_nonnull(r.rs->rs_text);
	ck_assert_str_eq(r.rs->rs_text->str,
	    "Hello, this is a plain message.\n");
	run_free(&r);
	for (guint i = 0; i < MUGAI_RESULT_TEXT_MAX / 36 + 1; i++)
		g_string_append(long_msg, "The quick brown fox jumps over "
		    "the dog.\n");
	big = g_string_free(long_msg, FALSE);
	run(&r, cf, big);
	ck_assert(r.rs->rs_verdict == MUGAI_V_UNCHANGED ||
	    r.rs->rs_verdict == MUGAI_V_SANITIZED);
	ck_assert_ptr_null(r.rs->rs_text);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * Found while benchmarking: read from a file (mugai sanitize FILE, the
 * milter's spool past spool_mem_max), a plain message was never
 * unchanged: GMime's bounded stream over a file answers -1 at its end,
 * and raw_passes() took that for a read error. Every engine, and the
 * stream fed as the milter feeds it, must leave the body alone.
 */
START_TEST(plain_message_from_a_file_is_unchanged)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_STREAM, MUGAI_ENGINE_GMIME };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	char *path = NULL;
	int fd = g_file_open_tmp("mugai-t-XXXXXX", &path, NULL);
	gsize len = strlen(plain_msg);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, plain_msg, len), (gssize)len);
	for (guint i = 0; i <= G_N_ELEMENTS(engines); i++) {
		struct mugai_sanitize_opts so = { 0 };
		struct mugai_sanitize_stream *ss = NULL;
		struct mugai_result *rs;
		enum mugai_err err = MUGAI_E_IO;
		GMimeStream *in;

		/* The stream starts where the descriptor is. */
		ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
		in = g_mime_stream_fs_new(dup(fd));
		if (i < G_N_ELEMENTS(engines)) {
			so.so_engine = engines[i];
			rs = mugai_sanitize_with(cf, in, &env, &so, &err);
		} else {
			ss = mugai_sanitize_stream_new(cf, &env);
			mugai_sanitize_stream_feed(ss, plain_msg, len);
			rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
		}
		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(rs->rs_verdict == MUGAI_V_UNCHANGED,
		    "way %u: verdict %d", i, rs->rs_verdict);
		ck_assert_ptr_null(rs->rs_body);
		mugai_result_free(rs);
		mugai_sanitize_stream_free(ss);
		g_object_unref(in);
	}
	close(fd);
	unlink(path);
	g_free(path);
	mugai_config_unref(cf);
}
END_TEST

/*
 * Found by t/fuzz/fuzz_sanitize: a single text/plain part passed unchanged
 * with its Content-Disposition (an unknown type, which RFC 2183 readers
 * take for an attachment). A body passes as it came only under textbook
 * MIME headers: no Content-Disposition, no Content-Type parameter but
 * charset, format and delsp, one Content-Type and one
 * Content-Transfer-Encoding. Anything else is rebuilt.
 */
static const char *const odd_mime[] = {
	"Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Disposition: x-weird\n",
	"Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Disposition: =?utf-8?Q?invalid?=\n",
	"Content-Type: text/plain; charset=us-ascii; name*0=\"run.\";"
	    " name*1=\"vbs\"\n",
	"Content-Type: text/plain; charset=us-ascii; x-mac-type=\"54455854\"\n",
	"Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Type: text/html; charset=us-ascii\n",
	"Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n"
	    "Content-Transfer-Encoding: base64\n",
};

START_TEST(unchanged_needs_plain_mime_headers)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *msg = g_strconcat(HDRS "MIME-Version: 1.0\n",
	    odd_mime[_i], "\nCreateObject(\"WScript.Shell\").Run \"calc\"\n",
	    NULL);
	struct run r;

	run(&r, cf, msg);
	/* Rebuilt (the name= case removes the part; duplicates are read
	 * through and named since issue 15). */
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_null(strstr(r.output, "Content-Disposition"));
	ck_assert_ptr_null(strstr(r.output, "name*"));
	ck_assert_ptr_null(strstr(r.output, "x-mac-type"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(utf8_8bit_message_is_unchanged)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n\nこんにちは。①㈱の件です。\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_UNCHANGED);
	ck_assert_str_eq(r.text, "こんにちは。①㈱の件です。\n");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * Issue 15: decomposed kana (macOS: "フ" U+309A, "か" U+3099) are composed
 * as a careful client shows them, so the body is not passed through: it
 * is encoded again, composed; no notice, the words are the same.
 */
START_TEST(utf8_decomposed_kana_are_composed)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n"
	    "\xe3\x83\x95\xe3\x82\x9a\xe3\x83\xad\xe3\x82\xb7\xe3\x82\x99"
	    "\xe3\x82\xa7\xe3\x82\xaf\xe3\x83\x88の資料です。\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_msg(strstr(r.text, "プロジェクトの資料です。") != NULL,
	    "%s", r.text);
	ck_assert_ptr_null(strstr(r.text, "\xe3\x82\x9a"));
	ck_assert_ptr_null(strstr(r.text, "mugai"));
	ck_assert_uint_eq(r.rs->rs_report->rr_altered->len, 0);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * The line break before a boundary is the boundary's, whatever ends the
 * boundary line (RFC 2046): a CRLF part before a closing boundary without
 * a final CRLF has no stray CR (its size and SHA-256 in the notice were
 * off by that CR), and an LF part before a CRLF boundary keeps its last
 * byte. Both engines, every chunk size the stream engine may see.
 */
START_TEST(part_before_boundary_ends_at_its_line_break)
{
	static const char *const msgs[] = {
	    /* CRLF, the closing boundary ends the input */
	    "From: a@example.jp\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nText KEEP1\r\n"
	    "--b\r\nContent-Type: application/octet-stream; name=a.bin\r\n"
	    "\r\nraw bytes here\r\n--b--",
	    /* LF parts, CRLF boundary lines (mixed: GMime only) */
	    "From: a@example.jp\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\r\nContent-Type: text/plain\n\nText KEEP1\n"
	    "--b\r\nContent-Type: application/octet-stream; name=a.bin\n"
	    "\nraw bytes here\n--b--\r\n",
	};
	static const gsize chunks[] = { 1, 7, 0 };
	struct mugai_config *cf = mugai_config_new_default();

	for (gsize m = 0; m < G_N_ELEMENTS(msgs); m++) {
		/* "raw bytes here": the CR of the first, the "e" of the
		 * second were the bug. */
		g_autofree char *sha = g_compute_checksum_for_string(
		    G_CHECKSUM_SHA256, "raw bytes here", -1);
		gsize size = 14;

		for (gsize e = 0; e < 1 + G_N_ELEMENTS(chunks); e++) {
			struct mugai_sanitize_opts o = {
			    e == 0 ? MUGAI_ENGINE_GMIME : MUGAI_ENGINE_AUTO,
			    e == 0 ? 0 : chunks[e - 1] };
			GMimeStream *in = g_mime_stream_mem_new_with_buffer(
			    msgs[m], strlen(msgs[m]));
			struct mugai_envelope env = { .ev_quarantine_id = "Q" };
			enum mugai_err err = MUGAI_E_IO;
			struct mugai_result *rs = mugai_sanitize_with(cf, in,
			    &env, &o, &err);
			const struct mugai_report_part *att;

			ck_assert_ptr_nonnull(rs);
			ck_assert_int_eq(rs->rs_verdict, MUGAI_V_SANITIZED);
			ck_assert_uint_eq(rs->rs_report->rr_parts->len, 2);
			att = g_ptr_array_index(rs->rs_report->rr_parts, 1);
			ck_assert_msg(att->rp_size == size, "message %zu, run "
			    "%zu: size %" G_GUINT64_FORMAT ", want %zu", m, e,
			    att->rp_size, size);
			ck_assert_str_eq(att->rp_sha256, sha);
			mugai_result_free(rs);
			g_object_unref(in);
		}
	}
	mugai_config_unref(cf);
}
END_TEST

START_TEST(attachment_is_removed_listed_and_hashed)
{
	struct mugai_config *cf = mugai_config_new_default();
	const struct mugai_report_part *att;
	struct run r;

	run(&r, cf, mixed_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.text, "本文です。Body text here."));
	ck_assert_ptr_nonnull(strstr(r.text, "report.pdf"));
	ck_assert_ptr_nonnull(strstr(r.text, "Q-TEST-1"));
	att = part_at(&r, 1);
	ck_assert_str_eq(att->rp_filename, "report.pdf");
	ck_assert_int_eq(att->rp_action, MUGAI_ACT_QUARANTINE);
	ck_assert_uint_eq(att->rp_size, 15);
	/* SHA-256 of the decoded PDF header bytes. */
	ck_assert_str_eq(att->rp_sha256, "1f71fba76d8b649e6b537b4a1ea44346"
	    "545550d05ffa1ed4537b55489d80ae8f");
	ck_assert(r.rs->rs_keep_original);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_DELETE, "DKIM-Signature"),
	    1);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_DELETE, "Content-Type"), 1);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_ADD, "Content-Type"), 1);
	ck_assert_ptr_null(strstr(r.output, "multipart"));
	ck_assert_ptr_null(strstr(r.output, "JVBERi0"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(html_is_rendered_to_text)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/html; charset=utf-8\n\n"
	    "<html><head><style>p{}</style></head><body><p>First para.</p>"
	    "<script>alert(1)</script><p>Second <b>bold</b>.</p></body>"
	    "</html>\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.text, "First para."));
	ck_assert_ptr_nonnull(strstr(r.text, "Second bold."));
	ck_assert_ptr_null(strstr(r.text, "alert"));
	ck_assert_ptr_null(strstr(r.output, "<p>"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

#define ALT_FMT HDRS \
    "Content-Type: multipart/alternative; boundary=\"a\"\n\n" \
    "--a\nContent-Type: text/plain\n\n%s\n" \
    "--a\nContent-Type: text/html\n\n<p>%s</p>\n--a--\n"

START_TEST(alternative_prefers_plain_text)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *m = g_strdup_printf(ALT_FMT, "Plain version text.",
	    "HTML version text.");
	struct run r;

	run(&r, cf, m);
	ck_assert_ptr_nonnull(strstr(r.text, "Plain version text."));
	ck_assert_ptr_null(strstr(r.text, "HTML version"));
	ck_assert_int_eq(part_at(&r, 1)->rp_action, MUGAI_ACT_SKIP);
	ck_assert_uint_eq(mugai_report_removed(r.rs->rs_report), 0);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(alternative_uses_html_when_plain_is_a_stub)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *m = g_strdup_printf(ALT_FMT, "See HTML.",
	    "This is the real newsletter content with many words in it.");
	struct run r;

	run(&r, cf, m);
	ck_assert_ptr_nonnull(strstr(r.text, "real newsletter content"));
	ck_assert_ptr_null(strstr(r.text, "See HTML."));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Issue 15: a plain alternative that only points at the HTML is not the
 * message, however long the HTML is next to it. */
static const char *const placeholders[] = {
	"このメールはHTML形式でお送りしています。HTML形式でご覧ください。",
	"View this email in your browser: https://news.example/v/1",
	"Your mail program does not support HTML.",
};

START_TEST(placeholder_plain_alternative_takes_the_html)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *m = g_strdup_printf(ALT_FMT, placeholders[_i],
	    "本日のお知らせ: 窓口の受付時間が変わります。");
	struct run r;

	run(&r, cf, m);
	ck_assert_msg(strstr(r.text, "窓口の受付時間が変わります") != NULL,
	    "%s", r.text);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Issue 15: text is text whatever the subtype (RFC 2045), and a few NUL
 * or control bytes do not make it binary: they go, the words stay. */
static const char *const odd_text[] = {
	HDRS "MIME-Version: 1.0\nContent-Type: text\n\nKEEPME no subtype.\n",
	HDRS "MIME-Version: 1.0\nContent-Type: text/x-unknown; "
	    "charset=utf-8\n\nKEEPME unknown subtype.\n",
	HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=\"t\"\n\n--t\nContent-Type: text/markdown\n\n"
	    "# KEEPME heading\n--t--\n",
	HDRS "MIME-Version: 1.0\nContent-Type: text/plain\n\n"
	    "KEEP\001\002\003\004\005\006\007\016\017\020ME with control "
	    "bytes in the middle of a longer line of ordinary words. A second "
	    "sentence makes the part long enough.\n",
};

START_TEST(text_of_any_subtype_or_with_controls_is_kept)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, odd_text[_i]);
	ck_assert_msg(strstr(r.text, "KEEPME") != NULL, "case %d: %s", _i,
	    r.text);
	ck_assert_int_eq(mugai_report_removed(r.rs->rs_report), 0);
	ck_assert_ptr_null(strchr(r.text, '\001'));
	/* Kept as text, but delivered as text/plain: the contract's one
	 * body type, whatever a client would make of text/x-unknown (found
	 * by fuzz_stream: an unknown subtype passed unchanged). */
	ck_assert_msg(body_is_text_plain(r.output), "case %d: %s", _i,
	    r.output);
	/* the controls went: the notice and the report say the text was
	 * changed (issue 15) */
	if (_i == 3) {
		ck_assert_uint_gt(r.rs->rs_report->rr_altered->len, 0);
		ck_assert_msg(strstr(r.text, "本文の一部を安全のため変更"
		    "しました") != NULL && strstr(r.text, "Some of the text "
		    "was changed for safety") != NULL, "%s", r.text);
	}
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Binary in disguise is still removed: controls all through it. */
START_TEST(binary_declared_as_text_is_still_removed)
{
	struct mugai_config *cf = mugai_config_new_default();
	GString *m = g_string_new(HDRS "MIME-Version: 1.0\nContent-Type: "
	    "multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: "
	    "text/plain\n\nBody.\n--b\nContent-Type: text/plain\n"
	    "Content-Transfer-Encoding: base64\n\n");
	guint8 bin[300];
	g_autofree char *b64 = NULL;
	struct run r;

	for (gsize i = 0; i < sizeof bin; i++)
		bin[i] = (guint8)(i % 3 == 0 ? i % 31 + 1 : 'a' + i % 26);
	b64 = g_base64_encode(bin, sizeof bin);
	g_string_append_printf(m, "%s\n--b--\n", b64);
	run(&r, cf, m->str);
	ck_assert_uint_eq(mugai_report_removed(r.rs->rs_report), 1);
	run_free(&r);
	g_string_free(m, TRUE);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(related_root_is_rendered_and_images_removed)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: multipart/related; boundary=\"r\"\n\n"
	    "--r\nContent-Type: text/html\n\n<p>Look: <img src=\"cid:i1\" "
	    "alt=\"logo\"></p>\n--r\nContent-Type: image/png\n"
	    "Content-ID: <i1>\nContent-Transfer-Encoding: base64\n\n"
	    "iVBORw0KGgo=\n--r--\n");
	ck_assert_ptr_nonnull(strstr(r.text, "Look:"));
	ck_assert_ptr_nonnull(strstr(r.text, "[image: logo]"));
	ck_assert_int_eq(part_at(&r, 1)->rp_action, MUGAI_ACT_QUARANTINE);
	ck_assert_str_eq(part_at(&r, 1)->rp_declared_type, "image/png");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(forwarded_message_is_inline_with_its_headers)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: multipart/mixed; boundary=\"f\"\n\n"
	    "--f\nContent-Type: text/plain\n\nSee below.\n"
	    "--f\nContent-Type: message/rfc822\n\n"
	    "From: inner@example.com\nSubject: =?UTF-8?B?5YaF5YG0?=\n"
	    "Content-Type: multipart/mixed; boundary=\"g\"\n\n"
	    "--g\nContent-Type: text/plain\n\nInner body text.\n"
	    "--g\nContent-Type: application/zip; name=\"in.zip\"\n\nPK\n"
	    "--g--\n--f--\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.text, "Forwarded message"));
	ck_assert_ptr_nonnull(strstr(r.text, "Subject: 内側"));
	ck_assert_ptr_nonnull(strstr(r.text, "Inner body text."));
	ck_assert_ptr_nonnull(strstr(r.text, "in.zip"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

static const char *encrypted_msg = HDRS
    "Content-Type: multipart/encrypted; boundary=\"e\"; "
    "protocol=\"application/pgp-encrypted\"\n\n"
    "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
    "--e\nContent-Type: application/octet-stream\n\nSECRETPAYLOAD\n--e--\n";

START_TEST(encrypted_content_is_withheld)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, encrypted_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	ck_assert_ptr_null(strstr(r.output, "SECRETPAYLOAD"));
	ck_assert_ptr_nonnull(strstr(r.text, "multipart/encrypted"));
	ck_assert_ptr_nonnull(strstr(r.text, "Q-TEST-1"));
	ck_assert(r.rs->rs_keep_original);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * Issue 15: ambiguity does not make text dangerous, since every part that
 * is not text is removed whatever the reading. Each of these was withheld
 * before; now the text arrives, the doubt is in the report and in the
 * notice in both languages, and nothing of an attachment leaves.
 */
static const struct {
	const char *am_name;
	const char *am_msg;
	const char *am_doubt;	/* a doubt of the report begins with it */
} ambiguous[] = {
	{ "duplicate Content-Type, first one text/plain",
	  HDRS "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	  "Content-Type: multipart/mixed; boundary=\"z\"\n\n"
	  "KEEPME first reading shows this sentence.\n\n--z\n"
	  "Content-Type: text/plain\n\nKEEPTOO inner text.\n--z\n"
	  "Content-Type: application/octet-stream; name=\"x.bin\"\n\n"
	  "SECRETPAYLOAD\n--z--\n", "conflicting header" },
	{ "conflicting filename parameter",
	  HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	  "boundary=\"c\"\n\n--c\nContent-Type: text/plain\n\n"
	  "KEEPME the body.\n--c\nContent-Type: application/pdf\n"
	  "Content-Disposition: attachment; filename=\"a.pdf\"; "
	  "filename=\"b.exe\"\n\nSECRETPAYLOAD\n--c--\n",
	  "conflicting parameter" },
	{ "multipart without boundary",
	  HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n"
	  "KEEPME text of a multipart without boundary.\n", NULL },
	{ "stray line in the header block of a part",
	  HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	  "boundary=\"s\"\n\n--s\nContent-Type: text/plain\n"
	  "this line is no header\n\nKEEPME after the stray line.\n--s--\n",
	  NULL },
	{ "message/external-body",
	  HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	  "boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\n"
	  "KEEPME see the file.\n--x\nContent-Type: message/external-body; "
	  "access-type=URL; URL=\"http://SECRETPAYLOAD.example/\"\n\n"
	  "Content-Type: application/pdf\n\n--x--\n",
	  "external body reference" },
	{ "encrypted part beside text",
	  HDRS "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	  "boundary=\"m\"\n\n--m\nContent-Type: text/plain\n\n"
	  "KEEPME this bounce returns a message.\n--m\n"
	  "Content-Type: multipart/encrypted; boundary=\"e\"; "
	  "protocol=\"application/pgp-encrypted\"\n\n"
	  "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
	  "--e\nContent-Type: application/octet-stream\n\nSECRETPAYLOAD\n"
	  "--e--\n--m--\n", "encrypted part not checked" },
	{ "blank line before the header block",
	  "   \n" HDRS "Content-Type: text/plain\n\nKEEPME after the "
	  "blanks.\n", "" },
};

START_TEST(ambiguous_structure_is_sanitized_and_named)
{
	struct mugai_config *cf = mugai_config_new_default();
	const struct mugai_report *rep;
	gboolean named = FALSE;
	struct run r;

	run(&r, cf, ambiguous[_i].am_msg);
	rep = r.rs->rs_report;
	/* Unchanged too when nothing but the blank line was odd. */
	ck_assert_msg(r.rs->rs_verdict == MUGAI_V_SANITIZED ||
	    (r.rs->rs_verdict == MUGAI_V_UNCHANGED &&
	    *ambiguous[_i].am_doubt == '\0'), "%s: verdict %s "
	    "(%s)", ambiguous[_i].am_name, mugai_verdict_name(
	    r.rs->rs_verdict), rep->rr_withheld_reason);
	ck_assert_msg(strstr(r.text, "KEEPME") != NULL, "%s: text lost:\n%s",
	    ambiguous[_i].am_name, r.text);
	ck_assert_ptr_null(strstr(r.output, "SECRETPAYLOAD"));
	ck_assert_uint_eq(rep->rr_altered->len, 0);
	for (guint i = 0; i < rep->rr_doubts->len; i++)
		named = named || ambiguous[_i].am_doubt == NULL ||
		    g_str_has_prefix(g_ptr_array_index(rep->rr_doubts, i),
		    ambiguous[_i].am_doubt);
	if (ambiguous[_i].am_doubt == NULL ||
	    *ambiguous[_i].am_doubt != '\0') {
		ck_assert_msg(named, "%s: doubt not in the report",
		    ambiguous[_i].am_name);
		ck_assert_ptr_nonnull(strstr(r.text, "曖昧"));
		ck_assert_ptr_nonnull(strstr(r.text, "ambiguous"));
	}
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* The first Content-Type counts for the recipient: its text is kept
 * beside GMime's reading (the last one), and both engines agree. */
START_TEST(duplicate_content_type_keeps_both_readings)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, ambiguous[0].am_msg);
	ck_assert_ptr_nonnull(strstr(r.text, "KEEPME first reading"));
	ck_assert_ptr_nonnull(strstr(r.text, "KEEPTOO inner text."));
	ck_assert_ptr_nonnull(strstr(r.text, "Another reading"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Nothing at all: no header, no text; nothing hidden either. */
START_TEST(empty_message_is_not_withheld)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, " \n");
	ck_assert_int_ne(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Issue 15: an inline PGP message is encrypted content: withheld. */
START_TEST(inline_pgp_message_is_withheld)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain\n\nHello,\n"
	    "-----BEGIN PGP MESSAGE-----\n\nhQIOAwTJ0obO8knpEAgAiSHHrzUz\n"
	    "=0NQ6\n-----END PGP MESSAGE-----\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	ck_assert_ptr_null(strstr(r.output, "hQIOAwTJ0obO8knpEAgAiSHHrzUz"));
	ck_assert_ptr_nonnull(strstr(r.text, "PGP で暗号化された本文"));
	run_free(&r);
	/* Quoted in a sentence, the marker is words. */
	run(&r, cf, HDRS "Content-Type: text/plain\n\nA line starting "
	    "-----BEGIN PGP MESSAGE----- is what we look for.\n");
	ck_assert_int_ne(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(on_error_reject_and_tempfail)
{
	struct mugai_config *cf = t_config("[sanitize]\non_error = reject\n"
	    "reject_text = No thanks\n");
	struct run r;

	run(&r, cf, encrypted_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_REJECT);
	ck_assert_str_eq(r.rs->rs_reply, "No thanks");
	ck_assert(!r.rs->rs_keep_original);
	run_free(&r);
	mugai_config_unref(cf);
	cf = t_config("[sanitize]\non_error = tempfail\n");
	run(&r, cf, encrypted_msg);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_TEMPFAIL);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* A message whose leaf sits depth levels deep (the root is level 1). */
static char *
nested(guint depth)
{
	GString *s = g_string_new(HDRS);

	for (guint i = 1; i < depth; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; "
		    "boundary=\"n%u\"\n\n--n%u\n", i, i);
	g_string_append(s, "Content-Type: text/plain\n\nDeep text.\n");
	for (guint i = depth - 1; i >= 1; i--)
		g_string_append_printf(s, "--n%u--\n", i);
	return g_string_free(s, FALSE);
}

START_TEST(depth_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_depth = 5\n");
	g_autofree char *ok = nested(5);
	g_autofree char *over = nested(6);
	struct run r;

	run(&r, cf, ok);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.text, "Deep text."));
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	ck_assert_ptr_null(strstr(r.text, "Deep text."));
	ck_assert_ptr_nonnull(strstr(r.rs->rs_report->rr_withheld_reason,
	    "nesting"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

static char *
with_leaves(guint n)
{
	GString *s = g_string_new(HDRS "Content-Type: multipart/mixed; "
	    "boundary=\"p\"\n\n");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "--p\nContent-Type: text/plain\n\n"
		    "Leaf %u.\n", i);
	g_string_append(s, "--p--\n");
	return g_string_free(s, FALSE);
}

START_TEST(parts_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_parts = 4\n");
	g_autofree char *ok = with_leaves(3);
	g_autofree char *over = with_leaves(4);
	struct run r;

	run(&r, cf, ok);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

static char *
padded(gsize header_bytes, gsize line_len, gsize body_bytes)
{
	GString *s = g_string_new(HDRS);

	while (s->len + 60 < header_bytes)
		g_string_append(s, "X-Pad: 01234567890123456789012345678901234567"
		    "8901234\n");
	while (s->len < header_bytes)
		g_string_append(s, "X: y\n");
	g_string_append(s, "\n");
	for (gsize i = 0; i < line_len; i++)
		g_string_append_c(s, 'a');
	g_string_append_c(s, '\n');
	for (gsize i = 0; i < body_bytes; i++)
		g_string_append_c(s, i % 64 == 63 ? '\n' : 'b');
	return g_string_free(s, FALSE);
}

START_TEST(header_size_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_header_size = 2048\n");
	g_autofree char *ok = padded(1900, 10, 0);
	g_autofree char *over = padded(2200, 10, 0);
	struct run r;

	run(&r, cf, ok);
	ck_assert_int_ne(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(line_length_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_line_length = 2000\n");
	g_autofree char *ok = padded(0, 2000, 0);
	g_autofree char *over = padded(0, 2001, 0);
	struct run r;

	run(&r, cf, ok);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	ck_assert_ptr_nonnull(strstr(r.rs->rs_report->rr_withheld_reason,
	    "line longer"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(message_size_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_message_size = 4K\n");
	g_autofree char *ok = padded(0, 10, 3500);
	g_autofree char *over = padded(0, 10, 4200);
	struct run r;

	ck_assert_int_le(strlen(ok), 4096);
	ck_assert_int_gt(strlen(over), 4096);
	run(&r, cf, ok);
	ck_assert_int_ne(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

static char *
attachment_of(gsize size)
{
	g_autofree guchar *data = g_malloc(size);
	g_autofree char *b64 = NULL;

	for (gsize i = 0; i < size; i++)
		data[i] = (guchar)(i * 7);
	b64 = g_base64_encode(data, size);
	return g_strdup_printf(HDRS "Content-Type: multipart/mixed; "
	    "boundary=\"d\"\n\n--d\nContent-Type: text/plain\n\nText.\n--d\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n--d--\n", b64);
}

START_TEST(decoded_size_limit_just_under_and_over)
{
	struct mugai_config *cf = t_config("[limits]\nmax_decoded_size = 2K\n"
	    "max_line_length = 64K\n");
	g_autofree char *ok = attachment_of(2000);
	g_autofree char *over = attachment_of(2100);
	struct run r;

	run(&r, cf, ok);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_uint_eq(part_at(&r, 1)->rp_size, 2000);
	run_free(&r);
	run(&r, cf, over);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_WITHHELD);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(edits_change_first_then_delete_highest_index_first)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;
	int last_rank = 0;
	guint last_del = G_MAXUINT;

	run(&r, cf, "From: a@example.jp\nSubject: one\nSubject: two\n"
	    "Subject: three\nX-Mugai-Sanitized: forged\nTo: \x93\xfa <b@c.jp>\n"
	    "Content-Type: text/html\n\n<p>x</p>\n");
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_DELETE, "Subject"), 2);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_DELETE,
	    "X-Mugai-Sanitized"), 1);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_CHANGE, "To"), 1);
	for (guint i = 0; i < r.rs->rs_edits->len; i++) {
		const struct mugai_hdr_edit *e = r.rs->rs_edits->pdata[i];
		int rank = e->he_op == MUGAI_HDR_CHANGE ? 0 :
		    e->he_op == MUGAI_HDR_DELETE ? 1 : 2;

		ck_assert_int_ge(rank, last_rank);
		last_rank = rank;
		if (e->he_op == MUGAI_HDR_DELETE &&
		    strcmp(e->he_name, "Subject") == 0) {
			ck_assert_uint_lt(e->he_index, last_del);
			last_del = e->he_index;
		}
	}
	ck_assert_ptr_nonnull(strstr(r.output, "Subject: one\n"));
	ck_assert_ptr_null(strstr(r.output, "two"));
	ck_assert_ptr_null(strstr(r.output, "forged"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(unchanged_message_keeps_dkim_signature)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *m = g_strconcat("DKIM-Signature: v=1; d=example.jp\n",
	    plain_msg, NULL);
	struct run r;

	run(&r, cf, m);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_UNCHANGED);
	ck_assert_uint_eq(count_edits(&r, MUGAI_HDR_DELETE, "DKIM-Signature"),
	    0);
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(shift_jis_body_keeps_cp932_characters)
{
	struct mugai_config *cf = mugai_config_new_default();
	/* "①㈱～" in CP932 */
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain; charset=Shift_JIS\n"
	    "Content-Transfer-Encoding: 8bit\n\n\x87\x40\x87\x8a\x81\x60\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_str_eq(r.text, "①㈱～\n");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(iso2022jp_output_is_7bit)
{
	struct mugai_config *cf = t_config("[sanitize]\noutput_charset = "
	    "iso-2022-jp\n");
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/html; charset=utf-8\n\n"
	    "<p>日本語の本文</p>\n");
	ck_assert_ptr_nonnull(strstr(r.output, "charset=ISO-2022-JP"));
	ck_assert_ptr_nonnull(strstr(r.output, "\x1b$B"));
	for (const char *p = r.output; *p != '\0'; p++)
		ck_assert_int_lt((unsigned char)*p, 0x80);
	ck_assert_ptr_nonnull(strstr(r.text, "日本語の本文"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(notice_goes_to_the_bottom_when_configured)
{
	struct mugai_config *cf = t_config("[sanitize]\nnotice_position = bottom\n"
	    "notice_languages = en\n");
	struct run r;

	run(&r, cf, mixed_msg);
	ck_assert(g_str_has_prefix(r.text, "本文です。"));
	ck_assert_ptr_nonnull(strstr(r.text, "sanitization notice"));
	ck_assert_ptr_null(strstr(r.text, "無害化通知"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(keep_original_follows_policy)
{
	struct mugai_config *never = t_config("[quarantine]\nkeep_original = "
	    "never\n");
	struct mugai_config *all = t_config("[quarantine]\nkeep_original = all\n");
	struct run r;

	run(&r, never, mixed_msg);
	ck_assert(!r.rs->rs_keep_original);
	ck_assert_ptr_null(strstr(r.text, "Q-TEST-1"));
	run_free(&r);
	run(&r, all, plain_msg);
	ck_assert(r.rs->rs_keep_original);
	run_free(&r);
	mugai_config_unref(never);
	mugai_config_unref(all);
}
END_TEST

START_TEST(uuencoded_file_in_text_is_cut_and_listed)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain\n\nBefore the file.\n"
	    "begin 644 cat.txt\n#0V%T\n`\nend\nAfter the file.\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.text, "Before the file."));
	ck_assert_ptr_nonnull(strstr(r.text, "After the file."));
	ck_assert_ptr_null(strstr(r.text, "begin 644"));
	ck_assert_ptr_nonnull(strstr(r.text, "cat.txt"));
	ck_assert_str_eq(part_at(&r, 1)->rp_kind, "uuencode");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(markup_in_plain_text_is_neutralized)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain\n\n"
	    "Try <script>alert(1)</script> and javascript:void(0).\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_null(strstr(r.text, "<script"));
	ck_assert_ptr_null(strstr(r.text, "javascript:"));
	ck_assert_ptr_nonnull(strstr(r.text, "alert(1)"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * A header block that ends at a line that is not a header (here a BOM
 * before the first field) ends there for the engine as for the MTA and
 * Python's email: what follows is body text, never a second reading.
 */
START_TEST(header_block_ends_where_the_mta_ends_it)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, "\xef\xbb\xbf" "From: a@example.jp\nSubject: hidden\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: application/octet-stream\n\nAAAA\n--b--\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_uint_eq(mugai_report_removed(r.rs->rs_report), 0);
	ck_assert_ptr_nonnull(strstr(r.text, "Subject: hidden"));
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/* Regression: GMime reads an unknown encoding as the default one. */
START_TEST(unknown_transfer_encoding_is_never_passed_on)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain\n"
	    "Content-Transfer-Encoding: 7vladi.pimenovit\n\nPlain words.\n");
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_null(strstr(r.output, "7vladi"));
	ck_assert_str_eq(r.text, "Plain words.\n");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(harmless_tags_stay_many_tags_go)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct run r;

	run(&r, cf, HDRS "Content-Type: text/plain\n\n"
	    "Your message to <nekochan> was rejected.\n");
	ck_assert_ptr_nonnull(strstr(r.text, "<nekochan>"));
	run_free(&r);
	run(&r, cf, HDRS "Content-Type: text/plain\n\n"
	    "<p><b>Hello</b> <i>there</i>, <u>friend</u>.</p>\n");
	ck_assert_str_eq(r.text, "Hello there, friend.\n");
	run_free(&r);
	mugai_config_unref(cf);
}
END_TEST

/*
 * An empty text/plain part beside an attachment (a corpus message from
 * Thunderbird): the empty part's bytes came to the binary check as NULL,
 * which memchr() must not see (UBSan in the sanitizer build caught it
 * in the milter). Every engine sanitizes it, one part removed.
 */
START_TEST(empty_text_part_beside_an_attachment)
{
	static const char msg[] =
	    "From: a@example.jp\r\nTo: b@example.jp\r\nSubject: s\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n"
	    "--b1\r\nContent-Type: application/octet-stream; name=\"a.jpeg\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r\n"
	    "--b1--\r\n";
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_STREAM, MUGAI_ENGINE_GMIME };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct mugai_sanitize_opts so = { engines[i], 0 };
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg,
		    sizeof msg - 1);
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs = mugai_sanitize_with(cf, in, &env,
		    &so, &err);

		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_ptr_nonnull(rs);
		if (engines[i] == MUGAI_ENGINE_STREAM &&
		    rs->rs_declined != NULL) {
			/* Declined: the caller falls back; nothing to check. */
			mugai_result_free(rs);
			g_object_unref(in);
			continue;
		}
		ck_assert_msg(rs->rs_verdict == MUGAI_V_SANITIZED,
		    "engine %u: verdict %d", i, rs->rs_verdict);
		ck_assert_uint_eq(mugai_report_removed(rs->rs_report), 1);
		mugai_result_free(rs);
		g_object_unref(in);
	}
	mugai_config_unref(cf);
}
END_TEST

/*
 * A header folded into many short lines (80,000 in 240 KB took 14 s: each
 * continuation re-copied the value so far) costs time in proportion to
 * its size, in the GMime engine and in the streaming one, which must
 * take the message itself.
 */
struct fold_ctx {
	const struct mugai_config *fc_cf;
	enum mugai_engine fc_engine;
};

static gint64
folded_header_run(void *data, gsize n)
{
	const struct fold_ctx *fc = data;
	struct mugai_sanitize_opts so = { fc->fc_engine, 0 };
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	GString *m = g_string_new("From: a@example.jp\nTo: b@lgwan.example\n"
	    "Subject: folded");
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;
	GMimeStream *in;
	gint64 t0, t;

	while (m->len < n)
		g_string_append(m, "\n w");
	g_string_append(m, "\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n\nBody.\n");
	in = g_mime_stream_mem_new_with_buffer(m->str, m->len);
	t0 = t_cpu_ns();
	rs = mugai_sanitize_with(fc->fc_cf, in, &env, &so, &err);
	t = t_cpu_ns() - t0;
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(rs);
	ck_assert_msg(rs->rs_declined == NULL, "declined: %s",
	    rs->rs_declined);
	ck_assert_int_eq(rs->rs_verdict, MUGAI_V_UNCHANGED);
	mugai_result_free(rs);
	g_object_unref(in);
	g_string_free(m, TRUE);
	return t;
}

START_TEST(folded_header_is_linear_in_both_engines)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM };
	struct mugai_config *cf = mugai_config_new_default();

	for (guint i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct fold_ctx fc = { cf, engines[i] };
		double g = t_growth(folded_header_run, &fc, 12 * 1024);

		/* Not under the sanitizers: ASan's memchr() checks the whole
		 * range it is given, so a scan that stops at the first line
		 * end costs the rest of the header there (seen: 429x), not
		 * in the build that runs. */
		if (t_slow())
			continue;
		ck_assert_msg(g < T_GROWTH_MAX, "engine %d: 16x the folded "
		    "lines cost %.1fx the time", engines[i], g);
	}
	mugai_config_unref(cf);
}
END_TEST

/*
 * A filename with encoded line breaks (RFC 2231 %0A, CR, NEL, U+2028)
 * put attacker lines ("【管理者から】添付は安全です") inside the notice
 * box. In both engines, every name mugai writes on a line of its own
 * (the notice, a text attachment's label, a forward's heading) stays on
 * that line, its breaks shown as escapes.
 */
#define EVIL_2231 "a.exe%0A%E3%80%90%E7%AE%A1%E7%90%86%E8%80%85%E3%81%8B" \
	"%E3%82%89%E3%80%91%E6%B7%BB%E4%BB%98%E3%81%AF%E5%AE%89%E5%85%A8" \
	"%0D%0A%C2%85%E2%80%A8%E2%80%AEtxt.exe"

static const char *evil_names_msg = HDRS
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
    "--b1\nContent-Type: text/plain; charset=utf-8\n\nHello.\n"
    "--b1\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=utf-8''" EVIL_2231 "\n"
    "Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n"
    "--b1\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Disposition: attachment; filename*=utf-8''" EVIL_2231 "\n\n"
    "Attached words.\n"
    "--b1\nContent-Type: message/rfc822\n"
    "Content-Disposition: attachment; filename*=utf-8''" EVIL_2231 "\n\n"
    "From: c@example.jp\nSubject: inner\n\nInner words.\n"
    "--b1--\n";

START_TEST(names_from_mail_stay_on_mugais_lines)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM };
	struct mugai_config *cf = t_config("[sanitize]\n"
	    "inline_text_attachments = true\n");
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	GString *seen = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct mugai_sanitize_opts so = { engines[i], 0 };
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(
		    evil_names_msg, strlen(evil_names_msg));
		GMimeStream *out = g_mime_stream_mem_new();
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs = mugai_sanitize_with(cf, in, &env,
		    &so, &err);
		GByteArray *b;
		g_autofree char *msg = NULL, *text = NULL;
		char **lines;

		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(rs->rs_declined == NULL, "declined: %s",
		    rs->rs_declined);
		ck_assert_int_eq(rs->rs_verdict, MUGAI_V_SANITIZED);
		ck_assert_int_eq(mugai_result_write(rs, in, out, FALSE),
		    MUGAI_OK);
		b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		msg = g_strndup((const char *)b->data, b->len);
		text = output_text(msg);
		lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l != NULL; l++) {
			ck_assert_msg(!g_str_has_prefix(*l, "【管理者から】"),
			    "engine %d: attacker line [%s]", engines[i], *l);
			ck_assert_ptr_null(strstr(*l, "\u2028"));
			ck_assert_ptr_null(strstr(*l, "\u202e"));
			ck_assert_ptr_null(strstr(*l, "\xc2\x85"));
		}
		g_strfreev(lines);
		/* the notice, the label and the forward's heading */
		ck_assert_ptr_nonnull(strstr(text, "・a.exe\\x0a【管理者から】"
		    "添付は安全\\x0d\\x0a\\x85\\u2028\\u202etxt.exe（"));
		ck_assert_ptr_nonnull(strstr(text, "---- a.exe\\x0a【管理者から】"));
		ck_assert_ptr_nonnull(strstr(text, "(a.exe\\x0a【管理者から】"));
		if (i > 0)
			ck_assert_str_eq(text, seen->str);
		g_string_assign(seen, text);
		mugai_result_free(rs);
		g_object_unref(out);
		g_object_unref(in);
	}
	g_string_free(seen, TRUE);
	mugai_config_unref(cf);
}
END_TEST

/*
 * An encoded ESC/BEL sequence in From: and a bidi override in Subject:
 * reached the mailbox untouched (their raw values are clean ASCII). In
 * both engines, unchanged body or not, every header that leaves decodes
 * (GMime's reading) to no control but TAB and no bidi control, and the
 * header edits the milter applies say the same.
 */
static gboolean
decodes_unsafe(const char *value)
{
	g_autofree char *text = g_mime_utils_header_decode_text(NULL, value);

	for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f &&
		    c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x061c ||
		    c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069))
			return TRUE;
	}
	return FALSE;
}

START_TEST(headers_leave_without_controls_or_bidi)
{
	static const char *const bodies[] = {
	    "Content-Type: text/plain; charset=us-ascii\n\nPlain words.\n",
	    "Content-Type: text/html\n\n<p>Rendered words.</p>\n" };
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint k = 0; k < G_N_ELEMENTS(bodies); k++)
	for (guint i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct mugai_sanitize_opts so = { engines[i], 0 };
		g_autofree char *msg = g_strconcat(
		    "From: =?utf-8?q?=1B=5D0=3Bpwned=07Boss?= <boss@example.jp>\n"
		    "To: =?utf-8?b?4oCuc3JlcGFw?= <b@lgwan.example>\n"
		    "Subject: =?utf-8?b?aW52b2ljZeKArmZkcC5leGU=?=\n"
		    "X-Note: =?iso-8859-1?q?a=85b=9Bc?=\n"
		    "Date: Sat, 21 Nov 2026 10:00:00 +0900\n"
		    "MIME-Version: 1.0\n", bodies[k], NULL);
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg,
		    strlen(msg));
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs = mugai_sanitize_with(cf, in, &env,
		    &so, &err);
		char **lines;

		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(rs->rs_declined == NULL, "declined: %s",
		    rs->rs_declined);
		ck_assert_int_eq(rs->rs_verdict, k == 0 ? MUGAI_V_UNCHANGED :
		    MUGAI_V_SANITIZED);
		for (guint j = 0; j < rs->rs_edits->len; j++) {
			const struct mugai_hdr_edit *e = rs->rs_edits->pdata[j];

			ck_assert_msg(e->he_value == NULL ||
			    !decodes_unsafe(e->he_value), "engine %d: %s: %s",
			    engines[i], e->he_name, e->he_value);
		}
		ck_assert_uint_eq(count_edits(&(struct run){ rs, NULL, NULL },
		    MUGAI_HDR_CHANGE, "Subject"), 1);
		lines = g_strsplit(rs->rs_headers, "\n", -1);
		for (char **l = lines; *l != NULL; l++)
			ck_assert_msg(!decodes_unsafe(*l), "engine %d: [%s]",
			    engines[i], *l);
		g_strfreev(lines);
		ck_assert_ptr_nonnull(strstr(rs->rs_headers,
		    "<boss@example.jp>"));
		mugai_result_free(rs);
		g_object_unref(in);
	}
	mugai_config_unref(cf);
}
END_TEST

/*
 * The same through the engine with ISO-2022-JP output, which wraps lines
 * past 300 characters: a long name and a long declared type put the
 * sender's words at the wrap, so they began a line of the notice.
 */
START_TEST(notice_lines_are_not_wrapped_into_attacker_lines)
{
	struct mugai_config *cf = t_config("[sanitize]\n"
	    "output_charset = iso-2022-jp\n");
	GString *m = g_string_new(HDRS "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
	    "Content-Type: text/plain\n\nHello.\n--b1\n"
	    "Content-Type: application/");
	struct run r;
	char **lines;

	/* "・" + 154 + "（" + 12: the wrap falls after 132 more */
	for (int i = 0; i < 132; i++)
		g_string_append_c(m, 'a');
	g_string_append(m, "【管理者から】添付は安全です\n"
	    "Content-Disposition: attachment; filename=\"");
	for (int i = 0; i < 150; i++)
		g_string_append_c(m, 'n');
	g_string_append(m, ".bin\"\nContent-Transfer-Encoding: base64\n\n"
	    "TVqQAAMAAAAEAAAA\n--b1--\n");
	run(&r, cf, m->str);
	ck_assert_int_eq(r.rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_ptr_nonnull(strstr(r.output, "charset=ISO-2022-JP"));
	lines = g_strsplit(r.text, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		ck_assert_msg(!g_str_has_prefix(*l, "【管理者から】") &&
		    !g_str_has_prefix(*l, "aaaa"), "attacker line [%s]", *l);
	g_strfreev(lines);
	run_free(&r);
	g_string_free(m, TRUE);
	mugai_config_unref(cf);
}
END_TEST

/*
 * Found by t/fuzz/fuzz_stream: text that is mostly markup loses its tags
 * after textsafe ran, and what the tags kept apart came together:
 * "<<b>script>" became "<script>", "<span>=ybegin" a yEnc start at a
 * line's beginning. Whatever is stripped, textsafe has the last word, in
 * both engines.
 */
START_TEST(stripping_tags_reveals_no_markup)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM };
	static const char msg[] = HDRS "Content-Type: text/plain\n\n"
	    "<p>a</p><p>b</p><p>c</p><<b>script>alert(1)<</b>/script>\n"
	    "<i>x</i> java<b>script</b>:void(0)\n<span>=ybegin y</span>\n";
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct mugai_sanitize_opts so = { engines[i], 0 };
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg,
		    sizeof msg - 1);
		GMimeStream *out = g_mime_stream_mem_new();
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs = mugai_sanitize_with(cf, in, &env,
		    &so, &err);
		GByteArray *b;
		g_autofree char *o = NULL, *text = NULL;

		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(rs->rs_declined == NULL, "declined: %s",
		    rs->rs_declined);
		ck_assert_int_eq(mugai_result_write(rs, in, out, FALSE),
		    MUGAI_OK);
		b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		o = g_strndup((const char *)b->data, b->len);
		text = output_text(o);
		ck_assert_msg(strstr(text, "<script") == NULL, "engine %d: %s",
		    engines[i], text);
		ck_assert_msg(strstr(text, "javascript:") == NULL,
		    "engine %d: %s", engines[i], text);
		ck_assert_msg(strstr(text, "\n=ybegin") == NULL,
		    "engine %d: %s", engines[i], text);
		ck_assert_ptr_nonnull(strstr(text, "alert(1)"));
		mugai_result_free(rs);
		g_object_unref(out);
		g_object_unref(in);
	}
	mugai_config_unref(cf);
}
END_TEST

/* The longest line of s, in octets (CR not counted, as the oracle). */
static gsize
longest_line_of(const char *s, gsize len)
{
	gsize best = 0, cur = 0;

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\n')
			cur = 0;
		else if (s[i] != '\r' && ++cur > best)
			best = cur;
	}
	return best;
}

/*
 * A header whose name alone nearly fills a line (found by fuzz_stream in
 * CI: a withheld message's output had a line of over 998 octets) cannot
 * be written in a line of 998 octets however its value is encoded: it is
 * removed, with a warning, by both engines and whatever the verdict;
 * the streaming engine leaves such a message to GMime, whose parser
 * withholds it when the name is some 4 KB long.
 */
START_TEST(header_name_too_long_for_a_line_is_removed)
{
	static const char *const bodies[] = {
		"Plain words.\n",
		"-----BEGIN PGP MESSAGE-----\n\nhQEMA\n"
		"-----END PGP MESSAGE-----\n",
	};
	/* GMime's parser gives up on a name of some 4 KB (withheld). */
	static const gsize names[] = { 925, 1000, 3000, 6000 };
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_GMIME };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint b = 0; b < G_N_ELEMENTS(bodies); b++)
	for (guint n = 0; n < G_N_ELEMENTS(names); n++)
	for (guint e = 0; e < G_N_ELEMENTS(engines); e++) {
		struct mugai_sanitize_opts so = { engines[e], 0 };
		GString *m = g_string_new("From: a@example.jp\n"
		    "To: b@lgwan.example\nSubject: s\n");
		GMimeStream *in, *out;
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs;
		GByteArray *o;
		gboolean warned = FALSE;

		for (gsize k = 0; k < names[n]; k++)
			g_string_append_c(m, 'X');
		g_string_append_printf(m, ": v\nMIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=us-ascii\n\n%s",
		    bodies[b]);
		in = g_mime_stream_mem_new_with_buffer(m->str, m->len);
		rs = mugai_sanitize_with(cf, in, &env, &so, &err);
		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_ptr_nonnull(rs);
		ck_assert_int_eq(rs->rs_verdict, (b == 0 && names[n] < 4000) ?
		    MUGAI_V_UNCHANGED : MUGAI_V_WITHHELD);
		out = g_mime_stream_mem_new();
		ck_assert_int_eq(mugai_result_write(rs, in, out, FALSE),
		    MUGAI_OK);
		o = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		ck_assert_msg(longest_line_of((const char *)o->data, o->len) <=
		    998, "body %u, name of %" G_GSIZE_FORMAT ", engine %u: "
		    "a line of %" G_GSIZE_FORMAT, b, names[n], e,
		    longest_line_of((const char *)o->data, o->len));
		ck_assert_ptr_null(g_strstr_len((const char *)o->data,
		    (gssize)o->len, "XXXXXXXXXX"));
		for (guint w = 0; w < rs->rs_report->rr_warnings->len; w++)
			warned = warned || strstr(g_ptr_array_index(
			    rs->rs_report->rr_warnings, w), "name of") != NULL;
		ck_assert(warned);
		g_object_unref(out);
		g_object_unref(in);
		mugai_result_free(rs);
		g_string_free(m, TRUE);
	}
	mugai_config_unref(cf);
}
END_TEST

/* A message whose attached message/rfc822 has a To: of n encoded words. */
static GString *
nested_long_field(guint n, gboolean indented_body)
{
	GString *m = g_string_new("From: a@example.jp\nTo: b@lgwan.example\n"
	    "Subject: outer\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nHello.\n--b\n");

	if (indented_body) {
		/* Text of indented lines only: a table, not a header. */
		g_string_append(m, "Content-Type: text/plain\n\n");
		for (guint i = 0; i < n; i++)
			g_string_append(m, "    12,345    67,890\n");
	} else {
		g_string_append(m, "Content-Type: message/rfc822\n\n"
		    "From: \"t\" <t@example.com>\nTo: \"t\" <t@example.com>,\n");
		for (guint i = 0; i < n; i++)
			g_string_append(m, "\t=?utf-8?Q?date=3E2017-08-20T10:08:"
			    "28.617=3C/pr?=\n");
		g_string_append(m, "Subject: inner\n\nInner body.\n");
	}
	g_string_append(m, "--b--\n");
	return m;
}

/*
 * GMime parses an address header recursively, a frame for each word: an
 * attached message whose To: was 2 MB of encoded words overflowed an
 * 8 MiB thread stack (a segfault, the whole milter down), since
 * max_header_size bounded only the top header block. A folded field
 * longer than max_header_size anywhere in the message now takes the
 * limit's action before any parser reads it; indented body text is
 * not a field.
 */
START_TEST(long_field_in_an_attached_message_is_a_limit)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_GMIME };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint k = 0; k < 2; k++)
	for (guint e = 0; e < G_N_ELEMENTS(engines); e++) {
		struct mugai_sanitize_opts so = { engines[e], 0 };
		GString *m = nested_long_field(k == 0 ? 40000 : 20000, k == 1);
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(m->str,
		    m->len);
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs = mugai_sanitize_with(cf, in, &env,
		    &so, &err);

		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_ptr_nonnull(rs);
		if (k == 0) {
			ck_assert_int_eq(rs->rs_verdict, MUGAI_V_WITHHELD);
			ck_assert_str_eq(rs->rs_report->rr_limit,
			    "max_header_size");
		} else {
			ck_assert_int_ne(rs->rs_verdict, MUGAI_V_WITHHELD);
			ck_assert_ptr_null(rs->rs_report->rr_limit);
		}
		mugai_result_free(rs);
		g_object_unref(in);
		g_string_free(m, TRUE);
	}
	mugai_config_unref(cf);
}
END_TEST

/*
 * Shapes of t/hostile-big that GMime cannot bear, each a message of a few
 * hundred KB or MB (kind: what it is):
 *   0 an attached message whose To: nests 80,000 address groups
 *     ("g:g:g:...", 160 KB, under the 256K field bound): GMime's address
 *     parser recurses once per group, about 200 bytes of stack each, and
 *     overflowed 8 MiB (signal 11) in both engines: the streaming one
 *     hands an attached message's header block to GMime while it is fed
 *   1 an attached To: of 20,000 phrases without an address ("a b c,"):
 *     GMime's parser took 4 s, quadratic in the entries
 *   2 20,000 parts in a multipart/digest (the streaming engine declines
 *     it): GMime built the whole tree first, 2 KB a part (800 MB of RSS
 *     for 10 MB) before max_parts was counted
 *   3 an attached message of 60,000 header fields: 630 bytes each in
 *     GMime (950 MB of RSS for 10 MB of fields)
 *   4 the control: 500 addresses and the group of RFC 5322, a subject of
 *     "Re: Re:", some lines of "--" and "Name:" in text: no limit
 *   5 an HTML body whose one tag has 60,000 attributes: libxml2 compares
 *     each name with all before it, 4 s (1,000,000: minutes) in one call
 *     no deadline stops; past 1,000 it is max_html_depth
 *   6 12 attached messages, each a To: of 1,990 entries of 60 words (each
 *     field under both bounds before): 0.8 s of GMime each, 26 s for 40
 *     of them; the cost of all address fields is bounded (addrfield.h)
 *   7 30 attached messages, each a Content-Disposition of 2,000
 *     "; filename*=": GMime keeps every parameter in its tree (80 such
 *     fields of 240 KB took 305 MB); past 50,000 it is max_header_size
 * Each must take the limit's action (withheld, the original kept, the
 * key named) in every engine and fed the milter's way, before any parser
 * reads it.
 */
static GString *
gmime_shape(guint kind)
{
	GString *m = g_string_new("From: a@example.jp\nTo: b@lgwan.example\n"
	    "Subject: outer\nMIME-Version: 1.0\n");

	if (kind == 5) {
		g_string_append(m, "Content-Type: text/html\n\n<p>x</p><div");
		for (guint i = 0; i < 60000; i++)
			g_string_append_printf(m, "\n a%u=\"v>\"", i);
		g_string_append(m, ">y</div>\n");
		return m;
	}
	if (kind == 2) {
		g_string_append(m, "Content-Type: multipart/digest; "
		    "boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n");
		for (guint i = 0; i < 20000; i++)
			g_string_append(m, "--b\nContent-Type: a/b\n\nx\n");
		g_string_append(m, "--b--\n");
		return m;
	}
	g_string_append(m, "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nHello.\n");
	if (kind == 4)
		for (guint i = 0; i < 300; i++)
			g_string_append(m, "-- \nName: x\n");
	g_string_append(m, "--b\nContent-Type: message/rfc822\n\n"
	    "From: t@example.com\nSubject: Re: Re: inner\n");
	switch (kind) {
	case 0:
		g_string_append(m, "To: ");
		for (guint i = 0; i < 80000; i++)
			g_string_append(m, "g:");
		g_string_append(m, "x@example.jp\n");
		break;
	case 1:
		g_string_append(m, "To: ");
		for (guint i = 0; i < 20000; i++)
			g_string_append(m, "a b c,");
		g_string_append(m, "x@example.jp\n");
		break;
	case 3:
		for (guint i = 0; i < 60000; i++)
			g_string_append(m, "X-F: v\n");
		break;
	case 7:
		for (guint k = 0; k < 30; k++) {
			g_string_append(m, "Content-Disposition: attachment");
			for (guint i = 0; i < 2000; i++)
				g_string_append(m, "; filename*=");
			g_string_append(m, "\n\nInner.\n--b\n"
			    "Content-Type: message/rfc822\n\n");
		}
		g_string_append(m, "From: t@example.com\n");
		break;
	case 6:
		for (guint k = 0; k < 12; k++) {
			g_string_append(m, "To: ");
			for (guint i = 0; i < 1990; i++) {
				for (guint j = 0; j < 60; j++)
					g_string_append(m, "a ");
				g_string_append(m, ",");
			}
			g_string_append(m, "x@example.jp\n\nInner.\n--b\n"
			    "Content-Type: message/rfc822\n\n");
		}
		g_string_append(m, "From: t@example.com\n");
		break;
	default:
		g_string_append(m, "To: undisclosed-recipients:;,\n");
		for (guint i = 0; i < 500; i++)
			g_string_append_printf(m, " \"Name, %u\" <u%u@example.jp>,"
			    "\n", i, i);
		g_string_append(m, " x@example.jp\n");
		break;
	}
	g_string_append(m, "\nInner body.\n--b--\n");
	return m;
}

/* Sanitizes m the milter's way: fed in chunks of 64 KiB, then finished. */
static struct mugai_result *
sanitize_live(const struct mugai_config *cf, GString *m,
    const struct mugai_envelope *env)
{
	struct mugai_envelope early = { 0 };
	struct mugai_sanitize_stream *ss = mugai_sanitize_stream_new(cf,
	    &early);
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(m->str, m->len);
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs;

	for (gsize off = 0; off < m->len; off += 65536)
		mugai_sanitize_stream_feed(ss, m->str + off,
		    MIN(65536, m->len - off));
	rs = mugai_sanitize_stream_finish(ss, in, env, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	mugai_sanitize_stream_free(ss);
	g_object_unref(in);
	return rs;
}

START_TEST(shapes_gmime_cannot_bear_are_limits)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_GMIME, MUGAI_ENGINE_STREAM };
	static const char *const keys[] = { "max_header_size",
	    "max_header_size", "max_parts", "max_header_size", NULL,
	    "max_html_depth", "max_header_size", "max_header_size" };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint k = 0; k < G_N_ELEMENTS(keys); k++)
	for (guint e = 0; e <= G_N_ELEMENTS(engines); e++) {
		GString *m = gmime_shape(k);
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(m->str,
		    m->len);
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs;
		gint64 t0 = g_get_monotonic_time();

		if (e < G_N_ELEMENTS(engines)) {
			struct mugai_sanitize_opts so = { engines[e], 0 };

			rs = mugai_sanitize_with(cf, in, &env, &so, &err);
			ck_assert_int_eq(err, MUGAI_OK);
		} else
			rs = sanitize_live(cf, m, &env);
		ck_assert_ptr_nonnull(rs);
		if (keys[k] != NULL) {
			ck_assert_msg(rs->rs_verdict == MUGAI_V_WITHHELD,
			    "shape %u, engine %u: not withheld", k, e);
			ck_assert_str_eq(rs->rs_report->rr_limit, keys[k]);
			ck_assert(rs->rs_keep_original);
		} else {
			if (rs->rs_declined == NULL)
				ck_assert_int_ne(rs->rs_verdict,
				    MUGAI_V_WITHHELD);
			ck_assert_ptr_null(rs->rs_report->rr_limit);
		}
		/* Before: 4 s (shape 1), 8 s (shape 2) in GMime. */
		if (g_getenv("MUGAI_SLOW_TESTS") == NULL)
			ck_assert_int_lt(g_get_monotonic_time() - t0,
			    2 * G_USEC_PER_SEC);
		mugai_result_free(rs);
		g_object_unref(in);
		g_string_free(m, TRUE);
	}
	mugai_config_unref(cf);
}
END_TEST

/*
 * A top header block past max_header_size is withheld; the withheld
 * message had no header fields at all, not even From, To, Subject or
 * Date (check_sanitized.py on t/hostile-big's header-fields-100000). It
 * now keeps those of the block's first max_header_size bytes, in every
 * engine and fed the milter's way. And this block of 349 KB was not
 * withheld at all: the line cut at max_header_size ("X-F2xxxx" without
 * its colon) was read as the first line of the body.
 */
START_TEST(oversized_header_block_keeps_its_first_fields)
{
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_GMIME, MUGAI_ENGINE_STREAM };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	GString *m = g_string_new("From: a@example.jp\nTo: b@lgwan.example\n"
	    "Subject: big block\nDate: Mon, 07 Dec 2026 10:00:00 +0900\n");

	for (guint i = 0; i < 30000; i++)
		g_string_append_printf(m, "X-F%u: v\n", i);
	g_string_append(m, "\nbody\n");
	for (guint e = 0; e <= G_N_ELEMENTS(engines); e++) {
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(m->str,
		    m->len);
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs;

		if (e < G_N_ELEMENTS(engines)) {
			struct mugai_sanitize_opts so = { engines[e], 0 };

			rs = mugai_sanitize_with(cf, in, &env, &so, &err);
		} else
			rs = sanitize_live(cf, m, &env);
		ck_assert_ptr_nonnull(rs);
		ck_assert_msg(rs->rs_verdict == MUGAI_V_WITHHELD,
		    "engine %u: verdict %d", e, rs->rs_verdict);
		ck_assert_str_eq(rs->rs_report->rr_limit, "max_header_size");
		ck_assert_ptr_nonnull(strstr(rs->rs_headers,
		    "From: a@example.jp\n"));
		ck_assert_ptr_nonnull(strstr(rs->rs_headers,
		    "Subject: big block\n"));
		ck_assert_ptr_nonnull(strstr(rs->rs_headers, "Date: Mon"));
		mugai_result_free(rs);
		g_object_unref(in);
	}
	g_string_free(m, TRUE);
	mugai_config_unref(cf);
}
END_TEST

/*
 * A header block that ends at a line that is no header, with no blank
 * line (found by fuzz_sanitize in CI): that line starts the body, which
 * passed unchanged with its 8-bit bytes under no transfer encoding.
 * Readers disagree on where such a body starts: it is rebuilt, by
 * either engine, whatever the output charset.
 */
START_TEST(body_after_a_header_block_without_blank_line_is_rebuilt)
{
	static const char msg[] = "From: a@example.jp\nTo: b@lgwan.example\n"
	    "Subject: test\nMIME-Version: 1.0\n"
	    "Content-Ty&nbsp;ltipart/mixed; boundary=\"s\"\n\n--s\n\ntext\n"
	    "--s\nContent-Type: application/octet-stream; "
	    "name=\"\x8e\x91\x97\xbf.bin\"\n\nxx\n--s--\n";
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_AUTO,
	    MUGAI_ENGINE_GMIME };
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };

	for (guint c = 0; c < 2; c++)
	for (guint e = 0; e < G_N_ELEMENTS(engines); e++) {
		struct mugai_config *cf = mugai_config_new_default();
		struct mugai_sanitize_opts so = { engines[e], 0 };
		GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg,
		    sizeof msg - 1);
		GMimeStream *out = g_mime_stream_mem_new();
		enum mugai_err err = MUGAI_E_IO;
		struct mugai_result *rs;
		GByteArray *o;

		if (c == 1)
			cf->cf_output_charset = MUGAI_OUT_ISO2022JP;
		rs = mugai_sanitize_with(cf, in, &env, &so, &err);
		ck_assert_int_eq(err, MUGAI_OK);
		ck_assert_ptr_nonnull(rs);
		ck_assert_int_ne(rs->rs_verdict, MUGAI_V_UNCHANGED);
		ck_assert_int_eq(mugai_result_write(rs, in, out, FALSE),
		    MUGAI_OK);
		o = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
		for (guint i = 0; i < o->len; i++)
			ck_assert_uint_lt(o->data[i], 0x80);
		g_object_unref(out);
		g_object_unref(in);
		mugai_result_free(rs);
		mugai_config_unref(cf);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sanitize");

	mugai_sanitize_init();
	t_test(s, plain_ascii_message_is_unchanged);
	t_test(s, text_is_kept_only_for_the_password_pick);
	t_test(s, utf8_8bit_message_is_unchanged);
	t_test(s, utf8_decomposed_kana_are_composed);
	t_loop_test(s, unchanged_needs_plain_mime_headers, 0,
	    G_N_ELEMENTS(odd_mime));
	t_test(s, attachment_is_removed_listed_and_hashed);
	t_test(s, part_before_boundary_ends_at_its_line_break);
	t_test(s, html_is_rendered_to_text);
	t_test(s, alternative_prefers_plain_text);
	t_test(s, alternative_uses_html_when_plain_is_a_stub);
	t_loop_test(s, placeholder_plain_alternative_takes_the_html, 0,
	    G_N_ELEMENTS(placeholders));
	t_loop_test(s, text_of_any_subtype_or_with_controls_is_kept, 0,
	    G_N_ELEMENTS(odd_text));
	t_test(s, binary_declared_as_text_is_still_removed);
	t_test(s, related_root_is_rendered_and_images_removed);
	t_test(s, forwarded_message_is_inline_with_its_headers);
	t_test(s, encrypted_content_is_withheld);
	t_loop_test(s, ambiguous_structure_is_sanitized_and_named, 0,
	    G_N_ELEMENTS(ambiguous));
	t_test(s, duplicate_content_type_keeps_both_readings);
	t_test(s, empty_message_is_not_withheld);
	t_test(s, inline_pgp_message_is_withheld);
	t_test(s, on_error_reject_and_tempfail);
	t_test(s, depth_limit_just_under_and_over);
	t_test(s, parts_limit_just_under_and_over);
	t_test(s, header_size_limit_just_under_and_over);
	t_test(s, line_length_limit_just_under_and_over);
	t_test(s, message_size_limit_just_under_and_over);
	t_test(s, decoded_size_limit_just_under_and_over);
	t_test(s, edits_change_first_then_delete_highest_index_first);
	t_test(s, unchanged_message_keeps_dkim_signature);
	t_test(s, shift_jis_body_keeps_cp932_characters);
	t_test(s, iso2022jp_output_is_7bit);
	t_test(s, notice_goes_to_the_bottom_when_configured);
	t_test(s, keep_original_follows_policy);
	t_test(s, uuencoded_file_in_text_is_cut_and_listed);
	t_test(s, markup_in_plain_text_is_neutralized);
	t_test(s, header_block_ends_where_the_mta_ends_it);
	t_test(s, harmless_tags_stay_many_tags_go);
	t_test(s, unknown_transfer_encoding_is_never_passed_on);
	t_test(s, plain_message_from_a_file_is_unchanged);
	t_test(s, empty_text_part_beside_an_attachment);
	t_test(s, folded_header_is_linear_in_both_engines);
	t_test(s, names_from_mail_stay_on_mugais_lines);
	t_test(s, headers_leave_without_controls_or_bidi);
	t_test(s, notice_lines_are_not_wrapped_into_attacker_lines);
	t_test(s, stripping_tags_reveals_no_markup);
	t_test(s, header_name_too_long_for_a_line_is_removed);
	t_test(s, long_field_in_an_attached_message_is_a_limit);
	t_test(s, shapes_gmime_cannot_bear_are_limits);
	t_test(s, oversized_header_block_keeps_its_first_fields);
	t_test(s, body_after_a_header_block_without_blank_line_is_rebuilt);
	return t_run(s);
}
