/*
 * mugai_heap - glibc's heap kept warm from one message to the next
 *
 * By default glibc gives the top of an arena back to the kernel as soon
 * as 128 KiB there is free, and serves every allocation past its mmap
 * threshold (128 KiB at first, then moving with what was freed) from a
 * mapping of its own. A message's buffers (spool, text, HTML parser,
 * output) are then faulted in, zeroed and unmapped again for every
 * message: brk(), munmap() and page faults measured 9-15% of the CPU of a
 * small HTML message (BENCHMARKS.md). With fixed thresholds an arena keeps
 * up to HEAP_TRIM bytes free at its top for the next message, and buffers
 * up to HEAP_MMAP come from the heap; memory past that still goes back at
 * once, so the peak stays the peak of the work in flight. 4 and 8 MiB
 * rather than 2 and 4 (session 11, milter-cpu, rounds interleaved): -8%
 * of the CPU on the mix (985 KB a message: 6.75 -> 6.20 ms), -10% on
 * typical mail (2.10 -> 1.90), the same peak RSS at 8 sessions and 50
 * MB more at 32 (111 -> 163 MB).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif

#include "heap.h"

#define HEAP_TRIM	(8 * 1024 * 1024)
#define HEAP_MMAP	(4 * 1024 * 1024)

gboolean
mugai_heap_tune(void)
{
#ifdef HAVE_MALLOPT
	const char *t = getenv("GLIBC_TUNABLES");

	if (t != NULL && strstr(t, "glibc.malloc.") != NULL)
		return FALSE;
	return mallopt(M_TRIM_THRESHOLD, HEAP_TRIM) == 1 &&
	    mallopt(M_MMAP_THRESHOLD, HEAP_MMAP) == 1;
#else
	return FALSE;
#endif
}
