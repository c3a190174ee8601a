/*
 * mugai_mta - every call into libmilter (smfi_*) goes through here
 *
 * The rest of milter/ never names an smfi_* function, so a test can link
 * t/fake_mta.c instead of this file and see exactly what the milter asked
 * the MTA to do. Each wrapper returns what libmilter returned (MI_SUCCESS
 * or MI_FAILURE); strings are lent to libmilter for the call only.
 */
#ifndef MUGAI_MTA_H
#define MUGAI_MTA_H

#include <stddef.h>

#include <libmilter/mfapi.h>

/* Returns (transfer none) the private pointer set on ctx, or NULL. */
void *mugai_mta_getpriv(SMFICTX *ctx);

/* Stores priv (owned by the caller) on ctx. */
int mugai_mta_setpriv(SMFICTX *ctx, void *priv);

/* Returns (transfer none, valid during the callback) a macro, or NULL. */
const char *mugai_mta_getsymval(SMFICTX *ctx, const char *name);

/* Asks the MTA to send macros (space-separated list) at stage where. */
int mugai_mta_setsymlist(SMFICTX *ctx, int where, const char *macros);

/* Sets the SMTP reply for the status the callback returns. */
int mugai_mta_setreply(SMFICTX *ctx, const char *code, const char *xcode,
    const char *text);

/* Changes (value != NULL) or deletes (value == NULL) header name[index]. */
int mugai_mta_chgheader(SMFICTX *ctx, const char *name, int index,
    const char *value);

/* Appends header name: value. */
int mugai_mta_addheader(SMFICTX *ctx, const char *name, const char *value);

/* Appends len bytes of data to the replacement body (eom only). */
int mugai_mta_replacebody(SMFICTX *ctx, const unsigned char *data,
    size_t len);

/*
 * Returns the descriptor of ctx's connection to the MTA, or -1 when it
 * cannot be known for sure. libmilter has no call for it; this reads the
 * leading members of its private context and trusts them only when they
 * hold what we gave libmilter (the registered callbacks and the timeout
 * set by mugai_mta_settimeout) and the descriptor is a socket. The
 * descriptor is libmilter's: never close it.
 */
int mugai_mta_socket(SMFICTX *ctx);

/* Daemon life: register desc (lent for the process lifetime). */
int mugai_mta_register(struct smfiDesc *desc);

/* Sets the listening socket spec ("inet:8890@127.0.0.1"). */
int mugai_mta_setconn(const char *spec);

/* Creates the listening socket; rmsocket removes a stale unix socket. */
int mugai_mta_opensocket(int rmsocket);

/* Seconds libmilter waits for the MTA. */
int mugai_mta_settimeout(int seconds);

/* libmilter's own debug level. */
int mugai_mta_setdbg(int level);

/* Runs the accept loop until mugai_mta_stop(). */
int mugai_mta_main(void);

/* Makes mugai_mta_main() return (callable from any thread). */
int mugai_mta_stop(void);

#endif
