/*
 * mugai_textbody - encode the sanitized text as one text/plain MIME body
 *
 * UTF-8 output: 7bit when the text is short-lined ASCII, else
 * quoted-printable for mostly-ASCII text and base64 for the rest (Japanese
 * text is shorter in base64). ISO-2022-JP output: 7bit, long lines wrapped
 * so no line passes 998 octets. The body always uses CRLF line endings.
 */
#ifndef MUGAI_TEXTBODY_H
#define MUGAI_TEXTBODY_H

#include <glib.h>

#include "core/config.h"

struct mugai_textbody {
	char *tb_content_type;	/* "text/plain; charset=UTF-8" ... */
	char *tb_encoding;	/* "7bit", "quoted-printable", "base64" */
	GBytes *tb_body;	/* encoded, CRLF */
};

/* Encodes utf8 (valid UTF-8, LF line endings) into tb (fields transfer full). */
void mugai_textbody_encode(const char *utf8, gsize len,
    enum mugai_charset_out charset, struct mugai_textbody *tb);

/* Frees the members of tb (not tb itself). */
void mugai_textbody_clear(struct mugai_textbody *tb);

#endif
