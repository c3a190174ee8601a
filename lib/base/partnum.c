/*
 * mugai_partnum - finding a part by its report number (lib/base/partnum.h)
 *
 * Descends only where want continues the path so far, so a wrong number
 * costs a walk down one branch, not the whole tree.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "base/partnum.h"

static GMimeObject *
find(GMimeObject *obj, const char *path, const char *want, guint depth,
    GString *seen)
{
	GMimeObject *found = NULL;

	if (obj == NULL || depth > MUGAI_PARTNUM_DEPTH_MAX)
		return NULL;
	if (seen != NULL)
		g_string_append_printf(seen, " %s", path);
	if (strcmp(path, want) == 0)
		return obj;
	/* Only descend where want continues this path. */
	if (!g_str_has_prefix(want, path) || want[strlen(path)] != '.')
		return NULL;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; found == NULL &&
		    i < g_mime_multipart_get_count(mp); i++) {
			g_autofree char *sub = g_strdup_printf("%s.%d", path,
			    i + 1);

			found = find(g_mime_multipart_get_part(mp, i), sub,
			    want, depth + 1, seen);
		}
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		g_autofree char *sub = g_strdup_printf("%s.1", path);

		if (m != NULL)
			found = find(m->mime_part, sub, want, depth + 1, seen);
	}
	return found;
}

GMimeObject *
mugai_partnum_find(GMimeObject *obj, const char *path, const char *want,
    GString *seen)
{
	if (path == NULL || want == NULL)
		return NULL;
	return find(obj, path, want, 0, seen);
}
