/*
 * pdf - the text of a PDF with poppler-glib, page by page
 *
 * poppler_page_get_text() gives each page's text in reading order with
 * its line breaks; pages are separated by a blank line, at most
 * max_pages of them (then truncated, "max_pages"), the deadline checked
 * between pages. A PDF that needs a password is encrypted
 * ("pdf_encrypted"); one with only an owner password (permissions) opens
 * and gives its text. One poppler cannot open is damaged ("pdf_damaged"),
 * or truncated ("max_bytes") when the client sent only its start. A PDF
 * without any text (a scan) is ok with the reason "no_text". Japanese
 * text of non-embedded CID fonts needs poppler-data, loaded before
 * confinement (warm.h).
 */
#include "autoconfig.h"

#include <poppler.h>

#include "parsers.h"

void
x_pdf(struct xjob *job)
{
	g_autoptr(GBytes) b = g_bytes_new_static(job->xj_data, job->xj_len);
	g_autoptr(GError) err = NULL;
	PopplerDocument *doc;
	int n;

	job->xj_kind = "pdf";
	doc = poppler_document_new_from_bytes(b, NULL, &err);
	if (doc == NULL) {
		if (err != NULL && g_error_matches(err, POPPLER_ERROR,
		    POPPLER_ERROR_ENCRYPTED))
			x_outcome(job, MUGAI_EXTRACT_ENCRYPTED,
			    "pdf_encrypted");
		else if (job->xj_cut)
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
		else
			x_outcome(job, MUGAI_EXTRACT_DAMAGED, "pdf_damaged");
		return;
	}
	n = poppler_document_get_n_pages(doc);
	for (int i = 0; i < n && !x_stop(job); i++) {
		PopplerPage *page;
		char *text;

		if (job->xj_pages >= job->xj_lim->xl_max_pages) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_pages");
			break;
		}
		if ((page = poppler_document_get_page(doc, i)) == NULL)
			continue;
		text = poppler_page_get_text(page);
		x_paragraph(job);
		x_put(job, text, -1);
		g_free(text);
		g_object_unref(page);
		job->xj_pages++;
	}
	g_object_unref(doc);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
	if (job->xj_out->len == 0 && job->xj_status == MUGAI_EXTRACT_OK)
		job->xj_reason = "no_text";
}
