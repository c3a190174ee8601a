/*
 * fuzz_headers - header block split, RFC 2047/2231 decoding and repair
 *
 * The input is a header block (and whatever follows). Every header is
 * decoded (valid UTF-8, no control characters) and repaired: a repaired
 * value is what the milter hands to smfi_chgheader, so it must be valid
 * UTF-8, 7-bit unless it is an address header (RFC 6532), free of control
 * characters except folding ("\n" then a blank), with no line past 998
 * octets, and decoding it must not bring a control character back
 * (header injection through an encoded-word), nor a line separator or
 * bidi control: read by mugai's decoder and by GMime's (its text decoder,
 * and its address parser for address headers), as a mail reader would.
 * A header left as it is is held to the same reading. A header whose
 * name leaves no room in a line is not written at all (sanitize.c).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "mime/headers.h"
#include "core/sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

/* The address headers of lib/mime/headers.c (RFC 6532 applies to them). */
static const char *const address_headers[] = {
	"from", "to", "cc", "bcc", "reply-to", "sender", "resent-from",
	"resent-to", "resent-cc", "resent-bcc", "resent-sender",
	"disposition-notification-to", NULL
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mugai_sanitize_init();
	return 0;
}

static gboolean
is_address(const char *name)
{
	for (gsize i = 0; address_headers[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, address_headers[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
fail(const char *what, const struct mugai_header *h, const char *value)
{
	fprintf(stderr, "%s\n  header %s:%s  value [%s]\n", what, h->hd_name,
	    h->hd_raw, value);
	abort();
}

/* Decoded text: valid UTF-8, no C0 (tab included), DEL or C1 control. */
static void
check_decoded(const struct mugai_header *h, const char *d)
{
	if (d == NULL || !g_utf8_validate(d, -1, NULL))
		fail("decode: not UTF-8", h, d != NULL ? d : "(null)");
	for (const char *p = d; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			fail("decode: control character", h, d);
	}
}

/* A raw control byte but TAB and the folding line breaks. */
static gboolean
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (((guchar)*s < 0x20 && *s != '\t' && *s != '\r' &&
		    *s != '\n') || *s == 0x7f)
			return TRUE;
	return FALSE;
}

/* A control (but TAB), line separator or bidi control character. */
static gboolean
unsafe(gunichar c)
{
	return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) ||
	    c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e ||
	    c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

static void
check_text(const struct mugai_header *h, const char *v, const char *t,
    const char *what)
{
	if (t == NULL || !g_utf8_validate(t, -1, NULL))
		return;
	for (const char *p = t; *p != '\0'; p = g_utf8_next_char(p))
		if (unsafe(g_utf8_get_char(p)))
			fail(what, h, v);
}

/*
 * A value as GMime reads it (text, and display names), unfolded: every
 * line break in a header value is a fold, and GMime keeps them.
 */
static void
check_reader(const struct mugai_header *h, const char *folded)
{
	GString *u = g_string_new(NULL);
	const char *v;
	char *t;

	for (const char *p = folded; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(u, *p);
	v = u->str;
	t = g_mime_utils_header_decode_text(NULL, v);

	check_text(h, v, t, "fix: GMime decodes a control or bidi character");
	g_free(t);
	if (is_address(h->hd_name)) {
		InternetAddressList *l = internet_address_list_parse(NULL, v);

		for (int i = 0; l != NULL &&
		    i < internet_address_list_length(l); i++)
			check_text(h, v, internet_address_get_name(
			    internet_address_list_get_address(l, i)),
			    "fix: a display name holds a control or bidi "
			    "character");
		g_clear_object(&l);
	}
	g_string_free(u, TRUE);
}

static void
check_fixed(const struct mugai_header *h, const char *v)
{
	gsize line = strlen(h->hd_name) + 2;
	char *d;

	if (!g_utf8_validate(v, -1, NULL))
		fail("fix: not UTF-8", h, v);
	for (const char *p = v; *p != '\0'; p++) {
		if ((guchar)*p >= 0x80 && !is_address(h->hd_name))
			fail("fix: 8-bit value", h, v);
		if (*p == '\n') {
			if (p[1] != ' ' && p[1] != '\t')
				fail("fix: line break without folding", h, v);
			line = 0;
			continue;
		}
		if (((guchar)*p < 0x20 && *p != '\t') || *p == 0x7f)
			fail("fix: control character", h, v);
		if (++line > 998)
			fail("fix: line longer than 998 octets", h, v);
	}
	d = mugai_headers_decode(v);
	check_decoded(h, d);
	g_free(d);
	check_reader(h, v);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	GPtrArray *hs;
	gsize body_off = 0;
	gboolean separated = TRUE;
	enum mugai_err err = MUGAI_OK;

	(void)mugai_headers_skip_envelope((const char *)data, size);
	hs = mugai_headers_split((const char *)data, size, 16384, &body_off,
	    &separated, &err);
	if (hs == NULL) {
		if (err != MUGAI_E_LIMIT)
			abort();
		return 0;
	}
	if (body_off > size)
		abort();
	for (guint i = 0; i < hs->len; i++) {
		const struct mugai_header *h = g_ptr_array_index(hs, i);
		char *d = mugai_headers_decode(h->hd_raw);
		char *v = mugai_headers_fix(h);

		check_decoded(h, d);
		/* Names too long for any line are removed (header_deleted()
		 * in core/sanitize.c; the oracles of fuzz_sanitize and
		 * fuzz_stream see the whole output). */
		if (strlen(h->hd_name) > MUGAI_HEADER_NAME_MAX)
			;
		else if (v != NULL)
			check_fixed(h, v);
		else if (has_ctl(h->hd_raw))
			fail("left as it is with a control byte", h, "(none)");
		else
			check_reader(h, h->hd_raw);	/* left as it is */
		(void)mugai_headers_is_mime(h->hd_name);
		(void)mugai_headers_find(hs, h->hd_name);
		g_free(v);
		g_free(d);
	}
	g_ptr_array_unref(hs);
	return 0;
}
