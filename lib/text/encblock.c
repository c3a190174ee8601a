/*
 * mugai_encblock - find and cut uuencode, yEnc, BinHex, armor and base64
 * blocks in text, one line at a time
 *
 * A state machine over lines. Lines whose fate is not yet known (a
 * "begin 644 x" line before we see whether uu data follows, the first three
 * lines of a possible base64 run, an empty line inside uu data) are
 * appended to the output at once and cut again with g_string_truncate()
 * when the block turns out real: lookahead costs no extra memory and no
 * second pass. Block data is decoded and hashed as it passes.
 *
 * Choices (doc/design.md: an attachment in disguise is removed and listed):
 * - "begin NNN name" starts a uuencode block only when the next line is a
 *   well-formed uu line (or base64 line for begin-base64); otherwise the
 *   line is prose and stays (mugai_textsafe() then defuses it).
 * - uu data ends at "end"; without one, at the first line that is not uu
 *   data. yEnc starts at "=ybegin ... name=" and ends at =yend; without
 *   one, at the first empty line or the line after a short (last) line.
 *   BinHex ends at the line ending in ':'; armor at "-----END"; without
 *   them, where their kind of line stops. A BinHex marker, an armor
 *   BEGIN or a =ybegin line with no data after it is text, like a lone
 *   begin line.
 * - "-----BEGIN PGP SIGNED MESSAGE-----" and its Hash: header stay: they
 *   introduce the signed text, which is the message. The signature block
 *   after the text is cut like any armor.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/digest.h"
#include "text/encblock.h"

enum eb_state {
	EB_TEXT,
	EB_UU_MAYBE,		/* begin line kept tentatively at es_mark */
	EB_UU,
	EB_UU_ZERO,		/* empty line in uu data, kept tentatively */
	EB_UU64,		/* begin-base64 data */
	EB_B64,			/* run of base64-looking lines */
	EB_YENC_MAYBE,		/* =ybegin line kept tentatively */
	EB_YENC,
	EB_BINHEX_WAIT,		/* marker, blanks kept tentatively */
	EB_BINHEX,
	EB_ARMOR_MAYBE,		/* BEGIN, headers, blanks tentatively */
	EB_ARMOR_BODY,
};

#define EB_HX_MAX	128	/* decoded BinHex header bytes we keep */

struct eb_scan {
	GString *es_out;
	GPtrArray *es_found;
	guint es_n;
	enum eb_state es_state;
	gsize es_mark;		/* es_out->len before tentative lines */
	guint es_b64run;	/* base64-looking lines kept so far */
	struct mugai_encblock *es_cur;
	struct mugai_digest *es_dg;
	guint64 es_size;
	gboolean es_decoded;	/* hash decoded data, not the raw lines */
	int es_b64state;	/* g_base64_decode_step() state */
	guint es_b64save;
	gboolean es_yesc;	/* yEnc '=' at the end of the last line */
	gsize es_yline;		/* yEnc line= length, or 0 */
	gsize es_ypline;	/* ... from a tentative =ybegin line */
	gboolean es_yshort;	/* a short (last) yEnc line was seen */
	char *es_pname;		/* name from a tentative begin line */
	gboolean es_uu64;	/* ... and whether it was begin-base64 */
	guchar es_hx[EB_HX_MAX];	/* BinHex header, after RLE */
	guint es_hxlen;
	guint32 es_hxbits;
	int es_hxnbits;
	int es_hxprev;
	gboolean es_hxrle;
	gboolean es_hxdone;
	gboolean es_hxdata;	/* a BinHex data line was seen */
};

static const char binhex_alpha[] =
    "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";
static const char binhex_marker[] = "(this file must be converted with binhex";

void
mugai_encblock_free(struct mugai_encblock *eb)
{
	if (eb == NULL)
		return;
	g_free(eb->eb_kind);
	g_free(eb->eb_filename);
	g_free(eb);
}

