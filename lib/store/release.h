/*
 * mugai_release - the X-Mugai-Release header: key file, token, check
 *
 * `mugai quarantine release` re-injects an original with
 *   X-Mugai-Release: id=ID; t=UNIXTIME; sha256=HEX; rcpt=HEX; mac=HEX
 * as its first header field, where sha256 is the original's SHA-256, rcpt
 * the SHA-256 of the recipients it is sent to (mugai_release_rcpt_digest)
 * and mac HMAC-SHA256, keyed by the release_secret file, over
 * "mugai-release-2\n" ID "\n" T "\n" SHA256 "\n" RCPT. The token is thus
 * bound to one content and one set of envelope recipients. The milter
 * passes a message unchanged only when mugai_release_check() (declared in
 * quarantine.h) says VALID: MAC right (constant-time compare), T fresh,
 * the message's envelope recipients those of the token, the message after
 * its X-Mugai-Release field (mugai_release_content_digest) the original
 * of the token, item present with that SHA-256 (its original's, or a
 * one-part message its releaser recorded: mugai_release_allow_content),
 * and the token never seen before. Parsing is strict: any other shape (a
 * version 1 token too) is FORGED.
 */
#ifndef MUGAI_RELEASE_H
#define MUGAI_RELEASE_H

#include <sys/types.h>

#include <glib.h>
#include <gmime/gmime.h>

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
 * sha256, to the envelope recipients rcpts (NULL-terminated, lent). NULL
 * when id is not a valid ID.
 */
char *mugai_release_token(GBytes *key, const char *id, gint64 t,
    const char *sha256, const char *const *rcpts);

/*
 * Returns (transfer full) the hex SHA-256 of a set of envelope recipients
 * (NULL-terminated, lent), written the same whichever way the MTA gives
 * them: one pair of angle brackets removed, the domain (after the last
 * '@') in lower case, the local part as it is, sorted, duplicates (which
 * the MTA drops) once, joined by "\n".
 */
char *mugai_release_rcpt_digest(const char *const *rcpts);

/*
 * Reads a message as the milter spools it (s from its current position to
 * the end) and finds its first X-Mugai-Release field in the header block.
 * Only Received: fields may come before it (the trace an MTA prepends on
 * re-injection); its own continuation lines are part of it. Writes to sha
 * the hex SHA-256 of everything after that field, which for a real
 * release is the original exactly as it was stored, and returns TRUE.
 * FALSE when there is no such field, another field comes first, or the
 * stream fails: the message is not a release.
 */
gboolean mugai_release_content_digest(GMimeStream *s, char sha[65]);

/*
 * The command line that submits a release: submit_command (split as a
 * shell would, never run by one) followed by the recipients (lent,
 * NULL-terminated, already clean). Returns (transfer full) the argv, or
 * NULL with *why (transfer full). The one place the CLI's release, open
 * and one-part release build it.
 */
char **mugai_release_argv(const char *submit_command,
    const char *const *rcpts, char **why);

/*
 * Records in the item directory itemfd (lent) that content with SHA-256
 * sha (hex) was built from its original to be released: the one-part
 * message (store/onepart.h). mugai_release_check() accepts a token for
 * that content as it accepts one for the original. A marker file
 * "part-release.SHA" (0640, O_EXCL; one that exists already is fine).
 */
enum mugai_err mugai_release_allow_content(int itemfd, const char *sha);

#endif
