/*
 * mugai quarantine - show, extract, release and purge quarantined items
 *
 * The store comes from the config's [quarantine] dir or --dir. Every ID
 * from the command line passes mugai_quarantine_id_valid() before a path
 * is built from it; an invalid one is refused (exit 2). extract, release
 * and purge open the store for writing because each of them appends to
 * audit.log: without an audit line there is no extraction or release.
 * Text from mail is printed with control, line break and bidi control
 * characters escaped (mugai_cli_put_text, lib/text/oneline.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "base/digest.h"
#include "store/quarantine.h"
#include "store/release.h"
#include "text/oneline.h"
#include "cli/quarantine-cli.h"

#define DEFAULT_CONF MUGAI_SYSCONFDIR "/mugai.conf"

struct mugai_config *
mugai_cli_load_config(const char *path, char **why)
{
	GError *err = NULL;
	struct mugai_config *cf;

	if (path == NULL) {
		if (!g_file_test(DEFAULT_CONF, G_FILE_TEST_EXISTS))
			return mugai_config_new_default();
		path = DEFAULT_CONF;
	}
	if ((cf = mugai_config_load(path, &err)) == NULL) {
		if (why != NULL)
			*why = g_strdup(err->message);
		else
			fprintf(stderr, "mugai: %s\n", err->message);
		g_error_free(err);
	}
	return cf;
}

void
mugai_cli_put_text(FILE *f, const char *s, int width)
{
	/* One mechanism with the notice: escapes, never the raw character. */
	g_autofree char *line = mugai_oneline(s, -1, 0);
	int used = 0;

	for (const char *p = line; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		int w = g_unichar_iswide(c) ? 2 : 1;
		const char *next = g_utf8_next_char(p);

		/* Keep room for ".." unless this is the last character. */
		if (width > 0 && used + w + (*next != '\0' ? 2 : 0) > width) {
			fputs("..", f);
			used += 2;
			break;
		}
		fwrite(p, 1, (size_t)(next - p), f);
		used += w;
	}
	for (; width > 0 && used < width; used++)
		fputc(' ', f);
}

/* Returns (transfer full) who runs us, for the audit log. */
static char *
actor_name(void)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	const char *sudo = g_getenv("SUDO_USER");
	const char *name = "unknown";

	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL)
		name = pw.pw_name;
	if (getuid() == 0 && sudo != NULL && *sudo != '\0')
		return g_strdup_printf("%s (sudo by %s)", name, sudo);
	return g_strdup(name);
}

/* Refuses an ID that is not one of ours, saying why. */
static gboolean
check_id(const char *cmd, const char *id)
{
	if (mugai_quarantine_id_valid(id))
		return TRUE;
	fprintf(stderr, "mugai quarantine %s: invalid ID \"", cmd);
	mugai_cli_put_text(stderr, id, strlen(id) > 60 ? 60 : 0);
	fprintf(stderr, "\": an ID is %d characters like "
	    "20250102-030405-123456-0a1b2c3d-0123456789abcdef\n",
	    MUGAI_QUARANTINE_ID_LEN);
	return FALSE;
}

static struct mugai_quarantine *
open_store(const char *cmd, const char *dir, const struct mugai_config *cf)
{
	enum mugai_err err;
	struct mugai_quarantine *q;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "mugai quarantine %s: no quarantine directory "
		    "%s\n", cmd, dir);
		return NULL;
	}
	if ((q = mugai_quarantine_open(dir, cf->cf_quarantine_group, &err)) ==
	    NULL)
		fprintf(stderr, "mugai quarantine %s: cannot open %s for its "
		    "audit log: %s\n", cmd, dir, mugai_err_str(err));
	return q;
}

gboolean
mugai_cli_qparse(const char *cmd, const char *params, GOptionEntry *own,
    struct mugai_cli_qopts *qo, int *argc, char ***argv)
{
	GOptionEntry common[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &qo->qo_config,
		  "configuration file", "FILE" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &qo->qo_dir,
		  "quarantine directory (default: from the config)", "DIR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	char *old_config = qo->qo_config, *old_dir = qo->qo_dir;
	GError *err = NULL;

	if (own != NULL)
		g_option_context_add_main_entries(ctx, own, NULL);
	g_option_context_add_main_entries(ctx, common, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "mugai quarantine %s: %s\n", cmd, err->message);
		g_error_free(err);
		return FALSE;
	}
	/* GOption replaces, it does not free, what was there. */
	if (qo->qo_config != old_config)
		g_free(old_config);
	if (qo->qo_dir != old_dir)
		g_free(old_dir);
	return TRUE;
}

