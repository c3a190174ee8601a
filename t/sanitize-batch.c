/*
 * sanitize-batch - test helper: many messages through one engine, one process
 *
 *   sanitize-batch ENGINE FILE...
 *
 * Does for each FILE what `mugai sanitize --engine=ENGINE FILE` does with
 * the built-in defaults (mugai_sanitize_with(), then mugai_result_write()
 * into memory), freeing everything before the next. Made for
 * t/valgrind-corpus.sh: memcheck starts once instead of once per message
 * (its start-up, not the engine, is most of a run), and a leak in the
 * engine piles up over the corpus where a per-message run might hide it.
 * Each file's name goes to stderr before it is read, so a memcheck error
 * on the same stream follows the message that caused it.
 * Exit 0 when every message was read and gave a result (a declined
 * stream run or a withheld message counts), 1 on the first failure,
 * 2 on usage.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "base/err.h"
#include "core/sanitize.h"

static int
one(const struct mugai_config *cf, const struct mugai_sanitize_opts *so,
    const char *path)
{
	GError *gerr = NULL;
	GMimeStream *in, *out;
	struct mugai_result *rs;
	struct mugai_envelope env = { 0 };
	enum mugai_err err = MUGAI_OK;
	int rc = 0;

	fprintf(stderr, "== %s\n", path);
	if ((in = g_mime_stream_fs_open(path, O_RDONLY, 0, &gerr)) == NULL) {
		fprintf(stderr, "sanitize-batch: %s\n", gerr->message);
		g_clear_error(&gerr);
		return 1;
	}
	if ((rs = mugai_sanitize_with(cf, in, &env, so, &err)) == NULL) {
		fprintf(stderr, "sanitize-batch: %s: %s\n", path,
		    mugai_err_str(err));
		g_object_unref(in);
		return 1;
	}
	if (rs->rs_declined == NULL && rs->rs_verdict != MUGAI_V_REJECT &&
	    rs->rs_verdict != MUGAI_V_TEMPFAIL) {
		out = g_mime_stream_mem_new();
		if (mugai_result_write(rs, in, out, FALSE) != MUGAI_OK) {
			fprintf(stderr, "sanitize-batch: %s: cannot write\n",
			    path);
			rc = 1;
		}
		g_object_unref(out);
	}
	mugai_result_free(rs);
	g_object_unref(in);
	return rc;
}

int
main(int argc, char **argv)
{
	struct mugai_sanitize_opts so = { 0 };
	struct mugai_config *cf;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: sanitize-batch ENGINE FILE...\n");
		return 2;
	}
	if (strcmp(argv[1], "auto") == 0)
		so.so_engine = MUGAI_ENGINE_AUTO;
	else if (strcmp(argv[1], "stream") == 0)
		so.so_engine = MUGAI_ENGINE_STREAM;
	else if (strcmp(argv[1], "gmime") == 0)
		so.so_engine = MUGAI_ENGINE_GMIME;
	else {
		fprintf(stderr, "sanitize-batch: ENGINE: auto, stream or "
		    "gmime\n");
		return 2;
	}
	mugai_sanitize_init();
	cf = mugai_config_new_default();
	for (int i = 2; i < argc && rc == 0; i++)
		rc = one(cf, &so, argv[i]);
	mugai_config_unref(cf);
	mugai_sanitize_shutdown();
	return rc;
}
