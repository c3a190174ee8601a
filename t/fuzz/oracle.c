/*
 * oracle - the sanitized-message contract, checked in C (see oracle.h)
 *
 * The raw checks run over the bytes as written; the structure is read by
 * GMime (the reference parser of the engine: a differential against other
 * readers is ../shared/tools/check_sanitized.py's job); the text checks
 * run over the decoded body in UTF-8. Matching is deliberately looser than
 * what textsafe defuses ("< / script" with blanks counts), so the oracle
 * cannot be satisfied by a near miss.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "oracle.h"

static char *
raw_check(const char *msg, gsize len, gsize *body_off)
{
	gboolean in_head = TRUE;
	gsize line = 0;

	for (gsize i = 0; i < len; i++) {
		/* line counts no CR: it is 0 at the LF of a blank line. */
		if (in_head && msg[i] == '\n' && line == 0) {
			/* Raw 8-bit headers are re-encoded (RFC 2047); only
			 * RFC 6532 addresses may stay 8-bit, in UTF-8. */
			if (!g_utf8_validate(msg, (gssize)i, NULL))
				return g_strdup("header block is 8-bit and not "
				    "UTF-8");
			in_head = FALSE;
			*body_off = i + 1;
		}
		if (msg[i] == '\0')
			return g_strdup_printf("NUL byte at offset %"
			    G_GSIZE_FORMAT, i);
		if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))
			return g_strdup_printf("bare CR at offset %"
			    G_GSIZE_FORMAT, i);
		if (msg[i] == '\n') {
			line = 0;
			continue;
		}
		if (msg[i] != '\r' && ++line > 998)
			return g_strdup_printf("line longer than 998 octets "
			    "at offset %" G_GSIZE_FORMAT, i);
	}
	return NULL;
}

static gboolean
word_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

/* Skips ASCII blanks (space, tab, line ends) from p, not past end. */
static const char *
skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

/* TRUE when p starts word (ASCII, case-insensitive) inside end. */
static gboolean
has_word(const char *p, const char *end, const char *word)
{
	gsize n = strlen(word);

	return (gsize)(end - p) >= n && g_ascii_strncasecmp(p, word, n) == 0;
}

/* "<", blanks, optional "/", blanks, "script" and not a longer word. */
static gboolean
script_tag_at(const char *p, const char *end)
{
	p = skip_blank(p + 1, end);
	if (p < end && *p == '/')
		p = skip_blank(p + 1, end);
	if (!has_word(p, end, "script"))
		return FALSE;
	p += 6;
	return p == end || !word_char(*p);
}

/* "java" or "vb", blanks, "script", blanks, ":". */
static gboolean
script_url_at(const char *p, const char *end)
{
	if (has_word(p, end, "java"))
		p += 4;
	else if (has_word(p, end, "vb"))
		p += 2;
	else
		return FALSE;
	p = skip_blank(p, end);
	if (!has_word(p, end, "script"))
		return FALSE;
	p = skip_blank(p + 6, end);
	return p < end && *p == ':';
}

/* A uuencode body line: "M" and 60 characters of the uuencode alphabet. */
static gboolean
uu_line(const char *p, gsize n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (n != 61 || p[0] != 'M')
		return FALSE;
	for (gsize i = 1; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x60)
			return FALSE;
	return TRUE;
}

/* "begin" [-base64], blanks, 3-4 octal digits, a blank, a name. */
static gboolean
uu_begin(const char *p, gsize n)
{
	const char *end = p + n;
	gsize digits = 0;

	if (!has_word(p, end, "begin"))
		return FALSE;
	p += 5;
	if (has_word(p, end, "-base64"))
		p += 7;
	if (p >= end || (*p != ' ' && *p != '\t'))
		return FALSE;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p >= '0' && *p <= '7') {
		p++;
		digits++;
	}
	if (digits < 3 || digits > 4 || p >= end || (*p != ' ' && *p != '\t'))
		return FALSE;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p != '\r';
}

char *
mugai_oracle_text(const char *text, gsize len)
{
	const char *end = text + len;
	gboolean uu_open = FALSE;

	if (!g_utf8_validate(text, (gssize)len, NULL))
		return g_strdup("text is not valid UTF-8");
	for (const char *p = text; p < end; p++) {
		if (*p == '<' && script_tag_at(p, end))
			return g_strdup_printf("script tag at text offset %td",
			    p - text);
		/* No word boundary before: "xjavascript:" counts too, as in
		 * ../shared/tools/check_sanitized.py. */
		if ((*p == 'j' || *p == 'J' || *p == 'v' || *p == 'V') &&
		    script_url_at(p, end))
			return g_strdup_printf("script URL at text offset %td",
			    p - text);
	}
	/* Line by line: uuencode (a begin line, then an M line) and yEnc. */
	for (const char *p = text; p < end; ) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = (gsize)((nl != NULL ? nl : end) - p);

		if (has_word(p, p + n, "=ybegin"))
			return g_strdup_printf("yEnc start at text offset %td",
			    p - text);
		if (uu_open && uu_line(p, n))
			return g_strdup_printf("uuencode block at text offset "
			    "%td", p - text);
		if (uu_begin(p, n))
			uu_open = TRUE;
		else if (n > 0)
			uu_open = FALSE;
		p = nl != NULL ? nl + 1 : end;
	}
	return NULL;
}

