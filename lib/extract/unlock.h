/*
 * mugai_extract_unlock - a password-protected archive (the "PPAP" zip)
 * opened by a sandboxed mugai-extract helper
 *
 * mugai_extract_unlock() hands one helper of the pool (client.h) the
 * archive's bytes as a sealed memfd and the password on the helper's
 * socket, right behind the request line (lib/extract/proto.h, "unlock"):
 * the password is never written to a file, an argument, the environment
 * or a log, and the client keeps no copy of it. The helper opens ZIP
 * (ZipCrypto, AES-128/256) and unencrypted 7z within the archive limits
 * of [policy] (archive_max_entries, archive_max_bytes,
 * archive_max_ratio), and answers a status and, on ok, the entries: name
 * (UTF-8; CP932 names of zips without the UTF-8 flag are converted) and
 * bytes. The answer is checked as strictly as an extraction's: the line,
 * every entry line, the exact length, names valid UTF-8 without NUL or
 * line breaks, the limits again, exit status 0; anything else is failed.
 *
 * The entries are hostile input again: the caller sends them through the
 * policy (lib/ppap/ppap.h does, through mugai_sanitize()).
 */
#ifndef MUGAI_EXTRACT_UNLOCK_H
#define MUGAI_EXTRACT_UNLOCK_H

#include <glib.h>

#include "core/config.h"
#include "extract/client.h"
#include "extract/proto.h"

struct mugai_unlock_limits {
	guint64 ul_max_entries;		/* entries in the archive */
	guint64 ul_max_bytes;		/* bytes expanded, and archive size */
	guint64 ul_max_ratio;		/* expanded : archive, past 1 MiB */
};

struct mugai_unlock_entry {
	char *ue_name;		/* UTF-8, the path inside the archive */
	GBytes *ue_data;	/* its bytes (hostile) */
};

struct mugai_unlock_result {
	enum mugai_unlock_status ur_status;
	char ur_reason[MUGAI_EXTRACT_TOKEN_MAX + 1];	/* why, or "-" */
	GPtrArray *ur_entries;	/* struct mugai_unlock_entry *; empty
				 * unless ok */
};

/* The limits of cf's [policy] archive_max_* keys. */
void mugai_unlock_limits_from_config(const struct mugai_config *cf,
    struct mugai_unlock_limits *l);

/*
 * Opens len bytes of archive (lent) with pass_len bytes of pass (lent;
 * at most MUGAI_UNLOCK_PASS_MAX) within lim, in one helper of p, within
 * the pool's time limit shortened to deadline (lib/base/deadline.h, 0:
 * none). Fills *out (clear it with mugai_unlock_result_clear()); never
 * fails otherwise: a helper that crashed or lied gives failed, one that
 * took too long timeout.
 */
void mugai_extract_unlock(struct mugai_extract_pool *p, const void *archive,
    gsize len, const char *pass, gsize pass_len,
    const struct mugai_unlock_limits *lim, gint64 deadline,
    struct mugai_unlock_result *out);

/* Frees what *r holds. */
void mugai_unlock_result_clear(struct mugai_unlock_result *r);

/*
 * Checks and takes an answer (buf, len: the whole stream the helper
 * sent) into *out (initialised here). Returns NULL, or why it is not a
 * valid answer for lim ("bad_answer", "short_answer", "over_limit").
 * Exposed for the fuzz harness.
 */
const char *mugai_unlock_answer_take(const guint8 *buf, gsize len,
    const struct mugai_unlock_limits *lim, struct mugai_unlock_result *out);

#endif
