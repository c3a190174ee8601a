/*
 * mugai_qdir - openat(2)/O_NOFOLLOW walking of the store, and the drop to
 * its owner
 *
 * Every open here is relative to a descriptor and carries O_NOFOLLOW, so
 * the last component is never a link; the components before it are
 * descriptors we opened the same way. A file is opened O_NONBLOCK (a FIFO
 * planted in place of original.eml must not hang the command) and
 * checked with fstat(2) on the descriptor we then read, never by path.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/limits.h"
#include "store/qdir.h"
#include "store/qid.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

int
mugai_qdir_open_top(const char *dir, struct stat *st)
{
	struct stat own;
	int fd;

	if (st == NULL)
		st = &own;
	/* The administrator's path: the only one resolved as usual. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
mugai_qdir_open(int dirfd, const char *name)
{
	return openat(dirfd, name, DIR_FLAGS);
}

int
mugai_qdir_open_item(int topfd, const char *id)
{
	char part[5];
	int fd = -1, next;
	/* YYYY, MM, DD, then the ID itself */
	static const int off[] = { 0, 4, 6 }, len[] = { 4, 2, 2 };

	if (!mugai_qid_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		const char *name = id;

		if (i < 3) {
			memcpy(part, id + off[i], (size_t)len[i]);
			part[len[i]] = '\0';
			name = part;
		}
		next = mugai_qdir_open(i == 0 ? topfd : fd, name);
		if (fd >= 0) {
			int e = errno;

			close(fd);
			errno = e;
		}
		if ((fd = next) < 0)
			return -1;
	}
	return fd;
}

int
mugai_qdir_open_file(int dirfd, const char *name, uid_t owner,
    struct stat *st)
{
	struct stat own;
	int fd, e;

	if (st == NULL)
		st = &own;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		e = errno;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		e = EINVAL;
		goto fail;
	}
	if (owner != (uid_t)-1 && st->st_uid != owner) {
		e = EPERM;
		goto fail;
	}
	/* A regular file ignores O_NONBLOCK; cleared all the same. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	errno = e;
	return -1;
}

gboolean
mugai_qdir_sha256_is(int fd, const char *want)
{
	struct mugai_digest *d = mugai_digest_new();
	char buf[MUGAI_IO_CHUNK], hex[65];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof buf, off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			mugai_digest_free(d);
			errno = e;
			return FALSE;
		}
		mugai_digest_update(d, buf, (gsize)n);
		off += n;
	}
	mugai_digest_finish(d, hex);
	if (want == NULL || strcmp(hex, want) != 0) {
		errno = EBADMSG;
		return FALSE;
	}
	return TRUE;
}

int
mugai_qdir_open_original(int itemfd, uid_t owner, guint64 max,
    const char *sha256, struct stat *st)
{
	struct stat own;
	int fd, e;

	if (st == NULL)
		st = &own;
	if ((fd = mugai_qdir_open_file(itemfd, MUGAI_QDIR_ORIGINAL, owner,
	    st)) < 0)
		return -1;
	if (max > 0 && (guint64)st->st_size > max) {
		e = EFBIG;
		goto fail;
	}
	/* Checked on the descriptor the caller then reads: what was
	 * hashed is what is used, whatever is renamed meanwhile. */
	if (sha256 != NULL && !mugai_qdir_sha256_is(fd, sha256)) {
		e = errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	errno = e;
	return -1;
}

