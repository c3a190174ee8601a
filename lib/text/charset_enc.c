/*
 * mugai_charset encoders - UTF-8 to ISO-2022-JP (and other charsets)
 *
 * Exports mugai_charset_from_utf8() and mugai_charset_to_jis()
 * (charset.h); the bytes they return are new (transfer full).
 * ISO-2022-JP is written as RFC 1468 has it: ASCII and strict JIS X 0208
 * pairs under ESC $ B, ESC ( B before every line end and at the end. The
 * table knows CP50220's NEC row 13 (U+2460 ①, U+3231 ㈱, U+2121 ℡) and
 * the NEC-selected IBM extensions (U+9AD9 髙, U+FA11 﨑), but the
 * contract's validator (and every strict reader) refuses them: row 13 is
 * written in its usual spelling ("(1)", "(株)", "TEL"; cs_jis_compat), an
 * IBM extension ideograph counts as missing so the message goes out in
 * UTF-8 (output_fallback) rather than with a name changed. The pairs come from charset_jis.c's table, filled from iconv.
 * Before encoding, combining marks are composed (mugai_utf8_compose(),
 * so macOS's "フ" U+309A is "プ"), invisible characters (joiners,
 * variation selectors, ...) dropped, the other spaces made ASCII spaces
 * and half-width katakana made full-width (NFKC, "ｶﾞ" is "ガ": CP50220,
 * since ESC ( I is not ISO-2022-JP to RFC 1468 readers). Code points
 * Windows uses for JIS characters (U+FF5E, U+2225, U+FF0D, U+FFE0-2,
 * U+2014, U+00A5, U+203E) map to their JIS pairs. What has no pair
 * (emoji, Latin letters with accents, rare CJK) becomes U+3013 GETA MARK
 * and is counted, so the caller may choose UTF-8 for the message
 * instead; U+FFFD (an undecodable byte of the original), ESC, SO and SI
 * (which would forge escape sequences) and invalid UTF-8 become U+3013
 * too but are not counted: no charset shows them better. Other
 * ASCII-compatible targets go through iconv, U+3013 or '?' for what they
 * lack. No global state but charset_jis.c's read-only tables.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>

#include "text/charset.h"
#include "text/charset_int.h"
#include "text/utf8.h"

/*
 * Maps code points Windows (CP932) uses for JIS X 0208 characters, the
 * two glibc's EUC-JP would send to ASCII (yen, overline) and the
 * combining voiced marks NFKC leaves, to what JIS X 0208 has.
 */
static gunichar
cs_jis_premap(gunichar c)
{
	switch (c) {
	case 0xFF5E: return 0x301C;	/* FULLWIDTH TILDE -> WAVE DASH */
	case 0x2225: return 0x2016;	/* PARALLEL TO -> DOUBLE VERTICAL */
	case 0xFF0D: return 0x2212;	/* FULLWIDTH HYPHEN-MINUS -> MINUS */
	case 0xFFE0: return 0x00A2;
	case 0xFFE1: return 0x00A3;
	case 0xFFE2: return 0x00AC;
	case 0x2014: return 0x2015;	/* EM DASH -> HORIZONTAL BAR */
	case 0x00A5: return 0xFFE5;	/* YEN SIGN -> FULLWIDTH YEN SIGN */
	case 0x203E: return 0xFFE3;	/* OVERLINE -> FULLWIDTH MACRON */
	case 0x3099: return 0x309B;	/* combining -> spacing voiced mark */
	case 0x309A: return 0x309C;
	default: return c;
	}
}

#define CS_GETA	"\xE3\x80\x93"		/* U+3013 in UTF-8 */

static gboolean
cs_halfwidth_kana(gunichar c)
{
	return c >= 0xFF61 && c <= 0xFF9F;
}

/* A space other than U+0020 and U+3000: JIS has none of them. */
static gboolean
cs_other_space(gunichar c)
{
	return c == 0x00A0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
	    c == 0x205F;
}

/*
 * First pass of the ISO-2022-JP encoder: the text as the JIS table wants
 * it (the rules in the header comment). utf8 is composed already.
 */
