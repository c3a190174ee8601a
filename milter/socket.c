/*
 * mugai_socket - parse and manage the milter listening socket
 *
 * libmilter binds the socket (smfi_opensocket); this module checks the
 * spec first, clears a stale unix socket safely (only a socket nobody
 * answers on) and sets the unix socket's mode and group afterwards.
 */
#include "autoconfig.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "socket.h"

static enum mugai_err fail(char **message, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static enum mugai_err
fail(char **message, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return MUGAI_E_INVAL;
}

/* Parses "PORT" or "PORT@ADDR" after the family prefix. */
static enum mugai_err
parse_inet(const char *p, struct mugai_sockspec *out, char **message)
{
	const char *at = strchr(p, '@');
	char *port = at != NULL ? g_strndup(p, (gsize)(at - p)) : g_strdup(p);
	char *end = NULL;
	guint64 v;

	v = g_ascii_strtoull(port, &end, 10);
	if (*port == '\0' || !g_ascii_isdigit(*port) || end == NULL ||
	    *end != '\0' || v == 0 || v > 65535) {
		enum mugai_err err = fail(message, "bad port \"%s\"", port);

		g_free(port);
		return err;
	}
	g_free(port);
	out->ss_port = (guint)v;
	if (at != NULL) {
		if (at[1] == '\0')
			return fail(message, "empty address after '@'");
		out->ss_addr = g_strdup(at + 1);
	}
	return MUGAI_OK;
}

enum mugai_err
mugai_socket_parse(const char *spec, struct mugai_sockspec *out,
    char **message)
{
	const char *path = NULL;
	enum mugai_err err;

	memset(out, 0, sizeof *out);
	*message = NULL;
	if (spec == NULL || *spec == '\0')
		return fail(message, "empty socket");
	if (g_str_has_prefix(spec, "inet:")) {
		out->ss_family = MUGAI_SOCK_INET;
		err = parse_inet(spec + 5, out, message);
	} else if (g_str_has_prefix(spec, "inet6:")) {
		out->ss_family = MUGAI_SOCK_INET6;
		err = parse_inet(spec + 6, out, message);
	} else {
		if (g_str_has_prefix(spec, "unix:"))
			path = spec + 5;
		else if (g_str_has_prefix(spec, "local:"))
			path = spec + 6;
		else if (*spec == '/')
			path = spec;
		else
			return fail(message, "unknown socket type in \"%s\" "
			    "(inet:PORT@ADDR, inet6:PORT@ADDR or unix:PATH)",
			    spec);
		if (*path != '/')
			return fail(message, "unix socket path \"%s\" is not "
			    "absolute", path);
		if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return fail(message, "unix socket path \"%s\" is too "
			    "long", path);
		out->ss_family = MUGAI_SOCK_UNIX;
		out->ss_path = g_strdup(path);
		err = MUGAI_OK;
	}
	if (err != MUGAI_OK)
		mugai_socket_clear(out);
	return err;
}

void
mugai_socket_clear(struct mugai_sockspec *ss)
{
	g_clear_pointer(&ss->ss_addr, g_free);
	g_clear_pointer(&ss->ss_path, g_free);
}

/* TRUE when something accepts connections on the unix socket path. */
static gboolean
unix_alive(const char *path)
{
	struct sockaddr_un sun;
	gboolean alive;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return FALSE;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	g_strlcpy(sun.sun_path, path, sizeof sun.sun_path);
	alive = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return alive;
}

enum mugai_err
mugai_socket_prepare(const struct mugai_sockspec *ss, char **message)
{
	struct stat st;

	*message = NULL;
	if (ss->ss_family != MUGAI_SOCK_UNIX)
		return MUGAI_OK;
	if (lstat(ss->ss_path, &st) < 0)
		return errno == ENOENT ? MUGAI_OK : mugai_err_from_errno(errno);
	if (!S_ISSOCK(st.st_mode)) {
		*message = g_strdup_printf("%s exists and is not a socket",
		    ss->ss_path);
		return MUGAI_E_PERM;
	}
	if (unix_alive(ss->ss_path)) {
		*message = g_strdup_printf("%s: another milter is listening",
		    ss->ss_path);
		return MUGAI_E_INVAL;
	}
	if (unlink(ss->ss_path) < 0) {
		*message = g_strdup_printf("%s: cannot remove stale socket: %s",
		    ss->ss_path, g_strerror(errno));
		return mugai_err_from_errno(errno);
	}
	return MUGAI_OK;
}

enum mugai_err
mugai_socket_finish(const struct mugai_sockspec *ss, unsigned mode,
    const char *group, char **message)
{
	*message = NULL;
	if (ss->ss_family != MUGAI_SOCK_UNIX)
		return MUGAI_OK;
	if (group != NULL && *group != '\0') {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			*message = g_strdup_printf("unknown socket group %s",
			    group);
			return MUGAI_E_CONFIG;
		}
		if (chown(ss->ss_path, (uid_t)-1, gr->gr_gid) < 0) {
			*message = g_strdup_printf("chown %s: %s", ss->ss_path,
			    g_strerror(errno));
			return mugai_err_from_errno(errno);
		}
	}
	if (chmod(ss->ss_path, (mode_t)mode) < 0) {
		*message = g_strdup_printf("chmod %s: %s", ss->ss_path,
		    g_strerror(errno));
		return mugai_err_from_errno(errno);
	}
	return MUGAI_OK;
}
