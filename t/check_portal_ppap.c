/*
 * check_portal_ppap - the portal's PPAP form without a server
 * (portal/ppap.c): which parts get a password field and for whom, a
 * wrong password said plainly with the tries left, the limit of 5 tries
 * per 10 minutes per item and user and its window, the opened archive
 * delivered to the user alone (an administrator: to every recipient),
 * and the password in no file of the store nor in what was delivered.
 *
 * Each case stores one PPAP mail (an AES-256 zip of t/fixtures.c) with
 * the report the archive scan writes for it, in a store of its own, and
 * opens it with the helper the build made; the submit command is a shell
 * script that keeps its arguments and input. The four functions of
 * pages.c that ppap.c calls are replaced below by small test doubles (no
 * HTTP server here): mugai_portal_ppap_try() and the form are what is
 * tested; t/portal.sh and the browser test drive the pages over HTTPS.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "base/report.h"
#include "core/config.h"
#include "portal/role.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "store/quarantine.h"
#include "fixtures.h"
#include "keeper.h"
#include "portal.h"	/* portal/, through the CPPFLAGS */
#include "ppap.h"
#include "session.h"
#include "testutil.h"

#define PASS "Mitsumori-2025-himitsu"
#define STAFF "staff@city.example.lg.jp"

/* ---- pages.c, not linked here ---- */

JsonObject *
mugai_portal_item_access(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    char ***rcpts)
{
	ck_abort_msg("not used");
	return NULL;
}

void
mugai_portal_item_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    const char *note_ja, const char *note_en)
{
	ck_abort_msg("not used");
}

void
mugai_portal_error_page(SoupServerMessage *msg, struct mugai_session *s,
    guint status, const char *ja, const char *en)
{
	ck_abort_msg("not used");
}

void
mugai_portal_audit(struct mugai_portal *po, const char *event,
    const char *id, const char *actor, gboolean ok, SoupServerMessage *msg,
    const char *k1, const char *v1)
{
	ck_abort_msg("not used");
}

/* keeper.c's: without a keeper it tries in this process (as here). */
void
mugai_keeper_ppap_try(struct mugai_portal *po, const char *user,
    JsonObject *meta, char **rcpts, const char *id, const char *part,
    const char *pass, gsize pass_len, struct mugai_portal_ppap_result *r)
{
	mugai_portal_ppap_try(po, user, meta, rcpts, id, part, pass,
	    pass_len, r);
}

/* ---- the fixture ---- */

struct fx {
	char *dir;
	struct mugai_portal po;
	char *id;
	JsonObject *meta;
	char **rcpts;
};

static gint64 clock_now = G_GINT64_CONSTANT(1000) * G_USEC_PER_SEC;

static gint64
test_clock(void)
{
	return clock_now;
}

