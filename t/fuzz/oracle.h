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
 * 998 octets, and decoded text without script markup, script URLs,
 * uuencode or yEnc blocks. It is shared by the fuzz harnesses (which
 * abort() on a violation) and the replay tests built with the suite.
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
 * Returns NULL when the UTF-8 text is free of active content (script
 * tags, script URLs, uuencode and yEnc starts), else (transfer full) what
 * was found. The text checks of mugai_oracle_check(), exported for the
 * harnesses that produce text without a message around it.
 */
char *mugai_oracle_text(const char *text, gsize len);

#endif
