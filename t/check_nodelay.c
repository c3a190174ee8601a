/*
 * check_nodelay - milter/nodelay.c: the TCP listener is found among the
 * process's descriptors, gets TCP_NODELAY, and connections accepted from
 * it have TCP_NODELAY too (what removes the delayed-ACK stall, issue 6).
 * Other descriptors (another port, unix, UDP, connected sockets, files)
 * are left alone.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "nodelay.h"
#include "testutil.h"

/* A listening (backlog 4) or just bound socket on addr:0; sets *port. */
static int
bound_socket(int family, int type, gboolean listening, guint *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof *sin6;
	}
	if ((fd = socket(family, type, 0)) < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (listening && listen(fd, 4) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int
nodelay_of(int fd)
{
	int v = -1;
	socklen_t len = sizeof v;

	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len),
	    0);
	return v;
}

/* Connects to 127.0.0.1 or ::1 port; returns the accepted descriptor. */
static int
connect_accept(int listener, int family, guint port, int *client)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons((guint16)port);
		len = sizeof *sin;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons((guint16)port);
		len = sizeof *sin6;
	}
	*client = socket(family, SOCK_STREAM, 0);
	ck_assert_int_ge(*client, 0);
	ck_assert_int_eq(connect(*client, (struct sockaddr *)&ss, len), 0);
	fd = accept(listener, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(sets_the_ipv4_listener_and_accepted_sockets_inherit_it)
{
	guint port, other_port, udp_port;
	int lfd = bound_socket(AF_INET, SOCK_STREAM, TRUE, &port);
	int other = bound_socket(AF_INET, SOCK_STREAM, TRUE, &other_port);
	int udp, client, afd;

	ck_assert_int_ge(lfd, 0);
	ck_assert_int_ge(other, 0);
	/* A connection accepted before the change: it keeps Nagle. */
	afd = connect_accept(lfd, AF_INET, port, &client);
	ck_assert_int_eq(nodelay_of(lfd), 0);
	ck_assert_int_eq(nodelay_of(afd), 0);
	close(afd);
	close(client);

	ck_assert_uint_eq(mugai_nodelay_listeners(port), 1);
	ck_assert_int_ne(nodelay_of(lfd), 0);
	ck_assert_int_eq(nodelay_of(other), 0);

	/* What matters: every connection accepted from now on has it. */
	for (int i = 0; i < 3; i++) {
		afd = connect_accept(lfd, AF_INET, port, &client);
		ck_assert_int_ne(nodelay_of(afd), 0);
		/* A connected socket on the port is no listener. */
		ck_assert(!mugai_nodelay_is_listener(afd, port));
		ck_assert_uint_eq(mugai_nodelay_listeners(port), 1);
		close(afd);
		close(client);
	}

	/* Same port number, other protocol. */
	udp = bound_socket(AF_INET, SOCK_DGRAM, FALSE, &udp_port);
	ck_assert_int_ge(udp, 0);
	ck_assert(!mugai_nodelay_is_listener(udp, udp_port));
	ck_assert_uint_eq(mugai_nodelay_listeners(udp_port), 0);
	close(udp);
	close(other);
	close(lfd);
	/* Nothing listens on it any more. */
	ck_assert_uint_eq(mugai_nodelay_listeners(port), 0);
}
END_TEST

START_TEST(sets_an_ipv6_listener)
{
	guint port;
	int lfd = bound_socket(AF_INET6, SOCK_STREAM, TRUE, &port);
	int client, afd;

	if (lfd < 0) {
		/* No ::1 here (IPv6 disabled): nothing to test. */
		ck_assert(errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL);
		return;
	}
	ck_assert_uint_eq(mugai_nodelay_listeners(port), 1);
	ck_assert_int_ne(nodelay_of(lfd), 0);
	afd = connect_accept(lfd, AF_INET6, port, &client);
	ck_assert_int_ne(nodelay_of(afd), 0);
	close(afd);
	close(client);
	close(lfd);
}
END_TEST

START_TEST(leaves_unix_sockets_files_and_bad_descriptors_alone)
{
	g_autofree char *dir = g_dir_make_tmp("check_nodelay.XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "s", NULL);
	struct sockaddr_un sun;
	int ufd, ffd;

	ck_assert_ptr_nonnull(dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	g_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
	ufd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(ufd, 0);
	ck_assert_int_eq(bind(ufd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(ufd, 1), 0);
	ck_assert(!mugai_nodelay_is_listener(ufd, 0));
	ffd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(ffd, 0);
	ck_assert(!mugai_nodelay_is_listener(ffd, 0));
	ck_assert(!mugai_nodelay_is_listener(-1, 0));
	ck_assert(!mugai_nodelay_is_listener(100000, 0));
	close(ffd);
	close(ufd);
	(void)unlink(path);
	(void)rmdir(dir);
}
END_TEST

static int
cork_of(int fd)
{
	int v = -1;
	socklen_t len = sizeof v;

	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len), 0);
	return v;
}

/* End of message: the changes held while corked, all sent on uncork. */
START_TEST(cork_holds_the_changes_and_uncork_sends_them)
{
	guint port;
	int lfd = bound_socket(AF_INET, SOCK_STREAM, TRUE, &port);
	int client, afd, sp[2];
	char buf[64] = { 0 };
	gsize got = 0;

	ck_assert_int_ge(lfd, 0);
	afd = connect_accept(lfd, AF_INET, port, &client);
	mugai_nodelay_cork(afd, TRUE);
	ck_assert_int_ne(cork_of(afd), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(write(afd, "edit", 4), 4);
	mugai_nodelay_cork(afd, FALSE);
	ck_assert_int_eq(cork_of(afd), 0);
	while (got < 16) {
		ssize_t n = read(client, buf + got, sizeof buf - got);

		ck_assert_int_gt(n, 0);
		got += (gsize)n;
	}
	ck_assert_int_eq(memcmp(buf, "edit" "edit" "edit" "edit", 16), 0);
	close(afd);
	close(client);
	close(lfd);
	/* A unix socket and no socket at all: nothing to do, no harm. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	mugai_nodelay_cork(sp[0], TRUE);
	mugai_nodelay_cork(sp[0], FALSE);
	mugai_nodelay_cork(-1, TRUE);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nodelay");

	mugai_log_init("check_nodelay", TRUE, 1);
	t_test(s, sets_the_ipv4_listener_and_accepted_sockets_inherit_it);
	t_test(s, sets_an_ipv6_listener);
	t_test(s, leaves_unix_sockets_files_and_bad_descriptors_alone);
	t_test(s, cork_holds_the_changes_and_uncork_sends_them);
	return t_run(s);
}
