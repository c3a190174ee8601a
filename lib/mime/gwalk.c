/*
 * mugai_gwalk - the GMime engine's walk: parse the message, walk the tree
 *
 * GMime parses the message from the caller's stream (parts stay on the
 * stream; content is decoded only when it is read) and the walk recurses
 * over the tree: multipart/alternative and multipart/related keep their
 * children's texts and report entries on the stack, message/rfc822 walks
 * the message it carries. Every decision about a part is lib/mime/walk.c's,
 * the same functions lib/mime/swalk.c calls for the streaming engine, so
 * this file only reads: a part's type, name and disposition, its decoded
 * bytes, and whether its encoded body may pass as it came.
 *
 * Every recursion carries a depth that mugai_walk_enter() checks against
 * max_depth. Content GMime cannot read withholds the message.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/limits.h"
#include "base/partnum.h"
#include "mime/b64filter.h"
#include "mime/gwalk.h"
#include "mime/headers.h"

static void walk_object(struct mugai_walk *w, GMimeObject *obj,
    const char *path, guint depth);

static void
parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	(void)offset;
	mugai_walk_parser_warning(data, code, item);
}

static char *
child_path(const char *path, guint i)
{
	return g_strdup_printf("%s.%u", path, i + 1);
}

/*
 * TRUE when the Content-Type field says just "text" (no subtype), which
 * GMime reads as application/octet-stream; RFC 2045 makes it text.
 */
static gboolean
bare_text_type(GMimeObject *obj)
{
	const char *v = g_mime_object_get_header(obj, "Content-Type");
	gsize n;

	if (v == NULL)
		return FALSE;
	while (g_ascii_isspace(*v))
		v++;
	if (g_ascii_strncasecmp(v, "text", 4) != 0)
		return FALSE;
	for (n = 4; g_ascii_isspace(v[n]); n++)
		;
	return v[n] == '\0' || v[n] == ';';
}

static char *
mime_type(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	g_autofree char *t = ct != NULL ?
	    g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");

	if (GMIME_IS_PART(obj) && bare_text_type(obj))
		return g_strdup("text");
	return g_ascii_strdown(t, -1);
}

static char *
part_filename(GMimeObject *obj)
{
	const char *fn = GMIME_IS_PART(obj) ?
	    g_mime_part_get_filename(GMIME_PART(obj)) : NULL;

	if (fn == NULL)
		return NULL;
	return mugai_headers_filename(fn);
}

static gboolean
is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	if (d != NULL && g_mime_content_disposition_is_attachment(d))
		return TRUE;
	return GMIME_IS_PART(obj) &&
	    g_mime_part_get_filename(GMIME_PART(obj)) != NULL;
}

/* The facts of a GMime leaf (members owned by lf; path lent). */
static void
leaf_init(struct mugai_walk_leaf *lf, GMimePart *part, const char *path)
{
	GMimeObject *obj = GMIME_OBJECT(part);

	lf->wl_path = path;
	lf->wl_type = mime_type(obj);
	lf->wl_filename = part_filename(obj);
	lf->wl_charset = g_mime_object_get_content_type_parameter(obj,
	    "charset");
	lf->wl_format = g_mime_object_get_content_type_parameter(obj,
	    "format");
	lf->wl_delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
	lf->wl_attachment = is_attachment(obj);
}

static void
leaf_clear(struct mugai_walk_leaf *lf)
{
	g_free(lf->wl_type);
	g_free(lf->wl_filename);
}

/*
 * Returns (transfer full) a stream of part's decoded content. Encodings
 * GMime cannot decode (binhex, x-token) are read as they are: the policy
 * then sees and hashes the bytes the message carries.
 */
