/*
 * render - one page of a PDF, or an image, drawn to a fresh PNG
 *
 * The portal's preview (画面転送): the browser gets pixels drawn here,
 * never the document's bytes. The helper is confined (confine.h) before
 * the document is read, as for text; a render job is the stdin mode
 *   mugai-extract --render=pdf|png|jpeg|gif --page=N [--max-px=N] < doc
 * and its answer on standard output is one line
 *   "MUGAI-RENDER/1 status=S width=W height=H pages=P length=N\n"
 * (S: ok, damaged, encrypted, nopage, unsupported, too_big) followed by
 * N bytes of PNG (only with ok). PDF pages are drawn by poppler on a
 * cairo image surface over white; a PNG is decoded by cairo, a JPEG by
 * libjpeg-turbo, a GIF (its first frame) by giflib, each into a cairo
 * image surface and drawn again, so what leaves is always a PNG cairo
 * wrote. Both libraries decode from memory with no file and no module
 * loaded at run time, which is why we use them rather than gdk-pixbuf,
 * whose loaders are modules opened after the seal. An image of more than
 * RENDER_MAX_PIXELS is refused (too_big) before its pixels are decoded. The long side is
 * at most max_px pixels (default 1600, at most 4000): a page is scaled
 * down to it, never up past 1.5 times its size in points.
 *
 * Fonts: after confinement no file opens, so a PDF's embedded fonts are
 * drawn and fonts it only names are not (their text is missing from the
 * picture, not garbled); the extracted text on the item page has it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>

#include <cairo.h>
#include <gif_lib.h>
#include <glib.h>
#include <jpeglib.h>
#include <poppler.h>

#include "base/io.h"
#include "render.h"

#define RENDER_MAGIC "MUGAI-RENDER/1"
#define RENDER_MAX_PX_LIMIT 4000
#define RENDER_MAX_PIXELS (50u * 1000 * 1000)	/* a 50-megapixel photo */

struct png_buf {
	GByteArray *pb_out;
	gsize pb_max;
};

static cairo_status_t
png_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct png_buf *b = closure;

	if (b->pb_out->len + (gsize)len > b->pb_max)
		return CAIRO_STATUS_WRITE_ERROR;
	g_byte_array_append(b->pb_out, data, len);
	return CAIRO_STATUS_SUCCESS;
}

struct png_in {
	const unsigned char *pi_data;
	gsize pi_len, pi_off;
};

static cairo_status_t
png_read(void *closure, unsigned char *data, unsigned int len)
{
	struct png_in *in = closure;

	if (in->pi_len - in->pi_off < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, in->pi_data + in->pi_off, len);
	in->pi_off += len;
	return CAIRO_STATUS_SUCCESS;
}

static int
say(const char *status, int w, int h, int pages, const GByteArray *png)
{
	char line[160];

	g_snprintf(line, sizeof line, RENDER_MAGIC " status=%s width=%d "
	    "height=%d pages=%d length=%u\n", status, w, h, pages,
	    png != NULL ? png->len : 0);
	if (!mugai_write_all(STDOUT_FILENO, line, strlen(line)) ||
	    (png != NULL && !mugai_write_all(STDOUT_FILENO, png->data,
	    png->len)))
		return 1;
	return 0;
}

/* Scale so that w x h (points or pixels) fits max_px, at most up. */
static double
fit(double w, double h, guint max_px, double up)
{
	double s = up, longest = MAX(w, h);

	if (longest * s > max_px)
		s = max_px / longest;
	return s;
}

/* Draws surface src (w x h) scaled by s on white, as PNG into out. */
static const char *
draw(cairo_surface_t *src, PopplerPage *page, double w, double h, double s,
    GByteArray *out, int *pw, int *ph)
{
	struct png_buf b = { out, 64 * 1024 * 1024 };
	cairo_surface_t *surf;
	cairo_t *cr;
	const char *st = "ok";

	*pw = MAX(1, (int)(w * s + 0.5));
	*ph = MAX(1, (int)(h * s + 0.5));
	surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, *pw, *ph);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		return "too_big";
	}
	cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, s, s);
	if (page != NULL) {
		poppler_page_render(page, cr);
	} else {
		cairo_set_source_surface(cr, src, 0, 0);
		cairo_paint(cr);
	}
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		st = "damaged";
	cairo_destroy(cr);
	cairo_surface_flush(surf);
	if (strcmp(st, "ok") == 0 && cairo_surface_write_to_png_stream(surf,
	    png_write, &b) != CAIRO_STATUS_SUCCESS)
		st = "too_big";
	cairo_surface_destroy(surf);
	return st;
}

