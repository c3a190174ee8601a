/*
 * mugai_headers - split, decode and re-encode the top-level header block
 *
 * Splitting follows RFC 5322: "name:" starts a field, a line starting with
 * space or tab continues it, the first empty line ends the block. What is
 * neither ends the block too (the rest is body, as Python's email and most
 * MUAs see it). Values keep their folding; CRLF becomes LF.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "base/limits.h"
#include "text/charset.h"
#include "text/oneline.h"
#include "mime/headers.h"

static const char *const address_headers[] = {
	"from", "to", "cc", "bcc", "reply-to", "sender", "resent-from",
	"resent-to", "resent-cc", "resent-bcc", "resent-sender",
	"disposition-notification-to", NULL
};

static void
header_free(gpointer data)
{
	struct mugai_header *h = data;

	g_free(h->hd_name);
	g_free(h->hd_raw);
	g_free(h);
}

/* Length of the field name at line, or 0 when line does not start one. */
static gsize
name_len(const char *line, gsize len)
{
	gsize i = 0;

	while (i < len && line[i] > 32 && line[i] < 127 && line[i] != ':')
		i++;
	if (i == 0)
		return 0;
	/* Obsolete syntax allows white space before the colon. */
	for (gsize j = i; j < len; j++) {
		if (line[j] == ':')
			return i;
		if (line[j] != ' ' && line[j] != '\t')
			return 0;
	}
	return 0;
}

/*
 * The value of the header being read grows in *open (appended to, never
 * copied again: a header of many folded lines costs its size) and goes to
 * the header's hd_raw when the next one starts or the block ends.
 */
static void
close_header(GPtrArray *out, GString **open)
{
	struct mugai_header *h;

	if (*open == NULL)
		return;
	h = g_ptr_array_index(out, out->len - 1);
	h->hd_raw = g_string_free(*open, FALSE);
	*open = NULL;
}

static void
add_header(GPtrArray *out, GHashTable *counts, GString **open,
    const char *line, gsize len, gsize nlen)
{
	struct mugai_header *h = g_new0(struct mugai_header, 1);
	const char *colon = memchr(line, ':', len);
	g_autofree char *key = NULL;
	guint n;

	close_header(out, open);
	h->hd_name = g_strndup(line, nlen);
	*open = g_string_new_len(colon + 1,
	    (gssize)(len - (gsize)(colon + 1 - line)));
	key = g_ascii_strdown(h->hd_name, -1);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) + 1;
	g_hash_table_replace(counts, g_steal_pointer(&key),
	    GUINT_TO_POINTER(n));
	h->hd_index = n;
	g_ptr_array_add(out, h);
}

static void
append_continuation(GString *open, const char *line, gsize len)
{
	g_string_append_c(open, '\n');
	g_string_append_len(open, line, (gssize)len);
}

gsize
mugai_headers_skip_envelope(const char *data, gsize len)
{
	gsize pos = 0;
	const char *eol;

	if (len - pos >= 5 && memcmp(data + pos, "From ", 5) == 0 &&
	    (eol = memchr(data + pos, '\n', len - pos)) != NULL)
		pos = (gsize)(eol - data) + 1;
	/*
	 * Lines of nothing but blanks before the first field continue no
	 * field: Python's email and the split below pass over them, GMime
	 * gives up on the message.
	 */
	while (pos < len && (data[pos] == ' ' || data[pos] == '\t')) {
		gsize i = pos;

		while (i < len && (data[i] == ' ' || data[i] == '\t' ||
		    data[i] == '\r'))
			i++;
		if (i >= len || data[i] != '\n')
			break;
		pos = i + 1;
	}
	return pos;
}

GPtrArray *
mugai_headers_split(const char *data, gsize len, gsize max, gsize *body_off,
    gboolean *separated, enum mugai_err *err)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(header_free);
	g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	GString *open = NULL;	/* the value being read */
	gsize pos = 0;
	gboolean sep = FALSE;

	*err = MUGAI_OK;
	pos = mugai_headers_skip_envelope(data, len);
	while (pos < len) {
		const char *line = data + pos;
		const char *eol = memchr(line, '\n', len - pos);
		gsize next = eol != NULL ? (gsize)(eol - data) + 1 : len;
		gsize ll = (eol != NULL ? (gsize)(eol - line) : len - pos);
		gsize nlen;

		if (pos > max)
			break;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			pos = next;
			sep = TRUE;
			break;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (open != NULL)
				append_continuation(open, line, ll);
			pos = next;
			continue;
		}
		if ((nlen = name_len(line, ll)) == 0)
			break;
		add_header(out, counts, &open, line, ll, nlen);
		pos = next;
	}
	close_header(out, &open);
	if (pos > max) {
		*err = MUGAI_E_LIMIT;
		g_ptr_array_unref(out);
		return NULL;
	}
	*body_off = pos;
	*separated = sep || pos >= len;
	return out;
}

