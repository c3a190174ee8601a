/*
 * mugai_preview - a page of a removed document as a fresh PNG, drawn by
 * the sandboxed helper (mugai-extract --render, extract/render.c)
 *
 * The portal's preview (画面転送): the document's bytes go to a confined
 * helper on its standard input; what comes back is a PNG the helper drew,
 * checked here to start with the PNG signature and to be as long as its
 * answer line said. Nothing of the document itself is ever returned.
 */
#ifndef MUGAI_PREVIEW_H
#define MUGAI_PREVIEW_H

#include <glib.h>

#include "base/err.h"

struct mugai_preview {
	char pv_status[33];	/* ok, damaged, encrypted, nopage, ... */
	int pv_width, pv_height;
	int pv_pages;		/* pages in the document, when known */
	GBytes *pv_png;		/* ok only: the PNG (transfer full) */
};

/*
 * The preview kind of a removed part from its detected or declared type
 * and file name: "pdf", "png", "jpeg", "gif", or NULL when none is drawn.
 * Transfer none.
 */
const char *mugai_preview_kind(const char *type, const char *filename);

/*
 * Runs helper (NULL: the installed mugai-extract) with --render=kind on
 * len bytes of data (lent) for page (from 0), the PNG's long side at
 * most max_px (0: the helper's default). Fills *out (free its pv_png);
 * MUGAI_OK when the helper answered (see pv_status), MUGAI_E_IO when it
 * could not run or its answer is not well-formed (*why says).
 */
enum mugai_err mugai_preview_render(const char *helper, const void *data,
    gsize len, const char *kind, guint page, guint max_px,
    struct mugai_preview *out, char **why);

#endif
