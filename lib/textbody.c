/*
 * mugai_textbody - choose a transfer encoding and encode the text body
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "charset.h"
#include "textbody.h"

/* Characters per line past which ISO-2022-JP text is wrapped. */
#define JIS_WRAP 300

/* Appends s to out with every LF turned into CRLF. */
static void
append_crlf(GByteArray *out, const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\n')
			g_byte_array_append(out, (const guint8 *)"\r", 1);
		g_byte_array_append(out, (const guint8 *)s + i, 1);
	}
}

static gsize
longest_line(const char *s, gsize len)
{
	gsize best = 0, cur = 0;

	for (gsize i = 0; i < len; i++) {
		if (s[i] == '\n') {
			cur = 0;
			continue;
		}
		if (++cur > best)
			best = cur;
	}
	return best;
}

static void
encode_base64(const char *s, gsize len, GByteArray *out)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)s, len);
	gsize n = strlen(b64);

	for (gsize i = 0; i < n; i += 76) {
		gsize chunk = MIN(76, n - i);

		g_byte_array_append(out, (const guint8 *)b64 + i, chunk);
		g_byte_array_append(out, (const guint8 *)"\r\n", 2);
	}
}

static void
encode_qp(const char *s, gsize len, GByteArray *out)
{
	/* GMime's worst case is 3 bytes per input byte plus soft breaks. */
	gsize cap = len * 3 + len / 24 + 16;
	g_autofree char *buf = g_malloc(cap);
	int state = -1;
	guint32 save = 0;
	gsize n = g_mime_encoding_quoted_encode_close((const unsigned char *)s,
	    len, (unsigned char *)buf, &state, &save);

	append_crlf(out, buf, n);
}

/* Returns (transfer full) text with lines longer than JIS_WRAP characters broken. */
static GString *
wrap_long_lines(const char *utf8, gsize len)
{
	GString *s = g_string_sized_new(len + len / JIS_WRAP + 1);
	gsize col = 0;
	const char *end = utf8 + len;

	for (const char *p = utf8; p < end; p = g_utf8_next_char(p)) {
		const char *next = g_utf8_next_char(p);

		if (*p == '\n')
			col = 0;
		else if (++col > JIS_WRAP) {
			g_string_append_c(s, '\n');
			col = 1;
		}
		g_string_append_len(s, p, next - p);
	}
	return s;
}

void
mugai_textbody_encode(const char *utf8, gsize len,
    enum mugai_charset_out charset, struct mugai_textbody *tb)
{
	GByteArray *out = g_byte_array_sized_new(len + len / 2 + 64);
	gsize high = 0;

	for (gsize i = 0; i < len; i++)
		if ((unsigned char)utf8[i] >= 0x80)
			high++;
	if (charset == MUGAI_OUT_ISO2022JP) {
		GString *w = wrap_long_lines(utf8, len);
		gsize jlen = 0;
		g_autofree char *jis = mugai_charset_from_utf8(w->str, w->len,
		    "iso-2022-jp", &jlen);

		g_string_free(w, TRUE);
		tb->tb_content_type = g_strdup("text/plain; charset=ISO-2022-JP");
		tb->tb_encoding = g_strdup("7bit");
		append_crlf(out, jis, jlen);
	} else if (high == 0 && longest_line(utf8, len) <= 998) {
		tb->tb_content_type = g_strdup("text/plain; charset=UTF-8");
		tb->tb_encoding = g_strdup("7bit");
		append_crlf(out, utf8, len);
	} else if (high * 5 > len) {
		tb->tb_content_type = g_strdup("text/plain; charset=UTF-8");
		tb->tb_encoding = g_strdup("base64");
		encode_base64(utf8, len, out);
	} else {
		tb->tb_content_type = g_strdup("text/plain; charset=UTF-8");
		tb->tb_encoding = g_strdup("quoted-printable");
		encode_qp(utf8, len, out);
	}
	tb->tb_body = g_byte_array_free_to_bytes(out);
}

void
mugai_textbody_clear(struct mugai_textbody *tb)
{
	g_clear_pointer(&tb->tb_content_type, g_free);
	g_clear_pointer(&tb->tb_encoding, g_free);
	g_clear_pointer(&tb->tb_body, g_bytes_unref);
}
