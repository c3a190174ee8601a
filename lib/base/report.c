/*
 * mugai_report - the record of every decision about one message
 *
 * Built by the engine, read by the CLI (text and JSON), the quarantine
 * (meta.json) and the milter (log line). Nothing here interprets mail.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/report.h"

static void
text_free(gpointer data)
{
	struct mugai_report_text *t = data;

	g_free(t->rt_entry);
	g_free(t->rt_reason);
	g_free(t);
}

static void
part_free(gpointer data)
{
	struct mugai_report_part *p = data;

	g_free(p->rp_path);
	g_free(p->rp_kind);
	g_free(p->rp_declared_type);
	g_free(p->rp_detected_type);
	g_free(p->rp_filename);
	g_free(p->rp_reason);
	g_free(p->rp_rule);
	g_free(p->rp_warning);
	if (p->rp_flags != NULL)
		g_ptr_array_unref(p->rp_flags);
	if (p->rp_texts != NULL)
		g_ptr_array_unref(p->rp_texts);
	g_free(p);
}

struct mugai_report *
mugai_report_new(void)
{
	struct mugai_report *r = g_new0(struct mugai_report, 1);

	r->rr_engine = "gmime";
	r->rr_parts = g_ptr_array_new_with_free_func(part_free);
	r->rr_warnings = g_ptr_array_new_with_free_func(g_free);
	r->rr_doubts = g_ptr_array_new_with_free_func(g_free);
	r->rr_altered = g_ptr_array_new_with_free_func(g_free);
	return r;
}

void
mugai_report_free(struct mugai_report *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref(r->rr_parts);
	g_ptr_array_unref(r->rr_warnings);
	g_ptr_array_unref(r->rr_doubts);
	g_ptr_array_unref(r->rr_altered);
	g_free(r->rr_withheld_reason);
	g_free(r->rr_limit);
	g_free(r->rr_rule);
	g_free(r->rr_quarantine_id);
	g_free(r);
}

struct mugai_report_part *
mugai_report_add_part(struct mugai_report *r, const char *path,
    const char *kind)
{
	struct mugai_report_part *p = g_new0(struct mugai_report_part, 1);

	p->rp_path = g_strdup(path);
	p->rp_kind = g_strdup(kind);
	p->rp_flags = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(r->rr_parts, p);
	return p;
}

void
mugai_report_warn(struct mugai_report *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* Malformed mail can repeat one warning thousands of times. */
	for (guint i = 0; i < r->rr_warnings->len; i++)
		if (strcmp(g_ptr_array_index(r->rr_warnings, i), msg) == 0) {
			g_free(msg);
			return;
		}
	if (r->rr_warnings->len >= 100) {
		g_free(msg);
		return;
	}
	g_ptr_array_add(r->rr_warnings, msg);
}

void
mugai_report_doubt(struct mugai_report *r, const char *doubt)
{
	for (guint i = 0; i < r->rr_doubts->len; i++)
		if (strcmp(g_ptr_array_index(r->rr_doubts, i), doubt) == 0)
			return;
	if (r->rr_doubts->len < 20)
		g_ptr_array_add(r->rr_doubts, g_strdup(doubt));
}

void
mugai_report_altered(struct mugai_report *r, const char *what)
{
	for (guint i = 0; i < r->rr_altered->len; i++)
		if (strcmp(g_ptr_array_index(r->rr_altered, i), what) == 0)
			return;
	if (r->rr_altered->len < 20)
		g_ptr_array_add(r->rr_altered, g_strdup(what));
}

void
mugai_report_part_flag(struct mugai_report_part *p, const char *flag)
{
	if (p->rp_flags == NULL)
		p->rp_flags = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < p->rp_flags->len; i++)
		if (strcmp(g_ptr_array_index(p->rp_flags, i), flag) == 0)
			return;
	g_ptr_array_add(p->rp_flags, g_strdup(flag));
}

void
mugai_report_part_flags(struct mugai_report_part *p, enum mugai_flag_by by,
    guint bits)
{
	const struct mugai_flag *f;

	for (f = mugai_flag_table(); f->fl_name != NULL; f++)
		if (f->fl_by == by && (bits & f->fl_bit) != 0 && !f->fl_valued)
			mugai_report_part_flag(p, f->fl_name);
}

void
mugai_report_part_flag_value(struct mugai_report_part *p,
    enum mugai_flag_by by, guint bit, const char *value)
{
	g_autofree char *flag = g_strconcat(mugai_flag_name(by, bit),
	    "=", value, NULL);

	mugai_report_part_flag(p, flag);
}

