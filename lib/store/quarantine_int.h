/*
 * quarantine_int - the store handle, shared by lib/store/quarantine.c
 * (open, write, read) and lib/store/qpurge.c (purge, tmp/ cleaning).
 * Private to the store: other modules use quarantine.h.
 */
#ifndef MUGAI_QUARANTINE_INT_H
#define MUGAI_QUARANTINE_INT_H

#include <sys/types.h>

#include <glib.h>

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
};

#endif