char *
mugai_qdir_read(int dirfd, const char *name, uid_t owner, gsize max,
    gsize *len)
{
	struct stat st;
	char *buf;
	gsize got = 0;
	int fd;

	if ((fd = mugai_qdir_open_file(dirfd, name, owner, &st)) < 0)
		return NULL;
	if ((guint64)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = g_malloc((gsize)st.st_size + 1);
	while (got < (gsize)st.st_size) {
		ssize_t n = read(fd, buf + got, (gsize)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			g_free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		got += (gsize)n;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name of this level: n digits, or (n == 0) a valid id. */
static gboolean
level_name(const char *name, gsize n)
{
	if (n == 0)
		return mugai_qid_valid(name);
	if (strlen(name) != n)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isdigit(name[i]))
			return FALSE;
	return TRUE;
}

GPtrArray *
mugai_qdir_entries(int dirfd, gsize n)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct dirent *de;
	DIR *d;
	int fd;

	/* A descriptor of its own: readdir moves the offset it shares. */
	if ((fd = openat(dirfd, ".", DIR_FLAGS)) < 0)
		return names;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return names;
	}
	while ((de = readdir(d)) != NULL)
		if (level_name(de->d_name, n))
			g_ptr_array_add(names, g_strdup(de->d_name));
	closedir(d);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

int
mugai_qdir_remove(int dirfd, const char *name, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ?
		    0 : -1;
	if (depth <= 0) {
		errno = ELOOP;
		return -1;
	}
	/* Swapped for a link since the fstatat: O_NOFOLLOW refuses it. */
	if ((fd = mugai_qdir_open(dirfd, name)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (mugai_qdir_remove(fd, de->d_name, depth - 1) != 0)
			rc = -1;
	}
	closedir(d);
	if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 &&
	    errno != ENOENT)
		rc = -1;
	return rc;
}

gint64
mugai_qdir_newest_mtime(int dirfd, const char *name)
{
	struct stat st;
	struct dirent *de;
	gint64 newest;
	DIR *d;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return G_MAXINT64;	/* gone or unreadable: leave it */
	newest = (gint64)st.st_mtime * G_USEC_PER_SEC;
	if (!S_ISDIR(st.st_mode) || (fd = mugai_qdir_open(dirfd, name)) < 0)
		return newest;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return newest;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat cst;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(fd, de->d_name, &cst, AT_SYMLINK_NOFOLLOW) == 0)
			newest = MAX(newest, (gint64)cst.st_mtime *
			    G_USEC_PER_SEC);
	}
	closedir(d);
	return newest;
}

static enum mugai_err
drop_failed(char **why, const char *what)
{
	*why = g_strdup_printf("%s: %s", what, g_strerror(errno));
	return MUGAI_E_PERM;
}

/* Sets gid then uid, real, effective and saved alike, and proves it: a
 * drop that can be undone did not happen. */
static enum mugai_err
drop_to(uid_t uid, gid_t gid, char **why)
{
	uid_t ru, eu, su;

	if (setresgid(gid, gid, gid) != 0)
		return drop_failed(why, "setresgid");
	if (setresuid(uid, uid, uid) != 0)
		return drop_failed(why, "setresuid");
	if (setuid(0) == 0 || seteuid(0) == 0 ||
	    getresuid(&ru, &eu, &su) != 0 || ru != uid || eu != uid ||
	    su != uid) {
		*why = g_strdup("could regain root after dropping it");
		return MUGAI_E_PERM;
	}
	return MUGAI_OK;
}

enum mugai_err
mugai_qdir_become_owner(int topfd, char **why)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	struct stat st;
	gid_t gid;

	*why = NULL;
	if (geteuid() != 0)
		return MUGAI_OK;
	if (fstat(topfd, &st) != 0)
		return drop_failed(why, "fstat");
	if (st.st_uid == 0)
		return MUGAI_OK;
	/* The milter's credentials: its passwd group and its groups. */
	gid = st.st_gid;
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL) {
		gid = pw.pw_gid;
		if (initgroups(pw.pw_name, gid) != 0)
			return drop_failed(why, "initgroups");
	} else if (setgroups(0, NULL) != 0) {
		return drop_failed(why, "setgroups");
	}
	return drop_to(st.st_uid, gid, why);
}

gboolean
mugai_qdir_reader_ok(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
    uid_t owner, gid_t store_gid)
{
	if (uid == 0 || uid == owner)
		return FALSE;
	if (gid == store_gid)
		return TRUE;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == store_gid)
			return TRUE;
	return FALSE;
}

enum mugai_err
mugai_qdir_become_reader(int topfd, const char *user, char **why)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	gid_t groups[256];
	struct stat st;
	int n;

	*why = NULL;
	if (fstat(topfd, &st) != 0)
		return drop_failed(why, "fstat");
	if (user == NULL || *user == '\0' ||
	    getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 ||
	    res == NULL) {
		*why = g_strdup_printf("[portal] user %s: no such user",
		    user != NULL ? user : "");
		return MUGAI_E_CONFIG;
	}
	if (initgroups(pw.pw_name, pw.pw_gid) != 0)
		return drop_failed(why, "initgroups");
	if ((n = getgroups(G_N_ELEMENTS(groups), groups)) < 0)
		return drop_failed(why, "getgroups");
	if (!mugai_qdir_reader_ok(pw.pw_uid, pw.pw_gid, groups, n,
	    st.st_uid, st.st_gid)) {
		*why = g_strdup_printf("[portal] user %s must be neither root "
		    "nor the store's owner, and a member of the store's group "
		    "(gid %u)", user, (unsigned)st.st_gid);
		return MUGAI_E_CONFIG;
	}
	return drop_to(pw.pw_uid, pw.pw_gid, why);
}

