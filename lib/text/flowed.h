/*
 * mugai_flowed - format=flowed text (RFC 3676) rejoined into paragraphs
 *
 * A sender that writes format=flowed wraps its paragraphs at about 72
 * columns and marks each soft break with a trailing space; the reader's
 * client joins them again. The rebuilt body mugai writes is plain
 * text/plain without the parameter, so the lines are joined here, or an
 * iPhone's Japanese mail would break mid-sentence at every soft break.
 *
 *   - quote depth: the leading '>' characters of a line; a depth change
 *     ends a paragraph (RFC 3676 4.5); quoted lines are written back with
 *     one ">" per level and a space;
 *   - space-stuffing: one leading space after the quote marks is removed;
 *   - a line ending in a space is flowed (joined with the next) unless it
 *     is the signature separator "-- "; with DelSp=yes that one space is
 *     removed before joining (Japanese text carries no space between
 *     words, so iPhone mail says delsp=yes).
 *
 * Input and output are UTF-8 with LF line ends. Linear in the length.
 */
#ifndef MUGAI_FLOWED_H
#define MUGAI_FLOWED_H

#include <glib.h>

/* TRUE when the Content-Type parameter format is "flowed". */
gboolean mugai_flowed_is(const char *format);

/* TRUE when the DelSp parameter is "yes". */
gboolean mugai_flowed_delsp(const char *delsp);

/*
 * Rejoins the flowed text t in place. Returns the number of soft breaks
 * joined (0: t unchanged but for space-stuffing and quote marks).
 */
guint mugai_flowed_unflow(GString *t, gboolean delsp);

#endif
