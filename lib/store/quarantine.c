/*
 * mugai_quarantine - atomic store of originals and meta.json, purge
 *
 * Store: tmp/new.XXXXXX/{original.eml,meta.json} are written and fsynced,
 * the directory is fsynced, renamed to YYYY/MM/DD/ID, and both parents are
 * fsynced. original.eml may be written as the message arrives (an item:
 * begin, write, commit), so that keeping it at the end costs no copy. Any failure removes the tmp/ directory (or, after the rename,
 * moves the item back into tmp/ and removes it), so no reader ever sees a
 * partial item. A crash leaves at worst an entry in tmp/, which purge
 * removes once it is an hour old. Nothing here is shared between threads
 * except read-only members and the audit descriptor (lib/store/audit.c).
 *
 * Mail-derived strings in meta.json pass g_utf8_make_valid(): the file is
 * always valid UTF-8 JSON, whatever the message contained.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "store/audit.h"
#include "base/digest.h"
#include "store/qmeta.h"
#include "store/quarantine.h"

/* Header bytes kept to fill meta.json's "headers": more is not a header. */
#define HEADER_KEEP_MAX (256 * 1024)
/*
 * An item's file gets its writeback started every this many bytes, so that
 * the commit's fsync finds most of a large original already on its way to
 * the disk, instead of writing all of it while the MTA waits.
 */
#define WRITEBACK_STEP (G_GUINT64_CONSTANT(8) << 20)
/* A tmp/ entry untouched this long belongs to no running writer. */
#define TMP_STALE_USEC (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)

