/*
 * check_render - fidelity of the rendered text: format=flowed rejoined
 * (lib/text/flowed.c), and a table of generated Japanese messages (tables
 * with Japanese columns, flowed iPhone mail, hidden preheaders, tel:
 * links, relative and IDN links) run through both engines in both output
 * charsets, the decoded text compared with what the case must show and
 * must not show
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "core/sanitize.h"
#include "text/flowed.h"
#include "testconf.h"
#include "testutil.h"

/* ------------------------------------------------------- format=flowed */

struct flowed_case {
	const char *name;
	gboolean delsp;
	const char *in;
	const char *want;
};

static const struct flowed_case flowed_cases[] = {
	{ "soft_breaks_joined", FALSE, "one two \nthree\nfour\n",
	    "one two three\nfour\n" },
	{ "delsp_removes_the_space", TRUE,
	    "本日の会議は午後 \n三時からです。\n", "本日の会議は午後三時からです。\n" },
	{ "space_stuffing_removed", FALSE, " From here\n >not quote\n",
	    "From here\n>not quote\n" },
	{ "signature_separator_is_fixed", FALSE, "text\n-- \nsig \nname\n",
	    "text\n-- \nsig name\n" },
	{ "quote_depth_change_ends_paragraph", FALSE,
	    "> quoted \n>> deeper\nplain\n", "> quoted\n>> deeper\nplain\n" },
	{ "quoted_paragraph_joined", TRUE, "> 引用 \n> の続き\n",
	    "> 引用の続き\n" },
	{ "flowed_last_line", FALSE, "end \n", "end\n" },
	{ "no_final_newline", FALSE, "a \nb", "a b" },
	{ "empty", FALSE, "", "" },
};

START_TEST(flowed_unflow)
{
	const struct flowed_case *c = &flowed_cases[_i];
	GString *t = g_string_new(c->in);

	mugai_flowed_unflow(t, c->delsp);
	ck_assert_msg(strcmp(t->str, c->want) == 0, "%s:\n got \"%s\"\nwant "
	    "\"%s\"", c->name, t->str, c->want);
	g_string_free(t, TRUE);
}
END_TEST

START_TEST(flowed_parameters)
{
	ck_assert(mugai_flowed_is("flowed"));
	ck_assert(mugai_flowed_is("Flowed"));
	ck_assert(!mugai_flowed_is("fixed"));
	ck_assert(!mugai_flowed_is(NULL));
	ck_assert(mugai_flowed_delsp("yes"));
	ck_assert(mugai_flowed_delsp("Yes"));
	ck_assert(!mugai_flowed_delsp("no"));
	ck_assert(!mugai_flowed_delsp(NULL));
}
END_TEST

/* -------------------------------------------------- the fidelity table */

#define HDRS "From: =?UTF-8?B?5biC5b255omA?= <info@city.example.lg.jp>\n" \
	"To: b@lgwan.example\nSubject: =?UTF-8?B?44GK55+l44KJ44Gb?=\n" \
	"Date: Sat, 21 Nov 2026 10:00:00 +0900\n" \
	"Message-ID: <render@example.jp>\nMIME-Version: 1.0\n"

/* A multipart/mixed around one text part and a PDF to remove, so the
 * body is always rebuilt from the rendered text. */
#define MIXED(ctype, body) HDRS \
	"Content-Type: multipart/mixed; boundary=\"b1\"\n\n" \
	"--b1\nContent-Type: " ctype "\nContent-Transfer-Encoding: 8bit\n\n" \
	body "\n--b1\nContent-Type: application/pdf; name=\"a.pdf\"\n" \
	"Content-Disposition: attachment; filename=\"a.pdf\"\n" \
	"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJeLjz9MK\n--b1--\n"

