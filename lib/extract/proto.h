/*
 * mugai_extract_proto - the two lines mugai-extract and its client
 * exchange
 *
 * One helper process reads one document and answers once (the whole
 * protocol is in doc/mugai-extract.8, "PROTOCOL"):
 *
 *   request, client to helper: one sendmsg() on the helper's socket
 *   carrying the document as a sealed memfd (SCM_RIGHTS) and the line
 *     "MUGAI-EXTRACT/1 type=TYPE size=N cut=0|1\n"
 *   answer, helper to client, after which the helper exits with status 0:
 *     "MUGAI-EXTRACT/1 status=S kind=K pages=N reason=R length=N\n"
 *   followed by exactly N bytes of UTF-8 text and the end of the stream.
 *
 * Both lines have their keys in this order, each once. A value is a token
 * of 1 to MUGAI_EXTRACT_TOKEN_MAX characters of [A-Za-z0-9_.+-]; numbers
 * are decimal without sign or leading zero and fit in 64 bits. A line is
 * at most MUGAI_EXTRACT_LINE_MAX bytes, "\n" included. Parsing is strict:
 * anything else fails the whole line, and the client takes a helper that
 * sent it for broken.
 *
 * The status names the outcome; ok and truncated come with text (the
 * text of a truncated document is what was read before the limit), the
 * others with length=0. reason is "-" or a short word saying why
 * ("max_pages", "pdf_encrypted", "xml_dtd", ...); kind is what the helper
 * read the document as ("pdf", "docx", ..., "-" when it could not tell).
 */
#ifndef MUGAI_EXTRACT_PROTO_H
#define MUGAI_EXTRACT_PROTO_H

#include <glib.h>

#define MUGAI_EXTRACT_MAGIC	"MUGAI-EXTRACT/1"
#define MUGAI_EXTRACT_LINE_MAX	256
#define MUGAI_EXTRACT_TOKEN_MAX	32

/* The limits' defaults, the helper's and the client's (client.h). */
#define MUGAI_EXTRACT_DEF_MAX_BYTES	(32 * 1024 * 1024)
#define MUGAI_EXTRACT_DEF_MAX_CHARS	200000
#define MUGAI_EXTRACT_DEF_MAX_PAGES	200
#define MUGAI_EXTRACT_DEF_MAX_EXPANDED	(128 * 1024 * 1024)
#define MUGAI_EXTRACT_DEF_MAX_TIME_MS	10000
#define MUGAI_EXTRACT_DEF_MAX_MEMORY	(768 * 1024 * 1024)

/* What became of one document. The helper answers the first five; failed
 * and timeout are the client's verdict on a helper. */
enum mugai_extract_status {
	MUGAI_EXTRACT_OK,		/* the whole text */
	MUGAI_EXTRACT_TRUNCATED,	/* text up to a limit (reason) */
	MUGAI_EXTRACT_ENCRYPTED,	/* needs a password */
	MUGAI_EXTRACT_DAMAGED,		/* does not parse, or is unsafe to */
	MUGAI_EXTRACT_UNSUPPORTED,	/* a kind the helper does not read */
	MUGAI_EXTRACT_FAILED,		/* the helper crashed, or lied */
	MUGAI_EXTRACT_TIMEOUT,		/* the helper took too long */
};
#define MUGAI_EXTRACT_NSTATUS	7

struct mugai_extract_request {
	char eq_type[MUGAI_EXTRACT_TOKEN_MAX + 1];	/* type hint */
	guint64 eq_size;			/* bytes in the memfd */
	gboolean eq_cut;		/* the client sent only the start */
};

struct mugai_extract_answer {
	enum mugai_extract_status ea_status;
	char ea_kind[MUGAI_EXTRACT_TOKEN_MAX + 1];
	guint64 ea_pages;		/* pages, sheets or slides read */
	char ea_reason[MUGAI_EXTRACT_TOKEN_MAX + 1];
	guint64 ea_length;		/* bytes of text after the line */
};

/* Returns (transfer none, static) the status's name, "ok" ... "timeout". */
const char *mugai_extract_status_name(enum mugai_extract_status st);

/* TRUE when s is a valid token (see above). */
gboolean mugai_extract_token_valid(const char *s);

