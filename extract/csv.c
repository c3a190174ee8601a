/*
 * csv - text/csv as aligned columns
 *
 * The bytes are converted from the charset lib/text/charset.c detects
 * (Excel in Japan writes CP932), then read as RFC 4180 says: fields
 * separated by the delimiter, a field in double quotes may hold the
 * delimiter, line breaks and "" for a quote; a stray quote inside an
 * unquoted field is text. The delimiter is the one of comma, tab and
 * semicolon that occurs most in the first line outside quotes. The cells
 * are laid out by table.c (columns padded by display width, a line break
 * in a cell shown as a space). A file that is not CSV after all still
 * shows its text: each line is one cell.
 */
#include "autoconfig.h"

#include <string.h>

#include "text/charset.h"
#include "parsers.h"
#include "table.h"

#define CSV_CHECK_ROWS	256	/* rows between deadline checks */

static char
delimiter(const char *s, gsize n)
{
	static const char cand[] = { ',', '\t', ';' };
	gsize count[3] = { 0 };
	gboolean quote = FALSE;
	char best = ',';
	gsize most = 0;

	for (gsize i = 0; i < n && s[i] != '\n'; i++) {
		if (s[i] == '"')
			quote = !quote;
		else if (!quote)
			for (gsize k = 0; k < 3; k++)
				count[k] += s[i] == cand[k];
	}
	for (gsize k = 0; k < 3; k++)
		if (count[k] > most) {
			most = count[k];
			best = cand[k];
		}
	return best;
}

void
x_csv(struct xjob *job)
{
	gsize n = 0;
	g_autofree char *u = mugai_charset_to_utf8((const char *)job->xj_data,
	    job->xj_len, NULL, &n, NULL, NULL);
	struct xtable *t = x_table_new(job);
	GString *cell = g_string_new(NULL);
	guint64 row = 0, col = 0;
	gboolean quoted = FALSE, full = FALSE;
	const char *s = u;
	gsize i = 0;
	char d;

	job->xj_kind = "csv";
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;	/* Excel's UTF-8 BOM */
	d = delimiter(s + i, n - i);
	for (; i <= n && !full; i++) {
		char c = i < n ? s[i] : '\n';

		if (quoted) {
			if (c == '"' && i + 1 < n && s[i + 1] == '"') {
				g_string_append_c(cell, '"');
				i++;
			} else if (c == '"')
				quoted = FALSE;
			else if (i < n)
				g_string_append_c(cell, c);
			else
				quoted = FALSE;	/* unclosed at the end */
			if (quoted || i < n)
				continue;
		}
		if (c == '"' && cell->len == 0) {
			quoted = TRUE;
			continue;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c != d && c != '\n' && c != '\r') {
			g_string_append_c(cell, c);
			continue;
		}
		full = !x_table_set(t, row, col, cell->str);
		g_string_truncate(cell, 0);
		if (c == d) {
			col++;
			continue;
		}
		row++;
		col = 0;
		if (row % CSV_CHECK_ROWS == 0 && x_stop(job))
			break;
		if (i >= n)
			break;
	}
	x_table_emit(t);
	x_table_free(t);
	g_string_free(cell, TRUE);
	if (job->xj_cut)
		x_outcome(job, MUGAI_EXTRACT_TRUNCATED, "max_bytes");
}
