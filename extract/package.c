/*
 * package - a zip: which office package it is, from its parts
 *
 * ODF has a "mimetype" entry or content.xml; OOXML has its main part:
 * word/document.xml, xl/workbook.xml or ppt/presentation.xml. The hint
 * plays no part: a .docx that is a spreadsheet reads as one. A zip that
 * is none of them is unsupported ("zip_not_office"): archives are the
 * policy's business, not ours.
 */
#include "autoconfig.h"

#include <string.h>

#include "parsers.h"

static const char *
odf_kind(GBytes *mimetype)
{
	static const struct { const char *type; const char *kind; } t[] = {
		{ "application/vnd.oasis.opendocument.text", "odt" },
		{ "application/vnd.oasis.opendocument.spreadsheet", "ods" },
		{ "application/vnd.oasis.opendocument.presentation", "odp" },
	};
	gsize len = 0;
	const char *m = mimetype != NULL ?
	    g_bytes_get_data(mimetype, &len) : NULL;

	for (gsize i = 0; m != NULL && i < G_N_ELEMENTS(t); i++)
		if (len >= strlen(t[i].type) &&
		    strncmp(m, t[i].type, strlen(t[i].type)) == 0)
			return t[i].kind;
	return NULL;
}

void
x_package(struct xjob *job)
{
	struct zipdoc *z;

	job->xj_kind = "zip";
	if ((z = x_zip_open(job)) == NULL)
		return;
	if (x_zip_has(z, "content.xml") || x_zip_has(z, "mimetype")) {
		job->xj_kind = odf_kind(x_zip_get(z, "mimetype"));
		x_odf(job, z);
	} else if (x_zip_has(z, "word/document.xml"))
		x_docx(job, z);
	else if (x_zip_has(z, "xl/workbook.xml"))
		x_xlsx(job, z);
	else if (x_zip_has(z, "ppt/presentation.xml"))
		x_pptx(job, z);
	else
		x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "zip_not_office");
	x_zip_free(z);
}
