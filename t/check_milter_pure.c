/*
 * check_milter_pure - the milter pieces that need no MTA: socket specs,
 * the reply table, applying edits and bodies (through t/fake_mta.c), and
 * the message context's header assembly, and the glibc tunables the
 * daemon runs with (stackcache.c)
 */
#include "autoconfig.h"

#include <string.h>

#include "apply.h"
#include "context.h"
#include "current.h"
#include "fake_mta.h"
#include "reply.h"
#include "socket.h"
#include "stackcache.h"
#include "testutil.h"

/* ---- socket specs ---- */

struct sock_case {
	const char *name;
	const char *spec;
	gboolean ok;
	enum mugai_sock_family family;
	guint port;
	const char *addr;
	const char *path;
};

static const struct sock_case sock_cases[] = {
	{ "inet_port_at_addr", "inet:8890@127.0.0.1", TRUE,
	  MUGAI_SOCK_INET, 8890, "127.0.0.1", NULL },
	{ "inet_port_only_is_any_addr", "inet:25", TRUE,
	  MUGAI_SOCK_INET, 25, NULL, NULL },
	{ "inet6", "inet6:8890@::1", TRUE, MUGAI_SOCK_INET6, 8890, "::1", NULL },
	{ "unix", "unix:/run/mugai/milter.sock", TRUE, MUGAI_SOCK_UNIX, 0,
	  NULL, "/run/mugai/milter.sock" },
	{ "local_is_unix", "local:/tmp/m.sock", TRUE, MUGAI_SOCK_UNIX, 0,
	  NULL, "/tmp/m.sock" },
	{ "bare_path_is_unix", "/tmp/m.sock", TRUE, MUGAI_SOCK_UNIX, 0, NULL,
	  "/tmp/m.sock" },
	{ "rejects_port_zero", "inet:0@127.0.0.1", FALSE, 0, 0, NULL, NULL },
	{ "rejects_port_past_65535", "inet:65536@127.0.0.1", FALSE, 0, 0,
	  NULL, NULL },
	{ "rejects_signed_port", "inet:+25@127.0.0.1", FALSE, 0, 0, NULL, NULL },
	{ "rejects_port_with_junk", "inet:25x@127.0.0.1", FALSE, 0, 0, NULL,
	  NULL },
	{ "rejects_empty_port", "inet:@127.0.0.1", FALSE, 0, 0, NULL, NULL },
	{ "rejects_empty_addr", "inet:25@", FALSE, 0, 0, NULL, NULL },
	{ "rejects_relative_unix", "unix:milter.sock", FALSE, 0, 0, NULL,
	  NULL },
	{ "rejects_unknown_family", "tcp:25@127.0.0.1", FALSE, 0, 0, NULL,
	  NULL },
	{ "rejects_empty", "", FALSE, 0, 0, NULL, NULL },
};

START_TEST(socket_spec)
{
	const struct sock_case *c = &sock_cases[_i];
	struct mugai_sockspec ss;
	char *msg = NULL;
	enum mugai_err err = mugai_socket_parse(c->spec, &ss, &msg);

	if (!c->ok) {
		ck_assert_msg(err == MUGAI_E_INVAL, "%s accepted", c->name);
		ck_assert_ptr_nonnull(msg);
		g_free(msg);
		return;
	}
	ck_assert_msg(err == MUGAI_OK, "%s: %s", c->name, msg);
	ck_assert_int_eq(ss.ss_family, c->family);
	ck_assert_uint_eq(ss.ss_port, c->port);
	ck_assert_pstr_eq(ss.ss_addr, c->addr);
	ck_assert_pstr_eq(ss.ss_path, c->path);
	mugai_socket_clear(&ss);
}
END_TEST

