/*
 * mugai_walk - what both engines decide about a part
 *
 * The GMime walk (lib/mime/gwalk.c) and the streaming walk
 * (lib/mime/swalk.c) read the MIME structure each their own way and call
 * these for every decision: entering a part against max_depth and
 * max_parts, what becomes of a leaf, removing it into the report (facts
 * and action from the policy), rendering text and HTML, the
 * multipart/alternative choice, the forwarded-message block, parser
 * warnings and the limits at the end. So the two engines give one answer,
 * and whatever either reads goes into the same struct mugai_walk.
 *
 * Every decoded byte counts against max_decoded_size. GMime's
 * GMIME_CRIT_* warnings mean the parser may have skipped or misread input:
 * the message is withheld (a reading that differs from the recipient's
 * client is how filters are bypassed).
 */
#include "autoconfig.h"

#include <string.h>

#include "base/limits.h"
#include "text/charset.h"
#include "mime/docspool.h"
#include "extract/client.h"
#include "base/deadline.h"
#include "text/encblock.h"
#include "mime/headers.h"
#include "text/html2text.h"
#include "text/flowed.h"
#include "text/newline.h"
#include "text/oneline.h"
#include "policy/arcscan.h"
#include "policy/policy.h"
#include "text/textsafe.h"
#include "text/utf8.h"
#include "mime/walk.h"

void
mugai_walk_init(struct mugai_walk *w, const struct mugai_config *cf,
    const struct mugai_envelope *env, struct mugai_report *report)
{
	memset(w, 0, sizeof *w);
	w->wk_cf = cf;
	w->wk_env = env;
	w->wk_report = report;
	w->wk_text = g_string_new(NULL);
}

static void
doc_free(gpointer data)
{
	struct mugai_walk_doc *d = data;

	g_free(d->wd_entry);
	if (d->wd_data != NULL)
		g_byte_array_unref(d->wd_data);
	g_free(d);
}

void
mugai_walk_clear(struct mugai_walk *w)
{
	if (w->wk_text != NULL)
		g_string_free(w->wk_text, TRUE);
	if (w->wk_docs != NULL)
		g_ptr_array_unref(w->wk_docs);
	g_free(w->wk_withhold);
	memset(w, 0, sizeof *w);
}

void
mugai_walk_withhold(struct mugai_walk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->wk_withhold != NULL)
		return;
	va_start(ap, fmt);
	w->wk_withhold = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void
mugai_walk_limit(struct mugai_walk *w, const char *limit, const char *fmt,
    ...)
{
	va_list ap;

	if (w->wk_withhold != NULL)
		return;
	va_start(ap, fmt);
	w->wk_withhold = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	w->wk_limit = limit;
}

gboolean
mugai_walk_in_time(struct mugai_walk *w)
{
	gint64 ms = w->wk_cf->cf_max_time;

	if (!mugai_deadline_passed(w->wk_deadline))
		return TRUE;
	if (ms % 1000 != 0)
		mugai_walk_limit(w, "max_time", "sanitizing took longer than "
		    "%" G_GINT64_FORMAT " ms", ms);
	else
		mugai_walk_limit(w, "max_time", "sanitizing took longer than "
		    "%" G_GINT64_FORMAT " s", ms / 1000);
	return FALSE;
}

static const char *
warning_name(GMimeParserWarning code)
{
	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER:	return "duplicated header";
	case GMIME_WARN_DUPLICATED_PARAMETER:	return "duplicated parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER:	return "unencoded 8-bit header";
	case GMIME_WARN_INVALID_CONTENT_TYPE:	return "invalid Content-Type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
		return "invalid RFC 2047 header value";
	case GMIME_WARN_MALFORMED_MULTIPART:	return "malformed multipart";
	case GMIME_WARN_TRUNCATED_MESSAGE:	return "truncated message";
	case GMIME_WARN_MALFORMED_MESSAGE:	return "malformed message";
	case GMIME_WARN_INVALID_PARAMETER:	return "invalid parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST:	return "invalid address list";
	case GMIME_WARN_PART_WITHOUT_CONTENT:	return "part without content";
	case GMIME_CRIT_INVALID_HEADER_NAME:	return "invalid header name";
	case GMIME_CRIT_CONFLICTING_HEADER:	return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER:	return "conflicting parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		return "multipart without boundary";
	case GMIME_CRIT_NESTING_OVERFLOW:	return "MIME nesting overflow";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		return "part without headers or content";
	}
	return "parser warning";
}

/*
 * The ambiguity behind a critical warning the walk reads through, as the
 * report and the notice name it, or NULL when the warning withholds (a
 * nesting overflow: GMime stops reading the structure there). Whatever
 * the reading, every part that is not text is removed, so a doubt about
 * which header counts or where a part ends changes which text is shown,
 * never what else leaves.
 */
static const char *
doubt_name(GMimeParserWarning code)
{
	switch (code) {
	case GMIME_CRIT_INVALID_HEADER_NAME:
		return "line in a header block that is not a header field";
	case GMIME_CRIT_CONFLICTING_HEADER:
		return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER:
		return "conflicting parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		return "multipart without boundary";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		return "part without headers or content";
	default:
		return NULL;
	}
}

