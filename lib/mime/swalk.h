/*
 * mugai_swalk - the streaming walk: scanner events into a struct mugai_walk
 *
 * Fills the same struct mugai_walk as the GMime walk (lib/mime/gwalk.c:
 * text, report parts, withhold reason, wk_unchanged) from lib/mime/scan.c's
 * events, through the decisions lib/mime/walk.c shares, so everything
 * after the walk is one code path.
 * Text parts are held (at most max(4 * max_text_size, 1 MiB) decoded
 * bytes, else declined); removed parts go through a bounded buffer that
 * moves to an unlinked temp file (spool_dir, else TMPDIR) past 256 KiB,
 * and are examined by the policy at their end.
 *
 * A declined message leaves w half filled: the caller throws w away and
 * runs the GMime walk. Only I/O on the input or a temp file is an error.
 */
#ifndef MUGAI_SWALK_H
#define MUGAI_SWALK_H

#include <glib.h>
#include <gmime/gmime.h>

#include "base/err.h"
#include "mime/walk.h"

struct mugai_swalk;

/* Returns (transfer full) a streaming walk into w (lent, initialised). */
struct mugai_swalk *mugai_swalk_new(struct mugai_walk *w);

/* Feeds len bytes of the message (lent), any chunk size. */
void mugai_swalk_feed(struct mugai_swalk *sw, const char *buf, gsize len);

/*
 * Returns (transfer none) the reason sw declined the message so far, or
 * NULL: once declined, further input is ignored and need not be fed.
 */
const char *mugai_swalk_declined(const struct mugai_swalk *sw);

/*
 * Ends the input. Returns NULL when the walk took the message (w is
 * complete, mugai_walk_finish() done), else (transfer none) the reason it
 * was declined, valid until mugai_swalk_free().
 */
const char *mugai_swalk_finish(struct mugai_swalk *sw);

/* Frees sw. NULL does nothing. */
void mugai_swalk_free(struct mugai_swalk *sw);

/*
 * Runs the streaming walk over in from start to its end, read chunk
 * bytes at a time (0: 64 KiB). Sets *declined (transfer full) to the
 * reason when the message was declined, else NULL. Returns MUGAI_OK or
 * MUGAI_E_IO.
 */
enum mugai_err mugai_swalk_message(struct mugai_walk *w, GMimeStream *in,
    gint64 start, gsize chunk, char **declined);

#endif
