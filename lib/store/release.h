/*
 * mugai_release - the X-Mugai-Release header: key file, token, check
 *
 * `mugai quarantine release` re-injects an original with
 *   X-Mugai-Release: id=ID; t=UNIXTIME; sha256=HEX; mac=HEX
 * where mac is HMAC-SHA256, keyed by the release_secret file, over
 * "mugai-release-1\n" ID "\n" T "\n" SHA256. The milter passes a message
 * unchanged only when mugai_release_check() (declared in quarantine.h)
 * says VALID: MAC right (constant-time compare), T fresh, item present with
 * that SHA-256, and the token never seen before. Parsing is strict: any
 * other shape is FORGED.
 */
#ifndef MUGAI_RELEASE_H
#define MUGAI_RELEASE_H

#include <sys/types.h>

#include <glib.h>

#include "base/err.h"

/* Name of the header, without the colon. */
#define MUGAI_RELEASE_HEADER "X-Mugai-Release"
/* Bytes of key a new secret file gets. */
#define MUGAI_RELEASE_KEY_LEN 32
/* Seconds a token may come from the future (clock skew between hosts). */
#define MUGAI_RELEASE_SKEW 300

/*
 * Reads the key file at path. When create is TRUE and the file is missing
 * it is created (O_EXCL, mode 0600, owner set to owner unless it is
 * (uid_t)-1) with MUGAI_RELEASE_KEY_LEN random bytes. Refuses a file that
 * is not regular or that group or others may read or write (MUGAI_E_PERM)
 * and a key under 16 bytes (MUGAI_E_CONFIG). Returns (transfer full) the
 * key, or NULL with *err.
 */
GBytes *mugai_release_key_load(const char *path, gboolean create,
    uid_t owner, enum mugai_err *err);

/*
 * Returns (transfer full) the header value (without name) releasing item
 * id at time t (seconds since the epoch) whose original has SHA-256 hex
 * sha256. NULL when id is not a valid ID.
 */
char *mugai_release_token(GBytes *key, const char *id, gint64 t,
    const char *sha256);

#endif
