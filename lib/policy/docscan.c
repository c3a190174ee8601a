/*
 * mugai_docscan - streaming OLE2, PDF and markup scanners
 *
 * Every scanner keeps its state across chunk edges: an OLE directory
 * record, a PDF name or a markup keyword may be split anywhere.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/flag.h"
#include "policy/docscan.h"

enum scan_kind { SCAN_OLE, SCAN_PDF, SCAN_MARKUP };

#define OLE_REC 128
#define PDF_NAME_MAX 32

struct mugai_docscan {
	enum scan_kind ds_kind;
	guint64 ds_off;		/* bytes seen */
	guint64 ds_max;
	guint ds_bits;
	/* OLE: the 128-byte record being collected. */
	unsigned char ds_rec[OLE_REC];
	/* PDF: the name being lexed. */
	gboolean ds_in_name;
	char ds_name[PDF_NAME_MAX + 1];
	gsize ds_name_len;
	gint ds_hex;		/* -1 none, 0 after '#', 1 after one digit */
	guint ds_hexval;
	/* Markup: progress into each keyword. */
	gsize ds_kw[2];
};

static const unsigned char ole_magic[8] = {
	0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
};

static const char *const ole_macro_names[] = {
	"macros", "vba", "_vba_project", "_vba_project_cur", NULL
};

static const char *const markup_kw[2] = { "<script", "javascript:" };

const char *
mugai_docscan_flag_name(enum mugai_doc_flag flag)
{
	return mugai_flag_name(MUGAI_FLAG_BY_DOCSCAN, flag);
}

static gboolean
is_markup(const char *detected)
{
	static const char *const types[] = { "text/html", "text/xml",
	    "application/xml", "application/xhtml+xml", "image/svg+xml",
	    NULL };

	for (gsize i = 0; detected != NULL && types[i] != NULL; i++)
		if (strcmp(detected, types[i]) == 0)
			return TRUE;
	return FALSE;
}

struct mugai_docscan *
mugai_docscan_new(const void *head, gsize len, const char *detected,
    guint64 max_bytes)
{
	const unsigned char *h = head;
	struct mugai_docscan *ds;
	enum scan_kind kind;

	if (len >= 0x20 && memcmp(h, ole_magic, 8) == 0 &&
	    (h[0x1e] == 9 || h[0x1e] == 12) && h[0x1f] == 0)
		kind = SCAN_OLE;
	else if (len >= 5 && g_strstr_len(head, MIN(len, 1024), "%PDF-")
	    != NULL)
		kind = SCAN_PDF;
	else if (is_markup(detected))
		kind = SCAN_MARKUP;
	else
		return NULL;
	ds = g_new0(struct mugai_docscan, 1);
	ds->ds_kind = kind;
	ds->ds_max = max_bytes;
	ds->ds_hex = -1;
	return ds;
}

/* Looks at one complete 128-byte record at a 128-aligned offset. */
static void
ole_record(struct mugai_docscan *ds)
{
	const unsigned char *r = ds->ds_rec;
	guint nlen = r[64] | (guint)r[65] << 8;
	char name[33];
	guint n;

	if (nlen < 4 || nlen > 64 || (nlen & 1) != 0 ||
	    (r[66] != 1 && r[66] != 2))
		return;
	if (r[nlen - 2] != 0 || r[nlen - 1] != 0)
		return;
	n = nlen / 2 - 1;
	for (guint i = 0; i < n; i++) {
		if (r[2 * i + 1] != 0 || r[2 * i] == 0)
			return;
		name[i] = g_ascii_tolower(r[2 * i]);
	}
	name[n] = '\0';
	for (gsize i = 0; ole_macro_names[i] != NULL; i++)
		if (strcmp(name, ole_macro_names[i]) == 0)
			ds->ds_bits |= MUGAI_DOC_MACRO;
}

static void
ole_feed(struct mugai_docscan *ds, const unsigned char *p, gsize len,
    guint64 off)
{
	for (gsize i = 0; i < len; i++) {
		guint64 at = off + i;

		if (at < 512)
			continue;
		ds->ds_rec[at % OLE_REC] = p[i];
		if (at % OLE_REC == OLE_REC - 1)
			ole_record(ds);
	}
}

