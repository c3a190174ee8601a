/*
 * mugai_utf8 - UTF-8 validation at word speed, GLib's answers
 *
 * See utf8.h. The rules per lead byte are GLib's fast_validate_len():
 * C2..DF + 1 trail; E0 A0..BF, ED 80..9F, other E1..EF 80..BF, + 1 trail;
 * F0 90..BF, F4 80..8F, F1..F3 80..BF, + 2 trails; anything else is bad.
 * A sequence cut by the end of the buffer is bad at its lead byte.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/utf8.h"

#define U8_ONES		0x0101010101010101ULL
#define U8_HIGHS	0x8080808080808080ULL

static inline gboolean
u8_trail(guchar c)
{
	return (c & 0xc0) == 0x80;
}

gboolean
mugai_utf8_validate_len(const char *s, gsize len, const char **end)
{
	const guchar *p = (const guchar *)s, *e = p + len;
	guchar c, lo, hi;

	while (p < e) {
		c = *p;
		if (c < 0x80) {
			/* ASCII: eight bytes at a time while none is NUL */
			while (e - p >= 8) {
				guint64 x;

				memcpy(&x, p, 8);
				if ((x & U8_HIGHS) != 0 ||
				    ((x - U8_ONES) & ~x & U8_HIGHS) != 0)
					break;
				p += 8;
			}
			while (p < e && *p < 0x80) {
				if (*p == 0)
					goto bad;
				p++;
			}
			continue;
		}
		/* the usual 3-byte forms (lead E1..EC, EE, EF: any trails
		 * 80..BF), the bulk of Japanese text, in a row */
		while ((guint)(c - 0xe1) <= 0x0e && c != 0xed && e - p >= 3 &&
		    ((p[1] ^ 0x80) | (p[2] ^ 0x80)) < 0x40) {
			p += 3;
			if (p == e)
				goto good;
			c = *p;
		}
		if (c < 0x80)
			continue;
		if (c < 0xc2)
			goto bad;
		if (c < 0xe0) {
			if (e - p < 2 || !u8_trail(p[1]))
				goto bad;
			p += 2;
			continue;
		}
		if (c < 0xf0) {
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
			if (e - p < 3 || p[1] < lo || p[1] > hi ||
			    !u8_trail(p[2]))
				goto bad;
			p += 3;
			continue;
		}
		if (c < 0xf5) {
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
			if (e - p < 4 || p[1] < lo || p[1] > hi ||
			    !u8_trail(p[2]) || !u8_trail(p[3]))
				goto bad;
			p += 4;
			continue;
		}
		goto bad;
	}
good:
	if (end != NULL)
		*end = (const char *)p;
	return TRUE;
bad:
	if (end != NULL)
		*end = (const char *)p;
	return FALSE;
}

/*
 * A combining mark: NFC may compose it with what comes before it. Kana
 * past U+309F, the CJK ideographs and Hangul syllables are none; they
 * skip GLib's table.
 */
static gboolean
u8_combining(gunichar c)
{
	if (c < 0x300 || (c >= 0x30A0 && c < 0xA000) ||
	    (c >= 0xAC00 && c < 0xD7A4))
		return FALSE;
	return g_unichar_combining_class(c) != 0;
}

char *
mugai_utf8_compose(const char *s, gsize len, gsize *out_len)
{
	const char *p = s, *end = s + len, *first = NULL;
	GString *out;

	/*
	 * Bytes first: marks are U+0300 and up, so ASCII, trail bytes and
	 * leads below 0xCC go; of Japanese text only U+3099 and U+309A
	 * (E3 82 99, E3 82 9A) can be marks, the kanji (leads E4-E9) and the
	 * full-width forms (EF BC and up) cannot. The rest asks GLib.
	 */
	for (const char *q = s; q < end; q++) {
		guchar b = (guchar)*q;

		if (b < 0xCC)
			continue;
		/* A kana or kanji with its two trail bytes (which no look
		 * would stop at) in one step, the mark test done on it. */
		if (b >= 0xE3 && b <= 0xE9 && end - q >= 3 &&
		    ((guchar)q[1] & 0xC0) == 0x80 &&
		    ((guchar)q[2] & 0xC0) == 0x80) {
			if (b == 0xE3 && (guchar)q[1] == 0x82 &&
			    ((guchar)q[2] == 0x99 || (guchar)q[2] == 0x9A)) {
				first = q;
				break;
			}
			q += 2;
			continue;
		}
		if (b >= 0xE4 && b <= 0xE9)
			continue;
		if (b == 0xE3) {
			if (end - q >= 3 && (guchar)q[1] == 0x82 &&
			    ((guchar)q[2] == 0x99 || (guchar)q[2] == 0x9A)) {
				first = q;
				break;
			}
			continue;
		}
		if (b == 0xEF && end - q >= 2 && (guchar)q[1] >= 0xBC)
			continue;
		if (u8_combining(g_utf8_get_char(q))) {
			first = q;
			break;
		}
	}
	if (first == NULL)
		return NULL;
	out = g_string_sized_new(len);
	/* From the character before the first mark on. */
	p = g_utf8_find_prev_char(s, first);
	if (p == NULL)
		p = first;
	g_string_append_len(out, s, p - s);
	while (p < end) {
		const char *q = g_utf8_next_char(p);

		while (q < end && u8_combining(g_utf8_get_char(q)))
			q = g_utf8_next_char(q);
		if (q == g_utf8_next_char(p)) {
			g_string_append_len(out, p, q - p);
		} else {
			char *nf = g_utf8_normalize(p, q - p,
			    G_NORMALIZE_NFC);

			if (nf != NULL)
				g_string_append(out, nf);
			else
				g_string_append_len(out, p, q - p);
			g_free(nf);
		}
		p = q;
	}
	if (out_len != NULL)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}

gboolean
mugai_utf8_invisible(gunichar c)
{
	return c == 0x00AD || c == 0x034F || c == 0x061C ||
	    (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F) ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
	    (c >= 0x2066 && c <= 0x206F) || (c >= 0xFE00 && c <= 0xFE0F) ||
	    c == 0xFEFF || (c >= 0xE0000 && c <= 0xE007F) ||
	    (c >= 0xE0100 && c <= 0xE01EF);
}