void
mugai_walk_doubt(struct mugai_walk *w, const char *what, const char *item)
{
	g_autofree char *d = NULL;

	w->wk_doubts++;
	if (item != NULL && *item != '\0') {
		g_autofree char *cut = g_strndup(item, 40);

		d = g_strdup_printf("%s: %s", what, g_strstrip(cut));
	}
	mugai_report_doubt(w->wk_report, d != NULL ? d : what);
}

void
mugai_walk_parser_warning(struct mugai_walk *w, GMimeParserWarning code,
    const char *item)
{
	g_autofree char *what = NULL;
	const char *doubt = doubt_name(code);

	w->wk_warnings++;
	if (item != NULL) {
		g_autofree char *cut = g_strndup(item, 60);

		what = g_strescape(cut, NULL);
	}
	mugai_report_warn(w->wk_report, "%s%s%s%s", warning_name(code),
	    what != NULL ? " \"" : "", what != NULL ? what : "",
	    what != NULL ? "\"" : "");
	if (doubt != NULL)
		mugai_walk_doubt(w, doubt, (code ==
		    GMIME_CRIT_CONFLICTING_HEADER || code ==
		    GMIME_CRIT_CONFLICTING_PARAMETER) ? what : NULL);
	else if (code == GMIME_CRIT_NESTING_OVERFLOW)
		mugai_walk_withhold(w, "malformed MIME structure (%s)",
		    warning_name(code));
}

GMimeParserOptions *
mugai_walk_parser_options(GMimeParserWarningFunc warn, gpointer data)
{
	static const char *fallback[] = { "utf-8", "cp932", "euc-jp", NULL };
	GMimeParserOptions *opts = g_mime_parser_options_new();

	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	g_mime_parser_options_set_warning_callback(opts, warn, data);
	return opts;
}

static struct mugai_report_part *
leaf_report_part(struct mugai_walk *w, const struct mugai_walk_leaf *lf)
{
	struct mugai_report_part *rp = mugai_report_add_part(w->wk_report,
	    lf->wl_path, "part");

	rp->rp_declared_type = g_strdup(lf->wl_type);
	rp->rp_filename = g_strdup(lf->wl_filename);
	return rp;
}

static void
count_decoded(struct mugai_walk *w, guint64 n)
{
	w->wk_decoded += n;
	if (w->wk_decoded > (guint64)w->wk_cf->cf_max_decoded_size)
		mugai_walk_limit(w, "max_decoded_size", "decoded content "
		    "larger than %" G_GINT64_FORMAT " bytes",
		    w->wk_cf->cf_max_decoded_size);
}

/*
 * Facts and the policy's action for a removed part: detected type, size,
 * SHA-256, archive and document flags, the rule that matched. A read
 * failure leaves the part at tempfail (the policy sets it); so does the
 * time limit, which then withholds the message. err: the policy's result.
 */
static void
examined(struct mugai_walk *w, enum mugai_err err,
    struct mugai_report_part *rp)
{
	const char *warning;

	if (err == MUGAI_E_LIMIT)
		(void)mugai_walk_in_time(w);
	else if (err != MUGAI_OK)
		mugai_report_warn(w->wk_report, "part %s cannot be read",
		    rp->rp_path);
	count_decoded(w, rp->rp_size);
	if ((warning = mugai_policy_warning(w->wk_cf, rp)) != NULL)
		rp->rp_warning = g_strdup(warning);
}

/* TRUE when [extract] asks for the text of documents of type hint. */
static gboolean
type_listed(const struct mugai_config *cf, const char *hint)
{
	if (!cf->cf_extract_enabled || hint == NULL)
		return FALSE;
	for (char **t = cf->cf_extract_types; t != NULL && *t != NULL; t++)
		if (strcmp(*t, hint) == 0)
			return TRUE;
	return FALSE;
}

const char *
mugai_walk_doc_hint(const struct mugai_walk *w,
    const struct mugai_walk_leaf *lf)
{
	const char *hint = mugai_extract_hint(lf->wl_type, lf->wl_filename);

	return type_listed(w->wk_cf, hint) ? hint : NULL;
}

/* mugai_arcscan_doc_fn: an archive entry is a document by its name. */
static const char *
entry_hint(const char *name, void *ctx)
{
	const struct mugai_walk *w = ctx;
	const char *hint = mugai_extract_hint(NULL, name);

	return type_listed(w->wk_cf, hint) ? hint : NULL;
}

/*
 * Sets up *docs for the documents inside a removed part that is no
 * document itself (an archive); returns docs, or NULL when none are
 * wanted.
 */
static struct mugai_policy_docs *
archive_docs(struct mugai_walk *w, const char *hint,
    struct mugai_policy_docs *docs)
{
	if (hint != NULL || !w->wk_cf->cf_extract_enabled)
		return NULL;
	docs->pd_hint = entry_hint;
	docs->pd_ctx = w;
	docs->pd_max = (gsize)w->wk_cf->cf_extract_max_bytes;
	docs->pd_found = g_ptr_array_new_with_free_func(
	    mugai_arcscan_doc_free);
	return docs;
}

