/*
 * render - the preview job of mugai-extract: a PDF page or a PNG drawn
 * to a fresh PNG (render.c has the answer's format)
 */
#ifndef MUGAI_EXTRACT_RENDER_H
#define MUGAI_EXTRACT_RENDER_H

#include <glib.h>

/* The long side of a preview, in pixels, unless --max-px says. */
#define MUGAI_RENDER_DEF_MAX_PX 1600

/*
 * Draws page (0-based) of the document data (len bytes, lent) of kind
 * "pdf" or "png" and writes the answer to standard output. 0 when the
 * answer was written (whatever its status), 1 when it could not be.
 */
int x_render(const unsigned char *data, gsize len, const char *kind,
    guint page, guint max_px);

/* Loads what drawing needs before confinement. */
void x_render_warm(void);

#endif
