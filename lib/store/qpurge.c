/*
 * mugai_quarantine purge - removing old items and what crashes left in tmp/
 *
 * Walks YYYY/MM/DD in date order from the store's descriptor, one name
 * at a time without following a link (lib/store/qdir.h), up to the
 * cutoff's day. An old item is renamed into tmp/ as a whole, then
 * deleted there (unlinking links, never descending through them), with
 * one "purged" audit line. A level or item that is a link, or not a
 * directory, is left where it is: a "purged"/"failed" audit line and the
 * caller's list name it, so that a link planted by the store's owner is
 * reported, not followed. tmp/ entries untouched for an hour go too.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "store/quarantine_int.h"

guint
mugai_quarantine_clean_tmp(struct mugai_quarantine *q, gint64 now_usec)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct dirent *de;
	guint n = 0;
	DIR *d;
	int fd;

	if ((fd = openat(q->qs_tmpfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		g_ptr_array_free(names, TRUE);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			g_ptr_array_add(names, g_strdup(de->d_name));
	closedir(d);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);

		if (now_usec - mugai_qdir_newest_mtime(q->qs_tmpfd, name) >
		    MUGAI_QUARANTINE_TMP_STALE_USEC &&
		    mugai_qdir_remove(q->qs_tmpfd, name, 2) == 0)
			n++;
	}
	g_ptr_array_free(names, TRUE);
	return n;
}

GPtrArray *
mugai_quarantine_entries(const char *dir, gsize n)
{
	GPtrArray *names;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return g_ptr_array_new_with_free_func(g_free);
	names = mugai_qdir_entries(fd, n);
	close(fd);
	return names;
}

/* What one purge run is doing. */
struct purge {
	struct mugai_quarantine *pu_q;
	const char *pu_actor;
	gint64 pu_cutoff;
	char pu_cday[9];		/* UTC YYYYMMDD of the cutoff */
	guint pu_count;
	GPtrArray *pu_refused;		/* may be NULL */
	enum mugai_err pu_err;		/* the first error */
};

static void
purge_fail(struct purge *pu, enum mugai_err err)
{
	if (pu->pu_err == MUGAI_OK)
		pu->pu_err = err;
}

/*
 * Something in the store's tree that is not a plain directory (a link
 * planted by the store's owner, or a file): left where it is, with a
 * "purged"/"failed" audit line naming it and a line for the caller.
 */
static void
purge_refuse(struct purge *pu, const char *path, const char *id,
    int errnum)
{
	JsonObject *extra = json_object_new();

	json_object_set_string_member(extra, "path", path);
	json_object_set_string_member(extra, "error",
	    mugai_qdir_strerror(errnum));
	(void)mugai_audit_append(pu->pu_q->qs_audit, "purged", id,
	    pu->pu_actor, "failed", extra);
	json_object_unref(extra);
	if (pu->pu_refused != NULL)
		g_ptr_array_add(pu->pu_refused, g_strdup_printf("%s: %s",
		    path, mugai_qdir_strerror(errnum)));
	purge_fail(pu, MUGAI_E_PERM);
}

