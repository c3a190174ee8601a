/*
 * mugai-bench - the engine in-process over a corpus-gen corpus
 *
 * usage: mugai-bench [-c CONF] [-n PASSES] [-m MODE] [-e ENGINE]
 *            [-k CLASS]... [-q QDIR] [-C CHUNK] CORPUS
 *
 * Reads CORPUS/MANIFEST.tsv (contrib/bench/corpus-gen), keeps the classes
 * named with -k (all when none), and runs MODE over every file, PASSES
 * times. Each file is read in CHUNK-byte pieces (default 65536, what
 * libmilter hands the milter) and, from mode "spool" on, goes through the
 * milter's own spool (milter/spool.c: memory up to spool_mem_max, then an
 * unlinked file in spool_dir or $TMPDIR), so the engine sees the stream the
 * milter gives it. Modes, each doing what the one before does plus:
 *   read    read the file (the in-process I/O floor)
 *   spool   copy it into the spool and open the spool stream
 *   parse   GMime parse of the whole tree, nothing decoded (parser floor)
 *   decode  every leaf decoded to a null stream (what any filter that
 *           looks at content must at least do)
 *   engine  mugai_sanitize() and the output written (CRLF) to a null
 *           stream: the milter's end-of-message work without the MTA
 *   store   engine, plus the original kept in the quarantine QDIR when the
 *           result says so, as the milter does: a spool past
 *           spool_mem_max is already the item's file, the engine's
 *           SHA-256 is reused, then fsync, rename
 *   live    the engine driven as the milter drives it (milter/context.c,
 *           milter/eom.c): the header block goes to the spool, at its end
 *           mugai_sanitize_stream_new() is fed the spooled header block in
 *           16 KiB reads, then every body chunk goes to the spool and to
 *           mugai_sanitize_stream_feed(); at the end
 *           mugai_sanitize_stream_finish() on the spool stream, and the
 *           output written as in engine
 * The heap is set up as mugai-milter sets it (milter/heap.c), and the
 * text extraction helpers are started as it starts them ([extract] of
 * CONF; without a helper the notice says extraction is unavailable).
 * -e auto|stream|gmime makes mode engine call mugai_sanitize_with() with
 * that engine (stream: a declined message counts as "other"); without it,
 * mugai_sanitize() (auto).
 *
 * Prints one TSV line per class and one "total" line:
 *   mode class msgs bytes wall_s cpu_s msgs_per_s MB_per_s maxrss_kb
 *   replaced unchanged other stream
 * msgs_per_s and MB_per_s are from wall time; maxrss_kb is the process's
 * peak RSS (getrusage ru_maxrss), so run one class per process to get a
 * per-class figure (contrib/bench/core-bench does). replaced/unchanged
 * count engine verdicts with and without a new body, stream the messages
 * the streaming engine took (the report's engine). Exit 0, or 1 on an
 * I/O or engine failure, 2 on a usage error.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "core/config.h"
#include "heap.h"
#include "store/quarantine.h"
#include "core/sanitize.h"
#include "core/xbody.h"
#include "spool.h"

enum mode { M_READ, M_SPOOL, M_PARSE, M_DECODE, M_ENGINE, M_STORE, M_LIVE };

static const char *const mode_names[] = {
	"read", "spool", "parse", "decode", "engine", "store", "live", NULL
};

struct item {
	char *it_class;
	char *it_path;
};

struct tally {
	guint64 tl_msgs;
	guint64 tl_bytes;
	gint64 tl_wall_us;
	gint64 tl_cpu_us;
	guint64 tl_replaced;
	guint64 tl_unchanged;
	guint64 tl_other;
	guint64 tl_stream;
};

struct bench {
	enum mode bn_mode;
	struct mugai_config *bn_cf;
	struct mugai_quarantine *bn_q;
	const char *bn_spool_dir;
	gsize bn_chunk;
	char *bn_buf;
	const struct mugai_sanitize_opts *bn_opts;	/* NULL: mugai_sanitize() */
};

