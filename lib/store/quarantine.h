/*
 * mugai_quarantine - the durable store of originals, metadata and audit log
 *
 *   DIR/tmp/                         in-progress writes, never read by tools
 *   DIR/YYYY/MM/DD/ID/original.eml   the message exactly as received (0600)
 *   DIR/YYYY/MM/DD/ID/meta.json      see doc/quarantine-meta.md
 *   DIR/YYYY/MM/DD/ID/list.json      (items stored before session 9 only)
 *   DIR/audit.log                    JSON lines (lib/store/audit.h)
 *   DIR/journal/YYYYMMDD             JSON lines, one row per stored,
 *                                    purged or released item (the index's
 *                                    input, lib/index/)
 *
 * An item appears whole or not at all: it is written in a directory under
 * tmp/, its files and that directory are made durable, it is renamed into
 * YYYY/MM/DD (UTC date of the ID), its row appended to the journal, and
 * the rename made durable. With group commit, concurrent items share the
 * syncs (syncfs(2)) that do this, one per round, each round's sync making
 * one batch's renames and the next batch's files durable.
 *
 * IDs look like "20250102-030405-123456-0a1b2c3d-0123456789abcdef":
 * UTC date, time, microseconds, 8 hex digits of the host name's SHA-256,
 * 16 hex digits from the system's random source. They sort by time and are
 * unique across threads, processes and hosts. Every path is built only from
 * an ID that mugai_qid_valid() accepted; anything else is
 * MUGAI_E_INVAL before the file system is touched.
 *
 * The store is walked from a descriptor of its top directory, never
 * following a link (lib/store/qdir.h): tmp/, a level directory, an item or
 * one of its files that is a link, or not of the store's owner where it
 * matters (tmp/, audit.log, original.eml for a release), is refused.
 *
 * Errors are returned, never hidden: the milter tempfails on any of them.
 */
#ifndef MUGAI_QUARANTINE_H
#define MUGAI_QUARANTINE_H

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "base/err.h"
#include "base/report.h"
#include "base/envelope.h"
#include "store/qid.h"


struct mugai_quarantine;

/*
 * Opens (creating tmp/ and the top directory with 0750 when missing) the
 * store at dir. group (NULL/"" = none) is the auditors' group given to new
 * directories/files. Refuses (MUGAI_E_PERM) a top directory or tmp/
 * writable by group or others, a tmp/ or audit.log that is a link or
 * belongs to someone else than the top directory's owner; an unknown
 * group is MUGAI_E_CONFIG. Returns (transfer full) the store or NULL with
 * *err. Thread-safe for concurrent mugai_quarantine_store() calls.
 */
struct mugai_quarantine *mugai_quarantine_open(const char *dir,
    const char *group, enum mugai_err *err);

/*
 * The same on a top directory already open (topfd lent: duplicated), as a
 * command that became the store's owner has it (mugai_qdir_open_top(),
 * mugai_qdir_become_owner()); dir only names it in messages. Nothing is
 * created but tmp/ and audit.log.
 */
struct mugai_quarantine *mugai_quarantine_open_fd(int topfd,
    const char *dir, const char *group, enum mugai_err *err);

/* Closes the store. NULL does nothing. */
void mugai_quarantine_close(struct mugai_quarantine *q);

/*
 * The node name written in each item's journal row (the gateway that
 * holds the item, doc/deployment.md); NULL or "" is the host name.
 * Set it before the first commit.
 */
void mugai_quarantine_set_node(struct mugai_quarantine *q,
    const char *node);

/*
 * Group commit (the default where syncfs(2) exists): concurrent commits
 * are made durable together: about one sync of the store's file system
 * per batch under load (two for a lone item) instead of five fsyncs per
 * item. FALSE: each item is synced file
 * by file. Set it before the first commit.
 */
void mugai_quarantine_set_group_commit(struct mugai_quarantine *q,
    gboolean on);

/* Syncs issued and items committed since open (for logs and tests). */
void mugai_quarantine_sync_stats(struct mugai_quarantine *q,
    guint64 *syncs, guint64 *items);

