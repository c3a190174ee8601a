/*
 * check_xbody - the text of removed documents in the body (lib/core/xbody.c)
 *
 * Whole messages through mugai_sanitize_with() in both engines (GMime,
 * and the streaming walk at 7-byte chunks): every document type made by
 * t/docgen.c, Japanese and English, arrives under its heading after the
 * message's text, and the notice line of its part says so; encrypted
 * and damaged documents, a helper killed, no helper at all and every
 * [extract] limit give the reason line and a delivered message; the two
 * engines give the same bytes.
 */
#include "autoconfig.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "core/sanitize.h"
#include "core/xbody.h"
#include "extract/client.h"
#include "docgen.h"
#include "fixtures.h"
#include "testconf.h"
#include "testutil.h"

/* One attachment of a message. */
struct att {
	const char *type;	/* Content-Type value */
	const char *name;	/* filename (UTF-8), or NULL */
	GBytes *data;		/* lent */
};

/* Returns (transfer full) a multipart/mixed message with a text body
 * and the attachments of atts (n of them). */
static char *
message(const struct att *atts, guint n)
{
	GString *m = g_string_new("From: a@example.jp\nTo: b@example.jp\n"
	    "Subject: documents\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
	    "Content-Type: text/plain; charset=utf-8\n\n"
	    "本文です。 The body.\n");

	for (guint i = 0; i < n; i++) {
		gsize len = 0;
		const guint8 *d = g_bytes_get_data(atts[i].data, &len);
		g_autofree char *b64 = g_base64_encode(d, len);
		gsize bl = strlen(b64);

		g_string_append_printf(m, "--b1\nContent-Type: %s\n",
		    atts[i].type);
		if (atts[i].name != NULL) {
			g_autofree char *esc = g_uri_escape_string(
			    atts[i].name, NULL, FALSE);

			g_string_append_printf(m, "Content-Disposition: "
			    "attachment; filename*=UTF-8''%s\n", esc);
		} else
			g_string_append(m, "Content-Disposition: "
			    "attachment\n");
		g_string_append(m, "Content-Transfer-Encoding: base64\n\n");
		for (gsize o = 0; o < bl; o += 76) {
			g_string_append_len(m, b64 + o, (gssize)MIN(76,
			    bl - o));
			g_string_append_c(m, '\n');
		}
	}
	g_string_append(m, "--b1--\n");
	return g_string_free(m, FALSE);
}

struct out {
	struct mugai_result *rs;
	char *text;		/* the body, UTF-8 */
};

static void
out_clear(struct out *o)
{
	mugai_result_free(o->rs);
	g_free(o->text);
	memset(o, 0, sizeof *o);
}

/* Returns (transfer full) the decoded text of rs's output message. */
static char *
body_text(const struct mugai_result *rs)
{
	gsize len = 0;
	const char *b;
	g_autofree char *whole = NULL;
	GMimeStream *s;
	GMimeParser *pa;
	GMimeMessage *m;
	char *text;

	ck_assert_ptr_nonnull(rs->rs_body);
	b = g_bytes_get_data(rs->rs_body, &len);
	whole = g_strdup_printf("%s\n%.*s", rs->rs_headers, (int)len, b);
	s = g_mime_stream_mem_new_with_buffer(whole, strlen(whole));
	pa = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(pa, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert(GMIME_IS_TEXT_PART(m->mime_part));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(m->mime_part));
	g_object_unref(m);
	g_object_unref(pa);
	g_object_unref(s);
	return text;
}

static void
run(const struct mugai_config *cf, const char *msg, enum mugai_engine eng,
    gsize chunk, struct out *o)
{
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	struct mugai_sanitize_opts so = { .so_engine = eng, .so_chunk = chunk };
	struct mugai_envelope env = { .ev_quarantine_id = "Q-TEST-1" };
	enum mugai_err err = MUGAI_E_IO;

	memset(o, 0, sizeof *o);
	o->rs = mugai_sanitize_with(cf, in, &env, &so, &err);
	g_object_unref(in);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(o->rs);
	ck_assert_ptr_null(o->rs->rs_declined);
	ck_assert_int_eq(o->rs->rs_verdict, MUGAI_V_SANITIZED);
	o->text = body_text(o->rs);
}

