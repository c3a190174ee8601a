/*
 * job - the text a document gives, normalised and counted as it is
 * written (job.h)
 *
 * The text is built in one GString; xj_newlines counts the "\n" at its
 * end so that line and paragraph breaks need no look back, and trailing
 * blanks are cut when a line ends. The character count includes the line
 * breaks: max_chars bounds what the client reads, whatever it is made of.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/deadline.h"
#include "text/charset.h"
#include "job.h"

void
x_job_init(struct xjob *job, const unsigned char *data, gsize len,
    const char *hint, gboolean cut, const struct xlimits *lim)
{
	memset(job, 0, sizeof *job);
	job->xj_data = data;
	job->xj_len = len;
	job->xj_hint = hint != NULL ? hint : "auto";
	job->xj_cut = cut;
	job->xj_lim = lim;
	job->xj_out = g_string_new(NULL);
	job->xj_status = MUGAI_EXTRACT_OK;
	/* Three quarters of the time is ours: the rest is for the answer
	 * to reach the client before it gives up on us. */
	job->xj_deadline = lim->xl_max_time_ms > 0 ?
	    mugai_deadline_after(MAX(lim->xl_max_time_ms * 3 / 4, 1)) : 0;
}

void
x_job_clear(struct xjob *job)
{
	if (job->xj_out != NULL)
		g_string_free(job->xj_out, TRUE);
	job->xj_out = NULL;
}

void
x_outcome(struct xjob *job, enum mugai_extract_status st, const char *reason)
{
	if (job->xj_status != MUGAI_EXTRACT_OK || st == MUGAI_EXTRACT_OK)
		return;
	job->xj_status = st;
	job->xj_reason = reason;
}

gboolean
x_done(const struct xjob *job)
{
	return job->xj_full || job->xj_timeup ||
	    (job->xj_status != MUGAI_EXTRACT_OK &&
	    job->xj_status != MUGAI_EXTRACT_TRUNCATED);
}

gboolean
x_stop(struct xjob *job)
{
	if (x_done(job))
		return TRUE;
	if (mugai_deadline_passed(job->xj_deadline)) {
		job->xj_timeup = TRUE;
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_time");
		return TRUE;
	}
	return FALSE;
}

/* Counts one character against max_chars; FALSE when it does not fit. */
static gboolean
take_char(struct xjob *job)
{
	if (job->xj_full)
		return FALSE;
	if (job->xj_chars >= job->xj_lim->xl_max_chars) {
		job->xj_full = TRUE;
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_chars");
		return FALSE;
	}
	job->xj_chars++;
	return TRUE;
}

static void
put_newline(struct xjob *job)
{
	GString *o = job->xj_out;

	while (o->len > 0 && (o->str[o->len - 1] == ' ' ||
	    o->str[o->len - 1] == '\t'))
		g_string_truncate(o, o->len - 1);
	/* No blank line first, never two in a row. */
	if (o->len == 0 || job->xj_newlines >= 2)
		return;
	if (!take_char(job))
		return;
	g_string_append_c(o, '\n');
	job->xj_newlines++;
}

void
x_putc(struct xjob *job, gunichar c)
{
	if (c == '\n' || c == '\f' || c == '\v' || c == 0x2028 ||
	    c == 0x2029) {
		put_newline(job);
		return;
	}
	if ((c < 0x20 && c != '\t') || (c >= 0x7f && c < 0xa0))
		return;
	if (!take_char(job))
		return;
	g_string_append_unichar(job->xj_out, c);
	job->xj_newlines = 0;
}

void
x_put(struct xjob *job, const char *s, gssize len)
{
	const char *p = s, *end;

	if (s == NULL)
		return;
	end = s + (len < 0 ? strlen(s) : (gsize)len);
	while (p < end && !job->xj_full) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			x_putc(job, 0xfffd);
			p++;
			continue;
		}
		p = g_utf8_next_char(p);
		if (c == '\r') {
			if (p < end && *p == '\n')
				p++;
			c = '\n';
		}
		x_putc(job, c);
	}
}

void
x_newline(struct xjob *job)
{
	if (job->xj_newlines == 0)
		put_newline(job);
}

void
x_paragraph(struct xjob *job)
{
	while (job->xj_out->len > 0 && job->xj_newlines < 2 && !job->xj_full)
		put_newline(job);
}

void
x_finish(struct xjob *job)
{
	GString *o = job->xj_out;

	while (o->len > 0 && (o->str[o->len - 1] == '\n' ||
	    o->str[o->len - 1] == ' ' || o->str[o->len - 1] == '\t'))
		g_string_truncate(o, o->len - 1);
	/* Past max_chars nothing is added, not even this. */
	if (o->len > 0 && !job->xj_full)
		g_string_append_c(o, '\n');
}

void
x_put_legacy(struct xjob *job, const char *s, gsize len, const char *label)
{
	gsize n = 0;
	g_autofree char *u = mugai_charset_to_utf8(s, len, label, &n, NULL,
	    NULL);

	x_put(job, u, (gssize)n);
}

gsize
x_width(const char *s)
{
	gsize w = 0;

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iszerowidth(c))
			continue;
		w += g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}
