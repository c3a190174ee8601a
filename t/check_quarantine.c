/*
 * check_quarantine - the quarantine store, IDs, purge and release tokens
 *
 * Each case makes its own store under a fresh temporary directory. The
 * fault hook (mugai_quarantine_fault_hook) makes the Nth file-system step
 * of a store fail, for atomicity and ENOSPC; the ENOSPC case also runs on
 * a 64 KiB tmpfs when this process may mount one.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "base/digest.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "store/quarantine.h"
#include "store/release.h"
#include "base/report.h"
#include "testutil.h"

static const char msg_crlf[] =
    "Received: from x\r\n\tby y; Mon, 2 Jun 2025 10:00:00 +0900\r\n"
    "From: =?UTF-8?B?5bGx55Sw?= <taro@sender.example>\r\n"
    "To: staff@city.example.lg.jp, b@city.example.lg.jp\r\n"
    "Subject: =?UTF-8?B?6KuL5rGC5pu4?= test\r\n"
    "Date: Mon, 2 Jun 2025 10:00:00 +0900\r\n"
    "Message-ID: <m1@sender.example>\r\n"
    "X-Odd:    leading spaces kept\r\n"
    "\r\n"
    "body line\r\n\x00\xff binary bytes\r\n";

static char *
make_store_dir(void)
{
	char *dir = g_dir_make_tmp("mugai-q-XXXXXX", NULL);
	char *store;

	ck_assert_ptr_nonnull(dir);
	store = g_build_filename(dir, "store", NULL);
	g_free(dir);
	return store;
}

static void
rm_rf(const char *path)
{
	g_autofree char *cmd = NULL;
	g_autofree char *parent = g_path_get_dirname(path);

	cmd = g_strdup_printf("rm -rf '%s'", parent);
	ck_assert_int_eq(system(cmd), 0);
}

static struct mugai_report *
make_report(void)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_report_part *p;

	r->rr_verdict = MUGAI_V_SANITIZED;
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_declared_type = g_strdup("text/plain");
	p->rp_action = MUGAI_ACT_TEXT;
	p = mugai_report_add_part(r, "1.2", "part");
	p->rp_declared_type = g_strdup("application/zip");
	p->rp_filename = g_strdup("請求書.zip");
	p->rp_action = MUGAI_ACT_DROP;
	p->rp_reason = g_strdup("attachment");
	return r;
}

static enum mugai_err
store_buf(struct mugai_quarantine *q, const char *id, const char *buf,
    gsize len)
{
	const char *const rcpts[] = { "<staff@city.example.lg.jp>", NULL };
	struct mugai_envelope env = { "QID1", "192.0.2.1", "client.example",
	    "helo.example", "<taro@sender.example>", rcpts, NULL };
	struct mugai_report *r = make_report();
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(buf, len);
	enum mugai_err err;

	err = mugai_quarantine_store(q, id, s, &env, r, "test");
	g_object_unref(s);
	mugai_report_free(r);
	return err;
}

/* Returns (transfer full) what sh -c cmd prints. */
static char *
sh_output(const char *cmd)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	char *out = NULL;

	ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
	    &out, NULL, NULL, NULL));
	return out;
}

/* Number of item directories under YYYY/MM/DD. */
static guint
count_items(const char *store)
{
	g_autofree char *cmd = g_strdup_printf("find '%s' -mindepth 4 "
	    "-maxdepth 4 -type d -path '%s/[0-9]*' | wc -l", store, store);
	g_autofree char *out = sh_output(cmd);

	return (guint)g_ascii_strtoull(out, NULL, 10);
}

static guint
count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	if (d == NULL)
		return 0;
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

static char *
item_file(const char *store, const char *id, const char *name)
{
	g_autofree char *item = mugai_qid_path(store, id);

	return g_build_filename(item, name, NULL);
}

/* A valid ID moved back in time by usec_back. */
static char *
id_back(gint64 usec_back)
{
	char *id = mugai_qid_new();
	gint64 t = g_get_real_time() - usec_back;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
	    t / G_USEC_PER_SEC);
	g_autofree char *prefix = g_date_time_format(dt, "%Y%m%d-%H%M%S");

	memcpy(id, prefix, 15);
	return id;
}

START_TEST(store_keeps_original_byte_exact)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *path = NULL, *data = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	gsize len;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	path = item_file(store, id, "original.eml");
	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	ck_assert_uint_eq(len, sizeof msg_crlf - 1);
	ck_assert(memcmp(data, msg_crlf, len) == 0);
	/* YYYY tmp journal audit.log */
	ck_assert_uint_eq(count_entries(store), 4);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/* The one opener of an item's original: a link, another owner's file, a
 * file too large or not matching meta.json's SHA-256 is refused. */
START_TEST(open_original_checks_link_owner_size_and_digest)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *item = NULL, *orig = NULL, *moved = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	char hex[65], bad[65];
	struct stat st;
	int itemfd, fd;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	mugai_quarantine_close(q);
	mugai_digest_buf(msg_crlf, sizeof msg_crlf - 1, hex);
	memcpy(bad, hex, sizeof bad);
	bad[0] = bad[0] == '0' ? '1' : '0';
	item = mugai_qid_path(store, id);
	itemfd = open(item, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(itemfd, 0);

	fd = mugai_qdir_open_original(itemfd, getuid(), 0, hex, &st);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(st.st_size, sizeof msg_crlf - 1);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
	errno = 0;
	ck_assert_int_lt(mugai_qdir_open_original(itemfd, getuid(), 0, bad,
	    NULL), 0);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_lt(mugai_qdir_open_original(itemfd, getuid(), 10, NULL,
	    NULL), 0);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_lt(mugai_qdir_open_original(itemfd, getuid() + 1, 0,
	    NULL, NULL), 0);
	ck_assert_int_eq(errno, EPERM);

	/* original.eml made a link to the real file: refused. */
	orig = g_build_filename(item, "original.eml", NULL);
	moved = g_build_filename(item, "elsewhere.eml", NULL);
	ck_assert_int_eq(rename(orig, moved), 0);
	ck_assert_int_eq(symlink("elsewhere.eml", orig), 0);
	ck_assert_int_lt(mugai_qdir_open_original(itemfd, (uid_t)-1, 0, NULL,
	    NULL), 0);
	ck_assert_int_eq(errno, ELOOP);
	close(itemfd);
	rm_rf(store);
}
END_TEST

START_TEST(store_reads_from_current_position)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *path = NULL, *data = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	GMimeStream *s;
	gsize len;

	q = mugai_quarantine_open(store, NULL, &err);
	s = g_mime_stream_mem_new_with_buffer("skipFrom: a@b\n\nx\n", 17);
	g_mime_stream_seek(s, 4, GMIME_STREAM_SEEK_SET);
	ck_assert_int_eq(mugai_quarantine_store(q, id, s, NULL, NULL,
	    "test"), MUGAI_OK);
	g_object_unref(s);
	path = item_file(store, id, "original.eml");
	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	ck_assert_str_eq(data, "From: a@b\n\nx\n");
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

