/*
 * mugai_newline - one line ending for text that leaves mugai
 *
 * Decoded parts and extracted document text come with CRLF, lone CR
 * (old Mac files) or LF line ends; the engines and the text body want LF
 * only. mugai_newline_to_lf() rewrites CRLF and a lone CR as LF, in
 * place (the text only gets shorter). Text without CR is left alone at
 * the cost of one memchr(). Nothing fails.
 */
#ifndef MUGAI_NEWLINE_H
#define MUGAI_NEWLINE_H

#include <glib.h>

/* Makes every CRLF and lone CR of s (modified) an LF. */
void mugai_newline_to_lf(GString *s);

#endif
