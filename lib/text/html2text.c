/*
 * mugai_html2text - HTML to plain text on libxml2's HTML push (SAX) parser
 *
 * libxml2 tokenizes and recovers (implied html/body/p, auto-closed tags,
 * entities decoded); this file only renders its SAX events. The renderer
 * keeps its own stack of open elements (libxml2 pairs every start with an
 * end, implied or not) and writes text into one GString:
 *
 *   - a line is started lazily, when its first visible text comes: then the
 *     line prefix (list indentation, "> " for blockquote) and a pending list
 *     marker are written. Block boundaries only end the current line and
 *     make sure one or two '\n' end the text, so empty blocks, empty table
 *     rows and empty list items leave nothing;
 *   - whitespace (ASCII space, tab, CR, LF, FF and U+00A0) is collapsed into
 *     one pending space, written only before the next text on the same
 *     line; inside pre and textarea it is kept, lines and all. A collapsed
 *     run holding a newline between two East Asian wide characters is
 *     dropped, as browsers do for Japanese text wrapped in the source;
 *   - links: the href is kept when its scheme is http, https, ftp, mailto
 *     or tel, or it is relative, and printed after the link text when the
 *     text ends (see end_link, display_url);
 *   - tables: each cell renders into an output of its own, laid out as a
 *     grid at </table> (see "tables");
 *   - text hidden from the reader renders into an output of its own and
 *     comes at the end under a heading (see "hidden text").
 *
 * Input is checked as UTF-8 before libxml2 sees it (invalid bytes become
 * U+FFFD: libxml2 2.9 would otherwise switch the rest of the document to
 * Latin-1). libxml2's push parser reads some input differently by where
 * its chunks end (a "</script>" split at a chunk edge, "<tag</b><script>"),
 * so it never gets the caller's chunks: input is collected and handed over
 * in pieces of at most 64 KiB that end after a '>' (see piece_end), the
 * same pieces whatever the feeds were. The text does not depend on them.
 * </html> and </body> become an empty block element (H2T_END_MARK) before
 * libxml2 sees them: what follows them is rendered on a new line, where a
 * browser would render it too (libxml2 would drop it).
 *
 * libxml2's diagnostics go to a no-op structured handler set in the
 * parser context's own SAX block, never to a global handler.
 */
#include "autoconfig.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>

#include "base/limits.h"
#include "base/deadline.h"
#include "text/html2text.h"
#include "text/utf8.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *h2t_xml_error;
#else
typedef xmlError *h2t_xml_error;
#endif

#define H2T_FEED_PIECE	MUGAI_IO_CHUNK	/* one-shot input: fed in pieces this big */
#define H2T_PIECE	MUGAI_IO_CHUNK	/* libxml2 gets pieces this big at most */
#define H2T_ATTRS_MAX	1000	/* attributes in one start tag (count_attrs()) */
#define H2T_LT_HOLD	32	/* a "<..." tail this short waits */
#define H2T_MAX_INDENT	64	/* line prefix bytes at most */
#define H2T_HR		"--------------------"
#define H2T_END_MARK	"<m:e/>"	/* for </html>, </body>; not longer */
#define H2T_SECOND_MAX	(16 * 1024 * 1024)	/* input kept for a second reading */
#define H2T_URL_MAX	300	/* longer URLs are cut, with "..." */
/* Above the text hidden in the HTML, shown apart at the end. */
#define H2T_HIDDEN_HEAD	"---- 隠し文字（HTMLでは表示されない部分） / " \
	"Hidden text (not shown by the HTML) ----"

enum h2t_kind {
	K_INLINE,	/* unknown elements too: text flows through */
	K_DROP,		/* dropped with all its content */
	K_BLOCK,	/* starts and ends a line */
	K_PARA,		/* blank line before and after */
	K_PRE,		/* K_PARA keeping whitespace and lines */
	K_TEXTAREA,	/* K_BLOCK keeping whitespace and lines */
	K_BR,
	K_HR,
	K_IMG,
	K_A,
	K_UL,
	K_OL,
	K_LI,
	K_DD,		/* K_BLOCK indented by 2 */
	K_QUOTE,	/* K_PARA with "> " before each line */
	K_CELL,		/* td, th: a cell of the grid (see tables) */
	K_TABLE,	/* the grid's cells are written at its end */
	K_ROW,		/* tr: K_BLOCK, and a new row of the grid */
	K_INPUT,
};

struct h2t_elem {
	const char *e_name;
	enum h2t_kind e_kind;
};

static const struct h2t_elem h2t_elems[] = {
	{ "a", K_A }, { "address", K_BLOCK }, { "applet", K_DROP },
	{ "base", K_INLINE },
	{ "article", K_BLOCK }, { "aside", K_BLOCK },
	{ "blockquote", K_QUOTE }, { "body", K_BLOCK }, { "br", K_BR },
	{ "caption", K_BLOCK }, { "center", K_BLOCK }, { "dd", K_DD },
	{ "details", K_BLOCK }, { "dialog", K_BLOCK }, { "dir", K_UL },
	{ "div", K_BLOCK }, { "dl", K_PARA }, { "dt", K_BLOCK },
	{ "embed", K_INLINE }, { "fieldset", K_BLOCK },
	{ "figcaption", K_BLOCK }, { "figure", K_PARA },
	{ "footer", K_BLOCK }, { "form", K_BLOCK }, { "frame", K_INLINE },
	{ "frameset", K_DROP }, { "h1", K_PARA }, { "h2", K_PARA },
	{ "h3", K_PARA }, { "h4", K_PARA }, { "h5", K_PARA },
	{ "h6", K_PARA }, { "head", K_DROP }, { "header", K_BLOCK },
	{ "hgroup", K_BLOCK }, { "hr", K_HR }, { "html", K_BLOCK },
	{ "iframe", K_DROP }, { "img", K_IMG }, { "input", K_INPUT },
	{ "legend", K_BLOCK }, { "li", K_LI }, { "listing", K_PRE },
	{ "m:e", K_BLOCK }, { "main", K_BLOCK }, { "math", K_DROP },
	{ "menu", K_UL },
	{ "nav", K_BLOCK }, { "noembed", K_DROP }, { "noframes", K_BLOCK },
	{ "noscript", K_DROP }, { "object", K_DROP }, { "ol", K_OL },
	{ "optgroup", K_BLOCK }, { "option", K_BLOCK }, { "p", K_PARA },
	{ "param", K_INLINE }, { "plaintext", K_PRE }, { "pre", K_PRE },
	{ "script", K_DROP }, { "section", K_BLOCK }, { "select", K_BLOCK },
	{ "style", K_DROP }, { "summary", K_BLOCK }, { "svg", K_DROP },
	{ "table", K_TABLE }, { "tbody", K_BLOCK }, { "td", K_CELL },
	{ "template", K_DROP }, { "textarea", K_TEXTAREA },
	{ "tfoot", K_BLOCK }, { "th", K_CELL }, { "thead", K_BLOCK },
	{ "title", K_DROP }, { "tr", K_ROW }, { "ul", K_UL },
	{ "xml", K_DROP }, { "xmp", K_PRE },
};

enum h2t_scheme {
	S_NONE,		/* not printed */
	S_HTTP,
	S_HTTPS,
	S_FTP,
	S_MAILTO,
	S_TEL,		/* shown even under url_mode = remove: a number */
	S_REL,		/* relative, no <base href> to resolve it */
};

struct h2t_frame {
	const char *f_name;	/* libxml2's (its dictionary or a literal) */
	enum h2t_kind f_kind;
	gboolean f_skipped;	/* opened inside a dropped element */
	gsize f_prefix_len;	/* h_prefix length to restore on close */
	gint f_prev;		/* K_A, K_UL, K_OL: h_link, h_list before */
	gint64 f_next;		/* K_OL: number of the next item */
	char *f_href;		/* K_A: (owned) cleaned href or NULL */
	enum h2t_scheme f_scheme;
	gsize f_text_start;	/* K_A: its text offset, G_MAXSIZE: none */
	gint32 f_bg;		/* background 0xRRGGBB, -1 none, -3 unknown */
	gboolean f_table;	/* K_TABLE, K_CELL: began a table, a cell */
	struct h2t_saved *f_hidden;	/* (owned) it hides its text: the
					 * output it set aside */
};

struct mugai_html2text {
	struct mugai_html_opts h_opts;
	htmlParserCtxtPtr h_ctxt;
	/* The start tag libxml2 is given, as count_attrs() reads it. */
	enum { TS_TEXT, TS_LT, TS_TAG, TS_QUOTED } h_ts;
	char h_ts_quote;
	gboolean h_ts_blank;
	guint h_ts_attrs;
	GString *h_out;		/* the text */
	GString *h_prefix;	/* written at the start of each line */
	GString *h_in;		/* checked input not yet given libxml2 */
	GString *h_all;		/* all checked input, for the second
				 * reading; NULL past H2T_SECOND_MAX */
	char h_tail[4];		/* incomplete UTF-8 sequence, last feed */
	gsize h_tail_len;
	struct h2t_frame *h_stack;
	guint h_depth;
	guint h_alloc;
	guint h_skip;		/* > 0: inside a dropped element */
	guint h_pre;		/* > 0: inside pre or textarea */
	gint h_link;		/* index of the innermost open <a>, or -1 */
	gint h_list;		/* index of the innermost list, or -1 */
	gboolean h_line_text;	/* the current line has text, prefix */
	gboolean h_blank;	/* a blank line before the next text */
	gsize h_blank_keep;	/* prefix bytes kept since h_blank set */
	gboolean h_space;	/* collapsed whitespace pending */
	gboolean h_space_nl;	/* ... and it held a newline */
	gboolean h_cell_sep;	/* " | " pending before the next text */
	gboolean h_cr;		/* pre text ended with CR */
	gboolean h_marker_set;	/* h_marker pending for the next line */
	gsize h_marker_at;	/* prefix length the marker goes after */
	char h_marker[32];
	gboolean h_finished;
	char *h_base;		/* <base href>, absolute, or NULL */
	gboolean h_styled;	/* a <style> sheet was seen */
	GPtrArray *h_tables;	/* struct h2t_table, innermost last */
	gsize h_held;		/* bytes set aside in cells and outer texts */
	guint h_lead_nbsp;	/* U+00A0 before the first word of a line */
	guint h_hiding;		/* > 0: inside hidden elements */
	GString *h_hidden;	/* hidden text, shown apart at the end */
	GPtrArray *h_spare;	/* GString: empty outputs to reuse */
	enum mugai_err h_err;
	enum mugai_html_limit h_limit;	/* which limit set h_err */
	gint64 h_deadline;	/* lib/base/deadline.h, 0: none */
	guint h_starts;		/* elements opened so far */
	/* element names seen: libxml2 hands out its dictionary's pointers,
	 * stable while the parser lives, so a pointer means one name */
	struct {
		const xmlChar *kc_name;
		const struct h2t_elem *kc_elem;	/* NULL: not in h2t_elems */
	} h_kcache[64];
};

/* The renderer's output and line state, set aside while a cell or hidden text renders. */
struct h2t_saved {
	GString *s_out;
	GString *s_prefix;
	gboolean s_line_text, s_blank, s_space, s_space_nl, s_cell_sep;
	gboolean s_marker_set, s_cr;
	gsize s_blank_keep, s_marker_at;
	char s_marker[32];
	gint s_link;
};

static htmlSAXHandler h2t_sax;

static void save_state(struct mugai_html2text *h, struct h2t_saved *sv);
static void restore_state(struct mugai_html2text *h, struct h2t_saved *sv);
static void table_line(struct mugai_html2text *h, const char *s, gsize n);
static gsize widest_line(const char *s);
static const char *attr(const xmlChar **attrs, const char *name);
static gboolean attr_number(const xmlChar **attrs, const char *name,
    gint64 *num);
static GHashTable *h2t_kinds;	/* name -> struct h2t_elem, read-only */
static void second_plain_init(void);

/* ---------------------------------------------------------------- output */

