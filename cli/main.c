/*
 * mugai - the administrator's command: sanitize, check-config, quarantine
 *
 * Each subcommand is a function taking (argc, argv) after the subcommand
 * name. Exit status: 0 success, 1 the message was withheld (sanitize) or the
 * operation failed, 2 usage or configuration error, 3 (sanitize
 * --engine=stream) the streaming engine declined the message. With
 * `sanitize --json` standard error is one JSON document, remarks inside.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "base/io.h"
#include "base/limits.h"
#include "cli/common.h"
#include "cli/quarantine-cli.h"
#include "cli/sanitize-run.h"
#include "core/config.h"
#include "store/quarantine.h"
#include "core/sanitize.h"
#include "core/xbody.h"
#include "extract/client.h"

static int
cmd_check_config(int argc, char **argv)
{
	/* GOption fills FILENAME arguments with strings we own. */
	g_autofree char *path = NULL;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &path,
		  "configuration file", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print nothing when the file is valid", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "[FILE] - validate the configuration and print the effective "
	    "values");
	GError *err = NULL;
	struct mugai_config *cf;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "mugai check-config: %s\n", err->message);
		g_error_free(err);
		return 2;
	}
	/* The file may also be named without -c (`mugai check-config FILE`);
	 * anything else left over is a usage error, not a silent success. */
	if (argc == 2 && path == NULL)
		path = g_strdup(argv[1]);
	else if (argc > 1) {
		fprintf(stderr, "mugai check-config: unexpected argument "
		    "\"%s\" (one FILE, or -c FILE)\n", argv[argc > 2 ? 2 : 1]);
		return 2;
	}
	if ((cf = mugai_cli_load_config(path, NULL)) == NULL)
		return 2;
	if (!quiet) {
		g_autofree char *dump = mugai_config_dump(cf);

		fputs(dump, stdout);
	}
	mugai_config_unref(cf);
	return 0;
}

/*
 * Returns the descriptor of a new unlinked file for stdin's spill, in the
 * milter's spool_dir when this user may write there, else in $TMPDIR; -1
 * with errno.
 */
static int
spill_file(const struct mugai_config *cf)
{
	const char *dirs[] = { cf->cf_spool_dir, g_get_tmp_dir() };
	int fd = -1;

	for (guint i = 0; fd < 0 && i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = NULL;

		if (dirs[i] == NULL || *dirs[i] == '\0')
			continue;
		path = g_build_filename(dirs[i], "mugai-stdin-XXXXXX", NULL);
		if ((fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600)) >= 0)
			(void)unlink(path);	/* dies with the descriptor */
	}
	return fd;
}

/*
 * Stdin read whole into a seekable stream: a regular file (`< FILE`) is
 * used where it is; a pipe is kept in memory up to spool_mem_max (as the
 * milter's spool), then in an unlinked file, so that a 200 MB message
 * costs what the engine needs, not its size in RSS.
 */
static GMimeStream *
read_stdin(const struct mugai_config *cf, struct mugai_cli_say *sy)
{
	GByteArray *mem = g_byte_array_new();
	guint64 mem_max = cf->cf_spool_mem_max > 0 ?
	    (guint64)cf->cf_spool_mem_max : 0;
	guint8 buf[MUGAI_IO_CHUNK];
	struct stat st;
	int fd = -1;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		int in = dup(STDIN_FILENO);

		g_byte_array_unref(mem);
		if (in < 0) {
			mugai_cli_say_error(sy, "cannot read stdin: %s",
			    g_strerror(errno));
			return NULL;
		}
		return g_mime_stream_fs_new(in);
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mugai_cli_say_error(sy, "cannot read stdin: %s",
			    g_strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (fd < 0 && mem->len + (guint64)n <= mem_max) {
			g_byte_array_append(mem, buf, (guint)n);
			continue;
		}
		if (fd < 0) {
			if ((fd = spill_file(cf)) < 0 ||
			    !mugai_write_all(fd, mem->data, mem->len)) {
				mugai_cli_say_error(sy, "cannot keep stdin in "
				    "a temporary file: %s", g_strerror(errno));
				goto fail;
			}
			g_byte_array_set_size(mem, 0);
		}
		if (!mugai_write_all(fd, buf, (gsize)n)) {
			mugai_cli_say_error(sy, "cannot keep stdin in a "
			    "temporary file: %s", g_strerror(errno));
			goto fail;
		}
	}
	if (fd < 0)	/* the stream owns mem */
		return g_mime_stream_mem_new_with_byte_array(mem);
	g_byte_array_unref(mem);
	if (lseek(fd, 0, SEEK_SET) < 0) {
		mugai_cli_say_error(sy, "cannot read stdin: %s",
		    g_strerror(errno));
		close(fd);
		return NULL;
	}
	return g_mime_stream_fs_new(fd);
fail:
	if (fd >= 0)
		close(fd);
	g_byte_array_unref(mem);
	return NULL;
}

