/*
 * mugai_audit - append-only JSON-lines audit log on an O_APPEND descriptor
 *
 * One write(2) per line: on a local file system O_APPEND makes the seek and
 * the write one step, so concurrent writers never interleave or overwrite.
 * The descriptor is opened once and shared by every thread. A reopen (after
 * logrotate renamed the file) opens the name again under the store's top
 * directory, with the same checks (no link, a regular file of the store's
 * owner), and dup3()s the new file onto the same descriptor number: a
 * write racing with it lands whole in the old file or whole in the new
 * one, never on a closed descriptor.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"

struct mugai_audit {
	int au_fd;
	int au_dirfd;			/* the store's top, for reopen */
	char *au_name;
	gid_t au_gid;
	uid_t au_owner;
};

/* Returns a descriptor appending to dirfd/name, or -1 with *err. */
static int
open_log(int dirfd, const char *name, gid_t gid, uid_t owner,
    enum mugai_err *err)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO planted there must not hang us. */
	fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0640);
	if (fd < 0) {
		*err = errno == ELOOP ? MUGAI_E_PERM :
		    mugai_err_from_errno(errno);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*err = MUGAI_E_IO;
		return -1;
	}
	if (owner != (uid_t)-1 && st.st_uid != owner) {
		close(fd);
		*err = MUGAI_E_PERM;
		return -1;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* Only a log we just created gets our mode and group. */
	if (st.st_size == 0) {
		if (gid != (gid_t)-1 && st.st_gid != gid)
			(void)fchown(fd, (uid_t)-1, gid);
		(void)fchmod(fd, 0640);
	}
	*err = MUGAI_OK;
	return fd;
}

struct mugai_audit *
mugai_audit_open_at(int dirfd, const char *name, gid_t gid, uid_t owner,
    enum mugai_err *err)
{
	struct mugai_audit *a;
	int fd, dfd;

	if ((fd = open_log(dirfd, name, gid, owner, err)) < 0)
		return NULL;
	if ((dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		*err = mugai_err_from_errno(errno);
		close(fd);
		return NULL;
	}
	a = g_new0(struct mugai_audit, 1);
	a->au_fd = fd;
	a->au_dirfd = dfd;
	a->au_name = g_strdup(name);
	a->au_gid = gid;
	a->au_owner = owner;
	return a;
}

enum mugai_err
mugai_audit_reopen(struct mugai_audit *a)
{
	enum mugai_err err;
	int fd, r;

	if ((fd = open_log(a->au_dirfd, a->au_name, a->au_gid, a->au_owner,
	    &err)) < 0)
		return err;
	/* EBUSY: Linux, a race with an open() in another thread. */
	do
		r = dup3(fd, a->au_fd, O_CLOEXEC);
	while (r < 0 && (errno == EINTR || errno == EBUSY));
	if (r < 0)
		err = mugai_err_from_errno(errno);
	close(fd);
	return err;
}

void
mugai_audit_close(struct mugai_audit *a)
{
	if (a == NULL)
		return;
	close(a->au_fd);
	close(a->au_dirfd);
	g_free(a->au_name);
	g_free(a);
}

char *
mugai_audit_format(const char *event, const char *id, const char *actor,
    const char *outcome, JsonObject *extra)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format(now,
	    "%Y-%m-%dT%H:%M:%S.%fZ");
	g_autoptr(JsonGenerator) gen = json_generator_new();
	JsonObject *o = json_object_new();
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	char host[256];
	char *line;

	if (gethostname(host, sizeof host) != 0)
		g_strlcpy(host, "unknown", sizeof host);
	host[sizeof host - 1] = '\0';
	json_object_set_string_member(o, "time", when);
	json_object_set_string_member(o, "event", event);
	if (id != NULL)
		json_object_set_string_member(o, "id", id);
	else
		json_object_set_null_member(o, "id");
	json_object_set_string_member(o, "actor", actor != NULL ? actor : "");
	json_object_set_string_member(o, "outcome", outcome);
	json_object_set_string_member(o, "host", host);
	json_object_set_int_member(o, "pid", (gint64)getpid());
	if (extra != NULL) {
		GList *members = json_object_get_members(extra);

		for (GList *l = members; l != NULL; l = l->next)
			json_object_set_member(o, l->data,
			    json_object_dup_member(extra, l->data));
		g_list_free(members);
	}
	json_node_take_object(root, o);
	json_generator_set_root(gen, root);
	line = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	return line;
}

enum mugai_err
mugai_audit_append(struct mugai_audit *a, const char *event, const char *id,
    const char *actor, const char *outcome, JsonObject *extra)
{
	g_autofree char *line = mugai_audit_format(event, id, actor, outcome,
	    extra);
	GString *buf = g_string_new(line);
	enum mugai_err err = MUGAI_OK;
	ssize_t n;

	g_string_append_c(buf, '\n');
	do
		n = write(a->au_fd, buf->str, buf->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = mugai_err_from_errno(errno);
	else if ((gsize)n != buf->len)
		err = MUGAI_E_NOSPACE;	/* a short append: the disk is full */
	if (err == MUGAI_E_NOTFOUND)
		err = MUGAI_E_IO;
	g_string_free(buf, TRUE);
	return err;
}
