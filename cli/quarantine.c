/*
 * mugai quarantine - show, extract, release and purge quarantined items
 *
 * The store comes from the config's [quarantine] dir or --dir. Every ID
 * from the command line passes mugai_qid_valid() before a path
 * is built from it; an invalid one is refused (exit 2). extract, release
 * and purge open the store for writing because each of them appends to
 * audit.log: without an audit line there is no extraction or release.
 * Text from mail is printed with control, line break and bidi control
 * characters escaped (mugai_cli_put_text, lib/text/oneline.h).
 *
 * The store belongs to the milter's user, who may have planted links in
 * it. Every command opens the store's top directory, then (run as root)
 * becomes its owner for good before it touches anything inside, and walks
 * it from that descriptor without following a link (lib/store/qdir.h).
 * What needs root is done before: reading the configuration, loading or
 * creating the release key, creating extract's -o file, and naming the
 * actor for audit.log. release is in cli/qrelease.c, list in cli/qlist.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "mime/gwalk.h"
#include "ppap/ppap.h"
#include "store/qdir.h"
#include "portal/request.h"
#include "store/quarantine.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "cli/qindex.h"


/* ---- show ---- */

static void
show_line(const char *label, const char *value)
{
	printf("%-12s ", label);
	mugai_cli_put_text(stdout, value != NULL ? value : "-", 0);
	fputc('\n', stdout);
}

/* Any scalar member as text (numbers too), or NULL. */
static char *
jtext(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_VALUE(n))
		return NULL;
	if (json_node_get_value_type(n) == G_TYPE_STRING)
		return g_strdup(json_node_get_string(n));
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return g_strdup_printf("%" G_GINT64_FORMAT,
		    json_node_get_int(n));
	return NULL;
}

static void
show_parts(JsonObject *report)
{
	JsonArray *parts = mugai_cli_jarr(report, "parts");
	static const char *const keys[] = { "declared_type", "detected_type",
	    "filename", "size", "sha256", "reason", "rule" };

	if (parts == NULL || json_array_get_length(parts) == 0) {
		puts("Parts:       -");
		return;
	}
	puts("Parts:");
	for (guint i = 0; i < json_array_get_length(parts); i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;
		g_autofree char *path = NULL, *action = NULL, *kind = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		path = jtext(p, "path");
		action = jtext(p, "action");
		kind = jtext(p, "kind");
		printf("  %-8s ", path != NULL ? path : "?");
		mugai_cli_put_text(stdout, action != NULL ? action : "?", 11);
		mugai_cli_put_text(stdout, kind != NULL ? kind : "", 0);
		fputc('\n', stdout);
		for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
			g_autofree char *v = jtext(p, keys[k]);

			if (v == NULL || *v == '\0')
				continue;
			printf("           %-14s ", keys[k]);
			mugai_cli_put_text(stdout, v, 0);
			fputc('\n', stdout);
		}
	}
}

