/*
 * mugai_stackcache - glibc's cache of thread stacks sized for libmilter's
 * worker threads
 */
#ifndef MUGAI_STACKCACHE_H
#define MUGAI_STACKCACHE_H

#include <glib.h>

/* The environment variable glibc reads its tunables from, at start. */
#define MUGAI_STACKCACHE_ENV "GLIBC_TUNABLES"
#define MUGAI_STACKCACHE_TUNABLE "glibc.pthread.stack_cache_size"
/* 64 stacks of 8 MiB: address space only, the pages go back at exit. */
#define MUGAI_STACKCACHE_BYTES (G_GUINT64_CONSTANT(512) * 1024 * 1024)

/*
 * The GLIBC_TUNABLES value to run with, given the current one (NULL:
 * unset): current with the stack cache tunable appended. NULL when
 * current already sets that tunable (the administrator's choice, or our
 * own after the re-exec). Pure; free with g_free().
 */
char *mugai_stackcache_tunables(const char *current);

/*
 * Call first in main(), before any thread or open file of ours: when the
 * environment does not set the stack cache, sets it and executes the
 * program again (/proc/self/exe, same argv, same pid). Returns only when
 * nothing was to be done or the exec failed (environment restored):
 * the daemon then runs with glibc's default cache, slower at many
 * sessions, never wrong.
 */
void mugai_stackcache_reexec(char **argv);

#endif
