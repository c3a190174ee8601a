/*
 * worddoc - the text of a legacy Word document (Word 97 to 2003, .doc)
 *
 * The file is an OLE2 compound file, read with libgsf from the job's
 * memory (no file, no network: it runs inside the sandbox; gsf_init()
 * and the types it needs are loaded before confinement, x_doc_warm()).
 * The WordDocument stream starts with the FIB: wIdent 0xA5EC, nFib (193
 * or more for Word 97 and later), the flags (fEncrypted: the document is
 * encrypted; fWhichTblStm: the table stream is 1Table, else 0Table) and
 * fcClx/lcbClx, where the piece table is in the table stream. Each piece
 * names a run of characters in the WordDocument stream, either 8-bit
 * (CP1252, "compressed") or UTF-16LE. Field instructions (between 0x13
 * and 0x14) are skipped, their results kept; paragraph, line and page
 * marks become line breaks, cell marks tabs. Older Word (nFib below 193)
 * and a stream too short for a FIB stay unsupported ("legacy_office");
 * a piece table that points outside its streams is damaged. Streams are
 * read whole within max_expanded.
 *
 * Why libgsf and not catdoc: catdoc, xls2csv and catppt are programs, and
 * the helper's filter forbids exec (and they open their charset files at
 * run time); running them would take a second helper with a filter of its
 * own. libgsf is a library Debian keeps (GNOME's, used by gnumeric and
 * abiword) that only parses the container; the Word format on top is
 * small and ours, so it runs under the same filter and limits as every
 * other reader.
 */
#include "autoconfig.h"

#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include "parsers.h"

#define FIB_MIN		0x1AA	/* through lcbClx */
#define NFIB_WORD97	193

void
x_doc_warm(void)
{
	gsf_init();
	g_type_ensure(GSF_INPUT_MEMORY_TYPE);
	g_type_ensure(GSF_INFILE_MSOLE_TYPE);
}

/* The whole stream name of ole, within max bytes; NULL if absent. */
static GBytes *
stream(struct xjob *job, GsfInfile *ole, const char *name)
{
	GsfInput *in = gsf_infile_child_by_name(ole, name);
	gsf_off_t size;
	const guint8 *d;
	GBytes *b = NULL;

	if (in == NULL)
		return NULL;
	size = gsf_input_size(in);
	if (size < 0 || (guint64)size > job->xj_lim->xl_max_expanded)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_expanded");
	else if ((d = gsf_input_read(in, (size_t)size, NULL)) != NULL ||
	    size == 0)
		b = g_bytes_new(size > 0 ? (const void *)d : (const void *)"",
		    (gsize)size);
	g_object_unref(in);
	return b;
}

/* The state of the field skipper across pieces. */
struct fields {
	guint fd_depth;		/* open fields */
	guint64 fd_skip;	/* bit d: field at depth d is in its code */
};

/* One character of the document, fields skipped. */
static void
put_char(struct xjob *job, struct fields *f, gunichar c)
{
	switch (c) {
	case 0x13:			/* field begin: its code follows */
		if (f->fd_depth < 63)
			f->fd_skip |= G_GUINT64_CONSTANT(1) << f->fd_depth;
		f->fd_depth++;
		return;
	case 0x14:			/* separator: the result follows */
		if (f->fd_depth > 0 && f->fd_depth <= 64)
			f->fd_skip &= ~(G_GUINT64_CONSTANT(1) <<
			    (f->fd_depth - 1));
		return;
	case 0x15:			/* field end */
		if (f->fd_depth > 0) {
			f->fd_depth--;
			if (f->fd_depth < 64)
				f->fd_skip &= ~(G_GUINT64_CONSTANT(1) <<
				    f->fd_depth);
		}
		return;
	default:
		break;
	}
	if (f->fd_skip != 0)
		return;
	if (c == 0x0D || c == 0x0B || c == 0x0C)
		x_newline(job);
	else if (c == 0x07 || c == 0x09)
		x_putc(job, '\t');
	else if (c == 0x1E)
		x_putc(job, '-');
	else if (c == 0xA0)
		x_putc(job, ' ');
	else if (c >= 0x20)
		x_putc(job, c);
}

/* CP1252 0x80-0x9F; the rest of the 8-bit range is Latin-1. */
static gunichar
cp1252(guint8 b)
{
	static const guint16 hi[32] = {
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
		0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	};

	return b >= 0x80 && b < 0xA0 ? hi[b - 0x80] : b;
}

