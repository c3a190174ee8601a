/*
 * mugai_msghdr - is a message header block one GMime surely reads
 * without a warning? (lib/mime/msghdr.c)
 */
#ifndef MUGAI_MSGHDR_H
#define MUGAI_MSGHDR_H

#include <glib.h>

/*
 * TRUE when GMime surely gives no parser warning reading block (len
 * bytes, lent: a message's header lines as lib/mime/scan.c keeps them, line
 * breaks included) as a message, its Content-* fields left out, and it
 * has at least one other field. FALSE means "ask GMime".
 */
gboolean mugai_msghdr_quiet(const char *block, gsize len);

#endif
