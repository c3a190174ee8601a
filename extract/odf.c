/*
 * odf - the text of ODT, ODS and ODP (content.xml)
 *
 * The kind comes from the child of office:body: office:text,
 * office:spreadsheet or office:presentation. Elements are matched by
 * namespace URI and local name, never by prefix. Only text inside
 * text:p and text:h counts (the blanks between elements of an indented
 * file do not).
 *   - ODT: text:p and text:h are lines (an empty one a blank line);
 *     text:s gives text:c spaces (at most 64), text:tab a tab,
 *     text:line-break a line break; tables as in DOCX (cells with text
 *     joined by " | "). Tracked changes (deleted text) and annotations
 *     are left out.
 *   - ODS: each table:table is a sheet, "=== NAME ===", laid out as
 *     aligned columns from what its cells show (their text:p); repeated
 *     rows and columns (table:number-rows-repeated, ...-columns-repeated)
 *     advance the position, and a repeated cell with text is written at
 *     most REPEAT_MAX times: the million empty cells that fill a sheet
 *     cost nothing.
 *   - ODP: each draw:page is a slide, "=== N ===", speaker notes left
 *     out.
 * Sheets and slides count against max_pages. A manifest with
 * manifest:encryption-data makes the job encrypted (odf_encrypted).
 */
#include "autoconfig.h"

#include <string.h>

#include "parsers.h"
#include "table.h"
#include "xmlread.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_DRAW "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
#define NS_PRES "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"

#define REPEAT_MAX 64

enum odf_kind { ODF_NONE, ODF_TEXT, ODF_SHEET, ODF_SLIDES };

struct odwalk {
	struct xjob *od_job;
	enum odf_kind od_kind;
	gboolean od_in_body;
	int od_tables;			/* table:table nesting */
	gboolean od_row_text;		/* the current row has text */
	int od_paras;			/* text:p, text:h nesting */
	gboolean od_cell_text;		/* the current cell has text */
	gboolean od_para_text;
	/* ODS */
	struct xtable *od_sheet;
	guint64 od_row, od_col;
	guint64 od_row_rep, od_col_rep;
	GString *od_cell;		/* the current cell's text, or NULL */
};

static gboolean
is(xmlTextReaderPtr r, const char *ns, const char *local)
{
	const xmlChar *u = xmlTextReaderConstNamespaceUri(r);

	return u != NULL && strcmp((const char *)u, ns) == 0 &&
	    strcmp(x_xml_name(r), local) == 0;
}

static void
od_text(struct odwalk *w, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	if (w->od_cell != NULL) {
		if (w->od_cell->len < 65536)
			g_string_append(w->od_cell, s);
	} else {
		/* " | " between the cells of a row that have text. */
		if (w->od_tables > 0 && !w->od_cell_text && w->od_row_text)
			x_put(w->od_job, " | ", -1);
		w->od_row_text = w->od_tables > 0;
		x_put(w->od_job, s, -1);
	}
	w->od_para_text = TRUE;
	w->od_cell_text = TRUE;
}

static guint64
repeat_attr(xmlTextReaderPtr r, const char *name)
{
	g_autofree char *v = x_xml_attr(r, name);
	guint64 n = v != NULL ? g_ascii_strtoull(v, NULL, 10) : 1;

	return n == 0 ? 1 : MIN(n, G_GUINT64_CONSTANT(1) << 32);
}

static void
sheet_start(struct odwalk *w, xmlTextReaderPtr r)
{
	struct xjob *job = w->od_job;
	g_autofree char *name = x_xml_attr(r, "name");

	if (job->xj_pages >= job->xj_lim->xl_max_pages) {
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_pages");
		return;
	}
	x_section(job, name != NULL ? name : "?");
	job->xj_pages++;
	w->od_sheet = x_table_new(job);
	w->od_row = 0;
}

static void
sheet_end(struct odwalk *w)
{
	if (w->od_sheet == NULL)
		return;
	x_table_emit(w->od_sheet);
	x_table_free(w->od_sheet);
	w->od_sheet = NULL;
}

/* A cell of an ODS sheet ends: set it, repeated, in each repeated row. */
static void
cell_end(struct odwalk *w)
{
	guint64 rows = MIN(w->od_row_rep, REPEAT_MAX);
	guint64 cols = MIN(w->od_col_rep, REPEAT_MAX);

	if (w->od_cell != NULL && w->od_cell->len > 0 && w->od_sheet != NULL)
		for (guint64 i = 0; i < rows; i++)
			for (guint64 j = 0; j < cols; j++)
				if (!x_table_set(w->od_sheet, w->od_row + i,
				    w->od_col + j, w->od_cell->str))
					break;
	if (w->od_cell != NULL)
		g_string_free(w->od_cell, TRUE);
	w->od_cell = NULL;
	w->od_col += w->od_col_rep;
}