static void
show_text(JsonObject *meta)
{
	JsonObject *env = mugai_cli_jobj(meta, "envelope");
	JsonObject *hdr = mugai_cli_jobj(meta, "headers");
	JsonObject *orig = mugai_cli_jobj(meta, "original");
	JsonObject *sum = mugai_cli_jobj(meta, "summary");
	JsonArray *rcpts = mugai_cli_jarr(env, "recipients");
	GString *r = g_string_new(NULL);
	g_autofree char *size = jtext(orig, "size");
	g_autofree char *orig_line = NULL;

	show_line("ID:", mugai_cli_jstr(meta, "id"));
	show_line("Time:", mugai_cli_jstr(meta, "time"));
	show_line("Host:", mugai_cli_jstr(meta, "host"));
	show_line("Queue ID:", mugai_cli_jstr(env, "queue_id"));
	show_line("Client:", mugai_cli_jstr(env, "client_addr"));
	show_line("Client name:", mugai_cli_jstr(env, "client_name"));
	show_line("HELO:", mugai_cli_jstr(env, "helo"));
	show_line("Sender:", mugai_cli_jstr(env, "sender"));
	for (guint i = 0; rcpts != NULL && i < json_array_get_length(rcpts);
	    i++) {
		const char *s = json_array_get_string_element(rcpts, i);

		g_string_append_printf(r, "%s%s", i ? ", " : "", s ? s : "?");
	}
	show_line("Recipients:", r->str);
	g_string_free(r, TRUE);
	show_line("From:", mugai_cli_jstr(hdr, "from"));
	show_line("To:", mugai_cli_jstr(hdr, "to"));
	show_line("Cc:", mugai_cli_jstr(hdr, "cc"));
	show_line("Subject:", mugai_cli_jstr(hdr, "subject"));
	show_line("Date:", mugai_cli_jstr(hdr, "date"));
	show_line("Message-ID:", mugai_cli_jstr(hdr, "message_id"));
	orig_line = g_strdup_printf("%s bytes, SHA-256 %s",
	    size != NULL ? size : "?", mugai_cli_jstr(orig, "sha256") ?
	    mugai_cli_jstr(orig, "sha256") : "?");
	show_line("Original:", orig_line);
	show_line("Verdict:", mugai_cli_jstr(sum, "verdict"));
	show_line("Rule:", mugai_cli_jstr(sum, "rule"));
	show_line("Version:", mugai_cli_jstr(meta, "mugai_version"));
	show_parts(mugai_cli_jobj(meta, "report"));
}

/* The entries of a ppap.json list, indented. */
static void
show_entries(JsonArray *list)
{
	for (guint i = 0; list != NULL && i < json_array_get_length(list);
	    i++) {
		JsonNode *n = json_array_get_element(list, i);
		JsonObject *e;
		g_autofree char *size = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		e = json_node_get_object(n);
		size = jtext(e, "size");
		fputs("    ", stdout);
		mugai_cli_put_text(stdout, mugai_cli_jstr(e, "name") != NULL ?
		    mugai_cli_jstr(e, "name") : "?", 0);
		printf("\n      %s bytes, SHA-256 ", size != NULL ? size :
		    "?");
		mugai_cli_put_text(stdout, mugai_cli_jstr(e, "sha256") !=
		    NULL ? mugai_cli_jstr(e, "sha256") : "?", 0);
		fputc('\n', stdout);
	}
}

/* What ppap.json (lib/ppap/ppap.h) says: the archives opened from this
 * item, or the item this one was opened from. */
static void
show_opened(JsonObject *st)
{
	JsonObject *from = mugai_cli_jobj(st, "opened_from");
	JsonArray *opened = mugai_cli_jarr(st, "opened");
	JsonArray *fails = mugai_cli_jarr(st, "failures");

	if (from != NULL) {
		g_autofree char *line = g_strdup_printf("%s part %s (%s)",
		    mugai_cli_jstr(from, "id") ? mugai_cli_jstr(from, "id") :
		    "?", mugai_cli_jstr(from, "part") ?
		    mugai_cli_jstr(from, "part") : "?",
		    mugai_cli_jstr(from, "archive") ?
		    mugai_cli_jstr(from, "archive") : "?");

		show_line("Opened from:", line);
		puts("Entries:");
		show_entries(mugai_cli_jarr(st, "entries"));
	}
	for (guint i = 0; opened != NULL && i < json_array_get_length(opened);
	    i++) {
		JsonNode *n = json_array_get_element(opened, i);
		JsonObject *o;
		g_autofree char *t = NULL, *line = NULL;
		g_autoptr(GDateTime) dt = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		o = json_node_get_object(n);
		t = jtext(o, "time");
		dt = g_date_time_new_from_unix_utc(t != NULL ?
		    g_ascii_strtoll(t, NULL, 10) : 0);
		g_free(t);
		t = dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") :
		    NULL;
		line = g_strdup_printf("part %s (%s) by %s at %s as %s",
		    mugai_cli_jstr(o, "part") ? mugai_cli_jstr(o, "part") : "?",
		    mugai_cli_jstr(o, "archive") ?
		    mugai_cli_jstr(o, "archive") : "?",
		    mugai_cli_jstr(o, "actor") ? mugai_cli_jstr(o, "actor") :
		    "?", t != NULL ? t : "?", mugai_cli_jstr(o, "id") ?
		    mugai_cli_jstr(o, "id") : "?");
		show_line("Opened:", line);
		show_entries(mugai_cli_jarr(o, "entries"));
	}
	if (fails != NULL && json_array_get_length(fails) > 0)
		printf("%-12s %u in the last 10 minutes\n", "Wrong passwords:",
		    json_array_get_length(fails));
}