const struct mugai_header *
mugai_headers_find(const GPtrArray *headers, const char *name)
{
	for (guint i = 0; i < headers->len; i++) {
		const struct mugai_header *h = g_ptr_array_index(headers, i);

		if (g_ascii_strcasecmp(h->hd_name, name) == 0)
			return h;
	}
	return NULL;
}

static gboolean
has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return TRUE;
	return FALSE;
}

/* Control characters other than folding white space. */
static gboolean
has_ctl(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return TRUE;
	}
	return FALSE;
}

/* Removes folding: a line break followed by white space is dropped. */
static char *
unfold(const char *raw)
{
	GString *s = g_string_sized_new(strlen(raw));

	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t'))
			continue;
		g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

/*
 * A character no header leaves with (the raw value may fold with TAB):
 * a C0 control, DEL, a C1 control, a line or paragraph separator, a bidi
 * control; the set of lib/text/oneline.h.
 */
static gboolean
unsafe_char(gunichar c)
{
	return c != '\t' && mugai_oneline_escaped(c);
}

static gboolean
has_unsafe(const char *s)
{
	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p))
		if ((guchar)*p >= 0x20 && (guchar)*p < 0x7f)
			continue;
		else if (unsafe_char(g_utf8_get_char(p)))
			return TRUE;
	return FALSE;
}

/*
 * Returns s (transfer full, consumed) as UTF-8 (invalid bytes as U+FFFD)
 * with its controls (TAB too) and line separators made spaces and its
 * bidi controls removed: the words stay apart and in their order, as the
 * sender wrote them.
 */
static char *
clean_text(char *s)
{
	GString *out;

	if (!g_utf8_validate(s, -1, NULL)) {
		char *valid = g_utf8_make_valid(s, -1);

		g_free(s);
		s = valid;
	}
	out = g_string_sized_new(strlen(s));

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!mugai_oneline_escaped(c))
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
		    c == 0x2028 || c == 0x2029)
			g_string_append_c(out, ' ');
	}
	g_free(s);
	return g_string_free(out, FALSE);
}

/*
 * Raw 8-bit header text to UTF-8: strict UTF-8, CP932, EUC-JP in that
 * order (Japanese mail), then Windows-1252 so Western text stays readable.
 */
static char *
raw_to_utf8(const char *s)
{
	static const char *const order[] = { "CP932", "EUC-JP", "WINDOWS-1252" };

	if (g_utf8_validate(s, -1, NULL))
		return g_strdup(s);
	for (gsize i = 0; i < G_N_ELEMENTS(order); i++) {
		char *out = g_convert(s, -1, "UTF-8", order[i], NULL, NULL,
		    NULL);

		if (out != NULL)
			return out;
	}
	return mugai_charset_to_utf8(s, strlen(s), NULL, NULL, NULL, NULL);
}

/*
 * TRUE for 7-bit text with an ISO-2022-JP designation in it: old
 * Japanese mailers write From:, To: and Subject: in raw ISO-2022-JP,
 * with no encoded-word. Read as such (unknown pairs and escapes become
 * U+FFFD, in step), not with its ESC made a space ("$B" and the
 * address lost).
 */
static gboolean
raw_jis(const char *s)
{
	static const char *const designations[] = { "\x1B$B", "\x1B$@",
	    "\x1B(I", "\x1B(J", NULL };

	if (strchr(s, 0x1B) == NULL || has_8bit(s))
		return FALSE;
	for (gsize i = 0; designations[i] != NULL; i++)
		if (strstr(s, designations[i]) != NULL)
			return TRUE;
	return FALSE;
}