#define ALT(plain, html) HDRS \
	"Content-Type: multipart/alternative; boundary=\"a1\"\n\n" \
	"--a1\nContent-Type: text/plain; charset=utf-8; format=flowed\n" \
	"Content-Transfer-Encoding: 8bit\n\n" plain "\n" \
	"--a1\nContent-Type: text/html; charset=utf-8\n" \
	"Content-Transfer-Encoding: 8bit\n\n" html "\n--a1--\n"

struct fidelity_case {
	const char *name;
	const char *msg;
	const char *const must[6];	/* each in the decoded text */
	const char *const never[4];	/* none in it */
};

static const struct fidelity_case fidelity[] = {
	{ "html_table_japanese_columns",
	    MIXED("text/html; charset=utf-8",
	    "<p>説明会の日程</p><table border=1>"
	    "<tr><th>会場</th><th>日時</th><th>定員</th></tr>"
	    "<tr><td>市民会館</td><td>4月1日 10時</td><td>50名</td></tr>"
	    "<tr><td>第二庁舎</td><td>4月2日 14時</td><td>30名</td></tr>"
	    "</table>"),
	    { "会場     | 日時        | 定員\n",
	      "市民会館 | 4月1日 10時 | 50名\n",
	      "第二庁舎 | 4月2日 14時 | 30名\n" },
	    { NULL } },
	{ "html_table_br_and_rowspan",
	    MIXED("text/html; charset=utf-8",
	    "<table><tr><td rowspan=2>担当</td><td>総務課<br>山田</td></tr>"
	    "<tr><td>内線 1234</td></tr></table>"),
	    { "担当 | 総務課\n", "     | 山田\n", "     | 内線 1234\n" },
	    { NULL } },
	{ "flowed_iphone_mail_delsp",
	    MIXED("text/plain; charset=utf-8; format=flowed; delsp=yes",
	    "お世話になっております。来週の打ち合わせの件ですが、 \n"
	    "水曜日の午後二時からでいかがでしょうか。 \n"
	    "よろしくお願いいたします。\n\niPhoneから送信"),
	    { "お世話になっております。来週の打ち合わせの件ですが、水曜日の午後"
	      "二時からでいかがでしょうか。よろしくお願いいたします。\n",
	      "iPhoneから送信" },
	    { "ですが、 \n", "ですが、\n" } },
	{ "flowed_without_delsp_keeps_the_space",
	    MIXED("text/plain; charset=utf-8; format=flowed",
	    "The meeting is on \nWednesday at two.\n> quoted \n> line"),
	    { "The meeting is on Wednesday at two.\n", "> quoted line" },
	    { NULL } },
	{ "flowed_inside_alternative",
	    ALT("Dear all, the office \nis closed tomorrow.",
	    "<p>Dear all, the office is closed tomorrow.</p>"),
	    { "Dear all, the office is closed tomorrow." },
	    { "office \n" } },
	{ "hidden_preheader_not_shown",
	    MIXED("text/html; charset=utf-8",
	    "<div style=\"display:none;max-height:0px;overflow:hidden;\">"
	    "当選おめでとうございます 今すぐ確認</div>"
	    "<span style=\"color:#ffffff\">salt salt salt</span>"
	    "<p>広報紙の発行についてお知らせします。</p>"),
	    { "広報紙の発行についてお知らせします。\n\n---- 隠し文字（HTMLでは"
	      "表示されない部分） / Hidden text (not shown by the HTML) ----\n"
	      "当選おめでとうございます 今すぐ確認\nsalt salt salt\n" },
	    { "当選おめでとうございます 今すぐ確認\n広報紙" } },
	{ "tel_and_mailto_links_show_their_targets",
	    MIXED("text/html; charset=utf-8",
	    "<p>お問い合わせは<a href=\"tel:0120-123-456\">フリーダイヤル</a>"
	    "または<a href=\"mailto:soumu@city.example.lg.jp\">総務課</a>"
	    "まで。</p>"),
	    { "フリーダイヤル <tel:0120-123-456>",
	      "総務課 <mailto:soumu@city.example.lg.jp>" },
	    { NULL } },
	{ "relative_and_japanese_links",
	    MIXED("text/html; charset=utf-8",
	    "<head><base href=\"https://www.city.example.lg.jp/\"></head>"
	    "<p><a href=\"kurashi/gomi.html\">ごみの出し方</a> "
	    "<a href=\"https://xn--wgv71a.jp/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B\">"
	    "案内</a></p>"),
	    { "ごみの出し方 <https://www.city.example.lg.jp/kurashi/gomi.html>",
	      "案内 <https://日本.jp/お知らせ>" },
	    { NULL } },
	{ "nbsp_runs_kept",
	    MIXED("text/html; charset=utf-8",
	    "<p>氏名&nbsp;&nbsp;&nbsp;山田&nbsp;太郎</p>"),
	    { "氏名   山田 太郎" },
	    { NULL } },
};

