/*
 * peak-rss - test helper: a command's exit, wall time and peak RSS
 *
 *   t/peak-rss SECONDS CMD [ARG...]
 *
 * Runs CMD as a child of this small process and prints on stderr, after
 * whatever CMD wrote there, one line "peak-rss: STATUS SECONDS KB":
 * STATUS is the exit status, or -N when signal N ended it; KB the peak
 * RSS of CMD and of the children it reaped (wait4()). Past SECONDS (0:
 * never) CMD is killed with SIGKILL. Why not measure from the test's
 * Python: Linux counts a process's RSS before exec() in its peak, so a
 * child of a 60 MB interpreter reports at least 60 MB (t/hostile-big.sh).
 * Exit 0, or 2 on usage or when CMD cannot be started.
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

static void
on_alarm(int sig)
{
	(void)sig;
	kill(child, SIGKILL);
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, limit;

	if (argc < 3 || (limit = atoi(argv[1])) < 0) {
		fprintf(stderr, "usage: peak-rss SECONDS CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((child = fork()) < 0) {
		perror("peak-rss: fork");
		return 2;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "peak-rss: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)limit);
	while (wait4(child, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("peak-rss: wait4");
			return 2;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "peak-rss: %d %.3f %ld\n", WIFSIGNALED(status) ?
	    -WTERMSIG(status) : WEXITSTATUS(status),
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss);
	return 0;
}