guint
mugai_report_removed(const struct mugai_report *r)
{
	guint n = 0;

	for (guint i = 0; i < r->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);

		if (p->rp_action == MUGAI_ACT_DROP ||
		    p->rp_action == MUGAI_ACT_QUARANTINE)
			n++;
	}
	return n;
}

const char *
mugai_action_name(enum mugai_action a)
{
	switch (a) {
	case MUGAI_ACT_TEXT:		return "text";
	case MUGAI_ACT_SKIP:		return "skip";
	case MUGAI_ACT_DROP:		return "drop";
	case MUGAI_ACT_QUARANTINE:	return "quarantine";
	case MUGAI_ACT_REJECT:		return "reject";
	case MUGAI_ACT_TEMPFAIL:	return "tempfail";
	}
	return "unknown";
}

const char *
mugai_verdict_name(enum mugai_verdict v)
{
	switch (v) {
	case MUGAI_V_UNCHANGED:	return "unchanged";
	case MUGAI_V_SANITIZED:	return "sanitized";
	case MUGAI_V_WITHHELD:	return "withheld";
	case MUGAI_V_REJECT:	return "reject";
	case MUGAI_V_TEMPFAIL:	return "tempfail";
	}
	return "unknown";
}

static void
add_str(JsonBuilder *b, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

struct mugai_report_text *
mugai_report_part_text(struct mugai_report_part *part, const char *entry,
    enum mugai_text_status status, guint64 chars, const char *reason)
{
	struct mugai_report_text *t = g_new0(struct mugai_report_text, 1);

	if (part->rp_texts == NULL)
		part->rp_texts = g_ptr_array_new_with_free_func(text_free);
	t->rt_entry = g_strdup(entry);
	t->rt_status = status;
	t->rt_chars = chars;
	t->rt_reason = g_strdup(reason);
	g_ptr_array_add(part->rp_texts, t);
	return t;
}

const char *
mugai_text_status_name(enum mugai_text_status status)
{
	static const char *const names[] = { "included", "cut", "empty",
	    "encrypted", "damaged", "unsupported", "limit", "failed",
	    "timeout", "unavailable" };

	if ((guint)status >= G_N_ELEMENTS(names))
		return "?";
	return names[status];
}

/* The "text" member of a part: what became of a document's text. */
static void
texts_to_json(JsonBuilder *b, const GPtrArray *texts)
{
	if (texts == NULL || texts->len == 0)
		return;
	json_builder_set_member_name(b, "text");
	json_builder_begin_array(b);
	for (guint i = 0; i < texts->len; i++) {
		const struct mugai_report_text *t = g_ptr_array_index(texts, i);

		json_builder_begin_object(b);
		add_str(b, "entry", t->rt_entry);
		add_str(b, "status", mugai_text_status_name(t->rt_status));
		json_builder_set_member_name(b, "chars");
		json_builder_add_int_value(b, (gint64)t->rt_chars);
		add_str(b, "reason", t->rt_reason);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
part_to_json(JsonBuilder *b, const struct mugai_report_part *p)
{
	json_builder_begin_object(b);
	add_str(b, "path", p->rp_path);
	add_str(b, "kind", p->rp_kind);
	add_str(b, "declared_type", p->rp_declared_type);
	add_str(b, "detected_type", p->rp_detected_type);
	add_str(b, "filename", p->rp_filename);
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)p->rp_size);
	add_str(b, "sha256", p->rp_sha256);
	add_str(b, "action", mugai_action_name(p->rp_action));
	add_str(b, "reason", p->rp_reason);
	add_str(b, "rule", p->rp_rule);
	add_str(b, "warning", p->rp_warning);
	json_builder_set_member_name(b, "flags");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->rp_flags->len; i++)
		json_builder_add_string_value(b,
		    g_ptr_array_index(p->rp_flags, i));
	json_builder_end_array(b);
	texts_to_json(b, p->rp_texts);
	json_builder_end_object(b);
}

