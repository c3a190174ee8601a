/*
 * check_portal - what mugai-portal decides without a server: the request
 * state machine (lib/portal/request.c), the roles (lib/portal/role.c)
 * and the item links of the notice (lib/portal/link.c); the sessions,
 * one-time form tokens and login limits of the server (portal/session.c)
 *
 * Each case makes its own store under a fresh temporary directory, with
 * one item whose recipients are staff@ and b@city.example.lg.jp.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "base/report.h"
#include "core/config.h"
#include "core/notice.h"
#include "index/index.h"
#include "portal/link.h"
#include "portal/request.h"
#include "portal/role.h"
#include "store/onepart.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "session.h"	/* portal/, through t_check_portal_CPPFLAGS */
#include "testutil.h"

static const char msg[] =
    "From: taro@sender.example\r\n"
    "To: staff@city.example.lg.jp\r\n"
    "Subject: test\r\n"
    "\r\n"
    "body\r\n";

static const char *const rcpts[] = { "<staff@city.example.lg.jp>",
    "<B@City.Example.LG.JP>", NULL };

struct fx {
	char *top;
	char *store;
	char *id;
	struct mugai_quarantine *q;
};

static gint64
fixed_clock(void)
{
	return G_GINT64_CONSTANT(1750000000) * G_USEC_PER_SEC;
}

static void
fx_setup(struct fx *f)
{
	struct mugai_envelope env = { "QID1", "192.0.2.1", "client.example",
	    "helo.example", "<taro@sender.example>", rcpts, NULL };
	GMimeStream *s;
	enum mugai_err err;

	f->top = g_dir_make_tmp("mugai-portal-XXXXXX", NULL);
	ck_assert_ptr_nonnull(f->top);
	f->store = g_build_filename(f->top, "store", NULL);
	f->q = mugai_quarantine_open(f->store, NULL, &err);
	ck_assert_ptr_nonnull(f->q);
	f->id = mugai_qid_new();
	s = g_mime_stream_mem_new_with_buffer(msg, sizeof msg - 1);
	ck_assert_int_eq(mugai_quarantine_store(f->q, f->id, s, &env, NULL,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	mugai_request_clock = fixed_clock;
}

static void
fx_teardown(struct fx *f)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->top);

	mugai_quarantine_close(f->q);
	ck_assert_int_eq(system(cmd), 0);
	g_free(f->top);
	g_free(f->store);
	g_free(f->id);
}

/* Returns (transfer full) the store's audit.log. */
static char *
audit_text(const struct fx *f)
{
	g_autofree char *p = g_build_filename(f->store, "audit.log", NULL);
	char *text = NULL;

	ck_assert(g_file_get_contents(p, &text, NULL, NULL));
	return text;
}

static guint
count(const char *hay, const char *needle)
{
	guint n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(request_pending_then_approved_once)
{
	struct fx f;
	struct mugai_request *rq = NULL;
	GPtrArray *reqs;
	enum mugai_err err;
	g_autofree char *log = NULL;
	guint n = 0;

	fx_setup(&f);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "staff@city.example.lg.jp", "見積書の確認のため", &n), MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_ptr_nonnull(reqs);
	ck_assert_uint_eq(reqs->len, 1);
	rq = g_ptr_array_index(reqs, 0);
	ck_assert_int_eq(rq->rq_state, MUGAI_REQUEST_PENDING);
	ck_assert_str_eq(mugai_request_state_ja(rq->rq_state), "申請中");
	ck_assert_str_eq(rq->rq_reason, "見積書の確認のため");
	ck_assert_ptr_null(rq->rq_decider);
	g_ptr_array_free(reqs, TRUE);

	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 1, TRUE,
	    "chief@city.example.lg.jp", "業務上必要", &rq), MUGAI_OK);
	ck_assert_int_eq(rq->rq_state, MUGAI_REQUEST_APPROVED);
	ck_assert_str_eq(rq->rq_decider, "chief@city.example.lg.jp");
	ck_assert_int_eq(rq->rq_decided, fixed_clock());
	mugai_request_free(rq);

	/* A replayed approval, or a late denial, changes nothing. */
	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 1, TRUE,
	    "chief@city.example.lg.jp", "again", NULL), MUGAI_E_INVAL);
	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 1, FALSE,
	    "other@city.example.lg.jp", "no", NULL), MUGAI_E_INVAL);
	reqs = mugai_request_list(f.q, f.id, &err);
	rq = g_ptr_array_index(reqs, 0);
	ck_assert_int_eq(rq->rq_state, MUGAI_REQUEST_APPROVED);
	ck_assert_str_eq(rq->rq_comment, "業務上必要");
	g_ptr_array_free(reqs, TRUE);

	log = audit_text(&f);
	ck_assert_uint_eq(count(log, "\"event\":\"requested\""), 1);
	ck_assert_uint_eq(count(log, "\"event\":\"approved\""), 2);
	ck_assert_uint_eq(count(log, "\"outcome\":\"failed\""), 2);
	ck_assert_ptr_nonnull(strstr(log,
	    "\"actor\":\"chief@city.example.lg.jp\""));
	ck_assert_ptr_nonnull(strstr(log, "\"part\":\"1.2\""));
	fx_teardown(&f);
}
END_TEST

