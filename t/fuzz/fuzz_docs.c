/*
 * fuzz_docs - the in-tree document readers of mugai-extract: the OOXML
 * and ODF walker (extract/package.c, ooxml.c, xlsx.c, odf.c over
 * zipdoc.c, xmlread.c and table.c) and the RTF reader (extract/rtf.c)
 *
 * The first byte picks what the rest is:
 *   0  a zip, read as an office package (x_package());
 *   1  RTF (x_rtf());
 *   2  KIND XML: the package around the XML is made here (libarchive),
 *      the XML being the main part of a docx, xlsx sheet, pptx slide or
 *      the content.xml of an odt, ods or odp as KIND says, so the
 *      fuzzer reaches the XML walkers without having to make a zip;
 *   3  N (two bytes, little-endian) then bytes: an OLE2 file is written
 *      here (libgsf) with the first N bytes as its WordDocument stream
 *      and the rest as 1Table, for the Word 97 reader (worddoc.c); with
 *      the top bit of N set, all the bytes are a Workbook stream, for
 *      the Excel 97 reader (xlsdoc.c), with the next bit a PowerPoint
 *      Document stream (pptdoc.c).
 * Whatever the input, the job must end with a known status, text that is
 * valid UTF-8 without NUL or C0 controls but LF and TAB, and no more
 * characters than the limit; any violation abort()s. The readers run
 * unconfined here: the sandbox is not what is tested.
 *
 * The readers are not in libmugai: t/fuzz/build.sh links
 * FUZZ_EXTRACT_SOURCES (t/local.mk) into the harnesses, and the replay
 * program lists them.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-output-memory.h>

#include "parsers.h"
#include "xmlread.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const struct xlimits lim = {
	1 << 20, 20000, 20, 4 << 20, 0, 0, MUGAI_URL_KEEP
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	x_xml_quiet();
	x_doc_warm();
	return 0;
}

static la_ssize_t
mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a;
	g_byte_array_append(ctx, buf, (guint)len);
	return (la_ssize_t)len;
}

static void
add(struct archive *a, const char *name, const void *d, gsize len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, d, len) != (la_ssize_t)len))
		abort();
	archive_entry_free(e);
}

#define S(x) x, strlen(x)

/* The package of kind (0..5) around xml. */
static GByteArray *
package(guint kind, const guint8 *xml, gsize len)
{
	static const char *const odf[] = {
		"application/vnd.oasis.opendocument.text",
		"application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.oasis.opendocument.presentation",
	};
	struct archive *a = archive_write_new();
	GByteArray *out = g_byte_array_new();

	archive_write_set_format_zip(a);
	if (archive_write_open2(a, out, NULL, mem_write, NULL, NULL) !=
	    ARCHIVE_OK)
		abort();
	switch (kind % 6) {
	case 0:
		add(a, "[Content_Types].xml", S("<Types/>"));
		add(a, "word/document.xml", xml, len);
		break;
	case 1:
		add(a, "[Content_Types].xml", S("<Types/>"));
		add(a, "xl/workbook.xml", S("<workbook xmlns=\"http://"
		    "schemas.openxmlformats.org/spreadsheetml/2006/main\" "
		    "xmlns:r=\"http://schemas.openxmlformats.org/"
		    "officeDocument/2006/relationships\"><sheets><sheet "
		    "name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
		    "</workbook>"));
		add(a, "xl/_rels/workbook.xml.rels", S("<Relationships "
		    "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		    "relationships\"><Relationship Id=\"rId1\" Target="
		    "\"worksheets/sheet1.xml\"/></Relationships>"));
		add(a, "xl/sharedStrings.xml", S("<sst><si><t>a</t></si>"
		    "<si><t>b</t></si></sst>"));
		add(a, "xl/worksheets/sheet1.xml", xml, len);
		break;
	case 2:
		add(a, "[Content_Types].xml", S("<Types/>"));
		add(a, "ppt/presentation.xml", S("<p:presentation xmlns:p="
		    "\"http://schemas.openxmlformats.org/presentationml/2006/"
		    "main\" xmlns:r=\"http://schemas.openxmlformats.org/"
		    "officeDocument/2006/relationships\"><p:sldIdLst><p:sldId "
		    "id=\"256\" r:id=\"rId1\"/></p:sldIdLst>"
		    "</p:presentation>"));
		add(a, "ppt/_rels/presentation.xml.rels", S("<Relationships "
		    "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		    "relationships\"><Relationship Id=\"rId1\" Target="
		    "\"slides/slide1.xml\"/></Relationships>"));
		add(a, "ppt/slides/slide1.xml", xml, len);
		break;
	default:
		add(a, "mimetype", odf[kind % 6 - 3], strlen(odf[kind % 6 - 3]));
		add(a, "content.xml", xml, len);
		break;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);
	return out;
}

