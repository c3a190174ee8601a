/*
 * check_config - mugai_config: defaults, the shipped file, file:line errors
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "testutil.h"

/* Writes text to a temp file; returns (transfer full) its path. */
static char *
write_conf(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("mugai-conf-XXXXXX", &path, NULL);

	ck_assert_int_ge(fd, 0);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	close(fd);
	return path;
}

/* Loads text; returns the error message, or NULL when it loaded. */
static char *
load_error(const char *text, struct mugai_config **out)
{
	g_autofree char *path = write_conf(text);
	GError *err = NULL;
	struct mugai_config *cf = mugai_config_load(path, &err);
	char *msg = NULL;

	unlink(path);
	if (cf == NULL) {
		/* Strip the temp path so cases compare the rest. */
		const char *p = strstr(err->message, ":");
		msg = g_strdup(p != NULL ? p + 1 : err->message);
		g_error_free(err);
	}
	if (out != NULL)
		*out = cf;
	else
		mugai_config_unref(cf);
	return msg;
}

START_TEST(shipped_file_equals_builtin_defaults)
{
	g_autofree char *path = t_srcpath("conf/mugai.conf");
	GError *err = NULL;
	struct mugai_config *cf = mugai_config_load(path, &err);
	struct mugai_config *def = mugai_config_new_default();
	g_autofree char *a = NULL, *b = NULL;

	ck_assert_msg(cf != NULL, "%s", err != NULL ? err->message : "");
	a = mugai_config_dump(cf);
	b = mugai_config_dump(def);
	ck_assert_str_eq(a, b);
	mugai_config_unref(cf);
	mugai_config_unref(def);
}
END_TEST

START_TEST(unknown_key_names_line)
{
	g_autofree char *msg = load_error("[sanitize]\n\n# c\nurl_mod = keep\n",
	    NULL);

	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "4: unknown key \"url_mod\" in [sanitize]");
}
END_TEST

START_TEST(unknown_section_names_line)
{
	g_autofree char *msg = load_error("[milter]\ntimeout = 5\n[bogus]\n"
	    "x = 1\n", NULL);

	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "3: unknown section [bogus]");
}
END_TEST

START_TEST(out_of_range_is_rejected)
{
	g_autofree char *msg = load_error("[limits]\nmax_depth = 0\n", NULL);

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "2: max_depth: 0 is out of range"));
}
END_TEST

START_TEST(bad_enum_lists_choices)
{
	g_autofree char *msg = load_error("[sanitize]\non_error = ignore\n",
	    NULL);

	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "2: on_error: \"ignore\" is not one of: "
	    "withhold, tempfail, reject");
}
END_TEST