/*
 * msg through the GMime engine and the streaming one (7-byte chunks):
 * the same body and report but for the engine. Returns (transfer full)
 * the body text.
 */
static char *
both(const struct mugai_config *cf, const char *msg)
{
	struct out g, s;
	JsonNode *gj, *sj;
	g_autofree char *gs = NULL, *ss = NULL;
	char *text;

	run(cf, msg, MUGAI_ENGINE_GMIME, 0, &g);
	run(cf, msg, MUGAI_ENGINE_STREAM, 7, &s);
	ck_assert_str_eq(g.text, s.text);
	s.rs->rs_report->rr_engine = "gmime";
	gj = mugai_report_to_json(g.rs->rs_report);
	sj = mugai_report_to_json(s.rs->rs_report);
	gs = json_to_string(gj, FALSE);
	ss = json_to_string(sj, FALSE);
	ck_assert_str_eq(gs, ss);
	json_node_unref(gj);
	json_node_unref(sj);
	text = g_steal_pointer(&g.text);
	out_clear(&g);
	out_clear(&s);
	return text;
}

#define has(t, s) ck_assert_msg(strstr((t), (s)) != NULL, \
	"no \"%s\" in:\n%s", (s), (t))
#define hasnt(t, s) ck_assert_msg(strstr((t), (s)) == NULL, \
	"\"%s\" in:\n%s", (s), (t))

/* The pool of the build's helper with cf's limits, as the engine's. */
static struct mugai_extract_pool *
use_pool(const struct mugai_config *cf, const char *helper)
{
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p;
	enum mugai_err err;

	mugai_xbody_opts(cf, &o);
	o.eo_helper = helper != NULL ? helper : MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 1;
	p = mugai_extract_pool_new(&o, &err);
	ck_assert_msg(p != NULL, "pool: %s", mugai_err_str(err));
	mugai_xbody_set_pool(p);
	return p;
}

static void
drop_pool(struct mugai_extract_pool *p)
{
	mugai_xbody_stop();
	mugai_extract_pool_free(p);
}

/* One document of a type, its text and its heading. */
static const struct {
	const char *type;
	const char *name;
	GBytes *(*make)(void);
	const char *want;
} types[] = {
	{ "application/pdf", "report.pdf", dg_pdf_english,
	  "Hello from the PDF" },
	{ "application/pdf", "日本語.pdf", dg_pdf_japanese, DG_JA_PDF },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	  "document", "議事録.docx", dg_docx, DG_JA_DOCX },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml."
	  "sheet", "budget.xlsx", dg_xlsx, DG_JA_CELL "  1234.5" },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	  "presentation", "slides.pptx", dg_pptx, "=== 2 ===\n" DG_JA_SLIDE },
	{ "application/vnd.oasis.opendocument.text", "minutes.odt", dg_odt,
	  "Hello from the ODT" },
	{ "application/vnd.oasis.opendocument.spreadsheet", "budget.ods",
	  dg_ods, DG_JA_CELL "  1,234.5" },
	{ "application/vnd.oasis.opendocument.presentation", "slides.odp",
	  dg_odp, "=== 1 ===\nAgenda" },
	{ "application/rtf", "memo.rtf", dg_rtf, "Hello from the RTF" },
};

static GBytes *
html_doc(void)
{
	return fx_text("<html><body><h1>お知らせ</h1><p>Meeting at "
	    "<b>10:00</b></p><script>alert(1)</script></body></html>");
}

static GBytes *
csv_doc(void)
{
	return fx_text("city,amount\n東京都,1234\nOsaka,56\n");
}

