/*
 * mugai_digest - streaming SHA-256 of bytes as they pass
 *
 * libcrypto's EVP SHA-256 (SHA-NI where the CPU has it: several times
 * GChecksum's speed). A digest is fed any number of chunks and finished
 * once into a 64-character lower-case hex string.
 */
#ifndef MUGAI_DIGEST_H
#define MUGAI_DIGEST_H

#include <glib.h>
#include <gmime/gmime.h>

#include "base/err.h"

struct mugai_digest;

/* Returns (transfer full) a new SHA-256 digest, never NULL. */
struct mugai_digest *mugai_digest_new(void);

/* Adds len bytes. */
void mugai_digest_update(struct mugai_digest *d, const void *buf, gsize len);

/* Writes the hex digest (65 bytes with NUL) to hex and frees d. */
void mugai_digest_finish(struct mugai_digest *d, char hex[65]);

/* Frees d without finishing. NULL does nothing. */
void mugai_digest_free(struct mugai_digest *d);

/* One call: hex SHA-256 of buf. */
void mugai_digest_buf(const void *buf, gsize len, char hex[65]);

/*
 * Reads stream from its current position to the end, hashing it; stores the
 * byte count in *size. Returns MUGAI_OK or MUGAI_E_IO.
 */
enum mugai_err mugai_digest_stream(GMimeStream *stream, char hex[65],
    guint64 *size);

#endif
