/*
 * check_encblock - mugai_encblock_strip: each kind cut with its name, size
 * and SHA-256; what stays; unterminated blocks; linear time on big blocks
 *
 * Fixtures are encoded here from known bytes, so the expected size and hash
 * come from mugai_digest_buf() on the same bytes.
 */
#include "autoconfig.h"

#include <string.h>
#include <time.h>

#include "base/digest.h"
#include "text/encblock.h"
#include "testutil.h"

/* Returns (transfer full) n bytes of a fixed pseudo-random pattern. */
static guchar *
t_bytes(gsize n)
{
	guchar *b = g_malloc(n);
	guint32 x = 2463534242u;

	for (gsize i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (guchar)x;
	}
	return b;
}

static char
t_uuchar(guint v)
{
	return v == 0 ? '`' : (char)(0x20 + v);
}

/* Appends the uuencoded lines of buf (no begin/end). */
static void
t_uuencode(GString *s, const guchar *b, gsize n)
{
	for (gsize i = 0; i < n; i += 45) {
		gsize k = MIN(45, n - i);

		g_string_append_c(s, t_uuchar((guint)k));
		for (gsize j = 0; j < k; j += 3) {
			guint32 v = (guint32)b[i + j] << 16;

			if (j + 1 < k)
				v |= (guint32)b[i + j + 1] << 8;
			if (j + 2 < k)
				v |= b[i + j + 2];
			for (int q = 18; q >= 0; q -= 6)
				g_string_append_c(s, t_uuchar((v >> q) & 0x3f));
		}
		g_string_append_c(s, '\n');
	}
	g_string_append(s, "`\n");
}

/* Appends yEnc data lines of buf (128 columns, critical bytes escaped). */
static void
t_yenc(GString *s, const guchar *b, gsize n)
{
	gsize col = 0;

	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)(b[i] + 42);

		if (c == 0 || c == '\n' || c == '\r' || c == '=') {
			g_string_append_c(s, '=');
			c = (guchar)(c + 64);
			col++;
		}
		g_string_append_c(s, (char)c);
		if (++col >= 128) {
			g_string_append_c(s, '\n');
			col = 0;
		}
	}
	if (col > 0)
		g_string_append_c(s, '\n');
}

/* Appends BinHex 4.0 characters for buf (no RLE: buf has no 0x90). */
static void
t_binhex(GString *s, const guchar *b, gsize n)
{
	static const char alpha[] = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKL"
	    "MNPQRSTUVXYZ[`abcdefhijklmpqr";
	gsize col = 1;

	for (gsize i = 0; i < n; i += 3) {
		guint32 v = (guint32)b[i] << 16;

		if (i + 1 < n)
			v |= (guint32)b[i + 1] << 8;
		if (i + 2 < n)
			v |= b[i + 2];
		for (int q = 18; q >= 0; q -= 6) {
			g_string_append_c(s, alpha[(v >> q) & 0x3f]);
			if (++col == 64) {
				g_string_append_c(s, '\n');
				col = 0;
			}
		}
	}
}

struct t_strip {
	GString *out;
	GPtrArray *found;
	guint n;
};

static void
t_strip_run(struct t_strip *r, const char *text, gsize len)
{
	r->out = g_string_new(NULL);
	r->found = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_encblock_free);
	r->n = mugai_encblock_strip(text, len, r->out, r->found);
	ck_assert_uint_eq(r->n, r->found->len);
}

static void
t_strip_done(struct t_strip *r)
{
	g_string_free(r->out, TRUE);
	g_ptr_array_free(r->found, TRUE);
}

static struct mugai_encblock *
t_block(struct t_strip *r, guint i)
{
	ck_assert_uint_gt(r->found->len, i);
	return r->found->pdata[i];
}

/* Asserts block i has kind, name, and the size and hash of b[0..n). */
static void
t_assert_block(struct t_strip *r, guint i, const char *kind,
    const char *name, const guchar *b, gsize n)
{
	struct mugai_encblock *eb = t_block(r, i);
	char hex[65];

	ck_assert_str_eq(eb->eb_kind, kind);
	if (name == NULL)
		ck_assert_ptr_null(eb->eb_filename);
	else
		ck_assert_str_eq(eb->eb_filename, name);
	if (b != NULL) {
		mugai_digest_buf(b, n, hex);
		ck_assert_uint_eq(eb->eb_size, n);
		ck_assert_str_eq(eb->eb_sha256, hex);
	}
}

START_TEST(uuencode_is_cut_with_name_size_hash)
{
	guchar *b = t_bytes(1000);
	GString *t = g_string_new("Hello,\n\nbegin 644 report data.bin\n");
	struct t_strip r;

	t_uuencode(t, b, 1000);
	g_string_append(t, "end\nRegards\n");
	t_strip_run(&r, t->str, t->len);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.out->str, "Hello,\n\nRegards\n");
	t_assert_block(&r, 0, "uuencode", "report data.bin", b, 1000);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

