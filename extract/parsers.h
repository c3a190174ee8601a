/*
 * parsers - the document readers of mugai-extract, one file each
 *
 * Each takes the job (lent), writes its text with x_put() and friends,
 * sets xj_kind and, for paged kinds, xj_pages, and records its outcome
 * with x_outcome(). None fails the process: bad input is an outcome.
 *   x_dispatch()  dispatch.c  picks a reader from the bytes and the hint
 *   x_pdf()       pdf.c       poppler-glib, page by page
 *   x_package()   package.c   a zip: OOXML (ooxml.c, xlsx.c) or ODF (odf.c)
 *   x_rtf()       rtf.c       RTF, with \uN and code pages
 *   x_plain(), x_html(), x_xml()   textdoc.c  text, CSV, HTML, XML
 *   x_ole()       ole.c       OLE2: encrypted OOXML, legacy Office
 *   x_doc()       worddoc.c   Word 97-2003 (libgsf for the container)
 *   x_xls()       xlsdoc.c    Excel 97-2003 (BIFF8, the same way)
 *   x_ppt()       pptdoc.c    PowerPoint 97-2003 (the same way)
 *   x_ics()       ics.c       iCalendar invitations (libical)
 *   x_vcard()     vcard.c     vCard contacts (2.1, 3.0, 4.0)
 *   x_csv()       csv.c       CSV as aligned columns (table.c)
 */
#ifndef MUGAI_EXTRACT_PARSERS_H
#define MUGAI_EXTRACT_PARSERS_H

#include "job.h"
#include "zipdoc.h"

/* Little-endian numbers, as the binary Office formats (doc, xls, ppt)
 * store them; p must have 2 (4) bytes. */
static inline guint32
x_le16(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8;
}

static inline guint32
x_le32(const guint8 *p)
{
	return x_le16(p) | x_le16(p + 2) << 16;
}

void x_dispatch(struct xjob *job);
void x_pdf(struct xjob *job);
void x_package(struct xjob *job);
void x_rtf(struct xjob *job);
void x_plain(struct xjob *job, const char *kind);
void x_html(struct xjob *job);
void x_xml(struct xjob *job);
void x_ole(struct xjob *job);
void x_doc(struct xjob *job);
void x_xls(struct xjob *job);
void x_ppt(struct xjob *job);
/* Before confinement: libgsf's types (worddoc.c). */
void x_doc_warm(void);
void x_ics(struct xjob *job);
void x_vcard(struct xjob *job);
void x_csv(struct xjob *job);

/* Within a package (zipdoc.h), after x_package() chose the kind. */
void x_docx(struct xjob *job, struct zipdoc *z);
void x_pptx(struct xjob *job, struct zipdoc *z);
void x_xlsx(struct xjob *job, struct zipdoc *z);
void x_odf(struct xjob *job, struct zipdoc *z);

/*
 * OOXML relationships (ooxml.c): returns (transfer full) Id -> part name
 * for the .rels part of the package part dir/NAME ("xl" for
 * "xl/_rels/workbook.xml.rels"), the targets resolved against dir.
 * Missing part: an empty table.
 */
GHashTable *x_ooxml_rels(struct xjob *job, struct zipdoc *z,
    const char *rels, const char *dir);

/* A page, sheet or slide header line: "=== label ===". */
void x_section(struct xjob *job, const char *label);

#endif
