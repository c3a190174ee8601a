/*
 * stream-diff-run - test driver: the two engines over many messages in one
 * process (t/stream-diff.sh)
 *
 *   t/stream-diff-run -c CONF [--chunks "1 7 ..."] [--perturb] [FILE...]
 *
 * For each FILE (or each line of stdin when none is named) does what
 * `mugai sanitize -c CONF --json --engine=gmime FILE OUT` does, then the
 * same with --engine=stream --chunk=N for each N of --chunks (default
 * "1 7 65536 1073741824"), through the command's own code
 * (cli/sanitize-run.c) with the output kept in memory. Where the stream
 * engine takes the message, its exit status, its output (or none) and
 * its JSON report must be those of the GMime engine byte for byte, but
 * for the engine's name; and it must take or decline the message alike
 * at every chunk size. The configuration, libmagic's database and the
 * extraction helpers are set up once, not five times a message.
 *
 * Prints one line a message: "take FILE", "fall FILE: why the stream
 * engine declined", or "DIFF FILE chunk N: what" and the first lines that
 * differ. --perturb flips one byte of every stream output, so a run can
 * show that the comparison fails (t/stream-diff.sh does).
 * Exit 0 when nothing differs, 1 when a message differs or cannot be
 * read, 2 on usage or a bad configuration.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "cli/common.h"
#include "cli/sanitize-run.h"
#include "core/config.h"
#include "core/sanitize.h"
#include "core/xbody.h"

/* One run of `mugai sanitize --json` over one message. */
struct run {
	int ru_status;
	gboolean ru_wrote;		/* the output file would exist */
	GByteArray *ru_out;
	char *ru_json;
	char *ru_declined;		/* why the stream engine declined */
};

static gboolean perturb;

static void
run_clear(struct run *ru)
{
	g_clear_pointer(&ru->ru_out, g_byte_array_unref);
	g_clear_pointer(&ru->ru_json, g_free);
	g_clear_pointer(&ru->ru_declined, g_free);
}

/*
 * Puts E for the engine's name where the output and the report carry it
 * (binary-safe: an output may hold any byte).
 */
static GByteArray *
unname(const guint8 *s, gsize len, const char *engine)
{
	g_autofree char *json = g_strdup_printf("\"engine\" : \"%s\"", engine);
	g_autofree char *hdr = g_strdup_printf("; engine=%s;", engine);
	const char *from[2] = { json, hdr };
	const char *to[2] = { "\"engine\" : \"E\"", "; engine=E;" };
	GByteArray *b = g_byte_array_sized_new((guint)len);
	gsize i = 0;

	while (i < len) {
		gsize k;

		for (k = 0; k < 2; k++) {
			gsize n = strlen(from[k]);

			if (len - i >= n && memcmp(s + i, from[k], n) == 0) {
				g_byte_array_append(b, (const guint8 *)to[k],
				    (guint)strlen(to[k]));
				i += n;
				break;
			}
		}
		if (k == 2)
			g_byte_array_append(b, s + i++, 1);
	}
	return b;
}

/* Returns FALSE when path cannot be opened (said on stdout). */
static gboolean
run_one(const struct mugai_config *cf, const char *path,
    const struct mugai_sanitize_opts *so, struct run *ru)
{
	const char *engine = so->so_engine == MUGAI_ENGINE_STREAM ?
	    "stream" : "gmime";
	struct mugai_envelope env = { 0 };
	struct mugai_result *rs = NULL;
	struct mugai_cli_say sy;
	GMimeStream *in, *mem;
	GError *gerr = NULL;
	g_autofree char *doc = NULL;
	GByteArray *j;

	memset(ru, 0, sizeof *ru);
	if ((in = g_mime_stream_fs_open(path, O_RDONLY, 0, &gerr)) == NULL) {
		printf("DIFF %s: %s\n", path, gerr->message);
		g_clear_error(&gerr);
		return FALSE;
	}
	mem = g_mime_stream_mem_new();
	mugai_cli_say_init(&sy, TRUE, FALSE);
	ru->ru_status = mugai_cli_sanitize_run(cf, in, &env, so, &sy, &rs);
	if (ru->ru_status < 0)
		ru->ru_status = mugai_cli_sanitize_write(rs, in, NULL, mem,
		    &sy, &ru->ru_wrote);
	if (rs != NULL)
		ru->ru_declined = g_strdup(rs->rs_declined);
	doc = mugai_cli_say_json(&sy, rs);
	j = unname((const guint8 *)doc, strlen(doc), engine);
	g_byte_array_append(j, (const guint8 *)"", 1);
	ru->ru_json = (char *)g_byte_array_free(j, FALSE);
	if (ru->ru_wrote) {
		GByteArray *b = g_mime_stream_mem_get_byte_array(
		    GMIME_STREAM_MEM(mem));

		ru->ru_out = unname(b->data, b->len, engine);
		if (perturb && so->so_engine == MUGAI_ENGINE_STREAM &&
		    ru->ru_out->len > 0)
			ru->ru_out->data[ru->ru_out->len / 2] ^= 0x01;
	}
	mugai_cli_say_clear(&sy);
	mugai_result_free(rs);
	g_object_unref(mem);
	g_object_unref(in);
	return TRUE;
}

