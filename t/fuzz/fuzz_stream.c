/*
 * fuzz_stream - the fast path fed in random cuts, against the GMime path
 *
 * The first two bytes of the input seed the cuts; the rest is one message.
 * It is fed the milter's way (mugai_sanitize_stream_new/feed/finish) in
 * pieces of 1 byte to 64 KiB chosen by that seed, and also given whole to
 * the GMime engine (mugai_sanitize_with, MUGAI_ENGINE_GMIME). Both results
 * are held to the contract (t/fuzz/oracle.c, the notice read against its
 * templates when there is one); when the fast path took the
 * message, both must be the same message, byte for byte, but for the
 * engine's name in X-Mugai-Sanitized. A difference between what the two
 * parsers see is how filters are bypassed: it abort()s like a crash.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "oracle.h"
#include "core/sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static struct mugai_config *cf;
static const char *const rcpts[] = { "<a@example.jp>", NULL };
static const struct mugai_envelope env = {
	.ev_queue_id = "FUZZ", .ev_sender = "<s@example.com>",
	.ev_rcpts = rcpts, .ev_quarantine_id = "20260101-000000-FUZZ",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mugai_sanitize_init();
	cf = mugai_config_new_default();
	return 0;
}

/* A small PRNG, so the cuts depend on the input alone. */
static guint32
next(guint32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static struct mugai_result *
fed_in_cuts(const guint8 *msg, size_t len, guint32 seed, GMimeStream *in)
{
	struct mugai_envelope early = { .ev_sender = env.ev_sender,
	    .ev_rcpts = rcpts };
	struct mugai_sanitize_stream *ss = mugai_sanitize_stream_new(cf,
	    &early);
	enum mugai_err err = MUGAI_OK;
	struct mugai_result *rs;
	size_t off = 0;

	while (off < len) {
		guint32 r = next(&seed);
		/* Mostly short cuts (edges everywhere), some long. */
		size_t n = (r & 1) ? 1 + (r >> 1) % 16 : 1 + (r >> 1) % 65536;

		n = MIN(n, len - off);
		mugai_sanitize_stream_feed(ss, msg + off, n);
		off += n;
	}
	rs = mugai_sanitize_stream_finish(ss, in, &env, &err);
	mugai_sanitize_stream_free(ss);
	if (rs == NULL) {
		fprintf(stderr, "stream finish failed: %d\n", err);
		abort();
	}
	return rs;
}

/* The message as the MTA would pass it on (NULL for reject/tempfail). */
static GByteArray *
written(const struct mugai_result *rs, GMimeStream *in, const char *who)
{
	GMimeStream *out;
	GByteArray *b;
	gboolean notice;
	char *why;

	if (rs->rs_verdict == MUGAI_V_REJECT ||
	    rs->rs_verdict == MUGAI_V_TEMPFAIL) {
		if (rs->rs_reply == NULL)
			abort();
		return NULL;
	}
	out = g_mime_stream_mem_new();
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(out), FALSE);
	if (g_mime_stream_reset(in) < 0 ||
	    mugai_result_write(rs, in, out, TRUE) != MUGAI_OK)
		abort();
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	g_object_unref(out);
	notice = rs->rs_verdict == MUGAI_V_WITHHELD ||
	    (rs->rs_verdict == MUGAI_V_SANITIZED &&
	    mugai_report_removed(rs->rs_report) > 0);
	if ((why = (notice ? mugai_oracle_check_notice :
	    mugai_oracle_check)((const char *)b->data, b->len)) != NULL) {
		fprintf(stderr, "contract violation (%s engine, %s): %s\n",
		    who, mugai_verdict_name(rs->rs_verdict), why);
		abort();
	}
	return b;
}

/* Drops the name after "engine=", so the two results can be compared. */
static void
blank_engine(GByteArray *b)
{
	static const char *const names[] = { "engine=stream",
	    "engine=gmime" };
	guint i = 0;

	while (i < b->len) {
		gboolean hit = FALSE;

		for (guint k = 0; k < G_N_ELEMENTS(names) && !hit; k++) {
			gsize n = strlen(names[k]);

			if (i + n <= b->len &&
			    memcmp(b->data + i, names[k], n) == 0) {
				g_byte_array_remove_range(b, i + 7, n - 7);
				hit = TRUE;
			}
		}
		i++;
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct mugai_sanitize_opts so = { MUGAI_ENGINE_GMIME, 0 };
	struct mugai_result *live, *ref;
	enum mugai_err err = MUGAI_OK;
	GByteArray *a, *b;
	GMimeStream *in;
	guint32 seed;

	if (size < 2)
		return 0;
	seed = 0x9e3779b9u ^ ((guint32)data[0] << 8 | data[1]);
	data += 2;
	size -= 2;
	in = g_mime_stream_mem_new_with_buffer((const char *)data, size);
	live = fed_in_cuts(data, size, seed, in);
	g_mime_stream_reset(in);
	if ((ref = mugai_sanitize_with(cf, in, &env, &so, &err)) == NULL)
		abort();
	a = written(live, in, live->rs_report != NULL ?
	    live->rs_report->rr_engine : "?");
	b = written(ref, in, "gmime");
	if (live->rs_report != NULL &&
	    strcmp(live->rs_report->rr_engine, "stream") == 0) {
		if (live->rs_verdict != ref->rs_verdict ||
		    (a == NULL) != (b == NULL)) {
			fprintf(stderr, "engines differ: verdict %s vs %s\n",
			    mugai_verdict_name(live->rs_verdict),
			    mugai_verdict_name(ref->rs_verdict));
			abort();
		}
		if (a != NULL) {
			blank_engine(a);
			blank_engine(b);
			if (a->len != b->len ||
			    memcmp(a->data, b->data, a->len) != 0) {
				fprintf(stderr, "engines differ:\n--- stream\n"
				    "%.*s\n--- gmime\n%.*s\n",
				    (int)MIN(a->len, 4096), a->data,
				    (int)MIN(b->len, 4096), b->data);
				abort();
			}
		}
	}
	if (a != NULL)
		g_byte_array_unref(a);
	if (b != NULL)
		g_byte_array_unref(b);
	mugai_result_free(live);
	mugai_result_free(ref);
	g_object_unref(in);
	return 0;
}