/* Returns (transfer full) usec as ISO 8601 UTC to the second. */
static char *
iso_time(gint64 usec)
{
	GDateTime *t = g_date_time_new_from_unix_utc(usec / G_USEC_PER_SEC);
	char *s;

	if (t == NULL)
		return g_strdup("?");
	s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(t);
	return s;
}

/* The portal's requests of the item (lib/portal/request.h), if any. */
static void
show_requests(int itemfd, uid_t owner)
{
	enum mugai_err err = MUGAI_OK;
	GPtrArray *reqs = mugai_request_list_at(itemfd, owner, &err);

	if (reqs == NULL) {
		show_line("Requests:", mugai_err_str(err));
		return;
	}
	if (reqs->len == 0) {
		puts("Requests:    -");
		g_ptr_array_free(reqs, TRUE);
		return;
	}
	puts("Requests:");
	for (guint i = 0; i < reqs->len; i++) {
		struct mugai_request *rq = g_ptr_array_index(reqs, i);
		g_autofree char *t = iso_time(rq->rq_time);

		printf("  %-3u %-9s %-8s ", rq->rq_n,
		    mugai_request_state_name(rq->rq_state), rq->rq_part);
		mugai_cli_put_text(stdout, rq->rq_requester, 0);
		printf(" %s\n", t);
		if (rq->rq_reason != NULL && *rq->rq_reason != '\0') {
			printf("           %-14s ", "reason");
			mugai_cli_put_text(stdout, rq->rq_reason, 0);
			fputc('\n', stdout);
		}
		if (rq->rq_decider != NULL) {
			g_autofree char *d = iso_time(rq->rq_decided);

			printf("           %-14s ", "decided by");
			mugai_cli_put_text(stdout, rq->rq_decider, 0);
			printf(" %s\n", d);
			if (rq->rq_comment != NULL && *rq->rq_comment != '\0') {
				printf("           %-14s ", "comment");
				mugai_cli_put_text(stdout, rq->rq_comment, 0);
				fputc('\n', stdout);
			}
		}
	}
	g_ptr_array_free(reqs, TRUE);
}

