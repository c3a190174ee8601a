/*
 * mugai_heap - glibc's heap kept warm from one message to the next
 */
#ifndef MUGAI_HEAP_H
#define MUGAI_HEAP_H

#include <glib.h>

/*
 * Fixes glibc's trim and mmap thresholds (see heap.c). Call once, before
 * any thread starts. Returns FALSE when it left them alone: no mallopt(),
 * or GLIBC_TUNABLES already sets malloc tunables (the administrator's
 * choice wins).
 */
gboolean mugai_heap_tune(void);

#endif