static GMimeStream *
decoded_stream(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeStream *raw, *f;
	GMimeFilter *basic;

	if (dw == NULL || (raw = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return g_mime_stream_mem_new();
	g_mime_stream_reset(raw);
	enc = g_mime_data_wrapper_get_encoding(dw);
	if (enc != GMIME_CONTENT_ENCODING_BASE64 &&
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    enc != GMIME_CONTENT_ENCODING_UUENCODE)
		return g_object_ref(raw);
	f = g_mime_stream_filter_new(raw);
	/* Base64 as the fast path decodes it: GMime's bytes, faster. */
	basic = enc == GMIME_CONTENT_ENCODING_BASE64 ? mugai_b64_filter_new() :
	    g_mime_filter_basic_new(enc, FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), basic);
	g_object_unref(basic);
	return f;
}

static void
remove_leaf(struct mugai_walk *w, GMimePart *part, const char *path,
    const char *reason)
{
	struct mugai_walk_leaf lf;
	GMimeStream *s = decoded_stream(part);

	leaf_init(&lf, part, path);
	mugai_walk_remove(w, &lf, reason, s);
	leaf_clear(&lf);
	g_object_unref(s);
}

/*
 * Returns (transfer full) the decoded content of part, or NULL on a read
 * error or when the time ran out (the walk is then withheld).
 */
static GByteArray *
read_decoded(struct mugai_walk *w, GMimePart *part)
{
	GMimeStream *s = decoded_stream(part);
	GByteArray *out = g_byte_array_new();
	char buf[MUGAI_IO_CHUNK];
	gssize n;

	/* As g_mime_stream_write_to_stream(), with a clock check per block. */
	while (!g_mime_stream_eos(s)) {
		if ((n = g_mime_stream_read(s, buf, sizeof buf)) < 0 ||
		    (n > 0 && !mugai_walk_in_time(w))) {
			g_byte_array_unref(out);
			out = NULL;
			break;
		}
		if (n == 0)
			break;
		g_byte_array_append(out, (const guint8 *)buf, (guint)n);
	}
	g_object_unref(s);
	return out;
}

/* The raw (encoded) body is fit to pass: no NUL, bare CR, long line. */
static gboolean
raw_passes(gpointer data)
{
	GMimePart *part = data;
	GMimeContentEncoding enc = g_mime_part_get_content_encoding(part);
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *s;
	char buf[MUGAI_IO_CHUNK];
	gsize line = 0;
	gssize n;
	gboolean prev_cr = FALSE;

	const char *cte = g_mime_object_get_header(GMIME_OBJECT(part),
	    "Content-Transfer-Encoding");
	g_autofree char *label = cte != NULL ? g_strstrip(g_strdup(cte)) : NULL;

	/* GMime reads an unknown encoding as the default: look at the label. */
	if (label != NULL && g_ascii_strcasecmp(label, "7bit") != 0 &&
	    g_ascii_strcasecmp(label, "8bit") != 0)
		return FALSE;
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT &&
	    enc != GMIME_CONTENT_ENCODING_7BIT &&
	    enc != GMIME_CONTENT_ENCODING_8BIT)
		return FALSE;
	if (dw == NULL || (s = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return TRUE;
	g_mime_stream_reset(s);
	/* A bounded (file) stream answers -1, not 0, when read past its end. */
	n = 0;
	while (!g_mime_stream_eos(s) &&
	    (n = g_mime_stream_read(s, buf, sizeof buf)) > 0) {
		for (gssize i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (prev_cr && c != '\n')
				return FALSE;
			prev_cr = c == '\r';
			if (c == '\0' || (c >= 0x80 &&
			    enc != GMIME_CONTENT_ENCODING_8BIT))
				return FALSE;
			line = c == '\n' ? 0 : line + 1;
			if (line > 999)
				return FALSE;
		}
	}
	return n >= 0 && !prev_cr;
}

/* Renders a text leaf (plain or HTML) into the output. */
static void
render_text(struct mugai_walk *w, GMimePart *part, const char *path,
    gboolean html, guint depth)
{
	g_autoptr(GByteArray) raw = NULL;
	struct mugai_walk_leaf lf;

	if ((raw = read_decoded(w, part)) == NULL) {
		mugai_walk_withhold(w, "part %s cannot be decoded", path);
		return;
	}
	leaf_init(&lf, part, path);
	mugai_walk_text(w, &lf, raw, html, depth, raw_passes, part);
	leaf_clear(&lf);
}

/* A text attachment rendered inline (inline_text_attachments = true). */
static void
render_attachment_text(struct mugai_walk *w, GMimePart *part,
    const char *path, guint depth)
{
	struct mugai_walk_leaf lf;

	leaf_init(&lf, part, path);
	mugai_walk_attachment_label(w, &lf);
	leaf_clear(&lf);
	render_text(w, part, path, FALSE, depth + 1);
}

/*
 * GMime ends a part before a boundary by the length of the boundary line's
 * own line end (two bytes for CRLF, one for LF or none), not of the line
 * break before it, which RFC 2046 gives to the boundary. So a CRLF part
 * before a closing boundary without a line end kept a stray CR (its size
 * and SHA-256 in the notice were wrong), and an LF part before a CRLF
 * boundary lost its last byte. Here the content ends at that line break,
 * whatever ends the boundary line (scan.c's boundary() agrees). GMime's
 * content is a substream of the parsed stream (super_stream, bounds);
 * anything else is left alone.
 */
static void
content_end_fix(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *s, *sup, *fixed;
	gint64 start, end, from, nl;
	char b[5];
	gssize n;

	if (dw == NULL || (s = g_mime_data_wrapper_get_stream(dw)) == NULL ||
	    (sup = s->super_stream) == NULL)
		return;
	start = s->bound_start;
	end = s->bound_end;
	if (start < 0 || end < start)
		return;
	/* b: the content's last byte (if any), then what follows it. */
	from = end > start ? end - 1 : end;
	if (g_mime_stream_seek(sup, from, GMIME_STREAM_SEEK_SET) != from ||
	    (n = g_mime_stream_read(sup, b, sizeof b)) < 0)
		return;
	memset(b + n, 0, sizeof b - (gsize)n);
	{
		const char *a = b + (end - from);	/* the byte at end */

		if (a[0] == '\n' && a[1] == '-' && a[2] == '-')
			nl = end;
		else if (a[1] == '\n' && a[2] == '-' && a[3] == '-')
			nl = end + 1;
		else
			return;
	}
	/* The line break is CRLF when the byte before the LF is a CR. */
	if (nl > start && (nl == end ? b[0] : b[end - from]) == '\r')
		nl--;
	if (nl == end)
		return;
	fixed = g_mime_stream_substream(sup, start, nl);
	g_mime_data_wrapper_set_stream(dw, fixed);
	g_object_unref(fixed);
}

static void
walk_leaf(struct mugai_walk *w, GMimePart *part, const char *path,
    guint depth)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	g_autofree char *type = mime_type(obj);
	enum mugai_walk_mode mode = mugai_walk_leaf_mode(w, type,
	    is_attachment(obj));

	content_end_fix(part);
	switch (mode) {
	case MUGAI_WALK_NONE:
		break;
	case MUGAI_WALK_PLAIN:
		render_text(w, part, path, FALSE, depth);
		break;
	case MUGAI_WALK_ATTACHED_TEXT:
		render_attachment_text(w, part, path, depth);
		break;
	case MUGAI_WALK_HTML:
		render_text(w, part, path, TRUE, depth);
		break;
	case MUGAI_WALK_REPORT_TEXT:
		render_text(w, part, path, FALSE, depth + 1);
		break;
	case MUGAI_WALK_REMOVE_ATTACHMENT:
	case MUGAI_WALK_REMOVE:
	case MUGAI_WALK_REMOVE_RELATED:
	case MUGAI_WALK_REMOVE_EXTERNAL:
		remove_leaf(w, part, path, mugai_walk_remove_reason(mode));
		break;
	}
}

static gboolean
is_plain_text(GMimeObject *obj)
{
	g_autofree char *type = mime_type(obj);

	return GMIME_IS_PART(obj) && strcmp(type, "text/plain") == 0 &&
	    !is_attachment(obj);
}

/*
 * multipart/alternative: the text/plain alternative when it carries the
 * text (at least a quarter of the richest alternative's length), else the
 * richest rendered alternative.
 */
static void
walk_alternative(struct mugai_walk *w, GMimeMultipart *mp, const char *path,
    guint depth)
{
	int n = g_mime_multipart_get_count(mp);
	GString *saved = w->wk_text;
	GString **texts = g_new0(GString *, MAX(n, 1));
	guint *first = g_new0(guint, n + 1);
	int plain = -1, rich = -1;

	for (int i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		g_autofree char *sub = child_path(path, (guint)i);

		first[i] = w->wk_report->rr_parts->len;
		w->wk_text = texts[i] = g_string_new(NULL);
		walk_object(w, child, sub, depth + 1);
		mugai_walk_alternative_child(texts[i], is_plain_text(child), i,
		    &plain, &rich);
	}
	first[n] = w->wk_report->rr_parts->len;
	w->wk_text = saved;
	mugai_walk_alternative_pick(w, texts, first, n, plain, rich);
	for (int i = 0; i < n; i++)
		g_string_free(texts[i], TRUE);
	g_free(texts);
	g_free(first);
}

static gboolean
content_id_is(GMimeObject *obj, const char *want)
{
	return mugai_walk_content_id_is(g_mime_object_get_content_id(obj),
	    want);
}

/* multipart/related: the root rendered, the related parts removed. */
static void
walk_related(struct mugai_walk *w, GMimeMultipart *mp, const char *path,
    guint depth)
{
	int n = g_mime_multipart_get_count(mp);
	const char *start = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(mp), "start");
	int root = 0;

	for (int i = 0; start != NULL && i < n; i++)
		if (content_id_is(g_mime_multipart_get_part(mp, i), start))
			root = i;
	for (int i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		g_autofree char *sub = child_path(path, (guint)i);

		if (i == root || !GMIME_IS_PART(child))
			walk_object(w, child, sub, depth + 1);
		else if (mugai_walk_count_related(w))
			remove_leaf(w, GMIME_PART(child), sub,
			    mugai_walk_remove_reason(
			    MUGAI_WALK_REMOVE_RELATED));
	}
}

