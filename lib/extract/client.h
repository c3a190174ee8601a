/*
 * mugai_extract - the text of a removed document, from a sandboxed helper
 *
 * A pool keeps eo_pool_size mugai-extract helpers started, confined and
 * waiting (extract/main.c). mugai_extract_run() hands one helper one
 * document as a sealed memfd with a type hint (mugai_extract_hint()),
 * reads its answer within the time limit and reaps it; the helper never
 * serves a second document, and a new one is started in its place. A
 * helper that crashes, hangs, is killed by its seccomp filter or answers
 * anything but a well-formed answer (lib/extract/proto.h) is killed and
 * gives the status failed or timeout: the caller gets text or a status
 * for this document, never an error for the whole message.
 *
 * Limits (struct mugai_extract_limits; mugai_extract_opts_init() fills
 * the defaults of proto.h): bytes of the document sent (past it only the
 * start goes, and the status is at best truncated, reason max_bytes),
 * characters of text, pages (PDF pages, sheets, slides), bytes inflated
 * from a zip, time per document (the helper answers "truncated, max_time"
 * at three quarters of it; at the limit the client kills it: timeout),
 * and the helper's address space. The helper's CPU time is limited to the
 * time limit plus a second. These are not in mugai.conf yet: a future
 * [extract] section fills this struct (doc/mugai-extract.8).
 *
 * At most eo_max_helpers documents are read at once; a call that finds
 * them all busy waits for one, within its time limit (then timeout,
 * reason pool_busy). Any number of threads may call mugai_extract_run()
 * on one pool. The process must not ignore SIGCHLD (helpers are reaped
 * with waitpid()) and should ignore SIGPIPE (the milter and the CLI do;
 * the client's own writes do not raise it).
 */
#ifndef MUGAI_EXTRACT_CLIENT_H
#define MUGAI_EXTRACT_CLIENT_H

#include <glib.h>

#include "base/err.h"
#include "core/config.h"
#include "extract/proto.h"

struct mugai_extract_limits {
	guint64 el_max_bytes;		/* document bytes sent */
	guint64 el_max_chars;		/* characters of text */
	guint64 el_max_pages;		/* pages, sheets, slides */
	guint64 el_max_expanded;	/* bytes inflated from a zip */
	gint64 el_max_time_ms;		/* per document, > 0 */
	guint64 el_max_memory;		/* helper address space; 0: none */
};

struct mugai_extract_opts {
	const char *eo_helper;		/* lent; NULL: the installed one */
	guint eo_pool_size;		/* helpers kept waiting (2) */
	guint eo_max_helpers;		/* documents at once (8) */
	const char *eo_user;		/* helper's user when root (nobody) */
	enum mugai_url_mode eo_url_mode;	/* links in HTML (keep) */
	struct mugai_extract_limits eo_limits;
	gboolean eo_stderr;		/* helpers keep our stderr (debug) */
	const char *const *eo_extra_args;	/* tests: --test-mode=... */
};

struct mugai_extract_result {
	enum mugai_extract_status er_status;
	char *er_text;		/* ok, truncated: UTF-8, NUL-terminated,
				 * maybe ""; else NULL */
	gsize er_len;		/* bytes of er_text */
	char er_kind[MUGAI_EXTRACT_TOKEN_MAX + 1];	/* "pdf", ... "-" */
	char er_reason[MUGAI_EXTRACT_TOKEN_MAX + 1];	/* why, or "-" */
	guint64 er_pages;	/* pages, sheets or slides read */
};

struct mugai_extract_pool;

/* Fills o with the defaults. */
void mugai_extract_opts_init(struct mugai_extract_opts *o);

/*
 * Returns (transfer full) a pool with its helpers started, or NULL with
 * *err: MUGAI_E_CONFIG (no helper at eo_helper, bad limits),
 * MUGAI_E_IO (could not start one). o is copied.
 */
struct mugai_extract_pool *mugai_extract_pool_new(
    const struct mugai_extract_opts *o, enum mugai_err *err);

/* Kills the waiting helpers and frees p; NULL does nothing. No
 * mugai_extract_run() may be in progress. */
void mugai_extract_pool_free(struct mugai_extract_pool *p);

/*
 * Reads the text of len bytes of data (lent for the call) with the type
 * hint (NULL or not a token: "auto"). deadline (lib/base/deadline.h, 0:
 * none) shortens the time limit, e.g. to the message's: what is left of
 * it on the deadline clock is waited on the monotonic clock. Fills *out
 * (clear it with mugai_extract_result_clear()); never fails otherwise.
 */
void mugai_extract_run(struct mugai_extract_pool *p, const void *data,
    gsize len, const char *hint, gint64 deadline,
    struct mugai_extract_result *out);

/* Frees what *r holds; r may then be reused. */
void mugai_extract_result_clear(struct mugai_extract_result *r);

/*
 * Returns (transfer none, static) the type hint for a part of that
 * Content-Type (parameters allowed) and file name (either may be NULL):
 * "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "rtf", "html",
 * "xml", "csv", "text", "doc", "xls", "ppt"; NULL when the part is no
 * document the helper reads (images, archives, executables, ...).
 * The helper trusts the bytes over the hint.
 */
const char *mugai_extract_hint(const char *content_type,
    const char *filename);

/* TRUE when hint is one mugai_extract_hint() can return. */
gboolean mugai_extract_hint_known(const char *hint);

#endif
