/*
 * index-bench - the quarantine index at a prefecture's size (issue 17)
 *
 *   index-bench [-n ROWS] [-r RUNS] [-u URL] [-B | -O] [-C] [-N MAX]
 *       [-P COUNT] DIR
 *
 * Fills the index of the store DIR (SQLite index.sqlite there, or URL)
 * with ROWS generated item rows (default 1,000,000) shaped like the
 * milter's journal rows: 2,000 senders, 5,000 recipients of 300 offices,
 * Japanese and English subjects from word lists, two parts each with a
 * SHA-256, the rule "exe" on one in ten and "macro" on one in a thousand,
 * the verdict "rejected" on one in five hundred, spread over 90 days in
 * time order (as a journal or a reindex of the date directories gives
 * them), put in transactions of 10,000 as the indexer applies a journal;
 * one in a hundred items gets a release request, one in ten of those
 * still pending. Then it times every documented search as `mugai
 * quarantine list --limit 100` and the portal's pages make it (the
 * newest 100 matches, rows parsed), RUNS times each (default 15), and
 * prints the p50 and p95 of the wall time and the p50 of the CPU time:
 * on a shared machine the CPU time is the figure the neighbours change
 * least. With -B (SQLite) each search is also run the way schema 1 ran
 * it (ORDER BY time through an index on time, the words as an IN list)
 * on the same file, in the same run, interleaved: the baseline (for the
 * whole-address searches, schema 2's plan: FTS5's trigrams drive, newest
 * first, where schema 3 looks the address up in addrs). Last,
 * single rows put one transaction each. An existing index is added to,
 * not cleared; -n 0 only searches. -s FIRST -e LAST put only rows FIRST
 * to LAST - 1 of the ROWS generated (the others are generated and
 * dropped, so each row is the same as in one fill) and exit: several of
 * these fill one index in parallel; rows already there are skipped.
 *
 * With -O (either backend) the baseline is the plan before schema 4 on
 * the same index, through the same calls: part of an address through
 * the words' trigrams, not names and addrs (mugai_ix_names_max = 0).
 * -N MAX sets mugai_ix_names_max (the most names a part of an address
 * may match and still go through names). -C compares before timing:
 * every search, newest 100, oldest 100 and (when it went through names)
 * without a limit (the words then oldest first), is made with and
 * without names, and the two must find the same items; and every search
 * of words without a limit (within its time range, else the last week)
 * must find newest first what it finds oldest first. A difference is
 * printed and the exit status is 1.
 *
 * -P COUNT purges the COUNT oldest items (after the fill, if any) as the
 * indexer applies the "purged" lines of `mugai quarantine purge`, in one
 * transaction, times it, and exits (no searches): the cost of a purge,
 * names pruned included (SQLite: the rows of names before and after).
 *
 * With -u postgresql://... the same rows go through the same calls into
 * PostgreSQL (lib/index/ipg.c), as the milter's indexer, `mugai
 * quarantine list` and the portal use it. The server's work is not in
 * our CPU time, so the bench also reports the CPU of our connection's
 * backend: it finds that backend's pid in pg_stat_activity over a second
 * connection and reads its time on the CPU from /proc/PID/schedstat
 * (nanoseconds; the server must run on this host, as in
 * contrib/bench/index-pg-bench, which also has the server log the plan
 * of every slow statement with auto_explain).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include <sqlite3.h>
#ifdef HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "base/digest.h"
#include "index/index.h"
#include "index/index_int.h"

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

/*
 * The ID of row i of n: times over the 90 days before now in order, a
 * little jitter, as the journal gives them.
 */
static char *
make_id(GRand *r, guint64 i, guint64 n, gint64 now)
{
	const double span = 90.0 * 86400 * G_USEC_PER_SEC;
	gint64 t = now - (gint64)span + (gint64)(span * ((double)i /
	    (double)MAX(n, 1))) + g_rand_int_range(r, 0, 1000000);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t /
	    G_USEC_PER_SEC);
	g_autofree char *s = g_date_time_format(dt, "%Y%m%d-%H%M%S");

	return g_strdup_printf("%s-%06d-5bce98f7-%08x%08x", s,
	    (int)(t % G_USEC_PER_SEC), g_rand_int(r), g_rand_int(r));
}

