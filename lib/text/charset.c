/*
 * mugai_charset - charset detection and conversion for Japanese mail
 *
 * Exports mugai_charset_detect() and mugai_charset_to_utf8() (charset.h);
 * labels are in charset_label.c, the encoders in charset_enc.c. Strings
 * handed out are new (transfer full) or static/interned names
 * (transfer none). No global mutable state: every call opens its own
 * iconv descriptors. Bad input is an ordinary result: undecodable bytes
 * become U+FFFD, nothing else is dropped (except NUL bytes and a BOM).
 *
 * Labels (charset_label.c) are trimmed of whitespace and quotes, cut at
 * an RFC 2231 language suffix ("*ja"), lower-cased; '_' counts as '-'.
 * Japanese aliases map to families, each tried in order until one
 * converts without error:
 *   iso-2022-jp (and jis, cp5022x, iso-2022-jp-N): ISO-2022-JP, then our
 *     CP50221 decoder (JIS pairs through charset_jis.c's table: NEC row
 *     13 such as U+2460, NEC-selected IBM extensions, ESC ( I and SO/SI
 *     half-width kana), then ISO-2022-JP-2 (JIS X 0212), then
 *     ISO-2022-JP-3 (JIS X 0213). When none is clean, the CP50221
 *     decoder reads it lossily (an unknown pair is one U+FFFD, in step).
 *   shift_jis, sjis, x-sjis, windows-31j, cp932, ms932, ...: CP932, then
 *     SHIFT_JISX0213.
 *   euc-jp, x-euc-jp, ujis, ...: EUC-JP, then EUC-JP-MS, EUC-JISX0213.
 * glibc's ISO-2022-JP passes unknown escape sequences through as ESC
 * characters; an ESC, SO or SI in ISO-2022 output counts as an error.
 *
 * Detection (mugai_charset_detect), in this order:
 *   1. no byte >= 0x80: "iso-2022-jp" if an ISO-2022-JP designation
 *      (ESC $ B, ESC $ @, ESC ( J, ESC ( I, ESC $ ( D/O/Q) occurs, else
 *      "us-ascii";
 *   2. strictly valid UTF-8 (GLib's validator, NUL bytes ignored) with at
 *      least one multi-byte sequence: "utf-8";
 *   3. a designation as in 1 with stray 8-bit bytes: "iso-2022-jp";
 *   4. CP932 against EUC-JP. Each is parsed for byte structure: valid
 *      double-byte pairs, kana pairs (SJIS 0x82 0x9F-0xF1 hiragana, 0x83
 *      0x40-0x96 katakana; EUC 0xA4/0xA5 lead), half-width kana singles
 *      (SJIS 0xA1-0xDF, EUC 0x8E xx) and invalid bytes. SJIS leads
 *      0x85, 0x86, 0xEB, 0xEC, 0xEF-0xF9 (unassigned, user-defined) count
 *      as invalid. score = 4 kana + 2 pairs - singles - 8 invalid; the
 *      higher score wins, CP932 on a tie. The winner is taken when it has
 *      at most one invalid byte per 16 pairs, a positive score, and a
 *      kana pair, or else at least two pairs of which a third have a
 *      trail byte >= 0x80 (Latin-1 text such as "crème" forms SJIS pairs
 *      whose trail is an ASCII letter; Japanese text does not look like
 *      that; one stray pair decides nothing).
 *      It is "strong" when it also has no invalid byte and at least one
 *      kana pair per four pairs;
 *   5. otherwise NULL (undecided).
 *
 * Conversion (mugai_charset_to_utf8) builds an ordered candidate list and
 * takes the first that converts strictly; when none does, the one of the
 * first three with the fewest replaced bytes, decoding with U+FFFD.
 *   - no label, "unknown-8bit" or a label iconv does not know: detected
 *     family, then windows-1252, then iso-8859-1 (Western text);
 *   - us-ascii: itself for 7-bit data without designations, else as for
 *     no label;
 *   - a designation in 7-bit data under any ASCII-compatible label puts
 *     the ISO-2022-JP family first (JIS labelled us-ascii or utf-8);
 *   - Japanese labels and utf-8: a strong detection of utf-8,
 *     iso-2022-jp, cp932 or euc-jp goes first (EUC-JP labelled shift_jis
 *     would otherwise decode "cleanly" as half-width kana garbage), then
 *     the labelled family, then any detected family (CP932 labelled
 *     iso-2022-jp or utf-8 fails the label and lands there);
 *   - single-byte labels (iso-8859-*, windows-125x, koi8-*, ...): strictly
 *     valid UTF-8 with multi-byte sequences is UTF-8, and a strong CP932 or
 *     EUC-JP detection is that charset; then the label, then iso-8859-1.
 *     A byte pattern that is valid UTF-8 with multi-byte sequences is
 *     vanishingly rare in real Latin text; so is a strong kana pattern;
 *   - other labels (GB, Big5, Korean, UTF-16, any other name iconv
 *     knows): the label, then the detected family.
 * NUL characters are removed from the output, so is a leading U+FEFF.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>

#include "text/charset.h"
#include "text/charset_int.h"
#include "text/utf8.h"

#define CS_CAND_MAX	12
#define CS_LOSSY_TRIES	3

enum cs_kind {
	CK_ASCII,	/* 7-bit only */
	CK_UTF8,	/* GLib's validator */
	CK_ICONV,	/* cv_iconv */
	CK_CP50221,	/* our JIS -> Shift_JIS, then CP932 */
};

