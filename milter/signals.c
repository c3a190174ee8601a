/*
 * mugai_signals - the signal thread, and keeping SIGHUP from libmilter
 *
 * libmilter's smfi_main() starts its own thread that sigwait()s for
 * SIGHUP, SIGTERM and SIGINT and stops the milter on any of them. With
 * two threads waiting, which one takes a signal is up to the kernel, so a
 * SIGHUP meant as "reload" could stop the daemon. libmilter reaches
 * sigwait() through the dynamic symbol table; the definition below wins
 * and takes SIGHUP and SIGUSR1 out of the set it waits for. SIGTERM and
 * SIGINT stay in: whichever thread takes them, the milter stops cleanly.
 * Our own thread uses sigwaitinfo(), which this does not touch.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "log.h"
#include "signals.h"

static void (*on_reload)(void);
static void (*on_stop)(void);
static void (*on_tick)(void);

static void
our_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

int
sigwait(const sigset_t *restrict set, int *restrict sig)
{
	sigset_t theirs = *set;

	sigdelset(&theirs, SIGHUP);
	sigdelset(&theirs, SIGUSR1);
	for (;;) {
		int r = sigwaitinfo(&theirs, NULL);

		if (r > 0) {
			*sig = r;
			return 0;
		}
		if (errno != EINTR)
			return errno;
	}
}

void
mugai_signals_block(void)
{
	sigset_t set;

	our_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A vanished MTA must not kill the daemon mid-write. */
	signal(SIGPIPE, SIG_IGN);
}

static void *
signal_thread(void *arg)
{
	const struct timespec tick = { MUGAI_SIGNALS_TICK, 0 };
	sigset_t set;

	our_set(&set);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &tick);

		if (sig < 0) {
			if (errno == EAGAIN)
				on_tick();
			continue;	/* or EINTR */
		}
		if (sig == SIGHUP || sig == SIGUSR1) {
			mugai_log(LOG_INFO, "signal %d: reloading the "
			    "configuration", sig);
			on_reload();
			continue;
		}
		mugai_log(LOG_INFO, "signal %d: stopping", sig);
		on_stop();
		return NULL;
	}
}

gboolean
mugai_signals_start(void (*reload)(void), void (*stop)(void),
    void (*tick)(void))
{
	pthread_t tid;

	on_reload = reload;
	on_stop = stop;
	on_tick = tick;
	if (pthread_create(&tid, NULL, signal_thread, NULL) != 0)
		return FALSE;
	pthread_detach(tid);
	return TRUE;
}
