/*
 * mugai_stats - counters since the daemon started, for one log line
 *
 * One mutex around a small struct: a message takes it once, at the end,
 * which costs nothing next to the message itself.
 */
#include "autoconfig.h"

#include <string.h>

#include "log.h"
#include "stats.h"

/* Verdicts counted by name; anything else counts as "other". */
static const char *const verdicts[] = {
	"unchanged", "sanitized", "withheld", "reject", "tempfail",
	"released", "too-big", "error", NULL
};
#define N_VERDICTS (G_N_ELEMENTS(verdicts) - 1)
static const char *const actions[] = {
	"continue", "reject", "tempfail", NULL
};
#define N_ACTIONS (G_N_ELEMENTS(actions) - 1)

static struct {
	guint64 messages;
	guint64 stream, gmime;
	guint64 verdict[N_VERDICTS + 1];	/* + other */
	guint64 action[N_ACTIONS + 1];
	guint64 body_replaced, body_untouched;
	guint64 kept;
	guint64 bytes;
	gint64 usec;
} st;
static GMutex st_lock;

/* Index of s in the NULL-terminated names, or of the NULL (other). */
static guint
index_of(const char *const *names, const char *s)
{
	guint i = 0;

	while (names[i] != NULL && g_strcmp0(names[i], s) != 0)
		i++;
	return i;
}

static gboolean
passes_as_it_came(const char *verdict)
{
	return g_strcmp0(verdict, "unchanged") == 0 ||
	    g_strcmp0(verdict, "released") == 0;
}

void
mugai_stats_add(const struct mugai_stats_msg *sm)
{
	guint v = index_of(verdicts, sm->sm_verdict);
	guint a = index_of(actions, sm->sm_action);

	g_mutex_lock(&st_lock);
	st.messages++;
	if (g_strcmp0(sm->sm_engine, "stream") == 0)
		st.stream++;
	else if (g_strcmp0(sm->sm_engine, "gmime") == 0)
		st.gmime++;
	st.verdict[v]++;
	st.action[a]++;
	/* Passed on without a new body: what the fast path is for. */
	if (sm->sm_body_replaced)
		st.body_replaced++;
	else if (passes_as_it_came(sm->sm_verdict))
		st.body_untouched++;
	if (sm->sm_kept)
		st.kept++;
	st.bytes += sm->sm_size;
	st.usec += sm->sm_usec;
	g_mutex_unlock(&st_lock);
}

char *
mugai_stats_format(void)
{
	GString *s = g_string_new(NULL);

	g_mutex_lock(&st_lock);
	g_string_append_printf(s, "messages=%" G_GUINT64_FORMAT
	    " engine_stream=%" G_GUINT64_FORMAT
	    " engine_gmime=%" G_GUINT64_FORMAT, st.messages, st.stream,
	    st.gmime);
	for (guint v = 0; v <= N_VERDICTS; v++)
		g_string_append_printf(s, " %s=%" G_GUINT64_FORMAT,
		    verdicts[v] != NULL ? verdicts[v] : "other",
		    st.verdict[v]);
	for (guint a = 0; a < N_ACTIONS; a++)
		g_string_append_printf(s, " action_%s=%" G_GUINT64_FORMAT,
		    actions[a], st.action[a]);
	g_string_append_printf(s, " body_replaced=%" G_GUINT64_FORMAT
	    " body_untouched=%" G_GUINT64_FORMAT " kept=%" G_GUINT64_FORMAT
	    " bytes=%" G_GUINT64_FORMAT " avg_time=%.4fs", st.body_replaced,
	    st.body_untouched, st.kept, st.bytes, st.messages > 0 ?
	    (double)st.usec / 1e6 / (double)st.messages : 0.0);
	g_mutex_unlock(&st_lock);
	return g_string_free(s, FALSE);
}

void
mugai_stats_log(const char *why)
{
	char *s = mugai_stats_format();

	mugai_log(LOG_INFO, "stats (%s): %s", why, s);
	g_free(s);
}

void
mugai_stats_reset(void)
{
	g_mutex_lock(&st_lock);
	memset(&st, 0, sizeof st);
	g_mutex_unlock(&st_lock);
}
