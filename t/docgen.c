/*
 * docgen - documents built in memory for t/check_extract (docgen.h)
 */
#include "autoconfig.h"

#include <string.h>

#include <check.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-output-memory.h>
#include <gsf/gsf-utils.h>

#include "docgen.h"
#include "fixtures.h"

/* ---------------------------------------------------------------- PDF */

/* A PDF of the objects (object i + 1 is objs[i]), the catalog being 1. */
static GBytes *
pdf_build(GPtrArray *objs, const char *trailer_extra)
{
	GString *pdf = g_string_new("%PDF-1.4\n%\342\343\317\323\n");
	GArray *offs = g_array_new(FALSE, FALSE, sizeof(gsize));
	gsize xref;

	for (guint i = 0; i < objs->len; i++) {
		gsize off = pdf->len;

		g_array_append_val(offs, off);
		g_string_append_printf(pdf, "%u 0 obj\n%s\nendobj\n", i + 1,
		    (const char *)g_ptr_array_index(objs, i));
	}
	xref = pdf->len;
	g_string_append_printf(pdf, "xref\n0 %u\n0000000000 65535 f \n",
	    objs->len + 1);
	for (guint i = 0; i < offs->len; i++)
		g_string_append_printf(pdf, "%010zu 00000 n \n",
		    g_array_index(offs, gsize, i));
	g_string_append_printf(pdf, "trailer\n<< /Size %u /Root 1 0 R %s>>\n"
	    "startxref\n%zu\n%%%%EOF\n", objs->len + 1,
	    trailer_extra != NULL ? trailer_extra : "", xref);
	g_array_unref(offs);
	g_ptr_array_unref(objs);
	return g_string_free_to_bytes(pdf);
}

static char *
stream(const char *content)
{
	return g_strdup_printf("<< /Length %zu >>\nstream\n%s\nendstream",
	    strlen(content), content);
}

#define HELVETICA "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " \
	"/Encoding /WinAnsiEncoding >>"

/* Pages of one content stream each, fonts F1 (helvetica) and F2 (obj
 * 4 when japanese). Objects: 1 catalog, 2 pages, 3 Helvetica, 4..6 the
 * Japanese font, then page and content per page. */
static GBytes *
pdf_pages(const char *const *contents, guint n, const char *trailer_extra,
    GPtrArray *more)
{
	GPtrArray *o = g_ptr_array_new_with_free_func(g_free);
	GString *kids = g_string_new(NULL);
	const guint first = 7 + (more != NULL ? more->len : 0);

	for (guint i = 0; i < n; i++)
		g_string_append_printf(kids, "%u 0 R ", first + 2 * i);
	g_ptr_array_add(o, g_strdup("<< /Type /Catalog /Pages 2 0 R >>"));
	g_ptr_array_add(o, g_strdup_printf("<< /Type /Pages /Kids [%s] "
	    "/Count %u >>", kids->str, n));
	g_ptr_array_add(o, g_strdup(HELVETICA));
	g_ptr_array_add(o, g_strdup("<< /Type /Font /Subtype /Type0 "
	    "/BaseFont /HeiseiMin-W3 /Encoding /UniJIS-UCS2-H "
	    "/DescendantFonts [5 0 R] >>"));
	g_ptr_array_add(o, g_strdup("<< /Type /Font /Subtype /CIDFontType0 "
	    "/BaseFont /HeiseiMin-W3 /CIDSystemInfo << /Registry (Adobe) "
	    "/Ordering (Japan1) /Supplement 2 >> /FontDescriptor 6 0 R "
	    "/DW 1000 >>"));
	g_ptr_array_add(o, g_strdup("<< /Type /FontDescriptor /FontName "
	    "/HeiseiMin-W3 /Flags 6 /FontBBox [-123 -257 1001 910] "
	    "/ItalicAngle 0 /Ascent 859 /Descent -143 /CapHeight 709 "
	    "/StemV 69 >>"));
	for (guint i = 0; more != NULL && i < more->len; i++)
		g_ptr_array_add(o, g_strdup(g_ptr_array_index(more, i)));
	for (guint i = 0; i < n; i++) {
		g_ptr_array_add(o, g_strdup_printf("<< /Type /Page /Parent "
		    "2 0 R /MediaBox [0 0 595 842] /Resources << /Font << "
		    "/F1 3 0 R /F2 4 0 R >> >> /Contents %u 0 R >>",
		    first + 2 * i + 1));
		g_ptr_array_add(o, stream(contents[i]));
	}
	g_string_free(kids, TRUE);
	return pdf_build(o, trailer_extra);
}