/* The documents found inside the part just removed, in archive order. */
static void
archive_docs_done(struct mugai_walk *w, struct mugai_policy_docs *docs)
{
	if (docs == NULL)
		return;
	for (guint i = 0; i < docs->pd_found->len; i++) {
		struct mugai_arcscan_doc *ad = g_ptr_array_index(
		    docs->pd_found, i);
		struct mugai_walk_doc *d;

		mugai_walk_document(w, ad->ad_hint,
		    g_steal_pointer(&ad->ad_data), ad->ad_cut);
		d = g_ptr_array_index(w->wk_docs, w->wk_docs->len - 1);
		d->wd_entry = g_steal_pointer(&ad->ad_path);
	}
	g_ptr_array_unref(docs->pd_found);
}

void
mugai_walk_document(struct mugai_walk *w, const char *hint,
    GByteArray *data, gboolean cut)
{
	struct mugai_walk_doc *d;

	if (data == NULL)
		return;
	if (hint == NULL || w->wk_report->rr_parts->len == 0) {
		g_byte_array_unref(data);
		return;
	}
	d = g_new0(struct mugai_walk_doc, 1);
	d->wd_part = w->wk_report->rr_parts->len - 1;
	d->wd_hint = hint;
	d->wd_data = data;
	d->wd_cut = cut;
	if (w->wk_docs == NULL)
		w->wk_docs = g_ptr_array_new_with_free_func(doc_free);
	g_ptr_array_add(w->wk_docs, d);
}

void
mugai_walk_remove(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    const char *reason, GMimeStream *decoded)
{
	struct mugai_report_part *rp = leaf_report_part(w, lf);
	const char *hint = mugai_walk_doc_hint(w, lf);
	struct mugai_docspool *ds = NULL;
	struct mugai_policy_docs pd, *docs = archive_docs(w, hint, &pd);
	GMimeStream *in = decoded;

	rp->rp_reason = g_strdup(reason);
	/* A document's bytes are kept as the policy reads them: one read. */
	if (hint != NULL) {
		ds = mugai_docspool_new((gsize)w->wk_cf->cf_extract_max_bytes);
		in = mugai_docspool_tee(ds, decoded);
	}
	examined(w, mugai_policy_examine_docs(w->wk_cf, w->wk_env, in,
	    rp, w->wk_deadline, docs), rp);
	archive_docs_done(w, docs);
	if (ds != NULL) {
		g_object_unref(in);
		mugai_walk_document(w, hint, mugai_docspool_steal(ds),
		    ds->ds_cut);
		mugai_docspool_free(ds);
	}
}

void
mugai_walk_remove_fed(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    const char *reason, struct mugai_policy_feed *feed)
{
	struct mugai_report_part *rp = leaf_report_part(w, lf);
	struct mugai_policy_docs pd, *docs = archive_docs(w,
	    mugai_walk_doc_hint(w, lf), &pd);

	rp->rp_reason = g_strdup(reason);
	examined(w, mugai_policy_feed_finish_docs(feed, w->wk_env, rp,
	    w->wk_deadline, docs), rp);
	archive_docs_done(w, docs);
}

/* Binary content declared as text: NUL bytes or many control bytes. */
static gboolean
looks_binary(const guint8 *p, gsize len)
{
	const guint64 ones = 0x0101010101010101ULL;
	const guint64 highs = 0x8080808080808080ULL;
	gsize n = MIN(len, 65536), ctl = 0, i = 0;

	/* An empty part may come as NULL: memchr() must not see it. */
	if (n == 0)
		return FALSE;
	if (memchr(p, 0, n) != NULL)
		return TRUE;
	/* Eight bytes at a time while none is below 0x20 (the usual case). */
	while (i < n) {
		if (i + 8 <= n) {
			guint64 x;

			memcpy(&x, p + i, 8);
			if (((x - ones * 0x20) & ~x & highs) == 0) {
				i += 8;
				continue;
			}
		}
		for (gsize e = MIN(i + 8, n); i < e; i++)
			if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\r' && p[i] != '\f' && p[i] != 0x1b)
				ctl++;
	}
	return ctl > MAX(8, n / 100);
}

/*
 * Text with a few NUL or control bytes (a broken mailer, a stray form
 * feed, UTF-16 read as bytes) is still words: when such bytes are at most
 * a tenth of the part, they are dropped in place and the rest is read as
 * text. More than that is binary content in disguise: FALSE, removed.
 */
static gboolean
strip_controls(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    GByteArray *raw)
{
	gsize bad = 0, o = 0;

	for (gsize i = 0; i < raw->len; i++) {
		guint8 c = raw->data[i];

		bad += (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != 0x1b) || c == 0x7f;
	}
	if (bad * 10 > raw->len)
		return FALSE;
	for (gsize i = 0; i < raw->len; i++) {
		guint8 c = raw->data[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != 0x1b) || c == 0x7f)
			continue;
		raw->data[o++] = c;
	}
	g_byte_array_set_size(raw, (guint)o);
	mugai_report_warn(w->wk_report, "part %s: %" G_GSIZE_FORMAT " NUL or "
	    "control bytes removed from the text", lf->wl_path, bad);
	return TRUE;
}

