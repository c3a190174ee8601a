/*
 * check_spool - mugai_spool: memory to file at the boundary, the hard cap,
 * streams over both, chunk sizes that straddle the switch; with a
 * quarantine store, the spilled file is the item kept in place, and a
 * message not kept, or a store that fails, leaves nothing behind
 */
#include "autoconfig.h"

#include <string.h>

#include <glib/gstdio.h>

#include "base/digest.h"
#include "store/quarantine.h"
#include "spool.h"
#include "testutil.h"

#define MEM_MAX 1000
#define CAP 5000

static char *
tmpdir(void)
{
	char *d = g_dir_make_tmp("check_spool-XXXXXX", NULL);

	ck_assert_ptr_nonnull(d);
	return d;
}

/* Reads the whole stream into a new GByteArray. */
static GByteArray *
slurp(GMimeStream *s)
{
	GByteArray *out = g_byte_array_new();
	char buf[333];
	gssize n;

	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_byte_array_append(out, (guint8 *)buf, (guint)n);
	ck_assert_int_ge(n, 0);
	return out;
}

static guint8 *
pattern(gsize len)
{
	guint8 *p = g_malloc(len);

	for (gsize i = 0; i < len; i++)
		p[i] = (guint8)('a' + i % 23);
	return p;
}

/* Feeds len bytes in chunks of chunk; returns the spool. */
static struct mugai_spool *
feed(const char *dir, const guint8 *data, gsize len, gsize chunk)
{
	struct mugai_spool *sp = mugai_spool_new(dir, MEM_MAX, CAP);

	for (gsize off = 0; off < len; off += chunk)
		ck_assert_int_eq(mugai_spool_add(sp, data + off,
		    MIN(chunk, len - off)), MUGAI_OK);
	return sp;
}

static void
assert_content(struct mugai_spool *sp, const guint8 *data, gsize len)
{
	enum mugai_err err;
	GMimeStream *s = mugai_spool_stream(sp, &err);
	GByteArray *got;

	ck_assert_ptr_nonnull(s);
	got = slurp(s);
	ck_assert_uint_eq(got->len, len);
	/* An empty GByteArray has data == NULL: memcmp(NULL, ..., 0) is UB. */
	ck_assert(len == 0 || memcmp(got->data, data, len) == 0);
	/* A second pass after reset sees the same bytes (quarantine does). */
	ck_assert_int_eq(g_mime_stream_reset(s), 0);
	g_byte_array_free(got, TRUE);
	got = slurp(s);
	ck_assert_uint_eq(got->len, len);
	g_byte_array_free(got, TRUE);
	g_object_unref(s);
}

START_TEST(stays_in_memory_at_exactly_mem_max)
{
	char *dir = tmpdir();
	guint8 *data = pattern(MEM_MAX);
	struct mugai_spool *sp = feed(dir, data, MEM_MAX, MEM_MAX);

	ck_assert(mugai_spool_in_memory(sp));
	ck_assert_uint_eq(mugai_spool_size(sp), MEM_MAX);
	assert_content(sp, data, MEM_MAX);
	mugai_spool_free(sp);
	g_free(data);
	g_rmdir(dir);
	g_free(dir);
}
END_TEST

START_TEST(moves_to_file_one_byte_past_mem_max)
{
	char *dir = tmpdir();
	guint8 *data = pattern(MEM_MAX + 1);
	struct mugai_spool *sp = feed(dir, data, MEM_MAX + 1, MEM_MAX);

	ck_assert(!mugai_spool_in_memory(sp));
	assert_content(sp, data, MEM_MAX + 1);
	mugai_spool_free(sp);
	g_free(data);
	/* The temp file was unlinked at once: the dir is already empty. */
	ck_assert_int_eq(g_rmdir(dir), 0);
	g_free(dir);
}
END_TEST

static const gsize chunk_sizes[] = { 1, 7, 999, 1001, 4096, CAP };

START_TEST(any_chunk_size_gives_the_same_bytes)
{
	char *dir = tmpdir();
	guint8 *data = pattern(CAP);
	struct mugai_spool *sp = feed(dir, data, CAP, chunk_sizes[_i]);

	ck_assert(!mugai_spool_in_memory(sp));
	assert_content(sp, data, CAP);
	mugai_spool_free(sp);
	g_free(data);
	g_rmdir(dir);
	g_free(dir);
}
END_TEST

START_TEST(hard_cap_refuses_the_byte_past_max)
{
	char *dir = tmpdir();
	guint8 *data = pattern(CAP + 10);
	struct mugai_spool *sp = feed(dir, data, CAP, 100);

	ck_assert_int_eq(mugai_spool_add(sp, data, 1), MUGAI_E_LIMIT);
	ck_assert_uint_eq(mugai_spool_size(sp), CAP);
	assert_content(sp, data, CAP);
	mugai_spool_free(sp);
	sp = mugai_spool_new(dir, MEM_MAX, CAP);
	ck_assert_int_eq(mugai_spool_add(sp, data, CAP + 1), MUGAI_E_LIMIT);
	ck_assert_uint_eq(mugai_spool_size(sp), 0);
	ck_assert(mugai_spool_in_memory(sp));
	mugai_spool_free(sp);
	g_free(data);
	g_rmdir(dir);
	g_free(dir);
}
END_TEST