static void
pdf_name_end(struct mugai_docscan *ds)
{
	static const struct { const char *n; guint bit; } kw[] = {
		{ "JavaScript", MUGAI_DOC_PDF_JS },
		{ "JS", MUGAI_DOC_PDF_JS },
		{ "Launch", MUGAI_DOC_PDF_LAUNCH },
		{ "EmbeddedFile", MUGAI_DOC_PDF_EMBEDDED },
		{ "EmbeddedFiles", MUGAI_DOC_PDF_EMBEDDED },
		{ "RichMedia", MUGAI_DOC_PDF_EMBEDDED },
		{ "OpenAction", MUGAI_DOC_PDF_ACTION },
		{ "AA", MUGAI_DOC_PDF_ACTION },
	};

	if (!ds->ds_in_name)
		return;
	ds->ds_in_name = FALSE;
	if (ds->ds_name_len > PDF_NAME_MAX)
		return;
	ds->ds_name[ds->ds_name_len] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(kw); i++)
		if (strcmp(ds->ds_name, kw[i].n) == 0)
			ds->ds_bits |= kw[i].bit;
}

static void
pdf_name_add(struct mugai_docscan *ds, char c)
{
	if (ds->ds_name_len < PDF_NAME_MAX)
		ds->ds_name[ds->ds_name_len] = c;
	if (ds->ds_name_len <= PDF_NAME_MAX)
		ds->ds_name_len++;
}

/* PDF delimiters and white space (PDF 32000-1, 7.2.2), and NUL. */
static gboolean
pdf_delim(unsigned char c)
{
	static gboolean table[256];
	static gsize once;

	if (g_once_init_enter(&once)) {
		for (const char *d = "()<>[]{}/%"; *d != '\0'; d++)
			table[(unsigned char)*d] = TRUE;
		for (guint i = 0; i < 256; i++)
			if (i == 0 || g_ascii_isspace((char)i))
				table[i] = TRUE;
		g_once_init_leave(&once, 1);
	}
	return table[c];
}

static void
pdf_feed(struct mugai_docscan *ds, const unsigned char *p, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		unsigned char c;
		gboolean delim;

		/* Outside a name only '/' matters: jump to the next one. */
		if (!ds->ds_in_name) {
			const unsigned char *slash = memchr(p + i, '/', len - i);

			if (slash == NULL)
				return;
			i = (gsize)(slash - p);
		}
		c = p[i];
		delim = pdf_delim(c);

		if (ds->ds_in_name && !delim) {
			if (ds->ds_hex >= 0 && g_ascii_isxdigit(c)) {
				ds->ds_hexval = ds->ds_hexval << 4 |
				    (guint)g_ascii_xdigit_value(c);
				if (ds->ds_hex++ == 1) {
					pdf_name_add(ds, (char)ds->ds_hexval);
					ds->ds_hex = -1;
				}
				continue;
			}
			ds->ds_hex = -1;
			if (c == '#') {
				ds->ds_hex = 0;
				ds->ds_hexval = 0;
			} else
				pdf_name_add(ds, (char)c);
			continue;
		}
		if (ds->ds_in_name)
			pdf_name_end(ds);
		if (c == '/') {
			ds->ds_in_name = TRUE;
			ds->ds_name_len = 0;
			ds->ds_hex = -1;
		}
	}
}

static void
markup_feed(struct mugai_docscan *ds, const unsigned char *p, gsize len)
{
	/* Each keyword's first character occurs in it once, so restarting
	 * on a mismatch at that character never misses a match. */
	for (gsize i = 0; i < len; i++) {
		char c = g_ascii_tolower(p[i]);

		for (gsize k = 0; k < G_N_ELEMENTS(markup_kw); k++) {
			const char *kw = markup_kw[k];

			if (c == kw[ds->ds_kw[k]])
				ds->ds_kw[k]++;
			else
				ds->ds_kw[k] = c == kw[0] ? 1 : 0;
			if (kw[ds->ds_kw[k]] == '\0') {
				ds->ds_bits |= MUGAI_DOC_SCRIPT;
				ds->ds_kw[k] = 0;
			}
		}
	}
}

void
mugai_docscan_feed(struct mugai_docscan *ds, const void *buf, gsize len)
{
	guint64 off = ds->ds_off;

	if (ds->ds_off >= ds->ds_max) {
		if (len > 0)
			ds->ds_bits |= MUGAI_DOC_TRUNCATED;
		return;
	}
	if (len > ds->ds_max - ds->ds_off) {
		len = (gsize)(ds->ds_max - ds->ds_off);
		ds->ds_bits |= MUGAI_DOC_TRUNCATED;
	}
	ds->ds_off += len;
	switch (ds->ds_kind) {
	case SCAN_OLE:
		ole_feed(ds, buf, len, off);
		break;
	case SCAN_PDF:
		pdf_feed(ds, buf, len);
		break;
	case SCAN_MARKUP:
		markup_feed(ds, buf, len);
		break;
	}
}

guint
mugai_docscan_finish(struct mugai_docscan *ds)
{
	guint bits;

	if (ds == NULL)
		return 0;
	if (ds->ds_kind == SCAN_PDF)
		pdf_name_end(ds);
	bits = ds->ds_bits;
	g_free(ds);
	return bits;
}