static gboolean
eb_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Strips ASCII white space at both ends of [*p, *p + *n). */
static void
eb_strip(const char **p, gsize *n)
{
	while (*n > 0 && eb_isspace((*p)[0])) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && eb_isspace((*p)[*n - 1]))
		(*n)--;
}

static gboolean
eb_prefix(const char *s, gsize n, const char *pre)
{
	gsize k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

static gboolean
eb_isb64(char c)
{
	return g_ascii_isalnum(c) || c == '+' || c == '/';
}

/* check_sanitized.py's B64_LINE_RE on the stripped line. */
static gboolean
eb_b64_line(const char *s, gsize n)
{
	gsize i = 0, pad = 0;

	eb_strip(&s, &n);
	while (i < n && eb_isb64(s[i]))
		i++;
	if (i < 20)
		return FALSE;
	while (i < n && s[i] == '=' && pad < 2) {
		i++;
		pad++;
	}
	return i == n;
}

/* A non-empty line of base64 alphabet and '=' only (stripped). */
static gboolean
eb_b64_chars(const char *s, gsize n)
{
	eb_strip(&s, &n);
	if (n == 0)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!eb_isb64(s[i]) && s[i] != '=')
			return FALSE;
	return TRUE;
}

/*
 * "begin[-base64] NNN name" (the stripped line). On success stores the
 * name (transfer full) and whether it is begin-base64.
 */
static gboolean
eb_uu_begin(const char *s, gsize n, char **name, gboolean *b64)
{
	gsize i = 5, d = 0;

	eb_strip(&s, &n);
	if (!eb_prefix(s, n, "begin"))
		return FALSE;
	*b64 = eb_prefix(s + 5, n - 5, "-base64");
	if (*b64)
		i += 7;
	if (i >= n || !eb_isspace(s[i]))
		return FALSE;
	while (i < n && eb_isspace(s[i]))
		i++;
	while (i + d < n && s[i + d] >= '0' && s[i + d] <= '7')
		d++;
	if (d < 3 || d > 4)
		return FALSE;
	i += d;
	if (i >= n || !eb_isspace(s[i]))
		return FALSE;
	while (i < n && eb_isspace(s[i]))
		i++;
	if (i >= n)
		return FALSE;
	*name = g_strndup(s + i, n - i);
	return TRUE;
}

/*
 * A uu data line: a length character, then characters in 0x20..0x60, as
 * many as the length needs; up to four trailing ones may be missing
 * (mailers strip trailing spaces, which encode zeros). strict (the line
 * that decides a block starts) also refuses a zero length.
 */
static gboolean
eb_uu_line(const char *s, gsize n, gboolean strict)
{
	guint bytes, need;
	gsize enc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0 || s[0] < 0x20 || s[0] > 0x60)
		return FALSE;
	bytes = (guint)(s[0] - 0x20) & 0x3f;
	if (bytes > 45)
		return FALSE;
	for (gsize i = 1; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x60)
			return FALSE;
	enc = n - 1;
	need = (bytes + 2) / 3 * 4;
	if (strict && bytes == 0)
		return FALSE;
	return enc + 4 >= need && enc <= need + 2;
}

static void
eb_data(struct eb_scan *es, const void *buf, gsize n)
{
	mugai_digest_update(es->es_dg, buf, n);
	es->es_size += n;
}

/* Cut raw bytes of a block that is not decoded are what we hash. */
static void
eb_raw(struct eb_scan *es, const char *l, gsize raw)
{
	if (!es->es_decoded)
		eb_data(es, l, raw);
}

static void
eb_uu_decode(struct eb_scan *es, const char *s, gsize n)
{
	guchar outb[48];
	guint bytes, o = 0;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return;
	bytes = (guint)(s[0] - 0x20) & 0x3f;
	for (gsize i = 1; o < bytes; i += 4) {
		guint32 v = 0;

		for (gsize k = 0; k < 4; k++) {
			guchar c = i + k < n ? (guchar)s[i + k] : ' ';

			v = (v << 6) | ((c - 0x20) & 0x3f);
		}
		for (int k = 2; k >= 0 && o < bytes; k--)
			outb[o++] = (guchar)(v >> (8 * k));
	}
	eb_data(es, outb, o);
}

