/*
 * mugai_preview - a page of a removed document as a fresh PNG
 *
 * One helper process per page: previews are asked for by a person
 * looking at a page, not by the mail flow, so the pool of the text jobs
 * (client.c) is not worth keeping warm for them.
 */
#include "autoconfig.h"

#include <string.h>

#include <gio/gio.h>
#include <glib.h>

#include "extract/preview.h"

#ifndef MUGAI_LIBEXECDIR
#define MUGAI_LIBEXECDIR "/usr/libexec/mugai"
#endif

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
    0x1a, '\n' };

const char *
mugai_preview_kind(const char *type, const char *filename)
{
	const char *dot = filename != NULL ? strrchr(filename, '.') : NULL;

	if (type != NULL && (g_ascii_strncasecmp(type, "application/pdf",
	    15) == 0 || g_ascii_strcasecmp(type, "pdf") == 0))
		return "pdf";
	if (type != NULL && (g_ascii_strncasecmp(type, "image/png", 9) == 0 ||
	    g_ascii_strcasecmp(type, "png") == 0))
		return "png";
	if (type != NULL && (g_ascii_strncasecmp(type, "image/jpeg", 10) == 0 ||
	    g_ascii_strcasecmp(type, "jpeg") == 0))
		return "jpeg";
	if (type != NULL && (g_ascii_strncasecmp(type, "image/gif", 9) == 0 ||
	    g_ascii_strcasecmp(type, "gif") == 0))
		return "gif";
	if (dot != NULL && g_ascii_strcasecmp(dot, ".pdf") == 0)
		return "pdf";
	if (dot != NULL && g_ascii_strcasecmp(dot, ".png") == 0)
		return "png";
	if (dot != NULL && (g_ascii_strcasecmp(dot, ".jpg") == 0 ||
	    g_ascii_strcasecmp(dot, ".jpeg") == 0))
		return "jpeg";
	if (dot != NULL && g_ascii_strcasecmp(dot, ".gif") == 0)
		return "gif";
	return NULL;
}

/* A number of at most 9 digits, no sign, no leading zero. */
static gboolean
number(const char *s, guint64 *v)
{
	gsize n = strlen(s);

	if (n == 0 || n > 9 || (n > 1 && s[0] == '0') ||
	    strspn(s, "0123456789") != n)
		return FALSE;
	*v = g_ascii_strtoull(s, NULL, 10);
	return TRUE;
}

/*
 * "MUGAI-RENDER/1 status=S width=W height=H pages=P length=N", the keys
 * in this order, each once: into *out and *length. Strict.
 */
static gboolean
parse_line(const char *d, gsize n, struct mugai_preview *out,
    guint64 *length)
{
	static const char *const keys[] = { "status=", "width=", "height=",
	    "pages=", "length=" };
	g_autofree char *line = g_strndup(d, n);
	g_auto(GStrv) f = g_strsplit(line, " ", -1);
	guint64 v[5] = { 0 };

	if (g_strv_length(f) != 6 || strcmp(f[0], "MUGAI-RENDER/1") != 0)
		return FALSE;
	for (int i = 0; i < 5; i++) {
		const char *val = f[i + 1] + strlen(keys[i]);

		if (!g_str_has_prefix(f[i + 1], keys[i]))
			return FALSE;
		if (i == 0) {
			if (*val == '\0' || strlen(val) >= sizeof
			    out->pv_status || strspn(val,
			    "abcdefghijklmnopqrstuvwxyz_") != strlen(val))
				return FALSE;
			g_strlcpy(out->pv_status, val, sizeof out->pv_status);
		} else if (!number(val, &v[i])) {
			return FALSE;
		}
	}
	out->pv_width = (int)v[1];
	out->pv_height = (int)v[2];
	out->pv_pages = (int)v[3];
	*length = v[4];
	return TRUE;
}

enum mugai_err
mugai_preview_render(const char *helper, const void *data, gsize len,
    const char *kind, guint page, guint max_px, struct mugai_preview *out,
    char **why)
{
	g_autofree char *path = helper != NULL ? g_strdup(helper) :
	    g_build_filename(MUGAI_LIBEXECDIR, "mugai-extract", NULL);
	g_autofree char *a_kind = g_strconcat("--render=", kind, NULL);
	g_autofree char *a_page = g_strdup_printf("--page=%u", page);
	g_autofree char *a_px = g_strdup_printf("--max-px=%u", max_px);
	const char *argv[] = { path, a_kind, a_page, max_px > 0 ? a_px : NULL,
	    NULL };
	g_autoptr(GBytes) in = g_bytes_new_static(data, len);
	GBytes *res = NULL;
	GSubprocess *p;
	GError *gerr = NULL;
	const char *d, *nl;
	gsize n;
	guint64 length = 0;
	gboolean line_ok;

	memset(out, 0, sizeof *out);
	p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
	    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
	    &gerr);
	if (p == NULL || !g_subprocess_communicate(p, in, NULL, &res, NULL,
	    &gerr)) {
		*why = g_strdup(gerr->message);
		g_error_free(gerr);
		if (p != NULL)
			g_object_unref(p);
		return MUGAI_E_IO;
	}
	d = g_bytes_get_data(res, &n);
	nl = d != NULL ? memchr(d, '\n', MIN(n, 160)) : NULL;
	line_ok = nl != NULL && parse_line(d, (gsize)(nl - d), out, &length);
	if (!g_subprocess_get_successful(p) || !line_ok ||
	    length != n - (gsize)(nl - d) - 1 ||
	    (strcmp(out->pv_status, "ok") == 0) != (length > 0) ||
	    (length > 0 && (length < sizeof png_sig ||
	    memcmp(nl + 1, png_sig, sizeof png_sig) != 0))) {
		*why = g_strdup("the helper's answer is not well-formed");
		g_bytes_unref(res);
		g_object_unref(p);
		return MUGAI_E_IO;
	}
	if (length > 0)
		out->pv_png = g_bytes_new_from_bytes(res,
		    (gsize)(nl + 1 - d), (gsize)length);
	g_bytes_unref(res);
	g_object_unref(p);
	return MUGAI_OK;
}