static gboolean
never_passes(gpointer data)
{
	(void)data;
	return FALSE;
}

/*
 * A multipart without a boundary has no parts: GMime reads all of its
 * body into the prologue. The recipient's client shows that body as
 * text, and so does the walk (never as it came).
 */
static void
walk_unbounded(struct mugai_walk *w, GMimeMultipart *mp, const char *path,
    guint depth)
{
	const char *body = g_mime_multipart_get_prologue(mp);
	struct mugai_walk_leaf lf = { 0 };
	GByteArray *raw;

	if (body == NULL || *body == '\0')
		return;
	lf.wl_path = path;
	lf.wl_type = g_strdup("text/plain");
	raw = g_byte_array_new();
	g_byte_array_append(raw, (const guint8 *)body, (guint)strlen(body));
	mugai_walk_text(w, &lf, raw, FALSE, depth + 1, never_passes, NULL);
	g_byte_array_unref(raw);
	g_free(lf.wl_type);
}

static void
walk_multipart(struct mugai_walk *w, GMimeMultipart *mp, const char *path,
    guint depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	int n = g_mime_multipart_get_count(mp);

	if (!mugai_walk_multipart_opens(w, sub, path))
		return;
	/* Not g_mime_multipart_get_boundary(): it makes one up. */
	if (n == 0 && g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(mp), "boundary") == NULL) {
		walk_unbounded(w, mp, path, depth);
		return;
	}
	if (g_ascii_strcasecmp(sub, "alternative") == 0) {
		walk_alternative(w, mp, path, depth);
		return;
	}
	if (g_ascii_strcasecmp(sub, "related") == 0) {
		walk_related(w, mp, path, depth);
		return;
	}
	/* mixed, signed (the signature is a leaf to remove), report... */
	for (int i = 0; i < n && w->wk_withhold == NULL; i++) {
		g_autofree char *p = child_path(path, (guint)i);

		walk_object(w, g_mime_multipart_get_part(mp, i), p, depth + 1);
	}
}