static int
cmd_show(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry own[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  "print meta.json as stored", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	struct mugai_config *cf;
	enum mugai_err err;
	JsonObject *meta = NULL, *st = NULL;
	const char *id, *dir;
	int top, item = -1;
	uid_t owner = (uid_t)-1;

	if (!mugai_cli_qparse("show", "ID - show an item's metadata", own, qo,
	    &argc, &argv) ||
	    (id = mugai_cli_one_id("show", argc, argv)) == NULL)
		return 2;
	if (!mugai_cli_check_id("show", id) ||
	    (cf = mugai_cli_qresolve(qo, &dir)) == NULL)
		return 2;
	if ((top = mugai_cli_qtop("show", dir, &owner)) >= 0 &&
	    mugai_cli_qdrop("show", top) &&
	    (item = mugai_cli_open_item("show", top, id)) >= 0 &&
	    (meta = mugai_quarantine_read_meta_at(item, &err)) == NULL)
		fprintf(stderr, "mugai quarantine show: %s: meta.json: %s\n",
		    id, err == MUGAI_E_NOTFOUND ? "no such item" :
		    mugai_err_str(err));
	if (meta != NULL)
		st = mugai_ppap_state_read(item, (uid_t)-1, &err);
	if (top >= 0)
		close(top);
	mugai_config_unref(cf);
	if (meta == NULL) {
		if (item >= 0)
			close(item);
		return 1;
	}
	if (json) {
		g_autoptr(JsonGenerator) gen = json_generator_new();
		JsonNode *node = json_node_new(JSON_NODE_OBJECT);
		g_autofree char *text = NULL;

		json_node_set_object(node, meta);
		json_generator_set_root(gen, node);
		json_generator_set_pretty(gen, TRUE);
		text = json_generator_to_data(gen, NULL);
		puts(text);
		json_node_unref(node);
	} else {
		show_text(meta);
		if (st != NULL)
			show_opened(st);
		show_requests(item, owner);
	}
	if (st != NULL)
		json_object_unref(st);
	close(item);
	json_object_unref(meta);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- extract ---- */

/* Opens -o FILE (never overwriting: it is evidence) or stdout. */
static GMimeStream *
open_output(const char *cmd, const char *path)
{
	int fd;

	/* A pipe stream: stdout may be a pipe, which fs streams seek. */
	if (path == NULL || strcmp(path, "-") == 0)
		return g_mime_stream_pipe_new(dup(STDOUT_FILENO));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "mugai quarantine %s: %s: %s\n", cmd, path,
		    g_strerror(errno));
		return NULL;
	}
	return g_mime_stream_fs_new(fd);
}

/*
 * Removes a failed extraction's -o file; when the store's owner we became
 * may not remove it, empties it and says so: no partial evidence stays.
 */
static void
discard_output(const char *cmd, GMimeStream *out, const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return;
	if (GMIME_IS_STREAM_FS(out))
		(void)ftruncate(GMIME_STREAM_FS(out)->fd, 0);
	fprintf(stderr, "mugai quarantine %s: %s left empty (%s); remove "
	    "it\n", cmd, path, g_strerror(errno));
}

/*
 * Writes the decoded content of the part at want (the path `show`
 * prints) of the message read from fd (taken) to out; a message/rfc822
 * part is written as the message it holds.
 */
static enum mugai_err
extract_part(int fd, const char *want, GMimeStream *out, GString *why)
{
	GMimeStream *in;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeObject *o;
	GString *seen = g_string_new(NULL);
	enum mugai_err err = MUGAI_E_NOTFOUND;

	in = g_mime_stream_fs_new(fd);		/* takes fd */
	parser = g_mime_parser_new_with_stream(in);
	if ((msg = g_mime_parser_construct_message(parser, NULL)) == NULL) {
		g_string_assign(why, "the original cannot be parsed as MIME");
		err = MUGAI_E_PARSE;
		goto out;
	}
	o = mugai_gwalk_find_part(msg, want, seen);
	if (o == NULL) {
		g_string_printf(why, "no MIME part %s (an encoded block inside "
		    "a text part is extracted with that part); parts on the "
		    "way:%s", want, seen->str);
	} else if (GMIME_IS_PART(o) && g_mime_part_get_content(
	    GMIME_PART(o)) != NULL) {
		err = g_mime_data_wrapper_write_to_stream(
		    g_mime_part_get_content(GMIME_PART(o)), out) < 0 ?
		    MUGAI_E_IO : MUGAI_OK;
	} else if (GMIME_IS_MESSAGE_PART(o) &&
	    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o)) != NULL) {
		err = g_mime_object_write_to_stream(GMIME_OBJECT(
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o))),
		    NULL, out) < 0 ? MUGAI_E_IO : MUGAI_OK;
	} else {
		g_string_printf(why, "part %s is a container; extract the "
		    "parts in it", want);
		err = MUGAI_E_INVAL;
	}
	if (err == MUGAI_E_IO)
		g_string_assign(why, "write failed");
	g_object_unref(msg);