/* One parsed encoded-word: =?charset?enc?data?= */
struct eword {
	const char *start, *end;	/* the whole word */
	char *charset;
	char enc;			/* 'B' or 'Q' */
	const char *data;
	gsize data_len;
};

static gboolean
eword_parse(const char *p, struct eword *ew)
{
	const char *cs, *q, *d;

	if (p[0] != '=' || p[1] != '?')
		return FALSE;
	cs = p + 2;
	for (q = cs; *q != '\0' && *q != '?' && !g_ascii_isspace(*q); q++)
		;
	if (*q != '?' || q == cs || (q[1] != 'B' && q[1] != 'b' &&
	    q[1] != 'Q' && q[1] != 'q') || q[2] != '?')
		return FALSE;
	d = q + 3;
	for (q = d; *q != '\0' && *q != '?' && !g_ascii_isspace(*q); q++)
		;
	if (q[0] != '?' || q[1] != '=')
		return FALSE;
	ew->start = p;
	ew->end = q + 2;
	ew->charset = g_strndup(cs, (gsize)(d - 3 - cs));
	/* RFC 2231 language suffix: charset*lang */
	if (strchr(ew->charset, '*') != NULL)
		*strchr(ew->charset, '*') = '\0';
	ew->enc = g_ascii_toupper(d[-2]);
	ew->data = d;
	ew->data_len = (gsize)(q - d);
	return TRUE;
}

/*
 * Decodes the data of ew to bytes. *clean is FALSE when the word is not
 * well-formed (bad base64 padding or alphabet, bad quoted-printable): a
 * reader may decode it differently, so the header gets rewritten.
 */
static GByteArray *
eword_bytes(const struct eword *ew, gboolean *clean)
{
	GByteArray *out = g_byte_array_new();

	if (ew->enc == 'B') {
		GString *b = g_string_new(NULL);
		guchar *dec;
		gsize n = 0;

		for (gsize i = 0; i < ew->data_len; i++) {
			char c = ew->data[i];

			if (g_ascii_isalnum(c) || c == '+' || c == '/')
				g_string_append_c(b, c);
			else if (c != '=')
				*clean = FALSE;
		}
		if (ew->data_len % 4 != 0)
			*clean = FALSE;
		while (b->len % 4 != 0)
			g_string_append_c(b, '=');
		dec = g_base64_decode(b->str, &n);
		g_byte_array_append(out, dec, (guint)n);
		g_free(dec);
		g_string_free(b, TRUE);
		return out;
	}
	for (gsize i = 0; i < ew->data_len; i++) {
		char c = ew->data[i];
		guint8 v;

		if (c == '_')
			v = ' ';
		else if (c == '=' && i + 2 < ew->data_len &&
		    g_ascii_isxdigit(ew->data[i + 1]) &&
		    g_ascii_isxdigit(ew->data[i + 2])) {
			v = (guint8)(g_ascii_xdigit_value(ew->data[i + 1]) * 16 +
			    g_ascii_xdigit_value(ew->data[i + 2]));
			i += 2;
		} else {
			if (c == '=')
				*clean = FALSE;
			v = (guint8)c;
		}
		g_byte_array_append(out, &v, 1);
	}
	return out;
}

static gboolean
bytes_have_ctl(const GByteArray *b)
{
	for (guint i = 0; i < b->len; i++)
		if (b->data[i] == '\r' || b->data[i] == '\n' ||
		    b->data[i] == '\0')
			return TRUE;
	return FALSE;
}

/*
 * Appends the bytes of a run of adjacent encoded-words of one charset
 * (*charset, transfer full, cleared) to out as UTF-8, and empties the run.
 */
static void
flush_run(GString *out, GByteArray *run, char **charset)
{
	g_autofree char *text = NULL;

	if (*charset == NULL)
		return;
	text = mugai_charset_to_utf8((const char *)run->data, run->len,
	    *charset, NULL, NULL, NULL);
	g_string_append(out, text);
	g_clear_pointer(charset, g_free);
	g_byte_array_set_size(run, 0);
}

/*
 * Decodes the encoded-words of unfolded UTF-8 text s (white space between
 * adjacent words dropped, as RFC 2047 says). The bytes of adjacent words
 * of one charset are converted together, as GMime and most readers do:
 * a character split across two words (U+202E as =E2=80 and =AE) is one
 * character to them, so it is here. Sets *clean to FALSE when a word is
 * malformed or decodes to CR, LF or NUL.
 */
