/*
 * mugai_qid - quarantine item IDs: making, checking, reading, placing
 *
 * An ID is "YYYYMMDD-HHMMSS-UUUUUU-HHHHHHHH-RRRRRRRRRRRRRRRR": the UTC
 * time to the microsecond, a hash of the host name and 64 random bits.
 * It sorts by time, is unique across threads, processes and hosts sharing
 * a store, and names the item's directory YYYY/MM/DD/ID. Nothing here
 * touches the store; everything that takes an ID from outside (a command
 * line, a release token, a directory entry) checks it with
 * mugai_qid_valid() first.
 */
#ifndef MUGAI_QID_H
#define MUGAI_QID_H

#include <glib.h>

/* Length of an ID, without the NUL. */
#define MUGAI_QID_LEN 48

/*
 * Returns (transfer full) a new ID: sortable by time, unique across
 * threads, processes and hosts sharing the store.
 */
char *mugai_qid_new(void);

/*
 * TRUE when id has exactly the format mugai_qid_new() produces (so no '/', "..",
 * NUL, or overlong input can reach a path). NULL is FALSE.
 */
gboolean mugai_qid_valid(const char *id);

/*
 * Stores the time encoded in a valid id (microseconds since the epoch) in
 * *usec. Returns FALSE (and leaves *usec alone) for an invalid id.
 */
gboolean mugai_qid_time(const char *id, gint64 *usec);

/*
 * Returns (transfer full) DIR/YYYY/MM/DD/ID for a valid id, or NULL when
 * id is not valid. The item need not exist.
 */
char *mugai_qid_path(const char *dir, const char *id);

#endif
