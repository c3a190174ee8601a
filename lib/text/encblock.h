/*
 * mugai_encblock - cut attachments hidden in text bodies
 *
 * uuencode (also begin-base64), yEnc, BinHex 4.0, ASCII armor (PGP, PKCS7,
 * CERTIFICATE, ENCRYPTED ..., but not the "BEGIN PGP SIGNED MESSAGE" header:
 * the signed text stays, its signature block goes) and runs of four or more
 * base64-looking lines are attachments in disguise. mugai_encblock_strip()
 * copies the text without them and reports one struct mugai_encblock per
 * block, so the notice can list them like any attachment.
 *
 * One pass over the lines, linear time; memory beyond the output is a few
 * small buffers (blocks are decoded and hashed as they stream by).
 * Malformed or truncated blocks are ordinary input: an unterminated block
 * ends where its kind of line stops. Nothing here fails.
 */
#ifndef MUGAI_ENCBLOCK_H
#define MUGAI_ENCBLOCK_H

#include <glib.h>

struct mugai_encblock {
	char *eb_kind;		/* "uuencode", "yenc", "binhex", "armor",
				   "base64" (owned) */
	char *eb_filename;	/* from the begin line, =ybegin name=, the
				   BinHex header or the armor label, or NULL
				   (owned, bytes from mail: escape to log) */
	guint64 eb_size;	/* decoded bytes (uuencode, yEnc, base64),
				   else the bytes cut from the text */
	char eb_sha256[65];	/* hex SHA-256 of those same bytes */
};

/* Frees eb and its strings. NULL does nothing. */
void mugai_encblock_free(struct mugai_encblock *eb);

/*
 * Scans text (UTF-8, LF line endings, len bytes, need not be
 * NUL-terminated) and appends to out the text with every block cut out:
 * whole lines go, the remaining lines keep their bytes and order.
 * Appends (transfer full) one struct mugai_encblock per block to found
 * (the caller's GPtrArray, free func mugai_encblock_free; may be NULL).
 * Returns the number of blocks cut.
 */
guint mugai_encblock_strip(const char *text, gsize len,
    GString *out /* transfer none */, GPtrArray *found /* transfer none */);

#endif
