/*
 * mugai_err - the error codes every lib/ function returns
 *
 * Malformed mail is not an error here: it is an ordinary result carried in
 * the report. These codes are for what stops the work itself: resources,
 * I/O, configuration, and limits that the configured on_error action handles.
 */
#ifndef MUGAI_ERR_H
#define MUGAI_ERR_H

enum mugai_err {
	MUGAI_OK = 0,
	MUGAI_E_NOMEM,		/* allocation failed */
	MUGAI_E_IO,		/* read, write, fsync or rename failed */
	MUGAI_E_NOSPACE,	/* ENOSPC or EDQUOT */
	MUGAI_E_CONFIG,		/* bad configuration */
	MUGAI_E_LIMIT,		/* a configured limit was exceeded */
	MUGAI_E_PARSE,		/* input could not be parsed with certainty */
	MUGAI_E_UNSAFE,		/* content that cannot be sanitized (encrypted...) */
	MUGAI_E_INVAL,		/* invalid argument (bad ID, bad option) */
	MUGAI_E_NOTFOUND,	/* no such item */
	MUGAI_E_PERM,		/* permission denied or unsafe permissions */
};

/* Returns (transfer none) a short English description of err. */
const char *mugai_err_str(enum mugai_err err);

/* Returns the mugai_err for an errno value from a failed I/O call. */
enum mugai_err mugai_err_from_errno(int errnum);

#endif