static void
purge_item(struct purge *pu, int dayfd, const char *path, const char *id)
{
	struct mugai_quarantine *q = pu->pu_q;
	g_autofree char *tmp = NULL, *ipath = NULL;
	enum mugai_err err = MUGAI_OK;
	JsonObject *extra;
	struct stat st;

	ipath = g_strdup_printf("%s/%s", path, id);
	if (fstatat(dayfd, id, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)	/* ENOENT: another purge took it */
			purge_fail(pu, mugai_err_from_errno(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		purge_refuse(pu, ipath, id, S_ISLNK(st.st_mode) ? ELOOP :
		    ENOTDIR);
		return;
	}
	/*
	 * Out of sight first, as a whole; deletion follows. Swapped for a
	 * link since the fstatat, it is the link that moves into tmp/ and
	 * the link that is unlinked there: nothing outside is touched.
	 */
	extra = json_object_new();
	tmp = g_strdup_printf("purge-%s.%d", id, (int)getpid());
	if (renameat(dayfd, id, q->qs_tmpfd, tmp) != 0) {
		err = mugai_err_from_errno(errno);
		json_object_set_string_member(extra, "error",
		    g_strerror(errno));
	} else if (mugai_qdir_remove(q->qs_tmpfd, tmp, 2) != 0) {
		/* It is out of the store; a later purge finishes tmp/. */
		json_object_set_string_member(extra, "error",
		    g_strerror(errno));
	}
	if (err != MUGAI_E_NOTFOUND) {
		enum mugai_err aerr = mugai_audit_append(q->qs_audit,
		    "purged", id, pu->pu_actor, err == MUGAI_OK ? "ok" :
		    "failed", extra);

		if (err == MUGAI_OK)
			mugai_quarantine_journal_event(q, "purged", id,
			    pu->pu_actor, "ok", NULL);
		if (err == MUGAI_OK && aerr == MUGAI_OK)
			pu->pu_count++;
		purge_fail(pu, err != MUGAI_OK ? err : aerr);
	}
	json_object_unref(extra);
}

/* Purges the items of one day directory older than the cutoff. */
static void
purge_day(struct purge *pu, int dayfd, const char *path)
{
	GPtrArray *ids = mugai_qdir_entries(dayfd, 0);

	for (guint i = 0; i < ids->len; i++) {
		const char *id = g_ptr_array_index(ids, i);
		gint64 t;

		if (mugai_qid_time(id, &t) && t < pu->pu_cutoff)
			purge_item(pu, dayfd, path, id);
	}
	g_ptr_array_free(ids, TRUE);
}

/*
 * Opens the level directory name in parent for the purge; a link or a
 * file there is refused and reported. -1 when it cannot be walked.
 */
static int
purge_open(struct purge *pu, int parent, const char *path)
{
	const char *name = strrchr(path, '/');
	int fd;

	name = name != NULL ? name + 1 : path;
	if ((fd = mugai_qdir_open(parent, name)) >= 0)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR)
		purge_refuse(pu, path, NULL, errno);
	else if (errno != ENOENT)
		purge_fail(pu, mugai_err_from_errno(errno));
	return -1;
}

/*
 * Walks one level (depth 0 years, 1 months, 2 days) under fd, whose
 * store-relative path is path ("" at the top), in date order up to the
 * cutoff's day. Directories wholly before that day are removed once empty.
 */
static void
purge_level(struct purge *pu, int fd, const char *path, int depth)
{
	GPtrArray *names = mugai_qdir_entries(fd, depth == 0 ? 4 : 2);

	/* Directories sort by date: stop at the first one past the cutoff. */
	for (guint i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);
		g_autofree char *sub = *path != '\0' ?
		    g_strdup_printf("%s/%s", path, n) : g_strdup(n);
		g_auto(GStrv) parts = g_strsplit(sub, "/", -1);
		g_autofree char *date = g_strjoinv("", parts);
		int cmp, child;

		/* "2026/10/27" -> "20261027": compared with the cutoff day. */
		cmp = strncmp(date, pu->pu_cday, strlen(date));
		if (cmp > 0)
			break;
		if ((child = purge_open(pu, fd, sub)) < 0)
			continue;
		if (depth < 2)
			purge_level(pu, child, sub, depth + 1);
		else
			purge_day(pu, child, sub);
		close(child);
		/* Only what lies wholly before the cutoff's day, once empty. */
		if (cmp < 0)
			(void)unlinkat(fd, n, AT_REMOVEDIR);
	}
	g_ptr_array_free(names, TRUE);
}

enum mugai_err
mugai_quarantine_purge(struct mugai_quarantine *q, gint64 days,
    gint64 now_usec, const char *actor, guint *purged, GPtrArray *refused)
{
	struct purge pu = { q, actor, 0, "", 0, refused, MUGAI_OK };
	g_autoptr(GDateTime) cdt = NULL;
	g_autofree char *cday = NULL;

	pu.pu_cutoff = now_usec - days * 86400 * G_USEC_PER_SEC;
	cdt = g_date_time_new_from_unix_utc(pu.pu_cutoff / G_USEC_PER_SEC);
	cday = g_date_time_format(cdt, "%Y%m%d");
	g_strlcpy(pu.pu_cday, cday, sizeof pu.pu_cday);
	purge_level(&pu, q->qs_fd, "", 0);
	(void)mugai_quarantine_clean_tmp(q, now_usec);
	if (purged != NULL)
		*purged = pu.pu_count;
	return pu.pu_err;
}