START_TEST(meta_json_has_every_field)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	struct mugai_quarantine *q;
	JsonObject *m, *env, *hdr, *orig, *sum;
	enum mugai_err err;
	char sha[65];

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	m = mugai_quarantine_read_meta(store, id, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(json_object_get_int_member(m, "schema"), 1);
	ck_assert_str_eq(json_object_get_string_member(m, "id"), id);
	ck_assert_str_eq(json_object_get_string_member(m, "mugai_version"),
	    PACKAGE_VERSION);
	ck_assert(g_str_has_suffix(json_object_get_string_member(m, "time"),
	    "Z"));
	env = json_object_get_object_member(m, "envelope");
	ck_assert_str_eq(json_object_get_string_member(env, "queue_id"),
	    "QID1");
	ck_assert_str_eq(json_object_get_string_member(env, "client_addr"),
	    "192.0.2.1");
	ck_assert_str_eq(json_object_get_string_member(env, "helo"),
	    "helo.example");
	ck_assert_str_eq(json_object_get_string_member(env, "sender"),
	    "<taro@sender.example>");
	ck_assert_str_eq(json_array_get_string_element(
	    json_object_get_array_member(env, "recipients"), 0),
	    "<staff@city.example.lg.jp>");
	hdr = json_object_get_object_member(m, "headers");
	ck_assert_str_eq(json_object_get_string_member(hdr, "from"),
	    "山田 <taro@sender.example>");
	ck_assert_str_eq(json_object_get_string_member(hdr, "subject"),
	    "請求書 test");
	ck_assert_str_eq(json_object_get_string_member(hdr, "message_id"),
	    "m1@sender.example");
	ck_assert_str_eq(json_object_get_string_member(hdr, "date_iso"),
	    "2025-06-02T10:00:00+09:00");
	ck_assert(strstr(json_object_get_string_member(hdr, "to"),
	    "b@city.example.lg.jp") != NULL);
	orig = json_object_get_object_member(m, "original");
	mugai_digest_buf(msg_crlf, sizeof msg_crlf - 1, sha);
	ck_assert_str_eq(json_object_get_string_member(orig, "sha256"), sha);
	ck_assert_int_eq(json_object_get_int_member(orig, "size"),
	    sizeof msg_crlf - 1);
	sum = json_object_get_object_member(m, "summary");
	ck_assert_str_eq(json_object_get_string_member(sum, "verdict"),
	    "sanitized");
	ck_assert_int_eq(json_object_get_int_member(sum, "removed_count"), 1);
	ck_assert_str_eq(json_array_get_string_element(
	    json_object_get_array_member(sum, "removed"), 0), "請求書.zip");
	ck_assert(json_object_has_member(m, "report"));
	json_object_unref(m);
	/*
	 * Three inodes an item (session 9): its directory, original.eml
	 * and meta.json; no list.json (listing reads the index, or falls
	 * back to meta.json).
	 */
	{
		g_autofree char *item = mugai_qid_path(store, id);
		g_autoptr(GDir) d = g_dir_open(item, 0, NULL);
		const char *name;
		guint n = 0;

		ck_assert_ptr_nonnull(d);
		while ((name = g_dir_read_name(d)) != NULL) {
			ck_assert(strcmp(name, "original.eml") == 0 ||
			    strcmp(name, "meta.json") == 0);
			n++;
		}
		ck_assert_uint_eq(n, 2);
	}
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

START_TEST(meta_json_survives_hostile_headers)
{
	static const char hostile[] = "From: \xff\xfe bad <a@b>\n"
	    "Subject: \x1b[31mred\x82\xa0\n\nbody\n";
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	struct mugai_quarantine *q;
	enum mugai_err err;
	JsonObject *m;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(store_buf(q, id, hostile, sizeof hostile - 1),
	    MUGAI_OK);
	m = mugai_quarantine_read_meta(store, id, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert(g_utf8_validate(json_object_get_string_member(
	    json_object_get_object_member(m, "headers"), "subject"), -1,
	    NULL));
	json_object_unref(m);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

static const struct {
	const char *name;
	const char *id;
} bad_ids[] = {
	{ "empty", "" },
	{ "dotdot", ".." },
	{ "traversal", "../etc" },
	{ "slash", "a/b" },
	{ "traversal_padded_to_length",
	  "../../../../../../../../../../../../../../etc/pw" },
	{ "overlong", "20250102-030405-123456-0a1b2c3d-0123456789abcdef0" },
	{ "short", "20250102-030405-123456-0a1b2c3d-0123456789abcde" },
	{ "upper_hex", "20250102-030405-123456-0A1B2C3D-0123456789abcdef" },
	{ "bad_month", "20251302-030405-123456-0a1b2c3d-0123456789abcdef" },
	{ "bad_day", "20250230-030405-123456-0a1b2c3d-0123456789abcdef" },
	{ "bad_hour", "20250102-240405-123456-0a1b2c3d-0123456789abcdef" },
	{ "slash_inside", "20250102-030405-123456-0a1b2c3d-0123456789ab/def" },
	{ "space", "20250102-030405-123456-0a1b2c3d-0123456789abcde " },
};

/* mugai-portal's server process: a reader of the store, not its owner. */
START_TEST(reader_must_be_in_group_not_owner)
{
	const gid_t sup[] = { 100, 2001, 2002 };

	/* In the store's group by the primary group or a supplementary. */
	ck_assert(mugai_qdir_reader_ok(1001, 2000, NULL, 0, 999, 2000));
	ck_assert(mugai_qdir_reader_ok(1001, 1001, sup, 3, 999, 2002));
	/* Not in it. */
	ck_assert(!mugai_qdir_reader_ok(1001, 1001, sup, 3, 999, 2000));
	ck_assert(!mugai_qdir_reader_ok(1001, 1001, NULL, 0, 999, 2000));
	/* Root, or the owner itself: no split at all. */
	ck_assert(!mugai_qdir_reader_ok(0, 2000, NULL, 0, 999, 2000));
	ck_assert(!mugai_qdir_reader_ok(999, 2000, sup, 3, 999, 2000));
}
END_TEST

START_TEST(id_validation_refuses_bad_ids)
{
	ck_assert_msg(!mugai_qid_valid(bad_ids[_i].id), "%s",
	    bad_ids[_i].name);
	ck_assert_ptr_null(mugai_qid_path("/q", bad_ids[_i].id));
}
END_TEST

START_TEST(id_validation_refuses_nul_embedded)
{
	g_autofree char *id = mugai_qid_new();
	char buf[MUGAI_QID_LEN + 1];

	ck_assert(mugai_qid_valid(id));
	ck_assert_uint_eq(strlen(id), MUGAI_QID_LEN);
	ck_assert(!mugai_qid_valid(NULL));
	/* An ID with a NUL inside is, to C, a short string. */
	memcpy(buf, id, sizeof buf);
	buf[20] = '\0';
	ck_assert(!mugai_qid_valid(buf));
	ck_assert_int_eq(store_buf(NULL, buf, "x", 1), MUGAI_E_INVAL);
}
END_TEST

#define ID_THREADS 4
#define IDS_PER_THREAD 2500

static gpointer
make_ids(gpointer data)
{
	GPtrArray *ids = data;

	for (int i = 0; i < IDS_PER_THREAD; i++)
		g_ptr_array_add(ids, mugai_qid_new());
	return NULL;
}

START_TEST(ids_unique_across_threads)
{
	GThread *th[ID_THREADS];
	GPtrArray *ids[ID_THREADS];
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int t = 0; t < ID_THREADS; t++) {
		ids[t] = g_ptr_array_new_with_free_func(g_free);
		th[t] = g_thread_new("ids", make_ids, ids[t]);
	}
	for (int t = 0; t < ID_THREADS; t++) {
		g_thread_join(th[t]);
		for (guint i = 0; i < ids[t]->len; i++) {
			const char *id = g_ptr_array_index(ids[t], i);

			ck_assert(mugai_qid_valid(id));
			ck_assert(g_hash_table_add(seen, (gpointer)id));
			/* Within a thread IDs never go back in time. */
			if (i > 0)
				ck_assert(strncmp(g_ptr_array_index(ids[t],
				    i - 1), id, 22) <= 0);
		}
	}
	ck_assert_uint_eq(g_hash_table_size(seen), ID_THREADS *
	    IDS_PER_THREAD);
	g_hash_table_unref(seen);
	for (int t = 0; t < ID_THREADS; t++)
		g_ptr_array_free(ids[t], TRUE);
}
END_TEST

#define W_THREADS 4
#define W_PROCS 2
#define W_ITEMS 15

struct writer {
	struct mugai_quarantine *q;
	int tag;
	int failures;
};

/* A message whose last line names its writer: a torn file shows. */
static GString *
writer_message(int tag, int i)
{
	GString *m = g_string_new("From: w@example\nSubject: concurrent\n\n");

	for (int k = 0; k < 2000; k++)
		g_string_append_printf(m, "line %d of writer %d item %d\n", k,
		    tag, i);
	g_string_append(m, "END\n");
	return m;
}

static gpointer
writer_run(gpointer data)
{
	struct writer *w = data;

	for (int i = 0; i < W_ITEMS; i++) {
		g_autofree char *id = mugai_qid_new();
		GString *m = writer_message(w->tag, i);

		if (store_buf(w->q, id, m->str, m->len) != MUGAI_OK)
			w->failures++;
		g_string_free(m, TRUE);
	}
	return NULL;
}

/* Four threads storing into store; returns the number of failures. */
static int
run_writers(const char *store, int proc)
{
	struct writer w[W_THREADS];
	GThread *th[W_THREADS];
	struct mugai_quarantine *q;
	enum mugai_err err;
	int failures = 0;

	if ((q = mugai_quarantine_open(store, NULL, &err)) == NULL)
		return 1000;
	for (int t = 0; t < W_THREADS; t++) {
		w[t] = (struct writer){ q, proc * 10 + t, 0 };
		th[t] = g_thread_new("w", writer_run, &w[t]);
	}
	for (int t = 0; t < W_THREADS; t++) {
		g_thread_join(th[t]);
		failures += w[t].failures;
	}
	mugai_quarantine_close(q);
	return failures;
}

/* Every item: meta.json parses and original.eml has its size and hash. */
static guint
check_items_whole(const char *store)
{
	g_autofree char *cmd = g_strdup_printf("find '%s' -mindepth 4 "
	    "-maxdepth 4 -type d -path '%s/[0-9]*' -printf '%%f\\n'", store,
	    store);
	g_autofree char *out = sh_output(cmd);
	g_auto(GStrv) ids = NULL;
	guint n = 0;

	ids = g_strsplit(g_strstrip(out), "\n", -1);
	for (guint i = 0; ids[i] != NULL && *ids[i] != '\0'; i++) {
		g_autofree char *path = item_file(store, ids[i],
		    "original.eml");
		g_autofree char *data = NULL;
		JsonObject *m, *orig;
		enum mugai_err err;
		char sha[65];
		gsize len;

		m = mugai_quarantine_read_meta(store, ids[i], &err);
		ck_assert_msg(m != NULL, "meta of %s", ids[i]);
		ck_assert(g_file_get_contents(path, &data, &len, NULL));
		mugai_digest_buf(data, len, sha);
		orig = json_object_get_object_member(m, "original");
		ck_assert_str_eq(json_object_get_string_member(orig,
		    "sha256"), sha);
		ck_assert(g_str_has_suffix(data, "END\n") ||
		    len < 100);
		json_object_unref(m);
		n++;
	}
	return n;
}

START_TEST(concurrent_stores_threads_and_processes)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *audit = NULL, *log = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	pid_t pids[W_PROCS];
	gsize len;
	guint lines = 0;

	/* Create it once, so the children race on items, not on mkdir. */
	q = mugai_quarantine_open(store, NULL, &err);
	mugai_quarantine_close(q);
	for (int p = 0; p < W_PROCS; p++) {
		pids[p] = fork();
		ck_assert_int_ge(pids[p], 0);
		if (pids[p] == 0)
			_exit(run_writers(store, p + 1) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(run_writers(store, 0), 0);
	for (int p = 0; p < W_PROCS; p++) {
		int status;

		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_uint_eq(check_items_whole(store),
	    (W_PROCS + 1) * W_THREADS * W_ITEMS);
	audit = g_build_filename(store, "tmp", NULL);
	ck_assert_uint_eq(count_entries(audit), 0);
	g_free(audit);
	audit = g_build_filename(store, "audit.log", NULL);
	ck_assert(g_file_get_contents(audit, &log, &len, NULL));
	for (gchar **l = g_strsplit(log, "\n", -1), **p = l; *p != NULL ||
	    (g_strfreev(l), FALSE); p++) {
		JsonParser *jp = json_parser_new();

		if (**p != '\0') {
			ck_assert_msg(json_parser_load_from_data(jp, *p, -1,
			    NULL), "audit line: %s", *p);
			lines++;
		}
		g_object_unref(jp);
	}
	ck_assert_uint_eq(lines, (W_PROCS + 1) * W_THREADS * W_ITEMS);
	rm_rf(store);
}
END_TEST

/* Fault injection: fail step number fault_at (1-based) with fault_errno. */
static int fault_at, fault_count, fault_errno;

static int
count_or_fail(const char *step)
{
	return ++fault_count == fault_at ? fault_errno : 0;
}

START_TEST(store_is_atomic_at_every_failing_step)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
	struct mugai_quarantine *q;
	enum mugai_err err;
	int steps;

	q = mugai_quarantine_open(store, NULL, &err);
	/* Count the steps of a store that has to make its day dirs. */
	mugai_quarantine_fault_hook = count_or_fail;
	fault_at = 0;
	fault_count = 0;
	{
		g_autofree char *id = mugai_qid_new();

		ck_assert_int_eq(store_buf(q, id, msg_crlf,
		    sizeof msg_crlf - 1), MUGAI_OK);
		steps = fault_count;
	}
	ck_assert_int_gt(steps, 8);
	/* A fresh store each round, so day directories are made again. */
	mugai_quarantine_close(q);
	rm_rf(store);
	for (fault_at = 1; fault_at <= steps; fault_at++) {
		g_autofree char *s2 = make_store_dir();
		g_autofree char *t2 = g_build_filename(s2, "tmp", NULL);
		g_autofree char *id = mugai_qid_new();

		mugai_quarantine_fault_hook = NULL;
		q = mugai_quarantine_open(s2, NULL, &err);
		ck_assert_ptr_nonnull(q);
		mugai_quarantine_fault_hook = count_or_fail;
		fault_count = 0;
		fault_errno = EIO;
		err = store_buf(q, id, msg_crlf, sizeof msg_crlf - 1);
		ck_assert_msg(err == MUGAI_E_IO, "step %d: %s", fault_at,
		    mugai_err_str(err));
		ck_assert_msg(count_items(s2) == 0, "step %d left an item",
		    fault_at);
		ck_assert_msg(count_entries(t2) == 0, "step %d left tmp/",
		    fault_at);
		mugai_quarantine_fault_hook = NULL;
		/* The store still works after the failure. */
		ck_assert_int_eq(store_buf(q, id, msg_crlf,
		    sizeof msg_crlf - 1), MUGAI_OK);
		ck_assert_uint_eq(count_items(s2), 1);
		mugai_quarantine_close(q);
		rm_rf(s2);
	}
	mugai_quarantine_fault_hook = NULL;
	(void)tmp;
}
END_TEST

START_TEST(enospc_from_fault_hook_is_nospace)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
	g_autofree char *id = mugai_qid_new();
	struct mugai_quarantine *q;
	enum mugai_err err;

	q = mugai_quarantine_open(store, NULL, &err);
	mugai_quarantine_fault_hook = count_or_fail;
	fault_count = 0;
	fault_at = 4;		/* a write of original.eml */
	fault_errno = ENOSPC;
	err = store_buf(q, id, msg_crlf, sizeof msg_crlf - 1);
	mugai_quarantine_fault_hook = NULL;
	ck_assert_int_eq(err, MUGAI_E_NOSPACE);
	ck_assert_uint_eq(count_items(store), 0);
	ck_assert_uint_eq(count_entries(tmp), 0);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

START_TEST(enospc_on_small_tmpfs_is_nospace)
{
	g_autofree char *base = g_dir_make_tmp("mugai-q-XXXXXX", NULL);
	g_autofree char *store = g_build_filename(base, "store", NULL);
	g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
	g_autofree char *id = mugai_qid_new();
	struct mugai_quarantine *q;
	enum mugai_err err;
	GString *big;

	if (mount("tmpfs", base, "tmpfs", 0, "size=64k") != 0) {
		fprintf(stderr, "enospc_on_small_tmpfs_is_nospace: skipped: "
		    "cannot mount a tmpfs (%s); the fault-hook case covers "
		    "ENOSPC\n", g_strerror(errno));
		g_rmdir(base);
		return;
	}
	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	big = g_string_new("From: a@b\nSubject: big\n\n");
	while (big->len < 200 * 1024)
		g_string_append(big, "0123456789abcdef0123456789abcdef\n");
	err = store_buf(q, id, big->str, big->len);
	ck_assert_int_eq(err, MUGAI_E_NOSPACE);
	ck_assert_uint_eq(count_items(store), 0);
	ck_assert_uint_eq(count_entries(tmp), 0);
	/* A small one still fits once the big one is gone. */
	ck_assert_int_eq(store_buf(q, id, "From: a@b\n\nx\n", 13), MUGAI_OK);
	mugai_quarantine_close(q);
	g_string_free(big, TRUE);
	ck_assert_int_eq(umount(base), 0);
	g_rmdir(base);
}
END_TEST

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/*
 * Directories 0750 and metadata 0640 for the auditors' group; the
 * original 0600: read only through `mugai quarantine extract`, which
 * writes audit.log (SECURITY.md, Privileges).
 */
START_TEST(permissions_are_0750_and_0640)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *item = NULL, *orig = NULL, *meta = NULL;
	g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
	g_autofree char *audit = g_build_filename(store, "audit.log", NULL);
	struct mugai_quarantine *q;
	enum mugai_err err;
	mode_t old = umask(077);	/* modes must not depend on umask */

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	umask(old);
	item = mugai_qid_path(store, id);
	orig = g_build_filename(item, "original.eml", NULL);
	meta = g_build_filename(item, "meta.json", NULL);
	ck_assert_uint_eq(mode_of(store), 0750);
	ck_assert_uint_eq(mode_of(tmp), 0750);
	ck_assert_uint_eq(mode_of(item), 0750);
	ck_assert_uint_eq(mode_of(orig), 0600);
	ck_assert_uint_eq(mode_of(meta), 0640);
	ck_assert_uint_eq(mode_of(audit), 0640);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/*
 * The same modes under the milter's umask (027), where the store asks
 * them of openat/mkdirat and sets none afterwards (session 9), and
 * under 022.
 */
START_TEST(permissions_without_fchmod)
{
	static const mode_t masks[] = { 027, 022, 0 };

	for (gsize i = 0; i < G_N_ELEMENTS(masks); i++) {
		g_autofree char *store = make_store_dir();
		g_autofree char *id = mugai_qid_new();
		g_autofree char *item = NULL, *orig = NULL, *meta = NULL;
		struct mugai_quarantine *q;
		enum mugai_err err;
		mode_t old = umask(masks[i]);

		q = mugai_quarantine_open(store, NULL, &err);
		ck_assert_ptr_nonnull(q);
		ck_assert_int_eq(store_buf(q, id, msg_crlf,
		    sizeof msg_crlf - 1), MUGAI_OK);
		umask(old);
		item = mugai_qid_path(store, id);
		orig = g_build_filename(item, "original.eml", NULL);
		meta = g_build_filename(item, "meta.json", NULL);
		ck_assert_uint_eq(mode_of(item), 0750);
		ck_assert_uint_eq(mode_of(orig), 0600);
		ck_assert_uint_eq(mode_of(meta), 0640);
		mugai_quarantine_close(q);
		rm_rf(store);
	}
}
END_TEST

/*
 * The header fields when the header block is longer than the store's
 * first read of the original (16 KB) and its blank line falls across
 * two reads: read back until the block's end, not beyond.
 */
START_TEST(meta_json_long_header_block)
{
	g_autofree char *store = make_store_dir();
	struct mugai_quarantine *q;
	enum mugai_err err;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	/* Header lengths around the read boundary, CRLF and LF. */
	for (gsize pad = 16300; pad < 16400; pad += 7) {
		for (int crlf = 0; crlf < 2; crlf++) {
			const char *nl = crlf ? "\r\n" : "\n";
			g_autofree char *id = mugai_qid_new();
			GString *m = g_string_new(NULL);
			JsonObject *meta, *hdr;

			g_string_append_printf(m, "From: a@b.example%s", nl);
			g_string_append(m, "X-Pad: ");
			while (m->len < pad)
				g_string_append_c(m, 'x');
			g_string_append_printf(m, "%sSubject: long %zu%s%s",
			    nl, pad, nl, nl);
			for (int i = 0; i < 2000; i++)
				g_string_append_printf(m,
				    "Subject: not a header %d%s", i, nl);
			ck_assert_int_eq(store_buf(q, id, m->str, m->len),
			    MUGAI_OK);
			meta = mugai_quarantine_read_meta(store, id, &err);
			ck_assert_ptr_nonnull(meta);
			hdr = json_object_get_object_member(meta, "headers");
			{
				g_autofree char *want = g_strdup_printf(
				    "long %zu", pad);

				ck_assert_str_eq(json_object_get_string_member(
				    hdr, "subject"), want);
			}
			ck_assert_int_eq(json_object_get_int_member(
			    json_object_get_object_member(meta, "original"),
			    "size"), (gint64)m->len);
			json_object_unref(meta);
			g_string_free(m, TRUE);
		}
	}
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/*
 * The group commit keeps the day directory open from one batch to the
 * next (session 9). A purge removes a day directory once it is empty:
 * the next item of that day must make it again, not vanish into the
 * removed one.
 */
START_TEST(day_directory_removed_between_items)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id1 = mugai_qid_new();
	g_autofree char *id2 = NULL;
	g_autofree char *item1 = NULL, *item2 = NULL, *day = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	JsonObject *meta;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(store_buf(q, id1, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	item1 = mugai_qid_path(store, id1);
	day = g_path_get_dirname(item1);
	/* As purge leaves it: the item gone, then its empty day. */
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", item1);

		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_eq(rmdir(day), 0);
	/* The same UTC day (unless midnight passed in between: rerun). */
	id2 = mugai_qid_new();
	ck_assert_int_eq(strncmp(id1, id2, 8), 0);
	ck_assert_int_eq(store_buf(q, id2, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	item2 = mugai_qid_path(store, id2);
	ck_assert(g_file_test(item2, G_FILE_TEST_IS_DIR));
	meta = mugai_quarantine_read_meta(store, id2, &err);
	ck_assert_ptr_nonnull(meta);
	json_object_unref(meta);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/*
 * A header block without any field meta.json keeps: the fields are
 * null, and GMime is not handed an empty buffer (a critical, fatal
 * here).
 */
START_TEST(meta_json_no_wanted_fields)
{
	static const char msg[] = "X-Only: 1\nReceived: by x\n\nbody\n";
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	struct mugai_quarantine *q;
	enum mugai_err err;
	JsonObject *meta, *hdr;

	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(store_buf(q, id, msg, sizeof msg - 1), MUGAI_OK);
	meta = mugai_quarantine_read_meta(store, id, &err);
	ck_assert_ptr_nonnull(meta);
	hdr = json_object_get_object_member(meta, "headers");
	ck_assert(json_object_get_null_member(hdr, "from"));
	ck_assert(json_object_get_null_member(hdr, "subject"));
	json_object_unref(meta);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

START_TEST(group_is_given_to_new_files)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *orig = NULL;
	struct mugai_quarantine *q;
	struct group *gr = getgrnam("daemon");
	enum mugai_err err;
	struct stat st;

	if (gr == NULL || geteuid() != 0) {
		fprintf(stderr, "group_is_given_to_new_files: skipped: needs "
		    "root and group daemon\n");
		rm_rf(store);
		return;
	}
	q = mugai_quarantine_open(store, "daemon", &err);
	ck_assert_int_eq(err, MUGAI_OK);
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	orig = item_file(store, id, "original.eml");
	ck_assert_int_eq(stat(orig, &st), 0);
	ck_assert_uint_eq(st.st_gid, gr->gr_gid);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(store, &st), 0);
	ck_assert_uint_eq(st.st_gid, gr->gr_gid);
	/*
	 * Handed down by the set-group-ID tmp/ rather than chowned one by
	 * one (session 9): the item directory keeps the bit, and
	 * meta.json has the group.
	 */
	{
		g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
		g_autofree char *item = mugai_qid_path(store, id);
		g_autofree char *meta = item_file(store, id, "meta.json");

		ck_assert_int_eq(stat(tmp, &st), 0);
		ck_assert_uint_eq(st.st_gid, gr->gr_gid);
		ck_assert_uint_eq(st.st_mode & 07777, 02750);
		ck_assert_int_eq(stat(item, &st), 0);
		ck_assert_uint_eq(st.st_gid, gr->gr_gid);
		ck_assert_uint_eq(st.st_mode & 07777, 02750);
		ck_assert_int_eq(stat(meta, &st), 0);
		ck_assert_uint_eq(st.st_gid, gr->gr_gid);
		ck_assert_uint_eq(st.st_mode & 07777, 0640);
	}
	mugai_quarantine_close(q);
	ck_assert_ptr_null(mugai_quarantine_open(store,
	    "no-such-group-mugai", &err));
	ck_assert_int_eq(err, MUGAI_E_CONFIG);
	rm_rf(store);
}
END_TEST

START_TEST(store_writable_by_others_is_refused)
{
	g_autofree char *store = make_store_dir();
	struct mugai_quarantine *q;
	enum mugai_err err;

	q = mugai_quarantine_open(store, NULL, &err);
	mugai_quarantine_close(q);
	ck_assert_int_eq(chmod(store, 0777), 0);
	ck_assert_ptr_null(mugai_quarantine_open(store, NULL, &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	ck_assert_int_eq(chmod(store, 0770), 0);
	ck_assert_ptr_null(mugai_quarantine_open(store, NULL, &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	ck_assert_int_eq(chmod(store, 0750), 0);
	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

static void
set_mtime_back(const char *path, int seconds)
{
	struct timeval tv[2];

	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= seconds;
	tv[1] = tv[0];
	ck_assert_int_eq(utimes(path, tv), 0);
}

START_TEST(purge_removes_old_items_and_stale_tmp)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *old_id = id_back(G_GINT64_CONSTANT(40) * 86400 *
	    G_USEC_PER_SEC);
	g_autofree char *new_id = mugai_qid_new();
	g_autofree char *stale = NULL, *fresh = NULL, *audit = NULL;
	g_autofree char *log = NULL, *old_item = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;
	guint n = 0;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(store_buf(q, old_id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	ck_assert_int_eq(store_buf(q, new_id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	stale = g_build_filename(store, "tmp", "stale.XXXXXX", NULL);
	fresh = g_build_filename(store, "tmp", "fresh.XXXXXX", NULL);
	ck_assert_ptr_nonnull(g_mkdtemp(stale));
	ck_assert_ptr_nonnull(g_mkdtemp(fresh));
	set_mtime_back(stale, 2 * 3600);
	ck_assert_int_eq(mugai_quarantine_purge(q, 30, g_get_real_time(),
	    "tester", &n, NULL), MUGAI_OK);
	ck_assert_uint_eq(n, 1);
	old_item = mugai_qid_path(store, old_id);
	ck_assert(!g_file_test(old_item, G_FILE_TEST_EXISTS));
	{
		JsonObject *m = mugai_quarantine_read_meta(store, new_id,
		    &err);

		ck_assert_ptr_nonnull(m);
		json_object_unref(m);
	}
	ck_assert(!g_file_test(stale, G_FILE_TEST_EXISTS));
	ck_assert(g_file_test(fresh, G_FILE_TEST_IS_DIR));
	/* The old day's empty directories are gone too. */
	{
		g_autofree char *day = g_path_get_dirname(old_item);

		ck_assert(!g_file_test(day, G_FILE_TEST_EXISTS));
	}
	audit = g_build_filename(store, "audit.log", NULL);
	ck_assert(g_file_get_contents(audit, &log, NULL, NULL));
	ck_assert(strstr(log, "\"event\":\"purged\"") != NULL);
	ck_assert(strstr(log, old_id) != NULL);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/*
 * The store's owner replaced a day directory and an item by links to
 * directories outside holding old items: purge leaves the links alone,
 * says so, and removes nothing outside; with tmp/ a link the store does
 * not open at all.
 */
START_TEST(purge_does_not_follow_links)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *base = g_path_get_dirname(store);
	g_autofree char *outday = g_build_filename(base, "outday", NULL);
	g_autofree char *outitem = g_build_filename(base, "outitem", NULL);
	g_autofree char *outtmp = g_build_filename(base, "outtmp", NULL);
	g_autofree char *day_id = id_back(G_GINT64_CONSTANT(40) * 86400 *
	    G_USEC_PER_SEC);
	g_autofree char *item_id = id_back(G_GINT64_CONSTANT(41) * 86400 *
	    G_USEC_PER_SEC);
	g_autofree char *day = NULL, *item = NULL, *fake = NULL;
	g_autofree char *ev1 = NULL, *ev2 = NULL, *ev3 = NULL, *cmd = NULL;
	g_autofree char *tmp = g_build_filename(store, "tmp", NULL);
	GPtrArray *refused = g_ptr_array_new_with_free_func(g_free);
	struct mugai_quarantine *q;
	enum mugai_err err;
	guint n = 7;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(store_buf(q, day_id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	ck_assert_int_eq(store_buf(q, item_id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	item = mugai_qid_path(store, item_id);
	{
		g_autofree char *d = mugai_qid_path(store, day_id);

		day = g_path_get_dirname(d);
	}
	/* An old item, reached through the day link, and an item's files. */
	fake = g_build_filename(outday, day_id, NULL);
	ck_assert_int_eq(g_mkdir_with_parents(fake, 0750), 0);
	ck_assert_int_eq(g_mkdir_with_parents(outitem, 0750), 0);
	ck_assert_int_eq(g_mkdir_with_parents(outtmp, 0750), 0);
	ev1 = g_build_filename(fake, "evidence", NULL);
	ev2 = g_build_filename(outitem, "evidence", NULL);
	ev3 = g_build_filename(outtmp, "evidence", NULL);
	ck_assert(g_file_set_contents(ev1, "keep", -1, NULL));
	ck_assert(g_file_set_contents(ev2, "keep", -1, NULL));
	ck_assert(g_file_set_contents(ev3, "keep", -1, NULL));
	set_mtime_back(ev3, 2 * 3600);
	set_mtime_back(outtmp, 2 * 3600);
	cmd = g_strdup_printf("rm -rf '%s' '%s' && ln -s '%s' '%s' && "
	    "ln -s '%s' '%s'", day, item, outday, day, outitem, item);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(mugai_quarantine_purge(q, 30, g_get_real_time(),
	    "tester", &n, refused), MUGAI_E_PERM);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(refused->len, 2);
	/* The older (the item) first: the walk goes by date. */
	ck_assert(strstr(g_ptr_array_index(refused, 0), item_id) != NULL);
	ck_assert(strstr(g_ptr_array_index(refused, 0), "link") != NULL);
	ck_assert(strstr(g_ptr_array_index(refused, 1), "link") != NULL);
	ck_assert(g_file_test(ev1, G_FILE_TEST_IS_REGULAR));
	ck_assert(g_file_test(ev2, G_FILE_TEST_IS_REGULAR));
	ck_assert(g_file_test(item, G_FILE_TEST_IS_SYMLINK));
	mugai_quarantine_close(q);
	/* tmp/ a link: refused before anything is cleaned. */
	g_free(cmd);
	cmd = g_strdup_printf("rm -rf '%s' && ln -s '%s' '%s'", tmp, outtmp,
	    tmp);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_null(mugai_quarantine_open(store, NULL, &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	ck_assert(g_file_test(ev3, G_FILE_TEST_IS_REGULAR));
	/* Readers refuse an item that is a link. */
	ck_assert_ptr_null(mugai_quarantine_read_meta(store, item_id, &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	g_ptr_array_free(refused, TRUE);
	rm_rf(store);
}
END_TEST

/*
 * logrotate renames audit.log, then signals the milter: lines go to the
 * renamed file until the reopen, to a new audit.log (0640) after it.
 */
START_TEST(audit_log_reopens_after_rotation)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id1 = mugai_qid_new();
	g_autofree char *id2 = mugai_qid_new();
	g_autofree char *audit = NULL, *rotated = NULL;
	g_autofree char *log = NULL, *old_log = NULL;
	struct mugai_quarantine *q;
	enum mugai_err err;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_int_eq(err, MUGAI_OK);
	audit = g_build_filename(store, "audit.log", NULL);
	rotated = g_build_filename(store, "audit.log.1", NULL);
	ck_assert_int_eq(rename(audit, rotated), 0);
	ck_assert_int_eq(store_buf(q, id1, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	ck_assert(!g_file_test(audit, G_FILE_TEST_EXISTS));
	ck_assert_int_eq(mugai_quarantine_reopen_log(q), MUGAI_OK);
	ck_assert_uint_eq(mode_of(audit), 0640);
	ck_assert_int_eq(store_buf(q, id2, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	ck_assert(g_file_get_contents(rotated, &old_log, NULL, NULL));
	ck_assert(g_file_get_contents(audit, &log, NULL, NULL));
	ck_assert(strstr(old_log, id1) != NULL);
	ck_assert(strstr(old_log, id2) == NULL);
	ck_assert(strstr(log, id2) != NULL);
	ck_assert(strstr(log, id1) == NULL);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/* A crash mid-message leaves an item's tmp/ entry: startup removes it. */
START_TEST(clean_tmp_removes_stale_entries_not_a_live_item)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *stale = NULL;
	struct mugai_quarantine *q;
	struct mugai_qitem *live, *crashed;
	enum mugai_err err;
	g_autofree char *cmd = NULL, *out = NULL;
	g_autofree char *id = mugai_qid_new();

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	live = mugai_quarantine_begin(q, &err);
	crashed = mugai_quarantine_begin(q, &err);
	ck_assert_ptr_nonnull(live);
	ck_assert_ptr_nonnull(crashed);
	ck_assert_int_eq(mugai_quarantine_write(live, "x", 1), MUGAI_OK);
	ck_assert_int_eq(mugai_quarantine_write(crashed, "y", 1), MUGAI_OK);
	/* The crashed writer's directory and file, two hours untouched. */
	cmd = g_strdup_printf("cd '%s/tmp' && for d in *; do "
	    "[ -n \"$(cat $d/original.eml | grep y)\" ] && "
	    "touch -d '-2 hours' $d/original.eml $d && echo $d; done", store);
	out = sh_output(cmd);
	g_strstrip(out);
	ck_assert_str_ne(out, "");
	stale = g_build_filename(store, "tmp", out, NULL);
	ck_assert(g_file_test(stale, G_FILE_TEST_IS_DIR));
	ck_assert_uint_eq(mugai_quarantine_clean_tmp(q, g_get_real_time()), 1);
	ck_assert(!g_file_test(stale, G_FILE_TEST_EXISTS));
	ck_assert_int_eq(mugai_quarantine_commit(live, id, NULL, NULL,
	    NULL, "test"), MUGAI_OK);
	mugai_quarantine_item_free(live);
	mugai_quarantine_item_free(crashed);
	ck_assert_uint_eq(count_items(store), 1);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/*
 * An item written in pieces past several writeback steps (8 MiB each,
 * started as it is written) is the bytes written, whole, at the commit.
 */
START_TEST(item_past_writeback_steps_is_byte_exact)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *path = NULL, *data = NULL;
	const gsize total = (gsize)(20 << 20) + 12345, piece = 65537;
	g_autofree guint8 *want = g_malloc(total);
	struct mugai_quarantine *q;
	struct mugai_qitem *it;
	enum mugai_err err;
	gsize i, len;

	for (i = 0; i < total; i++)
		want[i] = (guint8)((i * 2654435761u) >> 13);
	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	it = mugai_quarantine_begin(q, &err);
	ck_assert_ptr_nonnull(it);
	for (i = 0; i < total; i += piece)
		ck_assert_int_eq(mugai_quarantine_write(it, want + i,
		    MIN(piece, total - i)), MUGAI_OK);
	ck_assert_uint_eq(mugai_quarantine_item_size(it), total);
	ck_assert_int_eq(mugai_quarantine_commit(it, id, NULL, NULL, NULL,
	    "test"), MUGAI_OK);
	mugai_quarantine_item_free(it);
	path = item_file(store, id, "original.eml");
	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	ck_assert_uint_eq(len, total);
	ck_assert(memcmp(data, want, total) == 0);
	mugai_quarantine_close(q);
	rm_rf(store);
}
END_TEST

/* A level's entries: n digits, or valid ids; sorted; nothing else. */
START_TEST(entries_keep_only_the_level_names_sorted)
{
	g_autofree char *dir = make_store_dir();
	g_autofree char *id1 = id_back(G_USEC_PER_SEC);
	g_autofree char *id2 = mugai_qid_new();
	const char *names[] = { "2027", "2026", "202", "20260", "12", "x2",
	    "tmp", "audit.log", id2, id1 };
	GPtrArray *a;

	ck_assert_int_eq(g_mkdir(dir, 0700), 0);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *p = g_build_filename(dir, names[i], NULL);

		ck_assert_int_eq(g_mkdir(p, 0700), 0);
	}
	a = mugai_quarantine_entries(dir, 4);
	ck_assert_uint_eq(a->len, 2);
	ck_assert_str_eq(g_ptr_array_index(a, 0), "2026");
	ck_assert_str_eq(g_ptr_array_index(a, 1), "2027");
	g_ptr_array_free(a, TRUE);
	a = mugai_quarantine_entries(dir, 2);
	ck_assert_uint_eq(a->len, 1);
	ck_assert_str_eq(g_ptr_array_index(a, 0), "12");
	g_ptr_array_free(a, TRUE);
	a = mugai_quarantine_entries(dir, 0);
	ck_assert_uint_eq(a->len, 2);
	ck_assert_str_eq(g_ptr_array_index(a, 0), id1);
	ck_assert_str_eq(g_ptr_array_index(a, 1), id2);
	g_ptr_array_free(a, TRUE);
	a = mugai_quarantine_entries("/nonexistent/mugai", 4);
	ck_assert_uint_eq(a->len, 0);
	g_ptr_array_free(a, TRUE);
	rm_rf(dir);
}
END_TEST

/* ---- release ---- */

struct rel {
	char *store;
	char *keyfile;
	struct mugai_config *cf;
	struct mugai_quarantine *q;
	GBytes *key;
	char *id;
	char sha[65];
};

static void
rel_setup(struct rel *r)
{
	enum mugai_err err;

	r->store = make_store_dir();
	r->q = mugai_quarantine_open(r->store, NULL, &err);
	ck_assert_ptr_nonnull(r->q);
	r->keyfile = g_build_filename(r->store, "..", "release.key", NULL);
	r->key = mugai_release_key_load(r->keyfile, TRUE, (uid_t)-1, &err);
	ck_assert_ptr_nonnull(r->key);
	r->cf = mugai_config_new_default();
	g_free(r->cf->cf_release_secret);
	r->cf->cf_release_secret = g_strdup(r->keyfile);
	r->id = mugai_qid_new();
	ck_assert_int_eq(store_buf(r->q, r->id, msg_crlf,
	    sizeof msg_crlf - 1), MUGAI_OK);
	mugai_digest_buf(msg_crlf, sizeof msg_crlf - 1, r->sha);
}

static void
rel_teardown(struct rel *r)
{
	mugai_quarantine_close(r->q);
	mugai_config_unref(r->cf);
	g_bytes_unref(r->key);
	rm_rf(r->store);
	g_free(r->store);
	g_free(r->keyfile);
	g_free(r->id);
}

/* The recipients the tokens below are made for, and the MTA's form. */
static const char *const rel_to[] = { "staff@city.example.lg.jp",
    "b@City.Example.LG.JP", NULL };
static const char *const rel_env[] = { "<b@city.example.lg.jp>",
    "<staff@CITY.example.lg.jp>", "<staff@city.example.lg.jp>", NULL };

/* A token made now for the stored item, the original and rel_to. */
static char *
rel_token(struct rel *r)
{
	return mugai_release_token(r->key, r->id, g_get_real_time() /
	    G_USEC_PER_SEC, r->sha, rel_to);
}

/*
 * Checks value as the milter does: carried as the first field of a
 * message whose rest is content (prefix, may be NULL, before it: trace
 * fields), for the envelope recipients rcpts.
 */
static enum mugai_release_status
check_msg(struct rel *r, const char *prefix, const char *value,
    const char *content, gsize len, const char *const *rcpts)
{
	g_autofree char *id = NULL;
	GString *m = g_string_new(prefix);
	GMimeStream *s;
	enum mugai_release_status st;

	g_string_append_printf(m, "X-Mugai-Release: %s\r\n", value != NULL ?
	    value : "");
	g_string_append_len(m, content, (gssize)len);
	s = g_mime_stream_mem_new_with_buffer(m->str, m->len);
	st = mugai_release_check(r->q, r->cf, value, s, rcpts, &id);
	g_object_unref(s);
	g_string_free(m, TRUE);
	return st;
}

/* Checks value carried on the stored original, for rel_to. */
static enum mugai_release_status
check(struct rel *r, const char *value)
{
	return check_msg(r, NULL, value, msg_crlf, sizeof msg_crlf - 1,
	    rel_env);
}

START_TEST(release_key_is_created_0600)
{
	struct rel r;
	struct stat st;

	rel_setup(&r);
	ck_assert_int_eq(stat(r.keyfile, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, MUGAI_RELEASE_KEY_LEN);
	rel_teardown(&r);
}
END_TEST

START_TEST(release_valid_once_then_replayed)
{
	struct rel r;
	g_autofree char *tok = NULL;
	char *id = NULL;

	rel_setup(&r);
	tok = rel_token(&r);
	{
		GString *m = g_string_new(NULL);
		GMimeStream *s;

		g_string_append_printf(m, "X-Mugai-Release: %s\r\n", tok);
		g_string_append_len(m, msg_crlf, sizeof msg_crlf - 1);
		s = g_mime_stream_mem_new_with_buffer(m->str, m->len);
		ck_assert_int_eq(mugai_release_check(r.q, r.cf, tok, s,
		    rel_env, &id), MUGAI_RELEASE_VALID);
		g_object_unref(s);
		g_string_free(m, TRUE);
	}
	ck_assert_str_eq(id, r.id);
	g_free(id);
	ck_assert_int_eq(check(&r, tok), MUGAI_RELEASE_REPLAYED);
	/*
	 * Folded by an MTA (a line break before a space): still the same
	 * token on the same content, still a replay.
	 */
	{
		const char *sp = strchr(tok, ' ');
		g_autofree char *folded = g_strdup_printf("%.*s\r\n%s",
		    (int)(sp - tok), tok, sp);

		ck_assert_int_eq(check(&r, folded), MUGAI_RELEASE_REPLAYED);
	}
	rel_teardown(&r);
}
END_TEST

START_TEST(release_replay_refused_across_processes)
{
	struct rel r;
	g_autofree char *tok = NULL;
	int valid = 0;
	pid_t pids[4];

	rel_setup(&r);
	tok = rel_token(&r);
	for (int i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0)
			_exit(check(&r, tok) == MUGAI_RELEASE_VALID ? 0 : 1);
	}
	for (int i = 0; i < 4; i++) {
		int st;

		waitpid(pids[i], &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			valid++;
	}
	ck_assert_int_eq(valid, 1);
	rel_teardown(&r);
}
END_TEST

START_TEST(release_tampered_is_forged)
{
	struct rel r;
	g_autofree char *tok = NULL, *bad = NULL, *other = NULL;
	g_autofree char *other_tok = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	char *p;

	rel_setup(&r);
	tok = mugai_release_token(r.key, r.id, now, r.sha, rel_to);
	/* mac changed */
	bad = g_strdup(tok);
	p = bad + strlen(bad) - 1;
	*p = *p == '0' ? '1' : '0';
	ck_assert_int_eq(check(&r, bad), MUGAI_RELEASE_FORGED);
	/* id changed to another stored item, mac kept */
	other = mugai_qid_new();
	ck_assert_int_eq(store_buf(r.q, other, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	g_free(bad);
	bad = g_strdup(tok);
	memcpy(bad + 3, other, MUGAI_QID_LEN);
	ck_assert_int_eq(check(&r, bad), MUGAI_RELEASE_FORGED);
	/* time changed */
	g_free(bad);
	bad = g_strdup(tok);
	p = strstr(bad, "t=") + 2;
	*p = *p == '1' ? '2' : '1';
	ck_assert_int_eq(check(&r, bad), MUGAI_RELEASE_FORGED);
	/* a valid MAC for a different SHA-256 (another key's holder) */
	other_tok = mugai_release_token(r.key, r.id, now,
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    rel_to);
	ck_assert_int_eq(check_msg(&r, NULL, other_tok, "x", 1, rel_env),
	    MUGAI_RELEASE_OTHER_CONTENT);
	/* rcpt changed, mac kept */
	g_free(bad);
	bad = g_strdup(tok);
	p = strstr(bad, "rcpt=") + 5;
	*p = *p == '0' ? '1' : '0';
	ck_assert_int_eq(check(&r, bad), MUGAI_RELEASE_FORGED);
	/* a version 1 token (no recipients) is not one */
	g_free(bad);
	bad = g_strdup(tok);
	p = strstr(bad, "rcpt=");
	memmove(p, p + 71, strlen(p + 71) + 1);
	ck_assert_int_eq(check(&r, bad), MUGAI_RELEASE_FORGED);
	/* the untouched token is still good: nothing above used it */
	ck_assert_int_eq(check(&r, tok), MUGAI_RELEASE_VALID);
	rel_teardown(&r);
}
END_TEST

/*
 * A valid token proves only the release it was made for: on any other
 * content, or for any other recipients, it is refused (and stays unused:
 * the real release still passes afterwards, once).
 */
START_TEST(release_bound_to_content_and_recipients)
{
	static const char *const other_to[] = { "<staff@city.example.lg.jp>",
	    "<b@city.example.lg.jp>", "<x@attacker.example>", NULL };
	static const char *const fewer[] = { "<staff@city.example.lg.jp>",
	    NULL };
	static const char *const upper_local[] = { "<STAFF@city.example.lg.jp>",
	    "<b@city.example.lg.jp>", NULL };
	static const char payload[] = "From: a@b\r\nContent-Type: text/html"
	    "\r\n\r\n<script>alert(1)</script>\r\n";
	g_autofree char *tok = NULL, *longer = NULL;
	struct rel r;

	rel_setup(&r);
	tok = rel_token(&r);
	/* Other content under the same token. */
	ck_assert_int_eq(check_msg(&r, NULL, tok, payload, sizeof payload - 1,
	    rel_env), MUGAI_RELEASE_OTHER_CONTENT);
	/* The original with a byte more, or a byte less. */
	longer = g_strconcat(msg_crlf, "x", NULL);
	ck_assert_int_eq(check_msg(&r, NULL, tok, longer, strlen(longer),
	    rel_env), MUGAI_RELEASE_OTHER_CONTENT);
	ck_assert_int_eq(check_msg(&r, NULL, tok, msg_crlf,
	    sizeof msg_crlf - 2, rel_env), MUGAI_RELEASE_OTHER_CONTENT);
	/* A field slipped in before the token (only trace may come first). */
	ck_assert_int_eq(check_msg(&r, "Content-Type: text/html\r\n", tok,
	    msg_crlf, sizeof msg_crlf - 1, rel_env),
	    MUGAI_RELEASE_OTHER_CONTENT);
	/* Other recipients: one more, one fewer, a local part's case. */
	ck_assert_int_eq(check_msg(&r, NULL, tok, msg_crlf,
	    sizeof msg_crlf - 1, other_to), MUGAI_RELEASE_OTHER_RCPTS);
	ck_assert_int_eq(check_msg(&r, NULL, tok, msg_crlf,
	    sizeof msg_crlf - 1, fewer), MUGAI_RELEASE_OTHER_RCPTS);
	ck_assert_int_eq(check_msg(&r, NULL, tok, msg_crlf,
	    sizeof msg_crlf - 1, upper_local), MUGAI_RELEASE_OTHER_RCPTS);
	ck_assert_int_eq(check_msg(&r, NULL, tok, msg_crlf,
	    sizeof msg_crlf - 1, NULL), MUGAI_RELEASE_OTHER_RCPTS);
	/* The release itself, behind the MTA's trace field: once. */
	ck_assert_int_eq(check_msg(&r, "Received: by mx.example (Postfix)\r\n"
	    "\tid 4XyZ; Mon, 2 Jun 2025 10:00:00 +0900\r\n", tok, msg_crlf,
	    sizeof msg_crlf - 1, rel_env), MUGAI_RELEASE_VALID);
	ck_assert_int_eq(check(&r, tok), MUGAI_RELEASE_REPLAYED);
	rel_teardown(&r);
}
END_TEST

/* The content is what follows the token's field, folded or not. */
START_TEST(release_content_digest_skips_only_the_token_field)
{
	static const struct {
		const char *msg;
		gboolean found;
		const char *content;
	} cases[] = {
		{ "X-Mugai-Release: a\r\nFrom: x\r\n\r\nbody", TRUE,
		  "From: x\r\n\r\nbody" },
		{ "x-mugai-release:a;\r\n b\r\n\tc\r\nFrom: x\r\n", TRUE,
		  "From: x\r\n" },
		{ "X-Mugai-Release: a\nFrom: x\n\nbody\n", TRUE,
		  "From: x\n\nbody\n" },
		{ "Received: a\r\n b\r\nReceived: c\r\n"
		  "X-Mugai-Release: a\r\n\r\nbody", TRUE, "\r\nbody" },
		{ "X-Mugai-Release: a\r\n", TRUE, "" },
		{ "From: x\r\nX-Mugai-Release: a\r\n\r\n", FALSE, NULL },
		{ "Received: a\r\n\r\nX-Mugai-Release: a\r\n", FALSE, NULL },
		{ " X-Mugai-Release: a\r\n\r\n", FALSE, NULL },
		{ "X-Mugai-Release-Not: a\r\n\r\n", FALSE, NULL },
		{ "", FALSE, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(
		    cases[i].msg, strlen(cases[i].msg));
		char got[65] = "", want[65];

		ck_assert_msg(mugai_release_content_digest(s, got) ==
		    cases[i].found, "case %zu", i);
		if (cases[i].found) {
			mugai_digest_buf(cases[i].content,
			    strlen(cases[i].content), want);
			ck_assert_msg(strcmp(got, want) == 0, "case %zu", i);
		}
		g_object_unref(s);
	}
}
END_TEST

/* One digest for the recipients whatever the MTA's spelling and order. */
START_TEST(release_rcpt_digest_is_canonical)
{
	static const char *const a[] = { "staff@city.example.lg.jp",
	    "b@City.Example.LG.JP", NULL };
	static const char *const b[] = { "<b@city.example.lg.jp>",
	    "<staff@city.example.lg.jp>", "<staff@CITY.EXAMPLE.LG.JP>", NULL };
	static const char *const c[] = { "<B@city.example.lg.jp>",
	    "<staff@city.example.lg.jp>", NULL };
	g_autofree char *da = mugai_release_rcpt_digest(a);
	g_autofree char *db = mugai_release_rcpt_digest(b);
	g_autofree char *dc = mugai_release_rcpt_digest(c);

	ck_assert_str_eq(da, db);
	ck_assert_str_ne(da, dc);
}
END_TEST

static const char *const garbage[] = {
	"", "id=", "garbage", "id=../../etc/passwd; t=1; sha256=; mac=",
	"id=20250102-030405-123456-0a1b2c3d-0123456789abcdef; t=1",
	"id=20250102-030405-123456-0a1b2c3d-0123456789abcdef; t=99999999999999;"
	    " sha256=00; mac=00",
};

START_TEST(release_garbage_is_forged_without_id)
{
	struct rel r;
	char *id = (char *)"x";

	rel_setup(&r);
	for (gsize i = 0; i < G_N_ELEMENTS(garbage); i++) {
		ck_assert_int_eq(mugai_release_check(r.q, r.cf, garbage[i],
		    NULL, rel_env, &id), MUGAI_RELEASE_FORGED);
		if (i < 4)
			ck_assert_ptr_null(id);
		g_free(id);
		id = NULL;
	}
	ck_assert_int_eq(mugai_release_check(r.q, r.cf, NULL, NULL, NULL,
	    NULL), MUGAI_RELEASE_FORGED);
	rel_teardown(&r);
}
END_TEST

START_TEST(release_expired_and_future)
{
	struct rel r;
	g_autofree char *old = NULL, *future = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	rel_setup(&r);
	old = mugai_release_token(r.key, r.id, now - r.cf->cf_release_max_age
	    - 10, r.sha, rel_to);
	ck_assert_int_eq(check(&r, old), MUGAI_RELEASE_EXPIRED);
	future = mugai_release_token(r.key, r.id, now + 3600, r.sha, rel_to);
	ck_assert_int_eq(check(&r, future), MUGAI_RELEASE_EXPIRED);
	rel_teardown(&r);
}
END_TEST

START_TEST(release_unknown_id)
{
	struct rel r;
	g_autofree char *ghost = mugai_qid_new();
	g_autofree char *tok = NULL;

	rel_setup(&r);
	tok = mugai_release_token(r.key, ghost, g_get_real_time() /
	    G_USEC_PER_SEC, r.sha, rel_to);
	ck_assert_int_eq(check(&r, tok), MUGAI_RELEASE_UNKNOWN_ID);
	rel_teardown(&r);
}
END_TEST

START_TEST(release_key_readable_by_others_is_refused)
{
	struct rel r;
	g_autofree char *tok = NULL;
	enum mugai_err err;

	rel_setup(&r);
	tok = rel_token(&r);
	ck_assert_int_eq(chmod(r.keyfile, 0644), 0);
	ck_assert_ptr_null(mugai_release_key_load(r.keyfile, TRUE, (uid_t)-1,
	    &err));
	ck_assert_int_eq(err, MUGAI_E_PERM);
	/* Fail closed: the milter treats every header as forged. */
	ck_assert_int_eq(check(&r, tok), MUGAI_RELEASE_FORGED);
	rel_teardown(&r);
}
END_TEST

/* Today's journal segment, as text. */
static char *
journal_text(const char *store)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *day = g_date_time_format(now, "%Y%m%d");
	g_autofree char *path = g_build_filename(store, "journal", day, NULL);
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return g_strdup("");
	return text;
}

START_TEST(journal_has_one_row_per_item)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *id = mugai_qid_new();
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(JsonParser) jp = json_parser_new();
	struct mugai_quarantine *q;
	JsonObject *row, *o;
	JsonArray *parts;
	enum mugai_err err;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	mugai_quarantine_set_node(q, "mx1.pref.example");
	ck_assert_int_eq(store_buf(q, id, msg_crlf, sizeof msg_crlf - 1),
	    MUGAI_OK);
	mugai_quarantine_close(q);
	text = journal_text(store);
	ck_assert(g_str_has_suffix(text, "\n"));
	lines = g_strsplit(text, "\n", -1);
	ck_assert_uint_eq(g_strv_length(lines), 2);	/* one line + "" */
	ck_assert(json_parser_load_from_data(jp, lines[0], -1, NULL));
	row = json_node_get_object(json_parser_get_root(jp));
	ck_assert_str_eq(json_object_get_string_member(row, "op"), "stored");
	ck_assert_str_eq(json_object_get_string_member(row, "id"), id);
	ck_assert_str_eq(json_object_get_string_member(row, "node"),
	    "mx1.pref.example");
	o = json_object_get_object_member(row, "headers");
	ck_assert_str_eq(json_object_get_string_member(o, "subject"),
	    "請求書 test");
	o = json_object_get_object_member(row, "original");
	ck_assert_int_eq(json_object_get_int_member(o, "size"),
	    sizeof msg_crlf - 1);
	parts = json_object_get_array_member(row, "parts");
	ck_assert_uint_eq(json_array_get_length(parts), 2);
	o = json_array_get_object_element(parts, 1);
	ck_assert_str_eq(json_object_get_string_member(o, "filename"),
	    "請求書.zip");
	ck_assert_str_eq(json_object_get_string_member(o, "path"), "1.2");
	rm_rf(store);
}
END_TEST

/*
 * Group commit: eight threads store at once (eight SMTP sessions); every
 * item is whole and journalled once, and the store issued at most two
 * syncs per item (two per batch: fewer when batches hold several). The
 * per-file path costs six per item.
 */
#define G_THREADS 8
#define G_ITEMS 25

/* A 4 KiB message ending in "END\n", as check_items_whole() wants. */
static void
group_msg(char buf[4096])
{
	static const char head[] = "Subject: group\r\n\r\n";

	memset(buf, 'x', 4096);
	memcpy(buf, head, sizeof head - 1);
	memcpy(buf + 4096 - 4, "END\n", 4);
}

static gpointer
group_writer(gpointer data)
{
	struct mugai_quarantine *q = data;
	char buf[4096];
	int failures = 0;

	group_msg(buf);
	for (int i = 0; i < G_ITEMS; i++) {
		g_autofree char *id = mugai_qid_new();

		if (store_buf(q, id, buf, sizeof buf) != MUGAI_OK)
			failures++;
	}
	return GINT_TO_POINTER(failures);
}

static int sync_steps;

static int
count_syncs(const char *step)
{
	if (strcmp(step, "fsync") == 0)
		g_atomic_int_inc(&sync_steps);
	return 0;
}

static void
run_group(gboolean group, guint64 *syncs, guint *items)
{
	g_autofree char *store = make_store_dir();
	g_autofree char *text = NULL;
	struct mugai_quarantine *q;
	GThread *th[G_THREADS];
	enum mugai_err err;
	guint64 n;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	mugai_quarantine_set_group_commit(q, group);
	/* The day directories exist: count the steady state. */
	{
		g_autofree char *id = mugai_qid_new();
		char buf[4096];

		group_msg(buf);
		ck_assert_int_eq(store_buf(q, id, buf, sizeof buf),
		    MUGAI_OK);
	}
	sync_steps = 0;
	mugai_quarantine_fault_hook = count_syncs;
	for (int t = 0; t < G_THREADS; t++)
		th[t] = g_thread_new("g", group_writer, q);
	for (int t = 0; t < G_THREADS; t++)
		ck_assert_int_eq(GPOINTER_TO_INT(g_thread_join(th[t])), 0);
	mugai_quarantine_fault_hook = NULL;
	*syncs = (guint64)sync_steps;
	mugai_quarantine_sync_stats(q, &n, &n);
	ck_assert_uint_eq(n, G_THREADS * G_ITEMS + 1);
	mugai_quarantine_close(q);
	*items = check_items_whole(store);
	ck_assert_uint_eq(*items, G_THREADS * G_ITEMS + 1);
	text = journal_text(store);
	{
		guint lines = 0;

		for (const char *p = text; *p != '\0'; p++)
			lines += *p == '\n';
		ck_assert_uint_eq(lines, G_THREADS * G_ITEMS + 1);
	}
	rm_rf(store);
}

START_TEST(group_commit_two_syncs_per_item_at_most)
{
	guint64 syncs;
	guint items;

	run_group(TRUE, &syncs, &items);
	g_print("group commit: %" G_GUINT64_FORMAT " syncs for %d items "
	    "(%.2f per item)\n", syncs, G_THREADS * G_ITEMS,
	    (double)syncs / (G_THREADS * G_ITEMS));
	ck_assert_uint_le(syncs, 2 * G_THREADS * G_ITEMS);
	run_group(FALSE, &syncs, &items);
	g_print("file by file: %" G_GUINT64_FORMAT " syncs for %d items\n",
	    syncs, G_THREADS * G_ITEMS);
	ck_assert_uint_ge(syncs, 5 * G_THREADS * G_ITEMS);
}
END_TEST

/*
 * 32 threads at once (32 SMTP sessions): a round's end wakes the
 * threads whose items it finished and, when items are left waiting, one
 * of them to lead the next round; not every waiting thread (each woken
 * for nothing is a futex call and a context switch, and a herd of them
 * on two cores delays the next leader).
 */
#define GC_THREADS 32

START_TEST(group_commit_wakes_only_whom_it_concerns)
{
	g_autofree char *store = make_store_dir();
	struct mugai_quarantine *q;
	GThread *th[GC_THREADS];
	enum mugai_err err;
	guint64 wakeups, syncs, items;

	q = mugai_quarantine_open(store, NULL, &err);
	ck_assert_ptr_nonnull(q);
	mugai_quarantine_set_group_commit(q, TRUE);
	for (int t = 0; t < GC_THREADS; t++)
		th[t] = g_thread_new("w", group_writer, q);
	for (int t = 0; t < GC_THREADS; t++)
		ck_assert_int_eq(GPOINTER_TO_INT(g_thread_join(th[t])), 0);
	wakeups = mugai_quarantine_wakeups(q);
	mugai_quarantine_sync_stats(q, &syncs, &items);
	g_print("group commit, %d threads: %" G_GUINT64_FORMAT " items, %"
	    G_GUINT64_FORMAT " syncs, %" G_GUINT64_FORMAT " wakeups (%.2f "
	    "per item)\n", GC_THREADS, items, syncs, wakeups,
	    (double)wakeups / (double)items);
	ck_assert_uint_eq(items, GC_THREADS * G_ITEMS);
	ck_assert_uint_le(wakeups, 2 * items);
	mugai_quarantine_close(q);
	ck_assert_uint_eq(check_items_whole(store), GC_THREADS * G_ITEMS);
	rm_rf(store);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("quarantine");

	g_mime_init();
	t_test(s, store_keeps_original_byte_exact);
	t_test(s, store_reads_from_current_position);
	t_test(s, open_original_checks_link_owner_size_and_digest);
	t_test(s, item_past_writeback_steps_is_byte_exact);
	t_test(s, entries_keep_only_the_level_names_sorted);
	t_test(s, meta_json_has_every_field);
	t_test(s, meta_json_survives_hostile_headers);
	t_test(s, purge_removes_old_items_and_stale_tmp);
	t_test(s, clean_tmp_removes_stale_entries_not_a_live_item);
	t_test(s, purge_does_not_follow_links);
	t_test(s, audit_log_reopens_after_rotation);
	t_loop_test(s, id_validation_refuses_bad_ids, 0,
	    G_N_ELEMENTS(bad_ids));
	t_test(s, id_validation_refuses_nul_embedded);
	t_test(s, ids_unique_across_threads);
	t_test(s, concurrent_stores_threads_and_processes);
	t_test(s, store_is_atomic_at_every_failing_step);
	t_test(s, enospc_from_fault_hook_is_nospace);
	t_test(s, journal_has_one_row_per_item);
	t_test(s, group_commit_two_syncs_per_item_at_most);
	t_test(s, group_commit_wakes_only_whom_it_concerns);
	t_test(s, enospc_on_small_tmpfs_is_nospace);
	t_test(s, permissions_are_0750_and_0640);
	t_test(s, permissions_without_fchmod);
	t_test(s, meta_json_long_header_block);
	t_test(s, day_directory_removed_between_items);
	t_test(s, meta_json_no_wanted_fields);
	t_test(s, group_is_given_to_new_files);
	t_test(s, store_writable_by_others_is_refused);
	t_test(s, release_key_is_created_0600);
	t_test(s, release_valid_once_then_replayed);
	t_test(s, release_replay_refused_across_processes);
	t_test(s, release_tampered_is_forged);
	t_test(s, release_bound_to_content_and_recipients);
	t_test(s, release_content_digest_skips_only_the_token_field);
	t_test(s, release_rcpt_digest_is_canonical);
	t_test(s, release_garbage_is_forged_without_id);
	t_test(s, release_expired_and_future);
	t_test(s, release_unknown_id);
	t_test(s, release_key_readable_by_others_is_refused);
	t_test(s, reader_must_be_in_group_not_owner);
	return t_run(s);
}
