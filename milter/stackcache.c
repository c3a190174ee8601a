/*
 * mugai_stackcache - glibc's cache of thread stacks sized for libmilter's
 * worker threads
 *
 * Debian's libmilter runs sessions on a pool of worker threads: it
 * starts one when a session has a command to read and no worker is idle,
 * and a worker ends when it finds nothing to do and two others are idle.
 * At 32 concurrent MTA sessions on two cores that is about one thread
 * started and ended for every two messages (0.5 to 0.6 per message,
 * against 0.1 to 0.2 at 8 sessions: BENCHMARKS.md, session 10). glibc
 * keeps the stacks of ended threads for new ones, but only up to 40 MiB
 * (its tunable glibc.pthread.stack_cache_size): five stacks of the
 * default 8 MiB. Past five, every new worker maps a stack and every
 * ending one unmaps it, a TLB shootdown across the process's CPUs and
 * page faults on the next stack: about 5% of the milter's CPU at 32
 * sessions. A larger cache costs address space only (glibc gives a
 * stack's pages back when its thread ends, cached or not).
 *
 * The stacks stay 8 MiB: GMime parses a long address header recursively
 * (the mimekit corpus's messages__stack-overflow.eml needs over 1 MiB),
 * so a smaller stack would let a message crash the daemon.
 *
 * glibc reads tunables only when a program starts, so main() executes
 * the program once more with the tunable set, before anything else.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stackcache.h"

char *
mugai_stackcache_tunables(const char *current)
{
	const gsize len = strlen(MUGAI_STACKCACHE_TUNABLE);
	g_auto(GStrv) items = NULL;

	if (current == NULL || *current == '\0')
		return g_strdup_printf("%s=%" G_GUINT64_FORMAT,
		    MUGAI_STACKCACHE_TUNABLE, MUGAI_STACKCACHE_BYTES);
	/* Tunables are NAME=VALUE joined by ':'; a name is matched whole. */
	items = g_strsplit(current, ":", -1);
	for (guint i = 0; items[i] != NULL; i++)
		if (strncmp(items[i], MUGAI_STACKCACHE_TUNABLE, len) == 0 &&
		    (items[i][len] == '=' || items[i][len] == '\0'))
			return NULL;
	return g_strdup_printf("%s:%s=%" G_GUINT64_FORMAT, current,
	    MUGAI_STACKCACHE_TUNABLE, MUGAI_STACKCACHE_BYTES);
}

void
mugai_stackcache_reexec(char **argv)
{
	const char *cur = getenv(MUGAI_STACKCACHE_ENV);
	g_autofree char *old = g_strdup(cur);
	g_autofree char *val = mugai_stackcache_tunables(cur);
	int saved;

	if (val == NULL || argv == NULL || argv[0] == NULL)
		return;
	if (setenv(MUGAI_STACKCACHE_ENV, val, 1) != 0)
		return;
	(void)execv("/proc/self/exe", argv);
	/* No /proc, or no exec: run as we are, the environment as it was. */
	saved = errno;
	if (old != NULL)
		(void)setenv(MUGAI_STACKCACHE_ENV, old, 1);
	else
		(void)unsetenv(MUGAI_STACKCACHE_ENV);
	errno = saved;
}
