/*
 * table - a sheet's cells laid out as aligned columns
 *
 * Cells are set in any order, by 0-based row and column; x_table_emit()
 * writes the rows in order, each cell padded to the width of its column
 * (East Asian wide characters count two) and two spaces between columns.
 * Columns empty in every row take no room, trailing empty cells are left
 * out, rows without any cell are not written, and a column is never
 * padded past TABLE_MAX_WIDTH. Line breaks and tabs inside a cell become
 * spaces. A table holds at most the job's max_chars characters of cell
 * text: past it further cells are dropped and the job is truncated
 * ("max_chars").
 */
#ifndef MUGAI_EXTRACT_TABLE_H
#define MUGAI_EXTRACT_TABLE_H

#include <glib.h>

#include "job.h"

#define TABLE_MAX_WIDTH	40

struct xtable;

/* Returns (transfer full) an empty table writing to job (lent). */
struct xtable *x_table_new(struct xjob *job);

/* Sets a cell to text (copied); an empty text sets nothing. FALSE when
 * the table is full. */
gboolean x_table_set(struct xtable *t, guint64 row, guint64 col,
    const char *text);

/* Writes the table to the job and empties it. */
void x_table_emit(struct xtable *t);

/* Frees t; NULL does nothing. */
void x_table_free(struct xtable *t);

#endif
