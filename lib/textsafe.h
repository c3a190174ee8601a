/*
 * mugai_textsafe - neutralise what reads as markup, active content or a
 * binary signature in sanitized text
 *
 * The last step before text leaves mugai. It removes control, C1 and bidi
 * characters and a leading BOM, and defuses (never deletes) what a reader
 * or a scanner would take for a tag, a script URL, an event handler, a CSS
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

#endif