/* The pieces of the table at plc (lcb bytes); FALSE when damaged. */
static gboolean
pieces(struct xjob *job, const guint8 *wd, gsize wd_len, const guint8 *plc,
    gsize lcb)
{
	struct fields f = { 0, 0 };
	gsize n;

	if (lcb < 4 || (lcb - 4) % 12 != 0)
		return FALSE;
	n = (lcb - 4) / 12;
	for (gsize i = 0; i < n && !x_stop(job); i++) {
		guint32 cp0 = x_le32(plc + 4 * i), cp1 = x_le32(plc + 4 * (i + 1));
		const guint8 *pcd = plc + 4 * (n + 1) + 8 * i;
		guint32 fc = x_le32(pcd + 2);
		gboolean narrow = (fc & 0x40000000) != 0;
		gsize count, off;

		if (cp1 < cp0)
			return FALSE;
		count = cp1 - cp0;
		fc &= 0x3FFFFFFF;
		off = narrow ? fc / 2 : fc;
		if (off > wd_len || count > (wd_len - off) / (narrow ? 1 : 2))
			return FALSE;
		for (gsize k = 0; k < count && !x_done(job); k++) {
			gunichar c;

			if (narrow)
				c = cp1252(wd[off + k]);
			else {
				c = x_le16(wd + off + 2 * k);
				if (c >= 0xD800 && c < 0xDC00 && k + 1 < count &&
				    x_le16(wd + off + 2 * k + 2) >= 0xDC00 &&
				    x_le16(wd + off + 2 * k + 2) < 0xE000) {
					c = 0x10000 + ((c - 0xD800) << 10) +
					    (x_le16(wd + off + 2 * k + 2) - 0xDC00);
					k++;
				} else if (c >= 0xD800 && c < 0xE000)
					c = 0xFFFD;
			}
			put_char(job, &f, c);
		}
	}
	return TRUE;
}

/* The Clx at fc in the table stream: Prc entries, then the Pcdt. */
static gboolean
clx(struct xjob *job, GBytes *wdb, GBytes *tblb, guint32 fc, guint32 lcb)
{
	gsize wd_len, tlen;
	const guint8 *wd = g_bytes_get_data(wdb, &wd_len);
	const guint8 *t = g_bytes_get_data(tblb, &tlen);
	gsize p = fc, end;

	if (fc > tlen || lcb > tlen - fc)
		return FALSE;
	end = (gsize)fc + lcb;
	while (p < end && t[p] == 0x01) {
		if (end - p < 3)
			return FALSE;
		p += 3 + x_le16(t + p + 1);
	}
	if (p >= end || end - p < 5 || t[p] != 0x02)
		return FALSE;
	lcb = x_le32(t + p + 1);
	p += 5;
	if (lcb > end - p)
		return FALSE;
	return pieces(job, wd, wd_len, t + p, lcb);
}

void
x_doc(struct xjob *job)
{
	GsfInput *in = gsf_input_memory_new(job->xj_data, (gsf_off_t)
	    job->xj_len, FALSE);
	GsfInfile *ole = NULL;
	GBytes *wdb = NULL, *tblb = NULL;
	const guint8 *fib;
	gsize len;
	guint32 flags;

	job->xj_kind = "doc";
	if (in == NULL || (ole = gsf_infile_msole_new(in, NULL)) == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ole");
		goto out;
	}
	if ((wdb = stream(job, ole, "WordDocument")) == NULL)
		goto old;
	fib = g_bytes_get_data(wdb, &len);
	if (len < FIB_MIN || x_le16(fib) != 0xA5EC || x_le16(fib + 2) < NFIB_WORD97)
		goto old;
	flags = x_le16(fib + 0x0A);
	if (flags & 0x0100) {
		x_outcome(job, MUGAI_EXTRACT_ENCRYPTED, "doc_encrypted");
		goto out;
	}
	tblb = stream(job, ole, flags & 0x0200 ? "1Table" : "0Table");
	if (tblb == NULL || !clx(job, wdb, tblb, x_le32(fib + 0x1A2),
	    x_le32(fib + 0x1A6)))
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "doc_pieces");
	goto out;
old:
	x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "legacy_office");
out:
	if (wdb != NULL)
		g_bytes_unref(wdb);
	if (tblb != NULL)
		g_bytes_unref(tblb);
	if (ole != NULL)
		g_object_unref(ole);
	if (in != NULL)
		g_object_unref(in);
}