static void
od_start(struct odwalk *w, xmlTextReaderPtr r)
{
	struct xjob *job = w->od_job;

	if (is(r, NS_TEXT, "p") || is(r, NS_TEXT, "h")) {
		w->od_paras++;
		w->od_para_text = FALSE;
		/* The paragraphs of a cell are joined by a space. */
		if (w->od_tables > 0 && w->od_cell_text)
			od_text(w, " ");
	} else if (is(r, NS_TEXT, "s")) {
		g_autofree char *c = x_xml_attr(r, "c");
		guint64 n = c != NULL ? g_ascii_strtoull(c, NULL, 10) : 1;

		for (guint64 i = 0; i < MIN(MAX(n, 1), 64); i++)
			od_text(w, " ");
	} else if (is(r, NS_TEXT, "tab"))
		od_text(w, w->od_tables > 0 ? " " : "\t");
	else if (is(r, NS_TEXT, "line-break"))
		od_text(w, w->od_tables > 0 ? " " : "\n");
	else if (is(r, NS_TABLE, "table")) {
		if (w->od_kind == ODF_SHEET && w->od_tables == 0)
			sheet_start(w, r);
		else if (w->od_tables == 0)
			x_newline(job);
		w->od_tables++;
	} else if (is(r, NS_TABLE, "table-row") && w->od_tables == 1) {
		w->od_row_text = FALSE;
		w->od_col = 0;
		w->od_row_rep = repeat_attr(r, "number-rows-repeated");
	} else if ((is(r, NS_TABLE, "table-cell") ||
	    is(r, NS_TABLE, "covered-table-cell")) && w->od_tables == 1) {
		if (w->od_kind == ODF_SHEET) {
			w->od_col_rep = repeat_attr(r,
			    "number-columns-repeated");
			w->od_cell = g_string_new(NULL);
		}
		w->od_cell_text = FALSE;
	} else if (is(r, NS_DRAW, "page") && w->od_kind == ODF_SLIDES) {
		char label[24];

		if (job->xj_pages >= job->xj_lim->xl_max_pages) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_pages");
			w->od_kind = ODF_NONE;	/* nothing more */
			return;
		}
		g_snprintf(label, sizeof label, "%" G_GUINT64_FORMAT,
		    job->xj_pages + 1);
		x_section(job, label);
		job->xj_pages++;
	}
}

static void
od_end(struct odwalk *w, xmlTextReaderPtr r)
{
	struct xjob *job = w->od_job;

	if (is(r, NS_TEXT, "p") || is(r, NS_TEXT, "h")) {
		w->od_paras = MAX(w->od_paras - 1, 0);
		if (w->od_tables == 0 && w->od_para_text)
			x_newline(job);
		else if (w->od_tables == 0)
			x_paragraph(job);
	} else if ((is(r, NS_TABLE, "table-cell") ||
	    is(r, NS_TABLE, "covered-table-cell")) && w->od_tables == 1 &&
	    w->od_kind == ODF_SHEET)
		cell_end(w);
	else if (is(r, NS_TABLE, "table-row") && w->od_tables == 1) {
		if (w->od_kind == ODF_SHEET)
			w->od_row += w->od_row_rep;
		else
			x_newline(job);
	} else if (is(r, NS_TABLE, "table") && w->od_tables > 0) {
		if (--w->od_tables == 0) {
			if (w->od_kind == ODF_SHEET)
				sheet_end(w);
			else
				x_newline(job);
		}
	}
}

static gboolean
od_skipped(xmlTextReaderPtr r)
{
	return is(r, NS_TEXT, "tracked-changes") ||
	    is(r, NS_OFFICE, "annotation") || is(r, NS_PRES, "notes") ||
	    is(r, NS_TEXT, "sequence-decls") || is(r, NS_OFFICE, "forms");
}

/* office:body's child says the kind. */
static void
body_child(struct odwalk *w, xmlTextReaderPtr r)
{
	static const struct { const char *name; enum odf_kind kind;
	    const char *label; } kinds[] = {
		{ "text", ODF_TEXT, "odt" },
		{ "spreadsheet", ODF_SHEET, "ods" },
		{ "presentation", ODF_SLIDES, "odp" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (is(r, NS_OFFICE, kinds[i].name)) {
			w->od_kind = kinds[i].kind;
			w->od_job->xj_kind = kinds[i].label;
		}
}

void
x_odf(struct xjob *job, struct zipdoc *z)
{
	struct odwalk w;
	GBytes *manifest = x_zip_get(z, "META-INF/manifest.xml");
	GBytes *content = x_zip_get(z, "content.xml");
	xmlTextReaderPtr r;
	gsize len = 0;
	const char *m;

	memset(&w, 0, sizeof w);
	w.od_job = job;
	if (job->xj_kind == NULL)
		job->xj_kind = "odf";
	if (manifest != NULL && (m = g_bytes_get_data(manifest, &len)) !=
	    NULL && g_strstr_len(m, (gssize)len, "encryption-data") != NULL) {
		x_outcome(job, MUGAI_EXTRACT_ENCRYPTED, "odf_encrypted");
		return;
	}
	if (content == NULL || (r = x_xml_open(job, content)) == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "odf_no_content");
		return;
	}
	while (x_xml_next(job, r) == 1) {
		int type = x_xml_type(r);

		if (type == XML_READER_TYPE_ELEMENT) {
			if (is(r, NS_OFFICE, "body")) {
				w.od_in_body = TRUE;
				continue;
			}
			if (!w.od_in_body)
				continue;
			if (w.od_kind == ODF_NONE) {
				body_child(&w, r);
				continue;
			}
			if (od_skipped(r)) {
				x_xml_skip(job, r);
				continue;
			}
			od_start(&w, r);
			if (x_xml_empty(r))
				od_end(&w, r);
		} else if (type == XML_READER_TYPE_END_ELEMENT && w.od_in_body)
			od_end(&w, r);
		else if (w.od_paras > 0 && w.od_kind != ODF_NONE &&
		    (type == XML_READER_TYPE_TEXT ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE))
			od_text(&w, x_xml_text(r));
	}
	xmlFreeTextReader(r);
	sheet_end(&w);
	if (w.od_cell != NULL)
		g_string_free(w.od_cell, TRUE);
}