static void
fx_up(struct fx *f, gboolean encrypted)
{
	const char *const rcpts[] = { "<staff@city.example.lg.jp>",
	    "<other@city.example.lg.jp>", NULL };
	struct mugai_envelope env = { NULL, NULL, NULL, NULL,
	    "<taro@sender.example>", rcpts, NULL };
	g_autoptr(GBytes) txt = fx_text("見積もり合計 12,000 円\n");
	struct fx_entry ent = { "mitsumori.txt", txt, FALSE };
	g_autoptr(GBytes) zip = fx_archive("zip", NULL,
	    "zip:encryption=aes256", PASS, &ent, 1);
	g_autofree char *b64 = g_base64_encode(g_bytes_get_data(zip, NULL),
	    g_bytes_get_size(zip));
	g_autofree char *msg = g_strdup_printf("From: Taro "
	    "<taro@sender.example>\nTo: staff@city.example.lg.jp\n"
	    "Subject: quote\nMIME-Version: 1.0\nContent-Type: "
	    "multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
	    "The password follows.\n--B\nContent-Type: application/zip; "
	    "name=\"mitsumori.zip\"\nContent-Transfer-Encoding: base64\n\n"
	    "%s\n--B--\n", b64);
	g_autofree char *script = NULL, *store = NULL, *why = NULL;
	char *admins[] = { (char *)"admin@city.example.lg.jp", NULL };
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;
	GMimeStream *s;
	enum mugai_err err;
	int fd;

	f->dir = g_dir_make_tmp("mugai-pppap-XXXXXX", NULL);
	ck_assert_ptr_nonnull(f->dir);
	store = g_build_filename(f->dir, "store", NULL);
	script = g_strdup_printf("%s/submit.sh", f->dir);
	ck_assert(g_file_set_contents(script, "#!/bin/sh\nd=$(dirname \"$0\")"
	    "\necho \"$@\" >>\"$d/args\"\ncat >>\"$d/mail\"\n", -1, NULL));
	memset(&f->po, 0, sizeof f->po);
	f->po.po_cf = mugai_config_new_default();
	g_free(f->po.po_cf->cf_submit_command);
	f->po.po_cf->cf_submit_command = g_strdup_printf("/bin/sh '%s' -i",
	    script);
	f->po.po_q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_msg(f->po.po_q != NULL, "store: %s", mugai_err_str(err));
	f->po.po_top = mugai_quarantine_fd(f->po.po_q);
	f->po.po_owner = (uid_t)-1;
	f->po.po_roles = mugai_roles_new(NULL, admins, NULL, &why);
	ck_assert_ptr_nonnull(f->po.po_roles);
	f->po.po_helper = g_strdup(MUGAI_TEST_EXTRACT);

	r->rr_verdict = MUGAI_V_SANITIZED;
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_action = MUGAI_ACT_TEXT;
	p = mugai_report_add_part(r, "1.2", "part");
	p->rp_filename = g_strdup("mitsumori.zip");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	if (encrypted)
		mugai_report_part_flag(p, "encrypted");
	f->id = mugai_qid_new();
	s = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
	ck_assert_int_eq(mugai_quarantine_store(f->po.po_q, f->id, s, &env, r,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	mugai_report_free(r);
	fd = mugai_qdir_open_item(f->po.po_top, f->id);
	ck_assert_int_ge(fd, 0);
	f->meta = mugai_quarantine_read_meta_at(fd, &err);
	close(fd);
	ck_assert_ptr_nonnull(f->meta);
	f->rcpts = g_strdupv((char **)rcpts);
	mugai_session_clock = test_clock;
}

static void
fx_down(struct fx *f)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	mugai_session_clock = NULL;
	json_object_unref(f->meta);
	g_strfreev(f->rcpts);
	mugai_quarantine_close(f->po.po_q);
	mugai_roles_free(f->po.po_roles);
	mugai_config_unref(f->po.po_cf);
	g_free(f->po.po_helper);
	if (f->po.po_ppap_tries != NULL)
		g_hash_table_destroy(f->po.po_ppap_tries);
	ck_assert_int_eq(system(cmd), 0);
	g_free(f->dir);
	g_free(f->id);
}

static enum mugai_portal_ppap_outcome
try(struct fx *f, const char *user, const char *pass,
    struct mugai_portal_ppap_result *r)
{
	mugai_portal_ppap_try(&f->po, user, f->meta, f->rcpts, f->id, "1.2",
	    pass, strlen(pass), r);
	return r->pp_outcome;
}

/* How often needle is in the file dir/name ("" when none). */
static guint
count_in(const char *dir, const char *name, const char *needle)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autofree char *text = NULL;
	guint n = 0;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- the cases ---- */

START_TEST(form_only_for_encrypted_archives_and_recipients)
{
	struct fx f;
	struct mugai_sessions *t = mugai_sessions_new(G_USEC_PER_SEC * 600);
	struct mugai_session *staff = mugai_sessions_create(t, STAFF);
	struct mugai_session *b = mugai_sessions_create(t,
	    "b@city.example.lg.jp");
	struct mugai_session *admin = mugai_sessions_create(t,
	    "admin@city.example.lg.jp");
	GString *out = g_string_new(NULL);
	g_autofree char *action = NULL;

	fx_up(&f, TRUE);
	action = g_strdup_printf("action=\"/item/%s/ppap\"", f.id);
	mugai_portal_ppap_form(out, &f.po, staff, f.meta, f.rcpts, f.id,
	    "MAC");
	ck_assert_ptr_nonnull(strstr(out->str, action));
	ck_assert_ptr_nonnull(strstr(out->str, "type=\"password\""));
	ck_assert_ptr_nonnull(strstr(out->str, "name=\"part\" value=\"1.2\""));
	ck_assert_ptr_nonnull(strstr(out->str, "「mitsumori.zip」"));
	g_string_truncate(out, 0);
	mugai_portal_ppap_form(out, &f.po, b, f.meta, f.rcpts, f.id, "MAC");
	ck_assert_uint_eq(out->len, 0);
	mugai_portal_ppap_form(out, &f.po, admin, f.meta, f.rcpts, f.id,
	    "MAC");
	ck_assert_ptr_nonnull(strstr(out->str, action));
	fx_down(&f);

	/* The same zip, not marked encrypted: no field, no try. */
	fx_up(&f, FALSE);
	g_string_truncate(out, 0);
	mugai_portal_ppap_form(out, &f.po, staff, f.meta, f.rcpts, f.id,
	    "MAC");
	ck_assert_uint_eq(out->len, 0);
	{
		struct mugai_portal_ppap_result r;

		ck_assert_int_eq(try(&f, STAFF, PASS, &r),
		    MUGAI_PORTAL_PPAP_NO_ARCHIVE);
		mugai_portal_ppap_result_clear(&r);
	}
	fx_down(&f);
	g_string_free(out, TRUE);
	mugai_sessions_free(t);
}
END_TEST

START_TEST(wrong_password_then_the_limit_and_its_window)
{
	struct fx f;
	struct mugai_portal_ppap_result r;
	g_autofree char *store = NULL;

	fx_up(&f, TRUE);
	store = g_build_filename(f.dir, "store", NULL);
	for (guint i = 0; i < MUGAI_PORTAL_PPAP_TRIES; i++) {
		ck_assert_int_eq(try(&f, STAFF, "wrong-xyzzy", &r),
		    MUGAI_PORTAL_PPAP_WRONG);
		ck_assert_uint_eq(r.pp_tries_left,
		    MUGAI_PORTAL_PPAP_TRIES - 1 - i);
		mugai_portal_ppap_result_clear(&r);
		clock_now += 10 * G_USEC_PER_SEC;
	}
	ck_assert_uint_eq(count_in(store, "audit.log", "\"event\":\"opened\""),
	    MUGAI_PORTAL_PPAP_TRIES);
	/* The sixth, even right, does not reach the archive. */
	ck_assert_int_eq(try(&f, STAFF, PASS, &r), MUGAI_PORTAL_PPAP_LIMITED);
	mugai_portal_ppap_result_clear(&r);
	ck_assert_uint_eq(count_in(store, "audit.log", "\"event\":\"opened\""),
	    MUGAI_PORTAL_PPAP_TRIES);
	ck_assert_uint_eq(count_in(f.dir, "args", "@"), 0);
	/* Ten minutes after the first try, the first place is free again:
	 * the try reaches lib/ppap, whose own limit (all users, wall
	 * clock) still holds. */
	clock_now += MUGAI_PORTAL_PPAP_WINDOW - 40 * G_USEC_PER_SEC;
	ck_assert_int_eq(try(&f, STAFF, PASS, &r), MUGAI_PORTAL_PPAP_LIMITED);
	mugai_portal_ppap_result_clear(&r);
	ck_assert_uint_eq(count_in(store, "audit.log", "\"event\":\"opened\""),
	    MUGAI_PORTAL_PPAP_TRIES + 1);
	ck_assert_uint_eq(count_in(store, "audit.log", "wrong-xyzzy"), 0);
	fx_down(&f);
}
END_TEST

START_TEST(right_password_delivers_to_the_user_only)
{
	struct fx f;
	struct mugai_portal_ppap_result r;
	g_autofree char *store = NULL, *cmd = NULL, *args = NULL;

	fx_up(&f, TRUE);
	store = g_build_filename(f.dir, "store", NULL);
	ck_assert_int_eq(try(&f, STAFF, "wrong-xyzzy", &r),
	    MUGAI_PORTAL_PPAP_WRONG);
	mugai_portal_ppap_result_clear(&r);
	ck_assert_int_eq(try(&f, STAFF, PASS, &r), MUGAI_PORTAL_PPAP_OPENED);
	ck_assert_str_eq(r.pp_archive, "mitsumori.zip");
	ck_assert(mugai_qid_valid(r.pp_new_id));
	ck_assert_str_ne(r.pp_new_id, f.id);
	args = g_build_filename(f.dir, "args", NULL);
	ck_assert(g_file_get_contents(args, &cmd, NULL, NULL));
	ck_assert_str_eq(cmd, "-i " STAFF "\n");
	ck_assert_uint_eq(count_in(f.dir, "mail", "X-Mugai-Sanitized:"), 1);
	/* The subject: パスワード付きZIP「mitsumori.zip」の内容, encoded. */
	ck_assert_uint_eq(count_in(f.dir, "mail", "Subject: =?"), 1);
	ck_assert_uint_eq(count_in(store, "audit.log",
	    "\"event\":\"delivered\""), 1);
	ck_assert_uint_eq(count_in(store, "audit.log",
	    "\"status\":\"opened\""), 1);
	mugai_portal_ppap_result_clear(&r);
	/* The password: in no file of the store, nor in what was sent. */
	{
		g_autofree char *grep = g_strdup_printf("grep -r -a -q -F '%s'"
		    " '%s'", PASS, f.dir);

		ck_assert_int_ne(system(grep), 0);
	}
	fx_down(&f);
}
END_TEST

START_TEST(only_recipients_and_admins)
{
	struct fx f;
	struct mugai_portal_ppap_result r;
	g_autofree char *cmd = NULL, *args = NULL;

	fx_up(&f, TRUE);
	ck_assert_int_eq(try(&f, "b@city.example.lg.jp", PASS, &r),
	    MUGAI_PORTAL_PPAP_FORBIDDEN);
	mugai_portal_ppap_result_clear(&r);
	/* An administrator opens it for every recipient, as the CLI. */
	ck_assert_int_eq(try(&f, "admin@city.example.lg.jp", PASS, &r),
	    MUGAI_PORTAL_PPAP_OPENED);
	mugai_portal_ppap_result_clear(&r);
	args = g_build_filename(f.dir, "args", NULL);
	ck_assert(g_file_get_contents(args, &cmd, NULL, NULL));
	ck_assert_str_eq(cmd, "-i " STAFF " other@city.example.lg.jp\n");
	fx_down(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("portal_ppap");

	g_mime_init();
	t_timeout = 120;
	t_test(s, form_only_for_encrypted_archives_and_recipients);
	t_test(s, wrong_password_then_the_limit_and_its_window);
	t_test(s, right_password_delivers_to_the_user_only);
	t_test(s, only_recipients_and_admins);
	return t_run(s);
}
