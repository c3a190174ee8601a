/*
 * oracle - the sanitized-message contract, checked in C (see oracle.h)
 *
 * The raw checks run over the bytes as written; the structure is read by
 * GMime (the reference parser of the engine: a differential against other
 * readers is ../shared/tools/check_sanitized.py's job); the text checks
 * run over the decoded body in UTF-8. Matching is deliberately looser than
 * what textsafe defuses ("< / script" with blanks counts), so the oracle
 * cannot be satisfied by a near miss. Each delivered header field is read
 * by GMime too (its text decoder, and its address parser for address
 * fields); the notice is read line by line against the built-in
 * templates' fixed parts.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "oracle.h"

static char *
raw_check(const char *msg, gsize len, gsize *body_off)
{
	gboolean in_head = TRUE;
	gsize line = 0;

	for (gsize i = 0; i < len; i++) {
		/* line counts no CR: it is 0 at the LF of a blank line. */
		if (in_head && msg[i] == '\n' && line == 0) {
			/* Raw 8-bit headers are re-encoded (RFC 2047); only
			 * RFC 6532 addresses may stay 8-bit, in UTF-8. */
			if (!g_utf8_validate(msg, (gssize)i, NULL))
				return g_strdup("header block is 8-bit and not "
				    "UTF-8");
			in_head = FALSE;
			*body_off = i + 1;
		}
		if (msg[i] == '\0')
			return g_strdup_printf("NUL byte at offset %"
			    G_GSIZE_FORMAT, i);
		if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))
			return g_strdup_printf("bare CR at offset %"
			    G_GSIZE_FORMAT, i);
		if (msg[i] == '\n') {
			line = 0;
			continue;
		}
		if (msg[i] != '\r' && ++line > 998)
			return g_strdup_printf("line longer than 998 octets "
			    "at offset %" G_GSIZE_FORMAT, i);
	}
	return NULL;
}

static gboolean
word_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

/* Skips ASCII blanks (space, tab, line ends) from p, not past end. */
static const char *
skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

/* TRUE when p starts word (ASCII, case-insensitive) inside end. */
static gboolean
has_word(const char *p, const char *end, const char *word)
{
	gsize n = strlen(word);

	return (gsize)(end - p) >= n && g_ascii_strncasecmp(p, word, n) == 0;
}

/* "<", blanks, optional "/", blanks, "script" and not a longer word. */
static gboolean
script_tag_at(const char *p, const char *end)
{
	p = skip_blank(p + 1, end);
	if (p < end && *p == '/')
		p = skip_blank(p + 1, end);
	if (!has_word(p, end, "script"))
		return FALSE;
	p += 6;
	return p == end || !word_char(*p);
}

/* "java" or "vb", blanks, "script", blanks, ":". */
static gboolean
script_url_at(const char *p, const char *end)
{
	if (has_word(p, end, "java"))
		p += 4;
	else if (has_word(p, end, "vb"))
		p += 2;
	else
		return FALSE;
	p = skip_blank(p, end);
	if (!has_word(p, end, "script"))
		return FALSE;
	p = skip_blank(p + 6, end);
	return p < end && *p == ':';
}

/* A uuencode body line: "M" and 60 characters of the uuencode alphabet. */
static gboolean
uu_line(const char *p, gsize n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (n != 61 || p[0] != 'M')
		return FALSE;
	for (gsize i = 1; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x60)
			return FALSE;
	return TRUE;
}

/* "begin" [-base64], blanks, 3-4 octal digits, a blank, a name. */
static gboolean
uu_begin(const char *p, gsize n)
{
	const char *end = p + n;
	gsize digits = 0;

	if (!has_word(p, end, "begin"))
		return FALSE;
	p += 5;
	if (has_word(p, end, "-base64"))
		p += 7;
	if (p >= end || (*p != ' ' && *p != '\t'))
		return FALSE;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p >= '0' && *p <= '7') {
		p++;
		digits++;
	}
	if (digits < 3 || digits > 4 || p >= end || (*p != ' ' && *p != '\t'))
		return FALSE;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p != '\r';
}