static gboolean
allowed(const char *value, const char *const *list)
{
	for (gsize i = 0; list[i] != NULL; i++)
		if (value != NULL && g_ascii_strcasecmp(value, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_8bit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return TRUE;
	return FALSE;
}

/*
 * The encoded body as it stands in the message: 8-bit bytes only under
 * Content-Transfer-Encoding 8bit and then in UTF-8 (as the shared
 * validator reads it), base64 only of its alphabet.
 */
static char *
body_check(const char *cte, const char *charset, const char *body,
    gsize len)
{
	if (cte == NULL || g_ascii_strcasecmp(cte, "7bit") == 0 ||
	    g_ascii_strcasecmp(cte, "quoted-printable") == 0) {
		if (has_8bit(body, len))
			return g_strdup_printf("8-bit data under %s",
			    cte != NULL ? cte : "no transfer encoding");
		return NULL;
	}
	if (g_ascii_strcasecmp(cte, "8bit") == 0) {
		if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0
		    && has_8bit(body, len))
			return g_strdup_printf("8-bit data in charset %s",
			    charset);
		if (!g_utf8_validate(body, (gssize)len, NULL))
			return g_strdup("8bit body is not UTF-8");
		return NULL;
	}
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isalnum(body[i]) && strchr("+/=\r\n \t",
		    body[i]) == NULL)
			return g_strdup_printf("byte 0x%02x in base64 body",
			    (guchar)body[i]);
	return NULL;
}

/* The one leaf: its headers and its decoded text. */
static char *
leaf_check(GMimeObject *part, const char *body, gsize body_len)
{
	static const char *const charsets[] = { "utf-8", "us-ascii",
	    "iso-2022-jp", NULL };
	/* 8bit too: the engine passes an 8-bit UTF-8 body unchanged, as
	 * doc/design.md and ../shared/tools/check_sanitized.py allow. */
	static const char *const ctes[] = { "7bit", "8bit",
	    "quoted-printable", "base64", NULL };
	g_autofree char *c = NULL;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *charset, *cte;
	char *text, *why;

	if (!GMIME_IS_TEXT_PART(part) ||
	    !g_mime_content_type_is_type(ct, "text", "plain"))
		return g_strdup_printf("body is %s, not text/plain",
		    G_OBJECT_TYPE_NAME(part));
	charset = g_mime_object_get_content_type_parameter(part, "charset");
	if (charset != NULL && !allowed(charset, charsets))
		return g_strdup_printf("charset %s", charset);
	if (g_mime_object_get_content_type_parameter(part, "name") != NULL)
		return g_strdup("Content-Type has a name parameter");
	if (g_mime_object_get_header(part, "Content-Disposition") != NULL)
		return g_strdup("Content-Disposition present");
	cte = g_mime_object_get_header(part, "Content-Transfer-Encoding");
	if (cte != NULL) {
		c = g_strstrip(g_strdup(cte));
		if (!allowed(c, ctes))
			return g_strdup_printf("transfer encoding %s", c);
	}
	if ((why = body_check(c, charset, body, body_len)) != NULL)
		return why;
	if ((text = g_mime_text_part_get_text(GMIME_TEXT_PART(part))) ==
	    NULL)
		return NULL;	/* no content at all */
	why = mugai_oracle_text(text, strlen(text));
	g_free(text);
	return why;
}

char *
mugai_oracle_check(const char *msg, gsize len)
{
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;
	GMimeObject *body;
	gsize body_off = len;
	char *why;

	if ((why = raw_check(msg, len, &body_off)) != NULL)
		return why;
	s = g_mime_stream_mem_new_with_buffer(msg, len);
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	if (m == NULL)
		why = g_strdup("GMime cannot read the output as a message");
	else if ((body = g_mime_message_get_mime_part(m)) == NULL)
		why = NULL;	/* headers only: nothing that could be active */
	else
		why = leaf_check(body, msg + body_off, len - body_off);
	g_clear_object(&m);
	g_object_unref(p);
	g_object_unref(s);
	return why;
}
