/*
 * check_oneline - mugai_oneline: each escaped character with its exact
 * output, text that stays as it is, the cut at max characters
 */
#include "autoconfig.h"

#include <string.h>

#include "text/oneline.h"
#include "testutil.h"

struct ol_case {
	const char *name;
	const char *in;
	gsize max;
	const char *out;	/* NULL: must come out unchanged */
};

static const struct ol_case cases[] = {
	{ "plain_ascii", "report 2026.pdf", 0, NULL },
	{ "japanese", "見積書（第2版）.xlsx", 0, NULL },
	{ "lf_cr_tab", "a\nb\r\nc\td", 0, "a\\x0ab\\x0d\\x0ac\\x09d" },
	{ "esc_bel_del", "\033[31m\007x\177", 0, "\\x1b[31m\\x07x\\x7f" },
	{ "c1_nel", "a\302\205b\302\237c", 0, "a\\x85b\\x9fc" },
	{ "line_and_paragraph_separators", "a\342\200\250b\342\200\251c", 0,
	  "a\\u2028b\\u2029c" },
	{ "bidi_override", "invoice\342\200\256fdp.exe", 0,
	  "invoice\\u202efdp.exe" },
	{ "bidi_embeddings", "\342\200\252\342\200\253\342\200\254\342\200\255",
	  0, "\\u202a\\u202b\\u202c\\u202d" },
	{ "bidi_isolates", "\342\201\246\342\201\247\342\201\250\342\201\251",
	  0, "\\u2066\\u2067\\u2068\\u2069" },
	{ "bidi_marks", "\342\200\216\342\200\217\330\234", 0,
	  "\\u200e\\u200f\\u061c" },
	{ "not_utf8", "caf\351 \377\300\257", 0, "caf\\xe9 \\xff\\xc0\\xaf" },
	{ "truncated_utf8", "a\343\201", 0, "a\\xe3\\x81" },
	{ "harmless_format_characters_stay", "a\342\200\213b\357\273\277", 0,
	  NULL },
	{ "backslash_stays", "C:\\x0a\\dir", 0, NULL },
	{ "empty", "", 10, NULL },
	/* the cut: max characters at most, the last one "…" */
	{ "exactly_max_is_not_cut", "abcde", 5, NULL },
	{ "one_over_is_cut", "abcdef", 5, "abcd…" },
	{ "cut_counts_characters", "あいうえおか", 5, "あいうえ…" },
	{ "cut_never_splits_an_escape", "abc\ndef", 5, "abc…" },
	{ "escape_that_fits_stays", "a\nb", 6, "a\\x0ab" },
	{ "tiny_max_is_two", "abc", 1, "a…" },
};

START_TEST(each_case)
{
	const struct ol_case *c = &cases[_i];
	g_autofree char *out = mugai_oneline(c->in, -1, c->max);
	const char *want = c->out != NULL ? c->out : c->in;

	ck_assert_msg(strcmp(out, want) == 0, "%s: [%s], want [%s]", c->name,
	    out, want);
	ck_assert(g_utf8_validate(out, -1, NULL));
	if (c->max > 0)
		ck_assert_uint_le(g_utf8_strlen(out, -1), MAX(c->max, 2));
}
END_TEST

START_TEST(length_and_null)
{
	g_autofree char *a = mugai_oneline("a\0b", 3, 0);
	g_autofree char *b = mugai_oneline(NULL, -1, 0);
	g_autofree char *c = mugai_oneline("abcdef", 2, 0);

	ck_assert_str_eq(a, "a\\x00b");
	ck_assert_str_eq(b, "");
	ck_assert_str_eq(c, "ab");
}
END_TEST

/* No character that breaks a line or turns it around gets through. */
START_TEST(every_code_point_is_one_line)
{
	for (gunichar u = 1; u < 0x30000; u++) {
		char buf[8];
		gint n;
		g_autofree char *out = NULL;

		if (u >= 0xd800 && u <= 0xdfff)
			continue;
		n = g_unichar_to_utf8(u, buf);
		out = mugai_oneline(buf, n, 0);
		if (mugai_oneline_escaped(u)) {
			ck_assert_msg(out[0] == '\\', "U+%04X kept", u);
			continue;
		}
		ck_assert_msg(memcmp(out, buf, (gsize)n) == 0 &&
		    out[n] == '\0', "U+%04X changed", u);
		ck_assert_msg(u >= 0x20 && !(u >= 0x7f && u <= 0x9f) &&
		    u != 0x2028 && u != 0x2029 && u != 0x200e && u != 0x200f &&
		    u != 0x061c && !(u >= 0x202a && u <= 0x202e) &&
		    !(u >= 0x2066 && u <= 0x2069), "U+%04X kept", u);
	}
}
END_TEST

/* A cut value is the longest prefix of whole units, then "…". */
START_TEST(cut_is_a_prefix_of_the_whole)
{
	const char *in = "名前\n\342\200\256です.exe\tx\302\205y";
	g_autofree char *whole = mugai_oneline(in, -1, 0);
	glong all = g_utf8_strlen(whole, -1);

	for (gsize max = 2; max <= (gsize)all + 1; max++) {
		g_autofree char *cut = mugai_oneline(in, -1, max);
		gsize keep;

		if ((glong)max >= all) {
			ck_assert_str_eq(cut, whole);
			continue;
		}
		ck_assert(g_str_has_suffix(cut, "…"));
		keep = strlen(cut) - strlen("…");
		ck_assert_msg(strncmp(cut, whole, keep) == 0, "max %zu: [%s]",
		    max, cut);
		ck_assert_int_le(g_utf8_strlen(cut, -1), (glong)max);
		/* never inside an escape: the kept part ends before one */
		ck_assert(keep == 0 || cut[keep - 1] != '\\');
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("oneline");
	TCase *tc = tcase_create("oneline");

	tcase_add_loop_test(tc, each_case, 0, G_N_ELEMENTS(cases));
	tcase_add_test(tc, length_and_null);
	tcase_add_test(tc, every_code_point_is_one_line);
	tcase_add_test(tc, cut_is_a_prefix_of_the_whole);
	suite_add_tcase(s, tc);
	return t_run(s);
}