static void
eb_b64_decode(struct eb_scan *es, const char *s, gsize n)
{
	guchar outb[3 * 1024 + 3];

	eb_strip(&s, &n);
	while (n > 0) {
		gsize k = MIN(n, 4096);
		gsize o = g_base64_decode_step(s, k, outb, &es->es_b64state,
		    &es->es_b64save);

		eb_data(es, outb, o);
		s += k;
		n -= k;
	}
}

static void
eb_yenc_decode(struct eb_scan *es, const char *s, gsize n)
{
	guchar outb[1024];
	gsize o = 0;

	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)s[i];

		if (c == '\r' || c == '\n')
			continue;
		if (!es->es_yesc && c == '=') {
			es->es_yesc = TRUE;
			continue;
		}
		if (es->es_yesc) {
			c = (guchar)(c - 64);
			es->es_yesc = FALSE;
		}
		outb[o++] = (guchar)(c - 42);
		if (o == sizeof outb) {
			eb_data(es, outb, o);
			o = 0;
		}
	}
	eb_data(es, outb, o);
}

static void
eb_hx_byte(struct eb_scan *es, int b)
{
	if (es->es_hxlen < EB_HX_MAX)
		es->es_hx[es->es_hxlen++] = (guchar)b;
	es->es_hxprev = b;
}

/*
 * Decodes the start of BinHex data (6-bit characters, then run-length
 * 0x90) far enough to read the header's file name: a length byte, then
 * the name.
 */
static void
eb_hx_feed(struct eb_scan *es, const char *s, gsize n)
{
	for (gsize i = 0; i < n && !es->es_hxdone; i++) {
		const char *p = s[i] != '\0' ? strchr(binhex_alpha, s[i]) :
		    NULL;
		int b;

		if (p == NULL)
			continue;
		es->es_hxbits = (es->es_hxbits << 6) | (guint32)(p -
		    binhex_alpha);
		es->es_hxnbits += 6;
		if (es->es_hxnbits < 8)
			continue;
		es->es_hxnbits -= 8;
		b = (int)((es->es_hxbits >> es->es_hxnbits) & 0xff);
		if (es->es_hxrle) {
			es->es_hxrle = FALSE;
			if (b == 0)
				eb_hx_byte(es, 0x90);
			else
				for (int k = 1; k < b; k++)
					eb_hx_byte(es, es->es_hxprev);
		} else if (b == 0x90) {
			es->es_hxrle = TRUE;
		} else {
			eb_hx_byte(es, b);
		}
		if (es->es_hxlen >= 1 && es->es_hx[0] >= 1 &&
		    es->es_hxlen >= 1u + es->es_hx[0]) {
			es->es_cur->eb_filename = g_strndup(
			    (const char *)es->es_hx + 1, es->es_hx[0]);
			es->es_hxdone = TRUE;
		} else if (es->es_hxlen >= 1 && es->es_hx[0] == 0) {
			es->es_hxdone = TRUE;
		}
	}
}

static void
eb_start(struct eb_scan *es, const char *kind, char *name /* transfer full */,
    gboolean decoded)
{
	es->es_cur = g_new0(struct mugai_encblock, 1);
	es->es_cur->eb_kind = g_strdup(kind);
	es->es_cur->eb_filename = name;
	es->es_dg = mugai_digest_new();
	es->es_size = 0;
	es->es_decoded = decoded;
	es->es_b64state = 0;
	es->es_b64save = 0;
	es->es_yesc = FALSE;
	es->es_yline = 0;
	es->es_yshort = FALSE;
	es->es_hxlen = 0;
	es->es_hxbits = 0;
	es->es_hxnbits = 0;
	es->es_hxprev = 0;
	es->es_hxrle = FALSE;
	es->es_hxdone = FALSE;
	es->es_hxdata = FALSE;
	es->es_b64run = 0;
}

