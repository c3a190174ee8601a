/*
 * mugai_policy - what to do with one removed part, and why
 *
 * The engine calls mugai_policy_examine() for every leaf part it removes.
 * One pass over the decoded bytes computes the size and SHA-256, sniffs
 * the first [limits] sniff_size bytes with libmagic, scans documents for
 * macros and active content (lib/docscan.c) and walks archives within the
 * [policy] archive_* bounds (lib/archive.c); the filename is checked by
 * lib/filename.c and the types compared by lib/filetype.c. The facts go to
 * part->rp_flags and the [rule NAME] list (lib/rules.c) picks the action,
 * or [policy] default_action when no rule matches.
 *
 * Hostile content is never an error: a broken archive, a bomb or a name
 * full of control characters are facts the rules see. Only a failing
 * stream is (MUGAI_E_IO). No global mutable state besides each thread's
 * libmagic handle: any number of threads may examine parts at once.
 */
#ifndef MUGAI_POLICY_H
#define MUGAI_POLICY_H

#include <glib.h>
#include <gmime/gmime.h>

#include "config.h"
#include "err.h"
#include "report.h"
#include "sanitize.h"

/* Examines the decoded content of one removed part (read from decoded's current position to its end) and decides
 * its action. part arrives with rp_path, rp_declared_type and rp_filename set; this fills rp_detected_type, rp_size,
 * rp_sha256, rp_flags, rp_rule, rp_action and rp_reason. Returns MUGAI_OK, or MUGAI_E_IO when the stream fails.
 * Thread-safe. */
enum mugai_err mugai_policy_examine(const struct mugai_config *cf, const struct mugai_envelope *env,
    GMimeStream *decoded, struct mugai_report_part *part);
/* mugai_policy_examine() within a deadline (lib/deadline.h, 0: none), checked per block read and per archive
 * entry. Past it, the reading stops and MUGAI_E_LIMIT is returned with the part at tempfail: the caller withholds
 * the message ([limits] max_time). */
enum mugai_err mugai_policy_examine_until(const struct mugai_config *cf, const struct mugai_envelope *env,
    GMimeStream *decoded, struct mugai_report_part *part, gint64 deadline);
/* Returns (transfer none) the warning text of the rule that matched part, or NULL. */
const char *mugai_policy_warning(const struct mugai_config *cf, const struct mugai_report_part *part);

/* Returns the action [policy] default_action names. */
enum mugai_action mugai_policy_default_action(const struct mugai_config *cf);

#endif
