/*
 * mugai_quarantine - atomic store of originals and meta.json, purge
 *
 * Store: tmp/new.XXXXXX/{original.eml,meta.json} are written and made
 * durable, the directory is renamed to YYYY/MM/DD/ID, and the rename is
 * made durable (group commit: one syncfs(2) per round, shared by two
 * batches of items; without it, fsync file by file). Every step is relative to a descriptor of the
 * store's top directory or of tmp/, one name at a time, never following a
 * link (lib/store/qdir.h): the store's owner may have planted links, and a
 * purge or a reader may run as root. Purge is in lib/store/qpurge.c.
 * original.eml may be written as the message arrives (an item: begin,
 * write, commit), so that keeping it at the end costs no copy. Any
 * failure removes the tmp/ directory (or, after the rename, moves the
 * item back into tmp/ and removes it), so no reader ever sees a partial
 * item. A crash leaves at worst an entry in tmp/, which purge removes once
 * it is an hour old. Nothing here is shared between threads except
 * read-only members and the audit descriptor (lib/store/audit.c).
 *
 * What a kept item costs is counted (BENCHMARKS.md, session 9): three
 * inodes (its directory, original.eml, meta.json), each created with its
 * final mode and, through the set-group-ID tmp/, its group, so that no
 * fchmod/fchown follows; meta.json in one write; the header fields from
 * the original's header block only.
 *
 * Mail-derived strings in meta.json pass g_utf8_make_valid(): the file is
 * always valid UTF-8 JSON, whatever the message contained.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "store/audit.h"
#include "base/digest.h"
#include "store/qdir.h"
#include "store/qmeta.h"
#include "store/quarantine.h"
#include "store/quarantine_int.h"

/* Header bytes kept to fill meta.json's "headers": more is not a header. */
#define HEADER_KEEP_MAX (256 * 1024)
/*
 * An item's file gets its writeback started every this many bytes, so that
 * the commit's fsync finds most of a large original already on its way to
 * the disk, instead of writing all of it while the MTA waits.
 */
#define WRITEBACK_STEP (G_GUINT64_CONSTANT(8) << 20)
/* meta.json past this is not ours. */
#define META_MAX ((gsize)64 << 20)

int (*mugai_quarantine_fault_hook)(const char *step);