START_TEST(missing_spool_dir_fails_at_the_switch)
{
	guint8 *data = pattern(MEM_MAX + 1);
	struct mugai_spool *sp = mugai_spool_new("/nonexistent/mugai-spool",
	    MEM_MAX, CAP);

	ck_assert_int_eq(mugai_spool_add(sp, data, MEM_MAX), MUGAI_OK);
	ck_assert_int_ne(mugai_spool_add(sp, data, 1), MUGAI_OK);
	mugai_spool_free(sp);
	g_free(data);
}
END_TEST

START_TEST(empty_spool_gives_empty_stream)
{
	struct mugai_spool *sp = mugai_spool_new(NULL, MEM_MAX, CAP);

	assert_content(sp, (const guint8 *)"", 0);
	mugai_spool_free(sp);
	mugai_spool_free(NULL);
}
END_TEST

/* ---- with a quarantine store ---- */

#define ID "20260102-030405-123456-0a1b2c3d-0123456789abcdef"

/* Entries in DIR/tmp. */
static guint
tmp_entries(const char *dir)
{
	g_autofree char *tmp = g_build_filename(dir, "tmp", NULL);
	GDir *d = g_dir_open(tmp, 0, NULL);
	guint n = 0;

	ck_assert_ptr_nonnull(d);
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

/* Asserts the kept item holds data, and meta.json size and sha. */
static void
assert_item(const char *dir, const guint8 *data, gsize len, const char *sha)
{
	g_autofree char *item = mugai_qid_path(dir, ID);
	g_autofree char *orig = g_build_filename(item, "original.eml", NULL);
	g_autofree char *got = NULL;
	JsonObject *meta, *o;
	enum mugai_err err;
	gsize got_len = 0;

	ck_assert(g_file_get_contents(orig, &got, &got_len, NULL));
	ck_assert_uint_eq(got_len, len);
	ck_assert(memcmp(got, data, len) == 0);
	meta = mugai_quarantine_read_meta(dir, ID, &err);
	ck_assert_ptr_nonnull(meta);
	o = json_object_get_object_member(meta, "original");
	ck_assert_int_eq(json_object_get_int_member(o, "size"), (gint64)len);
	ck_assert_str_eq(json_object_get_string_member(o, "sha256"), sha);
	json_object_unref(meta);
}

static void
rm_store(char *dir)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	g_free(dir);
}

static const gsize store_sizes[] = { 10, MEM_MAX, MEM_MAX + 1, CAP };