struct mugai_config *
mugai_cli_qresolve(const struct mugai_cli_qopts *qo, const char **dir)
{
	struct mugai_config *cf = mugai_cli_load_config(qo->qo_config,
	    NULL);

	if (cf == NULL)
		return NULL;
	*dir = qo->qo_dir != NULL ? qo->qo_dir : cf->cf_quarantine_dir;
	if (*dir == NULL || **dir == '\0') {
		fprintf(stderr, "mugai quarantine: no quarantine directory "
		    "configured; use --dir DIR\n");
		mugai_config_unref(cf);
		return NULL;
	}
	return cf;
}

/* Exactly one positional ID in argv[1]; prints the complaint if not. */
static const char *
one_id(const char *cmd, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "mugai quarantine %s: %s\n", cmd, argc < 2 ?
		    "an ID is required" : "one ID only");
		return NULL;
	}
	return argv[1];
}

/* ---- show ---- */

const char *
mugai_cli_jstr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

JsonObject *
mugai_cli_jobj(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	return json_node_get_object(n);
}

JsonArray *
mugai_cli_jarr(JsonObject *o, const char *name)
{
	JsonNode *n;

	if (o == NULL || (n = json_object_get_member(o, name)) == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(n))
		return NULL;
	return json_node_get_array(n);
}

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
	JsonObject *meta;
	const char *id, *dir;

	if (!mugai_cli_qparse("show", "ID - show an item's metadata", own, qo,
	    &argc, &argv) || (id = one_id("show", argc, argv)) == NULL)
		return 2;
	if (!check_id("show", id) || (cf = mugai_cli_qresolve(qo, &dir)) ==
	    NULL)
		return 2;
	meta = mugai_quarantine_read_meta(dir, id, &err);
	mugai_config_unref(cf);
	if (meta == NULL) {
		fprintf(stderr, "mugai quarantine show: %s: %s\n", id,
		    err == MUGAI_E_NOTFOUND ? "no such item" :
		    mugai_err_str(err));
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
	}
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

/* Deeper than this is not a message anyone audits by part number. */
#define PART_DEPTH_MAX 64

/*
 * Finds the object at want, numbered as the engine's report numbers parts
 * (lib/mime/walk.c): the message body is "1", the children of a multipart at P
 * are P.1, P.2 ..., the body of a message/rfc822 at P is P.1. Every path
 * seen is added to seen, for the error message.
 */
static GMimeObject *
find_part(GMimeObject *obj, const char *path, const char *want,
    guint depth, GString *seen)
{
	GMimeObject *found = NULL;

	if (obj == NULL || depth > PART_DEPTH_MAX)
		return NULL;
	g_string_append_printf(seen, " %s", path);
	if (strcmp(path, want) == 0)
		return obj;
	/* Only descend where want continues this path. */
	if (!g_str_has_prefix(want, path) || want[strlen(path)] != '.')
		return NULL;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; found == NULL &&
		    i < g_mime_multipart_get_count(mp); i++) {
			g_autofree char *sub = g_strdup_printf("%s.%d", path,
			    i + 1);

			found = find_part(g_mime_multipart_get_part(mp, i),
			    sub, want, depth + 1, seen);
		}
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		g_autofree char *sub = g_strdup_printf("%s.1", path);

		if (m != NULL)
			found = find_part(m->mime_part, sub, want, depth + 1,
			    seen);
	}
	return found;
}

/*
 * Writes the decoded content of the part at want (the path `show`
 * prints) of the message in file to out; a message/rfc822 part is written
 * as the message it holds.
 */
static enum mugai_err
extract_part(const char *file, const char *want, GMimeStream *out,
    GString *why)
{
	GMimeStream *in;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeObject *o;
	GString *seen = g_string_new(NULL);
	enum mugai_err err = MUGAI_E_NOTFOUND;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		g_string_assign(why, g_strerror(errno));
		g_string_free(seen, TRUE);
		return mugai_err_from_errno(errno);
	}
	in = g_mime_stream_fs_new(fd);
	parser = g_mime_parser_new_with_stream(in);
	if ((msg = g_mime_parser_construct_message(parser, NULL)) == NULL) {
		g_string_assign(why, "the original cannot be parsed as MIME");
		err = MUGAI_E_PARSE;
		goto out;
	}
	o = find_part(msg->mime_part, "1", want, 0, seen);
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