START_TEST(sizes_lists_and_bools_parse)
{
	struct mugai_config *cf = NULL;
	g_autofree char *msg = load_error("[limits]\nsniff_size = 128K\n"
	    "[sanitize]\nremove_headers = DKIM-Signature; ARC-Seal ,X-A\n"
	    "inline_text_attachments = yes\noutput_charset = ISO-2022-JP\n",
	    &cf);

	ck_assert_ptr_null(msg);
	ck_assert_int_eq(cf->cf_sniff_size, 128 * 1024);
	ck_assert_int_eq(g_strv_length(cf->cf_remove_headers), 3);
	ck_assert_str_eq(cf->cf_remove_headers[1], "ARC-Seal");
	ck_assert(cf->cf_inline_text_attachments);
	ck_assert_int_eq(cf->cf_output_charset, MUGAI_OUT_ISO2022JP);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(durations_parse_and_dump)
{
	static const struct { const char *in; gint64 ms; const char *out; }
	    d[] = { { "500ms", 500, "500ms" }, { "60", 60000, "60s" },
	    { "2m", 120000, "120s" }, { "1h", 3600000, "3600s" },
	    { "0", 0, "0s" }, { "1500MS", 1500, "1500ms" } };

	for (gsize i = 0; i < G_N_ELEMENTS(d); i++) {
		struct mugai_config *cf = NULL;
		g_autofree char *text = g_strdup_printf("[limits]\n"
		    "max_time = %s\n", d[i].in);
		g_autofree char *msg = load_error(text, &cf);
		g_autofree char *dump = NULL;
		g_autofree char *want = g_strdup_printf("max_time = %s\n",
		    d[i].out);

		ck_assert_msg(msg == NULL, "%s: %s", d[i].in, msg);
		ck_assert_int_eq(cf->cf_max_time, d[i].ms);
		dump = mugai_config_dump(cf);
		ck_assert_ptr_nonnull(strstr(dump, want));
		mugai_config_unref(cf);
	}
}
END_TEST

START_TEST(bad_durations_are_rejected)
{
	g_autofree char *m1 = load_error("[limits]\nmax_time = 5x\n", NULL);
	g_autofree char *m2 = load_error("[limits]\nmax_time = 61m\n", NULL);
	g_autofree char *m3 = load_error("[limits]\nmax_time = -1\n", NULL);

	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(strstr(m1, "2: max_time: expected a duration"));
	ck_assert_ptr_nonnull(m2);
	ck_assert_ptr_nonnull(strstr(m2, "max_time: 61m is out of range"));
	ck_assert_ptr_nonnull(m3);
}
END_TEST

START_TEST(bad_size_suffix_is_rejected)
{
	g_autofree char *msg = load_error("[limits]\nsniff_size = 12Q\n", NULL);

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "expected a size"));
}
END_TEST

/* Issue 19's automatic password pick: off unless asked for, bounded. */
START_TEST(ppap_auto_password_keys)
{
	struct mugai_config *def = mugai_config_new_default();
	struct mugai_config *cf = NULL;
	g_autofree char *msg = load_error("[ppap]\nauto_password = true\n"
	    "auto_password_window = 10m\nauto_password_tries = 1\n", &cf);
	g_autofree char *m1 = load_error("[ppap]\nauto_password_tries = 5\n",
	    NULL);
	g_autofree char *m2 = load_error("[ppap]\n"
	    "auto_password_window = 25h\n", NULL);
	g_autofree char *m3 = load_error("[ppap]\n"
	    "auto_password_window = 500ms\n", NULL);

	ck_assert(!def->cf_ppap_auto_password);
	ck_assert_int_eq(def->cf_ppap_auto_password_window, 30 * 60 * 1000);
	ck_assert_int_eq(def->cf_ppap_auto_password_tries, 2);
	ck_assert_msg(msg == NULL, "%s", msg);
	ck_assert(cf->cf_ppap_auto_password);
	ck_assert_int_eq(cf->cf_ppap_auto_password_window, 10 * 60 * 1000);
	ck_assert_int_eq(cf->cf_ppap_auto_password_tries, 1);
	/* Five wrong passwords would lock the recipient's own form out. */
	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(strstr(m1, "auto_password_tries"));
	ck_assert_ptr_nonnull(m2);
	ck_assert_ptr_nonnull(m3);
	mugai_config_unref(cf);
	mugai_config_unref(def);
}
END_TEST

START_TEST(ref_keeps_config_alive)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_config *r = mugai_config_ref(cf);

	mugai_config_unref(cf);
	ck_assert_str_eq(r->cf_socket, "inet:8890@127.0.0.1");
	mugai_config_unref(r);
	mugai_config_unref(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");

	t_test(s, shipped_file_equals_builtin_defaults);
	t_test(s, unknown_key_names_line);
	t_test(s, unknown_section_names_line);
	t_test(s, out_of_range_is_rejected);
	t_test(s, bad_enum_lists_choices);
	t_test(s, sizes_lists_and_bools_parse);
	t_test(s, bad_size_suffix_is_rejected);
	t_test(s, durations_parse_and_dump);
	t_test(s, bad_durations_are_rejected);
	t_test(s, ppap_auto_password_keys);
	t_test(s, ref_keeps_config_alive);
	return t_run(s);
}