static char *
decode_words(const char *s, gboolean *clean)
{
	GString *out = g_string_sized_new(strlen(s));
	g_autoptr(GByteArray) run = g_byte_array_new();
	char *run_charset = NULL;	/* of the run; NULL: none */
	const char *p = s;

	while (*p != '\0') {
		struct eword ew;
		const char *ws;
		gboolean ascii = TRUE;

		if (!eword_parse(p, &ew)) {
			g_string_append_c(out, *p++);
			continue;
		}
		for (gsize i = 0; i < ew.data_len; i++)
			ascii = ascii && (guchar)ew.data[i] < 0x80;
		if (!ascii) {
			/* Not an encoded-word to any reader: literal. */
			flush_run(out, run, &run_charset);
			g_string_append_len(out, ew.start, ew.end - ew.start);
			g_free(ew.charset);
		} else {
			g_autoptr(GByteArray) b = eword_bytes(&ew, clean);

			if (bytes_have_ctl(b))
				*clean = FALSE;
			if (run_charset != NULL &&
			    g_ascii_strcasecmp(run_charset, ew.charset) != 0)
				flush_run(out, run, &run_charset);
			if (run_charset == NULL)
				run_charset = ew.charset;
			else
				g_free(ew.charset);
			g_byte_array_append(run, b->data, b->len);
		}
		p = ew.end;
		/* Skip white space if another word follows it. */
		for (ws = p; *p == ' ' || *p == '\t'; p++)
			;
		if (!eword_parse(p, &ew)) {
			p = ws;
			flush_run(out, run, &run_charset);
		} else
			g_free(ew.charset);
	}
	flush_run(out, run, &run_charset);
	return g_string_free(out, FALSE);
}

/*
 * Returns (transfer full) the text a reader decodes from the raw value
 * raw: unfolded, raw 8-bit text converted, encoded-words decoded, every
 * character kept. *clean as decode_words() sets it.
 */
static char *
decode_raw(const char *raw, gboolean *clean)
{
	g_autofree char *flat = unfold(raw);
	g_autofree char *utf8 = raw_jis(flat) ? mugai_charset_to_utf8(flat,
	    strlen(flat), "iso-2022-jp", NULL, NULL, NULL) : raw_to_utf8(flat);

	return decode_words(utf8, clean);
}

char *
mugai_headers_decode(const char *raw)
{
	gboolean clean = TRUE;

	return g_strstrip(clean_text(decode_raw(raw, &clean)));
}

static gboolean
is_address_header(const char *name)
{
	for (gsize i = 0; address_headers[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, address_headers[i]) == 0)
			return TRUE;
	return FALSE;
}

/* has_unsafe() for text from GMime, which may not be UTF-8. */
static gboolean
gmime_text_unsafe(const char *text)
{
	g_autofree char *valid = NULL;

	if (text == NULL)
		return FALSE;
	if (g_utf8_validate(text, -1, NULL))
		return has_unsafe(text);
	valid = g_utf8_make_valid(text, -1);
	return has_unsafe(valid);
}

/*
 * TRUE when GMime, a reader more lenient than decode_words() (an
 * encoded-word may run across white space for it), decodes from the
 * value an unsafe character: as text, and for an address header in the
 * display names its address parser gives.
 */
static gboolean
gmime_reads_unsafe(const char *name, const char *value)
{
	g_autofree char *flat = unfold(value);
	g_autofree char *text = NULL;
	InternetAddressList *list;
	gboolean bad;

	/* unfold() keeps a line break not followed by white space. */
	g_strdelimit(flat, "\r\n", ' ');
	text = g_mime_utils_header_decode_text(NULL, flat);
	if (gmime_text_unsafe(text))
		return TRUE;
	if (!is_address_header(name) ||
	    (list = internet_address_list_parse(NULL, flat)) == NULL)
		return FALSE;
	bad = FALSE;
	for (int i = 0; !bad && i < internet_address_list_length(list); i++)
		bad = gmime_text_unsafe(internet_address_get_name(
		    internet_address_list_get_address(list, i)));
	g_object_unref(list);
	return bad;
}

