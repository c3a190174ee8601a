/*
 * check_b64 - mugai_b64_decode against GMime's own base64 decoder
 *
 * The stream engine decodes with lib/mime/b64.c and the GMime engine with
 * GMime: any byte where they differ is a part the two engines see
 * differently. Inputs are generated here (fixed seeds): valid base64 in
 * 76-column lines, then the same with line ends, '=' and foreign bytes
 * sprinkled in, then bytes drawn from all 256 values; each is fed whole
 * and in chunks of random sizes, and the bytes and the end state must be
 * GMime's. The GMimeFilter the GMime engine reads parts through
 * (lib/mime/b64filter.c) must give, read in random sizes through a
 * GMimeStreamFilter and again after a reset, what GMime's own base64
 * filter gives.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "mime/b64.h"
#include "mime/b64filter.h"
#include "testutil.h"

/* GMime's decode of in, chunk sizes from rnd (NULL: whole). */
static GByteArray *
gmime_decode(const guint8 *in, gsize len, GRand *rnd, int *state_out)
{
	GByteArray *out = g_byte_array_sized_new((guint)(len + 8));
	int state = 0;
	guint32 save = 0;
	gsize off = 0;

	g_byte_array_set_size(out, (guint)(len + 8));
	out->len = 0;
	while (off < len) {
		/* MIN() evaluates its arguments twice: draw first. */
		gsize pick = rnd != NULL ? (gsize)g_rand_int_range(rnd, 1, 200) :
		    len;
		gsize n = MIN(len - off, pick);

		out->len += (guint)g_mime_encoding_base64_decode_step(in + off,
		    n, out->data + out->len, &state, &save);
		off += n;
	}
	*state_out = state;
	return out;
}

static GByteArray *
our_decode(const guint8 *in, gsize len, GRand *rnd, int *state_out)
{
	GByteArray *out = g_byte_array_sized_new((guint)(len + 8));
	struct mugai_b64 b;
	gsize off = 0;

	mugai_b64_init(&b);
	g_byte_array_set_size(out, (guint)(len + 8));
	out->len = 0;
	while (off < len) {
		/* MIN() evaluates its arguments twice: draw first. */
		gsize pick = rnd != NULL ? (gsize)g_rand_int_range(rnd, 1, 200) :
		    len;
		gsize n = MIN(len - off, pick);
		gsize room = MUGAI_B64_OUTLEN(n);
		gsize got;

		g_byte_array_set_size(out, out->len + (guint)room);
		out->len -= (guint)room;
		got = mugai_b64_decode(&b, in + off, n, out->data + out->len);
		ck_assert_uint_le(got, room);
		out->len += (guint)got;
		off += n;
	}
	*state_out = b.b6_state;
	return out;
}

static void
assert_same(const guint8 *in, gsize len, guint32 seed)
{
	GRand *r1 = g_rand_new_with_seed(seed), *r2 = g_rand_new_with_seed(seed);
	int s1, s2;
	GByteArray *want = gmime_decode(in, len, NULL, &s1);
	GByteArray *got = our_decode(in, len, NULL, &s2);

	ck_assert_uint_eq(got->len, want->len);
	ck_assert(memcmp(got->data, want->data, want->len) == 0);
	ck_assert_int_eq(s1, s2);
	g_byte_array_unref(got);
	g_byte_array_unref(want);
	want = gmime_decode(in, len, r1, &s1);
	got = our_decode(in, len, r2, &s2);
	ck_assert_uint_eq(got->len, want->len);
	ck_assert(memcmp(got->data, want->data, want->len) == 0);
	ck_assert_int_eq(s1, s2);
	g_byte_array_unref(got);
	g_byte_array_unref(want);
	g_rand_free(r1);
	g_rand_free(r2);
}

/* Valid base64 of n random bytes in CRLF lines of 76. */
static GString *
encoded(GRand *rnd, gsize n)
{
	guint8 *raw = g_malloc(n + 1);
	g_autofree char *b = NULL;
	GString *s = g_string_new(NULL);
	gsize blen;

	for (gsize i = 0; i < n; i++)
		raw[i] = (guint8)g_rand_int(rnd);
	b = g_base64_encode(raw, n);
	blen = strlen(b);
	for (gsize i = 0; i < blen; i += 76) {
		g_string_append_len(s, b + i, (gssize)MIN(76, blen - i));
		g_string_append(s, "\r\n");
	}
	g_free(raw);
	return s;
}

START_TEST(valid_base64_any_length_any_chunking)
{
	GRand *rnd = g_rand_new_with_seed(1);

	for (gsize n = 0; n < 400; n++) {
		GString *s = encoded(rnd, n);

		assert_same((const guint8 *)s->str, s->len, (guint32)n);
		g_string_free(s, TRUE);
	}
	g_rand_free(rnd);
}
END_TEST

/* What a broken encoder or an attacker puts in a base64 body. */
static const char junk[] = "=\r\n \t.-_*\x80\xff\x00!~";

