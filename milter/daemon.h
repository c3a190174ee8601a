/*
 * mugai_daemon - process life: detach, privileges, pid file
 *
 * Each function reports failure as a mugai_err with *message (transfer
 * full) saying what failed; nothing here exits the process.
 */
#ifndef MUGAI_DAEMON_H
#define MUGAI_DAEMON_H

#include "base/err.h"

/*
 * When running as root: switches to user and group (group "" or NULL:
 * the user's primary group), with the user's supplementary groups.
 * Not root: does nothing (tests and unprivileged runs).
 */
enum mugai_err mugai_daemon_drop(const char *user, const char *group,
    char **message);

/* Forks into the background, new session, stdio on /dev/null. */
enum mugai_err mugai_daemon_detach(char **message);

/* Writes our pid to path (NULL or "": no pid file). */
enum mugai_err mugai_daemon_pidfile_write(const char *path, char **message);

/* Removes the pid file when it still names this process. */
void mugai_daemon_pidfile_remove(const char *path);

#endif
