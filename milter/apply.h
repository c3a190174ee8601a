/*
 * mugai_apply - hand the engine's changes to the MTA at end of message
 *
 * Header edits go out in the order the engine gave them (it orders deletes
 * so indexes stay valid); the new body goes out in chunks of at most
 * MUGAI_APPLY_CHUNK bytes. Any refusal from the MTA is MUGAI_E_IO: the
 * caller tempfails, and the MTA drops every change of a tempfailed message.
 */
#ifndef MUGAI_APPLY_H
#define MUGAI_APPLY_H

#include <glib.h>
#include <libmilter/mfapi.h>

#include "base/err.h"
#include "core/sanitize.h"

#define MUGAI_APPLY_CHUNK (64 * 1024)

/*
 * Applies edits ((struct mugai_hdr_edit *), lent). leadspc: the MTA takes
 * values exactly (SMFIP_HDR_LEADSPC negotiated), so " " is put in front.
 */
enum mugai_err mugai_apply_edits(SMFICTX *ctx, const GPtrArray *edits,
    gboolean leadspc);

/*
 * Replaces the body with body (lent), in messages of at most chunk bytes
 * (1 to MUGAI_APPLY_CHUNK).
 */
enum mugai_err mugai_apply_body(SMFICTX *ctx, GBytes *body, gsize chunk);

#endif