struct mugai_quarantine {
	char *qs_dir;
	char *qs_tmp;
	gid_t qs_gid;			/* (gid_t)-1: leave the group alone */
	struct mugai_audit *qs_audit;
};

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
fsync_path(const char *path)
{
	int fd, rc;

	if (fault("fsync") != 0)
		return -1;
	if (path == NULL) {	/* never, but the analyzer cannot see it */
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	if (rc != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

/* Gives a directory or file we created its mode and the auditors' group. */
static void
set_mode_group(const struct mugai_quarantine *q, const char *path,
    mode_t mode)
{
	if (q->qs_gid != (gid_t)-1)
		(void)lchown(path, (uid_t)-1, q->qs_gid);
	(void)chmod(path, mode);
}

/*
 * Creates path (0750, group) when missing and fsyncs its parent so the
 * new entry is durable. An existing directory is fine: another writer
 * made it.
 */
static int
ensure_dir(const struct mugai_quarantine *q, const char *path)
{
	g_autofree char *parent = NULL;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (fault("mkdir") != 0)
		return -1;
	if (mkdir(path, 0750) != 0) {
		if (errno == EEXIST && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
		return -1;
	}
	set_mode_group(q, path, 0750);
	parent = g_path_get_dirname(path);
	return fsync_path(parent);
}

/*
 * Removes path: a file, or a directory and what is in it, never following
 * a symbolic link; depth bounds the recursion. Returns 0 or -1 (errno).
 */
static int
rm_tree(const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	if (depth <= 0) {
		errno = ELOOP;
		return -1;
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		g_autofree char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = g_build_filename(path, de->d_name, NULL);
		if (rm_tree(child, depth - 1) != 0)
			rc = -1;
	}
	closedir(d);
	if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

/* ---- IDs ---- */

static char host_hash[9];

static gpointer
init_host_hash(gpointer unused)
{
	char host[256], hex[65];

	if (gethostname(host, sizeof host) != 0)
		g_strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	mugai_digest_buf(host, strlen(host), hex);
	memcpy(host_hash, hex, 8);
	host_hash[8] = '\0';
	return NULL;
}

char *
mugai_quarantine_new_id(void)
{
	static GOnce once = G_ONCE_INIT;
	gint64 now = g_get_real_time();
	time_t secs = (time_t)(now / G_USEC_PER_SEC);
	unsigned char rnd[8];
	char rhex[17];
	struct tm tm;

	g_once(&once, init_host_hash, NULL);
	/* Uniqueness rests on these 64 bits: no weak fallback. */
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		g_error("libcrypto: no random bytes for a quarantine ID");
	for (gsize i = 0; i < sizeof rnd; i++)
		g_snprintf(rhex + 2 * i, 3, "%02x", rnd[i]);
	gmtime_r(&secs, &tm);
	return g_strdup_printf("%04d%02d%02d-%02d%02d%02d-%06d-%s-%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(now % G_USEC_PER_SEC), host_hash,
	    rhex);
}

/* Value of n ASCII digits at s (the caller checked they are digits). */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

gboolean
mugai_quarantine_id_valid(const char *id)
{
	/* d digit, x lower-case hex, - itself */
	static const char shape[] =
	    "dddddddd-dddddd-dddddd-xxxxxxxx-xxxxxxxxxxxxxxxx";
	int y, mo, d;

	if (id == NULL)
		return FALSE;
	for (int i = 0; shape[i] != '\0'; i++) {
		char c = id[i];

		if (c == '\0')
			return FALSE;
		if (shape[i] == 'd' && !g_ascii_isdigit(c))
			return FALSE;
		if (shape[i] == 'x' && !(g_ascii_isdigit(c) ||
		    (c >= 'a' && c <= 'f')))
			return FALSE;
		if (shape[i] == '-' && c != '-')
			return FALSE;
	}
	if (id[MUGAI_QUARANTINE_ID_LEN] != '\0')
		return FALSE;
	y = digits(id, 4);
	mo = digits(id + 4, 2);
	d = digits(id + 6, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y))
		return FALSE;
	return digits(id + 9, 2) < 24 && digits(id + 11, 2) < 60 &&
	    digits(id + 13, 2) < 60;
}

gboolean
mugai_quarantine_id_time(const char *id, gint64 *usec)
{
	GDateTime *dt;

	if (!mugai_quarantine_id_valid(id))
		return FALSE;
	dt = g_date_time_new_utc(digits(id, 4), digits(id + 4, 2),
	    digits(id + 6, 2), digits(id + 9, 2), digits(id + 11, 2),
	    digits(id + 13, 2));
	if (dt == NULL)
		return FALSE;
	*usec = g_date_time_to_unix(dt) * G_USEC_PER_SEC +
	    digits(id + 16, 6);
	g_date_time_unref(dt);
	return TRUE;
}

char *
mugai_quarantine_item_path(const char *dir, const char *id)
{
	char y[5], m[3], d[3];

	if (!mugai_quarantine_id_valid(id))
		return NULL;
	g_strlcpy(y, id, sizeof y);
	g_strlcpy(m, id + 4, sizeof m);
	g_strlcpy(d, id + 6, sizeof d);
	return g_build_filename(dir, y, m, d, id, NULL);
}

/* ---- open / close ---- */

static enum mugai_err
check_not_writable_by_others(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return mugai_err_from_errno(errno);
	if (!S_ISDIR(st.st_mode))
		return MUGAI_E_IO;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return MUGAI_E_PERM;
	return MUGAI_OK;
}

struct mugai_quarantine *
mugai_quarantine_open(const char *dir, const char *group,
    enum mugai_err *err)
{
	struct mugai_quarantine *q;
	g_autofree char *audit = NULL;
	gboolean existed;
	gid_t gid = (gid_t)-1;

	if (dir == NULL || *dir == '\0') {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	if (group != NULL && *group != '\0') {
		struct group gr, *res = NULL;
		char buf[4096];

		if (getgrnam_r(group, &gr, buf, sizeof buf, &res) != 0 ||
		    res == NULL) {
			*err = MUGAI_E_CONFIG;
			return NULL;
		}
		gid = gr.gr_gid;
	}
	q = g_new0(struct mugai_quarantine, 1);
	q->qs_dir = g_strdup(dir);
	q->qs_tmp = g_build_filename(dir, "tmp", NULL);
	q->qs_gid = gid;
	existed = g_file_test(dir, G_FILE_TEST_IS_DIR);
	if (!existed) {
		if (g_mkdir_with_parents(dir, 0750) != 0) {
			*err = mugai_err_from_errno(errno);
			goto fail;
		}
		set_mode_group(q, dir, 0750);
	}
	if ((*err = check_not_writable_by_others(dir)) != MUGAI_OK)
		goto fail;
	if (ensure_dir(q, q->qs_tmp) != 0) {
		*err = mugai_err_from_errno(errno);
		goto fail;
	}
	if ((*err = check_not_writable_by_others(q->qs_tmp)) != MUGAI_OK)
		goto fail;
	audit = g_build_filename(dir, "audit.log", NULL);
	if ((q->qs_audit = mugai_audit_open(audit, gid, err)) == NULL)
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
	g_free(q->qs_dir);
	g_free(q->qs_tmp);
	g_free(q);
}

const char *
mugai_quarantine_dir(const struct mugai_quarantine *q)
{
	return q->qs_dir;
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
	return mugai_audit_append(q->qs_audit, event, id, actor, outcome,
	    extra);
}

/* ---- store ---- */

/*
 * Opens a new file: O_EXCL, 0640, the auditors' group; flags adds the
 * access mode (O_WRONLY, or O_RDWR for an original its writer reads back).
 */
static int
create_file(const struct mugai_quarantine *q, const char *path, int flags)
{
	int fd;

	if (fault("open") != 0)
		return -1;
	fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd < 0)
		return -1;
	if (q->qs_gid != (gid_t)-1)
		(void)fchown(fd, (uid_t)-1, q->qs_gid);
	(void)fchmod(fd, 0640);
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

	if (fault("fsync") != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static enum mugai_err
write_meta(const struct mugai_quarantine *q, const char *path,
    const char *text)
{
	int fd;

	if ((fd = create_file(q, path, O_WRONLY)) < 0)
		return store_err(errno);
	if (write_all(fd, text, strlen(text)) != 0 ||
	    write_all(fd, "\n", 1) != 0) {
		int e = errno;

		close(fd);
		return store_err(e);
	}
	if (finish_file(fd) != 0)
		return store_err(errno);
	return MUGAI_OK;
}

/* Makes YYYY, YYYY/MM and YYYY/MM/DD for id; returns the day directory. */
static char *
make_day_dir(const struct mugai_quarantine *q, const char *id,
    enum mugai_err *err)
{
	char y[5], m[3], d[3];
	g_autofree char *yd = NULL, *md = NULL;
	char *dd;

	g_strlcpy(y, id, sizeof y);
	g_strlcpy(m, id + 4, sizeof m);
	g_strlcpy(d, id + 6, sizeof d);
	yd = g_build_filename(q->qs_dir, y, NULL);
	md = g_build_filename(yd, m, NULL);
	dd = g_build_filename(md, d, NULL);
	if (ensure_dir(q, yd) != 0 || ensure_dir(q, md) != 0 ||
	    ensure_dir(q, dd) != 0) {
		int e = errno;

		*err = store_err(e);
		g_free(dd);
		errno = e;
		return NULL;
	}
	*err = MUGAI_OK;
	return dd;
}

/*
 * Renames the finished tmp directory to its place. A purge may remove an
 * empty day directory between our mkdir and our rename (ENOENT): make it
 * again and retry.
 */
static enum mugai_err
publish(const struct mugai_quarantine *q, const char *id, const char *tmp,
    const char *final, char **day_out)
{
	enum mugai_err err = MUGAI_E_IO;

	for (int attempt = 0; attempt < 3; attempt++) {
		char *day = make_day_dir(q, id, &err);

		if (day == NULL) {
			if (errno == ENOENT)
				continue;	/* a parent went: again */
			return err;
		}
		if (fault("rename") == 0 && rename(tmp, final) == 0) {
			*day_out = day;
			return MUGAI_OK;
		}
		g_free(day);
		if (errno != ENOENT)
			return store_err(errno);
		err = MUGAI_E_IO;
	}
	return err;
}

/* ---- items: begin, write, commit ---- */

struct mugai_qitem {
	struct mugai_quarantine *qi_q;	/* lent */
	char *qi_tmp;			/* tmp/new.XXXXXX; NULL once gone */
	int qi_fd;			/* original.eml, read-write */
	guint64 qi_size;
	guint64 qi_started;		/* bytes whose writeback was started */
	enum mugai_err qi_err;		/* first write failure */
	gboolean qi_committed;
};

struct mugai_qitem *
mugai_quarantine_begin(struct mugai_quarantine *q, enum mugai_err *err)
{
	struct mugai_qitem *it = g_new0(struct mugai_qitem, 1);
	g_autofree char *opath = NULL;

	it->qi_q = q;
	it->qi_fd = -1;
	it->qi_tmp = g_build_filename(q->qs_tmp, "new.XXXXXX", NULL);
	if (fault("mkdir") != 0 || g_mkdtemp_full(it->qi_tmp, 0750) == NULL) {
		*err = store_err(errno);
		g_clear_pointer(&it->qi_tmp, g_free);
		mugai_quarantine_item_free(it);
		return NULL;
	}
	set_mode_group(q, it->qi_tmp, 0750);
	opath = g_build_filename(it->qi_tmp, "original.eml", NULL);
	if ((it->qi_fd = create_file(q, opath, O_RDWR)) < 0) {
		*err = store_err(errno);
		mugai_quarantine_item_free(it);
		return NULL;
	}
	/* Auditors read what is kept, not mail in flight: 0640 at commit. */
	(void)fchmod(it->qi_fd, 0600);
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
 * (unless sha is NULL) and its first bytes (up to HEADER_KEEP_MAX) into
 * head for the header fields.
 */
static enum mugai_err
read_back(const struct mugai_qitem *it, char sha[65], GByteArray *head)
{
	struct mugai_digest *d = sha != NULL ? mugai_digest_new() : NULL;
	char buf[65536];
	guint64 off = 0;

	while (off < it->qi_size && (d != NULL || head->len <
	    HEADER_KEEP_MAX)) {
		ssize_t n = pread(it->qi_fd, buf, (gsize)MIN(sizeof buf,
		    it->qi_size - off), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mugai_digest_free(d);
			return MUGAI_E_IO;
		}
		if (d != NULL)
			mugai_digest_update(d, buf, (gsize)n);
		if (head->len < HEADER_KEEP_MAX)
			g_byte_array_append(head, (guint8 *)buf,
			    (guint)MIN((gsize)n, HEADER_KEEP_MAX - head->len));
		off += (guint64)n;
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
		(void)rm_tree(it->qi_tmp, 2);
	g_clear_pointer(&it->qi_tmp, g_free);
}

/* meta.json and list.json into the item's tmp/ directory. */
static enum mugai_err
write_metas(struct mugai_qitem *it, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha)
{
	g_autofree char *mpath = NULL, *lpath = NULL, *meta = NULL;
	g_autofree char *list = NULL;
	GByteArray *head = g_byte_array_new();
	enum mugai_err err;

	gint64 usec = 0;

	(void)mugai_quarantine_id_time(id, &usec);
	if ((err = read_back(it, NULL, head)) == MUGAI_OK) {
		meta = mugai_qmeta_build(id, usec, env, report, it->qi_size,
		    sha, head->data, head->len, &list);
		mpath = g_build_filename(it->qi_tmp, "meta.json", NULL);
		lpath = g_build_filename(it->qi_tmp, "list.json", NULL);
		if ((err = write_meta(it->qi_q, mpath, meta)) == MUGAI_OK)
			err = write_meta(it->qi_q, lpath, list);
	}
	g_byte_array_free(head, TRUE);
	return err;
}

enum mugai_err
mugai_quarantine_commit(struct mugai_qitem *it, const char *id,
    const struct mugai_envelope *env, const struct mugai_report *report,
    const char *sha256, const char *actor)
{
	struct mugai_quarantine *q = it->qi_q;
	g_autofree char *final = NULL, *day = NULL;
	GByteArray *none = NULL;
	enum mugai_err err;
	char sha[65];

	if (it->qi_err != MUGAI_OK || it->qi_committed || it->qi_tmp == NULL)
		return it->qi_err != MUGAI_OK ? it->qi_err : MUGAI_E_INVAL;
	if (!mugai_quarantine_id_valid(id))
		return MUGAI_E_INVAL;
	final = mugai_quarantine_item_path(q->qs_dir, id);
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
	(void)fchmod(it->qi_fd, 0640);
	if (fault("fsync") != 0 || fsync(it->qi_fd) != 0) {
		err = store_err(errno);
		goto out_tmp;
	}
	if ((err = write_metas(it, id, env, report, sha)) != MUGAI_OK)
		goto out_tmp;
	/* After write_metas(): it reads the original's head back. */
	drop_cached(it);
	if (fsync_path(it->qi_tmp) != 0) {
		err = store_err(errno);
		goto out_tmp;
	}
	if ((err = publish(q, id, it->qi_tmp, final, &day)) != MUGAI_OK)
		goto out_tmp;
	if (fsync_path(day) != 0 || fsync_path(q->qs_tmp) != 0) {
		err = store_err(errno);
		goto out_unpublish;
	}
	{
		JsonObject *extra = json_object_new();

		json_object_set_int_member(extra, "size", (gint64)it->qi_size);
		json_object_set_string_member(extra, "sha256", sha);
		err = mugai_audit_append(q->qs_audit, "stored", id,
		    actor != NULL ? actor : "mugai", "ok", extra);
		json_object_unref(extra);
		if (err != MUGAI_OK) {
			err = store_err(err == MUGAI_E_NOSPACE ? ENOSPC : EIO);
			goto out_unpublish;
		}
	}
	it->qi_committed = TRUE;
	g_clear_pointer(&it->qi_tmp, g_free);
	return MUGAI_OK;

out_unpublish:
	/*
	 * Not durable, or not audited: take it back so the caller's tempfail
	 * and the MTA's retry leave one whole, audited item.
	 */
	if (rename(final, it->qi_tmp) != 0)
		(void)rm_tree(final, 2);
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
	char buf[65536], sha[65];
	gssize n = 0;

	if (!mugai_quarantine_id_valid(id) || original == NULL)
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
mugai_quarantine_read_meta(const char *dir, const char *id,
    enum mugai_err *err)
{
	g_autofree char *item = mugai_quarantine_item_path(dir, id);
	g_autofree char *path = NULL;
	g_autoptr(JsonParser) parser = NULL;
	JsonNode *root;

	if (item == NULL) {
		*err = MUGAI_E_INVAL;
		return NULL;
	}
	path = g_build_filename(item, "meta.json", NULL);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		*err = MUGAI_E_NOTFOUND;
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_mapped_file(parser, path, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		*err = MUGAI_E_PARSE;
		return NULL;
	}
	*err = MUGAI_OK;
	return json_object_ref(json_node_get_object(root));
}

/* ---- purge ---- */

/* Newest mtime in path and (for a directory) its direct entries. */
static gint64
newest_mtime(const char *path)
{
	struct stat st;
	gint64 newest;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) != 0)
		return G_MAXINT64;	/* gone or unreadable: leave it */
	newest = (gint64)st.st_mtime * G_USEC_PER_SEC;
	if (!S_ISDIR(st.st_mode) || (d = opendir(path)) == NULL)
		return newest;
	while ((de = readdir(d)) != NULL) {
		g_autofree char *child = NULL;
		struct stat cst;

		if (de->d_name[0] == '.')
			continue;
		child = g_build_filename(path, de->d_name, NULL);
		if (lstat(child, &cst) == 0)
			newest = MAX(newest, (gint64)cst.st_mtime *
			    G_USEC_PER_SEC);
	}
	closedir(d);
	return newest;
}

guint
mugai_quarantine_clean_tmp(struct mugai_quarantine *q, gint64 now_usec)
{
	DIR *d;
	struct dirent *de;
	guint n = 0;

	if ((d = opendir(q->qs_tmp)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		g_autofree char *path = NULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = g_build_filename(q->qs_tmp, de->d_name, NULL);
		if (now_usec - newest_mtime(path) > TMP_STALE_USEC &&
		    rm_tree(path, 2) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
mugai_quarantine_entries(const char *dir, gsize n)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return names;
	while ((name = g_dir_read_name(d)) != NULL) {
		gboolean ok;

		if (n == 0) {
			ok = mugai_quarantine_id_valid(name);
		} else {
			ok = strlen(name) == n;
			for (gsize i = 0; ok && i < n; i++)
				ok = g_ascii_isdigit(name[i]);
		}
		if (ok)
			g_ptr_array_add(names, g_strdup(name));
	}
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	return names;
}

static enum mugai_err
purge_item(struct mugai_quarantine *q, const char *day, const char *id,
    const char *actor)
{
	g_autofree char *item = g_build_filename(day, id, NULL);
	g_autofree char *tmp = NULL;
	enum mugai_err err = MUGAI_OK;
	JsonObject *extra = json_object_new();

	/* Out of sight first, as a whole; deletion follows. */
	tmp = g_strdup_printf("%s/purge-%s.%d", q->qs_tmp, id, (int)getpid());
	if (rename(item, tmp) != 0) {
		err = mugai_err_from_errno(errno);
		json_object_set_string_member(extra, "error",
		    g_strerror(errno));
	} else if (rm_tree(tmp, 2) != 0) {
		/* It is out of the store; a later purge finishes tmp/. */
		json_object_set_string_member(extra, "error",
		    g_strerror(errno));
	}
	if (err != MUGAI_E_NOTFOUND) {
		enum mugai_err aerr = mugai_audit_append(q->qs_audit,
		    "purged", id, actor, err == MUGAI_OK ? "ok" : "failed",
		    extra);

		if (err == MUGAI_OK)
			err = aerr;
	} else {
		err = MUGAI_OK;		/* another purge took it */
	}
	json_object_unref(extra);
	return err;
}

/* Purges the items of one day directory older than cutoff. */
static enum mugai_err
purge_day(struct mugai_quarantine *q, const char *ddir, gint64 cutoff,
    const char *actor, guint *count)
{
	GPtrArray *victims = g_ptr_array_new_with_free_func(g_free);
	enum mugai_err err = MUGAI_OK;
	GDir *gd;
	const char *name;

	if ((gd = g_dir_open(ddir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(gd)) != NULL) {
			gint64 t;

			if (mugai_quarantine_id_time(name, &t) && t < cutoff)
				g_ptr_array_add(victims, g_strdup(name));
		}
		g_dir_close(gd);
	}
	for (guint i = 0; i < victims->len; i++) {
		enum mugai_err e = purge_item(q, ddir,
		    g_ptr_array_index(victims, i), actor);

		if (e == MUGAI_OK)
			(*count)++;
		else if (err == MUGAI_OK)
			err = e;
	}
	g_ptr_array_free(victims, TRUE);
	return err;
}

enum mugai_err
mugai_quarantine_purge(struct mugai_quarantine *q, gint64 days,
    gint64 now_usec, const char *actor, guint *purged)
{
	gint64 cutoff = now_usec - days * 86400 * G_USEC_PER_SEC;
	g_autoptr(GDateTime) cdt = g_date_time_new_from_unix_utc(
	    cutoff / G_USEC_PER_SEC);
	g_autofree char *cday = g_date_time_format(cdt, "%Y%m%d");
	GPtrArray *years = mugai_quarantine_entries(q->qs_dir, 4);
	enum mugai_err err = MUGAI_OK, e;
	guint count = 0;

	/* Directories sort by date: stop at the first one past the cutoff. */
	for (guint yi = 0; yi < years->len; yi++) {
		const char *y = g_ptr_array_index(years, yi);
		g_autofree char *ydir = g_build_filename(q->qs_dir, y, NULL);
		GPtrArray *months;

		if (strncmp(y, cday, 4) > 0)
			break;
		months = mugai_quarantine_entries(ydir, 2);
		for (guint mi = 0; mi < months->len; mi++) {
			const char *m = g_ptr_array_index(months, mi);
			g_autofree char *mdir = g_build_filename(ydir, m,
			    NULL);
			g_autofree char *ym = g_strconcat(y, m, NULL);
			GPtrArray *dd;

			if (strncmp(ym, cday, 6) > 0)
				break;
			dd = mugai_quarantine_entries(mdir, 2);
			for (guint di = 0; di < dd->len; di++) {
				const char *dn = g_ptr_array_index(dd, di);
				g_autofree char *ddir = g_build_filename(mdir,
				    dn, NULL);
				g_autofree char *ymd = g_strconcat(ym, dn,
				    NULL);

				if (strcmp(ymd, cday) > 0)
					break;
				e = purge_day(q, ddir, cutoff, actor, &count);
				if (err == MUGAI_OK)
					err = e;
				/* Only days wholly before the cutoff. */
				if (strcmp(ymd, cday) < 0)
					(void)rmdir(ddir);
			}
			g_ptr_array_free(dd, TRUE);
			if (strncmp(ym, cday, 6) < 0)
				(void)rmdir(mdir);
		}
		g_ptr_array_free(months, TRUE);
		if (strncmp(y, cday, 4) < 0)
			(void)rmdir(ydir);
	}
	g_ptr_array_free(years, TRUE);
	(void)mugai_quarantine_clean_tmp(q, now_usec);
	if (purged != NULL)
		*purged = count;
	return err;
}
