/*
 * mugai_oneline - one line from a value of mail (see oneline.h)
 *
 * One pass over the value: ASCII that needs no escape is copied in runs,
 * other well-formed UTF-8 is decoded with GLib and copied or escaped,
 * each byte of an ill-formed sequence is escaped alone. The output is
 * built unit by unit (a character or an escape); the byte length of the
 * output after the last unit that still leaves room for the ellipsis is
 * remembered, so a cut never splits a character or an escape, and the
 * pass stops as soon as the value is known to be too long.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/oneline.h"

gboolean
mugai_oneline_escaped(gunichar c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return TRUE;
	switch (c) {
	case 0x061c:	/* ARABIC LETTER MARK */
	case 0x200e:	/* LEFT-TO-RIGHT MARK */
	case 0x200f:	/* RIGHT-TO-LEFT MARK */
	case 0x2028:	/* LINE SEPARATOR */
	case 0x2029:	/* PARAGRAPH SEPARATOR */
		return TRUE;
	default:
		break;
	}
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

struct ol {
	GString *ol_out;
	gsize ol_max;		/* 0: no cut */
	gsize ol_chars;		/* characters written */
	gsize ol_fit;		/* bytes of ol_out that leave room for "…" */
};

/* Appends one unit of n characters; FALSE once the value is too long. */
static gboolean
ol_unit(struct ol *o, const char *u, gsize bytes, gsize n)
{
	g_string_append_len(o->ol_out, u, (gssize)bytes);
	o->ol_chars += n;
	if (o->ol_max == 0)
		return TRUE;
	if (o->ol_chars <= o->ol_max - 1)
		o->ol_fit = o->ol_out->len;
	return o->ol_chars <= o->ol_max;
}

static gboolean
ol_escape(struct ol *o, gunichar c)
{
	char esc[16];
	int n = c <= 0xff ? g_snprintf(esc, sizeof esc, "\\x%02x", c) :
	    g_snprintf(esc, sizeof esc, "\\u%04x", c);

	return ol_unit(o, esc, (gsize)n, (gsize)n);
}

char *
mugai_oneline(const char *s, gssize len, gsize max)
{
	struct ol o = { NULL, max < 2 && max != 0 ? 2 : max, 0, 0 };
	const char *p, *end;
	gboolean more = TRUE;

	if (s == NULL)
		s = "";
	if (len < 0)
		len = (gssize)strlen(s);
	p = s;
	end = s + len;
	o.ol_out = g_string_sized_new((gsize)len + 1);
	while (more && p < end) {
		guchar b = (guchar)*p;
		const char *q;
		gunichar c;

		if (b >= 0x20 && b < 0x7f) {
			more = ol_unit(&o, p, 1, 1);
			p++;
			continue;
		}
		c = b < 0x80 ? b : g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			more = ol_escape(&o, b);	/* not UTF-8 */
			p++;
			continue;
		}
		q = b < 0x80 ? p + 1 : g_utf8_next_char(p);
		more = mugai_oneline_escaped(c) ? ol_escape(&o, c) :
		    ol_unit(&o, p, (gsize)(q - p), 1);
		p = q;
	}
	if (!more) {
		g_string_truncate(o.ol_out, o.ol_fit);
		g_string_append(o.ol_out, "…");
	}
	return g_string_free(o.ol_out, FALSE);
}