GBytes *
dg_pdf_english(void)
{
	const char *c = "BT /F1 12 Tf 72 760 Td (Hello from the PDF) Tj ET";

	return pdf_pages(&c, 1, NULL, NULL);
}

GBytes *
dg_pdf_japanese(void)
{
	/* 日本語の文書 in UCS-2, which UniJIS-UCS2-H maps to CIDs. */
	const char *c = "BT /F2 24 Tf 72 760 Td <65E5672C8A9E306E658766F8> Tj "
	    "ET\nBT /F1 12 Tf 72 700 Td (Tokyo) Tj ET";

	return pdf_pages(&c, 1, NULL, NULL);
}

GBytes *
dg_pdf_pages(guint n)
{
	GPtrArray *c = g_ptr_array_new_with_free_func(g_free);
	GBytes *b;

	for (guint i = 0; i < n; i++)
		g_ptr_array_add(c, g_strdup_printf("BT /F1 12 Tf 72 760 Td "
		    "(Page %u) Tj ET", i + 1));
	b = pdf_pages((const char *const *)c->pdata, n, NULL, NULL);
	g_ptr_array_unref(c);
	return b;
}

GBytes *
dg_pdf_encrypted(void)
{
	const char *c = "BT /F1 12 Tf 72 760 Td (Secret) Tj ET";
	GPtrArray *more = g_ptr_array_new();
	GBytes *b;

	/* /U is no RC4 of the padding under any key the empty password
	 * gives: a user password is needed. */
	g_ptr_array_add(more, (gpointer)"<< /Filter /Standard /V 1 /R 2 "
	    "/Length 40 /P -44 "
	    "/O <00112233445566778899AABBCCDDEEFF"
	    "00112233445566778899AABBCCDDEEFF> "
	    "/U <FFEEDDCCBBAA99887766554433221100"
	    "FFEEDDCCBBAA99887766554433221100> >>");
	b = pdf_pages(&c, 1, "/Encrypt 7 0 R /ID [<0123456789ABCDEF0123456789"
	    "ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] ", more);
	g_ptr_array_unref(more);
	return b;
}

GBytes *
dg_pdf_damaged(void)
{
	return fx_text("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\n"
	    "garbage garbage garbage\n");
}

/* ---------------------------------------------------------------- zips */

static GBytes *
zip_of(const char *const *names, const char *const *texts, gsize n)
{
	struct fx_entry *e = g_new0(struct fx_entry, n);
	GBytes *z;

	for (gsize i = 0; i < n; i++) {
		e[i].name = names[i];
		e[i].data = fx_text(texts[i]);
	}
	z = fx_archive("zip", NULL, NULL, NULL, e, n);
	for (gsize i = 0; i < n; i++)
		g_bytes_unref(e[i].data);
	g_free(e);
	return z;
}

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" " \
	"standalone=\"yes\"?>\n"
#define NS_W "xmlns:w=\"http://schemas.openxmlformats.org/" \
	"wordprocessingml/2006/main\""
#define NS_R "xmlns:r=\"http://schemas.openxmlformats.org/" \
	"officeDocument/2006/relationships\""
#define NS_REL "xmlns=\"http://schemas.openxmlformats.org/package/2006/" \
	"relationships\""

static const char content_types[] = XML_DECL
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\"><Default Extension=\"rels\" ContentType=\"application/"
    "vnd.openxmlformats-package.relationships+xml\"/><Default Extension="
    "\"xml\" ContentType=\"application/xml\"/></Types>";

static const char docx_body[] =
    "<w:p><w:r><w:t>Hello from the DOCX</w:t></w:r><w:r><w:tab/>"
    "<w:t xml:space=\"preserve\"> second run</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>令和</w:t></w:r><w:r><w:ruby><w:rubyPr/><w:rt><w:r>"
    "<w:t>ろくねんど</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>六年度</w:t>"
    "</w:r></w:rubyBase></w:ruby></w:r><w:r><w:t>の予算</w:t></w:r></w:p>"
    "<w:p><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del>"
    "</w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Item</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>Cost</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc>"
    "<w:p><w:r><w:t>Paper</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r>"
    "<w:t>100</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p/></w:tc>"
    "<w:tc><w:p><w:r><w:t>note</w:t></w:r></w:p><w:p><w:r><w:t>two"
    "</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";

