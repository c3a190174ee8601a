/*
 * mugai_partnum - finding a part by the number the report gives it
 *
 * The engines' reports name parts by path: the message body is "1", the
 * children of a multipart at P are P.1, P.2 ..., the body of a
 * message/rfc822 part at P is P.1. Whoever comes back for one part (the
 * CLI's show and extract, a one-part release, the portal's preview, a
 * PPAP request) finds it here in a parsed GMime tree; in base/ so that
 * store/ (onepart) and mime/ (gwalk) share it without one depending on
 * the other.
 */
#ifndef MUGAI_PARTNUM_H
#define MUGAI_PARTNUM_H

#include <glib.h>
#include <gmime/gmime.h>

/* Deeper than this is not a message anyone addresses by part number. */
#define MUGAI_PARTNUM_DEPTH_MAX	64

/*
 * Returns (transfer none: obj's) the object at want below obj, whose own
 * number is path. NULL when there is no such part, it is deeper than
 * MUGAI_PARTNUM_DEPTH_MAX levels, or an argument is NULL. seen (may be
 * NULL) gets " PATH" for every part passed on the way, for an error
 * message.
 */
GMimeObject *mugai_partnum_find(GMimeObject *obj, const char *path,
    const char *want, GString *seen);

#endif