JsonNode *
mugai_report_to_json(const struct mugai_report *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	add_str(b, "verdict", mugai_verdict_name(r->rr_verdict));
	add_str(b, "engine", r->rr_engine);
	add_str(b, "withheld_reason", r->rr_withheld_reason);
	add_str(b, "limit", r->rr_limit);
	add_str(b, "rule", r->rr_rule);
	add_str(b, "quarantine_id", r->rr_quarantine_id);
	/* Only when it happened: reports of other messages stay as they were. */
	if (r->rr_charset_fallback) {
		json_builder_set_member_name(b, "charset_fallback");
		json_builder_add_boolean_value(b, TRUE);
	}
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)r->rr_size);
	add_str(b, "sha256", r->rr_sha256);
	json_builder_set_member_name(b, "removed");
	json_builder_add_int_value(b, mugai_report_removed(r));
	json_builder_set_member_name(b, "parts");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->rr_parts->len; i++)
		part_to_json(b, g_ptr_array_index(r->rr_parts, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "warnings");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->rr_warnings->len; i++)
		json_builder_add_string_value(b,
		    g_ptr_array_index(r->rr_warnings, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "doubts");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->rr_doubts->len; i++)
		json_builder_add_string_value(b,
		    g_ptr_array_index(r->rr_doubts, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "altered");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->rr_altered->len; i++)
		json_builder_add_string_value(b,
		    g_ptr_array_index(r->rr_altered, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/*
 * Appends s (from mail: a filename, a type) for a terminal: control
 * characters, escape sequences and bidi overrides become '?', so a name
 * cannot rewrite what the administrator sees.
 */
static void
append_printable(GString *out, const char *s)
{
	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_c(out, '?');
			if (c == (gunichar)-2)
				break;
			continue;
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
		    (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069))
			g_string_append_c(out, '?');
		else
			g_string_append_unichar(out, c);
	}
}

char *
mugai_report_to_text(const struct mugai_report *r)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "verdict: %s (engine %s)\n",
	    mugai_verdict_name(r->rr_verdict), r->rr_engine);
	if (r->rr_withheld_reason != NULL)
		g_string_append_printf(s, "withheld: %s\n",
		    r->rr_withheld_reason);
	if (r->rr_limit != NULL)
		g_string_append_printf(s, "limit: %s\n", r->rr_limit);
	if (r->rr_rule != NULL)
		g_string_append_printf(s, "rule: %s\n", r->rr_rule);
	if (r->rr_quarantine_id != NULL)
		g_string_append_printf(s, "quarantine: %s\n",
		    r->rr_quarantine_id);
	if (r->rr_charset_fallback)
		g_string_append(s, "charset: utf-8 (iso-2022-jp lacks some "
		    "characters)\n");
	g_string_append_printf(s, "original: %" G_GUINT64_FORMAT
	    " bytes, sha256 %s\n", r->rr_size, r->rr_sha256);
	for (guint i = 0; i < r->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);

		g_string_append_printf(s, "part %s [%s] ", p->rp_path,
		    p->rp_kind);
		append_printable(s, p->rp_declared_type != NULL ?
		    p->rp_declared_type : "-");
		g_string_append_printf(s, ": %s",
		    mugai_action_name(p->rp_action));
		if (p->rp_reason != NULL)
			g_string_append_printf(s, " (%s)", p->rp_reason);
		g_string_append_c(s, '\n');
		if (p->rp_filename != NULL) {
			g_string_append(s, "    filename: ");
			append_printable(s, p->rp_filename);
			g_string_append_c(s, '\n');
		}
		if (p->rp_detected_type != NULL)
			g_string_append_printf(s, "    detected: %s\n",
			    p->rp_detected_type);
		if (p->rp_sha256[0] != '\0')
			g_string_append_printf(s, "    size: %" G_GUINT64_FORMAT
			    ", sha256: %s\n", p->rp_size, p->rp_sha256);
		if (p->rp_rule != NULL)
			g_string_append_printf(s, "    rule: %s\n", p->rp_rule);
		for (guint j = 0; p->rp_flags != NULL &&
		    j < p->rp_flags->len; j++) {
			g_string_append(s, "    flag: ");
			append_printable(s, g_ptr_array_index(p->rp_flags, j));
			g_string_append_c(s, '\n');
		}
		for (guint j = 0; p->rp_texts != NULL &&
		    j < p->rp_texts->len; j++) {
			const struct mugai_report_text *t =
			    g_ptr_array_index(p->rp_texts, j);

			g_string_append(s, "    text: ");
			if (t->rt_entry != NULL) {
				append_printable(s, t->rt_entry);
				g_string_append(s, ": ");
			}
			g_string_append_printf(s, "%s, %" G_GUINT64_FORMAT
			    " characters%s%s\n",
			    mugai_text_status_name(t->rt_status), t->rt_chars,
			    t->rt_reason != NULL ? ", " : "",
			    t->rt_reason != NULL ? t->rt_reason : "");
		}
	}
	for (guint i = 0; i < r->rr_warnings->len; i++)
		g_string_append_printf(s, "warning: %s\n",
		    (char *)g_ptr_array_index(r->rr_warnings, i));
	for (guint i = 0; i < r->rr_doubts->len; i++) {
		g_string_append(s, "doubt: ");
		append_printable(s, g_ptr_array_index(r->rr_doubts, i));
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < r->rr_altered->len; i++) {
		g_string_append(s, "altered: ");
		append_printable(s, g_ptr_array_index(r->rr_altered, i));
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}
