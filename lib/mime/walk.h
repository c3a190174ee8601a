/*
 * mugai_walk - what both engines decide about a part
 *
 * The walk owns the rules of the sanitized-message contract for structure:
 * text/plain and text/html become text, multipart/alternative gives its
 * best text, multipart/related its rendered root, message/rfc822 is shown
 * inline under a forwarded-message block, and every other leaf is removed
 * into the report (its facts and action from the policy). Content that
 * cannot be sanitized with certainty, or a limit exceeded, sets
 * wk_withhold; the walk then stops adding to the text.
 *
 * Two engines read the MIME structure: lib/mime/gwalk.c walks GMime's tree
 * (mugai_gwalk_message()), lib/mime/swalk.c follows lib/mime/scan.c's
 * events as the bytes pass (mugai_swalk_message()). Both fill a struct
 * mugai_walk through the functions below, so they give one answer.
 */
#ifndef MUGAI_WALK_H
#define MUGAI_WALK_H

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "base/err.h"
#include "policy/policy.h"
#include "base/report.h"
#include "base/envelope.h"

struct mugai_walk {
	const struct mugai_config *wk_cf;
	const struct mugai_envelope *wk_env;
	struct mugai_report *wk_report;	/* (transfer none) */
	GString *wk_text;		/* rendered UTF-8 text, LF */
	guint wk_parts;			/* parts seen so far */
	guint64 wk_decoded;		/* decoded bytes so far */
	char *wk_withhold;		/* first reason to withhold, or NULL */
	const char *wk_limit;		/* config key of the limit behind
					 * wk_withhold (static), or NULL */
	gint64 wk_deadline;		/* [limits] max_time: monotonic usec
					 * (lib/base/deadline.h), 0: none */
	guint wk_warnings;		/* GMime parser warnings */
	guint wk_doubts;		/* ambiguities read through */
	gboolean wk_unchanged;		/* the body can pass as it came */
	GPtrArray *wk_docs;		/* (struct mugai_walk_doc *) removed
					 * documents for lib/core/xbody.c */
};

/*
 * A removed part (or an archive entry of it) whose text the extraction
 * helper may read: its decoded bytes, at most [extract] max_bytes.
 */
struct mugai_walk_doc {
	guint wd_part;		/* index of its entry in rr_parts */
	char *wd_entry;		/* path inside an archive, or NULL */
	const char *wd_hint;	/* type hint (static) */
	GByteArray *wd_data;	/* (owned) */
	gboolean wd_cut;	/* the document was longer than wd_data */
};

/* Prepares w (members owned by w; report lent). */
void mugai_walk_init(struct mugai_walk *w, const struct mugai_config *cf,
    const struct mugai_envelope *env, struct mugai_report *report);

/* Frees what w owns. */
void mugai_walk_clear(struct mugai_walk *w);

