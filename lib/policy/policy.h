/*
 * mugai_policy - what to do with one removed part, and why
 *
 * The engine calls mugai_policy_examine() for every leaf part it removes.
 * One pass over the decoded bytes computes the size and SHA-256, sniffs
 * the first [limits] sniff_size bytes with libmagic, scans documents for
 * macros and active content (lib/policy/docscan.c) and walks archives within the
 * [policy] archive_* bounds (lib/archive.c); the filename is checked by
 * lib/policy/filename.c and the types compared by lib/policy/filetype.c. The facts go to
 * part->rp_flags and the [rule NAME] list (lib/policy/rules.c) picks the action,
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

#include "core/config.h"
#include "base/err.h"
#include "base/report.h"
#include "base/envelope.h"

/* Examines the decoded content of one removed part (read from decoded's current position to its end) and decides
 * its action. part arrives with rp_path, rp_declared_type and rp_filename set; this fills rp_detected_type, rp_size,
 * rp_sha256, rp_flags, rp_rule, rp_action and rp_reason. Returns MUGAI_OK, or MUGAI_E_IO when the stream fails.
 * Thread-safe. */
enum mugai_err mugai_policy_examine(const struct mugai_config *cf, const struct mugai_envelope *env,
    GMimeStream *decoded, struct mugai_report_part *part);
/* mugai_policy_examine() within a deadline (lib/base/deadline.h, 0: none), checked per block read and per archive
 * entry. Past it, the reading stops and MUGAI_E_LIMIT is returned with the part at tempfail: the caller withholds
 * the message ([limits] max_time). */
enum mugai_err mugai_policy_examine_until(const struct mugai_config *cf, const struct mugai_envelope *env,
    GMimeStream *decoded, struct mugai_report_part *part, gint64 deadline);
/*
 * Documents inside an archive part, kept for their text (lib/core/xbody.c):
 * pd_hint names the entries wanted (lib/policy/arcscan.h), at most pd_max
 * bytes each; they land in pd_found (struct mugai_arcscan_doc *, created
 * by the caller with mugai_arcscan_doc_free), in archive order.
 */
struct mugai_policy_docs {
	const char *(*pd_hint)(const char *name, void *ctx);
	void *pd_ctx;
	gsize pd_max;
	GPtrArray *pd_found;
};

/* mugai_policy_examine_until() keeping docs (NULL: none) of an archive. */
enum mugai_err mugai_policy_examine_docs(const struct mugai_config *cf,
    const struct mugai_envelope *env, GMimeStream *decoded,
    struct mugai_report_part *part, gint64 deadline,
    struct mugai_policy_docs *docs);

/*
 * The same examination fed the decoded bytes as they pass (the streaming
 * engine): nothing is stored except an archive's bytes (memory, then an
 * unlinked temp file in spool_dir), which libarchive reads at the end.
 * Facts and decision equal mugai_policy_examine()'s on the same bytes.
 */
struct mugai_policy_feed;

/* Returns (transfer full) a feed for one removed part, never NULL. */
struct mugai_policy_feed *mugai_policy_feed_new(
    const struct mugai_config *cf /* lent, must outlive the feed */);

/* Adds len decoded bytes (lent); FALSE once keeping them failed (I/O). */
gboolean mugai_policy_feed_add(struct mugai_policy_feed *pf,
    const guint8 *buf, gsize len);

/*
 * Fills part as mugai_policy_examine_until() does and frees pf. MUGAI_E_IO
 * when a kept archive could not be written or read (part deferred);
 * MUGAI_E_LIMIT when its inspection ran past deadline (0: none).
 */
enum mugai_err mugai_policy_feed_finish(struct mugai_policy_feed *pf,
    const struct mugai_envelope *env, struct mugai_report_part *part,
    gint64 deadline);

/* mugai_policy_feed_finish() keeping docs (NULL: none) of an archive. */
enum mugai_err mugai_policy_feed_finish_docs(struct mugai_policy_feed *pf,
    const struct mugai_envelope *env, struct mugai_report_part *part,
    gint64 deadline, struct mugai_policy_docs *docs);

/* Frees pf unfinished. NULL does nothing. */
void mugai_policy_feed_free(struct mugai_policy_feed *pf);

/* Returns (transfer none) the warning text of the rule that matched part, or NULL. */
const char *mugai_policy_warning(const struct mugai_config *cf, const struct mugai_report_part *part);

/* Returns the action [policy] default_action names. */
enum mugai_action mugai_policy_default_action(const struct mugai_config *cf);

#endif
