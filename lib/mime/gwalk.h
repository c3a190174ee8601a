/*
 * mugai_gwalk - the GMime engine's walk: parse the message, walk the tree
 *
 * The engine mugai_sanitize() falls back to when the streaming walk
 * (lib/mime/swalk.h) declines a message, and the only one with
 * --engine=gmime. It fills the same struct mugai_walk (lib/mime/walk.h)
 * through the same decisions.
 */
#ifndef MUGAI_GWALK_H
#define MUGAI_GWALK_H

#include <glib.h>
#include <gmime/gmime.h>

#include "base/err.h"
#include "mime/walk.h"

/*
 * Parses the message on in (lent; from offset start) with GMime and walks
 * it into w (lent, initialised; mugai_walk_finish() done on return).
 * hdr_end >= 0 is where the header block ended at a line that is not a
 * header (no blank line): GMime is then given the blank line, so it reads
 * the same headers and body as the MTA. Returns MUGAI_OK, or MUGAI_E_IO
 * when reading the stream fails.
 */
enum mugai_err mugai_gwalk_message(struct mugai_walk *w, GMimeStream *in,
    gint64 start, gint64 hdr_end);

/*
 * Returns (transfer none: msg's) the object at want, numbered as the
 * walk numbers parts in the report: the message body is "1", the
 * children of a multipart at P are P.1, P.2 ..., the message in a
 * message/rfc822 part at P has its body at P.1. NULL when there is no
 * such part (or it is deeper than 64 levels). seen (may be NULL) gets
 * " PATH" for every part passed on the way, for an error message.
 */
GMimeObject *mugai_gwalk_find_part(GMimeMessage *msg, const char *want,
    GString *seen);

#endif
