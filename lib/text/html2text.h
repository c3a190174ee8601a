/*
 * mugai_html2text - HTML to readable plain text on libxml2's push parser
 *
 * A renderer is fed UTF-8 HTML in chunks of any size (a chunk edge may
 * split a tag, an entity or a UTF-8 sequence; the text is the same
 * whatever the chunks) and hands back plain text:
 * paragraphs, line breaks, lists, table rows, link text with its URL and
 * image alt text. Nothing is ever fetched; scripts, styles, the head and
 * embedded objects are dropped with their content; no markup is emitted.
 * Bytes that are not valid UTF-8 become U+FFFD.
 *
 * Bad input is an ordinary result (libxml2 recovers, as a browser does).
 * The only errors are the limits: element nesting deeper than ho_max_depth,
 * more than ho_max_output bytes of text, a deadline passed or, always, a
 * start tag of more than 1000 attributes (libxml2's time grows with their
 * square) give MUGAI_E_LIMIT, and the renderer stops working at once. A
 * limit of 0 means "no limit".
 *
 * Rendering rules, in short (html2text.c has the details):
 *   - block elements start and end lines; p, h1-h6, pre, blockquote, dl,
 *     figure and top-level lists are separated by one blank line; <br> is a
 *     line break; never two blank lines in a row, no trailing spaces, the
 *     text ends with one "\n" unless empty;
 *   - ul items "- ", ol items "1. " (start= and value= honoured); nested
 *     lists and list item continuation lines indented by 2 spaces a level;
 *     blockquote lines start with "> ", dd lines with 2 spaces;
 *   - a table of data is a grid: cells by rowspan and colspan, a <br> in
 *     a cell stays in its cell, columns padded by display width (East
 *     Asian wide characters two columns), cells joined by " | ", empty
 *     columns left out; a layout table (one column, a table inside, or
 *     wider than 120 columns) gives its cells in order, a row of one-line
 *     cells as "a | b";
 *   - U+00A0 (&nbsp;) is a space that does not collapse;
 *   - text the sender hid (display:none, visibility:hidden, font-size 0
 *     or 1px, a zero box with overflow hidden, opacity 0, mso-hide:all,
 *     the hidden attribute, text in its background's colour) is not shown
 *     as the message: it comes after it, under a heading that says it was
 *     hidden;
 *   - links "text <URL>" for http, https, ftp, mailto and tel (tel even
 *     when URLs are removed: it is a number), relative links resolved by
 *     <base href> or shown as written; the host in Unicode, percent-encoded
 *     UTF-8 shown as the characters, and beside it in parentheses the
 *     exact URL (keep) or the punycode host of a host that mixes scripts;
 *     the URL once when it is the link text; see enum mugai_url_mode;
 *   - images "[image: ALT]" when alt is not empty; src is never printed;
 *   - input type=submit/button/reset prints "[VALUE]", type=image its alt
 *     like an image; other inputs print nothing; textarea keeps its lines;
 *     each option of a select is a line.
 *
 * Several renderers may run in different threads at once: nothing here
 * touches libxml2's global error handlers.
 */
#ifndef MUGAI_HTML2TEXT_H
#define MUGAI_HTML2TEXT_H

#include <glib.h>

#include "core/config.h"
#include "base/err.h"

struct mugai_html_opts {
	enum mugai_url_mode ho_url_mode;
	guint ho_max_depth;	/* element nesting past this: MUGAI_E_LIMIT */
	gsize ho_max_output;	/* bytes of text past this: MUGAI_E_LIMIT */
	/* the caller's input is valid UTF-8 (mugai_charset_to_utf8's):
	 * it is not validated again, except where it holds a NUL */
	gboolean ho_valid_utf8;
};

struct mugai_html2text;

/* Which limit stopped a renderer (mugai_html2text_limit_hit). */
enum mugai_html_limit {
	MUGAI_HTML_LIMIT_NONE,
	MUGAI_HTML_LIMIT_DEPTH,		/* ho_max_depth */
	MUGAI_HTML_LIMIT_OUTPUT,	/* ho_max_output */
	MUGAI_HTML_LIMIT_TIME,		/* the deadline */
	MUGAI_HTML_LIMIT_ATTRS,		/* a start tag of over 1000 attributes */
};

/*
 * Returns (transfer full) a renderer, never NULL; opts is copied (NULL:
 * keep URLs, no limits). Input is UTF-8 (the caller converted the charset).
 */
struct mugai_html2text *mugai_html2text_new(const struct mugai_html_opts *opts);

/*
 * Feeds len bytes of any chunk size (buf is only read during the call).
 * Returns MUGAI_OK or MUGAI_E_LIMIT; after a limit further input is ignored
 * and MUGAI_E_LIMIT is returned again.
 */
enum mugai_err mugai_html2text_feed(struct mugai_html2text *h,
    const char *buf, gsize len);

/*
 * Ends the input. Returns (transfer full, g_free) the text, NUL-terminated
 * and valid UTF-8, with its length in *len when len != NULL; or NULL with
 * *err set (MUGAI_E_LIMIT) when a limit was hit. *err is MUGAI_OK on
 * success when err != NULL. Call once; h must still be freed.
 */
char *mugai_html2text_finish(struct mugai_html2text *h, gsize *len,
    enum mugai_err *err);

/*
 * Stops the renderer with MUGAI_E_LIMIT once the clock passes deadline
 * (lib/base/deadline.h; 0: none). Checked per chunk handed to libxml2 and
 * every few thousand elements, never per byte.
 */
void mugai_html2text_set_deadline(struct mugai_html2text *h,
    gint64 deadline);

/* Returns which limit stopped h, MUGAI_HTML_LIMIT_NONE while none did. */
enum mugai_html_limit mugai_html2text_limit_hit(
    const struct mugai_html2text *h);

/* Frees h and everything it owns. NULL does nothing. */
void mugai_html2text_free(struct mugai_html2text *h);

/*
 * One call over a whole buffer: returns (transfer full, g_free) the text and
 * its length in *out_len (when not NULL), or NULL with *err set.
 */
char *mugai_html2text(const char *utf8, gsize len,
    const struct mugai_html_opts *opts, gsize *out_len, enum mugai_err *err);

#endif