static gboolean
is_ws(guchar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static gboolean
is_nbsp(const char *s, gsize i, gsize n)
{
	return (guchar)s[i] == 0xc2 && i + 1 < n && (guchar)s[i + 1] == 0xa0;
}

/* East Asian wide and fullwidth ranges (CJK, kana, hangul, fullwidth). */
static gboolean
is_wide(gunichar c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
}

/* TRUE when the last character written and next (n bytes) are both wide. */
static gboolean
wide_pair(const struct mugai_html2text *h, const char *next, gsize n)
{
	const GString *out = h->h_out;
	const char *prev;

	if (out->len == 0 || n == 0)
		return FALSE;
	prev = g_utf8_find_prev_char(out->str, out->str + out->len);
	if (prev == NULL)
		return FALSE;
	return is_wide(g_utf8_get_char_validated(prev,
	    out->str + out->len - prev)) &&
	    is_wide(g_utf8_get_char_validated(next, n));
}

static void
trim_trailing(struct mugai_html2text *h)
{
	GString *out = h->h_out;
	gsize len = out->len;

	while (len > 0 && (out->str[len - 1] == ' ' ||
	    out->str[len - 1] == '\t'))
		len--;
	g_string_truncate(out, len);
}

/* Writes the pending blank line: the line prefix without its blanks. */
static void
put_blank_line(struct mugai_html2text *h, gsize prefix_len)
{
	const char *p = h->h_prefix->str;

	while (prefix_len > 0 && (p[prefix_len - 1] == ' ' ||
	    p[prefix_len - 1] == '\t'))
		prefix_len--;
	g_string_append_len(h->h_out, p, prefix_len);
	g_string_append_c(h->h_out, '\n');
}

/*
 * Called before visible text (next, n bytes) is written: starts the line
 * (pending blank line, prefix, list marker), or writes the pending cell
 * separator or space.
 */
static void
begin_text(struct mugai_html2text *h, const char *next, gsize n)
{
	GString *out = h->h_out;
	gsize plen = h->h_prefix->len;

	if (!h->h_line_text) {
		if (h->h_marker_set)
			plen = MIN(h->h_marker_at, plen);
		if (h->h_blank && out->len > 0)
			put_blank_line(h, MIN(plen, h->h_blank_keep));
		g_string_append_len(out, h->h_prefix->str, plen);
		if (h->h_marker_set)
			g_string_append(out, h->h_marker);
		h->h_marker_set = FALSE;
		h->h_blank = FALSE;
		h->h_line_text = TRUE;
	} else if (h->h_cell_sep)
		g_string_append_len(out, " | ", 3);
	else if (h->h_space && !(h->h_space_nl && wide_pair(h, next, n)))
		g_string_append_c(out, ' ');
	h->h_space = h->h_space_nl = h->h_cell_sep = FALSE;
	if (h->h_link >= 0 && h->h_stack[h->h_link].f_text_start == G_MAXSIZE)
		h->h_stack[h->h_link].f_text_start = out->len;
}

/* g_string_append_len() without its call when the text fits. */
static inline void
out_append(GString *out, const char *s, gsize n)
{
	if (G_LIKELY(out->len + n < out->allocated_len)) {
		memcpy(out->str + out->len, s, n);
		out->len += n;
		out->str[out->len] = '\0';
	} else
		g_string_append_len(out, s, (gssize)n);
}

/* Writes s as one visible word (no whitespace processing). */
static void
put_word(struct mugai_html2text *h, const char *s, gsize n)
{
	if (n == 0)
		return;
	begin_text(h, s, n);
	out_append(h->h_out, s, n);
}

/*
 * Asks for a blank line before the next text. It gets the part of the line
 * prefix that stayed the same since (the prefix is a stack): a blank line
 * inside a blockquote is ">", one after it is empty.
 */
static void
set_blank(struct mugai_html2text *h)
{
	if (h->h_out->len == 0)
		return;
	if (!h->h_blank || h->h_prefix->len < h->h_blank_keep)
		h->h_blank_keep = h->h_prefix->len;
	h->h_blank = TRUE;
}

/*
 * Ends the current line without trailing blanks. A line left empty by the
 * trimming counts as the blank line.
 */
static void
end_line(struct mugai_html2text *h)
{
	GString *out = h->h_out;

	if (h->h_line_text) {
		trim_trailing(h);
		if (out->len > 0 && out->str[out->len - 1] == '\n')
			set_blank(h);
		else if (out->len > 0)
			g_string_append_c(out, '\n');
		h->h_line_text = FALSE;
	}
	h->h_space = h->h_space_nl = h->h_cell_sep = FALSE;
	h->h_lead_nbsp = 0;
}

/*
 * A block boundary: ends the line (n == 1) and asks for a blank line
 * before the next text (n == 2). Blank lines are written lazily, so
 * there is never more than one in a row, nor one at either end.
 */
static void
want_break(struct mugai_html2text *h, guint n)
{
	end_line(h);
	if (n >= 2)
		set_blank(h);
}

/* <br> or a newline in pre: ends the line, or asks for an empty one. */
static void
line_break(struct mugai_html2text *h)
{
	if (h->h_line_text)
		end_line(h);
	else
		set_blank(h);
	h->h_space = h->h_space_nl = h->h_cell_sep = FALSE;
}

/*
 * Bytes that may end a word: 1 for whitespace (is_ws), 2 for 0xC2, the
 * first byte of U+00A0 (is_nbsp decides).
 */
static const guint8 h2t_word_end[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1,
	[0xc2] = 2,
};

/* Where the word starting at s[i] (not a space) ends: the next is_ws()
 * byte or U+00A0, else n. */
static gsize
word_end(const char *s, gsize i, gsize n)
{
	const guint64 ones = 0x0101010101010101ULL;
	const guint64 highs = 0x8080808080808080ULL;
	gsize j = i + 1;
	guint8 c;

	for (;;) {
		/* eight bytes >= 0x80, none 0xC2 (Japanese text), end no word */
		while (j + 8 <= n && (guchar)s[j] >= 0x80) {
			guint64 x, t;

			memcpy(&x, s + j, 8);
			t = x ^ (ones * 0xc2);
			if ((x & highs) != highs ||
			    ((t - ones) & ~t & highs) != 0)
				break;
			j += 8;
		}
		if (j >= n)
			return j;
		c = h2t_word_end[(guchar)s[j]];
		if (c == 1 || (c == 2 && is_nbsp(s, j, n)))
			return j;
		j++;
	}
}

/* Text outside pre: whitespace collapsed; U+00A0 is a space that is not
 * collapsed (a browser keeps "&nbsp;&nbsp;&nbsp;" three wide). */
static void
put_text(struct mugai_html2text *h, const char *s, gsize n)
{
	gsize i = 0, j;

	while (i < n) {
		if (is_nbsp(s, i, n)) {
			/* a space that does not collapse: runs are kept; at
			 * the start of a line only before a word (an
			 * "&nbsp;" spacer paragraph leaves nothing) */
			if (h->h_line_text)
				put_word(h, " ", 1);
			else if (h->h_lead_nbsp < H2T_MAX_INDENT)
				h->h_lead_nbsp++;
			i += 2;
			continue;
		}
		if (is_ws((guchar)s[i])) {
			if (h->h_line_text) {
				h->h_space = TRUE;
				if (s[i] == '\n' || s[i] == '\r')
					h->h_space_nl = TRUE;
			}
			i++;
			continue;
		}
		j = word_end(s, i, n);
		if (h->h_lead_nbsp > 0 && !h->h_line_text) {
			char sp[H2T_MAX_INDENT];

			memset(sp, ' ', h->h_lead_nbsp);
			put_word(h, sp, h->h_lead_nbsp);
		}
		h->h_lead_nbsp = 0;
		put_word(h, s + i, j - i);
		i = j;
	}
}

/* Text inside pre or textarea: lines and blanks kept, CRLF is one. */
static void
put_pre(struct mugai_html2text *h, const char *s, gsize n)
{
	gsize i = 0, j;

	if (h->h_cr && n > 0 && s[0] == '\n')
		i = 1;
	h->h_cr = FALSE;
	while (i < n) {
		if (s[i] == '\r' || s[i] == '\n') {
			line_break(h);
			if (s[i] == '\r') {
				if (i + 1 == n)
					h->h_cr = TRUE;
				else if (s[i + 1] == '\n')
					i++;
			}
			i++;
			continue;
		}
		if (is_nbsp(s, i, n)) {
			put_word(h, " ", 1);
			i += 2;
			continue;
		}
		for (j = i + 1; j < n && s[j] != '\r' && s[j] != '\n' &&
		    !is_nbsp(s, j, n); j++)
			;
		put_word(h, s + i, j - i);
		i = j;
	}
}

/* Appends to dst the words of s separated by single spaces. */
static void
collapse_into(GString *dst, const char *s)
{
	gsize n = strlen(s), i = 0, j;
	gboolean first = TRUE;

	while (i < n) {
		if (is_ws((guchar)s[i])) {
			i++;
			continue;
		}
		if (is_nbsp(s, i, n)) {
			i += 2;
			continue;
		}
		for (j = i + 1; j < n && !is_ws((guchar)s[j]) &&
		    !is_nbsp(s, j, n); j++)
			;
		if (!first)
			g_string_append_c(dst, ' ');
		g_string_append_len(dst, s + i, j - i);
		first = FALSE;
		i = j;
	}
}

/* "[image: ALT]" when alt has visible text. */
static void
put_image(struct mugai_html2text *h, const char *alt)
{
	GString *s;

	if (alt == NULL)
		return;
	s = g_string_new("[image: ");
	collapse_into(s, alt);
	if (s->len > 8) {
		g_string_append_c(s, ']');
		put_word(h, s->str, s->len);
	}
	g_string_free(s, TRUE);
}

/*
 * An image of the message itself (src="cid:...") without alt text: the
 * related part is removed from the mail, so "[画像: NAME]" stands where
 * it stood, NAME the Content-ID before its '@' (Outlook and Thunderbird
 * put the file name there: image001.png@01D2...).
 */
static void
put_cid_image(struct mugai_html2text *h, const char *src)
{
	static const char mark[] = "[画像: ";
	g_autofree char *name = NULL;
	const char *p;
	GString *s;

	if (src == NULL || strlen(src) < 4 ||
	    g_ascii_strncasecmp(src, "cid:", 4) != 0)
		return;
	p = strchr(src, ':') + 1;
	name = g_strndup(p, strcspn(p, "@"));
	s = g_string_new(mark);
	collapse_into(s, name);
	if (s->len > sizeof mark - 1) {
		g_string_append_c(s, ']');
		put_word(h, s->str, s->len);
	}
	g_string_free(s, TRUE);
}

/* ------------------------------------------------------------------ links */

/* TRUE when s[0..n) is a URI scheme (RFC 3986: ALPHA *(ALPHA/DIGIT/+-.)). */
static gboolean
is_scheme(const char *s, gsize n)
{
	if (n == 0 || !g_ascii_isalpha(s[0]))
		return FALSE;
	for (gsize i = 1; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '-' &&
		    s[i] != '.')
			return FALSE;
	return TRUE;
}

/* The printed scheme of an absolute href, S_NONE for any other. */
static enum h2t_scheme
scheme_of(const char *s)
{
	static const struct {
		const char *name;
		enum h2t_scheme scheme;
	} ok[] = {
		{ "http", S_HTTP }, { "https", S_HTTPS }, { "ftp", S_FTP },
		{ "mailto", S_MAILTO }, { "tel", S_TEL },
	};
	const char *colon = strchr(s, ':');
	gsize n;

	if (colon == NULL)
		return S_NONE;
	n = (gsize)(colon - s);
	for (gsize i = 0; i < G_N_ELEMENTS(ok); i++)
		if (strlen(ok[i].name) == n &&
		    g_ascii_strncasecmp(s, ok[i].name, n) == 0)
			return ok[i].scheme;
	return S_NONE;
}

/* TRUE when href has no scheme: a relative reference. */
static gboolean
is_relative(const char *s)
{
	gsize n = strcspn(s, ":/?#");

	return s[n] != ':' || !is_scheme(s, n);
}

/*
 * Returns (transfer full) href without surrounding blanks and without the
 * tabs and newlines browsers ignore inside URLs, with its scheme in *scheme;
 * NULL (S_NONE) when the scheme is not one we print (javascript:, data:,
 * cid: ...) or the href only names a place in this document ("#top").
 * A relative href is resolved against base (the document's <base href>,
 * absolute http, https or ftp) when there is one, else kept as written
 * (S_REL): a reader can still tell where the link pointed.
 */
static char *
clean_href(const char *href, const char *base, enum h2t_scheme *scheme)
{
	GString *s;

	*scheme = S_NONE;
	if (href == NULL)
		return NULL;
	while (*href != '\0' && (guchar)*href <= 0x20)
		href++;
	s = g_string_new(NULL);
	for (; *href != '\0'; href++)
		if (*href != '\t' && *href != '\n' && *href != '\r')
			g_string_append_c(s, *href);
	while (s->len > 0 && (guchar)s->str[s->len - 1] <= 0x20)
		g_string_truncate(s, s->len - 1);
	if (s->len == 0 || s->str[0] == '#') {
		g_string_free(s, TRUE);
		return NULL;
	}
	if (is_relative(s->str)) {
		char *abs = base != NULL ? g_uri_resolve_relative(base, s->str,
		    G_URI_FLAGS_ENCODED, NULL) : NULL;

		if (abs == NULL) {
			*scheme = S_REL;
			return g_string_free(s, FALSE);
		}
		g_string_assign(s, abs);
		g_free(abs);
	}
	*scheme = scheme_of(s->str);
	if (*scheme == S_NONE) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* Appends s[0..n) with bytes that could end a URL or look like markup
 * percent-encoded; with defang, '.' and '@' become "[.]" and "[@]". */
static void
append_url_part(GString *dst, const char *s, gsize n, gboolean defang)
{
	static const char hex[] = "0123456789ABCDEF";

	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)s[i];

		if (c <= 0x20 || c >= 0x7f ||
		    strchr("<>\"'`\\{}|^", c) != NULL) {
			g_string_append_c(dst, '%');
			g_string_append_c(dst, hex[c >> 4]);
			g_string_append_c(dst, hex[c & 0xf]);
		} else if (defang && c == '.')
			g_string_append(dst, "[.]");
		else if (defang && c == '@')
			g_string_append(dst, "[@]");
		else
			g_string_append_c(dst, (char)c);
	}
}

/* TRUE when c may be shown as itself in a URL read by a person: a
 * printable character that is not a space, a control, a format character
 * (bidi, zero width) or a line or paragraph separator. */
static gboolean
url_char_shown(gunichar c)
{
	switch (g_unichar_type(c)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_UNASSIGNED:
	case G_UNICODE_PRIVATE_USE:
	case G_UNICODE_SURROGATE:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
	case G_UNICODE_SPACE_SEPARATOR:
		return FALSE;
	default:
		return c != 0xfffd && !(c >= 0xfe00 && c <= 0xfe0f);
	}
}

/*
 * Appends s[0..n) for reading: characters beyond ASCII that url_char_shown()
 * accepts as themselves, whether written so or percent-encoded as UTF-8
 * ("%E3%81%8A" is shown as "お"); ASCII and everything else as
 * append_url_part() writes it. Percent-encoded ASCII stays encoded: "%2F"
 * is not "/" to a server.
 */
