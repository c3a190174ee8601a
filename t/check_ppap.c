/*
 * check_ppap - a quarantined password-protected zip opened for its
 * recipients (lib/ppap/ppap.h): the new message through the policy (an
 * executable removed, a document and a nested archive listed), the two
 * items linked, the rate limit and its window, a zip inside a zip opened
 * in turn, a part that is not there, and the password in no file
 *
 * Each test stores a PPAP mail (t/fixtures.c archives) in a store of its
 * own and opens it with the helper the build made; the clock of the rate
 * limit is the request's pr_now.
 */
#include "autoconfig.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "extract/client.h"
#include "ppap/ppap.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "fixtures.h"
#include "testutil.h"

#define PASS "himitsu-2025"
#define T0 G_GINT64_CONSTANT(1765000000)

struct env {
	char *dir;
	struct mugai_config *cf;
	struct mugai_quarantine *q;
	struct mugai_extract_pool *pool;
};

static void
env_up(struct env *e)
{
	struct mugai_extract_opts o;
	enum mugai_err err;
	g_autofree char *tmp = g_dir_make_tmp("mugai-ppap-XXXXXX", NULL);

	ck_assert_ptr_nonnull(tmp);
	e->dir = g_build_filename(tmp, "store", NULL);
	e->cf = mugai_config_new_default();
	e->q = mugai_quarantine_open(e->dir, NULL, &err);
	ck_assert_msg(e->q != NULL, "store: %s", mugai_err_str(err));
	mugai_extract_opts_init(&o);
	o.eo_helper = MUGAI_TEST_EXTRACT;
	o.eo_pool_size = 1;
	e->pool = mugai_extract_pool_new(&o, &err);
	ck_assert_msg(e->pool != NULL, "pool: %s", mugai_err_str(err));
}

static void
env_down(struct env *e)
{
	g_autofree char *parent = g_path_get_dirname(e->dir);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", parent);

	mugai_extract_pool_free(e->pool);
	mugai_quarantine_close(e->q);
	mugai_config_unref(e->cf);
	ck_assert_int_eq(system(cmd), 0);
	g_free(e->dir);
}

/* A mail with zip (base64) as part 1.2 named name, stored; its ID. */
static char *
store_mail(struct env *e, GBytes *zip, const char *name)
{
	const char *const rcpts[] = { "<staff@city.example.lg.jp>", NULL };
	struct mugai_envelope env = { NULL, NULL, NULL, NULL,
	    "<taro@sender.example>", rcpts, NULL };
	gsize len;
	const guint8 *d = g_bytes_get_data(zip, &len);
	g_autofree char *b64 = g_base64_encode(d, len);
	g_autofree char *msg = g_strdup_printf("From: Taro "
	    "<taro@sender.example>\nTo: staff@city.example.lg.jp\n"
	    "Subject: quote\nMIME-Version: 1.0\nContent-Type: "
	    "multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
	    "The password follows.\n--B\nContent-Type: application/zip; "
	    "name=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n--B--\n",
	    name, b64);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	char *id = mugai_qid_new();

	ck_assert_int_eq(mugai_quarantine_store(e->q, id, s, &env, NULL,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	return id;
}

static enum mugai_ppap_status
try_open(struct env *e, const char *id, const char *part, const char *pass,
    gint64 now, struct mugai_ppap_result *r)
{
	struct mugai_ppap_req rq;

	memset(&rq, 0, sizeof rq);
	rq.pr_cf = e->cf;
	rq.pr_q = e->q;
	rq.pr_pool = e->pool;
	rq.pr_id = id;
	rq.pr_part = part;
	rq.pr_pass = pass;
	rq.pr_pass_len = strlen(pass);
	rq.pr_actor = "tester";
	rq.pr_now = now;
	ck_assert_int_eq(mugai_ppap_open(&rq, r), MUGAI_OK);
	return r->po_status;
}

/* The whole file name of item id, as text (NUL-terminated). */
static char *
item_file(struct env *e, const char *id, const char *name)
{
	int fd = mugai_qdir_open_item(mugai_quarantine_fd(e->q), id);
	gsize len;
	char *t;

	ck_assert_int_ge(fd, 0);
	t = mugai_qdir_read(fd, name, (uid_t)-1, 16 << 20, &len);
	close(fd);
	ck_assert_msg(t != NULL, "%s/%s", id, name);
	return t;
}

static GBytes *
ppap_zip(void)
{
	g_autoptr(GBytes) txt = fx_text("見積もり合計 12,000 円\n");
	g_autoptr(GBytes) exe = fx_pe();
	g_autoptr(GBytes) docx = fx_ooxml(FALSE);
	g_autoptr(GBytes) inner_txt = fx_text("inner\n");
	struct fx_entry in = { "memo.txt", inner_txt, FALSE };
	g_autoptr(GBytes) inner = fx_archive("zip", NULL,
	    "zip:encryption=zipcrypt", "inner-pw", &in, 1);
	struct fx_entry ents[] = { { "mitsumori.txt", txt, FALSE },
	    { "tool/setup.exe", exe, FALSE }, { "report.docx", docx, FALSE },
	    { "more.zip", inner, FALSE } };

	return fx_archive("zip", NULL, "zip:encryption=aes256", PASS, ents,
	    G_N_ELEMENTS(ents));
}

START_TEST(opened_entries_go_through_the_policy)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autoptr(GBytes) zip = ppap_zip();
	g_autofree char *id = NULL, *meta = NULL, *state = NULL;
	g_autofree char *link = NULL, *msg = NULL, *built = NULL;

	env_up(&e);
	id = store_mail(&e, zip, "mitsumori.zip");
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0, &r),
	    MUGAI_PPAP_OPENED);
	ck_assert_uint_eq(r.po_entries, 4);
	ck_assert_str_eq(r.po_archive, "mitsumori.zip");
	ck_assert_str_eq(r.po_rcpts[0], "<staff@city.example.lg.jp>");
	msg = g_strndup(g_bytes_get_data(r.po_message, NULL),
	    g_bytes_get_size(r.po_message));
	/* The result is plain text with the notice: nothing of the entries'
	 * bytes, every entry named. */
	ck_assert_ptr_null(strstr(msg, "multipart"));
	ck_assert_ptr_nonnull(strstr(msg, "X-Mugai-Sanitized:"));
	/* The new item: the built message, its report, the link. */
	meta = item_file(&e, r.po_new_id, "meta.json");
	ck_assert_ptr_nonnull(strstr(meta, "\"executable\""));
	ck_assert_ptr_nonnull(strstr(meta, "setup.exe"));
	ck_assert_ptr_nonnull(strstr(meta, "report.docx"));
	ck_assert_ptr_nonnull(strstr(meta, "\"encrypted\""));
	built = item_file(&e, r.po_new_id, "original.eml");
	ck_assert_ptr_nonnull(strstr(built, "Subject: =?"));
	link = item_file(&e, r.po_new_id, MUGAI_PPAP_STATE);
	ck_assert_ptr_nonnull(strstr(link, id));
	ck_assert_ptr_nonnull(strstr(link, "tool/setup.exe"));
	state = item_file(&e, id, MUGAI_PPAP_STATE);
	ck_assert_ptr_nonnull(strstr(state, r.po_new_id));
	ck_assert_ptr_nonnull(strstr(state, "\"sha256\""));
	ck_assert_ptr_null(strstr(state, PASS));
	ck_assert_ptr_null(strstr(meta, PASS));
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

