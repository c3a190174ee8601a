/*
 * mugai quarantine store access - how every quarantine command reaches
 * the store
 *
 * The options all of them take (-c FILE, --dir DIR), the ID checks, and
 * the order that keeps root safe: open the store's top directory, become
 * its owner (when run as root), then open the store, an item or an
 * original from descriptors without following links (lib/store/qdir.h).
 * Used by cli/quarantine.c, cli/qlist.c and cli/qrelease.c; each function
 * prints why it failed, naming the command.
 */
#ifndef MUGAI_CLI_QSTORE_H
#define MUGAI_CLI_QSTORE_H

#include <sys/types.h>

#include <glib.h>

struct mugai_config;
struct mugai_quarantine;

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

/* TRUE for a valid ID; otherwise prints why and returns FALSE. */
gboolean mugai_cli_check_id(const char *cmd, const char *id);

/* Exactly one positional ID in argv[1]; prints the complaint if not. */
const char *mugai_cli_one_id(const char *cmd, int argc, char **argv);

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

/*
 * Says which of tmp/ and audit.log keeps the store from opening; who
 * begins each line ("mugai quarantine purge").
 */
void mugai_cli_explain_store(const char *who, int topfd, const char *dir);

#endif
