/*
 * mugai_notice - render removal and withheld notices from templates
 *
 * Every placeholder value goes through mugai_oneline() (lib/text/oneline.c)
 * on its way in, whatever it is: a line of the notice is the template's
 * text and values that cannot leave their line. A line keeps to
 * MUGAI_NOTICE_LINE_MAX characters too, its longest values cut first, so
 * that no output charset wraps it.
 */
#include "autoconfig.h"

#include <string.h>

#include "core/notice.h"
#include "text/oneline.h"
#include "text/textsafe.h"

/* The shipped conf/notice.LANG files; t/check_notice.c holds them equal. */
static const struct {
	const char *lang;
	const char *text;
} builtin[] = {
	{ "ja",
	  "[notice]\n"
	  "header = ──── mugai 無害化通知 ────\\nこのメールは安全のため無害化"
	  "（テキスト化）されました。以下の添付ファイル等は削除されています。\n"
	  "item = ・{filename}（{type}、{size}、SHA-256: {sha256}）→ {action}\n"
	  "warning = \\s\\s※ {warning}\n"
	  "quarantined = 原本は隔離保管されています（隔離ID: {id}）。"
	  "必要な場合は管理者にお問い合わせください。\n"
	  "portal = 原本の確認・取得申請はこちら（ログインが必要です）: {link}\n"
	  "footer = ────────────────────────\n"
	  "withheld = ──── mugai 無害化通知 ────\\nこのメールは安全に無害化"
	  "できなかったため、本文を配信しません。\\n理由: {reason}\n"
	  "action_drop = 削除\n"
	  "action_quarantine = 隔離\n"
	  "unnamed = （名前なし）\n" },
	{ "en",
	  "[notice]\n"
	  "header = ---- mugai sanitization notice ----\\nThis message was "
	  "converted to plain text for safety. The following items were "
	  "removed:\n"
	  "item = - {filename} ({type}, {size}, SHA-256: {sha256}) - {action}\n"
	  "warning = \\s\\s! {warning}\n"
	  "quarantined = The original is kept in quarantine (ID: {id}). Ask "
	  "your administrator if you need it.\n"
	  "portal = To see the original or ask for it (login required): "
	  "{link}\n"
	  "footer = ------------------------------------\n"
	  "withheld = ---- mugai sanitization notice ----\\nThis message could "
	  "not be sanitized with certainty, so its content is withheld."
	  "\\nReason: {reason}\n"
	  "action_drop = removed\n"
	  "action_quarantine = quarantined\n"
	  "unnamed = (no name)\n" },
};

enum tmpl_key {
	K_HEADER, K_ITEM, K_WARNING, K_QUARANTINED, K_FOOTER, K_WITHHELD,
	K_ACTION_DROP, K_ACTION_QUARANTINE, K_UNNAMED, K_PORTAL, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"header", "item", "warning", "quarantined", "footer", "withheld",
	"action_drop", "action_quarantine", "unnamed", "portal",
};

struct tmpl {
	char *t_text[K_COUNT];
};

struct mugai_notice {
	GPtrArray *nt_langs;	/* (struct tmpl *) in order */
};

static void
tmpl_free(gpointer data)
{
	struct tmpl *t = data;

	for (int i = 0; i < K_COUNT; i++)
		g_free(t->t_text[i]);
	g_free(t);
}

static struct tmpl *
tmpl_parse(const char *text, const char *where, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) keys = NULL;
	struct tmpl *t;
	GError *e = NULL;

	if (!g_key_file_load_from_data(kf, text, strlen(text),
	    G_KEY_FILE_NONE, &e)) {
		g_set_error(error, e->domain, e->code, "%s: %s", where,
		    e->message);
		g_error_free(e);
		return NULL;
	}
	keys = g_key_file_get_keys(kf, "notice", NULL, NULL);
	for (char **k = keys; k != NULL && *k != NULL; k++) {
		gboolean known = FALSE;

		for (int i = 0; i < K_COUNT; i++)
			known = known || strcmp(*k, key_names[i]) == 0;
		if (!known) {
			g_set_error(error, G_KEY_FILE_ERROR,
			    G_KEY_FILE_ERROR_KEY_NOT_FOUND,
			    "%s: unknown key \"%s\" in [notice]", where, *k);
			return NULL;
		}
	}
	t = g_new0(struct tmpl, 1);
	for (int i = 0; i < K_COUNT; i++) {
		t->t_text[i] = g_key_file_get_string(kf, "notice",
		    key_names[i], NULL);
		if (t->t_text[i] == NULL)
			t->t_text[i] = g_strdup("");
	}
	return t;
}