/*
 * Returns (transfer full) a seekable stream over path, or over stdin
 * (read_stdin()); NULL said to sy.
 */
static GMimeStream *
open_input(const struct mugai_config *cf, struct mugai_cli_say *sy,
    const char *path)
{
	GError *err = NULL;
	GMimeStream *s;

	if (path == NULL || strcmp(path, "-") == 0)
		return read_stdin(cf, sy);
	if ((s = g_mime_stream_fs_open(path, O_RDONLY, 0, &err)) == NULL) {
		mugai_cli_say_error(sy, "%s: %s", path, err->message);
		g_error_free(err);
	}
	return s;
}

static int
cmd_sanitize(int argc, char **argv)
{
	/* GOption fills FILENAME arguments with strings we own. */
	g_autofree char *path = NULL, *qdir = NULL;
	g_autofree char *engine = NULL;
	gboolean show = FALSE, json = FALSE;
	gint chunk = 0;
	struct mugai_sanitize_opts so = { 0 };
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &path,
		  "configuration file", "FILE" },
		{ "quarantine", 0, 0, G_OPTION_ARG_FILENAME, &qdir,
		  "keep the original in the store DIR (per keep_original)",
		  "DIR" },
		{ "explain", 0, 0, G_OPTION_ARG_NONE, &show,
		  "print the report to stderr", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  "print the report as JSON", NULL },
		{ "engine", 0, 0, G_OPTION_ARG_STRING, &engine,
		  "auto (stream, else GMime), stream (exit 3 when it declines) "
		  "or gmime", "ENGINE" },
		{ "chunk", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &chunk,
		  "bytes fed to the streaming scanner at once (tests)", "N" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "[IN [OUT]] - sanitize one message");
	GError *gerr = NULL;
	struct mugai_config *cf = NULL;
	struct mugai_result *rs = NULL;
	GMimeStream *in = NULL;
	struct mugai_envelope env = { 0 };
	g_autofree char *qid = NULL;
	g_autofree char *why = NULL;
	g_autofree char *doc = NULL;
	struct mugai_cli_say sy;
	int status = 2;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "mugai sanitize: %s\n", gerr->message);
		g_clear_error(&gerr);
		return 2;
	}
	mugai_cli_say_init(&sy, json, show);
	if (argc > 3) {
		mugai_cli_say_error(&sy, "too many arguments");
		goto out;
	}
	if (engine == NULL || strcmp(engine, "auto") == 0)
		so.so_engine = MUGAI_ENGINE_AUTO;
	else if (strcmp(engine, "stream") == 0)
		so.so_engine = MUGAI_ENGINE_STREAM;
	else if (strcmp(engine, "gmime") == 0)
		so.so_engine = MUGAI_ENGINE_GMIME;
	else {
		mugai_cli_say_error(&sy, "--engine: auto, stream or gmime");
		goto out;
	}
	so.so_chunk = chunk > 0 ? (gsize)chunk : 0;
	if ((cf = mugai_cli_load_config(path, json ? &why : NULL)) == NULL) {
		if (why != NULL)
			mugai_cli_say_error(&sy, "%s", why);
		goto out;
	}
	mugai_sanitize_init();
	/* The helpers start with the first document, if there is one. */
	signal(SIGPIPE, SIG_IGN);
	(void)mugai_xbody_start(cf, TRUE, NULL);
	status = 1;
	if ((in = open_input(cf, &sy, argc > 1 ? argv[1] : NULL)) == NULL)
		goto out;
	if (qdir != NULL)
		env.ev_quarantine_id = qid = mugai_qid_new();
	if ((status = mugai_cli_sanitize_run(cf, in, &env, &so, &sy,
	    &rs)) >= 0)
		goto out;
	status = 1;
	/* Kept before any output, as the milter does: no original, no mail. */
	if (qdir != NULL && rs->rs_keep_original &&
	    mugai_cli_quarantine_keep(cf, qdir, qid, in, &env,
	    rs->rs_report, &why) != 0) {
		mugai_cli_say_error(&sy, "%s", why);
		goto out;
	}
	status = mugai_cli_sanitize_write(rs, in, argc > 2 ? argv[2] : NULL,
	    NULL, &sy, NULL);
