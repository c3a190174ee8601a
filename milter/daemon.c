/*
 * mugai_daemon - detach, drop privileges, pid file
 *
 * The order in main is: bind the socket (may need root), drop to the
 * configured user, detach, write the pid file (as that user, so it can
 * also remove it at exit).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "daemon.h"

static enum mugai_err
failed(char **message, const char *what, const char *arg)
{
	int e = errno;

	*message = g_strdup_printf("%s %s: %s", what, arg, g_strerror(e));
	return mugai_err_from_errno(e);
}

enum mugai_err
mugai_daemon_drop(const char *user, const char *group, char **message)
{
	struct passwd *pw;
	gid_t gid;

	*message = NULL;
	if (geteuid() != 0)
		return MUGAI_OK;
	if (user == NULL || *user == '\0') {
		*message = g_strdup("running as root needs [milter] user");
		return MUGAI_E_CONFIG;
	}
	if ((pw = getpwnam(user)) == NULL) {
		*message = g_strdup_printf("unknown user %s", user);
		return MUGAI_E_CONFIG;
	}
	gid = pw->pw_gid;
	if (group != NULL && *group != '\0') {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			*message = g_strdup_printf("unknown group %s", group);
			return MUGAI_E_CONFIG;
		}
		gid = gr->gr_gid;
	}
	if (initgroups(user, gid) < 0)
		return failed(message, "initgroups", user);
	if (setgid(gid) < 0)
		return failed(message, "setgid", group != NULL ? group : "");
	if (setuid(pw->pw_uid) < 0)
		return failed(message, "setuid", user);
	/* Paranoia: a drop that can be undone did not happen. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		*message = g_strdup("could regain root after dropping it");
		return MUGAI_E_PERM;
	}
	return MUGAI_OK;
}

enum mugai_err
mugai_daemon_detach(char **message)
{
	pid_t pid;
	int fd;

	*message = NULL;
	if ((pid = fork()) < 0)
		return failed(message, "fork", "");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return failed(message, "setsid", "");
	if ((pid = fork()) < 0)
		return failed(message, "fork", "");
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return failed(message, "chdir", "/");
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return failed(message, "open", "/dev/null");
	(void)dup2(fd, 0);
	(void)dup2(fd, 1);
	(void)dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return MUGAI_OK;
}

enum mugai_err
mugai_daemon_pidfile_write(const char *path, char **message)
{
	char buf[32];
	GError *err = NULL;

	*message = NULL;
	if (path == NULL || *path == '\0')
		return MUGAI_OK;
	g_snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (!g_file_set_contents(path, buf, -1, &err)) {
		*message = g_strdup(err->message);
		g_error_free(err);
		return MUGAI_E_IO;
	}
	(void)g_chmod(path, 0644);
	return MUGAI_OK;
}

void
mugai_daemon_pidfile_remove(const char *path)
{
	char *text = NULL;
	char *end = NULL;
	guint64 pid;

	if (path == NULL || *path == '\0' ||
	    !g_file_get_contents(path, &text, NULL, NULL))
		return;
	pid = g_ascii_strtoull(text, &end, 10);
	if (end != text && (*end == '\n' || *end == '\0') &&
	    pid == (guint64)getpid())
		(void)g_unlink(path);
	g_free(text);
}
