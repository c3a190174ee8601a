/*
 * check_report - mugai_report: parts, flags, warnings, JSON and text forms,
 * and the flag table against the list doc/mugai.conf.5 gives any_flag
 */
#include "autoconfig.h"

#include <string.h>

#include "base/report.h"
#include "testutil.h"

static struct mugai_report *
sample(void)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;

	r->rr_verdict = MUGAI_V_SANITIZED;
	r->rr_size = 1234;
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_action = MUGAI_ACT_TEXT;
	p = mugai_report_add_part(r, "1.2", "part");
	p->rp_declared_type = g_strdup("application/zip");
	p->rp_filename = g_strdup("見積.zip");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	p->rp_rule = g_strdup("encrypted-archive");
	mugai_report_part_flag(p, "encrypted");
	mugai_report_part_flag(p, "encrypted");
	p = mugai_report_add_part(r, "1.3", "uuencode");
	p->rp_action = MUGAI_ACT_DROP;
	return r;
}

START_TEST(removed_counts_drop_and_quarantine_only)
{
	struct mugai_report *r = sample();

	ck_assert_uint_eq(mugai_report_removed(r), 2);
	mugai_report_free(r);
	mugai_report_free(NULL);
}
END_TEST

START_TEST(flags_are_unique)
{
	struct mugai_report *r = sample();
	const struct mugai_report_part *p = g_ptr_array_index(r->rr_parts, 1);

	ck_assert_uint_eq(p->rp_flags->len, 1);
	mugai_report_free(r);
}
END_TEST

START_TEST(warnings_are_deduplicated_and_bounded)
{
	struct mugai_report *r = mugai_report_new();

	for (int i = 0; i < 500; i++) {
		mugai_report_warn(r, "same");
		mugai_report_warn(r, "w%d", i);
	}
	ck_assert_uint_eq(r->rr_warnings->len, 100);
	ck_assert_str_eq(g_ptr_array_index(r->rr_warnings, 0), "same");
	mugai_report_free(r);
}
END_TEST

START_TEST(json_carries_every_decision)
{
	struct mugai_report *r = sample();
	JsonNode *n = mugai_report_to_json(r);
	JsonObject *o = json_node_get_object(n);
	JsonArray *parts = json_object_get_array_member(o, "parts");
	JsonObject *p = json_array_get_object_element(parts, 1);

	ck_assert_str_eq(json_object_get_string_member(o, "verdict"),
	    "sanitized");
	ck_assert_int_eq(json_object_get_int_member(o, "removed"), 2);
	ck_assert_uint_eq(json_array_get_length(parts), 3);
	ck_assert_str_eq(json_object_get_string_member(p, "filename"),
	    "見積.zip");
	ck_assert_str_eq(json_object_get_string_member(p, "action"),
	    "quarantine");
	ck_assert_str_eq(json_object_get_string_member(p, "rule"),
	    "encrypted-archive");
	json_node_unref(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(text_names_parts_rules_and_flags)
{
	struct mugai_report *r = sample();
	g_autofree char *t = mugai_report_to_text(r);

	ck_assert_ptr_nonnull(strstr(t, "verdict: sanitized"));
	ck_assert_ptr_nonnull(strstr(t, "part 1.2 [part] application/zip: "
	    "quarantine"));
	ck_assert_ptr_nonnull(strstr(t, "rule: encrypted-archive"));
	ck_assert_ptr_nonnull(strstr(t, "flag: encrypted"));
	mugai_report_free(r);
}
END_TEST

START_TEST(text_defuses_names_from_mail)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1", "part");
	g_autofree char *t = NULL;

	p->rp_filename = g_strdup("evil\x1b]0;owned\x07\xe2\x80\xaegpj.exe");
	p->rp_declared_type = g_strdup("text/plain\r\nX: y");
	t = mugai_report_to_text(r);
	ck_assert_ptr_null(strchr(t, '\x1b'));
	ck_assert_ptr_null(strchr(t, '\x07'));
	ck_assert_ptr_null(strstr(t, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(t, "filename: evil?]0;owned??gpj.exe"));
	ck_assert_ptr_nonnull(strstr(t, "text/plain??X: y"));
	mugai_report_free(r);
}
END_TEST

/*
 * Returns (transfer full) the flags doc/mugai.conf.5 lists under
 * any_flag: the first word of every ".BR" line from ".B any_flag" to the
 * next ".TP" or ".SH".
 */
static GPtrArray *
any_flag_documented(void)
{
	g_autofree char *path = t_srcpath("doc/mugai.conf.5");
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	gboolean in = FALSE;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL),
	    "cannot read %s", path);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];

		if (!in) {
			in = strcmp(l, ".B any_flag") == 0;
			continue;
		}
		if (g_str_has_prefix(l, ".TP") || g_str_has_prefix(l, ".SH"))
			break;
		if (g_str_has_prefix(l, ".BR ")) {
			g_auto(GStrv) w = g_strsplit(l + 4, " ", 2);

			g_ptr_array_add(names, g_strdup(w[0]));
		}
	}
	ck_assert_msg(in, "no \".B any_flag\" in %s", path);
	return names;
}

