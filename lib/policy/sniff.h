/*
 * mugai_sniff - the real type of some leading bytes, by libmagic
 *
 * libmagic handles are not thread-safe and slow to load, so each thread
 * loads one on first use and keeps it until the thread exits (a GPrivate
 * with a destroy notify closes it). Nothing is loaded per message.
 * When libmagic cannot be loaded or fails on the bytes, the type is
 * "application/octet-stream": unknown, never "safe".
 */
#ifndef MUGAI_SNIFF_H
#define MUGAI_SNIFF_H

#include <glib.h>

/*
 * Returns (transfer full) the MIME type of buf (MAGIC_MIME_TYPE, lower
 * case), never NULL. When encoding is not NULL and the type is text/...,
 * *encoding is set (transfer full) to MAGIC_MIME_ENCODING's answer
 * ("utf-8", "iso-8859-1", "us-ascii" ...), else to NULL. Thread-safe.
 */
char *mugai_sniff_type(const void *buf, gsize len, char **encoding);

#endif
