/*
 * mugai_docscan - active content in documents, found while bytes stream by
 *
 * One scanner per part, chosen from the part's first bytes:
 *  - OLE2 compound files (doc, xls, ppt): a directory entry named "Macros",
 *    "VBA", "_VBA_PROJECT" or "_VBA_PROJECT_CUR" means VBA macros. The
 *    parser checks the header signature and sector shift (9 or 12), then
 *    looks at every 128-byte-aligned record past the header as a possible
 *    directory entry (UTF-16LE name, name length at +64 even and <= 64 with
 *    a NUL at its end, type 1 storage or 2 stream). It does not follow the
 *    FAT: a stray match in a data sector flags a macro that is not there,
 *    which errs on the side of caution. Excel 4.0 (XLM) macros in the
 *    Workbook stream are not detected.
 *  - PDF: names as the PDF lexer sees them, #xx escapes decoded, so
 *    /J#61vaScript counts: /JavaScript and /JS, /Launch, /EmbeddedFile(s),
 *    /OpenAction and /AA, /RichMedia. Names inside compressed object
 *    streams are not seen.
 *  - Markup (HTML, XML, SVG): "<script" or "javascript:", any case.
 * Each scanner stops after max_bytes; MUGAI_DOC_TRUNCATED then says so.
 * Bytes are untrusted and never fail a scan: the result is a set of bits.
 */
#ifndef MUGAI_DOCSCAN_H
#define MUGAI_DOCSCAN_H

#include <glib.h>

/* Named in the flag table (lib/base/flag.c), in this order. */
enum mugai_doc_flag {
	MUGAI_DOC_MACRO		= 1 << 0,
	MUGAI_DOC_PDF_JS	= 1 << 1,
	MUGAI_DOC_PDF_LAUNCH	= 1 << 2,
	MUGAI_DOC_PDF_EMBEDDED	= 1 << 3,
	MUGAI_DOC_PDF_ACTION	= 1 << 4,
	MUGAI_DOC_SCRIPT	= 1 << 5,
	MUGAI_DOC_TRUNCATED	= 1 << 6,
};

struct mugai_docscan;

/*
 * Returns (transfer full) a scanner for the document whose first len bytes
 * are head and whose libmagic type is detected (may be NULL), or NULL when
 * it is no kind this module scans. Feed it every byte from the start,
 * head included.
 */
struct mugai_docscan *mugai_docscan_new(const void *head, gsize len,
    const char *detected, guint64 max_bytes);

/* Feeds the next len bytes. */
void mugai_docscan_feed(struct mugai_docscan *ds, const void *buf, gsize len);

/* Returns the MUGAI_DOC_* bits found and frees ds. NULL gives 0. */
guint mugai_docscan_finish(struct mugai_docscan *ds);

/* Returns (transfer none) the rp_flags name of one bit (the flag table's). */
const char *mugai_docscan_flag_name(enum mugai_doc_flag flag);

#endif
