/*
 * xlsx - the sheets of an XLSX workbook as aligned columns
 *
 * The sheets come in the order of xl/workbook.xml, each under
 * "=== NAME ===", at most max_pages of them; xl/_rels/workbook.xml.rels
 * says which part holds which. Cells: a shared string (t="s", an index
 * into xl/sharedStrings.xml, whose phonetic runs rPh, the furigana, are
 * left out), an inline string (t="inlineStr"), a formula's cached string
 * (t="str"), a boolean (TRUE/FALSE), an error (#DIV/0!) or a number,
 * written with up to 15 significant digits. Number formats are not
 * applied (a date is its serial number), formulas give their cached
 * value only. Cells without a reference follow the one before.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "parsers.h"
#include "table.h"
#include "xmlread.h"

/* Reads the text of <t> elements to the end of the current element,
 * leaving rPh out; for <si> and <is>. */
static void
string_item(struct xjob *job, xmlTextReaderPtr r, GString *out)
{
	int depth = x_xml_depth(r);
	gboolean in_t = FALSE;

	if (x_xml_empty(r))
		return;
	while (x_xml_next(job, r) == 1) {
		int type = x_xml_type(r);
		const char *n = x_xml_name(r);

		if (type == XML_READER_TYPE_END_ELEMENT &&
		    x_xml_depth(r) == depth)
			return;
		if (type == XML_READER_TYPE_ELEMENT && strcmp(n, "rPh") == 0)
			x_xml_skip(job, r);
		else if (type == XML_READER_TYPE_ELEMENT && strcmp(n, "t") == 0)
			in_t = !x_xml_empty(r);
		else if (type == XML_READER_TYPE_END_ELEMENT &&
		    strcmp(n, "t") == 0)
			in_t = FALSE;
		else if (in_t && (type == XML_READER_TYPE_TEXT ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE))
			g_string_append(out, x_xml_text(r));
		if (out->len > job->xj_lim->xl_max_chars * 4) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_chars");
			return;
		}
	}
}

/* Returns (transfer full) the shared strings, in order. */
static GPtrArray *
shared_strings(struct xjob *job, struct zipdoc *z)
{
	GPtrArray *ss = g_ptr_array_new_with_free_func(g_free);
	GBytes *b = x_zip_get(z, "xl/sharedStrings.xml");
	xmlTextReaderPtr r;

	if (b == NULL || (r = x_xml_open(job, b)) == NULL)
		return ss;
	while (x_xml_next(job, r) == 1) {
		GString *s;

		if (x_xml_type(r) != XML_READER_TYPE_ELEMENT ||
		    strcmp(x_xml_name(r), "si") != 0)
			continue;
		s = g_string_new(NULL);
		string_item(job, r, s);
		g_ptr_array_add(ss, g_string_free(s, FALSE));
	}
	xmlFreeTextReader(r);
	return ss;
}

/* "AB12" -> column 27, row 11 (0-based); FALSE when it is not one. */
static gboolean
cell_ref(const char *ref, guint64 *row, guint64 *col)
{
	guint64 c = 0, rw = 0;
	const char *p = ref;

	if (ref == NULL)
		return FALSE;
	for (; g_ascii_isalpha(*p) && p - ref < 4; p++)
		c = c * 26 + (guint64)(g_ascii_toupper(*p) - 'A' + 1);
	if (c == 0 || !g_ascii_isdigit(*p))
		return FALSE;
	for (; g_ascii_isdigit(*p) && rw < G_MAXUINT32; p++)
		rw = rw * 10 + (guint64)(*p - '0');
	if (*p != '\0' || rw == 0)
		return FALSE;
	*row = rw - 1;
	*col = c - 1;
	return TRUE;
}

/* Returns (transfer full) a number as a person would write it. */
static char *
number(const char *v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	char *end = NULL;
	gdouble d = g_ascii_strtod(v, &end);

	if (end == v || *end != '\0')
		return g_strdup(v);
	return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.15g", d));
}

struct cellctx {
	char *cc_type;		/* t= */
	GString *cc_value;	/* <v> */
	GString *cc_inline;	/* <is> */
};