START_TEST(socket_prepare_never_removes_a_file)
{
	char *dir = g_dir_make_tmp("check_milter-XXXXXX", NULL);
	char *path = g_build_filename(dir, "not-a-socket", NULL);
	char *spec = g_strconcat("unix:", path, NULL);
	struct mugai_sockspec ss;
	char *msg = NULL;

	ck_assert(g_file_set_contents(path, "keep me", -1, NULL));
	ck_assert_int_eq(mugai_socket_parse(spec, &ss, &msg), MUGAI_OK);
	ck_assert_int_eq(mugai_socket_prepare(&ss, &msg), MUGAI_E_PERM);
	ck_assert(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(msg);
	mugai_socket_clear(&ss);
	remove(path);
	remove(dir);
	g_free(spec);
	g_free(path);
	g_free(dir);
}
END_TEST

/* ---- reply table ---- */

START_TEST(reply_passing_verdicts_continue_without_reply)
{
	struct mugai_config *cf = mugai_config_new_default();
	const enum mugai_verdict v[] = { MUGAI_V_UNCHANGED, MUGAI_V_SANITIZED,
	    MUGAI_V_WITHHELD };

	for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
		struct mugai_reply r = mugai_reply_for_verdict(v[i], cf, NULL);

		ck_assert_int_eq(r.rp_status, SMFIS_CONTINUE);
		ck_assert_ptr_null(r.rp_code);
	}
	mugai_config_unref(cf);
}
END_TEST

START_TEST(reply_reject_is_550_571_with_configured_text)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_reply r = mugai_reply_for_verdict(MUGAI_V_REJECT, cf,
	    NULL);

	ck_assert_int_eq(r.rp_status, SMFIS_REJECT);
	ck_assert_str_eq(r.rp_code, "550");
	ck_assert_str_eq(r.rp_xcode, "5.7.1");
	ck_assert_str_eq(r.rp_text, cf->cf_reject_text);
	r = mugai_reply_for_verdict(MUGAI_V_REJECT, cf, "engine says no");
	ck_assert_str_eq(r.rp_text, "engine says no");
	mugai_config_unref(cf);
}
END_TEST

START_TEST(reply_failures_are_451_430)
{
	struct mugai_config *cf = mugai_config_new_default();
	const enum mugai_err e[] = { MUGAI_E_NOMEM, MUGAI_E_IO,
	    MUGAI_E_NOSPACE, MUGAI_E_PARSE, MUGAI_E_PERM };
	struct mugai_reply r = mugai_reply_for_verdict(MUGAI_V_TEMPFAIL, cf,
	    NULL);

	ck_assert_int_eq(r.rp_status, SMFIS_TEMPFAIL);
	ck_assert_str_eq(r.rp_code, "451");
	for (gsize i = 0; i < G_N_ELEMENTS(e); i++) {
		r = mugai_reply_for_error(e[i], cf);
		ck_assert_int_eq(r.rp_status, SMFIS_TEMPFAIL);
		ck_assert_str_eq(r.rp_code, "451");
		ck_assert_str_eq(r.rp_xcode, "4.3.0");
	}
	mugai_config_unref(cf);
}
END_TEST

START_TEST(reply_too_big_follows_on_error)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_reply r;

	cf->cf_on_error = MUGAI_ON_ERROR_WITHHOLD;
	r = mugai_reply_for_error(MUGAI_E_LIMIT, cf);
	ck_assert_int_eq(r.rp_status, SMFIS_REJECT);
	ck_assert_str_eq(r.rp_code, "552");
	cf->cf_on_error = MUGAI_ON_ERROR_TEMPFAIL;
	r = mugai_reply_for_error(MUGAI_E_LIMIT, cf);
	ck_assert_int_eq(r.rp_status, SMFIS_TEMPFAIL);
	ck_assert_str_eq(r.rp_code, "451");
	mugai_config_unref(cf);
}
END_TEST

