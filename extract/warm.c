/*
 * warm - library initialisation before confinement (warm.h)
 *
 * What is loaded here stays loaded: the iconv descriptors are never
 * closed (the process ends after one document), and poppler keeps its
 * CMaps and CID-to-Unicode tables in caches of four entries each, in its
 * global parameters, which poppler-glib frees with the last document:
 * the first warm-up document is kept for that reason alone. The
 * order of the two PDFs matters for the CMap cache, which drops the
 * least recently used: the fonts of the other collections use the
 * built-in Identity-H (which takes a cache entry too), then the Japanese
 * CMaps come last and stay.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <poppler.h>

#include "text/charset.h"
#include "text/html2text.h"
#include "warm.h"

static const char *const iconv_from[] = {
	"CP932", "SHIFT_JIS", "SHIFT_JISX0213", "EUC-JP", "EUC-JP-MS",
	"EUC-JISX0213", "ISO-2022-JP", "ISO-2022-JP-2", "ISO-2022-JP-3",
	"WINDOWS-1252", "WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1253",
	"WINDOWS-1254", "WINDOWS-1255", "WINDOWS-1256", "WINDOWS-1257",
	"WINDOWS-1258", "CP874", "ISO-8859-15", "MACINTOSH", "CP437", "CP850",
	"GBK", "GB18030", "BIG5", "CP950", "CP949", "EUC-KR", "UTF-16",
	"UTF-16LE", "UTF-16BE", "UTF-32",
};

/* Held open for the life of the process: see the top of the file. */
static GIConv kept[G_N_ELEMENTS(iconv_from)];
static PopplerDocument *kept_doc;

GBytes *
x_pdf_page(const char *const *fonts, const char *const *strings, gsize n)
{
	GString *pdf = g_string_new("%PDF-1.4\n");
	GString *res = g_string_new(NULL), *content = g_string_new("BT\n");
	GArray *offs = g_array_new(FALSE, FALSE, sizeof(gsize));
	gsize nobj = 4 + n, xref;
	gsize off;

	for (gsize i = 0; i < n; i++) {
		g_string_append_printf(res, " /F%zu %zu 0 R", i + 1, 5 + i);
		g_string_append(content, i == 0 ? "20 750 Td\n" : "0 -20 Td\n");
		g_string_append_printf(content, "/F%zu 12 Tf %s Tj\n", i + 1,
		    strings[i]);
	}
	g_string_append(content, "ET\n");
	/* Object 1 catalog, 2 pages, 3 page, 4 content, 5.. fonts. */
	off = pdf->len;
	g_array_append_val(offs, off);
	g_string_append(pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
	    "endobj\n");
	off = pdf->len;
	g_array_append_val(offs, off);
	g_string_append(pdf, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] "
	    "/Count 1 >>\nendobj\n");
	off = pdf->len;
	g_array_append_val(offs, off);
	g_string_append_printf(pdf, "3 0 obj\n<< /Type /Page /Parent 2 0 R "
	    "/MediaBox [0 0 612 792] /Resources << /Font <<%s >> >> "
	    "/Contents 4 0 R >>\nendobj\n", res->str);
	off = pdf->len;
	g_array_append_val(offs, off);
	g_string_append_printf(pdf, "4 0 obj\n<< /Length %zu >>\nstream\n%s"
	    "endstream\nendobj\n", content->len, content->str);
	for (gsize i = 0; i < n; i++) {
		off = pdf->len;
		g_array_append_val(offs, off);
		g_string_append_printf(pdf, "%zu 0 obj\n%s\nendobj\n", 5 + i,
		    fonts[i]);
	}
	xref = pdf->len;
	g_string_append_printf(pdf, "xref\n0 %zu\n0000000000 65535 f \n",
	    nobj + 1);
	for (gsize i = 0; i < offs->len; i++)
		g_string_append_printf(pdf, "%010zu 00000 n \n",
		    g_array_index(offs, gsize, i));
	g_string_append_printf(pdf, "trailer\n<< /Size %zu /Root 1 0 R >>\n"
	    "startxref\n%zu\n%%%%EOF\n", nobj + 1, xref);
	g_array_unref(offs);
	g_string_free(res, TRUE);
	g_string_free(content, TRUE);
	return g_string_free_to_bytes(pdf);
}

/* A Type 0 font of collection ordering with encoding cmap, not embedded. */
static char *
cid_font(const char *ordering, const char *cmap)
{
	return g_strdup_printf("<< /Type /Font /Subtype /Type0 /BaseFont "
	    "/Warm /Encoding /%s /DescendantFonts [<< /Type /Font /Subtype "
	    "/CIDFontType0 /BaseFont /Warm /CIDSystemInfo << /Registry "
	    "(Adobe) /Ordering (%s) /Supplement 0 >> /FontDescriptor << "
	    "/Type /FontDescriptor /FontName /Warm /Flags 4 /FontBBox "
	    "[0 0 1000 1000] /ItalicAngle 0 /Ascent 880 /Descent -120 "
	    "/CapHeight 700 /StemV 80 >> >>] >>", cmap, ordering);
}