struct cs_conv {
	enum cs_kind cv_kind;
	const char *cv_iconv;
	const char *cv_name;
	gboolean cv_iso2022;	/* ESC, SO, SI in the output are errors */
};

static const struct cs_conv cv_ascii = { CK_ASCII, NULL, "us-ascii", 0 };
static const struct cs_conv cv_utf8 = { CK_UTF8, NULL, "utf-8", 0 };
static const struct cs_conv cv_jis =
    { CK_ICONV, "ISO-2022-JP", "iso-2022-jp", 1 };
static const struct cs_conv cv_cp50221 = { CK_CP50221, "CP932", "cp50221", 1 };
static const struct cs_conv cv_jis2 =
    { CK_ICONV, "ISO-2022-JP-2", "iso-2022-jp-2", 1 };
static const struct cs_conv cv_jis3 =
    { CK_ICONV, "ISO-2022-JP-3", "iso-2022-jp-3", 1 };
static const struct cs_conv cv_cp932 = { CK_ICONV, "CP932", "cp932", 0 };
static const struct cs_conv cv_sjis0213 =
    { CK_ICONV, "SHIFT_JISX0213", "shift_jisx0213", 0 };
static const struct cs_conv cv_eucjp = { CK_ICONV, "EUC-JP", "euc-jp", 0 };
static const struct cs_conv cv_eucjpms =
    { CK_ICONV, "EUC-JP-MS", "euc-jp-ms", 0 };
static const struct cs_conv cv_euc0213 =
    { CK_ICONV, "EUC-JISX0213", "euc-jisx0213", 0 };
static const struct cs_conv cv_1252 =
    { CK_ICONV, "WINDOWS-1252", "windows-1252", 0 };
static const struct cs_conv cv_latin1 =
    { CK_ICONV, "ISO-8859-1", "iso-8859-1", 0 };

static const struct cs_conv *const chain_ascii[] = { &cv_ascii, NULL };
static const struct cs_conv *const chain_utf8[] = { &cv_utf8, NULL };
static const struct cs_conv *const chain_jis[] = {
	&cv_jis, &cv_cp50221, &cv_jis2, &cv_jis3, NULL,
};
static const struct cs_conv *const chain_sjis[] = {
	&cv_cp932, &cv_sjis0213, NULL,
};
static const struct cs_conv *const chain_eucjp[] = {
	&cv_eucjp, &cv_eucjpms, &cv_euc0213, NULL,
};
static const struct cs_conv *const chain_western[] = {
	&cv_1252, &cv_latin1, NULL,
};
static const struct cs_conv *const chain_latin1[] = { &cv_latin1, NULL };

/*
 * Detection
 */

