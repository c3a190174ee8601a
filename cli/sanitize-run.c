/*
 * mugai CLI sanitize-run - the engine, the exit status, the output and
 * the remarks of `mugai sanitize` (cli/sanitize-run.h)
 *
 * Moved out of cli/main.c unchanged in behaviour so that the test driver
 * t/stream-diff-run calls the same code once per engine and chunk size
 * instead of starting the command five times per message.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cli/sanitize-run.h"
#include "base/err.h"
#include "base/report.h"

void
mugai_cli_say_init(struct mugai_cli_say *sy, gboolean json, gboolean explain)
{
	sy->sy_json = json;
	sy->sy_explain = explain;
	sy->sy_errors = json_array_new();
}

void
mugai_cli_say_clear(struct mugai_cli_say *sy)
{
	g_clear_pointer(&sy->sy_errors, json_array_unref);
}

void
mugai_cli_say_error(struct mugai_cli_say *sy, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (sy->sy_json)
		json_array_add_string_element(sy->sy_errors, msg);
	else
		fprintf(stderr, "mugai sanitize: %s\n", msg);
}

char *
mugai_cli_say_json(const struct mugai_cli_say *sy,
    const struct mugai_result *rs)
{
	JsonNode *node;
	JsonObject *o;
	char *s;

	if (!sy->sy_json)
		return NULL;
	if (rs != NULL)
		node = mugai_report_to_json(rs->rs_report);
	else {
		node = json_node_new(JSON_NODE_OBJECT);
		json_node_take_object(node, json_object_new());
	}
	o = json_node_get_object(node);
	if (rs != NULL && rs->rs_declined != NULL)
		json_object_set_string_member(o, "stream_declined",
		    rs->rs_declined);
	if (json_array_get_length(sy->sy_errors) > 0)
		json_object_set_array_member(o, "errors",
		    json_array_ref(sy->sy_errors));
	s = json_to_string(node, TRUE);
	json_node_unref(node);
	return s;
}

/* TRUE when the first line of in ends with CRLF. */
static gboolean
uses_crlf(GMimeStream *in)
{
	char buf[4096];
	gssize n = g_mime_stream_reset(in) < 0 ? -1 :
	    g_mime_stream_read(in, buf, sizeof buf);
	const char *nl = n > 0 ? memchr(buf, '\n', (gsize)n) : NULL;

	g_mime_stream_reset(in);
	return nl != NULL && nl > buf && nl[-1] == '\r';
}

/* The report with --explain at once; --json waits. */
static void
explain(const struct mugai_cli_say *sy, const struct mugai_result *rs)
{
	g_autofree char *s = NULL;

	if (sy->sy_json || !sy->sy_explain)
		return;
	if (rs->rs_declined != NULL)
		fprintf(stderr, "stream engine declined: %s\n",
		    rs->rs_declined);
	s = mugai_report_to_text(rs->rs_report);
	fputs(s, stderr);
}

int
mugai_cli_sanitize_run(const struct mugai_config *cf, GMimeStream *in,
    struct mugai_envelope *env, const struct mugai_sanitize_opts *so,
    struct mugai_cli_say *sy, struct mugai_result **rsp)
{
	enum mugai_err err = MUGAI_OK;
	struct mugai_result *rs;

	*rsp = NULL;
	if ((rs = mugai_sanitize_with(cf, in, env, so, &err)) == NULL) {
		mugai_cli_say_error(sy, "%s", mugai_err_str(err));
		return 1;
	}
	*rsp = rs;
	if (so->so_engine == MUGAI_ENGINE_STREAM && rs->rs_declined != NULL) {
		if (!sy->sy_json)
			mugai_cli_say_error(sy, "stream engine declined: %s",
			    rs->rs_declined);
		return 3;
	}
	explain(sy, rs);
	return -1;
}

int
mugai_cli_sanitize_write(const struct mugai_result *rs, GMimeStream *in,
    const char *path, GMimeStream *mem, struct mugai_cli_say *sy,
    gboolean *wrote)
{
	GError *gerr = NULL;
	GMimeStream *out;
	int status = 1;

	if (wrote != NULL)
		*wrote = FALSE;
	if (rs->rs_verdict == MUGAI_V_REJECT ||
	    rs->rs_verdict == MUGAI_V_TEMPFAIL) {
		mugai_cli_say_error(sy, "%s: %s",
		    mugai_verdict_name(rs->rs_verdict), rs->rs_reply);
		return 1;
	}
	if (mem != NULL)
		out = g_object_ref(mem);
	else if (path == NULL || strcmp(path, "-") == 0)
		out = g_mime_stream_pipe_new(dup(STDOUT_FILENO));
	else if ((out = g_mime_stream_fs_open(path, O_WRONLY | O_CREAT |
	    O_TRUNC, 0644, &gerr)) == NULL) {
		mugai_cli_say_error(sy, "%s", gerr != NULL ? gerr->message :
		    "cannot open the output");
		g_clear_error(&gerr);
		return 1;
	}
	if (wrote != NULL)
		*wrote = TRUE;
	if (mugai_result_write(rs, in, out, uses_crlf(in)) != MUGAI_OK ||
	    g_mime_stream_flush(out) != 0)
		mugai_cli_say_error(sy, "cannot write the output");
	else
		status = rs->rs_verdict == MUGAI_V_WITHHELD ? 1 : 0;
	g_object_unref(out);
	return status;
}