/* Appends text to the output, a blank line apart from what is there. */
static void
append_text(struct mugai_walk *w, const GString *t)
{
	GString *out = w->wk_text;

	if (t->len == 0)
		return;
	if (out->len > 0) {
		if (out->str[out->len - 1] != '\n')
			g_string_append_c(out, '\n');
		if (out->len < 2 || out->str[out->len - 2] != '\n')
			g_string_append_c(out, '\n');
	}
	g_string_append_len(out, t->str, t->len);
	if (t->str[t->len - 1] != '\n')
		g_string_append_c(out, '\n');
}

/* Cuts files encoded in the text out of t into the report. */
static guint
cut_blocks(struct mugai_walk *w, GString *t, const char *path)
{
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_encblock_free);
	GString *rest = g_string_sized_new(t->len);
	guint n = mugai_encblock_strip(t->str, t->len, rest, found);

	for (guint i = 0; i < found->len; i++) {
		const struct mugai_encblock *eb = g_ptr_array_index(found, i);
		g_autofree char *sub = g_strdup_printf("%s.%u", path, i + 1);
		struct mugai_report_part *rp = mugai_report_add_part(
		    w->wk_report, sub, eb->eb_kind);

		rp->rp_filename = g_strdup(eb->eb_filename);
		rp->rp_size = eb->eb_size;
		memcpy(rp->rp_sha256, eb->eb_sha256, sizeof rp->rp_sha256);
		rp->rp_action = mugai_policy_default_action(w->wk_cf);
		rp->rp_reason = g_strdup("file encoded inside the text");
		count_decoded(w, eb->eb_size);
	}
	if (n > 0) {
		g_string_truncate(t, 0);
		g_string_append_len(t, rest->str, rest->len);
	}
	g_string_free(rest, TRUE);
	return n;
}

static gboolean
charset_passes(const char *label, const char *used)
{
	static const char *const allowed[] = { "us-ascii", "utf-8",
	    "iso-2022-jp", NULL };

	if (used == NULL)
		return FALSE;
	if (label == NULL)
		return strcmp(used, "us-ascii") == 0;
	for (gsize i = 0; allowed[i] != NULL; i++)
		if (g_ascii_strcasecmp(label, allowed[i]) == 0)
			return strcmp(used, allowed[i]) == 0;
	return FALSE;
}

static char *
render_html(struct mugai_walk *w, const char *utf8, gsize len)
{
	struct mugai_html_opts opts = {
		.ho_url_mode = (enum mugai_url_mode)w->wk_cf->cf_url_mode,
		.ho_max_depth = (guint)w->wk_cf->cf_max_html_depth,
		.ho_max_output = (gsize)w->wk_cf->cf_max_text_size,
		.ho_valid_utf8 = TRUE,	/* mugai_charset_to_utf8()'s */
	};
	struct mugai_html2text *h = mugai_html2text_new(&opts);
	enum mugai_err err = MUGAI_OK;
	char *text;
	gsize off, n;

	mugai_html2text_set_deadline(h, w->wk_deadline);
	for (off = 0; off < len; off += n) {
		n = MIN(len - off, (gsize)MUGAI_IO_CHUNK);
		if (mugai_html2text_feed(h, utf8 + off, n) != MUGAI_OK)
			break;
	}
	text = mugai_html2text_finish(h, NULL, &err);
	if (text == NULL) {
		switch (mugai_html2text_limit_hit(h)) {
		case MUGAI_HTML_LIMIT_TIME:
			(void)mugai_walk_in_time(w);
			break;
		case MUGAI_HTML_LIMIT_DEPTH:
			mugai_walk_limit(w, "max_html_depth", "HTML cannot be "
			    "rendered (%s)", mugai_err_str(err));
			break;
		case MUGAI_HTML_LIMIT_ATTRS:
			mugai_walk_limit(w, "max_html_depth", "HTML cannot be "
			    "rendered (a tag of more than 1000 attributes)");
			break;
		case MUGAI_HTML_LIMIT_OUTPUT:
			mugai_walk_limit(w, "max_text_size", "HTML cannot be "
			    "rendered (%s)", mugai_err_str(err));
			break;
		default:
			break;
		}
		mugai_walk_withhold(w, "HTML cannot be rendered (%s)",
		    mugai_err_str(err));
	}
	mugai_html2text_free(h);
	return text;
}

/*
 * format=flowed text is rejoined: the rebuilt body is fixed text/plain,
 * so the reader's client would no longer join the soft breaks. A body
 * that passes unchanged keeps its parameter and its lines.
 */
static void
unflow(const struct mugai_walk_leaf *lf, GString *t)
{
	if (mugai_flowed_is(lf->wl_format))
		(void)mugai_flowed_unflow(t, mugai_flowed_delsp(lf->wl_delsp));
}

/*
 * An OpenPGP message armoured in the text (RFC 4880 6.2), at the start of
 * a line: encrypted content, which no reading can check.
 */
