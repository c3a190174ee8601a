/*
 * index-bench - the quarantine index at a prefecture's size (issue 17)
 *
 *   index-bench [-n ROWS] [-u URL] DIR
 *
 * Fills the index of the store DIR (SQLite index.sqlite there, or URL)
 * with ROWS generated item rows (default 1,000,000) shaped like the
 * milter's journal rows: 2,000 senders, 5,000 recipients of 300 offices,
 * Japanese and English subjects from word lists, two parts each with a
 * SHA-256, a rule on one in ten. Rows are put in transactions of 10,000,
 * as the indexer applies a journal. Then it times the searches that
 * `mugai quarantine list` makes (recipient, sender, subject word of three
 * and of two characters, Message-ID, SHA-256, a day), each the median of
 * seven runs (all matching rows, and the newest 100 as a page of the
 * portal shows), and putting single rows one transaction each. Prints
 * wall and CPU time: on a shared machine the CPU time is the figure that
 * does not depend on the neighbours. An existing index is added to, not
 * cleared.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/digest.h"
#include "index/index.h"

static const char *const subj_words[] = {
	"請求書", "見積書", "会議資料", "議事録", "予算", "契約書", "報告書",
	"お知らせ", "申請", "確認", "依頼", "送付", "ご案内", "打合せ",
	"防災訓練", "入札", "工事", "住民説明会", "invoice", "meeting",
	"report", "schedule", "quotation", "minutes", "budget", "notice",
};

static char *
hex_of(guint64 v)
{
	char buf[64];
	char sha[65];

	g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
	mugai_digest_buf(buf, strlen(buf), sha);
	return g_strdup(sha);
}

/* The ID of row i: a time spread over 90 days before now. */
static char *
make_id(GRand *r, gint64 now)
{
	gint64 t = now - (gint64)g_rand_double_range(r, 0,
	    90.0 * 86400 * G_USEC_PER_SEC);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t /
	    G_USEC_PER_SEC);
	g_autofree char *s = g_date_time_format(dt, "%Y%m%d-%H%M%S");

	return g_strdup_printf("%s-%06d-5bce98f7-%08x%08x", s,
	    (int)(t % G_USEC_PER_SEC), g_rand_int(r), g_rand_int(r));
}

static JsonObject *
make_row(GRand *r, guint64 i, gint64 now, char **id_out)
{
	JsonObject *row = json_object_new(), *env = json_object_new();
	JsonObject *hdr = json_object_new(), *orig = json_object_new();
	JsonObject *sum = json_object_new();
	JsonArray *rcpts = json_array_new(), *parts = json_array_new();
	JsonArray *rules = json_array_new(), *removed = json_array_new();
	g_autofree char *sender = g_strdup_printf("user%u@sender%u.example",
	    g_rand_int_range(r, 0, 2000), g_rand_int_range(r, 0, 200));
	g_autofree char *rcpt = g_strdup_printf("staff%u@office%u.pref."
	    "example.lg.jp", g_rand_int_range(r, 0, 5000),
	    g_rand_int_range(r, 0, 300));
	g_autofree char *subject = g_strdup_printf("%s %s %u",
	    subj_words[g_rand_int_range(r, 0, G_N_ELEMENTS(subj_words))],
	    subj_words[g_rand_int_range(r, 0, G_N_ELEMENTS(subj_words))],
	    g_rand_int_range(r, 1, 1000));
	g_autofree char *msgid = g_strdup_printf("%" G_GUINT64_FORMAT
	    "@sender.example", i);
	char *id = make_id(r, now);

	json_object_set_string_member(row, "op", "stored");
	json_object_set_string_member(row, "node", i % 2 ? "mx1" : "mx2");
	json_object_set_int_member(row, "schema", 1);
	json_object_set_string_member(row, "id", id);
	json_object_set_string_member(env, "sender", sender);
	json_array_add_string_element(rcpts, rcpt);
	json_object_set_array_member(env, "recipients", rcpts);
	json_object_set_object_member(row, "envelope", env);
	json_object_set_string_member(hdr, "from", sender);
	json_object_set_string_member(hdr, "to", rcpt);
	json_object_set_string_member(hdr, "subject", subject);
	json_object_set_string_member(hdr, "message_id", msgid);
	json_object_set_object_member(row, "headers", hdr);
	json_object_set_int_member(orig, "size", g_rand_int_range(r, 2000,
	    3000000));
	json_object_set_string_member(orig, "sha256", hex_of(i * 2 + 1));
	json_object_set_object_member(row, "original", orig);
	json_object_set_string_member(sum, "verdict", "sanitized");
	json_array_add_string_element(removed, "資料.zip");
	json_object_set_array_member(sum, "removed", removed);
	json_object_set_object_member(row, "summary", sum);
	for (int k = 1; k <= 2; k++) {
		JsonObject *p = json_object_new();
		g_autofree char *path = g_strdup_printf("1.%d", k);

		json_object_set_string_member(p, "path", path);
		json_object_set_string_member(p, "sha256",
		    hex_of(((guint64)1 << 40) + i * 2 + (guint64)k));
		json_object_set_string_member(p, "action",
		    k == 1 ? "text" : "quarantine");
		if (k == 2 && i % 10 == 0) {
			json_object_set_string_member(p, "rule", "exe");
			json_array_add_string_element(rules, "exe");
		}
		json_array_add_object_element(parts, p);
	}
	json_object_set_array_member(row, "parts", parts);
	json_object_set_array_member(row, "rules", rules);
	*id_out = id;
	return row;
}

