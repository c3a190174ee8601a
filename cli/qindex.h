/*
 * qindex - the quarantine index as the command uses it (cli/qindex.c):
 * opened as the store's owner, the journal applied first; and `mugai
 * quarantine reindex`.
 */
#ifndef MUGAI_CLI_QINDEX_H
#define MUGAI_CLI_QINDEX_H

#include <glib.h>

#include "core/config.h"
#include "index/index.h"
#include "cli/qstore.h"

/* [index] node, or the host name (transfer none). */
const char *mugai_cli_qindex_node(const struct mugai_config *cf);

/*
 * Opens the index of the store dir (top: its descriptor, the caller
 * being its owner) and applies the journal to it. Without create, NULL
 * when there is none yet; NULL also when [index] url = none or it
 * cannot be opened (said on standard error, cmd names the command).
 */
struct mugai_index *mugai_cli_qindex_open(const char *cmd,
    const struct mugai_config *cf, const char *dir, int top,
    gboolean create);

/* `mugai quarantine reindex [--follow] [--journal]`. */
int mugai_cli_quarantine_reindex(struct mugai_cli_qopts *qo, int argc,
    char **argv);

#endif
