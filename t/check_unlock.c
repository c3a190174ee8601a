/*
 * check_unlock - password-protected archives opened by mugai-extract
 * (lib/extract/unlock.h, extract/unlock.c): ZipCrypto and AES zips, CP932
 * and UTF-8 entry names, nested archives, an encrypted bomb, wrong
 * passwords, a 7z, damaged input, and the client's strict
 * reading of an answer
 *
 * The archives are written by libarchive (t/fixtures.c fx_archive());
 * the CP932 names are written as raw bytes in the C locale, so the zip
 * has no UTF-8 flag, as Japanese Windows writes it.
 */
#include "autoconfig.h"

#include <locale.h>
#include <string.h>

#include "extract/client.h"
#include "extract/unlock.h"
#include "fixtures.h"
#include "testutil.h"

#define PASS "s3cret-パス"

static struct mugai_extract_pool *
pool_new(void)
{
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p;
	enum mugai_err err;

	mugai_extract_opts_init(&o);
	o.eo_helper = MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 1;
	p = mugai_extract_pool_new(&o, &err);
	ck_assert_msg(p != NULL, "pool: %s", mugai_err_str(err));
	return p;
}

static void
limits(struct mugai_unlock_limits *l)
{
	l->ul_max_entries = 1000;
	l->ul_max_bytes = 64 * 1024 * 1024;
	l->ul_max_ratio = 100;
}

/* Opens zip with pass (NULL: PASS) and checks the status. */
static void
unlock(GBytes *zip, const char *pass, const struct mugai_unlock_limits *lim,
    enum mugai_unlock_status want, struct mugai_unlock_result *r)
{
	struct mugai_extract_pool *p = pool_new();
	struct mugai_unlock_limits def;
	gsize len;
	const void *d = g_bytes_get_data(zip, &len);

	if (lim == NULL) {
		limits(&def);
		lim = &def;
	}
	if (pass == NULL)
		pass = PASS;
	mugai_extract_unlock(p, d, len, pass, strlen(pass), lim, 0, r);
	ck_assert_msg(r->ur_status == want, "status %s (%s), want %s",
	    mugai_unlock_status_name(r->ur_status), r->ur_reason,
	    mugai_unlock_status_name(want));
	mugai_extract_pool_free(p);
}

static const struct mugai_unlock_entry *
entry(const struct mugai_unlock_result *r, guint i)
{
	ck_assert_uint_gt(r->ur_entries->len, i);
	return g_ptr_array_index(r->ur_entries, i);
}