static char *
decoded_text(const char *output)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(output,
	    strlen(output));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	char *text;

	ck_assert_ptr_nonnull(m);
	ck_assert(GMIME_IS_TEXT_PART(m->mime_part));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(m->mime_part));
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return text;
}

/* _i: case * 4 + engine * 2 + charset */
START_TEST(fidelity_case)
{
	static const char *const charsets[] = { "utf-8", "iso-2022-jp" };
	static const enum mugai_engine engines[] = { MUGAI_ENGINE_GMIME,
	    MUGAI_ENGINE_STREAM };
	const struct fidelity_case *c = &fidelity[_i / 4];
	const char *charset = charsets[_i % 2];
	struct mugai_sanitize_opts so = { engines[(_i / 2) % 2], 0 };
	g_autofree char *conf = g_strdup_printf("[sanitize]\n"
	    "output_charset = %s\n", charset);
	struct mugai_config *cf = t_config(conf);
	struct mugai_envelope env = { .ev_quarantine_id = "Q-RENDER-1" };
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(c->msg,
	    strlen(c->msg));
	GMimeStream *out = g_mime_stream_mem_new();
	enum mugai_err err = MUGAI_E_IO;
	struct mugai_result *rs = mugai_sanitize_with(cf, in, &env, &so,
	    &err);
	GByteArray *b;
	g_autofree char *o = NULL, *text = NULL;

	ck_assert_ptr_nonnull(rs);
	ck_assert_msg(rs->rs_declined == NULL, "%s: declined: %s", c->name,
	    rs->rs_declined);
	ck_assert_int_eq(rs->rs_verdict, MUGAI_V_SANITIZED);
	ck_assert_int_eq(mugai_result_write(rs, in, out, FALSE), MUGAI_OK);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	o = g_strndup((const char *)b->data, b->len);
	if (strcmp(charset, "iso-2022-jp") == 0)
		for (const char *p = o; *p != '\0'; p++)
			ck_assert_int_lt((unsigned char)*p, 0x80);
	text = decoded_text(o);
	for (guint i = 0; i < G_N_ELEMENTS(c->must) && c->must[i]; i++)
		ck_assert_msg(strstr(text, c->must[i]) != NULL,
		    "%s (%s, engine %d): missing \"%s\" in:\n%s", c->name,
		    charset, so.so_engine, c->must[i], text);
	for (guint i = 0; i < G_N_ELEMENTS(c->never) && c->never[i]; i++)
		ck_assert_msg(strstr(text, c->never[i]) == NULL,
		    "%s (%s, engine %d): \"%s\" shown in:\n%s", c->name,
		    charset, so.so_engine, c->never[i], text);
	mugai_result_free(rs);
	g_object_unref(out);
	g_object_unref(in);
	mugai_config_unref(cf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("render");

	mugai_sanitize_init();
	t_loop_test(s, flowed_unflow, 0, G_N_ELEMENTS(flowed_cases));
	t_test(s, flowed_parameters);
	t_loop_test(s, fidelity_case, 0, G_N_ELEMENTS(fidelity) * 4);
	return t_run(s);
}