struct cs_score {
	gsize sc_pairs;		/* valid double-byte characters */
	gsize sc_kana;		/* of which hiragana or katakana */
	gsize sc_hightrail;	/* of which the trail byte is >= 0x80 */
	gsize sc_singles;	/* half-width katakana */
	gsize sc_invalid;	/* bytes that fit no sequence */
};

static gssize
cs_score_value(const struct cs_score *s)
{
	return 4 * (gssize)s->sc_kana + 2 * (gssize)s->sc_pairs -
	    (gssize)s->sc_singles - 8 * (gssize)s->sc_invalid;
}

static gboolean
cs_sjis_lead(guchar c)
{
	if (c == 0x85 || c == 0x86 || c == 0xEB || c == 0xEC)
		return FALSE;
	return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xEE) ||
	    (c >= 0xFA && c <= 0xFC);
}

static void
cs_score_sjis(const guchar *p, gsize len, struct cs_score *s)
{
	gsize i = 0;

	memset(s, 0, sizeof(*s));
	while (i < len) {
		guchar c = p[i], d;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xA1 && c <= 0xDF) {
			s->sc_singles++;
			i++;
			continue;
		}
		if (cs_sjis_lead(c) && i + 1 < len) {
			d = p[i + 1];
			if (d >= 0x40 && d <= 0xFC && d != 0x7F) {
				s->sc_pairs++;
				if ((c == 0x82 && d >= 0x9F && d <= 0xF1) ||
				    (c == 0x83 && d >= 0x40 && d <= 0x96))
					s->sc_kana++;
				if (d >= 0x80)
					s->sc_hightrail++;
				i += 2;
				continue;
			}
		}
		s->sc_invalid++;
		i++;
	}
}

static void
cs_score_euc(const guchar *p, gsize len, struct cs_score *s)
{
	gsize i = 0;

	memset(s, 0, sizeof(*s));
	while (i < len) {
		guchar c = p[i];

		if (c < 0x80) {
			i++;
		} else if (mugai_charset_euc_byte(c) && i + 1 < len &&
		    mugai_charset_euc_byte(p[i + 1])) {
			s->sc_pairs++;
			s->sc_hightrail++;
			if ((c == 0xA4 && p[i + 1] <= 0xF3) ||
			    (c == 0xA5 && p[i + 1] <= 0xF6))
				s->sc_kana++;
			i += 2;
		} else if (c == 0x8E && i + 1 < len && p[i + 1] >= 0xA1 &&
		    p[i + 1] <= 0xDF) {
			s->sc_singles++;
			i += 2;
		} else if (c == 0x8F && i + 2 < len &&
		    mugai_charset_euc_byte(p[i + 1]) &&
		    mugai_charset_euc_byte(p[i + 2])) {
			s->sc_pairs++;
			s->sc_hightrail++;
			i += 3;
		} else {
			s->sc_invalid++;
			i++;
		}
	}
}

/*
 * Returns TRUE if data is valid UTF-8 once NUL bytes are ignored. The
 * validator rejects overlong forms, surrogates and > U+10FFFF (GLib's
 * rules).
 */
static gboolean
cs_utf8_valid(const char *data, gsize len)
{
	const char *p = data, *end = data + len, *stop;

	while (p < end) {
		if (mugai_utf8_validate_len(p, end - p, &stop))
			return TRUE;
		if (*stop != '\0')
			return FALSE;
		p = stop + 1;
	}
	return TRUE;
}

/* Returns TRUE if an ISO-2022-JP designation occurs in data. */
static gboolean
cs_has_jis_escape(const char *data, gsize len)
{
	const char *p = data, *end = data + len;

	while ((p = memchr(p, 0x1B, end - p)) != NULL) {
		gsize left = end - p;

		if (left >= 3 && p[1] == '$' && (p[2] == 'B' || p[2] == '@'))
			return TRUE;
		if (left >= 3 && p[1] == '(' && (p[2] == 'J' || p[2] == 'I'))
			return TRUE;
		if (left >= 4 && p[1] == '$' && p[2] == '(' &&
		    (p[3] == 'D' || p[3] == 'O' || p[3] == 'Q'))
			return TRUE;
		p++;
	}
	return FALSE;
}