START_TEST(uuencode_with_stripped_trailing_spaces_and_crlf)
{
	/* "abc\0\0\0" encodes with trailing spaces a mailer may strip. */
	static const guchar b[] = { 'a', 'b', 'c', 0, 0, 0 };
	const char *t = "x\r\nbegin 600 z\r\n&86)C\r\n`\r\nend\r\ny\r\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "x\r\ny\r\n");
	t_assert_block(&r, 0, "uuencode", "z", b, sizeof b);
	t_strip_done(&r);
}
END_TEST

START_TEST(begin_base64_is_cut)
{
	const char *t = "begin-base64 644 hi.txt\naGVsbG8gd29ybGQK\n====\nok\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "ok\n");
	t_assert_block(&r, 0, "uuencode", "hi.txt",
	    (const guchar *)"hello world\n", 12);
	t_strip_done(&r);
}
END_TEST

START_TEST(unterminated_uuencode_ends_with_its_lines)
{
	guchar *b = t_bytes(90);
	GString *t = g_string_new("begin 755 run.exe\n");
	struct t_strip r;

	t_uuencode(t, b, 90);
	g_string_append(t, "\nThe rest of the mail.\n");
	t_strip_run(&r, t->str, t->len);
	ck_assert_str_eq(r.out->str, "\nThe rest of the mail.\n");
	t_assert_block(&r, 0, "uuencode", "run.exe", b, 90);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

/*
 * Decided: "begin NNN name" is a uuencode block only when a uu line follows.
 * Prose that happens to look like it stays (mugai_textsafe defuses it).
 */
START_TEST(begin_line_in_prose_is_kept)
{
	const char *t = "begin 644 copies of the form\nand send them back.\n"
	    "end\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_uint_eq(r.n, 0);
	ck_assert_str_eq(r.out->str, t);
	t_strip_done(&r);
}
END_TEST

START_TEST(yenc_is_cut_and_decoded)
{
	guchar *b = t_bytes(5000);
	GString *t = g_string_new("see below\n=ybegin line=128 size=5000 "
	    "name=photo 1.jpg\n");
	struct t_strip r;

	t_yenc(t, b, 5000);
	g_string_append(t, "=yend size=5000\nthanks\n");
	t_strip_run(&r, t->str, t->len);
	ck_assert_str_eq(r.out->str, "see below\nthanks\n");
	t_assert_block(&r, 0, "yenc", "photo 1.jpg", b, 5000);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

START_TEST(yenc_part_and_unterminated)
{
	guchar *b = t_bytes(300);
	GString *t = g_string_new("=ybegin part=1 line=128 size=600 name=a.bin\n"
	    "=ypart begin=1 end=300\n");
	struct t_strip r;

	t_yenc(t, b, 300);
	g_string_append(t, "\nafter\n");
	t_strip_run(&r, t->str, t->len);
	ck_assert_str_eq(r.out->str, "\nafter\n");
	t_assert_block(&r, 0, "yenc", "a.bin", b, 300);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

START_TEST(binhex_is_cut_with_header_name)
{
	guchar hdr[40];
	GString *t = g_string_new("Mac file:\n\n(This file must be converted "
	    "with BinHex 4.0)\n\n:");
	struct mugai_encblock *eb;
	struct t_strip r;
	gsize cut_from, cut_len;
	char hex[65];

	memset(hdr, 0x41, sizeof hdr);
	hdr[0] = 9;
	memcpy(hdr + 1, "hello.txt", 9);
	hdr[10] = 0;
	cut_from = strlen("Mac file:\n\n");
	t_binhex(t, hdr, sizeof hdr);
	g_string_append(t, ":\nbye\n");
	cut_len = t->len - cut_from - strlen("bye\n");
	t_strip_run(&r, t->str, t->len);
	ck_assert_str_eq(r.out->str, "Mac file:\n\nbye\n");
	t_assert_block(&r, 0, "binhex", "hello.txt", NULL, 0);
	eb = t_block(&r, 0);
	ck_assert_uint_eq(eb->eb_size, cut_len);
	mugai_digest_buf(t->str + cut_from, cut_len, hex);
	ck_assert_str_eq(eb->eb_sha256, hex);
	t_strip_done(&r);
	g_string_free(t, TRUE);
}
END_TEST

START_TEST(binhex_unterminated_ends_with_its_lines)
{
	const char *t = "(This file must be converted with BinHex 4.0)\n"
	    ":$f*TEQKPH#jdCA0d,R0TG!\"6594%8dP8)3#3\"!&m!*!%\n"
	    "Not binhex, this sentence.\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "Not binhex, this sentence.\n");
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(t_block(&r, 0)->eb_kind, "binhex");
	t_strip_done(&r);
}
END_TEST

START_TEST(pgp_message_armor_is_cut)
{
	const char *block = "-----BEGIN PGP MESSAGE-----\nVersion: GnuPG v2\n"
	    "\nhQEMA5tJ6Yv0Tb1XAQf/TX7u4hFQ+JWnOfFO0x2s\n=Ab1c\n"
	    "-----END PGP MESSAGE-----\n";
	g_autofree char *t = g_strconcat("Secret:\n", block, "Bye\n", NULL);
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "Secret:\nBye\n");
	t_assert_block(&r, 0, "armor", "PGP MESSAGE",
	    (const guchar *)block, strlen(block));
	t_strip_done(&r);
}
END_TEST

START_TEST(signed_message_keeps_text_loses_signature)
{
	const char *t = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
	    "The meeting is at 10:00.\n"
	    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=x2Qs\n"
	    "-----END PGP SIGNATURE-----\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "-----BEGIN PGP SIGNED MESSAGE-----\n"
	    "Hash: SHA256\n\nThe meeting is at 10:00.\n");
	t_assert_block(&r, 0, "armor", "PGP SIGNATURE", NULL, 0);
	t_strip_done(&r);
}
END_TEST

START_TEST(unterminated_certificate_ends_with_its_lines)
{
	const char *t = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n"
	    "\nplain words here\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "\nplain words here\n");
	t_assert_block(&r, 0, "armor", "CERTIFICATE", NULL, 0);
	t_strip_done(&r);
}
END_TEST

START_TEST(base64_run_of_four_is_cut)
{
	/* 4 x 21 bytes, base64 in 28-character lines */
	guchar *b = t_bytes(84);
	GString *t = g_string_new("top\n");
	struct t_strip r;

	for (int i = 0; i < 4; i++) {
		g_autofree char *l = g_base64_encode(b + 21 * i, 21);

		g_string_append_printf(t, "%s\n", l);
	}
	g_string_append(t, "bottom");
	t_strip_run(&r, t->str, t->len);
	ck_assert_str_eq(r.out->str, "top\nbottom");
	t_assert_block(&r, 0, "base64", NULL, b, 84);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

START_TEST(base64_run_of_three_is_kept)
{
	const char *t = "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nQUFBQUFBQUFBQUFBQUFBQUFB\n"
	    "QUFBQUFBQUFBQUFBQUFBQUFBQUFB\nshort\nQUFBQUFBQUFBQUFBQUFBQUFB";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_uint_eq(r.n, 0);
	ck_assert_str_eq(r.out->str, t);
	t_strip_done(&r);
}
END_TEST

START_TEST(several_blocks_in_order)
{
	const char *t = "a\n=ybegin line=128 name=y.bin\nkkk\n=yend\nb\n"
	    "-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\nc";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.out->str, "a\nb\nc");
	t_assert_block(&r, 0, "yenc", "y.bin", (const guchar *)"AAA", 3);
	t_assert_block(&r, 1, "armor", "PKCS7", NULL, 0);
	t_strip_done(&r);
}
END_TEST

/* Markers without data are prose: kept (mugai_textsafe defuses them). */
START_TEST(markers_without_data_are_kept)
{
	const char *t = "(This file must be converted with BinHex 4.0)\n\n"
	    "was the header of old Mac files.\n"
	    "-----BEGIN PGP MESSAGE-----\nVersion: 1\n\nis how it starts.\n"
	    "=ybegin is a yEnc header line.\n"
	    "=ybegin line=128 name=x.bin\n\nstarts a yEnc file.\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_uint_eq(r.n, 0);
	ck_assert_str_eq(r.out->str, t);
	t_strip_done(&r);
}
END_TEST

START_TEST(yenc_short_line_ends_unterminated_block)
{
	const char *t = "=ybegin line=8 size=9 name=n\nkkkkkkkk\nk\n"
	    "Next paragraph\n";
	struct t_strip r;

	t_strip_run(&r, t, strlen(t));
	ck_assert_str_eq(r.out->str, "Next paragraph\n");
	t_assert_block(&r, 0, "yenc", "n", (const guchar *)"AAAAAAAAA", 9);
	t_strip_done(&r);
}
END_TEST

START_TEST(plain_text_is_unchanged_and_found_may_be_null)
{
	const char *t = "日本語のテキスト。\nbegin\nend\n-----\n";
	GString *out = g_string_new("prefix:");

	ck_assert_uint_eq(mugai_encblock_strip(t, strlen(t), out, NULL), 0);
	ck_assert_str_eq(out->str + 7, t);
	ck_assert_uint_eq(mugai_encblock_strip("", 0, out, NULL), 0);
	g_string_free(out, TRUE);
}
END_TEST

/* 20 MB of uuencode: cut out whole, the decoded bytes exact. */
START_TEST(big_uuencoded_block_is_exact)
{
	gsize n = 15u << 20;
	guchar *b = t_bytes(n);
	GString *t = g_string_sized_new(21u << 20);
	struct t_strip r;

	g_string_append(t, "begin 644 big.iso\n");
	t_uuencode(t, b, n);
	g_string_append(t, "end\n");
	ck_assert_uint_gt(t->len, 20u << 20);
	t_strip_run(&r, t->str, t->len);
	ck_assert_uint_eq(r.out->len, 0);
	t_assert_block(&r, 0, "uuencode", "big.iso", b, n);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
}
END_TEST

/* One uuencoded block of about n bytes; the CPU ns the strip took. */
static gint64
uuencode_run(void *ctx, gsize n)
{
	gsize raw = n / 4 * 3;
	guchar *b = t_bytes(raw);
	GString *t = g_string_sized_new(n + 64);
	struct t_strip r;
	gint64 t0, ns;

	(void)ctx;
	g_string_append(t, "begin 644 big.iso\n");
	t_uuencode(t, b, raw);
	g_string_append(t, "end\n");
	t0 = t_cpu_ns();
	t_strip_run(&r, t->str, t->len);
	ns = t_cpu_ns() - t0;
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.out->len, 0);
	t_strip_done(&r);
	g_string_free(t, TRUE);
	g_free(b);
	return ns;
}