/* Records the first reason the message must be withheld. */
void mugai_walk_withhold(struct mugai_walk *w, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * mugai_walk_withhold() for a configured limit: limit is its key in the
 * config ("max_parts"), kept in wk_limit for the report and the log.
 */
void mugai_walk_limit(struct mugai_walk *w, const char *limit,
    const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/*
 * TRUE while the message is within its time (wk_deadline); once past it,
 * withholds the message (limit max_time) and returns FALSE. One clock
 * read: call it per part, per chunk, never per byte.
 */
gboolean mugai_walk_in_time(struct mugai_walk *w);

/*
 * The pieces both engines share (lib/mime/gwalk.c for the GMime tree,
 * lib/mime/swalk.c for the streaming scanner): whatever reads the MIME
 * structure, the decisions, the report entries and the text come from
 * these, so the two engines give one answer.
 */

/* rp_flags facts the walk sets (the flag table's MUGAI_FLAG_BY_WALK). */
enum mugai_walk_flag {
	MUGAI_WALK_FLAG_NEUTRALIZED = 1 << 0,	/* textsafe rewrote text */
};

/* What the walk knows of a leaf part, whichever engine read it. */
struct mugai_walk_leaf {
	const char *wl_path;	/* "1.2" (lent) */
	char *wl_type;		/* declared type, lower case (owned) */
	char *wl_filename;	/* decoded filename, valid UTF-8, or NULL */
	const char *wl_charset;	/* charset parameter or NULL (lent) */
	const char *wl_format;	/* format parameter or NULL (lent) */
	const char *wl_delsp;	/* delsp parameter or NULL (lent) */
	gboolean wl_attachment;	/* disposition attachment, or a filename */
};

/* What becomes of a leaf (mugai_walk_leaf_mode). */
enum mugai_walk_mode {
	MUGAI_WALK_NONE,		/* withheld (reason set) */
	MUGAI_WALK_PLAIN,		/* text/plain: mugai_walk_text */
	MUGAI_WALK_ATTACHED_TEXT,	/* label, then text at depth + 1 */
	MUGAI_WALK_HTML,		/* text/html rendered */
	MUGAI_WALK_REPORT_TEXT,		/* delivery report text, depth + 1 */
	MUGAI_WALK_REMOVE_ATTACHMENT,	/* removed: an attachment */
	MUGAI_WALK_REMOVE,		/* removed: not a text part */
	MUGAI_WALK_REMOVE_RELATED,	/* removed: a related part other than
					 * the root (mugai_walk_count_related;
					 * never from mugai_walk_leaf_mode) */
	MUGAI_WALK_REMOVE_EXTERNAL,	/* removed: message/external-body */
};

/*
 * Returns (transfer none, static) the report reason of a MUGAI_WALK_REMOVE*
 * mode, NULL for the others: both engines name a removal the same way.
 */
const char *mugai_walk_remove_reason(enum mugai_walk_mode mode);

/*
 * Records an ambiguity read through instead of withholding: what (static
 * English phrase) and item (a header or parameter name, or NULL) go into
 * the report's doubts, which the notice names.
 */
void mugai_walk_doubt(struct mugai_walk *w, const char *what,
    const char *item);

/* Returns (transfer full) parser options: fallback charsets, warn(data). */
GMimeParserOptions *mugai_walk_parser_options(GMimeParserWarningFunc warn,
    gpointer data);

/*
 * A GMime parser warning: reported and counted; a critical one is a doubt
 * read through (mugai_walk_doubt()), but a nesting overflow withholds.
 */
void mugai_walk_parser_warning(struct mugai_walk *w, GMimeParserWarning code,
    const char *item);

/*
 * Entering a part at depth (1 = the message's): FALSE when the walk is
 * withheld or a depth or part limit is hit now (reason set).
 */
gboolean mugai_walk_enter(struct mugai_walk *w, guint depth);

/*
 * A multipart of subtype sub entered at path: FALSE when its parts are not
 * walked (multipart/encrypted as the message's own body: withheld, reason
 * set). A multipart/encrypted deeper down is walked as mixed, its parts
 * removed, and named as a doubt.
 */
gboolean mugai_walk_multipart_opens(struct mugai_walk *w, const char *sub,
    const char *path);

/* A related part other than the root: counts it; FALSE past max_parts. */
gboolean mugai_walk_count_related(struct mugai_walk *w);

/* Decides what becomes of a leaf of (lower-case) type. */
enum mugai_walk_mode mugai_walk_leaf_mode(struct mugai_walk *w,
    const char *type, gboolean attach);

/*
 * Returns (transfer none, static) the type hint of a leaf whose text the
 * [extract] section asks for, or NULL: then it is removed as before.
 */
const char *mugai_walk_doc_hint(const struct mugai_walk *w,
    const struct mugai_walk_leaf *lf);

/*
 * The document bytes of the part just removed (the last report entry):
 * data (transfer full, may be NULL: nothing) with its hint, cut when the
 * part was longer. The streaming walk calls it after
 * mugai_walk_remove_fed(); mugai_walk_remove() does it itself.
 */
void mugai_walk_document(struct mugai_walk *w, const char *hint,
    GByteArray *data, gboolean cut);

/* Removes a leaf into the report: decoded (lent) read to its end. */
void mugai_walk_remove(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    const char *reason, GMimeStream *decoded);

/*
 * mugai_walk_remove() for a part whose decoded bytes went to feed as they
 * passed (the streaming walk); feed (transfer full) is finished and freed.
 */
void mugai_walk_remove_fed(struct mugai_walk *w,
    const struct mugai_walk_leaf *lf, const char *reason,
    struct mugai_policy_feed *feed);

/*
 * Renders a text leaf from its decoded bytes raw (lent). passes(data) is
 * asked, only when it matters, whether the encoded body may pass as it came.
 */
void mugai_walk_text(struct mugai_walk *w, const struct mugai_walk_leaf *lf,
    GByteArray *raw, gboolean html, guint depth,
    gboolean (*passes)(gpointer), gpointer passes_data);

/* The "---- name ----" line before an inline text attachment, the name
 * made one line (lib/text/oneline.h). */
void mugai_walk_attachment_label(struct mugai_walk *w,
    const struct mugai_walk_leaf *lf);

/*
 * multipart/alternative: after child i rendered text (into its own
 * buffer), updates the plain and rich choices (both start at -1).
 */
void mugai_walk_alternative_child(const GString *text, gboolean plain_text,
    int i, int *plain, int *rich);

/*
 * Appends the chosen alternative's text; the report entries of children
 * i (first[i] .. first[i + 1]) not chosen become "alternative not used".
 */
void mugai_walk_alternative_pick(struct mugai_walk *w, GString *const *texts,
    const guint *first, int n, int plain, int rich);

/* TRUE when the decoded Content-ID cid (may be NULL) is want (start=). */
gboolean mugai_walk_content_id_is(const char *cid, const char *want);

/*
 * message/rfc822 (or rfc2822, news, global) at path: its report entry
 * and the forwarded-message block (From, Date, Subject, To, Cc of msg)
 * from the part's Content-Type ct, Content-Disposition disp (or NULL) and
 * the message it carries (NULL: no block). All lent. The message's own
 * part is walked after it, at path.1.
 */
void mugai_walk_forward(struct mugai_walk *w, const char *path,
    GMimeContentType *ct, GMimeContentDisposition *disp, GMimeObject *msg);

/*
 * A second reading of the message (w2, its own report), the recipient's
 * client's where ours differs (first header wins): when its text is not
 * in w's, it follows under a heading and the parts only it removed join
 * w's report with paths "2/PATH"; a withheld second reading withholds w.
 */
void mugai_walk_second_reading(struct mugai_walk *w, struct mugai_walk *w2);

/* After the last part: tag limit, text size, whether the body may pass. */
void mugai_walk_finish(struct mugai_walk *w);

#endif