/* Loads the PDF of the n fonts and strings; returns its text. */
static char *
pdf_text(const char *const *orderings, const char *const *cmaps,
    const char *const *strings, gsize n)
{
	g_autoptr(GPtrArray) fonts = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GBytes) pdf = NULL;
	PopplerDocument *doc;
	PopplerPage *page = NULL;
	char *text = NULL;

	for (gsize i = 0; i < n; i++)
		g_ptr_array_add(fonts, cid_font(orderings[i], cmaps[i]));
	pdf = x_pdf_page((const char *const *)fonts->pdata, strings, n);
	if ((doc = poppler_document_new_from_bytes(pdf, NULL, NULL)) == NULL)
		return NULL;
	if ((page = poppler_document_get_page(doc, 0)) != NULL) {
		text = poppler_page_get_text(page);
		g_object_unref(page);
	}
	/* poppler's global parameters, and the tables cached in them, live
	 * while a document does: the first one is never freed. */
	if (kept_doc == NULL)
		kept_doc = doc;
	else
		g_object_unref(doc);
	return text;
}

static gboolean
warm_poppler(void)
{
	static const char *const others[] = { "GB1", "CNS1", "Korea1" };
	static const char *const identity[] = { "Identity-H", "Identity-H",
	    "Identity-H" };
	static const char *const cid1[] = { "<0022>", "<0022>", "<0022>" };
	static const char *const japan[] = { "Japan1", "Japan1", "Japan1",
	    "Japan1" };
	static const char *const cmaps[] = { "90msp-RKSJ-H", "UniJIS-UTF16-H",
	    "90ms-RKSJ-H", "UniJIS-UCS2-H" };
	/* 日 in Shift_JIS, UTF-16, Shift_JIS, UCS-2. */
	static const char *const nichi[] = { "<93FA>", "<65E5>", "<93FA>",
	    "<65E5>" };
	g_autofree char *t1 = pdf_text(others, identity, cid1, 3);
	g_autofree char *t2 = pdf_text(japan, cmaps, nichi, 4);

	if (t2 == NULL || strstr(t2, "\346\227\245") == NULL) {
		fprintf(stderr, "mugai-extract: poppler cannot read Japanese "
		    "CID fonts (apt-get install poppler-data)\n");
		return FALSE;
	}
	return TRUE;
}

static la_ssize_t
mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	g_byte_array_append(ctx, buf, (guint)len);
	return (la_ssize_t)len;
}

static void
warm_archive(void)
{
	GByteArray *zip = g_byte_array_new();
	struct archive *w = archive_write_new(), *r;
	struct archive_entry *e = archive_entry_new();
	char buf[64];

	archive_write_set_format_zip(w);
	archive_write_open2(w, zip, NULL, mem_write, NULL, NULL);
	archive_entry_set_pathname(e, "word/document.xml");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 4);
	archive_write_header(w, e);
	archive_write_data(w, "<a/>", 4);
	archive_write_close(w);
	archive_write_free(w);
	archive_entry_free(e);
	r = archive_read_new();
	archive_read_support_format_zip_seekable(r);
	if (archive_read_open_memory(r, zip->data, zip->len) == ARCHIVE_OK)
		while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
			(void)archive_entry_pathname(e);
			(void)archive_entry_pathname_utf8(e);
			while (archive_read_data(r, buf, sizeof buf) > 0)
				;
		}
	archive_read_free(r);
	g_byte_array_unref(zip);
}

gboolean
x_warm(void)
{
	static const char sjis[] = "\x93\xfa\x96\x7b\x8c\xea";
	static const char euc[] = "\xc6\xfc\xcb\xdc\xb8\xec";
	static const char jis[] = "\x1b$BF|K\\8l\x1b(B";

	xmlInitParser();
	for (gsize i = 0; i < G_N_ELEMENTS(iconv_from); i++)
		kept[i] = g_iconv_open("UTF-8", iconv_from[i]);
	g_free(mugai_charset_to_utf8(sjis, sizeof sjis - 1, NULL, NULL, NULL,
	    NULL));
	g_free(mugai_charset_to_utf8(euc, sizeof euc - 1, NULL, NULL, NULL,
	    NULL));
	g_free(mugai_charset_to_utf8(jis, sizeof jis - 1, NULL, NULL, NULL,
	    NULL));
	g_free(mugai_html2text("<p>a<b>b</b></p>", 16, NULL, NULL, NULL));
	warm_archive();
	return warm_poppler();
}
