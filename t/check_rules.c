/*
 * check_rules - [rule NAME] groups: loading, file:line errors, order,
 * default action, envelope matchers and every action
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "policy/rules.h"
#include "testutil.h"

static char *
write_conf(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("mugai-rules-XXXXXX", &path, NULL);

	ck_assert_int_ge(fd, 0);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	close(fd);
	return path;
}

/* Loads text: returns the config, or NULL with *msg (without the path). */
static struct mugai_config *
load(const char *text, char **msg)
{
	g_autofree char *path = write_conf(text);
	GError *err = NULL;
	struct mugai_config *cf = mugai_config_load(path, &err);

	unlink(path);
	if (cf == NULL) {
		const char *p = strchr(err->message, ':');

		ck_assert_ptr_nonnull(msg);
		*msg = g_strdup(p != NULL ? p + 1 : err->message);
		g_error_free(err);
	}
	return cf;
}

static void
expect_error(const char *text, const char *want)
{
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load(text, &msg);

	ck_assert_msg(cf == NULL, "loaded: %s", text);
	ck_assert_str_eq(msg, want);
}

START_TEST(errors_name_file_and_line)
{
	expect_error("[policy]\ndefault_action = drop\n\n[rule a]\n"
	    "action = quarantine\nfoo = 1\n",
	    "6: [rule a] unknown key \"foo\" in a rule");
	expect_error("[rule a]\ndetected_type = image/[pj]*\n"
	    "action = drop\n",
	    "2: [rule a] detected_type: bad glob \"image/[pj]*\"");
	expect_error("[rule a]\ndeclared_type = text\naction = drop\n",
	    "2: [rule a] declared_type: bad glob \"text\"");
	expect_error("[rule a]\n# c\naction = pass\n",
	    "3: [rule a] action: \"pass\" is not one of: drop, quarantine, "
	    "reject, tempfail");
	expect_error("[milter]\ntimeout = 5\n[rule a]\nmacro = true\n",
	    "3: [rule a] has no action (drop, quarantine, reject or "
	    "tempfail)");
	expect_error("[rule a]\nmacro = maybe\naction = drop\n",
	    "2: [rule a] macro: expected true or false, got \"maybe\"");
	expect_error("[rule a]\nany_flag = macro;pdf_javscript\n"
	    "action = drop\n",
	    "2: [rule a] any_flag: bad flag \"pdf_javscript\"");
	expect_error("[rule a]\nrecipient_domain = example..jp;x y\n"
	    "action = drop\n",
	    "2: [rule a] recipient_domain: bad domain \"example..jp\"");
	expect_error("[rule a]\nextension = .exe;e.x\naction = drop\n",
	    "2: [rule a] extension: bad extension \"e.x\"");
	expect_error("[rule a]\nmin_size = 2M\nmax_size = 1M\naction = drop\n",
	    "3: [rule a] max_size: smaller than min_size");
	expect_error("[rule a]\nmax_size = lots\naction = drop\n",
	    "2: [rule a] max_size: expected a size (e.g. 64K, 10M), got "
	    "\"lots\"");
	expect_error("[rule bad name!]\naction = drop\n",
	    "1: bad rule name \"bad name!\" (letters, digits, '_', '.', '-')");
	expect_error("[policy]\ndefault_action = pass\n",
	    "2: default_action: \"pass\" is not one of: drop, quarantine, "
	    "reject, tempfail");
}
END_TEST

START_TEST(file_without_rules_keeps_builtin)
{
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load("[policy]\narchive_max_depth = 2\n",
	    &msg);
	struct mugai_rules *def = mugai_rules_new_default();

	ck_assert_ptr_nonnull(cf);
	ck_assert_uint_eq(mugai_rules_count(cf->cf_rules),
	    mugai_rules_count(def));
	ck_assert_uint_gt(mugai_rules_count(def), 0);
	ck_assert_int_eq(cf->cf_archive_max_depth, 2);
	mugai_rules_free(def);
	mugai_config_unref(cf);
}
END_TEST