/* Begin lines of every kind and no end, about n bytes; CPU ns. */
static gint64
begins_run(void *ctx, gsize n)
{
	GString *t = g_string_new(NULL);
	struct t_strip r;
	gint64 t0, ns;

	(void)ctx;
	while (t->len < n)
		g_string_append(t, "begin 644 x\n#86)C\n=ybegin line=9 name=q\n"
		    "kk\n-----BEGIN X-----\nAAAA\n(This file must be "
		    "converted with BinHex\n:!!\n");
	t0 = t_cpu_ns();
	t_strip_run(&r, t->str, t->len);
	ns = t_cpu_ns() - t0;
	ck_assert_uint_eq(r.out->len, 0);	/* every line was in a block */
	ck_assert_uint_gt(r.n, 4 * (n / 120));
	t_strip_done(&r);
	g_string_free(t, TRUE);
	return ns;
}

/*
 * A big block, and many begin lines with no end (no forward search per
 * begin line), take CPU time in proportion to their size: under 96x for
 * 16x the input (quadratic would be about 256x). A ratio, not seconds.
 */
START_TEST(blocks_and_unterminated_begins_are_linear)
{
	gsize small = t_slow() ? 32u << 10 : 512u << 10;
	double g;

	g = t_growth(uuencode_run, NULL, small);
	fprintf(stderr, "encblock uuencode: %.1fx CPU for 16x input\n", g);
	ck_assert_msg(g < T_GROWTH_MAX, "uuencode: %.1fx the CPU time "
	    "for 16x the input", g);
	g = t_growth(begins_run, NULL, small);
	fprintf(stderr, "encblock begins: %.1fx CPU for 16x input\n", g);
	ck_assert_msg(g < T_GROWTH_MAX, "begin lines: %.1fx the CPU time "
	    "for 16x the input", g);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("encblock");

	t_timeout = 120;
	t_test(s, uuencode_is_cut_with_name_size_hash);
	t_test(s, uuencode_with_stripped_trailing_spaces_and_crlf);
	t_test(s, begin_base64_is_cut);
	t_test(s, unterminated_uuencode_ends_with_its_lines);
	t_test(s, begin_line_in_prose_is_kept);
	t_test(s, yenc_is_cut_and_decoded);
	t_test(s, yenc_part_and_unterminated);
	t_test(s, binhex_is_cut_with_header_name);
	t_test(s, binhex_unterminated_ends_with_its_lines);
	t_test(s, pgp_message_armor_is_cut);
	t_test(s, signed_message_keeps_text_loses_signature);
	t_test(s, unterminated_certificate_ends_with_its_lines);
	t_test(s, base64_run_of_four_is_cut);
	t_test(s, base64_run_of_three_is_kept);
	t_test(s, several_blocks_in_order);
	t_test(s, markers_without_data_are_kept);
	t_test(s, yenc_short_line_ends_unterminated_block);
	t_test(s, plain_text_is_unchanged_and_found_may_be_null);
	t_test(s, big_uuencoded_block_is_exact);
	t_test(s, blocks_and_unterminated_begins_are_linear);
	return t_run(s);
}