START_TEST(kept_message_is_the_item_written_as_it_arrived)
{
	char *dir = tmpdir();
	gsize len = store_sizes[_i];
	guint8 *data = pattern(len);
	struct mugai_envelope env = { 0 };
	struct mugai_quarantine *q;
	struct mugai_spool *sp;
	enum mugai_err err;
	char sha[65];

	q = mugai_quarantine_open(dir, NULL, &err);
	ck_assert_ptr_nonnull(q);
	mugai_digest_buf(data, len, sha);
	sp = mugai_spool_new(dir, MEM_MAX, CAP);
	mugai_spool_set_store(sp, q);
	for (gsize off = 0; off < len; off += 7)
		ck_assert_int_eq(mugai_spool_add(sp, data + off,
		    MIN(7, len - off)), MUGAI_OK);
	/* Past mem_max the spool's file is already under the store's tmp/. */
	ck_assert_uint_eq(tmp_entries(dir), len > MEM_MAX ? 1 : 0);
	if (len > MEM_MAX) {
		g_autofree char *cmd = g_strdup_printf("find '%s/tmp' -name "
		    "original.eml -perm 0600 | grep -q .", dir);

		/* Mail in flight is not for the auditors' group yet. */
		ck_assert_int_eq(system(cmd), 0);
	}
	assert_content(sp, data, len);
	/* The caller's digest is taken as it is: nothing hashes again. */
	ck_assert_int_eq(mugai_spool_keep(sp, q, ID, &env, NULL, sha, "t"),
	    MUGAI_OK);
	ck_assert_uint_eq(tmp_entries(dir), 0);
	assert_item(dir, data, len, sha);
	{
		g_autofree char *item = mugai_qid_path(dir, ID);
		g_autofree char *orig = g_build_filename(item, "original.eml",
		    NULL);
		GStatBuf st;

		/* The owner's only: auditors extract it (audited). */
		ck_assert_int_eq(g_stat(orig, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0600);
	}
	/* Still readable after the commit, and freeing keeps the item. */
	assert_content(sp, data, len);
	mugai_spool_free(sp);
	assert_item(dir, data, len, sha);
	mugai_quarantine_close(q);
	g_free(data);
	rm_store(dir);
}
END_TEST

START_TEST(keep_without_a_digest_computes_it)
{
	char *dir = tmpdir();
	guint8 *data = pattern(CAP);
	enum mugai_err err;
	struct mugai_quarantine *q = mugai_quarantine_open(dir, NULL, &err);
	/* No store while spooling: keep copies the unlinked file. */
	struct mugai_spool *sp = feed(dir, data, CAP, 999);
	char sha[65];

	ck_assert_ptr_nonnull(q);
	mugai_digest_buf(data, CAP, sha);
	ck_assert_int_eq(mugai_spool_keep(sp, q, ID, NULL, NULL, NULL, "t"),
	    MUGAI_OK);
	assert_item(dir, data, CAP, sha);
	mugai_spool_free(sp);
	mugai_quarantine_close(q);
	g_free(data);
	rm_store(dir);
}
END_TEST

START_TEST(message_not_kept_leaves_nothing)
{
	char *dir = tmpdir();
	guint8 *data = pattern(CAP);
	struct mugai_quarantine *q;
	struct mugai_spool *sp;
	enum mugai_err err;
	g_autofree char *item = mugai_qid_path(dir, ID);

	q = mugai_quarantine_open(dir, NULL, &err);
	ck_assert_ptr_nonnull(q);
	sp = mugai_spool_new(dir, MEM_MAX, CAP);
	mugai_spool_set_store(sp, q);
	ck_assert_int_eq(mugai_spool_add(sp, data, CAP), MUGAI_OK);
	ck_assert_uint_eq(tmp_entries(dir), 1);
	mugai_spool_free(sp);
	ck_assert_uint_eq(tmp_entries(dir), 0);
	ck_assert(!g_file_test(item, G_FILE_TEST_EXISTS));
	mugai_quarantine_close(q);
	g_free(data);
	rm_store(dir);
}
END_TEST

static int fail_writes_after, writes_seen;

static int
failing_writes(const char *step)
{
	if (strcmp(step, "write") == 0 && ++writes_seen > fail_writes_after)
		return ENOSPC;
	return 0;
}

/*
 * A store that fills up while the message arrives: the spool goes on in
 * an unlinked file with every byte, tmp/ is left empty, and keeping then
 * fails as a copy into a full store does (the milter tempfails).
 */
START_TEST(full_store_mid_message_falls_back_to_an_unlinked_file)
{
	char *dir = tmpdir();
	guint8 *data = pattern(CAP);
	struct mugai_quarantine *q;
	struct mugai_spool *sp;
	enum mugai_err err;
	g_autofree char *item = mugai_qid_path(dir, ID);

	q = mugai_quarantine_open(dir, NULL, &err);
	ck_assert_ptr_nonnull(q);
	sp = mugai_spool_new(dir, MEM_MAX, CAP);
	mugai_spool_set_store(sp, q);
	writes_seen = 0;
	fail_writes_after = _i;
	mugai_quarantine_fault_hook = failing_writes;
	for (gsize off = 0; off < CAP; off += 500)
		ck_assert_int_eq(mugai_spool_add(sp, data + off, 500),
		    MUGAI_OK);
	ck_assert_uint_eq(tmp_entries(dir), 0);
	assert_content(sp, data, CAP);
	ck_assert_int_eq(mugai_spool_keep(sp, q, ID, NULL, NULL, NULL, "t"),
	    MUGAI_E_NOSPACE);
	ck_assert_uint_eq(tmp_entries(dir), 0);
	ck_assert(!g_file_test(item, G_FILE_TEST_EXISTS));
	mugai_quarantine_fault_hook = NULL;
	/* Space back: the retry keeps it whole. */
	ck_assert_int_eq(mugai_spool_keep(sp, q, ID, NULL, NULL, NULL, "t"),
	    MUGAI_OK);
	mugai_spool_free(sp);
	mugai_quarantine_close(q);
	g_free(data);
	rm_store(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("spool");

	g_mime_init();
	t_test(s, stays_in_memory_at_exactly_mem_max);
	t_test(s, moves_to_file_one_byte_past_mem_max);
	t_loop_test(s, any_chunk_size_gives_the_same_bytes, 0,
	    G_N_ELEMENTS(chunk_sizes));
	t_test(s, hard_cap_refuses_the_byte_past_max);
	t_test(s, missing_spool_dir_fails_at_the_switch);
	t_test(s, empty_spool_gives_empty_stream);
	t_loop_test(s, kept_message_is_the_item_written_as_it_arrived,
	    0, G_N_ELEMENTS(store_sizes));
	t_test(s, keep_without_a_digest_computes_it);
	t_test(s, message_not_kept_leaves_nothing);
	/* Fails at the spill's first write, or at a later chunk. */
	t_loop_test(s,
	    full_store_mid_message_falls_back_to_an_unlinked_file, 0, 3);
	return t_run(s);
}
