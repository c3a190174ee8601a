/*
 * mugai quarantine list - a table (or JSON) of quarantined items
 *
 * Walks DIR/YYYY/MM/DD in order and prunes whole years, months and days
 * outside --since/--until before opening anything, so a narrow date range
 * over a large store reads only the days it covers. An item's small
 * list.json (items stored before session 9) is read rather than
 * meta.json, which carries the report; newer items have meta.json only.
 * --since/--until are local dates (TZ), inclusive; directories are UTC dates, so the walk keeps
 * the days that overlap and the ID's own time decides. Only meta.json is
 * read; an item without a readable meta.json is listed with "?" fields
 * (it is still there: the administrator must see it). Mail-derived text is
 * printed with control, line break and bidi control characters escaped.
 *
 * With an index (lib/index/: index.sqlite in the store, or [index] url),
 * the journal is applied to it and the search is the index's: substring
 * matches of --from/--rcpt/--subject through its trigram words,
 * --message-id, --sha256 (the original's or a part's), --verdict, --rule
 * and --node, newest first. --walk, or no index, walks the directories
 * as below (the index-only filters are then refused).
 *
 * The walk starts from the store's top directory (as its owner when run
 * as root: mugai_cli_qdrop()) and opens one name at a time without
 * following a link; a year, month, day or item that is a link is left
 * out and named on standard error.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "cli/qindex.h"
#include "index/index.h"

/* list.json or meta.json past this is not ours. */
#define META_MAX ((gsize)64 << 20)

struct list_filter {
	gint64 lf_since;	/* usec, inclusive; G_MININT64: none */
	gint64 lf_until;	/* usec, exclusive; G_MAXINT64: none */
	char lf_since_day[9];	/* UTC YYYYMMDD of lf_since, "" none */
	char lf_until_day[9];	/* UTC YYYYMMDD of lf_until - 1, "" none */
	char *lf_from;		/* casefolded substrings, or NULL */
	char *lf_rcpt;
	char *lf_subject;
	gboolean lf_json;
	guint lf_count;
	guint lf_unreadable;	/* years, months, days, items not opened */
	const char *lf_dir;	/* the store, for messages */
	JsonParser *lf_parser;	/* the walk's, for every item */
};

/* Parses a local YYYY-MM-DD strictly; returns midnight in usec. */
static gboolean
parse_date(const char *s, gint64 *usec)
{
	g_autoptr(GDateTime) dt = NULL;
	guint64 y, m, d;
	char *end;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return FALSE;
	y = g_ascii_strtoull(s, &end, 10);
	m = g_ascii_strtoull(s + 5, &end, 10);
	d = g_ascii_strtoull(s + 8, &end, 10);
	if (*end != '\0' || y < 1970 || m < 1 || m > 12 || d < 1 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	if ((dt = g_date_time_new_local((gint)y, (gint)m, (gint)d, 0, 0,
	    0)) == NULL)
		return FALSE;
	*usec = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	return TRUE;
}

static void
utc_day(gint64 usec, char out[9])
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
	    usec / G_USEC_PER_SEC);
	g_autofree char *s = g_date_time_format(dt, "%Y%m%d");

	g_strlcpy(out, s, 9);
}

static gboolean
contains(const char *hay, const char *folded_needle)
{
	g_autofree char *h = NULL;

	if (hay == NULL)
		return FALSE;
	h = g_utf8_casefold(hay, -1);
	return strstr(h, folded_needle) != NULL;
}

static gboolean
any_contains(JsonArray *a, const char *needle)
{
	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (json_node_get_value_type(n) == G_TYPE_STRING &&
		    contains(json_node_get_string(n), needle))
			return TRUE;
	}
	return FALSE;
}

static gboolean
matches(const struct list_filter *lf, JsonObject *meta)
{
	JsonObject *env = mugai_cli_jobj(meta, "envelope");
	JsonObject *hdr = mugai_cli_jobj(meta, "headers");

	if (lf->lf_from != NULL && !contains(mugai_cli_jstr(env, "sender"),
	    lf->lf_from) && !contains(mugai_cli_jstr(hdr, "from"), lf->lf_from))
		return FALSE;
	if (lf->lf_rcpt != NULL && !any_contains(mugai_cli_jarr(env,
	    "recipients"), lf->lf_rcpt) && !contains(mugai_cli_jstr(hdr, "to"),
	    lf->lf_rcpt) && !contains(mugai_cli_jstr(hdr, "cc"), lf->lf_rcpt))
		return FALSE;
	if (lf->lf_subject != NULL && !contains(mugai_cli_jstr(hdr, "subject"),
	    lf->lf_subject))
		return FALSE;
	return TRUE;
}