static gboolean
cs_has_8bit(const char *data, gsize len)
{
	gsize i = 0;

	for (; i + 8 <= len; i += 8) {	/* eight bytes at a time */
		guint64 x;

		memcpy(&x, data + i, 8);
		if (x & 0x8080808080808080ULL)
			return TRUE;
	}
	for (; i < len; i++)
		if ((guchar)data[i] >= 0x80)
			return TRUE;
	return FALSE;
}

/* The detection rules in the header comment; *strong as described there. */
static const char *
cs_detect(const char *data, gsize len, gboolean *strong)
{
	struct cs_score sj, eu;
	const struct cs_score *w;
	const char *name;
	gssize score;

	*strong = FALSE;
	if (data == NULL || len == 0)
		return "us-ascii";
	if (!cs_has_8bit(data, len)) {
		*strong = TRUE;
		return cs_has_jis_escape(data, len) ? "iso-2022-jp" :
		    "us-ascii";
	}
	if (cs_utf8_valid(data, len)) {
		*strong = TRUE;
		return "utf-8";
	}
	if (cs_has_jis_escape(data, len))
		return "iso-2022-jp";
	cs_score_sjis((const guchar *)data, len, &sj);
	cs_score_euc((const guchar *)data, len, &eu);
	if (cs_score_value(&eu) > cs_score_value(&sj)) {
		w = &eu;
		name = "euc-jp";
	} else {
		w = &sj;
		name = "cp932";
	}
	score = cs_score_value(w);
	if (w->sc_pairs == 0 || w->sc_invalid * 16 > w->sc_pairs ||
	    score <= 0)
		return NULL;
	if (w->sc_kana == 0 && w->sc_hightrail * 3 < w->sc_pairs)
		return NULL;
	if (w->sc_kana == 0 && w->sc_pairs < 2)
		return NULL;
	*strong = w->sc_invalid == 0 && w->sc_kana > 0 &&
	    w->sc_kana * 4 >= w->sc_pairs;
	return name;
}

const char *
mugai_charset_detect(const char *data, gsize len)
{
	gboolean strong;

	return cs_detect(data, len, &strong);
}

/*
 * Decoders. Each appends to out and returns the number of replaced bytes,
 * or -1 when strict and the input is not clean (out is then undefined).
 */

/* Replaces ESC, SO and SI from offset start on with U+FFFD; counts them. */
static gssize
cs_scrub_iso2022(GString *out, gsize start, gboolean strict)
{
	GString *tmp;
	gssize n = 0;
	gsize i;

	for (i = start; i < out->len; i++)
		if (out->str[i] == 0x1B || out->str[i] == 0x0E ||
		    out->str[i] == 0x0F)
			break;
	if (i == out->len)
		return 0;
	if (strict)
		return -1;
	tmp = g_string_sized_new(out->len - start + 16);
	for (i = start; i < out->len; i++) {
		char c = out->str[i];

		if (c == 0x1B || c == 0x0E || c == 0x0F) {
			g_string_append(tmp, MUGAI_CS_FFFD);
			n++;
		} else {
			g_string_append_c(tmp, c);
		}
	}
	g_string_truncate(out, start);
	g_string_append_len(out, tmp->str, tmp->len);
	g_string_free(tmp, TRUE);
	return n;
}

