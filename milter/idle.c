/*
 * mugai_idle - close MTA connections idle past [milter] timeout
 *
 * One table (key -> socket, last activity, busy) under one mutex. The
 * checking thread holds the mutex while it calls shutdown(), and
 * mugai_idle_remove() takes it too, so a descriptor is never shut down
 * after its connection was removed (libmilter closes it only after
 * xxfi_close) and so never after its number was reused. See idle.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib.h>

#include "idle.h"
#include "log.h"

struct idle_conn {
	int ic_fd;
	gint64 ic_last;		/* g_get_monotonic_time() of last activity */
	gboolean ic_busy;
	gboolean ic_shut;	/* shut down already: once is enough */
};

static GMutex lock;
static GCond wake;
static GHashTable *conns;	/* key -> struct idle_conn */
static GThread *thread;
static gboolean stopping;
static gint64 timeout_us;

static gpointer
run(gpointer data)
{
	/* Check often enough that a close comes at most ~25% late. */
	gint64 step = CLAMP(timeout_us / 4, G_USEC_PER_SEC / 2,
	    60 * G_USEC_PER_SEC);

	(void)data;
	g_mutex_lock(&lock);
	while (!stopping) {
		gint64 now = g_get_monotonic_time();
		GHashTableIter it;
		gpointer v;

		g_hash_table_iter_init(&it, conns);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct idle_conn *ic = v;

			if (ic->ic_busy || ic->ic_shut ||
			    now - ic->ic_last <= timeout_us)
				continue;
			ic->ic_shut = TRUE;
			if (shutdown(ic->ic_fd, SHUT_RDWR) < 0) {
				mugai_log(LOG_WARNING, "idle connection (fd "
				    "%d): shutdown: %s", ic->ic_fd,
				    g_strerror(errno));
				continue;
			}
			mugai_log(LOG_INFO, "MTA connection idle for %"
			    G_GINT64_FORMAT " s (timeout %" G_GINT64_FORMAT
			    " s): closed", (now - ic->ic_last) /
			    G_USEC_PER_SEC, timeout_us / G_USEC_PER_SEC);
		}
		(void)g_cond_wait_until(&wake, &lock,
		    g_get_monotonic_time() + step);
	}
	g_mutex_unlock(&lock);
	return NULL;
}

gboolean
mugai_idle_start(guint timeout_seconds)
{
	g_mutex_lock(&lock);
	if (conns == NULL)
		conns = g_hash_table_new_full(g_direct_hash, g_direct_equal,
		    NULL, g_free);
	timeout_us = (gint64)timeout_seconds * G_USEC_PER_SEC;
	stopping = FALSE;
	g_mutex_unlock(&lock);
	if (thread == NULL)
		thread = g_thread_try_new("mugai-idle", run, NULL, NULL);
	return thread != NULL;
}

void
mugai_idle_stop(void)
{
	if (thread == NULL)
		return;
	g_mutex_lock(&lock);
	stopping = TRUE;
	g_cond_signal(&wake);
	g_mutex_unlock(&lock);
	g_thread_join(thread);
	thread = NULL;
	g_mutex_lock(&lock);
	g_clear_pointer(&conns, g_hash_table_unref);
	g_mutex_unlock(&lock);
}

gboolean
mugai_idle_add(const void *key, int fd)
{
	struct idle_conn *ic;
	struct stat st;
	socklen_t len;
	int type = 0, listening = 1;

	len = sizeof type;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		return FALSE;
	len = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    listening != 0)
		return FALSE;
	ic = g_new0(struct idle_conn, 1);
	ic->ic_fd = fd;
	ic->ic_last = g_get_monotonic_time();
	g_mutex_lock(&lock);
	if (conns != NULL)
		g_hash_table_replace(conns, (gpointer)key, ic);
	else
		g_clear_pointer(&ic, g_free);
	g_mutex_unlock(&lock);
	return ic != NULL;
}

void
mugai_idle_busy(const void *key, gboolean busy)
{
	struct idle_conn *ic;

	g_mutex_lock(&lock);
	if (conns != NULL &&
	    (ic = g_hash_table_lookup(conns, key)) != NULL) {
		ic->ic_busy = busy;
		ic->ic_last = g_get_monotonic_time();
	}
	g_mutex_unlock(&lock);
}

void
mugai_idle_remove(const void *key)
{
	g_mutex_lock(&lock);
	if (conns != NULL)
		(void)g_hash_table_remove(conns, key);
	g_mutex_unlock(&lock);
}
