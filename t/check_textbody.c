/*
 * check_textbody - mugai_textbody: the transfer encoding chosen by content,
 * CRLF bodies, ISO-2022-JP line lengths
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "base/limits.h"
#include "text/textbody.h"
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
		if (s[i] != '\r')	/* RFC 5322's 998: CRLF excluded */
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

/*
 * An ASCII line of MUGAI_LINE_MAX bytes is still 7bit, one byte more is
 * not: as the first, a middle or the last line (with or without its LF).
 */
START_TEST(ascii_line_limit_exact)
{
	for (int where = 0; where < 4; where++)
		for (gsize extra = 0; extra < 2; extra++) {
			struct mugai_textbody tb;
			GString *s = g_string_new(where > 0 ? "short\n" : "");

			for (gsize i = 0; i < MUGAI_LINE_MAX + extra; i++)
				g_string_append_c(s, 'x');
			if (where != 3)
				g_string_append_c(s, '\n');
			if (where == 1)
				g_string_append(s, "after\n");
			encode(s->str, MUGAI_OUT_UTF8, &tb);
			ck_assert_str_eq(tb.tb_encoding, extra == 0 ? "7bit" :
			    "quoted-printable");
			mugai_textbody_clear(&tb);
			g_string_free(s, TRUE);
		}
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

/*
 * Kanji and ASCII in turn: every character switches the ISO-2022-JP mode,
 * three bytes of escape each time, so 300 characters are over 1,300
 * bytes. The wrap counts bytes as they will be written, not characters.
 */
START_TEST(iso2022jp_mixed_modes_keep_lines_short)
{
	struct mugai_textbody tb;
	GString *s = g_string_new(NULL);

	for (int i = 0; i < 1000; i++)
		g_string_append(s, "本a");
	g_string_append_c(s, '\n');
	for (int i = 0; i < 1000; i++)
		g_string_append(s, "\xef\xbd\xb1" "a");	/* half-width katakana */
	g_string_append_c(s, '\n');
	encode(s->str, MUGAI_OUT_ISO2022JP, &tb);
	ck_assert_str_eq(tb.tb_encoding, "7bit");
	ck_assert_uint_le(longest(tb.tb_body), 998);
	mugai_textbody_clear(&tb);
	g_string_free(s, TRUE);
}
END_TEST

/*
 * ISO-2022-JP lines are broken after every 300 characters, and nowhere
 * else while they stay under 998 bytes: the body read back is the text
 * with a newline added exactly there, for lines of mixed ASCII and kana
 * around the limit (a mode change every 30 characters: 650 bytes).
 */
START_TEST(iso2022jp_wraps_at_300_characters)
{
	static const int lens[] = { 1, 299, 300, 301, 600, 601, 905 };
	struct mugai_textbody tb;
	GString *s = g_string_new(NULL), *want = g_string_new(NULL);
	g_autofree char *back = NULL;
	g_autoptr(GError) err = NULL;
	const char *b;
	gsize len = 0;

	for (gsize k = 0; k < G_N_ELEMENTS(lens); k++) {
		for (int i = 0; i < lens[k]; i++) {
			const char *c = i % 30 == 0 ? "a" : "か";

			if (i > 0 && i % 300 == 0)
				g_string_append_c(want, '\n');
			g_string_append(s, c);
			g_string_append(want, c);
		}
		g_string_append_c(s, '\n');
		g_string_append_c(want, '\n');
	}
	encode(s->str, MUGAI_OUT_ISO2022JP, &tb);
	ck_assert_str_eq(tb.tb_content_type, "text/plain; charset=ISO-2022-JP");
	b = g_bytes_get_data(tb.tb_body, &len);
	back = g_convert(b, (gssize)len, "UTF-8", "ISO-2022-JP", NULL, NULL,
	    &err);
	ck_assert_msg(back != NULL, "%s", err != NULL ? err->message : "?");
	/* CRLF back to LF */
	for (char *r = back, *w = back;; r++) {
		if (*r != '\r')
			*w++ = *r;
		if (*r == '\0')
			break;
	}
	ck_assert_str_eq(back, want->str);
	mugai_textbody_clear(&tb);
	g_string_free(s, TRUE);
	g_string_free(want, TRUE);
}
END_TEST

/* The base64 body is GLib's encoding cut into 76-character CRLF lines,
 * and the choice of encoding counts every high byte, at every length. */
START_TEST(base64_is_glib_in_lines_every_length)
{
	static const char ja[] = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";

	for (gsize len = 1; len <= 300; len++) {
		GString *t = g_string_new(NULL), *want = g_string_new(NULL);
		struct mugai_textbody tb;
		g_autofree char *b64 = NULL;
		gsize blen = 0, n;
		const char *body;

		for (gsize i = 0; i < len; i++)
			g_string_append_c(t, i % 11 == 10 ? '\n' :
			    ja[(i * 7 + len) % 9]);
		memset(&tb, 0, sizeof tb);
		mugai_textbody_encode(t->str, t->len, MUGAI_OUT_UTF8, &tb);
		ck_assert_str_eq(tb.tb_encoding, "base64");
		b64 = g_base64_encode((const guchar *)t->str, t->len);
		n = strlen(b64);
		for (gsize i = 0; i < n; i += 76) {
			g_string_append_len(want, b64 + i, MIN(76, n - i));
			g_string_append(want, "\r\n");
		}
		body = g_bytes_get_data(tb.tb_body, &blen);
		ck_assert_uint_eq(blen, want->len);
		ck_assert(memcmp(body, want->str, blen) == 0);
		mugai_textbody_clear(&tb);
		g_string_free(t, TRUE);
		g_string_free(want, TRUE);
	}
}
END_TEST

/* 7bit/quoted-printable/base64 turns on the exact number of high bytes
 * (base64 when more than a fifth), wherever they sit in the text. */
START_TEST(high_byte_count_exact)
{
	for (gsize len = 10; len <= 40; len++)
		for (gsize at = 0; at + 2 <= len; at++) {
			GString *t = g_string_new(NULL);
			struct mugai_textbody tb;
			gsize high = 0;

			for (gsize i = 0; i < len; i++)
				g_string_append_c(t, 'a');
			/* high * 5 > len: base64, else quoted-printable */
			while (high * 5 <= len && at + high + 2 <= len) {
				memcpy(t->str + at + high, "\xc3\xa9", 2);
				high += 2;
			}
			memset(&tb, 0, sizeof tb);
			mugai_textbody_encode(t->str, t->len, MUGAI_OUT_UTF8,
			    &tb);
			ck_assert_str_eq(tb.tb_encoding, high * 5 > len ?
			    "base64" : "quoted-printable");
			mugai_textbody_clear(&tb);
			g_string_free(t, TRUE);
		}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("textbody");

	g_mime_init();
	t_test(s, ascii_is_7bit);
	t_test(s, japanese_is_base64);
	t_test(s, mostly_ascii_is_quoted_printable);
	t_test(s, overlong_ascii_line_is_not_7bit);
	t_test(s, ascii_line_limit_exact);
	t_test(s, iso2022jp_is_7bit_with_short_lines);
	t_test(s, iso2022jp_mixed_modes_keep_lines_short);
	t_test(s, iso2022jp_wraps_at_300_characters);
	t_test(s, base64_is_glib_in_lines_every_length);
	t_test(s, high_byte_count_exact);
	return t_run(s);
}
