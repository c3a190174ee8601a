/*
 * mugai_flowed - format=flowed text (RFC 3676) rejoined; see flowed.h
 */
#include "autoconfig.h"

#include <string.h>

#include "text/flowed.h"

gboolean
mugai_flowed_is(const char *format)
{
	return format != NULL && g_ascii_strcasecmp(format, "flowed") == 0;
}

gboolean
mugai_flowed_delsp(const char *delsp)
{
	return delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0;
}

/* Drops the spaces a paragraph's last soft break left at its end. */
static void
trim_spaces(GString *out)
{
	while (out->len > 0 && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
}

/* Writes the quote marks of a paragraph at depth. */
static void
put_quote(GString *out, guint depth)
{
	if (depth == 0)
		return;
	for (guint i = 0; i < depth; i++)
		g_string_append_c(out, '>');
	g_string_append_c(out, ' ');
}

guint
mugai_flowed_unflow(GString *t, gboolean delsp)
{
	GString *out = g_string_sized_new(t->len);
	const char *p = t->str, *end = t->str + t->len;
	gboolean open = FALSE;	/* a flowed line waits for its next */
	guint open_depth = 0, joined = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *s = p;
		guint depth = 0;
		gsize n;
		gboolean flowed;

		while (s < le && *s == '>') {
			depth++;
			s++;
		}
		if (s < le && *s == ' ')
			s++;	/* space-stuffing */
		n = (gsize)(le - s);
		flowed = n > 0 && s[n - 1] == ' ' &&
		    !(n == 3 && memcmp(s, "-- ", 3) == 0);
		if (open && depth != open_depth) {
			trim_spaces(out);	/* a depth change ends it */
			g_string_append_c(out, '\n');
		}
		if (!open || depth != open_depth)
			put_quote(out, depth);
		else
			joined++;
		if (flowed && delsp)
			n--;
		g_string_append_len(out, s, (gssize)n);
		if (flowed) {
			open = TRUE;
			open_depth = depth;
		} else {
			if (open && n == 0)
				trim_spaces(out);
			open = FALSE;
			if (nl != NULL)
				g_string_append_c(out, '\n');
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (open) {
		/* a flowed last line: drop the space the sender left */
		trim_spaces(out);
		if (t->len > 0 && t->str[t->len - 1] == '\n')
			g_string_append_c(out, '\n');
	}
	g_string_truncate(t, 0);
	g_string_append_len(t, out->str, (gssize)out->len);
	g_string_free(out, TRUE);
	return joined;
}
