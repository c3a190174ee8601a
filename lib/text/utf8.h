/*
 * mugai_utf8 - UTF-8 validation at word speed, GLib's answers
 *
 * mugai_utf8_validate_len() answers exactly as g_utf8_validate_len()
 * (GLib 2.60+) does, end pointer included: RFC 3629 UTF-8 (no overlong
 * form, no surrogate, nothing above U+10FFFF), and no NUL byte. It reads
 * ASCII eight bytes at a time and the 2- and 3-byte forms of Japanese
 * text without GLib's per-byte switch. t/check_utf8 holds it to GLib on
 * every sequence of up to three bytes and on random input.
 */
#ifndef MUGAI_UTF8_H
#define MUGAI_UTF8_H

#include <glib.h>

/*
 * TRUE when the len bytes of s (lent) are valid UTF-8 without NUL. *end
 * (may be NULL) gets where validation stopped: s + len when valid, else
 * the start of the first invalid sequence (or the NUL).
 */
gboolean mugai_utf8_validate_len(const char *s, gsize len, const char **end);

/*
 * Returns (transfer full) the len bytes of s (valid UTF-8, lent) with
 * every character and the combining marks after it composed as NFC
 * composes them (macOS writes "プ" as "フ" U+309A, "é" as "e" U+0301),
 * *out_len its length; NULL when s has no combining mark, so nothing to
 * do. Only such sequences are touched: full NFC would also replace CJK
 * compatibility ideographs standing alone (U+FA10 and the like, which
 * the sender chose) by their unified forms.
 */
char *mugai_utf8_compose(const char *s, gsize len, gsize *out_len);

/*
 * TRUE for a character that shows nothing in plain text and is no space:
 * zero-width space, joiners and non-joiners, word joiner and invisible
 * operators, soft hyphen, combining grapheme joiner, bidi marks and
 * controls, variation selectors, tag characters, U+FEFF.
 */
gboolean mugai_utf8_invisible(gunichar c);

#endif