char *
mugai_oracle_text(const char *text, gsize len)
{
	const char *end = text + len;
	gboolean uu_open = FALSE;

	if (!g_utf8_validate(text, (gssize)len, NULL))
		return g_strdup("text is not valid UTF-8");
	for (const char *p = text; p < end; p++) {
		if (*p == '<' && script_tag_at(p, end))
			return g_strdup_printf("script tag at text offset %td",
			    p - text);
		/* No word boundary before: "xjavascript:" counts too, as in
		 * ../shared/tools/check_sanitized.py. */
		if ((*p == 'j' || *p == 'J' || *p == 'v' || *p == 'V') &&
		    script_url_at(p, end))
			return g_strdup_printf("script URL at text offset %td",
			    p - text);
	}
	/* Line by line: uuencode (a begin line, then an M line) and yEnc. */
	for (const char *p = text; p < end; ) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = (gsize)((nl != NULL ? nl : end) - p);

		if (has_word(p, p + n, "=ybegin"))
			return g_strdup_printf("yEnc start at text offset %td",
			    p - text);
		if (uu_open && uu_line(p, n))
			return g_strdup_printf("uuencode block at text offset "
			    "%td", p - text);
		if (uu_begin(p, n))
			uu_open = TRUE;
		else if (n > 0)
			uu_open = FALSE;
		p = nl != NULL ? nl + 1 : end;
	}
	return NULL;
}

static gboolean
allowed(const char *value, const char *const *list)
{
	for (gsize i = 0; list[i] != NULL; i++)
		if (value != NULL && g_ascii_strcasecmp(value, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
has_8bit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return TRUE;
	return FALSE;
}

/*
 * The encoded body as it stands in the message: 8-bit bytes only under
 * Content-Transfer-Encoding 8bit and then in UTF-8 (as the shared
 * validator reads it), base64 only of its alphabet.
 */
static char *
body_check(const char *cte, const char *charset, const char *body,
    gsize len)
{
	if (cte == NULL || g_ascii_strcasecmp(cte, "7bit") == 0 ||
	    g_ascii_strcasecmp(cte, "quoted-printable") == 0) {
		if (has_8bit(body, len))
			return g_strdup_printf("8-bit data under %s",
			    cte != NULL ? cte : "no transfer encoding");
		return NULL;
	}
	if (g_ascii_strcasecmp(cte, "8bit") == 0) {
		if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0
		    && has_8bit(body, len))
			return g_strdup_printf("8-bit data in charset %s",
			    charset);
		if (!g_utf8_validate(body, (gssize)len, NULL))
			return g_strdup("8bit body is not UTF-8");
		return NULL;
	}
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isalnum(body[i]) && strchr("+/=\r\n \t",
		    body[i]) == NULL)
			return g_strdup_printf("byte 0x%02x in base64 body",
			    (guchar)body[i]);
	return NULL;
}

/* The one leaf: its headers and its decoded text. */
static char *
leaf_check(GMimeObject *part, const char *body, gsize body_len)
{
	static const char *const charsets[] = { "utf-8", "us-ascii",
	    "iso-2022-jp", NULL };
	/* 8bit too: the engine passes an 8-bit UTF-8 body unchanged, as
	 * doc/design.md and ../shared/tools/check_sanitized.py allow. */
	static const char *const ctes[] = { "7bit", "8bit",
	    "quoted-printable", "base64", NULL };
	g_autofree char *c = NULL;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *charset, *cte;
	char *text, *why;

	if (!GMIME_IS_TEXT_PART(part) ||
	    !g_mime_content_type_is_type(ct, "text", "plain"))
		return g_strdup_printf("body is %s, not text/plain",
		    G_OBJECT_TYPE_NAME(part));
	charset = g_mime_object_get_content_type_parameter(part, "charset");
	if (charset != NULL && !allowed(charset, charsets))
		return g_strdup_printf("charset %s", charset);
	if (g_mime_object_get_content_type_parameter(part, "name") != NULL)
		return g_strdup("Content-Type has a name parameter");
	if (g_mime_object_get_header(part, "Content-Disposition") != NULL)
		return g_strdup("Content-Disposition present");
	cte = g_mime_object_get_header(part, "Content-Transfer-Encoding");
	if (cte != NULL) {
		c = g_strstrip(g_strdup(cte));
		if (!allowed(c, ctes))
			return g_strdup_printf("transfer encoding %s", c);
	}
	if ((why = body_check(c, charset, body, body_len)) != NULL)
		return why;
	if ((text = g_mime_text_part_get_text(GMIME_TEXT_PART(part))) ==
	    NULL)
		return NULL;	/* no content at all */
	why = mugai_oracle_text(text, strlen(text));
	g_free(text);
	return why;
}

