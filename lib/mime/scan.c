/*
 * mugai_scan - the streaming MIME scanner behind the fast path
 *
 * Lines are found with memchr; a line that starts with '-' inside a
 * multipart is held (up to a small cap) until it is known to be a
 * boundary or content. Boundaries are matched as GMime's parser matches
 * them (innermost first, the closing form before the plain one, trailing
 * blanks allowed), and the line break before a boundary belongs to the
 * boundary: it is held back until the next line is known.
 *
 * message/rfc822 (rfc2822, news, global; not encoded, as GMime reads it
 * as a message) opens a level without a boundary: the carried message's
 * header block is read like the top one, then its part; the forward ends
 * with the multipart part around it, or at the end of input. A leading
 * mbox "From " line is skipped as lib/mime/gwalk.c skips it for GMime.
 *
 * Declined (the GMime engine decides instead): a bare CR or line ends of
 * both kinds; control bytes, 8-bit bytes that are not UTF-8 (GMime
 * warns), a "--" line, a line that is not a field, or a field name with space before the colon in any header
 * block; a block without its blank line; Content-Type, -Disposition,
 * -Transfer-Encoding or -ID twice; a type that is not token/token, a
 * comment in it, or any GMime warning while its value or the message
 * headers are parsed; a field twice in a part's header block (GMime's
 * conflicting header); a forward with an empty header
 * block or a transfer encoding label GMime may read otherwise; multipart
 * other than mixed, alternative, related, report, signed, encrypted and
 * parallel, a multipart without a plain boundary, nesting (multiparts
 * and forwards) past MAX_NEST; uuencode;
 * a boundary of an
 * outer multipart inside a part; a multipart without parts; the end of
 * input in a header block. Input that ends inside a multipart ends it as
 * GMime does (mugai_scan_truncated()).
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <string.h>

#include "base/addrfield.h"
#include "base/limits.h"
#include "mime/b64.h"
#include "mime/msghdr.h"
#include "mime/scan.h"
#include "mime/walk.h"

#define MAX_NEST	8	/* open multiparts the scanner models */
#define STAGE		MUGAI_IO_CHUNK	/* encoded bytes decoded at once */
#define CAND_CAP	1024	/* a '-' line held before deciding */
#define CAND_MAX	65536	/* boundary plus blanks: longer is declined */

enum state { ST_HEADERS, ST_CONTENT, ST_PREAMBLE, ST_EPILOGUE, ST_DECLINED };

struct level {
	char *lv_bound;			/* "--" boundary; NULL: forward */
	gsize lv_len;
	gboolean lv_forward;		/* a message/rfc822 part */
	guint lv_children;
	struct mugai_scan_part lv_part;
};

struct mugai_scan {
	const struct mugai_config *sc_cf;
	const struct mugai_scan_ops *sc_ops;
	void *sc_ctx;
	GMimeParserOptions *sc_opts;
	gboolean sc_warned;
	GArray *sc_collect;		/* (struct warning), or NULL */
	gboolean sc_truncated;		/* input ended in a multipart */
	char *sc_declined;
	enum state sc_state;
	struct level sc_stack[MAX_NEST];
	guint sc_nstack;
	guint sc_nbound;		/* levels that are multiparts */
	/* Lines. */
	gboolean sc_line_start;
	gboolean sc_cand;		/* a '-' line held in sc_line */
	GString *sc_line;
	gboolean sc_held_cr;
	guint sc_pend;			/* held line break: 0, 1 (LF), 2 */
	guint sc_eol;			/* 0 unknown, 1 LF, 2 CRLF */
	/* The header block being read and the part it belongs to. */
	GString *sc_hdr;
	char *sc_path;
	guint sc_depth;
	gboolean sc_msg_block;		/* a message's header block */
	gboolean sc_first_line;		/* nothing read yet */
	gboolean sc_addr;		/* the field is an address field */
	gsize sc_addr_seps;		/* its ':' and ',' */
	guint64 sc_addr_cost;		/* of all fields (addrfield.h) */
	/* The leaf being read. */
	struct mugai_scan_part sc_leaf;
	GMimeEncoding sc_enc;
	gboolean sc_decode;
	gboolean sc_b64;		/* base64: lib/mime/b64.c, not sc_enc */
	struct mugai_b64 sc_b64_state;
	guint8 *sc_stage;
	gsize sc_stage_len;
	guint8 *sc_out;
	gsize sc_out_size;
	gboolean sc_raw_check;
	gboolean sc_raw_cr;
	gsize sc_raw_line;
};

struct warning {
	GMimeParserWarning wn_code;
	char *wn_item;
};

static void
scan_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	struct mugai_scan *s = data;
	struct warning wn = { code, g_strdup(item) };

	(void)offset;
	if (s->sc_collect != NULL)
		g_array_append_val(s->sc_collect, wn);
	else {
		g_free(wn.wn_item);
		s->sc_warned = TRUE;
	}
}