static enum mugai_err
copy_file(const char *file, GMimeStream *out, GString *why)
{
	GMimeStream *in;
	enum mugai_err err = MUGAI_OK;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		g_string_assign(why, g_strerror(errno));
		return mugai_err_from_errno(errno);
	}
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
	g_autofree char *item = NULL, *file = NULL, *actor = actor_name();
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	GMimeStream *out = NULL;
	GString *why = g_string_new(NULL);
	JsonObject *extra;
	enum mugai_err err, aerr;
	const char *id, *dir;
	int rc = 1;

	if (!mugai_cli_qparse("extract", "ID - write the original or a part",
	    own, qo, &argc, &argv) || (id = one_id("extract", argc, argv)) ==
	    NULL || !check_id("extract", id) ||
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
	item = mugai_quarantine_item_path(dir, id);
	file = g_build_filename(item, "original.eml", NULL);
	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
		fprintf(stderr, "mugai quarantine extract: %s: no such item\n",
		    id);
		goto out;
	}
	if ((q = open_store("extract", dir, cf)) == NULL ||
	    (out = open_output("extract", output)) == NULL)
		goto out;
	err = part != NULL ? extract_part(file, part, out, why) :
	    copy_file(file, out, why);
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
	if (rc != 0 && output != NULL && strcmp(output, "-") != 0)
		unlink(output);
out:
	g_clear_object(&out);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	g_string_free(why, TRUE);
	return rc;
}

/* ---- release ---- */

/* Takes "<a@b>" or "a@b"; refuses what a submit command could misread. */
static char *
clean_rcpt(const char *s)
{
	gsize n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0 || s[0] == '-' || memchr(s, '@', n) == NULL)
		return NULL;
	for (gsize i = 0; i < n; i++)
		if ((guchar)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' ||
		    s[i] == '>')
			return NULL;
	return g_strndup(s, n);
}

/* Runs argv with the header then the file on its stdin; returns status. */
static gboolean
submit(char **argv, const char *header, const char *file, GString *why)
{
	GError *gerr = NULL;
	GPid pid;
	int in_fd, fd, status;
	char buf[65536];
	gboolean ok = TRUE;
	ssize_t n;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		g_string_assign(why, g_strerror(errno));
		return FALSE;
	}
	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &in_fd, NULL, NULL,
	    &gerr)) {
		g_string_assign(why, gerr->message);
		g_error_free(gerr);
		close(fd);
		return FALSE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (write(in_fd, header, strlen(header)) != (ssize_t)strlen(header))
		ok = FALSE;
	while (ok && (n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; ok && off < n;) {
			ssize_t w = write(in_fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				ok = FALSE;
			else
				off += w;
		}
	}
	close(in_fd);
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_string_printf(why, "%s %s %d", argv[0], WIFEXITED(status) ?
		    "exited with status" : "killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return FALSE;
	}
	if (!ok) {
		g_string_printf(why, "%s did not read the whole message",
		    argv[0]);
		return FALSE;
	}
	return TRUE;
}

/* The line ending the original uses, so the added header matches it. */
static const char *
line_end(const char *file)
{
	char buf[4096];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	const char *nl, *eol = "\n";

	if (fd < 0)
		return eol;
	if ((n = read(fd, buf, sizeof buf)) > 0 &&
	    (nl = memchr(buf, '\n', (size_t)n)) != NULL && nl > buf &&
	    nl[-1] == '\r')
		eol = "\r\n";
	close(fd);
	return eol;
}

/* The stored original's SHA-256 must still be what meta.json says. */
static gboolean
original_intact(const char *file, const char *want, GString *why)
{
	GMimeStream *s;
	char hex[65];
	guint64 size;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		g_string_assign(why, g_strerror(errno));
		return FALSE;
	}
	s = g_mime_stream_fs_new(fd);
	if (mugai_digest_stream(s, hex, &size) != MUGAI_OK ||
	    want == NULL || strcmp(hex, want) != 0) {
		g_string_assign(why, "original.eml does not match the SHA-256 "
		    "in meta.json; not releasing");
		g_object_unref(s);
		return FALSE;
	}
	g_object_unref(s);
	return TRUE;
}