static gssize
cs_decode_iconv(const char *icname, gboolean iso2022, const char *data,
    gsize len, gboolean strict, GString *out)
{
	GIConv cd;
	gsize start = out->len, olen = out->len, room;
	gchar *in = (gchar *)data, *op, *end = (gchar *)data + len;
	gchar *run_end = in;	/* end of the current 7-bit run */
	gsize inleft = len, outleft;
	gssize nrepl = 0, n;

	/* What iconv gives, cleanly, for the usual JIS mail (charset_jis.c). */
	if (iso2022 && g_ascii_strcasecmp(icname, "ISO-2022-JP") == 0 &&
	    mugai_charset_jis_fast(data, len, out))
		return 0;
	if ((cd = g_iconv_open("UTF-8", icname)) == (GIConv)-1)
		return -1;
	room = len * 2 + 64;
	g_string_set_size(out, olen + room);
	op = out->str + olen;
	outleft = room;
	for (;;) {
		gboolean flush = inleft == 0;
		gsize r, had = 0, took = 1;

		if (outleft < 16) {
			olen = op - out->str;
			room = (out->len - start) + 64;
			g_string_set_size(out, out->len + room);
			op = out->str + olen;
			outleft = out->len - olen;
		}
		if (flush) {
			r = g_iconv(cd, NULL, NULL, &op, &outleft);
		} else {
			gsize chunk = inleft, left;

			if (iso2022) {
				/*
				 * 8-bit bytes are never ISO-2022: replace
				 * them without a (slow) failing iconv call.
				 */
				if (run_end <= in)
					for (run_end = in; run_end < end &&
					    (guchar)*run_end < 0x80; run_end++)
						;
				chunk = run_end - in;
			}
			left = chunk;
			if (chunk == 0) {
				r = (gsize)-1;
				errno = EILSEQ;
			} else {
				had = outleft;
				r = g_iconv(cd, &in, &left, &op, &outleft);
				took = chunk - left;
				inleft -= took;
			}
		}
		if (r != (gsize)-1) {
			if (flush)
				break;
			continue;
		}
		/*
		 * No room: grow on the next turn. But a converter that says so
		 * with room to spare and no input taken (glibc's CP932 on a
		 * lead byte after a replaced one: found by fuzz_unlock) would
		 * grow the buffer for ever: its byte is replaced below.
		 */
		if (errno == E2BIG && !(took == 0 && had >= 16)) {
			outleft = 0;
			continue;
		}
		if (strict) {
			nrepl = -1;
			break;
		}
		if (flush)
			break;
		/* EILSEQ, EINVAL: replace one byte, resynchronise after it */
		if (outleft < 16) {
			olen = op - out->str;
			g_string_set_size(out, out->len + 64);
			op = out->str + olen;
			outleft = out->len - olen;
		}
		memcpy(op, MUGAI_CS_FFFD, 3);
		op += 3;
		outleft -= 3;
		in++;
		inleft--;
		nrepl++;
	}
	g_iconv_close(cd);
	g_string_set_size(out, op - out->str);
	if (nrepl >= 0 && iso2022) {
		if ((n = cs_scrub_iso2022(out, start, strict)) < 0)
			return -1;
		nrepl += n;
	}
	return nrepl;
}

static gssize
cs_decode_ascii(const char *data, gsize len, GString *out)
{
	if (cs_has_8bit(data, len))
		return -1;
	g_string_append_len(out, data, len);
	return 0;
}

gssize
mugai_charset_utf8_clean(const char *data, gsize len, gboolean strict,
    GString *out)
{
	const char *p = data, *end = data + len, *stop;
	gssize nrepl = 0;

	while (p < end) {
		if (mugai_utf8_validate_len(p, end - p, &stop)) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, stop - p);
		if (*stop != '\0') {
			if (strict)
				return -1;
			g_string_append(out, MUGAI_CS_FFFD);
			nrepl++;
		}
		p = stop + 1;
	}
	return nrepl;
}

/*
 * CP50221-style ISO-2022-JP (ESC $ B / $ @ JIS, ESC ( B / ( J ASCII,
 * ESC ( I and SO/SI half-width kana), each JIS pair read as CP50221
 * readers do (charset_jis.c: JIS X 0208, NEC row 13, NEC-selected IBM
 * extensions). A pair no table has (a carrier's emoji in a user-defined
 * row) is one U+FFFD and decoding goes on at the next pair, in step; an
 * 8-bit byte, an unknown escape's ESC or a pair cut by a mode change is
 * U+FFFD too. Strict: the first replacement fails.
 */
