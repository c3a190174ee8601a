/*
 * ooxml - the text of DOCX and PPTX, and OOXML relationships
 *
 * WordprocessingML (w:) and DrawingML (a:, in slides) share local names
 * for what matters here: p is a paragraph, t holds text, tab and br are
 * a tab and a line break, tbl/tr/tc a table, row and cell. Only text
 * inside t counts, so deleted text (delText), field codes (instrText)
 * and everything else is left out; ruby text (rt, the furigana over
 * Japanese words) and the Fallback branch of mc:AlternateContent (a copy
 * of its Choice) are skipped. A paragraph is a line, an empty one a blank
 * line; a table row is a line, its cells with text joined by " | " and
 * the paragraphs of a cell by a space; tables inside cells are flattened.
 * DOCX gives word/document.xml, then the footnotes and endnotes; PPTX the
 * slides in the order of ppt/presentation.xml (else by number), each
 * under "=== N ===", at most max_pages of them.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "parsers.h"
#include "xmlread.h"

struct owalk {
	struct xjob *ow_job;
	int ow_tables;		/* tbl nesting */
	gboolean ow_row_text;	/* the current top row has text */
	gboolean ow_cell_text;	/* the current cell has text */
	gboolean ow_in_t;
	gboolean ow_para_text;	/* the current paragraph has text */
};

static void
o_text(struct owalk *w, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return;
	/* " | " between the cells of a row that have text. */
	if (w->ow_tables > 0 && !w->ow_cell_text && w->ow_row_text)
		x_put(w->ow_job, " | ", -1);
	w->ow_row_text = TRUE;
	x_put(w->ow_job, s, -1);
	w->ow_para_text = TRUE;
	w->ow_cell_text = TRUE;
}

static void
o_start(struct owalk *w, const char *n)
{
	struct xjob *job = w->ow_job;

	if (strcmp(n, "t") == 0)
		w->ow_in_t = TRUE;
	else if (strcmp(n, "tab") == 0)
		o_text(w, w->ow_tables > 0 ? " " : "\t");
	else if (strcmp(n, "br") == 0 || strcmp(n, "cr") == 0)
		o_text(w, w->ow_tables > 0 ? " " : "\n");
	else if (strcmp(n, "noBreakHyphen") == 0)
		o_text(w, "-");
	else if (strcmp(n, "p") == 0) {
		/* The paragraphs of a cell are joined by a space. */
		if (w->ow_tables > 0 && w->ow_cell_text)
			x_putc(job, ' ');
		w->ow_para_text = FALSE;
	} else if (strcmp(n, "tbl") == 0) {
		if (w->ow_tables++ == 0)
			x_newline(job);
	} else if (strcmp(n, "tr") == 0 && w->ow_tables == 1)
		w->ow_row_text = FALSE;
	else if (strcmp(n, "tc") == 0 && w->ow_tables == 1)
		w->ow_cell_text = FALSE;
}

static void
o_end(struct owalk *w, const char *n)
{
	struct xjob *job = w->ow_job;

	if (strcmp(n, "t") == 0)
		w->ow_in_t = FALSE;
	else if (strcmp(n, "p") == 0 && w->ow_tables == 0) {
		if (w->ow_para_text)
			x_newline(job);
		else
			x_paragraph(job);
	} else if (strcmp(n, "tr") == 0 && w->ow_tables == 1)
		x_newline(job);
	else if (strcmp(n, "tbl") == 0 && w->ow_tables > 0) {
		if (--w->ow_tables == 0)
			x_newline(job);
	}
}

static gboolean
o_skipped(const char *n)
{
	return strcmp(n, "rt") == 0 || strcmp(n, "Fallback") == 0 ||
	    strcmp(n, "delText") == 0 || strcmp(n, "instrText") == 0;
}

/* Writes the text of one WordprocessingML or DrawingML part. */
static void
ooxml_text(struct xjob *job, GBytes *xml)
{
	struct owalk w = { job, 0, FALSE, FALSE, FALSE, FALSE };
	xmlTextReaderPtr r;

	if (xml == NULL || (r = x_xml_open(job, xml)) == NULL)
		return;
	while (x_xml_next(job, r) == 1) {
		const char *n = x_xml_name(r);

		switch (x_xml_type(r)) {
		case XML_READER_TYPE_ELEMENT:
			if (o_skipped(n)) {
				x_xml_skip(job, r);
				break;
			}
			o_start(&w, n);
			if (x_xml_empty(r))
				o_end(&w, n);
			break;
		case XML_READER_TYPE_END_ELEMENT:
			o_end(&w, n);
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (w.ow_in_t)
				o_text(&w, x_xml_text(r));
			break;
		default:
			break;
		}
	}
	xmlFreeTextReader(r);
	x_newline(job);
}

void
x_section(struct xjob *job, const char *label)
{
	x_paragraph(job);
	x_put(job, "=== ", -1);
	x_put(job, label, -1);
	x_put(job, " ===", -1);
	x_newline(job);
}

