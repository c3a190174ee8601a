/*
 * textsafe-filter - test driver: writes mugai_textsafe(stdin) to stdout
 *
 * With -e, mugai_encblock_strip() runs first, as the engine does. Input is
 * read whole; bytes are passed as they are (mugai_textsafe drops invalid
 * UTF-8). Exit 0, or 1 on an I/O error.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "text/encblock.h"
#include "text/textsafe.h"

int
main(int argc, char **argv)
{
	GString *text = g_string_new(NULL);
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		g_string_append_len(text, buf, (gssize)n);
	if (ferror(stdin))
		return 1;
	if (argc > 1 && strcmp(argv[1], "-e") == 0) {
		GString *cut = g_string_new(NULL);
		GPtrArray *found = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)mugai_encblock_free);

		mugai_encblock_strip(text->str, text->len, cut, found);
		for (guint i = 0; i < found->len; i++) {
			struct mugai_encblock *eb = found->pdata[i];

			fprintf(stderr, "%s %s %llu %s\n", eb->eb_kind,
			    eb->eb_filename != NULL ? eb->eb_filename : "-",
			    (unsigned long long)eb->eb_size, eb->eb_sha256);
		}
		g_ptr_array_free(found, TRUE);
		g_string_free(text, TRUE);
		text = cut;
	}
	mugai_textsafe(text);
	if (fwrite(text->str, 1, text->len, stdout) != text->len ||
	    fflush(stdout) != 0)
		return 1;
	g_string_free(text, TRUE);
	return 0;
}
