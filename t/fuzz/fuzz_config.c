/*
 * fuzz_config - mugai.conf parsing (GKeyFile, the key table, [rule NAME])
 *
 * The input is written to a private temporary file and loaded. A load
 * either fails with a message that names the file, or gives a config
 * whose dump (`mugai check-config`) loads again to the same dump.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static char *path, *path2;

static char *
tmp(void)
{
	char *p = NULL;
	int fd = g_file_open_tmp("mugai-fuzz-conf-XXXXXX", &p, NULL);

	if (fd < 0)
		abort();
	close(fd);
	return p;
}

static void
cleanup(void)
{
	unlink(path);
	unlink(path2);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	path = tmp();
	path2 = tmp();
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct mugai_config *cf, *cf2;
	GError *err = NULL;
	char *dump, *dump2;

	if (!g_file_set_contents(path, (const char *)data, (gssize)size,
	    NULL))
		abort();
	if ((cf = mugai_config_load(path, &err)) == NULL) {
		if (err == NULL || strstr(err->message, path) == NULL) {
			fprintf(stderr, "load failed without naming the file: "
			    "%s\n", err != NULL ? err->message : "(no error)");
			abort();
		}
		g_error_free(err);
		return 0;
	}
	dump = mugai_config_dump(cf);
	if (!g_file_set_contents(path2, dump, -1, NULL))
		abort();
	if ((cf2 = mugai_config_load(path2, &err)) == NULL) {
		fprintf(stderr, "the dump does not load again: %s\n--\n%s",
		    err->message, dump);
		abort();
	}
	dump2 = mugai_config_dump(cf2);
	if (strcmp(dump, dump2) != 0) {
		fprintf(stderr, "dump, load, dump differs:\n%s\n--\n%s",
		    dump, dump2);
		abort();
	}
	g_free(dump2);
	g_free(dump);
	mugai_config_unref(cf2);
	mugai_config_unref(cf);
	return 0;
}