static const char order_conf[] =
    "[policy]\n"
    "default_action = drop\n"
    "[rule exe-soumu]\n"
    "executable = true\n"
    "recipient_domain = soumu.city.example.lg.jp\n"
    "action = reject\n"
    "warning = 総務課宛の実行ファイルは受け取りません。\n"
    "[rule exe]\n"
    "executable = true\n"
    "action = quarantine\n"
    "warning = executable\n"
    "[rule partner-pdf]\n"
    "sender_domain = partner.example.jp\n"
    "detected_type = application/pdf\n"
    "extension = PDF\n"
    "action = drop\n"
    "[rule big-images]\n"
    "detected_type = image/*;application/x-?z*\n"
    "declared_type = image/*\n"
    "min_size = 1M\n"
    "max_size = 10M\n"
    "action = tempfail\n"
    "[rule office]\n"
    "recipient_domain = .kyoiku.example.lg.jp\n"
    "mismatch = false\n"
    "any_flag = macro;pdf_javascript\n"
    "action = quarantine\n";

struct env_case {
	const char *name;
	const char *detected, *declared, *ext;
	guint64 size;
	const char *flags;	/* ' ' separated */
	const char *sender;
	const char *rcpts;	/* ' ' separated */
	const char *rule;	/* NULL: default */
};

static const struct env_case env_cases[] = {
	{ "exe_to_soumu_only_is_rejected", "application/x-dosexec", NULL,
	  "exe", 10, "executable", "a@x.jp", "k@soumu.city.example.lg.jp",
	  "exe-soumu" },
	{ "exe_to_mixed_recipients_falls_through",
	  "application/x-dosexec", NULL, "exe", 10, "executable", "a@x.jp",
	  "k@soumu.city.example.lg.jp m@other.example.jp", "exe" },
	{ "recipient_domain_is_case_insensitive", "application/x-dosexec",
	  NULL, "exe", 10, "executable", NULL,
	  "<K@SOUMU.City.Example.LG.JP>", "exe-soumu" },
	{ "partner_pdf", "application/pdf", "application/pdf", "pdf", 10,
	  "", "<x@Partner.Example.JP>", "a@b.jp", "partner-pdf" },
	{ "partner_pdf_wrong_ext", "application/pdf", "application/pdf",
	  "pd", 10, "", "x@partner.example.jp", "a@b.jp", NULL },
	{ "sender_subdomain_is_not_partner", "application/pdf", NULL,
	  "pdf", 10, "", "x@evil.partner.example.jp", "a@b.jp", NULL },
	{ "big_image_in_range", "image/png", "image/png", "png",
	  2 * 1024 * 1024, "", NULL, NULL, "big-images" },
	{ "big_image_glob_question_mark", "application/x-xz", "image/png",
	  "png", 2 * 1024 * 1024, "", NULL, NULL, "big-images" },
	{ "image_too_small", "image/png", "image/png", "png", 1000, "",
	  NULL, NULL, NULL },
	{ "image_too_big", "image/png", "image/png", "png",
	  11 * 1024 * 1024, "", NULL, NULL, NULL },
	{ "declared_glob_must_match_too", "image/png", "application/pdf",
	  "png", 2 * 1024 * 1024, "", NULL, NULL, NULL },
	{ "subdomain_group_any_flag", "application/pdf", NULL, "pdf", 5,
	  "pdf_javascript", NULL, "a@sho.kyoiku.example.lg.jp", "office" },
	{ "subdomain_group_flag_false", "application/pdf", NULL, "pdf", 5,
	  "pdf_javascript mismatch", NULL, "a@sho.kyoiku.example.lg.jp",
	  NULL },
	{ "no_recipients_never_match_a_group", "application/pdf", NULL,
	  "pdf", 5, "macro", NULL, NULL, NULL },
};

