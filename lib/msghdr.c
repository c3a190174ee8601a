/*
 * mugai_msghdr - is a message header block one GMime surely reads
 * without a warning?
 *
 * The fast path (lib/scan.c) needs to know that GMime gives no parser
 * warning for a message's header block; asking GMime means building a
 * whole GMimeMessage, which cost more than the rest of the header work.
 * mugai_msghdr_quiet() answers TRUE only for blocks made of what GMime
 * 3.2 reads without a word: the scanner has already checked the lines
 * (field names of token characters right before the colon, no control
 * characters, UTF-8); here every field but Content-* must be ASCII,
 * hold no "=?" (no encoded word to decode, so nothing to warn about),
 * and the fields GMime parses as addresses (Sender, From, Reply-To, To,
 * Cc, Bcc) must be plain lists of "user@host.domain" or "Display Name
 * <user@host.domain>" with letters, digits and a few safe characters.
 * No field may come twice (GMime calls a second Subject, Date, To,
 * In-Reply-To, References... a conflict), but for the trace fields
 * listed in dup_ok, which GMime takes as they come. Anything else is
 * FALSE: the caller asks GMime, as before. t/check_msghdr runs GMime
 * over accepted blocks and over random ones.
 */
#include "autoconfig.h"

#include <string.h>

#include "msghdr.h"

/* The fields GMime's GMimeMessage reads (gmime-message.c). */
static const char *const read_fields[] = { "sender", "from", "reply-to",
	"to", "cc", "bcc", "subject", "date", "message-id", "mime-version" };
#define N_ADDRESS_FIELDS 6	/* the first six */

/* Fields that may come more than once without a word from GMime. */
static const char *const dup_ok[] = { "received", "x-received",
	"dkim-signature", "authentication-results", "received-spf" };

#define MAX_FIELDS 64	/* more, and GMime decides */

static gboolean
name_is(const char *f, gsize nlen, const char *name)
{
	return strlen(name) == nlen && g_ascii_strncasecmp(f, name, nlen) == 0;
}

/* TRUE when the field name f (nlen) is one of the n in names already. */
static gboolean
repeated(const char *const *names, const gsize *lens, guint n,
    const char *f, gsize nlen)
{
	for (guint i = 0; i < n; i++)
		if (lens[i] == nlen && g_ascii_strncasecmp(names[i], f,
		    nlen) == 0) {
			for (gsize k = 0; k < G_N_ELEMENTS(dup_ok); k++)
				if (name_is(f, nlen, dup_ok[k]))
					return FALSE;
			return TRUE;
		}
	return FALSE;
}

static gboolean
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static gboolean
word_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* user@host.domain: atoms of [A-Za-z0-9_+-] and dots, two labels or more. */
static const char *
addr_spec(const char *p, const char *end)
{
	guint labels = 0;

	for (;;) {
		const char *a = p;

		while (p < end && (word_char(*p) || *p == '+'))
			p++;
		if (p == a)
			return NULL;
		if (p < end && *p == '.') {
			p++;
			continue;
		}
		break;
	}
	if (p == end || *p != '@')
		return NULL;
	p++;
	for (;;) {
		if (p == end || !g_ascii_isalnum(*p))
			return NULL;
		while (p < end && (g_ascii_isalnum(*p) || *p == '-'))
			p++;
		if (p[-1] == '-')
			return NULL;
		labels++;
		if (p < end && *p == '.') {
			p++;
			continue;
		}
		break;
	}
	return labels >= 2 ? p : NULL;
}

/* One mailbox: addr-spec, or words then <addr-spec>. */
static const char *
mailbox(const char *p, const char *end)
{
	const char *q = addr_spec(p, end);

	if (q != NULL)
		return q;
	while (p < end && word_char(*p)) {
		while (p < end && word_char(*p))
			p++;
		p = skip_ws(p, end);
	}
	if (p == end || *p != '<' || (q = addr_spec(p + 1, end)) == NULL ||
	    q == end || *q != '>')
		return NULL;
	return q + 1;
}

static gboolean
address_list(const char *p, const char *end)
{
	for (;;) {
		p = skip_ws(p, end);
		if ((p = mailbox(p, end)) == NULL)
			return FALSE;
		p = skip_ws(p, end);
		if (p == end)
			return TRUE;
		if (*p != ',')
			return FALSE;
		p++;
	}
}

gboolean
mugai_msghdr_quiet(const char *block, gsize len)
{
	const char *p = block, *end = block + len;
	const char *names[MAX_FIELDS];
	gsize lens[MAX_FIELDS];
	guint fields = 0;

	while (p < end) {
		const char *f = p, *colon, *v;
		gsize nlen;
		guint i;

		/* The field runs to the first line that is not folded. */
		do {
			const char *nl = memchr(p, '\n', (gsize)(end - p));

			p = nl != NULL ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		if ((colon = memchr(f, ':', (gsize)(p - f))) == NULL)
			return FALSE;
		nlen = (gsize)(colon - f);
		if (nlen >= 8 && g_ascii_strncasecmp(f, "Content-", 8) == 0)
			continue;
		if (fields == MAX_FIELDS ||
		    repeated(names, lens, fields, f, nlen))
			return FALSE;
		names[fields] = f;
		lens[fields++] = nlen;
		v = colon + 1;
		for (const char *c = f; c < p; c++)
			if ((guchar)*c >= 0x80 ||
			    (*c == '=' && c + 1 < p && c[1] == '?'))
				return FALSE;
		for (i = 0; i < N_ADDRESS_FIELDS; i++)
			if (name_is(f, nlen, read_fields[i]))
				break;
		if (i < N_ADDRESS_FIELDS && !address_list(v, p))
			return FALSE;
	}
	return fields > 0;
}
