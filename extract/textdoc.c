/*
 * textdoc - text/plain, CSV, HTML and XML attachments
 *
 * Plain text and CSV are converted from the charset lib/text/charset.c
 * detects (no label: a removed part's label is not passed here) and kept
 * as they are. HTML is converted from the charset its <meta> names (else
 * detected) and rendered by lib/text/html2text with the helper's
 * url_mode; nothing is fetched. XHTML renders the same way, and so does
 * XML with a document type declaration, cut out first: libxml2's HTML
 * parser never reads an internal subset, so no entity of the document's
 * is ever expanded (a reference shows as it is written). Other XML is
 * read with the reader of xmlread.h: each text node trimmed, a line break
 * after an element whose own content had text, attributes left out. Nesting deeper than HTML_MAX_DEPTH makes
 * the job damaged ("html_depth").
 */
#include "autoconfig.h"

#include <string.h>

#include "text/charset.h"
#include "text/html2text.h"
#include "parsers.h"
#include "xmlread.h"

#define HTML_MAX_DEPTH	512
#define SNIFF_LEN	4096

void
x_plain(struct xjob *job, const char *kind)
{
	gsize n = 0;
	g_autofree char *u = mugai_charset_to_utf8((const char *)job->xj_data,
	    job->xj_len, NULL, &n, NULL, NULL);

	job->xj_kind = kind;
	x_put(job, u, (gssize)n);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}

/* Returns (transfer full) the charset a <meta> or an XML declaration
 * names in the first bytes, or NULL. */
static char *
declared_charset(const unsigned char *d, gsize len)
{
	g_autofree char *head = g_ascii_strdown((const char *)d,
	    (gssize)MIN(len, SNIFF_LEN));
	const char *p = strstr(head, "charset=");
	gsize n = 0;

	if (p == NULL && (p = strstr(head, "encoding=")) != NULL)
		p += 9;
	else if (p != NULL)
		p += 8;
	else
		return NULL;
	while (*p == '"' || *p == '\'' || *p == ' ')
		p++;
	while (n < 40 && (g_ascii_isalnum(p[n]) || p[n] == '-' ||
	    p[n] == '_' || p[n] == '.' || p[n] == ':'))
		n++;
	return n > 0 ? g_strndup(p, n) : NULL;
}

/* Renders len bytes of d (the job's, or a copy of them) as HTML. */
static void
render_html(struct xjob *job, const unsigned char *d, gsize len)
{
	struct mugai_html_opts o = { job->xj_lim->xl_url_mode, HTML_MAX_DEPTH,
	    0, FALSE };
	g_autofree char *label = declared_charset(d, len);
	gsize n = 0, tn = 0;
	g_autofree char *u = mugai_charset_to_utf8((const char *)d, len,
	    label, &n, NULL, NULL);
	struct mugai_html2text *h = mugai_html2text_new(&o);
	enum mugai_err err = MUGAI_OK;
	g_autofree char *text = NULL;

	mugai_html2text_set_deadline(h, job->xj_deadline);
	(void)mugai_html2text_feed(h, u, n);
	text = mugai_html2text_finish(h, &tn, &err);
	if (text == NULL) {
		if (mugai_html2text_limit_hit(h) == MUGAI_HTML_LIMIT_TIME)
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_time");
		else
			x_outcome(job, MUGAI_EXTRACT_DAMAGED, "html_depth");
	} else
		x_put(job, text, (gssize)tn);
	mugai_html2text_free(h);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}

void
x_html(struct xjob *job)
{
	job->xj_kind = "html";
	render_html(job, job->xj_data, job->xj_len);
}

/*
 * Returns (transfer full) the bytes without their document type
 * declaration, internal subset included (quotes and brackets followed),
 * so that its declarations do not show as text; the length in *out_len.
 */
static guint8 *
without_doctype(const unsigned char *d, gsize len, gsize *out_len)
{
	const unsigned char *s = memmem(d, len, "<!DOCTYPE", 9);
	const unsigned char *p, *end = d + len;
	GByteArray *b = g_byte_array_new();
	int depth = 0;
	unsigned char quote = 0;

	if (s == NULL) {
		g_byte_array_append(b, d, (guint)len);
		*out_len = b->len;
		return g_byte_array_free(b, FALSE);
	}
	for (p = s + 9; p < end; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'')
			quote = *p;
		else if (*p == '[')
			depth++;
		else if (*p == ']' && depth > 0)
			depth--;
		else if (*p == '>' && depth == 0) {
			p++;
			break;
		}
	}
	g_byte_array_append(b, d, (guint)(s - d));
	g_byte_array_append(b, p, (guint)(end - p));
	*out_len = b->len;
	return g_byte_array_free(b, FALSE);
}

static gboolean
looks_xhtml(const unsigned char *d, gsize len)
{
	g_autofree char *head = g_ascii_strdown((const char *)d,
	    (gssize)MIN(len, SNIFF_LEN));

	return strstr(head, "<html") != NULL;
}

void
x_xml(struct xjob *job)
{
	g_autoptr(GBytes) b = g_bytes_new_static(job->xj_data, job->xj_len);
	GArray *had_text;	/* per open element: its own text came out */
	xmlTextReaderPtr r;

	job->xj_kind = "xml";
	if (looks_xhtml(job->xj_data, job->xj_len) ||
	    x_xml_has_dtd(job->xj_data, job->xj_len)) {
		gsize n = 0;
		g_autofree guint8 *cut = without_doctype(job->xj_data,
		    job->xj_len, &n);

		render_html(job, cut, n);
		return;
	}
	if ((r = x_xml_open(job, b)) == NULL)
		return;
	had_text = g_array_new(FALSE, TRUE, sizeof(gboolean));
	while (x_xml_next(job, r) == 1) {
		int type = x_xml_type(r);

		if (type == XML_READER_TYPE_ELEMENT && !x_xml_empty(r))
			g_array_set_size(had_text, had_text->len + 1);
		else if (type == XML_READER_TYPE_END_ELEMENT &&
		    had_text->len > 0) {
			if (g_array_index(had_text, gboolean,
			    had_text->len - 1))
				x_newline(job);
			g_array_set_size(had_text, had_text->len - 1);
		} else if (type == XML_READER_TYPE_TEXT ||
		    type == XML_READER_TYPE_CDATA) {
			g_autofree char *t =
			    g_strstrip(g_strdup(x_xml_text(r)));

			if (t[0] == '\0')
				continue;
			if (job->xj_newlines == 0 && job->xj_out->len > 0)
				x_putc(job, ' ');
			x_put(job, t, -1);
			if (had_text->len > 0)
				g_array_index(had_text, gboolean,
				    had_text->len - 1) = TRUE;
		}
	}
	xmlFreeTextReader(r);
	g_array_unref(had_text);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}