/*
 * Times a thread waiting in a group commit was woken (its item done, its
 * turn to lead a round, or neither): each item needs one or two; more
 * means threads woken for nothing, each a futex call and a context switch.
 */
guint64 mugai_quarantine_wakeups(struct mugai_quarantine *q);

/* Returns (transfer none) the store's directory. */
const char *mugai_quarantine_dir(const struct mugai_quarantine *q);

/* The descriptor of the store's top directory (transfer none). */
int mugai_quarantine_fd(const struct mugai_quarantine *q);

/* The owner of the store's top directory: every file in it is theirs. */
uid_t mugai_quarantine_owner(const struct mugai_quarantine *q);

/*
 * Returns (transfer full) the sorted names in dir that are n digits long
 * (n > 0: a YYYY, MM or DD level), or valid ids (n == 0: a day's items).
 * Anything else in dir is left out; a missing dir gives an empty array.
 * (mugai_qdir_entries() does the same on a descriptor.)
 */
GPtrArray *mugai_quarantine_entries(const char *dir, gsize n);

/*
 * Stores the original (read from original's current position to the end,
 * byte for byte) and meta.json built from env, report (may be NULL) and
 * the original's size/SHA-256, under id. Durable before MUGAI_OK is
 * returned (write under tmp/, fsync files, rename into YYYY/MM/DD/ID, fsync
 * the directories). On failure nothing is visible and the error is
 * MUGAI_E_NOSPACE, MUGAI_E_PERM or MUGAI_E_IO (MUGAI_E_INVAL for a bad id).
 * Appends a "stored" line to audit.log. actor: "mugai-milter" or a user
 * name. Nothing is taken over: original, env and report stay the caller's.
 */
enum mugai_err mugai_quarantine_store(struct mugai_quarantine *q,
    const char *id, GMimeStream *original, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *actor);

/*
 * An item written as its original arrives: begin, write the bytes in
 * order, then commit (meta.json, fsync, rename: the item appears whole)
 * or free without commit (abort: the tmp/ directory is removed). A crash
 * in between leaves only a tmp/ entry, which purge removes once stale.
 * One item belongs to one thread; the store must outlive it.
 */
struct mugai_qitem;

/*
 * Returns (transfer full) a new item with an empty original.eml under
 * tmp/, or NULL with *err (MUGAI_E_NOSPACE, MUGAI_E_PERM, MUGAI_E_IO).
 */
struct mugai_qitem *mugai_quarantine_begin(struct mugai_quarantine *q,
    enum mugai_err *err);

/*
 * Appends len bytes (lent) to the original, at its own size (pwrite: a
 * reader sharing the descriptor never moves it). MUGAI_OK, or the
 * first failure (MUGAI_E_NOSPACE, MUGAI_E_PERM, MUGAI_E_IO), which every
 * later write and the commit return again.
 */
enum mugai_err mugai_quarantine_write(struct mugai_qitem *it,
    const void *buf, gsize len);

/*
 * The original's descriptor (transfer none), open for reading too; valid
 * until mugai_quarantine_item_free(). Read it with pread or a dup.
 */
int mugai_quarantine_item_fd(const struct mugai_qitem *it);

/* Bytes written so far. */
guint64 mugai_quarantine_item_size(const struct mugai_qitem *it);

/*
 * Makes the item durable under id, as mugai_quarantine_store() does, with
 * meta.json from env, report (may be NULL), the bytes written and sha256:
 * the hex SHA-256 of exactly those bytes (the engine's, so the original
 * is not hashed twice), or NULL to have it computed here. On failure
 * nothing is visible; the descriptor stays readable until free either way.
 */
enum mugai_err mugai_quarantine_commit(struct mugai_qitem *it,
    const char *id, const struct mugai_envelope *env,
    const struct mugai_report *report, const char *sha256,
    const char *actor);

/* Frees it, removing its tmp/ entry unless committed. NULL does nothing. */
void mugai_quarantine_item_free(struct mugai_qitem *it);

