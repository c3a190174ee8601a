/*
 * check_report - mugai_report: parts, flags, warnings, JSON and text forms
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
	return t_run(s);
}
