/*
 * oracle-check - test driver: holds message files to the contract of
 * t/fuzz/oracle.c (the project's own judge, which needs nothing outside
 * the tree)
 *
 *   t/oracle-check [--notice|--stamp] [--keep STRING] FILE...
 *   t/oracle-check --text FILE...
 *
 * Each FILE is one output message (what `mugai sanitize` wrote, or what
 * an MTA delivered). With --notice its text must open with the notice of
 * the built-in templates (a result with parts removed, or withheld); with
 * --stamp the message's own X-Mugai-Sanitized field decides: withheld, or
 * sanitized with removed= above 0, needs the notice, and a message
 * without the field fails (what an MTA delivered through the milter); with
 * --keep its decoded text must still hold STRING (text the sender wrote
 * that can be shown safely is never dropped); with --text FILE is UTF-8 text held to the text checks alone
 * (mugai_oracle_text). Prints "FAIL FILE: why" for each that breaks the
 * contract. Exit 0 when every file passes, 1 when one does not, 2 on a
 * usage or read error.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <gmime/gmime.h>

#include "oracle.h"

/* Returns NULL when the message's text/plain body holds keep, else why. */
static char *
keeps(const char *data, gsize len, const char *keep)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GMimeObject *body = m != NULL ? g_mime_message_get_mime_part(m) : NULL;
	char *text = NULL, *why = NULL;

	if (body != NULL && GMIME_IS_TEXT_PART(body))
		text = g_mime_text_part_get_text(GMIME_TEXT_PART(body));
	if (text == NULL || strstr(text, keep) == NULL)
		why = g_strdup_printf("the text lost \"%s\"", keep);
	g_free(text);
	g_clear_object(&m);
	g_object_unref(p);
	g_object_unref(s);
	return why;
}

/*
 * --stamp: 1 when X-Mugai-Sanitized says a notice is due, 0 when not, -1
 * (why set) when the field is missing or names no verdict.
 */
static int
stamp_wants_notice(const char *data, gsize len, char **why)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	const char *v = m != NULL ? g_mime_object_get_header(GMIME_OBJECT(m),
	    "X-Mugai-Sanitized") : NULL;
	const char *r;
	int rc = -1;

	if (v == NULL)
		*why = g_strdup("no X-Mugai-Sanitized field");
	else if (strstr(v, "verdict=withheld") != NULL)
		rc = 1;
	else if (strstr(v, "verdict=unchanged") != NULL)
		rc = 0;
	else if (strstr(v, "verdict=sanitized") != NULL)
		rc = (r = strstr(v, "removed=")) != NULL && r[8] != '0';
	else
		*why = g_strdup_printf("X-Mugai-Sanitized without a delivered "
		    "verdict: %s", v);
	g_clear_object(&m);
	g_object_unref(p);
	g_object_unref(s);
	return rc;
}

int
main(int argc, char **argv)
{
	gboolean notice = FALSE, text = FALSE, stamp = FALSE;
	const char *keep = NULL;
	int i = 1, rc = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--notice") == 0)
			notice = TRUE;
		else if (strcmp(argv[i], "--stamp") == 0)
			stamp = TRUE;
		else if (strcmp(argv[i], "--text") == 0)
			text = TRUE;
		else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
			keep = argv[++i];
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: oracle-check [--notice|--stamp] "
		    "[--keep STRING] FILE...\n"
		    "       oracle-check --text FILE...\n");
		return 2;
	}
	g_mime_init();
	for (; i < argc; i++) {
		GError *err = NULL;
		char *data, *why = NULL;
		gboolean want = notice;
		gsize len;

		if (!g_file_get_contents(argv[i], &data, &len, &err)) {
			fprintf(stderr, "oracle-check: %s\n", err->message);
			g_error_free(err);
			return 2;
		}
		if (stamp && !text)
			want = stamp_wants_notice(data, len, &why) == 1;
		if (why == NULL)
			why = text ? mugai_oracle_text(data, len) : want ?
			    mugai_oracle_check_notice(data, len) :
			    mugai_oracle_check(data, len);
		if (why == NULL && keep != NULL && !text)
			why = keeps(data, len, keep);
		if (why != NULL) {
			printf("FAIL %s: %s\n", argv[i], why);
			rc = 1;
		}
		g_free(why);
		g_free(data);
	}
	g_mime_shutdown();
	return rc;
}
