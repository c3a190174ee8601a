/*
 * dispatch - which reader a document gets
 *
 * The bytes decide first: "%PDF-" in the first KiB is a PDF, a zip local
 * header an office package, the OLE2 signature an OLE2 file, "{\rtf" RTF.
 * The hint decides between the kinds that have no signature: html,
 * xml, ics, vcf, csv, text; a calendar or a card is also known by its
 * first line (BEGIN:VCALENDAR, BEGIN:VCARD), whatever the hint. A hint that names a kind with a signature the bytes do
 * not have makes the job damaged ("wrong_type"). With no usable hint
 * ("auto" or one not listed), markup is sniffed (an HTML tag or an XML
 * declaration near the start), bytes that look binary (a NUL, or more
 * than one in twenty control characters in the first 4 KiB) are
 * unsupported ("binary"), and the rest is text. An empty document is ok
 * with no text ("empty").
 */
#include "autoconfig.h"

#include <string.h>

#include "parsers.h"

#define SNIFF_LEN 4096

static const unsigned char ole_magic[8] = {
	0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
};

static gboolean
starts(const struct xjob *job, const char *sig, gsize n)
{
	return job->xj_len >= n && memcmp(job->xj_data, sig, n) == 0;
}

static gboolean
is_rtf(const struct xjob *job)
{
	gsize i = 0;

	if (starts(job, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < job->xj_len && i < 64 && g_ascii_isspace(job->xj_data[i]))
		i++;
	return job->xj_len - i >= 5 && memcmp(job->xj_data + i, "{\\rtf", 5) ==
	    0;
}

/* TRUE when the first non-blank line starts with word (any case). */
static gboolean
starts_line(const struct xjob *job, const char *word)
{
	gsize i = 0, n = strlen(word);

	if (starts(job, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < job->xj_len && i < 64 && g_ascii_isspace(job->xj_data[i]))
		i++;
	return job->xj_len - i >= n && g_ascii_strncasecmp(
	    (const char *)job->xj_data + i, word, n) == 0;
}

static gboolean
looks_binary(const struct xjob *job)
{
	gsize n = MIN(job->xj_len, SNIFF_LEN), ctl = 0;

	for (gsize i = 0; i < n; i++) {
		unsigned char c = job->xj_data[i];

		if (c == 0)
			return TRUE;
		/* ESC is ISO-2022-JP's, \t \n \f \r text's. */
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' &&
		    c != '\r' && c != 0x1b)
			ctl++;
	}
	return ctl * 20 > n;
}

/* HTML tag or XML declaration near the start: "html", "xml" or NULL. */
static const char *
sniff_markup(const struct xjob *job)
{
	static const char *const html[] = { "<!doctype html", "<html",
	    "<head", "<body", "<meta", "<div", "<p>", "<table", "<br" };
	g_autofree char *head = g_ascii_strdown((const char *)job->xj_data,
	    (gssize)MIN(job->xj_len, 1024));
	const char *p = head;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	for (gsize i = 0; i < G_N_ELEMENTS(html); i++)
		if (strstr(head, html[i]) != NULL)
			return "html";
	if (strncmp(p, "<?xml", 5) == 0)
		return "xml";
	return NULL;
}

void
x_dispatch(struct xjob *job)
{
	static const char *const signed_kinds[] = { "pdf", "docx", "xlsx",
	    "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "rtf", NULL };
	const char *h = job->xj_hint, *m;

	if (job->xj_len == 0) {
		job->xj_reason = "empty";
		return;
	}
	if (g_strstr_len((const char *)job->xj_data,
	    (gssize)MIN(job->xj_len, 1024), "%PDF-") != NULL)
		x_pdf(job);
	else if (starts(job, "PK\003\004", 4) || starts(job, "PK\005\006", 4))
		x_package(job);
	else if (starts(job, (const char *)ole_magic, 8))
		x_ole(job);
	else if (is_rtf(job))
		x_rtf(job);
	else if (g_strv_contains(signed_kinds, h)) {
		job->xj_kind = h;
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "wrong_type");
	} else if (strcmp(h, "html") == 0)
		x_html(job);
	else if (strcmp(h, "xml") == 0)
		x_xml(job);
	else if (strcmp(h, "ics") == 0 || starts_line(job, "BEGIN:VCALENDAR"))
		x_ics(job);
	else if (strcmp(h, "vcf") == 0 || starts_line(job, "BEGIN:VCARD"))
		x_vcard(job);
	else if (strcmp(h, "csv") == 0)
		x_csv(job);
	else if (strcmp(h, "text") == 0)
		x_plain(job, "text");
	else if ((m = sniff_markup(job)) != NULL && strcmp(m, "html") == 0)
		x_html(job);
	else if (m != NULL)
		x_xml(job);
	else if (looks_binary(job))
		x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "binary");
	else
		x_plain(job, "text");
}
