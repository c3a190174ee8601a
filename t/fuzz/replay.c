/*
 * replay - run a fuzz harness over files without libFuzzer
 *
 * Linked with one t/fuzz/fuzz_*.c, it calls LLVMFuzzerInitialize() (when
 * the harness has one) and LLVMFuzzerTestOneInput() once per file named
 * on the command line (a directory: each file in it, sorted). Built with
 * the ordinary compiler by `make check`, so crash and contract-violation
 * inputs kept in t/data/regress/ are replayed on every build, sanitizer
 * builds included, without clang. Exit 0 when every input ran.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static int
one(const char *path)
{
	char *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "replay: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	LLVMFuzzerTestOneInput((const guint8 *)data, len);
	g_free(data);
	return 0;
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
dir(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	int rc = 0;

	while ((n = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_build_filename(path, n, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, by_name);
	for (guint i = 0; i < names->len; i++) {
		const char *f = g_ptr_array_index(names, i);

		if (!g_file_test(f, G_FILE_TEST_IS_REGULAR))
			continue;
		rc |= one(f);
	}
	g_ptr_array_unref(names);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0, n = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++, n++)
		rc |= g_file_test(argv[i], G_FILE_TEST_IS_DIR) ?
		    dir(argv[i]) : one(argv[i]);
	if (n == 0)
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
	return n == 0 ? 2 : rc;
}