static int
render_pdf(const unsigned char *data, gsize len, guint page_no,
    guint max_px)
{
	g_autoptr(GBytes) bytes = g_bytes_new_static(data, len);
	g_autoptr(GByteArray) out = g_byte_array_new();
	PopplerDocument *doc;
	PopplerPage *page;
	GError *err = NULL;
	const char *st;
	double w = 0, h = 0;
	int pages, pw = 0, ph = 0, rc;

	doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	if (doc == NULL) {
		gboolean enc = err != NULL && g_error_matches(err,
		    POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED);

		g_clear_error(&err);
		return say(enc ? "encrypted" : "damaged", 0, 0, 0, NULL);
	}
	pages = poppler_document_get_n_pages(doc);
	if ((int)page_no >= pages ||
	    (page = poppler_document_get_page(doc, (int)page_no)) == NULL) {
		g_object_unref(doc);
		return say("nopage", 0, 0, pages, NULL);
	}
	poppler_page_get_size(page, &w, &h);
	if (!(w >= 1 && h >= 1 && w < 1e5 && h < 1e5))
		st = "damaged";
	else
		st = draw(NULL, page, w, h, fit(w, h, max_px, 1.5), out, &pw,
		    &ph);
	rc = say(st, pw, ph, pages, strcmp(st, "ok") == 0 ? out : NULL);
	g_object_unref(page);
	g_object_unref(doc);
	return rc;
}

static int
render_png(const unsigned char *data, gsize len, guint max_px)
{
	struct png_in in = { data, len, 0 };
	g_autoptr(GByteArray) out = g_byte_array_new();
	cairo_surface_t *src;
	const char *st;
	int w, h, pw = 0, ph = 0, rc;

	src = cairo_image_surface_create_from_png_stream(png_read, &in);
	if (cairo_surface_status(src) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(src);
		return say("damaged", 0, 0, 0, NULL);
	}
	w = cairo_image_surface_get_width(src);
	h = cairo_image_surface_get_height(src);
	st = draw(src, NULL, w, h, fit(w, h, max_px, 1.0), out, &pw, &ph);
	rc = say(st, pw, ph, 1, strcmp(st, "ok") == 0 ? out : NULL);
	cairo_surface_destroy(src);
	return rc;
}

/* Draws a decoded image (src, w x h) as the answer. */
static int
answer_image(cairo_surface_t *src, int w, int h, guint max_px)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	const char *st;
	int pw = 0, ph = 0;

	cairo_surface_mark_dirty(src);
	st = draw(src, NULL, w, h, fit(w, h, max_px, 1.0), out, &pw, &ph);
	return say(st, pw, ph, 1, strcmp(st, "ok") == 0 ? out : NULL);
}

struct jpeg_fail {
	struct jpeg_error_mgr jf_mgr;
	jmp_buf jf_jmp;
};

/* libjpeg's fatal errors come back here, not through exit(). */
static void
jpeg_fail_exit(j_common_ptr cinfo)
{
	struct jpeg_fail *f = (struct jpeg_fail *)(void *)cinfo->err;

	longjmp(f->jf_jmp, 1);
}

static void
jpeg_quiet(j_common_ptr cinfo, int level)
{
	(void)cinfo;
	(void)level;
}

static int
render_jpeg(const unsigned char *data, gsize len, guint max_px)
{
	struct jpeg_decompress_struct ci;
	struct jpeg_fail jf;
	cairo_surface_t *volatile src = NULL;
	volatile int w = 0, h = 0;
	int rc;

	memset(&ci, 0, sizeof ci);
	ci.err = jpeg_std_error(&jf.jf_mgr);
	jf.jf_mgr.error_exit = jpeg_fail_exit;
	jf.jf_mgr.emit_message = jpeg_quiet;
	if (setjmp(jf.jf_jmp) != 0) {
		jpeg_destroy_decompress(&ci);
		if (src != NULL)
			cairo_surface_destroy(src);
		return say("damaged", 0, 0, 0, NULL);
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, data, (unsigned long)len);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK)
		longjmp(jf.jf_jmp, 1);
	if ((guint64)ci.image_width * ci.image_height > RENDER_MAX_PIXELS) {
		jpeg_destroy_decompress(&ci);
		return say("too_big", 0, 0, 1, NULL);
	}
	/* cairo's RGB24 in memory, whatever the byte order: BGRX here. */
	ci.out_color_space = G_BYTE_ORDER == G_LITTLE_ENDIAN ? JCS_EXT_BGRX :
	    JCS_EXT_XRGB;
	jpeg_start_decompress(&ci);
	w = (int)ci.output_width;
	h = (int)ci.output_height;
	src = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(src) != CAIRO_STATUS_SUCCESS) {
		jpeg_destroy_decompress(&ci);
		cairo_surface_destroy(src);
		return say("too_big", 0, 0, 1, NULL);
	}
	cairo_surface_flush(src);
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW row = cairo_image_surface_get_data(src) +
		    (gsize)ci.output_scanline *
		    (gsize)cairo_image_surface_get_stride(src);

		(void)jpeg_read_scanlines(&ci, &row, 1);
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	rc = answer_image(src, w, h, max_px);
	cairo_surface_destroy(src);
	return rc;
}