static GBytes *
docx_with(const char *document)
{
	const char *names[] = { "[Content_Types].xml", "_rels/.rels",
	    "word/document.xml" };
	const char *texts[] = { content_types, XML_DECL "<Relationships "
	    NS_REL "><Relationship Id=\"rId1\" Type=\"http://schemas."
	    "openxmlformats.org/officeDocument/2006/relationships/"
	    "officeDocument\" Target=\"word/document.xml\"/></Relationships>",
	    document };

	return zip_of(names, texts, 3);
}

GBytes *
dg_docx(void)
{
	g_autofree char *doc = g_strconcat(XML_DECL, "<w:document " NS_W
	    "><w:body>", docx_body, "</w:body></w:document>", NULL);

	return docx_with(doc);
}

GBytes *
dg_docx_bomb(gsize extra)
{
	GString *doc = g_string_new(XML_DECL "<w:document " NS_W "><w:body>");
	GBytes *b;

	g_string_set_size(doc, doc->len + extra);
	memset(doc->str + doc->len - extra, ' ', extra);
	g_string_append(doc, "<w:p><w:r><w:t>after the bomb</w:t></w:r></w:p>"
	    "</w:body></w:document>");
	b = docx_with(doc->str);
	g_string_free(doc, TRUE);
	return b;
}

static const char laughs_dtd[] =
    "<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"
    "&lol1;\">\n"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"
    "&lol2;\">\n"
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"
    "&lol3;\">\n"
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"
    "&lol4;\">\n"
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"
    "&lol5;\">\n"
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"
    "&lol6;\">\n"
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"
    "&lol7;\">\n"
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;"
    "&lol8;\">\n]>\n";

GBytes *
dg_docx_dtd(void)
{
	g_autofree char *doc = g_strconcat("<?xml version=\"1.0\"?>\n",
	    laughs_dtd, "<w:document " NS_W "><w:body><w:p><w:r><w:t>&lol9;"
	    "</w:t></w:r></w:p></w:body></w:document>", NULL);

	return docx_with(doc);
}

GBytes *
dg_billion_laughs(void)
{
	g_autofree char *x = g_strconcat("<?xml version=\"1.0\"?>\n",
	    laughs_dtd, "<lolz><item>&lol9;</item><item>plain</item></lolz>\n",
	    NULL);

	return fx_text(x);
}

#define NS_S "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/" \
	"2006/main\""

GBytes *
dg_xlsx(void)
{
	const char *names[] = { "[Content_Types].xml", "xl/workbook.xml",
	    "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
	    "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml" };
	const char *texts[] = { content_types,
	    XML_DECL "<workbook " NS_S " " NS_R "><sheets><sheet name="
	    "\"Budget\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Notes\" "
	    "sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>",
	    XML_DECL "<Relationships " NS_REL "><Relationship Id=\"rId1\" "
	    "Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	    "<Relationship Id=\"rId2\" Type=\"worksheet\" "
	    "Target=\"/xl/worksheets/sheet2.xml\"/></Relationships>",
	    XML_DECL "<sst " NS_S " count=\"3\" uniqueCount=\"3\"><si><t>City"
	    "</t></si><si><t>Amount</t></si><si><r><t>東京</t></r><r><t>都"
	    "</t></r><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si></sst>",
	    XML_DECL "<worksheet " NS_S "><sheetData><row r=\"1\"><c r=\"A1\" "
	    "t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\"><v>1234.5"
	    "</v></c><c r=\"C2\" t=\"b\"><v>1</v></c></row><row r=\"4\"><c "
	    "r=\"A4\" t=\"str\"><f>UPPER(\"osaka\")</f><v>OSAKA</v></c><c "
	    "r=\"B4\"><v>0.30000000000000004</v></c></row></sheetData>"
	    "</worksheet>",
	    XML_DECL "<worksheet " NS_S "><sheetData><row r=\"1\"><c r=\"B1\" "
	    "t=\"inlineStr\"><is><t>See the budget</t></is></c></row>"
	    "</sheetData></worksheet>" };

	return zip_of(names, texts, G_N_ELEMENTS(names));
}

#define NS_P "xmlns:p=\"http://schemas.openxmlformats.org/" \
	"presentationml/2006/main\" xmlns:a=\"http://schemas." \
	"openxmlformats.org/drawingml/2006/main\""