static gboolean
inline_pgp(const char *t, gsize len)
{
	static const char armor[] = "-----BEGIN PGP MESSAGE-----";
	const char *p = t, *end = memchr(t, '\0', len);

	/* up to a NUL, as g_strstr_len() read it; memmem() is the faster
	 * search over a whole body */
	if (end == NULL)
		end = t + len;
	while (p < end && (p = memmem(p, (gsize)(end - p), armor,
	    sizeof armor - 1)) != NULL) {
		if (p == t || p[-1] == '\n')
			return TRUE;
		p += sizeof armor - 1;
	}
	return FALSE;
}

/*
 * Whether text holds decomposed characters NFC would compose (macOS mail:
 * "フ" + U+309A for "プ", "か" + U+3099 for "が"). A Japanese client shows
 * them as two glyphs or a detached mark, some search and reply tools miss
 * the word: such a body is not passed through unchanged, it is encoded
 * again, and encoding composes them (lib/text/textbody.c).
 */
static gboolean
composes(const GString *t)
{
	gsize n = 0;
	g_autofree char *c = mugai_utf8_compose(t->str, t->len, &n);

	return c != NULL && (n != t->len || memcmp(c, t->str, n) != 0);
}

void
mugai_walk_text(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    GByteArray *raw, gboolean html, guint depth,
    gboolean (*passes)(gpointer), gpointer passes_data)
{
	const char *label = lf->wl_charset;
	g_autofree char *utf8 = NULL;
	const char *used = NULL;
	gboolean lossy = FALSE, stripped = FALSE;
	struct mugai_report_part *rp;
	GString *t, *before;
	gsize ulen = 0;
	guint blocks, rewrites;
	glong chars = 0, after = 0;

	count_decoded(w, raw->len);
	if (looks_binary(raw->data, raw->len) &&
	    !(stripped = strip_controls(w, lf, raw))) {
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(
		    (const char *)raw->data, raw->len);

		mugai_walk_remove(w, lf, "binary content declared as text", s);
		g_object_unref(s);
		return;
	}
	rp = leaf_report_part(w, lf);
	rp->rp_action = MUGAI_ACT_TEXT;
	rp->rp_size = raw->len;
	utf8 = mugai_charset_to_utf8((const char *)raw->data, raw->len, label,
	    &ulen, &used, &lossy);
	if (!mugai_walk_in_time(w))
		return;
	if (lossy)
		mugai_report_warn(w->wk_report, "part %s: undecodable bytes in "
		    "charset %s", lf->wl_path, used != NULL ? used : "?");
	if (!html && inline_pgp(utf8, ulen)) {
		mugai_walk_withhold(w, "inline PGP encrypted message");
		return;
	}
	if (html) {
		char *r = render_html(w, utf8, ulen);

		if (r == NULL)
			return;
		g_free(utf8);
		utf8 = r;
		ulen = strlen(r);
	}
	t = g_string_new_len(utf8, (gssize)ulen);
	g_clear_pointer(&utf8, g_free);
	mugai_newline_to_lf(t);
	if (!html)
		unflow(lf, t);
	blocks = cut_blocks(w, t, lf->wl_path);
	/* The characters before textsafe are counted only when it rewrote
	 * something (seldom): the text as it was is kept for that, which
	 * costs a copy, not a pass over every character. */
	before = g_string_new_len(t->str, (gssize)t->len);
	rewrites = mugai_textsafe(t);
	if (rewrites > 0)
		chars = g_utf8_strlen(before->str, (gssize)before->len);
	g_string_free(before, TRUE);
	if (!mugai_walk_in_time(w)) {
		g_string_free(t, TRUE);
		return;
	}
	if (rewrites > 0)
		mugai_report_part_flags(rp, MUGAI_FLAG_BY_WALK,
		    MUGAI_WALK_FLAG_NEUTRALIZED);
	/* The notice says how the kept text differs from what was sent:
	 * textsafe replaces a character by one, or drops it. */
	if (stripped)
		mugai_report_altered(w->wk_report, "control bytes removed");
	if (lossy)
		mugai_report_altered(w->wk_report,
		    "undecodable bytes replaced");
	if (rewrites > 0)
		after = g_utf8_strlen(t->str, (gssize)t->len);
	if (rewrites > 0 && after < chars)
		mugai_report_altered(w->wk_report,
		    "invisible or control characters removed");
	if (rewrites > 0 && (glong)rewrites > chars - after)
		mugai_report_altered(w->wk_report,
		    "markup or file signatures defused");
	rp->rp_reason = g_strdup(html ? "HTML rendered as text" :
	    "text kept");
	append_text(w, t);
	/* Only text/plain passes as it stands: text of another subtype is
	 * kept, relabelled (the contract's body is text/plain). */
	w->wk_unchanged = depth == 1 && !html && !stripped && blocks == 0 &&
	    strcmp(lf->wl_type, "text/plain") == 0 &&
	    rewrites == 0 && !lossy && charset_passes(label, used) &&
	    !composes(t) && passes(passes_data);
	g_string_free(t, TRUE);
}

void
mugai_walk_attachment_label(struct mugai_walk *w,
    const struct mugai_walk_leaf *lf)
{
	GString *label = g_string_new(NULL);
	g_autofree char *name = mugai_oneline(lf->wl_filename != NULL ?
	    lf->wl_filename : "text attachment", -1, MUGAI_ONELINE_MAX);

	/* The name stays on mugai's line (lib/text/oneline.h). */
	g_string_append_printf(label, "---- %s ----\n", name);
	mugai_textsafe(label);
	append_text(w, label);
	g_string_free(label, TRUE);
}

