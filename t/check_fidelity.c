/*
 * check_fidelity - the generated Japanese cases (t/jpcases.c) through
 * the engine, in both output charsets and with both engines: the decoded
 * text shows what each case must show, the body is in the charset it
 * must be (ISO-2022-JP, or UTF-8 where the case falls back), the number
 * of replacement marks is the case's, Subject and From decode to what
 * was sent, and an attachment keeps its name.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "core/sanitize.h"
#include "mime/headers.h"
#include "text/charset.h"
#include "jpcases.h"
#include "testutil.h"

struct out {
	struct mugai_result *rs;
	char *charset;		/* of the body, lower case */
	char *text;		/* the body decoded, UTF-8 */
	char *subject, *from;	/* decoded */
	gboolean seven_bit;	/* headers and body */
};

static void
out_free(struct out *o)
{
	mugai_result_free(o->rs);
	g_free(o->charset);
	g_free(o->text);
	g_free(o->subject);
	g_free(o->from);
}

static gboolean
all_7bit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return FALSE;
	return TRUE;
}

static char *
header_decoded(GMimeMessage *m, const char *name)
{
	GMimeHeaderList *l = g_mime_object_get_header_list(GMIME_OBJECT(m));
	GMimeHeader *h = g_mime_header_list_get_header(l, name);

	ck_assert_ptr_nonnull(h);
	return mugai_headers_decode(g_mime_header_get_raw_value(h));
}

static void
run(const struct jp_case *c, enum mugai_charset_out cs,
    enum mugai_engine engine, struct out *o)
{
	gsize len = 0;
	g_autofree char *msg = jp_case_message(c, &len);
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_envelope env = { .ev_quarantine_id = "Q-JP-1" };
	struct mugai_sanitize_opts opts = { .so_engine = engine };
	GMimeStream *in = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeStream *out = g_mime_stream_mem_new();
	GMimeStream *body = g_mime_stream_mem_new();
	GMimeDataWrapper *dw;
	GMimeParser *p;
	GMimeMessage *m;
	GByteArray *b;
	enum mugai_err err = MUGAI_E_IO;

	memset(o, 0, sizeof *o);
	cf->cf_output_charset = cs;
	o->rs = mugai_sanitize_with(cf, in, &env, &opts, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_ptr_nonnull(o->rs);
	ck_assert_msg(o->rs->rs_verdict == MUGAI_V_SANITIZED ||
	    o->rs->rs_verdict == MUGAI_V_UNCHANGED, "%s: verdict %s",
	    c->jc_name, mugai_verdict_name(o->rs->rs_verdict));
	ck_assert_int_eq(mugai_result_write(o->rs, in, out, TRUE), MUGAI_OK);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	o->seven_bit = all_7bit((const char *)b->data, b->len);
	g_mime_stream_reset(out);
	p = g_mime_parser_new_with_stream(out);
	m = g_mime_parser_construct_message(p, NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert(GMIME_IS_TEXT_PART(m->mime_part));
	o->charset = g_ascii_strdown(g_mime_object_get_content_type_parameter(
	    m->mime_part, "charset"), -1);
	dw = g_mime_part_get_content(GMIME_PART(m->mime_part));
	g_mime_data_wrapper_write_to_stream(dw, body);
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(body));
	/* Our reader for ISO-2022-JP: glibc's refuses NEC row 13. */
	o->text = mugai_charset_to_utf8((const char *)b->data, b->len,
	    o->charset, NULL, NULL, NULL);
	o->subject = header_decoded(m, "Subject");
	o->from = header_decoded(m, "From");
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(body);
	g_object_unref(out);
	g_object_unref(in);
	mugai_config_unref(cf);
}

static guint
count_char(const char *s, gunichar want)
{
	guint n = 0;

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p))
		n += g_utf8_get_char(p) == want;
	return n;
}

static void
assert_shows(const struct jp_case *c, const char *what, const char *text,
    const char *want)
{
	g_autofree char *t = jp_fold(text);
	g_autofree char *w = jp_fold(want);

	ck_assert_msg(strstr(t, w) != NULL, "%s: %s lacks \"%s\":\n%s",
	    c->jc_name, what, want, text);
}

static void
check_case(const struct jp_case *c, enum mugai_charset_out cs)
{
	struct out o, g;
	gboolean jis = cs == MUGAI_OUT_ISO2022JP;
	const char *want_cs = jis && !c->jc_jis_fallback ? "iso-2022-jp" :
	    "utf-8";

	run(c, cs, MUGAI_ENGINE_AUTO, &o);
	ck_assert_msg(strcmp(o.charset, want_cs) == 0, "%s: charset %s, "
	    "want %s", c->jc_name, o.charset, want_cs);
	ck_assert_msg(o.rs->rs_report->rr_charset_fallback ==
	    (jis && c->jc_jis_fallback), "%s: fallback", c->jc_name);
	if (jis)
		ck_assert_msg(o.seven_bit, "%s: 8-bit output", c->jc_name);
	for (guint i = 0; i < JP_WANT_MAX && c->jc_want[i] != NULL; i++)
		assert_shows(c, "text", o.text, c->jc_want[i]);
	ck_assert_msg(count_char(o.text, strcmp(o.charset, "utf-8") == 0 ?
	    0xFFFD : 0x3013) == c->jc_replacements, "%s: replacements in:\n%s",
	    c->jc_name, o.text);
	assert_shows(c, "Subject", o.subject, c->jc_subject);
	assert_shows(c, "From", o.from, c->jc_from_name);
	assert_shows(c, "From", o.from, "sender@example.jp");
	if (c->jc_attachment != NULL) {
		const struct mugai_report *r = o.rs->rs_report;
		gboolean found = FALSE;

		for (guint i = 0; i < r->rr_parts->len; i++) {
			const struct mugai_report_part *p =
			    g_ptr_array_index(r->rr_parts, i);

			if (p->rp_filename == NULL)
				continue;
			ck_assert_str_eq(p->rp_filename, c->jc_attachment);
			for (guint j = 0; j < p->rp_flags->len; j++)
				ck_assert_str_ne(g_ptr_array_index(p->rp_flags,
				    j), "control_char");
			found = TRUE;
		}
		ck_assert_msg(found, "%s: no attachment", c->jc_name);
	}
	/* The GMime engine reads the case to the same text. */
	run(c, cs, MUGAI_ENGINE_GMIME, &g);
	ck_assert_str_eq(g.text, o.text);
	ck_assert_str_eq(g.subject, o.subject);
	out_free(&g);
	out_free(&o);
}

START_TEST(case_utf8)
{
	check_case(&jp_cases[_i], MUGAI_OUT_UTF8);
}
END_TEST

START_TEST(case_iso2022jp)
{
	check_case(&jp_cases[_i], MUGAI_OUT_ISO2022JP);
}
END_TEST

/* The generator's own ISO-2022-JP: CP50220's bytes for a few. */
START_TEST(generator_writes_cp50220)
{
	g_autofree char *j = NULL;
	gsize n = 0;
	g_autofree char *sj = g_convert("①髙ｱ", -1, "CP932", "UTF-8", NULL,
	    &n, NULL);

	ck_assert_ptr_nonnull(sj);
	j = jp_sjis_to_jis(sj, n);
	ck_assert_str_eq(j, "\x1B$B-!|b\x1B(I1\x1B(B");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fidelity");

	mugai_sanitize_init();
	t_test(s, generator_writes_cp50220);
	t_loop_test(s, case_utf8, 0, (int)jp_cases_n);
	t_loop_test(s, case_iso2022jp, 0, (int)jp_cases_n);
	return t_run(s);
}
