/*
 * mugai_textbody - choose a transfer encoding and encode the text body
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "base/limits.h"
#include "text/charset.h"
#include "text/textbody.h"
#include "text/utf8.h"

/* Characters per line past which ISO-2022-JP text is wrapped. */
#define JIS_WRAP 300

/* Appends s to out with every LF turned into CRLF. */
static void
append_crlf(GByteArray *out, const char *s, gsize len)
{
	const char *p = s, *end = s + len, *nl;

	if (len == 0)
		return;
	while ((nl = memchr(p, '\n', (gsize)(end - p))) != NULL) {
		g_byte_array_append(out, (const guint8 *)p, (guint)(nl - p));
		g_byte_array_append(out, (const guint8 *)"\r\n", 2);
		p = nl + 1;
	}
	g_byte_array_append(out, (const guint8 *)p, (guint)(end - p));
}

/* The longest line of s in bytes, found by memchr() from break to break. */
static gsize
longest_line(const char *s, gsize len)
{
	const char *p = s, *end = s + len, *nl;
	gsize best = 0;

	if (len == 0)
		return 0;
	while ((nl = memchr(p, '\n', (gsize)(end - p))) != NULL) {
		best = MAX(best, (gsize)(nl - p));
		p = nl + 1;
	}
	return MAX(best, (gsize)(end - p));
}

static const char b64_abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static char b64_pair[4096][2];	/* 12 bits to two characters */

static void
b64_pairs_init(void)
{
	static gsize done = 0;

	if (!g_once_init_enter(&done))
		return;
	for (guint i = 0; i < 4096; i++) {
		b64_pair[i][0] = b64_abc[i >> 6];
		b64_pair[i][1] = b64_abc[i & 0x3f];
	}
	g_once_init_leave(&done, 1);
}

/*
 * Base64 (RFC 2045 alphabet, '=' padding) in lines of 76 characters, each
 * ending CRLF: what g_base64_encode() cut every 76 characters gives, since
 * a line is exactly 57 input bytes.
 */
static void
encode_base64(const char *s, gsize len, GByteArray *out)
{
	const guchar *p = (const guchar *)s;
	guint8 line[80];

	b64_pairs_init();
	for (gsize off = 0; off < len; off += 57) {
		const guchar *q = p + off;
		gsize n = MIN(57, len - off), i, o = 0;

		for (i = 0; i + 3 <= n; i += 3) {
			guint32 v = ((guint32)q[i] << 16) |
			    ((guint32)q[i + 1] << 8) | q[i + 2];

			memcpy(line + o, b64_pair[v >> 12], 2);
			memcpy(line + o + 2, b64_pair[v & 0xfff], 2);
			o += 4;
		}
		if (i < n) {
			guint32 v = (guint32)q[i] << 16;

			if (i + 1 < n)
				v |= (guint32)q[i + 1] << 8;
			line[o++] = (guint8)b64_abc[v >> 18];
			line[o++] = (guint8)b64_abc[(v >> 12) & 0x3f];
			line[o++] = i + 1 < n ?
			    (guint8)b64_abc[(v >> 6) & 0x3f] : '=';
			line[o++] = '=';
		}
		line[o++] = '\r';
		line[o++] = '\n';
		g_byte_array_append(out, line, (guint)o);
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

/*
 * Returns (transfer full) text with lines longer than JIS_WRAP characters
 * broken. The runs between breaks are copied whole: one append per
 * character was most of the encoder's time on a long body.
 */
static GString *
wrap_long_lines(const char *utf8, gsize len)
{
	GString *s = g_string_sized_new(len + len / JIS_WRAP + 1);
	const char *end = utf8 + len, *run = utf8;
	gsize col = 0;

	for (const char *p = utf8; p < end; p = g_utf8_next_char(p)) {
		if (*p == '\n')
			col = 0;
		else if (++col > JIS_WRAP) {
			g_string_append_len(s, run, p - run);
			g_string_append_c(s, '\n');
			run = p;
			col = 1;
		}
	}
	g_string_append_len(s, run, end - run);
	return s;
}

/* The number of bytes >= 0x80 in s, eight at a time. */
static gsize
count_high(const char *s, gsize len)
{
	gsize high = 0, i = 0;

	for (; i + 8 <= len; i += 8) {
		guint64 x;

		memcpy(&x, s + i, 8);
		/* one bit per high byte, summed into the top byte */
		x = (x & 0x8080808080808080ULL) >> 7;
		high += (gsize)((x * 0x0101010101010101ULL) >> 56);
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			high++;
	return high;
}

/*
 * The ISO-2022-JP body into out and TRUE; FALSE with out untouched when
 * the text has characters ISO-2022-JP lacks and the fallback is UTF-8.
 */
static gboolean
encode_jis(const char *utf8, gsize len, enum mugai_out_fallback fallback,
    GByteArray *out)
{
	GString *w = wrap_long_lines(utf8, len);
	gsize jlen = 0, missing = 0;
	g_autofree char *jis = mugai_charset_to_jis(w->str, w->len,
	    MUGAI_LINE_MAX, &jlen, &missing);

	g_string_free(w, TRUE);
	if (missing > 0 && fallback == MUGAI_FALLBACK_UTF8)
		return FALSE;
	append_crlf(out, jis, jlen);
	return TRUE;
}

void
mugai_textbody_encode(const char *utf8, gsize len,
    enum mugai_charset_out charset, struct mugai_textbody *tb)
{
	mugai_textbody_encode_with(utf8, len, charset, MUGAI_FALLBACK_UTF8,
	    tb);
}

void
mugai_textbody_encode_with(const char *utf8, gsize len,
    enum mugai_charset_out charset, enum mugai_out_fallback fallback,
    struct mugai_textbody *tb)
{
	GByteArray *out = g_byte_array_sized_new(len + len / 2 + 64);
	g_autofree char *composed = NULL;
	gsize high = 0, clen = 0;

	tb->tb_fallback = FALSE;
	if (charset == MUGAI_OUT_ISO2022JP) {
		if (encode_jis(utf8, len, fallback, out)) {
			tb->tb_content_type =
			    g_strdup("text/plain; charset=ISO-2022-JP");
			tb->tb_encoding = g_strdup("7bit");
			tb->tb_body = g_byte_array_free_to_bytes(out);
			return;
		}
		tb->tb_fallback = TRUE;
	}
	/* macOS's decomposed kana, composed as every reader expects; text
	 * without a byte >= 0x80 has no mark to compose */
	high = count_high(utf8, len);
	if (high > 0 &&
	    (composed = mugai_utf8_compose(utf8, len, &clen)) != NULL) {
		utf8 = composed;
		len = clen;
		high = count_high(utf8, len);
	}
	if (high == 0 && longest_line(utf8, len) <= MUGAI_LINE_MAX) {
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
