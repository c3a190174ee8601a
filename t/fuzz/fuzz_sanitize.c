/*
 * fuzz_sanitize - the whole engine: message bytes in, result out
 *
 * Every input is one message given to mugai_sanitize() with the built-in
 * defaults (an odd byte sum selects output_charset = iso-2022-jp and
 * url_mode = defang, so both encoders are exercised without shifting the
 * seeds). When the result carries a message (unchanged, sanitized or
 * withheld), it is written as mugai_result_write() writes it for the CLI
 * and held to the contract by t/fuzz/oracle.c, its delivered headers
 * too; when it carries a notice (parts removed, or the content withheld)
 * the notice is read line by line against the templates
 * (mugai_oracle_check_notice). A violation abort()s, so the fuzzer
 * reports it like a crash.
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

static struct mugai_config *cf_utf8, *cf_jis;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mugai_sanitize_init();
	cf_utf8 = mugai_config_new_default();
	cf_jis = mugai_config_new_default();
	cf_jis->cf_output_charset = MUGAI_OUT_ISO2022JP;
	cf_jis->cf_url_mode = MUGAI_URL_DEFANG;
	return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	static const char *const rcpts[] = { "<a@example.jp>", NULL };
	struct mugai_envelope env = {
		.ev_queue_id = "FUZZ", .ev_sender = "<s@example.com>",
		.ev_rcpts = rcpts, .ev_quarantine_id = "20260101-000000-FUZZ",
	};
	const struct mugai_config *cf = cf_utf8;
	GMimeStream *in, *out;
	struct mugai_result *rs;
	enum mugai_err err = MUGAI_OK;
	GByteArray *b;
	guint sum = 0;
	gboolean notice;
	char *why;

	for (size_t i = 0; i < size; i++)
		sum += data[i];
	if (sum & 1)
		cf = cf_jis;
	in = g_mime_stream_mem_new_with_buffer((const char *)data, size);
	if ((rs = mugai_sanitize(cf, in, &env, &err)) == NULL) {
		/* Only I/O or memory may fail, and a memory stream does not. */
		fprintf(stderr, "mugai_sanitize failed: %d\n", err);
		abort();
	}
	if (rs->rs_verdict == MUGAI_V_REJECT ||
	    rs->rs_verdict == MUGAI_V_TEMPFAIL) {
		if (rs->rs_reply == NULL)
			abort();
		goto done;
	}
	out = g_mime_stream_mem_new();
	if (mugai_result_write(rs, in, out, TRUE) != MUGAI_OK)
		abort();
	b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	notice = rs->rs_verdict == MUGAI_V_WITHHELD ||
	    (rs->rs_verdict == MUGAI_V_SANITIZED &&
	    mugai_report_removed(rs->rs_report) > 0);
	if ((why = (notice ? mugai_oracle_check_notice :
	    mugai_oracle_check)((const char *)b->data, b->len)) != NULL) {
		fprintf(stderr, "contract violation (%s, %s): %s\n",
		    mugai_verdict_name(rs->rs_verdict),
		    cf == cf_jis ? "iso-2022-jp" : "utf-8", why);
		fwrite(b->data, 1, MIN(b->len, 4096), stderr);
		fputc('\n', stderr);
		abort();
	}
	g_object_unref(out);
done:
	mugai_result_free(rs);
	g_object_unref(in);
	return 0;
}
