/*
 * mugai_charset - charset detection and conversion for Japanese mail
 *
 * Bodies and raw 8-bit headers arrive in ISO-2022-JP, Shift_JIS/CP932,
 * EUC-JP, UTF-8 or a Western charset, often with a missing or wrong label.
 * This module turns them into UTF-8 and turns UTF-8 back into ISO-2022-JP
 * for legacy clients. All conversion goes through iconv (one descriptor
 * per call, no global mutable state: any number of threads may call it).
 *
 * Bad input never fails: undecodable bytes become U+FFFD (and *lossy is
 * set), NUL bytes are removed, a leading BOM is removed, the rest of the
 * text survives. The detection rules are described in charset.c.
 */
#ifndef MUGAI_CHARSET_H
#define MUGAI_CHARSET_H

#include <glib.h>

/*
 * Returns (transfer none) the canonical name of the charset data most
 * likely is: "us-ascii", "utf-8", "iso-2022-jp", "cp932", "euc-jp", or
 * NULL when undecided (8-bit data that is none of the above).
 */
const char *mugai_charset_detect(const char *data, gsize len);

/*
 * Converts len bytes of data to UTF-8. declared is the charset label from
 * the message (may be NULL, wrong, quoted or unknown).
 * Returns (transfer full) valid NUL-terminated UTF-8, never NULL;
 * *out_len (if non-NULL) its length; *used (if non-NULL, transfer none,
 * static or interned) the charset actually used: "us-ascii", "utf-8",
 * "iso-2022-jp", "cp50221" (ISO-2022-JP with NEC/IBM extensions or
 * half-width kana, decoded through CP932), "iso-2022-jp-2",
 * "iso-2022-jp-3", "cp932", "shift_jisx0213", "euc-jp", "euc-jp-ms",
 * "euc-jisx0213", "windows-1252", "iso-8859-1", the canonical name of
 * another known label ("koi8-r", "gb18030", "cp949", ...) or the
 * lower-cased label of one only iconv knows; *lossy (if non-NULL) TRUE
 * when some bytes could not be converted and were replaced by U+FFFD.
 */
char *mugai_charset_to_utf8(const char *data, gsize len,
    const char *declared, gsize *out_len, const char **used,
    gboolean *lossy);

/*
 * Converts len bytes of UTF-8 to charset ("iso-2022-jp" and "utf-8";
 * other ASCII-compatible charsets of the label table work too).
 * Characters the target cannot represent become U+3013 GETA MARK (or '?'
 * where the target has no geta). ISO-2022-JP output is what
 * mugai_charset_to_jis() gives. Invalid UTF-8 in the input becomes
 * U+3013 (U+FFFD for "utf-8"); NUL bytes are dropped.
 * Returns (transfer full) the bytes, NUL-terminated, *out_len (if non-NULL)
 * their count; NULL only when charset is unknown or not ASCII-compatible.
 */
char *mugai_charset_from_utf8(const char *utf8, gsize len,
    const char *charset, gsize *out_len);

/*
 * Converts len bytes of UTF-8 to ISO-2022-JP as Japanese clients write
 * it (CP50220): ASCII and JIS pairs, JIS X 0208 with NEC row 13 (①, ㈱,
 * ℡) and the NEC-selected IBM extensions (髙, 﨑); half-width katakana
 * made full-width; combining marks composed (NFC), invisible characters
 * dropped. It returns to ASCII (ESC ( B) before every line end and at
 * the end; with max_line (0: no limit), a line that would pass max_line
 * bytes is broken, so whatever the mix of ASCII and JIS every line fits
 * (escapes included). A character without a pair becomes U+3013 and is counted in
 * *missing (if non-NULL): the caller may send UTF-8 instead. U+FFFD,
 * ESC, SO, SI and invalid UTF-8 become U+3013 uncounted; NUL is dropped.
 * Returns (transfer full) the bytes, NUL-terminated, never NULL;
 * *out_len (if non-NULL) their count.
 */
char *mugai_charset_to_jis(const char *utf8, gsize len, gsize max_line,
    gsize *out_len, gsize *missing);

/*
 * Returns (transfer full) name, a filename GMime decoded from an
 * ISO-2022-JP encoded-word or RFC 2231 value (valid UTF-8, lent), with
 * the half-width katakana it could not read decoded; NULL when name has
 * none (nothing to do). glibc's ISO-2022-JP does not know ESC ( I: GMime
 * writes '?' for the ESC and the kana bytes as ASCII, so "ｱﾝｹｰﾄ回答.pdf"
 * arrives as "?(I1]90D回答.pdf". The run after "?(I" (or a raw "ESC ( I")
 * is read as JIS X 0201 katakana up to the first byte outside 0x21..0x5F,
 * a non-ASCII character, the next designation, or the final ".ext" (the
 * ESC ( B before it was consumed; an extension is what the name's last
 * dot starts, 1 to 5 letters or digits to the end).
 */
char *mugai_charset_jis_residue(const char *name);

/*
 * Returns (transfer none, static or interned) the iconv name to use for
 * the MIME charset label, with Japanese aliases mapped (shift_jis and
 * friends to CP932, ...), or NULL if iconv cannot do it.
 */
const char *mugai_charset_iconv_name(const char *label);

#endif
