/*
 * mugai addrfield - the header fields GMime parses as address lists
 * (addrfield.h says why they are counted)
 */
#include "autoconfig.h"

#include <string.h>

#include "base/addrfield.h"

/* GMime's address headers (gmime-message.c), without "Resent-". */
static const char *const names[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc",
};

/*
 * TRUE when the line at p (len bytes) begins a field named one of list
 * (prefix: "resent-" may come first), or is cut before it can say.
 */
static gboolean
field_named(const char *p, gsize len, const char *const *list, gsize nn,
    const char *prefix)
{
	gsize n = 0, skip = 0, pl = prefix != NULL ? strlen(prefix) : 0;

	if (pl > 0 && len >= pl && g_ascii_strncasecmp(p, prefix, pl) == 0)
		skip = pl;
	else if (pl > 0 && len < pl && g_ascii_strncasecmp(p, prefix, len) == 0)
		return TRUE;
	p += skip;
	len -= skip;
	/*
	 * Every line of a message comes here (base64, text), twice: a
	 * first letter that begins no name turns most of them away before
	 * the name is measured (16% of the milter's CPU on messages of 1
	 * MB without it, BENCHMARKS.md session 11). A line that begins
	 * with a colon or a blank, or is empty, goes on as before.
	 */
	if (len > 0 && p[0] != ':' && p[0] != ' ' && p[0] != '\t') {
		char c = p[0] >= 'A' && p[0] <= 'Z' ? (char)(p[0] + 32) : p[0];
		gsize i = 0;

		while (i < nn && list[i][0] != c)
			i++;
		if (i == nn)
			return FALSE;
	}
	while (n < len && n <= 20 && p[n] != ':' && p[n] != ' ' &&
	    p[n] != '\t')
		n++;
	for (gsize i = 0; i < nn; i++) {
		gsize k, j;

		if (n > 0 && list[i][0] != (p[0] >= 'A' && p[0] <= 'Z' ?
		    p[0] + 32 : p[0]))
			continue;
		k = strlen(list[i]);
		if (n < k ? g_ascii_strncasecmp(p, list[i], n) != 0 ||
		    n < len : n != k || g_ascii_strncasecmp(p, list[i], k) != 0)
			continue;
		/* The name, then blanks, then the colon (or the cut). */
		for (j = n; j < len && (p[j] == ' ' || p[j] == '\t'); j++)
			;
		if (j == len || p[j] == ':')
			return TRUE;
	}
	return FALSE;
}

gboolean
mugai_addr_field(const char *p, gsize len)
{
	return field_named(p, len, names, G_N_ELEMENTS(names), "resent-");
}

gboolean
mugai_param_field(const char *p, gsize len)
{
	static const char *const params[] = { "content-type",
	    "content-disposition" };

	return field_named(p, len, params, G_N_ELEMENTS(params), NULL);
}

void
mugai_addr_count(const char *p, gsize len, gsize *seps, guint64 *cost)
{
	gsize n = *seps;
	guint64 c = 0;

	for (gsize i = 0; i < len; i++) {
		n += p[i] == ':' || p[i] == ',';
		c += n;
	}
	*seps = n;
	*cost += c;
}
