/*
 * mugai_socket - the listening socket spec: parse it, prepare, finish
 *
 * Specs are libmilter's: inet:PORT@ADDR, inet:PORT (all addresses),
 * inet6:PORT@ADDR, unix:PATH (local:PATH and a bare /PATH too). Parsing is
 * pure and strict: a bad port, an empty address or a relative unix path is
 * MUGAI_E_INVAL with a message, never a guess.
 */
#ifndef MUGAI_SOCKET_H
#define MUGAI_SOCKET_H

#include <glib.h>

#include "base/err.h"

enum mugai_sock_family {
	MUGAI_SOCK_INET,
	MUGAI_SOCK_INET6,
	MUGAI_SOCK_UNIX,
};

struct mugai_sockspec {
	enum mugai_sock_family ss_family;
	guint ss_port;		/* inet, inet6 */
	char *ss_addr;		/* inet, inet6; NULL: any address */
	char *ss_path;		/* unix */
};

/*
 * Parses spec into *out (members owned by out, release with
 * mugai_socket_clear). On error returns MUGAI_E_INVAL and sets
 * *message (transfer full) to what is wrong; *out is then empty.
 */
enum mugai_err mugai_socket_parse(const char *spec,
    struct mugai_sockspec *out, char **message);

/* Frees what *ss owns. */
void mugai_socket_clear(struct mugai_sockspec *ss);

/*
 * Before binding a unix socket: a live socket at the path (another daemon
 * answers) is MUGAI_E_INVAL, a non-socket file is MUGAI_E_PERM (we never
 * delete it), a stale socket is removed. Other families: MUGAI_OK.
 */
enum mugai_err mugai_socket_prepare(const struct mugai_sockspec *ss,
    char **message);

/* After binding a unix socket: set mode and group (NULL or "": keep). */
enum mugai_err mugai_socket_finish(const struct mugai_sockspec *ss,
    unsigned mode, const char *group, char **message);

#endif