static JsonObject *
make_row(GRand *r, guint64 i, guint64 n, gint64 now, char **id_out)
{
	JsonObject *row = json_object_new(), *env = json_object_new();
	JsonObject *hdr = json_object_new(), *orig = json_object_new();
	JsonObject *sum = json_object_new();
	JsonArray *rcpts = json_array_new(), *parts = json_array_new();
	JsonArray *rules = json_array_new(), *removed = json_array_new();
	g_autofree char *sender = g_strdup_printf("user%u@sender%u.example",
	    g_rand_int_range(r, 0, 2000), g_rand_int_range(r, 0, 200));
	guint staff = (guint)g_rand_int_range(r, 0, 5000);
	/* A person works in one office. */
	g_autofree char *rcpt = g_strdup_printf("staff%u@office%u.pref."
	    "example.lg.jp", staff, staff % 300);
	g_autofree char *subject = g_strdup_printf("%s %s %u",
	    subj_words[g_rand_int_range(r, 0, G_N_ELEMENTS(subj_words))],
	    subj_words[g_rand_int_range(r, 0, G_N_ELEMENTS(subj_words))],
	    g_rand_int_range(r, 1, 1000));
	g_autofree char *msgid = g_strdup_printf("%" G_GUINT64_FORMAT
	    "@sender.example", i);
	char *id = make_id(r, i, n, now);

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
	json_object_set_string_member(sum, "verdict", i % 500 == 7 ?
	    "rejected" : "sanitized");
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
			const char *rule = i % 1000 == 0 ? "macro" : "exe";

			json_object_set_string_member(p, "rule", rule);
			json_array_add_string_element(rules, rule);
		}
		json_array_add_object_element(parts, p);
	}
	json_object_set_array_member(row, "parts", parts);
	json_object_set_array_member(row, "rules", rules);
	*id_out = id;
	return row;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time of this process, microseconds. */
static gint64
cpu_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/*
 * The backend serving the index's connection to PostgreSQL: its pid,
 * found over a second connection of ours (the only other client of
 * the database with our application_name), or 0. Its CPU time is in /proc/PID/schedstat.
 */
struct backend {
	int be_pid;
#ifdef HAVE_LIBPQ
	PGconn *be_conn;
#endif
};

static void
backend_find(struct backend *be, const char *url)
{
	be->be_pid = 0;
#ifdef HAVE_LIBPQ
	PGresult *res;

	be->be_conn = PQconnectdb(url);
	if (PQstatus(be->be_conn) != CONNECTION_OK)
		return;
	/* Several fillers at once: each names itself (application_name). */
	res = PQexec(be->be_conn, "SELECT pid FROM pg_stat_activity WHERE "
	    "datname = current_database() AND pid <> pg_backend_pid() AND "
	    "backend_type = 'client backend' AND application_name = "
	    "current_setting('application_name')");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		be->be_pid = (int)g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		fprintf(stderr, "index-bench: the index's backend not found "
		    "(%d client backends): no server CPU figures\n",
		    PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) :
		    -1);
	PQclear(res);
#else
	(void)url;
#endif
}

/* The backend's time on the CPU so far, microseconds; 0 without one. */
static gint64
backend_cpu_usec(const struct backend *be)
{
	char path[64], buf[128];
	FILE *f;
	gint64 ns = 0;

	if (be->be_pid <= 0)
		return 0;
	g_snprintf(path, sizeof path, "/proc/%d/schedstat", be->be_pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) != NULL)
		ns = g_ascii_strtoll(buf, NULL, 10);
	fclose(f);
	return ns / 1000;
}

/* The p-th percentile (0-100) of the n sorted values. */
static double
pct(double *v, int n, int p)
{
	int k = (n * p + 99) / 100 - 1;

	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	return v[CLAMP(k, 0, n - 1)];
}

/*
 * The search as schema 1 made it (lib/index/index.c before schema 2):
 * ORDER BY time through an index on time, the words an IN list, the
 * rule a substring of the rules column; the rows parsed as the search
 * call parses them. Returns the rows found, -1 on an error.
 */
