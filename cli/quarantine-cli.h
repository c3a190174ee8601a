/*
 * mugai quarantine - the administrator's view of the quarantine store
 *
 * `mugai quarantine [-c FILE] [--dir DIR] list|show|extract|release|purge`.
 * Exit status: 0 success, 1 the operation failed or the item was not
 * found, 2 usage, configuration or an invalid ID. cli/quarantine.c runs
 * show, extract and purge and hands list and release to cli/qlist.c and
 * cli/qrelease.c; all of them reach the store through cli/qstore.h.
 */
#ifndef MUGAI_CLI_QUARANTINE_H
#define MUGAI_CLI_QUARANTINE_H

#include <glib.h>
#include <gmime/gmime.h>

#include "cli/qstore.h"

/* Runs the subcommand in argv[1..] (argv[0] is "quarantine"). */
int mugai_cli_quarantine(int argc, char **argv);

struct mugai_config;
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

/* `mugai quarantine release`, in cli/qrelease.c. */
int mugai_cli_quarantine_release(struct mugai_cli_qopts *qo, int argc,
    char **argv);

/*
 * From cli/qrelease.c, for `open` too: runs argv (a submit command and
 * its recipients) with header then the file fd (lent, read once from its
 * start, hashed as it goes) on its standard input; the command is killed
 * before its input ends unless the bytes hash to want. TRUE when all went
 * and the command exited 0, else why says what went wrong.
 */
gboolean mugai_cli_submit(char **argv, const char *header, int fd,
    const char *want, GString *why);

/* Returns (transfer full) "a@b" from "<a@b>" or "a@b", or NULL for what
 * a submit command could misread (an option, spaces, no "@"). */
char *mugai_cli_clean_rcpt(const char *s);

/* `mugai quarantine open`, in cli/qopen.c. */
int mugai_cli_quarantine_open(struct mugai_cli_qopts *qo, int argc,
    char **argv);

/* `mugai quarantine list`, in cli/qlist.c. */
int mugai_cli_quarantine_list(struct mugai_cli_qopts *qo, int argc,
    char **argv);

#endif
