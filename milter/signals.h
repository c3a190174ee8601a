/*
 * mugai_signals - one thread owns SIGHUP, SIGUSR1, SIGTERM and SIGINT
 *
 * mugai_signals_block() must run in main before any thread exists, so
 * every thread (libmilter's included) inherits the mask and only the
 * signal thread, in sigwaitinfo(), ever takes these signals.
 * SIGUSR1 and SIGHUP call reload(); SIGTERM and SIGINT call stop() once.
 * Between signals, tick() runs about every MUGAI_SIGNALS_TICK seconds
 * (periodic work such as the stats line).
 */
#ifndef MUGAI_SIGNALS_H
#define MUGAI_SIGNALS_H

#include <glib.h>

/* Blocks the signals in the calling thread (and threads it creates). */
void mugai_signals_block(void);

#define MUGAI_SIGNALS_TICK 10

/* Starts the signal thread; FALSE when it could not be created. */
gboolean mugai_signals_start(void (*reload)(void), void (*stop)(void),
    void (*tick)(void));

#endif
