/*
 * fuzz_html2text - the HTML renderer fed in random chunk splits
 *
 * The first byte chooses the chunk size (1 to 255 bytes; 0: the whole
 * input in one call), the rest is the HTML. The text must be valid UTF-8
 * of the length reported, free of script markup once textsafe has run
 * over it as the walk does (t/fuzz/oracle.c), and
 * the same whether the input came in one piece or in chunks: a chunk edge
 * must never change what is rendered (html2text.h promises any chunk
 * size). Limits are set low enough that the fuzzer reaches them.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/html2text.h"
#include "oracle.h"
#include "text/textsafe.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static char *
render(const char *html, gsize len, gsize chunk, gsize *out_len,
    enum mugai_err *err)
{
	static const struct mugai_html_opts opts = {
		.ho_url_mode = MUGAI_URL_KEEP,
		.ho_max_depth = 64,
		.ho_max_output = 1 << 20,
	};
	struct mugai_html2text *h = mugai_html2text_new(&opts);
	char *text;

	if (chunk == 0)
		chunk = len;
	for (gsize off = 0; off < len; off += chunk)
		mugai_html2text_feed(h, html + off, MIN(chunk, len - off));
	text = mugai_html2text_finish(h, out_len, err);
	mugai_html2text_free(h);
	return text;
}

/*
 * Text typed into the HTML ("javascript:" as words) comes out as text:
 * the walk defuses it with textsafe, as here, before the oracle looks.
 */
static void
check(const char *text, gsize len, enum mugai_err err)
{
	GString *t;
	char *why;

	if (text == NULL) {
		if (err != MUGAI_E_LIMIT)
			abort();
		return;
	}
	if (err != MUGAI_OK || strlen(text) != len ||
	    !g_utf8_validate(text, (gssize)len, NULL))
		abort();
	t = g_string_new_len(text, (gssize)len);
	mugai_textsafe(t);
	if ((why = mugai_oracle_text(t->str, t->len)) != NULL) {
		fprintf(stderr, "html2text+textsafe: %s\n%s\n", why, t->str);
		abort();
	}
	g_string_free(t, TRUE);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	const char *html = (const char *)data + 1;
	gsize len = size > 0 ? size - 1 : 0, n1 = 0, n2 = 0;
	enum mugai_err e1 = MUGAI_OK, e2 = MUGAI_OK;
	char *whole, *split;

	if (size == 0)
		return 0;
	whole = render(html, len, 0, &n1, &e1);
	check(whole, n1, e1);
	if (data[0] != 0) {
		split = render(html, len, data[0], &n2, &e2);
		check(split, n2, e2);
		if (e1 != e2 || (whole != NULL && (n1 != n2 ||
		    memcmp(whole, split, n1) != 0))) {
			fprintf(stderr, "chunk size %u changes the text:\n"
			    "--- whole (%d)\n%s\n--- split (%d)\n%s\n",
			    data[0], e1, whole ? whole : "(null)", e2,
			    split ? split : "(null)");
			abort();
		}
		g_free(split);
	}
	g_free(whole);
	return 0;
}