static gint64
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (gint64)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	    (gint64)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Returns (transfer full) the manifest's items of the wanted classes. */
static GPtrArray *
load_manifest(const char *dir, char **classes)
{
	g_autofree char *path = g_build_filename(dir, "MANIFEST.tsv", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GError *err = NULL;
	GPtrArray *items;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		fprintf(stderr, "mugai-bench: %s\n", err->message);
		g_error_free(err);
		return NULL;
	}
	items = g_ptr_array_new();
	lines = g_strsplit(text, "\n", -1);
	for (gsize i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) f = NULL;
		struct item *it;

		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		f = g_strsplit(lines[i], "\t", 3);
		if (g_strv_length(f) < 2)
			continue;
		if (classes != NULL && !g_strv_contains((const char *const *)
		    classes, f[0]))
			continue;
		it = g_new0(struct item, 1);
		it->it_class = g_strdup(f[0]);
		it->it_path = g_build_filename(dir, f[1], NULL);
		g_ptr_array_add(items, it);
	}
	return items;
}

/* Every leaf of obj decoded to a null stream. */
static void
decode_leaf(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GMimeDataWrapper *dw;
	GMimeStream *null;

	(void)parent;
	(void)data;
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *m = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(part));

		if (m != NULL)
			g_mime_message_foreach(m, decode_leaf, NULL);
		return;
	}
	if (!GMIME_IS_PART(part) ||
	    (dw = g_mime_part_get_content(GMIME_PART(part))) == NULL)
		return;
	null = g_mime_stream_null_new();
	(void)g_mime_data_wrapper_write_to_stream(dw, null);
	g_object_unref(null);
}

static void
decode_tree(GMimeMessage *m)
{
	g_mime_message_foreach(m, decode_leaf, NULL);
}

static gboolean
parse_only(GMimeStream *s, gboolean decode)
{
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	if (m != NULL && decode)
		decode_tree(m);
	g_clear_object(&m);
	g_object_unref(p);
	return TRUE;
}

static gboolean
run_engine(struct bench *bn, struct mugai_spool *sp, GMimeStream *s,
    struct mugai_sanitize_stream *live, struct tally *t)
{
	struct mugai_envelope env = { .ev_queue_id = "BENCH" };
	g_autofree char *qid = NULL;
	struct mugai_result *rs;
	enum mugai_err err = MUGAI_OK;
	GMimeStream *out;
	gboolean ok = TRUE;

	if (bn->bn_mode == M_STORE)
		env.ev_quarantine_id = qid = mugai_qid_new();
	if (live != NULL)
		rs = mugai_sanitize_stream_finish(live, s, &env, &err);
	else if (bn->bn_opts != NULL)
		rs = mugai_sanitize_with(bn->bn_cf, s, &env, bn->bn_opts, &err);
	else
		rs = mugai_sanitize(bn->bn_cf, s, &env, &err);
	if (rs == NULL) {
		fprintf(stderr, "mugai-bench: engine: %s\n",
		    mugai_err_str(err));
		return FALSE;
	}
	/* As the milter keeps it: the spool's item, the engine's digest. */
	if (bn->bn_mode == M_STORE && rs->rs_keep_original &&
	    mugai_spool_keep(sp, bn->bn_q, qid, &env, rs->rs_report,
	    rs->rs_report->rr_sha256, "mugai-bench") != MUGAI_OK) {
		fprintf(stderr, "mugai-bench: cannot keep the original\n");
		ok = FALSE;
	}
	out = g_mime_stream_null_new();
	if (rs->rs_verdict != MUGAI_V_REJECT &&
	    rs->rs_verdict != MUGAI_V_TEMPFAIL &&
	    mugai_result_write(rs, s, out, TRUE) != MUGAI_OK)
		ok = FALSE;
	g_object_unref(out);
	if (rs->rs_body != NULL)
		t->tl_replaced++;
	else if (rs->rs_verdict == MUGAI_V_UNCHANGED)
		t->tl_unchanged++;
	else
		t->tl_other++;
	if (rs->rs_report != NULL && rs->rs_report->rr_engine != NULL &&
	    strcmp(rs->rs_report->rr_engine, "stream") == 0)
		t->tl_stream++;
	mugai_result_free(rs);
	return ok;
}

