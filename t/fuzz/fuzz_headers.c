/*
 * fuzz_headers - header block split, RFC 2047/2231 decoding and repair
 *
 * The input is a header block (and whatever follows). Every header is
 * decoded (valid UTF-8, no control characters) and repaired: a repaired
 * value is what the milter hands to smfi_chgheader, so it must be valid
 * UTF-8, 7-bit unless it is an address header (RFC 6532), free of control
 * characters except folding ("\n" then a blank), with no line past 998
 * octets, and decoding it must not bring a control character back
 * (header injection through an encoded-word).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		if (v != NULL)
			check_fixed(h, v);
		(void)mugai_headers_is_mime(h->hd_name);
		(void)mugai_headers_find(hs, h->hd_name);
		g_free(v);
		g_free(d);
	}
	g_ptr_array_unref(hs);
	return 0;
}