/*
 * Reads DIR/.../ID/meta.json, walking from dir without following links.
 * Returns (transfer full) its root object, or NULL with *err
 * (MUGAI_E_INVAL bad id, MUGAI_E_NOTFOUND, MUGAI_E_PARSE, MUGAI_E_PERM a
 * link on the way).
 */
JsonObject *mugai_quarantine_read_meta(const char *dir, const char *id,
    enum mugai_err *err);

/* The same from an item directory's descriptor (lent). */
JsonObject *mugai_quarantine_read_meta_at(int itemfd, enum mugai_err *err);

/*
 * Reopens DIR/audit.log after logrotate renamed it (mugai_audit_reopen()).
 * On failure the old file stays in use. Thread-safe.
 */
enum mugai_err mugai_quarantine_reopen_log(struct mugai_quarantine *q);

/*
 * Appends one audit line (event "extracted", "released", ...); extra
 * (transfer none, may be NULL) adds members. Returns the write error.
 */
enum mugai_err mugai_quarantine_audit(struct mugai_quarantine *q,
    const char *event, const char *id, const char *actor,
    const char *outcome, JsonObject *extra);

/*
 * Removes every item whose ID time is before now_usec - days * 86400 s
 * (whole items only: each is renamed into tmp/ first, then deleted), the
 * day directories left empty, and tmp/ entries not modified for an hour
 * (a writer's in-progress entry is always younger). One "purged" audit
 * line per item. A level directory or an item that is a link (or not a
 * directory) is left alone, never followed: a "purged"/"failed" audit
 * line names it, refused (may be NULL) gets a line "PATH: why" (transfer
 * full strings, PATH relative to the store) and the result is
 * MUGAI_E_PERM. *purged (may be NULL) gets the item count. Returns
 * MUGAI_OK or the first error; items already removed stay removed.
 */
enum mugai_err mugai_quarantine_purge(struct mugai_quarantine *q,
    gint64 days, gint64 now_usec, const char *actor, guint *purged,
    GPtrArray *refused);

/*
 * Removes the tmp/ entries not modified for an hour (what a crash left:
 * a running writer's entry is always younger), as purge does. Returns
 * how many were removed.
 */
guint mugai_quarantine_clean_tmp(struct mugai_quarantine *q,
    gint64 now_usec);

/*
 * Test hook, NULL in production. When set, it is called before each
 * file-system step of a store ("mkdir", "open", "write", "fsync",
 * "rename") with that step's name; a non-zero return is taken as the
 * errno of that step failing. Set it only while no store runs.
 */
extern int (*mugai_quarantine_fault_hook)(const char *step);

/* Milter side of release: checks an X-Mugai-Release header value. */
enum mugai_release_status {
	MUGAI_RELEASE_VALID,
	MUGAI_RELEASE_FORGED,
	MUGAI_RELEASE_EXPIRED,
	MUGAI_RELEASE_REPLAYED,
	MUGAI_RELEASE_UNKNOWN_ID,
	MUGAI_RELEASE_OTHER_CONTENT,	/* a good token on other content */
	MUGAI_RELEASE_OTHER_RCPTS,	/* ... for other recipients */
};

/*
 * VALID only when the HMAC (keyed by cf->cf_release_secret) verifies, the
 * time is within cf_release_max_age, the envelope recipients rcpts
 * (NULL-terminated, as the MTA gave them) are those the token was made
 * for (else OTHER_RCPTS), the message (read from message's current
 * position: the whole message as the milter spooled it) is, after its
 * X-Mugai-Release field, the original the token names (else
 * OTHER_CONTENT; see mugai_release_content_digest()), the item exists
 * with that SHA-256, and this release token has not been used before
 * (marked used atomically with O_CREAT|O_EXCL of a file in the item
 * directory, so a replay is refused even across processes). Any status
 * but VALID leaves the token unused. An unreadable or unsafe secret makes
 * every header FORGED. *id_out (transfer full, may be NULL) gets the ID
 * when one was parsed, else NULL. Implemented in lib/store/release.c.
 */
enum mugai_release_status mugai_release_check(struct mugai_quarantine *q,
    const struct mugai_config *cf, const char *header_value,
    GMimeStream *message, const char *const *rcpts, char **id_out);

#endif
