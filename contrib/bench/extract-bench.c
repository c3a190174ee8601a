/*
 * extract-bench - documents per second through the mugai-extract pool,
 * and what a helper costs in memory
 *
 * usage: extract-bench HELPER PASSES FILE...
 *
 * For each FILE (its type hint from its name, mugai_extract_hint()):
 *   - PASSES round trips through a pool of one waiting helper that reads
 *     one document at a time (pool size 1, one at work), as the milter
 *     would for a message with that attachment: wall time per document,
 *     and the CPU time of the helpers (started, initialised, confined,
 *     reading, exiting) plus ours;
 *   - one helper run by hand on the file as standard input, reaped with
 *     wait4(): its peak resident memory.
 * Then the resident memory of a helper waiting for its document (after
 * its libraries are loaded and it is confined): what each pooled helper
 * costs while idle. Run under `taskset -c 0` for "one core".
 *
 * Prints one TSV line per file:
 *   file kind status docs_per_s cpu_ms_per_doc peak_rss_kb text_bytes
 * and "idle_rss_kb N".
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "base/deadline.h"
#include "extract/client.h"

static double
cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Peak RSS in KiB of one helper reading path from standard input. */
static long
peak_rss(const char *helper, const char *path, const char *hint)
{
	g_autofree char *type = g_strdup_printf("--type=%s",
	    hint != NULL ? hint : "auto");
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int in = open(path, O_RDONLY), out = open("/dev/null",
		    O_WRONLY);

		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		execl(helper, helper, type, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
		return -1;
	return ru.ru_maxrss;
}

/* RSS in KiB of a helper waiting on an open, empty standard input. */
static long
idle_rss(const char *helper)
{
	char *argv[] = { (char *)helper, NULL };
	g_autofree char *path = NULL;
	long rss = -1;
	GPid pid;
	int in, status;

	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
	    NULL, &pid, &in, NULL, NULL, NULL))
		return -1;
	path = g_strdup_printf("/proc/%d/status", (int)pid);
	for (int i = 0; i < 500 && rss < 0; i++) {
		g_autofree char *all = NULL;
		const char *sc, *vm;

		g_usleep(10000);
		if (!g_file_get_contents(path, &all, NULL, NULL) ||
		    (sc = strstr(all, "Seccomp:\t2")) == NULL ||
		    (vm = strstr(all, "VmRSS:")) == NULL)
			continue;
		rss = strtol(vm + 6, NULL, 10);
	}
	close(in);
	waitpid(pid, &status, 0);
	return rss;
}

int
main(int argc, char **argv)
{
	struct mugai_extract_opts o;
	struct mugai_extract_pool *p;
	enum mugai_err err;
	char *end = NULL;
	guint64 passes = argc >= 4 ? g_ascii_strtoull(argv[2], &end, 10) : 0;

	if (argc < 4 || passes == 0 || passes > 1000000 || *end != '\0') {
		fprintf(stderr, "usage: extract-bench HELPER PASSES FILE...\n");
		return 2;
	}
	mugai_extract_opts_init(&o);
	o.eo_helper = argv[1];
	o.eo_pool_size = 1;
	o.eo_max_helpers = 1;
	if ((p = mugai_extract_pool_new(&o, &err)) == NULL) {
		fprintf(stderr, "extract-bench: %s\n", mugai_err_str(err));
		return 1;
	}
	printf("file\tkind\tstatus\tdocs_per_s\tcpu_ms_per_doc\tpeak_rss_kb"
	    "\ttext_bytes\n");
	for (int f = 3; f < argc; f++) {
		g_autofree char *data = NULL;
		gsize len = 0;
		const char *hint = mugai_extract_hint(NULL, argv[f]);
		struct mugai_extract_result r = { 0 };
		double c0, wall;
		gint64 t0;

		if (!g_file_get_contents(argv[f], &data, &len, NULL)) {
			fprintf(stderr, "extract-bench: cannot read %s\n",
			    argv[f]);
			continue;
		}
		c0 = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
		t0 = g_get_monotonic_time();
		for (guint64 i = 0; i < passes; i++) {
			mugai_extract_result_clear(&r);
			mugai_extract_run(p, data, len, hint, 0, &r);
		}
		wall = (double)(g_get_monotonic_time() - t0) / 1e6;
		printf("%s\t%s\t%s\t%.1f\t%.1f\t%ld\t%zu\n", argv[f], r.er_kind,
		    mugai_extract_status_name(r.er_status),
		    (double)passes / wall,
		    (cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN) - c0) * 1000 /
		    (double)passes, peak_rss(argv[1], argv[f], hint), r.er_len);
		mugai_extract_result_clear(&r);
	}
	mugai_extract_pool_free(p);
	printf("idle_rss_kb\t%ld\n", idle_rss(argv[1]));
	return 0;
}
