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

#endif