struct mugai_notice *
mugai_notice_load(const char *dir, const char *const *languages,
    GError **error)
{
	struct mugai_notice *n = g_new0(struct mugai_notice, 1);

	n->nt_langs = g_ptr_array_new_with_free_func(tmpl_free);
	for (gsize i = 0; languages != NULL && languages[i] != NULL; i++) {
		const char *lang = languages[i];
		g_autofree char *path = NULL;
		g_autofree char *text = NULL;
		struct tmpl *t;

		if (dir != NULL && *dir != '\0') {
			g_autofree char *file = g_strconcat("notice.", lang,
			    NULL);

			path = g_build_filename(dir, file, NULL);
			if (!g_file_get_contents(path, &text, NULL, error))
				goto bad;
		} else {
			for (gsize j = 0; j < G_N_ELEMENTS(builtin); j++)
				if (strcmp(builtin[j].lang, lang) == 0)
					text = g_strdup(builtin[j].text);
			if (text == NULL) {
				g_set_error(error, G_KEY_FILE_ERROR,
				    G_KEY_FILE_ERROR_INVALID_VALUE,
				    "no built-in notice for language \"%s\" "
				    "(set notice_dir)", lang);
				goto bad;
			}
			path = g_strconcat("built-in notice.", lang, NULL);
		}
		if ((t = tmpl_parse(text, path, error)) == NULL)
			goto bad;
		g_ptr_array_add(n->nt_langs, t);
	}
	return n;
bad:
	mugai_notice_free(n);
	return NULL;
}

void
mugai_notice_free(struct mugai_notice *n)
{
	if (n == NULL)
		return;
	g_ptr_array_unref(n->nt_langs);
	g_free(n);
}

/* Placeholder values for one expansion; NULL ones expand to "". */
struct vars {
	const char *filename, *type, *detected, *size, *sha256, *action;
	const char *id, *reason, *warning, *link;
};