START_TEST(each_type_under_its_heading_in_both_engines)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = types[_i].make();
	struct att a = { types[_i].type, types[_i].name, d };
	g_autofree char *msg = message(&a, 1);
	g_autofree char *text = both(cf, msg);
	g_autofree char *head = g_strdup_printf("──── 添付ファイル「%s」の内容"
	    "（テキストのみ） / Text of the attachment \"%s\" (text only) ────\n",
	    types[_i].name, types[_i].name);
	const char *h, *body;

	has(text, types[_i].want);
	has(text, head);
	has(text, "メール本文の後に掲載しました");
	has(text, "text included after the message (");
	/* After the message's own text, the notice first (top). */
	body = strstr(text, "本文です。");
	h = strstr(text, head);
	ck_assert_ptr_nonnull(body);
	ck_assert(h > body);
	ck_assert(strstr(h, types[_i].want) != NULL);
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(html_and_csv_attachments_give_their_text)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) h = html_doc();
	g_autoptr(GBytes) c = csv_doc();
	struct att a[] = { { "text/html; charset=utf-8", "page.html", h },
	    { "text/csv; charset=utf-8", "data.csv", c } };
	g_autofree char *msg = message(a, 2);
	g_autofree char *text = both(cf, msg);

	has(text, "Text of the attachment \"page.html\"");
	has(text, "お知らせ");
	has(text, "10:00");
	hasnt(text, "alert(1)");
	hasnt(text, "<script");
	has(text, "Text of the attachment \"data.csv\"");
	has(text, "東京都");
	/* In the order of the notice. */
	ck_assert(strstr(text, "\"page.html\" (text only)") <
	    strstr(text, "\"data.csv\" (text only)"));
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

/* The reason line of a document without text, Japanese first. */
static void
reason_line(const struct mugai_config *cf, GBytes *doc, const char *type,
    const char *ja, const char *en)
{
	struct att a = { type, "x.pdf", doc };
	g_autofree char *msg = message(&a, 1);
	g_autofree char *text = both(cf, msg);
	g_autofree char *jl = g_strconcat("→ テキストなし: ", ja, NULL);
	g_autofree char *el = g_strconcat("> no text: ", en, NULL);

	has(text, jl);
	has(text, el);
	ck_assert(strstr(text, jl) < strstr(text, el));
	hasnt(text, "Text of the attachment");
	has(text, "本文です。");
}

START_TEST(encrypted_pdf_says_why)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = dg_pdf_encrypted();

	reason_line(cf, d, "application/pdf", "暗号化されているため抽出できません",
	    "encrypted, the text cannot be extracted");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(damaged_pdf_says_why)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = dg_pdf_damaged();

	reason_line(cf, d, "application/pdf", "ファイルが壊れているため抽出できません",
	    "damaged, the text cannot be extracted");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

/* A helper that dies by SIGKILL before it answers: that document's
 * text, never the message. */
