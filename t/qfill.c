/*
 * qfill - test helper: stores messages in a quarantine through the library
 *
 *   qfill DIR FILE [COUNT [DAYS_AGO [SPREAD_DAYS]]]
 *
 * Stores FILE COUNT times (default 1) with a hand-built report (one text
 * part, one dropped attachment "invoice.exe") and a fixed envelope. With
 * DAYS_AGO the IDs are dated that many days back; with SPREAD_DAYS each
 * item goes DAYS_AGO + i % SPREAD_DAYS days back. Prints each ID.
 * Exit 0, or 1 with the error on the first failure. MUGAI_QFILL_RCPTS
 * (comma-separated) replaces the envelope recipients. MUGAI_QFILL_PPAP=NAME
 * makes the dropped part 1.2 the encrypted archive NAME instead (what
 * the archive scan reports for a PPAP zip: the portal's password form);
 * with MUGAI_QFILL_PDF set it is "mitsumori.pdf", application/pdf.
 *
 *   qfill --check DIR KEYFILE MESSAGE RCPT...
 *
 * Runs mugai_release_check() (the milter's side) on MESSAGE (a file: what
 * `mugai quarantine release` gave the submit command) sent to the RCPTs,
 * with the value of its first X-Mugai-Release field, and prints VALID,
 * FORGED, EXPIRED, REPLAYED, UNKNOWN_ID, OTHER_CONTENT or OTHER_RCPTS.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "store/quarantine.h"
#include "store/release.h"
#include "base/report.h"
#include "core/sanitize.h"

/* A fresh ID with its date and time moved back by usec_back. */
static char *
id_back(gint64 usec_back)
{
	char *id = mugai_qid_new();
	gint64 t = g_get_real_time() - usec_back;
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
	    t / G_USEC_PER_SEC);
	g_autofree char *prefix = g_date_time_format(dt, "%Y%m%d-%H%M%S");

	memcpy(id, prefix, 15);
	return id;
}

/*
 * Returns (transfer full) the value of the first X-Mugai-Release field in
 * the header block of msg, continuation lines unfolded, or NULL.
 */
