/*
 * mugai quarantine - the administrator's view of the quarantine store
 *
 * `mugai quarantine [-c FILE] [--dir DIR] list|show|extract|release|purge`.
 * Exit status: 0 success, 1 the operation failed or the item was not
 * found, 2 usage, configuration or an invalid ID.
 */
#ifndef MUGAI_CLI_QUARANTINE_H
#define MUGAI_CLI_QUARANTINE_H

#include <stdio.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

/* Runs the subcommand in argv[1..] (argv[0] is "quarantine"). */
int mugai_cli_quarantine(int argc, char **argv);

/* Helpers shared by cli/quarantine.c and cli/qlist.c. */
struct mugai_config;

/* -c FILE and --dir DIR, before or after the subcommand name. */
struct mugai_cli_qopts {
	char *qo_config;
	char *qo_dir;
};

/*
 * Parses argv with own (may be NULL) plus -c/--dir into qo. Prints the
 * complaint and returns FALSE on a usage error.
 */
gboolean mugai_cli_qparse(const char *cmd, const char *params,
    GOptionEntry *own, struct mugai_cli_qopts *qo, int *argc, char ***argv);

/*
 * Loads the config named by qo (or the default) and sets *dir (transfer
 * none: qo's or the config's) to the store. Returns (transfer full) the
 * config, or NULL after printing why.
 */
struct mugai_config *mugai_cli_qresolve(const struct mugai_cli_qopts *qo,
    const char **dir);

/*
 * Members of a JSON object read from meta.json (transfer none), or NULL
 * when o is NULL, the member is missing or has another type.
 */
const char *mugai_cli_jstr(JsonObject *o, const char *name);
JsonObject *mugai_cli_jobj(JsonObject *o, const char *name);
JsonArray *mugai_cli_jarr(JsonObject *o, const char *name);

/*
 * Returns (transfer full) the config from path / the default, or NULL:
 * then *why (transfer full) says why, or with why NULL stderr does.
 */
struct mugai_config *mugai_cli_load_config(const char *path, char **why);

/*
 * Prints s to f as one line: control characters (C0, DEL, C1: ESC
 * sequences from mail), line separators and bidi controls shown as
 * \xHH / \uHHHH escapes, bytes that are not UTF-8 as \xHH
 * (mugai_oneline). With width > 0 the text is cut to that many columns
 * (CJK wide characters count two) and padded with spaces.
 */
void mugai_cli_put_text(FILE *f, const char *s, int width);

struct mugai_envelope;
struct mugai_report;

/*
 * For `mugai sanitize --quarantine DIR`: stores message (rewound to its
 * start) under id in the store at dir, as the user running the command.
 * Returns 0, or 1 with *why (transfer full) saying why. Nothing is taken
 * over.
 */
int mugai_cli_quarantine_keep(const struct mugai_config *cf,
    const char *dir, const char *id, GMimeStream *message,
    const struct mugai_envelope *env, const struct mugai_report *report,
    char **why);

/* `mugai quarantine list`, in cli/qlist.c. */
int mugai_cli_quarantine_list(struct mugai_cli_qopts *qo, int argc,
    char **argv);

#endif
