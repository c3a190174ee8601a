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
 *
 * The same file holds the two tables of CP50220/CP50221, the ISO-2022-JP
 * that Japanese clients write and read: every JIS pair as those clients
 * decode it (glibc's JIS X 0208 where it has the pair; else, for NEC row
 * 13 and the NEC-selected IBM rows 89-92, what glibc's CP932 gives for
 * the pair as Shift_JIS; user-defined rows, which CP932 maps into the
 * private use area, are refused), and the way back, code point to pair.
 * Both are filled from iconv once per process (no hand-typed table) and
 * read-only after.
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

void
mugai_charset_jis_to_sjis(guchar j1, guchar j2, guchar *s1, guchar *s2)
{
	*s1 = ((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0);
	*s2 = j2 + ((j1 & 1) ? 0x1F : 0x7E);
	if ((j1 & 1) && *s2 >= 0x7F)
		(*s2)++;
}

/*
 * What glibc's CP932 gives for JIS pair i (row-major from 0x2121) as
 * Shift_JIS, into c; left empty when CP932 refuses it, maps it into the
 * private use area (user-defined rows: carrier emoji and the like) or
 * gives more or less than one character.
 */
static void
jis_cp932_pair(GIConv cd, guint i, struct jis_char *c)
{
	guchar s1, s2;
	char in[2], buf[16], *ip = in, *op = buf;
	gsize il = sizeof in, ol = sizeof buf;
	gunichar u;

	mugai_charset_jis_to_sjis((guchar)(0x21 + i / JIS_N),
	    (guchar)(0x21 + i % JIS_N), &s1, &s2);
	in[0] = (char)s1;
	in[1] = (char)s2;
	g_iconv(cd, NULL, NULL, NULL, NULL);
	if (g_iconv(cd, &ip, &il, &op, &ol) == (gsize)-1 || il != 0 ||
	    op - buf < 1 || op - buf > 4)
		return;
	u = g_utf8_get_char_validated(buf, op - buf);
	if (u >= 0xfffd || (u >= 0xE000 && u <= 0xF8FF) ||
	    (gsize)(g_utf8_next_char(buf) - buf) != (gsize)(op - buf))
		return;
	c->jc_len = (guint8)(op - buf);
	memcpy(c->jc_utf8, buf, (gsize)(op - buf));
}

/*
 * Fills ms[] for row j1 - 0x21 with one conversion when CP932 takes the
 * whole row (the kanji rows), TRUE; FALSE when it refuses a cell.
 */
static gboolean
jis_cp932_row(GIConv cd, guint row, struct jis_char *ms)
{
	char in[2 * JIS_N], buf[4 * JIS_N], *ip = in, *op = buf;
	gsize il = sizeof in, ol = sizeof buf;
	const char *p;

	for (guint c = 0; c < JIS_N; c++) {
		guchar s1, s2;

		mugai_charset_jis_to_sjis((guchar)(0x21 + row),
		    (guchar)(0x21 + c), &s1, &s2);
		in[2 * c] = (char)s1;
		in[2 * c + 1] = (char)s2;
	}
	g_iconv(cd, NULL, NULL, NULL, NULL);
	if (g_iconv(cd, &ip, &il, &op, &ol) == (gsize)-1 || il != 0 ||
	    !g_utf8_validate(buf, op - buf, NULL) ||
	    g_utf8_strlen(buf, op - buf) != JIS_N)
		return FALSE;
	p = buf;
	for (guint c = 0; c < JIS_N; c++) {
		gunichar u = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);
		struct jis_char *j = &ms[row * JIS_N + c];

		if (u < 0xfffd && !(u >= 0xE000 && u <= 0xF8FF)) {
			j->jc_len = (guint8)(next - p);
			memcpy(j->jc_utf8, p, (gsize)(next - p));
		}
		p = next;
	}
	return TRUE;
}

/*
 * The CP50221 pairs, and the code points back to pairs (BMP only: CP932
 * has nothing above it). The way back prefers, for a character found
 * twice, JIS X 0208 over NEC row 13 over the IBM rows (NEC row 13
 * repeats a few mathematical signs of row 2), and knows as well the
 * code points CP932 gives for JIS X 0208 pairs (U+FF5E for the wave
 * dash, ...), so text that came as CP932 goes back to the same pairs.
 */
struct jis_ext {
	struct jis_char je_pair[JIS_N * JIS_N];
	guint16 je_back[0x10000];	/* (j1 << 8) | j2, 0: none */
};

static const struct jis_ext *
jis_ext(void)
{
	static gsize once;
	static struct jis_ext *ext;

	if (g_once_init_enter(&once)) {
		struct jis_ext *e = g_new0(struct jis_ext, 1);
		const struct jis_char *t = jis_table();
		struct jis_char *ms = g_new0(struct jis_char, JIS_N * JIS_N);
		GIConv cd = g_iconv_open("UTF-8", "CP932");

		/* A row at once; cell by cell where CP932 refuses one. */
		for (guint r = 0; cd != (GIConv)-1 && r < JIS_N; r++)
			if (!jis_cp932_row(cd, r, ms))
				for (guint i = r * JIS_N; i < (r + 1) * JIS_N;
				    i++)
					jis_cp932_pair(cd, i, &ms[i]);
		if (cd != (GIConv)-1)
			g_iconv_close(cd);
		for (guint i = 0; i < JIS_N * JIS_N; i++)
			e->je_pair[i] = t[i].jc_len != 0 ? t[i] : ms[i];
		/* JIS X 0208, then the rest in row order, then CP932's
		 * code points for JIS X 0208 pairs. */
		for (guint pass = 0; pass < 3; pass++) {
			for (guint i = 0; i < JIS_N * JIS_N; i++) {
				const struct jis_char *c = pass == 0 ? &t[i] :
				    pass == 1 ? &e->je_pair[i] : &ms[i];
				gunichar u;

				if (c->jc_len == 0 ||
				    (pass == 2 && t[i].jc_len == 0))
					continue;
				u = g_utf8_get_char(c->jc_utf8);
				if (u < 0x10000 && e->je_back[u] == 0)
					e->je_back[u] = (guint16)(
					    ((0x21 + i / JIS_N) << 8) |
					    (0x21 + i % JIS_N));
			}
		}
		g_free(ms);
		ext = e;
		g_once_init_leave(&once, 1);
	}
	return ext;
}

gboolean
mugai_charset_jis_ext_append(guchar j1, guchar j2, GString *out)
{
	const struct jis_char *c;

	if (j1 < 0x21 || j1 > 0x7E || j2 < 0x21 || j2 > 0x7E)
		return FALSE;
	c = &jis_ext()->je_pair[(j1 - 0x21) * JIS_N + (j2 - 0x21)];
	if (c->jc_len == 0)
		return FALSE;
	g_string_append_len(out, c->jc_utf8, c->jc_len);
	return TRUE;
}

guint16
mugai_charset_jis_ext_pair(gunichar c)
{
	return c < 0x10000 ? jis_ext()->je_back[c] : 0;
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
