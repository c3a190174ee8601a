/*
 * mugai_qmeta - builds the meta.json text of a quarantined item
 *
 * The layout is documented in doc/quarantine-meta.md and versioned by
 * MUGAI_QMETA_SCHEMA. Used by lib/store/quarantine.c; the row by
 * lib/index/ too (reindex reads meta.json).
 */
#ifndef MUGAI_QMETA_H
#define MUGAI_QMETA_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/report.h"
#include "base/envelope.h"

/* Version of the meta.json layout ("schema" member). */
#define MUGAI_QMETA_SCHEMA 1

/*
 * Returns (transfer full) meta.json (pretty-printed UTF-8 JSON ending in
 * a newline) for item id. (Items stored before session 9 also hold a
 * list.json, meta.json's listing members, compact; none is written now:
 * the index serves listing, and readers fall back to meta.json.)
 * usec is the item's time (from its ID, microseconds since the epoch).
 * env and report may be NULL; head holds the first head_len bytes of the
 * original (its header block is parsed from them). row (may be NULL)
 * gets the journal line, mugai_qmeta_row_text(meta, node).
 */
char *mugai_qmeta_build(const char *id, gint64 usec,
    const struct mugai_envelope *env,
    const struct mugai_report *report, guint64 size, const char *sha,
    const guint8 *head, gsize head_len, const char *node, char **row);

/*
 * TRUE when the first n bytes of p hold a whole header block (through
 * its blank line, LF or CRLF); *len gets its length, or n.
 */
gboolean mugai_qmeta_header_end(const guint8 *p, gsize n, gsize *len);

/*
 * The index row of an item (doc/quarantine-meta.md, "journal"): meta's
 * listing members, the original's size and SHA-256, each part's path,
 * SHA-256, action and rule, the rules that decided, and node (NULL or
 * "": meta's host), with "op": "stored". meta is lent. Returns (transfer
 * full) the object, or as one line of compact JSON (no newline).
 */
JsonObject *mugai_qmeta_row(JsonObject *meta, const char *node);
char *mugai_qmeta_row_text(JsonObject *meta, const char *node);

#endif
