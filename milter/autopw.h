/*
 * mugai_mautopw - the milter's automatic PPAP password pick (issue 19;
 * [ppap] auto_password, off by default)
 *
 * A kept message whose encrypted archive was removed is remembered
 * (lib/ppap/pwwait.h: envelope sender, each recipient, item, part). A
 * later message from the same envelope sender to such a recipient within
 * auto_password_window is a candidate password mail: once end of message
 * has decided its own fate (it is delivered as any mail), a worker thread
 * picks the password from its text (lib/ppap/autopw.h), tries it on the
 * waiting archives with mugai_ppap_open() in the extraction sandbox and
 * sends what opens to that recipient (mugai_ppap_deliver()). The table
 * and the queue are in memory: a restart forgets them.
 */
#ifndef MUGAI_MAUTOPW_H
#define MUGAI_MAUTOPW_H

#include <glib.h>

#include "base/envelope.h"
#include "core/config.h"
#include "core/sanitize.h"
#include "quar.h"

/* Password mails waiting for the worker; more are dropped (logged). */
#define MUGAI_MAUTOPW_QUEUE_MAX		16
/* Archives one password mail is tried on (the newest first). */
#define MUGAI_MAUTOPW_ITEMS_MAX		4

/* Starts the table and the worker over q (lent; outlives the worker). */
void mugai_mautopw_start(struct mugai_mquar *q);

/* Stops the worker (queued password mails are dropped) and frees all. */
void mugai_mautopw_stop(void);

/*
 * Called at end of message, only when cf's auto_password is on, after
 * the message's own outcome is settled (the MTA takes it as it is):
 * kept_id is the item its original was kept as (or NULL), rs its result.
 * Remembers an encrypted archive, or queues the message's text for the
 * worker when a waiting archive matches its envelope. Cheap: no I/O.
 */
void mugai_mautopw_note(const struct mugai_config *cf,
    const struct mugai_envelope *env, const char *kept_id,
    const struct mugai_result *rs);

#endif