out:
	if ((doc = mugai_cli_say_json(&sy, rs)) != NULL)
		fprintf(stderr, "%s\n", doc);
	mugai_cli_say_clear(&sy);
	g_clear_object(&in);
	mugai_result_free(rs);
	mugai_xbody_stop();
	mugai_config_unref(cf);
	return status;
}

/*
 * mugai extract FILE: the text of one document as the milter would put it
 * in a message, through the same sandboxed helper and [extract] limits.
 * Exit 0 with the text (ok, truncated: a remark on stderr says so), 1 when
 * there is none (the status and why on stderr), 2 usage or configuration.
 */
static int
cmd_extract(int argc, char **argv)
{
	g_autofree char *path = NULL, *type = NULL;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &path,
		  "configuration file", "FILE" },
		{ "type", 't', 0, G_OPTION_ARG_STRING, &type,
		  "type hint (pdf, docx, ...; default: from the name)", "T" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "FILE - print the text of one document");
	struct mugai_extract_result res = { 0 };
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p = NULL;
	struct mugai_config *cf = NULL;
	g_autofree char *data = NULL;
	enum mugai_err err = MUGAI_OK;
	const char *hint;
	GError *gerr = NULL;
	gsize len = 0;
	int status = 2;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "mugai extract: %s\n", gerr->message);
		g_clear_error(&gerr);
		return 2;
	}
	if (argc != 2) {
		fprintf(stderr, "mugai extract: one FILE\n");
		return 2;
	}
	if (type != NULL && !mugai_extract_hint_known(type)) {
		fprintf(stderr, "mugai extract: unknown type \"%s\"\n", type);
		return 2;
	}
	if ((cf = mugai_cli_load_config(path, NULL)) == NULL)
		return 2;
	status = 1;
	if (!g_file_get_contents(argv[1], &data, &len, &gerr)) {
		fprintf(stderr, "mugai extract: %s\n", gerr->message);
		g_clear_error(&gerr);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	mugai_xbody_opts(cf, &o);
	o.eo_pool_size = 1;
	if ((p = mugai_extract_pool_new(&o, &err)) == NULL) {
		fprintf(stderr, "mugai extract: cannot start %s: %s\n",
		    o.eo_helper != NULL ? o.eo_helper : "mugai-extract",
		    mugai_err_str(err));
		status = 2;
		goto out;
	}
	hint = type != NULL ? type : mugai_extract_hint(NULL, argv[1]);
	/* The client sends at most max_bytes, as the milter keeps. */
	mugai_extract_run(p, data, len, hint, 0, &res);
	if (res.er_text != NULL) {
		fwrite(res.er_text, 1, res.er_len, stdout);
		if (res.er_len > 0 && res.er_text[res.er_len - 1] != '\n')
			fputc('\n', stdout);
		status = fflush(stdout) == 0 ? 0 : 1;
	}
	if (res.er_status != MUGAI_EXTRACT_OK)
		fprintf(stderr, "mugai extract: %s: %s (kind %s, reason %s)\n",
		    argv[1], mugai_extract_status_name(res.er_status),
		    res.er_kind, res.er_reason);
	mugai_extract_result_clear(&res);
out:
	mugai_extract_pool_free(p);
	mugai_config_unref(cf);
	return status;
}

static void
usage(FILE *f)
{
	fputs("usage: mugai COMMAND [OPTIONS]\n"
	    "\n"
	    "commands:\n"
	    "  sanitize      sanitize one message (stdin to stdout by default)\n"
	    "  extract       print the text of one document (PDF, Office, ...)\n"
	    "  check-config  validate the configuration, print effective values\n"
	    "  quarantine    list, show, extract, release, purge quarantined mail\n"
	    "\n"
	    "`mugai COMMAND --help` describes each command; see mugai(1).\n",
	    f);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "sanitize") == 0)
		return cmd_sanitize(argc - 1, argv + 1);
	if (strcmp(argv[1], "check-config") == 0)
		return cmd_check_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "extract") == 0)
		return cmd_extract(argc - 1, argv + 1);
	if (strcmp(argv[1], "quarantine") == 0)
		return mugai_cli_quarantine(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts(PACKAGE_STRING);
		return 0;
	}
	fprintf(stderr, "mugai: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