/* Returns -1 with errno set when the test hook says step fails. */
static int
fault(const char *step)
{
	int e;

	if (mugai_quarantine_fault_hook != NULL &&
	    (e = mugai_quarantine_fault_hook(step)) != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Maps errno from a store step to the three errors store promises. */
static enum mugai_err
store_err(int errnum)
{
	enum mugai_err err = mugai_err_from_errno(errnum);

	if (err != MUGAI_E_NOSPACE && err != MUGAI_E_PERM)
		err = MUGAI_E_IO;
	return err;
}

static int
fsync_fd(int fd)
{
	if (fault("fsync") != 0)
		return -1;
	return fsync(fd);
}

/* Gives a directory or file we created its mode and the auditors' group. */
static void
set_mode_group(const struct mugai_quarantine *q, int fd, mode_t mode)
{
	if (q->qs_gid != (gid_t)-1)
		(void)fchown(fd, (uid_t)-1, q->qs_gid);
	(void)fchmod(fd, mode);
}

/*
 * The same for what is made inside tmp/ (an item's directory and files),
 * only where creating it did not already: the umask cleared a bit of the
 * mode, or tmp/ does not hand down the group.
 */
static void
set_item_mode_group(const struct mugai_quarantine *q, int fd, mode_t mode)
{
	if (q->qs_gid != (gid_t)-1 && !q->qs_group_kept)
		(void)fchown(fd, (uid_t)-1, q->qs_gid);
	if (!q->qs_modes_kept)
		(void)fchmod(fd, mode);
}

/*
 * TRUE when the process's umask clears none of the bits of 0750 (0640 and
 * 0600 are inside it), read from /proc/self/status (Linux 4.7): umask(2)
 * cannot be read without being set, which would race other threads'
 * creations. FALSE when it cannot be told: then every mode is set.
 */
static gboolean
umask_keeps_modes(void)
{
	g_autofree char *status = NULL;
	const char *p;
	guint64 mask;
	char *end;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
	    (p = strstr(status, "\nUmask:")) == NULL)
		return FALSE;
	p += strlen("\nUmask:");
	while (*p == ' ' || *p == '\t')
		p++;
	mask = g_ascii_strtoull(p, &end, 8);
	if (end == p || (*end != '\n' && *end != '\0'))
		return FALSE;
	return (mask & 0750) == 0;
}

/*
 * Makes tmp/ (fd, with stat st) hand its group down: set-group-ID and the
 * auditors' group, so that an item's directory and files get the group as
 * they are made (and the directory the bit, which it keeps in its day
 * directory: ls shows drwxr-s---). TRUE when it does.
 */
static gboolean
tmp_hands_down_group(const struct mugai_quarantine *q, int fd,
    const struct stat *st)
{
	if (q->qs_gid == (gid_t)-1)
		return TRUE;
	if (st->st_gid != q->qs_gid &&
	    fchown(fd, (uid_t)-1, q->qs_gid) != 0)
		return FALSE;
	if ((st->st_mode & S_ISGID) == 0 &&
	    fchmod(fd, (st->st_mode & 07777) | S_ISGID) != 0)
		return FALSE;
	return TRUE;
}

/*
 * Opens the directory name in parent, creating it (0750, group) when
 * missing and fsyncing parent so the new entry is durable. An existing
 * directory is fine: another writer made it. A link is refused (ELOOP).
 * Returns the descriptor or -1 with errno.
 */
static int
ensure_dir(const struct mugai_quarantine *q, int parent, const char *name)
{
	int fd;

	if ((fd = mugai_qdir_open(parent, name)) >= 0 || errno != ENOENT)
		return fd;
	if (fault("mkdir") != 0)
		return -1;
	if (mkdirat(parent, name, 0750) != 0) {
		if (errno == EEXIST)
			return mugai_qdir_open(parent, name);
		return -1;
	}
	if ((fd = mugai_qdir_open(parent, name)) < 0)
		return -1;
	set_mode_group(q, fd, 0750);
	/* Group commit: the batch's second sync makes the entry durable. */
	if (!q->qs_group && fsync_fd(parent) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- open / close ---- */

/* The auditors' group: (gid_t)-1 for none, FALSE for an unknown one. */
static gboolean
group_id(const char *group, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096];

	*gid = (gid_t)-1;
	if (group == NULL || *group == '\0')
		return TRUE;
	if (getgrnam_r(group, &gr, buf, sizeof buf, &res) != 0 ||
	    res == NULL)
		return FALSE;
	*gid = gr.gr_gid;
	return TRUE;
}

/* What the walk's errno means for open: a link or a stranger's is PERM. */
static enum mugai_err
open_err(int errnum)
{
	if (errnum == ELOOP || errnum == ENOTDIR || errnum == EPERM)
		return MUGAI_E_PERM;
	return mugai_err_from_errno(errnum);
}

struct mugai_quarantine *
mugai_quarantine_open(const char *dir, const char *group,
    enum mugai_err *err)
{
	struct mugai_quarantine *q;
	gid_t gid;
	int fd;

	if (dir == NULL || *dir == '\0') {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	if (!group_id(group, &gid)) {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		if (g_mkdir_with_parents(dir, 0750) != 0) {
			*err = mugai_err_from_errno(errno);
			return NULL;
		}
		if (gid != (gid_t)-1)
			(void)lchown(dir, (uid_t)-1, gid);
		(void)chmod(dir, 0750);
	}
	if ((fd = mugai_qdir_open_top(dir, NULL)) < 0) {
		*err = errno == ENOTDIR ? MUGAI_E_IO : open_err(errno);
		return NULL;
	}
	q = mugai_quarantine_open_fd(fd, dir, group, err);
	close(fd);
	return q;
}

struct mugai_quarantine *
mugai_quarantine_open_fd(int topfd, const char *dir, const char *group,
    enum mugai_err *err)
{
	struct mugai_quarantine *q;
	struct stat st;
	gid_t gid;

	if (!group_id(group, &gid)) {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	q = g_new0(struct mugai_quarantine, 1);
	q->qs_dir = g_strdup(dir != NULL ? dir : ".");
	q->qs_tmpfd = -1;
	q->qs_journalfd = -1;
	q->qs_dayfd = -1;
	q->qs_gid = gid;
	g_mutex_init(&q->qs_lock);
	q->qs_queue = g_ptr_array_new();
	q->qs_awaiting = g_ptr_array_new();
	q->qs_retired = g_array_new(FALSE, FALSE, sizeof(int));
	q->qs_retired_prev = g_array_new(FALSE, FALSE, sizeof(int));
#ifdef HAVE_SYNCFS
	q->qs_group = TRUE;
#endif
	if ((q->qs_fd = fcntl(topfd, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    fstat(q->qs_fd, &st) != 0) {
		*err = mugai_err_from_errno(errno);
		goto fail;
	}
	q->qs_owner = st.st_uid;
	if (!S_ISDIR(st.st_mode)) {
		*err = MUGAI_E_IO;
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		*err = MUGAI_E_PERM;
		goto fail;
	}
	/* tmp/: a directory of the store's owner, no link, no stranger's. */
	if ((q->qs_tmpfd = ensure_dir(q, q->qs_fd, "tmp")) < 0) {
		*err = open_err(errno);
		goto fail;
	}
	if (fstat(q->qs_tmpfd, &st) != 0) {
		*err = mugai_err_from_errno(errno);
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    st.st_uid != q->qs_owner) {
		*err = MUGAI_E_PERM;
		goto fail;
	}
	q->qs_modes_kept = umask_keeps_modes();
	q->qs_group_kept = tmp_hands_down_group(q, q->qs_tmpfd, &st);
	/* journal/: the same rules as tmp/. */
	if ((q->qs_journalfd = ensure_dir(q, q->qs_fd, "journal")) < 0) {
		*err = open_err(errno);
		goto fail;
	}
	if (fstat(q->qs_journalfd, &st) != 0) {
		*err = mugai_err_from_errno(errno);
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    st.st_uid != q->qs_owner) {
		*err = MUGAI_E_PERM;
		goto fail;
	}
	if ((q->qs_audit = mugai_audit_open_at(q->qs_fd, "audit.log", gid,
	    q->qs_owner, err)) == NULL)
		goto fail;
	return q;
fail:
	mugai_quarantine_close(q);
	return NULL;
}

void
mugai_quarantine_close(struct mugai_quarantine *q)
{
	if (q == NULL)
		return;
	mugai_audit_close(q->qs_audit);
	if (q->qs_tmpfd >= 0)
		close(q->qs_tmpfd);
	if (q->qs_journalfd >= 0)
		close(q->qs_journalfd);
	if (q->qs_dayfd >= 0)
		close(q->qs_dayfd);
	g_ptr_array_free(q->qs_queue, TRUE);
	g_ptr_array_free(q->qs_awaiting, TRUE);
	for (int k = 0; k < 2; k++) {
		GArray *r = k == 0 ? q->qs_retired : q->qs_retired_prev;

		for (guint i = 0; i < r->len; i++)
			close(g_array_index(r, int, i));
		g_array_free(r, TRUE);
	}
	g_mutex_clear(&q->qs_lock);
	g_free(q->qs_node);
	if (q->qs_fd >= 0)
		close(q->qs_fd);
	g_free(q->qs_dir);
	g_free(q);
}

void
mugai_quarantine_set_node(struct mugai_quarantine *q, const char *node)
{
	g_free(q->qs_node);
	q->qs_node = node != NULL && *node != '\0' ? g_strdup(node) : NULL;
}

void
mugai_quarantine_set_group_commit(struct mugai_quarantine *q, gboolean on)
{
#ifdef HAVE_SYNCFS
	q->qs_group = on;
#else
	(void)on;
	q->qs_group = FALSE;
#endif
}

void
mugai_quarantine_sync_stats(struct mugai_quarantine *q, guint64 *syncs,
    guint64 *items)
{
	g_mutex_lock(&q->qs_lock);
	*syncs = q->qs_syncs;
	*items = q->qs_items;
	g_mutex_unlock(&q->qs_lock);
}

guint64
mugai_quarantine_wakeups(struct mugai_quarantine *q)
{
	guint64 n;

	g_mutex_lock(&q->qs_lock);
	n = q->qs_wakeups;
	g_mutex_unlock(&q->qs_lock);
	return n;
}

const char *
mugai_quarantine_dir(const struct mugai_quarantine *q)
{
	return q->qs_dir;
}

int
mugai_quarantine_fd(const struct mugai_quarantine *q)
{
	return q->qs_fd;
}

uid_t
mugai_quarantine_owner(const struct mugai_quarantine *q)
{
	return q->qs_owner;
}

enum mugai_err
mugai_quarantine_reopen_log(struct mugai_quarantine *q)
{
	return mugai_audit_reopen(q->qs_audit);
}

enum mugai_err
mugai_quarantine_audit(struct mugai_quarantine *q, const char *event,
    const char *id, const char *actor, const char *outcome,
    JsonObject *extra)
{
	enum mugai_err err = mugai_audit_append(q->qs_audit, event, id, actor,
	    outcome, extra);

	mugai_quarantine_journal_event(q, event, id, actor, outcome, extra);
	return err;
}

void
mugai_quarantine_journal_event(struct mugai_quarantine *q, const char *event,
    const char *id, const char *actor, const char *outcome,
    JsonObject *extra)
{
	g_autofree char *line = NULL, *text = NULL;

	if (strcmp(event, "released") != 0 && strcmp(event, "purged") != 0 &&
	    strcmp(event, "extracted") != 0)
		return;
	/* The audit line with "op" first: {"op":EVENT,"time":...}. */
	line = mugai_audit_format(event, id, actor, outcome, extra);
	if (line[0] != '{' || line[1] == '}')
		return;
	text = g_strdup_printf("{\"op\":\"%s\",%s\n", event, line + 1);
	/* Best effort: `mugai quarantine reindex` repairs a lost line. */
	(void)mugai_quarantine_journal_write(q, text, strlen(text));
}

/* ---- store ---- */

/*
 * Opens a new file of an item in tmp/: O_EXCL, mode (0640, or 0600 for
 * the original), the auditors' group; flags adds the access mode
 * (O_WRONLY, or O_RDWR for an original its writer reads back).
 */
static int
create_file(const struct mugai_quarantine *q, int dirfd, const char *name,
    int flags, mode_t mode)
{
	int fd;

	if (fault("open") != 0)
		return -1;
	fd = openat(dirfd, name, flags | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	set_item_mode_group(q, fd, mode);
	return fd;
}

/*
 * Writes all len bytes: at offset off (pwrite, the descriptor's offset left
 * alone), or at the descriptor's offset when off is negative. 0, or -1 with
 * errno (ENOSPC for a write that wrote nothing).
 */
static int
write_all_at(int fd, const void *buf, gsize len, gint64 off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;

		if (fault("write") != 0)
			return -1;
		n = off < 0 ? write(fd, p, len) :
		    pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (gsize)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

static int
write_all(int fd, const void *buf, gsize len)
{
	return write_all_at(fd, buf, len, -1);
}

/* fsyncs and closes fd; returns 0 or -1 with errno, fd closed either way. */
static int
finish_file(int fd)
{
	int e;

	if (fsync_fd(fd) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* text (ending in its newline) as the new file name, 0640. */
static enum mugai_err
write_meta(const struct mugai_quarantine *q, int dirfd, const char *name,
    const char *text)
{
	gboolean sync = !q->qs_group;

	int fd;

	if ((fd = create_file(q, dirfd, name, O_WRONLY, 0640)) < 0)
		return store_err(errno);
	if (write_all(fd, text, strlen(text)) != 0) {
		int e = errno;

		close(fd);
		return store_err(e);
	}
	if (sync ? finish_file(fd) != 0 : close(fd) != 0)
		return store_err(errno);
	return MUGAI_OK;
}

/*
 * Makes YYYY, YYYY/MM and YYYY/MM/DD for id; returns the day directory's
 * descriptor, or -1 with errno and *err.
 */
static int
make_day_dir(const struct mugai_quarantine *q, const char *id,
    enum mugai_err *err)
{
	char name[5];
	int fd = q->qs_fd, next;
	static const int off[] = { 0, 4, 6 }, len[] = { 4, 2, 2 };

	for (int i = 0; i < 3; i++) {
		memcpy(name, id + off[i], (size_t)len[i]);
		name[len[i]] = '\0';
		next = ensure_dir(q, fd, name);
		if (fd != q->qs_fd) {
			int e = errno;

			close(fd);
			errno = e;
		}
		if ((fd = next) < 0) {
			int e = errno;

			*err = store_err(e);
			errno = e;
			return -1;
		}
	}
	*err = MUGAI_OK;
	return fd;
}

/*
 * Renames the finished tmp/ entry name to its place. A purge may remove
 * an empty day directory between our mkdir and our rename (ENOENT): make
 * it again and retry. *dayfd gets the day directory's descriptor.
 */
static enum mugai_err
publish(const struct mugai_quarantine *q, const char *id, const char *name,
    int *dayfd)
{
	enum mugai_err err = MUGAI_E_IO;

	for (int attempt = 0; attempt < 3; attempt++) {
		int day = make_day_dir(q, id, &err);

		if (day < 0) {
			if (errno == ENOENT)
				continue;	/* a parent went: again */
			return err;
		}
		if (fault("rename") == 0 &&
		    renameat(q->qs_tmpfd, name, day, id) == 0) {
			*dayfd = day;
			return MUGAI_OK;
		}
		{
			int e = errno;

			close(day);
			errno = e;
		}
		if (errno != ENOENT)
			return store_err(errno);
		err = MUGAI_E_IO;
	}
	return err;
}

/*
 * publish() for the leader of a group commit, through the day directory
 * of the last batch when the item has the same day: one renameat instead
 * of walking YYYY/MM/DD again. A day directory that a purge removed since
 * (empty) fails the rename with ENOENT: it is made again. *dayfd is
 * lent (q's, or in retired, closed once no item holds it: commit_round()).
 */
static enum mugai_err
publish_cached(struct mugai_quarantine *q, const char *id, const char *name,
    int *dayfd, GArray *retired)
{
	enum mugai_err err;
	int day = -1;

	if (q->qs_dayfd >= 0 && memcmp(q->qs_day, id, 8) == 0) {
		if (fault("rename") != 0)
			return store_err(errno);
		if (renameat(q->qs_tmpfd, name, q->qs_dayfd, id) == 0) {
			*dayfd = q->qs_dayfd;
			return MUGAI_OK;
		}
		if (errno != ENOENT)
			return store_err(errno);
	}
	if ((err = publish(q, id, name, &day)) != MUGAI_OK)
		return err;
	/* Items published or awaiting may hold the old one: closed after. */
	if (q->qs_dayfd >= 0)
		g_array_append_val(retired, q->qs_dayfd);
	q->qs_dayfd = day;
	memcpy(q->qs_day, id, 8);
	q->qs_day[8] = '\0';
	*dayfd = day;
	return MUGAI_OK;
}

/* ---- items: begin, write, commit ---- */

struct mugai_qitem {
	struct mugai_quarantine *qi_q;	/* lent */
	char *qi_tmp;			/* "new.XXXXXX" in tmp/; NULL once gone */
	int qi_dirfd;			/* that directory */
	int qi_fd;			/* original.eml, read-write */
	guint64 qi_size;
	guint64 qi_started;		/* bytes whose writeback was started */
	enum mugai_err qi_err;		/* first write failure */
	gboolean qi_committed;
};

/*
 * Makes a new directory "new.XXXXXX" (six random letters and digits) in
 * tmp/, as mkdtemp(3) does but relative to tmp/'s descriptor. Returns
 * (transfer full) its name, or NULL with errno.
 */
static char *
make_tmp_dir(const struct mugai_quarantine *q)
{
	static const char set[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char name[] = "new.XXXXXX";

	for (int attempt = 0; attempt < 100; attempt++) {
		for (gsize i = 4; i < sizeof name - 1; i++)
			name[i] = set[g_random_int_range(0,
			    (gint32)sizeof set - 1)];
		if (mkdirat(q->qs_tmpfd, name, 0750) == 0)
			return g_strdup(name);
		if (errno != EEXIST)
			return NULL;
	}
	errno = EEXIST;
	return NULL;
}

struct mugai_qitem *
mugai_quarantine_begin(struct mugai_quarantine *q, enum mugai_err *err)
{
	struct mugai_qitem *it = g_new0(struct mugai_qitem, 1);

	it->qi_q = q;
	it->qi_fd = -1;
	it->qi_dirfd = -1;
	if (fault("mkdir") != 0 || (it->qi_tmp = make_tmp_dir(q)) == NULL) {
		*err = store_err(errno);
		mugai_quarantine_item_free(it);
		return NULL;
	}
	if ((it->qi_dirfd = mugai_qdir_open(q->qs_tmpfd, it->qi_tmp)) < 0) {
		*err = store_err(errno);
		mugai_quarantine_item_free(it);
		return NULL;
	}
	set_item_mode_group(q, it->qi_dirfd, 0750);
	/*
	 * The original stays the owner's (0600): auditors read it through
	 * `mugai quarantine extract`, which writes audit.log; the group gets
	 * the metadata only.
	 */
	if ((it->qi_fd = create_file(q, it->qi_dirfd, "original.eml",
	    O_RDWR, 0600)) < 0) {
		*err = store_err(errno);
		mugai_quarantine_item_free(it);
		return NULL;
	}
	*err = MUGAI_OK;
	return it;
}

/*
 * Drops the durable original from the page cache: it is read again only
 * when an auditor asks, and the next message's pages then come from the
 * ones just freed instead of pushing other files out. Advice only.
 */
static void
drop_cached(struct mugai_qitem *it)
{
#ifdef HAVE_POSIX_FADVISE
	(void)posix_fadvise(it->qi_fd, 0, 0, POSIX_FADV_DONTNEED);
#else
	(void)it;
#endif
}

/*
 * Starts, without waiting, the writeback of what was written since the
 * last step (Linux). Durability still comes from the commit's fsync; a
 * failure here only means that fsync does the work.
 */
static void
start_writeback(struct mugai_qitem *it)
{
#ifdef HAVE_SYNC_FILE_RANGE
	if (it->qi_size - it->qi_started < WRITEBACK_STEP)
		return;
	(void)sync_file_range(it->qi_fd, (off_t)it->qi_started,
	    (off_t)(it->qi_size - it->qi_started), SYNC_FILE_RANGE_WRITE);
	it->qi_started = it->qi_size;
#else
	(void)it;
#endif
}

enum mugai_err
mugai_quarantine_write(struct mugai_qitem *it, const void *buf, gsize len)
{
	if (it->qi_err == MUGAI_OK && it->qi_committed)
		it->qi_err = MUGAI_E_INVAL;
	if (it->qi_err != MUGAI_OK)
		return it->qi_err;
	if (write_all_at(it->qi_fd, buf, len, (gint64)it->qi_size) != 0)
		return it->qi_err = store_err(errno);
	it->qi_size += (guint64)len;
	start_writeback(it);
	return MUGAI_OK;
}

int
mugai_quarantine_item_fd(const struct mugai_qitem *it)
{
	return it->qi_fd;
}

guint64
mugai_quarantine_item_size(const struct mugai_qitem *it)
{
	return it->qi_size;
}

/*
 * Reads the item's original back from its start: its SHA-256 into sha
 * (unless sha is NULL) and its header block (at most HEADER_KEEP_MAX
 * bytes) into head for the header fields. Without sha the read stops at
 * the header block's end: typical mail has a few KB of header before
 * 100 KB of body, which nothing here needs again.
 */
static enum mugai_err
read_back(const struct mugai_qitem *it, char sha[65], GByteArray *head)
{
	struct mugai_digest *d = sha != NULL ? mugai_digest_new() : NULL;
	char buf[MUGAI_IO_CHUNK];
	/* The first read small: most header blocks fit in it. */
	gsize want = d != NULL ? sizeof buf : MIN(sizeof buf, 16384);
	gboolean whole = FALSE;
	guint64 off = 0;

	while (off < it->qi_size && (d != NULL || (!whole && head->len <
	    HEADER_KEEP_MAX))) {
		ssize_t n = pread(it->qi_fd, buf, (gsize)MIN(want,
		    it->qi_size - off), (off_t)off);
		gsize dummy;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mugai_digest_free(d);
			return MUGAI_E_IO;
		}
		if (d != NULL)
			mugai_digest_update(d, buf, (gsize)n);
		if (!whole && head->len < HEADER_KEEP_MAX) {
			/* From a line or two back: the blank line may straddle. */
			gsize from = head->len > 2 ? head->len - 2 : 0;

			g_byte_array_append(head, (guint8 *)buf,
			    (guint)MIN((gsize)n, HEADER_KEEP_MAX - head->len));
			whole = mugai_qmeta_header_end(head->data + from,
			    head->len - from, &dummy);
		}
		off += (guint64)n;
		want = sizeof buf;
	}
	if (d != NULL)
		mugai_digest_finish(d, sha);
	return MUGAI_OK;
}

/* Removes the item's tmp/ directory, if still there. */
static void
item_remove(struct mugai_qitem *it)
{
	if (it->qi_tmp != NULL)
		(void)mugai_qdir_remove(it->qi_q->qs_tmpfd, it->qi_tmp, 2);
	g_clear_pointer(&it->qi_tmp, g_free);
}

/*
 * meta.json into the item's tmp/ directory. No list.json since session 9
 * (doc/quarantine-meta.md): listing reads the index, and the walk falls
 * back to meta.json as it did for items without one.
 */
static enum mugai_err
write_metas(struct mugai_qitem *it, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha, char **row)
{
	g_autofree char *meta = NULL;
	GByteArray *head = g_byte_array_new();
	enum mugai_err err;
	gint64 usec = 0;

	(void)mugai_qid_time(id, &usec);
	if ((err = read_back(it, NULL, head)) == MUGAI_OK) {
		meta = mugai_qmeta_build(id, usec, env, report, it->qi_size,
		    sha, head->data, head->len, it->qi_q->qs_node, row);
		err = write_meta(it->qi_q, it->qi_dirfd, "meta.json", meta);
	}
	g_byte_array_free(head, TRUE);
	return err;
}

/* ---- journal ---- */

enum mugai_err
mugai_quarantine_journal_write(struct mugai_quarantine *q, const char *text,
    gsize len)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *name = g_date_time_format(now, "%Y%m%d");
	struct stat st;
	ssize_t n;
	int fd, e;

	if (fault("open") != 0)
		return store_err(errno);
	fd = openat(q->qs_journalfd, name, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0640);
	if (fd < 0)
		return store_err(errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != q->qs_owner) {
		close(fd);
		return MUGAI_E_PERM;
	}
	if (st.st_size == 0) {
		if (q->qs_gid != (gid_t)-1)
			(void)fchown(fd, (uid_t)-1, q->qs_gid);
		(void)fchmod(fd, 0640);
	}
	/* One write: O_APPEND keeps concurrent writers' lines whole. */
	if (fault("write") != 0)
		n = -1;
	else
		do
			n = write(fd, text, len);
		while (n < 0 && errno == EINTR);
	e = errno;
	close(fd);
	if (n < 0)
		return store_err(e);
	if ((gsize)n != len)
		return MUGAI_E_NOSPACE;
	return MUGAI_OK;
}

/* ---- commit ---- */

/* One item waiting in a group commit. */
struct pending {
	struct mugai_qitem *pd_it;
	const char *pd_id;
	const char *pd_row;		/* journal line, no newline */
	const char *pd_sha;
	const char *pd_actor;
	int pd_day;			/* day directory once published */
	gboolean pd_awaits;		/* published, for the next round */
	enum mugai_err pd_err;
	gboolean pd_done;
	GCond pd_cond;			/* its thread waits here */
};

/* One sync of the store's file system, for a whole batch. */
static int
sync_store(struct mugai_quarantine *q)
{
	if (fault("fsync") != 0)
		return -1;
	g_mutex_lock(&q->qs_lock);
	q->qs_syncs++;
	g_mutex_unlock(&q->qs_lock);
#ifdef HAVE_SYNCFS
	return syncfs(q->qs_fd);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Takes a published item back into tmp/ (where free removes it): a
 * caller's tempfail and the MTA's retry then leave one whole item.
 */
static void
unpublish(struct mugai_quarantine *q, const char *id, const char *tmp,
    int day)
{
	if (renameat(day, id, q->qs_tmpfd, tmp) != 0)
		(void)mugai_qdir_remove(day, id, 2);
}

static enum mugai_err
audit_stored(struct mugai_quarantine *q, const char *id, guint64 size,
    const char *sha, const char *actor)
{
	JsonObject *extra = json_object_new();
	enum mugai_err err;

	json_object_set_int_member(extra, "size", (gint64)size);
	json_object_set_string_member(extra, "sha256", sha);
	err = mugai_audit_append(q->qs_audit, "stored", id,
	    actor != NULL ? actor : "mugai", "ok", extra);
	json_object_unref(extra);
	if (err != MUGAI_OK)
		err = store_err(err == MUGAI_E_NOSPACE ? ENOSPC : EIO);
	return err;
}

/* A journal line that withdraws a row whose item did not stay. */
static void
journal_dropped(struct mugai_quarantine *q, const char *id)
{
	g_autofree char *line = g_strdup_printf(
	    "{\"op\":\"dropped\",\"id\":\"%s\"}\n", id);

	(void)mugai_quarantine_journal_write(q, line, strlen(line));
}

/*
 * Group commit, pipelined. A round (one leader at a time) makes one sync
 * of the store's file system, which covers two sets of items at once:
 * those renamed into place and journalled by the previous round
 * (q->qs_awaiting: the sync makes the rename, any new day directory and
 * the journal line durable; they are then audited and done), and those
 * that joined the queue since (their files and tmp/ directories, written
 * before they joined: they are then renamed and journalled, and wait for
 * the next round). Each item so waits for two syncs, as before, but
 * every sync is shared by two batches under load: about one sync per
 * batch instead of two. A failed sync fails every item it covered: the
 * awaiting ones are taken back into tmp/ ("dropped" row), the queued
 * ones are not renamed.
 */

/* Items of the previous round: durable now (err OK) or failed. */
static void
finish_awaiting(struct mugai_quarantine *q, GPtrArray *awaiting,
    enum mugai_err err)
{
	for (guint i = 0; i < awaiting->len; i++) {
		struct pending *p = g_ptr_array_index(awaiting, i);

		if (err == MUGAI_OK)
			p->pd_err = audit_stored(q, p->pd_id,
			    p->pd_it->qi_size, p->pd_sha, p->pd_actor);
		else
			p->pd_err = err;
		if (p->pd_err != MUGAI_OK) {
			unpublish(q, p->pd_id, p->pd_it->qi_tmp, p->pd_day);
			journal_dropped(q, p->pd_id);
		}
		p->pd_day = -1;		/* lent: q's or retired */
	}
}

/*
 * Items whose files the round's sync covered (err OK): renamed into
 * place and their rows appended in one write. Those that made it go to
 * next (awaiting the next round's sync); the others are done, failed.
 */
static void
publish_batch(struct mugai_quarantine *q, GPtrArray *batch,
    enum mugai_err err, GPtrArray *next)
{
	GString *lines = g_string_new(NULL);
	gboolean journalled;

	for (guint i = 0; i < batch->len; i++) {
		struct pending *p = g_ptr_array_index(batch, i);

		if ((p->pd_err = err) == MUGAI_OK &&
		    (p->pd_err = publish_cached(q, p->pd_id,
		    p->pd_it->qi_tmp, &p->pd_day, q->qs_retired)) == MUGAI_OK) {
			p->pd_awaits = TRUE;
			g_ptr_array_add(next, p);
			g_string_append(lines, p->pd_row);
			g_string_append_c(lines, '\n');
		}
	}
	if (next->len > 0 && (err = mugai_quarantine_journal_write(q,
	    lines->str, lines->len)) != MUGAI_OK) {
		/* A short write may have left part of the lines. */
		journalled = err == MUGAI_E_NOSPACE;
		for (guint i = 0; i < next->len; i++) {
			struct pending *p = g_ptr_array_index(next, i);

			p->pd_err = err;
			unpublish(q, p->pd_id, p->pd_it->qi_tmp, p->pd_day);
			if (journalled)
				journal_dropped(q, p->pd_id);
			p->pd_day = -1;
			p->pd_awaits = FALSE;
		}
		g_ptr_array_set_size(next, 0);
	}
	g_string_free(lines, TRUE);
}

/*
 * One round, by the leader (q->qs_leading set, q->qs_lock not held):
 * takes the queue and the awaiting items, syncs once, finishes the
 * awaiting ones and publishes the queued ones.
 */
static void
commit_round(struct mugai_quarantine *q, GPtrArray *batch,
    GPtrArray *awaiting, GPtrArray *next)
{
	enum mugai_err err = MUGAI_OK;
	GArray *closing;

	if (sync_store(q) != 0)
		err = store_err(errno);
	finish_awaiting(q, awaiting, err);
	publish_batch(q, batch, err, next);
	/*
	 * Day directories retired last round: no item holds them now (the
	 * awaiting ones are finished). This round's wait for the next.
	 */
	closing = q->qs_retired_prev;
	for (guint i = 0; i < closing->len; i++)
		close(g_array_index(closing, int, i));
	g_array_set_size(closing, 0);
	q->qs_retired_prev = q->qs_retired;
	q->qs_retired = closing;
}

/*
 * After a round (q->qs_lock held): the threads whose items it finished
 * are woken, each on its own condition. Woken for nothing, a thread is a
 * futex call and a context switch, and at 32 sessions a herd of them on
 * two cores delays the next round.
 */
static void
wake_done(GPtrArray *items)
{
	for (guint i = 0; i < items->len; i++) {
		struct pending *p = g_ptr_array_index(items, i);

		if (p->pd_done)
			g_cond_signal(&p->pd_cond);
	}
}

/*
 * The leader's own item is done but others wait (q->qs_lock held): one
 * of them, the longest waiting, leads the next round. A thread that
 * joins meanwhile may lead it instead; the one woken then waits again,
 * and that round's end wakes the next.
 */
static void
wake_next_leader(struct mugai_quarantine *q)
{
	GPtrArray *from = q->qs_awaiting->len > 0 ? q->qs_awaiting :
	    q->qs_queue;

	if (from->len > 0)
		g_cond_signal(&((struct pending *)g_ptr_array_index(from,
		    0))->pd_cond);
}

/*
 * Group commit: the item joins the queue; a waiting thread that finds
 * no round in progress leads one (commit_round()) for everyone; each
 * waits until its item is done, two rounds later at most when rounds
 * follow one another. Every thread waiting is one whose item is in the
 * queue or awaiting, so a round's end that leaves such items always
 * has a leader: its own (still waiting) or one woken.
 */
static enum mugai_err
group_commit(struct mugai_quarantine *q, struct pending *p)
{
	g_cond_init(&p->pd_cond);
	g_mutex_lock(&q->qs_lock);
	g_ptr_array_add(q->qs_queue, p);
	while (!p->pd_done) {
		GPtrArray *batch, *awaiting, *next;
		guint ok = 0;

		if (q->qs_leading) {
			g_cond_wait(&p->pd_cond, &q->qs_lock);
			q->qs_wakeups++;
			continue;
		}
		batch = q->qs_queue;
		awaiting = q->qs_awaiting;
		q->qs_queue = g_ptr_array_new();
		q->qs_awaiting = g_ptr_array_new();
		q->qs_leading = TRUE;
		g_mutex_unlock(&q->qs_lock);
		next = g_ptr_array_new();
		commit_round(q, batch, awaiting, next);
		for (guint i = 0; i < awaiting->len; i++)
			if (((struct pending *)g_ptr_array_index(awaiting,
			    i))->pd_err == MUGAI_OK)
				ok++;
		g_mutex_lock(&q->qs_lock);
		q->qs_items += ok;
		/* Done: every awaiting item, and the queued ones not awaiting. */
		for (guint i = 0; i < awaiting->len; i++)
			((struct pending *)g_ptr_array_index(awaiting,
			    i))->pd_done = TRUE;
		for (guint i = 0; i < batch->len; i++) {
			struct pending *b = g_ptr_array_index(batch, i);

			if (!b->pd_awaits)
				b->pd_done = TRUE;
			b->pd_awaits = FALSE;
		}
		for (guint i = 0; i < next->len; i++)
			g_ptr_array_add(q->qs_awaiting,
			    g_ptr_array_index(next, i));
		wake_done(awaiting);
		wake_done(batch);
		g_ptr_array_free(next, TRUE);
		g_ptr_array_free(batch, TRUE);
		g_ptr_array_free(awaiting, TRUE);
		q->qs_leading = FALSE;
		/* Not done: this thread leads the next round itself. */
		if (p->pd_done)
			wake_next_leader(q);
	}
	g_mutex_unlock(&q->qs_lock);
	g_cond_clear(&p->pd_cond);
	return p->pd_err;
}

/*
 * One item, one sync per file (no syncfs(2)): original, meta.json and
 * the item directory, the rename, the day directory and
 * the journal, then tmp/.
 */
static enum mugai_err
file_commit(struct mugai_quarantine *q, struct pending *p)
{
	struct mugai_qitem *it = p->pd_it;
	g_autofree char *line = g_strconcat(p->pd_row, "\n", NULL);
	enum mugai_err err;
	int day = -1;

	if (fsync_fd(it->qi_dirfd) != 0)
		return store_err(errno);
	if ((err = publish(q, p->pd_id, it->qi_tmp, &day)) != MUGAI_OK)
		return err;
	if ((err = mugai_quarantine_journal_write(q, line,
	    strlen(line))) != MUGAI_OK) {
		if (err == MUGAI_E_NOSPACE)
			journal_dropped(q, p->pd_id);
		goto out_unpublish;
	}
	if (fsync_fd(day) != 0 || fsync_fd(q->qs_tmpfd) != 0) {
		err = store_err(errno);
		journal_dropped(q, p->pd_id);
		goto out_unpublish;
	}
	if ((err = audit_stored(q, p->pd_id, it->qi_size, p->pd_sha,
	    p->pd_actor)) != MUGAI_OK) {
		journal_dropped(q, p->pd_id);
		goto out_unpublish;
	}
	close(day);
	g_mutex_lock(&q->qs_lock);
	q->qs_items++;
	g_mutex_unlock(&q->qs_lock);
	return MUGAI_OK;

out_unpublish:
	unpublish(q, p->pd_id, it->qi_tmp, day);
	close(day);
	return err;
}

enum mugai_err
mugai_quarantine_commit(struct mugai_qitem *it, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha256, const char *actor)
{
	struct mugai_quarantine *q = it->qi_q;
	g_autofree char *row = NULL;
	GByteArray *none = NULL;
	struct pending p;
	enum mugai_err err;
	char sha[65];

	if (it->qi_err != MUGAI_OK || it->qi_committed || it->qi_tmp == NULL)
		return it->qi_err != MUGAI_OK ? it->qi_err : MUGAI_E_INVAL;
	if (!mugai_qid_valid(id))
		return MUGAI_E_INVAL;
	if (sha256 != NULL && strlen(sha256) == 64)
		g_strlcpy(sha, sha256, sizeof sha);
	else {
		/* No digest from the caller: the one read this costs. */
		none = g_byte_array_new();
		err = read_back(it, sha, none);
		g_byte_array_free(none, TRUE);
		if (err != MUGAI_OK)
			goto out_tmp;
	}
	/* Group commit: the batch's first sync covers the original. */
	if (!q->qs_group && (fault("fsync") != 0 || fsync(it->qi_fd) != 0)) {
		err = store_err(errno);
		goto out_tmp;
	}
	if ((err = write_metas(it, id, env, report, sha, &row)) != MUGAI_OK)
		goto out_tmp;
	memset(&p, 0, sizeof p);
	p.pd_it = it;
	p.pd_id = id;
	p.pd_row = row;
	p.pd_sha = sha;
	p.pd_actor = actor;
	p.pd_day = -1;
	err = q->qs_group ? group_commit(q, &p) : file_commit(q, &p);
	if (err != MUGAI_OK)
		goto out_tmp;
	/* Durable now: its pages are clean and may go. */
	drop_cached(it);
	it->qi_committed = TRUE;
	g_clear_pointer(&it->qi_tmp, g_free);
	return MUGAI_OK;

out_tmp:
	item_remove(it);
	it->qi_err = err;
	return err;
}

void
mugai_quarantine_item_free(struct mugai_qitem *it)
{
	if (it == NULL)
		return;
	if (!it->qi_committed)
		item_remove(it);
	if (it->qi_fd >= 0)
		close(it->qi_fd);
	if (it->qi_dirfd >= 0)
		close(it->qi_dirfd);
	g_free(it->qi_tmp);
	g_free(it);
}

enum mugai_err
mugai_quarantine_store(struct mugai_quarantine *q, const char *id,
    GMimeStream *original, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *actor)
{
	struct mugai_qitem *it;
	struct mugai_digest *d;
	enum mugai_err err = MUGAI_OK;
	char buf[MUGAI_IO_CHUNK], sha[65];
	gssize n = 0;

	if (!mugai_qid_valid(id) || original == NULL)
		return MUGAI_E_INVAL;
	if ((it = mugai_quarantine_begin(q, &err)) == NULL)
		return err;
	/* Hashed as it is copied: one read of the original. */
	d = mugai_digest_new();
	while (err == MUGAI_OK &&
	    (n = g_mime_stream_read(original, buf, sizeof buf)) > 0) {
		mugai_digest_update(d, buf, (gsize)n);
		err = mugai_quarantine_write(it, buf, (gsize)n);
	}
	if (err == MUGAI_OK && n < 0)
		err = MUGAI_E_IO;
	mugai_digest_finish(d, sha);
	if (err == MUGAI_OK)
		err = mugai_quarantine_commit(it, id, env, report, sha, actor);
	mugai_quarantine_item_free(it);
	return err;
}

/* ---- read ---- */

JsonObject *
mugai_quarantine_read_meta_at(int itemfd, enum mugai_err *err)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autofree char *text = NULL;
	JsonNode *root;
	gsize len;

	if ((text = mugai_qdir_read(itemfd, "meta.json", (uid_t)-1,
	    META_MAX, &len)) == NULL) {
		*err = errno == ENOENT ? MUGAI_E_NOTFOUND : open_err(errno);
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, text, (gssize)len, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		*err = MUGAI_E_PARSE;
		return NULL;
	}
	*err = MUGAI_OK;
	return json_object_ref(json_node_get_object(root));
}

JsonObject *
mugai_quarantine_read_meta(const char *dir, const char *id,
    enum mugai_err *err)
{
	JsonObject *meta;
	int top, item;

	if (!mugai_qid_valid(id)) {
		*err = MUGAI_E_INVAL;
		return NULL;
	}
	if ((top = mugai_qdir_open_top(dir, NULL)) < 0) {
		*err = errno == ENOENT ? MUGAI_E_NOTFOUND : open_err(errno);
		return NULL;
	}
	item = mugai_qdir_open_item(top, id);
	close(top);
	if (item < 0) {
		*err = errno == ENOENT ? MUGAI_E_NOTFOUND : open_err(errno);
		return NULL;
	}
	meta = mugai_quarantine_read_meta_at(item, err);
	close(item);
	return meta;
}
