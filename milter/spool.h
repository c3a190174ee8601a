/*
 * mugai_spool - hold one message, as the MTA passed it, with a hard limit
 *
 * Bytes go to memory until mem_max, then the whole message moves to an
 * unlinked temp file in the spool directory (nothing to clean up after a
 * crash). mugai_spool_add() refuses data that would take the message past
 * max and returns MUGAI_E_LIMIT, adding nothing; the caller turns that into
 * a reply. Write failures return MUGAI_E_IO or MUGAI_E_NOSPACE.
 * A spool belongs to one message and one thread.
 *
 * Given a quarantine store (mugai_spool_set_store), the file is a new
 * item's original under the store's tmp/ instead, so keeping the message
 * (mugai_spool_keep) is a commit, not a copy; freeing the spool without
 * keeping removes it. A store that fails mid-way is left for an
 * unlinked file, as without one.
 */
#ifndef MUGAI_SPOOL_H
#define MUGAI_SPOOL_H

#include <glib.h>
#include <gmime/gmime.h>

#include "base/err.h"
#include "store/quarantine.h"

struct mugai_spool;

/*
 * Returns (transfer full) an empty spool, never NULL. dir (copied) is
 * where the temp file goes once the message passes mem_max bytes; max is
 * the hard cap on the whole message.
 */
struct mugai_spool *mugai_spool_new(const char *dir, guint64 mem_max,
    guint64 max);

/* Appends len bytes of data (lent). MUGAI_OK, E_LIMIT, E_IO or E_NOSPACE. */
enum mugai_err mugai_spool_add(struct mugai_spool *sp, const void *data,
    gsize len);

/* Bytes added so far. */
guint64 mugai_spool_size(const struct mugai_spool *sp);

/* TRUE while the message is still held in memory. */
gboolean mugai_spool_in_memory(const struct mugai_spool *sp);

/*
 * Returns (transfer full) a new stream over the whole message, positioned
 * at its start, or NULL with *err set. The stream borrows the spool's
 * memory or file: unref it before mugai_spool_free(), and read it through
 * one stream at a time.
 */
GMimeStream *mugai_spool_stream(struct mugai_spool *sp, enum mugai_err *err);

/*
 * Spills into a new item of q (lent: it must outlive sp) instead of an
 * unlinked file. Call before the first add.
 */
void mugai_spool_set_store(struct mugai_spool *sp, struct mugai_quarantine *q);

/*
 * Keeps the message in q under id, durable before MUGAI_OK, with the
 * envelope and report (lent) for meta.json; sha256 is the hex SHA-256 of
 * the whole message when the caller has it (NULL: computed here). When
 * the spool's file is already q's item, this only commits it; else the
 * message is written to a new item (in one write when in memory). Errors
 * as mugai_quarantine_store(); the spool stays readable either way.
 */
enum mugai_err mugai_spool_keep(struct mugai_spool *sp,
    struct mugai_quarantine *q, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha256, const char *actor);

/*
 * Frees sp and closes its file (an item not kept is removed). NULL does
 * nothing.
 */
void mugai_spool_free(struct mugai_spool *sp);

#endif
