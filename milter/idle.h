/*
 * mugai_idle - close MTA connections idle past [milter] timeout
 *
 * smfi_settimeout() alone does not do it: libmilter applies the timeout
 * to each read inside a packet, but a connection waiting between packets
 * sits in libmilter's poll set (Debian builds its worker pool), which it
 * sweeps for old sessions only every 10 minutes. A client that stalls
 * mid-message would keep its message context and spool that long.
 *
 * Each connection is registered with its socket (mugai_mta_socket) when
 * its context is created, marked busy while any of its callbacks runs
 * (sanitizing at end of message is work, not idleness) and removed at
 * xxfi_close, before libmilter closes the socket. A thread checks the
 * registered connections every second or so; one idle for longer than the
 * timeout gets shutdown(SHUT_RDWR) (never close(): the descriptor stays
 * libmilter's), so libmilter reads end of file and ends the session the
 * ordinary way, through xxfi_abort and xxfi_close. A connection whose
 * socket cannot be known, or that never negotiated, is left to libmilter.
 */
#ifndef MUGAI_IDLE_H
#define MUGAI_IDLE_H

#include <glib.h>

/* Starts the checking thread; returns FALSE when it cannot. */
gboolean mugai_idle_start(guint timeout_seconds);

/* Stops and joins the thread (at exit); nothing when not started. */
void mugai_idle_stop(void);

/*
 * Registers the connection identified by key (lent; the caller keeps it
 * alive until mugai_idle_remove) on socket fd. fd < 0, or a descriptor
 * that is not a connected stream socket: not registered, FALSE.
 */
gboolean mugai_idle_add(const void *key, int fd);

/*
 * busy: a callback for key runs (never idle meanwhile); !busy: it
 * returned, idle time counts from now. Unknown keys are ignored.
 */
void mugai_idle_busy(const void *key, gboolean busy);

/* Forgets key (xxfi_close). After it returns, fd is never touched. */
void mugai_idle_remove(const void *key);

#endif