static void
append_url_reading(GString *dst, const char *s, gsize n, gboolean defang)
{
	GString *raw;
	gsize i = 0;

	/* the usual URL: ASCII, nothing percent-encoded beyond ASCII */
	for (i = 0; i < n; i++)
		if ((guchar)s[i] >= 0x80 || (s[i] == '%' && i + 1 < n &&
		    g_ascii_xdigit_value(s[i + 1]) >= 8))
			break;
	if (i == n) {
		append_url_part(dst, s, n, defang);
		return;
	}
	raw = g_string_new(NULL);
	i = 0;

	while (i < n) {
		gsize j = i, k;
		const char *p, *end;

		/* a run of raw non-ASCII bytes and %XX escapes >= 0x80 */
		g_string_truncate(raw, 0);
		while (j < n) {
			if ((guchar)s[j] >= 0x80) {
				g_string_append_c(raw, s[j++]);
			} else if (s[j] == '%' && j + 2 < n &&
			    g_ascii_isxdigit(s[j + 1]) &&
			    g_ascii_isxdigit(s[j + 2]) &&
			    g_ascii_xdigit_value(s[j + 1]) >= 8) {
				g_string_append_c(raw, (char)(
				    g_ascii_xdigit_value(s[j + 1]) * 16 +
				    g_ascii_xdigit_value(s[j + 2])));
				j += 3;
			} else
				break;
		}
		if (j == i) {
			append_url_part(dst, s + i, 1, defang);
			i++;
			continue;
		}
		/* shown when it is all UTF-8 of characters one may show */
		p = raw->str;
		end = raw->str + raw->len;
		if (g_utf8_validate(raw->str, (gssize)raw->len, NULL)) {
			for (; p < end; p = g_utf8_next_char(p))
				if (!url_char_shown(g_utf8_get_char(p)))
					break;
		}
		if (p == end && raw->len > 0)
			g_string_append_len(dst, raw->str, (gssize)raw->len);
		else
			for (k = i; k < j; k++)
				if (s[k] == '%')
					g_string_append_c(dst, '%');
				else
					append_url_part(dst, s + k, 1, FALSE);
		i = j;
	}
	g_string_free(raw, TRUE);
}

/* Returns the length of the mailto address (before any "?query"). */
static gsize
mailto_addr_len(const char *addr)
{
	const char *q = strchr(addr, '?');

	return q != NULL ? (gsize)(q - addr) : strlen(addr);
}

/*
 * TRUE when the labels of host (Unicode) mix scripts: Latin with Cyrillic,
 * Greek with Latin ... (the look-alike trick, "аpple.com"). Han, Hiragana
 * and Katakana are one script here: Japanese names mix them.
 */
static gboolean
host_mixes_scripts(const char *host)
{
	GUnicodeScript other = G_UNICODE_SCRIPT_COMMON;
	gboolean latin = FALSE, latin_ext = FALSE;

	for (const char *p = host; ; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		GUnicodeScript sc;

		if (c == '.' || c == 0) {
			/* Japanese with ASCII letters is usual ("東京city") */
			if ((other != G_UNICODE_SCRIPT_COMMON &&
			    other != G_UNICODE_SCRIPT_HAN && latin) ||
			    (other == G_UNICODE_SCRIPT_HAN && latin_ext))
				return TRUE;
			if (c == 0)
				return FALSE;
			other = G_UNICODE_SCRIPT_COMMON;
			latin = latin_ext = FALSE;
			continue;
		}
		sc = g_unichar_get_script(c);
		if (sc == G_UNICODE_SCRIPT_HIRAGANA ||
		    sc == G_UNICODE_SCRIPT_KATAKANA)
			sc = G_UNICODE_SCRIPT_HAN;
		if (sc == G_UNICODE_SCRIPT_LATIN) {
			latin = TRUE;
			latin_ext |= c >= 0x80;
		} else if (sc != G_UNICODE_SCRIPT_COMMON &&
		    sc != G_UNICODE_SCRIPT_INHERITED &&
		    sc != G_UNICODE_SCRIPT_UNKNOWN) {
			if (other != G_UNICODE_SCRIPT_COMMON && sc != other)
				return TRUE;
			other = sc;
		}
	}
}

/*
 * Writes the URL href (scheme, as clean_href() gave it) for the reader
 * into dst: for a link with a host, the host in Unicode (an IDN written as
 * "xn--" is decoded, with g_hostname_to_unicode()), the path and query
 * with percent-encoded UTF-8 shown as the characters (append_url_reading);
 * defang as display_url(). *ascii_host is set to (transfer full) the
 * host's ASCII (punycode) form when it mixes scripts, else NULL.
 */
static void
reading_url(GString *dst, const char *href, enum h2t_scheme scheme,
    gboolean defang, char **ascii_host)
{
	const char *rest = strchr(href, ':') + 1;
	gsize auth, hstart, hlen;
	char *host, *uni;

	*ascii_host = NULL;
	if (defang)
		g_string_append(dst, scheme == S_HTTP ? "hxxp:" :
		    scheme == S_HTTPS ? "hxxps:" : "fxp:");
	else
		g_string_append_len(dst, href, rest - href);
	if (rest[0] != '/' || rest[1] != '/') {
		append_url_reading(dst, rest, strlen(rest), FALSE);
		return;
	}
	g_string_append(dst, "//");
	rest += 2;
	auth = strcspn(rest, "/?#");
	for (hstart = auth; hstart > 0 && rest[hstart - 1] != '@'; hstart--)
		;
	hlen = auth - hstart;
	if (hlen > 0 && rest[hstart] != '[') {
		const char *colon = memchr(rest + hstart, ':', hlen);

		if (colon != NULL)
			hlen = (gsize)(colon - (rest + hstart));
	}
	append_url_part(dst, rest, hstart, defang);
	host = g_strndup(rest + hstart, hlen);
	/* only an IDN (non-ASCII, or an "xn--" label) has another form */
	uni = g_str_is_ascii(host) && strstr(host, "xn--") == NULL &&
	    strstr(host, "XN--") == NULL ? NULL : g_hostname_to_unicode(host);
	if (uni != NULL && g_utf8_validate(uni, -1, NULL) &&
	    host_mixes_scripts(uni))
		*ascii_host = g_hostname_to_ascii(host);
	if (uni != NULL && strcmp(uni, host) != 0)
		append_url_reading(dst, uni, strlen(uni), defang);
	else
		append_url_part(dst, host, hlen, defang);
	g_free(uni);
	g_free(host);
	append_url_part(dst, rest + hstart + hlen, auth - hstart - hlen,
	    defang);
	rest += auth;
	append_url_reading(dst, rest, strlen(rest), FALSE);
}

/* Cuts a printed URL longer than H2T_URL_MAX bytes, ending in "...". */
static void
cut_url(GString *s)
{
	const char *p;

	if (s->len <= H2T_URL_MAX)
		return;
	p = s->str + H2T_URL_MAX - 3;
	if (((guchar)*p & 0xc0) == 0x80)
		p = g_utf8_find_prev_char(s->str, p);
	g_string_truncate(s, p != NULL ? (gsize)(p - s->str) : 0);
	g_string_append(s, "...");
}

/*
 * Returns (transfer full) href as printed in mode (not MUGAI_URL_REMOVE):
 * "<URL>", or two forms when the reader needs both: the reading form
 * (Unicode host, decoded path) and, under keep, the exact URL when they
 * differ, or with any mode the punycode host of a host that mixes scripts.
 * tel: shows its number, mailto: its address (defang: "[@]", "[.]"); a
 * relative link as written.
 */
static char *
display_url(const char *href, enum h2t_scheme scheme,
    enum mugai_url_mode mode)
{
	GString *s = g_string_new(NULL), *exact;
	const char *rest = strchr(href, ':');
	gboolean same;
	gboolean defang = mode == MUGAI_URL_DEFANG;
	char *ascii_host = NULL;

	switch (scheme) {
	case S_REL:
		append_url_reading(s, href, strlen(href), FALSE);
		break;
	case S_TEL:
		append_url_reading(s, href, strlen(href), FALSE);
		break;
	case S_MAILTO:
		if (defang)
			append_url_part(s, rest + 1, mailto_addr_len(rest + 1),
			    TRUE);
		else
			append_url_reading(s, href, strlen(href), FALSE);
		break;
	default:
		reading_url(s, href, scheme, defang, &ascii_host);
		break;
	}
	exact = g_string_new(NULL);
	if (ascii_host != NULL) {
		g_string_append(exact, defang ? "xn: " : "");
		append_url_part(exact, ascii_host, strlen(ascii_host), defang);
	} else if (mode == MUGAI_URL_KEEP && scheme != S_TEL &&
	    g_str_is_ascii(href))
		append_url_part(exact, href, strlen(href), FALSE);
	same = exact->len == 0 || strcmp(s->str, exact->str) == 0;
	cut_url(s);
	g_string_prepend_c(s, '<');
	g_string_append_c(s, '>');
	if (!same) {
		cut_url(exact);
		g_string_append_printf(s, " (%s)", exact->str);
	}
	g_string_free(exact, TRUE);
	g_free(ascii_host);
	return g_string_free(s, FALSE);
}

/* The digits (and a leading '+') of a phone number, for comparing. */
static char *
phone_digits(const char *s, gsize n)
{
	GString *d = g_string_new(NULL);

	for (gsize i = 0; i < n; i++)
		if (g_ascii_isdigit(s[i]) || (s[i] == '+' && d->len == 0))
			g_string_append_c(d, s[i]);
	return g_string_free(d, FALSE);
}

/* TRUE when the link text t (n bytes) is the URL itself. */
static gboolean
text_is_url(const char *t, gsize n, const char *href, enum h2t_scheme scheme)
{
	gsize hl = strlen(href);

	if (scheme == S_MAILTO) {
		const char *addr = href + strlen("mailto:");
		gsize al = mailto_addr_len(addr);

		if (n == al && g_ascii_strncasecmp(t, addr, n) == 0)
			return TRUE;
	}
	if (scheme == S_TEL) {
		g_autofree char *a = phone_digits(t, n);
		g_autofree char *b = phone_digits(href, hl);
		gsize i;

		/* only digits and the usual punctuation in the text */
		for (i = 0; i < n; i++)
			if (!g_ascii_isdigit(t[i]) && strchr("+-() .", t[i]) ==
			    NULL)
				break;
		return i == n && a[0] != '\0' && strcmp(a, b) == 0;
	}
	if (n > 0 && t[n - 1] == '/')
		n--;
	if (hl > 0 && href[hl - 1] == '/')
		hl--;
	return n == hl && n > 0 && memcmp(t, href, n) == 0;
}

/*
 * A link ends. Its text is already written; add " <URL>" after it, or,
 * when the text is the URL, leave it (keep, remove) or rewrite it (defang).
 * Links with no text print nothing. A printed URL longer than H2T_URL_MAX
 * bytes is cut and ends with "..." (they are tracking redirects; a long one
 * in a sentence would also hide the sentence from readers).
 */
static void
end_link(struct mugai_html2text *h, const struct h2t_frame *fr)
{
	GString *out = h->h_out;
	const char *t;
	gsize start, n;
	char *url;

	if (fr->f_href == NULL || fr->f_text_start == G_MAXSIZE)
		return;
	start = MIN(fr->f_text_start, out->len);
	t = out->str + start;
	n = out->len - start;
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (text_is_url(t, n, fr->f_href, fr->f_scheme)) {
		if (h->h_opts.ho_url_mode == MUGAI_URL_DEFANG &&
		    fr->f_scheme != S_TEL && fr->f_scheme != S_REL) {
			url = display_url(fr->f_href, fr->f_scheme,
			    MUGAI_URL_DEFANG);
			g_string_truncate(out, start);
			/* without the angle brackets: it is the text */
			g_string_append_len(out, url + 1, strchr(url, '>') -
			    url - 1);
			g_string_append(out, strchr(url, '>') + 1);
			g_free(url);
		}
		return;
	}
	if (h->h_opts.ho_url_mode == MUGAI_URL_REMOVE &&
	    fr->f_scheme != S_TEL)
		return;
	url = display_url(fr->f_href, fr->f_scheme, h->h_opts.ho_url_mode);
	if (h->h_line_text && !h->h_cell_sep)
		h->h_space = TRUE;
	h->h_space_nl = FALSE;
	put_word(h, url, strlen(url));
	g_free(url);
}

/* ----------------------------------------------------------- hidden text */

/*
 * Text the sender hid from the reader (display:none, visibility:hidden,
 * a zero or one-pixel font, a zero-size box with overflow hidden,
 * opacity 0, Outlook's mso-hide:all, the hidden attribute, text in the
 * colour of its background) is not rendered where it stands: the reader's
 * client would not show it. Phishing mail fills it with words to salt
 * filters and newsletters put a "preheader" summary there for the inbox
 * list; neither is the message the reader sees. It is shown apart, after
 * the text, under H2T_HIDDEN_HEAD, rather than dropped: text is never
 * dropped when it can be shown safely (the contract's validator counts
 * it), and marked so it cannot pass for the sender's message.
 * Only inline style and presentational attributes are read; a class in a
 * <style> sheet is not (so white text is hidden only where no style sheet
 * might have given it a dark background).
 */

/* Parses a CSS or HTML colour: #rgb, #rrggbb, rgb(r,g,b), a few names.
 * Returns 0xRRGGBB, or -1 when not understood. */
/*
 * Reads "rgb(R,G,B)" (blanks allowed around the numbers, each 0-255)
 * into *r, *g, *b; FALSE for anything else.
 */