START_TEST(zip_inside_is_opened_in_turn)
{
	struct env e;
	struct mugai_ppap_result r, r2;
	g_autoptr(GBytes) zip = ppap_zip();
	g_autofree char *id = NULL;

	env_up(&e);
	id = store_mail(&e, zip, "mitsumori.zip");
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0, &r),
	    MUGAI_PPAP_OPENED);
	/* Part 1.5 of the new message: more.zip, itself encrypted. */
	ck_assert_int_eq(try_open(&e, r.po_new_id, "1.5", "inner-pw", T0,
	    &r2), MUGAI_PPAP_OPENED);
	ck_assert_uint_eq(r2.po_entries, 1);
	ck_assert_str_eq(r2.po_archive, "more.zip");
	mugai_ppap_result_clear(&r2);
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

START_TEST(five_wrong_passwords_lock_the_item_for_ten_minutes)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autoptr(GBytes) zip = ppap_zip();
	g_autofree char *id = NULL, *other = NULL, *state = NULL;

	env_up(&e);
	id = store_mail(&e, zip, "a.zip");
	other = store_mail(&e, zip, "b.zip");
	for (guint i = 0; i < MUGAI_PPAP_MAX_FAILURES; i++) {
		ck_assert_int_eq(try_open(&e, id, "1.2", "nope", T0 + i, &r),
		    MUGAI_PPAP_WRONG_PASSWORD);
		ck_assert_uint_eq(r.po_tries_left,
		    MUGAI_PPAP_MAX_FAILURES - 1 - i);
		mugai_ppap_result_clear(&r);
	}
	/* Even the right password waits now; another item does not. */
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0 + 10, &r),
	    MUGAI_PPAP_RATE_LIMITED);
	mugai_ppap_result_clear(&r);
	ck_assert_int_eq(try_open(&e, other, "1.2", PASS, T0 + 10, &r),
	    MUGAI_PPAP_OPENED);
	mugai_ppap_result_clear(&r);
	/* Once the first failure is ten minutes old, one try is back. */
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0 + 599, &r),
	    MUGAI_PPAP_RATE_LIMITED);
	mugai_ppap_result_clear(&r);
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0 + MUGAI_PPAP_WINDOW,
	    &r), MUGAI_PPAP_OPENED);
	mugai_ppap_result_clear(&r);
	state = item_file(&e, id, MUGAI_PPAP_STATE);
	ck_assert_ptr_null(strstr(state, "nope"));
	env_down(&e);
}
END_TEST