static gboolean
listed(const GPtrArray *names, const char *name)
{
	for (guint i = 0; i < names->len; i++)
		if (strcmp(g_ptr_array_index(names, i), name) == 0)
			return TRUE;
	return FALSE;
}

START_TEST(any_flag_doc_lists_the_flag_table)
{
	g_autoptr(GPtrArray) doc = any_flag_documented();

	ck_assert_uint_gt(doc->len, 0);
	for (const struct mugai_flag *f = mugai_flag_table();
	    f->fl_name != NULL; f++)
		ck_assert_msg(listed(doc, f->fl_name) == f->fl_any,
		    f->fl_any ? "flag %s is missing under any_flag in "
		    "doc/mugai.conf.5" : "flag %s, which any_flag does not "
		    "take, is listed under it in doc/mugai.conf.5", f->fl_name);
	for (guint i = 0; i < doc->len; i++) {
		const char *name = g_ptr_array_index(doc, i);
		const struct mugai_flag *f = mugai_flag_find(name);

		ck_assert_msg(f != NULL && f->fl_any, "doc/mugai.conf.5 lists "
		    "%s under any_flag, the flag table does not", name);
	}
}
END_TEST

START_TEST(flag_table_rows_are_whole)
{
	const struct mugai_flag *t = mugai_flag_table();

	for (const struct mugai_flag *f = t; f->fl_name != NULL; f++) {
		ck_assert_msg(f->fl_name[0] != '\0' &&
		    strchr(f->fl_name, '=') == NULL, "bad name %s", f->fl_name);
		ck_assert_msg(f->fl_meaning != NULL && f->fl_meaning[0] != '\0',
		    "flag %s has no meaning", f->fl_name);
		ck_assert_msg(f->fl_bit != 0 &&
		    (f->fl_bit & (f->fl_bit - 1)) == 0,
		    "flag %s is not one bit", f->fl_name);
		ck_assert_msg(!(f->fl_valued && f->fl_any),
		    "valued flag %s taken by any_flag", f->fl_name);
		ck_assert_str_eq(mugai_flag_name(f->fl_by, f->fl_bit),
		    f->fl_name);
		for (const struct mugai_flag *g = t; g != f; g++) {
			gboolean same = strcmp(g->fl_name, f->fl_name) == 0;

			/* "macro" has a row per module that finds it. */
			if (g->fl_by != f->fl_by)
				ck_assert_msg(!same ||
				    (g->fl_any == f->fl_any &&
				    g->fl_valued == f->fl_valued),
				    "flag %s differs between modules",
				    f->fl_name);
			else
				ck_assert_msg(!same && g->fl_bit != f->fl_bit,
				    "flag %s: name or bit twice in a module",
				    f->fl_name);
		}
	}
	ck_assert_str_eq(mugai_flag_name(MUGAI_FLAG_BY_WALK, 1u << 30),
	    "unknown");
	ck_assert_ptr_null(mugai_flag_find("no_such_flag"));
}
END_TEST

START_TEST(part_flags_come_in_table_order)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1", "part");
	guint n = 0;

	mugai_report_part_flags(p, MUGAI_FLAG_BY_FILENAME, ~0u);
	mugai_report_part_flag_value(p, MUGAI_FLAG_BY_POLICY,
	    mugai_flag_find("entries")->fl_bit, "3");
	for (const struct mugai_flag *f = mugai_flag_table();
	    f->fl_name != NULL; f++)
		if (f->fl_by == MUGAI_FLAG_BY_FILENAME)
			ck_assert_str_eq(g_ptr_array_index(p->rp_flags, n++),
			    f->fl_name);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(p->rp_flags->len, n + 1);
	ck_assert_str_eq(g_ptr_array_index(p->rp_flags, n), "entries=3");
	mugai_report_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");

	t_test(s, removed_counts_drop_and_quarantine_only);
	t_test(s, flags_are_unique);
	t_test(s, warnings_are_deduplicated_and_bounded);
	t_test(s, json_carries_every_decision);
	t_test(s, text_names_parts_rules_and_flags);
	t_test(s, text_defuses_names_from_mail);
	t_test(s, any_flag_doc_lists_the_flag_table);
	t_test(s, flag_table_rows_are_whole);
	t_test(s, part_flags_come_in_table_order);
	return t_run(s);
}