START_TEST(killed_helper_costs_only_the_text)
{
	struct mugai_config *cf = mugai_config_new_default();
	g_autofree char *dir = g_dir_make_tmp("mugai-xbody-XXXXXX", NULL);
	g_autofree char *helper = g_build_filename(dir, "killed", NULL);
	struct mugai_extract_pool *p;
	g_autoptr(GBytes) d = dg_pdf_english();

	ck_assert(g_file_set_contents(helper, "#!/bin/sh\nkill -KILL $$\n",
	    -1, NULL));
	ck_assert_int_eq(chmod(helper, 0755), 0);
	p = use_pool(cf, helper);
	reason_line(cf, d, "application/pdf", "抽出処理が失敗しました",
	    "the extraction failed");
	drop_pool(p);
	unlink(helper);
	rmdir(dir);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(no_helper_says_extraction_unavailable)
{
	struct mugai_config *cf = t_config("[extract]\n"
	    "helper = /nonexistent/mugai-extract\n");
	g_autoptr(GBytes) d = dg_pdf_english();
	g_autofree char *why = NULL;

	ck_assert_int_ne(mugai_xbody_start(cf, FALSE, &why), MUGAI_OK);
	ck_assert_ptr_nonnull(why);
	has(why, "/nonexistent/mugai-extract");
	reason_line(cf, d, "application/pdf", "テキスト抽出は利用できません",
	    "text extraction is unavailable");
	mugai_xbody_stop();
	mugai_config_unref(cf);
}
END_TEST

START_TEST(lazy_start_with_the_configured_helper)
{
	g_autofree char *conf = g_strdup_printf("[extract]\nhelper = %s\n"
	    "pool_size = 1\n", MUGAI_TEST_EXTRACT);
	struct mugai_config *cf = t_config(conf);
	g_autoptr(GBytes) d = dg_pdf_english();
	struct att a = { "application/octet-stream", "report.pdf", d };
	g_autofree char *msg = message(&a, 1);
	g_autofree char *text = NULL;

	ck_assert_int_eq(mugai_xbody_start(cf, TRUE, NULL), MUGAI_OK);
	text = both(cf, msg);
	/* The name gave the type: octet-stream is how many clients send. */
	has(text, "Hello from the PDF");
	mugai_xbody_stop();
	mugai_config_unref(cf);
}
END_TEST

START_TEST(disabled_or_not_started_adds_nothing)
{
	struct mugai_config *off = t_config("[extract]\nenabled = false\n");
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = dg_pdf_english();
	struct att a = { "application/pdf", "report.pdf", d };
	g_autofree char *msg = message(&a, 1);
	g_autofree char *t1 = both(off, msg);
	g_autofree char *t2 = NULL;

	hasnt(t1, "Hello from the PDF");
	hasnt(t1, "テキストなし");
	hasnt(t1, "Text of the attachment");
	has(t1, "report.pdf");
	drop_pool(p);
	/* A library user that started no pool sees the engine as before. */
	t2 = both(cf, msg);
	ck_assert_str_eq(t1, t2);
	mugai_config_unref(off);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(type_not_listed_is_not_extracted)
{
	struct mugai_config *cf = t_config("[extract]\ntypes = docx\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) pdf = dg_pdf_english();
	g_autoptr(GBytes) docx = dg_docx();
	struct att a[] = { { "application/pdf", "report.pdf", pdf },
	    { "application/octet-stream", "memo.docx", docx } };
	g_autofree char *msg = message(a, 2);
	g_autofree char *text = both(cf, msg);

	hasnt(text, "Hello from the PDF");
	has(text, DG_JA_DOCX);
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(max_chars_cuts_and_the_heading_says_so)
{
	struct mugai_config *cf = t_config("[extract]\nmax_chars = 100\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = dg_pdf_pages(30);
	struct att a = { "application/pdf", "long.pdf", d };
	g_autofree char *msg = message(&a, 1);
	g_autofree char *text = both(cf, msg);

	has(text, "Text of the attachment \"long.pdf\" (text only, first ");
	has(text, "（テキストのみ、先頭 ");
	has(text, "文字をメール本文の後に掲載しました（上限により打ち切り）");
	has(text, "characters of the text included after the message (cut");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(max_message_chars_cuts_then_refuses)
{
	struct mugai_config *cf = t_config("[extract]\n"
	    "max_message_chars = 100\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d1 = dg_pdf_pages(30);
	g_autoptr(GBytes) d2 = dg_pdf_english();
	struct att a[] = { { "application/pdf", "long.pdf", d1 },
	    { "application/pdf", "second.pdf", d2 } };
	g_autofree char *msg = message(a, 2);
	g_autofree char *text = both(cf, msg);

	has(text, "\"long.pdf\" (text only, first 100 characters)");
	hasnt(text, "\"second.pdf\" (text");
	has(text, "→ テキストなし: 上限を超えるため抽出しませんでした");
	has(text, "> no text: over a limit, not extracted");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

/* The message's time runs out in the first document (timeout, the
 * helper killed); the next is not read (over a limit). Delivered. */
START_TEST(max_message_time_passed_reads_no_more)
{
	struct mugai_config *cf = t_config("[extract]\n"
	    "max_message_time = 1ms\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d1 = dg_pdf_english();
	g_autoptr(GBytes) d2 = dg_docx();
	struct att a[] = { { "application/pdf", "late.pdf", d1 },
	    { "application/octet-stream", "later.docx", d2 } };
	g_autofree char *msg = message(a, 2);
	g_autofree char *text = both(cf, msg);

	hasnt(text, "Hello from the PDF");
	hasnt(text, DG_JA_DOCX);
	has(text, "→ テキストなし: 抽出が制限時間内に終わりませんでした");
	has(text, "> no text: the extraction took too long");
	has(text, "→ テキストなし: 上限を超えるため抽出しませんでした");
	has(text, "本文です。");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(max_documents_reads_the_first_ones)
{
	struct mugai_config *cf = t_config("[extract]\nmax_documents = 1\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d1 = dg_pdf_english();
	g_autoptr(GBytes) d2 = dg_docx();
	struct att a[] = { { "application/pdf", "first.pdf", d1 },
	    { "application/octet-stream", "second.docx", d2 } };
	g_autofree char *msg = message(a, 2);
	g_autofree char *text = both(cf, msg);

	has(text, "Hello from the PDF");
	hasnt(text, DG_JA_DOCX);
	has(text, "→ テキストなし: 上限を超えるため抽出しませんでした");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(max_bytes_keeps_the_start_and_says_so)
{
	struct mugai_config *cf = t_config("[extract]\nmax_bytes = 1K\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	GString *csv = g_string_new("a,b\n");
	g_autoptr(GBytes) d = NULL;
	struct att a = { "text/csv", "big.csv", NULL };
	g_autofree char *msg = NULL;
	g_autofree char *text = NULL;

	for (int i = 0; i < 500; i++)
		g_string_append_printf(csv, "row%d,%d\n", i, i);
	d = g_string_free_to_bytes(csv);
	a.data = d;
	msg = message(&a, 1);
	text = both(cf, msg);
	/* The CSV reader lays the rows out as aligned columns. */
	has(text, "row1 ");
	hasnt(text, "row499");
	has(text, "\"big.csv\" (text only, first ");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(iso_2022_jp_body_carries_the_text)
{
	struct mugai_config *cf = t_config("[sanitize]\n"
	    "output_charset = iso-2022-jp\n");
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) d = dg_docx();
	struct att a = { "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", "議事録.docx", d };
	g_autofree char *msg = message(&a, 1);
	struct out o;

	run(cf, msg, MUGAI_ENGINE_AUTO, 0, &o);
	has(o.rs->rs_headers, "charset=ISO-2022-JP");
	has(o.text, DG_JA_DOCX);
	has(o.text, "添付ファイル「議事録.docx」の内容");
	out_clear(&o);
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(documents_inside_a_zip_named_by_their_path)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	g_autoptr(GBytes) pdf = dg_pdf_english();
	g_autoptr(GBytes) docx = dg_docx();
	g_autoptr(GBytes) png = fx_fill(100, 'x');
	g_autoptr(GBytes) inner = NULL;
	g_autoptr(GBytes) zip = NULL;
	struct fx_entry in[] = { { "deep.docx", docx, FALSE } };
	struct fx_entry e[] = { { "dir/", NULL, FALSE },
	    { "dir/report.pdf", pdf, FALSE }, { "image.png", png, FALSE },
	    { "inner.zip", NULL, FALSE } };
	struct att a = { "application/zip", "archive.zip", NULL };
	g_autofree char *msg = NULL;
	g_autofree char *text = NULL;
	const char *h1, *h2;

	inner = fx_archive("zip", NULL, NULL, NULL, in, 1);
	e[3].data = inner;
	zip = fx_archive("zip", NULL, NULL, NULL, e, G_N_ELEMENTS(e));
	a.data = zip;
	msg = message(&a, 1);
	text = both(cf, msg);
	h1 = strstr(text, "Text of the attachment \"archive.zip/dir/report.pdf\"");
	h2 = strstr(text, "Text of the attachment "
	    "\"archive.zip/inner.zip/deep.docx\"");
	ck_assert_msg(h1 != NULL && h2 != NULL && h1 < h2, "%s", text);
	has(h1, "Hello from the PDF");
	has(h2, DG_JA_DOCX);
	/* The docx's own parts are no documents of the archive. */
	hasnt(text, "word/document.xml\" (text");
	has(text, "→ dir/report.pdf: テキスト（");
	has(text, "> inner.zip/deep.docx: text included");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

/* A document's words pass the filters of any text: no markup that acts,
 * no file in disguise. */
START_TEST(document_text_is_made_safe)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_extract_pool *p = use_pool(cf, NULL);
	GString *csv = g_string_new("a,b\n<script>alert(1)</script>,"
	    "javascript:alert(1)\n<iframe src=x>\nbegin 644 evil.exe\nM");
	g_autoptr(GBytes) d = NULL;
	struct att a = { "text/csv", "x.csv", NULL };
	g_autofree char *msg = NULL;
	g_autofree char *text = NULL;

	for (int i = 0; i < 60; i++)
		g_string_append_c(csv, 'A');
	g_string_append(csv, "\nend\nthe last words\n");
	d = g_string_free_to_bytes(csv);
	a.data = d;
	msg = message(&a, 1);
	text = both(cf, msg);
	has(text, "Text of the attachment \"x.csv\"");
	has(text, "alert(1)");
	has(text, "the last words");
	hasnt(text, "<script");
	hasnt(text, "<iframe");
	hasnt(text, "javascript:");
	hasnt(text, "begin 644");
	drop_pool(p);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(check_config_refuses_an_unknown_type)
{
	g_autofree char *path = NULL;
	int fd = g_file_open_tmp("mugai-t-XXXXXX", &path, NULL);
	GError *err = NULL;

	close(fd);
	ck_assert(g_file_set_contents(path, "[extract]\n"
	    "types = pdf;exe\n", -1, NULL));
	ck_assert_ptr_null(mugai_config_load(path, &err));
	ck_assert_ptr_nonnull(err);
	has(err->message, ":2: types: unknown document type \"exe\"");
	g_error_free(err);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xbody");

	t_timeout = 120;
	signal(SIGPIPE, SIG_IGN);
	mugai_sanitize_init();
	t_loop_test(s, each_type_under_its_heading_in_both_engines, 0,
	    (int)G_N_ELEMENTS(types));
	t_test(s, html_and_csv_attachments_give_their_text);
	t_test(s, encrypted_pdf_says_why);
	t_test(s, damaged_pdf_says_why);
	t_test(s, killed_helper_costs_only_the_text);
	t_test(s, no_helper_says_extraction_unavailable);
	t_test(s, lazy_start_with_the_configured_helper);
	t_test(s, disabled_or_not_started_adds_nothing);
	t_test(s, type_not_listed_is_not_extracted);
	t_test(s, max_chars_cuts_and_the_heading_says_so);
	t_test(s, max_message_chars_cuts_then_refuses);
	t_test(s, max_message_time_passed_reads_no_more);
	t_test(s, max_documents_reads_the_first_ones);
	t_test(s, max_bytes_keeps_the_start_and_says_so);
	t_test(s, iso_2022_jp_body_carries_the_text);
	t_test(s, documents_inside_a_zip_named_by_their_path);
	t_test(s, document_text_is_made_safe);
	t_test(s, check_config_refuses_an_unknown_type);
	return t_run(s);
}