/*
 * How much of buf[0..n) belongs to the header block (up to and with its
 * blank line); *ended when the block ends there. *st carries the state
 * across reads: 1 at a line start (the message's first), 2 after a CR at
 * a line start, 0 inside a line.
 */
static gsize
header_part(const char *buf, gsize n, int *st, gboolean *ended)
{
	*ended = FALSE;
	for (gsize i = 0; i < n; i++) {
		if (*st == 0) {
			const char *nl = memchr(buf + i, '\n', n - i);

			if (nl == NULL)
				return n;
			i = (gsize)(nl - buf);
			*st = 1;
			continue;
		}
		if (buf[i] == '\n') {
			*ended = TRUE;
			return i + 1;
		}
		*st = *st == 1 && buf[i] == '\r' ? 2 : 0;
	}
	return n;
}

/*
 * The milter's end of headers (milter/context.c live_begin): a new
 * engine stream fed what the spool holds, in 16 KiB reads.
 */
static struct mugai_sanitize_stream *
live_begin(struct bench *bn, struct mugai_spool *sp,
    const struct mugai_envelope *env)
{
	enum mugai_err err;
	GMimeStream *s = mugai_spool_stream(sp, &err);
	struct mugai_sanitize_stream *live;
	char buf[16384];
	gssize n = -1;

	if (s == NULL)
		return NULL;
	live = mugai_sanitize_stream_new(bn->bn_cf, env);
	while (!g_mime_stream_eos(s) &&
	    (n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		mugai_sanitize_stream_feed(live, buf, (gsize)n);
	if (n < 0)
		g_clear_pointer(&live, mugai_sanitize_stream_free);
	g_object_unref(s);
	return live;
}

/* One message through the mode; FALSE on a failure. */
static gboolean
run_one(struct bench *bn, const char *path, struct tally *t)
{
	const struct mugai_config *cf = bn->bn_cf;
	struct mugai_envelope live_env = { .ev_queue_id = "BENCH" };
	struct mugai_sanitize_stream *live = NULL;
	struct mugai_spool *sp = NULL;
	GMimeStream *s = NULL;
	enum mugai_err err = MUGAI_OK;
	gboolean ok = TRUE, in_headers = bn->bn_mode == M_LIVE;
	guint64 size = 0;
	ssize_t n;
	int fd, hst = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "mugai-bench: %s: %s\n", path,
		    g_strerror(errno));
		return FALSE;
	}
	if (bn->bn_mode >= M_SPOOL)
		sp = mugai_spool_new(bn->bn_spool_dir,
		    (guint64)cf->cf_spool_mem_max,
		    (guint64)cf->cf_max_message_size);
	while ((n = read(fd, bn->bn_buf, bn->bn_chunk)) > 0) {
		gsize hlen = 0;
		gboolean ended = FALSE;

		size += (guint64)n;
		if (in_headers) {
			hlen = header_part(bn->bn_buf, (gsize)n, &hst, &ended);
			if ((err = mugai_spool_add(sp, bn->bn_buf, hlen)) !=
			    MUGAI_OK)
				goto spool_fail;
			if (ended) {
				in_headers = FALSE;
				live = live_begin(bn, sp, &live_env);
			}
		}
		if (sp != NULL && (gsize)n > hlen &&
		    (err = mugai_spool_add(sp, bn->bn_buf + hlen,
		    (gsize)n - hlen)) != MUGAI_OK)
			goto spool_fail;
		if (live != NULL && (gsize)n > hlen)
			mugai_sanitize_stream_feed(live, bn->bn_buf + hlen,
			    (gsize)n - hlen);
		continue;
spool_fail:
		fprintf(stderr, "mugai-bench: spool: %s\n",
		    mugai_err_str(err));
		ok = FALSE;
		break;
	}
	close(fd);
	if (n < 0)
		ok = FALSE;
	/* No blank line: the MTA still ends the headers before the body. */
	if (ok && in_headers)
		live = live_begin(bn, sp, &live_env);
	if (ok && sp != NULL &&
	    (s = mugai_spool_stream(sp, &err)) == NULL)
		ok = FALSE;
	if (ok) {
		switch (bn->bn_mode) {
		case M_PARSE:
		case M_DECODE:
			ok = parse_only(s, bn->bn_mode == M_DECODE);
			break;
		case M_ENGINE:
		case M_STORE:
			ok = run_engine(bn, sp, s, NULL, t);
			break;
		case M_LIVE:
			/* Without a stream (a spool read failed), as the milter. */
			ok = run_engine(bn, sp, s, live, t);
			break;
		default:
			break;
		}
	}
	g_clear_object(&s);
	mugai_sanitize_stream_free(live);
	mugai_spool_free(sp);
	t->tl_msgs++;
	t->tl_bytes += size;
	return ok;
}

