/*
 * check_spool - mugai_spool: memory to file at the boundary, the hard cap,
 * streams over both, chunk sizes that straddle the switch
 */
#include "autoconfig.h"

#include <string.h>

#include <glib/gstdio.h>

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

int
main(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("spool");

	g_mime_init();
	tcase_add_test(tc, stays_in_memory_at_exactly_mem_max);
	tcase_add_test(tc, moves_to_file_one_byte_past_mem_max);
	tcase_add_loop_test(tc, any_chunk_size_gives_the_same_bytes, 0,
	    G_N_ELEMENTS(chunk_sizes));
	tcase_add_test(tc, hard_cap_refuses_the_byte_past_max);
	tcase_add_test(tc, missing_spool_dir_fails_at_the_switch);
	tcase_add_test(tc, empty_spool_gives_empty_stream);
	suite_add_tcase(s, tc);
	return t_run(s);
}