static void
cs_jis_prepare(const char *utf8, gsize len, GString *out)
{
	const char *p = utf8, *end = utf8 + len;

	while (p < end) {
		guchar b = (guchar)*p;
		gunichar c;

		if (b < 0x80) {
			if (b == 0x1B || b == 0x0E || b == 0x0F)
				g_string_append(out, CS_GETA);
			else if (b != '\0')
				g_string_append_c(out, (char)b);
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2 || c == 0xFFFD) {
			g_string_append(out, CS_GETA);
			p = c == 0xFFFD ? g_utf8_next_char(p) : p + 1;
			continue;
		}
		if (cs_halfwidth_kana(c)) {
			const char *q = p;
			char *nf, *r;

			while (q < end && cs_halfwidth_kana(
			    g_utf8_get_char_validated(q, end - q)))
				q = g_utf8_next_char(q);
			nf = g_utf8_normalize(p, q - p, G_NORMALIZE_NFKC);
			for (r = nf; r != NULL && *r != '\0';
			    r = g_utf8_next_char(r))
				g_string_append_unichar(out,
				    cs_jis_premap(g_utf8_get_char(r)));
			g_free(nf);
			p = q;
			continue;
		}
		if (cs_other_space(c))
			g_string_append_c(out, ' ');
		else if (!mugai_utf8_invisible(c))
			g_string_append_unichar(out, cs_jis_premap(c));
		p = g_utf8_next_char(p);
	}
}

/*
 * Converts UTF-8 to iconv target icname, appending to out. A character
 * the target lacks becomes U+3013 in the target, or '?' where it has no
 * U+3013. Returns FALSE if iconv does not know icname.
 */
static gboolean
cs_encode_iconv(const char *icname, const char *utf8, gsize len,
    GString *out)
{
	GIConv cd;
	char subst[16], geta[] = CS_GETA;
	gchar *in = geta, *op = subst;
	gsize inleft = 3, outleft = sizeof(subst), nsubst, olen;

	if ((cd = g_iconv_open(icname, "UTF-8")) == (GIConv)-1)
		return FALSE;
	if (g_iconv(cd, &in, &inleft, &op, &outleft) == (gsize)-1 ||
	    g_iconv(cd, NULL, NULL, &op, &outleft) == (gsize)-1) {
		subst[0] = '?';
		op = subst + 1;
	}
	nsubst = op - subst;
	g_iconv(cd, NULL, NULL, NULL, NULL);

	in = (gchar *)utf8;
	inleft = len;
	olen = out->len;
	g_string_set_size(out, olen + len + len / 2 + 64);
	op = out->str + olen;
	outleft = out->len - olen;
	for (;;) {
		gboolean flush = inleft == 0;
		gsize r;

		if (outleft < nsubst + 16) {
			olen = op - out->str;
			g_string_set_size(out, out->len * 2 + 64);
			op = out->str + olen;
			outleft = out->len - olen;
		}
		if (flush)
			r = g_iconv(cd, NULL, NULL, &op, &outleft);
		else
			r = g_iconv(cd, &in, &inleft, &op, &outleft);
		if (r != (gsize)-1) {
			if (flush)
				break;
			continue;
		}
		if (errno == E2BIG) {
			outleft = 0;	/* grow on the next turn */
			continue;
		}
		if (flush)
			break;
		/* EILSEQ, EINVAL: one character out, the substitute in */
		{
			gunichar c = g_utf8_get_char_validated(in, inleft);
			gsize skip = (c == (gunichar)-1 || c == (gunichar)-2) ?
			    1 : (gsize)(g_utf8_next_char(in) - in);

			skip = MIN(skip, inleft);
			memcpy(op, subst, nsubst);
			op += nsubst;
			outleft -= nsubst;
			in += skip;
			inleft -= skip;
		}
	}
	g_string_set_size(out, op - out->str);
	g_iconv_close(cd);
	return TRUE;
}

/* A pair of strict JIS X 0208 (what RFC 1468 readers and Python's
 * iso2022_jp decode): not NEC row 13, not the IBM rows 89 to 92. */
