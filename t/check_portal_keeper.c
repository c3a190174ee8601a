/*
 * check_portal_keeper - mugai-portal's keeper (portal/keeper.c) without a
 * server: a keeper forked on a store of its own answers requests,
 * decisions, audit lines and a part's bytes, and releases only a request
 * the store records as approved, by the decider named, to its requester.
 *
 * The release command is a shell script that keeps its arguments (what
 * `mugai quarantine release` would be given); t/portal.sh drives the
 * real one over HTTPS with the server as its own user.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "portal/request.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "store/quarantine.h"
#include "keeper.h"	/* portal/, through the CPPFLAGS */
#include "portal.h"
#include "testutil.h"

static const char mail[] =
    "From: taro@sender.example\r\n"
    "To: staff@city.example.lg.jp\r\n"
    "Subject: test\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
    "--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nS0VFUEVSLVBBUlQ=\r\n"
    "--b1--\r\n";

static const char *const rcpts[] = { "<staff@city.example.lg.jp>", NULL };

#define STAFF "staff@city.example.lg.jp"
#define CHIEF "chief@city.example.lg.jp"

struct fx {
	char *dir;
	char *store;
	char *args;
	char *id;
	struct mugai_portal po;
};

static void
fx_up(struct fx *f)
{
	struct mugai_envelope env = { "QID1", "192.0.2.1", "client.example",
	    "helo.example", "<taro@sender.example>", rcpts, NULL };
	struct mugai_quarantine *q;
	g_autofree char *script = NULL, *body = NULL, *why = NULL;
	enum mugai_err err;
	GMimeStream *s;

	memset(f, 0, sizeof *f);
	f->dir = g_dir_make_tmp("mugai-keeper-XXXXXX", NULL);
	ck_assert_ptr_nonnull(f->dir);
	f->store = g_build_filename(f->dir, "store", NULL);
	f->args = g_build_filename(f->dir, "release.args", NULL);
	q = mugai_quarantine_open(f->store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	f->id = mugai_qid_new();
	s = g_mime_stream_mem_new_with_buffer(mail, sizeof mail - 1);
	ck_assert_int_eq(mugai_quarantine_store(q, f->id, s, &env, NULL,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	mugai_quarantine_close(q);

	/* `mugai quarantine release ...` as a script that keeps its words. */
	script = g_build_filename(f->dir, "mugai", NULL);
	body = g_strdup_printf("#!/bin/sh\necho \"$@\" >>'%s'\n", f->args);
	ck_assert(g_file_set_contents(script, body, -1, NULL));
	ck_assert_int_eq(chmod(script, 0755), 0);

	f->po.po_cf = mugai_config_new_default();
	g_free(f->po.po_cf->cf_quarantine_dir);
	f->po.po_cf->cf_quarantine_dir = g_strdup(f->store);
	g_free(f->po.po_cf->cf_index_url);
	f->po.po_cf->cf_index_url = g_strdup("none");
	f->po.po_mugai = g_strdup(script);
	f->po.po_keeper = -1;
	f->po.po_top = mugai_qdir_open_top(f->store, NULL);
	ck_assert_int_ge(f->po.po_top, 0);
	f->po.po_owner = (uid_t)-1;
	ck_assert_msg(mugai_keeper_start(&f->po, &why), "keeper: %s", why);
	ck_assert_int_ge(f->po.po_keeper, 0);
	ck_assert_ptr_nonnull(f->po.po_link_key);
}

static void
fx_down(struct fx *f)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	int status;

	/* Its socket closed, the keeper goes. */
	close(f->po.po_keeper);
	ck_assert_int_eq(waitpid(f->po.po_keeper_pid, &status, 0),
	    f->po.po_keeper_pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(f->po.po_top);
	g_bytes_unref(f->po.po_link_key);
	mugai_config_unref(f->po.po_cf);
	g_free(f->po.po_mugai);
	ck_assert_int_eq(system(cmd), 0);
	g_free(f->dir);
	g_free(f->store);
	g_free(f->args);
	g_free(f->id);
}

static gboolean
released(const struct fx *f)
{
	return access(f->args, F_OK) == 0;
}

START_TEST(keeper_releases_only_what_was_approved)
{
	struct mugai_request *done = NULL;
	g_autofree char *why = NULL, *args = NULL;
	struct fx f;
	guint n = 0;

	fx_up(&f);
	ck_assert_int_eq(mugai_keeper_request_add(&f.po, f.id, "original",
	    STAFF, "please", &n), MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	/* Pending: nothing leaves. */
	ck_assert(!mugai_keeper_release(&f.po, f.id, 1, CHIEF, &why));
	ck_assert_ptr_nonnull(why);
	ck_assert(!released(&f));
	g_clear_pointer(&why, g_free);
	/* No such request. */
	ck_assert(!mugai_keeper_release(&f.po, f.id, 2, CHIEF, &why));
	g_clear_pointer(&why, g_free);

	ck_assert_int_eq(mugai_keeper_request_decide(&f.po, f.id, 1, TRUE,
	    CHIEF, "ok", &done), MUGAI_OK);
	ck_assert_str_eq(done->rq_requester, STAFF);
	ck_assert_str_eq(done->rq_part, MUGAI_REQUEST_ORIGINAL);
	mugai_request_free(done);
	/* Decided once: a replay changes nothing. */
	ck_assert_int_eq(mugai_keeper_request_decide(&f.po, f.id, 1, FALSE,
	    CHIEF, "no", NULL), MUGAI_E_INVAL);

	/* Approved, but not by this user: refused. */
	ck_assert(!mugai_keeper_release(&f.po, f.id, 1, "mallory@x.example",
	    &why));
	ck_assert(!released(&f));
	g_clear_pointer(&why, g_free);
	/* Approved by chief: to the requester, whatever the caller says. */
	ck_assert_msg(mugai_keeper_release(&f.po, f.id, 1, CHIEF, &why),
	    "%s", why);
	ck_assert(g_file_get_contents(f.args, &args, NULL, NULL));
	ck_assert_ptr_nonnull(strstr(args, "quarantine release --to " STAFF
	    " "));
	ck_assert_ptr_nonnull(strstr(args, f.id));
	fx_down(&f);
}
END_TEST

START_TEST(keeper_writes_audit_and_reads_parts)
{
	g_autofree char *log = NULL, *path = NULL, *line = NULL;
	g_autoptr(GBytes) part = NULL;
	struct fx f;
	gsize len;
	const char *d, *view;

	fx_up(&f);
	ck_assert_int_eq(mugai_keeper_audit(&f.po, "view", f.id, STAFF, "ok",
	    NULL), MUGAI_OK);
	path = g_build_filename(f.store, "audit.log", NULL);
	ck_assert(g_file_get_contents(path, &log, NULL, NULL));
	view = strstr(log, "\"event\":\"view\"");
	ck_assert_ptr_nonnull(view);
	/* Written by the keeper, not by this process (which stored it). */
	line = g_strdup_printf("\"pid\":%d,", (int)getpid());
	ck_assert_ptr_null(strstr(view, line));
	ck_assert_int_eq(mugai_keeper_reopen_log(&f.po), MUGAI_OK);

	part = mugai_keeper_part_bytes(&f.po, f.id, "1.2");
	ck_assert_ptr_nonnull(part);
	d = g_bytes_get_data(part, &len);
	ck_assert_uint_eq(len, 11);
	ck_assert_int_eq(memcmp(d, "KEEPER-PART", 11), 0);
	ck_assert_ptr_null(mugai_keeper_part_bytes(&f.po, f.id, "1.9"));
	ck_assert_ptr_null(mugai_keeper_part_bytes(&f.po, "../etc", "1.2"));
	fx_down(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("portal_keeper");

	g_mime_init();
	t_test(s, keeper_releases_only_what_was_approved);
	t_test(s, keeper_writes_audit_and_reads_parts);
	return t_run(s);
}
