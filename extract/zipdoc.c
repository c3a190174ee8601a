/*
 * zipdoc - a package read once into a table of its wanted parts
 * (zipdoc.h)
 *
 * The data stays in the job's memory; libarchive reads it from there. A
 * seekable read (archive_read_support_format_zip_seekable) follows the
 * central directory; entries that are not wanted are skipped without
 * inflating them, which is what makes a bomb in an unread part free.
 */
#include "autoconfig.h"

#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/limits.h"
#include "zipdoc.h"

struct zipdoc {
	GHashTable *zd_parts;	/* lower-cased name -> GBytes */
	GHashTable *zd_names;	/* lower-cased name -> itself */
};

static gboolean
has_prefix_xml(const char *n, const char *dir)
{
	gsize dl = strlen(dir);

	/* dir/NAME.xml, not in a subdirectory (dir/_rels/...). */
	return g_ascii_strncasecmp(n, dir, dl) == 0 &&
	    strchr(n + dl, '/') == NULL && strlen(n + dl) > 4 &&
	    g_ascii_strcasecmp(n + strlen(n) - 4, ".xml") == 0;
}

gboolean
x_zip_wanted(const char *n)
{
	static const char *const exact[] = {
		"[Content_Types].xml", "mimetype", "META-INF/manifest.xml",
		"content.xml", "word/document.xml", "word/footnotes.xml",
		"word/endnotes.xml", "xl/workbook.xml",
		"xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
		"ppt/presentation.xml", "ppt/_rels/presentation.xml.rels",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(exact); i++)
		if (g_ascii_strcasecmp(n, exact[i]) == 0)
			return TRUE;
	return has_prefix_xml(n, "xl/worksheets/") ||
	    has_prefix_xml(n, "ppt/slides/");
}

/* Reads the current entry into a GBytes within the budget. */
static GBytes *
read_entry(struct xjob *job, struct archive *a, guint64 *expanded)
{
	GByteArray *buf = g_byte_array_new();
	guint64 max = job->xj_lim->xl_max_expanded;
	char *chunk = g_malloc(MUGAI_IO_CHUNK);
	la_ssize_t n;

	while ((n = archive_read_data(a, chunk, MUGAI_IO_CHUNK)) > 0) {
		guint64 room = max - MIN(*expanded, max);

		if ((guint64)n > room) {
			g_byte_array_append(buf, (guint8 *)chunk, (guint)room);
			*expanded = max;
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_expanded");
			break;
		}
		g_byte_array_append(buf, (guint8 *)chunk, (guint)n);
		*expanded += (guint64)n;
		if (x_stop(job))
			break;
	}
	g_free(chunk);
	if (n < 0 && job->xj_status == MUGAI_EXTRACT_OK)
		x_outcome(job, job->xj_cut ? MUGAI_EXTRACT_TRUNCATED :
		    MUGAI_EXTRACT_DAMAGED, job->xj_cut ? "max_bytes" :
		    "zip_broken");
	return g_byte_array_free_to_bytes(buf);
}

/* One pass over the entries; FALSE when the archive could not be read. */
static gboolean
read_all(struct xjob *job, struct zipdoc *z, gboolean seekable)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	guint64 expanded = 0;
	guint count = 0;
	int rc;

	if (seekable)
		archive_read_support_format_zip_seekable(a);
	else
		archive_read_support_format_zip_streamable(a);
	if (archive_read_open_memory(a, job->xj_data, job->xj_len) !=
	    ARCHIVE_OK) {
		archive_read_free(a);
		return FALSE;
	}
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	    rc == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		char *key;

		if (name == NULL)
			continue;
		if (++count > ZIP_MAX_ENTRIES) {
			x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "zip_entries");
			break;
		}
		key = g_ascii_strdown(name, -1);
		g_hash_table_replace(z->zd_names, key, key);
		if (!x_zip_wanted(name) ||
		    archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (archive_entry_is_encrypted(e)) {
			x_outcome(job, MUGAI_EXTRACT_ENCRYPTED,
			    "zip_encrypted");
			break;
		}
		g_hash_table_replace(z->zd_parts, g_strdup(key),
		    read_entry(job, a, &expanded));
		if (x_stop(job))
			break;
	}
	archive_read_free(a);
	/* A zip that ended early still gave what came before. */
	return count > 0 || rc == ARCHIVE_EOF;
}

struct zipdoc *
x_zip_open(struct xjob *job)
{
	struct zipdoc *z = g_new0(struct zipdoc, 1);

	z->zd_parts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_bytes_unref);
	z->zd_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if (!read_all(job, z, TRUE) && !read_all(job, z, FALSE)) {
		x_outcome(job, job->xj_cut ? MUGAI_EXTRACT_TRUNCATED :
		    MUGAI_EXTRACT_DAMAGED, job->xj_cut ? "max_bytes" :
		    "zip_broken");
		x_zip_free(z);
		return NULL;
	}
	if (job->xj_status == MUGAI_EXTRACT_ENCRYPTED) {
		x_zip_free(z);
		return NULL;
	}
	return z;
}

gboolean
x_zip_has(const struct zipdoc *z, const char *name)
{
	g_autofree char *key = g_ascii_strdown(name, -1);

	return g_hash_table_contains(z->zd_names, key);
}

GBytes *
x_zip_get(const struct zipdoc *z, const char *name)
{
	g_autofree char *key = g_ascii_strdown(name, -1);

	return g_hash_table_lookup(z->zd_parts, key);
}

void
x_zip_free(struct zipdoc *z)
{
	if (z == NULL)
		return;
	g_hash_table_unref(z->zd_parts);
	g_hash_table_unref(z->zd_names);
	g_free(z);
}