static gboolean
cs_jis_strict(guint16 pair)
{
	return pair != 0 && (pair >> 8) != 0x2D && (pair >> 8) < 0x79;
}

/*
 * Writes into rep how Japanese text spells NEC row 13 character c with
 * strict JIS X 0208 and ASCII, as mail without "machine-dependent
 * characters" (機種依存文字) always has: "①" as "(1)", "㈱" as "(株)",
 * "Ⅲ" as "III", "㌔" as "キロ", "㎝" as "cm", "℡" as "TEL", "㍻" as
 * "平成", "〝〟" as "“”" (the NFKC compatibility form, circled ones in
 * brackets). FALSE when there is none: then c is missing (an IBM
 * extension ideograph such as 髙 or 﨑 has no other spelling; a name is
 * not rewritten).
 */
static gboolean
cs_jis_compat(gunichar c, GString *rep)
{
	char u[6];
	gsize n = (gsize)g_unichar_to_utf8(c, u);
	g_autofree char *nf = NULL;
	const char *r;

	g_string_truncate(rep, 0);
	if (c == 0x301D || c == 0x301F) {
		g_string_append(rep, c == 0x301D ? "\u201C" : "\u201D");
		return TRUE;
	}
	if (c == 0x2116) {	/* NFKC says "No" */
		g_string_append(rep, "No.");
		return TRUE;
	}
	nf = g_utf8_normalize(u, (gssize)n, G_NORMALIZE_NFKC);
	if (nf == NULL || (strlen(nf) == n && memcmp(nf, u, n) == 0))
		return FALSE;
	if ((c >= 0x2460 && c <= 0x2473) || (c >= 0x32A4 && c <= 0x32A8))
		g_string_append_printf(rep, "(%s)", nf);
	else
		g_string_append(rep, nf);
	for (r = rep->str; *r != '\0'; r = g_utf8_next_char(r))
		if ((guchar)*r >= 0x80 && !cs_jis_strict(
		    mugai_charset_jis_ext_pair(g_utf8_get_char(r))))
			return FALSE;
	return TRUE;
}

/*
 * Where cs_encode_jis() writes: the output, whether it is in JIS mode,
 * where the current line began, and the longest line allowed (0: any).
 */
struct jis_out {
	GString *jo_out;
	gboolean jo_jis;
	gsize jo_line;
	gsize jo_max;
};

/*
 * Breaks the line before a unit of n more bytes that would leave no room
 * for the ESC ( B that may have to close the line: a line of ASCII and
 * JIS in turn grows by up to eight bytes a character, so a count of
 * characters does not bound it (RFC 5322: 998 octets).
 */
static void
jis_room(struct jis_out *jo, gsize n)
{
	if (jo->jo_max == 0 || jo->jo_out->len - jo->jo_line + n + 3 <=
	    jo->jo_max)
		return;
	if (jo->jo_jis)
		g_string_append(jo->jo_out, "\x1B(B");
	jo->jo_jis = FALSE;
	g_string_append_c(jo->jo_out, '\n');
	jo->jo_line = jo->jo_out->len;
}

static void
jis_ascii(struct jis_out *jo, char c)
{
	if (c != '\n')
		jis_room(jo, jo->jo_jis ? 4 : 1);
	if (jo->jo_jis)
		g_string_append(jo->jo_out, "\x1B(B");
	jo->jo_jis = FALSE;
	g_string_append_c(jo->jo_out, c);
	if (c == '\n')
		jo->jo_line = jo->jo_out->len;
}

static void
jis_pair(struct jis_out *jo, guint16 pair)
{
	jis_room(jo, jo->jo_jis ? 2 : 5);
	if (!jo->jo_jis)
		g_string_append(jo->jo_out, "\x1B$B");
	jo->jo_jis = TRUE;
	g_string_append_c(jo->jo_out, (char)(pair >> 8));
	g_string_append_c(jo->jo_out, (char)(pair & 0xFF));
}

