/*
 * mugai_deadline - the per-message time limit ([limits] max_time)
 *
 * A deadline is a point on the monotonic clock (microseconds, as
 * g_get_monotonic_time() counts them); 0 means "no deadline". The engine
 * sets one when it starts on a message and checks it at cheap points: per
 * MIME part, per chunk fed, per piece of HTML, per archive entry and per
 * block read. A check is one clock read, never per byte.
 *
 * The clock can be replaced (mugai_deadline_set_clock) so that tests
 * decide when time runs out, deterministically. That hook is the only
 * global state here; set it before any thread starts, tests only.
 */
#ifndef MUGAI_DEADLINE_H
#define MUGAI_DEADLINE_H

#include <glib.h>

/* Returns the clock's now, in microseconds. */
gint64 mugai_deadline_now(void);

/* Returns the deadline max_ms milliseconds from now, or 0 when max_ms <= 0. */
gint64 mugai_deadline_after(gint64 max_ms);

/* TRUE when deadline is set (not 0) and the clock has passed it. */
gboolean mugai_deadline_passed(gint64 deadline);

/*
 * Tests only: reads the time from now() instead of the monotonic clock
 * (NULL: the monotonic clock again). Not thread-safe against checks.
 */
void mugai_deadline_set_clock(gint64 (*now)(void));

#endif