START_TEST(request_denied_and_numbered)
{
	struct fx f;
	GPtrArray *reqs;
	enum mugai_err err;
	guint n = 0;

	fx_setup(&f);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "original",
	    "staff@city.example.lg.jp", "r1", &n), MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	/* The same pending request is not doubled. */
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "original",
	    "staff@city.example.lg.jp", "r1 again", &n), MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.3",
	    "b@city.example.lg.jp", NULL, &n), MUGAI_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 1, FALSE,
	    "chief@city.example.lg.jp", "不要", NULL), MUGAI_OK);
	/* After a denial the same request may be made again. */
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "original",
	    "staff@city.example.lg.jp", "r2", &n), MUGAI_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 9, TRUE,
	    "chief@city.example.lg.jp", NULL, NULL), MUGAI_E_NOTFOUND);
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_uint_eq(reqs->len, 3);
	ck_assert_int_eq(((struct mugai_request *)g_ptr_array_index(reqs,
	    0))->rq_state, MUGAI_REQUEST_DENIED);
	ck_assert_str_eq(mugai_request_state_ja(((struct mugai_request *)
	    g_ptr_array_index(reqs, 0))->rq_state), "却下");
	ck_assert_int_eq(((struct mugai_request *)g_ptr_array_index(reqs,
	    2))->rq_state, MUGAI_REQUEST_PENDING);
	g_ptr_array_free(reqs, TRUE);
	fx_teardown(&f);
}
END_TEST

START_TEST(request_refuses_bad_input)
{
	struct fx f;
	g_autofree char *log = NULL;
	g_autofree char *big = g_strnfill(5000, 'x');
	GPtrArray *reqs;
	enum mugai_err err;
	char bad_id[] = "../../etc";

	fx_setup(&f);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "../meta.json",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_E_INVAL);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1..2",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_E_INVAL);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "two words", NULL, NULL), MUGAI_E_INVAL);
	ck_assert_int_eq(mugai_request_add(f.q, bad_id, "1.2",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_E_INVAL);
	ck_assert(mugai_request_part_valid("1"));
	ck_assert(mugai_request_part_valid("1.2.10"));
	ck_assert(!mugai_request_part_valid("1."));
	ck_assert(!mugai_request_part_valid(".1"));
	ck_assert(!mugai_request_part_valid(""));
	/* A long reason is cut, not refused. */
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "staff@city.example.lg.jp", big, NULL), MUGAI_OK);
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_uint_eq(strlen(((struct mugai_request *)
	    g_ptr_array_index(reqs, 0))->rq_reason), MUGAI_REQUEST_TEXT_MAX);
	g_ptr_array_free(reqs, TRUE);
	log = audit_text(&f);
	ck_assert_uint_eq(count(log, "\"outcome\":\"failed\""), 4);
	fx_teardown(&f);
}
END_TEST

START_TEST(request_file_link_refused)
{
	struct fx f;
	g_autofree char *dir = NULL, *file = NULL, *target = NULL;
	enum mugai_err err = MUGAI_OK;
	int fd;

	fx_setup(&f);
	fd = mugai_qdir_open_top(f.store, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);
	dir = mugai_qid_path(f.store, f.id);
	file = g_build_filename(dir, "requests.json", NULL);
	target = g_build_filename(f.top, "elsewhere.json", NULL);
	ck_assert(g_file_set_contents(target, "[]", -1, NULL));
	ck_assert_int_eq(symlink(target, file), 0);
	ck_assert_ptr_null(mugai_request_list(f.q, f.id, &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_E_PERM);
	/* A file that is not ours in shape is not overwritten either. */
	ck_assert_int_eq(unlink(file), 0);
	ck_assert(g_file_set_contents(file, "[{\"n\":5}]", -1, NULL));
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_E_PARSE);
	ck_assert_int_eq(mugai_request_list(f.q, "20250102-030405-123456-"
	    "0a1b2c3d-0123456789abcdef", &err) == NULL, TRUE);
	ck_assert_int_eq(err, MUGAI_E_NOTFOUND);
	fx_teardown(&f);
}
END_TEST