/*
 * Second pass: each character to its JIS pair under ESC $ B, or U+3013's
 * (counted in *missing) when it has none. Only strict JIS X 0208 is
 * written (the contract's validator decodes ISO-2022-JP strictly): NEC
 * row 13 goes by its compatibility spelling (cs_jis_compat), the IBM
 * extensions count as missing. ASCII returns with ESC ( B
 * before it, so before every line end, and at the end. With max_line,
 * a line longer than max_line bytes is broken (jis_room()).
 */
static void
cs_encode_jis(const char *utf8, gsize len, gsize max_line, GString *out,
    gsize *missing)
{
	GString *pre = g_string_sized_new(len + 16);
	GString *rep = g_string_new(NULL);
	g_autofree char *composed = NULL;
	gsize clen = 0;
	struct jis_out jo = { out, FALSE, out->len, max_line };
	const char *p, *end;

	/* Invalid UTF-8 (U+3013 below) is not composed: nothing to join. */
	if (mugai_utf8_validate_len(utf8, len, NULL) &&
	    (composed = mugai_utf8_compose(utf8, len, &clen)) != NULL) {
		utf8 = composed;
		len = clen;
	}
	cs_jis_prepare(utf8, len, pre);
	*missing = 0;
	for (p = pre->str, end = pre->str + pre->len; p < end; ) {
		guint16 pair;

		if ((guchar)*p < 0x80) {
			jis_ascii(&jo, *p++);
			continue;
		}
		pair = mugai_charset_jis_ext_pair(g_utf8_get_char(p));
		if (pair != 0 && !cs_jis_strict(pair) &&
		    cs_jis_compat(g_utf8_get_char(p), rep)) {
			/* its spelling in place of it: strict pairs, ASCII */
			for (const char *r = rep->str; *r != '\0';
			    r = g_utf8_next_char(r)) {
				if ((guchar)*r < 0x80)
					jis_ascii(&jo, *r);
				else
					jis_pair(&jo,
					    mugai_charset_jis_ext_pair(
					    g_utf8_get_char(r)));
			}
			p = g_utf8_next_char(p);
			continue;
		}
		if (!cs_jis_strict(pair)) {
			pair = 0x222E;	/* U+3013 */
			(*missing)++;
		}
		p = g_utf8_next_char(p);
		jis_pair(&jo, pair);
	}
	if (jo.jo_jis)
		g_string_append(out, "\x1B(B");
	g_string_free(rep, TRUE);
	g_string_free(pre, TRUE);
}

char *
mugai_charset_to_jis(const char *utf8, gsize len, gsize max_line,
    gsize *out_len, gsize *missing)
{
	GString *out = g_string_sized_new(len + len / 2 + 16);
	gsize miss = 0;

	if (utf8 == NULL) {
		utf8 = "";
		len = 0;
	}
	cs_encode_jis(utf8, len, max_line, out, &miss);
	if (missing != NULL)
		*missing = miss;
	if (out_len != NULL)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}

char *
mugai_charset_from_utf8(const char *utf8, gsize len, const char *charset,
    gsize *out_len)
{
	struct mugai_cs_label scratch;
	const struct mugai_cs_label *l;
	GString *out;
	gboolean ok;

	if (out_len != NULL)
		*out_len = 0;
	/* NULL is empty input; "" keeps pointer arithmetic defined. */
	if (utf8 == NULL) {
		utf8 = "";
		len = 0;
	}
	if ((l = mugai_charset_label(charset, &scratch)) == NULL ||
	    l->cl_class == MUGAI_CS_WIDE)
		return NULL;
	out = g_string_sized_new(len + len / 2 + 16);
	switch (l->cl_class) {
	case MUGAI_CS_UTF8:
		mugai_charset_utf8_clean(utf8, len, FALSE, out);
		ok = TRUE;
		break;
	case MUGAI_CS_JIS: {
		gsize missing;

		cs_encode_jis(utf8, len, 0, out, &missing);
		ok = TRUE;
		break;
	}
	default:
		ok = cs_encode_iconv(l->cl_iconv, utf8, len, out);
		break;
	}
	if (!ok) {
		g_string_free(out, TRUE);
		return NULL;
	}
	if (out_len != NULL)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}