/* message/rfc822: the forwarded message inline, under its headers. */
static void
walk_forwarded(struct mugai_walk *w, GMimeMessagePart *mp, const char *path,
    guint depth)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	GMimeMessage *msg = g_mime_message_part_get_message(mp);
	g_autofree char *sub = child_path(path, 0);

	mugai_walk_forward(w, path, g_mime_object_get_content_type(obj),
	    g_mime_object_get_content_disposition(obj),
	    msg != NULL ? GMIME_OBJECT(msg) : NULL);
	if (msg != NULL && msg->mime_part != NULL)
		walk_object(w, msg->mime_part, sub, depth + 1);
}

static void
walk_object(struct mugai_walk *w, GMimeObject *obj, const char *path,
    guint depth)
{
	if (!mugai_walk_enter(w, depth))
		return;
	if (GMIME_IS_MULTIPART(obj))
		walk_multipart(w, GMIME_MULTIPART(obj), path, depth);
	else if (GMIME_IS_MESSAGE_PART(obj))
		walk_forwarded(w, GMIME_MESSAGE_PART(obj), path, depth);
	else if (GMIME_IS_PART(obj))
		walk_leaf(w, GMIME_PART(obj), path, depth);
	else
		mugai_walk_withhold(w, "unknown MIME object at %s", path);
}

