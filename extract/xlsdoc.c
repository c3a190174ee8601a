/*
 * xlsdoc - the text of a legacy Excel workbook (Excel 97 to 2003, .xls)
 *
 * The OLE2 container is read with libgsf (worddoc.c says why); the
 * Workbook stream is a list of BIFF8 records, each a type, a length and
 * its data. The globals come first: FILEPASS (the workbook is encrypted),
 * BOUNDSHEET8 (sheet names, in order) and SST, the shared strings, whose
 * data runs on in CONTINUE records (a string's characters may cross into
 * one, which then starts with a new flags byte). Then one substream per
 * sheet (BOF ... EOF) with its cells: LABELSST (a shared string), LABEL
 * (an inline string), NUMBER, RK and MULRK (numbers). Each worksheet is
 * written as aligned columns under "=== NAME ===" (table.c), at most
 * max_pages of them. A stream named Book (Excel 5/95) stays unsupported
 * ("legacy_office"); a record running past the stream is damaged
 * ("xls_records"). Formula results and dates are not read.
 */
#include "autoconfig.h"

#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>

#include "parsers.h"
#include "table.h"

#define REC_BOF		0x0809
#define REC_EOF		0x000A
#define REC_FILEPASS	0x002F
#define REC_SHEET	0x0085
#define REC_SST		0x00FC
#define REC_CONTINUE	0x003C
#define REC_LABELSST	0x00FD
#define REC_LABEL	0x0204
#define REC_NUMBER	0x0203
#define REC_RK		0x027E
#define REC_MULRK	0x00BD

/* A record reader over the whole stream. */
struct recs {
	const guint8 *r_d;
	gsize r_len;
	gsize r_pos;		/* of the next record */
};

/* The next record: its type, data and length. FALSE at the end or when
 * a record runs past the stream (*bad). */
static gboolean
next(struct recs *r, guint32 *type, const guint8 **d, gsize *len,
    gboolean *bad)
{
	if (r->r_len - r->r_pos < 4)
		return FALSE;
	*type = x_le16(r->r_d + r->r_pos);
	*len = x_le16(r->r_d + r->r_pos + 2);
	if (*len > r->r_len - r->r_pos - 4) {
		*bad = TRUE;
		return FALSE;
	}
	*d = r->r_d + r->r_pos + 4;
	r->r_pos += 4 + *len;
	return TRUE;
}

/* Characters of a BIFF8 string: cch of them from p within [p, end),
 * 8-bit (Latin-1) or UTF-16LE as high says; at each offset in breaks
 * (CONTINUE boundaries) a new flags byte says the width of the rest.
 * Returns (transfer full) UTF-8 and moves *pp past them, or NULL. */
static char *
chars(const guint8 **pp, const guint8 *end, const guint8 *base,
    const GArray *breaks, guint cch, gboolean high)
{
	GString *s = g_string_new(NULL);
	const guint8 *p = *pp;
	guint b = 0;

	while (b < breaks->len && base + g_array_index(breaks, gsize, b) <= p)
		b++;
	for (guint i = 0; i < cch; i++) {
		gunichar c;

		if (b < breaks->len && base + g_array_index(breaks, gsize, b) ==
		    p) {
			if (p >= end)
				goto bad;
			high = (*p++ & 0x01) != 0;
			b++;
		}
		if (end - p < (high ? 2 : 1))
			goto bad;
		c = high ? x_le16(p) : *p;
		p += high ? 2 : 1;
		if (c >= 0xD800 && c < 0xE000)
			c = 0xFFFD;
		g_string_append_unichar(s, c);
	}
	*pp = p;
	return g_string_free(s, FALSE);
bad:
	g_string_free(s, TRUE);
	return NULL;
}

/* The SST (its data and its CONTINUEs', joined) into strings. */
static void
sst(const guint8 *d, gsize len, const GArray *breaks, GPtrArray *out,
    guint64 max)
{
	const guint8 *p, *end;
	guint32 n;

	/* An empty SST may come as NULL: no pointer arithmetic on it. */
	if (d == NULL || len < 8)
		return;
	p = d + 8;
	end = d + len;
	n = x_le32(d + 4);
	for (guint32 i = 0; i < n && (guint64)out->len < max; i++) {
		guint cch, runs = 0;
		guint32 ext = 0;
		guint8 fl;
		char *s;

		if (end - p < 3)
			return;
		cch = x_le16(p);
		fl = p[2];
		p += 3;
		if (fl & 0x08) {
			if (end - p < 2)
				return;
			runs = x_le16(p);
			p += 2;
		}
		if (fl & 0x04) {
			if (end - p < 4)
				return;
			ext = x_le32(p);
			p += 4;
		}
		if ((s = chars(&p, end, d, breaks, cch, fl & 0x01)) == NULL)
			return;
		g_ptr_array_add(out, s);
		if ((gsize)(end - p) < 4 * (gsize)runs + ext)
			return;
		p += 4 * (gsize)runs + ext;
	}
}

/* A number as Excel shows a general one. */
static void
set_num(struct xtable *t, guint32 row, guint32 col, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_ascii_formatd(buf, sizeof buf, "%.15g", v);
	(void)x_table_set(t, row, col, buf);
}

static double
rk(guint32 v)
{
	double d;

	if (v & 0x02)
		d = (double)((gint32)v >> 2);
	else {
		guint64 bits = (guint64)(v & 0xFFFFFFFCu) << 32;

		memcpy(&d, &bits, sizeof d);
	}
	return v & 0x01 ? d / 100 : d;
}