#define SLIDE(text) XML_DECL "<p:sld " NS_P "><p:cSld><p:spTree><p:sp>" \
	"<p:txBody><a:p><a:r><a:t>" text "</a:t></a:r></a:p></p:txBody>" \
	"</p:sp></p:spTree></p:cSld></p:sld>"

GBytes *
dg_pptx(void)
{
	const char *names[] = { "[Content_Types].xml", "ppt/presentation.xml",
	    "ppt/_rels/presentation.xml.rels", "ppt/slides/slide1.xml",
	    "ppt/slides/slide2.xml" };
	const char *texts[] = { content_types,
	    XML_DECL "<p:presentation " NS_P " " NS_R "><p:sldIdLst><p:sldId "
	    "id=\"256\" r:id=\"rId3\"/><p:sldId id=\"257\" r:id=\"rId2\"/>"
	    "</p:sldIdLst></p:presentation>",
	    XML_DECL "<Relationships " NS_REL "><Relationship Id=\"rId2\" "
	    "Type=\"slide\" Target=\"slides/slide1.xml\"/><Relationship "
	    "Id=\"rId3\" Type=\"slide\" Target=\"slides/slide2.xml\"/>"
	    "</Relationships>",
	    SLIDE(DG_JA_SLIDE), SLIDE("Agenda") };

	return zip_of(names, texts, G_N_ELEMENTS(names));
}

#define ODF_OPEN "<office:document-content xmlns:office=\"urn:oasis:names:" \
	"tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:" \
	"tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:" \
	"opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:" \
	"opendocument:xmlns:drawing:1.0\" xmlns:presentation=\"urn:oasis:" \
	"names:tc:opendocument:xmlns:presentation:1.0\" office:version=" \
	"\"1.2\"><office:body>"
#define ODF_CLOSE "</office:body></office:document-content>"

static GBytes *
odf_of(const char *type, const char *body)
{
	g_autofree char *mt = g_strconcat("application/vnd.oasis."
	    "opendocument.", type, NULL);
	g_autofree char *content = g_strconcat(XML_DECL, ODF_OPEN, body,
	    ODF_CLOSE, NULL);
	const char *names[] = { "mimetype", "META-INF/manifest.xml",
	    "content.xml" };
	const char *texts[] = { mt, XML_DECL "<manifest:manifest "
	    "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:"
	    "manifest:1.0\"><manifest:file-entry manifest:full-path=\"/\"/>"
	    "</manifest:manifest>", content };

	return zip_of(names, texts, 3);
}

GBytes *
dg_odt(void)
{
	return odf_of("text", "<office:text><text:h>Minutes</text:h>"
	    "<text:p>Hello from the ODT<text:s text:c=\"3\"/>end</text:p>\n"
	    "  <text:p>" DG_JA_DOCX "<office:annotation><text:p>secret "
	    "comment</text:p></office:annotation></text:p><table:table>"
	    "<table:table-row><table:table-cell><text:p>Item</text:p>"
	    "</table:table-cell><table:table-cell><text:p>Cost</text:p>"
	    "</table:table-cell></table:table-row></table:table>"
	    "</office:text>");
}

GBytes *
dg_ods(void)
{
	return odf_of("spreadsheet", "<office:spreadsheet><table:table "
	    "table:name=\"Budget\"><table:table-row><table:table-cell>"
	    "<text:p>City</text:p></table:table-cell><table:table-cell>"
	    "<text:p>Amount</text:p></table:table-cell></table:table-row>"
	    "<table:table-row><table:table-cell><text:p>" DG_JA_CELL
	    "</text:p></table:table-cell><table:table-cell office:value-type="
	    "\"float\" office:value=\"1234.5\"><text:p>1,234.5</text:p>"
	    "</table:table-cell><table:table-cell "
	    "table:number-columns-repeated=\"16382\"/></table:table-row>"
	    "<table:table-row table:number-rows-repeated=\"1048574\">"
	    "<table:table-cell table:number-columns-repeated=\"16384\"/>"
	    "</table:table-row></table:table></office:spreadsheet>");
}

