/*
 * check_digest - mugai_digest: known SHA-256 vectors, chunked feeding
 */
#include "autoconfig.h"

#include <string.h>

#include "base/digest.h"
#include "testutil.h"

START_TEST(empty_input_has_known_digest)
{
	char hex[65];

	mugai_digest_buf("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(chunks_equal_whole)
{
	const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char whole[65], parts[65];
	struct mugai_digest *d = mugai_digest_new();

	mugai_digest_buf(s, strlen(s), whole);
	for (gsize i = 0; i < strlen(s); i++)
		mugai_digest_update(d, s + i, 1);
	mugai_digest_finish(d, parts);
	ck_assert_str_eq(whole, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	ck_assert_str_eq(whole, parts);
}
END_TEST

START_TEST(stream_counts_bytes)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer("abc", 3);
	char hex[65];
	guint64 size = 0;

	ck_assert_int_eq(mugai_digest_stream(s, hex, &size), MUGAI_OK);
	ck_assert_uint_eq(size, 3);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	g_object_unref(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("digest");

	g_mime_init();
	t_test(s, empty_input_has_known_digest);
	t_test(s, chunks_equal_whole);
	t_test(s, stream_counts_bytes);
	return t_run(s);
}
