/*
 * mugai_extract_proto - format and parse the request and answer lines
 *
 * The parser is the chainable kind (lib/store/release.c): each take_*()
 * advances *p only on success, and a line is valid only when every byte
 * of it was taken. The helper uses the request half, the client the
 * answer half; both sides link this one file, so they cannot drift apart.
 */
#include "autoconfig.h"

#include <string.h>

#include "extract/proto.h"

static const char *const status_names[MUGAI_EXTRACT_NSTATUS] = {
	"ok", "truncated", "encrypted", "damaged", "unsupported", "failed",
	"timeout",
};

const char *
mugai_extract_status_name(enum mugai_extract_status st)
{
	if ((guint)st >= MUGAI_EXTRACT_NSTATUS)
		return "failed";
	return status_names[st];
}

static gboolean
is_token_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '+' ||
	    c == '-';
}

gboolean
mugai_extract_token_valid(const char *s)
{
	gsize n;

	if (s == NULL)
		return FALSE;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= MUGAI_EXTRACT_TOKEN_MAX || !is_token_char(s[n]))
			return FALSE;
	return n > 0;
}

void
mugai_extract_token_copy(char *out, const char *s)
{
	gsize n = 0;

	if (s != NULL)
		for (; n < MUGAI_EXTRACT_TOKEN_MAX && s[n] != '\0'; n++)
			out[n] = is_token_char(s[n]) ? s[n] : '_';
	if (n == 0)
		out[n++] = '-';
	out[n] = '\0';
}

static const char *
token_or_dash(const char *s)
{
	return mugai_extract_token_valid(s) ? s : "-";
}

char *
mugai_extract_request_format(const struct mugai_extract_request *rq)
{
	return g_strdup_printf(MUGAI_EXTRACT_MAGIC " type=%s size=%"
	    G_GUINT64_FORMAT " cut=%d\n", token_or_dash(rq->eq_type),
	    rq->eq_size, rq->eq_cut ? 1 : 0);
}

char *
mugai_extract_answer_format(const struct mugai_extract_answer *a)
{
	return g_strdup_printf(MUGAI_EXTRACT_MAGIC " status=%s kind=%s pages=%"
	    G_GUINT64_FORMAT " reason=%s length=%" G_GUINT64_FORMAT "\n",
	    mugai_extract_status_name(a->ea_status), token_or_dash(a->ea_kind),
	    a->ea_pages, token_or_dash(a->ea_reason), a->ea_length);
}

/* The cursor of a parse: the line is [p, end). */
struct cur {
	const char *p;
	const char *end;
};

static gboolean
take_lit(struct cur *c, const char *lit)
{
	gsize n = strlen(lit);

	if ((gsize)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return FALSE;
	c->p += n;
	return TRUE;
}

/* A token into out (MUGAI_EXTRACT_TOKEN_MAX + 1 bytes). */
static gboolean
take_token(struct cur *c, char *out)
{
	gsize n = 0;

	while (c->p + n < c->end && is_token_char(c->p[n])) {
		if (n >= MUGAI_EXTRACT_TOKEN_MAX)
			return FALSE;
		out[n] = c->p[n];
		n++;
	}
	if (n == 0)
		return FALSE;
	out[n] = '\0';
	c->p += n;
	return TRUE;
}

/* A decimal number: no sign, no leading zero, at most 64 bits. */
static gboolean
take_num(struct cur *c, guint64 *v)
{
	guint64 acc = 0;
	gsize n = 0;

	while (c->p + n < c->end && g_ascii_isdigit(c->p[n])) {
		guint d = (guint)(c->p[n] - '0');

		if (n == 1 && acc == 0)
			return FALSE;		/* leading zero */
		if (acc > (G_MAXUINT64 - d) / 10)
			return FALSE;
		acc = acc * 10 + d;
		n++;
	}
	if (n == 0)
		return FALSE;
	*v = acc;
	c->p += n;
	return TRUE;
}

static gboolean
take_status(struct cur *c, enum mugai_extract_status *st)
{
	char tok[MUGAI_EXTRACT_TOKEN_MAX + 1];

	if (!take_token(c, tok))
		return FALSE;
	for (guint i = 0; i < MUGAI_EXTRACT_NSTATUS; i++)
		if (strcmp(tok, status_names[i]) == 0) {
			*st = (enum mugai_extract_status)i;
			return TRUE;
		}
	return FALSE;
}

/* Sets up c over one line: len within bounds, "\n" last and only. */
static gboolean
line_start(struct cur *c, const char *buf, gsize len)
{
	if (len < 2 || len > MUGAI_EXTRACT_LINE_MAX || buf[len - 1] != '\n' ||
	    memchr(buf, '\n', len - 1) != NULL)
		return FALSE;
	c->p = buf;
	c->end = buf + len;
	return take_lit(c, MUGAI_EXTRACT_MAGIC " ");
}

gboolean
mugai_extract_request_parse(const char *buf, gsize len,
    struct mugai_extract_request *out)
{
	struct cur c;
	guint64 cut = 0;

	if (!line_start(&c, buf, len) ||
	    !take_lit(&c, "type=") || !take_token(&c, out->eq_type) ||
	    !take_lit(&c, " size=") || !take_num(&c, &out->eq_size) ||
	    !take_lit(&c, " cut=") || !take_num(&c, &cut) || cut > 1 ||
	    !take_lit(&c, "\n") || c.p != c.end)
		return FALSE;
	out->eq_cut = cut == 1;
	return TRUE;
}

gboolean
mugai_extract_answer_parse(const char *buf, gsize len,
    struct mugai_extract_answer *out)
{
	struct cur c;

	return line_start(&c, buf, len) &&
	    take_lit(&c, "status=") && take_status(&c, &out->ea_status) &&
	    take_lit(&c, " kind=") && take_token(&c, out->ea_kind) &&
	    take_lit(&c, " pages=") && take_num(&c, &out->ea_pages) &&
	    take_lit(&c, " reason=") && take_token(&c, out->ea_reason) &&
	    take_lit(&c, " length=") && take_num(&c, &out->ea_length) &&
	    take_lit(&c, "\n") && c.p == c.end;
}