const char *
mugai_qdir_strerror(int errnum)
{
	switch (errnum) {
	case ELOOP:
		return "a symbolic link: left alone";
	case ENOTDIR:
		return "not a directory (a symbolic link?): left alone";
	case EINVAL:
		return "not a regular file: left alone";
	default:
		return g_strerror(errnum);
	}
}

/* The i-th of n in walk order. */
static guint
nth(guint i, guint n, gboolean newest_first)
{
	return newest_first ? n - 1 - i : i;
}

/*
 * TRUE when the level name (n digits, the path so far in "YYYYMMDD" form
 * as prefix) can hold a day from wo_first to wo_last.
 */
static gboolean
in_range(const struct mugai_qdir_walk_opts *wo, const char *prefix)
{
	gsize n = strlen(prefix);

	if (wo->wo_first != NULL && *wo->wo_first != '\0' &&
	    strncmp(prefix, wo->wo_first, n) < 0)
		return FALSE;
	if (wo->wo_last != NULL && *wo->wo_last != '\0' &&
	    strncmp(prefix, wo->wo_last, n) > 0)
		return FALSE;
	return TRUE;
}

/* Opens level name of parent; one that is there but is no directory is said. */
static int
open_level(const struct mugai_qdir_walk_opts *wo, int parent,
    const char *name, const char *path, gpointer data)
{
	int fd;

	if ((fd = mugai_qdir_open(parent, name)) < 0 && errno != ENOENT &&
	    wo->wo_unreadable != NULL)
		wo->wo_unreadable(path, errno, data);
	return fd;
}

void
mugai_qdir_walk(int topfd, gboolean newest_first, mugai_qdir_visit_fn visit,
    gpointer data)
{
	struct mugai_qdir_walk_opts wo = { 0 };

	wo.wo_newest_first = newest_first;
	mugai_qdir_walk_opts(topfd, &wo, visit, data);
}

void
mugai_qdir_walk_opts(int topfd, const struct mugai_qdir_walk_opts *wo,
    mugai_qdir_visit_fn visit, gpointer data)
{
	static const struct mugai_qdir_walk_opts all = { 0 };
	GPtrArray *years = mugai_qdir_entries(topfd, 4);
	gboolean newest_first, go = TRUE;

	if (wo == NULL)
		wo = &all;
	newest_first = wo->wo_newest_first;
	for (guint yi = 0; go && yi < years->len; yi++) {
		const char *y = g_ptr_array_index(years,
		    nth(yi, years->len, newest_first));
		GPtrArray *months;
		int yfd;

		if (!in_range(wo, y) ||
		    (yfd = open_level(wo, topfd, y, y, data)) < 0)
			continue;
		months = mugai_qdir_entries(yfd, 2);
		for (guint mi = 0; go && mi < months->len; mi++) {
			const char *m = g_ptr_array_index(months,
			    nth(mi, months->len, newest_first));
			g_autofree char *ym = g_strconcat(y, m, NULL);
			g_autofree char *mpath = g_strdup_printf("%s/%s", y,
			    m);
			GPtrArray *days;
			int mfd;

			if (!in_range(wo, ym) ||
			    (mfd = open_level(wo, yfd, m, mpath, data)) < 0)
				continue;
			days = mugai_qdir_entries(mfd, 2);
			for (guint di = 0; go && di < days->len; di++) {
				const char *d = g_ptr_array_index(days,
				    nth(di, days->len, newest_first));
				g_autofree char *ymd = g_strconcat(ym, d, NULL);
				g_autofree char *day = g_strdup_printf(
				    "%s/%s", mpath, d);
				GPtrArray *ids;
				int dfd;

				if (!in_range(wo, ymd) || (dfd = open_level(wo,
				    mfd, d, day, data)) < 0)
					continue;
				ids = mugai_qdir_entries(dfd, 0);
				for (guint i = 0; go && i < ids->len; i++)
					go = visit(dfd, day,
					    g_ptr_array_index(ids, nth(i,
					    ids->len, newest_first)), data);
				g_ptr_array_free(ids, TRUE);
				close(dfd);
			}
			g_ptr_array_free(days, TRUE);
			close(mfd);
		}
		g_ptr_array_free(months, TRUE);
		close(yfd);
	}
	g_ptr_array_free(years, TRUE);
}
