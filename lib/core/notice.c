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
	  "unnamed = （名前なし）\n"
	  "text_included = \\s\\s→ {entry}テキスト（{chars} 文字）を"
	  "メール本文の後に掲載しました\n"
	  "text_cut = \\s\\s→ {entry}テキストの先頭 {chars} 文字を"
	  "メール本文の後に掲載しました（上限により打ち切り）\n"
	  "text_none = \\s\\s→ {entry}テキストなし: {reason}\n"
	  "why_encrypted = 暗号化されているため抽出できません\n"
	  "why_damaged = ファイルが壊れているため抽出できません\n"
	  "why_unsupported = この形式のテキストは抽出できません\n"
	  "why_limit = 上限を超えるため抽出しませんでした\n"
	  "why_failed = 抽出処理が失敗しました\n"
	  "why_timeout = 抽出が制限時間内に終わりませんでした\n"
	  "why_unavailable = テキスト抽出は利用できません\n"
	  "why_empty = テキストが含まれていません\n"
	  "doubt = ※ 構造に曖昧な点がありました（{reason}）。"
	  "受信者のメールソフトと同じ読み方で本文を表示しています。\n"
	  "signature = ・署名は検証されずに削除されました（{filename}）\n"
	  "type_detected = {type}、実際の形式: {detected}\n"
	  "altered = ※ 本文の一部を安全のため変更しました（{reason}）。\n" },
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
	  "unnamed = (no name)\n"
	  "text_included = \\s\\s> {entry}text included after the message "
	  "({chars} characters)\n"
	  "text_cut = \\s\\s> {entry}first {chars} characters of the text "
	  "included after the message (cut at a limit)\n"
	  "text_none = \\s\\s> {entry}no text: {reason}\n"
	  "why_encrypted = encrypted, the text cannot be extracted\n"
	  "why_damaged = damaged, the text cannot be extracted\n"
	  "why_unsupported = the text of this format cannot be extracted\n"
	  "why_limit = over a limit, not extracted\n"
	  "why_failed = the extraction failed\n"
	  "why_timeout = the extraction took too long\n"
	  "why_unavailable = text extraction is unavailable\n"
	  "why_empty = it holds no text\n"
	  "doubt = ! The message structure was ambiguous ({reason}); the "
	  "text is shown as the recipient's mail program reads it.\n"
	  "signature = - The signature was removed without verification ({filename})\n"
	  "type_detected = {type}, detected as {detected}\n"
	  "altered = ! Some of the text was changed for safety ({reason}).\n" },
};

enum tmpl_key {
	K_HEADER, K_ITEM, K_WARNING, K_QUARANTINED, K_FOOTER, K_WITHHELD,
	K_ACTION_DROP, K_ACTION_QUARANTINE, K_UNNAMED, K_DOUBT, K_SIGNATURE,
	K_TYPE_DETECTED,
	/* a removed document's text (lib/core/xbody.c) */
	K_TEXT_INCLUDED, K_TEXT_CUT, K_TEXT_NONE, K_WHY_ENCRYPTED,
	K_WHY_DAMAGED, K_WHY_UNSUPPORTED, K_WHY_LIMIT, K_WHY_FAILED,
	K_WHY_TIMEOUT, K_WHY_UNAVAILABLE, K_WHY_EMPTY, K_PORTAL, K_ALTERED,
	K_COUNT
};

/* Keys a template written before them may lack: the built-in text. */
#define K_FIRST_LATER	K_DOUBT

static const char *const key_names[K_COUNT] = {
	"header", "item", "warning", "quarantined", "footer", "withheld",
	"action_drop", "action_quarantine", "unnamed", "doubt", "signature",
	"type_detected",
	"text_included", "text_cut", "text_none", "why_encrypted",
	"why_damaged", "why_unsupported", "why_limit", "why_failed",
	"why_timeout", "why_unavailable", "why_empty",
	"portal", "altered",
};