/* CPU time of this process, microseconds. */
static gint64
cpu_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Median ms of seven runs of the search (wall; *cpu_ms: CPU); *rows gets
 * the last count.
 */
static double
time_search(struct mugai_index *ix, const struct mugai_index_query *q,
    guint *rows, double *cpu_ms)
{
	double ms[7], cpu[7];

	for (int i = 0; i < 7; i++) {
		gint64 t0 = g_get_monotonic_time(), c0 = cpu_usec();
		enum mugai_err err;
		GPtrArray *a = mugai_index_search(ix, q, &err);

		ms[i] = (double)(g_get_monotonic_time() - t0) / 1000.0;
		cpu[i] = (double)(cpu_usec() - c0) / 1000.0;
		if (a == NULL) {
			fprintf(stderr, "search: %s\n",
			    mugai_index_errmsg(ix));
			exit(1);
		}
		*rows = a->len;
		g_ptr_array_free(a, TRUE);
	}
	qsort(ms, 7, sizeof ms[0], cmp_double);
	qsort(cpu, 7, sizeof cpu[0], cmp_double);
	*cpu_ms = cpu[3];
	return ms[3];
}

int
main(int argc, char **argv)
{
	guint64 n = 1000000;
	const char *url = NULL, *dir;
	g_autofree char *msg = NULL;
	struct mugai_index *ix;
	struct mugai_index_query q;
	enum mugai_err err;
	GRand *r = g_rand_new_with_seed(17);
	gint64 now = g_get_real_time(), t0, t1, c0, c1;
	char *some_id = NULL;
	guint rows;
	int c;

	while ((c = getopt(argc, argv, "n:u:")) != -1) {
		if (c == 'n')
			n = g_ascii_strtoull(optarg, NULL, 10);
		else if (c == 'u')
			url = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: index-bench [-n ROWS] [-u URL] DIR\n");
		return 2;
	}
	dir = argv[optind];
	if ((ix = mugai_index_open(url, dir, (gid_t)-1, &err, &msg)) ==
	    NULL) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	for (guint64 i = 0; i < n; i++) {
		char *id;
		JsonObject *row;
		gboolean added;

		if (i % 10000 == 0 && mugai_index_begin(ix) != MUGAI_OK)
			goto fail;
		row = make_row(r, i, now, &id);
		if (mugai_index_put_item(ix, row, &added) != MUGAI_OK)
			goto fail;
		json_object_unref(row);
		if (i == n / 2)
			some_id = g_strdup(id);
		g_free(id);
		if ((i % 10000 == 9999 || i == n - 1) &&
		    mugai_index_commit(ix) != MUGAI_OK)
			goto fail;
	}
	t1 = g_get_monotonic_time();
	c1 = cpu_usec();
	printf("fill: %" G_GUINT64_FORMAT " rows in %.1f s, %.0f rows/s "
	    "(%.3f ms per row wall, %.3f ms CPU; transactions of 10,000)\n",
	    n, (double)(t1 - t0) / 1e6, n / ((double)(t1 - t0) / 1e6),
	    (double)(t1 - t0) / 1000.0 / (double)MAX(n, 1),
	    (double)(c1 - c0) / 1000.0 / (double)MAX(n, 1));
	printf("rows in the index: %" G_GINT64_FORMAT "\n",
	    mugai_index_count(ix, &err));

	{
		static const struct {
			const char *what;
			int field;
			const char *value;
		} s[] = {
			{ "--rcpt staff1234@office", 1, "staff1234@office" },
			{ "--from user77@", 0, "user77@" },
			{ "--subject 防災訓練 (4 chars)", 2, "防災訓練" },
			{ "--subject 請求書 (3 chars)", 2, "請求書" },
			{ "--subject 予算 (2 chars: scan)", 2, "予算" },
			{ "--subject invoice", 3, "invoice" },
			{ "--message-id", 4, NULL },
			{ "--sha256 (a part's)", 5, NULL },
			{ "--since/--until one day", 6, NULL },
		};
		/* Part 2 of the middle row (make_row()). */
		g_autofree char *sha = hex_of(((guint64)1 << 40) + n / 2 * 2 +
		    2);
		g_autofree char *mid = g_strdup_printf("%" G_GUINT64_FORMAT
		    "@sender.example", n / 2);

		for (gsize k = 0; k < G_N_ELEMENTS(s); k++) {
			double ms, cpu;

			mugai_index_query_init(&q);
			switch (s[k].field) {
			case 0: q.iq_from = s[k].value; break;
			case 1: q.iq_rcpt = s[k].value; break;
			case 2: q.iq_subject = s[k].value; break;
			case 3: q.iq_subject = s[k].value; break;
			case 4:
				/* The Message-ID of the middle row. */
				q.iq_message_id = mid;
				break;
			case 5: q.iq_sha256 = sha; break;
			case 6:
				q.iq_since = now - G_GINT64_CONSTANT(30) *
				    86400 * G_USEC_PER_SEC;
				q.iq_until = q.iq_since +
				    G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC;
				break;
			}
			ms = time_search(ix, &q, &rows, &cpu);
			printf("search %-34s all: %8.2f ms (CPU %7.2f) %6u "
			    "rows", s[k].what, ms, cpu, rows);
			q.iq_limit = 100;
			ms = time_search(ix, &q, &rows, &cpu);
			printf("; newest 100: %7.2f ms (CPU %6.2f)\n", ms,
			    cpu);
		}
	}
	/* A row a transaction, as the indexer applies a quiet journal. */
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	for (guint64 i = 0; i < 1000; i++) {
		char *id;
		JsonObject *row = make_row(r, n + i, now, &id);
		gboolean added;

		if (mugai_index_begin(ix) != MUGAI_OK ||
		    mugai_index_put_item(ix, row, &added) != MUGAI_OK ||
		    mugai_index_commit(ix) != MUGAI_OK)
			goto fail;
		json_object_unref(row);
		g_free(id);
	}
	t1 = g_get_monotonic_time();
	c1 = cpu_usec();
	printf("put one row per transaction: %.3f ms per row wall, %.3f ms "
	    "CPU (1,000 rows)\n", (double)(t1 - t0) / 1000.0 / 1000.0,
	    (double)(c1 - c0) / 1000.0 / 1000.0);
	g_free(some_id);
	mugai_index_close(ix);
	g_rand_free(r);
	return 0;
fail:
	fprintf(stderr, "index: %s\n", mugai_index_errmsg(ix));
	return 1;
}