static int
old_search(sqlite3 *db, const struct mugai_index_query *q, gboolean words2)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	GString *sql = g_string_new("SELECT id, time, node, row FROM items "
	    "WHERE time >= ? AND time < ?");
	GString *words = g_string_new(NULL);
	GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
	const char *wv[3] = { q->iq_from, q->iq_rcpt, q->iq_subject };
	const char *wc[3] = { "sender", "rcpt", "subject" };
	sqlite3_stmt *st;
	int n = 0, rc;

	for (int i = 0; i < 3; i++) {
		if (wv[i] == NULL)
			continue;
		g_string_append_printf(words, g_utf8_strlen(wv[i], -1) < 3 ?
		    "%s(%s%s || '') LIKE ?" : "%s%s%s LIKE ?",
		    words->len > 0 ? " AND " : "", words2 ? "w." : "", wc[i]);
		g_ptr_array_add(binds, g_strconcat("%", wv[i], "%", NULL));
	}
	if (words2) {
		/*
		 * Schema 2's plan for words only: FTS5 drives, newest
		 * first, and stops at the LIMIT (a whole address before
		 * schema 3's addrs).
		 */
		g_string_assign(sql, "SELECT i.id, i.time, i.node, i.row FROM "
		    "words w CROSS JOIN items i ON i.rid = w.rowid WHERE "
		    "i.time >= ? AND i.time < ?");
		g_string_append_printf(sql, " AND %s ORDER BY w.rowid DESC",
		    words->str);
	} else if (words->len > 0)
		g_string_append_printf(sql, " AND rid IN (SELECT rowid FROM "
		    "words WHERE %s)", words->str);
	if (q->iq_message_id != NULL) {
		g_string_append(sql, " AND message_id = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_message_id));
	}
	if (q->iq_sha256 != NULL) {
		g_string_append(sql, " AND (sha256 = ? OR rid IN (SELECT rid "
		    "FROM parts WHERE sha256 = ?))");
		g_ptr_array_add(binds, g_strdup(q->iq_sha256));
		g_ptr_array_add(binds, g_strdup(q->iq_sha256));
	}
	if (q->iq_verdict != NULL) {
		g_string_append(sql, " AND verdict = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_verdict));
	}
	if (q->iq_rule != NULL) {
		g_string_append(sql, " AND instr(rules, ?) > 0");
		g_ptr_array_add(binds, g_strconcat("\n", q->iq_rule, "\n",
		    NULL));
	}
	if (q->iq_node != NULL) {
		g_string_append(sql, " AND node = ?");
		g_ptr_array_add(binds, g_strdup(q->iq_node));
	}
	if (!words2)
		g_string_append(sql, " ORDER BY time DESC");
	if (q->iq_limit > 0)
		g_string_append_printf(sql, " LIMIT %u", q->iq_limit);
	if (sqlite3_prepare_v2(db, sql->str, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(db));
		n = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, q->iq_since);
	sqlite3_bind_int64(st, 2, q->iq_until);
	for (guint i = 0; i < binds->len; i++)
		sqlite3_bind_text(st, (int)i + 3, g_ptr_array_index(binds, i),
		    -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 3);

		if (text != NULL)
			(void)json_parser_load_from_data(parser, text, -1,
			    NULL);
		n++;
	}
	if (rc != SQLITE_DONE)
		n = -1;
	sqlite3_finalize(st);
out:
	g_string_free(sql, TRUE);
	g_string_free(words, TRUE);
	g_ptr_array_free(binds, TRUE);
	return n;
}

enum kind {
	K_RCPT, K_FROM, K_SUBJECT, K_MSGID, K_SHA, K_DAY, K_VERDICT, K_RULE,
	K_NODE, K_RCPT_WEEK, K_ALL, K_REQUESTS, K_FROM_WEEK, K_RCPT_SUBJ,
	K_FROM_REJ,
};