/* Offset past a leading BOM and mbox "From " line: they are not headers. */
static gint64
skip_envelope(GMimeStream *in, gint64 start)
{
	char buf[1024];
	gssize n;

	if (g_mime_stream_seek(in, start, GMIME_STREAM_SEEK_SET) < 0 ||
	    (n = g_mime_stream_read(in, buf, sizeof buf)) <= 0)
		return start;
	return start + (gint64)mugai_headers_skip_envelope(buf, (gsize)n);
}

/*
 * Returns (transfer full) the stream GMime parses: in from start, with a
 * blank line inserted at hdr_end when the header block had none.
 */
static GMimeStream *
parse_stream(GMimeStream *in, gint64 start, gint64 hdr_end)
{
	gint64 from = skip_envelope(in, start);
	GMimeStream *cat, *part;

	if (hdr_end < from)
		return g_mime_stream_substream(in, from, -1);
	cat = g_mime_stream_cat_new();
	part = g_mime_stream_substream(in, from, hdr_end);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
	g_object_unref(part);
	part = g_mime_stream_mem_new_with_buffer("\n", 1);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
	g_object_unref(part);
	part = g_mime_stream_substream(in, hdr_end, -1);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
	g_object_unref(part);
	return cat;
}

/* Fields whose first copy the recipient's client reads. */
static gboolean
first_wins(const char *line, gsize len)
{
	static const char *const names[] = { "content-type",
	    "content-transfer-encoding", "content-disposition",
	    "mime-version", NULL };

	for (gsize i = 0; names[i] != NULL; i++) {
		gsize n = strlen(names[i]);
		gsize j = n;

		if (len <= n || g_ascii_strncasecmp(line, names[i], n) != 0)
			continue;
		while (j < len && (line[j] == ' ' || line[j] == '\t'))
			j++;
		if (j < len && line[j] == ':')
			return TRUE;
	}
	return FALSE;
}

/*
 * Appends Content-Type field f (name, value, folds) to out as Python's
 * email reads its parameters: a piece between semicolons without '='
 * ("protected;") is passed over, where GMime gives up on the rest and
 * loses the boundary. Returns TRUE when a piece was left out.
 */
static gboolean
lenient_content_type(const char *f, gsize len, GString *out)
{
	const char *colon = memchr(f, ':', len), *end = f + len, *p, *q;
	gboolean in_quote = FALSE, first = TRUE, cut = FALSE;

	g_string_append_len(out, f, colon + 1 - f);
	for (p = q = colon + 1; ; q++) {
		if (q < end && *q == '"')
			in_quote = !in_quote;
		if (q < end && (in_quote || *q != ';'))
			continue;
		if (first || memchr(p, '=', (gsize)(q - p)) != NULL) {
			if (!first)
				g_string_append_c(out, ';');
			g_string_append_len(out, p, q - p);
		} else
			cut = TRUE;
		first = FALSE;
		if (q >= end)
			break;
		p = q + 1;
	}
	/* The field's own line break went with its last piece. */
	if (out->len == 0 || out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
	return cut;
}

/*
 * Returns (transfer full) the message from from as Postfix and Python's
 * email read its header block, or NULL when that is GMime's reading too:
 * of Content-Type, Content-Transfer-Encoding, Content-Disposition and
 * MIME-Version the first copy counts (GMime takes the last), and a
 * Content-Type parameter without a value is passed over. Only the top
 * header block: the parts of a second reading are GMime's again.
 */
static GMimeStream *
first_wins_stream(GMimeStream *in, gint64 from, gsize max)
{
	g_autoptr(GByteArray) head = g_byte_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	GString *out = g_string_new(NULL);
	GMimeStream *cat, *part;
	char buf[MUGAI_IO_CHUNK];
	gsize pos = 0, body;
	gboolean changed = FALSE;
	gssize n;

	if (g_mime_stream_seek(in, from, GMIME_STREAM_SEEK_SET) < 0)
		return NULL;
	while (head->len <= max && (n = g_mime_stream_read(in, buf,
	    sizeof buf)) > 0)
		g_byte_array_append(head, (const guint8 *)buf, (guint)n);
	/* One field (first line and its folds) at a time. */
	while (pos < head->len) {
		const char *f = (const char *)head->data + pos;
		gsize flen = 0, tl;
		gboolean keep = TRUE;

		do {
			const char *l = f + flen;
			const char *eol = memchr(l, '\n',
			    head->len - pos - flen);

			flen = eol != NULL ? (gsize)(eol - f) + 1 :
			    head->len - pos;
		} while (pos + flen < head->len &&
		    (f[flen] == ' ' || f[flen] == '\t'));
		for (tl = 0; tl < flen && f[tl] != '\n' && f[tl] != '\r'; tl++)
			;
		if (tl == 0)
			break;
		if (first_wins(f, tl)) {
			g_autofree char *name = g_ascii_strdown(f,
			    (gssize)strcspn(f, ": \t"));

			keep = !g_hash_table_contains(seen, name);
			if (keep && strcmp(name, "content-type") == 0 &&
			    memchr(f, ':', flen) != NULL) {
				changed |= lenient_content_type(f, flen, out);
				keep = FALSE;
			} else
				changed |= !keep;
			g_hash_table_add(seen, g_steal_pointer(&name));
		}
		if (keep)
			g_string_append_len(out, f, (gssize)flen);
		pos += flen;
	}
	if (!changed) {
		g_string_free(out, TRUE);
		return NULL;
	}
	body = pos;
	cat = g_mime_stream_cat_new();
	part = g_mime_stream_mem_new_with_buffer(out->str, out->len);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
	g_object_unref(part);
	g_string_free(out, TRUE);
	part = g_mime_stream_substream(in, from + (gint64)body, -1);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), part);
	g_object_unref(part);
	return cat;
}

