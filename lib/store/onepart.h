/*
 * mugai_onepart - the message that delivers one approved part
 *
 * When a request for one removed part is approved (the portal), or an
 * administrator releases one part (`mugai quarantine release ID --part
 * N`), the requester gets a new message: the original's From, To, Cc and
 * Subject (marked), a fresh Message-ID and Date, and a multipart/mixed
 * body of a note (text/plain UTF-8, Japanese first, then English: who
 * approved, when, the item, the part, the rule) followed by the part
 * itself, taken from the quarantined original as it was: its header
 * fields and its encoded body are written back unchanged, so the decoded
 * bytes are the original's, byte for byte.
 *
 * The part is found as the engine's report numbers parts
 * (mugai_onepart_find): the message body is "1", the children of a
 * multipart at P are P.1, P.2 ..., the body of a message/rfc822 at P is
 * P.1. Only a leaf part or an attached message is delivered; a container
 * is refused.
 *
 * The message is released like an original (lib/store/release.h): its
 * SHA-256 is recorded in the item (mugai_release_allow_content) before it
 * is submitted with a token bound to that SHA-256, so the milter lets it
 * pass once instead of removing the part again.
 */
#ifndef MUGAI_ONEPART_H
#define MUGAI_ONEPART_H

#include <glib.h>
#include <gmime/gmime.h>

#include "base/err.h"

/* What the note says. Strings are lent; any may be NULL but id, part. */
struct mugai_onepart {
	const char *op_id;		/* the item */
	const char *op_part;		/* the report path, "1.2" */
	const char *op_approver;	/* who approved or released it */
	const char *op_requester;	/* who asked (NULL: an administrator) */
	const char *op_rule;		/* the rule that removed it */
	gint64 op_time;			/* the approval, seconds since epoch */
};

/*
 * The object at want in the tree under obj (numbered path, "1" for the
 * message body), or NULL. Transfer none.
 */
GMimeObject *mugai_onepart_find(GMimeObject *obj, const char *path,
    const char *want);

/*
 * Builds the one-part message from the original read from fd (lent; read
 * from offset 0, its offset is left anywhere). Returns (transfer full)
 * the message bytes (with the original's line ends), or NULL with *err
 * and why (may be NULL) set: MUGAI_E_PARSE (not MIME), MUGAI_E_NOTFOUND
 * (no such part), MUGAI_E_INVAL (a container, or a bad path),
 * MUGAI_E_IO.
 */
GBytes *mugai_onepart_build(int fd, const struct mugai_onepart *op,
    enum mugai_err *err, GString *why);

#endif