/*
 * TRUE when a reader decodes from the raw value of header name a
 * character no header leaves with (an encoded ESC, a bidi override, raw
 * UTF-8 C1), mugai's reading or GMime's, or when an encoded-word of raw
 * is malformed or hides a line break. A value of 7-bit text without "=?"
 * has nothing to decode: has_ctl() sees it all.
 */
static gboolean
reads_unclean(const char *name, const char *raw)
{
	g_autofree char *text = NULL;
	gboolean clean = TRUE;

	if (strstr(raw, "=?") == NULL && !has_8bit(raw))
		return FALSE;
	text = decode_raw(raw, &clean);
	return !clean || has_unsafe(text) || gmime_reads_unsafe(name, raw);
}

/* TRUE when a reader decodes from a value made here an unsafe character. */
static gboolean
reads_unsafe(const char *name, const char *value)
{
	gboolean clean = TRUE;
	g_autofree char *text = decode_raw(value, &clean);

	return has_unsafe(text) || gmime_reads_unsafe(name, value);
}

/* TRUE when a line of "name:value" is longer than RFC 5322's 998. */
static gboolean
value_too_long(const char *name, const char *value)
{
	gsize line = strlen(name) + 1;

	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\n') {
			line = 0;
			continue;
		}
		if (++line > MUGAI_LINE_MAX)
			return TRUE;
	}
	return FALSE;
}

static gboolean
line_too_long(const struct mugai_header *h)
{
	return value_too_long(h->hd_name, h->hd_raw);
}


/*
 * Makes every line break of value (transfer full, consumed) a fold: GMime
 * breaks an over-long encoded-word without white space after the break
 * (found by t/fuzz/fuzz_headers), and a reader takes the next line for a
 * header of its own, or for the end of the header block. Returns
 * (transfer full) the value with a space after every "\n" that lacks one.
 */
static char *
refold(char *value)
{
	GString *s;

	if (strchr(value, '\n') == NULL)
		return value;
	s = g_string_sized_new(strlen(value) + 16);
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		g_string_append_c(s, *p);
		if (*p == '\n' && p[1] != ' ' && p[1] != '\t')
			g_string_append_c(s, ' ');
	}
	g_free(value);
	return g_string_free(s, FALSE);
}

/* Folds "name: value" with GMime and returns the value part. */
static char *
fold_value(const char *name, const char *value, gboolean structured)
{
	g_autofree char *whole = g_strdup_printf("%s: %s", name, value);
	g_autofree char *folded = structured ?
	    g_mime_utils_structured_header_fold(NULL, NULL, whole) :
	    g_mime_utils_unstructured_header_fold(NULL, NULL, whole);
	const char *v = folded + strlen(name) + 1;
	char *out;

	while (*v == ' ')
		v++;
	out = g_strdup(v);
	g_strchomp(out);
	return refold(out);
}

/*
 * An address header with a group ("undisclosed-recipients:;"): readers
 * disagree on groups with comments, so it is written the canonical way.
 */
static gboolean
has_group(const struct mugai_header *h)
{
	const char *colon = strchr(h->hd_raw, ':');

	return is_address_header(h->hd_name) && colon != NULL &&
	    strchr(colon, ';') != NULL && strchr(h->hd_raw, '(') != NULL;
}

/*
 * Returns (transfer full) UTF-8 text as base64 encoded-words of at most
 * 45 octets each (60 characters of base64), one per folded line, never
 * cutting a character: the value whatever the text, every line short.
 */
static char *
encode_all(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p = text;

	while (*p != '\0') {
		const char *q = p, *next;
		g_autofree char *b64 = NULL;

		while (*q != '\0' && (next = g_utf8_next_char(q)) - p <= 45)
			q = next;
		if (q == p)	/* cannot happen with valid UTF-8 */
			q = p + 1;
		b64 = g_base64_encode((const guchar *)p, (gsize)(q - p));
		g_string_append_printf(out, "%s=?utf-8?B?%s?=",
		    out->len > 0 ? "\n " : "", b64);
		p = q;
	}
	return g_string_free(out, FALSE);
}

/*
 * GMime's address parser decodes the display names of the decoded text
 * once more: a double-encoded name brings back what the first decoding
 * cleaned away. Every name of list is cleaned again, and an "=?" left in
 * one is broken ("= ?") so that no reader decodes a third level.
 */
