/*
 * mugai_err - descriptions of error codes and the errno mapping
 */
#include "autoconfig.h"

#include <errno.h>

#include "base/err.h"

const char *
mugai_err_str(enum mugai_err err)
{
	switch (err) {
	case MUGAI_OK:		return "success";
	case MUGAI_E_NOMEM:	return "out of memory";
	case MUGAI_E_IO:	return "I/O error";
	case MUGAI_E_NOSPACE:	return "no space left on device";
	case MUGAI_E_CONFIG:	return "configuration error";
	case MUGAI_E_LIMIT:	return "limit exceeded";
	case MUGAI_E_PARSE:	return "message cannot be parsed with certainty";
	case MUGAI_E_UNSAFE:	return "content cannot be sanitized";
	case MUGAI_E_INVAL:	return "invalid argument";
	case MUGAI_E_NOTFOUND:	return "not found";
	case MUGAI_E_PERM:	return "permission denied";
	}
	return "unknown error";
}

enum mugai_err
mugai_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0:
		return MUGAI_OK;
	case ENOMEM:
		return MUGAI_E_NOMEM;
	case ENOSPC:
	case EDQUOT:
		return MUGAI_E_NOSPACE;
	case EACCES:
	case EPERM:
		return MUGAI_E_PERM;
	case ENOENT:
		return MUGAI_E_NOTFOUND;
	default:
		return MUGAI_E_IO;
	}
}
