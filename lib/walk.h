/*
 * mugai_walk - walk a GMime tree: render text parts, remove the rest
 *
 * The walk owns the rules of the sanitized-message contract for structure:
 * text/plain and text/html become text, multipart/alternative gives its
 * best text, multipart/related its rendered root, message/rfc822 is shown
 * inline under a forwarded-message block, and every other leaf is removed
 * into the report (its facts and action from the policy). Content that
 * cannot be sanitized with certainty, or a limit exceeded, sets
 * wk_withhold; the walk then stops adding to the text.
 */
#ifndef MUGAI_WALK_H
#define MUGAI_WALK_H

#include <glib.h>
#include <gmime/gmime.h>

#include "config.h"
#include "err.h"
#include "report.h"
#include "sanitize.h"

struct mugai_walk {
	const struct mugai_config *wk_cf;
	const struct mugai_envelope *wk_env;
	struct mugai_report *wk_report;	/* (transfer none) */
	GString *wk_text;		/* rendered UTF-8 text, LF */
	guint wk_parts;			/* parts seen so far */
	guint64 wk_decoded;		/* decoded bytes so far */
	char *wk_withhold;		/* first reason to withhold, or NULL */
	guint wk_warnings;		/* GMime parser warnings */
	gboolean wk_unchanged;		/* the body can pass as it came */
};

/* Prepares w (members owned by w; report lent). */
void mugai_walk_init(struct mugai_walk *w, const struct mugai_config *cf,
    const struct mugai_envelope *env, struct mugai_report *report);

/* Frees what w owns. */
void mugai_walk_clear(struct mugai_walk *w);

/* Records the first reason the message must be withheld. */
void mugai_walk_withhold(struct mugai_walk *w, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Parses the message on in (from offset start) with GMime and walks it.
 * hdr_end >= 0 is where the header block ended at a line that is not a
 * header (no blank line): GMime is then given the blank line, so it reads
 * the same headers and body as the MTA. Returns MUGAI_OK, or MUGAI_E_IO
 * when reading the stream fails.
 */
enum mugai_err mugai_walk_message(struct mugai_walk *w, GMimeStream *in,
    gint64 start, gint64 hdr_end);

#endif
