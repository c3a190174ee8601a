/*
 * mugai_rules - parse, validate, match and dump [rule NAME] groups
 *
 * Globs are our own small language, checked at load: lower-case MIME
 * token characters, "*" for any run and "?" for one character, and either
 * "*" alone or exactly one "/". No brackets, no escapes: what check-config
 * accepts is exactly what matches.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/flag.h"
#include "base/keyfile.h"
#include "policy/arcscan.h"
#include "policy/docscan.h"
#include "policy/filename.h"
#include "policy/rules.h"

enum tri { TRI_UNSET = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

/* The flag matchers, each the presence of one rp_flags fact. */
static const struct {
	const char *key;
	enum mugai_flag_by by;	/* the fact, as the flag table knows it */
	guint bit;
} flag_keys[] = {
	{ "mismatch", MUGAI_FLAG_BY_POLICY, MUGAI_POL_MISMATCH },
	{ "dangerous_name", MUGAI_FLAG_BY_POLICY, MUGAI_POL_DANGEROUS },
	{ "executable", MUGAI_FLAG_BY_POLICY, MUGAI_POL_EXECUTABLE },
	{ "archive_encrypted", MUGAI_FLAG_BY_ARCSCAN, MUGAI_ARC_ENCRYPTED },
	{ "archive_executable", MUGAI_FLAG_BY_ARCSCAN, MUGAI_ARC_EXECUTABLE },
	{ "macro", MUGAI_FLAG_BY_ARCSCAN, MUGAI_ARC_MACRO },
};
#define NFLAGKEYS G_N_ELEMENTS(flag_keys)

struct mugai_rule {
	char *ru_name;
	char **ru_detected;
	char **ru_declared;
	char **ru_ext;
	gint64 ru_min_size;	/* -1 unset */
	gint64 ru_max_size;
	enum tri ru_flag[NFLAGKEYS];
	char **ru_any_flag;
	char **ru_rcpt_domain;
	char **ru_sender_domain;
	enum mugai_action ru_action;
	gboolean ru_has_action;
	char *ru_warning;
};

struct mugai_rules {
	GPtrArray *rs_list;	/* (struct mugai_rule *) in order */
};

static const char *const action_names[] = {
	"drop", "quarantine", "reject", "tempfail"
};
static const enum mugai_action action_values[] = {
	MUGAI_ACT_DROP, MUGAI_ACT_QUARANTINE, MUGAI_ACT_REJECT,
	MUGAI_ACT_TEMPFAIL
};

static const char default_rules[] =
    "[rule encrypted-archive]\n"
    "archive_encrypted = true\n"
    "action = quarantine\n"
    "warning = パスワード付き(暗号化)の圧縮ファイルは中身を検査できないため"
    "隔離しました。パスワードを別送する方式(PPAP)ではなく、認められた方法での"
    "送付を送信者に依頼してください。 / An encrypted (password-protected) "
    "archive cannot be inspected and was quarantined. Ask the sender to use "
    "an approved way to send files.\n"
    "[rule executable]\n"
    "executable = true\n"
    "action = quarantine\n"
    "warning = 実行ファイルまたはスクリプトのため隔離しました。開かないで"
    "ください。 / An executable or script was quarantined. Do not run it.\n"
    "[rule archive-executable]\n"
    "archive_executable = true\n"
    "action = quarantine\n"
    "warning = 圧縮ファイルの中に実行ファイルまたはスクリプトがあるため"
    "隔離しました。 / The archive contains an executable or script and was "
    "quarantined.\n"
    "[rule disguised-type]\n"
    "mismatch = true\n"
    "action = quarantine\n"
    "warning = ファイルの実際の種類が名前や宣言と一致しません(偽装の"
    "おそれ)。 / The file's real type does not match its name or declared "
    "type.\n"
    "[rule dangerous-name]\n"
    "dangerous_name = true\n"
    "action = quarantine\n"
    "warning = ファイル名に偽装(二重拡張子や表示順を変える制御文字など)が"
    "あります。 / The file name is deceptive (double extension or hidden "
    "control characters).\n"
    "[rule macro]\n"
    "macro = true\n"
    "action = quarantine\n"
    "warning = マクロを含む文書のため隔離しました。 / The document contains "
    "macros and was quarantined.\n";

const char *
mugai_rules_action_name(enum mugai_action action)
{
	for (gsize i = 0; i < G_N_ELEMENTS(action_values); i++)
		if (action_values[i] == action)
			return action_names[i];
	return NULL;
}

