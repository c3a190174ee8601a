/*
 * mugai_headers - the top-level header block: split it, decide what stays,
 * and re-encode what cannot stay as it came
 *
 * The block is split by this module, not taken from GMime's tree, so header
 * indexes are exactly those the MTA counts (smfi_chgheader). Splitting is
 * bounded by max_header_size. A header is rewritten when its raw value has
 * 8-bit bytes or control characters, when what a reader decodes from it
 * holds a control character (header injection, an ESC sequence), a line
 * separator or a bidi control (lib/text/oneline.h has the set), or when a
 * line is longer than 998 octets: the value is decoded to UTF-8, cleaned
 * (controls become spaces, bidi controls go) and re-encoded as RFC 2047.
 * The re-encoded value is held to the same rule: text that looks like an
 * encoded-word after decoding is encoded whole, never left for a reader
 * to decode a second time.
 */
#ifndef MUGAI_HEADERS_H
#define MUGAI_HEADERS_H

#include <glib.h>

#include "core/config.h"
#include "base/err.h"
#include "base/report.h"

struct mugai_header {
	char *hd_name;		/* as written */
	char *hd_raw;		/* after the colon, folding kept, "\n" ends */
	guint hd_index;		/* 1-based among headers with this name */
};

/*
 * Splits the header block at the start of data. Returns (transfer full) an
 * array of struct mugai_header (in order) and sets *body_off to the offset
 * of the body (after the blank line; len when there is none). A leading
 * mbox "From " line is skipped. *separated is FALSE when the block ended
 * at a line that is not a header, with no blank line: that line starts
 * the body (as Postfix and Python's email read it). Lines that are not headers end the block
 * as RFC 5322 parsers do; a block larger than max is MUGAI_E_LIMIT (NULL).
 */
GPtrArray *mugai_headers_split(const char *data, gsize len, gsize max,
    gsize *body_off, gboolean *separated, enum mugai_err *err);

/*
 * Returns the offset of the first header line: past a leading mbox
 * "From " line, which is not a header, and past lines of only blanks
 * before the first field (they continue nothing).
 */
gsize mugai_headers_skip_envelope(const char *data, gsize len);

/* Returns (transfer none) the first header named name, or NULL. */
const struct mugai_header *mugai_headers_find(const GPtrArray *headers,
    const char *name);

/*
 * Returns (transfer full) the decoded UTF-8 value of raw: unfolded, raw
 * 8-bit text converted from its detected charset, encoded-words decoded
 * (adjacent ones of one charset together), control characters and line
 * separators replaced by spaces, bidi controls removed, trimmed.
 */
char *mugai_headers_decode(const char *raw);

/*
 * Returns (transfer full) a header value (without the leading space) that
 * can replace h, or NULL when h can stay as it is. Address headers keep
 * their addresses; only display names are encoded.
 */
char *mugai_headers_fix(const struct mugai_header *h);

/*
 * mugai_headers_fix() for the output: with seven_bit (ISO-2022-JP
 * output, for legacy clients) the raw UTF-8 display names of an address
 * header are RFC 2047 encoded too, where the addresses are ASCII; an
 * address that is not stays raw (RFC 6532 has no 7-bit form for it).
 */
char *mugai_headers_fix_for(const struct mugai_header *h,
    gboolean seven_bit);

/*
 * Returns (transfer full) a filename as GMime decoded it (fn, lent, not
 * NULL) made valid UTF-8, with the half-width katakana GMime could not
 * read from ISO-2022-JP decoded (mugai_charset_jis_residue()). Both
 * engines take their filenames through it.
 */
char *mugai_headers_filename(const char *fn);

/*
 * TRUE when name is a MIME structure header (Content-*, MIME-Version) that
 * a replaced body must not keep.
 */
gboolean mugai_headers_is_mime(const char *name);

#endif