static gboolean
is_report_text(const char *type)
{
	return strcmp(type, "message/delivery-status") == 0 ||
	    strcmp(type, "message/global-delivery-status") == 0 ||
	    strcmp(type, "message/disposition-notification") == 0 ||
	    strcmp(type, "message/feedback-report") == 0 ||
	    strcmp(type, "text/rfc822-headers") == 0;
}

/*
 * Words whatever their subtype: "text" alone or a text subtype no reader
 * of ours knows (RFC 2045: unknown text subtypes are read as text/plain).
 * Text kinds that are documents or that a reader renders (HTML, RTF,
 * calendars, cards, tables, XML) are not.
 */
static gboolean
is_other_text(const char *type)
{
	static const char *const not_plain[] = { "html", "rtf", "richtext",
	    "enriched", "calendar", "vcard", "x-vcard", "directory", "csv",
	    "tab-separated-values", "xml", "rfc822-headers", "x-vcalendar",
	    NULL };
	const char *sub;

	if (strcmp(type, "text") == 0 || strcmp(type, "text/") == 0)
		return TRUE;
	if (!g_str_has_prefix(type, "text/"))
		return FALSE;
	sub = type + 5;
	for (gsize i = 0; not_plain[i] != NULL; i++)
		if (strcmp(sub, not_plain[i]) == 0)
			return FALSE;
	return TRUE;
}

const char *
mugai_walk_remove_reason(enum mugai_walk_mode mode)
{
	switch (mode) {
	case MUGAI_WALK_REMOVE_ATTACHMENT:
		return "attachment";
	case MUGAI_WALK_REMOVE:
		return "not a text part";
	case MUGAI_WALK_REMOVE_RELATED:
		return "related part of the HTML (inline image)";
	case MUGAI_WALK_REMOVE_EXTERNAL:
		return "reference to content elsewhere (not fetched)";
	case MUGAI_WALK_NONE:
	case MUGAI_WALK_PLAIN:
	case MUGAI_WALK_ATTACHED_TEXT:
	case MUGAI_WALK_HTML:
	case MUGAI_WALK_REPORT_TEXT:
		break;
	}
	return NULL;
}

enum mugai_walk_mode
mugai_walk_leaf_mode(struct mugai_walk *w, const char *type, gboolean attach)
{
	/* GMime's GMimeMessagePartial is a leaf (GMimePart) too. */
	if (strcmp(type, "message/partial") == 0) {
		mugai_walk_withhold(w, "message/partial fragment cannot be "
		    "checked");
		return MUGAI_WALK_NONE;
	}
	/* A reference to content elsewhere: never fetched, listed. */
	if (strcmp(type, "message/external-body") == 0) {
		mugai_walk_doubt(w, "external body reference not fetched",
		    NULL);
		return MUGAI_WALK_REMOVE_EXTERNAL;
	}
	if (strcmp(type, "application/pkcs7-mime") == 0 ||
	    strcmp(type, "application/x-pkcs7-mime") == 0) {
		mugai_walk_withhold(w, "S/MIME encrypted or opaque-signed "
		    "content");
		return MUGAI_WALK_NONE;
	}
	if ((strcmp(type, "text/plain") == 0 || is_other_text(type)) &&
	    !attach)
		return MUGAI_WALK_PLAIN;
	if (strcmp(type, "text/plain") == 0 &&
	    w->wk_cf->cf_inline_text_attachments)
		return MUGAI_WALK_ATTACHED_TEXT;
	if (strcmp(type, "text/html") == 0 && !attach)
		return MUGAI_WALK_HTML;
	if (is_report_text(type) && !attach)
		return MUGAI_WALK_REPORT_TEXT;
	return attach ? MUGAI_WALK_REMOVE_ATTACHMENT : MUGAI_WALK_REMOVE;
}

#define WALK_ONES	0x0101010101010101ULL
#define WALK_HIGHS	0x8080808080808080ULL

/* The white space bytes among eight, as g_ascii_isspace() takes them:
 * 09, 0A, 0C, 0D and 20 (not 0B). */
static guint
spaces8(guint64 x)
{
	const guint64 low7 = WALK_ONES * 0x7f;
	guint64 ascii = ~x & WALK_HIGHS, y = x & low7;
	guint64 t = y ^ (WALK_ONES * 0x20), v = y ^ (WALK_ONES * 0x0b);
	/* per byte, no carry between bytes: every byte of y and t is < 0x80 */
	guint64 sp = ~((t + low7) | t) & WALK_HIGHS;
	guint64 vt = ~((v + low7) | v) & WALK_HIGHS;
	guint64 ctl = (y + WALK_ONES * (0x80 - 0x09)) &
	    ~(y + WALK_ONES * (0x80 - 0x0e)) & WALK_HIGHS;

	/* one bit per byte found, summed into the top byte */
	return (guint)((((sp | (ctl & ~vt)) & ascii) >> 7) * WALK_ONES >> 56);
}