static gssize
cs_decode_cp50221(const char *data, gsize len, gboolean strict, GString *out)
{
	enum { M_ASCII, M_JIS, M_KANA } mode = M_ASCII, saved = M_ASCII;
	const guchar *p = (const guchar *)data;
	gssize nrepl = 0;
	gsize i = 0;

	while (i < len) {
		guchar c = p[i];

		if (c == 0x1B) {
			gsize left = len - i;

			if (left >= 3 && p[i + 1] == '(' &&
			    (p[i + 2] == 'B' || p[i + 2] == 'J')) {
				mode = M_ASCII;
			} else if (left >= 3 && p[i + 1] == '$' &&
			    (p[i + 2] == 'B' || p[i + 2] == '@')) {
				mode = M_JIS;
			} else if (left >= 3 && p[i + 1] == '(' &&
			    p[i + 2] == 'I') {
				mode = M_KANA;
			} else {
				goto bad1;
			}
			i += 3;
			continue;
		}
		if (c == 0x0E) {		/* SO: kana until SI */
			saved = mode == M_KANA ? saved : mode;
			mode = M_KANA;
			i++;
			continue;
		}
		if (c == 0x0F) {
			mode = saved;
			i++;
			continue;
		}
		if (c >= 0x80)
			goto bad1;
		if (c < 0x21 || mode == M_ASCII || c == 0x7F) {
			/* controls and space pass in any mode */
			g_string_append_c(out, (char)c);
			i++;
			continue;
		}
		if (mode == M_KANA) {
			if (c > 0x5F)
				goto bad1;
			g_string_append_unichar(out, 0xFF61 + (c - 0x21));
			i++;
			continue;
		}
		if (i + 1 < len && p[i + 1] >= 0x21 && p[i + 1] <= 0x7E) {
			if (!mugai_charset_jis_ext_append(c, p[i + 1], out)) {
				if (strict)
					return -1;
				g_string_append(out, MUGAI_CS_FFFD);
				nrepl++;
			}
			i += 2;
			continue;
		}
bad1:
		if (strict)
			return -1;
		g_string_append(out, MUGAI_CS_FFFD);
		nrepl++;
		i++;
	}
	return nrepl;
}

static gssize
cs_decode(const struct cs_conv *cv, const char *data, gsize len,
    gboolean strict, GString *out)
{
	switch (cv->cv_kind) {
	case CK_ASCII:
		return cs_decode_ascii(data, len, out);
	case CK_UTF8:
		return mugai_charset_utf8_clean(data, len, strict, out);
	case CK_CP50221:
		return cs_decode_cp50221(data, len, strict, out);
	case CK_ICONV:
	default:
		return cs_decode_iconv(cv->cv_iconv, cv->cv_iso2022, data,
		    len, strict, out);
	}
}

/*
 * Candidates
 */

struct cs_cands {
	const struct cs_conv *cc_list[CS_CAND_MAX];
	gsize cc_n;
	gboolean cc_utf8_valid;	/* detection found valid UTF-8 (NULs aside) */
};

static void
cs_cands_add(struct cs_cands *c, const struct cs_conv *cv)
{
	for (gsize i = 0; i < c->cc_n; i++)
		if (c->cc_list[i] == cv ||
		    strcmp(c->cc_list[i]->cv_name, cv->cv_name) == 0)
			return;
	if (c->cc_n < CS_CAND_MAX)
		c->cc_list[c->cc_n++] = cv;
}

static void
cs_cands_chain(struct cs_cands *c, const struct cs_conv *const *chain)
{
	if (chain == NULL)
		return;
	for (gsize i = 0; chain[i] != NULL; i++)
		cs_cands_add(c, chain[i]);
}

/* Returns the family chain for a detected name, NULL for none. */
static const struct cs_conv *const *
cs_chain_of(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "us-ascii") == 0)
		return chain_ascii;
	if (strcmp(name, "utf-8") == 0)
		return chain_utf8;
	if (strcmp(name, "iso-2022-jp") == 0)
		return chain_jis;
	if (strcmp(name, "cp932") == 0)
		return chain_sjis;
	if (strcmp(name, "euc-jp") == 0)
		return chain_eucjp;
	return NULL;
}