/* An OLE2 file of a WordDocument and a 1Table stream, or (name not
 * NULL) of one stream of that name. */
static GByteArray *
word(const guint8 *wd, gsize wd_len, const guint8 *tbl, gsize tbl_len,
    const char *name)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	const char *const names[] = { name != NULL ? name : "WordDocument",
	    "1Table" };
	const guint8 *d[] = { wd, tbl };
	gsize len[] = { wd_len, tbl_len };
	GByteArray *out = g_byte_array_new();

	for (int i = 0; i < (name != NULL ? 1 : 2); i++) {
		GsfOutput *o = gsf_outfile_new_child(ole, names[i], FALSE);

		if (o == NULL || (len[i] > 0 && !gsf_output_write(o, len[i],
		    d[i])) || !gsf_output_close(o))
			abort();
		g_object_unref(o);
	}
	if (!gsf_output_close(GSF_OUTPUT(ole)))
		abort();
	g_byte_array_append(out, gsf_output_memory_get_bytes(
	    GSF_OUTPUT_MEMORY(mem)), (guint)gsf_output_size(mem));
	g_object_unref(ole);
	g_object_unref(mem);
	return out;
}

/* The job's end must hold whatever the input was. */
static void
check(const struct xjob *job)
{
	const GString *o = job->xj_out;

	if ((guint)job->xj_status > MUGAI_EXTRACT_UNSUPPORTED ||
	    !g_utf8_validate(o->str, (gssize)o->len, NULL) ||
	    g_utf8_strlen(o->str, (gssize)o->len) > (glong)lim.xl_max_chars + 1)
		abort();
	for (gsize i = 0; i < o->len; i++)
		if (((guchar)o->str[i] < 0x20 && o->str[i] != '\n' &&
		    o->str[i] != '\t') || o->str[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct xjob job;
	GByteArray *pkg = NULL;

	if (size < 2)
		return 0;
	switch (data[0] % 4) {
	case 0:
		x_job_init(&job, data + 1, size - 1, "auto", FALSE, &lim);
		x_package(&job);
		break;
	case 1:
		x_job_init(&job, data + 1, size - 1, "rtf", FALSE, &lim);
		x_rtf(&job);
		break;
	case 3:
		if (size < 3)
			return 0;
		if (data[2] & 0x80)
			pkg = word(data + 3, size - 3, NULL, 0, data[2] & 0x40 ?
			    "PowerPoint Document" : "Workbook");
		else {
			gsize n = MIN((gsize)(data[1] | data[2] << 8), size - 3);

			pkg = word(data + 3, n, data + 3 + n, size - 3 - n,
			    NULL);
		}
		x_job_init(&job, pkg->data, pkg->len, "doc", FALSE, &lim);
		x_ole(&job);
		break;
	default:
		pkg = package(data[1], data + 2, size - 2);
		x_job_init(&job, pkg->data, pkg->len, "auto", FALSE, &lim);
		x_package(&job);
		break;
	}
	x_finish(&job);
	check(&job);
	x_job_clear(&job);
	if (pkg != NULL)
		g_byte_array_unref(pkg);
	return 0;
}