static void
print_tally(const char *mode, const char *cls, const struct tally *t,
    long rss)
{
	double wall = (double)t->tl_wall_us / 1e6;
	double cpu = (double)t->tl_cpu_us / 1e6;

	printf("%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
	    "\t%.4f\t%.4f\t%.1f\t%.2f\t%ld\t%" G_GUINT64_FORMAT
	    "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%"
	    G_GUINT64_FORMAT "\n", mode, cls,
	    t->tl_msgs, t->tl_bytes, wall, cpu,
	    wall > 0 ? (double)t->tl_msgs / wall : 0.0,
	    wall > 0 ? (double)t->tl_bytes / 1e6 / wall : 0.0, rss,
	    t->tl_replaced, t->tl_unchanged, t->tl_other, t->tl_stream);
}

static int
usage(void)
{
	fputs("usage: mugai-bench [-c CONF] [-n PASSES] [-m read|spool|parse|"
	    "decode|engine|store|live]\n"
	    "           [-e auto|stream|gmime] [-k CLASS]... [-q QDIR] "
	    "[-C CHUNK] CORPUS\n", stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	/* GOption fills string arguments with strings we own. */
	g_autofree char *conf = NULL, *qdir = NULL, *mode_arg = NULL;
	g_autofree char *engine = NULL;
	struct mugai_sanitize_opts opts = { 0 };
	g_auto(GStrv) classes = NULL;
	const char *mode = "engine";
	gint passes = 1, chunk = 65536;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &conf,
		  "configuration file (default: built-in defaults)", "CONF" },
		{ "passes", 'n', 0, G_OPTION_ARG_INT, &passes,
		  "passes over the files", "N" },
		{ "mode", 'm', 0, G_OPTION_ARG_STRING, &mode_arg, "what to run",
		  "MODE" },
		{ "engine", 'e', 0, G_OPTION_ARG_STRING, &engine,
		  "mode engine: mugai_sanitize_with() with this engine",
		  "auto|stream|gmime" },
		{ "class", 'k', 0, G_OPTION_ARG_STRING_ARRAY, &classes,
		  "only this class (repeatable)", "CLASS" },
		{ "quarantine", 'q', 0, G_OPTION_ARG_FILENAME, &qdir,
		  "quarantine store for mode store", "QDIR" },
		{ "chunk", 'C', 0, G_OPTION_ARG_INT, &chunk,
		  "read size (bytes)", "CHUNK" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("CORPUS");
	GHashTable *by_class = g_hash_table_new_full(g_str_hash, g_str_equal,
	    NULL, g_free);
	GPtrArray *order = g_ptr_array_new();
	struct bench bn = { 0 };
	struct tally total = { 0 };
	GPtrArray *items;
	GError *gerr = NULL;
	enum mugai_err err = MUGAI_OK;
	int status = 0;

	(void)mugai_heap_tune();
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr) || argc != 2 ||
	    passes < 1 || chunk < 1) {
		if (gerr != NULL)
			fprintf(stderr, "mugai-bench: %s\n", gerr->message);
		g_clear_error(&gerr);
		return usage();
	}
	if (mode_arg != NULL)
		mode = mode_arg;
	bn.bn_mode = M_READ;
	while (mode_names[bn.bn_mode] != NULL &&
	    strcmp(mode_names[bn.bn_mode], mode) != 0)
		bn.bn_mode++;
	if (mode_names[bn.bn_mode] == NULL ||
	    (bn.bn_mode == M_STORE && qdir == NULL))
		return usage();
	if (engine != NULL) {
		if (strcmp(engine, "auto") == 0)
			opts.so_engine = MUGAI_ENGINE_AUTO;
		else if (strcmp(engine, "stream") == 0)
			opts.so_engine = MUGAI_ENGINE_STREAM;
		else if (strcmp(engine, "gmime") == 0)
			opts.so_engine = MUGAI_ENGINE_GMIME;
		else
			return usage();
		bn.bn_opts = &opts;
	}
	bn.bn_cf = conf != NULL ? mugai_config_load(conf, &gerr) :
	    mugai_config_new_default();
	if (bn.bn_cf == NULL) {
		fprintf(stderr, "mugai-bench: %s\n", gerr->message);
		g_error_free(gerr);
		return 2;
	}
	/* The built-in spool_dir is the daemon's; without -c, use $TMPDIR. */
	bn.bn_spool_dir = conf != NULL ? bn.bn_cf->cf_spool_dir :
	    g_get_tmp_dir();
	if ((items = load_manifest(argv[1], classes)) == NULL)
		return 2;
	mugai_sanitize_init();
	if (bn.bn_cf->cf_extract_enabled) {
		g_autofree char *why = NULL;

		signal(SIGPIPE, SIG_IGN);
		if (mugai_xbody_start(bn.bn_cf, FALSE, &why) != MUGAI_OK)
			fprintf(stderr, "mugai-bench: %s\n", why);
	}
	if (bn.bn_mode == M_STORE && (bn.bn_q = mugai_quarantine_open(qdir,
	    NULL, &err)) == NULL) {
		fprintf(stderr, "mugai-bench: quarantine %s: %s\n", qdir,
		    mugai_err_str(err));
		return 1;
	}
	bn.bn_chunk = (gsize)chunk;
	bn.bn_buf = g_malloc((gsize)chunk);
	for (gint p = 0; p < passes; p++) {
		for (guint i = 0; i < items->len; i++) {
			const struct item *it = g_ptr_array_index(items, i);
			struct tally *t = g_hash_table_lookup(by_class,
			    it->it_class);
			gint64 w0, c0;

			if (t == NULL) {
				t = g_new0(struct tally, 1);
				g_hash_table_insert(by_class, it->it_class, t);
				g_ptr_array_add(order, it->it_class);
			}
			w0 = g_get_monotonic_time();
			c0 = cpu_us();
			if (!run_one(&bn, it->it_path, t))
				status = 1;
			t->tl_wall_us += g_get_monotonic_time() - w0;
			t->tl_cpu_us += cpu_us() - c0;
		}
	}
	for (guint i = 0; i < order->len; i++) {
		const struct tally *t = g_hash_table_lookup(by_class,
		    order->pdata[i]);

		print_tally(mode, order->pdata[i], t, maxrss_kb());
		total.tl_msgs += t->tl_msgs;
		total.tl_bytes += t->tl_bytes;
		total.tl_wall_us += t->tl_wall_us;
		total.tl_cpu_us += t->tl_cpu_us;
		total.tl_replaced += t->tl_replaced;
		total.tl_unchanged += t->tl_unchanged;
		total.tl_other += t->tl_other;
		total.tl_stream += t->tl_stream;
	}
	print_tally(mode, "total", &total, maxrss_kb());
	mugai_quarantine_close(bn.bn_q);
	mugai_xbody_stop();
	mugai_sanitize_shutdown();
	g_free(bn.bn_buf);
	g_ptr_array_unref(order);
	g_hash_table_destroy(by_class);
	for (guint i = 0; i < items->len; i++) {
		struct item *it = g_ptr_array_index(items, i);

		g_free(it->it_class);
		g_free(it->it_path);
		g_free(it);
	}
	g_ptr_array_unref(items);
	mugai_config_unref(bn.bn_cf);
	return status;
}