START_TEST(rule_order_envelope_and_default)
{
	const struct env_case *c = &env_cases[_i];
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load(order_conf, &msg);
	g_auto(GStrv) rcpts = c->rcpts != NULL ? g_strsplit(c->rcpts, " ",
	    -1) : NULL;
	g_auto(GStrv) fl = g_strsplit(c->flags, " ", -1);
	GPtrArray *flags = g_ptr_array_new();
	struct mugai_envelope env = { 0 };
	struct mugai_rule_facts f = { 0 };
	const struct mugai_rule *r;

	ck_assert_msg(cf != NULL, "%s", msg);
	for (char **p = fl; *p != NULL; p++)
		if (**p != '\0')
			g_ptr_array_add(flags, *p);
	env.ev_sender = c->sender;
	env.ev_rcpts = (const char *const *)rcpts;
	f.rf_detected = c->detected;
	f.rf_declared = c->declared;
	f.rf_ext = c->ext;
	f.rf_size = c->size;
	f.rf_flags = flags;
	f.rf_env = &env;
	r = mugai_rules_match(cf->cf_rules, &f);
	if (c->rule == NULL)
		ck_assert_msg(r == NULL, "%s: matched %s", c->name,
		    mugai_rule_name(r));
	else {
		ck_assert_msg(r != NULL, "%s: no match", c->name);
		ck_assert_str_eq(mugai_rule_name(r), c->rule);
	}
	g_ptr_array_unref(flags);
	mugai_config_unref(cf);
}
END_TEST

START_TEST(actions_and_warnings)
{
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load(order_conf, &msg);
	static const struct {
		const char *rule;
		enum mugai_action a;
	} want[] = {
		{ "exe-soumu", MUGAI_ACT_REJECT },
		{ "exe", MUGAI_ACT_QUARANTINE },
		{ "partner-pdf", MUGAI_ACT_DROP },
		{ "big-images", MUGAI_ACT_TEMPFAIL },
	};

	ck_assert_ptr_nonnull(cf);
	for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct mugai_rule *r = mugai_rules_find(cf->cf_rules,
		    want[i].rule);

		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(mugai_rule_action(r), want[i].a);
	}
	ck_assert_str_eq(mugai_rule_warning(mugai_rules_find(cf->cf_rules,
	    "exe-soumu")), "総務課宛の実行ファイルは受け取りません。");
	ck_assert_ptr_null(mugai_rule_warning(mugai_rules_find(cf->cf_rules,
	    "office")));
	ck_assert_int_eq(cf->cf_default_action, 0);	/* drop */
	mugai_config_unref(cf);
}
END_TEST

START_TEST(dump_round_trips)
{
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load(order_conf, &msg);
	g_autofree char *dump = mugai_config_dump(cf);
	struct mugai_config *again = load(dump, &msg);
	g_autofree char *dump2 = NULL;

	ck_assert_ptr_nonnull(again);
	dump2 = mugai_config_dump(again);
	ck_assert_str_eq(dump, dump2);
	ck_assert_ptr_nonnull(strstr(dump, "[rule big-images]\n"
	    "detected_type = image/*;application/x-?z*\n"));
	ck_assert_ptr_nonnull(strstr(dump, "extension = pdf\n"));
	mugai_config_unref(cf);
	mugai_config_unref(again);
}
END_TEST

START_TEST(catch_all_rule_and_order)
{
	g_autofree char *msg = NULL;
	struct mugai_config *cf = load("[rule all]\naction = drop\n"
	    "[rule never]\nmacro = true\naction = reject\n", &msg);
	struct mugai_rule_facts f = { .rf_detected = "application/pdf" };
	GPtrArray *flags = g_ptr_array_new();

	g_ptr_array_add(flags, (char *)"macro");
	f.rf_flags = flags;
	ck_assert_ptr_nonnull(cf);
	ck_assert_str_eq(mugai_rule_name(mugai_rules_match(cf->cf_rules, &f)),
	    "all");
	g_ptr_array_unref(flags);
	mugai_config_unref(cf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");

	t_test(s, errors_name_file_and_line);
	t_test(s, file_without_rules_keeps_builtin);
	t_loop_test(s, rule_order_envelope_and_default, 0,
	    G_N_ELEMENTS(env_cases));
	t_test(s, actions_and_warnings);
	t_test(s, dump_round_trips);
	t_test(s, catch_all_rule_and_order);
	return t_run(s);
}
