/*
 * jpcases - generated Japanese messages and what each must show
 *
 * One table row per case: the body text (UTF-8, or raw bytes), the
 * encoding it is sent in (UTF-8, CP932, ISO-2022-JP with the NEC and IBM
 * extensions written by this file's own Shift_JIS to JIS conversion, or
 * bytes as they are), how Subject and From are written (encoded-word,
 * raw ISO-2022-JP, raw UTF-8), an optional attachment name, and the
 * strings the recipient must read. jp_case_message() builds the message;
 * t/check_fidelity runs every case through the engine in both output
 * charsets and compares the decoded text. A new case is one row: render
 * adds its own (flowed, calendar, tables) the same way.
 */
#ifndef MUGAI_T_JPCASES_H
#define MUGAI_T_JPCASES_H

#include <glib.h>

enum jp_enc {
	JP_UTF8,	/* 8bit UTF-8 */
	JP_CP932,	/* 8bit, labelled Shift_JIS */
	JP_JIS,		/* 7bit ISO-2022-JP (CP50220: NEC, IBM, ESC ( I) */
	JP_BYTES,	/* jc_bytes as they are, labelled ISO-2022-JP */
};

enum jp_hdr {
	JP_HDR_EW,	/* RFC 2047 encoded-words in ISO-2022-JP */
	JP_HDR_RAWJIS,	/* raw ISO-2022-JP, no encoded-word */
	JP_HDR_UTF8,	/* raw UTF-8 */
};

#define JP_WANT_MAX 8

struct jp_case {
	const char *jc_name;
	enum jp_enc jc_enc;
	const char *jc_body;		/* UTF-8, or NULL with jc_bytes */
	const char *jc_bytes;		/* JP_BYTES */
	const char *jc_content_type;	/* NULL: text/plain */
	enum jp_hdr jc_hdr;
	const char *jc_from_name;	/* display name, UTF-8 */
	const char *jc_subject;		/* UTF-8 */
	const char *jc_attachment;	/* name of a removed PDF, or NULL */
	/* what the decoded body must show (after jp_fold()) */
	const char *jc_want[JP_WANT_MAX];
	/* ISO-2022-JP output: TRUE when the case must fall back to UTF-8 */
	gboolean jc_jis_fallback;
	/* replacement marks (U+FFFD in UTF-8, U+3013 in ISO-2022-JP) */
	guint jc_replacements;
};

extern const struct jp_case jp_cases[];
extern const gsize jp_cases_n;

/* Returns (transfer full) the message of c, CRLF, NUL-terminated. */
char *jp_case_message(const struct jp_case *c, gsize *len);

/*
 * Returns (transfer full) s folded for comparison: half-width katakana
 * made full-width and the JIS/CP932 mapping variants unified (U+301C and
 * U+FF5E, U+2212 and U+FF0D, U+2016 and U+2225, U+2015 and U+2014), as
 * ../shared/tools/check_sanitized.py compares, then NFC: an unchanged
 * UTF-8 body may keep macOS's "フ" U+309A (it passes as it came), which
 * reads as "プ"; a spacing "゜" U+309C, which ISO-2022-JP output would
 * have without composition, does not fold to it.
 */
char *jp_fold(const char *s);

/* CP932 bytes (lent) as ISO-2022-JP: JIS pairs, ESC ( I kana. */
char *jp_sjis_to_jis(const char *sjis, gsize len);

#endif
