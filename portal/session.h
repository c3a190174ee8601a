/*
 * mugai_session - portal sessions, one-time form tokens, login limits
 *
 * A session is named by 32 random bytes (base64url, the cookie value) and
 * holds the user (NULL before login), its expiry, and the one-time tokens
 * of the forms it was shown: every POST must carry one, which is then
 * spent, so a form sent twice (a replay, a second click, a forged page
 * that never saw the form) is refused. A login makes a new session (the
 * old ID is dropped: no fixation).
 *
 * The limiter counts failed logins per user and per client address; past
 * max failures within the lockout, that user or address is refused
 * without asking the password back end, until the lockout has passed.
 *
 * All in memory, one process, touched from the main loop only.
 */
#ifndef MUGAI_PORTAL_SESSION_H
#define MUGAI_PORTAL_SESSION_H

#include <glib.h>

/* Sessions kept before the anonymous ones are dropped. */
#define MUGAI_SESSIONS_MAX 100000
/* Form tokens one session keeps (the oldest go first). */
#define MUGAI_SESSION_FORMS_MAX 64

struct mugai_session {
	char *se_id;
	char *se_user;		/* the user's address; NULL: not logged in */
	gint64 se_expires;	/* monotonic microseconds */
	GQueue *se_forms;	/* one-time tokens, oldest first */
};

struct mugai_sessions;

/* Returns (transfer full) an empty table; lifetime in microseconds. */
struct mugai_sessions *mugai_sessions_new(gint64 lifetime);
void mugai_sessions_free(struct mugai_sessions *t);

/* Returns (transfer full) 32 random bytes as base64url, 43 characters. */
char *mugai_session_random_token(void);

/*
 * Returns (transfer none) the live session named id, or NULL (unknown,
 * expired: removed).
 */
struct mugai_session *mugai_sessions_get(struct mugai_sessions *t,
    const char *id);

/* Returns (transfer none) a new session for user (may be NULL). */
struct mugai_session *mugai_sessions_create(struct mugai_sessions *t,
    const char *user);

/* Drops the session id; unknown does nothing. */
void mugai_sessions_drop(struct mugai_sessions *t, const char *id);

/* Returns (transfer none) a new one-time form token of s. */
const char *mugai_session_form_token(struct mugai_session *s);

/*
 * TRUE when token is one of s's unspent form tokens; it is spent. A
 * wrong, spent or missing token is FALSE.
 */
gboolean mugai_session_spend_form(struct mugai_session *s,
    const char *token);

struct mugai_limiter;

/* max failures per key within window (microseconds) locks it out. */
struct mugai_limiter *mugai_limiter_new(guint max, gint64 window);
void mugai_limiter_free(struct mugai_limiter *l);

/* TRUE while key (e.g. "u:alice@x", "a:192.0.2.1") is locked out. */
gboolean mugai_limiter_locked(struct mugai_limiter *l, const char *key);

/* Counts a failure of key. */
void mugai_limiter_fail(struct mugai_limiter *l, const char *key);

/* Forgets key's failures (a successful login of that user). */
void mugai_limiter_reset(struct mugai_limiter *l, const char *key);

/* Test hook: the monotonic clock (microseconds); NULL is GLib's. */
extern gint64 (*mugai_session_clock)(void);

#endif
