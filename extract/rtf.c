/*
 * rtf - the text of an RTF document, parsed here
 *
 * A tokenizer over the bytes: groups, control words (letters, an
 * optional signed number, one optional space), control symbols, \'hh
 * and text. Each group has its state (whether its text is shown, the
 * \ucN skip count, the font); text bytes and \'hh collect in the code
 * page of the current font (from \fcharsetN or \cpgN in the font table,
 * else \ansicpgN) and are converted to UTF-8 a run at a time, so the two
 * bytes of a Shift_JIS character in two \'hh stay together. \uN is a
 * UTF-16 unit (negative numbers count from 65536, surrogate pairs are
 * joined) and the ucN characters after it, the fallback for readers
 * without Unicode, are skipped. \par, \line, \sect, \page and \row end a
 * line, \tab is a tab, cells are joined by " | ".
 *
 * Not shown: the font, colour and style tables, \info, pictures,
 * object data, headers and footers, field instructions (the result is
 * shown), shape properties and every \* destination this parser does not
 * know. \binN skips N bytes. Groups nested deeper than RTF_MAX_DEPTH make
 * the job damaged ("rtf_depth"); a document that does not start with
 * "{\rtf" is damaged ("rtf_broken").
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "parsers.h"

#define RTF_MAX_DEPTH	256
#define RTF_WORD_MAX	32

struct rstate {
	gboolean rs_skip;	/* text here is not shown */
	gboolean rs_fonttbl;	/* inside \fonttbl */
	guint rs_uc;		/* \ucN */
	int rs_font;		/* \fN; -1 none */
};

struct rtf {
	struct xjob *r_job;
	const unsigned char *r_p, *r_end;
	struct rstate r_st[RTF_MAX_DEPTH];
	int r_depth;
	int r_ansicpg;		/* document code page */
	int r_deff;		/* \deffN */
	int r_deffont;		/* font being defined in \fonttbl */
	GHashTable *r_fontcp;	/* font number -> code page */
	GByteArray *r_bytes;	/* text bytes not converted yet */
	int r_bytes_cp;
	guint r_skip;		/* fallback characters left after \u */
	gunichar r_high;	/* pending high surrogate */
	gboolean r_star;	/* \* seen: the next destination is optional */
	gboolean r_cell;	/* a cell ended: " | " before more text */
};

static struct rstate *
cur(struct rtf *r)
{
	return &r->r_st[r->r_depth];
}

