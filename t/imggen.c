/*
 * imggen - small JPEG and GIF images made by code for the preview tests
 * (imggen.h)
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include <gif_lib.h>
#include <jpeglib.h>

#include "imggen.h"

GBytes *
ig_jpeg(guint w, guint h)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr em;
	unsigned char *out = NULL;
	unsigned long len = 0;
	guint8 *row = g_malloc((gsize)w * 3);
	GBytes *b;

	ci.err = jpeg_std_error(&em);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &out, &len);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = 3;
	ci.in_color_space = JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 95, TRUE);
	jpeg_start_compress(&ci, TRUE);
	for (guint x = 0; x < w; x++) {
		row[x * 3] = x < w / 2 ? 255 : 0;
		row[x * 3 + 1] = 0;
		row[x * 3 + 2] = x < w / 2 ? 0 : 255;
	}
	while (ci.next_scanline < h) {
		JSAMPROW r = row;

		(void)jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	b = g_bytes_new(out, len);
	free(out);
	g_free(row);
	return b;
}

static int
gif_write(GifFileType *gif, const GifByteType *buf, int n)
{
	g_byte_array_append(gif->UserData, buf, (guint)n);
	return n;
}

GBytes *
ig_gif(guint w, guint h)
{
	GifColorType colors[2] = { { 255, 0, 0 }, { 0, 0, 255 } };
	GByteArray *out = g_byte_array_new();
	ColorMapObject *cmap = GifMakeMapObject(2, colors);
	GifPixelType *line = g_malloc(w);
	GifFileType *gif;
	int err = 0;

	gif = EGifOpen(out, gif_write, &err);
	g_assert(gif != NULL);
	EGifSetGifVersion(gif, TRUE);
	g_assert(EGifPutScreenDesc(gif, (int)w, (int)h, 1, 0, cmap) ==
	    GIF_OK);
	g_assert(EGifPutImageDesc(gif, 0, 0, (int)w, (int)h, FALSE, NULL) ==
	    GIF_OK);
	for (guint x = 0; x < w; x++)
		line[x] = x < w / 2 ? 0 : 1;
	for (guint y = 0; y < h; y++)
		g_assert(EGifPutLine(gif, line, (int)w) == GIF_OK);
	g_assert(EGifCloseFile(gif, &err) == GIF_OK);
	GifFreeMapObject(cmap);
	g_free(line);
	return g_byte_array_free_to_bytes(out);
}
