/*
 * mugai_b64_filter - a GMimeFilter that decodes base64 with lib/mime/b64.c
 *
 * The GMime engine reads a part's decoded content through a
 * GMimeStreamFilter. GMime's own base64 filter decodes a byte at a time,
 * slower than the SHA-256 the policy then takes of the same bytes; this
 * filter gives the same bytes (lib/mime/b64.c has GMime's semantics, held to
 * them by t/check_b64) at the speed of the fast path's decoder.
 */
#ifndef MUGAI_B64FILTER_H
#define MUGAI_B64FILTER_H

#include <gmime/gmime.h>

/* The filter's GType (registered on first use). */
GType mugai_b64_filter_get_type(void);

/* Returns (transfer full) a new base64-decoding filter. */
GMimeFilter *mugai_b64_filter_new(void);

#endif
