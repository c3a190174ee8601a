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

gboolean
mugai_addr_field(const char *p, gsize len)
{
	gsize n = 0, skip = 0;

	if (len >= 7 && g_ascii_strncasecmp(p, "resent-", 7) == 0)
		skip = 7;
	else if (len < 7 && g_ascii_strncasecmp(p, "resent-", len) == 0)
		return TRUE;
	p += skip;
	len -= skip;
	while (n < len && n <= 8 && p[n] != ':' && p[n] != ' ' &&
	    p[n] != '\t')
		n++;
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		gsize k = strlen(names[i]);
		gsize j;

		if (n < k ? g_ascii_strncasecmp(p, names[i], n) != 0 ||
		    n < len : n != k || g_ascii_strncasecmp(p, names[i], k) != 0)
			continue;
		/* The name, then blanks, then the colon (or the cut). */
		for (j = n; j < len && (p[j] == ' ' || p[j] == '\t'); j++)
			;
		if (j == len || p[j] == ':')
			return TRUE;
	}
	return FALSE;
}

gsize
mugai_addr_seps(const char *p, gsize len)
{
	gsize n = 0;

	for (gsize i = 0; i < len; i++)
		n += p[i] == ':' || p[i] == ',';
	return n;
}
