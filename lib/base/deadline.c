/*
 * mugai_deadline - deadlines on the monotonic clock, replaceable in tests
 */
#include "autoconfig.h"

#include "base/deadline.h"

static gint64 (*clock_fn)(void);

gint64
mugai_deadline_now(void)
{
	gint64 (*fn)(void) = clock_fn;

	return fn != NULL ? fn() : g_get_monotonic_time();
}

gint64
mugai_deadline_after(gint64 max_ms)
{
	gint64 now;

	if (max_ms <= 0)
		return 0;
	now = mugai_deadline_now();
	/* 0 means "none": a deadline is never 0. */
	return MAX(now + max_ms * 1000, 1);
}

gboolean
mugai_deadline_passed(gint64 deadline)
{
	return deadline != 0 && mugai_deadline_now() > deadline;
}

void
mugai_deadline_set_clock(gint64 (*now)(void))
{
	clock_fn = now;
}