START_TEST(reply_text_is_made_safe_for_the_mta)
{
	char *t = mugai_reply_text_clean("100% bad\r\nSubject: x");

	ck_assert_str_eq(t, "100%% bad  Subject: x");
	g_free(t);
	fake_mta_reset();
	{
		struct mugai_config *cf = mugai_config_new_default();
		struct mugai_reply r = mugai_reply_for_verdict(MUGAI_V_REJECT,
		    cf, "no");

		ck_assert_int_eq(mugai_reply_send(NULL, &r), SMFIS_REJECT);
		ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 0),
		    "reply 550 5.7.1 no");
		mugai_config_unref(cf);
	}
}
END_TEST

/* ---- applying edits and bodies ---- */

static struct mugai_hdr_edit *
edit(enum mugai_hdr_op op, const char *name, guint index, const char *value)
{
	struct mugai_hdr_edit *he = g_new0(struct mugai_hdr_edit, 1);

	he->he_op = op;
	he->he_name = g_strdup(name);
	he->he_index = index;
	he->he_value = g_strdup(value);
	return he;
}

static void
edit_free(gpointer p)
{
	struct mugai_hdr_edit *he = p;

	g_free(he->he_name);
	g_free(he->he_value);
	g_free(he);
}

static GPtrArray *
sample_edits(void)
{
	GPtrArray *e = g_ptr_array_new_with_free_func(edit_free);

	g_ptr_array_add(e, edit(MUGAI_HDR_DELETE, "X-Mugai-Sanitized", 2,
	    NULL));
	g_ptr_array_add(e, edit(MUGAI_HDR_DELETE, "X-Mugai-Sanitized", 1,
	    NULL));
	g_ptr_array_add(e, edit(MUGAI_HDR_CHANGE, "Content-Type", 1,
	    "text/plain; charset=UTF-8"));
	g_ptr_array_add(e, edit(MUGAI_HDR_ADD, "X-Mugai-Sanitized",
	    0, "removed=1;\n\tengine=gmime"));
	return e;
}

START_TEST(apply_edits_in_order_with_leading_space)
{
	GPtrArray *e = sample_edits();

	fake_mta_reset();
	ck_assert_int_eq(mugai_apply_edits(NULL, e, TRUE), MUGAI_OK);
	ck_assert_uint_eq(fake_mta_log->len, 4);
	ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 0),
	    "del X-Mugai-Sanitized 2");
	ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 1),
	    "del X-Mugai-Sanitized 1");
	ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 2),
	    "chg Content-Type 1 [ text/plain; charset=UTF-8]");
	ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 3),
	    "add X-Mugai-Sanitized [ removed=1;\n\tengine=gmime]");
	fake_mta_reset();
	ck_assert_int_eq(mugai_apply_edits(NULL, e, FALSE), MUGAI_OK);
	ck_assert_str_eq(g_ptr_array_index(fake_mta_log, 2),
	    "chg Content-Type 1 [text/plain; charset=UTF-8]");
	g_ptr_array_free(e, TRUE);
}
END_TEST

START_TEST(apply_stops_at_the_first_refusal)
{
	GPtrArray *e = sample_edits();

	fake_mta_reset();
	fake_mta_fail_at = 2;
	ck_assert_int_eq(mugai_apply_edits(NULL, e, TRUE), MUGAI_E_IO);
	ck_assert_uint_eq(fake_mta_log->len, 2);
	g_ptr_array_free(e, TRUE);
}
END_TEST

static const gsize body_sizes[] = { 0, 1, MUGAI_APPLY_CHUNK - 1,
    MUGAI_APPLY_CHUNK, MUGAI_APPLY_CHUNK + 1, 3 * MUGAI_APPLY_CHUNK + 17 };