/* Several processes adding at once: every request kept, numbered 1..n. */
START_TEST(request_concurrent_adds_serialised)
{
	struct fx f;
	GPtrArray *reqs;
	enum mugai_err err;
	pid_t pids[4];
	int status;

	fx_setup(&f);
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			for (int j = 0; j < 10; j++) {
				char who[64], part[16];

				g_snprintf(who, sizeof who, "u%d@x.example", i);
				g_snprintf(part, sizeof part, "1.%d", j + 1);
				if (mugai_request_add(f.q, f.id, part, who,
				    NULL, NULL) != MUGAI_OK)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_ptr_nonnull(reqs);
	ck_assert_uint_eq(reqs->len, 40);
	g_ptr_array_free(reqs, TRUE);
	fx_teardown(&f);
}
END_TEST

static guint
rows_in(struct mugai_index *ix, const char *id, const char *state)
{
	enum mugai_err err;
	GPtrArray *rows = mugai_index_requests(ix, id, state, &err);
	guint n;

	ck_assert_ptr_nonnull(rows);
	n = rows->len;
	g_ptr_array_free(rows, TRUE);
	return n;
}

/* The index's request rows say what requests.json says, written once. */
START_TEST(request_rows_follow_in_the_index)
{
	g_autofree char *why = NULL;
	struct mugai_index *ix;
	struct mugai_index_request *r;
	struct fx f;
	GPtrArray *reqs, *rows;
	enum mugai_err err;

	fx_setup(&f);
	ix = mugai_index_open(NULL, f.store, (gid_t)-1, &err, &why);
	ck_assert_msg(ix != NULL, "%s", why);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "original",
	    "staff@city.example.lg.jp", "need it", NULL), MUGAI_OK);
	ck_assert_int_eq(mugai_request_add(f.q, f.id, "1.2",
	    "staff@city.example.lg.jp", NULL, NULL), MUGAI_OK);
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_int_eq(mugai_request_index(ix, f.id, reqs), MUGAI_OK);
	g_ptr_array_free(reqs, TRUE);
	ck_assert_uint_eq(rows_in(ix, f.id, "pending"), 2);
	ck_assert_uint_eq(rows_in(ix, NULL, "pending"), 2);

	ck_assert_int_eq(mugai_request_decide(f.q, f.id, 1, TRUE,
	    "chief@city.example.lg.jp", "ok", NULL), MUGAI_OK);
	reqs = mugai_request_list(f.q, f.id, &err);
	ck_assert_int_eq(mugai_request_index(ix, f.id, reqs), MUGAI_OK);
	/* Again (reindex): nothing doubled. */
	ck_assert_int_eq(mugai_request_index(ix, f.id, reqs), MUGAI_OK);
	g_ptr_array_free(reqs, TRUE);
	ck_assert_uint_eq(rows_in(ix, f.id, NULL), 2);
	ck_assert_uint_eq(rows_in(ix, f.id, "pending"), 1);
	rows = mugai_index_requests(ix, f.id, "approved", &err);
	ck_assert_uint_eq(rows->len, 1);
	r = g_ptr_array_index(rows, 0);
	ck_assert_ptr_null(r->rq_part);		/* the original */
	ck_assert_str_eq(r->rq_decider, "chief@city.example.lg.jp");
	ck_assert_str_eq(r->rq_decision, "ok");
	ck_assert_str_eq(r->rq_reason, "need it");
	g_ptr_array_free(rows, TRUE);
	/* No index: nothing to do, no error. */
	ck_assert_int_eq(mugai_request_index(NULL, f.id, NULL), MUGAI_OK);
	mugai_index_close(ix);
	fx_teardown(&f);
}
END_TEST