/* words2: the baseline is schema 2's plan, not schema 1's. */
static const struct {
	const char *what;
	enum kind kind;
	gboolean words2;
	const char *value;
} searches[] = {
	{ "--rcpt staff1234@office34.pref.example.lg.jp (whole)", K_RCPT, TRUE,
	    "staff1234@office34.pref.example.lg.jp" },
	{ "--from user77@sender9.example (whole)", K_FROM, TRUE,
	    "user77@sender9.example" },
	{ "--rcpt staff1234@office (one person)", K_RCPT, FALSE,
	    "staff1234@office" },
	{ "--rcpt office17.pref (an office)", K_RCPT, FALSE, "office17.pref" },
	{ "--from user77@ (one sender)", K_FROM, FALSE, "user77@" },
	{ "--from sender9.example (a domain)", K_FROM, FALSE,
	    "sender9.example" },
	{ "--subject 防災訓練 (common)", K_SUBJECT, FALSE, "防災訓練" },
	{ "--subject 請求書 (common)", K_SUBJECT, FALSE, "請求書" },
	{ "--subject invoice (common)", K_SUBJECT, FALSE, "invoice" },
	{ "--subject '防災訓練 報告書 7' (rare)", K_SUBJECT, FALSE,
	    "防災訓練 報告書 7" },
	{ "--subject 予算 (2 chars: scan)", K_SUBJECT, FALSE, "予算" },
	{ "--subject 予算案 (no match)", K_SUBJECT, FALSE, "予算案" },
	{ "--message-id", K_MSGID, FALSE, NULL },
	{ "--sha256 (a part's)", K_SHA, FALSE, NULL },
	{ "--since/--until (one day)", K_DAY, FALSE, NULL },
	{ "--verdict sanitized (common)", K_VERDICT, FALSE, "sanitized" },
	{ "--verdict rejected (1 in 500)", K_VERDICT, FALSE, "rejected" },
	{ "--rule exe (1 in 10)", K_RULE, FALSE, "exe" },
	{ "--rule macro (1 in 1000)", K_RULE, FALSE, "macro" },
	{ "--node mx1", K_NODE, FALSE, "mx1" },
	{ "--rcpt office17.pref, one week", K_RCPT_WEEK, FALSE,
	    "office17.pref" },
	{ "--from sender9.example, one week", K_FROM_WEEK, FALSE,
	    "sender9.example" },
	{ "--rcpt office17.pref --subject invoice", K_RCPT_SUBJ, FALSE,
	    "office17.pref" },
	{ "--from user77@ --verdict rejected", K_FROM_REJ, FALSE,
	    "user77@" },
	{ "--rcpt pref.example (every office)", K_RCPT, FALSE,
	    "pref.example" },
	{ "--from 77@sender1 (senders of 11 domains)", K_FROM, FALSE,
	    "77@sender1" },
	{ "(everything, newest first)", K_ALL, FALSE, NULL },
	{ "requests in state pending", K_REQUESTS, FALSE, "pending" },
};

#define DAY_USEC (G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC)

static void
make_query(struct mugai_index_query *q, guint k, guint64 n, gint64 now,
    char **sha, char **mid)
{
	mugai_index_query_init(q);
	q->iq_limit = 100;
	switch (searches[k].kind) {
	case K_RCPT: q->iq_rcpt = searches[k].value; break;
	case K_FROM: q->iq_from = searches[k].value; break;
	case K_SUBJECT: q->iq_subject = searches[k].value; break;
	case K_MSGID:
		/* The Message-ID of the middle row. */
		*mid = g_strdup_printf("%" G_GUINT64_FORMAT "@sender.example",
		    n / 2);
		q->iq_message_id = *mid;
		break;
	case K_SHA:
		/* Part 2 of the middle row (make_row()). */
		*sha = hex_of(((guint64)1 << 40) + n / 2 * 2 + 2);
		q->iq_sha256 = *sha;
		break;
	case K_DAY:
		q->iq_since = now - 30 * DAY_USEC;
		q->iq_until = q->iq_since + DAY_USEC;
		break;
	case K_VERDICT: q->iq_verdict = searches[k].value; break;
	case K_RULE: q->iq_rule = searches[k].value; break;
	case K_NODE: q->iq_node = searches[k].value; break;
	case K_RCPT_WEEK:
		q->iq_rcpt = searches[k].value;
		q->iq_since = now - 40 * DAY_USEC;
		q->iq_until = q->iq_since + 7 * DAY_USEC;
		break;
	case K_FROM_WEEK:
		q->iq_from = searches[k].value;
		q->iq_since = now - 40 * DAY_USEC;
		q->iq_until = q->iq_since + 7 * DAY_USEC;
		break;
	case K_RCPT_SUBJ:
		q->iq_rcpt = searches[k].value;
		q->iq_subject = "invoice";
		break;
	case K_FROM_REJ:
		q->iq_from = searches[k].value;
		q->iq_verdict = "rejected";
		break;
	case K_ALL:
	case K_REQUESTS:
		break;
	}
}

static gint
by_id(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct mugai_index_row *const *)a)->ir_id,
	    (*(struct mugai_index_row *const *)b)->ir_id);
}

/* The IDs search q finds, sorted, one a line, with names_max as given. */
static char *
ids_of(struct mugai_index *ix, const struct mugai_index_query *q,
    guint names_max)
{
	guint keep = mugai_ix_names_max;
	GString *s = g_string_new(NULL);
	enum mugai_err err;
	GPtrArray *a;

	mugai_ix_names_max = names_max;
	a = mugai_index_search(ix, q, &err);
	mugai_ix_names_max = keep;
	if (a == NULL) {
		fprintf(stderr, "search: %s\n", mugai_index_errmsg(ix));
		exit(1);
	}
	/*
	 * Sorted: items of the same microsecond may come in either order
	 * (PostgreSQL orders by time only).
	 */
	g_ptr_array_sort(a, by_id);
	for (guint i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s\n", ((struct mugai_index_row *)
		    g_ptr_array_index(a, i))->ir_id);
	g_ptr_array_free(a, TRUE);
	return g_string_free(s, FALSE);
}