static void
check_two_entries(const char *options)
{
	g_autoptr(GBytes) a = fx_text("見積書の本文です。\n");
	g_autoptr(GBytes) b = fx_fill(200000, 'x');
	struct fx_entry ents[] = { { "mitsumori.txt", a, FALSE },
	    { "dir/", NULL, FALSE }, { "dir/big.bin", b, FALSE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL, options, PASS, ents,
	    G_N_ELEMENTS(ents));
	struct mugai_unlock_result r;

	unlock(zip, NULL, NULL, MUGAI_UNLOCK_OK, &r);
	ck_assert_uint_eq(r.ur_entries->len, 2);	/* no directory */
	ck_assert_str_eq(entry(&r, 0)->ue_name, "mitsumori.txt");
	ck_assert(g_bytes_equal(entry(&r, 0)->ue_data, a));
	ck_assert_str_eq(entry(&r, 1)->ue_name, "dir/big.bin");
	ck_assert(g_bytes_equal(entry(&r, 1)->ue_data, b));
	mugai_unlock_result_clear(&r);
}

START_TEST(zipcrypto_opens_with_the_password)
{
	check_two_entries("zip:encryption=zipcrypt");
}
END_TEST

START_TEST(aes128_opens_with_the_password)
{
	check_two_entries("zip:encryption=aes128");
}
END_TEST

START_TEST(aes256_opens_with_the_password)
{
	check_two_entries("zip:encryption=aes256");
}
END_TEST

START_TEST(wrong_password_says_so)
{
	static const char *const opts[] = { "zip:encryption=zipcrypt",
	    "zip:encryption=aes128", "zip:encryption=aes256" };
	g_autoptr(GBytes) a = fx_text("secret\n");
	struct fx_entry e = { "a.txt", a, FALSE };

	for (gsize i = 0; i < G_N_ELEMENTS(opts); i++) {
		g_autoptr(GBytes) zip = fx_archive("zip", NULL, opts[i], PASS,
		    &e, 1);
		struct mugai_unlock_result r;

		/* Several wrong ones: ZipCrypto's check byte lets one in 256
		 * through, which must fail on the data instead. */
		for (int k = 0; k < 4; k++) {
			g_autofree char *pw = g_strdup_printf("wrong-%d", k);

			unlock(zip, pw, NULL, MUGAI_UNLOCK_WRONG_PASSWORD, &r);
			ck_assert_uint_eq(r.ur_entries->len, 0);
			mugai_unlock_result_clear(&r);
		}
	}
}
END_TEST

START_TEST(cp932_names_without_utf8_flag_are_converted)
{
	g_autoptr(GBytes) a = fx_text("a\n");
	g_autoptr(GBytes) b = fx_text("b\n");
	/* 見積書.txt and 請求書/明細.csv in CP932. */
	struct fx_entry ents[] = {
		{ "\x8c\xa9\x90\xcf\x8f\x91.txt", a, FALSE },
		{ "\x90\xbf\x8b\x81\x8f\x91/\x96\xbe\x8d\xd7.csv", b, FALSE },
	};
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", PASS, ents, G_N_ELEMENTS(ents));
	struct mugai_unlock_result r;

	unlock(zip, NULL, NULL, MUGAI_UNLOCK_OK, &r);
	ck_assert_uint_eq(r.ur_entries->len, 2);
	ck_assert_str_eq(entry(&r, 0)->ue_name, "見積書.txt");
	ck_assert_str_eq(entry(&r, 1)->ue_name, "請求書/明細.csv");
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(utf8_names_are_kept)
{
	g_autoptr(GBytes) a = fx_text("a\n");
	struct fx_entry e = { "議事録（第３回）.txt", a, FALSE };
	g_autoptr(GBytes) zip = NULL;
	struct mugai_unlock_result r;

	/* In a UTF-8 locale libarchive sets the zip's UTF-8 flag. */
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	zip = fx_archive("zip", NULL, "zip:encryption=aes256", PASS, &e, 1);
	setlocale(LC_CTYPE, "C");
	ck_assert_uint_ne(((const guint8 *)g_bytes_get_data(zip, NULL))[7] &
	    0x08, 0);

	unlock(zip, NULL, NULL, MUGAI_UNLOCK_OK, &r);
	ck_assert_str_eq(entry(&r, 0)->ue_name, "議事録（第３回）.txt");
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(nested_archive_is_an_entry)
{
	g_autoptr(GBytes) exe = fx_pe();
	struct fx_entry in = { "setup.exe", exe, FALSE };
	g_autoptr(GBytes) inner = fx_archive("zip", NULL, NULL, NULL, &in, 1);
	struct fx_entry out = { "inner.zip", inner, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=aes128", PASS, &out, 1);
	struct mugai_unlock_result r;

	unlock(zip, NULL, NULL, MUGAI_UNLOCK_OK, &r);
	ck_assert_uint_eq(r.ur_entries->len, 1);
	ck_assert_str_eq(entry(&r, 0)->ue_name, "inner.zip");
	ck_assert(g_bytes_equal(entry(&r, 0)->ue_data, inner));
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(encrypted_bomb_stops_at_the_limits)
{
	g_autoptr(GBytes) zeros = fx_zeros(8 * 1024 * 1024);
	struct fx_entry ents[] = { { "a.bin", zeros, FALSE },
	    { "b.bin", zeros, FALSE }, { "c.bin", zeros, FALSE } };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=aes256", PASS, ents, G_N_ELEMENTS(ents));
	struct mugai_unlock_limits lim;
	struct mugai_unlock_result r;

	/* 24 MiB of zeros from some KiB: far past a ratio of 100. */
	unlock(zip, NULL, NULL, MUGAI_UNLOCK_OVER_LIMIT, &r);
	ck_assert_str_eq(r.ur_reason, "archive_max_ratio");
	mugai_unlock_result_clear(&r);
	limits(&lim);
	lim.ul_max_ratio = 1000000;
	lim.ul_max_bytes = 10 * 1024 * 1024;
	unlock(zip, NULL, &lim, MUGAI_UNLOCK_OVER_LIMIT, &r);
	ck_assert_str_eq(r.ur_reason, "archive_max_bytes");
	mugai_unlock_result_clear(&r);
	limits(&lim);
	lim.ul_max_ratio = 1000000;
	lim.ul_max_entries = 2;
	unlock(zip, NULL, &lim, MUGAI_UNLOCK_OVER_LIMIT, &r);
	ck_assert_str_eq(r.ur_reason, "archive_max_entries");
	ck_assert_uint_eq(r.ur_entries->len, 0);
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(archive_larger_than_max_bytes_is_not_sent)
{
	g_autoptr(GBytes) a = fx_fill(4096, 'q');
	struct fx_entry e = { "a.txt", a, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", PASS, &e, 1);
	struct mugai_unlock_limits lim;
	struct mugai_unlock_result r;

	limits(&lim);
	lim.ul_max_bytes = 100;
	unlock(zip, NULL, &lim, MUGAI_UNLOCK_OVER_LIMIT, &r);
	ck_assert_str_eq(r.ur_reason, "archive_max_bytes");
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(plain_7z_opens)
{
	g_autoptr(GBytes) a = fx_text("seven\n");
	struct fx_entry e = { "seven.txt", a, FALSE };
	g_autoptr(GBytes) plain = fx_archive("7zip", NULL, NULL, NULL, &e, 1);
	struct mugai_unlock_result r;

	unlock(plain, NULL, NULL, MUGAI_UNLOCK_OK, &r);
	ck_assert_str_eq(entry(&r, 0)->ue_name, "seven.txt");
	ck_assert(g_bytes_equal(entry(&r, 0)->ue_data, a));
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(damaged_and_not_an_archive)
{
	g_autoptr(GBytes) text = fx_text("just some text, no archive\n");
	g_autoptr(GBytes) a = fx_fill(50000, 'z');
	struct fx_entry e = { "a.txt", a, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=aes128", PASS, &e, 1);
	gsize len;
	const guint8 *d = g_bytes_get_data(zip, &len);
	g_autoptr(GBytes) cut = g_bytes_new(d, len / 2);
	struct mugai_unlock_result r;

	unlock(text, NULL, NULL, MUGAI_UNLOCK_DAMAGED, &r);
	mugai_unlock_result_clear(&r);
	/* Half a zip: no central directory. */
	unlock(cut, NULL, NULL, MUGAI_UNLOCK_DAMAGED, &r);
	mugai_unlock_result_clear(&r);
}
END_TEST

START_TEST(empty_or_nul_password_is_refused_without_a_helper)
{
	g_autoptr(GBytes) a = fx_text("a\n");
	struct fx_entry e = { "a.txt", a, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", PASS, &e, 1);
	struct mugai_extract_pool *p = pool_new();
	struct mugai_unlock_limits lim;
	struct mugai_unlock_result r;
	gsize len;
	const void *d = g_bytes_get_data(zip, &len);

	limits(&lim);
	mugai_extract_unlock(p, d, len, "", 0, &lim, 0, &r);
	ck_assert_int_eq(r.ur_status, MUGAI_UNLOCK_WRONG_PASSWORD);
	mugai_unlock_result_clear(&r);
	mugai_extract_unlock(p, d, len, "a\0b", 3, &lim, 0, &r);
	ck_assert_int_eq(r.ur_status, MUGAI_UNLOCK_WRONG_PASSWORD);
	mugai_unlock_result_clear(&r);
	mugai_extract_pool_free(p);
}
END_TEST

/* The client's reading of an answer, on hand-made streams. */
static const char *
take(const char *s, gsize len, struct mugai_unlock_result *r)
{
	struct mugai_unlock_limits lim;

	limits(&lim);
	lim.ul_max_entries = 3;
	lim.ul_max_bytes = 10;
	return mugai_unlock_answer_take((const guint8 *)s, len, &lim, r);
}

START_TEST(answers_are_read_strictly)
{
	static const struct { const char *name, *s; const char *why; } c[] = {
		{ "ok", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=21\nE size=2 name=3\nabchi", NULL },
		{ "length short", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=22\nE size=2 name=3\nabchi", "short_answer" },
		{ "trailing", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=22\nE size=2 name=3\nabchix", "bad_answer" },
		{ "wrong with data", "MUGAI-UNLOCK/1 status=wrong_password "
		  "reason=- entries=0 length=1\nx", "bad_answer" },
		{ "too many", "MUGAI-UNLOCK/1 status=ok reason=- entries=4 "
		  "length=0\n", "over_limit" },
		{ "too big", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=29\nE size=11 name=1\naxxxxxxxxxxx", "over_limit" },
		{ "name newline", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=21\nE size=2 name=3\na\nchi", "bad_answer" },
		{ "name latin1", "MUGAI-UNLOCK/1 status=ok reason=- entries=1 "
		  "length=21\nE size=2 name=3\na\xe9" "chi", "bad_answer" },
		{ "client status", "MUGAI-UNLOCK/1 status=failed reason=- "
		  "entries=0 length=0\n", "bad_answer" },
		{ "leading zero", "MUGAI-UNLOCK/1 status=ok reason=- entries=01 "
		  "length=0\n", "bad_answer" },
		{ "extract magic", "MUGAI-EXTRACT/1 status=ok kind=- pages=0 "
		  "reason=- length=0\n", "bad_answer" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(c); i++) {
		struct mugai_unlock_result r;
		const char *why = take(c[i].s, strlen(c[i].s), &r);

		if (c[i].why == NULL)
			ck_assert_msg(why == NULL, "%s: %s", c[i].name, why);
		else
			ck_assert_msg(why != NULL && strcmp(why, c[i].why) ==
			    0, "%s: %s", c[i].name, why ? why : "accepted");
		mugai_unlock_result_clear(&r);
	}
}
END_TEST

START_TEST(request_lines_parse_strictly)
{
	struct mugai_unlock_request rq = { 10, 5, 1000, 4096, 100 }, back;
	g_autofree char *line = mugai_unlock_request_format(&rq);

	ck_assert_str_eq(line, "MUGAI-UNLOCK/1 size=10 pass=5 entries=1000 "
	    "bytes=4096 ratio=100\n");
	ck_assert(mugai_unlock_request_parse(line, strlen(line), &back));
	ck_assert(memcmp(&rq, &back, sizeof rq) == 0);
	ck_assert(!mugai_unlock_request_parse(line, strlen(line) - 1, &back));
	rq.uq_pass = MUGAI_UNLOCK_PASS_MAX + 1;
	g_free(line);
	line = mugai_unlock_request_format(&rq);
	ck_assert(!mugai_unlock_request_parse(line, strlen(line), &back));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("unlock");

	t_test(s, zipcrypto_opens_with_the_password);
	t_test(s, aes128_opens_with_the_password);
	t_test(s, aes256_opens_with_the_password);
	t_test(s, wrong_password_says_so);
	t_test(s, cp932_names_without_utf8_flag_are_converted);
	t_test(s, utf8_names_are_kept);
	t_test(s, nested_archive_is_an_entry);
	t_test(s, encrypted_bomb_stops_at_the_limits);
	t_test(s, archive_larger_than_max_bytes_is_not_sent);
	t_test(s, plain_7z_opens);
	t_test(s, damaged_and_not_an_archive);
	t_test(s, empty_or_nul_password_is_refused_without_a_helper);
	t_test(s, answers_are_read_strictly);
	t_test(s, request_lines_parse_strictly);
	return t_run(s);
}