static const char *
cp_label(int cp)
{
	static const struct { int cp; const char *label; } t[] = {
		{ 932, "cp932" }, { 10001, "cp932" }, { 20932, "euc-jp" },
		{ 50220, "iso-2022-jp" }, { 50221, "iso-2022-jp" },
		{ 936, "gbk" }, { 949, "cp949" }, { 950, "big5" },
		{ 874, "cp874" }, { 1250, "windows-1250" },
		{ 1251, "windows-1251" }, { 1252, "windows-1252" },
		{ 1253, "windows-1253" }, { 1254, "windows-1254" },
		{ 1255, "windows-1255" }, { 1256, "windows-1256" },
		{ 1257, "windows-1257" }, { 1258, "windows-1258" },
		{ 10000, "macintosh" }, { 437, "cp437" }, { 850, "cp850" },
		{ 65001, "utf-8" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
		if (t[i].cp == cp)
			return t[i].label;
	return "windows-1252";
}

/* \fcharsetN -> code page; 0 when the document's is meant. */
static int
charset_cp(int charset)
{
	static const int t[][2] = {
		{ 0, 1252 }, { 2, 1252 }, { 77, 10000 }, { 128, 932 },
		{ 129, 949 }, { 134, 936 }, { 136, 950 }, { 161, 1253 },
		{ 162, 1254 }, { 163, 1258 }, { 177, 1255 }, { 178, 1256 },
		{ 186, 1257 }, { 204, 1251 }, { 222, 874 }, { 238, 1250 },
		{ 255, 437 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
		if (t[i][0] == charset)
			return t[i][1];
	return 0;
}

static int
font_cp(struct rtf *r)
{
	int f = cur(r)->rs_font >= 0 ? cur(r)->rs_font : r->r_deff;
	gpointer cp = g_hash_table_lookup(r->r_fontcp, GINT_TO_POINTER(f));

	return cp != NULL ? GPOINTER_TO_INT(cp) : r->r_ansicpg;
}

static void
flush(struct rtf *r)
{
	if (r->r_bytes->len == 0)
		return;
	x_put_legacy(r->r_job, (const char *)r->r_bytes->data,
	    r->r_bytes->len, cp_label(r->r_bytes_cp));
	g_byte_array_set_size(r->r_bytes, 0);
}

/* Before any text: the separator a cell end left. */
static void
before_text(struct rtf *r)
{
	if (r->r_cell) {
		r->r_cell = FALSE;
		flush(r);
		x_put(r->r_job, " | ", -1);
	}
}

static void
text_byte(struct rtf *r, unsigned char c)
{
	int cp;

	if (r->r_skip > 0) {
		r->r_skip--;
		return;
	}
	if (cur(r)->rs_skip)
		return;
	before_text(r);
	cp = font_cp(r);
	if (r->r_bytes->len > 0 && cp != r->r_bytes_cp)
		flush(r);
	r->r_bytes_cp = cp;
	g_byte_array_append(r->r_bytes, &c, 1);
	if (r->r_bytes->len >= 4096 && c < 0x80)
		flush(r);
}

static void
put_char(struct rtf *r, gunichar c)
{
	if (cur(r)->rs_skip)
		return;
	before_text(r);
	flush(r);
	x_putc(r->r_job, c);
}

static void
unicode(struct rtf *r, long n)
{
	gunichar u = (gunichar)(n < 0 ? n + 65536 : n) & 0xffff;

	r->r_skip = cur(r)->rs_uc;
	if (cur(r)->rs_skip)
		return;
	if (u >= 0xd800 && u < 0xdc00) {
		r->r_high = u;
		return;
	}
	if (u >= 0xdc00 && u < 0xe000) {
		if (r->r_high != 0)
			put_char(r, 0x10000 + ((r->r_high - 0xd800) << 10) +
			    (u - 0xdc00));
		r->r_high = 0;
		return;
	}
	r->r_high = 0;
	put_char(r, u);
}

/* Destinations whose text is not shown. */
static gboolean
hidden_destination(const char *w)
{
	static const char *const d[] = {
		"fonttbl", "colortbl", "stylesheet", "info", "pict",
		"objdata", "objclass", "objname", "header", "headerl",
		"headerr", "headerf", "footer", "footerl", "footerr",
		"footerf", "fldinst", "themedata", "colorschememapping",
		"datastore", "latentstyles", "listtable", "listoverridetable",
		"rsidtbl", "generator", "xmlnstbl", "mmathPr", "filetbl",
		"revtbl", "pgdsctbl", "sp", "sn", "sv", "xe", "tc", "template",
		"userprops", "docvar", "ftnsep", "ftnsepc", "aftnsep",
		"aftnsepc", "nonshppict", "bkmkstart", "bkmkend", "falt",
		"panose", "listtext", "pntxta", "pntxtb",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(d); i++)
		if (strcmp(w, d[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
control_word(struct rtf *r, const char *w, gboolean has_n, long n)
{
	static const struct { const char *w; gunichar c; } chars[] = {
		{ "emdash", 0x2014 }, { "endash", 0x2013 },
		{ "bullet", 0x2022 }, { "lquote", 0x2018 },
		{ "rquote", 0x2019 }, { "ldblquote", 0x201c },
		{ "rdblquote", 0x201d }, { "emspace", 0x2003 },
		{ "enspace", 0x2002 }, { "qmspace", 0x2005 },
		{ "tab", '\t' }, { "par", '\n' }, { "line", '\n' },
		{ "sect", '\n' }, { "page", '\n' },
	};
	struct rstate *st = cur(r);
	gboolean star = r->r_star;

	r->r_star = FALSE;
	if (strcmp(w, "u") == 0 && has_n) {
		unicode(r, n);
		return;
	}
	if (r->r_skip > 0) {
		r->r_skip--;
		return;
	}
	if (strcmp(w, "fonttbl") == 0) {
		st->rs_fonttbl = TRUE;
		st->rs_skip = TRUE;
	} else if (star || hidden_destination(w))
		st->rs_skip = TRUE;
	else if (strcmp(w, "bin") == 0 && has_n && n > 0)
		r->r_p += MIN((gsize)n, (gsize)(r->r_end - r->r_p));
	else if (strcmp(w, "ansicpg") == 0 && has_n)
		r->r_ansicpg = (int)n;
	else if (strcmp(w, "mac") == 0)
		r->r_ansicpg = 10000;
	else if (strcmp(w, "pc") == 0)
		r->r_ansicpg = 437;
	else if (strcmp(w, "pca") == 0)
		r->r_ansicpg = 850;
	else if (strcmp(w, "deff") == 0 && has_n)
		r->r_deff = (int)n;
	else if (strcmp(w, "uc") == 0 && has_n)
		st->rs_uc = (guint)CLAMP(n, 0, 8);
	else if (strcmp(w, "f") == 0 && has_n) {
		if (st->rs_fonttbl)
			r->r_deffont = (int)n;
		else
			st->rs_font = (int)n;
	} else if (st->rs_fonttbl && (strcmp(w, "fcharset") == 0 ||
	    strcmp(w, "cpg") == 0) && has_n) {
		int cp = strcmp(w, "fcharset") == 0 ? charset_cp((int)n) :
		    (int)n;

		if (cp != 0)
			g_hash_table_replace(r->r_fontcp,
			    GINT_TO_POINTER(r->r_deffont), GINT_TO_POINTER(cp));
	} else if (strcmp(w, "cell") == 0) {
		flush(r);
		if (!st->rs_skip)
			r->r_cell = TRUE;
	} else if (strcmp(w, "row") == 0) {
		r->r_cell = FALSE;
		put_char(r, '\n');
	} else
		for (gsize i = 0; i < G_N_ELEMENTS(chars); i++)
			if (strcmp(w, chars[i].w) == 0) {
				put_char(r, chars[i].c);
				break;
			}
}

static int
hexval(unsigned char c)
{
	return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

static void
control_symbol(struct rtf *r, unsigned char c)
{
	if (c == '\'') {
		int hi, lo;

		if (r->r_end - r->r_p < 2 || (hi = hexval(r->r_p[0])) < 0 ||
		    (lo = hexval(r->r_p[1])) < 0)
			return;
		r->r_p += 2;
		text_byte(r, (unsigned char)(hi << 4 | lo));
		return;
	}
	if (c == '*') {
		r->r_star = TRUE;
		return;
	}
	if (r->r_skip > 0) {
		r->r_skip--;
		return;
	}
	switch (c) {
	case '\\': case '{': case '}':
		text_byte(r, c);
		break;
	case '~':
		put_char(r, 0xa0);
		break;
	case '_':
		put_char(r, '-');
		break;
	case '\n': case '\r':
		put_char(r, '\n');
		break;
	case '\t':
		put_char(r, '\t');
		break;
	default:
		break;			/* \- \| \: ... */
	}
}

/* After a backslash. */
static void
control(struct rtf *r)
{
	char w[RTF_WORD_MAX + 1];
	gsize n = 0;
	gboolean neg = FALSE, has_n = FALSE;
	long v = 0;

	if (r->r_p >= r->r_end)
		return;
	if (!g_ascii_isalpha(*r->r_p)) {
		control_symbol(r, *r->r_p++);
		return;
	}
	while (r->r_p < r->r_end && g_ascii_isalpha(*r->r_p)) {
		if (n < RTF_WORD_MAX)
			w[n++] = (char)*r->r_p;
		r->r_p++;
	}
	w[n] = '\0';
	if (r->r_p < r->r_end && *r->r_p == '-') {
		neg = TRUE;
		r->r_p++;
	}
	for (int d = 0; r->r_p < r->r_end && g_ascii_isdigit(*r->r_p); d++) {
		if (d < 10)
			v = v * 10 + (*r->r_p - '0');
		has_n = TRUE;
		r->r_p++;
	}
	if (neg)
		v = -v;
	if (r->r_p < r->r_end && *r->r_p == ' ')
		r->r_p++;
	control_word(r, w, has_n, v);
}

static gboolean
group(struct rtf *r, gboolean open)
{
	flush(r);
	r->r_skip = 0;
	if (open) {
		if (r->r_depth + 1 >= RTF_MAX_DEPTH) {
			x_outcome(r->r_job, MUGAI_EXTRACT_DAMAGED, "rtf_depth");
			return FALSE;
		}
		r->r_st[r->r_depth + 1] = r->r_st[r->r_depth];
		r->r_depth++;
		return TRUE;
	}
	if (r->r_depth == 0)
		return TRUE;
	r->r_depth--;
	r->r_star = FALSE;
	return TRUE;
}

void
x_rtf(struct xjob *job)
{
	struct rtf r;
	guint steps = 0;

	job->xj_kind = "rtf";
	memset(&r, 0, sizeof r);
	r.r_job = job;
	r.r_p = job->xj_data;
	r.r_end = job->xj_data + job->xj_len;
	while (r.r_p < r.r_end && g_ascii_isspace(*r.r_p))
		r.r_p++;
	if (r.r_end - r.r_p < 5 || memcmp(r.r_p, "{\\rtf", 5) != 0) {
		x_outcome(job, MUGAI_EXTRACT_DAMAGED, "rtf_broken");
		return;
	}
	r.r_ansicpg = 1252;
	r.r_deff = -1;
	r.r_st[0].rs_uc = 1;
	r.r_st[0].rs_font = -1;
	r.r_fontcp = g_hash_table_new(g_direct_hash, g_direct_equal);
	r.r_bytes = g_byte_array_new();
	while (r.r_p < r.r_end) {
		unsigned char c = *r.r_p++;

		if ((++steps & 65535) == 0 && x_stop(job))
			break;
		if (x_done(job))
			break;
		if (c == '{' || c == '}') {
			if (!group(&r, c == '{'))
				break;
		} else if (c == '\\')
			control(&r);
		else if (c == '\r' || c == '\n')
			continue;
		else
			text_byte(&r, c);
	}
	flush(&r);
	g_byte_array_unref(r.r_bytes);
	g_hash_table_unref(r.r_fontcp);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}
