/*
 * mugai_flag - every fact a report part may carry, one table
 *
 * A part's rp_flags (lib/base/report.h) holds facts by name: "mismatch",
 * "encrypted", "entries=3". Each has one row in the table in
 * lib/base/flag.c: its name, the module that sets it, what it means. A
 * module names its facts by its own bits (MUGAI_ARC_* ...), never by
 * string, and the table maps the pair to the name that --explain, --json,
 * meta.json and [rule] any_flag use. any_flag takes the rows with
 * fl_any; doc/mugai.conf.5 lists them under any_flag, and
 * t/check_report.c holds that list equal to the table, so a flag added
 * without its documentation fails the suite.
 */
#ifndef MUGAI_FLAG_H
#define MUGAI_FLAG_H

#include <glib.h>

/* The module that sets a flag, and whose bits name it. */
enum mugai_flag_by {
	MUGAI_FLAG_BY_POLICY,	/* lib/policy/policy.c: MUGAI_POL_* */
	MUGAI_FLAG_BY_FILENAME,	/* lib/policy/filename.c: MUGAI_FN_* */
	MUGAI_FLAG_BY_ARCSCAN,	/* lib/policy/arcscan.c: MUGAI_ARC_* */
	MUGAI_FLAG_BY_DOCSCAN,	/* lib/policy/docscan.c: MUGAI_DOC_* */
	MUGAI_FLAG_BY_WALK,	/* lib/mime/walk.c: MUGAI_WALK_FLAG_* */
};

struct mugai_flag {
	const char *fl_name;		/* as in rp_flags */
	enum mugai_flag_by fl_by;	/* the module that sets it */
	guint fl_bit;			/* its bit among that module's */
	gboolean fl_valued;		/* shown as "name=value" */
	gboolean fl_any;		/* [rule] any_flag may name it */
	const char *fl_meaning;		/* one line */
};

/* Returns (transfer none) the table; a row with fl_name NULL ends it. */
const struct mugai_flag *mugai_flag_table(void);

/* Returns (transfer none, static) the name of by's bit, or "unknown". */
const char *mugai_flag_name(enum mugai_flag_by by, guint bit);

/* Returns (transfer none) the first row named name, or NULL. */
const struct mugai_flag *mugai_flag_find(const char *name);

#endif