static const struct cs_conv *const *
cs_chain_of_class(enum mugai_cs_class cls)
{
	switch (cls) {
	case MUGAI_CS_ASCII:
		return chain_ascii;
	case MUGAI_CS_UTF8:
		return chain_utf8;
	case MUGAI_CS_JIS:
		return chain_jis;
	case MUGAI_CS_SJIS:
		return chain_sjis;
	case MUGAI_CS_EUCJP:
		return chain_eucjp;
	default:
		return NULL;
	}
}

/*
 * Fills cands for data under label (NULL: none or unknown); own is the
 * storage for a non-Japanese label's converter. The rules are in the
 * header comment.
 */
static void
cs_plan(const struct mugai_cs_label *label, struct cs_conv *own,
    const char *data, gsize len, struct cs_cands *cands)
{
	gboolean strong;
	const char *det = cs_detect(data, len, &strong);
	const struct cs_conv *const *dchain = cs_chain_of(det);
	const struct cs_conv *const *lchain;
	gboolean ascii_ok = label == NULL || label->cl_class != MUGAI_CS_WIDE;
	gboolean det_jp = det != NULL && strcmp(det, "us-ascii") != 0;

	cands->cc_n = 0;
	cands->cc_utf8_valid = det != NULL && strcmp(det, "utf-8") == 0;
	if (ascii_ok && det != NULL && strcmp(det, "iso-2022-jp") == 0 &&
	    !cs_has_8bit(data, len))
		cs_cands_chain(cands, chain_jis);
	if (label == NULL || (label->cl_class == MUGAI_CS_ASCII &&
	    (det == NULL || strcmp(det, "us-ascii") != 0))) {
		cs_cands_chain(cands, dchain);
		cs_cands_chain(cands, chain_western);
		return;
	}
	lchain = cs_chain_of_class(label->cl_class);
	switch (label->cl_class) {
	case MUGAI_CS_ASCII:
	case MUGAI_CS_UTF8:
	case MUGAI_CS_JIS:
	case MUGAI_CS_SJIS:
	case MUGAI_CS_EUCJP:
		if (det_jp && strong)
			cs_cands_chain(cands, dchain);
		cs_cands_chain(cands, lchain);
		if (det_jp)
			cs_cands_chain(cands, dchain);
		break;
	case MUGAI_CS_SINGLE:
		if (det != NULL && (strcmp(det, "utf-8") == 0 ||
		    strcmp(det, "iso-2022-jp") == 0 || strong))
			cs_cands_chain(cands, dchain);
		cs_cands_add(cands, own);
		cs_cands_chain(cands, chain_latin1);
		break;
	case MUGAI_CS_MULTI:
	case MUGAI_CS_WIDE:
	default:
		cs_cands_add(cands, own);
		if (det_jp)
			cs_cands_chain(cands, dchain);
		break;
	}
}

/* Appends data to out without its NUL bytes. */
static void
cs_append_sans_nul(GString *out, const char *data, gsize len)
{
	const char *p = data, *end = data + len, *nul;

	while ((nul = memchr(p, '\0', (gsize)(end - p))) != NULL) {
		g_string_append_len(out, p, nul - p);
		p = nul + 1;
	}
	g_string_append_len(out, p, end - p);
}

/* Removes NUL characters, and U+FEFF at the start. */
static void
cs_tidy(GString *out)
{
	gsize i, j;

	if (out->len >= 3 && memcmp(out->str, "\xEF\xBB\xBF", 3) == 0)
		g_string_erase(out, 0, 3);
	if (memchr(out->str, '\0', out->len) == NULL)
		return;
	for (i = j = 0; i < out->len; i++)
		if (out->str[i] != '\0')
			out->str[j++] = out->str[i];
	g_string_truncate(out, j);
}

