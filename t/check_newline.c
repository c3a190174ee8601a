/*
 * check_newline - mugai_newline_to_lf(): CRLF, lone CR and LF in, LF out.
 */
#include "autoconfig.h"

#include "t/testutil.h"
#include "text/newline.h"

static void
expect(const char *in, gsize len, const char *want)
{
	GString *s = g_string_new_len(in, (gssize)len);

	mugai_newline_to_lf(s);
	ck_assert_uint_eq(s->len, strlen(want));
	ck_assert_mem_eq(s->str, want, s->len);
	ck_assert_int_eq(s->str[s->len], '\0');
	g_string_free(s, TRUE);
}

#define EXPECT(in, want) expect((in), sizeof(in) - 1, (want))

START_TEST(crlf_and_cr)
{
	EXPECT("", "");
	EXPECT("no line end", "no line end");
	EXPECT("a\nb\n", "a\nb\n");
	EXPECT("a\r\nb\r\n", "a\nb\n");
	EXPECT("a\rb\r", "a\nb\n");
	EXPECT("\r", "\n");
	EXPECT("\r\n", "\n");
	EXPECT("\n\r", "\n\n");
	/* CR CR LF: a lone CR, then a CRLF. */
	EXPECT("a\r\r\nb", "a\n\nb");
	EXPECT("x\r\n\r\n\ry", "x\n\n\ny");
	/* Japanese text keeps its bytes. */
	EXPECT("\xe6\x97\xa5\xe6\x9c\xac\r\n\xe8\xaa\x9e\r",
	    "\xe6\x97\xa5\xe6\x9c\xac\n\xe8\xaa\x9e\n");
}
END_TEST

START_TEST(nul_bytes_kept)
{
	static const char in[] = { 'a', '\0', '\r', '\n', 'b', '\r' };
	static const char want[] = { 'a', '\0', '\n', 'b', '\n' };
	GString *s = g_string_new_len(in, sizeof in);

	mugai_newline_to_lf(s);
	ck_assert_uint_eq(s->len, sizeof want);
	ck_assert_mem_eq(s->str, want, sizeof want);
	g_string_free(s, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("newline");

	t_test(s, crlf_and_cr);
	t_test(s, nul_bytes_kept);
	return t_run(s);
}