void
x_docx(struct xjob *job, struct zipdoc *z)
{
	static const char *const parts[] = { "word/document.xml",
	    "word/footnotes.xml", "word/endnotes.xml" };

	job->xj_kind = "docx";
	for (gsize i = 0; i < G_N_ELEMENTS(parts) && !x_stop(job); i++) {
		if (i > 0)
			x_paragraph(job);
		ooxml_text(job, x_zip_get(z, parts[i]));
	}
}

/* Returns (transfer full) dir/target with "." and ".." resolved; a
 * target starting with "/" is from the top of the package. */
static char *
resolve(const char *dir, const char *target)
{
	GPtrArray *seg = g_ptr_array_new();
	char **d = g_strsplit(target[0] == '/' ? "" : dir, "/", -1);
	char **t = g_strsplit(target, "/", -1);
	char *out;

	for (char **p = d; *p != NULL; p++)
		if ((*p)[0] != '\0')
			g_ptr_array_add(seg, *p);
	for (char **p = t; *p != NULL; p++) {
		if ((*p)[0] == '\0' || strcmp(*p, ".") == 0)
			continue;
		if (strcmp(*p, "..") == 0) {
			if (seg->len > 0)
				g_ptr_array_remove_index(seg, seg->len - 1);
			continue;
		}
		g_ptr_array_add(seg, *p);
	}
	g_ptr_array_add(seg, NULL);
	out = g_strjoinv("/", (char **)seg->pdata);
	g_ptr_array_unref(seg);
	g_strfreev(d);
	g_strfreev(t);
	return out;
}

GHashTable *
x_ooxml_rels(struct xjob *job, struct zipdoc *z, const char *rels,
    const char *dir)
{
	GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	GBytes *b = x_zip_get(z, rels);
	xmlTextReaderPtr r;

	if (b == NULL || (r = x_xml_open(job, b)) == NULL)
		return map;
	while (x_xml_next(job, r) == 1) {
		char *id, *target;

		if (x_xml_type(r) != XML_READER_TYPE_ELEMENT ||
		    strcmp(x_xml_name(r), "Relationship") != 0)
			continue;
		id = x_xml_attr(r, "Id");
		target = x_xml_attr(r, "Target");
		if (id != NULL && target != NULL)
			g_hash_table_replace(map, id, resolve(dir, target));
		else
			g_free(id);
		g_free(target);
	}
	xmlFreeTextReader(r);
	return map;
}

/* The number in ".../slideN.xml", for slides no relationship orders. */
static guint64
slide_number(const char *name)
{
	const char *p = name + strlen(name);

	while (p > name && !g_ascii_isdigit(p[-1]))
		p--;
	while (p > name && g_ascii_isdigit(p[-1]))
		p--;
	return g_ascii_strtoull(p, NULL, 10);
}

static gint
slide_cmp(gconstpointer a, gconstpointer b)
{
	guint64 x = slide_number(*(const char *const *)a);
	guint64 y = slide_number(*(const char *const *)b);

	return x < y ? -1 : x > y;
}

/* Returns (transfer full) the slide part names in show order. */
static GPtrArray *
slide_order(struct xjob *job, struct zipdoc *z)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) rels = x_ooxml_rels(job, z,
	    "ppt/_rels/presentation.xml.rels", "ppt");
	GBytes *b = x_zip_get(z, "ppt/presentation.xml");
	xmlTextReaderPtr r;

	if (b != NULL && (r = x_xml_open(job, b)) != NULL) {
		while (x_xml_next(job, r) == 1) {
			g_autofree char *id = NULL;
			const char *part;

			if (x_xml_type(r) != XML_READER_TYPE_ELEMENT ||
			    strcmp(x_xml_name(r), "sldId") != 0)
				continue;
			if ((id = x_xml_attr_ns(r, "id", "relationships")) !=
			    NULL &&
			    (part = g_hash_table_lookup(rels, id)) != NULL)
				g_ptr_array_add(out, g_strdup(part));
		}
		xmlFreeTextReader(r);
	}
	if (out->len == 0) {
		/* No order given: ppt/slides/slideN.xml by number. */
		for (guint64 i = 1; i <= job->xj_lim->xl_max_pages + 1 &&
		    i <= ZIP_MAX_ENTRIES; i++) {
			char *n = g_strdup_printf("ppt/slides/slide%"
			    G_GUINT64_FORMAT ".xml", i);

			if (!x_zip_has(z, n)) {
				g_free(n);
				break;
			}
			g_ptr_array_add(out, n);
		}
		g_ptr_array_sort(out, slide_cmp);
	}
	return out;
}

void
x_pptx(struct xjob *job, struct zipdoc *z)
{
	g_autoptr(GPtrArray) slides = NULL;

	job->xj_kind = "pptx";
	slides = slide_order(job, z);
	for (guint i = 0; i < slides->len && !x_stop(job); i++) {
		char label[24];

		if (job->xj_pages >= job->xj_lim->xl_max_pages) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_pages");
			break;
		}
		g_snprintf(label, sizeof label, "%u", i + 1);
		x_section(job, label);
		ooxml_text(job, x_zip_get(z, g_ptr_array_index(slides, i)));
		job->xj_pages++;
	}
}
