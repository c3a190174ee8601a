/*
 * mugai_audit - the quarantine's audit log: one JSON object per line
 *
 * audit.log records every action on a quarantined item: "stored",
 * "extracted", "released", "purged". A line is built whole in memory and
 * appended with one write(2) on an O_APPEND descriptor, so lines from
 * several threads, processes or hosts never interleave. Members of a line:
 * "time" (ISO 8601 UTC, microseconds), "event", "id", "actor", "outcome"
 * ("ok" or "failed"), "host", "pid", then the caller's extra members.
 * A short write is an error (MUGAI_E_IO / MUGAI_E_NOSPACE), never retried
 * in pieces. Strings are written as JSON (json-glib escapes them).
 */
#ifndef MUGAI_AUDIT_H
#define MUGAI_AUDIT_H

#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/err.h"

struct mugai_audit;

/*
 * Opens (creating with mode 0640 and group gid when gid != (gid_t)-1) the
 * log name in the directory dirfd, never following a link. A log that is
 * not a regular file is MUGAI_E_IO; one that does not belong to owner
 * (unless owner is (uid_t)-1) is MUGAI_E_PERM: it was made by someone the
 * store's owner cannot follow, and they could not write it. Returns
 * (transfer full) the log, or NULL with *err.
 */
struct mugai_audit *mugai_audit_open_at(int dirfd, const char *name,
    gid_t gid, uid_t owner, enum mugai_err *err);

/*
 * Opens the log's name again (under the same directory, with the same
 * checks) and appends there from now on (log rotation:
 * the old file was renamed). Lines being written meanwhile go whole to one
 * file or the other. On failure the old file stays in use and the error is
 * returned. Thread-safe.
 */
enum mugai_err mugai_audit_reopen(struct mugai_audit *a);

/* Closes the log. NULL does nothing. */
void mugai_audit_close(struct mugai_audit *a);

/*
 * Appends one line. event, id (may be NULL), actor and outcome are copied
 * into the line; extra (transfer none, may be NULL) adds its members.
 * Thread-safe. Returns MUGAI_OK or the write error.
 */
enum mugai_err mugai_audit_append(struct mugai_audit *a, const char *event,
    const char *id, const char *actor, const char *outcome,
    JsonObject *extra);

/* Returns (transfer full) the line append would write, without newline. */
char *mugai_audit_format(const char *event, const char *id,
    const char *actor, const char *outcome, JsonObject *extra);

#endif