static const char *
var_value(const struct vars *v, const char *name, gsize len)
{
	static const struct {
		const char *name;
		gsize off;
	} table[] = {
		{ "filename", G_STRUCT_OFFSET(struct vars, filename) },
		{ "type", G_STRUCT_OFFSET(struct vars, type) },
		{ "detected", G_STRUCT_OFFSET(struct vars, detected) },
		{ "size", G_STRUCT_OFFSET(struct vars, size) },
		{ "sha256", G_STRUCT_OFFSET(struct vars, sha256) },
		{ "action", G_STRUCT_OFFSET(struct vars, action) },
		{ "id", G_STRUCT_OFFSET(struct vars, id) },
		{ "reason", G_STRUCT_OFFSET(struct vars, reason) },
		{ "warning", G_STRUCT_OFFSET(struct vars, warning) },
		{ "link", G_STRUCT_OFFSET(struct vars, link) },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
		if (strlen(table[i].name) == len &&
		    memcmp(table[i].name, name, len) == 0) {
			const char *s = G_STRUCT_MEMBER(const char *, v,
			    table[i].off);

			return s != NULL ? s : "";
		}
	return NULL;
}

/* A placeholder of a template line: where it is and its value. */
struct slot {
	const char *sl_start;	/* the '{' */
	const char *sl_end;	/* the '}' */
	const char *sl_raw;	/* the value as it came */
	char *sl_text;		/* one line, neutralised */
	glong sl_chars;
};

/*
 * The value as it goes into the line: one line of at most max characters
 * (mugai_oneline), neutralised as the whole notice will be (textsafe may
 * write one character as two: counted here).
 */
static char *
slot_text(const char *raw, gsize max, glong *chars)
{
	g_autofree char *line = mugai_oneline(raw, -1, max);
	GString *s = g_string_new(line);

	mugai_textsafe(s);
	*chars = g_utf8_strlen(s->str, (gssize)s->len);
	return g_string_free(s, FALSE);
}

/*
 * Cuts the longest values of slots (n of them) until the line, fixed
 * characters included, keeps to MUGAI_NOTICE_LINE_MAX: the greatest cap
 * c with the values cut to c fitting, short values (size, hash, ID)
 * untouched.
 */
static void
fit_slots(struct slot *slots, guint n, glong fixed)
{
	glong total = fixed, budget = MUGAI_NOTICE_LINE_MAX - fixed;
	glong c;

	for (guint i = 0; i < n; i++)
		total += slots[i].sl_chars;
	if (total <= MUGAI_NOTICE_LINE_MAX)
		return;
	for (c = MUGAI_ONELINE_MAX; c > 2; c--) {
		glong sum = 0;

		for (guint i = 0; i < n; i++)
			sum += MIN(slots[i].sl_chars, c);
		if (sum <= budget)
			break;
	}
	for (guint i = 0; i < n; i++) {
		gsize max = (gsize)c;

		/* textsafe may lengthen a cut value: cut it shorter then. */
		while (slots[i].sl_chars > c && max >= 2) {
			g_free(slots[i].sl_text);
			slots[i].sl_text = slot_text(slots[i].sl_raw, max--,
			    &slots[i].sl_chars);
		}
	}
}

#define MAX_SLOTS 16	/* placeholders in one line; more stay as written */

/* Appends one template line [t, end) with its placeholders expanded. */
static void
expand_line(const char *t, const char *end, const struct vars *v,
    GString *out)
{
	struct slot slots[MAX_SLOTS] = { { 0 } };
	guint n = 0;
	glong fixed = 0;
	const char *p = t, *from = t;

	/* The placeholders and the characters around them. */
	while (p < end && n < MAX_SLOTS) {
		const char *close;
		const char *val;

		if (*p == '{' && (close = memchr(p, '}', (gsize)(end - p))) !=
		    NULL && (val = var_value(v, p + 1,
		    (gsize)(close - p - 1))) != NULL) {
			fixed += g_utf8_strlen(from, p - from);
			slots[n].sl_start = p;
			slots[n].sl_end = close;
			slots[n].sl_raw = val;
			slots[n].sl_text = slot_text(val, MUGAI_ONELINE_MAX,
			    &slots[n].sl_chars);
			n++;
			p = from = close + 1;
			continue;
		}
		p++;
	}
	fixed += g_utf8_strlen(from, end - from);
	fit_slots(slots, n, fixed);
	p = t;
	for (guint i = 0; i < n; i++) {
		g_string_append_len(out, p, slots[i].sl_start - p);
		g_string_append(out, slots[i].sl_text);
		p = slots[i].sl_end + 1;
		g_free(slots[i].sl_text);
	}
	g_string_append_len(out, p, end - p);
}

/*
 * Appends template t with placeholders expanded, then a line break. A
 * value stays on its line: line breaks, controls and bidi controls are
 * escaped and a long value is cut (mugai_oneline), and a line with its
 * values keeps to MUGAI_NOTICE_LINE_MAX characters.
 */
static void
expand(const char *t, const struct vars *v, GString *out)
{
	const char *p = t;

	if (*t == '\0')
		return;
	for (;;) {
		const char *nl = strchr(p, '\n');
		const char *end = nl != NULL ? nl : p + strlen(p);

		expand_line(p, end, v, out);
		g_string_append_c(out, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static gboolean
removed(const struct mugai_report_part *p)
{
	return p->rp_action == MUGAI_ACT_DROP ||
	    p->rp_action == MUGAI_ACT_QUARANTINE;
}

static void
render_items(const struct tmpl *t, const struct mugai_report *r,
    GString *out)
{
	for (guint i = 0; i < r->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);
		g_autofree char *size = NULL;
		struct vars v = { 0 };

		if (!removed(p))
			continue;
		size = g_format_size_full(p->rp_size,
		    G_FORMAT_SIZE_LONG_FORMAT);
		v.filename = p->rp_filename != NULL && *p->rp_filename != '\0' ?
		    p->rp_filename : t->t_text[K_UNNAMED];
		v.type = p->rp_declared_type != NULL ? p->rp_declared_type :
		    p->rp_kind;
		v.detected = p->rp_detected_type;
		v.size = size;
		v.sha256 = p->rp_sha256;
		v.action = t->t_text[p->rp_action == MUGAI_ACT_QUARANTINE ?
		    K_ACTION_QUARANTINE : K_ACTION_DROP];
		expand(t->t_text[K_ITEM], &v, out);
		if (p->rp_warning != NULL) {
			v.warning = p->rp_warning;
			expand(t->t_text[K_WARNING], &v, out);
		}
	}
}

void
mugai_notice_removed(const struct mugai_notice *n,
    const struct mugai_report *r, const char *id, GString *out)
{
	mugai_notice_removed_link(n, r, id, NULL, out);
}

void
mugai_notice_removed_link(const struct mugai_notice *n,
    const struct mugai_report *r, const char *id, const char *link,
    GString *out)
{
	if (mugai_report_removed(r) == 0)
		return;
	for (guint i = 0; i < n->nt_langs->len; i++) {
		const struct tmpl *t = g_ptr_array_index(n->nt_langs, i);
		struct vars v = { 0 };

		v.id = id;
		v.link = link;
		if (i > 0)
			g_string_append_c(out, '\n');
		expand(t->t_text[K_HEADER], &v, out);
		render_items(t, r, out);
		if (id != NULL)
			expand(t->t_text[K_QUARANTINED], &v, out);
		if (id != NULL && link != NULL)
			expand(t->t_text[K_PORTAL], &v, out);
		expand(t->t_text[K_FOOTER], &v, out);
	}
}

void
mugai_notice_withheld(const struct mugai_notice *n, const char *reason,
    const char *id, GString *out)
{
	mugai_notice_withheld_link(n, reason, id, NULL, out);
}

void
mugai_notice_withheld_link(const struct mugai_notice *n, const char *reason,
    const char *id, const char *link, GString *out)
{
	for (guint i = 0; i < n->nt_langs->len; i++) {
		const struct tmpl *t = g_ptr_array_index(n->nt_langs, i);
		struct vars v = { 0 };

		v.id = id;
		v.reason = reason;
		v.link = link;
		if (i > 0)
			g_string_append_c(out, '\n');
		expand(t->t_text[K_WITHHELD], &v, out);
		if (id != NULL)
			expand(t->t_text[K_QUARANTINED], &v, out);
		if (id != NULL && link != NULL)
			expand(t->t_text[K_PORTAL], &v, out);
		expand(t->t_text[K_FOOTER], &v, out);
	}
}
