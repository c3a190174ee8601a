/*
 * check_utf8 - mugai_utf8_validate_len gives g_utf8_validate_len's answer
 * and end pointer: every sequence of one to three bytes, every 4-byte
 * lead with its boundary trails, and random text of Japanese, ASCII and
 * broken bytes at every offset.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/utf8.h"
#include "testutil.h"

static void
same_as_glib(const char *s, gsize n)
{
	const char *ge = NULL, *me = NULL;
	gboolean g = g_utf8_validate_len(s, n, &ge);
	gboolean m = mugai_utf8_validate_len(s, n, &me);

	if (g != m || ge != me)
		ck_abort_msg("differs from GLib on %zu bytes: glib %d at %td, "
		    "mugai %d at %td", n, g, ge - s, m, me - s);
}

START_TEST(short_sequences_all)
{
	char b[3];

	for (guint x = 0; x < 256; x++) {
		b[0] = (char)x;
		same_as_glib(b, 1);
		for (guint y = 0; y < 256; y++) {
			b[1] = (char)y;
			same_as_glib(b, 2);
			for (guint z = 0; z < 256; z++) {
				b[2] = (char)z;
				same_as_glib(b, 3);
			}
		}
	}
}
END_TEST

START_TEST(four_byte_leads)
{
	static const guchar t[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
	    0x9f, 0xa0, 0xbf, 0xc0, 0xff };
	char b[4];

	for (guint x = 0xf0; x < 0x100; x++)
		for (gsize i = 0; i < sizeof t; i++)
			for (gsize j = 0; j < sizeof t; j++)
				for (gsize k = 0; k < sizeof t; k++) {
					b[0] = (char)x;
					b[1] = (char)t[i];
					b[2] = (char)t[j];
					b[3] = (char)t[k];
					for (gsize n = 1; n <= 4; n++)
						same_as_glib(b, n);
				}
}
END_TEST

START_TEST(random_text)
{
	static const char *const pieces[] = { "a", "text ", "\xe3\x81\x82",
	    "\xe6\x97\xa5\xe6\x9c\xac", "\xc3\xa9", "\xf0\x9f\x98\x80",
	    "\xed\x9f\xbf", "\xef\xbf\xbf", "\xe3\x81", "\x80", "\xff",
	    "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "", "\n" };
	GRand *r = g_rand_new_with_seed(11);

	for (guint round = 0; round < 3000; round++) {
		GString *s = g_string_new(NULL);
		guint parts = (guint)g_rand_int_range(r, 0, 60);

		for (guint i = 0; i < parts; i++) {
			gint k = g_rand_int_range(r, 0, G_N_ELEMENTS(pieces));

			/* mostly valid pieces, now and then a broken one */
			if (k >= 8 && g_rand_int_range(r, 0, 8) != 0)
				k = g_rand_int_range(r, 0, 8);
			g_string_append_len(s, pieces[k], strlen(pieces[k]));
			if (k == G_N_ELEMENTS(pieces) - 2)
				g_string_append_c(s, '\0');
		}
		for (gsize off = 0; off <= s->len; off++)
			same_as_glib(s->str + off, s->len - off);
		g_string_free(s, TRUE);
	}
	g_rand_free(r);
}
END_TEST

/*
 * mugai_utf8_compose() on random kana, kanji, marks (U+3099, U+309A,
 * U+0301) and ASCII, at every start offset: NULL exactly when NFC leaves
 * the text as it is, else NFC's text (these pieces compose only in
 * pairs, so the whole text's NFC is the answer).
 */
START_TEST(compose_random_kana)
{
	static const char *const pieces[] = { "a", " ", "\xe3\x81\x8b",
	    "\xe3\x83\x95", "\xe6\x97\xa5", "\xe3\x82\x99", "\xe3\x82\x9a",
	    "e", "\xcc\x81", "\xef\xbc\xa1", "\n" };
	GRand *r = g_rand_new_with_seed(17);

	for (guint round = 0; round < 2000; round++) {
		GString *s = g_string_new(NULL);
		guint parts = (guint)g_rand_int_range(r, 0, 40);

		for (guint i = 0; i < parts; i++) {
			gint k = g_rand_int_range(r, 0, G_N_ELEMENTS(pieces));

			/* marks now and then */
			if ((k == 5 || k == 6 || k == 8) &&
			    g_rand_int_range(r, 0, 4) != 0)
				k = 2;
			g_string_append(s, pieces[k]);
		}
		for (gsize off = 0; off <= s->len; off++) {
			const char *t = s->str + off;
			gsize n = s->len - off, clen = 0;
			g_autofree char *nfc = NULL, *c = NULL;

			if (!g_utf8_validate(t, (gssize)n, NULL))
				continue;
			nfc = g_utf8_normalize(t, (gssize)n, G_NORMALIZE_NFC);
			c = mugai_utf8_compose(t, n, &clen);
			if (c == NULL)
				ck_assert_str_eq(nfc, t);
			else {
				ck_assert_uint_eq(clen, strlen(c));
				ck_assert_str_eq(c, nfc);
			}
		}
		g_string_free(s, TRUE);
	}
	g_rand_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("utf8");

	t_timeout = 120;
	t_test(s, short_sequences_all);
	t_test(s, four_byte_leads);
	t_test(s, random_text);
	t_test(s, compose_random_kana);
	return t_run(s);
}
