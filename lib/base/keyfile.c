/*
 * mugai_keyfile - sizes, durations and line numbers for mugai.conf readers
 *
 * See keyfile.h. Pure functions over strings; nothing is kept.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <string.h>

#include "base/keyfile.h"

#define KiB MUGAI_KiB
#define MiB MUGAI_MiB
#define GiB MUGAI_GiB

gboolean
mugai_keyfile_parse_size(const char *s, gint64 *out)
{
	char *end = NULL;
	guint64 v;
	gint64 mul = 1;

	if (s == NULL || !g_ascii_isdigit(*s))
		return FALSE;
	v = g_ascii_strtoull(s, &end, 10);
	switch (g_ascii_toupper(*end)) {
	case 'K': mul = KiB; end++; break;
	case 'M': mul = MiB; end++; break;
	case 'G': mul = GiB; end++; break;
	default: break;
	}
	if (*end != '\0' || v > (guint64)(G_MAXINT64 / mul))
		return FALSE;
	*out = (gint64)v * mul;
	return TRUE;
}

/* A duration into milliseconds: "500ms", "60s", "2m", "1h", "60" (s). */
gboolean
mugai_keyfile_parse_duration(const char *s, gint64 *out)
{
	char *end = NULL;
	guint64 v;
	gint64 mul;

	if (s == NULL || !g_ascii_isdigit(*s))
		return FALSE;
	v = g_ascii_strtoull(s, &end, 10);
	if (g_ascii_strcasecmp(end, "ms") == 0)
		mul = 1;
	else if (*end == '\0' || g_ascii_strcasecmp(end, "s") == 0)
		mul = 1000;
	else if (g_ascii_strcasecmp(end, "m") == 0)
		mul = 60 * 1000;
	else if (g_ascii_strcasecmp(end, "h") == 0)
		mul = 3600 * 1000;
	else
		return FALSE;
	if (v > (guint64)(G_MAXINT64 / mul))
		return FALSE;
	*out = (gint64)v * mul;
	return TRUE;
}

guint
mugai_keyfile_line_of(const char *text, const char *group, const char *key)
{
	gboolean in_group = FALSE;
	guint line = 0;
	const char *p = text;

	if (text == NULL)
		return 0;
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		gsize len = eol != NULL ? (gsize)(eol - p) : strlen(p);
		g_autofree char *ln = g_strstrip(g_strndup(p, len));

		line++;
		if (ln[0] == '[') {
			g_autofree char *want = g_strdup_printf("[%s]", group);

			in_group = strcmp(ln, want) == 0;
			if (in_group && key == NULL)
				return line;
		} else if (in_group && key != NULL) {
			gsize kl = strlen(key);

			if (strncmp(ln, key, kl) == 0 &&
			    (ln[kl] == '=' || ln[kl] == ' ' || ln[kl] == '\t'))
				return line;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return 0;
}

void
mugai_keyfile_fail_at(GError **error, const char *path, guint line,
    const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
	    "%s:%u: %s", path, line, msg);
}