GBytes *
dg_odp(void)
{
	return odf_of("presentation", "<office:presentation><draw:page "
	    "draw:name=\"page1\"><draw:frame><draw:text-box><text:p>Agenda"
	    "</text:p></draw:text-box></draw:frame></draw:page><draw:page "
	    "draw:name=\"page2\"><draw:frame><draw:text-box><text:p>"
	    DG_JA_SLIDE "</text:p></draw:text-box></draw:frame>"
	    "<presentation:notes><draw:frame><draw:text-box><text:p>speaker "
	    "notes</text:p></draw:text-box></draw:frame></presentation:notes>"
	    "</draw:page></office:presentation>");
}

/* ---------------------------------------------------------------- RTF */

GBytes *
dg_rtf(void)
{
	/* The font name is ＭＳ 明朝 in Shift_JIS; 日本語 is 93FA 967B 8CEA;
	 * あ and い are U+3042 and U+3044. */
	return fx_text("{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0\\fnil"
	    "\\fcharset128 \\'82\\'6c\\'82\\'72 \\'96\\'be\\'92\\'a9;}{\\f1"
	    "\\fswiss\\fcharset0 Arial;}}\n{\\*\\generator Hand 1.0;}"
	    "{\\info{\\title Secret title}}\\f0\\fs24 \\'93\\'fa\\'96\\'7b"
	    "\\'8c\\'ea\\par\n\\uc1\\u12354?\\u12356?\\par\n\\f1 Hello from "
	    "the RTF\\par\n{\\pict\\wmetafile8 0102030405}\n"
	    "\\trowd\\cellx1000\\cellx2000 A1\\cell B1\\cell\\row\n}");
}

/* ---------------------------------------------------------------- OLE2 */

static void
dirent(unsigned char *p, const char *name, guint type, guint32 child,
    guint32 right)
{
	gsize n = strlen(name);

	for (gsize i = 0; i < n; i++)
		p[2 * i] = (unsigned char)name[i];
	fx_put16(p + 64, (guint)(2 * n + 2));
	p[66] = (unsigned char)type;
	p[67] = 1;
	fx_put32(p + 68, 0xffffffffu);
	fx_put32(p + 72, right);
	fx_put32(p + 76, child);
	fx_put32(p + 116, 0xfffffffeu);
}

/* An OLE2 file whose root holds the streams names (at most 3). */
static GBytes *
ole_with(const char *const *names, guint n)
{
	gsize len = 512 * 3;
	unsigned char *b = g_malloc0(len);
	unsigned char *fat = b + 512, *dir = b + 1024;

	memcpy(b, "\320\317\021\340\241\261\032\341", 8);
	fx_put16(b + 0x18, 0x3e);
	fx_put16(b + 0x1a, 3);
	fx_put16(b + 0x1c, 0xfffe);
	fx_put16(b + 0x1e, 9);
	fx_put16(b + 0x20, 6);
	fx_put32(b + 0x2c, 1);
	fx_put32(b + 0x30, 1);
	fx_put32(b + 0x38, 4096);
	fx_put32(b + 0x3c, 0xfffffffeu);
	fx_put32(b + 0x44, 0xfffffffeu);
	memset(b + 0x4c, 0xff, 436);
	fx_put32(b + 0x4c, 0);
	memset(fat, 0xff, 512);
	fx_put32(fat, 0xfffffffdu);
	fx_put32(fat + 4, 0xfffffffeu);
	dirent(dir, "Root Entry", 5, n > 0 ? 1 : 0xffffffffu, 0xffffffffu);
	for (guint i = 0; i < n && i < 3; i++)
		dirent(dir + 128 * (i + 1), names[i], 2, 0xffffffffu,
		    i + 1 < n ? i + 2 : 0xffffffffu);
	return g_bytes_new_take(b, len);
}

GBytes *
dg_ooxml_encrypted(void)
{
	const char *names[] = { "EncryptionInfo", "EncryptedPackage" };

	return ole_with(names, 2);
}

GBytes *
dg_doc(void)
{
	const char *names[] = { "WordDocument", "1Table" };

	return ole_with(names, 2);
}

/* One stream of an OLE2 file being written. */
static void
ole_stream(GsfOutfile *ole, const char *name, const void *d, gsize len)
{
	GsfOutput *o = gsf_outfile_new_child(ole, name, FALSE);

	ck_assert_ptr_nonnull(o);
	ck_assert(gsf_output_write(o, len, d));
	ck_assert(gsf_output_close(o));
	g_object_unref(o);
}

