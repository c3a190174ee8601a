/*
 * check_notice - mugai_notice: shipped templates equal the built-in ones,
 * placeholders, the withheld notice, template errors
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "core/notice.h"
#include "testutil.h"

static const char *const both[] = { "ja", "en", NULL };

static struct mugai_report *
sample_report(void)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1.2", "part");

	p->rp_declared_type = g_strdup("application/zip");
	p->rp_filename = g_strdup("見積書.zip");
	p->rp_size = 2048;
	memset(p->rp_sha256, 'a', 64);
	p->rp_action = MUGAI_ACT_QUARANTINE;
	p->rp_warning = g_strdup("encrypted archive");
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_action = MUGAI_ACT_TEXT;
	return r;
}

static char *
render(const struct mugai_notice *n, const struct mugai_report *r)
{
	GString *s = g_string_new(NULL);

	mugai_notice_removed(n, r, "ID-1", s);
	mugai_notice_withheld(n, "why", "ID-1", s);
	return g_string_free(s, FALSE);
}

START_TEST(shipped_templates_equal_builtin)
{
	g_autofree char *dir = t_srcpath("conf");
	GError *err = NULL;
	struct mugai_notice *file = mugai_notice_load(dir, both, &err);
	struct mugai_notice *builtin = mugai_notice_load(NULL, both, &err);
	struct mugai_report *r = sample_report();
	g_autofree char *a = NULL, *b = NULL;

	ck_assert_msg(file != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_ptr_nonnull(builtin);
	a = render(file, r);
	b = render(builtin, r);
	ck_assert_str_eq(a, b);
	mugai_notice_free(file);
	mugai_notice_free(builtin);
	mugai_report_free(r);
}
END_TEST

START_TEST(items_list_name_type_size_hash_action_and_id)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = sample_report();
	GString *s = g_string_new(NULL);

	mugai_notice_removed(n, r, "ID-1", s);
	ck_assert_ptr_nonnull(strstr(s->str, "見積書.zip"));
	ck_assert_ptr_nonnull(strstr(s->str, "application/zip"));
	/* g_format_size() separates number and unit with a no-break space. */
	ck_assert_ptr_nonnull(strstr(s->str, "kB (2048"));
	ck_assert_ptr_nonnull(strstr(s->str, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	ck_assert_ptr_nonnull(strstr(s->str, "隔離"));
	ck_assert_ptr_nonnull(strstr(s->str, "quarantined"));
	ck_assert_ptr_nonnull(strstr(s->str, "ID: ID-1"));
	ck_assert_ptr_nonnull(strstr(s->str, "  ※ encrypted archive"));
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(nothing_removed_means_no_notice)
{
	struct mugai_notice *n = mugai_notice_load(NULL, both, NULL);
	struct mugai_report *r = mugai_report_new();
	GString *s = g_string_new(NULL);

	mugai_report_add_part(r, "1", "part")->rp_action = MUGAI_ACT_TEXT;
	mugai_notice_removed(n, r, "ID-1", s);
	ck_assert_uint_eq(s->len, 0);
	g_string_free(s, TRUE);
	mugai_notice_free(n);
	mugai_report_free(r);
}
END_TEST

START_TEST(withheld_notice_gives_reason_without_id_line_when_none)
{
	const char *const en[] = { "en", NULL };
	struct mugai_notice *n = mugai_notice_load(NULL, en, NULL);
	GString *s = g_string_new(NULL);

	mugai_notice_withheld(n, "encrypted content", NULL, s);
	ck_assert_ptr_nonnull(strstr(s->str, "Reason: encrypted content"));
	ck_assert_ptr_null(strstr(s->str, "quarantine (ID"));
	g_string_free(s, TRUE);
	mugai_notice_free(n);
}
END_TEST

START_TEST(unknown_template_key_is_an_error)
{
	g_autofree char *dir = g_dir_make_tmp("mugai-notice-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "notice.xx", NULL);
	const char *const xx[] = { "xx", NULL };
	GError *err = NULL;

	ck_assert(g_file_set_contents(path, "[notice]\nheadr = x\n", -1, NULL));
	ck_assert_ptr_null(mugai_notice_load(dir, xx, &err));
	ck_assert_ptr_nonnull(strstr(err->message, "unknown key \"headr\""));
	g_clear_error(&err);
	ck_assert_ptr_null(mugai_notice_load(NULL, xx, &err));
	g_error_free(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("notice");

	t_test(s, shipped_templates_equal_builtin);
	t_test(s, items_list_name_type_size_hash_action_and_id);
	t_test(s, nothing_removed_means_no_notice);
	t_test(s, withheld_notice_gives_reason_without_id_line_when_none);
	t_test(s, unknown_template_key_is_an_error);
	return t_run(s);
}
