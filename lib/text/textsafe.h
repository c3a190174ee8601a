/*
 * mugai_textsafe - neutralise what reads as markup, active content or a
 * binary signature in sanitized text
 *
 * The last step before text leaves mugai. It removes control, C1 and bidi
 * characters and a leading BOM, and defuses (never deletes) what a reader
 * or a scanner would take for an active element (script, iframe, style,
 * object...; any tag with an on-event attribute), a script URL, a CSS
 * expression, a uuencode/yEnc/BinHex/armor header, a base64 run or a file
 * signature (%PDF-, MZ, GIF8x, JPEG, {\rtf, ...): one character of each
 * becomes its full-width look-alike (JIS X 0208, so ISO-2022-JP keeps it;
 * NFKC maps it back, so the words survive). Everything else stays
 * byte-identical. Linear time; idempotent. Nothing fails: invalid UTF-8
 * bytes are dropped like control characters.
 */
#ifndef MUGAI_TEXTSAFE_H
#define MUGAI_TEXTSAFE_H

#include <glib.h>

/*
 * Rewrites text (UTF-8, LF line endings) in place (text: transfer none,
 * modified). Returns the number of rewrites made (characters removed plus
 * characters replaced); 0 means text is unchanged.
 */
guint mugai_textsafe(GString *text);

/*
 * Counts the tag-like sequences of text ("<p>", "</b>", "<a href=x>"), as
 * a reader of markup would take them. With strip, removes them (text is
 * modified; transfer none). The engine strips them from text that is
 * mostly markup: a few tags in a text are words, many are HTML source.
 */
guint mugai_textsafe_tags(GString *text, gboolean strip);

/* More tag-like sequences than this in one body and they are stripped. */
#define MUGAI_TEXTSAFE_MAX_TAGS 5

/* Strips the tags of text when it has too many; returns TRUE if it did. */
gboolean mugai_textsafe_limit_tags(GString *text);

#endif
