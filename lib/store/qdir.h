/*
 * mugai_qdir - walking the quarantine store without following links
 *
 * The store belongs to the milter's user, who can replace any directory
 * or file in it by a symbolic link. Whatever walks it (the milter, and the
 * mugai command, often run as root) does so from a descriptor of the
 * store's top directory, one name at a time, with openat(2) and
 * O_NOFOLLOW: a link where a directory or file is expected is refused
 * (errno ELOOP or ENOTDIR), never followed, and a removal unlinks a link
 * instead of descending into what it points at. Only the top directory's
 * own path is resolved as usual: it comes from the administrator's
 * configuration, in directories the milter's user cannot write.
 *
 * mugai_qdir_become_owner() is what a root command does first: it runs as
 * the store's owner from then on, so a link it missed, a file it creates
 * (tmp/, audit.log, an item) and the submit command of a release are all
 * the milter's user's, never root's.
 *
 * Descriptors returned are O_CLOEXEC and the caller's to close; descriptors
 * passed in are lent. Functions returning int give -1 with errno set.
 */
#ifndef MUGAI_QDIR_H
#define MUGAI_QDIR_H

#include <sys/stat.h>
#include <sys/types.h>

#include <glib.h>

#include "base/err.h"

/*
 * Opens the store's top directory at dir and checks it: a directory that
 * neither group nor others may write. st (may be NULL) gets its fstat(2):
 * st_uid is the store's owner. Returns the descriptor, or -1 with errno
 * (ENOENT: no such directory; EPERM: writable by group or others;
 * ENOTDIR: not a directory).
 */
int mugai_qdir_open_top(const char *dir, struct stat *st);

/* Opens the directory name in dirfd, never following a link. */
int mugai_qdir_open(int dirfd, const char *name);

/*
 * Opens the item directory of a valid id under topfd: YYYY, MM, DD and ID
 * in turn, none of them followed if a link. errno EINVAL for an invalid
 * id, ENOENT for a missing item.
 */
int mugai_qdir_open_item(int topfd, const char *id);

/*
 * Opens the file name in dirfd for reading: not a link, a regular file
 * (a FIFO or device would block or lie), owned by owner unless owner is
 * (uid_t)-1 (EPERM otherwise). st (may be NULL) gets its fstat(2).
 */
int mugai_qdir_open_file(int dirfd, const char *name, uid_t owner,
    struct stat *st);

/*
 * TRUE when the SHA-256 of all fd holds (read with pread(2): the offset
 * stays) is want, 64 lower-case hex digits; FALSE with errno EBADMSG
 * when it differs or want is NULL, or the read's errno.
 */
gboolean mugai_qdir_sha256_is(int fd, const char *want);

/* The name of an item's original in its directory. */
#define MUGAI_QDIR_ORIGINAL	"original.eml"

/*
 * Opens the item's original (original.eml in itemfd), once, as
 * mugai_qdir_open_file() does: never through a link, a regular file,
 * owned by owner unless (uid_t)-1 (EPERM). max > 0: EFBIG when it is
 * larger. sha256 (may be NULL): the SHA-256 (64 hex digits) meta.json
 * records for it; EBADMSG when the file's differs. The checks are made
 * on the descriptor returned (at offset 0), so what was checked is what
 * the caller reads. st (may be NULL) gets its fstat(2).
 */
int mugai_qdir_open_original(int itemfd, uid_t owner, guint64 max,
    const char *sha256, struct stat *st);

/*
 * Reads the whole file name in dirfd, opened as mugai_qdir_open_file()
 * does, when it is at most max bytes (EFBIG otherwise). Returns (transfer
 * full) its bytes with a NUL after them and *len, or NULL with errno.
 */
char *mugai_qdir_read(int dirfd, const char *name, uid_t owner, gsize max,
    gsize *len);