gboolean
mugai_rules_parse_action(const char *s, enum mugai_action *out)
{
	for (gsize i = 0; i < G_N_ELEMENTS(action_names); i++)
		if (g_ascii_strcasecmp(s, action_names[i]) == 0) {
			*out = action_values[i];
			return TRUE;
		}
	return FALSE;
}

static void
rule_free(gpointer p)
{
	struct mugai_rule *r = p;

	g_free(r->ru_name);
	g_strfreev(r->ru_detected);
	g_strfreev(r->ru_declared);
	g_strfreev(r->ru_ext);
	g_strfreev(r->ru_any_flag);
	g_strfreev(r->ru_rcpt_domain);
	g_strfreev(r->ru_sender_domain);
	g_free(r->ru_warning);
	g_free(r);
}

struct mugai_rules *
mugai_rules_new(void)
{
	struct mugai_rules *rules = g_new0(struct mugai_rules, 1);

	rules->rs_list = g_ptr_array_new_with_free_func(rule_free);
	return rules;
}

void
mugai_rules_free(struct mugai_rules *rules)
{
	if (rules == NULL)
		return;
	g_ptr_array_unref(rules->rs_list);
	g_free(rules);
}

struct mugai_rules *
mugai_rules_new_default(void)
{
	struct mugai_rules *rules = mugai_rules_new();
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	GError *err = NULL;

	if (!g_key_file_load_from_data(kf, default_rules, (gsize)-1,
	    G_KEY_FILE_NONE, &err))
		g_error("built-in rules: %s", err->message);
	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g != NULL; g++)
		if (!mugai_rules_add_group(rules, kf, *g, "<built-in>",
		    default_rules, &err))
			g_error("built-in rules: %s", err->message);
	return rules;
}

gboolean
mugai_rules_is_group(const char *group)
{
	return g_str_has_prefix(group, "rule ");
}

guint
mugai_rules_count(const struct mugai_rules *rules)
{
	return rules != NULL ? rules->rs_list->len : 0;
}

