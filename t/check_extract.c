/*
 * check_extract - mugai-extract and its client: the text of each kind of
 * document (Japanese and English), every limit, every way a helper can
 * fail, the confinement it runs under, and the protocol's parser
 *
 * The helper is the one the build made (MUGAI_TEST_EXTRACT); the
 * documents come from t/docgen.c. A pool started with --test-mode makes
 * its helpers misbehave on the documents hinted "misbehave" only, so one
 * pool shows a broken helper replaced by a working one.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsf/gsf-utils.h>

#include "base/deadline.h"
#include "extract/client.h"
#include "extract/preview.h"
#include "extract/proto.h"
#include "docgen.h"
#include "fixtures.h"
#include "imggen.h"
#include "testutil.h"

static struct mugai_extract_pool *
pool_new(const struct mugai_extract_limits *lim, const char *test_mode)
{
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p;
	g_autofree char *arg = test_mode != NULL ?
	    g_strconcat("--test-mode=", test_mode, NULL) : NULL;
	const char *extra[] = { arg, NULL };
	enum mugai_err err;

	mugai_extract_opts_init(&o);
	o.eo_helper = MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 1;
	if (lim != NULL)
		o.eo_limits = *lim;
	o.eo_extra_args = extra;
	p = mugai_extract_pool_new(&o, &err);
	ck_assert_msg(p != NULL, "pool: %s", mugai_err_str(err));
	return p;
}

static void
limits(struct mugai_extract_limits *lim)
{
	struct mugai_extract_opts o;

	mugai_extract_opts_init(&o);
	*lim = o.eo_limits;
}

/* Runs doc through a pool of defaults (or p) and checks the status. */
static void
extract(struct mugai_extract_pool *p, GBytes *doc, const char *hint,
    enum mugai_extract_status want, struct mugai_extract_result *r)
{
	struct mugai_extract_pool *own = p == NULL ? pool_new(NULL, NULL) :
	    NULL;
	gsize len = 0;
	const void *d = g_bytes_get_data(doc, &len);

	mugai_extract_run(p != NULL ? p : own, d, len, hint, 0, r);
	ck_assert_msg(r->er_status == want, "status %s (%s), wanted %s",
	    mugai_extract_status_name(r->er_status), r->er_reason,
	    mugai_extract_status_name(want));
	if (want == MUGAI_EXTRACT_OK || want == MUGAI_EXTRACT_TRUNCATED)
		ck_assert_ptr_nonnull(r->er_text);
	else
		ck_assert_ptr_null(r->er_text);
	mugai_extract_pool_free(own);
}

#define has(r, s) ck_assert_msg(strstr((r)->er_text, (s)) != NULL, \
	"no \"%s\" in:\n%s", (s), (r)->er_text)
#define hasnt(r, s) ck_assert_msg(strstr((r)->er_text, (s)) == NULL, \
	"\"%s\" in:\n%s", (s), (r)->er_text)

/* ---------------------------------------------------------------- PDF */

