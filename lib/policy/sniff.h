/*
 * mugai_sniff - the real type of some leading bytes, by libmagic
 *
 * libmagic handles are not thread-safe and slow to load, so a call takes
 * an idle handle from a process-wide pool and gives it back: the process
 * loads as many as it ever uses at once, however many threads come and
 * go (libmilter's thread per connection). Nothing is loaded per message.
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

/* How many handles the process has loaded so far (for tests). */
guint mugai_sniff_loads(void);

#endif
