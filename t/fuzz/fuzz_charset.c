/*
 * fuzz_charset - charset detection and conversion, both directions
 *
 * The first byte picks the declared label (none, right, wrong, unknown),
 * the rest is the data. mugai_charset_to_utf8() must return valid UTF-8
 * without NUL of the length it reports, whatever the bytes; converting
 * that to ISO-2022-JP must give 7-bit output without NUL or ESC left in
 * a non-ASCII mode at a line end or the end, which reads back as valid
 * UTF-8. mugai_charset_from_utf8() also gets the raw bytes (not UTF-8).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "text/charset.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static const char *const labels[] = {
	NULL, "us-ascii", "utf-8", "iso-2022-jp", "shift_jis", "cp932",
	"euc-jp", "iso-8859-1", "windows-1252", "iso-2022-jp-2",
	"iso-2022-jp-3", "x-sjis", "\"ISO-2022-JP\"", "unknown-8bit",
	"utf-16", "utf-7", "gb18030", "koi8-r", "", "x-no-such-charset",
};

static void
check_utf8(const char *s, gsize len)
{
	if (s == NULL || strlen(s) != len || !g_utf8_validate(s,
	    (gssize)len, NULL))
		abort();
}

/* 7-bit, no NUL, back in ASCII (ESC ( B) before each line end and at
 * the end. */
static void
check_jis(const char *s, gsize len)
{
	gboolean ascii = TRUE;

	if (s == NULL || strlen(s) != len)
		abort();
	for (gsize i = 0; i < len; i++) {
		if ((guchar)s[i] >= 0x80)
			abort();
		if (s[i] == 0x1b && i + 2 < len) {
			ascii = (s[i + 1] == '(' && (s[i + 2] == 'B' ||
			    s[i + 2] == 'J'));
			continue;
		}
		if ((s[i] == '\n' || s[i] == '\r') && !ascii)
			abort();
	}
	if (!ascii)
		abort();
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	/* No data is NULL, as an empty GByteArray hands it over. */
	const char *in = size > 1 ? (const char *)data + 1 : NULL;
	gsize len = size > 0 ? size - 1 : 0, ulen = 0, jlen = 0, blen = 0;
	const char *label, *used = NULL;
	gboolean lossy = FALSE;
	char *utf8, *jis, *back, *raw;

	if (size == 0)
		return 0;
	label = labels[data[0] % G_N_ELEMENTS(labels)];
	(void)mugai_charset_detect(in, len);
	(void)mugai_charset_iconv_name(label != NULL ? label : "utf-8");
	utf8 = mugai_charset_to_utf8(in, len, label, &ulen, &used, &lossy);
	check_utf8(utf8, ulen);
	if (used == NULL)
		abort();
	jis = mugai_charset_from_utf8(utf8, ulen, "iso-2022-jp", &jlen);
	check_jis(jis, jlen);
	back = mugai_charset_to_utf8(jis, jlen, "iso-2022-jp", &blen, NULL,
	    NULL);
	check_utf8(back, blen);
	/* Not UTF-8 at all: invalid sequences become GETA, never a crash. */
	raw = mugai_charset_from_utf8(in, len, "iso-2022-jp", &jlen);
	check_jis(raw, jlen);
	g_free(raw);
	raw = mugai_charset_from_utf8(in, len, "utf-8", &jlen);
	check_utf8(raw, jlen);
	g_free(raw);
	g_free(back);
	g_free(jis);
	g_free(utf8);
	return 0;
}
