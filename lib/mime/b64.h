/*
 * mugai_b64 - base64 decoding at table speed, GMime's semantics
 *
 * Decodes exactly as g_mime_encoding_base64_decode_step() (GMime 3.2)
 * does, chunk by chunk: bytes outside the alphabet are skipped, the first
 * '=' ends the data (a quartet it cuts short gives one or two bytes, as
 * GMime's; everything after it is ignored). Whole quartets of alphabet
 * bytes, the bulk of any attachment, are decoded four bytes at a time;
 * anything else goes through the byte-by-byte state machine. t/check_b64
 * holds it to GMime's output on random input and chunkings.
 */
#ifndef MUGAI_B64_H
#define MUGAI_B64_H

#include <glib.h>

struct mugai_b64 {
	int b6_state;		/* alphabet bytes pending (0-3); -1 after '=' */
	guint32 b6_save;	/* their bits */
};

/* Starts a decode. */
void mugai_b64_init(struct mugai_b64 *b);

/*
 * Decodes len bytes of in (lent) into out, which must have room for
 * MUGAI_B64_OUTLEN(len) bytes; returns the bytes written. Carries state
 * across calls: any chunking gives the same bytes.
 */
gsize mugai_b64_decode(struct mugai_b64 *b, const guint8 *in, gsize len,
    guint8 *out);

/* Room decode() needs for len input bytes. */
#define MUGAI_B64_OUTLEN(len) ((len) / 4 * 3 + 3)

#endif
