/*
 * mugai_mquar - the milter's side of the quarantine store
 *
 * A thin layer over lib/quarantine (mugai_quarantine_*,
 * mugai_release_check) so the end-of-message tests can link a fake. With
 * keep_original = never no store is opened: no IDs are issued and every
 * release header counts as unknown. The handle is opened once at start
 * and shared by all threads; a reload that would need a store where none
 * is open is refused (milter/main.c).
 */
#ifndef MUGAI_QUAR_H
#define MUGAI_QUAR_H

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "base/err.h"
#include "store/quarantine.h"
#include "base/report.h"
#include "core/sanitize.h"
#include "spool.h"

struct mugai_mquar;

/*
 * Opens the store named by cf. Returns (transfer full) a handle in *out,
 * or an error with *message (transfer full) saying why.
 */
enum mugai_err mugai_mquar_open(const struct mugai_config *cf,
    struct mugai_mquar **out, char **message);

/* TRUE when q has a store open (keep_original was not never at start). */
gboolean mugai_mquar_has_store(const struct mugai_mquar *q);

/*
 * Returns (transfer none) the store itself, or NULL without one: for
 * lib/ppap's open of a waiting archive (milter/autopw.c).
 */
struct mugai_quarantine *mugai_mquar_handle(struct mugai_mquar *q);

/*
 * Reopens the store's audit.log (after logrotate renamed it); logs a
 * failure, then keeps writing to the old file. Without a store, nothing.
 */
void mugai_mquar_reopen_log(struct mugai_mquar *q);

/* Closes q. NULL does nothing. */
void mugai_mquar_close(struct mugai_mquar *q);

/* Returns (transfer full) a fresh item ID, or NULL when none is issued. */
char *mugai_mquar_new_id(struct mugai_mquar *q);

/*
 * Lets sp spill into the store (a new item under its tmp/), so that
 * keeping the message later is a commit. Without a store, nothing.
 */
void mugai_mquar_attach(struct mugai_mquar *q, struct mugai_spool *sp);

/*
 * Stores the message sp holds under id with the envelope and report;
 * the report's SHA-256 and size, when they are the spool's, are the
 * original's (not hashed again). MUGAI_OK only when the item is durable
 * on disk.
 */
enum mugai_err mugai_mquar_store(struct mugai_mquar *q, const char *id,
    struct mugai_spool *sp, const struct mugai_envelope *env,
    const struct mugai_report *report);

/*
 * Checks an X-Mugai-Release header value carried by the message sp holds,
 * sent to rcpts (the envelope, NULL-terminated): the token must be for
 * exactly this content and these recipients (mugai_release_check()).
 * *id (transfer full) is the item it names, when known, else NULL.
 */
enum mugai_release_status mugai_mquar_release_check(struct mugai_mquar *q,
    const struct mugai_config *cf, const char *value,
    struct mugai_spool *sp, const char *const *rcpts, char **id);

/* Returns (transfer none) "valid", "forged" ... for the log. */
const char *mugai_mquar_release_name(enum mugai_release_status r);

#endif
