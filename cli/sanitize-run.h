/*
 * mugai CLI sanitize-run - the body of `mugai sanitize` after the input is
 * open, shared with its test driver
 *
 * cli/main.c's cmd_sanitize() parses options, opens the input and keeps
 * the original; what it does between (run the engine, decide the exit
 * status, write the output, say the remarks and the JSON report) is here,
 * so that t/stream-diff-run, which runs both engines over many messages
 * in one process, does exactly what the command does. Calls nothing of
 * the quarantine commands.
 */
#ifndef MUGAI_CLI_SANITIZE_RUN_H
#define MUGAI_CLI_SANITIZE_RUN_H

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "core/sanitize.h"

/*
 * What `mugai sanitize` says besides the message. As text (and --explain)
 * each remark goes to stderr as it comes. With --json the remarks are
 * kept in sy_errors for the one JSON document of the end.
 */
struct mugai_cli_say {
	gboolean sy_json;
	gboolean sy_explain;
	JsonArray *sy_errors;		/* the remarks (--json) */
};

void mugai_cli_say_init(struct mugai_cli_say *sy, gboolean json,
    gboolean explain);
void mugai_cli_say_clear(struct mugai_cli_say *sy);
void mugai_cli_say_error(struct mugai_cli_say *sy, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Returns (transfer full) the --json document: the report of rs (may be
 * NULL), "stream_declined" when the stream engine declined and "errors"
 * (every remark); NULL without --json.
 */
char *mugai_cli_say_json(const struct mugai_cli_say *sy,
    const struct mugai_result *rs);

/*
 * Runs the engine so asks for over in (seekable). Returns -1 with
 * *rsp (transfer full) set when the message goes on to the output; else
 * the exit status (1: the engine failed, said to sy; 3: the stream engine
 * declined, *rsp set for the JSON document's reason).
 */
int mugai_cli_sanitize_run(const struct mugai_config *cf, GMimeStream *in,
    struct mugai_envelope *env, const struct mugai_sanitize_opts *so,
    struct mugai_cli_say *sy, struct mugai_result **rsp);

/*
 * Writes rs's message to mem, or (mem NULL) to the file path (NULL or
 * "-": stdout), made only when there is a message to write: a rejected
 * or deferred one is a remark. *wrote (may be NULL) tells whether the
 * output was opened. Returns the exit status: 0, 1 (withheld, or a
 * failure said to sy).
 */
int mugai_cli_sanitize_write(const struct mugai_result *rs, GMimeStream *in,
    const char *path, GMimeStream *mem, struct mugai_cli_say *sy,
    gboolean *wrote);

#endif