/* ------------------------------------------------ what mugai says */

/*
 * A character that breaks a line, drives a terminal or turns text around:
 * C0 (TAB and LF too), DEL, C1, U+2028, U+2029 and the bidi controls.
 * Written here again, not taken from lib/text/oneline.c: the oracle
 * checks that code, it does not share it.
 */
static gboolean
unsafe(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* The first unsafe character of UTF-8 s (but TAB when tab), or 0. */
static gunichar
first_unsafe(const char *s, gsize len, gboolean tab)
{
	const char *end = s + len;

	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (unsafe(c) && !(tab && c == '\t'))
			return c;
	}
	return 0;
}

/* Drops the CR and LF of s in place (GMime keeps them in what it decodes). */
static void
unfold(char *s)
{
	char *o = s;

	for (const char *p = s; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
}

static gboolean
is_address_field(const char *name, gsize n)
{
	static const char *const names[] = { "from", "to", "cc", "bcc",
	    "reply-to", "sender", "resent-from", "resent-to", "resent-cc",
	    "resent-bcc", "resent-sender", "disposition-notification-to" };

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (strlen(names[i]) == n &&
		    g_ascii_strncasecmp(name, names[i], n) == 0)
			return TRUE;
	return FALSE;
}

/*
 * One header field (name: value, folding kept, no last line break) as
 * delivered: no control byte but TAB in its raw text, and what GMime
 * decodes from it (the text, and for an address field the display
 * names its parser decodes) holds no unsafe character but TAB.
 */
static char *
field_check(const char *f, gsize n)
{
	const char *colon = memchr(f, ':', n);
	g_autofree char *value = NULL;
	g_autofree char *text = NULL;
	gunichar c;

	if (colon == NULL)
		return g_strdup_printf("header line without a colon: %.*s",
		    (int)MIN(n, 80), f);
	for (gsize i = 0; i < n; i++) {
		guchar b = (guchar)f[i];

		if ((b < 0x20 && b != '\t' && b != '\r' && b != '\n') ||
		    b == 0x7f)
			return g_strdup_printf("control byte 0x%02x in header "
			    "%.*s", b, (int)(colon - f), f);
	}
	/* Unfolded: every line break inside a field is a fold. */
	value = g_strndup(colon + 1, (gsize)(f + n - colon - 1));
	unfold(value);
	text = g_mime_utils_header_decode_text(NULL, value);
	if (text != NULL && g_utf8_validate(text, -1, NULL) &&
	    (c = first_unsafe(text, strlen(text), TRUE)) != 0)
		return g_strdup_printf("header %.*s decodes to U+%04X: %s",
		    (int)(colon - f), f, c, text);
	if (is_address_field(f, (gsize)(colon - f))) {
		InternetAddressList *l = internet_address_list_parse(NULL,
		    value);

		for (int i = 0; l != NULL &&
		    i < internet_address_list_length(l); i++) {
			const char *name = internet_address_get_name(
			    internet_address_list_get_address(l, i));

			if (name != NULL && g_utf8_validate(name, -1, NULL) &&
			    (c = first_unsafe(name, strlen(name), TRUE)) != 0) {
				g_object_unref(l);
				return g_strdup_printf("header %.*s has a name "
				    "with U+%04X: %s", (int)(colon - f), f, c,
				    name);
			}
		}
		g_clear_object(&l);
	}
	return NULL;
}

/* Every field of the header block msg[0, end). */
static char *
headers_check(const char *msg, gsize end)
{
	gsize i = 0;

	while (i < end) {
		gsize start = i;
		gsize stop;
		char *why;

		/* The field runs to the first line that is not folded. */
		do {
			const char *nl = memchr(msg + i, '\n', end - i);

			i = nl != NULL ? (gsize)(nl - msg) + 1 : end;
		} while (i < end && (msg[i] == ' ' || msg[i] == '\t'));
		stop = i;
		while (stop > start && (msg[stop - 1] == '\n' ||
		    msg[stop - 1] == '\r'))
			stop--;
		if (stop == start)
			continue;
		if ((why = field_check(msg + start, stop - start)) != NULL)
			return why;
	}
	return NULL;
}

/*
 * The built-in notice templates (lib/core/notice.c, conf/notice.ja and
 * conf/notice.en), known here by their fixed parts: a line of the notice
 * is a fixed line, or a placeholder line that starts with its prefix and
 * ends with one of its suffixes (a value made one line cannot hide the
 * line's end in another line).
 */
struct lang {
	const char *l_header1, *l_header2;
	const char *l_item, *l_item_end[2];
	const char *l_warning;
	const char *l_text;		/* a document's text, under an item */
	const char *l_signature, *l_signature_end;	/* counts as an item */
	const char *l_doubt, *l_doubt_end;	/* before the items */
	const char *l_altered, *l_altered_end;	/* text changed: so too */
	const char *l_quarantined, *l_quarantined_end;
	const char *l_footer;
	const char *l_withheld1, *l_withheld2, *l_reason;
};

static const struct lang langs[] = {
	{ "──── mugai 無害化通知 ────",
	  "このメールは安全のため無害化（テキスト化）されました。以下の添付"
	  "ファイル等は削除されています。",
	  "・", { "）→ 削除", "）→ 隔離" },
	  "  ※ ",
	  "  → ",
	  "・署名は検証されずに削除されました（", "）",
	  "※ 構造に曖昧な点がありました（",
	  "受信者のメールソフトと同じ読み方で本文を表示しています。",
	  "※ 本文の一部を安全のため変更しました（", "）。",
	  "原本は隔離保管されています（隔離ID: ",
	  "）。必要な場合は管理者にお問い合わせください。",
	  "────────────────────────",
	  "──── mugai 無害化通知 ────",
	  "このメールは安全に無害化できなかったため、本文を配信しません。",
	  "理由: " },
	{ "---- mugai sanitization notice ----",
	  "This message was converted to plain text for safety. The "
	  "following items were removed:",
	  "- ", { ") - removed", ") - quarantined" },
	  "  ! ",
	  "  > ",
	  "- The signature was removed without verification (", ")",
	  "! The message structure was ambiguous (",
	  "the text is shown as the recipient's mail program reads it.",
	  "! Some of the text was changed for safety (", ").",
	  "The original is kept in quarantine (ID: ",
	  "). Ask your administrator if you need it.",
	  "------------------------------------",
	  "---- mugai sanitization notice ----",
	  "This message could not be sanitized with certainty, so its "
	  "content is withheld.",
	  "Reason: " },
};

struct lines {
	const char *ln_p, *ln_end;	/* what is left */
	const char *ln_line;		/* the current line */
	gsize ln_len;
	guint ln_no;
};

static gboolean
next_line(struct lines *l)
{
	const char *nl;

	if (l->ln_p >= l->ln_end)
		return FALSE;
	nl = memchr(l->ln_p, '\n', (gsize)(l->ln_end - l->ln_p));
	l->ln_line = l->ln_p;
	l->ln_len = (gsize)((nl != NULL ? nl : l->ln_end) - l->ln_p);
	/* CRLF text: the CR belongs to the line end (raw_check() allows no
	 * other CR). */
	if (nl != NULL && l->ln_len > 0 && l->ln_line[l->ln_len - 1] == '\r')
		l->ln_len--;
	l->ln_p = nl != NULL ? nl + 1 : l->ln_end;
	l->ln_no++;
	return TRUE;
}

static gboolean
line_is(const struct lines *l, const char *s)
{
	return strlen(s) == l->ln_len && memcmp(l->ln_line, s, l->ln_len) == 0;
}

static gboolean
line_starts(const struct lines *l, const char *s)
{
	gsize n = strlen(s);

	return l->ln_len >= n && memcmp(l->ln_line, s, n) == 0;
}

static gboolean
line_ends(const struct lines *l, const char *s)
{
	gsize n = strlen(s);

	return l->ln_len >= n &&
	    memcmp(l->ln_line + l->ln_len - n, s, n) == 0;
}

static char *
not_template(const struct lines *l, const char *what)
{
	return g_strdup_printf("notice line %u is not %s: [%.*s]", l->ln_no,
	    what, (int)MIN(l->ln_len, 200), l->ln_line);
}

/* One language's notice, its first line read; stops after the footer. */
static char *
one_notice(struct lines *l, const struct lang *lg)
{
	gboolean withheld = FALSE;
	guint items = 0, doubts = 0;

	if (!line_is(l, lg->l_header1))
		return not_template(l, "the header");
	if (!next_line(l))
		return g_strdup("notice ends after its first line");
	if (line_is(l, lg->l_withheld2)) {
		withheld = TRUE;
		if (!next_line(l) || !line_starts(l, lg->l_reason))
			return not_template(l, "the reason");
	} else if (!line_is(l, lg->l_header2))
		return not_template(l, "the header");
	while (next_line(l)) {
		gunichar c;

		if ((c = first_unsafe(l->ln_line, l->ln_len, FALSE)) != 0)
			return g_strdup_printf("notice line %u holds U+%04X: "
			    "[%.*s]", l->ln_no, c, (int)MIN(l->ln_len, 200),
			    l->ln_line);
		if (line_is(l, lg->l_footer))
			return !withheld && items == 0 && doubts == 0 ?
			    g_strdup("notice lists no item") : NULL;
		if (line_starts(l, lg->l_quarantined) &&
		    line_ends(l, lg->l_quarantined_end))
			continue;
		if (withheld)
			return not_template(l, "a withheld notice's line");
		if (items == 0 && ((line_starts(l, lg->l_doubt) &&
		    line_ends(l, lg->l_doubt_end)) ||
		    (line_starts(l, lg->l_altered) &&
		    line_ends(l, lg->l_altered_end)))) {
			doubts++;
			continue;
		}
		if ((line_starts(l, lg->l_item) && (line_ends(l,
		    lg->l_item_end[0]) || line_ends(l, lg->l_item_end[1]))) ||
		    (line_starts(l, lg->l_signature) &&
		    line_ends(l, lg->l_signature_end))) {
			items++;
			continue;
		}
		if (items > 0 && (line_starts(l, lg->l_warning) ||
		    line_starts(l, lg->l_text)))
			continue;
		return not_template(l, "an item, warning or ID line");
	}
	return g_strdup("notice without its footer");
}

char *
mugai_oracle_notice(const char *text, gsize len)
{
	struct lines l = { text, text + len, NULL, 0, 0 };

	if (!g_utf8_validate(text, (gssize)len, NULL))
		return g_strdup("text is not valid UTF-8");
	for (gsize i = 0; i < G_N_ELEMENTS(langs); i++) {
		char *why;

		if (i > 0 && (!next_line(&l) || l.ln_len != 0))
			return g_strdup("no empty line between the notices");
		if (!next_line(&l))
			return g_strdup("no notice");
		if ((why = one_notice(&l, &langs[i])) != NULL)
			return why;
	}
	return NULL;
}

/* Parses msg (raw_check() passed) and checks it; notice: its text too. */
static char *
check(const char *msg, gsize len, gsize body_off, gboolean notice)
{
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;
	GMimeObject *body = NULL;
	char *why;

	if ((why = headers_check(msg, body_off)) != NULL)
		return why;
	s = g_mime_stream_mem_new_with_buffer(msg, len);
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	if (m == NULL)
		why = g_strdup("GMime cannot read the output as a message");
	else if ((body = g_mime_message_get_mime_part(m)) == NULL)
		why = notice ? g_strdup("no body for the notice") : NULL;
	else
		why = leaf_check(body, msg + body_off, len - body_off);
	if (why == NULL && notice && body != NULL) {
		char *text = GMIME_IS_TEXT_PART(body) ?
		    g_mime_text_part_get_text(GMIME_TEXT_PART(body)) : NULL;

		why = text != NULL ? mugai_oracle_notice(text, strlen(text)) :
		    g_strdup("no text for the notice");
		g_free(text);
	}
	g_clear_object(&m);
	g_object_unref(p);
	g_object_unref(s);
	return why;
}

char *
mugai_oracle_check(const char *msg, gsize len)
{
	gsize body_off = len;
	char *why;

	if ((why = raw_check(msg, len, &body_off)) != NULL)
		return why;
	return check(msg, len, body_off, FALSE);
}

char *
mugai_oracle_check_notice(const char *msg, gsize len)
{
	gsize body_off = len;
	char *why;

	if ((why = raw_check(msg, len, &body_off)) != NULL)
		return why;
	return check(msg, len, body_off, TRUE);
}
