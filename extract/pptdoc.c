/*
 * pptdoc - the text of a legacy PowerPoint presentation (97 to 2003,
 * .ppt)
 *
 * The OLE2 container is read with libgsf (worddoc.c says why). The
 * "PowerPoint Document" stream is a tree of records, each an 8-byte
 * header (version and instance, type, length); version 0xF marks a
 * container. The slides' text is in the first DocumentContainer, in its
 * SlideListWithTextContainer of instance 0: a SlidePersistAtom starts
 * each slide, TextCharsAtom (UTF-16LE) and TextBytesAtom (8-bit) hold its
 * text blocks. Each slide is written under "=== N ===", at most
 * max_pages of them; paragraph and line marks become line breaks. Notes
 * (instance 2) and masters are left out, as for PPTX. A presentation
 * with an EncryptedSummary stream is encrypted ("ppt_encrypted"); a
 * record longer than its container is damaged ("ppt_records"); nesting
 * stops at PPT_DEPTH.
 */
#include "autoconfig.h"

#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>

#include "parsers.h"

#define PPT_DEPTH	16
#define RT_DOCUMENT	0x03E8
#define RT_SLIDELIST	0x0FF0
#define RT_PERSIST	0x03F3
#define RT_CHARS	0x0FA0
#define RT_BYTES	0x0FA8

struct ppt {
	struct xjob *p_job;
	gboolean p_in_list;	/* inside the slides' list */
	gboolean p_done;	/* the first DocumentContainer was read */
	gboolean p_bad;
};

static void
text(struct ppt *p, const guint8 *d, gsize len, gboolean wide)
{
	struct xjob *job = p->p_job;
	gsize n = wide ? len / 2 : len;

	for (gsize i = 0; i < n && !x_done(job); i++) {
		gunichar c = wide ? x_le16(d + 2 * i) : d[i];

		if (c >= 0xD800 && c < 0xE000)
			c = 0xFFFD;
		if (c == 0x0D || c == 0x0B)
			x_newline(job);
		else if (c == 0x09 || c >= 0x20)
			x_putc(job, c);
	}
	x_newline(job);
}

/* The records in [d, d + len) at depth. */
static void
records(struct ppt *p, const guint8 *d, gsize len, guint depth)
{
	struct xjob *job = p->p_job;
	gsize off = 0;

	while (len - off >= 8 && !x_stop(job) && !p->p_done) {
		guint32 vi = x_le16(d + off), type = x_le16(d + off + 2);
		guint32 rlen = x_le32(d + off + 4);
		const guint8 *body = d + off + 8;

		if (rlen > len - off - 8) {
			p->p_bad = TRUE;
			return;
		}
		off += 8 + (gsize)rlen;
		if ((vi & 0x0F) == 0x0F) {
			gboolean list = type == RT_SLIDELIST && (vi >> 4) == 0;

			if (depth >= PPT_DEPTH)
				continue;
			if (list)
				p->p_in_list = TRUE;
			records(p, body, rlen, depth + 1);
			if (list)
				p->p_in_list = FALSE;
			if (type == RT_DOCUMENT)
				p->p_done = TRUE;
			continue;
		}
		if (!p->p_in_list)
			continue;
		if (type == RT_PERSIST) {
			char label[24];

			if (job->xj_pages >= job->xj_lim->xl_max_pages) {
				x_outcome(job, MUGAI_EXTRACT_TRUNCATED,
				    "max_pages");
				p->p_done = TRUE;
				return;
			}
			job->xj_pages++;
			g_snprintf(label, sizeof label, "%" G_GUINT64_FORMAT,
			    job->xj_pages);
			x_section(job, label);
		} else if (type == RT_CHARS || type == RT_BYTES)
			text(p, body, rlen, type == RT_CHARS);
	}
}

void
x_ppt(struct xjob *job)
{
	GsfInput *mem = gsf_input_memory_new(job->xj_data, (gsf_off_t)
	    job->xj_len, FALSE);
	GsfInfile *ole = mem != NULL ? gsf_infile_msole_new(mem, NULL) : NULL;
	GsfInput *in = NULL, *enc = NULL;
	struct ppt p = { job, FALSE, FALSE, FALSE };
	gsf_off_t size;
	const guint8 *d;

	job->xj_kind = "ppt";
	if (ole == NULL) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ole");
		goto out;
	}
	if ((enc = gsf_infile_child_by_name(ole, "EncryptedSummary")) !=
	    NULL) {
		x_outcome(job, MUGAI_EXTRACT_ENCRYPTED, "ppt_encrypted");
		goto out;
	}
	if ((in = gsf_infile_child_by_name(ole, "PowerPoint Document")) ==
	    NULL) {
		x_outcome(job, MUGAI_EXTRACT_UNSUPPORTED, "legacy_office");
		goto out;
	}
	size = gsf_input_size(in);
	if (size < 0 || (guint64)size > job->xj_lim->xl_max_expanded)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_expanded");
	else if (size > 0 && (d = gsf_input_read(in, (size_t)size, NULL)) !=
	    NULL) {
		records(&p, d, (gsize)size, 0);
		if (p.p_bad)
			x_outcome(job, MUGAI_EXTRACT_DAMAGED, "ppt_records");
	}
out:
	if (enc != NULL)
		g_object_unref(enc);
	if (in != NULL)
		g_object_unref(in);
	if (ole != NULL)
		g_object_unref(ole);
	if (mem != NULL)
		g_object_unref(mem);
}