out:
	g_object_unref(parser);
	g_object_unref(in);
	g_string_free(seen, TRUE);
	return err;
}

/* Copies what fd (taken) reads to out. */
static enum mugai_err
copy_file(int fd, GMimeStream *out, GString *why)
{
	GMimeStream *in;
	enum mugai_err err = MUGAI_OK;

	in = g_mime_stream_fs_new(fd);
	if (g_mime_stream_write_to_stream(in, out) < 0) {
		g_string_assign(why, "copy failed");
		err = MUGAI_E_IO;
	}
	g_object_unref(in);
	return err;
}

static int
cmd_extract(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	g_autofree char *part = NULL, *output = NULL;
	GOptionEntry own[] = {
		{ "part", 0, 0, G_OPTION_ARG_FILENAME, &part,
		  "one decoded MIME part, numbered as `show` prints (1.2)",
		  "PATH" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "write to FILE (created, never overwritten)", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autofree char *actor = mugai_cli_actor();
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	GMimeStream *out = NULL;
	GString *why = g_string_new(NULL);
	JsonObject *extra;
	enum mugai_err err, aerr;
	const char *id, *dir;
	int rc = 1, top = -1, item = -1, fd;
	uid_t owner;

	if (!mugai_cli_qparse("extract", "ID - write the original or a part",
	    own, qo, &argc, &argv) ||
	    (id = mugai_cli_one_id("extract", argc, argv)) == NULL ||
	    !mugai_cli_check_id("extract", id) ||
	    (cf = mugai_cli_qresolve(qo, &dir)) == NULL) {
		g_string_free(why, TRUE);
		return 2;
	}
	if (part != NULL && (*part == '\0' || strspn(part, "0123456789.") !=
	    strlen(part))) {
		fprintf(stderr, "mugai quarantine extract: --part is a MIME "
		    "part number such as 2 or 1.2\n");
		rc = 2;
		goto out;
	}
	if ((top = mugai_cli_qtop("extract", dir, &owner)) < 0)
		goto out;
	/* -o FILE is the administrator's: created before we become the
	 * store's owner, who may not write where it goes. */
	if ((out = open_output("extract", output)) == NULL) {
		/* Not ours to unlink. */
		g_clear_pointer(&output, g_free);
		goto out;
	}
	if (!mugai_cli_qdrop("extract", top) ||
	    (item = mugai_cli_open_item("extract", top, id)) < 0 ||
	    (fd = mugai_cli_open_original("extract", item, id, owner)) < 0)
		goto out;
	if ((q = mugai_cli_open_store("extract", top, dir, cf)) == NULL) {
		close(fd);
		goto out;
	}
	err = part != NULL ? extract_part(fd, part, out, why) :
	    copy_file(fd, out, why);
	/* No g_mime_stream_flush(): on a fs stream it is fsync(), which a
	 * pipe refuses; fs streams do not buffer. */
	extra = json_object_new();
	json_object_set_string_member(extra, "part", part != NULL ? part :
	    "original");
	json_object_set_string_member(extra, "output", output != NULL ?
	    output : "-");
	if (err != MUGAI_OK)
		json_object_set_string_member(extra, "error", why->str);
	aerr = mugai_quarantine_audit(q, "extracted", id, actor,
	    err == MUGAI_OK ? "ok" : "failed", extra);
	json_object_unref(extra);
	if (err != MUGAI_OK) {
		fprintf(stderr, "mugai quarantine extract: %s: %s\n", id,
		    why->str);
	} else if (aerr != MUGAI_OK) {
		fprintf(stderr, "mugai quarantine extract: audit.log: %s\n",
		    mugai_err_str(aerr));
	} else {
		rc = 0;
	}
out:
	if (rc != 0 && out != NULL && output != NULL &&
	    strcmp(output, "-") != 0)
		discard_output("extract", out, output);
	g_clear_object(&out);
	if (item >= 0)
		close(item);
	if (top >= 0)
		close(top);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	g_string_free(why, TRUE);
	return rc;
}

/* ---- purge ---- */

/*
 * After a purge: the index applies the journal's "purged" lines (the
 * rows go with the items), then the journal's segments older than the
 * retention that the index holds to their end are removed. With no
 * index kept ([index] url = none, or none made yet: a reindex rebuilds
 * it from the directories) the old segments just go; an index that
 * cannot be opened keeps them all. FALSE (said on stderr) when
 * something was left that should have gone.
 */
static gboolean
purge_index(const struct mugai_config *cf, const char *dir, int top,
    gint64 days)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) cut = g_date_time_add_days(now, -(gint)days);
	g_autofree char *day = g_date_time_format(cut, "%Y%m%d");
	struct mugai_index *ix = NULL;
	enum mugai_err err;
	guint removed = 0;

	if (!mugai_index_disabled(cf->cf_index_url) &&
	    mugai_index_exists(cf->cf_index_url, dir) &&
	    (ix = mugai_cli_qindex_open("purge", cf, dir, top, FALSE)) ==
	    NULL) {
		fprintf(stderr, "mugai quarantine purge: the index could not "
		    "be opened: its rows of purged items stay until it can, "
		    "and the journal is kept\n");
		return FALSE;
	}
	err = mugai_index_prune_journal(ix, top, ix != NULL ?
	    mugai_cli_qindex_node(cf) : NULL, day, &removed);
	if (err != MUGAI_OK)
		fprintf(stderr, "mugai quarantine purge: journal: %s%s%s\n",
		    mugai_err_str(err), ix != NULL ? ": " : "",
		    ix != NULL ? mugai_index_errmsg(ix) : "");
	else if (removed > 0)
		printf("removed %u journal segment(s) before %s\n", removed,
		    day);
	mugai_index_close(ix);
	return err == MUGAI_OK;
}

