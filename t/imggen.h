/*
 * imggen - small JPEG and GIF images made by code for the preview tests
 * (t/check_extract.c), with libjpeg-turbo and giflib, the libraries
 * mugai-extract decodes them with
 */
#ifndef MUGAI_T_IMGGEN_H
#define MUGAI_T_IMGGEN_H

#include <glib.h>

/* A w x h JPEG, red left half, blue right half (transfer full). */
GBytes *ig_jpeg(guint w, guint h);

/*
 * A GIF of a w x h screen with one frame: a red left half and a blue
 * right half, two colours (transfer full).
 */
GBytes *ig_gif(guint w, guint h);

#endif