struct tmpl {
	char *t_text[K_COUNT];
	gboolean t_ja;		/* Japanese: reasons are translated */
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

static const char *
builtin_text(const char *lang)
{
	for (gsize j = 0; j < G_N_ELEMENTS(builtin); j++)
		if (strcmp(builtin[j].lang, lang) == 0)
			return builtin[j].text;
	return NULL;
}

/*
 * The later keys (doubt, signature, type_detected, ..., altered) a
 * template file lacks
 * come from the built-in template of its language, so a notice_dir written
 * before them still names every doubt; English when there is none.
 */
static void
tmpl_fill_later(struct tmpl *t, const char *lang)
{
	const char *text = builtin_text(lang);
	g_autoptr(GKeyFile) kf = g_key_file_new();

	if (text == NULL)
		text = builtin_text("en");
	if (!g_key_file_load_from_data(kf, text, strlen(text),
	    G_KEY_FILE_NONE, NULL))
		return;
	for (int i = K_FIRST_LATER; i < K_COUNT; i++) {
		if (t->t_text[i] != NULL)
			continue;
		t->t_text[i] = g_key_file_get_string(kf, "notice",
		    key_names[i], NULL);
	}
}

static struct tmpl *
tmpl_parse(const char *text, const char *lang, const char *where,
    GError **error)
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
	t->t_ja = strcmp(lang, "ja") == 0;
	for (int i = 0; i < K_COUNT; i++)
		t->t_text[i] = g_key_file_get_string(kf, "notice",
		    key_names[i], NULL);
	tmpl_fill_later(t, lang);
	for (int i = 0; i < K_COUNT; i++)
		if (t->t_text[i] == NULL)
			t->t_text[i] = g_strdup("");
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
			text = g_strdup(builtin_text(lang));
			if (text == NULL) {
				g_set_error(error, G_KEY_FILE_ERROR,
				    G_KEY_FILE_ERROR_INVALID_VALUE,
				    "no built-in notice for language \"%s\" "
				    "(set notice_dir)", lang);
				goto bad;
			}
			path = g_strconcat("built-in notice.", lang, NULL);
		}
		if ((t = tmpl_parse(text, lang, path, error)) == NULL)
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
	const char *chars, *entry;
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
		{ "chars", G_STRUCT_OFFSET(struct vars, chars) },
		{ "entry", G_STRUCT_OFFSET(struct vars, entry) },
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

/* The template key saying why a document has no text in the body. */
static enum tmpl_key
why_key(enum mugai_text_status st)
{
	switch (st) {
	case MUGAI_TEXT_ENCRYPTED:	return K_WHY_ENCRYPTED;
	case MUGAI_TEXT_DAMAGED:	return K_WHY_DAMAGED;
	case MUGAI_TEXT_UNSUPPORTED:	return K_WHY_UNSUPPORTED;
	case MUGAI_TEXT_LIMIT:		return K_WHY_LIMIT;
	case MUGAI_TEXT_TIMEOUT:	return K_WHY_TIMEOUT;
	case MUGAI_TEXT_UNAVAILABLE:	return K_WHY_UNAVAILABLE;
	case MUGAI_TEXT_EMPTY:		return K_WHY_EMPTY;
	case MUGAI_TEXT_FAILED:
	case MUGAI_TEXT_INCLUDED:
	case MUGAI_TEXT_CUT:
		break;
	}
	return K_WHY_FAILED;
}

/* The lines of a part saying what became of its documents' text. */
static void
render_texts(const struct tmpl *t, const struct mugai_report_part *p,
    GString *out)
{
	for (guint i = 0; p->rp_texts != NULL && i < p->rp_texts->len; i++) {
		const struct mugai_report_text *rt =
		    g_ptr_array_index(p->rp_texts, i);
		g_autofree char *chars = g_strdup_printf("%" G_GUINT64_FORMAT,
		    rt->rt_chars);
		g_autofree char *entry = rt->rt_entry != NULL ?
		    g_strconcat(rt->rt_entry, ": ", NULL) : NULL;
		struct vars v = { 0 };

		v.chars = chars;
		v.entry = entry;
		switch (rt->rt_status) {
		case MUGAI_TEXT_INCLUDED:
			expand(t->t_text[K_TEXT_INCLUDED], &v, out);
			break;
		case MUGAI_TEXT_CUT:
			expand(t->t_text[K_TEXT_CUT], &v, out);
			break;
		default:
			v.reason = t->t_text[why_key(rt->rt_status)];
			expand(t->t_text[K_TEXT_NONE], &v, out);
			break;
		}
	}
}

/*
 * Returns (transfer full) size as "1.2 kB (1,234 bytes)" with ASCII
 * spaces: GLib puts U+00A0 between number and unit, which ISO-2022-JP
 * does not have, and the notice's own text must never be why a message
 * leaves as UTF-8 or with 〓.
 */