void
mugai_scan_decline(struct mugai_scan *s, const char *fmt, ...)
{
	va_list ap;

	s->sc_state = ST_DECLINED;
	if (s->sc_declined != NULL)
		return;
	va_start(ap, fmt);
	s->sc_declined = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

gboolean
mugai_scan_truncated(const struct mugai_scan *s)
{
	return s->sc_truncated;
}

const char *
mugai_scan_declined(const struct mugai_scan *s)
{
	return s->sc_declined;
}

struct mugai_scan *
mugai_scan_new(const struct mugai_config *cf, const struct mugai_scan_ops *ops,
    void *ctx)
{
	struct mugai_scan *s = g_new0(struct mugai_scan, 1);

	s->sc_cf = cf;
	s->sc_ops = ops;
	s->sc_ctx = ctx;
	s->sc_opts = mugai_walk_parser_options(scan_warning, s);
	s->sc_state = ST_HEADERS;
	s->sc_line = g_string_new(NULL);
	s->sc_hdr = g_string_new(NULL);
	s->sc_path = g_strdup("1");
	s->sc_depth = 1;
	s->sc_msg_block = TRUE;
	s->sc_first_line = TRUE;
	s->sc_stage = g_malloc(STAGE);
	return s;
}

static void
part_clear(struct mugai_scan_part *p)
{
	g_free((char *)p->sp_path);
	g_free((char *)p->sp_cte);
	g_free((char *)p->sp_content_id);
	g_clear_object(&p->sp_message);
	g_clear_object(&p->sp_type);
	g_clear_object(&p->sp_disposition);
	memset(p, 0, sizeof *p);
}

void
mugai_scan_free(struct mugai_scan *s)
{
	if (s == NULL)
		return;
	while (s->sc_nstack > 0) {
		struct level *lv = &s->sc_stack[--s->sc_nstack];

		g_free(lv->lv_bound);
		part_clear(&lv->lv_part);
	}
	part_clear(&s->sc_leaf);
	g_mime_parser_options_free(s->sc_opts);
	g_string_free(s->sc_line, TRUE);
	g_string_free(s->sc_hdr, TRUE);
	g_free(s->sc_path);
	g_free(s->sc_stage);
	g_free(s->sc_out);
	g_free(s->sc_declined);
	g_free(s);
}

/* ---- line ends ---- */

/* Every line must end the same way: GMime strips the boundary's form. */
static gboolean
eol_check(struct mugai_scan *s, guint term)
{
	if (term == 0)
		return TRUE;
	if (s->sc_eol == 0)
		s->sc_eol = term;
	if (s->sc_eol != term) {
		mugai_scan_decline(s, "lines end both with LF and CRLF");
		return FALSE;
	}
	return TRUE;
}

static gboolean
no_cr(struct mugai_scan *s, const char *p, gsize len)
{
	if (memchr(p, '\r', len) != NULL) {
		mugai_scan_decline(s, "bare CR");
		return FALSE;
	}
	return TRUE;
}

/* ---- content ---- */

static gboolean
stage_flush(struct mugai_scan *s, gboolean last)
{
	const guint8 *out = s->sc_stage;
	gsize n = s->sc_stage_len;

	if (s->sc_decode) {
		gsize need = g_mime_encoding_outlen(&s->sc_enc, n) + 16;

		if (need > s->sc_out_size) {
			s->sc_out = g_realloc(s->sc_out, need);
			s->sc_out_size = need;
		}
		/* GMime's bytes at about four times its speed (lib/mime/b64.h). */
		if (s->sc_b64)
			n = mugai_b64_decode(&s->sc_b64_state, s->sc_stage, n,
			    s->sc_out);
		else
			n = last ? g_mime_encoding_flush(&s->sc_enc,
			    (const char *)s->sc_stage, n, (char *)s->sc_out) :
			    g_mime_encoding_step(&s->sc_enc,
			    (const char *)s->sc_stage, n, (char *)s->sc_out);
		out = s->sc_out;
	}
	s->sc_stage_len = 0;
	if (n > 0 && !s->sc_ops->so_data(s->sc_ctx, &s->sc_leaf, out, n)) {
		mugai_scan_decline(s, "declined by the walk");
		return FALSE;
	}
	return TRUE;
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Is any of the 8 bytes in x zero? */
static inline guint64
zero_byte(guint64 x)
{
	return (x - ONES) & ~x & HIGHS;
}

/* Does p[0..len) hold a NUL, a CR, or (unless eight) a byte >= 0x80? */
static gboolean
raw_bad(const unsigned char *p, gsize len, gboolean eight)
{
	const guint64 high = eight ? 0 : HIGHS;
	gsize i = 0;

	for (; i + 8 <= len; i += 8) {
		guint64 x;

		memcpy(&x, p + i, 8);
		if (zero_byte(x) | zero_byte(x ^ (ONES * '\r')) | (x & high))
			return TRUE;
	}
	for (; i < len; i++)
		if (p[i] == '\0' || p[i] == '\r' || (p[i] >= 0x80 && !eight))
			return TRUE;
	return FALSE;
}

/*
 * What raw_passes() in lib/mime/gwalk.c looks at, on the encoded bytes: no
 * NUL, no CR but before LF, no 8-bit byte unless 8bit, no line over 999
 * bytes. Line by line; once it fails, the rest is not looked at.
 */
static void
raw_facts(struct mugai_scan *s, const char *p, gsize len)
{
	gboolean eight = s->sc_leaf.sp_encoding == GMIME_CONTENT_ENCODING_8BIT;
	const unsigned char *q = (const unsigned char *)p, *end = q + len;

	if (len == 0)
		return;
	if (s->sc_raw_cr && *q != '\n') {
		s->sc_raw_check = FALSE;
		return;
	}
	while (q < end) {
		const unsigned char *nl = memchr(q, '\n', (gsize)(end - q));
		const unsigned char *e = nl != NULL ? nl : end;
		gsize seg = (gsize)(e - q);

		/* A CR right before the LF (or the chunk's end) is allowed. */
		s->sc_raw_cr = seg > 0 && e[-1] == '\r';
		if (raw_bad(q, seg - (s->sc_raw_cr ? 1 : 0), eight) ||
		    (s->sc_raw_line += seg) > 999) {
			s->sc_raw_check = FALSE;
			return;
		}
		if (nl == NULL)
			break;
		s->sc_raw_cr = FALSE;
		s->sc_raw_line = 0;
		q = nl + 1;
	}
}

/* Content bytes of the current leaf (nothing in a preamble or epilogue). */
static void
emit(struct mugai_scan *s, const char *p, gsize len)
{
	if (s->sc_state != ST_CONTENT)
		return;
	s->sc_leaf.sp_raw_size += len;
	if (s->sc_raw_check)
		raw_facts(s, p, len);
	while (len > 0 && s->sc_state == ST_CONTENT) {
		gsize n = MIN(len, STAGE - s->sc_stage_len);

		memcpy(s->sc_stage + s->sc_stage_len, p, n);
		s->sc_stage_len += n;
		p += n;
		len -= n;
		if (s->sc_stage_len == STAGE)
			stage_flush(s, FALSE);
	}
}

static void
emit_pend(struct mugai_scan *s, guint n)
{
	emit(s, "\r\n" + (2 - n), n);
}

static void
leaf_end(struct mugai_scan *s)
{
	if (!stage_flush(s, TRUE))
		return;
	s->sc_leaf.sp_raw_clean = s->sc_raw_check && !s->sc_raw_cr;
	if (!s->sc_ops->so_end(s->sc_ctx, &s->sc_leaf))
		mugai_scan_decline(s, "declined by the walk");
	part_clear(&s->sc_leaf);
}

/* Ends the innermost level, a multipart or a forwarded message. */
static void
level_end(struct mugai_scan *s)
{
	struct level *lv = &s->sc_stack[--s->sc_nstack];

	if (!lv->lv_forward)
		s->sc_nbound--;
	if (!s->sc_ops->so_end(s->sc_ctx, &lv->lv_part))
		mugai_scan_decline(s, "declined by the walk");
	g_free(lv->lv_bound);
	part_clear(&lv->lv_part);
}

/* Forwarded messages end where the multipart around them goes on. */
static void
forwards_end(struct mugai_scan *s, guint keep)
{
	while (s->sc_nstack > keep && s->sc_state != ST_DECLINED &&
	    s->sc_stack[s->sc_nstack - 1].lv_forward)
		level_end(s);
}

/* The index of the innermost multipart (sc_nbound > 0). */
static guint
bound_top(const struct mugai_scan *s)
{
	guint i = s->sc_nstack;

	while (i-- > 0)
		if (!s->sc_stack[i].lv_forward)
			break;
	return i;
}

static void
next_child(struct mugai_scan *s)
{
	struct level *lv = &s->sc_stack[s->sc_nstack - 1];

	g_free(s->sc_path);
	s->sc_path = g_strdup_printf("%s.%u", lv->lv_part.sp_path,
	    ++lv->lv_children);
	s->sc_depth = s->sc_nstack + 1;
	s->sc_msg_block = FALSE;
	g_string_truncate(s->sc_hdr, 0);
	s->sc_state = ST_HEADERS;
}

static gboolean
is_bound(const char *text, gsize len, const char *b, gsize blen)
{
	if (len < blen || memcmp(text, b, blen) != 0)
		return FALSE;
	for (gsize i = blen; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t')
			return FALSE;
	return TRUE;
}

/* A boundary of level *lv (closing in *final), or FALSE. */
static gboolean
find_bound(struct mugai_scan *s, const char *text, gsize len, guint *lv,
    gboolean *final)
{
	for (guint i = s->sc_nstack; i-- > 0;) {
		struct level *l = &s->sc_stack[i];

		*lv = i;
		if (l->lv_forward)
			continue;
		if (len >= l->lv_len + 2 &&
		    memcmp(text, l->lv_bound, l->lv_len) == 0 &&
		    text[l->lv_len] == '-' &&
		    text[l->lv_len + 1] == '-' && is_bound(text + l->lv_len + 2,
		    len - l->lv_len - 2, "", 0)) {
			*final = TRUE;
			return TRUE;
		}
		if (is_bound(text, len, l->lv_bound, l->lv_len)) {
			*final = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * A boundary line ended: the part or preamble before it ends.
 */
static void
boundary(struct mugai_scan *s, guint lv, gboolean final)
{
	guint top = bound_top(s);

	if (lv != top) {
		mugai_scan_decline(s, "boundary of an outer multipart inside "
		    "a part");
		return;
	}
	switch (s->sc_state) {
	case ST_CONTENT:
		/* The line break before the boundary (held in sc_pend) is the
		 * boundary's (RFC 2046), whatever ends the boundary line: a
		 * CRLF part before a closing boundary without a line end keeps
		 * no CR (gwalk.c's content_end_fix() reads GMime so too). */
		leaf_end(s);
		break;
	case ST_PREAMBLE:
		if (final) {
			mugai_scan_decline(s, "multipart without parts");
			return;
		}
		break;
	default:
		break;
	}
	if (s->sc_state == ST_DECLINED)
		return;
	s->sc_pend = 0;
	forwards_end(s, top + 1);
	if (s->sc_state == ST_DECLINED)
		return;
	if (final) {
		level_end(s);
		if (s->sc_state != ST_DECLINED)
			s->sc_state = ST_EPILOGUE;
	} else
		next_child(s);
}

/* The held '-' line is complete (or the input ended: no '\n'). */
static void
cand_done(struct mugai_scan *s)
{
	const char *l = s->sc_line->str;
	gsize len = s->sc_line->len;
	guint term = 0, lv;
	gboolean final;

	if (len > 0 && l[len - 1] == '\n') {
		term = len >= 2 && l[len - 2] == '\r' ? 2 : 1;
		len -= term;
	}
	s->sc_cand = FALSE;
	s->sc_line_start = TRUE;
	if (!no_cr(s, l, len) || !eol_check(s, term))
		return;
	if (find_bound(s, l, len, &lv, &final)) {
		boundary(s, lv, final);
		g_string_truncate(s->sc_line, 0);
		return;
	}
	emit_pend(s, s->sc_pend);
	emit(s, l, len);
	s->sc_pend = term;
	g_string_truncate(s->sc_line, 0);
}

/* Could the held line (no '\n' yet) still become a boundary line? */
static gboolean
cand_open(struct mugai_scan *s)
{
	const char *l = s->sc_line->str;
	gsize len = s->sc_line->len;

	if (len > 0 && l[len - 1] == '\r')
		len--;
	for (guint i = 0; i < s->sc_nstack; i++) {
		const struct level *lv = &s->sc_stack[i];

		if (lv->lv_forward)
			continue;
		if (len <= lv->lv_len + 2 || is_bound(l, len, lv->lv_bound,
		    lv->lv_len))
			return TRUE;
		if (len > lv->lv_len + 2 && memcmp(l, lv->lv_bound,
		    lv->lv_len) == 0 && l[lv->lv_len] == '-' &&
		    l[lv->lv_len + 1] == '-' && is_bound(l + lv->lv_len + 2,
		    len - lv->lv_len - 2, "", 0))
			return TRUE;
	}
	return FALSE;
}

/* The held line is content after all: pass it and read on to its end. */
static void
cand_flush(struct mugai_scan *s)
{
	gsize len = s->sc_line->len;

	if (len > 0 && s->sc_line->str[len - 1] == '\r') {
		s->sc_held_cr = TRUE;
		len--;
	}
	if (!no_cr(s, s->sc_line->str, len))
		return;
	emit_pend(s, s->sc_pend);
	s->sc_pend = 0;
	emit(s, s->sc_line->str, len);
	g_string_truncate(s->sc_line, 0);
	s->sc_cand = FALSE;
	s->sc_line_start = FALSE;
}

static const char *
feed_body(struct mugai_scan *s, const char *p, const char *end)
{
	while (p < end && s->sc_state != ST_DECLINED &&
	    s->sc_state != ST_HEADERS) {
		const char *nl;
		gsize body;
		guint term;

		if (s->sc_cand) {
			nl = memchr(p, '\n', (gsize)(end - p));
			g_string_append_len(s->sc_line, p, (nl != NULL ?
			    nl + 1 : end) - p);
			p = nl != NULL ? nl + 1 : end;
			if (nl != NULL)
				cand_done(s);
			else if (s->sc_line->len > CAND_CAP && !cand_open(s))
				cand_flush(s);
			else if (s->sc_line->len > CAND_MAX)
				mugai_scan_decline(s, "boundary line too long");
			continue;
		}
		if (s->sc_held_cr) {
			s->sc_held_cr = FALSE;
			if (*p != '\n') {
				mugai_scan_decline(s, "bare CR");
				break;
			}
			if (!eol_check(s, 2))
				break;
			s->sc_pend = 2;
			s->sc_line_start = TRUE;
			p++;
			continue;
		}
		if (s->sc_line_start) {
			s->sc_line_start = FALSE;
			if (s->sc_nbound > 0 && *p == '-') {
				s->sc_cand = TRUE;
				continue;
			}
			emit_pend(s, s->sc_pend);
			s->sc_pend = 0;
		}
		nl = memchr(p, '\n', (gsize)(end - p));
		if (nl == NULL) {
			body = (gsize)(end - p);
			if (end[-1] == '\r') {
				s->sc_held_cr = TRUE;
				body--;
			}
			if (no_cr(s, p, body))
				emit(s, p, body);
			p = end;
			continue;
		}
		body = (gsize)(nl - p);
		term = 1;
		if (body > 0 && nl[-1] == '\r') {
			body--;
			term = 2;
		}
		if (!no_cr(s, p, body) || !eol_check(s, term))
			break;
		emit(s, p, body);
		s->sc_pend = term;
		s->sc_line_start = TRUE;
		p = nl + 1;
	}
	return p;
}

/* ---- header blocks ---- */

static gboolean
token_char(char c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* "token/token" then the end, blanks or ';'; no comments anywhere. */
static gboolean
clean_type(const char *v)
{
	const char *p = v;
	gsize n = 0;

	if (strchr(v, '(') != NULL)
		return FALSE;
	while (g_ascii_isspace(*p))
		p++;
	for (n = 0; token_char(*p); p++, n++)
		;
	if (n == 0 || *p++ != '/')
		return FALSE;
	for (n = 0; token_char(*p); p++, n++)
		;
	return n > 0 && (*p == '\0' || *p == ';' || g_ascii_isspace(*p));
}

/* RFC 2046 bchars, 1 to 70 of them, not ending with a space. */
static gboolean
clean_boundary(const char *b)
{
	gsize n = strlen(b);

	if (n == 0 || n > 70 || b[n - 1] == ' ' || strstr(b, "=?") != NULL)
		return FALSE;
	for (const char *p = b; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("'()+_,-./:=? ", *p) == NULL)
			return FALSE;
	return TRUE;
}

/* Raw values (after the colon, folding and last line break kept). */
struct fields {
	char *f_type, *f_cte, *f_disp, *f_id;
};

static void
fields_clear(struct fields *f)
{
	g_free(f->f_type);
	g_free(f->f_cte);
	g_free(f->f_disp);
	g_free(f->f_id);
}

/*
 * The top header block's warnings, collected by message_headers_clean(),
 * go to so_warn: GMime gives them first, as it reads that block. FALSE
 * when there were some and nobody to take them.
 */
static gboolean
top_warnings(struct mugai_scan *s)
{
	GArray *a = s->sc_collect;
	gboolean ok = a->len == 0 || s->sc_ops->so_warn != NULL;

	for (guint i = 0; i < a->len; i++) {
		struct warning *wn = &g_array_index(a, struct warning, i);

		if (ok)
			s->sc_ops->so_warn(s->sc_ctx, wn->wn_code,
			    wn->wn_item);
		g_free(wn->wn_item);
	}
	g_array_unref(a);
	s->sc_collect = NULL;
	return ok;
}

/*
 * The message headers other than Content-*, as GMime reads them into the
 * message: any parser warning there and the GMime engine decides (but for
 * the top block, whose warnings top_warnings() passes on). Sets *msg
 * (transfer full) to that message when msg is not NULL.
 */
static gboolean
message_headers_clean(struct mugai_scan *s, GMimeObject **msg)
{
	GString *h = g_string_sized_new(s->sc_hdr->len + 2);
	const char *p = s->sc_hdr->str, *end = p + s->sc_hdr->len;
	gboolean keep = FALSE;
	GMimeStream *ms;
	GMimeParser *pr;
	GMimeMessage *m;

	/* The top block, when GMime surely has nothing to say about it. */
	if (msg == NULL && s->sc_depth == 1 &&
	    mugai_msghdr_quiet(s->sc_hdr->str, s->sc_hdr->len)) {
		g_string_free(h, TRUE);
		return !s->sc_warned;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		const char *next = nl != NULL ? nl + 1 : end;

		if (*p != ' ' && *p != '\t')
			keep = g_ascii_strncasecmp(p, "Content-", 8) != 0;
		if (keep)
			g_string_append_len(h, p, next - p);
		p = next;
	}
	g_string_append(h, s->sc_eol == 2 ? "\r\n" : "\n");
	ms = g_mime_stream_mem_new_with_buffer(h->str, h->len);
	pr = g_mime_parser_new_with_stream(ms);
	g_mime_parser_set_format(pr, GMIME_FORMAT_MESSAGE);
	if (s->sc_depth == 1)
		s->sc_collect = g_array_new(FALSE, FALSE,
		    sizeof(struct warning));
	m = g_mime_parser_construct_message(pr, s->sc_opts);
	if (s->sc_collect != NULL && !top_warnings(s))
		s->sc_warned = TRUE;
	if (m == NULL)
		s->sc_warned = TRUE;
	if (msg != NULL && m != NULL)
		*msg = GMIME_OBJECT(g_steal_pointer(&m));
	g_clear_object(&m);
	g_object_unref(pr);
	g_object_unref(ms);
	g_string_free(h, TRUE);
	return !s->sc_warned;
}

/* Copies the raw values of the Content-* fields; FALSE declined. */
static gboolean
split_fields(struct mugai_scan *s, struct fields *f)
{
	static const char *const names[] = { "content-type",
	    "content-transfer-encoding", "content-disposition",
	    "content-id" };
	char **slots[] = { &f->f_type, &f->f_cte, &f->f_disp, &f->f_id };
	const char *p = s->sc_hdr->str, *end = p + s->sc_hdr->len;

	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);

	memset(f, 0, sizeof *f);
	while (p < end) {
		const char *v = NULL, *q = p;
		const char *colon = memchr(p, ':', (gsize)(end - p));
		char *key = g_ascii_strdown(p, colon - p);
		gsize i, n = 0;

		/*
		 * GMime calls a field twice in a part's header block a
		 * conflict (GMIME_CRIT_CONFLICTING_HEADER); the message's own
		 * part keeps only the Content-* fields.
		 */
		if ((!s->sc_msg_block || g_str_has_prefix(key, "content-")) &&
		    g_hash_table_contains(seen, key)) {
			mugai_scan_decline(s, "field twice in a header block");
			g_free(key);
			return FALSE;
		}
		g_hash_table_add(seen, key);
		for (i = 0; i < G_N_ELEMENTS(names); i++) {
			n = strlen(names[i]);
			if (g_ascii_strncasecmp(p, names[i], n) == 0 &&
			    p[n] == ':')
				break;
		}
		/* The field runs to the first line not folded. */
		do {
			q = (const char *)memchr(q, '\n', (gsize)(end - q)) + 1;
		} while (q < end && (*q == ' ' || *q == '\t'));
		if (i < G_N_ELEMENTS(names)) {
			if (*slots[i] != NULL) {
				mugai_scan_decline(s, "%s twice", names[i]);
				return FALSE;
			}
			v = p + n + 1;
			*slots[i] = g_strndup(v, (gsize)(q - v));
		}
		p = q;
	}
	return TRUE;
}

/*
 * Returns (transfer full) the value GMime gives a part's header with this
 * raw value: unfolded and RFC 2047 decoded (GMime parses Content-Type and
 * Content-Disposition from that, not from the raw text).
 */
static char *
header_value(struct mugai_scan *s, const char *name, const char *raw)
{
	GMimeHeaderList *l = g_mime_header_list_new(s->sc_opts);
	GMimeHeader *h;
	gboolean warned = s->sc_warned;
	char *v;

	/* The placeholder is not from the mail: its warnings do not count. */
	g_mime_header_list_append(l, name, "x", NULL);
	s->sc_warned = warned;
	h = g_mime_header_list_get_header(l, name);
	g_mime_header_set_raw_value(h, raw);
	v = g_strdup(g_mime_header_get_value(h));
	g_object_unref(l);
	return v;
}

static gboolean
setup_multipart(struct mugai_scan *s, struct mugai_scan_part *part)
{
	const char *sub = g_mime_content_type_get_media_subtype(part->sp_type);
	const char *b = g_mime_content_type_get_parameter(part->sp_type,
	    "boundary");
	struct level *lv;
	g_autofree char *bound = NULL;

	/*
	 * report, signed and parallel are walked as mixed (the walk picks
	 * out their parts), encrypted is withheld: GMime reads them all as
	 * any multipart.
	 */
	if (g_ascii_strcasecmp(sub, "mixed") != 0 &&
	    g_ascii_strcasecmp(sub, "alternative") != 0 &&
	    g_ascii_strcasecmp(sub, "related") != 0 &&
	    g_ascii_strcasecmp(sub, "report") != 0 &&
	    g_ascii_strcasecmp(sub, "signed") != 0 &&
	    g_ascii_strcasecmp(sub, "encrypted") != 0 &&
	    g_ascii_strcasecmp(sub, "parallel") != 0) {
		mugai_scan_decline(s, "multipart/%s", sub);
		return FALSE;
	}
	if (b == NULL || !clean_boundary(b)) {
		mugai_scan_decline(s, "multipart without a plain boundary");
		return FALSE;
	}
	if (s->sc_nstack == MAX_NEST) {
		mugai_scan_decline(s, "multipart nesting deeper than %d",
		    MAX_NEST);
		return FALSE;
	}
	/*
	 * One boundary may be a prefix of another: GMime's check_boundary()
	 * tries the innermost first, its closing form before the plain one,
	 * each followed by blanks only, as find_bound() does.
	 */
	bound = g_strconcat("--", b, NULL);
	lv = &s->sc_stack[s->sc_nstack++];
	s->sc_nbound++;
	lv->lv_len = strlen(bound);
	lv->lv_bound = g_steal_pointer(&bound);
	lv->lv_forward = FALSE;
	lv->lv_children = 0;
	lv->lv_part = *part;
	memset(part, 0, sizeof *part);
	if (!s->sc_ops->so_begin(s->sc_ctx, &lv->lv_part)) {
		mugai_scan_decline(s, "declined by the walk");
		return FALSE;
	}
	/* A callback may decline and still return TRUE. */
	if (s->sc_state == ST_DECLINED)
		return FALSE;
	s->sc_state = ST_PREAMBLE;
	return TRUE;
}

/*
 * message/rfc822: the level opens now, the part begins once the header
 * block of the message it carries is read (headers_done).
 */
static gboolean
setup_forward(struct mugai_scan *s, struct mugai_scan_part *part)
{
	struct level *lv;

	if (s->sc_nstack == MAX_NEST) {
		mugai_scan_decline(s, "multipart nesting deeper than %d",
		    MAX_NEST);
		return FALSE;
	}
	lv = &s->sc_stack[s->sc_nstack++];
	lv->lv_bound = NULL;
	lv->lv_len = 0;
	lv->lv_forward = TRUE;
	lv->lv_children = 1;
	lv->lv_part = *part;
	memset(part, 0, sizeof *part);
	g_free(s->sc_path);
	s->sc_path = g_strdup_printf("%s.1", lv->lv_part.sp_path);
	s->sc_depth = s->sc_nstack + 1;
	s->sc_msg_block = TRUE;
	g_string_truncate(s->sc_hdr, 0);
	s->sc_state = ST_HEADERS;
	return TRUE;
}

/* The message a forward carries has its headers: the forward begins. */
static gboolean
forward_begin(struct mugai_scan *s, GMimeObject *msg)
{
	struct level *lv = &s->sc_stack[s->sc_nstack - 1];

	lv->lv_part.sp_message = msg;
	if (!s->sc_ops->so_begin(s->sc_ctx, &lv->lv_part)) {
		mugai_scan_decline(s, "declined by the walk");
		return FALSE;
	}
	return TRUE;
}

/*
 * Returns (transfer full) the Content-ID GMime gives a part whose field
 * has this raw value (a part of just that field, read by GMime), or NULL.
 */
static char *
content_id(struct mugai_scan *s, const char *raw)
{
	const char *eol = s->sc_eol == 2 ? "\r\n" : "\n";
	g_autofree char *h = g_strconcat("Content-ID:", raw, eol, "x", eol,
	    NULL);
	GMimeStream *ms = g_mime_stream_mem_new_with_buffer(h, strlen(h));
	GMimeParser *pr = g_mime_parser_new_with_stream(ms);
	GMimeObject *o = g_mime_parser_construct_part(pr, s->sc_opts);
	char *cid = NULL;

	if (o == NULL)
		s->sc_warned = TRUE;
	else if (g_mime_object_get_content_id(o) != NULL)
		cid = g_strdup(g_mime_object_get_content_id(o));
	g_clear_object(&o);
	g_object_unref(pr);
	g_object_unref(ms);
	return cid;
}

/* GMime reads these, not encoded, as a message (GMimeMessagePart). */
static gboolean
is_forward(const struct mugai_scan_part *part)
{
	static const char *const subs[] = { "rfc822", "rfc2822", "news",
	    "global" };
	const char *sub = g_mime_content_type_get_media_subtype(part->sp_type);

	if (part->sp_encoding == GMIME_CONTENT_ENCODING_BASE64 ||
	    part->sp_encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(subs); i++)
		if (g_ascii_strcasecmp(sub, subs[i]) == 0)
			return TRUE;
	return FALSE;
}

/* GMime decides a forward from the raw field: only plain labels here. */
static gboolean
plain_cte(const char *label)
{
	static const char *const known[] = { "7bit", "8bit", "binary",
	    "base64", "quoted-printable" };

	if (label == NULL)
		return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
		if (g_ascii_strcasecmp(label, known[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
setup_leaf(struct mugai_scan *s, struct mugai_scan_part *part)
{
	GMimeContentEncoding enc = part->sp_encoding;

	s->sc_leaf = *part;
	memset(part, 0, sizeof *part);
	s->sc_decode = enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	if (s->sc_decode)
		g_mime_encoding_init_decode(&s->sc_enc, enc);
	s->sc_b64 = enc == GMIME_CONTENT_ENCODING_BASE64;
	mugai_b64_init(&s->sc_b64_state);
	s->sc_stage_len = 0;
	s->sc_raw_check = s->sc_leaf.sp_depth == 1 &&
	    (s->sc_leaf.sp_cte == NULL ||
	    g_ascii_strcasecmp(s->sc_leaf.sp_cte, "7bit") == 0 ||
	    g_ascii_strcasecmp(s->sc_leaf.sp_cte, "8bit") == 0);
	s->sc_raw_cr = FALSE;
	s->sc_raw_line = 0;
	if (!s->sc_ops->so_begin(s->sc_ctx, &s->sc_leaf)) {
		mugai_scan_decline(s, "declined by the walk");
		return FALSE;
	}
	/* A callback may decline and still return TRUE. */
	if (s->sc_state == ST_DECLINED)
		return FALSE;
	s->sc_state = ST_CONTENT;
	return TRUE;
}

/*
 * The encoding is what GMime's part takes from the field's value; a label
 * GMime does not know reads as the default (content as it is). GMime
 * decodes uuencode, which is not modelled here.
 */
static gboolean
parse_cte(struct mugai_scan *s, const char *v, struct mugai_scan_part *part)
{
	g_autofree char *label = NULL;

	part->sp_encoding = GMIME_CONTENT_ENCODING_DEFAULT;
	if (v == NULL)
		return TRUE;
	part->sp_encoding = g_mime_content_encoding_from_string(v);
	label = g_strstrip(g_strdup(v));
	if (part->sp_encoding == GMIME_CONTENT_ENCODING_UUENCODE) {
		mugai_scan_decline(s, "transfer encoding not modelled");
		return FALSE;
	}
	part->sp_cte = g_steal_pointer(&label);
	return TRUE;
}

/* The blank line after a header block: the part begins. */
static void
headers_done(struct mugai_scan *s)
{
	struct mugai_scan_part part = { 0 };
	struct fields f = { 0 };
	GMimeObject *msg = NULL;
	struct level *up = s->sc_nstack > 0 ?
	    &s->sc_stack[s->sc_nstack - 1] : NULL;
	g_autofree char *type = NULL;
	g_autofree char *disp = NULL;
	g_autofree char *cte = NULL;
	const char *media;

	if (s->sc_msg_block && s->sc_depth > 1 && s->sc_hdr->len == 0) {
		mugai_scan_decline(s, "forwarded message without headers");
		return;
	}
	if (s->sc_msg_block && !message_headers_clean(s, s->sc_depth > 1 ?
	    &msg : NULL)) {
		mugai_scan_decline(s, "GMime warns about the message headers");
		g_clear_object(&msg);
		return;
	}
	/* A forward begins before the part of the message it carries. */
	if (msg != NULL && !forward_begin(s, msg))
		return;
	if (!split_fields(s, &f))
		goto out;
	part.sp_path = g_strdup(s->sc_path);
	part.sp_depth = s->sc_depth;
	if (f.f_type != NULL && (!clean_type(f.f_type) ||
	    !clean_type(type = header_value(s, "Content-Type", f.f_type)))) {
		mugai_scan_decline(s, "Content-Type not modelled");
		goto out;
	}
	part.sp_type = type != NULL ?
	    g_mime_content_type_parse(s->sc_opts, type) :
	    g_mime_content_type_new("text", "plain");
	if (f.f_disp != NULL) {
		disp = header_value(s, "Content-Disposition", f.f_disp);
		if (strchr(f.f_disp, '(') != NULL ||
		    strchr(disp, '(') != NULL) {
			mugai_scan_decline(s, "comment in Content-Disposition");
			goto out;
		}
		part.sp_disposition = g_mime_content_disposition_parse(
		    s->sc_opts, disp);
	}
	/* Only a multipart/related asks which part is its root. */
	if (f.f_id != NULL && up != NULL && !up->lv_forward &&
	    g_ascii_strcasecmp(g_mime_content_type_get_media_subtype(
	    up->lv_part.sp_type), "related") == 0)
		part.sp_content_id = content_id(s, f.f_id);
	if (s->sc_warned) {
		mugai_scan_decline(s, "GMime warns about the part headers");
		goto out;
	}
	media = g_mime_content_type_get_media_type(part.sp_type);
	part.sp_multipart = g_ascii_strcasecmp(media, "multipart") == 0;
	if (f.f_cte != NULL)
		cte = header_value(s, "Content-Transfer-Encoding", f.f_cte);
	if (s->sc_warned) {
		mugai_scan_decline(s, "GMime warns about the part headers");
		goto out;
	}
	if (!parse_cte(s, cte, &part))
		goto out;
	if (g_ascii_strcasecmp(media, "message") == 0) {
		if (!plain_cte(part.sp_cte)) {
			mugai_scan_decline(s, "transfer encoding not modelled");
			goto out;
		}
		part.sp_forward = is_forward(&part);
	}
	s->sc_line_start = TRUE;
	s->sc_pend = 0;
	if (part.sp_multipart)
		setup_multipart(s, &part);
	else if (part.sp_forward)
		setup_forward(s, &part);
	else
		setup_leaf(s, &part);
out:
	fields_clear(&f);
	part_clear(&part);
}

/* One header line (with its line break) in sc_line. */
static void
header_line(struct mugai_scan *s)
{
	const char *l = s->sc_line->str;
	gsize len = s->sc_line->len;
	guint term = len >= 2 && l[len - 2] == '\r' ? 2 : 1;
	gsize body = len - term;
	gboolean eight = FALSE;
	gsize i;

	/* GMime is not given an mbox "From " line (skip_envelope()). */
	if (s->sc_first_line) {
		s->sc_first_line = FALSE;
		if (len <= 1024 && len >= 5 && memcmp(l, "From ", 5) == 0) {
			g_string_truncate(s->sc_line, 0);
			return;
		}
	}
	if (!no_cr(s, l, body) || !eol_check(s, term))
		return;
	if (body == 0) {
		g_string_truncate(s->sc_line, 0);
		headers_done(s);
		return;
	}
	for (i = 0; i < body; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			mugai_scan_decline(s, "control byte in headers");
			return;
		}
		eight |= c >= 0x80;
	}
	/*
	 * GMime warns about a field whose raw value is not UTF-8 (its 8-bit
	 * name is declined below); a line break cannot end a UTF-8 sequence,
	 * so a field is UTF-8 when each of its lines is.
	 */
	if (eight && !g_utf8_validate(l, (gssize)body, NULL)) {
		mugai_scan_decline(s, "8-bit header not in UTF-8");
		return;
	}
	if (l[0] == ' ' || l[0] == '\t') {
		if (s->sc_hdr->len == 0) {
			mugai_scan_decline(s, "header block starts folded");
			return;
		}
	} else {
		if (body >= 2 && l[0] == '-' && l[1] == '-') {
			mugai_scan_decline(s, "\"--\" line in a header block");
			return;
		}
		for (i = 0; i < body && token_char(l[i]) ; i++)
			;
		/* token_char excludes some name characters: be strict. */
		if (i == 0 || i >= body || l[i] != ':') {
			mugai_scan_decline(s, "header line not modelled");
			return;
		}
		/* GMime's parser gives up on a name of some 4 KB: its call. */
		if (i > MUGAI_HEADER_NAME_MAX) {
			mugai_scan_decline(s, "header name too long");
			return;
		}
	}
	/*
	 * GMime's address parser reads an attached message's fields as it
	 * is fed, here: its stack and time first (addrfield.h). The raw
	 * scan counts the same, and makes the message a limit.
	 */
	if (l[0] != ' ' && l[0] != '\t') {
		s->sc_addr = mugai_addr_field(l, MIN(len, MUGAI_ADDR_LEAD));
		s->sc_addr_seps = 0;
	}
	if (s->sc_addr) {
		mugai_addr_count(l, len, &s->sc_addr_seps, &s->sc_addr_cost);
		if (s->sc_addr_seps > MUGAI_ADDR_SEPS_MAX ||
		    s->sc_addr_cost > MUGAI_ADDR_COST_MAX) {
			mugai_scan_decline(s, "address fields too costly "
			    "for GMime");
			return;
		}
	}
	g_string_append_len(s->sc_hdr, l, len);
	g_string_truncate(s->sc_line, 0);
}

static const char *
feed_header(struct mugai_scan *s, const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (gsize)(end - p));
	const char *stop = nl != NULL ? nl + 1 : end;

	/* GMime's address parser may read it: its stack (limits.h). */
	if (s->sc_hdr->len + s->sc_line->len + (gsize)(stop - p) >
	    MIN((gsize)s->sc_cf->cf_max_header_size, MUGAI_FIELD_MAX)) {
		mugai_scan_decline(s, "header block too large");
		return end;
	}
	g_string_append_len(s->sc_line, p, stop - p);
	if (nl != NULL)
		header_line(s);
	return stop;
}

gboolean
mugai_scan_feed(struct mugai_scan *s, const char *buf, gsize len)
{
	const char *p = buf, *end = buf + len;

	while (p < end && s->sc_state != ST_DECLINED) {
		if (s->sc_state == ST_HEADERS)
			p = feed_header(s, p, end);
		else
			p = feed_body(s, p, end);
	}
	return s->sc_state != ST_DECLINED;
}

gboolean
mugai_scan_finish(struct mugai_scan *s)
{
	if (s->sc_state == ST_DECLINED)
		return FALSE;
	if (s->sc_cand)
		cand_done(s);
	if (s->sc_held_cr)
		mugai_scan_decline(s, "bare CR");
	switch (s->sc_state) {
	case ST_HEADERS:
		mugai_scan_decline(s, "input ends in a header block");
		break;
	case ST_PREAMBLE:
	case ST_CONTENT:
	case ST_EPILOGUE:
		/*
		 * GMime keeps the content up to the end, line break and all,
		 * ends every open multipart, and warns (truncated message).
		 */
		if (s->sc_state == ST_CONTENT) {
			emit_pend(s, s->sc_pend);
			s->sc_pend = 0;
			leaf_end(s);
		}
		s->sc_truncated = s->sc_nbound > 0;
		while (s->sc_nstack > 0 && s->sc_state != ST_DECLINED)
			level_end(s);
		break;
	case ST_DECLINED:
		break;
	}
	return s->sc_state != ST_DECLINED;
}