static struct mugai_roles *
roles(void)
{
	char *ap[] = { "@city.example.lg.jp:chief@city.example.lg.jp",
	    "b@city.example.lg.jp:boss@city.example.lg.jp", NULL };
	char *ad[] = { "admin@city.example.lg.jp", NULL };
	char *rules[] = { "executable", NULL };
	char *why = NULL;
	struct mugai_roles *r = mugai_roles_new(ap, ad, rules, &why);

	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(roles_recipient_sees_only_own)
{
	struct mugai_roles *r = roles();

	ck_assert(mugai_roles_can_view(r, "staff@city.example.lg.jp", rcpts));
	ck_assert(mugai_roles_can_view(r, "STAFF@city.example.lg.jp", rcpts));
	ck_assert(mugai_roles_can_view(r, "b@city.example.lg.jp", rcpts));
	ck_assert(!mugai_roles_can_view(r, "c@city.example.lg.jp", rcpts));
	ck_assert(!mugai_roles_can_view(r, "staff@city.example.lg.jp.evil",
	    rcpts));
	ck_assert(!mugai_roles_can_view(r, "staff", rcpts));
	ck_assert(!mugai_roles_can_view(r, "", rcpts));
	ck_assert(mugai_roles_can_request(r, "b@city.example.lg.jp", rcpts));
	ck_assert(!mugai_roles_can_request(r, "chief@city.example.lg.jp",
	    rcpts));
	/* Approvers and administrators see it too. */
	ck_assert(mugai_roles_can_view(r, "chief@city.example.lg.jp", rcpts));
	ck_assert(mugai_roles_can_view(r, "boss@city.example.lg.jp", rcpts));
	ck_assert(mugai_roles_can_view(r, "admin@city.example.lg.jp", rcpts));
	ck_assert(!mugai_roles_is_approver(r, "staff@city.example.lg.jp"));
	ck_assert(mugai_roles_is_approver(r, "boss@city.example.lg.jp"));
	mugai_roles_free(r);
}
END_TEST

START_TEST(roles_decide_scope_self_and_admin_rules)
{
	struct mugai_roles *r = roles();
	const char *other[] = { "x@other.example", NULL };
	char **who;

	/* chief approves the whole domain, boss only b@. */
	ck_assert(mugai_roles_can_decide(r, "chief@city.example.lg.jp", rcpts,
	    "staff@city.example.lg.jp", NULL));
	ck_assert(!mugai_roles_can_decide(r, "boss@city.example.lg.jp", rcpts,
	    "staff@city.example.lg.jp", NULL));
	ck_assert(mugai_roles_can_decide(r, "boss@city.example.lg.jp", rcpts,
	    "b@city.example.lg.jp", NULL));
	/* Never one's own request, not even an administrator. */
	ck_assert(!mugai_roles_can_decide(r, "chief@city.example.lg.jp",
	    (const char *const[]){ "chief@city.example.lg.jp", NULL },
	    "chief@city.example.lg.jp", NULL));
	ck_assert(!mugai_roles_can_decide(r, "admin@city.example.lg.jp",
	    (const char *const[]){ "admin@city.example.lg.jp", NULL },
	    "admin@city.example.lg.jp", NULL));
	/* An admin-only rule: the approver may not, the admin may. */
	ck_assert(!mugai_roles_can_decide(r, "chief@city.example.lg.jp",
	    rcpts, "staff@city.example.lg.jp", "executable"));
	ck_assert(mugai_roles_can_decide(r, "admin@city.example.lg.jp",
	    rcpts, "staff@city.example.lg.jp", "executable"));
	/* A requester who is not a recipient gets nothing decided. */
	ck_assert(!mugai_roles_can_decide(r, "chief@city.example.lg.jp",
	    other, "x@other.example", NULL));
	who = mugai_roles_approvers_for(r, rcpts);
	ck_assert_uint_eq(g_strv_length(who), 2);
	ck_assert_str_eq(who[0], "chief@city.example.lg.jp");
	ck_assert_str_eq(who[1], "boss@city.example.lg.jp");
	g_strfreev(who);
	mugai_roles_free(r);
}
END_TEST

START_TEST(roles_config_errors_named)
{
	char *bad1[] = { "no-colon", NULL };
	char *bad2[] = { "@x.example:not an address", NULL };
	char *ad[] = { "admin", NULL };
	char *why = NULL;

	ck_assert_ptr_null(mugai_roles_new(bad1, NULL, NULL, &why));
	ck_assert_ptr_nonnull(strstr(why, "no-colon"));
	g_clear_pointer(&why, g_free);
	ck_assert_ptr_null(mugai_roles_new(bad2, NULL, NULL, &why));
	g_clear_pointer(&why, g_free);
	ck_assert_ptr_null(mugai_roles_new(NULL, ad, NULL, &why));
	ck_assert_ptr_nonnull(strstr(why, "administrators"));
	g_free(why);
}
END_TEST

START_TEST(link_mac_binds_id)
{
	GBytes *key = g_bytes_new_static("0123456789abcdef0123456789abcdef",
	    32);
	GBytes *other = g_bytes_new_static("fedcba9876543210fedcba9876543210",
	    32);
	g_autofree char *id = mugai_qid_new();
	g_autofree char *id2 = mugai_qid_new();
	g_autofree char *mac = mugai_link_mac(key, id);
	g_autofree char *url = mugai_link_url(key, "https://p.example:8443/",
	    id);
	g_autofree char *want = NULL;
	char forged[MUGAI_LINK_MAC_LEN + 1];

	ck_assert_uint_eq(strlen(mac), MUGAI_LINK_MAC_LEN);
	ck_assert(mugai_link_check(key, id, mac));
	ck_assert(!mugai_link_check(key, id2, mac));
	ck_assert(!mugai_link_check(other, id, mac));
	g_strlcpy(forged, mac, sizeof forged);
	forged[5] = forged[5] == '0' ? '1' : '0';
	ck_assert(!mugai_link_check(key, id, forged));
	ck_assert(!mugai_link_check(key, id, ""));
	ck_assert(!mugai_link_check(key, id, NULL));
	ck_assert(!mugai_link_check(key, "../x", mac));
	want = g_strdup_printf("https://p.example:8443/item/%s?m=%s", id, mac);
	ck_assert_str_eq(url, want);
	ck_assert_ptr_null(mugai_link_url(key, "", id));
	g_bytes_unref(key);
	g_bytes_unref(other);
}
END_TEST

static gint64 fake_now;

static gint64
fake_clock(void)
{
	return fake_now;
}

START_TEST(session_expires_and_is_unguessable)
{
	struct mugai_sessions *t;
	struct mugai_session *s, *s2;
	char *id;

	fake_now = 1000;
	mugai_session_clock = fake_clock;
	t = mugai_sessions_new(60 * G_USEC_PER_SEC);
	s = mugai_sessions_create(t, "staff@city.example.lg.jp");
	ck_assert_uint_eq(strlen(s->se_id), 43);
	ck_assert_uint_eq(strspn(s->se_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	s2 = mugai_sessions_create(t, "staff@city.example.lg.jp");
	ck_assert_str_ne(s->se_id, s2->se_id);
	id = g_strdup(s->se_id);
	ck_assert_ptr_eq(mugai_sessions_get(t, id), s);
	ck_assert_ptr_null(mugai_sessions_get(t, "x"));
	ck_assert_ptr_null(mugai_sessions_get(t, NULL));
	/* A guess of the right length is still unknown. */
	ck_assert_ptr_null(mugai_sessions_get(t,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	fake_now += 60 * G_USEC_PER_SEC;
	ck_assert_ptr_null(mugai_sessions_get(t, id));
	/* A pre-login session lasts at most an hour, whatever the lifetime. */
	mugai_sessions_free(t);
	t = mugai_sessions_new(G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC);
	s = mugai_sessions_create(t, NULL);
	ck_assert_int_eq(s->se_expires - fake_now,
	    G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC);
	mugai_sessions_drop(t, s->se_id);
	g_free(id);
	mugai_sessions_free(t);
	mugai_session_clock = NULL;
}
END_TEST

START_TEST(session_form_tokens_spent_once)
{
	struct mugai_sessions *t = mugai_sessions_new(60 * G_USEC_PER_SEC);
	struct mugai_session *s = mugai_sessions_create(t, "a@b.example");
	struct mugai_session *other = mugai_sessions_create(t, "c@b.example");
	char *tok = g_strdup(mugai_session_form_token(s));
	char *first = NULL;

	/* Another session's token is no good here (a forged page). */
	ck_assert(!mugai_session_spend_form(other, tok));
	ck_assert(mugai_session_spend_form(s, tok));
	/* Replayed: refused. */
	ck_assert(!mugai_session_spend_form(s, tok));
	ck_assert(!mugai_session_spend_form(s, NULL));
	ck_assert(!mugai_session_spend_form(s, ""));
	/* Only the newest MUGAI_SESSION_FORMS_MAX are kept. */
	first = g_strdup(mugai_session_form_token(s));
	for (int i = 0; i < MUGAI_SESSION_FORMS_MAX; i++)
		(void)mugai_session_form_token(s);
	ck_assert(!mugai_session_spend_form(s, first));
	g_free(tok);
	g_free(first);
	mugai_sessions_free(t);
}
END_TEST

START_TEST(limiter_locks_user_and_address)
{
	struct mugai_limiter *l;

	fake_now = 1;
	mugai_session_clock = fake_clock;
	l = mugai_limiter_new(3, 60 * G_USEC_PER_SEC);
	for (int i = 0; i < 2; i++)
		mugai_limiter_fail(l, "u:a@b.example");
	ck_assert(!mugai_limiter_locked(l, "u:a@b.example"));
	mugai_limiter_fail(l, "u:a@b.example");
	ck_assert(mugai_limiter_locked(l, "u:a@b.example"));
	ck_assert(!mugai_limiter_locked(l, "u:c@b.example"));
	fake_now += 60 * G_USEC_PER_SEC;
	ck_assert(!mugai_limiter_locked(l, "u:a@b.example"));
	for (int i = 0; i < 3; i++)
		mugai_limiter_fail(l, "a:192.0.2.1");
	ck_assert(mugai_limiter_locked(l, "a:192.0.2.1"));
	mugai_limiter_reset(l, "a:192.0.2.1");
	ck_assert(!mugai_limiter_locked(l, "a:192.0.2.1"));
	mugai_limiter_free(l);
	mugai_session_clock = NULL;
}
END_TEST

/* The notice links the item, in each language, only when given a link. */
START_TEST(notice_links_item_when_configured)
{
	const char *const langs[] = { "ja", "en", NULL };
	struct mugai_notice *n = mugai_notice_load(NULL, langs, NULL);
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p = mugai_report_add_part(r, "1.2", "part");
	GString *with = g_string_new(NULL), *without = g_string_new(NULL);
	const char *url = "https://p.example/item/ID?m=0123";

	ck_assert_ptr_nonnull(n);
	p->rp_filename = g_strdup("a.pdf");
	p->rp_action = MUGAI_ACT_QUARANTINE;
	mugai_notice_removed_link(n, r, "ID", url, with);
	mugai_notice_removed(n, r, "ID", without);
	ck_assert_uint_eq(count(with->str, url), 2);
	ck_assert_ptr_nonnull(strstr(with->str, "取得申請"));
	ck_assert_ptr_null(strstr(without->str, "https://"));
	g_string_truncate(with, 0);
	mugai_notice_withheld_link(n, "why", "ID", url, with);
	ck_assert_uint_eq(count(with->str, url), 2);
	/* No ID (nothing kept), no link. */
	g_string_truncate(with, 0);
	mugai_notice_removed_link(n, r, NULL, url, with);
	ck_assert_ptr_null(strstr(with->str, url));
	g_string_free(with, TRUE);
	g_string_free(without, TRUE);
	mugai_report_free(r);
	mugai_notice_free(n);
}
END_TEST

/* portal_url makes the config load (creating) the link key. */
START_TEST(config_loads_link_key_with_portal_url)
{
	g_autofree char *dir = g_dir_make_tmp("mugai-pconf-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "mugai.conf", NULL);
	g_autofree char *text = g_strdup_printf("[quarantine]\ndir = %s\n"
	    "[portal]\nportal_url = https://p.example\n", dir);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_autofree char *key = g_build_filename(dir, "portal-link.key", NULL);
	struct mugai_config *cf;
	struct stat st;
	GError *e = NULL;

	ck_assert(g_file_set_contents(conf, text, -1, NULL));
	cf = mugai_config_load(conf, &e);
	ck_assert_ptr_nonnull(cf);
	ck_assert_ptr_nonnull(cf->cf_portal_link_key);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0077, 0);
	mugai_config_unref(cf);
	/* A key that is not safe is an error of the file, named. */
	ck_assert_int_eq(chmod(key, 0644), 0);
	cf = mugai_config_load(conf, &e);
	ck_assert_ptr_null(cf);
	ck_assert_ptr_nonnull(strstr(e->message, "portal_url"));
	g_error_free(e);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- the one-part message (lib/store/onepart.c) ---- */

static const char pdf_b64[] =
    "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5k\n"
    "b2JqCnRyYWlsZXIKPDwvUm9vdCAxIDAgUj4+CiUlRU9GCg==\n";

/* A message with a text part (1.1) and a PDF (1.2), line ends eol. */
static char *
two_part_msg(const char *eol)
{
	g_autofree char *m = g_strconcat(
	    "From: =?UTF-8?B?5aSq6YOO?= <taro@sender.example>\n"
	    "To: staff@city.example.lg.jp\n"
	    "Cc: b@city.example.lg.jp\n"
	    "Subject: =?UTF-8?B?6KaL56mN5pu4?=\n"
	    "Message-ID: <orig@sender.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"BB\"\n"
	    "\n"
	    "--BB\n"
	    "Content-Type: text/plain; charset=us-ascii\n"
	    "\n"
	    "see the attachment\n"
	    "--BB\n"
	    "Content-Type: application/pdf; name=\"mitsumori.pdf\"\n"
	    "Content-Disposition: attachment;\n"
	    "\tfilename=\"mitsumori.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n", pdf_b64,
	    "--BB--\n", NULL);
	char **lines = g_strsplit(m, "\n", -1);
	char *r = g_strjoinv(eol, lines);

	g_strfreev(lines);
	return r;
}

/* A file of the store's kind holding text: its descriptor. */
static int
text_fd(const char *text)
{
	char path[] = "/tmp/mugai-onepart-XXXXXX";
	int fd = g_mkstemp(path);

	ck_assert_int_ge(fd, 0);
	(void)unlink(path);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	return fd;
}

static const struct mugai_onepart op_12 = {
	.op_id = "ID", .op_part = "1.2", .op_approver = "chief@city.example.lg.jp",
	.op_requester = "staff@city.example.lg.jp", .op_rule = "pdf-quarantine",
	.op_time = 1750000000,
};

static void
check_onepart(const char *eol)
{
	g_autofree char *orig = two_part_msg(eol), *note = NULL;
	g_autofree char *raw_part = NULL, *from = NULL, *to = NULL;
	g_autoptr(GBytes) out = NULL;
	GString *why = g_string_new(NULL);
	enum mugai_err err;
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;
	GMimeMultipart *mp;
	GMimeObject *att;
	GMimeStream *dec;
	GByteArray *got;
	g_autofree guchar *want = NULL;
	const char *text, *ja, *en;
	gsize len, wlen;
	int fd = text_fd(orig);

	out = mugai_onepart_build(fd, &op_12, &err, why);
	ck_assert_msg(out != NULL, "%s", why->str);
	ck_assert_int_eq(err, MUGAI_OK);
	text = g_bytes_get_data(out, &len);
	/* The part's encoded body is the original's, byte for byte, with its
	 * line ends: copied, not encoded again. */
	raw_part = g_strconcat("filename=\"mitsumori.pdf\"", eol,
	    "Content-Transfer-Encoding: base64", eol, eol, NULL);
	ck_assert_ptr_nonnull(g_strstr_len(text, (gssize)len, raw_part));
	{
		char **bl = g_strsplit(pdf_b64, "\n", -1);
		g_autofree char *b = g_strjoinv(eol, bl);

		g_strfreev(bl);
		ck_assert_ptr_nonnull(g_strstr_len(text, (gssize)len, b));
	}
	/* One kind of line end throughout. */
	if (strcmp(eol, "\r\n") == 0)
		for (gsize i = 0; i < len; i++)
			if (text[i] == '\n')
				ck_assert_msg(i > 0 && text[i - 1] == '\r',
				    "bare LF at %zu", i);

	s = g_mime_stream_mem_new_with_buffer(text, len);
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	ck_assert_ptr_nonnull(m);
	from = internet_address_list_to_string(g_mime_message_get_from(m),
	    NULL, FALSE);
	to = internet_address_list_to_string(g_mime_message_get_to(m), NULL,
	    FALSE);
	ck_assert_str_eq(from, "太郎 <taro@sender.example>");
	ck_assert_str_eq(to, "staff@city.example.lg.jp");
	ck_assert(g_str_has_prefix(g_mime_message_get_subject(m),
	    "[承認済みの添付 / approved attachment] 見積書"));
	ck_assert_str_ne(g_mime_message_get_message_id(m),
	    "orig@sender.example");
	ck_assert_str_eq(g_mime_object_get_header(GMIME_OBJECT(m),
	    "X-Mugai-Part-Release"), "ID");
	ck_assert(GMIME_IS_MULTIPART(m->mime_part));
	mp = GMIME_MULTIPART(m->mime_part);
	ck_assert_int_eq(g_mime_multipart_get_count(mp), 2);
	/* The note: who approved, when, the item, the part, the rule,
	 * Japanese first. */
	note = g_mime_text_part_get_text(GMIME_TEXT_PART(
	    g_mime_multipart_get_part(mp, 0)));
	ja = strstr(note, "承認者: chief@city.example.lg.jp");
	en = strstr(note, "Approved by: chief@city.example.lg.jp");
	ck_assert_ptr_nonnull(ja);
	ck_assert_ptr_nonnull(en);
	ck_assert(ja < en);
	ck_assert_ptr_nonnull(strstr(note, "2025-06-15 15:06:40 UTC"));
	ck_assert_ptr_nonnull(strstr(note, "部分: 1.2"));
	ck_assert_ptr_nonnull(strstr(note, "削除した規則: pdf-quarantine"));
	ck_assert_ptr_nonnull(strstr(note, "ファイル名: mitsumori.pdf"));
	ck_assert_ptr_nonnull(strstr(note, "申請者: staff@city.example.lg.jp"));
	/* The attachment decodes to the original's bytes. */
	att = g_mime_multipart_get_part(mp, 1);
	ck_assert(GMIME_IS_PART(att));
	ck_assert_str_eq(g_mime_part_get_filename(GMIME_PART(att)),
	    "mitsumori.pdf");
	dec = g_mime_stream_mem_new();
	ck_assert_int_ge(g_mime_data_wrapper_write_to_stream(
	    g_mime_part_get_content(GMIME_PART(att)), dec), 0);
	got = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(dec));
	want = g_base64_decode(pdf_b64, &wlen);
	ck_assert_uint_eq(got->len, wlen);
	ck_assert_int_eq(memcmp(got->data, want, wlen), 0);
	g_object_unref(dec);
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	g_string_free(why, TRUE);
	close(fd);
}

START_TEST(onepart_note_and_part_byte_identical)
{
	check_onepart("\n");
	check_onepart("\r\n");
}
END_TEST

START_TEST(onepart_refuses_missing_container_and_junk)
{
	g_autofree char *orig = two_part_msg("\n");
	struct mugai_onepart op = op_12;
	GString *why = g_string_new(NULL);
	enum mugai_err err;
	int fd = text_fd(orig);

	op.op_part = "1.7";
	ck_assert_ptr_null(mugai_onepart_build(fd, &op, &err, why));
	ck_assert_int_eq(err, MUGAI_E_NOTFOUND);
	op.op_part = "1";
	ck_assert_ptr_null(mugai_onepart_build(fd, &op, &err, why));
	ck_assert_int_eq(err, MUGAI_E_INVAL);
	ck_assert_ptr_nonnull(strstr(why->str, "container"));
	op.op_part = "1.2; rm";
	ck_assert_ptr_null(mugai_onepart_build(fd, &op, &err, why));
	ck_assert_int_eq(err, MUGAI_E_INVAL);
	close(fd);
	g_string_free(why, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("portal");

	g_mime_init();

	t_test(s, request_pending_then_approved_once);
	t_test(s, request_denied_and_numbered);
	t_test(s, request_refuses_bad_input);
	t_test(s, request_file_link_refused);
	t_test(s, request_concurrent_adds_serialised);
	t_test(s, request_rows_follow_in_the_index);
	t_test(s, roles_recipient_sees_only_own);
	t_test(s, roles_decide_scope_self_and_admin_rules);
	t_test(s, roles_config_errors_named);
	t_test(s, link_mac_binds_id);
	t_test(s, session_expires_and_is_unguessable);
	t_test(s, session_form_tokens_spent_once);
	t_test(s, limiter_locks_user_and_address);
	t_test(s, notice_links_item_when_configured);
	t_test(s, config_loads_link_key_with_portal_url);
	t_test(s, onepart_note_and_part_byte_identical);
	t_test(s, onepart_refuses_missing_container_and_junk);
	return t_run(s);
}
