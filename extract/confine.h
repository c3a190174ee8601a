/*
 * confine - mugai-extract shuts itself in before it reads a document
 *
 * In this order, from main():
 *   x_confine_fds()    closes every inherited descriptor past 2;
 *   x_confine_user()   started as root: switches to cn_user (default
 *                      "nobody"), no supplementary groups; fails when the
 *                      user is unknown or the switch does not hold;
 *   x_confine_limits() RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_CORE
 *                      and RLIMIT_NPROC, not dumpable;
 *   (the libraries are initialised here: warm.h)
 *   x_confine_seal()   RLIMIT_NOFILE, PR_SET_NO_NEW_PRIVS and the seccomp
 *                      filter (confine.c lists it). From then on the
 *                      process can read descriptor 0, write 1 and 2,
 *                      manage its memory, and exit; opening a file fails
 *                      with EACCES, a socket, exec, fork and any other
 *                      system call kill it (SIGSYS).
 * Each returns 0, or -1 after a message on stderr: the caller exits.
 */
#ifndef MUGAI_EXTRACT_CONFINE_H
#define MUGAI_EXTRACT_CONFINE_H

#include <glib.h>

struct confine_opts {
	const char *cn_user;		/* for root; NULL: "nobody" */
	guint64 cn_max_memory;		/* RLIMIT_AS; 0: none */
	guint cn_cpu_seconds;		/* RLIMIT_CPU; 0: none */
	guint64 cn_max_output;		/* RLIMIT_FSIZE, for a stdout file */
	gboolean cn_socket;		/* recvmsg() on descriptor 0 */
	gboolean cn_debug;		/* a refused call is named on stderr */
};

int x_confine_fds(void);
int x_confine_user(const struct confine_opts *o);
int x_confine_limits(const struct confine_opts *o);
int x_confine_seal(const struct confine_opts *o);

#endif
