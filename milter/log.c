/*
 * mugai_log - where the daemon's messages go
 *
 * The sink is chosen once at start (before any thread); after that the
 * module only reads it, so it needs no lock. stderr lines carry a
 * timestamp; syslog adds its own.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <syslog.h>

#include <glib.h>

#include "log.h"

static gboolean log_stderr;
static int log_level;

void
mugai_log_init(const char *ident, gboolean to_stderr, int level)
{
	log_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static const char *
prio_name(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_DEBUG:
		return "debug";
	default:
		return "info";
	}
}

void
mugai_log(int priority, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (priority == LOG_DEBUG && log_level < 1)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (log_stderr) {
		GDateTime *now = g_date_time_new_now_local();
		char *ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");

		fprintf(stderr, "%s mugai-milter[%d]: %s: %s\n", ts,
		    (int)getpid(), prio_name(priority), msg);
		g_free(ts);
		g_date_time_unref(now);
	} else {
		syslog(priority, "%s", msg);
	}
	g_free(msg);
}

char *
mugai_log_escape(const char *s)
{
	GString *out;

	if (s == NULL)
		return g_strdup("-");
	out = g_string_sized_new(strlen(s) + 8);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			g_string_append_printf(out, "\\x%02x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	return g_string_free(out, FALSE);
}

void
mugai_log_summary(const struct mugai_log_msg *lm)
{
	char *qid = mugai_log_escape(lm->lm_queue_id);
	char *addr = mugai_log_escape(lm->lm_client_addr);
	char *from = mugai_log_escape(lm->lm_sender);
	char *reason = lm->lm_reason != NULL ?
	    mugai_log_escape(lm->lm_reason) : NULL;
	GString *to = g_string_new(NULL);

	for (guint i = 0; lm->lm_rcpts != NULL && lm->lm_rcpts[i] != NULL;
	    i++) {
		char *r = mugai_log_escape(lm->lm_rcpts[i]);

		g_string_append_printf(to, "%s%s", i > 0 ? "," : "", r);
		g_free(r);
	}
	mugai_log(LOG_INFO, "%s: client=%s from=%s to=%s verdict=%s "
	    "engine=%s action=%s removed=%u quarantine=%s size=%"
	    G_GUINT64_FORMAT " time=%.3fs%s%s%s%s%s%s", qid, addr, from, to->str,
	    lm->lm_verdict != NULL ? lm->lm_verdict : "-",
	    lm->lm_engine != NULL ? lm->lm_engine : "-",
	    lm->lm_action != NULL ? lm->lm_action : "-", lm->lm_removed,
	    lm->lm_quarantine_id != NULL ? lm->lm_quarantine_id : "-",
	    lm->lm_size, (double)lm->lm_usec / 1e6,
	    lm->lm_limit != NULL ? " limit=" : "",
	    lm->lm_limit != NULL ? lm->lm_limit : "",
	    lm->lm_charset_fallback ? " charset=utf-8-fallback" : "",
	    reason != NULL ? " reason=\"" : "", reason != NULL ? reason : "",
	    reason != NULL ? "\"" : "");
	g_free(reason);
	g_string_free(to, TRUE);
	g_free(from);
	g_free(addr);
	g_free(qid);
}