START_TEST(apply_body_in_chunks_of_at_most_64k)
{
	gsize len = body_sizes[_i];
	guint8 *data = g_malloc(len + 1);
	GBytes *body;
	guint expect_calls = len == 0 ? 1 :
	    (guint)((len + MUGAI_APPLY_CHUNK - 1) / MUGAI_APPLY_CHUNK);

	for (gsize i = 0; i < len; i++)
		data[i] = (guint8)(i * 7);
	body = g_bytes_new_take(data, len);
	fake_mta_reset();
	ck_assert_int_eq(mugai_apply_body(NULL, body, MUGAI_APPLY_CHUNK),
	    MUGAI_OK);
	ck_assert_uint_eq(fake_mta_log->len, expect_calls);
	ck_assert_uint_eq(fake_mta_body->len, len);
	ck_assert(len == 0 ||
	    memcmp(fake_mta_body->data, g_bytes_get_data(body, NULL), len)
	    == 0);
	/* Smaller chunks on request, same bytes. */
	fake_mta_reset();
	ck_assert_int_eq(mugai_apply_body(NULL, body, 1000), MUGAI_OK);
	ck_assert_uint_eq(fake_mta_log->len, len == 0 ? 1 : (len + 999) / 1000);
	ck_assert_uint_eq(fake_mta_body->len, len);
	g_bytes_unref(body);
}
END_TEST

/* ---- the message context ---- */

static char *
spooled(struct mugai_msg *mc)
{
	enum mugai_err err;
	GMimeStream *s = mugai_spool_stream(mc->mc_spool, &err);
	GByteArray *a = g_byte_array_new();
	char buf[256];
	gssize n;

	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_byte_array_append(a, (guint8 *)buf, (guint)n);
	g_object_unref(s);
	g_byte_array_append(a, (const guint8 *)"", 1);
	return (char *)g_byte_array_free(a, FALSE);
}

START_TEST(context_builds_the_message_as_received)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_conn *cc = mugai_conn_new();
	struct mugai_msg *mc = mugai_conn_msg_begin(cc, cf, "<a@example.jp>",
	    NULL, NULL);
	char *text;

	mugai_msg_add_rcpt(mc, "<b@lgwan.example>");
	mugai_msg_add_rcpt(mc, "<c@lgwan.example>");
	ck_assert_str_eq(mugai_msg_rcpts(mc)[1], "<c@lgwan.example>");
	ck_assert_ptr_null(mugai_msg_rcpts(mc)[2]);
	mugai_msg_add_header(mc, "Subject", "  two spaces\n\tfolded");
	mugai_msg_add_header(mc, "x-mugai-release", " token123 ");
	mugai_msg_end_headers(mc);
	mugai_msg_add_body(mc, (const guint8 *)"body\r\n", 6);
	text = spooled(mc);
	ck_assert_str_eq(text, "Subject:  two spaces\r\n\tfolded\r\n"
	    "x-mugai-release: token123 \r\n\r\nbody\r\n");
	ck_assert_str_eq(mc->mc_release, "token123");
	g_free(text);
	/* A new message on the same connection starts clean. */
	mc = mugai_conn_msg_begin(cc, mugai_config_ref(cf), "<d@example.jp>",
	    "QID1", NULL);
	ck_assert_ptr_null(mugai_msg_rcpts(mc)[0]);
	ck_assert_ptr_null(mc->mc_release);
	ck_assert_str_eq(mc->mc_queue_id, "QID1");
	mugai_conn_free(cc);
}
END_TEST

START_TEST(context_keeps_the_first_input_failure)
{
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_conn *cc = mugai_conn_new();
	struct mugai_msg *mc;
	guint8 big[2048];

	/* max_message_size cannot go below 1024 in a file; force it. */
	cf->cf_max_message_size = 1024;
	mc = mugai_conn_msg_begin(cc, cf, "<a@example.jp>", NULL, NULL);
	memset(big, 'x', sizeof big);
	ck_assert_int_eq(mugai_msg_add_body(mc, big, 1000), MUGAI_OK);
	ck_assert_int_eq(mugai_msg_add_body(mc, big, 1000), MUGAI_E_LIMIT);
	ck_assert_int_eq(mugai_msg_add_body(mc, big, 1), MUGAI_E_LIMIT);
	ck_assert_uint_eq(mugai_spool_size(mc->mc_spool), 1000);
	mugai_conn_msg_end(cc);
	mugai_conn_msg_end(cc);
	mugai_conn_free(cc);
	mugai_conn_free(NULL);
}
END_TEST

