/*
 * mugai_oneline - a value from mail made fit for one line of mugai's own
 * text (the notice, the labels mugai writes around rendered text)
 *
 * A filename, a type, a subject, an archive entry name is the sender's
 * text. Put into a line of the notice it must stay inside that line: it
 * must not start lines of its own that read as the administrator's
 * words, nor turn the line around. mugai_oneline() writes every character
 * that breaks a line, controls a terminal or changes the reading order as
 * a visible escape, and cuts a long value with an ellipsis:
 *
 *   C0 controls (TAB, LF, CR and ESC too), DEL, C1 controls (NEL
 *   U+0085 too), and bytes that are not UTF-8          \xHH (the byte)
 *   U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR, and the bidi
 *   controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069
 *                                                      \uHHHH
 *   more than max characters (escapes counted as the characters they
 *   show): the first max - 1, then U+2026 "…"
 *
 * Hex digits are lower case. The escapes are ASCII and "…" is in JIS X
 * 0208, so every output charset carries them. A backslash of the value
 * stays as it is: the escape is for the reader's eye, not reversible.
 * Linear in the length of the value; allocates only the result.
 */
#ifndef MUGAI_ONELINE_H
#define MUGAI_ONELINE_H

#include <glib.h>

/*
 * Characters of a value kept in a line of the notice. A filename has at
 * most 255 bytes on most file systems; 200 characters keep every real
 * name whole (85 kanji fill 255 bytes) and a line still readable.
 */
#define MUGAI_ONELINE_MAX	200

/*
 * Returns (transfer full) the len bytes of s (len -1: up to its NUL;
 * NULL: "") as one line, cut to max characters (0: not cut; else at
 * least 2), as described above.
 */
char *mugai_oneline(const char *s, gssize len, gsize max);

/*
 * TRUE when the character c is one mugai_oneline() escapes: a line break,
 * control or bidi control.
 */
gboolean mugai_oneline_escaped(gunichar c);

#endif