/* Splits a ';' or ',' list, dropping empty items; lower-cases. */
static char **
split_list(const char *s)
{
	g_auto(GStrv) parts = g_strsplit_set(s, ";,", -1);
	GPtrArray *a = g_ptr_array_new();

	for (char **p = parts; *p != NULL; p++) {
		g_strstrip(*p);
		if (**p != '\0')
			g_ptr_array_add(a, g_ascii_strdown(*p, -1));
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static gboolean
valid_glob(const char *g)
{
	guint slashes = 0;

	if (strcmp(g, "*") == 0)
		return TRUE;
	for (const char *p = g; *p != '\0'; p++) {
		if (*p == '/')
			slashes++;
		else if (!g_ascii_isalnum(*p) && strchr("!#$&^_.+-*?", *p) ==
		    NULL)
			return FALSE;
	}
	return slashes == 1 && g[0] != '/' && g[strlen(g) - 1] != '/';
}

static gboolean
valid_ext(const char *e)
{
	if (*e == '\0' || strlen(e) > 16)
		return FALSE;
	for (const char *p = e; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return FALSE;
	return TRUE;
}

static gboolean
valid_domain(const char *d)
{
	if (*d == '.')
		d++;
	if (*d == '\0' || *d == '.' || strlen(d) > 253 ||
	    strstr(d, "..") != NULL)
		return FALSE;
	for (const char *p = d; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return FALSE;
	return d[strlen(d) - 1] != '.';
}

/* A flag any_flag may name: a row of the flag table marked fl_any. */
static gboolean
known_flag(const char *f)
{
	const struct mugai_flag *fl = mugai_flag_find(f);

	return fl != NULL && fl->fl_any;
}

/* Checks every item of list with ok(); names the first bad one. */
static gboolean
check_items(char **list, gboolean (*ok)(const char *), const char *what,
    const char *key, char **why)
{
	if (list[0] == NULL) {
		*why = g_strdup_printf("%s: empty list", key);
		return FALSE;
	}
	for (char **p = list; *p != NULL; p++)
		if (!ok(*p)) {
			*why = g_strdup_printf("%s: bad %s \"%s\"", key, what,
			    *p);
			return FALSE;
		}
	return TRUE;
}

static gboolean
parse_bool(const char *s, enum tri *out)
{
	if (g_ascii_strcasecmp(s, "true") == 0 ||
	    g_ascii_strcasecmp(s, "yes") == 0)
		*out = TRI_TRUE;
	else if (g_ascii_strcasecmp(s, "false") == 0 ||
	    g_ascii_strcasecmp(s, "no") == 0)
		*out = TRI_FALSE;
	else
		return FALSE;
	return TRUE;
}

static gboolean
strip_dot(const char *e)
{
	return valid_ext(e[0] == '.' ? e + 1 : e);
}

/* Sets one key of r; FALSE with *why for a bad key or value. */
static gboolean
set_key(struct mugai_rule *r, const char *key, const char *val, char **why)
{
	char ***list = NULL;
	gboolean (*ok)(const char *) = NULL;
	const char *what = NULL;

	for (gsize i = 0; i < NFLAGKEYS; i++)
		if (strcmp(key, flag_keys[i].key) == 0) {
			if (parse_bool(val, &r->ru_flag[i]))
				return TRUE;
			*why = g_strdup_printf("%s: expected true or false, "
			    "got \"%s\"", key, val);
			return FALSE;
		}
	if (strcmp(key, "action") == 0) {
		if (mugai_rules_parse_action(val, &r->ru_action)) {
			r->ru_has_action = TRUE;
			return TRUE;
		}
		*why = g_strdup_printf("action: \"%s\" is not one of: drop, "
		    "quarantine, reject, tempfail", val);
		return FALSE;
	}
	if (strcmp(key, "warning") == 0) {
		g_free(r->ru_warning);
		r->ru_warning = g_strdup(val);
		return TRUE;
	}
	if (strcmp(key, "min_size") == 0 || strcmp(key, "max_size") == 0) {
		gint64 *slot = key[1] == 'i' ? &r->ru_min_size :
		    &r->ru_max_size;

		if (mugai_keyfile_parse_size(val, slot))
			return TRUE;
		*why = g_strdup_printf("%s: expected a size (e.g. 64K, 10M), "
		    "got \"%s\"", key, val);
		return FALSE;
	}
	if (strcmp(key, "detected_type") == 0) {
		list = &r->ru_detected; ok = valid_glob; what = "glob";
	} else if (strcmp(key, "declared_type") == 0) {
		list = &r->ru_declared; ok = valid_glob; what = "glob";
	} else if (strcmp(key, "extension") == 0) {
		list = &r->ru_ext; ok = strip_dot; what = "extension";
	} else if (strcmp(key, "any_flag") == 0) {
		list = &r->ru_any_flag; ok = known_flag; what = "flag";
	} else if (strcmp(key, "recipient_domain") == 0) {
		list = &r->ru_rcpt_domain; ok = valid_domain; what = "domain";
	} else if (strcmp(key, "sender_domain") == 0) {
		list = &r->ru_sender_domain; ok = valid_domain;
		what = "domain";
	} else {
		*why = g_strdup_printf("unknown key \"%s\" in a rule", key);
		return FALSE;
	}
	g_strfreev(*list);
	*list = split_list(val);
	if (list == &r->ru_ext)
		for (char **p = *list; *p != NULL; p++)
			if (**p == '.')
				memmove(*p, *p + 1, strlen(*p));
	return check_items(*list, ok, what, key, why);
}

static gboolean
valid_rule_name(const char *n)
{
	if (*n == '\0' || strlen(n) > 64)
		return FALSE;
	for (const char *p = n; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("_.-", *p) == NULL)
			return FALSE;
	return TRUE;
}

gboolean
mugai_rules_add_group(struct mugai_rules *rules, GKeyFile *kf,
    const char *group, const char *path, const char *text, GError **error)
{
	const char *name = group + strlen("rule ");
	struct mugai_rule *r;
	g_auto(GStrv) keys = NULL;

	if (!valid_rule_name(name)) {
		mugai_keyfile_fail_at(error, path,
		    mugai_keyfile_line_of(text, group, NULL),
		    "bad rule name \"%s\" (letters, digits, '_', '.', '-')",
		    name);
		return FALSE;
	}
	if (mugai_rules_find(rules, name) != NULL) {
		mugai_keyfile_fail_at(error, path,
		    mugai_keyfile_line_of(text, group, NULL),
		    "rule \"%s\" defined twice", name);
		return FALSE;
	}
	r = g_new0(struct mugai_rule, 1);
	r->ru_name = g_strdup(name);
	r->ru_min_size = r->ru_max_size = -1;
	for (gsize i = 0; i < NFLAGKEYS; i++)
		r->ru_flag[i] = TRI_UNSET;
	keys = g_key_file_get_keys(kf, group, NULL, NULL);
	for (char **k = keys; k != NULL && *k != NULL; k++) {
		g_autofree char *val = g_key_file_get_value(kf, group, *k,
		    NULL);
		g_autofree char *why = NULL;

		g_strstrip(val);
		if (!set_key(r, *k, val, &why)) {
			mugai_keyfile_fail_at(error, path,
			    mugai_keyfile_line_of(text, group, *k),
			    "[%s] %s", group, why);
			rule_free(r);
			return FALSE;
		}
	}
	if (!r->ru_has_action) {
		mugai_keyfile_fail_at(error, path,
		    mugai_keyfile_line_of(text, group, NULL),
		    "[%s] has no action (drop, quarantine, reject or tempfail)",
		    group);
		rule_free(r);
		return FALSE;
	}
	if (r->ru_min_size >= 0 && r->ru_max_size >= 0 &&
	    r->ru_min_size > r->ru_max_size) {
		mugai_keyfile_fail_at(error, path,
		    mugai_keyfile_line_of(text, group, "max_size"),
		    "[%s] max_size: smaller than min_size", group);
		rule_free(r);
		return FALSE;
	}
	g_ptr_array_add(rules->rs_list, r);
	return TRUE;
}

/* Our glob: '*' any run (also empty), '?' one byte; s is lower case. */
static gboolean
glob_match(const char *g, const char *s)
{
	const char *star = NULL, *back = NULL;

	while (*s != '\0') {
		if (*g == '*') {
			star = ++g;
			back = s;
		} else if (*g == '?' || *g == *s) {
			g++;
			s++;
		} else if (star != NULL) {
			g = star;
			s = ++back;
		} else
			return FALSE;
	}
	while (*g == '*')
		g++;
	return *g == '\0';
}

static gboolean
any_glob(char *const *globs, const char *value)
{
	g_autofree char *v = NULL;
	gsize n;

	if (value == NULL || *value == '\0')
		value = "application/octet-stream";
	/* Parameters never take part ("text/plain; charset=..."). */
	n = strcspn(value, "; \t");
	v = g_ascii_strdown(value, (gssize)n);
	for (char *const *g = globs; *g != NULL; g++)
		if (glob_match(*g, v))
			return TRUE;
	return FALSE;
}

static gboolean
in_list(char *const *list, const char *s)
{
	for (char *const *p = list; s != NULL && *p != NULL; p++)
		if (strcmp(*p, s) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_flag(const GPtrArray *flags, const char *flag)
{
	for (guint i = 0; flags != NULL && i < flags->len; i++)
		if (strcmp(g_ptr_array_index(flags, i), flag) == 0)
			return TRUE;
	return FALSE;
}

gboolean
mugai_rules_domain_in(const char *address, const char *const *domains)
{
	const char *at;
	g_autofree char *d = NULL;
	gsize n;

	if (address == NULL || (at = strrchr(address, '@')) == NULL)
		return FALSE;
	n = strcspn(at + 1, "> \t");
	while (n > 0 && at[n] == '.')
		n--;
	if (n == 0)
		return FALSE;
	d = g_ascii_strdown(at + 1, (gssize)n);
	for (const char *const *p = domains; *p != NULL; p++) {
		if (**p == '.') {
			if (g_str_has_suffix(d, *p))
				return TRUE;
		} else if (strcmp(d, *p) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
envelope_matches(const struct mugai_rule *r, const struct mugai_envelope *ev)
{
	if (r->ru_sender_domain != NULL && (ev == NULL ||
	    !mugai_rules_domain_in(ev->ev_sender,
	    (const char *const *)r->ru_sender_domain)))
		return FALSE;
	if (r->ru_rcpt_domain != NULL) {
		if (ev == NULL || ev->ev_rcpts == NULL ||
		    ev->ev_rcpts[0] == NULL)
			return FALSE;
		for (const char *const *p = ev->ev_rcpts; *p != NULL; p++)
			if (!mugai_rules_domain_in(*p,
			    (const char *const *)r->ru_rcpt_domain))
				return FALSE;
	}
	return TRUE;
}

static gboolean
rule_matches(const struct mugai_rule *r, const struct mugai_rule_facts *f)
{
	if (r->ru_detected != NULL && !any_glob(r->ru_detected,
	    f->rf_detected))
		return FALSE;
	if (r->ru_declared != NULL && !any_glob(r->ru_declared,
	    f->rf_declared))
		return FALSE;
	if (r->ru_ext != NULL && !in_list(r->ru_ext, f->rf_ext))
		return FALSE;
	if (r->ru_min_size >= 0 && f->rf_size < (guint64)r->ru_min_size)
		return FALSE;
	if (r->ru_max_size >= 0 && f->rf_size > (guint64)r->ru_max_size)
		return FALSE;
	for (gsize i = 0; i < NFLAGKEYS; i++)
		if (r->ru_flag[i] != TRI_UNSET && (r->ru_flag[i] == TRI_TRUE) !=
		    has_flag(f->rf_flags, mugai_flag_name(
		    flag_keys[i].by, flag_keys[i].bit)))
			return FALSE;
	if (r->ru_any_flag != NULL) {
		gboolean any = FALSE;

		for (char **p = r->ru_any_flag; *p != NULL && !any; p++)
			any = has_flag(f->rf_flags, *p);
		if (!any)
			return FALSE;
	}
	return envelope_matches(r, f->rf_env);
}

const struct mugai_rule *
mugai_rules_match(const struct mugai_rules *rules,
    const struct mugai_rule_facts *facts)
{
	for (guint i = 0; rules != NULL && i < rules->rs_list->len; i++) {
		const struct mugai_rule *r = g_ptr_array_index(rules->rs_list,
		    i);

		if (rule_matches(r, facts))
			return r;
	}
	return NULL;
}

const struct mugai_rule *
mugai_rules_find(const struct mugai_rules *rules, const char *name)
{
	for (guint i = 0; rules != NULL && name != NULL &&
	    i < rules->rs_list->len; i++) {
		const struct mugai_rule *r = g_ptr_array_index(rules->rs_list,
		    i);

		if (strcmp(r->ru_name, name) == 0)
			return r;
	}
	return NULL;
}

const char *
mugai_rule_name(const struct mugai_rule *rule)
{
	return rule->ru_name;
}

const char *
mugai_rule_warning(const struct mugai_rule *rule)
{
	return rule->ru_warning;
}

enum mugai_action
mugai_rule_action(const struct mugai_rule *rule)
{
	return rule->ru_action;
}

static void
dump_list(GString *out, const char *key, char **list)
{
	if (list == NULL)
		return;
	g_string_append_printf(out, "%s = ", key);
	for (char **p = list; *p != NULL; p++)
		g_string_append_printf(out, "%s%s", p == list ? "" : ";", *p);
	g_string_append_c(out, '\n');
}

void
mugai_rules_dump(const struct mugai_rules *rules, GString *out)
{
	for (guint i = 0; rules != NULL && i < rules->rs_list->len; i++) {
		const struct mugai_rule *r = g_ptr_array_index(rules->rs_list,
		    i);

		g_string_append_printf(out, "\n[rule %s]\n", r->ru_name);
		dump_list(out, "detected_type", r->ru_detected);
		dump_list(out, "declared_type", r->ru_declared);
		dump_list(out, "extension", r->ru_ext);
		if (r->ru_min_size >= 0)
			g_string_append_printf(out, "min_size = %"
			    G_GINT64_FORMAT "\n", r->ru_min_size);
		if (r->ru_max_size >= 0)
			g_string_append_printf(out, "max_size = %"
			    G_GINT64_FORMAT "\n", r->ru_max_size);
		for (gsize k = 0; k < NFLAGKEYS; k++)
			if (r->ru_flag[k] != TRI_UNSET)
				g_string_append_printf(out, "%s = %s\n",
				    flag_keys[k].key, r->ru_flag[k] ==
				    TRI_TRUE ? "true" : "false");
		dump_list(out, "any_flag", r->ru_any_flag);
		dump_list(out, "recipient_domain", r->ru_rcpt_domain);
		dump_list(out, "sender_domain", r->ru_sender_domain);
		g_string_append_printf(out, "action = %s\n",
		    mugai_rules_action_name(r->ru_action));
		if (r->ru_warning != NULL)
			g_string_append_printf(out, "warning = %s\n",
			    r->ru_warning);
	}
}
