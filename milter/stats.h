/*
 * mugai_stats - counters since the daemon started, for one log line
 *
 * Every message's summary also goes into these counters: how many each
 * engine decided, each verdict, how many bodies were replaced and how many
 * messages passed without a body replacement, originals kept, bytes and
 * time. mugai_stats_format() writes them as one "stats:" line, logged
 * every [milter] stats_interval, at reload and at stop, so an
 * administrator (or a monitoring script taking differences) sees the
 * traffic without parsing every summary line.
 */
#ifndef MUGAI_STATS_H
#define MUGAI_STATS_H

#include <glib.h>

/* What one message adds (strings lent, may be NULL). */
struct mugai_stats_msg {
	const char *sm_verdict;		/* as in the summary line */
	const char *sm_engine;		/* "stream", "gmime" or NULL */
	const char *sm_action;		/* what the MTA was told */
	gboolean sm_body_replaced;	/* smfi_replacebody was called */
	gboolean sm_kept;		/* original stored in the quarantine */
	guint64 sm_size;
	gint64 sm_usec;
};

/* Adds one message; safe from any thread. */
void mugai_stats_add(const struct mugai_stats_msg *sm);

/* Returns (transfer full) the counters as "key=value ..." words. */
char *mugai_stats_format(void);

/* Logs the counters at LOG_INFO, saying why ("interval", "reload"...). */
void mugai_stats_log(const char *why);

/* Sets every counter to zero (tests). */
void mugai_stats_reset(void);

#endif
