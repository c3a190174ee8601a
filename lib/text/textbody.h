/*
 * mugai_textbody - encode the sanitized text as one text/plain MIME body
 *
 * UTF-8 output: 7bit when the text is short-lined ASCII, else
 * quoted-printable for mostly-ASCII text and base64 for the rest (Japanese
 * text is shorter in base64). ISO-2022-JP output: 7bit, long lines wrapped
 * so no line passes 998 octets, written as Japanese clients write it
 * (mugai_charset_to_jis(): NEC and IBM extensions); a text with
 * characters ISO-2022-JP cannot carry goes out as UTF-8 instead when the
 * fallback says so (tb_fallback tells). Both compose decomposed kana
 * (NFC of combining sequences). The body always uses CRLF line endings.
 */
#ifndef MUGAI_TEXTBODY_H
#define MUGAI_TEXTBODY_H

#include <glib.h>

#include "core/config.h"

struct mugai_textbody {
	char *tb_content_type;	/* "text/plain; charset=UTF-8" ... */
	char *tb_encoding;	/* "7bit", "quoted-printable", "base64" */
	GBytes *tb_body;	/* encoded, CRLF */
	gboolean tb_fallback;	/* ISO-2022-JP asked, UTF-8 written */
};

/*
 * Encodes utf8 (valid UTF-8, LF line endings) into tb (fields transfer
 * full); an ISO-2022-JP text with characters it lacks goes out as UTF-8
 * (output_fallback = utf-8, the default).
 */
void mugai_textbody_encode(const char *utf8, gsize len,
    enum mugai_charset_out charset, struct mugai_textbody *tb);

/* The same, the fallback given (enum mugai_out_fallback). */
void mugai_textbody_encode_with(const char *utf8, gsize len,
    enum mugai_charset_out charset, enum mugai_out_fallback fallback,
    struct mugai_textbody *tb);

/* Frees the members of tb (not tb itself). */
void mugai_textbody_clear(struct mugai_textbody *tb);

#endif
