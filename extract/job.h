/*
 * job - one document in mugai-extract: its bytes, its limits, the text it
 * gives and the outcome the parsers record
 *
 * A parser reads xj_data (lent for the whole job), writes text through
 * x_put() and friends and records its outcome with x_outcome(); the first
 * outcome other than ok wins, so a parser can record "truncated" and go
 * on writing nothing more. Text is normalised on the way in: invalid
 * UTF-8 becomes U+FFFD, CR and CRLF become LF, form feeds become LF,
 * other C0 and C1 controls and DEL are dropped, trailing blanks of a
 * line are removed and never more than one blank line is kept. Past
 * xl_max_chars characters nothing more is taken and the job is
 * truncated ("max_chars"). Everything here is for one thread.
 */
#ifndef MUGAI_EXTRACT_JOB_H
#define MUGAI_EXTRACT_JOB_H

#include <glib.h>

#include "core/config.h"
#include "extract/proto.h"

struct xlimits {
	guint64 xl_max_bytes;	/* document bytes read (stdin mode) */
	guint64 xl_max_chars;	/* characters of text */
	guint64 xl_max_pages;	/* PDF pages, sheets, slides */
	guint64 xl_max_expanded;	/* bytes inflated from a zip */
	gint64 xl_max_time_ms;	/* per document; 3/4 of it is ours */
	guint64 xl_max_memory;	/* address space of the helper */
	enum mugai_url_mode xl_url_mode;	/* links in HTML */
};

struct xjob {
	const unsigned char *xj_data;	/* the document (lent) */
	gsize xj_len;
	const char *xj_hint;		/* type hint (lent) */
	gboolean xj_cut;		/* only the start of it was given */
	const struct xlimits *xj_lim;	/* lent */
	gint64 xj_deadline;		/* ours: 0 or mugai_deadline */
	guint xj_ticks;			/* counts cheap steps between checks */

	GString *xj_out;		/* the text */
	guint64 xj_chars;
	guint xj_newlines;		/* trailing "\n" in xj_out */
	gboolean xj_full;		/* max_chars reached */
	gboolean xj_timeup;		/* our deadline passed */

	enum mugai_extract_status xj_status;
	const char *xj_kind;		/* static; NULL: unknown */
	const char *xj_reason;		/* static; NULL: none */
	guint64 xj_pages;
};

/* Sets up job over data (lent), len bytes. */
void x_job_init(struct xjob *job, const unsigned char *data, gsize len,
    const char *hint, gboolean cut, const struct xlimits *lim);
/* Frees what the job owns. */
void x_job_clear(struct xjob *job);

/*
 * Records an outcome with its reason (static strings). The first one
 * other than ok is kept; a later one is ignored.
 */
void x_outcome(struct xjob *job, enum mugai_extract_status st,
    const char *reason);

/*
 * TRUE when the job must stop: max_chars was reached, our deadline passed
 * or an outcome other than ok or truncated was recorded. A truncation by
 * another limit (max_pages, max_expanded) stops only the loop that hit
 * it: what was read before still gives its text. x_done() reads no
 * clock; x_stop() also checks the deadline (the job is then truncated,
 * "max_time"): call it per page, part or chunk, never per byte.
 */
gboolean x_done(const struct xjob *job);
gboolean x_stop(struct xjob *job);

/* Appends len bytes of text (-1: NUL-terminated), normalised as above. */
void x_put(struct xjob *job, const char *s, gssize len);
/* Appends one character. */
void x_putc(struct xjob *job, gunichar c);
/* Ends the current line, unless at the start of one. */
void x_newline(struct xjob *job);
/* Ends the current line and leaves one blank line, unless at the start
 * of the text or after a blank line already. */
void x_paragraph(struct xjob *job);

/* Ends the text: one "\n" at its end, none when it is empty or full. */
void x_finish(struct xjob *job);

/* Appends s, a string in codepage label (e.g. "cp932"), converted. */
void x_put_legacy(struct xjob *job, const char *s, gsize len,
    const char *label);

/* Columns s takes on a terminal: 2 for wide East Asian characters. */
gsize x_width(const char *s);

#endif