START_TEST(pdf_english_text)
{
	g_autoptr(GBytes) d = dg_pdf_english();
	struct mugai_extract_result r;

	extract(NULL, d, "pdf", MUGAI_EXTRACT_OK, &r);
	has(&r, "Hello from the PDF");
	ck_assert_str_eq(r.er_kind, "pdf");
	ck_assert_uint_eq(r.er_pages, 1);
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(pdf_japanese_non_embedded_cid_font)
{
	g_autoptr(GBytes) d = dg_pdf_japanese();
	struct mugai_extract_result r;

	/* Confined, the helper can read no CMap: they were loaded first. */
	extract(NULL, d, "pdf", MUGAI_EXTRACT_OK, &r);
	has(&r, DG_JA_PDF);
	has(&r, "Tokyo");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(pdf_pages_past_max_pages_truncate)
{
	g_autoptr(GBytes) d = dg_pdf_pages(5);
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	limits(&lim);
	lim.el_max_pages = 3;
	p = pool_new(&lim, NULL);
	extract(p, d, "pdf", MUGAI_EXTRACT_TRUNCATED, &r);
	ck_assert_str_eq(r.er_reason, "max_pages");
	ck_assert_uint_eq(r.er_pages, 3);
	has(&r, "Page 3");
	hasnt(&r, "Page 4");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(pdf_encrypted_is_encrypted)
{
	g_autoptr(GBytes) d = dg_pdf_encrypted();
	struct mugai_extract_result r;

	extract(NULL, d, "pdf", MUGAI_EXTRACT_ENCRYPTED, &r);
	ck_assert_str_eq(r.er_reason, "pdf_encrypted");
}
END_TEST

START_TEST(pdf_damaged_is_damaged)
{
	g_autoptr(GBytes) d = dg_pdf_damaged();
	struct mugai_extract_result r;

	extract(NULL, d, "pdf", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "pdf_damaged");
}
END_TEST

START_TEST(pdf_cut_at_max_bytes_is_truncated)
{
	g_autoptr(GBytes) d = dg_pdf_pages(3);
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	limits(&lim);
	lim.el_max_bytes = g_bytes_get_size(d) / 2;
	p = pool_new(&lim, NULL);
	extract(p, d, "pdf", MUGAI_EXTRACT_TRUNCATED, &r);
	ck_assert_str_eq(r.er_reason, "max_bytes");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

/* ---------------------------------------------------------------- OOXML */

START_TEST(docx_text_without_ruby_or_deletions)
{
	g_autoptr(GBytes) d = dg_docx();
	struct mugai_extract_result r;

	extract(NULL, d, "docx", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "docx");
	has(&r, "Hello from the DOCX\t second run\n");
	has(&r, DG_JA_DOCX "\n");
	has(&r, "Item | Cost\nPaper | 100\nnote two\n");
	hasnt(&r, "ろくねんど");
	hasnt(&r, "deleted");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(docx_with_billion_laughs_is_refused)
{
	g_autoptr(GBytes) d = dg_docx_dtd();
	struct mugai_extract_result r;

	extract(NULL, d, "docx", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "xml_dtd");
}
END_TEST

START_TEST(docx_zip_bomb_stops_at_max_expanded)
{
	g_autoptr(GBytes) d = dg_docx_bomb(48 * 1024 * 1024);
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	/* 48 MiB of blanks zip to some 50 KiB; 1 MiB is all we inflate. */
	ck_assert_uint_lt(g_bytes_get_size(d), 1024 * 1024);
	limits(&lim);
	lim.el_max_expanded = 1024 * 1024;
	p = pool_new(&lim, NULL);
	extract(p, d, "docx", MUGAI_EXTRACT_TRUNCATED, &r);
	ck_assert_str_eq(r.er_reason, "max_expanded");
	hasnt(&r, "after the bomb");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(xlsx_sheets_as_aligned_columns)
{
	g_autoptr(GBytes) d = dg_xlsx();
	struct mugai_extract_result r;

	extract(NULL, d, "xlsx", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "xlsx");
	ck_assert_uint_eq(r.er_pages, 2);
	/* Column A is 6 wide (東京都), B starts at 8, C at 16. */
	has(&r, "=== Budget ===\nCity    Amount\n"
	    DG_JA_CELL "  1234.5  TRUE\nOSAKA   0.3\n");
	has(&r, "=== Notes ===\nSee the budget\n");
	hasnt(&r, "トウキョウ");
	hasnt(&r, "UPPER");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(pptx_slides_in_show_order)
{
	g_autoptr(GBytes) d = dg_pptx();
	struct mugai_extract_result r;

	extract(NULL, d, "pptx", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "pptx");
	has(&r, "=== 1 ===\nAgenda\n\n=== 2 ===\n" DG_JA_SLIDE "\n");
	ck_assert_uint_eq(r.er_pages, 2);
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(ooxml_encrypted_in_ole_is_encrypted)
{
	g_autoptr(GBytes) d = dg_ooxml_encrypted();
	struct mugai_extract_result r;

	extract(NULL, d, "docx", MUGAI_EXTRACT_ENCRYPTED, &r);
	ck_assert_str_eq(r.er_reason, "ooxml_encrypted");
}
END_TEST

START_TEST(legacy_doc_is_unsupported)
{
	g_autoptr(GBytes) d = dg_doc();
	struct mugai_extract_result r;

	extract(NULL, d, "doc", MUGAI_EXTRACT_UNSUPPORTED, &r);
	ck_assert_str_eq(r.er_reason, "legacy_office");
	ck_assert_str_eq(r.er_kind, "doc");
}
END_TEST

START_TEST(legacy_doc_text_in_japanese_and_cp1252)
{
	g_autoptr(GBytes) ja = dg_word97("議事録\r第1回\a会議\r"
	    "\x13 HYPERLINK \"http://example.jp/\" \x14リンク\x15です\r",
	    FALSE, 0);
	g_autoptr(GBytes) en = dg_word97("Caf\xe9 \x93quoted\x94\r"
	    "\x13 PAGE \x14" "7\x15 end", TRUE, 0);
	struct mugai_extract_result r;

	gsf_init();
	extract(NULL, ja, "doc", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "doc");
	ck_assert_str_eq(r.er_text, "議事録\n第1回\t会議\nリンクです\n");
	mugai_extract_result_clear(&r);
	extract(NULL, en, "doc", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_text, "Caf\xc3\xa9 \xe2\x80\x9cquoted"
	    "\xe2\x80\x9d\n7 end\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(legacy_doc_encrypted_or_damaged)
{
	g_autoptr(GBytes) enc = dg_word97("secret\r", FALSE, 1);
	g_autoptr(GBytes) bad = dg_word97("short\r", FALSE, 2);
	struct mugai_extract_result r;

	extract(NULL, enc, "doc", MUGAI_EXTRACT_ENCRYPTED, &r);
	ck_assert_str_eq(r.er_reason, "doc_encrypted");
	extract(NULL, bad, "doc", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "doc_pieces");
}
END_TEST

START_TEST(legacy_xls_sheets_as_aligned_columns)
{
	g_autoptr(GBytes) x = NULL, enc = NULL, bad = NULL;
	struct mugai_extract_result r;

	gsf_init();
	x = dg_xls97(0);
	enc = dg_xls97(1);
	bad = dg_xls97(2);
	extract(NULL, x, "xls", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "xls");
	ck_assert_uint_eq(r.er_pages, 1);
	ck_assert_str_eq(r.er_text, "=== 予算 ===\n見積書  合計金額\n"
	    "12000   3\n直接\n");
	mugai_extract_result_clear(&r);
	extract(NULL, enc, "xls", MUGAI_EXTRACT_ENCRYPTED, &r);
	ck_assert_str_eq(r.er_reason, "xls_encrypted");
	extract(NULL, bad, "xls", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "xls_records");
}
END_TEST

START_TEST(legacy_ppt_slides_without_notes)
{
	g_autoptr(GBytes) p = NULL, enc = NULL, bad = NULL;
	struct mugai_extract_result r;

	gsf_init();
	p = dg_ppt97(0);
	enc = dg_ppt97(1);
	bad = dg_ppt97(2);
	extract(NULL, p, "ppt", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "ppt");
	ck_assert_uint_eq(r.er_pages, 2);
	ck_assert_str_eq(r.er_text, "=== 1 ===\n表題\n本文です\n\n"
	    "=== 2 ===\nSecond slide\n");
	mugai_extract_result_clear(&r);
	extract(NULL, enc, "ppt", MUGAI_EXTRACT_ENCRYPTED, &r);
	ck_assert_str_eq(r.er_reason, "ppt_encrypted");
	extract(NULL, bad, "ppt", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "ppt_records");
}
END_TEST

START_TEST(zip_that_is_no_office_file_is_unsupported)
{
	g_autoptr(GBytes) t = fx_text("notes\n");
	g_autoptr(GBytes) d = fx_zip1("notes.txt", t);
	struct mugai_extract_result r;

	extract(NULL, d, "docx", MUGAI_EXTRACT_UNSUPPORTED, &r);
	ck_assert_str_eq(r.er_reason, "zip_not_office");
}
END_TEST

/* ---------------------------------------------------------------- ODF */

START_TEST(odt_text_without_annotations)
{
	g_autoptr(GBytes) d = dg_odt();
	struct mugai_extract_result r;

	extract(NULL, d, "odt", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "odt");
	has(&r, "Minutes\nHello from the ODT   end\n" DG_JA_DOCX "\n");
	has(&r, "Item | Cost\n");
	hasnt(&r, "secret");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(ods_aligned_and_repeats_cost_nothing)
{
	g_autoptr(GBytes) d = dg_ods();
	struct mugai_extract_result r;

	extract(NULL, d, "ods", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "ods");
	has(&r, "=== Budget ===\nCity    Amount\n" DG_JA_CELL "  1,234.5\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(odp_slides_without_notes)
{
	g_autoptr(GBytes) d = dg_odp();
	struct mugai_extract_result r;

	extract(NULL, d, "odp", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "odp");
	has(&r, "=== 1 ===\nAgenda\n\n=== 2 ===\n" DG_JA_SLIDE "\n");
	hasnt(&r, "speaker");
	mugai_extract_result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------- RTF */

START_TEST(rtf_shift_jis_bytes_and_unicode_escapes)
{
	g_autoptr(GBytes) d = dg_rtf();
	struct mugai_extract_result r;

	extract(NULL, d, "rtf", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "rtf");
	has(&r, DG_JA_RTF "\n" DG_JA_RTF_U "\nHello from the RTF\n");
	has(&r, "A1 | B1\n");
	hasnt(&r, "?");		/* the \u fallbacks were skipped */
	hasnt(&r, "明朝");	/* the font table is not text */
	hasnt(&r, "Secret title");
	hasnt(&r, "0102");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(rtf_nesting_past_the_limit_is_damaged)
{
	GString *s = g_string_new("{\\rtf1 ");
	g_autoptr(GBytes) d = NULL;
	struct mugai_extract_result r;

	for (int i = 0; i < 100000; i++)
		g_string_append_c(s, '{');
	d = g_bytes_new_take(s->str, s->len);
	g_string_free(s, FALSE);
	extract(NULL, d, "rtf", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "rtf_depth");
}
END_TEST

/* ---------------------------------------------------------------- text */

START_TEST(html_rendered_with_links)
{
	g_autoptr(GBytes) d = fx_text("<html><head><meta charset=\"utf-8\">"
	    "<script>alert(1)</script></head><body><h1>お知らせ</h1><p>See "
	    "<a href=\"https://example.jp/\">the site</a></p></body></html>");
	struct mugai_extract_result r;

	extract(NULL, d, "html", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "html");
	has(&r, "お知らせ\n\nSee the site <https://example.jp/>");
	hasnt(&r, "alert");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(html_in_shift_jis_by_its_meta)
{
	g_autoptr(GBytes) d = fx_text("<html><head><meta http-equiv="
	    "\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head>"
	    "<body><p>\x93\xfa\x96\x7b\x8c\xea</p></body></html>");
	struct mugai_extract_result r;

	extract(NULL, d, "html", MUGAI_EXTRACT_OK, &r);
	has(&r, "日本語");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(xml_data_one_value_a_line)
{
	g_autoptr(GBytes) d = fx_text("<?xml version=\"1.0\"?>\n<list>\n"
	    "  <item><name>申請書</name><code>A-1</code></item>\n</list>\n");
	struct mugai_extract_result r;

	extract(NULL, d, "xml", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "xml");
	ck_assert_str_eq(r.er_text, "申請書\nA-1\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(xml_billion_laughs_is_not_expanded)
{
	g_autoptr(GBytes) d = dg_billion_laughs();
	struct mugai_extract_result r;

	extract(NULL, d, "xml", MUGAI_EXTRACT_OK, &r);
	has(&r, "plain");
	hasnt(&r, "lollol");
	ck_assert_uint_lt(r.er_len, 4096);
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(text_in_shift_jis_detected)
{
	g_autoptr(GBytes) d = fx_text("\x93\xfa\x96\x7b\x8c\xea\x82\xcc"
	    "\x95\xb6\x8f\x91\r\nline two\r\n");
	struct mugai_extract_result r;

	extract(NULL, d, "text", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_text, "日本語の文書\nline two\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(csv_kept_as_text)
{
	g_autoptr(GBytes) d = fx_text("name,amount\n東京都,1234\n");
	struct mugai_extract_result r;

	/* as aligned columns since extract/csv.c (t/check_readers) */
	extract(NULL, d, "csv", MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_kind, "csv");
	ck_assert_str_eq(r.er_text, "name    amount\n東京都  1234\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(controls_dropped_and_blank_lines_kept_to_one)
{
	g_autoptr(GBytes) d = fx_text("a\033[31m \tb  \n\n\n\nc\x7f\n");
	struct mugai_extract_result r;

	extract(NULL, d, "text", MUGAI_EXTRACT_OK, &r);
	/* ESC is kept out, not its "[31m": text is text. */
	ck_assert_str_eq(r.er_text, "a[31m \tb\n\nc\n");
	mugai_extract_result_clear(&r);
}
END_TEST

START_TEST(binary_is_unsupported_and_hint_mismatch_damaged)
{
	g_autoptr(GBytes) bin = fx_pe();
	g_autoptr(GBytes) txt = fx_text("just text\n");
	struct mugai_extract_pool *p = pool_new(NULL, NULL);
	struct mugai_extract_result r;

	extract(p, bin, NULL, MUGAI_EXTRACT_UNSUPPORTED, &r);
	ck_assert_str_eq(r.er_reason, "binary");
	extract(p, txt, "pdf", MUGAI_EXTRACT_DAMAGED, &r);
	ck_assert_str_eq(r.er_reason, "wrong_type");
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(empty_document_is_ok_and_empty)
{
	g_autoptr(GBytes) d = fx_text("");
	struct mugai_extract_result r;

	extract(NULL, d, NULL, MUGAI_EXTRACT_OK, &r);
	ck_assert_str_eq(r.er_text, "");
	ck_assert_str_eq(r.er_reason, "empty");
	mugai_extract_result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------- limits */

START_TEST(max_chars_truncates_on_a_character)
{
	g_autoptr(GBytes) d = fx_text("日本語の文書です。\n");
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	limits(&lim);
	lim.el_max_chars = 4;
	p = pool_new(&lim, NULL);
	extract(p, d, "text", MUGAI_EXTRACT_TRUNCATED, &r);
	ck_assert_str_eq(r.er_reason, "max_chars");
	ck_assert_str_eq(r.er_text, "日本語の");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(max_bytes_sends_only_the_start)
{
	g_autoptr(GBytes) d = fx_text("0123456789abcdefghij\n");
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	limits(&lim);
	lim.el_max_bytes = 10;
	p = pool_new(&lim, NULL);
	extract(p, d, "text", MUGAI_EXTRACT_TRUNCATED, &r);
	ck_assert_str_eq(r.er_reason, "max_bytes");
	ck_assert_str_eq(r.er_text, "0123456789\n");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(passed_deadline_is_a_timeout_without_a_helper)
{
	g_autoptr(GBytes) d = fx_text("x");
	struct mugai_extract_pool *p = pool_new(NULL, NULL);
	struct mugai_extract_result r;

	mugai_extract_run(p, "x", 1, "text", mugai_deadline_now() - 1, &r);
	ck_assert_int_eq(r.er_status, MUGAI_EXTRACT_TIMEOUT);
	ck_assert_ptr_null(r.er_text);
	mugai_extract_pool_free(p);
}
END_TEST

/* ---------------------------------------------------------------- failures */

/* A pool whose helpers misbehave as mode says on "misbehave" documents:
 * that one fails with want and reason, the next document reads fine. */
static void
misbehaving(const char *mode, gint64 max_time_ms,
    enum mugai_extract_status want, const char *reason)
{
	g_autoptr(GBytes) ok = dg_docx();
	struct mugai_extract_limits lim;
	struct mugai_extract_pool *p;
	struct mugai_extract_result r;

	limits(&lim);
	/* The limit covers the start of a helper, slow under sanitizers. */
	if (max_time_ms > 0)
		lim.el_max_time_ms = t_slow() ? 10 * max_time_ms : max_time_ms;
	p = pool_new(&lim, mode);
	for (int i = 0; i < 2; i++) {
		mugai_extract_run(p, "doc", 3, "misbehave", 0, &r);
		ck_assert_msg(r.er_status == want, "%s: status %s (%s)", mode,
		    mugai_extract_status_name(r.er_status), r.er_reason);
		if (reason != NULL)
			ck_assert_str_eq(r.er_reason, reason);
		ck_assert_ptr_null(r.er_text);
		/* The broken helper was replaced. */
		extract(p, ok, "docx", MUGAI_EXTRACT_OK, &r);
		mugai_extract_result_clear(&r);
	}
	mugai_extract_pool_free(p);
}

START_TEST(crashed_helper_is_failed_and_replaced)
{
	misbehaving("crash", 0, MUGAI_EXTRACT_FAILED, "killed_sigabrt");
}
END_TEST

START_TEST(helper_killed_mid_answer_is_failed)
{
	misbehaving("half", 0, MUGAI_EXTRACT_FAILED, "killed_sigkill");
}
END_TEST

START_TEST(garbage_answer_is_failed)
{
	misbehaving("garbage", 0, MUGAI_EXTRACT_FAILED, "bad_answer");
}
END_TEST

START_TEST(answer_longer_than_announced_is_failed)
{
	misbehaving("lie", 0, MUGAI_EXTRACT_FAILED, "bad_answer");
}
END_TEST

START_TEST(hang_past_the_time_limit_is_a_timeout)
{
	misbehaving("hang", 500, MUGAI_EXTRACT_TIMEOUT, "max_time");
}
END_TEST

START_TEST(busy_loop_past_the_time_limit_is_a_timeout)
{
	misbehaving("spin", 500, MUGAI_EXTRACT_TIMEOUT, "max_time");
}
END_TEST

static gint64
frozen_clock(void)
{
	return 1000000;
}

START_TEST(frozen_deadline_clock_never_makes_a_wait_endless)
{
	struct mugai_extract_pool *p = pool_new(NULL, "hang");
	struct mugai_extract_result r;

	/* The message's clock stands still (as in the engine's tests); the
	 * half second left of its deadline is still waited on a real one. */
	mugai_deadline_set_clock(frozen_clock);
	mugai_extract_run(p, "doc", 3, "misbehave", frozen_clock() +
	    (t_slow() ? 5000000 : 500000), &r);
	mugai_deadline_set_clock(NULL);
	ck_assert_int_eq(r.er_status, MUGAI_EXTRACT_TIMEOUT);
	ck_assert_str_eq(r.er_reason, "max_time");
	mugai_extract_pool_free(p);
}
END_TEST

/* ---------------------------------------------------------------- sandbox */

START_TEST(seccomp_refuses_opening_a_file)
{
	struct mugai_extract_pool *p = pool_new(NULL, "open");
	struct mugai_extract_result r;

	/* Even as root (the helper became nobody, but /etc/passwd is
	 * world-readable): the filter answers EACCES. */
	mugai_extract_run(p, "doc", 3, "misbehave", 0, &r);
	ck_assert_int_eq(r.er_status, MUGAI_EXTRACT_OK);
	ck_assert_str_eq(r.er_text, "open=-1 errno=13\n");
	mugai_extract_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

START_TEST(seccomp_kills_a_socket)
{
	misbehaving("socket", 0, MUGAI_EXTRACT_FAILED, "killed_sigsys");
}
END_TEST

START_TEST(seccomp_kills_exec)
{
	misbehaving("exec", 0, MUGAI_EXTRACT_FAILED, "killed_sigsys");
}
END_TEST

START_TEST(seccomp_kills_fork)
{
	misbehaving("fork", 0, MUGAI_EXTRACT_FAILED, "killed_sigsys");
}
END_TEST

/* The value of "Name:" in /proc/pid/status, or NULL. */
static char *
proc_status(GPid pid, const char *name)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *all = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &all, NULL, NULL))
		return NULL;
	lines = g_strsplit(all, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		if (g_str_has_prefix(*l, name) && (*l)[strlen(name)] == ':')
			return g_strstrip(g_strdup(*l + strlen(name) + 1));
	return NULL;
}

START_TEST(confinement_shows_in_proc)
{
	char *argv[] = { (char *)MUGAI_TEST_EXTRACT, (char *)"--type=text",
	    (char *)"--max-time=5000", NULL };
	g_autofree char *limits_text = NULL, *lp = NULL;
	g_autofree char *nnp = NULL, *uid = NULL;
	char *sc = NULL;
	GPid pid;
	int in, out, status;
	char buf[512];
	gsize got = 0;
	ssize_t n;

	ck_assert(g_spawn_async_with_pipes(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &in, &out, NULL,
	    NULL));
	/* The helper confines itself, then blocks reading its input. */
	for (int i = 0; i < 1000; i++) {
		g_free(sc);
		sc = proc_status(pid, "Seccomp");
		if (sc != NULL && strcmp(sc, "2") == 0)
			break;
		g_usleep(10000);
	}
	ck_assert_str_eq(sc, "2");
	g_free(sc);
	nnp = proc_status(pid, "NoNewPrivs");
	ck_assert_str_eq(nnp, "1");
	uid = proc_status(pid, "Uid");
	if (getuid() == 0)
		ck_assert(!g_str_has_prefix(uid, "0\t"));
	lp = g_strdup_printf("/proc/%d/limits", (int)pid);
	ck_assert(g_file_get_contents(lp, &limits_text, NULL, NULL));
	ck_assert(g_regex_match_simple("Max cpu time +6 +7 ", limits_text, 0,
	    0));
	ck_assert(g_regex_match_simple("Max core file size +0 +0 ",
	    limits_text, 0, 0));
	ck_assert(g_regex_match_simple("Max open files +8 +8 ", limits_text,
	    0, 0));
	ck_assert(write(in, "hello", 5) == 5);
	close(in);
	while ((n = read(out, buf + got, sizeof buf - 1 - got)) > 0)
		got += (gsize)n;
	buf[got] = '\0';
	ck_assert(g_str_has_prefix(buf, MUGAI_EXTRACT_MAGIC " status=ok "));
	ck_assert(g_str_has_suffix(buf, " length=6\nhello\n"));
	close(out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---------------------------------------------------------------- pool */

struct worker {
	struct mugai_extract_pool *w_pool;
	GBytes *w_doc;
	int w_ok;
};

static gpointer
work(gpointer data)
{
	struct worker *w = data;

	for (int i = 0; i < 3; i++) {
		struct mugai_extract_result r;
		gsize len = 0;
		const void *d = g_bytes_get_data(w->w_doc, &len);

		mugai_extract_run(w->w_pool, d, len, "xlsx", 0, &r);
		if (r.er_status == MUGAI_EXTRACT_OK &&
		    strstr(r.er_text, DG_JA_CELL) != NULL)
			w->w_ok++;
		mugai_extract_result_clear(&r);
	}
	return NULL;
}

START_TEST(threads_share_a_pool)
{
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p;
	struct worker w[6];
	GThread *t[6];
	GBytes *doc = dg_xlsx();
	enum mugai_err err;

	mugai_extract_opts_init(&o);
	o.eo_helper = MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 2;
	o.eo_max_helpers = 2;
	p = mugai_extract_pool_new(&o, &err);
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 6; i++) {
		w[i].w_pool = p;
		w[i].w_doc = doc;
		w[i].w_ok = 0;
		t[i] = g_thread_new("extract", work, &w[i]);
	}
	for (int i = 0; i < 6; i++) {
		g_thread_join(t[i]);
		ck_assert_int_eq(w[i].w_ok, 3);
	}
	mugai_extract_pool_free(p);
	g_bytes_unref(doc);
}
END_TEST

START_TEST(missing_helper_is_a_config_error)
{
	struct mugai_extract_opts o;
	enum mugai_err err;

	mugai_extract_opts_init(&o);
	o.eo_helper = "/nonexistent/mugai-extract";
	ck_assert_ptr_null(mugai_extract_pool_new(&o, &err));
	ck_assert_int_eq(err, MUGAI_E_CONFIG);
}
END_TEST

START_TEST(hints_from_type_and_name)
{
	static const struct { const char *ct, *fn, *hint; } t[] = {
		{ "application/pdf", NULL, "pdf" },
		{ "Application/PDF; name=x.pdf", NULL, "pdf" },
		{ "application/octet-stream", "議事録.docx", "docx" },
		{ "application/vnd.openxmlformats-officedocument."
		  "spreadsheetml.sheet", NULL, "xlsx" },
		{ NULL, "slides.PPTX", "pptx" },
		{ "application/vnd.oasis.opendocument.text", NULL, "odt" },
		{ "text/plain; charset=shift_jis", NULL, "text" },
		{ "text/plainish", NULL, NULL },
		{ "text/html", NULL, "html" }, { NULL, "a.rtf", "rtf" },
		{ "application/msword", NULL, "doc" },
		{ "image/png", "a.png", NULL }, { NULL, "a.zip", NULL },
		{ NULL, NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(t); i++) {
		const char *h = mugai_extract_hint(t[i].ct, t[i].fn);

		if (t[i].hint == NULL)
			ck_assert_ptr_null(h);
		else
			ck_assert_str_eq(h, t[i].hint);
	}
}
END_TEST

START_TEST(protocol_lines_parse_strictly)
{
	static const char *const bad[] = {
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf pages=1 reason=- "
		    "length=01\n",
		MUGAI_EXTRACT_MAGIC " status=fine kind=pdf pages=1 reason=- "
		    "length=1\n",
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf pages=1 reason=- "
		    "length=1",
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf pages=1 reason=- "
		    "length=1 \n",
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf pages=1 reason= "
		    "length=1\n",
		MUGAI_EXTRACT_MAGIC " status=ok kind=p/f pages=1 reason=- "
		    "length=1\n",
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf reason=- pages=1 "
		    "length=1\n",
		MUGAI_EXTRACT_MAGIC " status=ok kind=pdf pages=1 reason=- "
		    "length=18446744073709551616\n",
		"MUGAI-EXTRACT/2 status=ok kind=pdf pages=1 reason=- "
		    "length=1\n",
	};
	struct mugai_extract_answer a = { MUGAI_EXTRACT_TRUNCATED, "xlsx", 3,
	    "max_pages", 1234 }, b;
	struct mugai_extract_request q = { "docx", 99, TRUE }, q2;
	g_autofree char *al = mugai_extract_answer_format(&a);
	g_autofree char *ql = mugai_extract_request_format(&q);

	ck_assert(mugai_extract_answer_parse(al, strlen(al), &b));
	ck_assert_int_eq(b.ea_status, a.ea_status);
	ck_assert_str_eq(b.ea_kind, "xlsx");
	ck_assert_str_eq(b.ea_reason, "max_pages");
	ck_assert(b.ea_pages == 3 && b.ea_length == 1234);
	ck_assert(mugai_extract_request_parse(ql, strlen(ql), &q2));
	ck_assert_str_eq(q2.eq_type, "docx");
	ck_assert(q2.eq_size == 99 && q2.eq_cut);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
		ck_assert_msg(!mugai_extract_answer_parse(bad[i],
		    strlen(bad[i]), &b), "accepted %s", bad[i]);
}
END_TEST

/* ---- the preview: a page drawn to a fresh PNG (extract/render.c) ---- */

static guint32
be32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 |
	    (guint32)p[2] << 8 | p[3];
}

START_TEST(render_pdf_page_to_png)
{
	g_autoptr(GBytes) pdf = dg_pdf_pages(2);
	struct mugai_preview pv;
	g_autofree char *why = NULL;
	const guint8 *png;
	gsize len, plen;
	const guint8 *d = g_bytes_get_data(pdf, &len);

	/* A4 (595 x 842 points), long side 400 pixels: 283 x 400. */
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    "pdf", 1, 400, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "ok");
	ck_assert_int_eq(pv.pv_pages, 2);
	ck_assert_int_eq(pv.pv_width, 283);
	ck_assert_int_eq(pv.pv_height, 400);
	png = g_bytes_get_data(pv.pv_png, &plen);
	ck_assert_uint_gt(plen, 33);
	ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	ck_assert_int_eq(memcmp(png + 12, "IHDR", 4), 0);
	ck_assert_uint_eq(be32(png + 16), 283);
	ck_assert_uint_eq(be32(png + 20), 400);
	/* Never the document's bytes. */
	ck_assert_ptr_null(g_strstr_len((const char *)png, (gssize)plen,
	    "%PDF"));
	g_bytes_unref(pv.pv_png);

	/* Past the last page: no picture, a clean answer. */
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    "pdf", 2, 400, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "nopage");
	ck_assert_ptr_null(pv.pv_png);
}
END_TEST

/* A JPEG or GIF (t/imggen.c) drawn again: a PNG of its size, no byte of it. */
static void
render_image_ok(GBytes *img, const char *kind, guint w, guint h,
    const char *magic)
{
	struct mugai_preview pv;
	g_autofree char *why = NULL;
	const guint8 *png;
	gsize len, plen;
	const guint8 *d = g_bytes_get_data(img, &len);

	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    kind, 0, 400, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "ok");
	ck_assert_int_eq(pv.pv_width, (int)w);
	ck_assert_int_eq(pv.pv_height, (int)h);
	png = g_bytes_get_data(pv.pv_png, &plen);
	ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	ck_assert_uint_eq(be32(png + 16), w);
	ck_assert_uint_eq(be32(png + 20), h);
	ck_assert_ptr_null(g_strstr_len((const char *)png, (gssize)plen,
	    magic));
	g_bytes_unref(pv.pv_png);
	/* One picture: no second page. */
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    kind, 1, 400, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "nopage");
}

START_TEST(render_jpeg_and_gif_to_png)
{
	g_autoptr(GBytes) jpg = ig_jpeg(200, 100);
	g_autoptr(GBytes) gif = ig_gif(64, 32);
	g_autoptr(GBytes) big = ig_jpeg(1200, 600);
	static const char bad_jpeg[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00junk";
	static const char bad_gif[] = "GIF89a\x10\x00\x10\x00\x80\x00\x00junk";
	struct mugai_preview pv;
	g_autofree char *why = NULL;

	render_image_ok(jpg, "jpeg", 200, 100, "JFIF");
	render_image_ok(gif, "gif", 64, 32, "GIF8");
	/* Scaled down to the long side asked for, never up. */
	render_image_ok(big, "jpeg", 400, 200, "JFIF");
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, bad_jpeg,
	    sizeof bad_jpeg - 1, "jpeg", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "damaged");
	ck_assert_ptr_null(pv.pv_png);
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, bad_gif,
	    sizeof bad_gif - 1, "gif", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "damaged");
	ck_assert_ptr_null(pv.pv_png);
	ck_assert_str_eq(mugai_preview_kind("image/jpeg", NULL), "jpeg");
	ck_assert_str_eq(mugai_preview_kind("image/gif", "x.bin"), "gif");
	ck_assert_str_eq(mugai_preview_kind("application/octet-stream",
	    "写真.JPG"), "jpeg");
	ck_assert_str_eq(mugai_preview_kind(NULL, "anim.gif"), "gif");
	ck_assert_ptr_null(mugai_preview_kind("image/tiff", "a.tif"));
}
END_TEST

START_TEST(render_hostile_pdf_is_a_clean_error)
{
	g_autoptr(GBytes) bad = dg_pdf_damaged();
	g_autoptr(GBytes) enc = dg_pdf_encrypted();
	static const char junk[] = "%PDF-1.7\n1 0 obj << /Type /Page "
	    "/MediaBox [0 0 1e30 -5] >> endobj\ntrailer << /Root 1 0 R >>\n";
	struct mugai_preview pv;
	g_autofree char *why = NULL;
	gsize len;
	const void *d = g_bytes_get_data(bad, &len);

	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    "pdf", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "damaged");
	ck_assert_ptr_null(pv.pv_png);
	d = g_bytes_get_data(enc, &len);
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, d, len,
	    "pdf", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "encrypted");
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT, junk,
	    sizeof junk - 1, "pdf", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert(strcmp(pv.pv_status, "ok") != 0);
	ck_assert_ptr_null(pv.pv_png);
	/* A PNG that is not one. */
	ck_assert_int_eq(mugai_preview_render(MUGAI_TEST_EXTRACT,
	    "\x89PNG\r\n\x1a\nxx", 10, "png", 0, 0, &pv, &why), MUGAI_OK);
	ck_assert_str_eq(pv.pv_status, "damaged");
	ck_assert_str_eq(mugai_preview_kind("application/pdf", NULL), "pdf");
	ck_assert_str_eq(mugai_preview_kind(NULL, "a.PNG"), "png");
	ck_assert_ptr_null(mugai_preview_kind("application/zip", "a.zip"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("extract");

	/* A helper starts poppler in some 50 ms; the failure cases wait
	 * for their time limits. */
	t_timeout = 60;
	signal(SIGPIPE, SIG_IGN);
	t_test(s, pdf_english_text);
	t_test(s, render_pdf_page_to_png);
	t_test(s, render_hostile_pdf_is_a_clean_error);
	t_test(s, render_jpeg_and_gif_to_png);
	t_test(s, pdf_japanese_non_embedded_cid_font);
	t_test(s, pdf_pages_past_max_pages_truncate);
	t_test(s, pdf_encrypted_is_encrypted);
	t_test(s, pdf_damaged_is_damaged);
	t_test(s, pdf_cut_at_max_bytes_is_truncated);
	t_test(s, docx_text_without_ruby_or_deletions);
	t_test(s, docx_with_billion_laughs_is_refused);
	t_test(s, docx_zip_bomb_stops_at_max_expanded);
	t_test(s, xlsx_sheets_as_aligned_columns);
	t_test(s, pptx_slides_in_show_order);
	t_test(s, ooxml_encrypted_in_ole_is_encrypted);
	t_test(s, legacy_doc_is_unsupported);
	t_test(s, legacy_doc_text_in_japanese_and_cp1252);
	t_test(s, legacy_doc_encrypted_or_damaged);
	t_test(s, legacy_xls_sheets_as_aligned_columns);
	t_test(s, legacy_ppt_slides_without_notes);
	t_test(s, zip_that_is_no_office_file_is_unsupported);
	t_test(s, odt_text_without_annotations);
	t_test(s, ods_aligned_and_repeats_cost_nothing);
	t_test(s, odp_slides_without_notes);
	t_test(s, rtf_shift_jis_bytes_and_unicode_escapes);
	t_test(s, rtf_nesting_past_the_limit_is_damaged);
	t_test(s, html_rendered_with_links);
	t_test(s, html_in_shift_jis_by_its_meta);
	t_test(s, xml_data_one_value_a_line);
	t_test(s, xml_billion_laughs_is_not_expanded);
	t_test(s, text_in_shift_jis_detected);
	t_test(s, csv_kept_as_text);
	t_test(s, controls_dropped_and_blank_lines_kept_to_one);
	t_test(s, binary_is_unsupported_and_hint_mismatch_damaged);
	t_test(s, empty_document_is_ok_and_empty);
	t_test(s, max_chars_truncates_on_a_character);
	t_test(s, max_bytes_sends_only_the_start);
	t_test(s, passed_deadline_is_a_timeout_without_a_helper);
	t_test(s, crashed_helper_is_failed_and_replaced);
	t_test(s, helper_killed_mid_answer_is_failed);
	t_test(s, garbage_answer_is_failed);
	t_test(s, answer_longer_than_announced_is_failed);
	t_test(s, hang_past_the_time_limit_is_a_timeout);
	t_test(s, busy_loop_past_the_time_limit_is_a_timeout);
	t_test(s, frozen_deadline_clock_never_makes_a_wait_endless);
	t_test(s, seccomp_refuses_opening_a_file);
	t_test(s, seccomp_kills_a_socket);
	t_test(s, seccomp_kills_exec);
	t_test(s, seccomp_kills_fork);
	t_test(s, confinement_shows_in_proc);
	t_test(s, threads_share_a_pool);
	t_test(s, missing_helper_is_a_config_error);
	t_test(s, hints_from_type_and_name);
	t_test(s, protocol_lines_parse_strictly);
	return t_run(s);
}