static void
eb_finish(struct eb_scan *es)
{
	es->es_cur->eb_size = es->es_size;
	mugai_digest_finish(es->es_dg, es->es_cur->eb_sha256);
	es->es_dg = NULL;
	if (es->es_found != NULL)
		g_ptr_array_add(es->es_found, es->es_cur);
	else
		mugai_encblock_free(es->es_cur);
	es->es_cur = NULL;
	es->es_n++;
	es->es_state = EB_TEXT;
}

/* The stripped line has the BinHex marker somewhere. */
static gboolean
eb_binhex_marker(const char *s, gsize n)
{
	gsize k = sizeof binhex_marker - 1;

	for (const char *p = memchr(s, '(', n); p != NULL;
	    p = memchr(p + 1, '(', n - (gsize)(p + 1 - s))) {
		if ((gsize)(s + n - p) >= k &&
		    g_ascii_strncasecmp(p, binhex_marker, k) == 0)
			return TRUE;
		if (p + 1 >= s + n)
			break;
	}
	return FALSE;
}

/* A line of BinHex data: alphabet characters, ':' allowed at the ends. */
static gboolean
eb_binhex_line(const char *s, gsize n)
{
	eb_strip(&s, &n);
	if (n == 0)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (s[i] == ':' && (i == 0 || i == n - 1))
			continue;
		if (s[i] == '\0' || strchr(binhex_alpha, s[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* "-----BEGIN LABEL-----"; returns the label (transfer full) or NULL. */
static char *
eb_armor_begin(const char *s, gsize n)
{
	eb_strip(&s, &n);
	if (n <= 16 || !eb_prefix(s, n, "-----BEGIN ") ||
	    memcmp(s + n - 5, "-----", 5) != 0)
		return NULL;
	for (gsize i = 11; i < n - 5; i++)
		if (!g_ascii_isupper(s[i]) && !g_ascii_isdigit(s[i]) &&
		    s[i] != ' ')
			return NULL;
	if (g_strstr_len(s, (gssize)n, "SIGNED MESSAGE") != NULL)
		return NULL;
	return g_strndup(s + 11, n - 16);
}

/* An armor header line, "Key: value". */
static gboolean
eb_armor_header(const char *s, gsize n)
{
	gsize i = 0;

	while (i < n && (g_ascii_isalnum(s[i]) || s[i] == '-'))
		i++;
	return i > 0 && i + 1 < n && s[i] == ':' && s[i + 1] == ' ';
}

static void
eb_emit(struct eb_scan *es, const char *l, gsize raw)
{
	g_string_append_len(es->es_out, l, (gssize)raw);
}

/* A line in plain text: a block may start here. */
static void
eb_text_line(struct eb_scan *es, const char *l, gsize n, gsize raw)
{
	const char *s = l;
	gsize sn = n;
	char *name = NULL;
	const char *nm;
	gboolean b64 = FALSE;

	eb_strip(&s, &sn);
	if (eb_uu_begin(s, sn, &name, &b64)) {
		g_free(es->es_pname);
		es->es_pname = name;
		es->es_uu64 = b64;
		es->es_mark = es->es_out->len;
		es->es_b64run = 0;
		eb_emit(es, l, raw);
		es->es_state = EB_UU_MAYBE;
		return;
	}
	if (eb_prefix(s, sn, "=ybegin ") &&
	    (nm = g_strstr_len(s, (gssize)sn, " name=")) != NULL) {
		const char *ll = g_strstr_len(s, (gssize)sn, " line=");
		guint64 v = 0;

		g_free(es->es_pname);
		es->es_pname = nm + 6 < s + sn ?
		    g_strndup(nm + 6, (gsize)(s + sn - nm - 6)) : NULL;
		/* line=N: a data line much shorter than N is the last one. */
		if (ll != NULL && g_ascii_isdigit(ll[6]))
			v = g_ascii_strtoull(ll + 6, NULL, 10);
		es->es_ypline = v > 2 && v < 100000 ? (gsize)v : 0;
		es->es_mark = es->es_out->len;
		eb_emit(es, l, raw);
		es->es_b64run = 0;
		es->es_state = EB_YENC_MAYBE;
		return;
	}
	if (eb_binhex_marker(s, sn)) {
		es->es_mark = es->es_out->len;
		eb_emit(es, l, raw);
		es->es_b64run = 0;
		es->es_state = EB_BINHEX_WAIT;
		return;
	}
	if ((name = eb_armor_begin(s, sn)) != NULL) {
		g_free(es->es_pname);
		es->es_pname = name;
		es->es_mark = es->es_out->len;
		eb_emit(es, l, raw);
		es->es_b64run = 0;
		es->es_state = EB_ARMOR_MAYBE;
		return;
	}
	if (!eb_b64_line(s, sn)) {
		es->es_b64run = 0;
		eb_emit(es, l, raw);
		return;
	}
	if (es->es_b64run++ == 0)
		es->es_mark = es->es_out->len;
	eb_emit(es, l, raw);
	if (es->es_b64run < 4)
		return;
	/* Four in a row: a block. Decode the kept lines and cut them. */
	eb_start(es, "base64", NULL, TRUE);
	for (gsize i = es->es_mark; i < es->es_out->len;) {
		const char *ls = es->es_out->str + i;
		const char *nl = memchr(ls, '\n', es->es_out->len - i);
		gsize ln = nl != NULL ? (gsize)(nl - ls) : es->es_out->len - i;

		eb_b64_decode(es, ls, ln);
		i += ln + 1;
	}
	g_string_truncate(es->es_out, es->es_mark);
	es->es_state = EB_B64;
}

/* The tentative lines since es_mark were a block's start: hash, cut them. */
static void
eb_commit(struct eb_scan *es, const char *kind, enum eb_state next)
{
	eb_start(es, kind, es->es_pname, FALSE);
	es->es_pname = NULL;
	eb_raw(es, es->es_out->str + es->es_mark,
	    es->es_out->len - es->es_mark);
	g_string_truncate(es->es_out, es->es_mark);
	es->es_state = next;
}

/*
 * One line in the current state. A state that does not take the line ends
 * its block and hands the line back as text.
 */
static void
eb_line(struct eb_scan *es, const char *l, gsize n, gsize raw)
{
	const char *s = l;
	gsize sn = n;

	eb_strip(&s, &sn);
	for (;;) {
		switch (es->es_state) {
		case EB_TEXT:
			eb_text_line(es, l, n, raw);
			return;
		case EB_UU_MAYBE:
			if (es->es_uu64 ? (eb_b64_chars(s, sn) &&
			    !eb_prefix(s, sn, "====")) :
			    eb_uu_line(l, n, TRUE)) {
				g_string_truncate(es->es_out, es->es_mark);
				eb_start(es, "uuencode", es->es_pname, TRUE);
				es->es_pname = NULL;
				es->es_state = es->es_uu64 ? EB_UU64 : EB_UU;
				continue;
			}
			es->es_state = EB_TEXT;
			continue;
		case EB_UU_ZERO:
			if (sn == 3 && memcmp(s, "end", 3) == 0) {
				g_string_truncate(es->es_out, es->es_mark);
				eb_finish(es);
				return;
			}
			if (eb_uu_line(l, n, FALSE) && sn > 0) {
				g_string_truncate(es->es_out, es->es_mark);
				es->es_state = EB_UU;
				continue;
			}
			eb_finish(es);	/* the empty line stays */
			continue;
		case EB_UU:
			if (sn == 3 && memcmp(s, "end", 3) == 0) {
				eb_finish(es);
				return;
			}
			if (sn == 0) {
				es->es_mark = es->es_out->len;
				eb_emit(es, l, raw);
				es->es_state = EB_UU_ZERO;
				return;
			}
			if (eb_uu_line(l, n, FALSE)) {
				eb_uu_decode(es, l, n);
				return;
			}
			eb_finish(es);
			continue;
		case EB_UU64:
			if ((sn == 4 && memcmp(s, "====", 4) == 0) ||
			    (sn == 3 && memcmp(s, "end", 3) == 0)) {
				eb_finish(es);
				return;
			}
			if (eb_b64_chars(s, sn)) {
				eb_b64_decode(es, s, sn);
				return;
			}
			eb_finish(es);
			continue;
		case EB_B64:
			if (eb_b64_line(s, sn)) {
				eb_b64_decode(es, s, sn);
				return;
			}
			eb_finish(es);
			continue;
		case EB_YENC_MAYBE:
			if (n == 0 || eb_prefix(s, sn, "=ybegin")) {
				g_clear_pointer(&es->es_pname, g_free);
				es->es_state = EB_TEXT; /* no data */
				continue;
			}
			g_string_truncate(es->es_out, es->es_mark);
			eb_start(es, "yenc", es->es_pname, TRUE);
			es->es_pname = NULL;
			es->es_yline = es->es_ypline;
			es->es_state = EB_YENC;
			continue;
		case EB_YENC:
			if (eb_prefix(l, n, "=yend")) {
				eb_finish(es);
				return;
			}
			if (eb_prefix(l, n, "=ypart"))
				return;
			if (n == 0 || es->es_yshort ||
			    eb_prefix(s, sn, "=ybegin")) {
				eb_finish(es);
				continue;
			}
			eb_yenc_decode(es, l, n);
			if (es->es_yline > 0 && n + 1 < es->es_yline)
				es->es_yshort = TRUE;
			return;
		case EB_BINHEX_WAIT:
			if (sn == 0) {
				eb_emit(es, l, raw);
				return;
			}
			if (s[0] == ':' && eb_binhex_line(s, sn)) {
				eb_commit(es, "binhex", EB_BINHEX);
				continue;
			}
			es->es_state = EB_TEXT; /* no data */
			continue;
		case EB_BINHEX:
			if (!eb_binhex_line(s, sn)) {
				eb_finish(es);
				continue;
			}
			eb_raw(es, l, raw);
			eb_hx_feed(es, s, sn);
			/* A lone ':' opening the data does not close it. */
			if (s[sn - 1] == ':' && (sn > 1 || es->es_hxdata))
				eb_finish(es);
			es->es_hxdata = TRUE;
			return;
		case EB_ARMOR_MAYBE:
			if (eb_prefix(s, sn, "-----END") ||
			    eb_b64_chars(s, sn)) {
				eb_commit(es, "armor", EB_ARMOR_BODY);
				continue;
			}
			if (sn == 0 || eb_armor_header(s, sn)) {
				eb_emit(es, l, raw);
				return;
			}
			g_clear_pointer(&es->es_pname, g_free);
			es->es_state = EB_TEXT; /* no body */
			continue;
		case EB_ARMOR_BODY:
			if (eb_prefix(s, sn, "-----END")) {
				eb_raw(es, l, raw);
				eb_finish(es);
				return;
			}
			if (eb_b64_chars(s, sn)) {
				eb_raw(es, l, raw);
				return;
			}
			eb_finish(es);
			continue;
		}
	}
}

guint
mugai_encblock_strip(const char *text, gsize len, GString *out,
    GPtrArray *found)
{
	struct eb_scan es;
	gsize i = 0;

	memset(&es, 0, sizeof es);
	es.es_out = out;
	es.es_found = found;
	es.es_state = EB_TEXT;
	while (i < len) {
		const char *l = text + i;
		const char *nl = memchr(l, '\n', len - i);
		gsize n = nl != NULL ? (gsize)(nl - l) : len - i;
		gsize raw = nl != NULL ? n + 1 : n;

		eb_line(&es, l, n, raw);
		i += raw;
	}
	/* Text ended inside a block: it ends here, unterminated. */
	if (es.es_state != EB_TEXT && es.es_state != EB_UU_MAYBE &&
	    es.es_state != EB_BINHEX_WAIT && es.es_state != EB_ARMOR_MAYBE &&
	    es.es_state != EB_YENC_MAYBE)
		eb_finish(&es);
	g_free(es.es_pname);
	return es.es_n;
}
