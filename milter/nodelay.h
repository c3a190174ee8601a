/*
 * mugai_nodelay - TCP_NODELAY on libmilter's listening TCP socket
 *
 * libmilter neither sets TCP_NODELAY nor exposes its listening descriptor.
 * At end of message mugai writes several small replies in a row (header
 * changes, body chunks, the verdict); with Nagle's algorithm the second
 * one waits until the MTA's delayed ACK, about 40 to 200 ms per message
 * over TCP. On Linux an accepted socket inherits TCP_NODELAY from its
 * listener, so setting it once on the listener after smfi_opensocket()
 * covers every connection. Unix sockets have no Nagle: nothing to do.
 */
#ifndef MUGAI_NODELAY_H
#define MUGAI_NODELAY_H

#include <glib.h>

/*
 * TRUE when fd is a listening stream socket of family AF_INET or AF_INET6
 * bound to port. Any other descriptor (a file, a unix socket, a connected
 * TCP socket on that local port) is FALSE.
 */
gboolean mugai_nodelay_is_listener(int fd, guint port);

/*
 * Sets TCP_NODELAY on every descriptor of this process that
 * mugai_nodelay_is_listener(fd, port) accepts; descriptors come from
 * /proc/self/fd, or 0 to 1023 without /proc. Returns how many sockets now
 * have it; a failing setsockopt is logged and not counted.
 */
guint mugai_nodelay_listeners(guint port);

/*
 * TCP_CORK on (or off) for a connection's socket fd: while it is on, the
 * header changes and body chunks written at end of message leave as full
 * segments instead of one segment (and one wakeup of the MTA) each;
 * turning it off sends what is held at once. Nothing for a unix socket
 * or fd < 0; a failure only costs the coalescing.
 */
void mugai_nodelay_cork(int fd, gboolean on);

#endif
