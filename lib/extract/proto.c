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

/* Sets up c over one line: len within bounds, "\n" last and only, the
 * magic first. */
static gboolean
line_start_magic(struct cur *c, const char *buf, gsize len,
    const char *magic)
{
	if (len < 2 || len > MUGAI_EXTRACT_LINE_MAX || buf[len - 1] != '\n' ||
	    memchr(buf, '\n', len - 1) != NULL)
		return FALSE;
	c->p = buf;
	c->end = buf + len;
	return take_lit(c, magic) && take_lit(c, " ");
}

static gboolean
line_start(struct cur *c, const char *buf, gsize len)
{
	return line_start_magic(c, buf, len, MUGAI_EXTRACT_MAGIC);
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

/* ------------------------------------------------------------- unlock */

static const char *const unlock_names[MUGAI_UNLOCK_NSTATUS] = {
	"ok", "wrong_password", "unsupported", "damaged", "over_limit",
	"failed", "timeout",
};

const char *
mugai_unlock_status_name(enum mugai_unlock_status st)
{
	if ((guint)st >= MUGAI_UNLOCK_NSTATUS)
		return "failed";
	return unlock_names[st];
}

char *
mugai_unlock_request_format(const struct mugai_unlock_request *rq)
{
	return g_strdup_printf(MUGAI_UNLOCK_MAGIC " size=%" G_GUINT64_FORMAT
	    " pass=%" G_GUINT64_FORMAT " entries=%" G_GUINT64_FORMAT
	    " bytes=%" G_GUINT64_FORMAT " ratio=%" G_GUINT64_FORMAT "\n",
	    rq->uq_size, rq->uq_pass, rq->uq_entries, rq->uq_bytes,
	    rq->uq_ratio);
}

char *
mugai_unlock_answer_format(const struct mugai_unlock_answer *a)
{
	return g_strdup_printf(MUGAI_UNLOCK_MAGIC " status=%s reason=%s "
	    "entries=%" G_GUINT64_FORMAT " length=%" G_GUINT64_FORMAT "\n",
	    mugai_unlock_status_name(a->ua_status),
	    token_or_dash(a->ua_reason), a->ua_entries, a->ua_length);
}

char *
mugai_unlock_entry_format(guint64 size, guint64 name_len)
{
	return g_strdup_printf("E size=%" G_GUINT64_FORMAT " name=%"
	    G_GUINT64_FORMAT "\n", size, name_len);
}

gboolean
mugai_unlock_request_parse(const char *buf, gsize len,
    struct mugai_unlock_request *out)
{
	struct cur c;

	return line_start_magic(&c, buf, len, MUGAI_UNLOCK_MAGIC) &&
	    take_lit(&c, "size=") && take_num(&c, &out->uq_size) &&
	    take_lit(&c, " pass=") && take_num(&c, &out->uq_pass) &&
	    out->uq_pass <= MUGAI_UNLOCK_PASS_MAX &&
	    take_lit(&c, " entries=") && take_num(&c, &out->uq_entries) &&
	    take_lit(&c, " bytes=") && take_num(&c, &out->uq_bytes) &&
	    take_lit(&c, " ratio=") && take_num(&c, &out->uq_ratio) &&
	    take_lit(&c, "\n") && c.p == c.end;
}

static gboolean
take_unlock_status(struct cur *c, enum mugai_unlock_status *st)
{
	char tok[MUGAI_EXTRACT_TOKEN_MAX + 1];

	if (!take_token(c, tok))
		return FALSE;
	for (guint i = 0; i < MUGAI_UNLOCK_NSTATUS; i++)
		if (strcmp(tok, unlock_names[i]) == 0) {
			*st = (enum mugai_unlock_status)i;
			return TRUE;
		}
	return FALSE;
}

gboolean
mugai_unlock_answer_parse(const char *buf, gsize len,
    struct mugai_unlock_answer *out)
{
	struct cur c;

	return line_start_magic(&c, buf, len, MUGAI_UNLOCK_MAGIC) &&
	    take_lit(&c, "status=") && take_unlock_status(&c,
	    &out->ua_status) &&
	    take_lit(&c, " reason=") && take_token(&c, out->ua_reason) &&
	    take_lit(&c, " entries=") && take_num(&c, &out->ua_entries) &&
	    take_lit(&c, " length=") && take_num(&c, &out->ua_length) &&
	    take_lit(&c, "\n") && c.p == c.end;
}

gboolean
mugai_unlock_entry_parse(const char *buf, gsize len, guint64 *size,
    guint64 *name_len)
{
	struct cur c;

	if (len < 2 || len > MUGAI_EXTRACT_LINE_MAX || buf[len - 1] != '\n' ||
	    memchr(buf, '\n', len - 1) != NULL)
		return FALSE;
	c.p = buf;
	c.end = buf + len;
	return take_lit(&c, "E size=") && take_num(&c, size) &&
	    take_lit(&c, " name=") && take_num(&c, name_len) &&
	    *name_len > 0 && *name_len <= MUGAI_UNLOCK_NAME_MAX &&
	    take_lit(&c, "\n") && c.p == c.end;
}
