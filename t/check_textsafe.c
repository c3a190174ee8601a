/*
 * check_textsafe - mugai_textsafe: one case per rule with its exact output,
 * text that must stay byte-identical, idempotence, linear time
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "text/textsafe.h"
#include "testutil.h"

struct ts_case {
	const char *name;
	const char *in;
	const char *out;	/* NULL: must come out unchanged */
};

static const struct ts_case cases[] = {
	/* removals */
	{ "drops_c0_del_cr", "a\001b\177c\r\n\td\v\f", "abc\n\td" },
	{ "drops_c1", "a\302\205b\302\237c", "abc" },
	{ "drops_bidi_override", "invoice\342\200\256fdp.exe \342\201\246x\342\201\251",
	    "invoicefdp.exe x" },
	{ "drops_leading_boms_only", "\357\273\277\357\273\277ab\357\273\277",
	    "ab\357\273\277" },
	{ "drops_invalid_utf8", "a\377b\300c", "abc" },
	/* tags and markup */
	{ "tag_with_any_handler", "<p onfoo=1>x</p>", "＜p onfoo=1>x</p>" },
	{ "active_element", "<script>x</script>", "＜script>x＜/script>" },
	{ "named_element_after_space", "< script> </ style> < / iframe",
	    "＜ script> ＜/ style> ＜ / iframe" },
	{ "long_s_script", "<\305\277cript>", "＜\305\277cript>" },
	{ "javascript_url", "javascript:alert(1)", "javascript：alert(1)" },
	{ "javascript_spaced", "Java \n Script :x", "Java \n Script ：x" },
	{ "vbscript_url", "vbscript:msgbox", "vbscript：msgbox" },
	{ "vb_spaced", "vb script:x", "vb script：x" },
	{ "livescript_url", "LiveScript :x", "LiveScript ：x" },
	{ "data_uri_type", "data:text/html;base64,PHNjcmlwdD4=",
	    "data：text/html;base64,PHNjcmlwdD4=" },
	{ "data_uri_spaced", "src=data : image/svg+xml ,x",
	    "src=data ： image/svg+xml ,x" },
	{ "data_uri_comma", "data:,hello", "data：,hello" },
	{ "data_uri_base64", "DATA:;base64,AAAA", "DATA：;base64,AAAA" },
	{ "css_expression", "width: expression (alert(1))",
	    "width: expression （alert(1))" },
	{ "css_moz_binding", "-moz-binding: url(x.xml)",
	    "−moz-binding: url(x.xml)" },
	{ "css_behavior", "behavior : url(x.htc)", "behavior ： url(x.htc)" },
	{ "onload", "onload=run()", "onload＝run()" },
	{ "onclick_spaced", "x onClick = y", "x onClick ＝ y" },
	{ "ondrag_suffix", "ondragstart=a ondrag=b", "ondragstart＝a ondrag＝b" },
	{ "onpointer_touch", "onpointerdown=a ontouchend=b",
	    "onpointerdown＝a ontouchend＝b" },
	{ "onmouse_long_s", "onmou\305\277eover=a", "onmou\305\277eover＝a" },
	/* encodings the validator reads as attachments */
	{ "uu_begin_line", "begin 644 evil.exe\nM=", "ｂegin 644 evil.exe\nM=" },
	{ "uu_begin_base64", "x\nbegin-base64 0644 a b", "x\nｂegin-base64 0644 a b" },
	{ "yenc_lines", "=ybegin line=128 name=a\n=ypart begin=1\n=yend",
	    "＝ybegin line=128 name=a\n＝ypart begin=1\n＝yend" },
	{ "binhex_marker", "(This file must be converted with BinHex 4.0)",
	    "（This file must be converted with BinHex 4.0)" },
	{ "armor_pgp_message", "------BEGIN PGP MESSAGE-----",
	    "-----−BEGIN PGP MESSAGE-----" },
	{ "armor_encrypted_key", "-----BEGIN ENCRYPTED PRIVATE KEY-----",
	    "----−BEGIN ENCRYPTED PRIVATE KEY-----" },
	{ "base64_run_of_four_broken",
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n  QUFBQUFBQUFBQUFBQUFBQUFBQUFB==\n",
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n  ＱUFBQUFBQUFBQUFBQUFBQUFBQUFB==\n" },
	{ "forbidden_content_type_line", "x\ncontent-type : Message/RFC822",
	    "x\ncontent-type ： Message/RFC822" },
	/* file signatures, in the bytes and in the latin-1 view */
	{ "pdf", "%PDF-1.7", "%ＰDF-1.7" },
	{ "pdf_double_percent", "%%PDF-1", "%%ＰDF-1" },
	{ "pdf_across_kanji", "%漢PDF-1", "%漢ＰDF-1" },
	{ "postscript", "%!PS-Adobe-3.0", "%!ＰS-Adobe-3.0" },
	{ "rtf", "{\\rtf1\\ansi", "{\\ｒtf1\\ansi" },
	{ "dos_stub", "This program cannot be run in DOS mode.",
	    "This\343\200\200program cannot be run in DOS mode." },
	{ "mz_latin1", "MZ\303\251", "MＺ\303\251" },
	{ "mz_kanji", "MZ漢", "MＺ漢" },
	{ "mz_latin1_across_kanji", "M漢Z漢\303\251", "M漢Ｚ漢\303\251" },
	{ "gif", "GIF89a\303\251 GIF87a漢", "GＩF89a\303\251 GＩF87a漢" },
	{ "jpeg", "\303\277\303\230\303\277\303\240",
	    "\303\277\303\230y\314\210\303\240" },
	{ "png", "\303\211PNG\nx", "\303\211ＰNG\nx" },
	/* the same rules past the word-at-a-time fast paths */
	{ "drops_controls_between_long_lines",
	    "The first line is plain ASCII text.\nThe second one too,\tand "
	    "then\001 a control\nand\177 a DEL, a CR\r and a VT\v at the end",
	    "The first line is plain ASCII text.\nThe second one too,\tand "
	    "then a control\nand a DEL, a CR and a VT at the end" },
	{ "base64_run_after_ideographic_space",
	    "\343\200\200QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\343\200\200QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\302\240QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\343\200\200 QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n",
	    "\343\200\200QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\343\200\200QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\302\240QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "\343\200\200 ＱUFBQUFBQUFBQUFBQUFBQUFBQUFB\n" },
	{ "signatures_deep_in_ascii_text",
	    "Dear all, the report follows below as agreed.\n%PDF-1.4 and "
	    "{\\rtf1 and GIF89a\303\251 then MZ\303\251 at the end",
	    "Dear all, the report follows below as agreed.\n%ＰDF-1.4 and "
	    "{\\ｒtf1 and GＩF89a\303\251 then MＺ\303\251 at the end" },
	{ "dos_stub_deep_in_text", "Several lines of prose come first.\n"
	    "Then: This program cannot be run in DOS mode.",
	    "Several lines of prose come first.\n"
	    "Then: This\343\200\200program cannot be run in DOS mode." },
	{ "drops_controls_between_kana_runs",
	    "ひらがな\001カタカナ\342\200\256漢字\177日本\357\273\277語",
	    "ひらがなカタカナ漢字日本\357\273\277語" },
	{ "rules_right_after_kanji_runs",
	    "漢字<script>日本javascript:x\n日本語%PDF-1.4 漢MZ\303\251",
	    "漢字＜script>日本javascript：x\n日本語%ＰDF-1.4 漢MＺ\303\251" },
	/* must stay byte-identical */
	{ "keeps_less_than", "a < b, x <= y, if (a<3) then", NULL },
	{ "keeps_colons", "mail me: a@b.jp; data: 5 items; time 10:30", NULL },
	{ "keeps_japanese", "令和6年度の予算案（概要）を添付します。ご確認ください。\n"
	    "担当：総務課　山田", NULL },
	{ "keeps_word_lookalikes", "online = yes; button=1; ondo=3; "
	    "expressions (many); PDF-1 MZ-1 GIF89a; begin 64 x", NULL },
	{ "keeps_signed_header", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256",
	    NULL },
	{ "keeps_three_base64_lines",
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nend\n", NULL },
	/* A few harmless tags are words; mugai_textsafe_tags() handles many. */
	{ "keeps_harmless_tags", "<b>bold</b> <a href=x>", NULL },
	{ "keeps_comment_decl_pi", "<!-- c --> <!DOCTYPE html> <?xml?>", NULL },
	{ "keeps_kelvin_tag", "<\342\204\252bd>", NULL },
	{ "keeps_tabs_newlines_and_mid_bom", "a\tb\nc\357\273\277d", NULL },
	{ "keeps_japanese_lines_led_by_space",
	    "\343\200\200令和6年度の予算案について、総務課よりご連絡します。\n"
	    "\343\200\200\343\200\200ABCDEFGHIJKLMNOPQRS 続き\n"
	    "\302\240ABCDEFGHIJKLMNOPQRSTUVWXYZ漢字\n", NULL },
	{ "keeps_near_signatures", "Dear all, nothing to see: %PDF, {\\rt, "
	    "GIF8, M Z, 8 D and Z in a long enough line of text.\n", NULL },
};

START_TEST(rule_output_is_exact)
{
	const struct ts_case *tc = &cases[_i];
	GString *s = g_string_new(tc->in);
	guint n = mugai_textsafe(s);
	const char *want = tc->out != NULL ? tc->out : tc->in;

	ck_assert_msg(strcmp(s->str, want) == 0, "%s: got \"%s\" want \"%s\"",
	    tc->name, s->str, want);
	if (tc->out == NULL)
		ck_assert_msg(n == 0, "%s: %u rewrites", tc->name, n);
	else
		ck_assert_msg(n > 0, "%s: no rewrite counted", tc->name);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(second_run_changes_nothing)
{
	const struct ts_case *tc = &cases[_i];
	GString *s = g_string_new(tc->in);
	g_autofree char *once = NULL;

	mugai_textsafe(s);
	once = g_strdup(s->str);
	ck_assert_msg(mugai_textsafe(s) == 0, "%s: second run rewrote",
	    tc->name);
	ck_assert_str_eq(s->str, once);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(nul_is_removed_and_counted)
{
	GString *s = g_string_new_len("a\0b\0\0c", 6);

	ck_assert_uint_eq(mugai_textsafe(s), 3);
	ck_assert_uint_eq(s->len, 3);
	ck_assert_str_eq(s->str, "abc");
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(tags_are_counted_and_stripped)
{
	GString *s = g_string_new("<p>Hi <b>you</b>,\n<a href=\"x\"\n>"
	    "link</a> a < b <3 <x@y> </>\n");

	ck_assert_uint_eq(mugai_textsafe_tags(s, FALSE), 5);
	ck_assert_uint_eq(mugai_textsafe_tags(s, TRUE), 5);
	ck_assert_str_eq(s->str, "Hi you,\nlink a < b <3 <x@y> </>\n");
	ck_assert_uint_eq(mugai_textsafe_tags(s, FALSE), 0);
	g_string_free(s, TRUE);
}
END_TEST

START_TEST(rewrites_are_counted)
{
	GString *s = g_string_new("\001<b>onload=x</b>\002");

	ck_assert_uint_eq(mugai_textsafe(s), 3);
	ck_assert_str_eq(s->str, "<b>onload＝x</b>");
	g_string_free(s, TRUE);
}
END_TEST

/* One adversarial unit repeated to n bytes: the CPU ns of mugai_textsafe(). */
static gint64
textsafe_run(void *ctx, gsize n)
{
	const char *unit = ctx;
	GString *s = g_string_sized_new(n);
	gint64 t0, ns;

	while (s->len < n)
		g_string_append(s, unit);
	t0 = t_cpu_ns();
	mugai_textsafe(s);
	ns = t_cpu_ns() - t0;
	g_string_free(s, TRUE);
	return ns;
}

/*
 * Inputs built to make a naive scanner quadratic (an unclosed "<", a
 * "java" that never becomes "javascript:", runs of spaces, "%", "on",
 * "data:" with no payload, ...) must stay linear: the CPU time at 16x the
 * size is under 96x (quadratic would be about 256x). A ratio, not a limit
 * in seconds, so it holds on a loaded machine and under sanitizers.
 */
START_TEST(adversarial_input_is_linear)
{
	static const char *const units[] = {
		"<", "java", " ", "%", "漢", "on", "data:", "M", "\303\277",
	};
	/* Smaller under valgrind: within the tcase timeout. */
	gsize small = t_slow() ? 16u << 10 : 128u << 10;

	for (guint u = 0; u < G_N_ELEMENTS(units); u++) {
		double g = t_growth(textsafe_run, (void *)units[u], small);

		fprintf(stderr, "textsafe unit %u: %.1fx CPU for 16x input\n",
		    u, g);
		ck_assert_msg(g < T_GROWTH_MAX, "unit %u: %.1fx the CPU "
		    "time for 16x the input", u, g);
	}
}
END_TEST

/*
 * Every rule fires the same after a run of kana and kanji of any length
 * (pass 1 copies such runs whole, pass 2 skips eight high bytes at once):
 * kana + "\n" + input gives kana + "\n" + the case's output.
 */
START_TEST(rules_hold_after_japanese_runs)
{
	const struct ts_case *tc = &cases[_i];
	static const char *const kana[] = { "\343\201\202",
	    "\346\227\245", "\354\277\277", "\343\200\200" };

	/* a BOM is dropped at the start only */
	if (strncmp(tc->in, "\357\273\277", 3) == 0)
		return;
	for (guint k = 0; k <= 20; k++) {
		GString *pre = g_string_new(NULL), *s, *want;
		guint n;

		for (guint i = 0; i < k; i++)
			g_string_append(pre, kana[(i + k) % 4]);
		g_string_append_c(pre, '\n');
		s = g_string_new(pre->str);
		g_string_append(s, tc->in);
		want = g_string_new(pre->str);
		g_string_append(want, tc->out != NULL ? tc->out : tc->in);
		n = mugai_textsafe(s);
		ck_assert_msg(strcmp(s->str, want->str) == 0,
		    "%s after %u kana: got \"%s\"", tc->name, k, s->str);
		ck_assert_msg((n == 0) == (tc->out == NULL), "%s after %u kana: "
		    "%u rewrites", tc->name, k, n);
		g_string_free(pre, TRUE);
		g_string_free(s, TRUE);
		g_string_free(want, TRUE);
	}
}
END_TEST

/* Markup right after kanji on the same line, at every alignment. */
START_TEST(markup_right_after_kanji)
{
	for (guint k = 0; k <= 20; k++) {
		GString *s = g_string_new(NULL), *want;

		for (guint i = 0; i < k; i++)
			g_string_append(s, "\346\227\245");
		want = g_string_new(s->str);
		g_string_append(s, "<script>");
		g_string_append(want, "\357\274\234script>");
		ck_assert_uint_eq(mugai_textsafe(s), 1);
		ck_assert_str_eq(s->str, want->str);
		g_string_free(s, TRUE);
		g_string_free(want, TRUE);
	}
}
END_TEST

/* A base64 line may start with non-ASCII white space (U+3000). */
START_TEST(base64_lines_after_ideographic_space)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < 4; i++)
		g_string_append(s, "\343\200\200QUFBQUFBQUFBQUFBQUFBQUFBQUFB\n");
	ck_assert_uint_eq(mugai_textsafe(s), 1);
	ck_assert(strstr(s->str, "\343\200\200\357\274\261UFB") != NULL);
	g_string_free(s, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("textsafe");

	t_timeout = 120;
	t_loop_test(s, rule_output_is_exact, 0, G_N_ELEMENTS(cases));
	t_loop_test(s, second_run_changes_nothing, 0,
	    G_N_ELEMENTS(cases));
	t_test(s, nul_is_removed_and_counted);
	t_loop_test(s, rules_hold_after_japanese_runs, 0,
	    G_N_ELEMENTS(cases));
	t_test(s, markup_right_after_kanji);
	t_test(s, base64_lines_after_ideographic_space);
	t_test(s, rewrites_are_counted);
	t_test(s, tags_are_counted_and_stripped);
	t_test(s, adversarial_input_is_linear);
	return t_run(s);
}
