/*
 * charset_jis - the common ISO-2022-JP body decoded without iconv
 *
 * mugai_charset_jis_fast() decodes what almost every ISO-2022-JP mail
 * is: ASCII, and JIS X 0208 runs between ESC $ B and ESC ( B, each pair
 * mapped through a table that glibc's own ISO-2022-JP converter filled
 * (one conversion per pair, once per process, read-only after). Anything
 * else gives FALSE and the caller runs iconv as before: another escape
 * (ESC $ @, ESC ( J, ESC ( I, ...), SO, SI, an 8-bit byte, a byte
 * outside 0x21..0x7E in a JIS X 0208 run, a pair iconv refuses, a pair
 * cut by the end, or input ending inside a run. So when it returns TRUE,
 * out holds exactly what iconv gives for data, cleanly (t/check_charset
 * compares the two).
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>

#include "text/charset_int.h"

#define JIS_N	94	/* 0x21..0x7E */

/* UTF-8 of each JIS X 0208 pair as iconv decodes it; len 0: refused. */
struct jis_char {
	guint8 jc_len;
	char jc_utf8[4];
};

static const struct jis_char *
jis_table(void)
{
	static gsize once;
	static struct jis_char *table;

	if (g_once_init_enter(&once)) {
		struct jis_char *t = g_new0(struct jis_char, JIS_N * JIS_N);
		GIConv cd = g_iconv_open("UTF-8", "ISO-2022-JP");

		for (guint i = 0; cd != (GIConv)-1 && i < JIS_N * JIS_N; i++) {
			char in[8] = { 0x1b, '$', 'B', (char)(0x21 + i / JIS_N),
			    (char)(0x21 + i % JIS_N), 0x1b, '(', 'B' };
			char buf[16], *ip = in, *op = buf;
			gsize il = sizeof in, ol = sizeof buf;

			g_iconv(cd, NULL, NULL, NULL, NULL);
			if (g_iconv(cd, &ip, &il, &op, &ol) == (gsize)-1 ||
			    g_iconv(cd, NULL, NULL, &op, &ol) == (gsize)-1 ||
			    il != 0 || op - buf < 1 || op - buf > 4 ||
			    g_utf8_get_char_validated(buf, op - buf) >= 0xfffe ||
			    (gsize)(g_utf8_next_char(buf) - buf) !=
			    (gsize)(op - buf))
				continue;
			t[i].jc_len = (guint8)(op - buf);
			memcpy(t[i].jc_utf8, buf, (gsize)(op - buf));
		}
		if (cd != (GIConv)-1)
			g_iconv_close(cd);
		table = t;
		g_once_init_leave(&once, 1);
	}
	return table;
}

gboolean
mugai_charset_jis_fast(const char *data, gsize len, GString *out)
{
	const guchar *p = (const guchar *)data, *end = p + len;
	const struct jis_char *t = NULL;
	gsize start = out->len;
	gboolean kanji = FALSE;
	char *o;

	/* A pair (2 bytes) gives at most 4, anything else as many. */
	g_string_set_size(out, start + 2 * len);
	o = out->str + start;
	while (p < end) {
		const guchar *q = p;

		if (!kanji) {
			/* ASCII up to the next ESC, SO, SI or 8-bit byte. */
			while (q < end && *q < 0x80 && *q != 0x1b &&
			    *q != 0x0e && *q != 0x0f)
				q++;
			memcpy(o, p, (gsize)(q - p));
			o += q - p;
			p = q;
			if (p == end)
				break;
			if (end - p < 3 || memcmp(p, "\x1b$B", 3) != 0)
				goto slow;
			kanji = TRUE;
			p += 3;
			if (t == NULL)
				t = jis_table();
			continue;
		}
		if (*p == 0x1b) {
			if (end - p < 3 || memcmp(p, "\x1b(B", 3) != 0)
				goto slow;
			kanji = FALSE;
			p += 3;
			continue;
		}
		if (end - p < 2 || p[0] < 0x21 || p[0] > 0x7e ||
		    p[1] < 0x21 || p[1] > 0x7e)
			goto slow;
		{
			const struct jis_char *c =
			    &t[(p[0] - 0x21) * JIS_N + (p[1] - 0x21)];

			if (c->jc_len == 0)
				goto slow;
			memcpy(o, c->jc_utf8, 4);
			o += c->jc_len;
		}
		p += 2;
	}
	if (!kanji) {
		g_string_truncate(out, (gsize)(o - out->str));
		return TRUE;
	}
slow:
	g_string_truncate(out, start);
	return FALSE;
}
