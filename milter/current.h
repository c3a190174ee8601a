/*
 * mugai_current - the daemon's shared state: the live config, the
 * quarantine handle and the body chunk size
 *
 * The config pointer is the one piece of global mutable state: a mutex
 * guards the pointer, the config's refcount keeps each version alive.
 * mugai_current_config() hands out a reference; a message keeps it from
 * envfrom to its end, so a reload (mugai_current_set_config) only affects
 * messages that start after it. The quarantine handle is set once before
 * the first connection and never changes.
 */
#ifndef MUGAI_CURRENT_H
#define MUGAI_CURRENT_H

#include "core/config.h"
#include "quar.h"

/* Installs cf as the live config (reference taken over); drops the old. */
void mugai_current_set_config(struct mugai_config *cf);

/* Returns (transfer full) a reference to the live config. */
struct mugai_config *mugai_current_config(void);

/* Sets the quarantine handle (ownership passes); only before serving. */
void mugai_current_set_quar(struct mugai_mquar *q);

/* Returns (transfer none) the quarantine handle. */
struct mugai_mquar *mugai_current_quar(void);

/*
 * Bytes per body replacement message: MUGAI_APPLY_CHUNK unless set (only
 * before serving) from MUGAI_MILTER_BODY_CHUNK, for test clients whose
 * buffers are small.
 */
void mugai_current_set_body_chunk(gsize chunk);
gsize mugai_current_body_chunk(void);

/* Drops the config and closes the quarantine (at exit). */
void mugai_current_clear(void);

#endif
