/*
 * mugai_qmeta - meta.json of a quarantined item (doc/quarantine-meta.md)
 *
 * Built from what the MTA told us (the envelope), the original's header
 * block (decoded with GMime: RFC 2047, 8-bit text tried as UTF-8, CP932,
 * EUC-JP, then Latin-1), its size and SHA-256, and the engine's report.
 * Every string from mail or MTA passes g_utf8_make_valid(), so the file is
 * valid UTF-8 JSON whatever the message held. A header block GMime cannot
 * parse leaves the header fields null; that is not an error.
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "store/qmeta.h"

gboolean
mugai_qmeta_header_end(const guint8 *p, gsize n, gsize *len)
{
	const guint8 *nl = p;

	/* memchr: the header block is scanned at memchr's pace, not ours. */
	while ((nl = memchr(nl, '\n', n - (gsize)(nl - p))) != NULL) {
		gsize i = (gsize)(nl - p);

		if (i + 1 < n && p[i + 1] == '\n') {
			*len = i + 2;
			return TRUE;
		}
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
			*len = i + 3;
			return TRUE;
		}
		nl++;
	}
	*len = n;
	return FALSE;
}

static void
set_str(JsonObject *o, const char *name, const char *value)
{
	if (value == NULL) {
		json_object_set_null_member(o, name);
	} else {
		g_autofree char *v = g_utf8_make_valid(value, -1);

		json_object_set_string_member(o, name, v);
	}
}

static void
set_addresses(JsonObject *o, const char *name, InternetAddressList *list)
{
	g_autofree char *s = NULL;

	if (list != NULL && internet_address_list_length(list) > 0)
		s = internet_address_list_to_string(list, NULL, FALSE);
	set_str(o, name, s);
}

/* The header fields meta.json keeps: what header_fields() asks GMime. */
static gboolean
wanted_field(const guint8 *name, gsize len)
{
	static const char *const wanted[] = { "from", "to", "cc", "subject",
	    "date", "message-id" };

	for (gsize i = 0; i < G_N_ELEMENTS(wanted); i++)
		if (strlen(wanted[i]) == len &&
		    g_ascii_strncasecmp((const char *)name, wanted[i], len) == 0)
			return TRUE;
	return FALSE;
}

/*
 * Copies into out the lines of the header block p (n bytes, through its
 * blank line or not) that belong to the fields meta.json keeps, with
 * their continuation lines, as they are. GMime then builds a message of
 * six fields rather than of every Received:, DKIM-Signature: and
 * Content-Type: (a multipart it would construct for nothing): the
 * fields' values are parsed by the same code either way. FALSE, and out
 * left alone, when a line is not plainly a field or a continuation (a
 * name with other bytes, a line without a colon, a leading continuation):
 * GMime's own reading of such a block is kept, whole.
 */
static gboolean
wanted_lines(const guint8 *p, gsize n, GByteArray *out)
{
	gsize start = out->len;
	gboolean keep = FALSE, first = TRUE;

	while (n > 0) {
		const guint8 *nl = memchr(p, '\n', n);
		gsize len = nl != NULL ? (gsize)(nl - p) + 1 : n;
		gsize name = 0, i;

		if (len == 1 || (len == 2 && p[0] == '\r'))
			break;			/* the blank line */
		if (p[0] == ' ' || p[0] == '\t') {
			if (first)
				goto irregular;
		} else {
			while (name < len && p[name] >= 0x21 &&
			    p[name] <= 0x7e && p[name] != ':')
				name++;
			for (i = name; i < len && (p[i] == ' ' ||
			    p[i] == '\t'); i++)
				;
			if (name == 0 || i >= len || p[i] != ':')
				goto irregular;
			keep = wanted_field(p, name);
		}
		if (keep)
			g_byte_array_append(out, p, (guint)len);
		first = FALSE;
		p += len;
		n -= len;
	}
	return TRUE;
irregular:
	g_byte_array_set_size(out, (guint)start);
	return FALSE;
}

