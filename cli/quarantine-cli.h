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
#include <sys/types.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

/* Runs the subcommand in argv[1..] (argv[0] is "quarantine"). */
int mugai_cli_quarantine(int argc, char **argv);

/* Helpers shared by cli/quarantine.c, cli/qlist.c and cli/qrelease.c. */
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
 * Opens the store's top directory dir (mugai_qdir_open_top()) and sets
 * *owner (may be NULL) to its owner. Returns the descriptor, or -1 after
 * printing why (cmd names the command).
 */
int mugai_cli_qtop(const char *cmd, const char *dir, uid_t *owner);

/*
 * Run as root, becomes the owner of the store topfd for good
 * (mugai_qdir_become_owner()); otherwise does nothing. FALSE after
 * printing why.
 */
gboolean mugai_cli_qdrop(const char *cmd, int topfd);

/*
 * Members of a JSON object read from meta.json (transfer none), or NULL
 * when o is NULL, the member is missing or has another type.
 */
const char *mugai_cli_jstr(JsonObject *o, const char *name);
JsonObject *mugai_cli_jobj(JsonObject *o, const char *name);
JsonArray *mugai_cli_jarr(JsonObject *o, const char *name);

/* Returns (transfer full) the config from path / the default, or NULL. */
struct mugai_config *mugai_cli_load_config(const char *path);

/*
 * Prints s to f with control characters (C0, DEL, C1, ESC sequences from
 * mail) shown as '?'. With width > 0 the text is cut to that many columns
 * (CJK wide characters count two) and padded with spaces.
 */
void mugai_cli_put_text(FILE *f, const char *s, int width);

struct mugai_envelope;
struct mugai_report;

/*
 * For `mugai sanitize --quarantine DIR`: stores message (rewound to its
 * start) under id in the store at dir, as the user running the command.
 * Returns 0, or 1 after printing why. Nothing is taken over.
 */
int mugai_cli_quarantine_keep(const struct mugai_config *cf,
    const char *dir, const char *id, GMimeStream *message,
    const struct mugai_envelope *env, const struct mugai_report *report);

/* Returns (transfer full) who runs us, for the audit log. */
char *mugai_cli_actor(void);

/* TRUE for a valid ID; otherwise prints why and returns FALSE. */
gboolean mugai_cli_check_id(const char *cmd, const char *id);

/* Exactly one positional ID in argv[1]; prints the complaint if not. */
const char *mugai_cli_one_id(const char *cmd, int argc, char **argv);

struct mugai_quarantine;

/*
 * Opens the store topfd (lent) for writing: audit.log. Returns (transfer
 * full) the store, or NULL after printing why (naming tmp/ or audit.log
 * when one is a link or not the store owner's).
 */
struct mugai_quarantine *mugai_cli_open_store(const char *cmd, int topfd,
    const char *dir, const struct mugai_config *cf);

/* Opens the item directory of id under topfd; -1 after printing why. */
int mugai_cli_open_item(const char *cmd, int topfd, const char *id);

/*
 * Opens the item's original.eml: not a link, a regular file of owner.
 * Returns the descriptor, or -1 after printing why.
 */
int mugai_cli_open_original(const char *cmd, int itemfd, const char *id,
    uid_t owner);

/* `mugai quarantine release`, in cli/qrelease.c. */
int mugai_cli_quarantine_release(struct mugai_cli_qopts *qo, int argc,
    char **argv);

/* `mugai quarantine list`, in cli/qlist.c. */
int mugai_cli_quarantine_list(struct mugai_cli_qopts *qo, int argc,
    char **argv);

#endif
