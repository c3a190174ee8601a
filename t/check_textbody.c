/*
 * check_textbody - mugai_textbody: the transfer encoding chosen by content,
 * CRLF bodies, ISO-2022-JP line lengths
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "textbody.h"
#include "testutil.h"

static gsize
longest(GBytes *b)
{
	gsize len = 0, best = 0, cur = 0;
	const char *s = g_bytes_get_data(b, &len);

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\n') {
			cur = 0;
			continue;
		}
		cur++;
		best = MAX(best, cur);
	}
	return best;
}

static gboolean
bare_lf(GBytes *b)
{
	gsize len = 0;
	const char *s = g_bytes_get_data(b, &len);

	for (gsize i = 0; i < len; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return TRUE;
	return FALSE;
}

static void
encode(const char *text, enum mugai_charset_out cs, struct mugai_textbody *tb)
{
	memset(tb, 0, sizeof *tb);
	mugai_textbody_encode(text, strlen(text), cs, tb);
	ck_assert(!bare_lf(tb->tb_body));
}

START_TEST(ascii_is_7bit)
{
	struct mugai_textbody tb;

	encode("Hello\nworld\n", MUGAI_OUT_UTF8, &tb);
	ck_assert_str_eq(tb.tb_encoding, "7bit");
	ck_assert_str_eq(tb.tb_content_type, "text/plain; charset=UTF-8");
	mugai_textbody_clear(&tb);
}
END_TEST

START_TEST(japanese_is_base64)
{
	struct mugai_textbody tb;

	encode("日本語の本文です。\n", MUGAI_OUT_UTF8, &tb);
	ck_assert_str_eq(tb.tb_encoding, "base64");
	ck_assert_uint_le(longest(tb.tb_body), 77);
	mugai_textbody_clear(&tb);
}
END_TEST

START_TEST(mostly_ascii_is_quoted_printable)
{
	struct mugai_textbody tb;
	GString *s = g_string_new(NULL);

	for (int i = 0; i < 20; i++)
		g_string_append(s, "A long English line with one café in it.\n");
	encode(s->str, MUGAI_OUT_UTF8, &tb);
	ck_assert_str_eq(tb.tb_encoding, "quoted-printable");
	ck_assert_uint_le(longest(tb.tb_body), 77);
	mugai_textbody_clear(&tb);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(overlong_ascii_line_is_not_7bit)
{
	struct mugai_textbody tb;
	GString *s = g_string_new(NULL);

	for (int i = 0; i < 1200; i++)
		g_string_append_c(s, 'x');
	encode(s->str, MUGAI_OUT_UTF8, &tb);
	ck_assert_str_ne(tb.tb_encoding, "7bit");
	ck_assert_uint_le(longest(tb.tb_body), 998);
	mugai_textbody_clear(&tb);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(iso2022jp_is_7bit_with_short_lines)
{
	struct mugai_textbody tb;
	GString *s = g_string_new(NULL);
	gsize len = 0;
	const guint8 *b;

	for (int i = 0; i < 2000; i++)
		g_string_append(s, "本");
	g_string_append_c(s, '\n');
	encode(s->str, MUGAI_OUT_ISO2022JP, &tb);
	ck_assert_str_eq(tb.tb_content_type, "text/plain; charset=ISO-2022-JP");
	ck_assert_str_eq(tb.tb_encoding, "7bit");
	b = g_bytes_get_data(tb.tb_body, &len);
	for (gsize i = 0; i < len; i++)
		ck_assert_uint_lt(b[i], 0x80);
	ck_assert_uint_le(longest(tb.tb_body), 998);
	mugai_textbody_clear(&tb);
	g_string_free(s, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("textbody");
	TCase *tc = tcase_create("textbody");

	g_mime_init();
	tcase_add_test(tc, ascii_is_7bit);
	tcase_add_test(tc, japanese_is_base64);
	tcase_add_test(tc, mostly_ascii_is_quoted_printable);
	tcase_add_test(tc, overlong_ascii_line_is_not_7bit);
	tcase_add_test(tc, iso2022jp_is_7bit_with_short_lines);
	suite_add_tcase(s, tc);
	return t_run(s);
}