/* From/To/Cc/Subject/Date/Message-ID, decoded, from the header block. */
static JsonObject *
header_fields(const guint8 *head, gsize head_len)
{
	const char *fallback[] = { "UTF-8", "CP932", "EUC-JP", "ISO-8859-1",
	    NULL };
	JsonObject *o = json_object_new();
	gsize len;
	GMimeStream *s;
	GMimeParser *parser;
	GMimeParserOptions *opts;
	GMimeMessage *msg;
	GDateTime *date;
	GByteArray *fields = g_byte_array_new();

	(void)mugai_qmeta_header_end(head, head_len, &len);
	s = g_mime_stream_mem_new();
	if (wanted_lines(head, len, fields)) {
		if (fields->len > 0)
			g_mime_stream_write(s, (const char *)fields->data,
			    fields->len);
	} else
		g_mime_stream_write(s, (const char *)head, len);
	g_byte_array_free(fields, TRUE);
	g_mime_stream_write(s, "\n", 1);
	g_mime_stream_reset(s);
	parser = g_mime_parser_new_with_stream(s);
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg == NULL) {
		const char *names[] = { "from", "to", "cc", "subject", "date",
		    "date_iso", "message_id" };

		for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
			json_object_set_null_member(o, names[i]);
		goto out;
	}
	set_addresses(o, "from", g_mime_message_get_from(msg));
	set_addresses(o, "to", g_mime_message_get_to(msg));
	set_addresses(o, "cc", g_mime_message_get_cc(msg));
	set_str(o, "subject", g_mime_message_get_subject(msg));
	set_str(o, "date", g_mime_object_get_header(GMIME_OBJECT(msg),
	    "Date"));
	if ((date = g_mime_message_get_date(msg)) != NULL) {
		g_autofree char *iso = g_date_time_format(date,
		    "%Y-%m-%dT%H:%M:%S%:z");

		set_str(o, "date_iso", iso);
	} else {
		json_object_set_null_member(o, "date_iso");
	}
	set_str(o, "message_id", g_mime_message_get_message_id(msg));
	g_object_unref(msg);
out:
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(s);
	return o;
}

static JsonObject *
envelope_fields(const struct mugai_envelope *env)
{
	JsonObject *o = json_object_new();
	JsonArray *rcpts = json_array_new();
	struct mugai_envelope none = { 0 };

	if (env == NULL)
		env = &none;
	set_str(o, "queue_id", env->ev_queue_id);
	set_str(o, "client_addr", env->ev_client_addr);
	set_str(o, "client_name", env->ev_client_name);
	set_str(o, "helo", env->ev_helo);
	set_str(o, "sender", env->ev_sender);
	for (gsize i = 0; env->ev_rcpts != NULL && env->ev_rcpts[i] != NULL;
	    i++) {
		g_autofree char *v = g_utf8_make_valid(env->ev_rcpts[i], -1);

		json_array_add_string_element(rcpts, v);
	}
	json_object_set_array_member(o, "recipients", rcpts);
	return o;
}

/* What `mugai quarantine list` shows, without parsing the whole report. */
static JsonObject *
summary_fields(const struct mugai_report *report)
{
	JsonObject *o = json_object_new();
	JsonArray *removed = json_array_new();

	if (report == NULL) {
		json_object_set_null_member(o, "verdict");
		json_object_set_null_member(o, "rule");
		json_object_set_int_member(o, "removed_count", 0);
		json_object_set_array_member(o, "removed", removed);
		return o;
	}
	json_object_set_string_member(o, "verdict",
	    mugai_verdict_name(report->rr_verdict));
	set_str(o, "rule", report->rr_rule);
	for (guint i = 0; report->rr_parts != NULL &&
	    i < report->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(report->rr_parts, i);
		const char *name;

		if (p->rp_action != MUGAI_ACT_DROP &&
		    p->rp_action != MUGAI_ACT_QUARANTINE)
			continue;
		name = p->rp_filename != NULL ? p->rp_filename :
		    p->rp_declared_type != NULL ? p->rp_declared_type :
		    p->rp_kind != NULL ? p->rp_kind : "part";
		{
			g_autofree char *v = g_utf8_make_valid(name, -1);

			json_array_add_string_element(removed, v);
		}
	}
	json_object_set_int_member(o, "removed_count",
	    json_array_get_length(removed));
	json_object_set_array_member(o, "removed", removed);
	return o;
}

/* Returns (transfer full) o as compact or pretty JSON text. */
static char *
to_text(JsonObject *o, gboolean pretty)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	char *text;

	json_node_set_object(root, o);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, pretty);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	return text;
}

/* Copies member name of from into to when it is there. */
static void
copy_member(JsonObject *to, JsonObject *from, const char *name)
{
	if (from != NULL && json_object_has_member(from, name))
		json_object_set_member(to, name,
		    json_object_dup_member(from, name));
}