char *
mugai_charset_to_utf8(const char *data, gsize len, const char *declared,
    gsize *out_len, const char **used, gboolean *lossy)
{
	struct mugai_cs_label scratch;
	const struct mugai_cs_label *label;
	struct cs_conv own = { CK_ICONV, NULL, NULL, FALSE };
	struct cs_cands cands;
	GString *out = g_string_sized_new(len + 1);
	const struct cs_conv *best = NULL;
	gssize best_n = -1;
	gsize i;

	/* An empty part reaches us as NULL (an empty GByteArray): make it
	 * "", since even NULL + 0 is undefined in the decoders. */
	if (data == NULL) {
		data = "";
		len = 0;
	}
	if ((label = mugai_charset_label(declared, &scratch)) != NULL) {
		own.cv_iconv = label->cl_iconv;
		own.cv_name = label->cl_name;
		own.cv_iso2022 = g_ascii_strncasecmp(own.cv_iconv,
		    "ISO-2022", 8) == 0;
	}
	cs_plan(label, &own, data, len, &cands);

	for (i = 0; i < cands.cc_n; i++) {
		g_string_truncate(out, 0);
		/*
		 * Detection validated it already: the strict UTF-8 decode
		 * would only drop the NUL bytes, so do just that.
		 */
		if (cands.cc_list[i] == &cv_utf8 && cands.cc_utf8_valid) {
			cs_append_sans_nul(out, data, len);
			best = &cv_utf8;
			best_n = 0;
			break;
		}
		if (cs_decode(cands.cc_list[i], data, len, TRUE, out) == 0) {
			best = cands.cc_list[i];
			best_n = 0;
			break;
		}
	}
	if (best == NULL) {
		/* Nothing is clean: the least damaged of the first few. */
		GString *try = g_string_sized_new(len + 1);

		for (i = 0; i < cands.cc_n && i < CS_LOSSY_TRIES; i++) {
			/*
			 * Lossy ISO-2022-JP is read pair by pair: iconv
			 * would skip one byte of an unknown pair and read
			 * every kanji after it out of step.
			 */
			const struct cs_conv *cv = cands.cc_list[i] ==
			    &cv_jis ? &cv_cp50221 : cands.cc_list[i];
			gssize n;

			g_string_truncate(try, 0);
			n = cs_decode(cv, data, len, FALSE, try);
			if (n >= 0 && (best == NULL || n < best_n)) {
				GString *t = out;

				out = try;
				try = t;
				best = cv;
				best_n = n;
			}
		}
		g_string_free(try, TRUE);
		if (best == NULL) {
			/* iconv lacks all of them; ISO-8859-1 cannot fail */
			g_string_truncate(out, 0);
			cs_decode(&cv_latin1, data, len, FALSE, out);
			best = &cv_latin1;
			best_n = 0;
		}
	}
	cs_tidy(out);
	if (out_len != NULL)
		*out_len = out->len;
	if (used != NULL)
		*used = best->cv_name;
	if (lossy != NULL)
		*lossy = best_n > 0;
	return g_string_free(out, FALSE);
}


/* The offset of name's final ".ext" (1-5 letters or digits), or len. */
static gsize
cs_ext_start(const char *name, gsize len)
{
	const char *dot = strrchr(name, '.');
	gsize n;

	if (dot == NULL)
		return len;
	n = len - (gsize)(dot + 1 - name);
	if (n < 1 || n > 5)
		return len;
	for (const char *p = dot + 1; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p))
			return len;
	return (gsize)(dot - name);
}

static gboolean
cs_kana_designation(const char *p)
{
	return (p[0] == '?' || p[0] == 0x1B) && p[1] == '(' && p[2] == 'I';
}

char *
mugai_charset_jis_residue(const char *name)
{
	gsize len, ext;
	const char *p;
	GString *out;

	if (name == NULL || (strstr(name, "?(I") == NULL &&
	    strstr(name, "\x1B(I") == NULL))
		return NULL;
	len = strlen(name);
	ext = cs_ext_start(name, len);
	out = g_string_sized_new(len * 2);
	for (p = name; *p != '\0'; ) {
		if (cs_kana_designation(p)) {
			p += 3;
			while ((gsize)(p - name) < ext && *p >= 0x21 &&
			    *p <= 0x5F && !cs_kana_designation(p)) {
				g_string_append_unichar(out, 0xFF61 +
				    (gunichar)(*p - 0x21));
				p++;
			}
			continue;
		}
		if (p[0] == 0x1B && p[1] == '(' && (p[2] == 'B' ||
		    p[2] == 'J')) {
			p += 3;
			continue;
		}
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}