/* ---- the live config: reload never changes a message in flight ---- */

START_TEST(reload_leaves_in_flight_messages_on_their_config)
{
	struct mugai_config *a = mugai_config_new_default();
	struct mugai_config *b = mugai_config_new_default();
	struct mugai_config *held, *now;
	struct mugai_conn *cc = mugai_conn_new();
	struct mugai_msg *mc;

	mugai_current_set_config(a);
	held = mugai_current_config();
	mc = mugai_conn_msg_begin(cc, held, "<a@example.jp>", NULL, NULL);
	/* Reload: b replaces a; the message still holds a, alive. */
	mugai_current_set_config(b);
	ck_assert_ptr_eq(mc->mc_cf, a);
	ck_assert_str_eq(mc->mc_cf->cf_reject_text, a->cf_reject_text);
	now = mugai_current_config();
	ck_assert_ptr_eq(now, b);
	mugai_config_unref(now);
	/* The message ends: the last reference to a goes with it. */
	mugai_conn_free(cc);
	mugai_current_clear();
}
END_TEST

/* ---- glibc's thread stack cache (stackcache.c) ---- */

#define T_CACHE "glibc.pthread.stack_cache_size=536870912"

START_TEST(stackcache_set_when_unset)
{
	g_autofree char *a = mugai_stackcache_tunables(NULL);
	g_autofree char *b = mugai_stackcache_tunables("");

	ck_assert_str_eq(a, T_CACHE);
	ck_assert_str_eq(b, T_CACHE);
}
END_TEST

START_TEST(stackcache_appended_to_other_tunables)
{
	g_autofree char *v = mugai_stackcache_tunables(
	    "glibc.malloc.arena_max=2");

	/* The administrator's malloc tunables stay (heap.c defers to them). */
	ck_assert_str_eq(v, "glibc.malloc.arena_max=2:" T_CACHE);
}
END_TEST

START_TEST(stackcache_never_twice)
{
	/* After the re-exec, or set by the administrator: left alone. */
	ck_assert_ptr_null(mugai_stackcache_tunables(T_CACHE));
	ck_assert_ptr_null(mugai_stackcache_tunables(
	    "glibc.malloc.arena_max=2:glibc.pthread.stack_cache_size=0"));
	ck_assert_ptr_null(mugai_stackcache_tunables(
	    "glibc.pthread.stack_cache_size"));
}
END_TEST

START_TEST(stackcache_names_matched_whole)
{
	g_autofree char *v = mugai_stackcache_tunables(
	    "glibc.pthread.stack_cache_sizex=1");

	ck_assert_str_eq(v, "glibc.pthread.stack_cache_sizex=1:" T_CACHE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("milter_pure");

	g_mime_init();
	fake_mta_reset();
	t_loop_test(s, socket_spec, 0, G_N_ELEMENTS(sock_cases));
	t_test(s, socket_prepare_never_removes_a_file);
	t_test(s, reply_passing_verdicts_continue_without_reply);
	t_test(s, reply_reject_is_550_571_with_configured_text);
	t_test(s, reply_failures_are_451_430);
	t_test(s, reply_too_big_follows_on_error);
	t_test(s, reply_text_is_made_safe_for_the_mta);
	t_test(s, apply_edits_in_order_with_leading_space);
	t_test(s, apply_stops_at_the_first_refusal);
	t_loop_test(s, apply_body_in_chunks_of_at_most_64k, 0,
	    G_N_ELEMENTS(body_sizes));
	t_test(s, context_builds_the_message_as_received);
	t_test(s, context_keeps_the_first_input_failure);
	t_test(s, reload_leaves_in_flight_messages_on_their_config);
	t_test(s, stackcache_set_when_unset);
	t_test(s, stackcache_appended_to_other_tunables);
	t_test(s, stackcache_never_twice);
	t_test(s, stackcache_names_matched_whole);
	return t_run(s);
}