static guint
lines_in(const char *s)
{
	guint n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * -C: each search with and without names (newest 100, oldest 100, and
 * all of a sender's or recipient's) must find the same items, and a
 * search of words without a limit (a week at most) newest first what
 * it finds oldest first. FALSE on a difference.
 */
static gboolean
compare(struct mugai_index *ix, guint64 n, gint64 now)
{
	guint same = 0, through = 0, differ = 0;
	gboolean via = FALSE;

	for (guint k = 0; k < G_N_ELEMENTS(searches); k++) {
		const char *only = g_getenv("INDEX_BENCH_COMPARE");

		/* INDEX_BENCH_COMPARE=TEXT: only the searches named so. */
		if (searches[k].kind == K_REQUESTS || (only != NULL &&
		    strstr(searches[k].what, only) == NULL))
			continue;
		for (int v = 0; v < 4; v++) {
			g_autofree char *sha = NULL, *mid = NULL;
			g_autofree char *a = NULL, *b = NULL;
			struct mugai_index_query q;
			guint used = mugai_ix_names_used;

			make_query(&q, k, n, now, &sha, &mid);
			/* All: only what went through names (newest 100). */
			if (v == 2 && !via)
				continue;
			/*
			 * Newest and oldest first: searches of the words, a
			 * week at most (a word in every item is 11,000 rows
			 * a day at 1,000,000, each row parsed).
			 */
			if (v == 3 && q.iq_from == NULL && q.iq_rcpt == NULL &&
			    q.iq_subject == NULL)
				continue;
			if (v == 3 && q.iq_since == G_MININT64)
				q.iq_since = now - 7 * DAY_USEC;
			q.iq_oldest_first = v == 1;
			q.iq_limit = v >= 2 ? 0 : 100;
			/*
			 * a: names, newest first when v is 2; v 3: every
			 * search's items without names, newest first (SQLite
			 * 3.40's FTS5 lost some that way: 6 of the 3,401 of
			 * office17.pref at 1,000,000 rows, BENCHMARKS.md
			 * session 10). b: without names, oldest first when
			 * all of them are wanted.
			 */
			a = ids_of(ix, &q, v == 3 ? 0 : mugai_ix_names_max);
			if (mugai_ix_names_used != used)
				through++;
			if (v == 0)
				via = mugai_ix_names_used != used;
			if (v >= 2)
				q.iq_oldest_first = TRUE;
			b = ids_of(ix, &q, 0);
			if (strcmp(a, b) == 0) {
				same++;
				continue;
			}
			differ++;
			fprintf(stderr, "compare: %s (%s): %u and %u items\n",
			    searches[k].what, v == 0 ? "newest 100, names and "
			    "the words" : v == 1 ? "oldest 100, names and the "
			    "words" : v == 2 ? "all, names and the words" :
			    "all, the words newest and oldest first",
			    lines_in(a), lines_in(b));
			if (g_getenv("INDEX_BENCH_COMPARE") != NULL)
				fprintf(stderr, "a:\n%sb:\n%s", a, b);
		}
	}
	printf("compare: %u searches the same with and without names, and "
	    "newest and oldest first (%u through names), %u differ\n", same,
	    through, differ);
	return differ == 0;
}

/* Runs search k once; *rows gets how many it found. */
static gboolean
run_one(struct mugai_index *ix, sqlite3 *old, guint k,
    const struct mugai_index_query *q, int *rows)
{
	enum mugai_err err;
	GPtrArray *a;

	if (old != NULL) {
		if (searches[k].kind == K_REQUESTS)
			return FALSE;
		*rows = old_search(old, q, searches[k].words2);
		return *rows >= 0;
	}
	if (searches[k].kind == K_REQUESTS)
		a = mugai_index_requests(ix, NULL, searches[k].value, &err);
	else
		a = mugai_index_search(ix, q, &err);
	if (a == NULL) {
		fprintf(stderr, "search: %s\n", mugai_index_errmsg(ix));
		exit(1);
	}
	*rows = (int)a->len;
	g_ptr_array_free(a, TRUE);
	return TRUE;
}

/* Rows of names in the SQLite index of dir (-1: not SQLite). */
static gint64
names_rows(const char *url, const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "index.sqlite", NULL);
	sqlite3 *db;
	sqlite3_stmt *st;
	gint64 n = -1;

	if (url != NULL || sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM names", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * -P COUNT: the COUNT oldest items purged as the indexer applies the
 * journal's "purged" lines of `mugai quarantine purge` (one transaction,
 * as one journal chunk holds them), timed; then exit.
 */
static int
purge_oldest(struct mugai_index *ix, const char *url, const char *dir,
    guint count, struct backend *be)
{
	struct mugai_index_query q;
	enum mugai_err err;
	GPtrArray *a;
	gint64 t0, t1, c0, c1, s0, s1, names0 = names_rows(url, dir);

	mugai_index_query_init(&q);
	q.iq_oldest_first = TRUE;
	q.iq_limit = count;
	if ((a = mugai_index_search(ix, &q, &err)) == NULL)
		goto fail;
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	s0 = backend_cpu_usec(be);
	if (mugai_index_begin(ix) != MUGAI_OK)
		goto fail;
	for (guint i = 0; i < a->len; i++) {
		g_autofree char *line = g_strdup_printf("{\"op\":\"purged\","
		    "\"id\":\"%s\",\"time\":\"2026-01-01T00:00:00Z\","
		    "\"actor\":\"index-bench\"}", ((struct mugai_index_row *)
		    g_ptr_array_index(a, i))->ir_id);

		if (mugai_index_apply_line(ix, line, NULL) != MUGAI_OK)
			goto fail;
	}
	if (mugai_index_commit(ix) != MUGAI_OK)
		goto fail;
	t1 = g_get_monotonic_time();
	c1 = cpu_usec();
	s1 = backend_cpu_usec(be);
	printf("purge: %u items in %.1f ms wall, %.1f ms CPU (%.3f ms per "
	    "item wall)\n", a->len, (double)(t1 - t0) / 1000.0,
	    (double)(c1 - c0) / 1000.0, (double)(t1 - t0) / 1000.0 /
	    MAX(a->len, 1));
	if (be->be_pid > 0)
		printf("purge: the server's backend %.1f ms CPU\n",
		    (double)(s1 - s0) / 1000.0);
	if (names0 >= 0)
		printf("purge: names %" G_GINT64_FORMAT " before, %"
		    G_GINT64_FORMAT " after\n", names0, names_rows(url, dir));
	g_ptr_array_free(a, TRUE);
	return 0;
fail:
	fprintf(stderr, "purge: %s\n", mugai_index_errmsg(ix));
	return 1;
}

int
main(int argc, char **argv)
{
	guint64 n = 1000000, first = 0, last = G_MAXUINT64;
	const char *url = NULL, *dir;
	g_autofree char *msg = NULL;
	struct mugai_index *ix;
	enum mugai_err err;
	GRand *r = g_rand_new_with_seed(17);
	gint64 now, t0, t1, c0, c1, s0, s1, have;
	struct backend be = { 0 };
	gboolean baseline = FALSE, ranged = FALSE, oldplan = FALSE;
	gboolean cmp = FALSE;
	sqlite3 *old = NULL;
	int runs = 15, c;
	guint purge = 0;

	while ((c = getopt(argc, argv, "n:r:u:Bs:e:OCN:P:")) != -1) {
		if (c == 'n')
			n = g_ascii_strtoull(optarg, NULL, 10);
		else if (c == 'r')
			runs = (int)CLAMP(g_ascii_strtoll(optarg, NULL, 10), 1,
			    1000);
		else if (c == 'u')
			url = optarg;
		else if (c == 'B')
			baseline = TRUE;
		else if (c == 'O')
			oldplan = TRUE;
		else if (c == 'C')
			cmp = TRUE;
		else if (c == 'P')
			purge = (guint)g_ascii_strtoull(optarg, NULL, 10);
		else if (c == 'N')
			mugai_ix_names_max = (guint)g_ascii_strtoull(optarg,
			    NULL, 10);
		else if (c == 's' || c == 'e') {
			guint64 v = g_ascii_strtoull(optarg, NULL, 10);

			*(c == 's' ? &first : &last) = v;
			ranged = TRUE;
		}
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: index-bench [-n ROWS] [-r RUNS] "
		    "[-u URL] [-B | -O] [-C] [-N MAX] [-s FIRST -e LAST] "
		    "[-P COUNT] DIR\n");
		return 2;
	}
	dir = argv[optind];
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	if ((ix = mugai_index_open(url, dir, (gid_t)-1, &err, &msg)) ==
	    NULL) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	/* An older schema is converted here: the upgrade's time. */
	printf("open: %.1f ms wall, %.1f ms CPU\n", (double)(
	    g_get_monotonic_time() - t0) / 1000.0, (double)(cpu_usec() - c0) /
	    1000.0);
	if (url != NULL && (g_str_has_prefix(url, "postgresql://") ||
	    g_str_has_prefix(url, "postgres://")))
		backend_find(&be, url);
	/*
	 * The generated times end at the first fill's "now", kept in the
	 * store directory, so that -n 0 searches the same days.
	 */
	{
		g_autofree char *path = g_build_filename(dir,
		    "index-bench.now", NULL);
		g_autofree char *text = NULL;

		if (g_file_get_contents(path, &text, NULL, NULL))
			now = g_ascii_strtoll(text, NULL, 10);
		else {
			g_autofree char *v = NULL;

			now = g_get_real_time();
			v = g_strdup_printf("%" G_GINT64_FORMAT "\n", now);
			(void)g_file_set_contents(path, v, -1, NULL);
		}
	}
	have = mugai_index_count(ix, &err);
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	s0 = backend_cpu_usec(&be);
	last = MIN(last, n);
	for (guint64 i = 0; i < last; i++) {
		char *id;
		JsonObject *row;
		gboolean added;

		if (i < first) {
			/* The generator's draws, so row i is the same. */
			json_object_unref(make_row(r, i, n, now, &id));
			g_free(id);
			continue;
		}
		if ((i % 10000 == 0 || i == first) &&
		    mugai_index_begin(ix) != MUGAI_OK)
			goto fail;
		row = make_row(r, i, n, now, &id);
		if (mugai_index_put_item(ix, row, &added) != MUGAI_OK)
			goto fail;
		json_object_unref(row);
		if (i % 100 == 3 && added) {
			struct mugai_index_request rq = { 0 };

			rq.rq_item = id;
			rq.rq_requester = (char *)"staff@city.example.lg.jp";
			rq.rq_state = (char *)(i % 1000 == 3 ? "pending" :
			    "released");
			rq.rq_reason = (char *)"見積書が必要です";
			if (mugai_index_request_put(ix, &rq) != MUGAI_OK)
				goto fail;
		}
		g_free(id);
		if ((i % 10000 == 9999 || i == last - 1) &&
		    mugai_index_commit(ix) != MUGAI_OK)
			goto fail;
		if (i % 100000 == 99999)
			fprintf(stderr, "index-bench: %" G_GUINT64_FORMAT
			    " rows\n", i + 1);
	}
	t1 = g_get_monotonic_time();
	c1 = cpu_usec();
	s1 = backend_cpu_usec(&be);
	if (n > 0)
		printf("fill: %" G_GUINT64_FORMAT " rows (to %" G_GINT64_FORMAT
		    ") in %.1f s, %.0f rows/s (%.3f ms per row wall, %.3f ms "
		    "CPU; transactions of 10,000)\n", last - first, have,
		    (double)(t1 - t0) / 1e6, (double)(last - first) /
		    ((double)(t1 - t0) / 1e6), (double)(t1 - t0) / 1000.0 /
		    (double)(last - first), (double)(c1 - c0) / 1000.0 /
		    (double)(last - first));
	if (n > 0 && be.be_pid > 0)
		printf("fill: the server's backend %.3f ms CPU per row\n",
		    (double)(s1 - s0) / 1000.0 / (double)(last - first));
	if (ranged) {
		mugai_index_close(ix);
		return 0;	/* a part of a parallel fill */
	}
	t0 = g_get_monotonic_time();
	have = mugai_index_count(ix, &err);
	printf("rows in the index: %" G_GINT64_FORMAT " (count(*) %.1f ms)\n",
	    have, (double)(g_get_monotonic_time() - t0) / 1000.0);
	if (n == 0)
		n = (guint64)have;	/* the rows a fill of that size made */
	if (purge > 0) {
		int rc = purge_oldest(ix, url, dir, purge, &be);

		mugai_index_close(ix);
		return rc;
	}
	if (cmp && !compare(ix, n, now))
		return 1;
	if (baseline && url != NULL)
		baseline = FALSE;
	if (baseline) {
		g_autofree char *path = g_build_filename(dir, "index.sqlite",
		    NULL);

		/* What schema 1 had and schema 2 does without. */
		if (sqlite3_open_v2(path, &old, SQLITE_OPEN_READWRITE, NULL) !=
		    SQLITE_OK || sqlite3_exec(old, "PRAGMA cache_size=-65536;"
		    "CREATE INDEX IF NOT EXISTS bench_items_time ON "
		    "items(time)", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(old));
			return 1;
		}
	}

	{
		guint ns = G_N_ELEMENTS(searches);
		double *wall = g_new0(double, ns * 2 * runs);
		double *cpu = g_new0(double, ns * 2 * runs);
		double *srv = g_new0(double, ns * 2 * runs);
		int *rows = g_new0(int, ns * 2);
		gboolean *done = g_new0(gboolean, ns * 2);

		/* Interleaved: each run does every search, new then old. */
		for (int run = 0; run < runs; run++)
			for (guint k = 0; k < ns; k++)
				for (int b = 0; b < (old != NULL ||
				    oldplan ? 2 : 1); b++) {
					g_autofree char *sha = NULL;
					g_autofree char *mid = NULL;
					struct mugai_index_query q;
					guint at = (k * 2 + (guint)b) *
					    (guint)runs + (guint)run;
					guint keep = mugai_ix_names_max;

					make_query(&q, k, n, now, &sha, &mid);
					t0 = g_get_monotonic_time();
					c0 = cpu_usec();
					s0 = backend_cpu_usec(&be);
					if (b && oldplan)
						mugai_ix_names_max = 0;
					done[k * 2 + b] = run_one(ix,
					    b ? old : NULL, k, &q,
					    &rows[k * 2 + b]);
					mugai_ix_names_max = keep;
					wall[at] = (double)(
					    g_get_monotonic_time() - t0) /
					    1000.0;
					cpu[at] = (double)(cpu_usec() - c0) /
					    1000.0;
					srv[at] = (double)(backend_cpu_usec(
					    &be) - s0) / 1000.0;
				}
		printf("%-40s %5s %9s %9s %9s", "search (newest 100)", "rows",
		    "p50 ms", "p95 ms", "CPU p50");
		if (old != NULL || oldplan)
			printf(" | %5s %9s %9s %9s", "rows", oldplan ?
			    "no names p50" : "schema 1 p50", "p95", "CPU p50");
		if (be.be_pid > 0)
			printf(" %9s %9s", "srv p50", "srv p95");
		printf("\n");
		for (guint k = 0; k < ns; k++) {
			printf("%-40s", searches[k].what);
			for (int b = 0; b < (old != NULL || oldplan ? 2 :
			    1); b++) {
				guint at = (k * 2 + (guint)b) * (guint)runs;

				if (!done[k * 2 + b]) {
					printf(" | %5s", "-");
					continue;
				}
				printf("%s %5d %9.2f %9.2f %9.2f", b ? " |" :
				    "", rows[k * 2 + b], pct(wall + at, runs,
				    50), pct(wall + at, runs, 95),
				    pct(cpu + at, runs, 50));
				if (be.be_pid > 0)
					printf(" %9.2f %9.2f", pct(srv + at,
					    runs, 50), pct(srv + at, runs, 95));
			}
			printf("\n");
		}
		g_free(wall);
		g_free(cpu);
		g_free(srv);
		g_free(rows);
		g_free(done);
	}
	if (old != NULL) {
		(void)sqlite3_exec(old, "DROP INDEX bench_items_time", NULL,
		    NULL, NULL);
		sqlite3_close(old);
	}
	/* A row a transaction, as the indexer applies a quiet journal. */
	t0 = g_get_monotonic_time();
	c0 = cpu_usec();
	s0 = backend_cpu_usec(&be);
	for (guint64 i = 0; i < 1000; i++) {
		char *id;
		JsonObject *row = make_row(r, n + i, n + 1000, now, &id);
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
	s1 = backend_cpu_usec(&be);
	printf("put one row per transaction: %.3f ms per row wall, %.3f ms "
	    "CPU (1,000 rows)\n", (double)(t1 - t0) / 1000.0 / 1000.0,
	    (double)(c1 - c0) / 1000.0 / 1000.0);
	if (be.be_pid > 0)
		printf("put one row per transaction: the server's backend "
		    "%.3f ms CPU per row\n", (double)(s1 - s0) / 1000.0 /
		    1000.0);
	mugai_index_close(ix);
#ifdef HAVE_LIBPQ
	if (be.be_conn != NULL)
		PQfinish(be.be_conn);
#endif
	g_rand_free(r);
	return 0;
fail:
	fprintf(stderr, "index: %s\n", mugai_index_errmsg(ix));
	return 1;
}
