/*
 * mugai_log - syslog (mail facility), or stderr in the foreground
 *
 * mugai_log() takes a printf format; anything that came from mail or from
 * the MTA goes through mugai_log_escape() first, so a sender cannot forge
 * log lines. mugai_log_summary() writes the one line per message that
 * administrators grep for.
 */
#ifndef MUGAI_LOG_H
#define MUGAI_LOG_H

#include <syslog.h>

#include <glib.h>

/* Starts logging: to stderr when to_stderr, else syslog. level: -d. */
void mugai_log_init(const char *ident, gboolean to_stderr, int level);

/* Logs at priority (LOG_ERR ...). LOG_DEBUG only with -d 1 or more. */
void mugai_log(int priority, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * Returns (transfer full) s with control characters, backslash, quote and
 * bytes past ASCII escaped (C style), or "-" for NULL; never NULL.
 */
char *mugai_log_escape(const char *s);

/* What one summary line says (every string lent, may be NULL). */
struct mugai_log_msg {
	const char *lm_queue_id;
	const char *lm_client_addr;
	const char *lm_sender;
	const char *const *lm_rcpts;	/* NULL-terminated, may be NULL */
	const char *lm_verdict;		/* "sanitized", "tempfail" ... */
	const char *lm_engine;		/* "stream", "gmime", or NULL */
	const char *lm_action;		/* "continue", "reject" ... */
	const char *lm_reason;		/* extra words, or NULL */
	const char *lm_limit;		/* limit hit (config key) */
	gboolean lm_charset_fallback;	/* UTF-8 body for ISO-2022-JP */
	unsigned lm_removed;
	const char *lm_quarantine_id;
	guint64 lm_size;
	gint64 lm_usec;			/* time spent */
};

/* Logs the one-line summary of a message at LOG_INFO. */
void mugai_log_summary(const struct mugai_log_msg *lm);

#endif