static char *
release_value(const char *msg)
{
	gsize nlen = strlen(MUGAI_RELEASE_HEADER);
	const char *p = msg;

	while (*p != '\0' && *p != '\r' && *p != '\n') {
		const char *eol = strchr(p, '\n');

		if (g_ascii_strncasecmp(p, MUGAI_RELEASE_HEADER, nlen) == 0 &&
		    p[nlen] == ':') {
			GString *v = g_string_new(NULL);

			p += nlen + 1;
			for (;;) {
				eol = strchr(p, '\n');
				g_string_append_len(v, p, eol != NULL ?
				    eol - p : (gssize)strlen(p));
				if (eol == NULL || (eol[1] != ' ' &&
				    eol[1] != '\t'))
					break;
				p = eol + 1;
			}
			g_strdelimit(v->str, "\r", ' ');
			return g_strstrip(g_string_free(v, FALSE));
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return NULL;
}

static int
check_release(const char *dir, const char *keyfile, const char *file,
    char **rcpts)
{
	static const char *const names[] = { "VALID", "FORGED", "EXPIRED",
	    "REPLAYED", "UNKNOWN_ID", "OTHER_CONTENT", "OTHER_RCPTS" };
	struct mugai_config *cf = mugai_config_new_default();
	struct mugai_quarantine *q;
	g_autofree char *msg = NULL, *value = NULL;
	GMimeStream *s;
	enum mugai_err err;
	char *id = NULL;
	gsize len;

	if (!g_file_get_contents(file, &msg, &len, NULL)) {
		fprintf(stderr, "qfill: cannot read %s\n", file);
		return 1;
	}
	if ((q = mugai_quarantine_open(dir, NULL, &err)) == NULL) {
		fprintf(stderr, "qfill: %s: %s\n", dir, mugai_err_str(err));
		return 1;
	}
	g_free(cf->cf_release_secret);
	cf->cf_release_secret = g_strdup(keyfile);
	value = release_value(msg);
	s = g_mime_stream_mem_new_with_buffer(msg, len);
	puts(names[mugai_release_check(q, cf, value, s,
	    (const char *const *)rcpts, &id)]);
	g_object_unref(s);
	g_free(id);
	mugai_quarantine_close(q);
	mugai_config_unref(cf);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *const rcpts[] = { "<staff@city.example.lg.jp>",
	    "other@city.example.lg.jp", NULL };
	struct mugai_envelope env = { "4XyZ1abc", "192.0.2.10",
	    "mail.sender.example", "mail.sender.example",
	    "<alice@sender.example>", rcpts, NULL };
	struct mugai_quarantine *q;
	struct mugai_report *r;
	struct mugai_report_part *p;
	enum mugai_err err;
	guint64 count = 1, ago = 0, spread = 0;
	/* The portal's tests give items their own recipients. */
	const char *env_rcpts = g_getenv("MUGAI_QFILL_RCPTS");
	const char *ppap = g_getenv("MUGAI_QFILL_PPAP");
	gboolean pdf;
	g_auto(GStrv) own_rcpts = env_rcpts != NULL ?
	    g_strsplit(env_rcpts, ",", -1) : NULL;
	gchar *data;
	gsize len;

	if (argc >= 5 && strcmp(argv[1], "--check") == 0)
		return check_release(argv[2], argv[3], argv[4], argv + 5);
	if (argc < 3) {
		fprintf(stderr, "usage: qfill DIR FILE [COUNT [DAYS_AGO "
		    "[SPREAD_DAYS]]]\n");
		return 2;
	}
	if (argc > 3)
		count = g_ascii_strtoull(argv[3], NULL, 10);
	if (argc > 4)
		ago = g_ascii_strtoull(argv[4], NULL, 10);
	if (argc > 5)
		spread = g_ascii_strtoull(argv[5], NULL, 10);
	g_mime_init();
	if (!g_file_get_contents(argv[2], &data, &len, NULL)) {
		fprintf(stderr, "qfill: cannot read %s\n", argv[2]);
		return 1;
	}
	if ((q = mugai_quarantine_open(argv[1], NULL, &err)) == NULL) {
		fprintf(stderr, "qfill: %s: %s\n", argv[1], mugai_err_str(err));
		return 1;
	}
	r = mugai_report_new();
	r->rr_verdict = MUGAI_V_SANITIZED;
	p = mugai_report_add_part(r, "1.1", "part");
	p->rp_declared_type = g_strdup("text/plain");
	p->rp_action = MUGAI_ACT_TEXT;
	p = mugai_report_add_part(r, "1.2", "part");
	/* MUGAI_QFILL_PDF: the dropped part is a PDF (the portal's
	 * preview) rather than an executable. */
	pdf = g_getenv("MUGAI_QFILL_PDF") != NULL;
	p->rp_declared_type = g_strdup(pdf ? "application/pdf" :
	    "application/octet-stream");
	p->rp_filename = g_strdup(ppap != NULL ? ppap : pdf ?
	    "mitsumori.pdf" : "invoice.exe");
	p->rp_action = MUGAI_ACT_DROP;
	p->rp_reason = g_strdup("attachment");
	if (ppap != NULL) {
		p->rp_detected_type = g_strdup("application/zip");
		p->rp_rule = g_strdup("encrypted-archive");
		mugai_report_part_flag(p, "encrypted");
	}
	for (guint64 i = 0; i < count; i++) {
		gint64 days = (gint64)(ago + (spread ? i % spread : 0));
		g_autofree char *id = days > 0 || ago > 0 ?
		    id_back(days * 86400 * G_USEC_PER_SEC + (gint64)i) :
		    mugai_qid_new();
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);

		if (own_rcpts != NULL)
			env.ev_rcpts = (const char *const *)own_rcpts;
		err = mugai_quarantine_store(q, id, s, &env, r, "qfill");
		g_object_unref(s);
		if (err != MUGAI_OK) {
			fprintf(stderr, "qfill: store: %s\n",
			    mugai_err_str(err));
			return 1;
		}
		puts(id);
	}
	mugai_report_free(r);
	mugai_quarantine_close(q);
	g_free(data);
	return 0;
}