/* Returns (transfer full) what the cell shows, or NULL. */
static char *
cell_text(const struct cellctx *cc, GPtrArray *ss)
{
	const char *t = cc->cc_type != NULL ? cc->cc_type : "n";
	const char *v = cc->cc_value->str;

	if (strcmp(t, "inlineStr") == 0)
		return g_strdup(cc->cc_inline->str);
	if (cc->cc_value->len == 0)
		return NULL;
	if (strcmp(t, "s") == 0) {
		char *end = NULL;
		guint64 i = g_ascii_strtoull(v, &end, 10);

		if (end == v || *end != '\0' || i >= ss->len)
			return NULL;
		return g_strdup(g_ptr_array_index(ss, i));
	}
	if (strcmp(t, "b") == 0)
		return g_strdup(strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
	if (strcmp(t, "n") == 0)
		return number(v);
	return g_strdup(v);		/* str, e, d */
}

/* One worksheet part into a table, then out. */
static void
sheet(struct xjob *job, GBytes *b, GPtrArray *ss)
{
	struct xtable *t;
	xmlTextReaderPtr r;
	struct cellctx cc = { NULL, g_string_new(NULL), g_string_new(NULL) };
	guint64 row = 0, col = 0;
	gboolean in_v = FALSE, first_row = TRUE;

	if (b == NULL || (r = x_xml_open(job, b)) == NULL) {
		g_string_free(cc.cc_value, TRUE);
		g_string_free(cc.cc_inline, TRUE);
		return;
	}
	t = x_table_new(job);
	while (x_xml_next(job, r) == 1) {
		int type = x_xml_type(r);
		const char *n = x_xml_name(r);

		if (type == XML_READER_TYPE_ELEMENT && strcmp(n, "row") == 0) {
			g_autofree char *rr = x_xml_attr(r, "r");
			guint64 v = rr != NULL ?
			    g_ascii_strtoull(rr, NULL, 10) : 0;

			row = v > 0 && v <= G_MAXUINT32 ? v - 1 :
			    first_row ? 0 : row + 1;
			first_row = FALSE;
			col = G_MAXUINT64;	/* the next cell is column 0 */
		} else if (type == XML_READER_TYPE_ELEMENT &&
		    strcmp(n, "c") == 0) {
			g_autofree char *ref = x_xml_attr(r, "r");
			guint64 rw;

			if (!cell_ref(ref, &rw, &col))
				col = col == G_MAXUINT64 ? 0 : col + 1;
			g_free(cc.cc_type);
			cc.cc_type = x_xml_attr(r, "t");
			g_string_truncate(cc.cc_value, 0);
			g_string_truncate(cc.cc_inline, 0);
			if (!x_xml_empty(r))
				continue;
		} else if (type == XML_READER_TYPE_ELEMENT &&
		    strcmp(n, "v") == 0) {
			in_v = !x_xml_empty(r);
			continue;
		} else if (type == XML_READER_TYPE_ELEMENT &&
		    strcmp(n, "is") == 0) {
			string_item(job, r, cc.cc_inline);
			continue;
		} else if (type == XML_READER_TYPE_ELEMENT &&
		    strcmp(n, "f") == 0) {
			x_xml_skip(job, r);
			continue;
		} else if (type == XML_READER_TYPE_END_ELEMENT &&
		    strcmp(n, "v") == 0) {
			in_v = FALSE;
			continue;
		} else if (in_v && type == XML_READER_TYPE_TEXT) {
			if (cc.cc_value->len < 4096)
				g_string_append(cc.cc_value, x_xml_text(r));
			continue;
		}
		if ((type == XML_READER_TYPE_END_ELEMENT ||
		    (type == XML_READER_TYPE_ELEMENT && x_xml_empty(r))) &&
		    strcmp(n, "c") == 0) {
			g_autofree char *text = cell_text(&cc, ss);

			if (!x_table_set(t, row, col, text))
				break;
		}
	}
	xmlFreeTextReader(r);
	x_table_emit(t);
	x_table_free(t);
	g_free(cc.cc_type);
	g_string_free(cc.cc_value, TRUE);
	g_string_free(cc.cc_inline, TRUE);
}

void
x_xlsx(struct xjob *job, struct zipdoc *z)
{
	g_autoptr(GHashTable) rels = x_ooxml_rels(job, z,
	    "xl/_rels/workbook.xml.rels", "xl");
	g_autoptr(GPtrArray) ss = shared_strings(job, z);
	GBytes *b = x_zip_get(z, "xl/workbook.xml");
	xmlTextReaderPtr r;

	job->xj_kind = "xlsx";
	if (b == NULL || (r = x_xml_open(job, b)) == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "xlsx_no_workbook");
		return;
	}
	while (!x_stop(job) && x_xml_next(job, r) == 1) {
		g_autofree char *name = NULL, *id = NULL;
		const char *part;

		if (x_xml_type(r) != XML_READER_TYPE_ELEMENT ||
		    strcmp(x_xml_name(r), "sheet") != 0)
			continue;
		if (job->xj_pages >= job->xj_lim->xl_max_pages) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_pages");
			break;
		}
		name = x_xml_attr(r, "name");
		id = x_xml_attr_ns(r, "id", "relationships");
		part = id != NULL ? g_hash_table_lookup(rels, id) : NULL;
		x_section(job, name != NULL ? name : "?");
		job->xj_pages++;
		if (part != NULL)
			sheet(job, x_zip_get(z, part), ss);
	}
	xmlFreeTextReader(r);
}
