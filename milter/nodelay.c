/*
 * mugai_nodelay - TCP_NODELAY on libmilter's listening TCP socket
 *
 * Finds the listener among this process's descriptors by what it is (a
 * stream socket, listening, IPv4 or IPv6, bound to the configured port),
 * never by its number, and sets TCP_NODELAY on it. See nodelay.h for why.
 */
#include "autoconfig.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib.h>

#include "log.h"
#include "nodelay.h"

/* Descriptors tried when /proc/self/fd cannot be read. */
#define FALLBACK_FDS 1024

gboolean
mugai_nodelay_is_listener(int fd, guint port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen = sizeof ss;
	socklen_t len;
	struct stat st;
	int type = 0, listening = 0;
	guint bound;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return FALSE;
	len = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_STREAM)
		return FALSE;
	len = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    listening == 0)
		return FALSE;
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
		return FALSE;
	if (ss.ss_family == AF_INET)
		bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return FALSE;
	return bound == port;
}

/* Sets TCP_NODELAY on fd when it is our listener; TRUE when it now has it. */
static gboolean
try_fd(int fd, guint port)
{
	int one = 1;

	if (!mugai_nodelay_is_listener(fd, port))
		return FALSE;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
		mugai_log(LOG_WARNING, "TCP_NODELAY on listening socket "
		    "(fd %d, port %u): %s", fd, port, g_strerror(errno));
		return FALSE;
	}
	mugai_log(LOG_DEBUG, "TCP_NODELAY set on listening socket (fd %d, "
	    "port %u)", fd, port);
	return TRUE;
}

void
mugai_nodelay_cork(int fd, gboolean on)
{
#ifdef TCP_CORK
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen = sizeof ss;
	int v = on ? 1 : 0;

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, sizeof v);
#else
	(void)fd;
	(void)on;
#endif
}

guint
mugai_nodelay_listeners(guint port)
{
	GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
	const char *name;
	guint n = 0;

	if (dir == NULL) {
		for (int fd = 0; fd < FALLBACK_FDS; fd++)
			n += try_fd(fd, port) ? 1 : 0;
		return n;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		char *end = NULL;
		guint64 fd = g_ascii_strtoull(name, &end, 10);

		/* The directory's own descriptor is listed too: not a socket. */
		if (g_ascii_isdigit(*name) && *end == '\0' && fd <= G_MAXINT)
			n += try_fd((int)fd, port) ? 1 : 0;
	}
	g_dir_close(dir);
	return n;
}
