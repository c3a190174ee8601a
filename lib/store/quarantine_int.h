/*
 * quarantine_int - the store handle, shared by lib/store/quarantine.c
 * (open, write, read) and lib/store/qpurge.c (purge, tmp/ cleaning).
 * Private to the store: other modules use quarantine.h.
 */
#ifndef MUGAI_QUARANTINE_INT_H
#define MUGAI_QUARANTINE_INT_H

#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "store/audit.h"

/* A tmp/ entry untouched this long belongs to no running writer. */
#define MUGAI_QUARANTINE_TMP_STALE_USEC \
	(G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)

struct mugai_quarantine {
	char *qs_dir;			/* for messages only */
	int qs_fd;			/* the store's top directory */
	int qs_tmpfd;			/* tmp/ */
	uid_t qs_owner;			/* owner of the top directory */
	gid_t qs_gid;			/* (gid_t)-1: leave the group alone */
	struct mugai_audit *qs_audit;	/* shared by every thread */
	int qs_journalfd;		/* journal/ */
	char *qs_node;			/* node name in journal rows, or NULL */
	gboolean qs_group;		/* group commit: syncfs() per batch */
	/*
	 * What an item's new files and directories get without a call of
	 * their own (open: mugai_quarantine_open_fd()): the modes asked of
	 * openat/mkdirat, the umask clearing none of 0750; the group, tmp/
	 * being set-group-ID with qs_gid. Otherwise fchmod/fchown each.
	 */
	gboolean qs_modes_kept;
	gboolean qs_group_kept;
	/* Group commit (lib/store/quarantine.c, group_commit()). */
	GMutex qs_lock;
	GPtrArray *qs_queue;		/* struct pending *, files written */
	GPtrArray *qs_awaiting;		/* published, for the next sync */
	gboolean qs_leading;		/* a thread is committing a batch */
	guint64 qs_syncs;		/* file-system syncs issued */
	guint64 qs_wakeups;		/* group commit waits that returned */
	/*
	 * The day directory items were last renamed into (group commit only,
	 * touched by the batch's leader alone): YYYYMMDD and a descriptor,
	 * or -1. A day has one, so the next items need no walk to it.
	 */
	char qs_day[9];
	int qs_dayfd;
	GArray *qs_retired;		/* old day fds, items may hold them */
	GArray *qs_retired_prev;	/* ... from the round before */
	guint64 qs_items;		/* items committed */
};

/*
 * Appends text (one or more whole lines, each ending in a newline) to
 * today's journal segment, journal/YYYYMMDD (UTC), with one write(2).
 * Not synced: the caller syncs, or the next group commit does.
 */
/*
 * A journal line for an audit event the index keeps ("released",
 * "purged", "extracted"; others are ignored): the audit line with "op"
 * set to event. Best effort, unsynced.
 */
void mugai_quarantine_journal_event(struct mugai_quarantine *q,
    const char *event, const char *id, const char *actor,
    const char *outcome, JsonObject *extra);

enum mugai_err mugai_quarantine_journal_write(struct mugai_quarantine *q,
    const char *text, gsize len);

#endif
