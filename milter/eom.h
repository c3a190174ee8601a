/*
 * mugai_eom - end of message: sanitize, keep the original, apply, reply
 *
 * The order is the contract with the MTA: the engine runs on the spooled
 * message; when the original must be kept it is stored durably before
 * any reply; only then do edits and the new body go to the MTA, and only
 * after all of them succeeded does the message continue. Any failure on
 * the way is a 451 4.3.0 tempfail (the MTA keeps the mail). A message
 * with a valid X-Mugai-Release header passes unchanged and is logged.
 * Logs one summary line per message.
 */
#ifndef MUGAI_EOM_H
#define MUGAI_EOM_H

#include <libmilter/mfapi.h>

#include "context.h"

/* Finishes cc's message; returns the status for xxfi_eom. */
sfsistat mugai_eom_run(SMFICTX *ctx, struct mugai_conn *cc);

/*
 * Ends a message that failed before eom (spool error or size cap): logs
 * it and returns the status; used by the header and body callbacks.
 */
sfsistat mugai_eom_fail_early(SMFICTX *ctx, struct mugai_conn *cc);

#endif