/* Recipients: --to, else the envelope's. NULL after saying why. */
static GPtrArray *
release_rcpts(char **to, JsonObject *meta)
{
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	JsonArray *env = mugai_cli_jarr(mugai_cli_jobj(meta, "envelope"), "recipients");
	guint n = to != NULL ? g_strv_length(to) :
	    env != NULL ? json_array_get_length(env) : 0;

	for (guint i = 0; i < n; i++) {
		const char *raw = to != NULL ? to[i] :
		    json_array_get_string_element(env, i);
		char *r = clean_rcpt(raw);

		if (r == NULL) {
			fputs("mugai quarantine release: refusing recipient \"",
			    stderr);
			mugai_cli_put_text(stderr, raw, 0);
			fputs("\"\n", stderr);
			g_ptr_array_free(rcpts, TRUE);
			return NULL;
		}
		g_ptr_array_add(rcpts, r);
	}
	if (rcpts->len == 0) {
		fputs("mugai quarantine release: no recipients; use --to\n",
		    stderr);
		g_ptr_array_free(rcpts, TRUE);
		return NULL;
	}
	return rcpts;
}

/* Does the release once the item, recipients and key are known. */
static int
do_release(struct mugai_quarantine *q, const struct mugai_config *cf,
    const char *id, const char *file, const char *sha, GPtrArray *rcpts,
    GBytes *key, const char *actor)
{
	g_autofree char *token = NULL, *header = NULL;
	g_auto(GStrv) cmd = NULL;
	GPtrArray *argv = g_ptr_array_new();
	GString *why = g_string_new(NULL);
	JsonObject *extra = json_object_new();
	JsonArray *to = json_array_new();
	GError *gerr = NULL;
	gboolean ok = FALSE;
	enum mugai_err aerr;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	int argc;

	for (guint i = 0; i < rcpts->len; i++)
		json_array_add_string_element(to, g_ptr_array_index(rcpts, i));
	json_object_set_array_member(extra, "to", to);
	json_object_set_int_member(extra, "t", now);
	token = mugai_release_token(key, id, now, sha);
	header = g_strdup_printf("%s: %s%s", MUGAI_RELEASE_HEADER, token,
	    line_end(file));
	if (!g_shell_parse_argv(cf->cf_submit_command, &argc, &cmd, &gerr)) {
		g_string_printf(why, "submit_command: %s", gerr->message);
		g_error_free(gerr);
	} else {
		for (int i = 0; i < argc; i++)
			g_ptr_array_add(argv, cmd[i]);
		for (guint i = 0; i < rcpts->len; i++)
			g_ptr_array_add(argv, g_ptr_array_index(rcpts, i));
		g_ptr_array_add(argv, NULL);
		ok = submit((char **)argv->pdata, header, file, why);
	}
	json_object_set_string_member(extra, "command",
	    cf->cf_submit_command);
	if (!ok)
		json_object_set_string_member(extra, "error", why->str);
	aerr = mugai_quarantine_audit(q, "released", id, actor,
	    ok ? "ok" : "failed", extra);
	if (!ok)
		fprintf(stderr, "mugai quarantine release: %s: %s\n", id,
		    why->str);
	else if (aerr != MUGAI_OK)
		fprintf(stderr, "mugai quarantine release: released, but "
		    "audit.log failed: %s\n", mugai_err_str(aerr));
	else
		printf("released %s to %u recipient(s)\n", id, rcpts->len);
	json_object_unref(extra);
	g_ptr_array_free(argv, TRUE);
	g_string_free(why, TRUE);
	return ok && aerr == MUGAI_OK ? 0 : 1;
}

