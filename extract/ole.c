/*
 * ole - OLE2 compound files: an encrypted OOXML document, or legacy
 * Office
 *
 * Office encrypts a DOCX, XLSX or PPTX by wrapping it in an OLE2 file
 * with the streams EncryptionInfo and EncryptedPackage: such a file is
 * encrypted ("ooxml_encrypted"). Otherwise the directory names the
 * legacy kind: WordDocument (doc) is read by worddoc.c, Workbook (xls)
 * by xlsdoc.c, PowerPoint Document (ppt) by pptdoc.c; anything else
 * (Book: Excel 95) is unsupported ("legacy_office"). The names are found as UTF-16LE anywhere in
 * the file, as lib/policy/docscan.c does: a stray match errs on the side
 * of "encrypted" or "unsupported", never of text.
 */
#include "autoconfig.h"

#include <string.h>

#include "parsers.h"

static gboolean
has_name(const struct xjob *job, const char *name)
{
	guint8 u[64];
	gsize n = strlen(name);

	for (gsize i = 0; i < n && 2 * i + 1 < sizeof u; i++) {
		u[2 * i] = (guint8)name[i];
		u[2 * i + 1] = 0;
	}
	return memmem(job->xj_data, job->xj_len, u, 2 * n) != NULL;
}

void
x_ole(struct xjob *job)
{
	job->xj_kind = "ole";
	if (has_name(job, "EncryptionInfo") &&
	    has_name(job, "EncryptedPackage")) {
		job->xj_kind = "ooxml";
		x_outcome(job, MUGAI_EXTRACT_ENCRYPTED, "ooxml_encrypted");
		return;
	}
	if (has_name(job, "WordDocument")) {
		x_doc(job);
		return;
	} else if (has_name(job, "Workbook") || has_name(job, "Book")) {
		x_xls(job);
		return;
	} else if (has_name(job, "PowerPoint Document")) {
		x_ppt(job);
		return;
	}
	x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "legacy_office");
}
