/*
 * mugai_filename - facts about an attachment's declared filename
 *
 * The engine hands over the name already decoded (RFC 2047 / RFC 2231) as
 * UTF-8. This module finds its extensions and what makes it dangerous: a
 * double extension that hides an executable (report.pdf.exe), bidi controls
 * that reorder what the reader sees (U+202E "RTLO"), control characters,
 * invalid UTF-8, trailing dots or spaces Windows strips, and names longer
 * than a configured limit. Bad input is an ordinary result (a bit set),
 * never an error. Nothing here allocates except where stated.
 */
#ifndef MUGAI_FILENAME_H
#define MUGAI_FILENAME_H

#include <glib.h>

/* Named in the flag table (lib/base/flag.c), in this order. */
enum mugai_fn_flag {
	MUGAI_FN_DOUBLE_EXT	= 1 << 0,	/* x.pdf.exe, x.pdf     .exe */
	MUGAI_FN_BIDI		= 1 << 1,	/* U+202A..E, U+2066..9 ... */
	MUGAI_FN_CONTROL	= 1 << 2,	/* C0/C1 controls, DEL */
	MUGAI_FN_BAD_UTF8	= 1 << 3,
	MUGAI_FN_LONG		= 1 << 4,	/* over max_len characters */
	MUGAI_FN_TRAILING	= 1 << 5,	/* trailing dot or space */
	MUGAI_FN_EXEC_EXT	= 1 << 6,	/* final extension runs code */
};

/* Any of these makes a name "dangerous" for the rules. */
#define MUGAI_FN_DANGEROUS (MUGAI_FN_DOUBLE_EXT | MUGAI_FN_BIDI | \
    MUGAI_FN_CONTROL | MUGAI_FN_BAD_UTF8 | MUGAI_FN_LONG | MUGAI_FN_TRAILING)

/*
 * Returns (transfer full) the final extension of name in ASCII lower case,
 * without the dot and ignoring trailing dots and spaces, or NULL when there
 * is none (or it is not 1..16 ASCII letters, digits, '_' or '-').
 * name may be NULL. A directory part ("a/b.exe") is ignored.
 */
char *mugai_filename_extension(const char *name);

/* Returns the MUGAI_FN_* bits for name (0 for NULL). max_len in characters. */
guint mugai_filename_check(const char *name, gsize max_len);

/* TRUE when ext (lower case, no dot) names code Windows or a shell runs. */
gboolean mugai_filename_ext_is_executable(const char *ext);

/*
 * Returns (transfer none) flag's name as it appears in rp_flags (the flag
 * table's, lib/base/flag.c).
 */
const char *mugai_filename_flag_name(enum mugai_fn_flag flag);

#endif
