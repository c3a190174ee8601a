/*
 * charset_int - what lib/text/charset.c, charset_label.c and charset_enc.c
 * share. Private to the charset module: other modules use charset.h.
 */
#ifndef MUGAI_CHARSET_INT_H
#define MUGAI_CHARSET_INT_H

#include <glib.h>

#define MUGAI_CS_FFFD	"\xEF\xBF\xBD"	/* U+FFFD in UTF-8 */

enum mugai_cs_class {
	MUGAI_CS_ASCII,
	MUGAI_CS_UTF8,
	MUGAI_CS_JIS,
	MUGAI_CS_SJIS,
	MUGAI_CS_EUCJP,
	MUGAI_CS_SINGLE,	/* one byte per character, ASCII-compatible */
	MUGAI_CS_MULTI,	/* other ASCII-compatible multibyte (GB, Big5, KR) */
	MUGAI_CS_WIDE,	/* not ASCII-compatible: UTF-16/32, UTF-7, ISO-2022-* */
};

struct mugai_cs_label {
	const char *cl_label;	/* normalised: lower case, '-' for '_' */
	const char *cl_iconv;
	const char *cl_name;	/* what *used reports */
	enum mugai_cs_class cl_class;
};

/*
 * Looks up a MIME charset label: trimmed of whitespace and quotes, cut
 * at an RFC 2231 language suffix, case-insensitive, '_' as '-'.
 * Returns (transfer none) its table row; for a label only iconv knows,
 * fills *scratch (names interned, class MUGAI_CS_WIDE: nothing else is
 * known about it) and returns scratch; NULL for a missing, useless
 * ("unknown-8bit") or unusable label.
 */
const struct mugai_cs_label *mugai_charset_label(const char *label,
    struct mugai_cs_label *scratch);

/*
 * Appends data to out as UTF-8, NUL bytes dropped. Returns how many
 * invalid bytes became U+FFFD, or -1 at the first one when strict.
 */
gssize mugai_charset_utf8_clean(const char *data, gsize len,
    gboolean strict, GString *out);

/*
 * Appends to out what glibc's ISO-2022-JP converter gives for data, and
 * returns TRUE, when data is ASCII and ESC $ B ... ESC ( B runs of JIS X
 * 0208 pairs iconv maps; otherwise returns FALSE with out as it was
 * (charset_jis.c).
 */
gboolean mugai_charset_jis_fast(const char *data, gsize len, GString *out);

/* JIS X 0208 row/cell bytes (0x21-0x7E each) to Shift_JIS. */
void mugai_charset_jis_to_sjis(guchar j1, guchar j2, guchar *s1, guchar *s2);

/*
 * Appends to out the character CP50221 readers decode from the JIS pair
 * j1 j2 (JIS X 0208 as glibc's ISO-2022-JP reads it, NEC row 13 and the
 * NEC-selected IBM rows as CP932 reads them) and returns TRUE; FALSE
 * with out as it was for a pair nobody maps (user-defined rows, unset
 * cells, bytes outside 0x21..0x7E). charset_jis.c.
 */
gboolean mugai_charset_jis_ext_append(guchar j1, guchar j2, GString *out);

/*
 * Returns the JIS pair ((j1 << 8) | j2) CP50220 writes for c, or 0 when
 * ISO-2022-JP with the NEC and IBM extensions has no pair for it.
 */
guint16 mugai_charset_jis_ext_pair(gunichar c);

/* Returns TRUE for an EUC-JP (JIS X 0208 + 0x80) byte. */
static inline gboolean
mugai_charset_euc_byte(guchar c)
{
	return c >= 0xA1 && c <= 0xFE;
}

#endif