/* A string member of o, or NULL (also for a null or another type). */
static const char *
str_member(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static JsonObject *
obj_member(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	return json_node_get_object(n);
}

JsonObject *
mugai_qmeta_row(JsonObject *meta, const char *node)
{
	static const char *const keep[] = { "schema", "id", "time", "host",
	    "envelope", "headers", "original", "summary" };
	JsonObject *row = json_object_new();
	JsonObject *report = obj_member(meta, "report");
	JsonObject *summary = obj_member(meta, "summary");
	JsonArray *parts = json_array_new(), *rules = json_array_new();
	JsonNode *pn;
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	const char *rule;

	json_object_set_string_member(row, "op", "stored");
	if (node == NULL || *node == '\0')
		node = str_member(meta, "host");
	if (node != NULL)
		json_object_set_string_member(row, "node", node);
	else
		json_object_set_null_member(row, "node");
	for (gsize i = 0; i < G_N_ELEMENTS(keep); i++)
		copy_member(row, meta, keep[i]);
	if ((rule = str_member(summary, "rule")) != NULL) {
		g_hash_table_add(seen, (gpointer)rule);
		json_array_add_string_element(rules, rule);
	}
	if (report != NULL && (pn = json_object_get_member(report,
	    "parts")) != NULL && JSON_NODE_HOLDS_ARRAY(pn)) {
		JsonArray *a = json_node_get_array(pn);

		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);
			JsonObject *p, *o;

			if (!JSON_NODE_HOLDS_OBJECT(e))
				continue;
			p = json_node_get_object(e);
			o = json_object_new();
			copy_member(o, p, "path");
			copy_member(o, p, "sha256");
			copy_member(o, p, "action");
			copy_member(o, p, "rule");
			copy_member(o, p, "filename");
			copy_member(o, p, "declared_type");
			json_array_add_object_element(parts, o);
			if ((rule = str_member(p, "rule")) != NULL &&
			    !g_hash_table_contains(seen, rule)) {
				g_hash_table_add(seen, (gpointer)rule);
				json_array_add_string_element(rules, rule);
			}
		}
	}
	g_hash_table_destroy(seen);
	json_object_set_array_member(row, "parts", parts);
	json_object_set_array_member(row, "rules", rules);
	return row;
}

char *
mugai_qmeta_row_text(JsonObject *meta, const char *node)
{
	JsonObject *row = mugai_qmeta_row(meta, node);
	char *text = to_text(row, FALSE);

	json_object_unref(row);
	return text;
}

char *
mugai_qmeta_build(const char *id, gint64 usec,
    const struct mugai_envelope *env,
    const struct mugai_report *report, guint64 size, const char *sha,
    const guint8 *head, gsize head_len, const char *node, char **row)
{
	JsonObject *o = json_object_new();
	JsonObject *orig = json_object_new();
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *when = NULL;
	char host[256];
	char *text;
	gsize len;

	dt = g_date_time_new_from_unix_utc(usec / G_USEC_PER_SEC);
	{
		g_autofree char *base = g_date_time_format(dt,
		    "%Y-%m-%dT%H:%M:%S");

		when = g_strdup_printf("%s.%06dZ", base,
		    (int)(usec % G_USEC_PER_SEC));
	}
	if (gethostname(host, sizeof host) != 0)
		g_strlcpy(host, "", sizeof host);
	host[sizeof host - 1] = '\0';

	json_object_set_int_member(o, "schema", MUGAI_QMETA_SCHEMA);
	json_object_set_string_member(o, "id", id);
	json_object_set_string_member(o, "time", when);
	json_object_set_string_member(o, "host", host);
	json_object_set_string_member(o, "mugai_version", PACKAGE_VERSION);
	json_object_set_object_member(o, "envelope", envelope_fields(env));
	json_object_set_object_member(o, "headers",
	    header_fields(head, head_len));
	json_object_set_string_member(orig, "file", "original.eml");
	json_object_set_int_member(orig, "size", (gint64)size);
	json_object_set_string_member(orig, "sha256", sha);
	json_object_set_object_member(o, "original", orig);
	json_object_set_object_member(o, "summary", summary_fields(report));
	if (report != NULL)
		json_object_set_member(o, "report",
		    mugai_report_to_json(report));
	else
		json_object_set_null_member(o, "report");
	/* The final newline in place: the file is then one write(2). */
	text = to_text(o, TRUE);
	len = strlen(text);
	text = g_realloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	if (row != NULL)
		*row = mugai_qmeta_row_text(o, node);
	json_object_unref(o);
	return text;
}