struct gif_in {
	const unsigned char *gi_data;
	gsize gi_len, gi_off;
};

static int
gif_read(GifFileType *gif, GifByteType *buf, int n)
{
	struct gif_in *in = gif->UserData;
	gsize k = MIN((gsize)MAX(n, 0), in->gi_len - in->gi_off);

	memcpy(buf, in->gi_data + in->gi_off, k);
	in->gi_off += k;
	return (int)k;
}

/* The first frame of a GIF over white (its transparent colour white). */
static int
render_gif(const unsigned char *data, gsize len, guint max_px)
{
	struct gif_in in = { data, len, 0 };
	GraphicsControlBlock gcb = { 0, FALSE, 0, NO_TRANSPARENT_COLOR };
	cairo_surface_t *src;
	ColorMapObject *cmap;
	SavedImage *im;
	GifFileType *gif;
	int err = 0, w, h, rc, stride;
	guint8 *px;

	if ((gif = DGifOpen(&in, gif_read, &err)) == NULL)
		return say("damaged", 0, 0, 0, NULL);
	w = gif->SWidth;
	h = gif->SHeight;
	if (w < 1 || h < 1 || (guint64)w * (guint64)h > RENDER_MAX_PIXELS) {
		(void)DGifCloseFile(gif, &err);
		return say(w < 1 || h < 1 ? "damaged" : "too_big", 0, 0, 1,
		    NULL);
	}
	if (DGifSlurp(gif) != GIF_OK || gif->ImageCount < 1) {
		(void)DGifCloseFile(gif, &err);
		return say("damaged", 0, 0, 0, NULL);
	}
	im = &gif->SavedImages[0];
	cmap = im->ImageDesc.ColorMap != NULL ? im->ImageDesc.ColorMap :
	    gif->SColorMap;
	if (cmap == NULL) {
		(void)DGifCloseFile(gif, &err);
		return say("damaged", 0, 0, 0, NULL);
	}
	(void)DGifSavedExtensionToGCB(gif, 0, &gcb);
	src = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(src) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(src);
		(void)DGifCloseFile(gif, &err);
		return say("too_big", 0, 0, 1, NULL);
	}
	cairo_surface_flush(src);
	px = cairo_image_surface_get_data(src);
	stride = cairo_image_surface_get_stride(src);
	memset(px, 0xff, (gsize)stride * (gsize)h);
	/* The frame where its descriptor puts it, clipped to the screen. */
	for (int y = 0; y < im->ImageDesc.Height; y++) {
		int sy = im->ImageDesc.Top + y;

		if (sy < 0 || sy >= h)
			continue;
		for (int x = 0; x < im->ImageDesc.Width; x++) {
			int sx = im->ImageDesc.Left + x;
			int c = im->RasterBits[(gsize)y *
			    (gsize)im->ImageDesc.Width + (gsize)x];
			guint32 *dst;

			if (sx < 0 || sx >= w || c == gcb.TransparentColor ||
			    c >= cmap->ColorCount)
				continue;
			dst = (guint32 *)(void *)(px + (gsize)sy *
			    (gsize)stride + (gsize)sx * 4);
			*dst = (guint32)cmap->Colors[c].Red << 16 |
			    (guint32)cmap->Colors[c].Green << 8 |
			    cmap->Colors[c].Blue;
		}
	}
	(void)DGifCloseFile(gif, &err);
	rc = answer_image(src, w, h, max_px);
	cairo_surface_destroy(src);
	return rc;
}

int
x_render(const unsigned char *data, gsize len, const char *kind,
    guint page, guint max_px)
{
	if (max_px == 0 || max_px > RENDER_MAX_PX_LIMIT)
		max_px = MUGAI_RENDER_DEF_MAX_PX;
	if (strcmp(kind, "pdf") == 0)
		return render_pdf(data, len, page, max_px);
	if (strcmp(kind, "png") == 0)
		return page == 0 ? render_png(data, len, max_px) :
		    say("nopage", 0, 0, 1, NULL);
	if (strcmp(kind, "jpeg") == 0)
		return page == 0 ? render_jpeg(data, len, max_px) :
		    say("nopage", 0, 0, 1, NULL);
	if (strcmp(kind, "gif") == 0)
		return page == 0 ? render_gif(data, len, max_px) :
		    say("nopage", 0, 0, 1, NULL);
	return say("unsupported", 0, 0, 0, NULL);
}

void
x_render_warm(void)
{
	/* cairo's PNG writer and its image backend, before the seal. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1,
	    1);
	g_autoptr(GByteArray) out = g_byte_array_new();
	struct png_buf b = { out, 1 << 20 };

	(void)cairo_surface_write_to_png_stream(s, png_write, &b);
	cairo_surface_destroy(s);
}