GBytes *
dg_word97(const char *text, gboolean narrow, guint how)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	GByteArray *wd = g_byte_array_new(), *tbl = g_byte_array_new();
	glong n = (glong)strlen(text);
	gunichar2 *u = narrow ? NULL : g_utf8_to_utf16(text, -1, NULL, &n,
	    NULL);
	guint8 fib[0x800];
	guint32 fc = 0x800, count;
	GBytes *b;

	ck_assert(narrow || u != NULL);
	count = (guint32)n;
	memset(fib, 0, sizeof fib);
	fx_put16(fib, 0xA5EC);
	fx_put16(fib + 2, 0x00C1);
	/* 1Table, and fEncrypted when asked. */
	fx_put16(fib + 0x0A, 0x0200 | (how == 1 ? 0x0100 : 0));
	fx_put32(fib + 0x1A2, 0);
	fx_put32(fib + 0x1A6, 1 + 4 + 16);
	g_byte_array_append(wd, fib, sizeof fib);
	for (glong i = 0; !narrow && i < n; i++) {
		guint8 c[2] = { (guint8)(u[i] & 0xff), (guint8)(u[i] >> 8) };

		g_byte_array_append(wd, c, 2);
	}
	if (narrow)
		g_byte_array_append(wd, (const guint8 *)text, (guint)n);
	if (narrow)
		fc = (0x800 * 2) | 0x40000000;
	if (how == 2)
		count += 100000;	/* past the stream: damaged */
	{
		guint8 clx[1 + 4 + 16];

		clx[0] = 0x02;
		fx_put32(clx + 1, 16);
		fx_put32(clx + 5, 0);
		fx_put32(clx + 9, count);
		fx_put16(clx + 13, 0);
		fx_put32(clx + 15, fc);
		fx_put16(clx + 19, 0);
		g_byte_array_append(tbl, clx, sizeof clx);
	}
	ole_stream(ole, "WordDocument", wd->data, wd->len);
	ole_stream(ole, "1Table", tbl->data, tbl->len);
	ck_assert(gsf_output_close(GSF_OUTPUT(ole)));
	g_object_unref(ole);
	b = g_bytes_new(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)),
	    (gsize)gsf_output_size(mem));
	g_object_unref(mem);
	g_byte_array_unref(wd);
	g_byte_array_unref(tbl);
	g_free(u);
	return b;
}

/* One BIFF8 record: type, length, data. */
static void
biff(GByteArray *b, guint type, const void *d, gsize len)
{
	guint8 h[4];

	fx_put16(h, type);
	fx_put16(h + 2, (guint)len);
	g_byte_array_append(b, h, 4);
	g_byte_array_append(b, d, (guint)len);
}

/* UTF-16LE of s appended to b. */
static void
utf16(GByteArray *b, const char *s)
{
	glong n = 0;
	gunichar2 *u = g_utf8_to_utf16(s, -1, NULL, &n, NULL);

	ck_assert_ptr_nonnull(u);
	g_byte_array_append(b, (const guint8 *)u, (guint)(2 * n));
	g_free(u);
}