static gsize
visible_length(const GString *s)
{
	gsize n = s->len, i = 0;

	/* Count the white space, eight bytes at a time: bytes >= 0x80
	 * (Japanese text) are never white space. */
	for (; i + 8 <= s->len; i += 8) {
		guint64 x;

		memcpy(&x, s->str + i, 8);
		if ((x & WALK_HIGHS) != WALK_HIGHS)
			n -= spaces8(x);
	}
	for (; i < s->len; i++)
		n -= g_ascii_isspace(s->str[i]) ? 1 : 0;
	return n;
}

/* visible_length(s) > 0, without counting. */
static gboolean
has_visible(const GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (!g_ascii_isspace(s->str[i]))
			return TRUE;
	return FALSE;
}

/* Marks the text entries of parts [from, to) as unused alternatives. */
static void
skip_parts(struct mugai_walk *w, guint from, guint to)
{
	for (guint i = from; i < to; i++) {
		struct mugai_report_part *rp = g_ptr_array_index(
		    w->wk_report->rr_parts, i);

		if (rp->rp_action != MUGAI_ACT_TEXT)
			continue;
		rp->rp_action = MUGAI_ACT_SKIP;
		g_free(rp->rp_reason);
		rp->rp_reason = g_strdup("alternative not used");
	}
}

/*
 * A text/plain alternative that only says to look at the HTML: short (a
 * few lines) and with one of the phrases senders use for it. The HTML is
 * the message then.
 */
static gboolean
is_placeholder(const GString *t)
{
	static const char *const phrases[] = { "html形式", "htmlメール",
	    "html メール", "html版", "htmlで", "html 形式", "ブラウザ",
	    "web版", "ウェブ版", "view in browser", "view in your browser",
	    "view this email in", "view it in your browser", "view online",
	    "web version", "html version", "html format", "html-capable",
	    "does not support html", "supports html", "enable html",
	    "online version", NULL };
	g_autofree char *low = NULL;
	guint lines = 0;

	if (t->len > 600)
		return FALSE;
	for (gsize i = 0; i < t->len; i++)
		if (t->str[i] == '\n' && i > 0 && t->str[i - 1] != '\n')
			lines++;
	if (lines > 4)
		return FALSE;
	low = g_ascii_strdown(t->str, (gssize)t->len);
	for (gsize i = 0; phrases[i] != NULL; i++)
		if (strstr(low, phrases[i]) != NULL)
			return TRUE;
	return FALSE;
}

void
mugai_walk_alternative_pick(struct mugai_walk *w, GString *const *texts,
    const guint *first, int n, int plain, int rich)
{
	int pick = plain;

	if (plain < 0 || (rich >= 0 && (visible_length(texts[plain]) * 4 <
	    visible_length(texts[rich]) || is_placeholder(texts[plain]))))
		pick = rich;
	for (int i = 0; i < n; i++) {
		if (i == pick)
			append_text(w, texts[i]);
		else
			skip_parts(w, first[i], first[i + 1]);
	}
}

void
mugai_walk_alternative_child(const GString *text, gboolean plain_text,
    int i, int *plain, int *rich)
{
	if (!has_visible(text))
		return;
	if (*plain < 0 && plain_text)
		*plain = i;
	else if (!plain_text)
		*rich = i;
}

gboolean
mugai_walk_content_id_is(const char *cid, const char *want)
{
	g_autofree char *w = g_strdup(want);

	if (cid == NULL)
		return FALSE;
	g_strstrip(w);
	if (w[0] == '<' && w[strlen(w) - 1] == '>') {
		w[strlen(w) - 1] = '\0';
		return strcmp(cid, w + 1) == 0;
	}
	return strcmp(cid, w) == 0;
}

gboolean
mugai_walk_count_related(struct mugai_walk *w)
{
	if (++w->wk_parts > (guint)w->wk_cf->cf_max_parts) {
		mugai_walk_limit(w, "max_parts", "more than %" G_GINT64_FORMAT
		    " MIME parts", w->wk_cf->cf_max_parts);
		return FALSE;
	}
	return TRUE;
}

gboolean
mugai_walk_multipart_opens(struct mugai_walk *w, const char *sub,
    const char *path)
{
	if (g_ascii_strcasecmp(sub, "encrypted") != 0)
		return TRUE;
	/* The message itself is encrypted: nothing of it can be read. */
	if (strcmp(path, "1") == 0) {
		mugai_walk_withhold(w, "encrypted content (multipart/encrypted)");
		return FALSE;
	}
	/*
	 * An encrypted part beside readable text (a bounce returning an
	 * encrypted message, a mixed-up forward): its parts are removed
	 * like any that is not text, and the text around it is delivered.
	 */
	mugai_walk_doubt(w, "encrypted part not checked", path);
	return TRUE;
}

static void
forward_header(GString *t, GMimeObject *msg, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(msg);
	GMimeHeader *h = g_mime_header_list_get_header(list, name);
	g_autofree char *v = NULL;

	if (h == NULL || g_mime_header_get_raw_value(h) == NULL)
		return;
	v = mugai_headers_decode(g_mime_header_get_raw_value(h));
	g_string_append_printf(t, "%s: %s\n", name, v);
}