static gboolean
rgb_triple(const char *s, guint *r, guint *g, guint *b)
{
	guint *out[3] = { r, g, b };

	if (strncmp(s, "rgb(", 4) != 0)
		return FALSE;
	s += 4;
	for (int i = 0; i < 3; i++) {
		guint v = 0, digits = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		while (g_ascii_isdigit(*s) && digits < 4) {
			v = v * 10 + (guint)(*s++ - '0');
			digits++;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (digits == 0 || v > 255 || *s != (i < 2 ? ',' : ')'))
			return FALSE;
		s++;
		*out[i] = v;
	}
	return *s == '\0';
}

static gint32
parse_colour(const char *v, gsize n)
{
	static const struct {
		const char *name;
		gint32 rgb;
	} names[] = {
		{ "white", 0xffffff }, { "black", 0x000000 },
		{ "red", 0xff0000 }, { "blue", 0x0000ff },
		{ "gray", 0x808080 }, { "grey", 0x808080 },
		{ "silver", 0xc0c0c0 }, { "transparent", -2 },
	};
	char buf[32];
	guint r, g, b;

	while (n > 0 && g_ascii_isspace(*v)) {
		v++;
		n--;
	}
	while (n > 0 && g_ascii_isspace(v[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	for (gsize i = 0; i < n; i++)
		buf[i] = g_ascii_tolower(buf[i]);
	if (buf[0] == '#' && (n == 4 || n == 7)) {
		for (gsize i = 1; i < n; i++)
			if (!g_ascii_isxdigit(buf[i]))
				return -1;
		if (n == 4)
			return (gint32)(0x110000 * g_ascii_xdigit_value(buf[1]) +
			    0x1100 * g_ascii_xdigit_value(buf[2]) +
			    0x11 * g_ascii_xdigit_value(buf[3]));
		return (gint32)strtol(buf + 1, NULL, 16);
	}
	if (rgb_triple(buf, &r, &g, &b))
		return (gint32)(r << 16 | g << 8 | b);
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(buf, names[i].name) == 0)
			return names[i].rgb;
	return -1;
}

/* A background: its colour, -2 transparent, -3 one we cannot tell (an
 * image, a gradient): text on it is never taken for hidden. */
static gint32
bg_colour(const char *v, gsize n)
{
	gint32 c = parse_colour(v, n);

	return c == -1 ? -3 : c;
}

/* TRUE when a CSS length is zero ("0", "0px", "0em", ...) or, with
 * tiny, at most one pixel or point ("1px"). */
static gboolean
css_zero(const char *v, gsize n, gboolean tiny)
{
	gsize i = 0;
	double x;
	char buf[24];

	while (n > 0 && g_ascii_isspace(v[n - 1]))
		n--;
	while (i < n && g_ascii_isspace(v[i]))
		i++;
	if (n - i == 0 || n - i >= sizeof buf)
		return FALSE;
	memcpy(buf, v + i, n - i);
	buf[n - i] = '\0';
	if (strstr(buf, "!important") != NULL)
		*strstr(buf, "!important") = '\0';
	x = g_ascii_strtod(buf, NULL);
	if (!g_ascii_isdigit(buf[0]) && buf[0] != '.')
		return FALSE;
	return x == 0.0 || (tiny && x <= 1.0 && (strstr(buf, "px") != NULL ||
	    strstr(buf, "pt") != NULL));
}

/* The facts of one style attribute that hiding needs. */
struct h2t_style {
	gboolean st_hidden;	/* display:none and the like */
	gboolean st_zero_box;	/* a zero width or height */
	gboolean st_overflow_hidden;
	gint32 st_fg;		/* color, -1: not set */
	gint32 st_bg;		/* background(-color), -1: not set */
};

static gboolean
css_is(const char *v, gsize n, const char *word)
{
	while (n > 0 && g_ascii_isspace(*v)) {
		v++;
		n--;
	}
	return n >= strlen(word) && g_ascii_strncasecmp(v, word,
	    strlen(word)) == 0;
}

/* Reads the declarations of a style attribute into st. */
static void
read_style(const char *style, struct h2t_style *st)
{
	const char *p = style;

	while (*p != '\0') {
		const char *d = p;
		gsize dl = strcspn(d, ";"), pl;
		const char *colon = memchr(d, ':', dl), *v;
		gsize vn;
		char prop[32];

		if (colon == NULL)
			goto next;
		while (p < colon && g_ascii_isspace(*p))
			p++;
		for (pl = (gsize)(colon - p); pl > 0 &&
		    g_ascii_isspace(p[pl - 1]); pl--)
			;
		if (pl == 0 || pl >= sizeof prop)
			goto next;
		memcpy(prop, p, pl);
		prop[pl] = '\0';
		for (gsize i = 0; i < pl; i++)
			prop[i] = g_ascii_tolower(prop[i]);
		v = colon + 1;
		vn = strcspn(v, ";");
		if (strcmp(prop, "display") == 0 && css_is(v, vn, "none"))
			st->st_hidden = TRUE;
		else if (strcmp(prop, "visibility") == 0 &&
		    (css_is(v, vn, "hidden") || css_is(v, vn, "collapse")))
			st->st_hidden = TRUE;
		else if (strcmp(prop, "mso-hide") == 0 && css_is(v, vn, "all"))
			st->st_hidden = TRUE;
		else if (strcmp(prop, "opacity") == 0 && css_zero(v, vn, FALSE))
			st->st_hidden = TRUE;
		else if (strcmp(prop, "font-size") == 0 && css_zero(v, vn, TRUE))
			st->st_hidden = TRUE;
		else if ((strcmp(prop, "max-height") == 0 ||
		    strcmp(prop, "height") == 0 ||
		    strcmp(prop, "max-width") == 0 ||
		    strcmp(prop, "width") == 0) && css_zero(v, vn, FALSE))
			st->st_zero_box = TRUE;
		else if ((strcmp(prop, "overflow") == 0 ||
		    strcmp(prop, "overflow-y") == 0) && css_is(v, vn, "hidden"))
			st->st_overflow_hidden = TRUE;
		else if (strcmp(prop, "color") == 0)
			st->st_fg = parse_colour(v, vn);
		else if (strcmp(prop, "background-color") == 0 ||
		    strcmp(prop, "background") == 0 ||
		    strcmp(prop, "background-image") == 0)
			st->st_bg = bg_colour(v, vn);
next:
		p = d + dl;
		if (*p == ';')
			p++;
	}
}

/*
 * Sets fr->f_bg (the background its text is drawn on: its own, else its
 * parent's) and returns TRUE when the element hides its content.
 */
static gboolean
hides(struct mugai_html2text *h, struct h2t_frame *fr,
    const xmlChar **attrs)
{
	struct h2t_style st = { .st_fg = -1, .st_bg = -1 };
	const char *style, *v;
	gint32 bg;

	fr->f_bg = fr > h->h_stack ? fr[-1].f_bg : -1;
	if (attrs == NULL)
		return FALSE;
	if (attr(attrs, "hidden") != NULL)
		return TRUE;
	if ((v = attr(attrs, "bgcolor")) != NULL)
		st.st_bg = bg_colour(v, strlen(v));
	if (attr(attrs, "background") != NULL && st.st_bg == -1)
		st.st_bg = -3;
	if ((v = attr(attrs, "color")) != NULL && fr->f_kind == K_INLINE &&
	    g_ascii_strcasecmp(fr->f_name, "font") == 0)
		st.st_fg = parse_colour(v, strlen(v));
	if ((style = attr(attrs, "style")) != NULL)
		read_style(style, &st);
	if (st.st_bg >= 0 || st.st_bg == -3)
		fr->f_bg = st.st_bg;	/* -2, transparent: the parent's */
	if (st.st_hidden || (st.st_zero_box && st.st_overflow_hidden))
		return TRUE;
	if (st.st_fg < 0)
		return FALSE;
	bg = fr->f_bg;
	/* no background anywhere: white, unless a style sheet may set one */
	if (bg == -1 && !h->h_styled)
		bg = 0xffffff;
	return bg >= 0 && st.st_fg == bg;
}

/* An element hides its text: it renders into an output of its own. */
static void
hide_start(struct mugai_html2text *h, struct h2t_frame *fr)
{
	fr->f_hidden = g_new0(struct h2t_saved, 1);
	save_state(h, fr->f_hidden);
	h->h_hiding++;
}

/* The hidden element ends: its text goes to h_hidden, shown apart. */
static void
hide_end(struct mugai_html2text *h, struct h2t_frame *fr)
{
	GString *out;
	gsize a = 0, b;

	end_line(h);
	out = h->h_out;
	b = out->len;
	while (a < b && out->str[a] == '\n')
		a++;
	while (b > a && out->str[b - 1] == '\n')
		b--;
	if (b > a) {
		if (h->h_hidden == NULL)
			h->h_hidden = g_string_new(NULL);
		else
			g_string_append_c(h->h_hidden, '\n');
		g_string_append_len(h->h_hidden, out->str + a, (gssize)(b - a));
		h->h_held += b - a + 1;
	}
	restore_state(h, fr->f_hidden);
	g_clear_pointer(&fr->f_hidden, g_free);
	h->h_hiding--;
}

/* At the end: the hidden text under a heading that says what it is. */
static void
put_hidden(struct mugai_html2text *h)
{
	const char *p;

	if (h->h_hidden == NULL || h->h_err != MUGAI_OK)
		return;
	want_break(h, 2);
	put_word(h, H2T_HIDDEN_HEAD, strlen(H2T_HIDDEN_HEAD));
	end_line(h);
	for (p = h->h_hidden->str; *p != '\0'; ) {
		gsize n = strcspn(p, "\n");

		table_line(h, p, n);
		p += n;
		if (*p == '\n')
			p++;
	}
	h->h_held -= MIN(h->h_held, h->h_hidden->len + 1);
	g_string_free(h->h_hidden, TRUE);
	h->h_hidden = NULL;
}

/* ---------------------------------------------------------------- tables */

/*
 * A table is laid out as a grid when it is a table of data: each cell is
 * rendered into a text of its own (the renderer's output and line state
 * are swapped for the cell's, so <br> and blocks inside a cell stay in
 * it), placed by rowspan and colspan, and at </table> the columns are
 * padded to the widest cell by display width (East Asian wide and
 * ambiguous characters count two columns: a Japanese mail client shows
 * them so), cells joined by " | ". A column with no text anywhere is left
 * out. A table that holds a table, has one column, or would be wider than
 * H2T_GRID_MAX columns is a layout table: its cells come one after the
 * other, a row of one-line cells as one line "a | b".
 */

#define H2T_GRID_MAX	120	/* a grid wider than this is a layout */
#define H2T_SPAN_MAX	64	/* colspan and rowspan at most */
#define H2T_GRID_CELLS	100000	/* grid slots at most */

struct h2t_cell {
	char *c_text;		/* (owned) without blank lines at the ends */
	gsize c_width;		/* its widest line, display columns */
	guint c_row, c_col;
	guint c_rows, c_cols;	/* rowspan, colspan */
};


struct h2t_table {
	GPtrArray *t_cells;	/* struct h2t_cell, in document order */
	GArray *t_busy;		/* guint per column: first row not spanned */
	gint t_row;		/* current row, -1 before the first */
	gboolean t_row_used;	/* the current row has a cell */
	guint t_col;		/* next column of the current row */
	gboolean t_layout;	/* holds a table */
	gboolean t_in_cell;
	struct h2t_cell *t_cell;	/* the cell rendering */
	struct h2t_saved t_saved;
};

static void
cell_free(gpointer p)
{
	struct h2t_cell *c = p;

	g_free(c->c_text);
	g_free(c);
}

static void
table_free(gpointer p)
{
	struct h2t_table *t = p;

	if (t->t_in_cell) {
		g_string_free(t->t_saved.s_out, TRUE);
		g_string_free(t->t_saved.s_prefix, TRUE);
		cell_free(t->t_cell);
	}
	g_ptr_array_free(t->t_cells, TRUE);
	g_array_free(t->t_busy, TRUE);
	g_free(t);
}

static struct h2t_table *
table_top(struct mugai_html2text *h)
{
	return h->h_tables != NULL && h->h_tables->len > 0 ?
	    g_ptr_array_index(h->h_tables, h->h_tables->len - 1) : NULL;
}

/* Display columns of a UTF-8 line (wide and ambiguous: 2, marks: 0). */
static gsize
text_width(const char *s, gsize n)
{
	const char *p = s, *end = s + n;
	gsize w = 0;

	while (p < end) {
		gunichar c;

		if ((guchar)*p < 0x80) {
			w++;
			p++;
			continue;
		}
		/* U+3000..U+9FFF (kana, CJK): wide, without a lookup */
		if ((guchar)*p >= 0xe3 && (guchar)*p <= 0xe9 && end - p >= 3 &&
		    ((guchar)p[1] & 0xc0) == 0x80 &&
		    ((guchar)p[2] & 0xc0) == 0x80 &&
		    !((guchar)*p == 0xe3 && (guchar)p[1] == 0x80 &&
		    (guchar)p[2] == 0xbf)) {
			w += 2;
			p += 3;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			w++;
			p++;
			continue;
		}
		if (g_unichar_iszerowidth(c))
			;
		else if (g_unichar_iswide_cjk(c))
			w += 2;
		else
			w++;
		p = g_utf8_next_char(p);
	}
	return w;
}

/* An empty string from the spares (cells come by the hundred). */
static GString *
spare_string(struct mugai_html2text *h)
{
	if (h->h_spare != NULL && h->h_spare->len > 0)
		return g_ptr_array_steal_index_fast(h->h_spare,
		    h->h_spare->len - 1);
	return g_string_sized_new(64);
}

/* Gives s back to the spares (a big one is freed). */
static void
keep_string(struct mugai_html2text *h, GString *s)
{
	if (h->h_spare == NULL)
		h->h_spare = g_ptr_array_new();
	if (s->allocated_len > 4096 || h->h_spare->len >= 16) {
		g_string_free(s, TRUE);
		return;
	}
	g_string_truncate(s, 0);
	g_ptr_array_add(h->h_spare, s);
}

/* Sets the renderer's output and line state aside in sv and starts a
 * fresh output (a cell's, hidden text's). */
static void
save_state(struct mugai_html2text *h, struct h2t_saved *sv)
{
	sv->s_out = h->h_out;
	sv->s_prefix = h->h_prefix;
	sv->s_line_text = h->h_line_text;
	sv->s_blank = h->h_blank;
	sv->s_space = h->h_space;
	sv->s_space_nl = h->h_space_nl;
	sv->s_cell_sep = h->h_cell_sep;
	sv->s_marker_set = h->h_marker_set;
	sv->s_cr = h->h_cr;
	sv->s_blank_keep = h->h_blank_keep;
	sv->s_marker_at = h->h_marker_at;
	memcpy(sv->s_marker, h->h_marker, sizeof sv->s_marker);
	sv->s_link = h->h_link;
	h->h_held += sv->s_out->len;
	h->h_out = spare_string(h);
	h->h_prefix = spare_string(h);
	h->h_line_text = h->h_blank = h->h_space = h->h_space_nl = FALSE;
	h->h_cell_sep = h->h_marker_set = h->h_cr = FALSE;
	h->h_blank_keep = 0;
	h->h_link = -1;
	h->h_lead_nbsp = 0;
}

/* Drops the fresh output and brings back what sv holds. */
static void
restore_state(struct mugai_html2text *h, struct h2t_saved *sv)
{
	keep_string(h, h->h_out);
	keep_string(h, h->h_prefix);
	h->h_held -= MIN(h->h_held, sv->s_out->len);
	h->h_out = sv->s_out;
	h->h_prefix = sv->s_prefix;
	h->h_line_text = sv->s_line_text;
	h->h_blank = sv->s_blank;
	h->h_space = sv->s_space;
	h->h_space_nl = sv->s_space_nl;
	h->h_cell_sep = sv->s_cell_sep;
	h->h_marker_set = sv->s_marker_set;
	h->h_cr = sv->s_cr;
	h->h_blank_keep = sv->s_blank_keep;
	h->h_marker_at = sv->s_marker_at;
	memcpy(h->h_marker, sv->s_marker, sizeof h->h_marker);
	h->h_link = sv->s_link;
	h->h_lead_nbsp = 0;
}

static void
table_start(struct mugai_html2text *h)
{
	struct h2t_table *t = g_new0(struct h2t_table, 1), *outer;

	if ((outer = table_top(h)) != NULL && outer->t_in_cell)
		outer->t_layout = TRUE;
	t->t_cells = g_ptr_array_new_with_free_func(cell_free);
	t->t_busy = g_array_new(FALSE, TRUE, sizeof(guint));
	t->t_row = -1;
	if (h->h_tables == NULL)
		h->h_tables = g_ptr_array_new_with_free_func(table_free);
	g_ptr_array_add(h->h_tables, t);
	want_break(h, 1);
}

static void
table_row(struct h2t_table *t)
{
	t->t_row++;
	t->t_row_used = FALSE;
	t->t_col = 0;
}

static guint
span_attr(const xmlChar **attrs, const char *name)
{
	gint64 n = 1;

	if (!attr_number(attrs, name, &n) || n < 1)
		return 1;
	return (guint)MIN(n, H2T_SPAN_MAX);
}

/* A cell opens: it gets its place and the renderer a fresh output. */
static void
cell_start(struct mugai_html2text *h, struct h2t_table *t,
    const xmlChar **attrs)
{
	struct h2t_saved *sv = &t->t_saved;
	struct h2t_cell *c = g_new0(struct h2t_cell, 1);
	guint *busy;

	if (t->t_row < 0)
		table_row(t);
	busy = (guint *)(void *)t->t_busy->data;
	while (t->t_col < t->t_busy->len && busy[t->t_col] > (guint)t->t_row)
		t->t_col++;
	c->c_row = (guint)t->t_row;
	c->c_col = t->t_col;
	c->c_rows = span_attr(attrs, "rowspan");
	c->c_cols = span_attr(attrs, "colspan");
	if (c->c_col + c->c_cols > t->t_busy->len)
		g_array_set_size(t->t_busy, c->c_col + c->c_cols);
	busy = (guint *)(void *)t->t_busy->data;
	for (guint i = c->c_col; i < c->c_col + c->c_cols; i++)
		busy[i] = MAX(busy[i], c->c_row + c->c_rows);
	t->t_col += c->c_cols;
	t->t_row_used = TRUE;
	t->t_cell = c;
	t->t_in_cell = TRUE;

	save_state(h, sv);
}

/* A cell ends: its text is kept, the renderer's state comes back. */
static void
cell_end(struct mugai_html2text *h, struct h2t_table *t)
{
	struct h2t_saved *sv = &t->t_saved;
	GString *out;
	gsize a = 0, b;

	end_line(h);
	out = h->h_out;
	b = out->len;
	while (a < b && out->str[a] == '\n')
		a++;
	while (b > a && out->str[b - 1] == '\n')
		b--;
	t->t_cell->c_text = g_strndup(out->str + a, b - a);
	h->h_held += b - a;
	g_ptr_array_add(t->t_cells, t->t_cell);
	t->t_cell = NULL;
	t->t_in_cell = FALSE;
	restore_state(h, sv);
}

/* Writes one finished line of the table (blanks at its end trimmed). */
static void
table_line(struct mugai_html2text *h, const char *s, gsize n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return;
	put_word(h, s, n);
	end_line(h);
}

/* Cells one after the other; a row of one-line cells as "a | b". */
static void
table_linear(struct mugai_html2text *h, struct h2t_table *t)
{
	GString *line = g_string_new(NULL);
	guint i = 0;

	while (i < t->t_cells->len) {
		const struct h2t_cell *c = g_ptr_array_index(t->t_cells, i);
		guint j, row = c->c_row;
		gboolean one_line = TRUE;

		for (j = i; j < t->t_cells->len; j++) {
			c = g_ptr_array_index(t->t_cells, j);
			if (c->c_row != row)
				break;
			if (strchr(c->c_text, '\n') != NULL)
				one_line = FALSE;
		}
		g_string_truncate(line, 0);
		for (; i < j; i++) {
			c = g_ptr_array_index(t->t_cells, i);
			if (c->c_text[0] == '\0')
				continue;
			if (one_line) {
				if (line->len > 0)
					g_string_append(line, " | ");
				g_string_append(line, c->c_text);
				continue;
			}
			for (const char *p = c->c_text; *p != '\0'; ) {
				gsize n = strcspn(p, "\n");

				table_line(h, p, n);
				p += n;
				if (*p == '\n')
					p++;
			}
		}
		table_line(h, line->str, line->len);
	}
	g_string_free(line, TRUE);
}

/* Appends the line at *cur (or nothing) padded to width columns, and
 * moves *cur to the next line: a cell's lines are read once. */
static void
pad_line(GString *dst, const char **cur, gsize width)
{
	const char *p = *cur;
	gsize n, w;

	n = strcspn(p, "\n");
	if (n > 0)
		g_string_append_len(dst, p, (gssize)n);
	w = n > 0 ? text_width(p, n) : 0;
	for (; w < width; w++)
		g_string_append_c(dst, ' ');
	*cur = p[n] == '\n' ? p + n + 1 : p + n;
}

static guint
line_count(const char *s)
{
	guint n = s[0] != '\0' ? 1 : 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The widest line of s in display columns. */
static gsize
widest_line(const char *s)
{
	gsize best = 0;

	while (*s != '\0') {
		gsize n = strcspn(s, "\n"), w = text_width(s, n);

		best = MAX(best, w);
		s += n;
		if (*s == '\n')
			s++;
	}
	return best;
}

/* Lays the table out as a grid; FALSE when it is not one (see above). */
static gboolean
table_grid(struct mugai_html2text *h, struct h2t_table *t)
{
	guint ncols = t->t_busy->len, nrows = 0, shown = 0;
	gsize *width, total = 0;
	const struct h2t_cell **at;
	const char **cur;
	GString *line;

	for (guint i = 0; i < t->t_cells->len; i++) {
		const struct h2t_cell *c = g_ptr_array_index(t->t_cells, i);

		nrows = MAX(nrows, c->c_row + 1);
	}
	if (t->t_layout || ncols < 2 || nrows == 0 ||
	    (gsize)ncols * nrows > H2T_GRID_CELLS)
		return FALSE;
	width = g_new0(gsize, ncols);
	at = g_new0(const struct h2t_cell *, (gsize)ncols * nrows);
	/* one-column cells first, then the spans where they fall short */
	for (int pass = 0; pass < 2; pass++)
		for (guint i = 0; i < t->t_cells->len; i++) {
			const struct h2t_cell *c =
			    g_ptr_array_index(t->t_cells, i);
			gsize need = c->c_width, have = 0, k = 0;
			guint last = c->c_col;

			if (pass == 0) {
				/* widths only here: layout tables need none */
				need = ((struct h2t_cell *)c)->c_width =
				    widest_line(c->c_text);
				at[(gsize)c->c_row * ncols + c->c_col] = c;
				if (c->c_cols == 1)
					width[c->c_col] = MAX(width[c->c_col],
					    need);
				continue;
			}
			if (c->c_cols == 1 || need == 0)
				continue;
			for (guint j = c->c_col; j < c->c_col + c->c_cols; j++)
				if (width[j] > 0) {
					have += width[j] + (k++ > 0 ? 3 : 0);
					last = j;
				}
			if (need > have)
				width[last] += need - have;
		}
	for (guint j = 0; j < ncols; j++)
		if (width[j] > 0) {
			total += width[j] + (shown++ > 0 ? 3 : 0);
		}
	if (shown < 2 || total > H2T_GRID_MAX) {
		g_free(width);
		g_free(at);
		return FALSE;
	}
	line = g_string_new(NULL);
	cur = g_new(const char *, ncols);
	for (guint r = 0; r < nrows; r++) {
		guint height = 0;

		for (guint j = 0; j < ncols; j++) {
			const struct h2t_cell *c = at[(gsize)r * ncols + j];

			cur[j] = c != NULL ? c->c_text : "";
			if (c != NULL)
				height = MAX(height, line_count(c->c_text));
		}
		for (guint k = 0; k < height; k++) {
			gboolean first = TRUE;

			g_string_truncate(line, 0);
			for (guint j = 0; j < ncols; ) {
				const struct h2t_cell *c =
				    at[(gsize)r * ncols + j];
				guint span = c != NULL ? c->c_cols : 1;
				gsize w = 0, parts = 0;

				for (guint x = j; x < j + span && x < ncols;
				    x++)
					if (width[x] > 0)
						w += width[x] +
						    (parts++ > 0 ? 3 : 0);
				if (parts > 0) {
					if (!first)
						g_string_append(line, " | ");
					first = FALSE;
					pad_line(line, &cur[j], w);
				}
				j += span;
			}
			table_line(h, line->str, line->len);
		}
	}
	g_string_free(line, TRUE);
	g_free(cur);
	g_free(width);
	g_free(at);
	return TRUE;
}

/* </table>: the cells are written out and the table forgotten. */
static void
table_end(struct mugai_html2text *h)
{
	struct h2t_table *t = table_top(h);

	if (t->t_in_cell)
		cell_end(h, t);
	want_break(h, 1);
	if (!table_grid(h, t))
		table_linear(h, t);
	want_break(h, 1);
	for (guint i = 0; i < t->t_cells->len; i++) {
		const struct h2t_cell *c = g_ptr_array_index(t->t_cells, i);

		h->h_held -= MIN(h->h_held, strlen(c->c_text));
	}
	g_ptr_array_set_size(h->h_tables, h->h_tables->len - 1);
}

/* -------------------------------------------------------------- elements */

static const char *
attr(const xmlChar **attrs, const char *name)
{
	if (attrs == NULL)
		return NULL;
	for (; attrs[0] != NULL; attrs += 2)
		if (g_ascii_strcasecmp((const char *)attrs[0], name) == 0)
			return attrs[1] != NULL ? (const char *)attrs[1] : "";
	return NULL;
}

/* Parses a list number attribute; returns FALSE when absent or bad. */
static gboolean
attr_number(const xmlChar **attrs, const char *name, gint64 *num)
{
	const char *v = attr(attrs, name);
	char *end = NULL;
	gint64 x;

	if (v == NULL)
		return FALSE;
	while (is_ws((guchar)*v))
		v++;
	x = g_ascii_strtoll(v, &end, 10);
	if (end == v)
		return FALSE;
	*num = CLAMP(x, -1000000000, 1000000000);
	return TRUE;
}

static void
prefix_push(struct mugai_html2text *h, const char *s)
{
	if (h->h_prefix->len < H2T_MAX_INDENT)
		g_string_append(h->h_prefix, s);
}

static void
set_limit(struct mugai_html2text *h, enum mugai_html_limit which)
{
	if (h->h_err == MUGAI_OK) {
		h->h_err = MUGAI_E_LIMIT;
		h->h_limit = which;
	}
}

/*
 * Counts the attributes of the start tags in buf (libxml2's next input)
 * and sets the limit when one has more than H2T_ATTRS_MAX. libxml2
 * checks each attribute name against every one before it in the tag:
 * 60,000 attributes took 4 s and t/hostile-big's 1,000,000 minutes, in
 * one call no deadline can stop. A quoted value is skipped as libxml2
 * skips it (a '>' in it ends nothing); a word after a blank is counted
 * as a name, so an unquoted value after "= " counts too: over, never
 * under. End tags, comments and declarations are not counted.
 */
static void
count_attrs(struct mugai_html2text *h, const char *buf, gsize len)
{
	for (gsize i = 0; i < len && h->h_err == MUGAI_OK; i++) {
		char c = buf[i];

		switch (h->h_ts) {
		case TS_TEXT:
			if (c == '<')
				h->h_ts = TS_LT;
			break;
		case TS_LT:
			h->h_ts = g_ascii_isalpha(c) ? TS_TAG : TS_TEXT;
			h->h_ts_attrs = 0;
			h->h_ts_blank = FALSE;
			if (c == '<')
				h->h_ts = TS_LT;
			break;
		case TS_TAG:
			if (c == '>')
				h->h_ts = TS_TEXT;
			else if (c == '"' || c == '\'') {
				h->h_ts = TS_QUOTED;
				h->h_ts_quote = c;
			} else if (g_ascii_isspace(c))
				h->h_ts_blank = TRUE;
			else {
				if (h->h_ts_blank && c != '=' && c != '/' &&
				    ++h->h_ts_attrs > H2T_ATTRS_MAX)
					set_limit(h, MUGAI_HTML_LIMIT_ATTRS);
				h->h_ts_blank = FALSE;
			}
			break;
		case TS_QUOTED:
			if (c == h->h_ts_quote) {
				h->h_ts = TS_TAG;
				h->h_ts_blank = FALSE;
			}
			break;
		}
	}
}

static void
check_output(struct mugai_html2text *h)
{
	if (h->h_opts.ho_max_output > 0 &&
	    h->h_out->len + h->h_held > h->h_opts.ho_max_output)
		set_limit(h, MUGAI_HTML_LIMIT_OUTPUT);
}

static void
check_time(struct mugai_html2text *h)
{
	if (mugai_deadline_passed(h->h_deadline))
		set_limit(h, MUGAI_HTML_LIMIT_TIME);
}

static void
start_list_item(struct mugai_html2text *h, const xmlChar **attrs)
{
	struct h2t_frame *list = h->h_list >= 0 ? &h->h_stack[h->h_list] :
	    NULL;
	gint64 num;

	want_break(h, 1);
	if (list != NULL && list->f_kind == K_OL) {
		if (attr_number(attrs, "value", &num))
			list->f_next = num;
		g_snprintf(h->h_marker, sizeof(h->h_marker),
		    "%" G_GINT64_FORMAT ". ", list->f_next);
		if (list->f_next < G_MAXINT64)
			list->f_next++;
	} else
		g_strlcpy(h->h_marker, "- ", sizeof(h->h_marker));
	h->h_marker_set = TRUE;
	h->h_marker_at = h->h_prefix->len;
	prefix_push(h, "  ");
}

static void
start_input(struct mugai_html2text *h, const xmlChar **attrs)
{
	const char *type = attr(attrs, "type");
	GString *s;

	if (type == NULL)
		return;
	if (g_ascii_strcasecmp(type, "image") == 0) {
		put_image(h, attr(attrs, "alt"));
		return;
	}
	if (g_ascii_strcasecmp(type, "submit") != 0 &&
	    g_ascii_strcasecmp(type, "button") != 0 &&
	    g_ascii_strcasecmp(type, "reset") != 0)
		return;
	if (attr(attrs, "value") == NULL)
		return;
	s = g_string_new("[");
	collapse_into(s, attr(attrs, "value"));
	if (s->len > 1) {
		g_string_append_c(s, ']');
		put_word(h, s->str, s->len);
	}
	g_string_free(s, TRUE);
}

/* A td or th: a cell of the innermost table's grid, or, outside a table
 * or inside a cell of it, " | " before its text as before grids. */
static void
open_cell(struct mugai_html2text *h, struct h2t_frame *fr,
    const xmlChar **attrs)
{
	struct h2t_table *t = table_top(h);

	if (t != NULL && !t->t_in_cell) {
		cell_start(h, t, attrs);
		fr->f_table = TRUE;
	} else if (h->h_line_text)
		h->h_cell_sep = TRUE;
}

/* What an element does when it opens; fr is already on the stack. */
static void
open_element(struct mugai_html2text *h, struct h2t_frame *fr,
    const xmlChar **attrs)
{
	gint idx = (gint)(fr - h->h_stack);

	switch (fr->f_kind) {
	case K_BLOCK:
		want_break(h, 1);
		break;
	case K_PARA:
		want_break(h, 2);
		break;
	case K_PRE:
	case K_TEXTAREA:
		want_break(h, fr->f_kind == K_PRE ? 2 : 1);
		h->h_pre++;
		h->h_cr = FALSE;
		break;
	case K_BR:
		line_break(h);
		break;
	case K_HR:
		want_break(h, 2);
		put_word(h, H2T_HR, strlen(H2T_HR));
		want_break(h, 2);
		break;
	case K_IMG:
		if (attr(attrs, "alt") == NULL)
			put_cid_image(h, attr(attrs, "src"));
		else
			put_image(h, attr(attrs, "alt"));
		break;
	case K_A:
		fr->f_href = clean_href(attr(attrs, "href"), h->h_base,
		    &fr->f_scheme);
		fr->f_text_start = G_MAXSIZE;
		fr->f_prev = h->h_link;
		h->h_link = idx;
		break;
	case K_UL:
	case K_OL:
		want_break(h, h->h_list >= 0 ? 1 : 2);
		/* a list directly inside a list, not inside its li */
		if (idx > 0 && (fr[-1].f_kind == K_UL || fr[-1].f_kind == K_OL))
			prefix_push(h, "  ");
		fr->f_next = 1;
		if (fr->f_kind == K_OL)
			attr_number(attrs, "start", &fr->f_next);
		fr->f_prev = h->h_list;
		h->h_list = idx;
		break;
	case K_LI:
		start_list_item(h, attrs);
		break;
	case K_DD:
		want_break(h, 1);
		prefix_push(h, "  ");
		break;
	case K_QUOTE:
		want_break(h, 2);
		prefix_push(h, "> ");
		break;
	case K_CELL:
		open_cell(h, fr, attrs);
		break;
	case K_TABLE:
		table_start(h);
		fr->f_table = TRUE;
		break;
	case K_ROW:
		want_break(h, 1);
		if (table_top(h) != NULL && !table_top(h)->t_in_cell)
			table_row(table_top(h));
		break;
	case K_INPUT:
		start_input(h, attrs);
		break;
	case K_INLINE:
	case K_DROP:
		break;
	}
}

/* What an element does when it closes; fr is still on the stack. */
static void
close_element(struct mugai_html2text *h, struct h2t_frame *fr)
{
	switch (fr->f_kind) {
	case K_BLOCK:
	case K_DD:
		want_break(h, 1);
		break;
	case K_PARA:
	case K_QUOTE:
		want_break(h, 2);
		break;
	case K_PRE:
	case K_TEXTAREA:
		want_break(h, fr->f_kind == K_PRE ? 2 : 1);
		h->h_pre--;
		h->h_cr = FALSE;
		break;
	case K_A:
		h->h_link = fr->f_prev;
		end_link(h, fr);
		break;
	case K_UL:
	case K_OL:
		h->h_list = fr->f_prev;
		want_break(h, h->h_list >= 0 ? 1 : 2);
		break;
	case K_LI:
		want_break(h, 1);
		h->h_marker_set = FALSE;
		break;
	case K_CELL:
		if (fr->f_table && table_top(h) != NULL &&
		    table_top(h)->t_in_cell)
			cell_end(h, table_top(h));
		break;
	case K_TABLE:
		if (fr->f_table && table_top(h) != NULL)
			table_end(h);
		break;
	case K_ROW:
		want_break(h, 1);
		break;
	case K_INLINE:
	case K_DROP:
	case K_BR:
	case K_HR:
	case K_IMG:
	case K_INPUT:
		break;
	}
}

static void
pop_frame(struct mugai_html2text *h)
{
	struct h2t_frame *fr = &h->h_stack[h->h_depth - 1];

	if (!fr->f_skipped)
		close_element(h, fr);
	if (fr->f_hidden != NULL)
		hide_end(h, fr);
	if (fr->f_kind == K_DROP)
		h->h_skip--;
	g_string_truncate(h->h_prefix, fr->f_prefix_len);
	h->h_blank_keep = MIN(h->h_blank_keep, fr->f_prefix_len);
	g_free(fr->f_href);
	h->h_depth--;
}

/* ------------------------------------------------------- SAX callbacks */

/*
 * What the head tells the renderer, dropped or not: <base href> (the
 * first absolute http, https or ftp one) resolves relative links, a
 * <style> sheet makes colours unknowable (see hides()).
 */
static void
note_head(struct mugai_html2text *h, const struct h2t_elem *e,
    const xmlChar **attrs)
{
	const char *href;

	if (e->e_kind == K_DROP && strcmp(e->e_name, "style") == 0)
		h->h_styled = TRUE;
	if (h->h_base != NULL || e->e_name[0] != 'b' ||
	    strcmp(e->e_name, "base") != 0 ||
	    (href = attr(attrs, "href")) == NULL)
		return;
	while (*href != '\0' && (guchar)*href <= 0x20)
		href++;
	if (!is_relative(href) && (scheme_of(href) == S_HTTP ||
	    scheme_of(href) == S_HTTPS || scheme_of(href) == S_FTP) &&
	    g_uri_is_valid(href, G_URI_FLAGS_ENCODED, NULL))
		h->h_base = g_strdup(href);
}

/* The h2t_elems entry for an element name, NULL for none. */
static const struct h2t_elem *
elem_of(struct mugai_html2text *h, const xmlChar *name)
{
	guint i = (guint)(((guintptr)name >> 4) % G_N_ELEMENTS(h->h_kcache));

	if (h->h_kcache[i].kc_name != name) {
		h->h_kcache[i].kc_name = name;
		h->h_kcache[i].kc_elem = g_hash_table_lookup(h2t_kinds, name);
	}
	return h->h_kcache[i].kc_elem;
}

static void
on_start(void *ud, const xmlChar *name, const xmlChar **attrs)
{
	struct mugai_html2text *h = ud;
	const struct h2t_elem *e;
	struct h2t_frame *fr;

	if (h->h_err != MUGAI_OK || name == NULL)
		return;
	if (h->h_opts.ho_max_depth > 0 &&
	    h->h_depth >= h->h_opts.ho_max_depth) {
		set_limit(h, MUGAI_HTML_LIMIT_DEPTH);
		return;
	}
	if ((++h->h_starts & 4095) == 0) {
		check_time(h);
		if (h->h_err != MUGAI_OK)
			return;
	}
	if (h->h_depth == h->h_alloc) {
		h->h_alloc = h->h_alloc == 0 ? 32 : h->h_alloc * 2;
		h->h_stack = g_renew(struct h2t_frame, h->h_stack, h->h_alloc);
	}
	e = elem_of(h, name);
	fr = &h->h_stack[h->h_depth++];
	memset(fr, 0, sizeof(*fr));
	fr->f_name = (const char *)name;
	fr->f_kind = e != NULL ? e->e_kind : K_INLINE;
	fr->f_skipped = h->h_skip > 0;
	fr->f_prefix_len = h->h_prefix->len;
	fr->f_prev = -1;
	if (e != NULL)
		note_head(h, e, attrs);
	if (!fr->f_skipped && hides(h, fr, attrs) && h->h_hiding == 0 &&
	    fr->f_kind != K_DROP)
		hide_start(h, fr);
	if (fr->f_kind == K_DROP)
		h->h_skip++;
	if (!fr->f_skipped)
		open_element(h, fr, attrs);
	check_output(h);
}

static void
on_end(void *ud, const xmlChar *name)
{
	struct mugai_html2text *h = ud;
	guint i;

	if (h->h_err != MUGAI_OK || name == NULL)
		return;
	/* libxml2 pairs its events; a name not open is ignored. Names come
	 * from libxml2's dictionary: the same pointer is the same name. */
	for (i = h->h_depth; i > 0; i--)
		if (h->h_stack[i - 1].f_name == (const char *)name ||
		    g_ascii_strcasecmp(h->h_stack[i - 1].f_name,
		    (const char *)name) == 0)
			break;
	if (i == 0)
		return;
	while (h->h_depth >= i)
		pop_frame(h);
	check_output(h);
}

static void
on_chars(void *ud, const xmlChar *ch, int len)
{
	struct mugai_html2text *h = ud;

	if (h->h_err != MUGAI_OK || h->h_skip > 0 || len <= 0)
		return;
	if (h->h_pre > 0)
		put_pre(h, (const char *)ch, (gsize)len);
	else
		put_text(h, (const char *)ch, (gsize)len);
	check_output(h);
}

static void
on_error(void *ud, h2t_xml_error err)
{
	/* Malformed HTML is ordinary; libxml2 recovers like a browser. */
}

static void
init_once(void)
{
	static gsize done = 0;

	if (!g_once_init_enter(&done))
		return;
	xmlInitParser();
	h2t_kinds = g_hash_table_new(g_str_hash, g_str_equal);
	for (gsize i = 0; i < G_N_ELEMENTS(h2t_elems); i++)
		g_hash_table_insert(h2t_kinds, (gpointer)h2t_elems[i].e_name,
		    (gpointer)&h2t_elems[i]);
	second_plain_init();
	memset(&h2t_sax, 0, sizeof(h2t_sax));
	h2t_sax.startElement = on_start;
	h2t_sax.endElement = on_end;
	h2t_sax.characters = on_chars;
	/* blanks are text: they separate inline words */
	h2t_sax.ignorableWhitespace = on_chars;
	/* only script and style content comes here; both are dropped */
	h2t_sax.cdataBlock = on_chars;
	/* the magic makes libxml2 use serror: errors stay in this context */
	h2t_sax.initialized = XML_SAX2_MAGIC;
	h2t_sax.serror = on_error;
	g_once_init_leave(&done, 1);
}

/* ----------------------------------------------------------------- input */

/* Length of the UTF-8 sequence a lead byte starts, 0 when not a lead. */
static gsize
utf8_seq_len(guchar c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * Appends s to h_in, invalid bytes (and NUL) as U+FFFD. Unless final, an
 * incomplete sequence at the end is kept in h_tail for the next call.
 */
static void
take_utf8(struct mugai_html2text *h, const char *s, gsize n, gboolean final)
{
	const char *end;
	gsize need, k;

	/*
	 * Input the caller vouches for: taken as it is, only a character cut
	 * by the end of this feed waits for the next, as below (a NUL, which
	 * the check below replaces, sends it the long way).
	 */
	if (h->h_opts.ho_valid_utf8 && n > 0 && memchr(s, 0, n) == NULL) {
		gsize i = n, cut = n;

		while (i > 0 && n - i < 3 && ((guchar)s[i - 1] & 0xc0) == 0x80)
			i--;
		if (!final && i > 0 &&
		    utf8_seq_len((guchar)s[i - 1]) > n - (i - 1))
			cut = i - 1;
		g_string_append_len(h->h_in, s, (gssize)cut);
		if (cut < n) {
			memcpy(h->h_tail, s + cut, n - cut);
			h->h_tail_len = n - cut;
		}
		return;
	}
	while (n > 0) {
		if (mugai_utf8_validate_len(s, n, &end)) {
			g_string_append_len(h->h_in, s, n);
			return;
		}
		g_string_append_len(h->h_in, s, end - s);
		n -= end - s;
		s = end;
		need = utf8_seq_len((guchar)s[0]);
		if (!final && need > n) {
			for (k = 1; k < n && ((guchar)s[k] & 0xc0) == 0x80; k++)
				;
			if (k == n) {
				memcpy(h->h_tail, s, n);
				h->h_tail_len = n;
				return;
			}
		}
		g_string_append(h->h_in, "\xef\xbf\xbd");
		s++;
		n--;
	}
}

/*
 * Returns the length of an end tag </html> or </body> at s (n bytes), or 0.
 * Browsers keep rendering what follows them (mailing lists append footers
 * there); libxml2's push parser would drop everything after </html>.
 */
static gsize
outer_end_tag(const char *s, gsize n)
{
	gsize i;

	if (n < 7 || s[1] != '/' ||
	    (g_ascii_strncasecmp(s + 2, "html", 4) != 0 &&
	    g_ascii_strncasecmp(s + 2, "body", 4) != 0))
		return 0;
	if (s[6] != '>' && s[6] != '/' && !is_ws((guchar)s[6]))
		return 0;
	for (i = 6; i < n; i++)
		if (s[i] == '>')
			return i + 1;
	return 0;
}

/*
 * Appends p[0..n) to out rewritten for libxml2, as a browser reads it:
 * </html> and </body> become H2T_END_MARK (what follows starts a line),
 * and a '<' that cannot start a tag (not followed by an ASCII letter, '/',
 * '!' or '?', or the last byte of the input) becomes "&lt;": it is text to
 * a browser, while libxml2's push parser took "<" + a non-ASCII letter for
 * a tag and dropped the text up to a far '>' when fed a whole buffer (but
 * not in small chunks). A piece ends after a '>' or where no tag can be
 * cut (see piece_end), so what is read here never depends on the piece.
 */
static void
normalize_markup(const char *p, gsize n, GString *out)
{
	const char *lt;
	gsize r = 0, kept = 0;

	/* p[kept..r) is copied as it is when a rewrite or the end comes */
	while (r < n) {
		gsize tag = 0;	/* length of an outer end tag at lt */

		lt = memchr(p + r, '<', n - r);
		if (lt == NULL)
			break;
		r = lt - p;
		if (r + 1 < n && lt[1] == '/')
			tag = outer_end_tag(lt, n - r);
		if (r + 1 < n && (g_ascii_isalpha(lt[1]) || lt[1] == '!' ||
		    lt[1] == '?' || (lt[1] == '/' && tag == 0))) {
			r++;
			continue;
		}
		g_string_append_len(out, p + kept, r - kept);
		if (r + 1 < n && lt[1] == '/') {
			g_string_append(out, H2T_END_MARK);
			r += tag;
		} else {
			g_string_append(out, "&lt;");
			r++;
		}
		kept = r;
	}
	g_string_append_len(out, p + kept, n - kept);
}

/*
 * Where the piece of p[0..n) (valid UTF-8, n < the bytes available) given
 * to libxml2 ends: just after its last '>', else before a '<' in its last
 * H2T_LT_HOLD bytes, else at its last character boundary. It depends on
 * the content only: libxml2 2.9's push parser reads some input (a
 * "</script>" split at a chunk edge, "<tag</b><script>...") differently
 * by where its chunks end, so the renderer never lets the caller's chunk
 * sizes decide where they end.
 */
static gsize
piece_end(const char *p, gsize n)
{
	gsize i;

	for (i = n; i > 0; i--)
		if (p[i - 1] == '>')
			return i;
	for (i = n; i > 0 && n - i < H2T_LT_HOLD; i--)
		if (p[i - 1] == '<')
			return i - 1 > 0 ? i - 1 : n;
	for (i = n; i > 0 && ((guchar)p[i] & 0xc0) == 0x80; i--)
		;
	return i > 0 ? i : n;
}

/*
 * Checks buf and hands libxml2 whole pieces of H2T_PIECE bytes or less,
 * cut by piece_end; the rest waits for more input or the end. libxml2
 * thus sees the same chunks whatever the sizes of the feeds.
 */
static void
stage(struct mugai_html2text *h, const char *buf, gsize len, gboolean final)
{
	GString *in = h->h_in;
	GString *piece;
	gsize off = 0, n, avail;
	gboolean last = FALSE;

	check_time(h);
	if (h->h_err != MUGAI_OK)
		return;
	piece = g_string_new(NULL);
	if (h->h_tail_len > 0) {
		GString *joined = g_string_new_len(h->h_tail, h->h_tail_len);

		g_string_append_len(joined, buf, len);
		h->h_tail_len = 0;
		take_utf8(h, joined->str, joined->len, final);
		g_string_free(joined, TRUE);
	} else
		take_utf8(h, buf, len, final);
	if (h->h_all != NULL && h->h_all->len + in->len > H2T_SECOND_MAX) {
		g_string_free(h->h_all, TRUE);
		h->h_all = NULL;
	}

	while (h->h_err == MUGAI_OK && (avail = in->len - off) > 0 &&
	    (final || avail > H2T_PIECE)) {
		n = avail <= H2T_PIECE ? avail :
		    piece_end(in->str + off, H2T_PIECE);
		g_string_truncate(piece, 0);
		normalize_markup(in->str + off, n, piece);
		if (h->h_all != NULL)
			g_string_append_len(h->h_all, in->str + off, n);
		off += n;
		check_time(h);
		if (h->h_err != MUGAI_OK)
			break;
		/*
		 * The last piece goes with terminate set: libxml2 then does
		 * not scan ahead for each token's end before parsing it. It
		 * reads the same: without terminate it parses the same way
		 * up to where a scan fails, and the terminate call that
		 * would follow parses the rest from there.
		 */
		count_attrs(h, piece->str, piece->len);
		if (h->h_err != MUGAI_OK)
			break;
		last = final && off == in->len;
		htmlParseChunk(h->h_ctxt, piece->str, (int)piece->len, last);
	}
	g_string_erase(in, 0, (gssize)off);
	g_string_free(piece, TRUE);
	if (final && !last && h->h_err == MUGAI_OK)
		htmlParseChunk(h->h_ctxt, "", 0, 1);
}

/* ------------------------------------------------------- second reading */

/*
 * libxml2 recovers some broken markup worse than a browser, or at all
 * costs: an unclosed <svg/onload=...>, <iframe>, <object> or <title>, a
 * comment or <style> never closed, an attribute quote never closed, the
 * abrupt comment "<!-->": all that follows becomes their content and is
 * dropped. So the whole input is read a second time by a plain tokenizer
 * that strips tags and drops only what it can bound: a comment up to its
 * "-->", and each element the renderer drops (K_DROP) up to its end tag.
 * Where it cannot bound one, script still runs to the end (never shown
 * as text, as in a browser); style and title end at the next tag (CSS and
 * a title hold none); the others drop nothing. Each run of text between
 * tags that the rendering does not hold (word by word) comes at the
 * end under a heading: what either reading finds arrives.
 */

#define H2T_SECOND_WORK	32	/* search work, times the bytes compared */
#define H2T_SECOND_HEAD	"---- 崩れたHTMLを読み直して見つかった文 / " \
	"Text found by a second reading of malformed HTML ----"

/*
 * One run of text between tags, as the second reading found it: offsets
 * into the texts and keys of all runs (struct h2t_runs), one buffer each,
 * so that a page's thousands of runs cost no allocation of their own.
 */
struct h2t_run {
	gsize r_text;		/* entities decoded, whitespace as written */
	gsize r_text_len;
	gsize r_key;		/* the text's words, each ended by '\0' (so is
				 * an entity left undecoded): each is looked
				 * for, a line prefix ("> ") may split a run */
	gsize r_key_len;
	gboolean r_block;	/* a block tag came before it */
};

/* The runs of a whole input; each run's text and key end with a '\0'
 * past their length, as a string of their own would. */
#define H2T_BCACHE_BITS	6

struct h2t_runs {
	GArray *rs_runs;	/* struct h2t_run */
	GString *rs_text;
	GString *rs_key;
	gboolean rs_open;	/* the last run is still being read */
	struct h2t_bcache {	/* second_is_block()'s answers */
		guint64 bc_key;	/* 0: none */
		gboolean bc_block;
	} rs_bcache[1 << H2T_BCACHE_BITS];
};

/* Whether s[0..n) begins with the ASCII name (any case), then no name byte. */
static gboolean
second_name_is(const char *s, gsize n, const char *name)
{
	gsize k = strlen(name);

	return n >= k && g_ascii_strncasecmp(s, name, k) == 0 &&
	    (n == k || !(g_ascii_isalnum(s[k]) || s[k] == '-' ||
	    s[k] == ':' || s[k] == '_'));
}

/* The end of the tag starting at s[i] ('<'): just after its '>' (quoted
 * attribute values may hold one), n when it has none. */
static gsize
second_tag_end(const char *s, gsize i, gsize n)
{
	gsize j = i + 1, k;
	const char *q;

	for (; j < n; j++) {
		if (s[j] == '>')
			return j + 1;
		if (s[j] != '"' && s[j] != '\'')
			continue;
		for (k = j; k > i && is_ws((guchar)s[k - 1]); k--)
			;
		if (k == i || s[k - 1] != '=')
			continue;
		q = memchr(s + j + 1, s[j], n - j - 1);
		if (q == NULL) {
			/* never closed: a browser would read to the end;
			 * the first '>' is the better guess for the text */
			q = memchr(s + i, '>', n - i);
			return q != NULL ? (gsize)(q - s) + 1 : n;
		}
		j = (gsize)(q - s);
	}
	return n;
}

/* Where the next "</name" (any case, then no name byte) starts, or n. */
static gsize
second_find_end(const char *s, gsize i, gsize n, const char *name)
{
	const char *p;

	while (i + 2 < n && (p = memchr(s + i, '<', n - i)) != NULL) {
		i = (gsize)(p - s);
		if (i + 1 < n && s[i + 1] == '/' &&
		    second_name_is(s + i + 2, n - i - 2, name))
			return i;
		i++;
	}
	return n;
}

/* Where markup starts at or after s[i]: a '<' before a letter, '/', '!'
 * or '?' (as normalize_markup leaves them), or n. */
static gsize
second_next_tag(const char *s, gsize i, gsize n)
{
	const char *p;

	while (i < n && (p = memchr(s + i, '<', n - i)) != NULL) {
		i = (gsize)(p - s);
		if (i + 1 < n && (g_ascii_isalpha(s[i + 1]) ||
		    s[i + 1] == '/' || s[i + 1] == '!' || s[i + 1] == '?'))
			return i;
		i++;
	}
	return n;
}

/* Decodes the character reference at s[i] ('&') into the run being read,
 * returning its length, or 0 when it is not one the renderer surely
 * decoded alike. */
static gsize
second_entity(const char *s, gsize i, gsize n, struct h2t_runs *rs)
{
	char name[40];
	gsize j = i + 1, k = 0;
	gunichar c = 0;
	char u[6];

	if (j < n && s[j] == '#') {
		gboolean hex = j + 1 < n && (s[j + 1] == 'x' || s[j + 1] == 'X');

		for (j += hex ? 2 : 1; j < n && k < 8 &&
		    (hex ? g_ascii_isxdigit(s[j]) : g_ascii_isdigit(s[j]));
		    j++, k++)
			c = c * (hex ? 16 : 10) + (gunichar)(hex ?
			    g_ascii_xdigit_value(s[j]) :
			    g_ascii_digit_value(s[j]));
		if (k == 0 || k == 8 || j >= n || s[j] != ';' || c < 0x20 ||
		    c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    !g_unichar_validate(c))
			return 0;
	} else {
		const htmlEntityDesc *d;

		for (; j < n && k < sizeof(name) - 1 &&
		    g_ascii_isalnum(s[j]); j++)
			name[k++] = s[j];
		name[k] = '\0';
		if (k == 0 || j >= n || s[j] != ';' ||
		    (d = htmlEntityLookup((const xmlChar *)name)) == NULL)
			return 0;
		c = d->value;
	}
	k = (gsize)g_unichar_to_utf8(c, u);
	g_string_append_len(rs->rs_text, u, (gssize)k);
	if (c != 0xa0 && !(c < 0x80 && is_ws((guchar)c)))
		g_string_append_len(rs->rs_key, u, (gssize)k);
	else
		g_string_append_c(rs->rs_key, '\0');
	return j + 1 - i;
}

/* Ends the run being read, if any: its lengths, and the '\0's after it. */
static void
second_close(struct h2t_runs *rs)
{
	struct h2t_run *r;

	if (!rs->rs_open)
		return;
	rs->rs_open = FALSE;
	r = &g_array_index(rs->rs_runs, struct h2t_run, rs->rs_runs->len - 1);
	r->r_text_len = rs->rs_text->len - r->r_text;
	r->r_key_len = rs->rs_key->len - r->r_key;
	g_string_append_c(rs->rs_text, '\0');
	g_string_append_c(rs->rs_key, '\0');
}

/* Bytes that second_text() copies to a run's text and key as they are:
 * all but '&', is_ws() and the two bytes of U+00A0 (C2 A0). */
static gboolean second_plain[256];

/* The elements whose content the renderer drops (K_DROP), in the order
 * of h2t_elems, and whether one begins with a (lowercase) byte: most
 * start tags are looked up in no list at all. */
static const char *second_drops[G_N_ELEMENTS(h2t_elems)];
static guint second_ndrops;
static gboolean second_drop_first[256];

static void
second_plain_init(void)
{
	for (guint c = 0; c < 256; c++)
		second_plain[c] = c != '&' && !is_ws((guchar)c) &&
		    c != 0xc2 && c != 0xa0;
	for (gsize d = 0; d < G_N_ELEMENTS(h2t_elems); d++) {
		if (h2t_elems[d].e_kind != K_DROP)
			continue;
		second_drops[second_ndrops++] = h2t_elems[d].e_name;
		second_drop_first[(guchar)h2t_elems[d].e_name[0]] = TRUE;
	}
}

/* Adds the text s[i..j) to the run being read (made on need). */
static void
second_text(struct h2t_runs *rs, gboolean *block, const char *s, gsize i,
    gsize j)
{
	GString *text = rs->rs_text, *key = rs->rs_key;
	gsize k;

	if (!rs->rs_open) {
		struct h2t_run r = { 0 };

		r.r_text = text->len;
		r.r_key = key->len;
		r.r_block = *block;
		*block = FALSE;
		g_array_append_val(rs->rs_runs, r);
		rs->rs_open = TRUE;
	}
	while (i < j) {
		/* a span of bytes that are neither '&', whitespace nor part
		 * of a U+00A0 goes to text and key alike, in one append */
		for (k = i; k < j && second_plain[(guchar)s[k]]; k++)
			;
		if (k > i) {
			out_append(text, s + i, k - i);
			out_append(key, s + i, k - i);
			i = k;
			continue;
		}
		if (s[i] == '&' && (k = second_entity(s, i, j, rs)) > 0) {
			i += k;
			continue;
		}
		g_string_append_c(text, s[i]);
		if (s[i] == '&') {
			/* libxml2 may read it still ("&#x65" at the end):
			 * its word proves nothing */
			g_string_append_c(key, '\0');
			for (; i + 1 < j && (g_ascii_isalnum(s[i + 1]) ||
			    s[i + 1] == '#' || s[i + 1] == ';'); i++)
				g_string_append_c(text, s[i + 1]);
		} else if (is_ws((guchar)s[i]) || is_nbsp(s, i, j))
			g_string_append_c(key, '\0');
		else if (!(i > 0 && is_nbsp(s, i - 1, j)))
			g_string_append_c(key, s[i]);
		i++;
	}
}

static void
second_runs_free(struct h2t_runs *rs)
{
	g_array_free(rs->rs_runs, TRUE);
	g_string_free(rs->rs_text, TRUE);
	g_string_free(rs->rs_key, TRUE);
}

/* Whether an element name (at s, n bytes) breaks the line in the renderer.
 * A page names the same few elements thousands of times: names of up to
 * seven bytes are answered from rs's cache after the first time. */
static gboolean
second_is_block(struct h2t_runs *rs, const char *s, gsize n)
{
	gsize k;
	char name[16];
	const struct h2t_elem *e;
	guint64 key = 0;
	struct h2t_bcache *slot = NULL;
	gboolean block;

	for (k = 0; k < n && k < sizeof(name) - 1 &&
	    (g_ascii_isalnum(s[k])); k++)
		name[k] = s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 'a' - 'A' : s[k];
	name[k] = '\0';
	if (k > 0 && k < 8) {
		/* the name's bytes (never 0) and its length: one per name */
		memcpy(&key, name, k);
		key |= (guint64)k << 56;
		slot = &rs->rs_bcache[(key * 0x9e3779b97f4a7c15ULL) >>
		    (64 - H2T_BCACHE_BITS)];
		if (slot->bc_key == key)
			return slot->bc_block;
	}
	e = g_hash_table_lookup(h2t_kinds, name);
	block = e != NULL && e->e_kind != K_INLINE && e->e_kind != K_A &&
	    e->e_kind != K_IMG && e->e_kind != K_INPUT;
	if (slot != NULL) {
		slot->bc_key = key;
		slot->bc_block = block;
	}
	return block;
}

/* The runs of text of the whole input s[0..n), as the tokenizer reads it,
 * into rs (made here; second_runs_free() frees it). */
static void
second_runs(const char *s, gsize n, struct h2t_runs *rs)
{
	gboolean block = FALSE;
	gsize i = 0, j, e;
	char first;

	rs->rs_runs = g_array_new(FALSE, FALSE, sizeof(struct h2t_run));
	/* the texts are the input less its tags: about as long */
	rs->rs_text = g_string_sized_new(n + 1);
	rs->rs_key = g_string_sized_new(n + 1);
	rs->rs_open = FALSE;
	memset(rs->rs_bcache, 0, sizeof(rs->rs_bcache));
	while (i < n) {
		j = second_next_tag(s, i, n);
		if (j > i)
			second_text(rs, &block, s, i, j);
		if (j >= n)
			break;
		second_close(rs);
		i = j;
		if (s[i + 1] == '?') {
			i = second_tag_end(s, i, n);
			continue;
		}
		if (s[i + 1] == '!') {
			const char *end;

			if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				if (n - i >= 5 && s[i + 4] == '>')
					i += 5;		/* <!--> */
				else if (n - i >= 6 &&
				    memcmp(s + i + 4, "->", 2) == 0)
					i += 6;		/* <!---> */
				else if ((end = g_strstr_len(s + i + 4,
				    (gssize)(n - i - 4), "-->")) != NULL)
					i = (gsize)(end - s) + 3;
				else
					i += 4;	/* never closed: read on */
				continue;
			}
			i = second_tag_end(s, i, n);
			continue;
		}
		if (s[i + 1] == '/') {
			if (second_is_block(rs, s + i + 2, n - i - 2))
				block = TRUE;
			i = second_tag_end(s, i, n);
			continue;
		}
		/* a start tag: is it one whose content the renderer drops? */
		e = second_tag_end(s, i, n);
		if (second_is_block(rs, s + i + 1, n - i - 1))
			block = TRUE;
		first = g_ascii_tolower(s[i + 1]);
		for (guint d = 0; second_drop_first[(guchar)first] &&
		    d < second_ndrops; d++) {
			const char *name = second_drops[d];
			gsize end;

			if (first != name[0] ||
			    !second_name_is(s + i + 1, n - i - 1, name))
				continue;
			if (e >= 2 && s[e - 1] == '>' && s[e - 2] == '/' &&
			    strcmp(name, "script") != 0 &&
			    strcmp(name, "style") != 0)
				break;	/* <svg .../>: empty */
			end = second_find_end(s, e, n, name);
			if (end < n)
				e = second_tag_end(s, end, n);
			else if (strcmp(name, "script") == 0)
				e = n;
			else if (strcmp(name, "style") == 0 ||
			    strcmp(name, "title") == 0)
				e = second_next_tag(s, e, n);
			break;
		}
		i = e;
	}
	second_close(rs);
}

/* s without whitespace (ASCII and U+00A0), as the runs' keys are. */
static GString *
second_squeeze(const char *s, gsize n)
{
	GString *k = g_string_sized_new(n + 1);
	char *d = k->str;
	gsize i;

	/* at most n bytes: written in place, not appended byte by byte */
	for (i = 0; i < n; i++) {
		if (is_ws((guchar)s[i]))
			continue;
		if (is_nbsp(s, i, n)) {
			i++;
			continue;
		}
		*d++ = s[i];
	}
	*d = '\0';
	k->len = (gsize)(d - k->str);
	return k;
}

/* Whether the word k (n bytes) holds "://"; most words hold no ':'. */
static gboolean
second_has_sep(const char *k, gsize n)
{
	const char *p = k, *end = k + n;

	while ((p = memchr(p, ':', (gsize)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] == '/' && p[2] == '/')
			return TRUE;
		p++;
	}
	return FALSE;
}

/*
 * Reads the input a second time and writes at the end, under a heading,
 * the runs of text the rendering does not hold: a run is missing when one
 * of its words is (the rendering puts line prefixes, cell separators and
 * link targets between words, never inside one). Words are looked for
 * in order from where the last one was found, then anywhere (tables and
 * hidden text move text); the search stops when its work passes a bound.
 */
static void
second_reading(struct mugai_html2text *h)
{
	struct h2t_runs rs;
	GString *hay;
	gsize at = 0, work = 0, budget;
	gboolean head = FALSE;

	if (h->h_all == NULL || h->h_err != MUGAI_OK)
		return;
	second_runs(h->h_all->str, h->h_all->len, &rs);
	hay = second_squeeze(h->h_out->str, h->h_out->len);
	budget = H2T_SECOND_WORK * (hay->len + h->h_all->len + 1);
	for (guint i = 0; i < rs.rs_runs->len && h->h_err == MUGAI_OK; i++) {
		const struct h2t_run *r = &g_array_index(rs.rs_runs,
		    struct h2t_run, i);
		const char *k = rs.rs_key->str + r->r_key;
		const char *kend = k + r->r_key_len;
		gboolean missing = FALSE;

		while (k < kend && !missing) {
			gsize kn = strlen(k), klen = kn;
			const char *p = NULL;

			/* a link's text that is its URL is rewritten
			 * (defanged, decoded): such a word proves nothing */
			if (second_has_sep(k, kn) || ((k[0] == 'w' ||
			    k[0] == 'W') && g_ascii_strncasecmp(k, "www.",
			    4) == 0) || ((k[0] == 'm' || k[0] == 'M') &&
			    g_ascii_strncasecmp(k, "mailto:", 7) == 0))
				kn = 0;
			/* the rendering keeps words in order: the next one
			 * is most often right where the last one ended */
			if (kn > 0 && kn <= hay->len - MIN(at, hay->len) &&
			    memcmp(hay->str + at, k, kn) == 0)
				p = hay->str + at;
			else if (kn > 0 && at < hay->len)
				p = memmem(hay->str + at, hay->len - at, k, kn);
			if (kn > 0 && p == NULL) {
				work += hay->len;
				p = memmem(hay->str, hay->len, k, kn);
			}
			work += kn;
			if (kn > 0 && p == NULL)
				missing = TRUE;
			else if (p != NULL)
				at = (gsize)(p - hay->str) + kn;
			k += klen + 1;
		}
		if (work > budget)
			break;
		if (!missing)
			continue;
		if (!head) {
			want_break(h, 2);
			put_word(h, H2T_SECOND_HEAD, strlen(H2T_SECOND_HEAD));
			end_line(h);
			head = TRUE;
		} else if (r->r_block)
			want_break(h, 1);
		put_text(h, rs.rs_text->str + r->r_text, r->r_text_len);
		check_output(h);
	}
	end_line(h);
	g_string_free(hay, TRUE);
	second_runs_free(&rs);
}

/* ------------------------------------------------------------------- API */

/* Tables libxml2 left open at the end (it closes them all; a limit
 * stops the renderer with them open) are written as they are. */
static void
close_tables(struct mugai_html2text *h)
{
	while (h->h_err == MUGAI_OK && table_top(h) != NULL)
		table_end(h);
}

struct mugai_html2text *
mugai_html2text_new(const struct mugai_html_opts *opts)
{
	struct mugai_html2text *h = g_new0(struct mugai_html2text, 1);

	init_once();
	if (opts != NULL)
		h->h_opts = *opts;
	else
		h->h_opts.ho_url_mode = MUGAI_URL_KEEP;
	h->h_out = g_string_new(NULL);
	h->h_prefix = g_string_new(NULL);
	h->h_in = g_string_new(NULL);
	h->h_all = g_string_new(NULL);
	h->h_link = -1;
	h->h_list = -1;
	h->h_ctxt = htmlCreatePushParserCtxt(&h2t_sax, h, NULL, 0, NULL,
	    XML_CHAR_ENCODING_UTF8);
	if (h->h_ctxt == NULL)
		g_error("libxml2: cannot create an HTML parser");
	htmlCtxtUseOptions(h->h_ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
	return h;
}

enum mugai_err
mugai_html2text_feed(struct mugai_html2text *h, const char *buf, gsize len)
{
	g_return_val_if_fail(h != NULL && !h->h_finished, MUGAI_E_INVAL);
	g_return_val_if_fail(buf != NULL || len == 0, MUGAI_E_INVAL);

	/* libxml2 takes an int length: feed huge buffers in pieces */
	while (h->h_err == MUGAI_OK && len > 0) {
		gsize n = MIN(len, (gsize)(G_MAXINT / 2));

		stage(h, buf, n, FALSE);
		buf += n;
		len -= n;
	}
	return h->h_err;
}

char *
mugai_html2text_finish(struct mugai_html2text *h, gsize *len,
    enum mugai_err *err)
{
	GString *out;
	gsize n;

	g_return_val_if_fail(h != NULL && !h->h_finished, NULL);
	h->h_finished = TRUE;
	if (len != NULL)
		*len = 0;
	if (h->h_err == MUGAI_OK)
		stage(h, "", 0, TRUE);
	close_tables(h);
	end_line(h);
	put_hidden(h);
	end_line(h);
	second_reading(h);
	out = h->h_out;
	for (n = out->len; n > 0 && out->str[n - 1] == '\n'; n--)
		;
	g_string_truncate(out, n);
	if (n > 0)
		g_string_append_c(out, '\n');
	check_output(h);
	if (err != NULL)
		*err = h->h_err;
	if (h->h_err != MUGAI_OK)
		return NULL;
	if (!mugai_utf8_validate_len(out->str, out->len, NULL)) {
		/* cannot happen with checked input; never hand out bad UTF-8 */
		char *valid = g_utf8_make_valid(out->str, out->len);

		g_string_assign(out, valid);
		g_free(valid);
	}
	if (len != NULL)
		*len = out->len;
	h->h_out = g_string_new(NULL);
	return g_string_free(out, FALSE);
}

void
mugai_html2text_set_deadline(struct mugai_html2text *h, gint64 deadline)
{
	h->h_deadline = deadline;
}

enum mugai_html_limit
mugai_html2text_limit_hit(const struct mugai_html2text *h)
{
	return h->h_err == MUGAI_OK ? MUGAI_HTML_LIMIT_NONE : h->h_limit;
}

void
mugai_html2text_free(struct mugai_html2text *h)
{
	if (h == NULL)
		return;
	while (h->h_depth > 0) {
		struct h2t_frame *fr = &h->h_stack[h->h_depth - 1];

		g_free(fr->f_href);
		if (fr->f_hidden != NULL) {
			g_string_free(fr->f_hidden->s_out, TRUE);
			g_string_free(fr->f_hidden->s_prefix, TRUE);
			g_free(fr->f_hidden);
		}
		h->h_depth--;
	}
	if (h->h_hidden != NULL)
		g_string_free(h->h_hidden, TRUE);
	if (h->h_spare != NULL) {
		for (guint i = 0; i < h->h_spare->len; i++)
			g_string_free(g_ptr_array_index(h->h_spare, i), TRUE);
		g_ptr_array_free(h->h_spare, TRUE);
	}
	g_free(h->h_stack);
	if (h->h_tables != NULL)
		g_ptr_array_free(h->h_tables, TRUE);
	g_free(h->h_base);
	if (h->h_ctxt != NULL) {
		if (h->h_ctxt->myDoc != NULL)
			xmlFreeDoc(h->h_ctxt->myDoc);
		htmlFreeParserCtxt(h->h_ctxt);
	}
	g_string_free(h->h_out, TRUE);
	g_string_free(h->h_prefix, TRUE);
	g_string_free(h->h_in, TRUE);
	if (h->h_all != NULL)
		g_string_free(h->h_all, TRUE);
	g_free(h);
}

char *
mugai_html2text(const char *utf8, gsize len,
    const struct mugai_html_opts *opts, gsize *out_len, enum mugai_err *err)
{
	struct mugai_html2text *h = mugai_html2text_new(opts);
	char *text;
	gsize off, n;

	for (off = 0; off < len; off += n) {
		n = MIN(len - off, (gsize)H2T_FEED_PIECE);
		if (mugai_html2text_feed(h, utf8 + off, n) != MUGAI_OK)
			break;
	}
	text = mugai_html2text_finish(h, out_len, err);
	mugai_html2text_free(h);
	return text;
}
