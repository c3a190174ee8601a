/*
 * mugai_keyfile - helpers for reading mugai.conf (GKeyFile) with line numbers
 *
 * GKeyFile reports no line numbers, so errors found after parsing name
 * their line by searching the file's text (mugai_keyfile_line_of). Sizes
 * ("64K", "1M") and durations ("500ms", "60s", "2m") share one reading.
 * Used by the key table of core/config.c and the [rule NAME] groups of
 * policy/rules.c; neither calls the other for them.
 */
#ifndef MUGAI_KEYFILE_H
#define MUGAI_KEYFILE_H

#include <glib.h>

#define MUGAI_KiB (G_GINT64_CONSTANT(1024))
#define MUGAI_MiB (MUGAI_KiB * 1024)
#define MUGAI_GiB (MUGAI_MiB * 1024)

/* Parses a size with an optional K, M or G suffix; FALSE when bad. */
gboolean mugai_keyfile_parse_size(const char *s, gint64 *out);

/* Parses a duration into ms: "500ms", "60s", "2m", "1h", "60" (seconds);
 * FALSE when bad. */
gboolean mugai_keyfile_parse_duration(const char *s, gint64 *out);

/* Returns the 1-based line of "[group]" (key NULL) or of "key =" inside
 * [group] in text, or 0 when not found (text NULL too). */
guint mugai_keyfile_line_of(const char *text, const char *group,
    const char *key);

/* Sets *error (G_KEY_FILE_ERROR_INVALID_VALUE) to "PATH:LINE: message". */
void mugai_keyfile_fail_at(GError **error, const char *path, guint line,
    const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
