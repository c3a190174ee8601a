/*
 * oracle - the sanitized-message contract, checked in C
 *
 * mugai_oracle_check() parses one output message (as mugai_result_write
 * wrote it) and holds it to the contract of doc/design.md: exactly one
 * text/plain leaf in utf-8, us-ascii or iso-2022-jp, a 7bit,
 * quoted-printable or base64 transfer encoding (or 8bit with UTF-8: an
 * unchanged body may pass so, as doc/design.md and the shared validator
 * allow), 8-bit bytes nowhere else, no Content-Disposition and
 * no filename or name parameter, no NUL, no bare CR, no line longer than
 * 998 octets, decoded text without script markup, script URLs, uuencode
 * or yEnc blocks, and header fields with no control byte (but TAB) whose
 * decoded text (GMime's reading, display names too) holds no control
 * character (but TAB), line separator or bidi control. It is shared by
 * the fuzz harnesses (which abort() on a violation) and the replay tests
 * built with the suite.
 *
 * Needs g_mime_init(). Thread-safe; allocates nothing that outlives the
 * call.
 */
#ifndef MUGAI_ORACLE_H
#define MUGAI_ORACLE_H

#include <glib.h>

/*
 * Returns NULL when the len bytes of msg satisfy the contract, else
 * (transfer full, g_free) a one-line description of the first violation.
 */
char *mugai_oracle_check(const char *msg, gsize len);

/*
 * mugai_oracle_check(), and the body's text must open with the notice of
 * the built-in templates (mugai_oracle_notice()). For a result that has
 * one: parts removed, or the content withheld.
 */
char *mugai_oracle_check_notice(const char *msg, gsize len);

/*
 * Returns NULL when the UTF-8 text opens with a notice rendered from the
 * built-in templates, Japanese then English (the default
 * notice_languages), every line of it a template line: the fixed lines
 * exactly, an item, warning, reason or quarantine-ID line starting with
 * its template's fixed prefix and (item, ID) ending with its fixed
 * suffix, and no control character, line separator or bidi control in
 * any line. Else (transfer full) the first line that is not. What
 * follows the notice (the message's own text) is not looked at.
 */
char *mugai_oracle_notice(const char *text, gsize len);

/*
 * Returns NULL when the UTF-8 text is free of active content (script
 * tags, script URLs, uuencode and yEnc starts), else (transfer full) what
 * was found. The text checks of mugai_oracle_check(), exported for the
 * harnesses that produce text without a message around it.
 */
char *mugai_oracle_text(const char *text, gsize len);

#endif