static void
print_row(const char *id, gint64 usec, JsonObject *meta)
{
	JsonObject *env = mugai_cli_jobj(meta, "envelope");
	JsonObject *hdr = mugai_cli_jobj(meta, "headers");
	JsonObject *sum = mugai_cli_jobj(meta, "summary");
	JsonArray *rcpts = mugai_cli_jarr(env, "recipients");
	JsonArray *removed = mugai_cli_jarr(sum, "removed");
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(
	    usec / G_USEC_PER_SEC);
	g_autofree char *when = g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
	const char *from = mugai_cli_jstr(hdr, "from");
	const char *rcpt = NULL;
	GString *rm = g_string_new(NULL);

	if (from == NULL)
		from = mugai_cli_jstr(env, "sender");
	if (rcpts != NULL && json_array_get_length(rcpts) > 0)
		rcpt = json_array_get_string_element(rcpts, 0);
	if (rcpt == NULL)
		rcpt = mugai_cli_jstr(hdr, "to");
	if (meta == NULL) {
		g_string_append(rm, "? (meta.json unreadable)");
	} else {
		guint n = removed != NULL ? json_array_get_length(removed) : 0;

		g_string_append_printf(rm, "%u", n);
		for (guint i = 0; i < n; i++) {
			const char *s = json_array_get_string_element(removed,
			    i);

			g_string_append(rm, i == 0 ? " " : ", ");
			g_string_append(rm, s != NULL ? s : "?");
		}
	}
	printf("%s  %s  ", when, id);
	mugai_cli_put_text(stdout, from != NULL ? from : "?", 28);
	fputs("  ", stdout);
	mugai_cli_put_text(stdout, rcpt != NULL ? rcpt : "?", 28);
	fputs("  ", stdout);
	mugai_cli_put_text(stdout, mugai_cli_jstr(hdr, "subject") != NULL ?
	    mugai_cli_jstr(hdr, "subject") : "", 36);
	fputs("  ", stdout);
	mugai_cli_put_text(stdout, rm->str, 0);
	fputc('\n', stdout);
	g_string_free(rm, TRUE);
}

static void
print_json(struct list_filter *lf, JsonObject *meta)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	g_autofree char *text = NULL;

	json_node_set_object(node, meta);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s%s", lf->lf_count == 0 ? "[\n" : ",\n", text);
	json_node_unref(node);
}

/*
 * The walk's remark on a year, month, day or item it cannot open (a link,
 * anything but a directory): named on standard error and left out.
 */
static void
unreadable(const char *path, int errnum, gpointer data)
{
	struct list_filter *lf = data;

	fprintf(stderr, "mugai quarantine list: %s/%s: %s\n", lf->lf_dir,
	    path, mugai_qdir_strerror(errnum));
	lf->lf_unreadable++;
}

/* One item of the walk (mugai_qdir_visit_fn); lists it when it matches. */
static gboolean
list_item(int dayfd, const char *day, const char *id, gpointer data)
{
	struct list_filter *lf = data;
	g_autofree char *ipath = g_strdup_printf("%s/%s", day, id);
	g_autofree char *text = NULL;
	JsonObject *meta = NULL;
	JsonNode *root;
	gint64 t = 0;
	gsize len;
	int item;

	(void)mugai_qid_time(id, &t);
	if (t < lf->lf_since || t >= lf->lf_until)
		return TRUE;
	if ((item = mugai_qdir_open(dayfd, id)) < 0) {
		if (errno != ENOENT)
			unreadable(ipath, errno, lf);
		return TRUE;
	}
	/*
	 * list.json has the table's members without the report (a fifth of
	 * the parsing); --json and items stored without it (all since
	 * session 9: the index lists them) read meta.json.
	 * Read, not mapped: mmap per small file costs more than it saves.
	 */
	for (int k = lf->lf_json ? 1 : 0; k < 2 && meta == NULL; k++) {
		g_clear_pointer(&text, g_free);
		if ((text = mugai_qdir_read(item, k == 0 ? "list.json" :
		    "meta.json", (uid_t)-1, META_MAX, &len)) != NULL &&
		    json_parser_load_from_data(lf->lf_parser, text,
		    (gssize)len, NULL) &&
		    (root = json_parser_get_root(lf->lf_parser)) != NULL &&
		    JSON_NODE_HOLDS_OBJECT(root))
			meta = json_node_get_object(root);
	}
	close(item);
	/* Unreadable: shown in the plain table, never matched. */
	if (meta == NULL && (lf->lf_from != NULL || lf->lf_rcpt != NULL ||
	    lf->lf_subject != NULL || lf->lf_json))
		return TRUE;
	if (meta != NULL && !matches(lf, meta))
		return TRUE;
	if (lf->lf_json)
		print_json(lf, meta);
	else
		print_row(id, t, meta);
	lf->lf_count++;
	return TRUE;
}