static int
cmd_release(struct mugai_cli_qopts *qo, int argc, char **argv)
{
	g_auto(GStrv) to = NULL;
	GOptionEntry own[] = {
		{ "to", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to,
		  "deliver to ADDR instead of the original recipients "
		  "(repeatable)", "ADDR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autofree char *item = NULL, *file = NULL, *actor = actor_name();
	g_autoptr(GBytes) key = NULL;
	struct mugai_quarantine *q = NULL;
	struct mugai_config *cf;
	JsonObject *meta = NULL;
	GPtrArray *rcpts = NULL;
	GString *why = g_string_new(NULL);
	const char *id, *dir, *sha;
	enum mugai_err err;
	struct stat st;
	int rc = 1;

	if (!mugai_cli_qparse("release", "ID - re-inject the original", own,
	    qo, &argc, &argv) || (id = one_id("release", argc, argv)) ==
	    NULL || !check_id("release", id) ||
	    (cf = mugai_cli_qresolve(qo, &dir)) == NULL) {
		g_string_free(why, TRUE);
		return 2;
	}
	if ((meta = mugai_quarantine_read_meta(dir, id, &err)) == NULL) {
		fprintf(stderr, "mugai quarantine release: %s: %s\n", id,
		    err == MUGAI_E_NOTFOUND ? "no such item" :
		    mugai_err_str(err));
		goto out;
	}
	item = mugai_quarantine_item_path(dir, id);
	file = g_build_filename(item, "original.eml", NULL);
	sha = mugai_cli_jstr(mugai_cli_jobj(meta, "original"), "sha256");
	if (!original_intact(file, sha, why)) {
		fprintf(stderr, "mugai quarantine release: %s: %s\n", id,
		    why->str);
		goto out;
	}
	if ((rcpts = release_rcpts(to, meta)) == NULL) {
		rc = 2;
		goto out;
	}
	/* A key made by root belongs to the store's owner: the milter. */
	key = mugai_release_key_load(cf->cf_release_secret, TRUE,
	    geteuid() == 0 && stat(dir, &st) == 0 ? st.st_uid : (uid_t)-1,
	    &err);
	if (key == NULL) {
		fprintf(stderr, "mugai quarantine release: release_secret %s: "
		    "%s%s\n", cf->cf_release_secret, mugai_err_str(err),
		    err == MUGAI_E_PERM ? " (it must be a regular file of "
		    "mode 0600)" : "");
		rc = 2;
		goto out;
	}
	if ((q = open_store("release", dir, cf)) == NULL)
		goto out;
	rc = do_release(q, cf, id, file, sha, rcpts, key, actor);
out:
	if (rcpts != NULL)
		g_ptr_array_free(rcpts, TRUE);
	if (meta != NULL)
		json_object_unref(meta);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	g_string_free(why, TRUE);
	return rc;
}

/* ---- purge ---- */

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
	g_autofree char *actor = actor_name();
	struct mugai_quarantine *q;
	struct mugai_config *cf;
	enum mugai_err err;
	const char *dir;
	guint n = 0;

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
	if ((q = open_store("purge", dir, cf)) == NULL) {
		mugai_config_unref(cf);
		return 1;
	}
	err = mugai_quarantine_purge(q, days, g_get_real_time(), actor, &n);
	printf("purged %u item(s) older than %" G_GINT64_FORMAT " days\n", n,
	    days);
	if (err != MUGAI_OK)
		fprintf(stderr, "mugai quarantine purge: %s\n",
		    mugai_err_str(err));
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	return err == MUGAI_OK ? 0 : 1;
}

/* ---- mugai sanitize --quarantine ---- */

int
mugai_cli_quarantine_keep(const struct mugai_config *cf, const char *dir,
    const char *id, GMimeStream *message, const struct mugai_envelope *env,
    const struct mugai_report *report, char **why)
{
	g_autofree char *actor = actor_name();
	struct mugai_quarantine *q;
	enum mugai_err err;

	if ((q = mugai_quarantine_open(dir, cf->cf_quarantine_group, &err)) ==
	    NULL) {
		*why = g_strdup_printf("quarantine %s: %s", dir,
		    mugai_err_str(err));
		return 1;
	}
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

/* ---- dispatch ---- */

static void
usage(FILE *f)
{
	fputs("usage: mugai quarantine [-c FILE] [--dir DIR] COMMAND ...\n"
	    "\n"
	    "  list [--since DATE] [--until DATE] [--from TEXT] [--rcpt TEXT]\n"
	    "       [--subject TEXT] [--json]       list items (DATE: "
	    "YYYY-MM-DD)\n"
	    "  show ID [--json]                     an item's metadata\n"
	    "  extract ID [--part N] [-o FILE]      the original or one part\n"
	    "  release ID [--to ADDR]...            re-inject the original\n"
	    "  purge [--older-than DAYS]            remove old items\n"
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
		rc = cmd_release(&qo, argc - i, argv + i);
	else if (strcmp(sub, "purge") == 0)
		rc = cmd_purge(&qo, argc - i, argv + i);
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
