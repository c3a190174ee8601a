/*
 * mugai_textsafe - three linear passes over the text
 *
 * 1. Drop: invalid UTF-8, C0 controls but TAB and LF, DEL, C1, bidi
 *    embedding/override/isolate controls, BOMs at the start.
 * 2. Markup: find what check_sanitized.py's MARKUP_RULES, TAG_RE, uu/yEnc/
 *    BinHex/armor headers, base64 runs and forbidden Content-Type lines
 *    would match, and replace one character of each with a look-alike.
 *    Matching mirrors Python's re semantics where it matters: \s is
 *    Unicode white space, re.I also folds U+017F (s), U+212A (k), U+0130
 *    and U+0131 (i). Where we differ we match more, never less.
 * 3. Signatures: the validator looks for file magic in the UTF-8 bytes and
 *    in the latin-1 projection of the text (characters above U+00FF
 *    dropped, so "%" + kanji + "PDF-1" is "%PDF-1" there). Two small rings
 *    follow the last characters of each view and break a signature when
 *    its last character arrives.
 *
 * The replaced character is chosen so that removing it from the latin-1
 * view (a full-width character is not latin-1) cannot join its
 * neighbours into a new signature: "%PDF-1" loses its 'P', not its '%'
 * ("%%PDF-1" would otherwise become "%" + "PDF-1" again). That is why
 * this differs from the obvious first character in a few places. '-' is
 * replaced by U+2212, which ISO-2022-JP encoders map from JIS 0x215D (and
 * the validator folds back to '-'); U+FF0D has no JIS X 0208 code in
 * glibc's or Python's ISO-2022-JP.
 *
 * Edits are collected as (offset, replacement) and applied in one copy,
 * so no pass is quadratic whatever the input.
 *
 * Speed: most text needs no edit, so each pass finds its few candidates
 * cheaply and runs the exact matcher only there. Pass 1 copies runs of
 * printable ASCII and of kana and kanji (U+3000..U+CFFF) and decodes
 * other well-formed 2- and 3-byte UTF-8 itself (GLib for anything else);
 * pass 2 visits only the ASCII characters a rule can start with (non-ASCII
 * characters fold to none of them: eight high bytes are skipped at once),
 * and looks at base64 runs only on lines that start, after blanks, with
 * 20 base64 characters or with non-ASCII white space;
 * pass 3 first asks whether any signature occurs in the text's unedited
 * views at all (memmem over the text and its latin-1 projection): until
 * the first signature completes the rings hold exactly those views, so
 * when none occurs the rings would make no edit and are skipped.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "text/textsafe.h"

struct ts_edit {
	gsize te_off;		/* byte offset of the replaced character */
	guint te_len;		/* its length in bytes */
	char te_rep[8];		/* the replacement, UTF-8 */
	guint te_replen;
};

struct ts_ctx {
	const char *tc_s;
	gsize tc_n;
	GArray *tc_edits;	/* struct ts_edit */
};

#define TS_U_FW_OFFSET	0xFEE0	/* 0x21..0x7E to U+FF01..U+FF5E */
#define TS_U_IDSP	0x3000	/* IDEOGRAPHIC SPACE */
#define TS_U_MINUS	0x2212	/* MINUS SIGN (JIS 0x215D) */

/* ---------------------------------------------------------------- edits */

static void
ts_edit_cp(GArray *edits, gsize off, guint len, gunichar rep, gunichar rep2)
{
	struct ts_edit e;

	memset(&e, 0, sizeof e);
	e.te_off = off;
	e.te_len = len;
	e.te_replen = (guint)g_unichar_to_utf8(rep, e.te_rep);
	if (rep2 != 0)
		e.te_replen += (guint)g_unichar_to_utf8(rep2,
		    e.te_rep + e.te_replen);
	g_array_append_val(edits, e);
}

/* Replaces the ASCII character at off by its full-width form. */
static void
ts_edit_fw(GArray *edits, gsize off, char c)
{
	gunichar rep;

	if (c == ' ')
		rep = TS_U_IDSP;
	else if (c == '-')
		rep = TS_U_MINUS;
	else
		rep = (gunichar)(guchar)c + TS_U_FW_OFFSET;
	ts_edit_cp(edits, off, 1, rep, 0);
}

static int
ts_edit_cmp(const void *a, const void *b)
{
	const struct ts_edit *x = a, *y = b;

	return x->te_off < y->te_off ? -1 : x->te_off > y->te_off;
}

/* Applies edits (any order, duplicates ignored); returns how many. */
static guint
ts_apply(GString *text, GArray *edits)
{
	GString *out;
	gsize from = 0;
	guint n = 0;

	if (edits->len == 0)
		return 0;
	qsort(edits->data, edits->len, sizeof(struct ts_edit), ts_edit_cmp);
	out = g_string_sized_new(text->len + 8 * edits->len);
	for (guint i = 0; i < edits->len; i++) {
		const struct ts_edit *e = &g_array_index(edits, struct ts_edit,
		    i);

		if (e->te_off < from)
			continue;	/* second edit of one character */
		g_string_append_len(out, text->str + from,
		    (gssize)(e->te_off - from));
		g_string_append_len(out, e->te_rep, (gssize)e->te_replen);
		from = e->te_off + e->te_len;
		n++;
	}
	g_string_append_len(out, text->str + from, (gssize)(text->len - from));
	g_string_truncate(text, 0);
	g_string_append_len(text, out->str, (gssize)out->len);
	g_string_free(out, TRUE);
	g_array_set_size(edits, 0);
	return n;
}

/* ---------------------------------------------------------------- pass 1 */