/* The store's days from --since to --until, oldest first. */
static void
walk(struct list_filter *lf, int top)
{
	struct mugai_qdir_walk_opts wo = { 0 };

	wo.wo_first = lf->lf_since_day;
	wo.wo_last = lf->lf_until_day;
	wo.wo_unreadable = unreadable;
	lf->lf_parser = json_parser_new_immutable();
	mugai_qdir_walk_opts(top, &wo, list_item, lf);
	g_clear_object(&lf->lf_parser);
}

/* Prints the rows the index finds; FALSE when the search failed. */
static gboolean
list_index(struct list_filter *lf, struct mugai_index *ix,
    const struct mugai_index_query *iq)
{
	enum mugai_err err;
	GPtrArray *rows = mugai_index_search(ix, iq, &err);

	if (rows == NULL) {
		fprintf(stderr, "mugai quarantine list: index: %s: %s\n",
		    mugai_err_str(err), mugai_index_errmsg(ix));
		return FALSE;
	}
	for (guint k = 0; k < rows->len; k++) {
		/* Newest first when limited: printed oldest first. */
		guint i = iq->iq_oldest_first ? k : rows->len - 1 - k;
		struct mugai_index_row *r = g_ptr_array_index(rows, i);

		if (lf->lf_json)
			print_json(lf, r->ir_row);
		else
			print_row(r->ir_id, r->ir_time, r->ir_row);
		lf->lf_count++;
	}
	g_ptr_array_free(rows, TRUE);
	return TRUE;
}

/* Command-line text is taken as UTF-8 whatever the locale says. */
static char *
fold(const char *arg)
{
	g_autofree char *valid = NULL;

	if (arg == NULL)
		return NULL;
	valid = g_utf8_make_valid(arg, -1);
	return g_utf8_casefold(valid, -1);
}

