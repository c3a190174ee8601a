/*
 * mugai_pwwait - quarantined encrypted archives waiting for their
 * password mail (issue 19's automatic pick; not yet called by the milter)
 *
 * When a mail whose archive could not be opened is quarantined, the
 * milter remembers (sender, recipients, item, part) here; when a later
 * mail from that envelope sender to one of those recipients carries a
 * password (lib/ppap/autopw.h), mugai_pwwait_match() names the items it
 * may open. Entries older than the window are dropped as the table is
 * used; at most MUGAI_PWWAIT_MAX are kept, MUGAI_PWWAIT_PAIR_MAX per
 * sender and recipient (the oldest go first). The
 * table lives in memory only: a restart forgets it, and a password is
 * never put in it. Addresses compare without case. Thread-safe.
 */
#ifndef MUGAI_PWWAIT_H
#define MUGAI_PWWAIT_H

#include <glib.h>

#include "base/report.h"

#define MUGAI_PWWAIT_MAX	10000
/* Entries kept per sender and recipient: a burst from one sender does
 * not make every later mail of theirs walk a long list. */
#define MUGAI_PWWAIT_PAIR_MAX	16

struct mugai_pwwait;

struct mugai_pwwait_item {
	char *pi_id;		/* the quarantine item */
	char *pi_part;		/* the encrypted archive's part, "2" */
	char *pi_rcpt;		/* the recipient both mails went to */
};

/* Returns (transfer full) an empty table. */
struct mugai_pwwait *mugai_pwwait_new(void);

/* Frees t. NULL does nothing. */
void mugai_pwwait_free(struct mugai_pwwait *t);

/*
 * Returns (transfer none: report's) the path of the first part of
 * report that is an encrypted archive it did not keep ("encrypted"
 * flag), or NULL.
 */
const char *mugai_pwwait_encrypted_part(const struct mugai_report *report);

/*
 * Remembers that item id (its archive at part) came from sender to
 * rcpts (NULL-terminated; all lent, copied) at now (unix seconds).
 */
void mugai_pwwait_add(struct mugai_pwwait *t, const char *sender,
    const char *const *rcpts, const char *id, const char *part, gint64 now);

/*
 * Returns (transfer full, free with g_ptr_array_unref) the items sent by
 * sender to one of rcpts less than window seconds before now, newest
 * first, one entry per item, or an empty array.
 */
GPtrArray *mugai_pwwait_match(struct mugai_pwwait *t, const char *sender,
    const char *const *rcpts, gint64 now, gint64 window);

/* Forgets item id (opened: no later mail needs to try it). */
void mugai_pwwait_forget(struct mugai_pwwait *t, const char *id);

#endif
