/*
 * decrypt - the MUGAI-UNLOCK/1 request in mugai-extract: a
 * password-protected archive (the "PPAP" zip) opened inside the sandbox
 *
 * x_unlock_serve() takes over after main.c received a request line that
 * starts with MUGAI_UNLOCK_MAGIC (lib/extract/proto.h): it reads the
 * password that follows the line on descriptor 0, opens the archive in
 * the sealed memfd, writes the answer on descriptor 1 and returns the
 * exit status (0 when an answer was written, whatever it says). The
 * process is already confined when it runs.
 */
#ifndef MUGAI_EXTRACT_DECRYPT_H
#define MUGAI_EXTRACT_DECRYPT_H

#include <glib.h>

#include "extract/proto.h"

/* Loads the UTF-8 locale the names are read in; before confinement. */
void x_unlock_warm(void);

/*
 * line, got: what main.c received so far (the request line and maybe the
 * first bytes of the password after its "\n"); fd: the memfd that came
 * with it (taken); max_time_ms: the helper's time limit, of which three
 * quarters are ours before the answer is over_limit, max_time.
 */
int x_unlock_serve(const char *line, gsize got, int fd, gint64 max_time_ms);

/*
 * The work itself, without a socket (also for the fuzz harness): opens
 * the len bytes of data with the password (pass_len bytes, may be 0)
 * within rq's limits, fills *a and appends the entries to payload.
 * deadline: g_get_monotonic_time() past which it stops, 0: none.
 */
void x_unlock(const unsigned char *data, gsize len, const char *pass,
    gsize pass_len, const struct mugai_unlock_request *rq,
    gint64 deadline, struct mugai_unlock_answer *a, GByteArray *payload);

#endif