START_TEST(missing_part_and_non_archive_do_not_count)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autoptr(GBytes) zip = ppap_zip();
	g_autofree char *id = NULL;

	env_up(&e);
	id = store_mail(&e, zip, "a.zip");
	ck_assert_int_eq(try_open(&e, id, "1.7", PASS, T0, &r),
	    MUGAI_PPAP_NO_PART);
	mugai_ppap_result_clear(&r);
	ck_assert_int_eq(try_open(&e, id, "1", PASS, T0, &r),
	    MUGAI_PPAP_NO_PART);		/* a container */
	mugai_ppap_result_clear(&r);
	ck_assert_int_eq(try_open(&e, id, "1.1", PASS, T0, &r),
	    MUGAI_PPAP_DAMAGED);
	ck_assert_uint_eq(r.po_tries_left, MUGAI_PPAP_MAX_FAILURES);
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

START_TEST(encrypted_bomb_is_over_limit)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autoptr(GBytes) zeros = fx_zeros(16 * 1024 * 1024);
	struct fx_entry ent = { "zeros.bin", zeros, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=aes128", PASS, &ent, 1);
	g_autofree char *id = NULL;

	env_up(&e);
	id = store_mail(&e, zip, "bomb.zip");
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0, &r),
	    MUGAI_PPAP_OVER_LIMIT);
	ck_assert_str_eq(r.po_reason, "archive_max_ratio");
	ck_assert_ptr_null(r.po_new_id);
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

/* The decoded text of the sanitized message (transfer full). */
static char *
body_text(const struct mugai_ppap_result *r)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(
	    g_bytes_get_data(r->po_message, NULL),
	    g_bytes_get_size(r->po_message));
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	char *text;

	ck_assert_ptr_nonnull(m);
	ck_assert(GMIME_IS_TEXT_PART(m->mime_part));
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(m->mime_part));
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return text;
}

START_TEST(names_from_the_archive_stay_on_mugais_lines)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autoptr(GBytes) txt = fx_text("x\n");
	/* U+202E and U+2028 in an entry name. */
	struct fx_entry ent = { "a\xe2\x80\xaetxt.exe\xe2\x80\xa8"
	    "\xe3\x80\x90mugai\xe3\x80\x91 safe", txt, FALSE };
	g_autoptr(GBytes) zip = NULL;
	g_autofree char *id = NULL, *built = NULL;

	/* In a UTF-8 locale the name goes in as UTF-8. */
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	zip = fx_archive("zip", NULL, "zip:encryption=aes128", PASS, &ent, 1);
	setlocale(LC_CTYPE, "C");
	env_up(&e);
	id = store_mail(&e, zip, "a.zip");
	ck_assert_int_eq(try_open(&e, id, "1.2", PASS, T0, &r),
	    MUGAI_PPAP_OPENED);
	built = body_text(&r);
	/* The intro names the entry, escaped. */
	ck_assert_ptr_nonnull(strstr(built, "1. a\\u202etxt.exe\\u2028"));
	ck_assert_ptr_null(strstr(built, "\xe2\x80\xae"));
	ck_assert_ptr_null(strstr(built, "\xe2\x80\xa8"));
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

START_TEST(missing_item_is_not_found)
{
	struct env e;
	struct mugai_ppap_result r;
	g_autofree char *id = mugai_qid_new();
	struct mugai_ppap_req rq;

	env_up(&e);
	memset(&rq, 0, sizeof rq);
	rq.pr_cf = e.cf;
	rq.pr_q = e.q;
	rq.pr_pool = e.pool;
	rq.pr_id = id;
	rq.pr_part = "1.2";
	rq.pr_pass = PASS;
	rq.pr_pass_len = strlen(PASS);
	ck_assert_int_eq(mugai_ppap_open(&rq, &r), MUGAI_E_NOTFOUND);
	mugai_ppap_result_clear(&r);
	rq.pr_id = "../../etc";
	ck_assert_int_eq(mugai_ppap_open(&rq, &r), MUGAI_E_INVAL);
	mugai_ppap_result_clear(&r);
	env_down(&e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ppap");

	mugai_sanitize_init();
	t_test(s, opened_entries_go_through_the_policy);
	t_test(s, zip_inside_is_opened_in_turn);
	t_test(s, five_wrong_passwords_lock_the_item_for_ten_minutes);
	t_test(s, missing_part_and_non_archive_do_not_count);
	t_test(s, encrypted_bomb_is_over_limit);
	t_test(s, names_from_the_archive_stay_on_mugais_lines);
	t_test(s, missing_item_is_not_found);
	return t_run(s);
}
