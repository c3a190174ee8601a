/*
 * mugai_scan - the streaming MIME scanner: chunks in, part events out
 *
 * Fed a whole message (header block first) in chunks of any size: a
 * chunk edge may split a line, a CRLF, a base64 quartet or a boundary.
 * It parses each part's header block within max_header_size, keeps a
 * bounded boundary stack, decodes base64 and quoted-printable with
 * GMime's own step functions (state carried across chunks) and reports
 * every part in document order: begin (headers read), data (decoded
 * content of a leaf, any size), end. Memory is bounded by the config,
 * not by the message: content is never held.
 *
 * Conservative by construction: the scanner reads only what it is sure
 * GMime reads the same way, and declines everything else (see scan.c for
 * the list): mugai_scan_declined() then names the reason and the caller
 * runs the GMime engine on the whole message. Nothing here fails: a
 * message is taken or declined.
 */
#ifndef MUGAI_SCAN_H
#define MUGAI_SCAN_H

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"

/* One part as the scanner read it; everything lent to the callbacks. */
struct mugai_scan_part {
	const char *sp_path;		/* "1", "1.2" as the walk numbers */
	guint sp_depth;			/* 1 for the message's own part */
	GMimeContentType *sp_type;	/* Content-Type, or text/plain */
	GMimeContentDisposition *sp_disposition;	/* or NULL */
	const char *sp_cte;		/* transfer encoding label, or NULL */
	GMimeContentEncoding sp_encoding;
	gboolean sp_multipart;
	/* message/rfc822 (or rfc2822, news, global) not encoded: begins
	 * once the header block of the message it carries is read, which
	 * sp_message holds; its one child is that message's part. */
	gboolean sp_forward;
	GMimeObject *sp_message;
	/* Content-ID as GMime decodes it; only in a multipart/related. */
	const char *sp_content_id;
	/* At the end of a leaf: */
	guint64 sp_raw_size;		/* encoded bytes of the content */
	/* The encoded content may pass as it came (7/8bit, no NUL, no
	 * bare CR, lines of at most 999 octets); the message's part only. */
	gboolean sp_raw_clean;
};

/* Each callback returns FALSE to stop the scan (the message declined). */
struct mugai_scan_ops {
	gboolean (*so_begin)(void *ctx, const struct mugai_scan_part *part);
	gboolean (*so_data)(void *ctx, const struct mugai_scan_part *part,
	    const guint8 *buf, gsize len);
	gboolean (*so_end)(void *ctx, const struct mugai_scan_part *part);
	/*
	 * GMime's warnings about the message's own header block (not its
	 * Content-* fields), before any part begins; item may be NULL.
	 * NULL: such a message is declined.
	 */
	void (*so_warn)(void *ctx, GMimeParserWarning code, const char *item);
};

struct mugai_scan;

/* Returns (transfer full) a scanner; cf and ops are lent for its life. */
struct mugai_scan *mugai_scan_new(const struct mugai_config *cf,
    const struct mugai_scan_ops *ops, void *ctx);

/* Feeds len bytes (lent). FALSE once the message is declined. */
gboolean mugai_scan_feed(struct mugai_scan *s, const char *buf, gsize len);

/* Ends the input. FALSE when the message is declined. */
gboolean mugai_scan_finish(struct mugai_scan *s);

/* Declines the message (first reason kept); for callbacks too. */
void mugai_scan_decline(struct mugai_scan *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * After a successful finish: TRUE when the input ended inside a multipart
 * (GMime's GMIME_WARN_TRUNCATED_MESSAGE).
 */
gboolean mugai_scan_truncated(const struct mugai_scan *s);

/* Returns (transfer none) why the message was declined, or NULL. */
const char *mugai_scan_declined(const struct mugai_scan *s);

/* Frees s. NULL does nothing. */
void mugai_scan_free(struct mugai_scan *s);

#endif
