/*
 * docgen - documents for t/check_extract, written here byte by byte
 *
 * Each returns (transfer full) a GBytes. Nothing binary is committed: the
 * PDFs are hand-written objects with a computed xref, the OOXML and ODF
 * packages hand-written XML zipped by libarchive (t/fixtures.c), the RTF
 * hand-written with \uN and Shift_JIS \'hh escapes, the OLE2 file a
 * header and a directory. The Japanese strings they carry are the
 * DG_JA_* macros, in UTF-8, for the tests to look for.
 */
#ifndef MUGAI_DOCGEN_H
#define MUGAI_DOCGEN_H

#include <glib.h>

#define DG_JA_PDF	"日本語の文書"
#define DG_JA_DOCX	"令和六年度の予算"
#define DG_JA_CELL	"東京都"
#define DG_JA_SLIDE	"会議の資料"
#define DG_JA_RTF	"日本語"
#define DG_JA_RTF_U	"あい"

/* One page in Helvetica: "Hello from the PDF". */
GBytes *dg_pdf_english(void);
/* One page in HeiseiMin-W3, /Encoding /UniJIS-UCS2-H, Adobe-Japan1, not
 * embedded: DG_JA_PDF, then "Tokyo" in Helvetica. */
GBytes *dg_pdf_japanese(void);
/* n pages, page i saying "Page i". */
GBytes *dg_pdf_pages(guint n);
/* Encrypted with a user password (an /Encrypt dictionary no empty
 * password opens). */
GBytes *dg_pdf_encrypted(void);
/* A header and nothing poppler can rebuild. */
GBytes *dg_pdf_damaged(void);

/* A DOCX: two paragraphs (English, DG_JA_DOCX with ruby), a table. */
GBytes *dg_docx(void);
/* A DOCX whose document.xml has `extra` spaces inside the body: a bomb
 * when extra is large (it compresses to almost nothing). */
GBytes *dg_docx_bomb(gsize extra);
/* A DOCX whose document.xml carries a billion-laughs DTD. */
GBytes *dg_docx_dtd(void);
/* An XLSX: sheets "Budget" (shared strings, DG_JA_CELL with furigana,
 * numbers, a boolean) and "Notes" (an inline string). */
GBytes *dg_xlsx(void);
/* A PPTX of two slides, presentation.xml listing slide2.xml first:
 * "Agenda" then DG_JA_SLIDE. */
GBytes *dg_pptx(void);
/* ODT, ODS, ODP with the same kind of content. */
GBytes *dg_odt(void);
GBytes *dg_ods(void);
GBytes *dg_odp(void);
/* RTF, \ansicpg932: DG_JA_RTF in \'hh Shift_JIS, DG_JA_RTF_U in \uN. */
GBytes *dg_rtf(void);
/* An OOXML document encrypted by Office: an OLE2 file with the streams
 * EncryptionInfo and EncryptedPackage. */
GBytes *dg_ooxml_encrypted(void);
/* A legacy Word file (an OLE2 file with a WordDocument stream). */
GBytes *dg_doc(void);
/*
 * A Word 97 document (OLE2 written by libgsf: a FIB, one piece) holding
 * text (Word's own marks such as "\r", "\a" and the field characters
 * 0x13-0x15 pass as they are): UTF-8 stored as UTF-16LE or, narrow, CP1252
 * bytes stored as they are. how: 0 plain, 1 the FIB says encrypted, 2 the
 * piece runs past the stream.
 */
GBytes *dg_word97(const char *text, gboolean narrow, guint how);
/*
 * An Excel 97 workbook (BIFF8 in OLE2, written by libgsf): sheet 予算 with
 * shared strings 見積書 and 合計金額 (crossing into a CONTINUE record), the
 * numbers 12000 and 3 (NUMBER, RK) and the inline label 直接. how: 0
 * plain, 1 with FILEPASS (encrypted), 2 a record past the stream's end.
 */
GBytes *dg_xls97(guint how);
/*
 * A PowerPoint 97 presentation (written by libgsf): two slides, 表題 /
 * 本文です (UTF-16) and "Second slide" (8-bit), and a notes page that
 * must not show. how: 0 plain, 1 with an EncryptedSummary stream, 2 a
 * container longer than the stream.
 */
GBytes *dg_ppt97(guint how);
/* An XML file whose entities double ten times (a billion laughs). */
GBytes *dg_billion_laughs(void);

#endif