static char *
notice_size(guint64 size)
{
	g_autofree char *s = g_format_size_full(size,
	    G_FORMAT_SIZE_LONG_FORMAT);
	GString *out = g_string_sized_new(strlen(s));

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == 0x00A0 || c == 0x202F || c == 0x2009)
			g_string_append_c(out, ' ');
		else
			g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

/*
 * Reasons and doubts as the engine words them (English), and the Japanese
 * the Japanese notice shows instead: the phrase that begins the reason,
 * then what follows it (a number, a header name) in brackets.
 */
static const struct {
	const char *en;
	const char *ja;
} reasons_ja[] = {
	{ "line in a header block that is not a header field",
	  "ヘッダー部にヘッダーでない行" },
	{ "conflicting header", "ヘッダーの重複" },
	{ "conflicting parameter", "パラメーターの重複" },
	{ "multipart without boundary", "区切り（boundary）のないマルチパート" },
	{ "part without headers or content", "ヘッダーも内容もないパート" },
	{ "external body reference not fetched",
	  "外部の内容への参照（取得していません）" },
	{ "encrypted part not checked",
	  "暗号化されたパート（検査できないため削除）" },
	{ "empty message", "空のメール" },
	{ "two readings give different text",
	  "読み方により本文が異なるため、両方を表示" },
	{ "encrypted content", "暗号化された内容" },
	{ "S/MIME encrypted or opaque-signed content",
	  "S/MIME で暗号化または署名で包まれた内容" },
	{ "message/partial fragment cannot be checked",
	  "分割されたメール（message/partial）の一部で、検査できません" },
	{ "inline PGP encrypted message", "PGP で暗号化された本文" },
	{ "message cannot be parsed", "メールとして読み取れません" },
	{ "malformed MIME structure", "MIME 構造の異常" },
	{ "HTML cannot be rendered", "HTML をテキストにできません" },
	{ "decoded content larger than", "復号した内容が上限より大きい" },
	{ "MIME nesting deeper than", "MIME の入れ子が上限より深い" },
	{ "more than", "パートの数が上限より多い" },
	{ "text longer than", "本文が上限より長い" },
	{ "header block larger than", "ヘッダー部が上限より大きい" },
	{ "message larger than", "メールが上限より大きい" },
	{ "line longer than", "行が上限より長い" },
	{ "sanitizing took longer than", "無害化の処理時間が上限を超えた" },
	/* how kept text was changed (mugai_report_altered) */
	{ "control bytes removed", "制御文字の削除" },
	{ "undecodable bytes replaced", "解読できないバイトの置き換え" },
	{ "markup or file signatures defused",
	  "タグやファイル署名に見える文字の置き換え" },
	{ "invisible or control characters removed",
	  "見えない文字・制御文字の削除" },
	{ "part ", "パートを復号できません" },
};

/*
 * Returns (transfer full) reason as template t shows it: the Japanese
 * phrase (and the English detail) in a Japanese template, else as it is.
 */
static char *
reason_text(const struct tmpl *t, const char *reason)
{
	if (reason == NULL)
		return NULL;
	if (!t->t_ja)
		return g_strdup(reason);
	for (gsize i = 0; i < G_N_ELEMENTS(reasons_ja); i++) {
		const char *rest;

		if (!g_str_has_prefix(reason, reasons_ja[i].en))
			continue;
		rest = reason + strlen(reasons_ja[i].en);
		while (*rest == ' ' || *rest == ':')
			rest++;
		if (*rest == '\0')
			return g_strdup(reasons_ja[i].ja);
		if (i + 1 == G_N_ELEMENTS(reasons_ja))
			rest = reason;
		/* "(multipart/encrypted)" comes in brackets already. */
		if (*rest == '(' && rest[strlen(rest) - 1] == ')')
			return g_strdup_printf("%s（%.*s）", reasons_ja[i].ja,
			    (int)strlen(rest) - 2, rest + 1);
		return g_strdup_printf("%s（%s）", reasons_ja[i].ja, rest);
	}
	return g_strdup(reason);
}

/* A detached signature: S/MIME or OpenPGP, by type or usual name. */
static gboolean
is_signature(const struct mugai_report_part *p)
{
	static const char *const types[] = { "application/pkcs7-signature",
	    "application/x-pkcs7-signature", "application/pgp-signature",
	    NULL };
	const char *t = p->rp_declared_type;

	for (gsize i = 0; t != NULL && types[i] != NULL; i++)
		if (strcmp(t, types[i]) == 0)
			return p->rp_warning == NULL;
	return FALSE;
}