/* Prints the first line where a and b part, as `diff` would show it. */
static void
show_diff(const guint8 *a, gsize alen, const guint8 *b, gsize blen)
{
	gsize i = 0, line = 1, start = 0, ea, eb;

	while (i < alen && i < blen && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	for (ea = start; ea < alen && a[ea] != '\n'; ea++)
		;
	for (eb = start; eb < blen && b[eb] != '\n'; eb++)
		;
	printf("line %zu\n< %.*s\n---\n> %.*s\n", line,
	    (int)MIN(ea - start, 300), (const char *)a + start,
	    (int)MIN(eb - start, 300), (const char *)b + start);
}

/*
 * Compares the stream engine's run s at chunk size c with the GMime
 * engine's g; prints the DIFF line and returns FALSE when they differ.
 */
static gboolean
same(const char *path, gsize c, const struct run *g, const struct run *s)
{
	if (s->ru_status != g->ru_status) {
		printf("DIFF %s chunk %zu: exit %d, gmime %d\n", path, c,
		    s->ru_status, g->ru_status);
		return FALSE;
	}
	if (s->ru_wrote != g->ru_wrote || (s->ru_wrote &&
	    (s->ru_out->len != g->ru_out->len || memcmp(s->ru_out->data,
	    g->ru_out->data, g->ru_out->len) != 0))) {
		printf("DIFF %s chunk %zu: output\n", path, c);
		if (s->ru_wrote && g->ru_wrote)
			show_diff(g->ru_out->data, g->ru_out->len,
			    s->ru_out->data, s->ru_out->len);
		else
			printf("output %s by gmime, %s by stream\n",
			    g->ru_wrote ? "written" : "not written",
			    s->ru_wrote ? "written" : "not written");
		return FALSE;
	}
	if (strcmp(s->ru_json, g->ru_json) != 0) {
		printf("DIFF %s chunk %zu: report\n", path, c);
		show_diff((const guint8 *)g->ru_json, strlen(g->ru_json),
		    (const guint8 *)s->ru_json, strlen(s->ru_json));
		return FALSE;
	}
	return TRUE;
}

/* One message, both engines; returns FALSE when they differ. */
static gboolean
message(const struct mugai_config *cf, const char *path,
    const gsize *chunks, guint nchunks)
{
	struct mugai_sanitize_opts so = { MUGAI_ENGINE_GMIME, 0 };
	struct run g, s;
	const char *taken = NULL, *t;
	g_autofree char *why = NULL;
	gboolean ok = TRUE;

	if (!run_one(cf, path, &so, &g))
		return FALSE;
	so.so_engine = MUGAI_ENGINE_STREAM;
	for (guint i = 0; i < nchunks && ok; i++) {
		so.so_chunk = chunks[i];
		if (!run_one(cf, path, &so, &s)) {
			ok = FALSE;
			break;
		}
		if (s.ru_status == 3) {
			t = "declined";
			if (why == NULL)
				why = g_strdup(s.ru_declined);
		} else {
			t = "taken";
			ok = same(path, chunks[i], &g, &s);
		}
		if (ok && taken != NULL && strcmp(taken, t) != 0) {
			printf("DIFF %s chunk %zu: %s, other chunk sizes %s\n",
			    path, chunks[i], t, taken);
			ok = FALSE;
		}
		taken = t;
		run_clear(&s);
	}
	run_clear(&g);
	if (!ok)
		return FALSE;
	if (taken != NULL && strcmp(taken, "declined") == 0)
		printf("fall %s: %s\n", path, why != NULL ? why : "");
	else
		printf("take %s\n", path);
	return TRUE;
}

/* Parses --chunks' list; returns FALSE on a word that is no size. */
static gboolean
parse_chunks(const char *list, GArray *chunks)
{
	g_auto(GStrv) w = g_strsplit_set(list, " ,", -1);

	for (guint i = 0; w[i] != NULL; i++) {
		guint64 n;

		if (*w[i] == '\0')
			continue;
		if (!g_ascii_string_to_unsigned(w[i], 10, 1, G_MAXINT, &n,
		    NULL))
			return FALSE;
		{
			gsize c = (gsize)n;

			g_array_append_val(chunks, c);
		}
	}
	return chunks->len > 0;
}

int
main(int argc, char **argv)
{
	g_autofree char *path = NULL, *list = NULL;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &path,
		  "configuration file", "FILE" },
		{ "chunks", 0, 0, G_OPTION_ARG_STRING, &list,
		  "the stream engine's chunk sizes (\"1 7 65536 1073741824\")",
		  "LIST" },
		{ "perturb", 0, 0, G_OPTION_ARG_NONE, &perturb,
		  "flip a byte of every stream output (the test of the test)",
		  NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "[FILE...] - both engines over each message (names on stdin "
	    "when none is given)");
	g_autoptr(GArray) chunks = g_array_new(FALSE, FALSE, sizeof(gsize));
	struct mugai_config *cf;
	const gsize *sizes;
	GError *gerr = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
		fprintf(stderr, "stream-diff-run: %s\n", gerr->message);
		g_clear_error(&gerr);
		return 2;
	}
	if (!parse_chunks(list != NULL ? list : "1 7 65536 1073741824",
	    chunks)) {
		fprintf(stderr, "stream-diff-run: --chunks: sizes from 1\n");
		return 2;
	}
	sizes = &g_array_index(chunks, gsize, 0);
	if ((cf = mugai_cli_load_config(path, NULL)) == NULL)
		return 2;
	mugai_sanitize_init();
	signal(SIGPIPE, SIG_IGN);
	(void)mugai_xbody_start(cf, TRUE, NULL);
	/* A line at a time: a crash still leaves what came before. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (!message(cf, argv[i], sizes,
			    chunks->len))
				rc = 1;
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) > 0) {
			if (line[n - 1] == '\n')
				line[--n] = '\0';
			if (n > 0 && !message(cf, line,
			    sizes, chunks->len))
				rc = 1;
		}
		free(line);
	}
	mugai_xbody_stop();
	mugai_config_unref(cf);
	mugai_sanitize_shutdown();
	return rc;
}