/*
 * Returns (transfer full) the sorted names in dirfd that are n digits long
 * (n > 0: a YYYY, MM or DD level), or valid ids (n == 0: a day's items),
 * as mugai_quarantine_entries() does. An unreadable directory gives an
 * empty array.
 */
GPtrArray *mugai_qdir_entries(int dirfd, gsize n);

/*
 * Called by mugai_qdir_walk() for each item: its day directory dayfd
 * (lent), the day's path "YYYY/MM/DD" and the id. FALSE stops the walk.
 */
typedef gboolean (*mugai_qdir_visit_fn)(int dayfd, const char *day,
    const char *id, gpointer data);

/*
 * Walks the items of the store whose top directory is topfd (lent),
 * YYYY/MM/DD/ID one name at a time, no link followed, oldest first or
 * (newest_first) newest first, until visit returns FALSE. The one walk
 * of the store's directories (the CLI's reindex, the portal without an
 * index).
 */
void mugai_qdir_walk(int topfd, gboolean newest_first,
    mugai_qdir_visit_fn visit, gpointer data);

/*
 * What mugai_qdir_walk_opts() walks besides all: the days from wo_first to
 * wo_last ("YYYYMMDD", inclusive; "" for no bound), whole years and
 * months outside pruned before they are opened; wo_unreadable (may be
 * NULL) is told of each year, month or day that is there but cannot be
 * opened (a link, not a directory: errno), by its path "YYYY/MM/DD".
 */
struct mugai_qdir_walk_opts {
	gboolean wo_newest_first;
	const char *wo_first;
	const char *wo_last;
	void (*wo_unreadable)(const char *path, int errnum, gpointer data);
};

/* mugai_qdir_walk() with wo (NULL: every day, oldest first). */
void mugai_qdir_walk_opts(int topfd, const struct mugai_qdir_walk_opts *wo,
    mugai_qdir_visit_fn visit, gpointer data);

/*
 * Removes name in dirfd: a file or a link is unlinked (a link is never
 * followed), a directory is emptied first, depth levels at most (ELOOP
 * past that). A missing name is not an error.
 */
int mugai_qdir_remove(int dirfd, const char *name, int depth);

/*
 * Newest modification time (microseconds) of name in dirfd and, for a
 * directory, of its direct entries, none followed. G_MAXINT64 when it
 * cannot be read, so that the caller leaves it alone.
 */
gint64 mugai_qdir_newest_mtime(int dirfd, const char *name);

/*
 * When the process runs as root and the store (topfd) belongs to another
 * user, becomes that user for good before anything in the store is
 * touched: supplementary groups from the owner's passwd entry (none
 * without one), then real, effective and saved group and user IDs
 * (setresgid, setresuid), checked to be irreversible. A store owned by
 * root, or a process not running as root, is left as it is. Returns
 * MUGAI_OK, or MUGAI_E_PERM with *why (transfer full) saying what failed.
 */
enum mugai_err mugai_qdir_become_owner(int topfd, char **why);

/*
 * TRUE when uid (primary group gid, supplementary groups) may be the
 * store's reader: not root, not the store's owner, and a member of the
 * store's group store_gid (the group that reads its 0750/0640 files).
 */
gboolean mugai_qdir_reader_ok(uid_t uid, gid_t gid, const gid_t *groups,
    int ngroups, uid_t owner, gid_t store_gid);

/*
 * Run as root: becomes user for good (mugai-portal's server process),
 * after checking with mugai_qdir_reader_ok() that it reads the store
 * (topfd) and is neither root nor its owner. MUGAI_OK, or an error with
 * *why (transfer full).
 */
enum mugai_err mugai_qdir_become_reader(int topfd, const char *user,
    char **why);

/*
 * Returns (transfer none) errnum in the words the commands print: a link
 * is named as such ("a symbolic link or not a directory"), anything else
 * is strerror's.
 */
const char *mugai_qdir_strerror(int errnum);

#endif