/*
 * When the top header block names a MIME field twice, the message is
 * read a second time as the recipient's client reads it (first copy
 * wins), and what only that reading shows is kept too
 * (mugai_walk_second_reading()).
 */
static void
second_reading(struct mugai_walk *w, GMimeStream *in, gint64 start)
{
	GMimeStream *sub = first_wins_stream(in, skip_envelope(in, start),
	    (gsize)w->wk_cf->cf_max_header_size);
	struct mugai_report *r2;
	struct mugai_walk w2;
	GMimeParserOptions *opts;
	GMimeParser *parser;
	GMimeMessage *msg;

	if (sub == NULL)
		return;
	r2 = mugai_report_new();
	mugai_walk_init(&w2, w->wk_cf, w->wk_env, r2);
	w2.wk_deadline = w->wk_deadline;
	opts = mugai_walk_parser_options(parser_warning, &w2);
	parser = g_mime_parser_new_with_stream(sub);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg != NULL && msg->mime_part != NULL) {
		walk_object(&w2, msg->mime_part, "1", 1);
		mugai_walk_second_reading(w, &w2);
	}
	g_clear_object(&msg);
	g_object_unref(parser);
	g_object_unref(sub);
	g_mime_parser_options_free(opts);
	mugai_walk_clear(&w2);
	mugai_report_free(r2);
}

/*
 * TRUE when s holds nothing but blanks and line breaks: an empty message,
 * which GMime does not make a message of. It has no header and no text;
 * delivered as that, it hides nothing.
 */
static gboolean
blank_to_end(GMimeStream *s)
{
	char buf[1024];
	gssize n;

	if (g_mime_stream_reset(s) < 0)
		return FALSE;
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		for (gssize i = 0; i < n; i++)
			if (!g_ascii_isspace(buf[i]))
				return FALSE;
	return n == 0 || g_mime_stream_eos(s);
}

enum mugai_err
mugai_gwalk_message(struct mugai_walk *w, GMimeStream *in, gint64 start,
    gint64 hdr_end)
{
	GMimeParserOptions *opts = mugai_walk_parser_options(parser_warning, w);
	GMimeStream *sub = parse_stream(in, start, hdr_end);
	GMimeParser *parser = g_mime_parser_new_with_stream(sub);
	GMimeMessage *msg;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg == NULL && blank_to_end(sub))
		mugai_walk_doubt(w, "empty message", NULL);
	else if (msg == NULL)
		mugai_walk_withhold(w, "message cannot be parsed");
	else if (msg->mime_part != NULL)
		walk_object(w, msg->mime_part, "1", 1);
	if (w->wk_doubts > 0 && w->wk_withhold == NULL)
		second_reading(w, in, start);
	mugai_walk_finish(w);
	g_clear_object(&msg);
	g_object_unref(parser);
	g_object_unref(sub);
	g_mime_parser_options_free(opts);
	return MUGAI_OK;
}

GMimeObject *
mugai_gwalk_find_part(GMimeMessage *msg, const char *want, GString *seen)
{
	if (msg == NULL || want == NULL)
		return NULL;
	return mugai_partnum_find(msg->mime_part, "1", want, seen);
}
