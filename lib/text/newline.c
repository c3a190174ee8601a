/*
 * mugai_newline - CRLF and lone CR to LF: copied down over itself from
 * the first CR on, one pass.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/newline.h"

void
mugai_newline_to_lf(GString *s)
{
	const char *cr = memchr(s->str, '\r', s->len);
	gsize o;

	if (cr == NULL)
		return;
	o = (gsize)(cr - s->str);
	for (gsize i = o; i < s->len; i++) {
		if (s->str[i] == '\r') {
			s->str[o++] = '\n';
			if (i + 1 < s->len && s->str[i + 1] == '\n')
				i++;
			continue;
		}
		s->str[o++] = s->str[i];
	}
	g_string_truncate(s, o);
}