/* Whether the detected type says something the declared one does not. */
static gboolean
type_differs(const struct mugai_report_part *p)
{
	const char *d = p->rp_detected_type, *t = p->rp_declared_type;

	if (d == NULL || *d == '\0' || t == NULL)
		return FALSE;
	/* libmagic's "application/octet-stream" says it does not know. */
	if (strcmp(d, "application/octet-stream") == 0)
		return FALSE;
	return g_ascii_strcasecmp(d, t) != 0;
}

static void
render_items(const struct tmpl *t, const struct mugai_report *r,
    GString *out)
{
	g_autoptr(GHashTable) warned = g_hash_table_new(g_str_hash,
	    g_str_equal);

	for (guint i = 0; i < r->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);
		g_autofree char *size = NULL;
		g_autofree char *type = NULL;
		struct vars v = { 0 };

		if (!removed(p))
			continue;
		/* One short line: nothing to look at in a signature. */
		if (is_signature(p) && *t->t_text[K_SIGNATURE] != '\0') {
			v.filename = p->rp_filename != NULL &&
			    *p->rp_filename != '\0' ? p->rp_filename :
			    p->rp_declared_type;
			expand(t->t_text[K_SIGNATURE], &v, out);
			continue;
		}
		size = notice_size(p->rp_size);
		v.filename = p->rp_filename != NULL && *p->rp_filename != '\0' ?
		    p->rp_filename : t->t_text[K_UNNAMED];
		v.type = p->rp_declared_type != NULL ? p->rp_declared_type :
		    p->rp_kind;
		v.detected = p->rp_detected_type;
		if (type_differs(p) && *t->t_text[K_TYPE_DETECTED] != '\0') {
			GString *ty = g_string_new(NULL);

			expand_line(t->t_text[K_TYPE_DETECTED],
			    t->t_text[K_TYPE_DETECTED] +
			    strlen(t->t_text[K_TYPE_DETECTED]), &v, ty);
			type = g_string_free(ty, FALSE);
			v.type = type;
		}
		v.size = size;
		v.sha256 = p->rp_sha256;
		v.action = t->t_text[p->rp_action == MUGAI_ACT_QUARANTINE ?
		    K_ACTION_QUARANTINE : K_ACTION_DROP];
		expand(t->t_text[K_ITEM], &v, out);
		/* A rule's warning once per language, at its first part. */
		if (p->rp_warning != NULL &&
		    !g_hash_table_contains(warned, p->rp_warning)) {
			g_hash_table_add(warned, p->rp_warning);
			v.warning = p->rp_warning;
			expand(t->t_text[K_WARNING], &v, out);
		}
		render_texts(t, p, out);
	}
}

/*
 * The reasons of list in one line of template key: the doubts the engine
 * read through (K_DOUBT), how kept text was changed for safety
 * (K_ALTERED). Nothing when the list is empty.
 */
static void
render_reasons(const struct tmpl *t, const GPtrArray *list,
    enum tmpl_key key, GString *out)
{
	GString *all = g_string_new(NULL);
	struct vars v = { 0 };

	for (guint i = 0; i < list->len; i++) {
		g_autofree char *reason = reason_text(t,
		    g_ptr_array_index(list, i));

		if (i > 0)
			g_string_append(all, t->t_ja ? "、" : "; ");
		g_string_append(all, reason);
	}
	v.reason = all->str;
	if (all->len > 0)
		expand(t->t_text[key], &v, out);
	g_string_free(all, TRUE);
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
	if (mugai_report_removed(r) == 0 && r->rr_doubts->len == 0 &&
	    r->rr_altered->len == 0)
		return;
	for (guint i = 0; i < n->nt_langs->len; i++) {
		const struct tmpl *t = g_ptr_array_index(n->nt_langs, i);
		struct vars v = { 0 };

		v.id = id;
		v.link = link;
		if (i > 0)
			g_string_append_c(out, '\n');
		expand(t->t_text[K_HEADER], &v, out);
		render_reasons(t, r->rr_doubts, K_DOUBT, out);
		render_reasons(t, r->rr_altered, K_ALTERED, out);
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
		g_autofree char *why = reason_text(t, reason);
		struct vars v = { 0 };

		v.id = id;
		v.reason = why;
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
