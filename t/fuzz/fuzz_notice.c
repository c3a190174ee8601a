/*
 * fuzz_notice - the notice builder on hostile values
 *
 * The input is cut at NUL bytes into values: the withheld reason first,
 * then three per removed part, its filename, declared type and warning
 * (at most 8 parts). The first byte of a part's filename picks its action
 * (drop or quarantine), whether it has a warning and whether its name
 * is missing, the rest is the name. Both notices are rendered with the
 * built-in templates (ja, en) and neutralised as the engine does
 * (mugai_textsafe), then held to mugai_oracle_notice() (t/fuzz/oracle.c):
 * every line a template line, no value spilling into a line of its own,
 * no control character, line separator or bidi control in a line. A
 * violation abort()s, so the fuzzer reports it like a crash.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notice.h"
#include "oracle.h"
#include "text/textsafe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

#define MAX_PARTS 8

static struct mugai_notice *notice;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const both[] = { "ja", "en", NULL };

	(void)argc;
	(void)argv;
	notice = mugai_notice_load(NULL, both, NULL);
	return notice != NULL ? 0 : 1;
}

static void
check(GString *text, const char *what)
{
	char *why;

	mugai_textsafe(text);
	if ((why = mugai_oracle_notice(text->str, text->len)) != NULL) {
		fprintf(stderr, "%s notice: %s\n%s\n", what, why, text->str);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	struct mugai_report *r = mugai_report_new();
	g_autofree char *reason = NULL;
	const char *p = (const char *)data, *end = p + size;
	char *v[1 + 3 * MAX_PARTS] = { NULL };
	guint n = 0;
	GString *out;

	/* Values between NUL bytes; the last one runs to the end. */
	while (n < G_N_ELEMENTS(v) && p <= end) {
		const char *z = memchr(p, '\0', (gsize)(end - p));
		const char *e = z != NULL ? z : end;

		v[n++] = g_strndup(p, (gsize)(e - p));
		p = e + 1;
	}
	reason = v[0];
	for (guint i = 1; i + 2 < n; i += 3) {
		struct mugai_report_part *rp = mugai_report_add_part(r, "1.2",
		    "part");
		guchar sel = (guchar)v[i][0];

		rp->rp_action = sel & 1 ? MUGAI_ACT_QUARANTINE : MUGAI_ACT_DROP;
		if (!(sel & 4))
			rp->rp_filename = g_strdup(sel != '\0' ? v[i] + 1 :
			    "");
		rp->rp_declared_type = g_strdup(v[i + 1]);
		if (sel & 2)
			rp->rp_warning = g_strdup(v[i + 2]);
		rp->rp_size = (guint64)size;
		memset(rp->rp_sha256, 'a', 64);
	}
	if (mugai_report_removed(r) > 0) {
		out = g_string_new(NULL);
		mugai_notice_removed(notice, r, size % 2 ? "ID-FUZZ" : NULL,
		    out);
		check(out, "removal");
		g_string_free(out, TRUE);
	}
	out = g_string_new(NULL);
	mugai_notice_withheld(notice, reason, size % 3 ? "ID-FUZZ" : NULL,
	    out);
	check(out, "withheld");
	g_string_free(out, TRUE);
	for (guint i = 1; i < n; i++)
		g_free(v[i]);
	mugai_report_free(r);
	return 0;
}