/*
 * Copies s into out (MUGAI_EXTRACT_TOKEN_MAX + 1 bytes) as a token:
 * characters outside the token set become '_', the rest is cut; NULL or
 * "" gives "-". Never fails.
 */
void mugai_extract_token_copy(char *out, const char *s);

/*
 * Return (transfer full) the line for rq or a, "\n" included. Tokens
 * that are not valid are written as "-".
 */
char *mugai_extract_request_format(const struct mugai_extract_request *rq);
char *mugai_extract_answer_format(const struct mugai_extract_answer *a);

/*
 * Parse exactly one line of len bytes, "\n" included (buf need not be
 * NUL-terminated; it is only read during the call). Return TRUE and fill
 * *out when the line is valid, FALSE (and *out undefined) otherwise.
 */
gboolean mugai_extract_request_parse(const char *buf, gsize len,
    struct mugai_extract_request *out);
gboolean mugai_extract_answer_parse(const char *buf, gsize len,
    struct mugai_extract_answer *out);

/*
 * The unlock exchange (lib/extract/unlock.h): an encrypted archive and
 * its password in, the entries out. The request is one sendmsg() with
 * the archive as a sealed memfd and
 *   "MUGAI-UNLOCK/1 size=N pass=N entries=N bytes=N ratio=N\n"
 * followed on the socket by exactly pass bytes of password (never a
 * file, an argument or the environment). entries, bytes and ratio are
 * the archive limits ([policy] archive_max_*). The answer is
 *   "MUGAI-UNLOCK/1 status=S reason=R entries=N length=N\n"
 * and length bytes: entries times an entry line
 *   "E size=N name=N\n"
 * then name bytes of UTF-8 name and size bytes of content. Only ok comes
 * with entries; the other statuses have entries=0 length=0.
 */
#define MUGAI_UNLOCK_MAGIC	"MUGAI-UNLOCK/1"
#define MUGAI_UNLOCK_PASS_MAX	1024
#define MUGAI_UNLOCK_NAME_MAX	4096

enum mugai_unlock_status {
	MUGAI_UNLOCK_OK,		/* the entries */
	MUGAI_UNLOCK_WRONG_PASSWORD,	/* the password does not open it */
	MUGAI_UNLOCK_UNSUPPORTED,	/* an encryption or format we lack */
	MUGAI_UNLOCK_DAMAGED,		/* does not parse */
	MUGAI_UNLOCK_OVER_LIMIT,	/* entries, bytes or ratio (reason) */
	MUGAI_UNLOCK_FAILED,		/* the helper crashed, or lied */
	MUGAI_UNLOCK_TIMEOUT,		/* the helper took too long */
};
#define MUGAI_UNLOCK_NSTATUS	7

struct mugai_unlock_request {
	guint64 uq_size;		/* archive bytes in the memfd */
	guint64 uq_pass;		/* password bytes after the line */
	guint64 uq_entries;		/* archive_max_entries */
	guint64 uq_bytes;		/* archive_max_bytes */
	guint64 uq_ratio;		/* archive_max_ratio */
};

struct mugai_unlock_answer {
	enum mugai_unlock_status ua_status;
	char ua_reason[MUGAI_EXTRACT_TOKEN_MAX + 1];
	guint64 ua_entries;
	guint64 ua_length;
};

/* Returns (transfer none, static) "ok", "wrong_password", ... */
const char *mugai_unlock_status_name(enum mugai_unlock_status st);

/* Return (transfer full) the line, "\n" included. */
char *mugai_unlock_request_format(const struct mugai_unlock_request *rq);
char *mugai_unlock_answer_format(const struct mugai_unlock_answer *a);
/* Returns (transfer full) the entry line. */
char *mugai_unlock_entry_format(guint64 size, guint64 name_len);

/* Parse one line, as mugai_extract_request_parse() does. */
gboolean mugai_unlock_request_parse(const char *buf, gsize len,
    struct mugai_unlock_request *out);
gboolean mugai_unlock_answer_parse(const char *buf, gsize len,
    struct mugai_unlock_answer *out);
gboolean mugai_unlock_entry_parse(const char *buf, gsize len,
    guint64 *size, guint64 *name_len);

#endif