int
mugai_cli_quarantine_list(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	struct mugai_config *cf;
	const char *dir;
	g_autofree char *since = NULL, *until = NULL, *from = NULL;
	g_autofree char *rcpt = NULL, *subject = NULL;
	g_autofree char *message_id = NULL, *sha256 = NULL, *verdict = NULL;
	g_autofree char *rule = NULL, *node = NULL;
	gboolean json = FALSE, force_walk = FALSE;
	gint limit = 0;
	struct mugai_index *ix = NULL;
	struct mugai_index_query iq;
	GOptionEntry entries[] = {
		{ "since", 0, 0, G_OPTION_ARG_FILENAME, &since,
		  "items stored on or after this local date", "YYYY-MM-DD" },
		{ "until", 0, 0, G_OPTION_ARG_FILENAME, &until,
		  "items stored on or before this local date", "YYYY-MM-DD" },
		{ "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
		  "sender or From: contains TEXT", "TEXT" },
		{ "rcpt", 0, 0, G_OPTION_ARG_FILENAME, &rcpt,
		  "a recipient, To: or Cc: contains TEXT", "TEXT" },
		{ "subject", 0, 0, G_OPTION_ARG_FILENAME, &subject,
		  "Subject: contains TEXT", "TEXT" },
		{ "message-id", 0, 0, G_OPTION_ARG_FILENAME, &message_id,
		  "Message-ID: is ID (without <>; index)", "ID" },
		{ "sha256", 0, 0, G_OPTION_ARG_FILENAME, &sha256,
		  "the original or a part has this SHA-256 (index)", "HEX" },
		{ "verdict", 0, 0, G_OPTION_ARG_FILENAME, &verdict,
		  "the engine's verdict was V (index)", "V" },
		{ "rule", 0, 0, G_OPTION_ARG_FILENAME, &rule,
		  "the rule R decided the item or a part (index)", "R" },
		{ "node", 0, 0, G_OPTION_ARG_FILENAME, &node,
		  "stored by the gateway N (index)", "N" },
		{ "limit", 0, 0, G_OPTION_ARG_INT, &limit,
		  "at most N items, the newest (index)", "N" },
		{ "walk", 0, 0, G_OPTION_ARG_NONE, &force_walk,
		  "walk the directories even when there is an index", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  "print a JSON array of meta.json objects (with the index: "
		  "index rows)", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	struct list_filter lf = { G_MININT64, G_MAXINT64, "", "", NULL, NULL,
	    NULL, FALSE, 0, 0, NULL, NULL };
	int rc, top;

	if (!mugai_cli_qparse("list", "- list quarantined items", entries,
	    qo, &argc, &argv))
		return 2;
	if (argc > 1) {
		fprintf(stderr, "mugai quarantine list: unexpected "
		    "argument \"%s\"\n", argv[1]);
		return 2;
	}
	if ((since != NULL && !parse_date(since, &lf.lf_since)) ||
	    (until != NULL && !parse_date(until, &lf.lf_until))) {
		fprintf(stderr,
		    "mugai quarantine list: dates are YYYY-MM-DD\n");
		return 2;
	}
	if (until != NULL)
		lf.lf_until += G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC;
	if (since != NULL)
		utc_day(lf.lf_since, lf.lf_since_day);
	if (until != NULL)
		utc_day(lf.lf_until - 1, lf.lf_until_day);
	lf.lf_from = fold(from);
	lf.lf_rcpt = fold(rcpt);
	lf.lf_subject = fold(subject);
	lf.lf_json = json;
	if ((cf = mugai_cli_qresolve(qo, &dir)) == NULL) {
		rc = 2;
		goto out;
	}
	lf.lf_dir = dir;
	if ((top = mugai_cli_qtop("list", dir, NULL)) < 0) {
		rc = 1;
		goto out_cf;
	}
	if (!mugai_cli_qdrop("list", top)) {
		close(top);
		rc = 1;
		goto out_cf;
	}
	if (!force_walk)
		ix = mugai_cli_qindex_open("list", cf, dir, top, FALSE);
	if (ix == NULL && (message_id != NULL || sha256 != NULL ||
	    verdict != NULL || rule != NULL || node != NULL || limit > 0)) {
		fprintf(stderr, "mugai quarantine list: --message-id, "
		    "--sha256, --verdict, --rule, --node and --limit need the "
		    "index (mugai quarantine reindex)\n");
		close(top);
		rc = 2;
		goto out_cf;
	}
	if (!json)
		printf("%-19s  %-48s  %-28s  %-28s  %-36s  %s\n", "TIME", "ID",
		    "FROM", "RCPT", "SUBJECT", "REMOVED");
	if (ix != NULL) {
		mugai_index_query_init(&iq);
		iq.iq_since = lf.lf_since;
		iq.iq_until = lf.lf_until;
		iq.iq_from = lf.lf_from;
		iq.iq_rcpt = lf.lf_rcpt;
		iq.iq_subject = lf.lf_subject;
		iq.iq_message_id = message_id;
		iq.iq_sha256 = sha256;
		iq.iq_verdict = verdict;
		iq.iq_rule = rule;
		iq.iq_node = node;
		iq.iq_limit = limit > 0 ? (guint)limit : 0;
		/*
		 * The walk's order, oldest first; with --limit the newest N
		 * are searched (newest first) and printed in that order.
		 */
		iq.iq_oldest_first = iq.iq_limit == 0;
		if (!list_index(&lf, ix, &iq)) {
			mugai_index_close(ix);
			close(top);
			rc = 1;
			goto out_cf;
		}
		mugai_index_close(ix);
	} else
		walk(&lf, top);
	close(top);
	if (json)
		fputs(lf.lf_count == 0 ? "[]\n" : "\n]\n", stdout);
	rc = fflush(stdout) == 0 ? 0 : 1;
	/*
	 * A table that leaves out what this user cannot open is not the
	 * store's: say so, and fail, so that no one reads "nothing
	 * quarantined" into it.
	 */
	if (lf.lf_unreadable > 0) {
		fprintf(stderr, "mugai quarantine list: %u director%s of %s "
		    "could not be read: the list is incomplete (run it as "
		    "root, as the store's owner, or as a member of its "
		    "[quarantine] group)\n", lf.lf_unreadable,
		    lf.lf_unreadable == 1 ? "y" : "ies", dir);
		rc = 1;
	}
out_cf:
	mugai_config_unref(cf);
out:
	g_free(lf.lf_from);
	g_free(lf.lf_rcpt);
	g_free(lf.lf_subject);
	return rc;
}