static gboolean
ts_drop(gunichar c, gboolean at_start)
{
	if (c < 0x20)
		return c != '\t' && c != '\n';
	if (c >= 0x7f && c <= 0x9f)
		return TRUE;
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return TRUE;
	return c == 0xfeff && at_start;
}

#define TS_ONES		0x0101010101010101ULL
#define TS_HIGHS	0x8080808080808080ULL

/* Printable ASCII, TAB and LF: kept as they are by pass 1. */
static inline gboolean
ts_plain(guchar b)
{
	return (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t';
}

/*
 * Are the 8 bytes at s all ts_plain()? Each byte is tested on its own
 * (no carry crosses a byte: the 7-bit values plus at most 0x7f stay
 * below 0x100), so a line break no longer ends the word-at-a-time run.
 */
static inline gboolean
ts_word_plain(const guchar *s)
{
	guint64 x, lt20, del, lf, tab;

	memcpy(&x, s, 8);
	if (x & TS_HIGHS)
		return FALSE;
	/* Per byte, high bit set: < 0x20, 0x7f, LF, TAB. */
	lt20 = ~(x + TS_ONES * (0x80 - 0x20)) & TS_HIGHS;
	del = (x + TS_ONES) & TS_HIGHS;
	lf = ~((x ^ (TS_ONES * '\n')) + TS_ONES * 0x7f) & TS_HIGHS;
	tab = ~((x ^ (TS_ONES * '\t')) + TS_ONES * 0x7f) & TS_HIGHS;
	return ((lt20 & ~(lf | tab)) | del) == 0;
}

/*
 * The character at s[0] (n > 0 bytes left) when it is well-formed UTF-8
 * of 2 or 3 bytes that g_utf8_get_char_validated() surely accepts (not
 * overlong, no surrogate, no noncharacter); stores its length in *k.
 * Returns (gunichar)-1 for anything else: GLib decides those.
 */
static inline gunichar
ts_utf8_fast(const guchar *s, gsize n, gsize *k)
{
	guchar b = s[0];

	if (b >= 0xc2 && b <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return (gunichar)-1;
		*k = 2;
		return ((gunichar)(b & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (b >= 0xe1 && b <= 0xef && b != 0xed) {
		gunichar c;

		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return (gunichar)-1;
		c = ((gunichar)(b & 0x0f) << 12) |
		    ((gunichar)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe)
			return (gunichar)-1;
		*k = 3;
		return c;
	}
	return (gunichar)-1;
}

/* Compacts text in place; returns the number of characters dropped. */
static guint
ts_strip(GString *text)
{
	guchar *s = (guchar *)text->str;
	gsize r = 0, w = 0, len = text->len;
	guint n = 0;

	while (r < len) {
		gsize r0 = r, k;
		gunichar c;

		/*
		 * Runs kept as they are: printable ASCII, TAB and LF (eight
		 * bytes at a time, across line breaks), and the 3-byte
		 * characters U+3000..U+CFFF (lead E3..EC: kana, kanji,
		 * hangul), which are never overlong, surrogates,
		 * noncharacters nor dropped.
		 */
		for (;;) {
			while (r + 8 <= len && ts_word_plain(s + r))
				r += 8;
			if (r < len && ts_plain(s[r])) {
				r++;
				continue;
			}
			if (r + 3 <= len && s[r] >= 0xe3 && s[r] <= 0xec &&
			    (s[r + 1] & 0xc0) == 0x80 &&
			    (s[r + 2] & 0xc0) == 0x80) {
				r += 3;
				continue;
			}
			break;
		}
		if (r > r0) {
			if (w != r0)
				memmove(s + w, s + r0, r - r0);
			w += r - r0;
			if (r == len)
				break;
		}
		if ((c = ts_utf8_fast(s + r, len - r, &k)) == (gunichar)-1) {
			c = g_utf8_get_char_validated((const char *)s + r,
			    (gssize)(len - r));
			if (c == (gunichar)-1 || c == (gunichar)-2) {
				r++;	/* invalid byte (or NUL) */
				n++;
				continue;
			}
			k = (gsize)g_utf8_skip[s[r]];
		}
		if (ts_drop(c, w == 0)) {
			n++;
		} else {
			if (w != r)
				memmove(s + w, s + r, k);
			w += k;
		}
		r += k;
	}
	g_string_truncate(text, w);
	return n;
}

/* ---------------------------------------------------------------- pass 2 */

/* The character at *pos (0 past the end: pass 1 removed every NUL). */
static inline gunichar
ts_get(const struct ts_ctx *c, gsize *pos)
{
	gunichar u;

	if (*pos >= c->tc_n)
		return 0;
	if ((guchar)c->tc_s[*pos] < 0x80)
		return (guchar)c->tc_s[(*pos)++];
	u = g_utf8_get_char(c->tc_s + *pos);
	*pos = (gsize)(g_utf8_next_char(c->tc_s + *pos) - c->tc_s);
	return u;
}

static inline gunichar
ts_peek(const struct ts_ctx *c, gsize pos)
{
	return ts_get(c, &pos);
}

/* Python's re.IGNORECASE view of a character, for ASCII patterns. */
static inline gunichar
ts_fold(gunichar u)
{
	if (u < 0x80)
		return u >= 'A' && u <= 'Z' ? u + ('a' - 'A') : u;
	if (u == 0x17f)
		return 's';
	if (u == 0x212a)
		return 'k';
	if (u == 0x130 || u == 0x131)
		return 'i';
	return u;
}

/* Python's \s on str. */
static inline gboolean
ts_space(gunichar u)
{
	return (u >= 0x09 && u <= 0x0d) || (u >= 0x1c && u <= 0x20) ||
	    u == 0x85 || u == 0xa0 || u == 0x1680 ||
	    (u >= 0x2000 && u <= 0x200a) || u == 0x2028 || u == 0x2029 ||
	    u == 0x202f || u == 0x205f || u == 0x3000;
}

/* A subset of Python's \w: so our \b is true wherever Python's is. */
static inline gboolean
ts_word(gunichar u)
{
	return u < 0x80 && (g_ascii_isalnum((gchar)u) || u == '_');
}

/* [a-z] under re.I. */
static gboolean
ts_letter(gunichar u)
{
	u = ts_fold(u);
	return u < 0x80 && g_ascii_islower((gchar)u);
}

static gsize
ts_skip_space(const struct ts_ctx *c, gsize pos)
{
	gsize q = pos;

	while (ts_space(ts_get(c, &q)))
		pos = q;
	return pos;
}

/* Folded match of the lower-case ASCII word w at *pos; advances on match. */
static gboolean
ts_kw(const struct ts_ctx *c, gsize *pos, const char *w)
{
	gsize q = *pos;

	for (; *w != '\0'; w++)
		if (ts_fold(ts_get(c, &q)) != (gunichar)(guchar)*w)
			return FALSE;
	*pos = q;
	return TRUE;
}

/* Exact (case-sensitive) match of w at *pos; advances on match. */
static gboolean
ts_lit(const struct ts_ctx *c, gsize *pos, const char *w)
{
	gsize k = strlen(w);

	if (c->tc_n - *pos < k || memcmp(c->tc_s + *pos, w, k) != 0)
		return FALSE;
	*pos += k;
	return TRUE;
}

/* Matches \s*<ch> at *pos; stores the offset of ch. */
static gboolean
ts_space_then(const struct ts_ctx *c, gsize pos, gunichar ch, gsize *at)
{
	pos = ts_skip_space(c, pos);
	if (ts_peek(c, pos) != ch)
		return FALSE;
	*at = pos;
	return TRUE;
}

static const char *const ts_elements[] = {
	"script", "iframe", "frame", "object", "embed", "applet", "form",
	"html", "body", "style", "svg", "meta", "base", "link", NULL
};

/*
 * An on-event attribute inside the tag that starts at at: "on" and three
 * or more letters, then "=", after white space, '/', '"' or '\'', before
 * the next '<' or '>'.
 */
static gboolean
ts_tag_has_handler(const struct ts_ctx *c, gsize at)
{
	gsize pos = at + 1;
	gunichar prev = '<';

	while (pos < c->tc_n) {
		gsize here = pos;
		gunichar u = ts_get(c, &pos);

		if (u == '<' || u == '>')
			return FALSE;
		if (ts_fold(u) == 'o' && (ts_space(prev) || prev == '/' ||
		    prev == '"' || prev == '\'')) {
			gsize q = here;
			guint letters = 0;

			ts_get(c, &q);
			if (ts_fold(ts_get(c, &q)) == 'n') {
				gsize r = q;

				while (r < c->tc_n && ts_letter(ts_peek(c, r))) {
					ts_get(c, &r);
					letters++;
				}
				if (letters >= 3 && ts_peek(c, ts_skip_space(c, r))
				    == '=')
					return TRUE;
			}
		}
		prev = u;
	}
	return FALSE;
}

/*
 * '<' starting an element that is active when read as HTML (script and its
 * kin, with or without spaces after '<'), or any tag carrying an on-event
 * attribute. Other tags are words in a text; mugai_textsafe_tags() deals
 * with text that is mostly tags.
 */
static void
ts_rule_lt(struct ts_ctx *c, gsize at)
{
	gsize pos = ts_skip_space(c, at + 1);

	if (ts_peek(c, pos) == '/')
		pos = ts_skip_space(c, pos + 1);
	if (!ts_letter(ts_peek(c, pos)))
		return;
	for (const char *const *e = ts_elements; *e != NULL; e++) {
		gsize q = pos;

		if (ts_kw(c, &q, *e) && !ts_word(ts_peek(c, q))) {
			ts_edit_fw(c->tc_edits, at, '<');
			return;
		}
	}
	if (ts_tag_has_handler(c, at))
		ts_edit_fw(c->tc_edits, at, '<');
}

/* java\s*script\s*: , vb\s*script\s*: , livescript\s*: */
static void
ts_rule_script(struct ts_ctx *c, gsize at, gunichar f)
{
	gsize pos = at, colon;

	if (f == 'j' && ts_kw(c, &pos, "java"))
		pos = ts_skip_space(c, pos);
	else if (f == 'v' && ts_kw(c, &pos, "vb"))
		pos = ts_skip_space(c, pos);
	else if (!(f == 'l' && ts_kw(c, &pos, "live")))
		return;
	if (ts_kw(c, &pos, "script") && ts_space_then(c, pos, ':', &colon))
		ts_edit_fw(c->tc_edits, colon, ':');
}

/* \bdata\s*:\s*(?:[a-z]+/[a-z0-9.+-]+\s*[;,]|,|;base64) */
static void
ts_rule_data(struct ts_ctx *c, gsize at)
{
	gsize pos = at, colon, q;
	gunichar u;
	guint k = 0;

	if (!ts_kw(c, &pos, "data") || !ts_space_then(c, pos, ':', &colon))
		return;
	pos = ts_skip_space(c, colon + 1);
	u = ts_peek(c, pos);
	q = pos + 1;
	if (u == ',' || (u == ';' && ts_kw(c, &q, "base64"))) {
		ts_edit_fw(c->tc_edits, colon, ':');
		return;
	}
	q = pos;
	while (ts_letter(ts_peek(c, q)) && ts_get(c, &q) != 0)
		k++;
	if (k == 0 || ts_get(c, &q) != '/')
		return;
	for (k = 0;; k++) {
		gsize r = q;

		u = ts_get(c, &r);
		if (!ts_letter(u) && !g_ascii_isdigit(u) && u != '.' &&
		    u != '+' && u != '-')
			break;
		q = r;
	}
	if (k == 0)
		return;
	u = ts_peek(c, ts_skip_space(c, q));
	if (u == ';' || u == ',')
		ts_edit_fw(c->tc_edits, colon, ':');
}

/* \bexpression\s*\(  and  \bbehavior\s*:\s*url */
static void
ts_rule_css(struct ts_ctx *c, gsize at, gunichar f)
{
	gsize pos = at, hit;

	if (f == 'e' && ts_kw(c, &pos, "expression") &&
	    ts_space_then(c, pos, '(', &hit)) {
		ts_edit_fw(c->tc_edits, hit, '(');
	} else if (f == 'b' && ts_kw(c, &pos, "behavior") &&
	    ts_space_then(c, pos, ':', &hit)) {
		pos = ts_skip_space(c, hit + 1);
		if (ts_kw(c, &pos, "url"))
			ts_edit_fw(c->tc_edits, hit, ':');
	}
}

static const char *const ts_events[] = {
	"load", "unload", "error", "click", "dblclick", "mouseover",
	"mouseout", "mousedown", "mouseup", "mousemove", "mouseenter",
	"mouseleave", "focus", "blur", "submit", "change", "input", "keydown",
	"keyup", "keypress", "abort", "begin", "end", "toggle",
	"animationstart", "animationend", "animationiteration",
	"transitionend", "transitionstart", "transitionrun", "pageshow",
	"beforeunload", "hashchange", "message", "resize", "scroll", "select",
	"wheel", "drop", "copy", "cut", "paste", "contextmenu", NULL
};

/*
 * \bon(?:load|...|drag\w*|pointer\w+|touch\w+)\s*=  The name runs over a
 * superset of \w (any non-space non-ASCII character counts), so a name
 * Python would accept is the same name here.
 */
static void
ts_rule_on(struct ts_ctx *c, gsize at)
{
	char name[24];
	gsize pos = at, q, eq;
	guint k = 0, len = 0;
	gunichar u;

	if (!ts_kw(c, &pos, "on"))
		return;
	for (q = pos; (u = ts_peek(c, q)) != 0; len++) {
		if (u < 0x80 ? !ts_word(u) : ts_space(u))
			break;
		if (k < sizeof name - 1)
			name[k++] = ts_fold(u) < 0x80 ? (char)ts_fold(u) : '?';
		ts_get(c, &q);
	}
	name[k] = '\0';
	if (len == 0 || !ts_space_then(c, q, '=', &eq))
		return;
	if (g_str_has_prefix(name, "drag") ||
	    (g_str_has_prefix(name, "pointer") && len > 7) ||
	    (g_str_has_prefix(name, "touch") && len > 5))
		goto hit;
	if (len >= sizeof name - 1)
		return;
	for (const char *const *e = ts_events; *e != NULL; e++)
		if (strcmp(name, *e) == 0)
			goto hit;
	return;
hit:
	ts_edit_fw(c->tc_edits, eq, '=');
}

/* ^begin(?:-base64)?\s+[0-7]{3,4}\s+\S */
static void
ts_rule_uu(struct ts_ctx *c, gsize at)
{
	gsize pos = at, q;
	guint d = 0;

	if (!ts_lit(c, &pos, "begin"))
		return;
	ts_lit(c, &pos, "-base64");
	q = ts_skip_space(c, pos);
	if (q == pos)
		return;
	while (ts_peek(c, q) >= '0' && ts_peek(c, q) <= '7') {
		q++;
		d++;
	}
	pos = ts_skip_space(c, q);
	if (d >= 3 && d <= 4 && pos > q && ts_peek(c, pos) != 0)
		ts_edit_fw(c->tc_edits, at, 'b');
}

/* -----BEGIN (PGP MESSAGE|PKCS7|PGP ARMORED FILE|ENCRYPTED[A-Z ]*)----- */
static void
ts_rule_armor(struct ts_ctx *c, gsize at)
{
	static const char *const labels[] = {
		"PGP MESSAGE", "PKCS7", "PGP ARMORED FILE", "ENCRYPTED", NULL
	};
	gsize pos = at;

	if (!ts_lit(c, &pos, "-----BEGIN "))
		return;
	for (const char *const *l = labels; *l != NULL; l++) {
		gsize q = pos;

		if (ts_lit(c, &q, *l)) {
			ts_edit_fw(c->tc_edits, at + 4, '-');
			return;
		}
	}
}

/* ^content-type\s*:\s*(forbidden type): RAW_MARKERS on a 7/8-bit body. */
static void
ts_rule_ctype(struct ts_ctx *c, gsize at)
{
	static const char *const types[] = {
		"message/rfc822", "message/partial", "message/external-body",
		"message/global", "application/ms-tnef",
		"application/vnd.ms-tnef", "application/pkcs7-mime",
		"application/x-pkcs7-mime", "application/pgp-encrypted",
		"multipart/signed", "multipart/encrypted", NULL
	};
	gsize pos = at, colon;

	if (!ts_kw(c, &pos, "content-type") ||
	    !ts_space_then(c, pos, ':', &colon))
		return;
	pos = ts_skip_space(c, colon + 1);
	for (const char *const *t = types; *t != NULL; t++) {
		gsize q = pos;

		if (ts_kw(c, &q, *t)) {
			ts_edit_fw(c->tc_edits, colon, ':');
			return;
		}
	}
}

/*
 * The ASCII bytes a rule of ts_markup() starts with, by when it applies;
 * TS_T_HIGH marks the bytes >= 0x80 (no rule starts there) so that
 * ts_markup() skips their runs at once, off its hot path.
 */
enum { TS_T_ANY = 1, TS_T_BND = 2, TS_T_BOL = 4, TS_T_HIGH = 8 };

static const guint8 ts_trigger[256] = {
	['<'] = TS_T_ANY, ['-'] = TS_T_ANY, ['('] = TS_T_ANY,
	['j'] = TS_T_ANY, ['J'] = TS_T_ANY, ['v'] = TS_T_ANY,
	['V'] = TS_T_ANY, ['l'] = TS_T_ANY, ['L'] = TS_T_ANY,
	['d'] = TS_T_BND, ['D'] = TS_T_BND, ['e'] = TS_T_BND,
	['E'] = TS_T_BND, ['o'] = TS_T_BND, ['O'] = TS_T_BND,
	['b'] = TS_T_BND | TS_T_BOL, ['B'] = TS_T_BND,
	['c'] = TS_T_BOL, ['C'] = TS_T_BOL, ['='] = TS_T_BOL,
	[128 ... 255] = TS_T_HIGH,
};

/*
 * Which triggers the byte before may precede: any; TS_T_BND unless it is
 * a word character; TS_T_BOL after LF or at the start (0: pass 1 drops
 * every NUL, so 0 stands for the start).
 */
#define TS_A_WORD	(TS_T_ANY | TS_T_HIGH)
#define TS_A_OTHER	(TS_T_ANY | TS_T_BND | TS_T_HIGH)
static const guint8 ts_allow[256] = {
	[0] = TS_T_ANY | TS_T_BND | TS_T_BOL | TS_T_HIGH,
	['\n'] = TS_T_ANY | TS_T_BND | TS_T_BOL | TS_T_HIGH,
	[1 ... 9] = TS_A_OTHER, [11 ... 47] = TS_A_OTHER,
	['0' ... '9'] = TS_A_WORD, [58 ... 64] = TS_A_OTHER,
	['A' ... 'Z'] = TS_A_WORD, [91 ... 94] = TS_A_OTHER,
	['_'] = TS_A_WORD, [96] = TS_A_OTHER, ['a' ... 'z'] = TS_A_WORD,
	[123 ... 255] = TS_A_OTHER,
};

/*
 * The last index of the run of bytes >= 0x80 at s[at] (< n): no rule
 * starts in it, and the byte before the next is one of them all the same.
 */
static gsize
ts_high_run_end(const guchar *s, gsize at, gsize n)
{
	guint64 x;

	/* Eight at a time through Japanese text, then byte by byte. */
	while (at + 9 <= n) {
		memcpy(&x, s + at + 1, 8);
		if ((x & TS_HIGHS) != TS_HIGHS)
			break;
		at += 8;
	}
	while (at + 1 < n && s[at + 1] >= 0x80)
		at++;
	return at;
}

/*
 * Every rule starts at an ASCII character (a non-ASCII one folds to 's',
 * 'k' or 'i', which start none), and looks back one character only: is
 * it LF (bol) or a word character (not bnd)? The byte before an ASCII
 * character is that character when ASCII, else the last byte of a
 * non-ASCII one, which is neither.
 */
static void
ts_markup(struct ts_ctx *c)
{
	const guchar *s = (const guchar *)c->tc_s;
	gsize at, q, n = c->tc_n;

	guchar p = 0;	/* the byte before at; 0 at the start (no NUL left) */

	for (at = 0; at < n; p = s[at++]) {
		guchar u = s[at];
		gboolean bol, bnd;
		gunichar f;

		/* No rule starts in a run of non-ASCII bytes: past it. */
		if (u >= 0x80) {
			at = ts_high_run_end(s, at, n);
			continue;
		}
		if ((ts_trigger[u] & ts_allow[p]) == 0)
			continue;
		bol = p == '\n' || p == 0;
		bnd = !ts_word(p);
		f = ts_fold(u);
		switch (f) {
		case '<':
			ts_rule_lt(c, at);
			break;
		case 'j':
		case 'v':
		case 'l':
			ts_rule_script(c, at, f);
			break;
		case 'd':
			if (bnd)
				ts_rule_data(c, at);
			break;
		case 'e':
			if (bnd)
				ts_rule_css(c, at, f);
			break;
		case 'b':
			if (bnd)
				ts_rule_css(c, at, f);
			if (bol && u == 'b')
				ts_rule_uu(c, at);
			break;
		case 'o':
			if (bnd)
				ts_rule_on(c, at);
			break;
		case 'c':
			if (bol)
				ts_rule_ctype(c, at);
			break;
		case '-':
			q = at;
			if (ts_kw(c, &q, "-moz-binding"))
				ts_edit_fw(c->tc_edits, at, '-');
			ts_rule_armor(c, at);
			break;
		case '=':
			q = at;
			if (bol && (ts_lit(c, &q, "=ybegin") ||
			    ts_lit(c, &q, "=ypart") || ts_lit(c, &q, "=yend")))
				ts_edit_fw(c->tc_edits, at, '=');
			break;
		case '(':
			q = at;
			if (ts_kw(c, &q,
			    "(this file must be converted with binhex"))
				ts_edit_fw(c->tc_edits, at, '(');
			break;
		default:
			break;
		}
	}
}

/*
 * Does the line [start, end) match, stripped, [A-Za-z0-9+/]{20,}={0,2}?
 * Stores the offset of its first character that is not white space.
 */
static gboolean
ts_b64_line(const struct ts_ctx *c, gsize start, gsize end, gsize *firstp)
{
	gsize first = 0, last = 0, q;
	gunichar u;
	guint n = 0, b64 = 0, pad = 0;

	/* Strip, then match. */
	for (q = start; q < end;) {
		gsize at = q;

		u = ts_get(c, &q);
		if (ts_space(u))
			continue;
		if (n++ == 0)
			first = at;
		last = q;
	}
	for (q = first; n > 0 && q < last;) {
		u = ts_get(c, &q);
		if (u < 0x80 && (g_ascii_isalnum((gchar)u) ||
		    u == '+' || u == '/') && pad == 0) {
			b64++;
		} else if (u == '=' && pad < 2) {
			pad++;
		} else
			return FALSE;
	}
	*firstp = first;
	return n > 0 && b64 >= 20;
}

/* Does s hold U+2028 or U+2029 (E2 80 A8, E2 80 A9)? */
static gboolean
ts_has_ls(const guchar *s, gsize n)
{
	const guchar *p = s, *end = s + n;

	while ((p = memchr(p, 0xe2, (gsize)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9))
			return TRUE;
		p++;
	}
	return FALSE;
}

static inline gboolean
ts_b64_char(guchar b)
{
	return g_ascii_isalnum(b) || b == '+' || b == '/';
}

/*
 * Runs of base64-looking lines (stripped, [A-Za-z0-9+/]{20,}={0,2}) are
 * cut to three: every fourth line of a run loses its first character to
 * the full-width form. Lines end where Python's splitlines() ends them.
 */
static void
ts_b64_runs(struct ts_ctx *c)
{
	const guchar *s = (const guchar *)c->tc_s;
	gsize pos = 0, n = c->tc_n;
	guint run = 0;

	/* Lines also end at U+2028 and U+2029: then the general walk. */
	if (ts_has_ls(s, n)) {
		while (pos < n) {
			gsize start = pos, end = pos, first;
			gunichar u;

			while ((u = ts_get(c, &pos)) != 0 && u != '\n' &&
			    u != 0x2028 && u != 0x2029)
				end = pos;
			if (!ts_b64_line(c, start, end, &first)) {
				run = 0;
				continue;
			}
			if (run++ % 4 == 3)
				ts_edit_fw(c->tc_edits, first, c->tc_s[first]);
		}
		return;
	}
	/*
	 * Lines end at LF only. A line matches only if, after white space,
	 * 20 base64 characters come first; only then ts_b64_line() decides.
	 */
	while (pos < n) {
		const guchar *nl = memchr(s + pos, '\n', n - pos);
		gsize end = nl != NULL ? (gsize)(nl - s) : n, q = pos, first;
		gboolean maybe = TRUE;

		/* ts_b64_line()'s strip: white space, ASCII or not. */
		for (;;) {
			gsize r = q;

			if (q < end && (s[q] == ' ' || s[q] == '\t'))
				q++;
			else if (q < end && s[q] >= 0x80 &&
			    ts_space(ts_get(c, &r)))
				q = r;
			else
				break;
		}
		if (end - q < 20)
			maybe = FALSE;
		for (gsize i = 0; maybe && i < 20; i++)
			if (!ts_b64_char(s[q + i]))
				maybe = FALSE;
		if (!maybe || !ts_b64_line(c, pos, end, &first))
			run = 0;
		else if (run++ % 4 == 3)
			ts_edit_fw(c->tc_edits, first, c->tc_s[first]);
		pos = nl != NULL ? end + 1 : n;
	}
}

/* ---------------------------------------------------------------- pass 3 */

#define TS_RING		64

struct ts_ent {
	gunichar e_c;
	gsize e_off;
};

struct ts_ring {
	struct ts_ent r_e[TS_RING];
	guint r_head;
	guint r_n;
};

static void
ts_ring_push(struct ts_ring *r, gunichar c, gsize off)
{
	if (r->r_n == TS_RING) {
		r->r_head = (r->r_head + 1) % TS_RING;
		r->r_n--;
	}
	r->r_e[(r->r_head + r->r_n) % TS_RING].e_c = c;
	r->r_e[(r->r_head + r->r_n) % TS_RING].e_off = off;
	r->r_n++;
}

/* The entry k back from the newest (0 = newest); k < r->r_n. */
static struct ts_ent *
ts_ring_at(struct ts_ring *r, guint k)
{
	return &r->r_e[(r->r_head + r->r_n - 1 - k) % TS_RING];
}

/* Do the newest chars, k back and newer (not counting the newest), spell w? */
static gboolean
ts_ring_is(struct ts_ring *r, guint k, const char *w)
{
	if (r->r_n <= k)
		return FALSE;
	for (; *w != '\0'; w++, k--)
		if (ts_ring_at(r, k)->e_c != (gunichar)(guchar)*w)
			return FALSE;
	return TRUE;
}

static void
ts_ring_remove(struct ts_ring *r, gsize off)
{
	for (guint k = 0; k < r->r_n; k++) {
		if (ts_ring_at(r, k)->e_off != off)
			continue;
		for (; k > 0; k--)
			*ts_ring_at(r, k) = *ts_ring_at(r, k - 1);
		r->r_n--;
		return;
	}
}

static void
ts_ring_set(struct ts_ring *r, gsize off, gunichar c)
{
	for (guint k = 0; k < r->r_n; k++)
		if (ts_ring_at(r, k)->e_off == off)
			ts_ring_at(r, k)->e_c = c;
}

struct ts_views {
	struct ts_ring tv_b;	/* every character (the UTF-8 bytes) */
	struct ts_ring tv_l;	/* characters <= U+00FF (latin-1) */
	GArray *tv_edits;
};

/* Breaks the signature character e in both views. */
static void
ts_sig_edit(struct ts_views *v, const struct ts_ent *e)
{
	gsize off = e->e_off;
	gunichar c = e->e_c;	/* e may move when the ring shifts */

	if (c == 0xff) {
		/* y + COMBINING DIAERESIS: NFKC gives back U+00FF. */
		ts_edit_cp(v->tv_edits, off, 2, 'y', 0x308);
		ts_ring_set(&v->tv_l, off, 'y');
		ts_ring_set(&v->tv_b, off, 'y');
		return;
	}
	ts_edit_fw(v->tv_edits, off, (char)c);
	ts_ring_remove(&v->tv_l, off);
	ts_ring_set(&v->tv_b, off, c == ' ' ? TS_U_IDSP : c + TS_U_FW_OFFSET);
}

static const char ts_dos[] = "This program cannot be run in DOS mode";

/* Signatures ending at the newest latin-1 character; TRUE if one broke. */
static gboolean
ts_sig_latin1(struct ts_views *v)
{
	struct ts_ring *r = &v->tv_l;
	gunichar c = ts_ring_at(r, 0)->e_c;

	if (c < 0x80 && g_ascii_isdigit((gchar)c)) {
		if (ts_ring_is(r, 5, "%PDF-")) {
			ts_sig_edit(v, ts_ring_at(r, 4));
			return TRUE;
		}
		if (ts_ring_is(r, 5, "{\\rtf")) {
			ts_sig_edit(v, ts_ring_at(r, 3));
			return TRUE;
		}
	}
	if (c == 'e') {
		if (ts_ring_is(r, 9, "%!PS-Adob")) {
			ts_sig_edit(v, ts_ring_at(r, 7));
			return TRUE;
		}
		if (ts_ring_is(r, sizeof ts_dos - 2, ts_dos)) {
			ts_sig_edit(v, ts_ring_at(r, sizeof ts_dos - 2 - 4));
			return TRUE;
		}
	}
	if (c >= 0xa0 && ts_ring_is(r, 2, "MZ")) {
		ts_sig_edit(v, ts_ring_at(r, 1));
		return TRUE;
	}
	if (c >= 0xa0 && r->r_n > 6 && ts_ring_is(r, 6, "GIF8") &&
	    (ts_ring_at(r, 2)->e_c == '7' || ts_ring_at(r, 2)->e_c == '9') &&
	    ts_ring_at(r, 1)->e_c == 'a') {
		ts_sig_edit(v, ts_ring_at(r, 5));
		return TRUE;
	}
	if (c >= 0xc0 && c <= 0xfe && r->r_n > 3 &&
	    ts_ring_at(r, 3)->e_c == 0xff && ts_ring_at(r, 2)->e_c == 0xd8 &&
	    ts_ring_at(r, 1)->e_c == 0xff) {
		ts_sig_edit(v, ts_ring_at(r, 1));
		return TRUE;
	}
	return FALSE;
}

/* Signatures ending at the newest character in the UTF-8 bytes. */
static gboolean
ts_sig_bytes(struct ts_views *v)
{
	struct ts_ring *r = &v->tv_b;
	gunichar c = ts_ring_at(r, 0)->e_c;

	if (c >= 0x80 && ts_ring_is(r, 2, "MZ")) {
		ts_sig_edit(v, ts_ring_at(r, 1));
		return TRUE;
	}
	if (c >= 0x80 && r->r_n > 6 && ts_ring_is(r, 6, "GIF8") &&
	    (ts_ring_at(r, 2)->e_c == '7' || ts_ring_at(r, 2)->e_c == '9') &&
	    ts_ring_at(r, 1)->e_c == 'a') {
		ts_sig_edit(v, ts_ring_at(r, 5));
		return TRUE;
	}
	/* \x89PNG\n: 0x89 is the last byte of U+0049, U+0089, U+0109 ... */
	if (c == '\n' && r->r_n > 4 && ts_ring_is(r, 3, "PNG") &&
	    ts_ring_at(r, 4)->e_c >= 0x80 &&
	    (ts_ring_at(r, 4)->e_c & 0x3f) == 0x09) {
		ts_sig_edit(v, ts_ring_at(r, 3));
		return TRUE;
	}
	return FALSE;
}

/* Does the signature anchored at l[i] (see ts_sig_in()) start there? */
static gboolean
ts_sig_at(const guchar *l, gsize n, gsize i)
{
	/* ts_dos's "DOS" is where its 'D' is anchored. */
	const gsize dos_d = (gsize)(strstr(ts_dos, "DOS") - ts_dos);
	const gsize dos_len = sizeof ts_dos - 1;

	switch (l[i]) {
	case '%':
		return (n - i >= 5 && memcmp(l + i, "%PDF-", 5) == 0) ||
		    (n - i >= 9 && memcmp(l + i, "%!PS-Adob", 9) == 0);
	case '{':
		return n - i >= 5 && memcmp(l + i, "{\\rtf", 5) == 0;
	case 'Z':
		return i >= 1 && l[i - 1] == 'M';
	case '8':
		return i >= 3 && memcmp(l + i - 3, "GIF8", 4) == 0;
	case 'D':
		return i >= dos_d && n - (i - dos_d) >= dos_len &&
		    memcmp(l + i - dos_d, ts_dos, dos_len) == 0;
	case 0xff:
		return n - i >= 3 && l[i + 1] == 0xd8 && l[i + 2] == 0xff;
	default:
		return FALSE;
	}
}

/*
 * Does l (the latin-1 view, one byte a character) hold a signature? Each
 * anchor is looked for with memchr: most text holds few of them.
 */
static gboolean
ts_sig_in(const guchar *l, gsize n)
{
	static const guchar anchors[] = { '%', '{', 'Z', '8', 'D', 0xff };

	for (gsize a = 0; a < sizeof anchors; a++) {
		const guchar *p = l, *end = l + n;

		while ((p = memchr(p, anchors[a], (gsize)(end - p))) != NULL) {
			if (ts_sig_at(l, n, (gsize)(p - l)))
				return TRUE;
			p++;
		}
	}
	return FALSE;
}

/*
 * Could ts_signatures() make an edit? Until its first edit, its rings
 * hold the text's views as they are, so it makes one exactly when a
 * signature occurs in them: this looks for every signature's characters
 * (less its last one, so a little more often than needed) in the
 * latin-1 view and "PNG\n" in the text.
 */
static gboolean
ts_sig_possible(const struct ts_ctx *c)
{
	const guchar *s = (const guchar *)c->tc_s, *p;
	gsize n = c->tc_n, i, k = 0;
	guchar *l;
	gboolean hit;

	for (p = s; (p = memchr(p, '\n', n - (gsize)(p - s))) != NULL; p++)
		if (p - s >= 3 && memcmp(p - 3, "PNG", 3) == 0)
			return TRUE;
	for (i = 0; i + 8 <= n; i += 8) {
		guint64 x;

		memcpy(&x, s + i, 8);
		if (x & TS_HIGHS)
			break;
	}
	for (; i < n && s[i] < 0x80; i++)
		;
	if (i == n)
		return ts_sig_in(s, n);
	/* Valid UTF-8 (pass 1): keep U+0000..U+00FF as one byte each. */
	l = g_malloc(n);
	memcpy(l, s, i);
	k = i;
	while (i < n) {
		guchar b = s[i];

		if (b < 0x80) {
			l[k++] = b;
			i++;
		} else if (b == 0xc2 || b == 0xc3) {
			l[k++] = (guchar)(((b & 0x03) << 6) | (s[i + 1] & 0x3f));
			i += 2;
		} else
			i += (gsize)g_utf8_skip[b];
	}
	hit = ts_sig_in(l, k);
	g_free(l);
	return hit;
}

static void
ts_signatures(const struct ts_ctx *c, GArray *edits)
{
	struct ts_views *v = g_new0(struct ts_views, 1);
	gsize pos = 0;

	v->tv_edits = edits;
	while (pos < c->tc_n) {
		gsize at = pos;
		gunichar u = ts_get(c, &pos);

		ts_ring_push(&v->tv_b, u, at);
		while (ts_sig_bytes(v))
			;
		if (u > 0xff)
			continue;
		ts_ring_push(&v->tv_l, u, at);
		while (v->tv_l.r_n > 0 && ts_sig_latin1(v))
			;
	}
	g_free(v);
}

/* ---------------------------------------------------------------- API */

guint
mugai_textsafe(GString *text)
{
	GArray *edits = g_array_new(FALSE, FALSE, sizeof(struct ts_edit));
	struct ts_ctx c;
	guint n;

	n = ts_strip(text);
	c.tc_s = text->str;
	c.tc_n = text->len;
	c.tc_edits = edits;
	ts_markup(&c);
	ts_b64_runs(&c);
	n += ts_apply(text, edits);
	c.tc_s = text->str;
	c.tc_n = text->len;
	if (ts_sig_possible(&c))
		ts_signatures(&c, edits);
	n += ts_apply(text, edits);
	g_array_free(edits, TRUE);
	return n;
}

/*
 * Length of the tag-like sequence at s[i] ('<'), as check_sanitized.py's
 * TAG_RE reads it: </?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?> ; 0 if none.
 */
static gsize
tag_at(const char *s, gsize n, gsize i)
{
	gsize p = i + 1;

	if (p < n && s[p] == '/')
		p++;
	if (p >= n || !g_ascii_isalpha(s[p]))
		return 0;
	while (p < n && (g_ascii_isalnum(s[p]) || s[p] == ':' || s[p] == '-'))
		p++;
	if (p < n && s[p] == '>')
		return p + 1 - i;
	if (p + 1 < n && s[p] == '/' && s[p + 1] == '>')
		return p + 2 - i;
	if (p < n && g_unichar_isspace(g_utf8_get_char_validated(s + p,
	    (gssize)(n - p)))) {
		while (p < n && s[p] != '<' && s[p] != '>')
			p++;
		if (p < n && s[p] == '>')
			return p + 1 - i;
	}
	return 0;
}

guint
mugai_textsafe_tags(GString *text, gboolean strip)
{
	GString *out = strip ? g_string_sized_new(text->len) : NULL;
	guint count = 0;
	gsize i = 0, copied = 0;

	while (i < text->len) {
		const char *lt = memchr(text->str + i, '<', text->len - i);
		gsize len;

		if (lt == NULL)
			break;
		i = (gsize)(lt - text->str);
		if ((len = tag_at(text->str, text->len, i)) == 0) {
			i++;
			continue;
		}
		count++;
		if (strip) {
			g_string_append_len(out, text->str + copied,
			    (gssize)(i - copied));
			copied = i + len;
		}
		i += len;
	}
	if (strip) {
		g_string_append_len(out, text->str + copied,
		    (gssize)(text->len - copied));
		g_string_truncate(text, 0);
		g_string_append_len(text, out->str, (gssize)out->len);
		g_string_free(out, TRUE);
	}
	return count;
}

gboolean
mugai_textsafe_limit_tags(GString *text)
{
	if (mugai_textsafe_tags(text, FALSE) <= MUGAI_TEXTSAFE_MAX_TAGS)
		return FALSE;
	mugai_textsafe_tags(text, TRUE);
	return TRUE;
}