START_TEST(damaged_base64_gives_gmime_bytes)
{
	GRand *rnd = g_rand_new_with_seed(2);

	for (guint round = 0; round < 3000; round++) {
		GString *s = encoded(rnd, (gsize)g_rand_int_range(rnd, 0, 300));
		guint hits = (guint)g_rand_int_range(rnd, 1, 6);

		for (guint i = 0; i < hits && s->len > 0; i++) {
			gsize at = (gsize)g_rand_int_range(rnd, 0, (gint32)s->len);

			s->str[at] = junk[g_rand_int_range(rnd, 0,
			    (gint32)sizeof junk - 1)];
		}
		assert_same((const guint8 *)s->str, s->len, round);
		g_string_free(s, TRUE);
	}
	g_rand_free(rnd);
}
END_TEST

START_TEST(every_byte_value_gives_gmime_bytes)
{
	GRand *rnd = g_rand_new_with_seed(3);
	guint8 buf[512];

	for (guint round = 0; round < 3000; round++) {
		gsize len = (gsize)g_rand_int_range(rnd, 0, sizeof buf);

		for (gsize i = 0; i < len; i++)
			buf[i] = (guint8)g_rand_int(rnd);
		assert_same(buf, len, round);
	}
	/* Each byte value alone after a valid start, and as the pad. */
	for (guint c = 0; c < 256; c++) {
		guint8 in[] = { 'Q', 'U', (guint8)c, 'D', 'Q', (guint8)c, '=',
		    'Q' };

		assert_same(in, sizeof in, c);
	}
	g_rand_free(rnd);
}
END_TEST

START_TEST(nothing_after_the_pad)
{
	static const char in[] = "QUI=QUJD";
	struct mugai_b64 b;
	guint8 out[16];

	mugai_b64_init(&b);
	ck_assert_uint_eq(mugai_b64_decode(&b, (const guint8 *)in, 8, out), 2);
	ck_assert_int_eq(b.b6_state, -1);
	ck_assert_uint_eq(mugai_b64_decode(&b, (const guint8 *)"QUJD", 4, out),
	    0);
}
END_TEST

/* All of in read through filter f in reads of random sizes (seed). */
static GByteArray *
filtered(const guint8 *in, gsize len, GMimeFilter *f, guint32 seed)
{
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer((const char *)in,
	    len);
	GMimeStream *fs = g_mime_stream_filter_new(mem);
	GRand *rnd = g_rand_new_with_seed(seed);
	GByteArray *out = g_byte_array_new();
	char buf[4096];

	g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
	for (int pass = 0; pass < 2; pass++) {
		gssize n;

		g_byte_array_set_size(out, 0);
		while ((n = g_mime_stream_read(fs, buf, (size_t)g_rand_int_range(
		    rnd, 1, sizeof buf))) > 0)
			g_byte_array_append(out, (const guint8 *)buf, (guint)n);
		ck_assert_int_ge(n, 0);
		/* The second pass reads it again after a reset. */
		ck_assert_int_eq(g_mime_stream_reset(fs), 0);
	}
	g_rand_free(rnd);
	g_object_unref(fs);
	g_object_unref(mem);
	return out;
}

START_TEST(filter_gives_gmime_filter_bytes)
{
	GRand *rnd = g_rand_new_with_seed(4);

	for (guint round = 0; round < 400; round++) {
		GString *s = encoded(rnd, (gsize)g_rand_int_range(rnd, 0,
		    20000));
		guint hits = round % 2 == 0 ? 0 :
		    (guint)g_rand_int_range(rnd, 1, 6);
		GMimeFilter *ours = mugai_b64_filter_new();
		GMimeFilter *copy = g_mime_filter_copy(ours);
		GMimeFilter *gm = g_mime_filter_basic_new(
		    GMIME_CONTENT_ENCODING_BASE64, FALSE);
		GByteArray *want, *got, *got2;

		for (guint i = 0; i < hits && s->len > 0; i++) {
			gsize at = (gsize)g_rand_int_range(rnd, 0, (gint32)s->len);

			s->str[at] = junk[g_rand_int_range(rnd, 0,
			    (gint32)sizeof junk - 1)];
		}
		want = filtered((const guint8 *)s->str, s->len, gm, round);
		got = filtered((const guint8 *)s->str, s->len, ours, round + 1);
		got2 = filtered((const guint8 *)s->str, s->len, copy, round + 2);
		ck_assert_uint_eq(got->len, want->len);
		ck_assert(memcmp(got->data, want->data, want->len) == 0);
		ck_assert_uint_eq(got2->len, want->len);
		ck_assert(memcmp(got2->data, want->data, want->len) == 0);
		g_byte_array_unref(want);
		g_byte_array_unref(got);
		g_byte_array_unref(got2);
		g_object_unref(gm);
		g_object_unref(ours);
		g_object_unref(copy);
		g_string_free(s, TRUE);
	}
	g_rand_free(rnd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("b64");

	t_timeout = 60;
	g_mime_init();
	t_test(s, valid_base64_any_length_any_chunking);
	t_test(s, damaged_base64_gives_gmime_bytes);
	t_test(s, every_byte_value_gives_gmime_bytes);
	t_test(s, nothing_after_the_pad);
	t_test(s, filter_gives_gmime_filter_bytes);
	return t_run(s);
}
