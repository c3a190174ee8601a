/*
 * mugai_msghdr - is a message header block one GMime surely reads
 * without a warning?
 *
 * The fast path (lib/mime/scan.c) needs to know that GMime gives no parser
 * warning for a message's header block; asking GMime means building a
 * whole GMimeMessage, which cost more than the rest of the header work.
 * mugai_msghdr_quiet() answers TRUE only for blocks made of what GMime
 * 3.2 reads without a word: the scanner has already checked the lines
 * (field names of token characters right before the colon, no control
 * characters, UTF-8); here every field but Content-* must be ASCII,
 * each "=?" in it must start a whole RFC 2047 encoded word of the strict
 * form =?charset?B|Q?text?= between white space (GMime warns when one
 * runs across white space; a broken charset or text it decodes quietly),
 * and the fields GMime parses as addresses (Sender, From, Reply-To, To,
 * Cc, Bcc) must be plain lists of "user@host.domain" or "Display Name
 * <user@host.domain>", the name of words of letters, digits, '-' and
 * '_', or such encoded words whose text has no special (RFC 2047 5(3)).
 * No field may come twice (GMime calls a second Subject, Date, To,
 * In-Reply-To, References... a conflict), but for the trace fields
 * listed in dup_ok, which GMime takes as they come. Anything else is
 * FALSE: the caller asks GMime, as before. t/check_msghdr runs GMime
 * over accepted blocks and over random ones.
 */
#include "autoconfig.h"

#include <string.h>

#include "mime/msghdr.h"

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

/*
 * The end of the encoded word =?charset?B|Q?text?= at p, charset of
 * [A-Za-z0-9._:-], text of printable ASCII but '?' (in a phrase, with
 * phrase set: RFC 2047 5(3) letters, digits and "!*+-/=_" only, as GMime
 * warns about an address whose name's encoded text holds a special such
 * as ';', ',', '.' or '@'); NULL if there is none.
 */
static const char *
encoded_word(const char *p, const char *end, gboolean phrase)
{
	const char *q;

	if (end - p < 2 || p[0] != '=' || p[1] != '?')
		return NULL;
	for (q = p += 2; p < end && (g_ascii_isalnum(*p) ||
	    strchr("._:-", *p) != NULL); p++)
		;
	if (p == q || end - p < 3 || p[0] != '?' ||
	    strchr("BbQq", p[1]) == NULL || p[2] != '?')
		return NULL;
	for (q = p += 3; p < end && *p > ' ' && *p < 0x7f && *p != '?' &&
	    (!phrase || g_ascii_isalnum(*p) || strchr("!*+-/=_", *p) != NULL);
	    p++)
		;
	if (p == q || end - p < 2 || p[0] != '?' || p[1] != '=')
		return NULL;
	return p + 2;
}

/*
 * Does every "=?" in the value [v, end) start an encoded word with white
 * space (or the value's start or end) on both sides?
 */
static gboolean
encoded_words_clean(const char *v, const char *end)
{
	const char *p = v, *w;

	while ((p = memchr(p, '=', (gsize)(end - p))) != NULL) {
		if (p + 1 == end || p[1] != '?') {
			p++;
			continue;
		}
		if ((p > v && !is_ws(p[-1])) ||
		    (w = encoded_word(p, end, FALSE)) == NULL ||
		    (w < end && !is_ws(*w)))
			return FALSE;
		p = w;
	}
	return TRUE;
}

/* One mailbox: addr-spec, or words (or encoded words) then <addr-spec>. */
static const char *
mailbox(const char *p, const char *end)
{
	const char *q = addr_spec(p, end);

	if (q != NULL)
		return q;
	for (;;) {
		if ((q = encoded_word(p, end, TRUE)) != NULL)
			p = q;
		else if (p < end && word_char(*p))
			while (p < end && word_char(*p))
				p++;
		else
			break;
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
			if ((guchar)*c >= 0x80)
				return FALSE;
		if (!encoded_words_clean(v, p))
			return FALSE;
		for (i = 0; i < N_ADDRESS_FIELDS; i++)
			if (name_is(f, nlen, read_fields[i]))
				break;
		if (i < N_ADDRESS_FIELDS && !address_list(v, p))
			return FALSE;
	}
	return fields > 0;
}