GBytes *
dg_xls97(guint how)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	GByteArray *wb = g_byte_array_new(), *r = g_byte_array_new();
	guint8 bof[16] = { 0x00, 0x06, 0x05, 0x00 }, cell[14];
	double v = 12000;
	GBytes *b;

	biff(wb, 0x0809, bof, sizeof bof);
	if (how == 1)
		biff(wb, 0x002F, "\0\0\0\0\0\0", 6);
	/* BOUNDSHEET8 "予算", UTF-16. */
	g_byte_array_append(r, (const guint8 *)"\0\0\0\0\0\0\2\1", 8);
	utf16(r, "予算");
	biff(wb, 0x0085, r->data, r->len);
	/* SST: 見積書, then 合計金額 whose characters cross into a
	 * CONTINUE that starts with its flags byte. */
	g_byte_array_set_size(r, 0);
	g_byte_array_append(r, (const guint8 *)"\2\0\0\0\2\0\0\0", 8);
	g_byte_array_append(r, (const guint8 *)"\3\0\1", 3);
	utf16(r, "見積書");
	g_byte_array_append(r, (const guint8 *)"\4\0\1", 3);
	utf16(r, "合計");
	biff(wb, 0x00FC, r->data, r->len);
	g_byte_array_set_size(r, 0);
	g_byte_array_append(r, (const guint8 *)"\1", 1);
	utf16(r, "金額");
	biff(wb, 0x003C, r->data, r->len);
	biff(wb, 0x000A, NULL, 0);
	bof[2] = 0x10;
	biff(wb, 0x0809, bof, sizeof bof);
	for (guint i = 0; i < 2; i++) {
		memset(cell, 0, sizeof cell);
		fx_put16(cell + 2, i);		/* row 0, col i */
		fx_put32(cell + 6, i);		/* string i */
		biff(wb, 0x00FD, cell, 10);
	}
	memset(cell, 0, sizeof cell);
	fx_put16(cell, 1);
	memcpy(cell + 6, &v, sizeof v);
	biff(wb, 0x0203, cell, 14);		/* row 1, col 0: 12000 */
	fx_put16(cell + 2, 1);
	fx_put32(cell + 6, (3u << 2) | 2u);
	biff(wb, 0x027E, cell, 10);		/* row 1, col 1: RK 3 */
	g_byte_array_set_size(r, 0);
	g_byte_array_append(r, (const guint8 *)"\2\0\0\0\0\0\2\0\1", 9);
	utf16(r, "直接");
	biff(wb, 0x0204, r->data, r->len);	/* row 2, col 0 */
	biff(wb, 0x000A, NULL, 0);
	if (how == 2)
		g_byte_array_append(wb, (const guint8 *)"\xfd\0\xff\x7f", 4);
	ole_stream(ole, "Workbook", wb->data, wb->len);
	ck_assert(gsf_output_close(GSF_OUTPUT(ole)));
	g_object_unref(ole);
	b = g_bytes_new(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)),
	    (gsize)gsf_output_size(mem));
	g_object_unref(mem);
	g_byte_array_unref(wb);
	g_byte_array_unref(r);
	return b;
}

/* A PowerPoint record header and body. */
static void
ppt_rec(GByteArray *b, guint ver_inst, guint type, const void *d, gsize len)
{
	guint8 h[8];

	fx_put16(h, ver_inst);
	fx_put16(h + 2, type);
	fx_put32(h + 4, (guint32)len);
	g_byte_array_append(b, h, 8);
	if (len > 0)
		g_byte_array_append(b, d, (guint)len);
}

GBytes *
dg_ppt97(guint how)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	GByteArray *list = g_byte_array_new(), *t = g_byte_array_new();
	GByteArray *notes = g_byte_array_new(), *doc = g_byte_array_new();
	GByteArray *top = g_byte_array_new();
	guint8 persist[20] = { 0 }, header[4] = { 0 };
	GBytes *b;

	ppt_rec(list, 0, 0x03F3, persist, sizeof persist);
	ppt_rec(list, 0, 0x0F9F, header, sizeof header);
	utf16(t, "表題\r本文です");
	ppt_rec(list, 0, 0x0FA0, t->data, t->len);
	ppt_rec(list, 0, 0x03F3, persist, sizeof persist);
	ppt_rec(list, 0, 0x0FA8, "Second slide", 12);
	ppt_rec(notes, 0, 0x03F3, persist, sizeof persist);
	ppt_rec(notes, 0, 0x0FA8, "speaker notes", 13);
	/* The slides' list (instance 0) and the notes' (instance 2). */
	ppt_rec(doc, 0x000F, 0x0FF0, list->data, list->len);
	ppt_rec(doc, 0x002F, 0x0FF0, notes->data, notes->len);
	if (how == 2) {
		/* The container says 50 bytes more than there are. */
		guint8 h[8];

		fx_put16(h, 0x000F);
		fx_put16(h + 2, 0x03E8);
		fx_put32(h + 4, doc->len + 50);
		g_byte_array_append(top, h, 8);
		g_byte_array_append(top, doc->data, doc->len);
	} else
		ppt_rec(top, 0x000F, 0x03E8, doc->data, doc->len);
	ole_stream(ole, "PowerPoint Document", top->data, top->len);
	if (how == 1)
		ole_stream(ole, "EncryptedSummary", "x", 1);
	ck_assert(gsf_output_close(GSF_OUTPUT(ole)));
	g_object_unref(ole);
	b = g_bytes_new(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)),
	    (gsize)gsf_output_size(mem));
	g_object_unref(mem);
	g_byte_array_unref(list);
	g_byte_array_unref(t);
	g_byte_array_unref(notes);
	g_byte_array_unref(doc);
	g_byte_array_unref(top);
	return b;
}
