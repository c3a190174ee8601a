/*
 * mugai_report - every decision the engine made about one message
 *
 * One entry per part looked at (kept as text, removed, quarantined,
 * alternatives not used) plus the parser's warnings and the verdict. The
 * CLI prints it (--explain, --json), the quarantine stores it in meta.json,
 * the milter logs its summary. Strings are UTF-8 and owned by the report.
 */
#ifndef MUGAI_REPORT_H
#define MUGAI_REPORT_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/flag.h"

enum mugai_action {
	MUGAI_ACT_TEXT,		/* rendered into the sanitized text */
	MUGAI_ACT_SKIP,		/* not used: an alternative, a container */
	MUGAI_ACT_DROP,		/* removed, listed in the notice */
	MUGAI_ACT_QUARANTINE,	/* removed, original kept in quarantine */
	MUGAI_ACT_REJECT,	/* the whole message refused */
	MUGAI_ACT_TEMPFAIL,	/* the whole message deferred */
};

enum mugai_verdict {
	MUGAI_V_UNCHANGED,	/* body passes as it came */
	MUGAI_V_SANITIZED,	/* body replaced by the sanitized text */
	MUGAI_V_WITHHELD,	/* on_error: headers plus a withheld notice */
	MUGAI_V_REJECT,
	MUGAI_V_TEMPFAIL,
};

/*
 * What became of the text of a removed document (lib/core/xbody.c): put
 * in the body whole or cut, or why not. The notice names it per part.
 */
enum mugai_text_status {
	MUGAI_TEXT_INCLUDED,	/* the whole text is in the body */
	MUGAI_TEXT_CUT,		/* its start is, up to a limit (rt_reason) */
	MUGAI_TEXT_EMPTY,	/* read, but there is no text */
	MUGAI_TEXT_ENCRYPTED,	/* needs a password */
	MUGAI_TEXT_DAMAGED,	/* does not parse */
	MUGAI_TEXT_UNSUPPORTED,	/* a kind the helper does not read */
	MUGAI_TEXT_LIMIT,	/* not read: a limit (rt_reason) */
	MUGAI_TEXT_FAILED,	/* the helper failed */
	MUGAI_TEXT_TIMEOUT,	/* the helper took too long */
	MUGAI_TEXT_UNAVAILABLE,	/* no helper could be started */
};

struct mugai_report_text {
	char *rt_entry;		/* path inside an archive, NULL: the part */
	enum mugai_text_status rt_status;
	guint64 rt_chars;	/* characters put in the body */
	char *rt_reason;	/* the helper's word or the limit, or NULL */
};

struct mugai_report_part {
	char *rp_path;		/* "1.2.1": position in the MIME tree */
	char *rp_kind;		/* "part", "uuencode", "yenc", "binhex" */
	char *rp_declared_type;	/* Content-Type as declared, lower case */
	char *rp_detected_type;	/* libmagic, or NULL */
	char *rp_filename;	/* decoded (RFC 2047/2231), or NULL */
	guint64 rp_size;	/* decoded bytes */
	char rp_sha256[65];	/* hex of the decoded bytes, "" if unknown */
	enum mugai_action rp_action;
	char *rp_reason;	/* why this action, one short English phrase */
	char *rp_rule;		/* policy rule that matched, or NULL */
	char *rp_warning;	/* extra line for the notice, or NULL */
	GPtrArray *rp_flags;	/* (char *) facts (lib/base/flag.h) */
	GPtrArray *rp_texts;	/* (struct mugai_report_text *) or NULL */
};

struct mugai_report {
	enum mugai_verdict rr_verdict;
	const char *rr_engine;		/* "gmime" or "stream" (static) */
	char *rr_withheld_reason;	/* set with MUGAI_V_WITHHELD */
	char *rr_limit;			/* config key of the limit behind
					 * the withheld reason, or NULL */
	char *rr_rule;			/* rule that decided a reject/tempfail */
	char *rr_quarantine_id;		/* ID the original is kept under */
	guint64 rr_size;		/* bytes of the original message */
	char rr_sha256[65];		/* of the original message */
	GPtrArray *rr_parts;		/* (struct mugai_report_part *) */
	GPtrArray *rr_warnings;		/* (char *) parser warnings */
	gboolean rr_charset_fallback;	/* new body in UTF-8: ISO-2022-JP
					 * lacked some of its characters */
	GPtrArray *rr_doubts;		/* (char *) ambiguities the message
					 * was read through ("what: detail"),
					 * named in the notice */
	GPtrArray *rr_altered;		/* (char *) how kept text was changed
					 * for safety ("control bytes
					 * removed"), named in the notice */
};

/* Returns (transfer full) an empty report, never NULL. */
struct mugai_report *mugai_report_new(void);

/* Frees report and everything it owns. NULL does nothing. */
void mugai_report_free(struct mugai_report *report);

/*
 * Appends a part entry with path and kind copied. Returns (transfer none)
 * the entry for the caller to fill; the report owns it.
 */
struct mugai_report_part *mugai_report_add_part(struct mugai_report *report,
    const char *path, const char *kind);

/* Appends one printf-formatted warning. */
void mugai_report_warn(struct mugai_report *report, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Records an ambiguity the engine read through instead of withholding
 * (duplicate header, missing boundary, ...): once per text, at most 20.
 */
void mugai_report_doubt(struct mugai_report *report, const char *doubt);

/*
 * Records how kept text was changed for safety (controls removed, bytes
 * replaced, markup defused): once per text, at most 20. The notice says
 * so, so a reader knows the text is not exactly as sent.
 */
void mugai_report_altered(struct mugai_report *report, const char *what);

/* Adds a flag (copied) to part unless it is already there. */
void mugai_report_part_flag(struct mugai_report_part *part, const char *flag);

/*
 * Adds to part the flags of by's bits set in bits, in the flag table's
 * order (mugai_report_part_flag()). Valued rows are left to the next
 * function.
 */
void mugai_report_part_flags(struct mugai_report_part *part,
    enum mugai_flag_by by, guint bits);

/* Adds the valued flag of by's bit as "name=value" (value lent). */
void mugai_report_part_flag_value(struct mugai_report_part *part,
    enum mugai_flag_by by, guint bit, const char *value);

/*
 * Appends to part a text entry (entry and reason copied, may be NULL).
 * Returns (transfer none) it.
 */
struct mugai_report_text *mugai_report_part_text(
    struct mugai_report_part *part, const char *entry,
    enum mugai_text_status status, guint64 chars, const char *reason);

/* Returns (transfer none) the status's name, as in JSON ("included"). */
const char *mugai_text_status_name(enum mugai_text_status status);

/* Number of parts removed (dropped or quarantined). */
guint mugai_report_removed(const struct mugai_report *report);

/* Returns (transfer none) the name of action / verdict, as in JSON. */
const char *mugai_action_name(enum mugai_action action);
const char *mugai_verdict_name(enum mugai_verdict verdict);

/* Returns (transfer full) the report as a JSON object node. */
JsonNode *mugai_report_to_json(const struct mugai_report *report);

/* Returns (transfer full) a readable multi-line description. */
char *mugai_report_to_text(const struct mugai_report *report);

#endif
