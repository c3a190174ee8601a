/*
 * mugai_sanitize - the engine: one message in, a sanitized message out
 *
 * mugai_sanitize() parses the message with GMime, walks the tree within the
 * configured limits, renders the text, removes every other part and writes
 * the report. The result says what the caller does with the message: leave
 * the body alone (UNCHANGED, header edits only), replace the body
 * (SANITIZED, WITHHELD), or refuse it (REJECT, TEMPFAIL).
 *
 * The result carries both a list of header edits (for the milter, in an
 * order where earlier edits do not move later ones) and the final header
 * block (for writers). The engine keeps no global mutable state: any
 * number of threads may call it at once with their own inputs.
 */
#ifndef MUGAI_SANITIZE_H
#define MUGAI_SANITIZE_H

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "base/envelope.h"
#include "base/err.h"
#include "base/report.h"

enum mugai_hdr_op {
	MUGAI_HDR_DELETE,	/* he_name, he_index */
	MUGAI_HDR_CHANGE,	/* he_name, he_index, he_value */
	MUGAI_HDR_ADD,		/* he_name, he_value, appended at the end */
};

struct mugai_hdr_edit {
	enum mugai_hdr_op he_op;
	char *he_name;
	guint he_index;		/* 1-based among headers of that name */
	char *he_value;		/* value without the leading space; folded
				 * with "\n\t" where it is long */
};

struct mugai_result {
	enum mugai_verdict rs_verdict;
	/* The new body (CRLF line endings); NULL when the body is unchanged. */
	GBytes *rs_body;
	/* (struct mugai_hdr_edit *) in the order to apply them. */
	GPtrArray *rs_edits;
	/* The whole output header block, "Name: value\n" lines, folded. */
	char *rs_headers;
	/* The original must be kept (keep_original policy). */
	gboolean rs_keep_original;
	/* For REJECT/TEMPFAIL: the reply text (without the code). */
	char *rs_reply;
	/* Where the original body starts (for writers of an unchanged body). */
	gint64 rs_body_offset;
	struct mugai_report *rs_report;
	/* Why the streaming engine declined the message, or NULL. */
	char *rs_declined;
	/*
	 * The message's text as the walk read it (UTF-8, LF) when [ppap]
	 * auto_password is on, the verdict is unchanged or sanitized and
	 * the text is at most MUGAI_RESULT_TEXT_MAX bytes; else NULL. The
	 * milter reads a password mail from it (milter/autopw.c).
	 */
	GString *rs_text;
};

/* Longest rs_text kept: a password mail is short (ppap/autopw.h). */
#define MUGAI_RESULT_TEXT_MAX	4096

/*
 * Which engine walks the message (the report's rr_engine says which did):
 * AUTO the streaming fast path, falling back to GMime for whatever it
 * declines (what mugai_sanitize() and the milter do); STREAM the fast
 * path only: a declined message gives a TEMPFAIL result with rs_declined
 * set and nothing to apply; GMIME the GMime walk only.
 */
enum mugai_engine {
	MUGAI_ENGINE_AUTO,
	MUGAI_ENGINE_STREAM,
	MUGAI_ENGINE_GMIME,
};

struct mugai_sanitize_opts {
	enum mugai_engine so_engine;
	gsize so_chunk;		/* bytes fed to the scanner at once; 0: 64 KiB */
};

/* Initialises GMime once per process; call before any thread starts. */
void mugai_sanitize_init(void);

/* Undoes mugai_sanitize_init() at exit. */
void mugai_sanitize_shutdown(void);

/*
 * Sanitizes the message read from message (from its current position to
 * the end; the stream is not unreffed). Returns (transfer full) a result,
 * or NULL with *err set when the work itself failed (I/O, memory): the
 * caller tempfails. Malformed mail is never NULL: it is a verdict.
 */
struct mugai_result *mugai_sanitize(const struct mugai_config *cf,
    GMimeStream *message, const struct mugai_envelope *env,
    enum mugai_err *err);

/* mugai_sanitize() with the engine and chunk size of opts (NULL: AUTO). */
struct mugai_result *mugai_sanitize_with(const struct mugai_config *cf,
    GMimeStream *message, const struct mugai_envelope *env,
    const struct mugai_sanitize_opts *opts, enum mugai_err *err);

/*
 * A message fed as it arrives: the raw scan (size, SHA-256, line lengths,
 * bare CR) and the streaming walk take each chunk, so at the end, when
 * the fast path took the message, nothing is read again. The result is
 * the one mugai_sanitize() gives for the same bytes.
 */
struct mugai_sanitize_stream;

/*
 * Returns (transfer full) a new stream. cf and env (lent) must outlive it;
 * the rules read env's sender and recipients while parts end, so they
 * must be final (the milter starts the stream at end of headers).
 */
struct mugai_sanitize_stream *mugai_sanitize_stream_new(
    const struct mugai_config *cf, const struct mugai_envelope *env);

/* Feeds len bytes (lent) of the message, from its first byte, any size. */
void mugai_sanitize_stream_feed(struct mugai_sanitize_stream *ss,
    const void *buf, gsize len);

/*
 * Ends the input and sanitizes as mugai_sanitize() would (AUTO engine).
 * message (lent) holds exactly the bytes fed, from its current position;
 * it is read again only when the fast path declined or the message has a
 * bare CR, and the result's rs_body_offset refers to it. env (lent) is
 * the final envelope (queue and quarantine IDs). Call once. Returns as
 * mugai_sanitize() does; ss is still freed by the caller.
 */
struct mugai_result *mugai_sanitize_stream_finish(
    struct mugai_sanitize_stream *ss, GMimeStream *message,
    const struct mugai_envelope *env, enum mugai_err *err);

/* Frees ss. NULL does nothing. */
void mugai_sanitize_stream_free(struct mugai_sanitize_stream *ss);

/* Frees result. NULL does nothing. */
void mugai_result_free(struct mugai_result *result);

/*
 * Writes the output message: rs_headers, a blank line, then rs_body, or,
 * when the body is unchanged, the body of original (rewound to its start).
 * crlf selects CRLF or LF line endings. Returns MUGAI_OK or MUGAI_E_IO.
 */
enum mugai_err mugai_result_write(const struct mugai_result *result,
    GMimeStream *original, GMimeStream *out, gboolean crlf);

#endif