void
mugai_walk_forward(struct mugai_walk *w, const char *path,
    GMimeContentType *ct, GMimeContentDisposition *disp, GMimeObject *msg)
{
	struct mugai_report_part *rp = mugai_report_add_part(w->wk_report,
	    path, "part");
	static const char *const names[] = { "From", "Date", "Subject", "To",
	    "Cc" };
	GString *t = g_string_new("---------- 転送メッセージ / "
	    "Forwarded message ");
	g_autofree char *type = g_mime_content_type_get_mime_type(ct);
	const char *fn = disp != NULL ?
	    g_mime_content_disposition_get_parameter(disp, "filename") : NULL;
	g_autofree char *name = NULL;

	rp->rp_declared_type = g_ascii_strdown(type, -1);
	rp->rp_action = MUGAI_ACT_TEXT;
	rp->rp_reason = g_strdup("forwarded message rendered inline");
	if (fn == NULL)
		fn = g_mime_content_type_get_parameter(ct, "name");
	/* A named message is an attachment too: name it where it shows. */
	if (fn != NULL) {
		name = mugai_oneline(fn, -1, MUGAI_ONELINE_MAX);
		g_string_append_printf(t, "(%s) ", name);
	}
	g_string_append(t, "----------\n");
	if (msg == NULL) {
		g_string_free(t, TRUE);
		return;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		forward_header(t, msg, names[i]);
	mugai_textsafe(t);
	append_text(w, t);
	g_string_free(t, TRUE);
}

void
mugai_walk_second_reading(struct mugai_walk *w, struct mugai_walk *w2)
{
	GString *head;
	struct mugai_report *r = w->wk_report, *r2 = w2->wk_report;

	if (w2->wk_withhold != NULL) {
		/* What the recipient's client reads is as strict as ours. */
		if (w->wk_withhold == NULL) {
			w->wk_withhold = g_strdup(w2->wk_withhold);
			w->wk_limit = w2->wk_limit;
		}
		return;
	}
	if (!has_visible(w2->wk_text) ||
	    strstr(w->wk_text->str, w2->wk_text->str) != NULL)
		return;
	mugai_walk_doubt(w, "two readings give different text", NULL);
	if (has_visible(w->wk_text)) {
		head = g_string_new("---- 別の読み方 / Another reading of "
		    "this message ----\n");
		append_text(w, head);
		g_string_free(head, TRUE);
	}
	append_text(w, w2->wk_text);
	/* Parts only the other reading removed are listed too. */
	for (guint i = 0; i < r2->rr_parts->len; i++) {
		struct mugai_report_part *p = g_ptr_array_index(r2->rr_parts,
		    i);
		char *path;
		gboolean known = p->rp_action != MUGAI_ACT_DROP &&
		    p->rp_action != MUGAI_ACT_QUARANTINE;

		for (guint j = 0; !known && j < r->rr_parts->len; j++) {
			const struct mugai_report_part *q =
			    g_ptr_array_index(r->rr_parts, j);

			known = strcmp(q->rp_sha256, p->rp_sha256) == 0;
		}
		if (known)
			continue;
		/* "2/1.2": part 1.2 of the second reading. */
		p = g_ptr_array_steal_index(r2->rr_parts, i--);
		path = g_strconcat("2/", p->rp_path, NULL);
		g_free(p->rp_path);
		p->rp_path = path;
		g_ptr_array_add(r->rr_parts, p);
	}
	w->wk_decoded += w2->wk_decoded;
}

gboolean
mugai_walk_enter(struct mugai_walk *w, guint depth)
{
	const struct mugai_config *cf = w->wk_cf;

	if (w->wk_withhold != NULL || !mugai_walk_in_time(w))
		return FALSE;
	if (depth > (guint)cf->cf_max_depth) {
		mugai_walk_limit(w, "max_depth", "MIME nesting deeper than %"
		    G_GINT64_FORMAT, cf->cf_max_depth);
		return FALSE;
	}
	if (++w->wk_parts > (guint)cf->cf_max_parts) {
		mugai_walk_limit(w, "max_parts", "more than %" G_GINT64_FORMAT
		    " MIME parts", cf->cf_max_parts);
		return FALSE;
	}
	return TRUE;
}

void
mugai_walk_finish(struct mugai_walk *w)
{
	/*
	 * A few tags in a text are words; many are HTML source: drop them.
	 * What the tags kept apart comes together ("<<b>script>"), so
	 * textsafe reads the text again.
	 */
	if (mugai_textsafe_limit_tags(w->wk_text)) {
		mugai_report_warn(w->wk_report, "tags removed from text that "
		    "is mostly markup");
		mugai_textsafe(w->wk_text);
		w->wk_unchanged = FALSE;
	}
	if (w->wk_text->len > (gsize)w->wk_cf->cf_max_text_size)
		mugai_walk_limit(w, "max_text_size", "text longer than %"
		    G_GINT64_FORMAT " bytes", w->wk_cf->cf_max_text_size);
	w->wk_unchanged = w->wk_unchanged && w->wk_withhold == NULL &&
	    w->wk_warnings == 0 && w->wk_doubts == 0 &&
	    w->wk_report->rr_parts->len == 1;
}
