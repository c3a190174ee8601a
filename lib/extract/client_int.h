/*
 * mugai_extract internals - the raw round trip the pool offers to the
 * other exchanges with a helper (lib/extract/unlock.c), for lib/extract/
 * only
 */
#ifndef MUGAI_EXTRACT_CLIENT_INT_H
#define MUGAI_EXTRACT_CLIENT_INT_H

#include <glib.h>

struct mugai_extract_pool;

/*
 * Hands one helper of p the len bytes of data (lent) as a sealed memfd
 * with line ("\n"-terminated) followed by extra_len bytes of extra (lent,
 * never copied: a password), reads at most max bytes of answer into buf
 * until until (g_get_monotonic_time()) and reaps the helper. Returns 0
 * with buf and *status (the helper's wait status) set; -1 (could not
 * start, send, or the answer was too long or broken) or -2 (time ran
 * out, or every helper stayed busy) with *why (static) a token saying
 * why. A helper that did not end is killed.
 */
int mugai_extract_exchange(struct mugai_extract_pool *p, const void *data,
    gsize len, const char *line, const char *extra, gsize extra_len,
    gint64 until, gsize max, GByteArray *buf, int *status,
    const char **why);

/* The pool's time limit per document, in milliseconds. */
gint64 mugai_extract_pool_time_ms(const struct mugai_extract_pool *p);

#endif