/* One cell record of a sheet into t. */
static void
cell(struct xtable *t, guint32 type, const guint8 *d, gsize len,
    const GPtrArray *strings, const GArray *none)
{
	const guint8 *p;
	char *s;

	if (len < 6)
		return;
	switch (type) {
	case REC_LABELSST:
		if (len >= 10 && x_le32(d + 6) < strings->len)
			(void)x_table_set(t, x_le16(d), x_le16(d + 2),
			    g_ptr_array_index(strings, x_le32(d + 6)));
		break;
	case REC_LABEL:
		p = d + 9;
		if (len >= 9 && (s = chars(&p, d + len, d, none, x_le16(d + 6),
		    d[8] & 0x01)) != NULL) {
			(void)x_table_set(t, x_le16(d), x_le16(d + 2), s);
			g_free(s);
		}
		break;
	case REC_NUMBER:
		if (len >= 14) {
			double v;

			memcpy(&v, d + 6, sizeof v);
			set_num(t, x_le16(d), x_le16(d + 2), v);
		}
		break;
	case REC_RK:
		if (len >= 10)
			set_num(t, x_le16(d), x_le16(d + 2), rk(x_le32(d + 6)));
		break;
	case REC_MULRK:
		for (gsize i = 0; 4 + 6 * (i + 1) + 2 <= len; i++)
			set_num(t, x_le16(d), x_le16(d + 2) + (guint32)i,
			    rk(x_le32(d + 4 + 6 * i + 2)));
		break;
	default:
		break;
	}
}

/* The records of the Workbook stream. */
static void
workbook(struct xjob *job, const guint8 *wb, gsize wb_len)
{
	struct recs r = { wb, wb_len, 0 };
	GPtrArray *strings = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GArray *breaks = g_array_new(FALSE, FALSE, sizeof(gsize));
	GArray *none = g_array_new(FALSE, FALSE, sizeof(gsize));
	GByteArray *sstb = NULL;
	struct xtable *t = NULL;
	gboolean bad = FALSE, globals = TRUE, started = FALSE;
	guint sheet = 0;
	guint32 type;
	const guint8 *d;
	gsize len;

	while (!x_done(job) && next(&r, &type, &d, &len, &bad)) {
		if (type != REC_CONTINUE && sstb != NULL) {
			sst(sstb->data, sstb->len, breaks, strings,
			    job->xj_lim->xl_max_chars);
			g_byte_array_unref(sstb);
			sstb = NULL;
		}
		if (type == REC_FILEPASS && globals) {
			x_outcome(job, MUGAI_EXTRACT_ENCRYPTED,
			    "xls_encrypted");
			break;
		} else if (type == REC_SST && globals) {
			sstb = g_byte_array_new();
			g_byte_array_append(sstb, d, (guint)len);
			g_array_set_size(breaks, 0);
		} else if (type == REC_CONTINUE && sstb != NULL) {
			gsize at = sstb->len;

			g_array_append_val(breaks, at);
			g_byte_array_append(sstb, d, (guint)len);
		} else if (type == REC_SHEET && globals && len >= 8) {
			const guint8 *p = d + 8;
			char *n = chars(&p, d + len, d, none, d[6],
			    d[7] & 0x01);

			g_ptr_array_add(names, n != NULL ? n : g_strdup("?"));
		} else if (type == REC_BOF && len >= 4) {
			if (!started) {		/* the globals' own */
				started = TRUE;
				continue;
			}
			globals = FALSE;
			if (x_le16(d + 2) != 0x0010)
				continue;	/* a chart or macro sheet */
			if (job->xj_pages >= job->xj_lim->xl_max_pages) {
				x_outcome(job, MUGAI_EXTRACT_TRUNCATED,
				    "max_pages");
				break;
			}
			x_section(job, sheet < names->len ?
			    g_ptr_array_index(names, sheet) : "?");
			job->xj_pages++;
			x_table_free(t);
			t = x_table_new(job);
		} else if (type == REC_EOF && globals) {
			globals = FALSE;
		} else if (type == REC_EOF) {
			sheet++;
			if (t != NULL)
				x_table_emit(t);
			x_table_free(t);
			t = NULL;
			if (x_stop(job))
				break;
		} else if (t != NULL)
			cell(t, type, d, len, strings, none);
	}
	if (t != NULL)
		x_table_emit(t);
	x_table_free(t);
	if (bad)
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "xls_records");
	if (sstb != NULL)
		g_byte_array_unref(sstb);
	g_array_unref(breaks);
	g_array_unref(none);
	g_ptr_array_unref(names);
	g_ptr_array_unref(strings);
}

void
x_xls(struct xjob *job)
{
	GsfInput *mem = gsf_input_memory_new(job->xj_data, (gsf_off_t)
	    job->xj_len, FALSE);
	GsfInfile *ole = mem != NULL ? gsf_infile_msole_new(mem, NULL) : NULL;
	GsfInput *in = ole != NULL ? gsf_infile_child_by_name(ole,
	    "Workbook") : NULL;
	gsf_off_t size;
	const guint8 *d;

	job->xj_kind = "xls";
	if (ole == NULL)
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ole");
	else if (in == NULL)
		x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "legacy_office");
	if (in == NULL) {
		if (ole != NULL)
			g_object_unref(ole);
		if (mem != NULL)
			g_object_unref(mem);
		return;
	}
	size = gsf_input_size(in);
	if (size < 0 || (guint64)size > job->xj_lim->xl_max_expanded)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_expanded");
	else if (size > 0 && (d = gsf_input_read(in, (size_t)size, NULL)) !=
	    NULL)
		workbook(job, d, (gsize)size);
	g_object_unref(in);
	g_object_unref(ole);
	g_object_unref(mem);
}
