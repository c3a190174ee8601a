/*
 * table - aligned columns for XLSX and ODS sheets (table.h)
 *
 * The cells are kept in one array and sorted by row and column when the
 * table is written; the widths come from a first pass over it.
 */
#include "autoconfig.h"

#include <string.h>

#include "table.h"

struct cell {
	guint64 c_row;
	guint64 c_col;
	char *c_text;
	gsize c_width;
};

struct xtable {
	struct xjob *t_job;
	GArray *t_cells;	/* struct cell */
	guint64 t_chars;
};

struct xtable *
x_table_new(struct xjob *job)
{
	struct xtable *t = g_new0(struct xtable, 1);

	t->t_job = job;
	t->t_cells = g_array_new(FALSE, FALSE, sizeof(struct cell));
	return t;
}

/* Returns (transfer full) text on one line, trimmed. */
static char *
one_line(const char *text)
{
	char *s = g_strdup(text);

	for (char *p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return g_strstrip(s);
}

gboolean
x_table_set(struct xtable *t, guint64 row, guint64 col, const char *text)
{
	struct cell c;
	glong n;

	if (text == NULL || text[0] == '\0')
		return TRUE;
	if (!g_utf8_validate(text, -1, NULL))
		return TRUE;
	n = g_utf8_strlen(text, -1);
	if (t->t_chars + (guint64)n > t->t_job->xj_lim->xl_max_chars) {
		x_outcome(t->t_job, MUGAI_EXTRACT_TRUNCATED, "max_chars");
		return FALSE;
	}
	t->t_chars += (guint64)n;
	c.c_row = row;
	c.c_col = col;
	c.c_text = one_line(text);
	c.c_width = x_width(c.c_text);
	g_array_append_val(t->t_cells, c);
	return TRUE;
}

static gint
cell_cmp(gconstpointer a, gconstpointer b)
{
	const struct cell *x = a, *y = b;

	if (x->c_row != y->c_row)
		return x->c_row < y->c_row ? -1 : 1;
	if (x->c_col != y->c_col)
		return x->c_col < y->c_col ? -1 : 1;
	return 0;
}

static void
pad(struct xjob *job, gsize n)
{
	for (gsize i = 0; i < n; i++)
		x_putc(job, ' ');
}

static gint
u64_cmp(gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

	return x < y ? -1 : x > y;
}

/* The index of col in the sorted array cols (it is there). */
static guint
col_index(GArray *cols, guint64 col)
{
	guint lo = 0, hi = cols->len;

	while (hi - lo > 1) {
		guint mid = lo + (hi - lo) / 2;

		if (g_array_index(cols, guint64, mid) <= col)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void
x_table_emit(struct xtable *t)
{
	struct xjob *job = t->t_job;
	GArray *cells = t->t_cells;
	GArray *cols = g_array_new(FALSE, FALSE, sizeof(guint64));
	GArray *start = g_array_new(FALSE, TRUE, sizeof(gsize));
	guint i = 0, n = 0;

	/* The columns in use, then where each starts on a line. */
	g_array_sort(cells, cell_cmp);
	for (guint k = 0; k < cells->len; k++)
		g_array_append_val(cols,
		    g_array_index(cells, struct cell, k).c_col);
	g_array_sort(cols, u64_cmp);
	for (guint k = 0; k < cols->len; k++) {
		guint64 v = g_array_index(cols, guint64, k);

		if (n == 0 || g_array_index(cols, guint64, n - 1) != v)
			g_array_index(cols, guint64, n++) = v;
	}
	g_array_set_size(cols, n);
	g_array_set_size(start, cols->len + 1);
	for (guint k = 0; k < cells->len; k++) {
		struct cell *c = &g_array_index(cells, struct cell, k);
		guint x = col_index(cols, c->c_col);
		gsize *w = &g_array_index(start, gsize, x + 1);

		*w = MAX(*w, MIN(c->c_width, TABLE_MAX_WIDTH) + 2);
	}
	for (guint k = 1; k <= cols->len; k++)
		g_array_index(start, gsize, k) +=
		    g_array_index(start, gsize, k - 1);
	while (i < cells->len && !x_stop(job)) {
		guint64 row = g_array_index(cells, struct cell, i).c_row;
		gsize pos = 0;

		for (; i < cells->len &&
		    g_array_index(cells, struct cell, i).c_row == row; i++) {
			struct cell *c = &g_array_index(cells, struct cell, i);
			gsize at = g_array_index(start, gsize,
			    col_index(cols, c->c_col));

			/* A cell wider than its column pushes the rest. */
			pad(job, at > pos ? at - pos : pos > 0 ? 2 : 0);
			pos = MAX(at, pos + (pos > 0 ? 2 : 0));
			x_put(job, c->c_text, -1);
			pos += c->c_width;
		}
		x_newline(job);
	}
	for (guint k = 0; k < cells->len; k++)
		g_free(g_array_index(cells, struct cell, k).c_text);
	g_array_set_size(cells, 0);
	t->t_chars = 0;
	g_array_unref(cols);
	g_array_unref(start);
}

void
x_table_free(struct xtable *t)
{
	if (t == NULL)
		return;
	for (guint k = 0; k < t->t_cells->len; k++)
		g_free(g_array_index(t->t_cells, struct cell, k).c_text);
	g_array_unref(t->t_cells);
	g_free(t);
}