static int
cmd_purge(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	gint64 days = G_MININT64;
	GOptionEntry own[] = {
		{ "older-than", 0, 0, G_OPTION_ARG_INT64, &days,
		  "remove items older than DAYS (default: retention_days)",
		  "DAYS" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autofree char *actor = mugai_cli_actor();
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	GPtrArray *refused;
	enum mugai_err err;
	const char *dir;
	guint n = 0;
	int top;

	if (!mugai_cli_qparse("purge", "- remove old items", own, qo, &argc,
	    &argv))
		return 2;
	if (argc > 1) {
		fprintf(stderr, "mugai quarantine purge: unexpected argument "
		    "\"%s\"\n", argv[1]);
		return 2;
	}
	if (days != G_MININT64 && (days < 0 || days > 36500)) {
		fprintf(stderr, "mugai quarantine purge: --older-than takes "
		    "0 to 36500 days\n");
		return 2;
	}
	if ((cf = mugai_cli_qresolve(qo, &dir)) == NULL)
		return 2;
	if (days == G_MININT64)
		days = cf->cf_retention_days;
	if ((top = mugai_cli_qtop("purge", dir, NULL)) < 0 ||
	    !mugai_cli_qdrop("purge", top) ||
	    (q = mugai_cli_open_store("purge", top, dir, cf)) == NULL) {
		if (top >= 0)
			close(top);
		mugai_config_unref(cf);
		return 1;
	}
	refused = g_ptr_array_new_with_free_func(g_free);
	err = mugai_quarantine_purge(q, days, g_get_real_time(), actor, &n,
	    refused);
	printf("purged %u item(s) older than %" G_GINT64_FORMAT " days\n", n,
	    days);
	for (guint i = 0; i < refused->len; i++)
		fprintf(stderr, "mugai quarantine purge: %s/%s\n", dir,
		    (const char *)g_ptr_array_index(refused, i));
	if (err != MUGAI_OK && refused->len == 0)
		fprintf(stderr, "mugai quarantine purge: %s\n",
		    mugai_err_str(err));
	g_ptr_array_free(refused, TRUE);
	mugai_quarantine_close(q);
	if (!purge_index(cf, dir, top, days))
		err = err != MUGAI_OK ? err : MUGAI_E_IO;
	close(top);
	mugai_config_unref(cf);
	return err == MUGAI_OK ? 0 : 1;
}

/* ---- mugai sanitize --quarantine ---- */

/* Stores message in q; 0, or 1 after printing why. */
static int
keep_in(struct mugai_quarantine *q, const char *dir, const char *id,
    GMimeStream *message, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *actor, char **why)
{
	enum mugai_err err;

	if (g_mime_stream_reset(message) != 0)
		err = MUGAI_E_IO;
	else
		err = mugai_quarantine_store(q, id, message, env, report,
		    actor);
	mugai_quarantine_close(q);
	if (err != MUGAI_OK) {
		*why = g_strdup_printf("quarantine %s: %s", dir,
		    mugai_err_str(err));
		return 1;
	}
	return 0;
}

/*
 * Root keeping an original in another user's store (the milter's): a
 * child becomes that user and stores it, so that the item and whatever
 * else it creates there are theirs, as if the milter had kept it; this
 * process stays root for the sanitized output the administrator asked
 * for. Returns 0, or 1 with *why (transfer full): what the child said on
 * its standard error, a pipe to us (so --json keeps stderr JSON only).
 */
static int
keep_as_owner(const struct mugai_config *cf, int top, const char *dir,
    const char *id, GMimeStream *message, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *actor, char **why)
{
	GString *said = g_string_new(NULL);
	char buf[512];
	int status, fds[2];
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		*why = g_strdup_printf("pipe: %s", g_strerror(errno));
		g_string_free(said, TRUE);
		return 1;
	}
	if ((pid = fork()) < 0) {
		*why = g_strdup_printf("fork: %s", g_strerror(errno));
		close(fds[0]);
		close(fds[1]);
		g_string_free(said, TRUE);
		return 1;
	}
	if (pid == 0) {
		struct mugai_quarantine *q;
		g_autofree char *msg = NULL;
		enum mugai_err err;
		int rc = 1;

		(void)dup2(fds[1], STDERR_FILENO);
		if (mugai_qdir_become_owner(top, &msg) != MUGAI_OK)
			fprintf(stderr, "quarantine %s: cannot become its "
			    "owner: %s\n", dir, msg);
		else if ((q = mugai_quarantine_open_fd(top, dir,
		    cf->cf_quarantine_group, &err)) == NULL) {
			fprintf(stderr, "quarantine %s: %s\n", dir,
			    mugai_err_str(err));
			if (err == MUGAI_E_PERM)
				mugai_cli_explain_store("mugai sanitize", top,
				    dir);
		} else if ((rc = keep_in(q, dir, id, message, env, report,
		    actor, &msg)) != 0)
			fprintf(stderr, "%s\n", msg);
		fflush(stderr);
		_exit(rc);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof buf)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			g_string_append_len(said, buf, n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* The child read a descriptor it shares with us: from the start. */
	(void)g_mime_stream_reset(message);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		g_string_free(said, TRUE);
		return 0;
	}
	while (said->len > 0 && said->str[said->len - 1] == '\n')
		g_string_truncate(said, said->len - 1);
	if (said->len == 0)
		g_string_assign(said, "quarantine: the owner's process failed");
	*why = g_string_free(said, FALSE);
	return 1;
}

int
mugai_cli_quarantine_keep(const struct mugai_config *cf, const char *dir,
    const char *id, GMimeStream *message, const struct mugai_envelope *env,
    const struct mugai_report *report, char **why)
{
	g_autofree char *actor = mugai_cli_actor();
	struct mugai_quarantine *q;
	enum mugai_err err;
	struct stat st;
	int top, rc;

	if (geteuid() == 0 && (top = mugai_qdir_open_top(dir, &st)) >= 0) {
		rc = st.st_uid != 0 ? keep_as_owner(cf, top, dir, id, message,
		    env, report, actor, why) : -1;
		close(top);
		if (rc >= 0)
			return rc;
	}
	/* Ours (or a new store, made by us): no one to become. */
	if ((q = mugai_quarantine_open(dir, cf->cf_quarantine_group, &err)) ==
	    NULL) {
		*why = g_strdup_printf("quarantine %s: %s", dir,
		    mugai_err_str(err));
		return 1;
	}
	return keep_in(q, dir, id, message, env, report, actor, why);
}

/* ---- dispatch ---- */

static void
usage(FILE *f)
{
	fputs("usage: mugai quarantine [-c FILE] [--dir DIR] COMMAND ...\n"
	    "\n"
	    "  list [--since DATE] [--until DATE] [--from TEXT] [--rcpt TEXT]\n"
	    "       [--subject TEXT] [--message-id ID] [--sha256 HEX]\n"
	    "       [--verdict V] [--rule R] [--node N] [--limit N] [--walk]\n"
	    "       [--json]                        list items (DATE: "
	    "YYYY-MM-DD)\n"
	    "  show ID [--json]                     an item's metadata\n"
	    "  extract ID [--part N] [-o FILE]      the original or one part\n"
	    "  release ID [--to ADDR]...            re-inject the original\n"
	    "  open ID --part N [-o FILE]           open a password-protected "
	    "archive\n"
	    "                                       (password on standard "
	    "input)\n"
	    "  purge [--older-than DAYS]            remove old items\n"
	    "  reindex [--follow] [--journal]       rebuild the index\n"
	    "\n"
	    "Exit status: 0 done, 1 failed or not found, 2 usage, config or "
	    "invalid ID.\n", f);
}

int
mugai_cli_quarantine(int argc, char **argv)
{
	struct mugai_cli_qopts qo = { NULL, NULL };
	const char *sub;
	int i = 1, rc;

	/* -c FILE / --dir DIR may come before the subcommand name. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
		    strcmp(a, "--dir") == 0) && i + 1 < argc) {
			char **slot = strcmp(a, "--dir") == 0 ? &qo.qo_dir :
			    &qo.qo_config;

			g_free(*slot);
			*slot = g_strdup(argv[i + 1]);
			i += 2;
		} else if (g_str_has_prefix(a, "--config=") ||
		    g_str_has_prefix(a, "--dir=")) {
			char **slot = a[2] == 'd' ? &qo.qo_dir : &qo.qo_config;

			g_free(*slot);
			*slot = g_strdup(strchr(a, '=') + 1);
			i++;
		} else {
			fprintf(stderr, "mugai quarantine: unknown option "
			    "\"%s\"\n", a);
			usage(stderr);
			rc = 2;
			goto out;
		}
	}
	if (i >= argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	sub = argv[i];
	g_mime_init();
	if (strcmp(sub, "list") == 0)
		rc = mugai_cli_quarantine_list(&qo, argc - i, argv + i);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_show(&qo, argc - i, argv + i);
	else if (strcmp(sub, "extract") == 0)
		rc = cmd_extract(&qo, argc - i, argv + i);
	else if (strcmp(sub, "release") == 0)
		rc = mugai_cli_quarantine_release(&qo, argc - i, argv + i);
	else if (strcmp(sub, "open") == 0)
		rc = mugai_cli_quarantine_open(&qo, argc - i, argv + i);
	else if (strcmp(sub, "purge") == 0)
		rc = cmd_purge(&qo, argc - i, argv + i);
	else if (strcmp(sub, "reindex") == 0)
		rc = mugai_cli_quarantine_reindex(&qo, argc - i, argv + i);
	else {
		fprintf(stderr, "mugai quarantine: unknown command \"%s\"\n",
		    sub);
		usage(stderr);
		rc = 2;
	}
out:
	g_free(qo.qo_config);
	g_free(qo.qo_dir);
	return rc;
}