static void
clean_names(InternetAddressList *list, guint depth)
{
	for (int i = 0; i < internet_address_list_length(list); i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		const char *name = internet_address_get_name(a);

		if (name != NULL) {
			char *c = clean_text(g_strdup(name));
			g_auto(GStrv) parts = g_strsplit(c, "=?", -1);
			g_autofree char *safe = g_strjoinv("= ?", parts);

			g_free(c);
			internet_address_set_name(a, safe);
		}
		/* Groups hold mailboxes, which hold no groups (RFC 5322). */
		if (INTERNET_ADDRESS_IS_GROUP(a) && depth == 0)
			clean_names(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)), depth + 1);
	}
}

/*
 * The value of an address header from its decoded text, or NULL: GMime
 * encodes display names; 8-bit text it takes for an address stays raw,
 * and its structured folding may cut a UTF-8 character in two. Such a
 * value is encoded as text instead: readable, 7-bit, and not an address
 * anyone relies on (a clean UTF-8 address header never gets here).
 */
static char *
fix_addresses(const char *name, const char *decoded)
{
	InternetAddressList *list = internet_address_list_parse(NULL, decoded);
	g_autofree char *encoded = NULL;
	char *v;

	if (list != NULL && internet_address_list_length(list) > 0) {
		clean_names(list, 0);
		encoded = internet_address_list_to_string(list, NULL, TRUE);
	}
	g_clear_object(&list);
	if (encoded == NULL || has_8bit(encoded))
		return NULL;
	v = fold_value(name, encoded, TRUE);
	/*
	 * Structured folding cannot cut a word: an address longer than a
	 * line (a 2,000-octet local part) is encoded as text, like 8-bit
	 * ones. So is one a reader would still decode to a control or bidi
	 * character (checked last, whatever the way it came there).
	 */
	if (!value_too_long(name, v) && !reads_unsafe(name, v))
		return v;
	g_free(v);
	return NULL;
}

char *
mugai_headers_fix(const struct mugai_header *h)
{
	return mugai_headers_fix_for(h, FALSE);
}

char *
mugai_headers_fix_for(const struct mugai_header *h, gboolean seven_bit)
{
	g_autofree char *decoded = NULL;
	gboolean eight = has_8bit(h->hd_raw);
	char *v;

	if (has_ctl(h->hd_raw) || line_too_long(h) ||
	    reads_unclean(h->hd_name, h->hd_raw) || has_group(h))
		;	/* rewrite */
	else if (!eight)
		return NULL;
	else if (is_address_header(h->hd_name) &&
	    g_utf8_validate(h->hd_raw, -1, NULL)) {
		/*
		 * RFC 6532: an address has no 7-bit form, so it stays raw;
		 * for 7-bit output the display names of ASCII addresses
		 * are encoded (fix_addresses() gives NULL for the others).
		 */
		if (!seven_bit)
			return NULL;
		decoded = mugai_headers_decode(h->hd_raw);
		return fix_addresses(h->hd_name, decoded);
	}
	decoded = mugai_headers_decode(h->hd_raw);
	if (is_address_header(h->hd_name) &&
	    (v = fix_addresses(h->hd_name, decoded)) != NULL)
		return v;
	/*
	 * GMime leaves text that looks like an encoded-word as it is, so a
	 * reader would decode it: decoded text holding "=?" is encoded
	 * whole, where it stays text.
	 */
	if (strstr(decoded, "=?") == NULL) {
		g_autofree char *encoded = g_mime_utils_header_encode_text(NULL,
		    decoded, "utf-8");

		v = fold_value(h->hd_name, encoded, FALSE);
		/* GMime leaves a long ASCII word whole: encode it all. */
		if (!value_too_long(h->hd_name, v) &&
		    !reads_unsafe(h->hd_name, v))
			return v;
		g_free(v);
	}
	return encode_all(decoded);
}

char *
mugai_headers_filename(const char *fn)
{
	char *valid = g_utf8_make_valid(fn, -1);
	char *kana = mugai_charset_jis_residue(valid);

	if (kana == NULL)
		return valid;
	g_free(valid);
	return kana;
}

gboolean
mugai_headers_is_mime(const char *name)
{
	return g_ascii_strncasecmp(name, "Content-", 8) == 0 ||
	    g_ascii_strcasecmp(name, "MIME-Version") == 0;
}
