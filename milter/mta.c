/*
 * mugai_mta - thin wrappers around libmilter's smfi_* functions
 *
 * Nothing here decides anything: each function passes its arguments on and
 * returns libmilter's answer, so tests can replace this file with a fake
 * (t/fake_mta.c). libmilter takes non-const char pointers it does not
 * modify; the casts below say so once.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "mta.h"

/*
 * The leading members of libmilter's private struct smfi_str (libmilter.h;
 * the same from 8.10 to 8.18). Read only by mugai_mta_socket().
 */
struct mta_ctx_head {
	pthread_t h_id;
	int h_sd;
	int h_dbg;
	time_t h_timeout;
	int h_state;
	struct smfiDesc *h_smfi;
};

/* Set once before smfi_main: what we gave libmilter. */
static const struct smfiDesc *registered;
static int timeout_set = -1;

int
mugai_mta_socket(SMFICTX *ctx)
{
	const struct mta_ctx_head *h = (const void *)ctx;
	struct stat st;

	/* Each check before the one that follows a pointer. */
	if (ctx == NULL || registered == NULL || timeout_set < 0 ||
	    h->h_timeout != (time_t)timeout_set || h->h_sd < 0 ||
	    fstat(h->h_sd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    h->h_smfi == NULL ||
	    h->h_smfi->xxfi_close != registered->xxfi_close ||
	    h->h_smfi->xxfi_eom != registered->xxfi_eom ||
	    h->h_smfi->xxfi_negotiate != registered->xxfi_negotiate)
		return -1;
	return h->h_sd;
}

void *
mugai_mta_getpriv(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

int
mugai_mta_setpriv(SMFICTX *ctx, void *priv)
{
	return smfi_setpriv(ctx, priv);
}

const char *
mugai_mta_getsymval(SMFICTX *ctx, const char *name)
{
	return smfi_getsymval(ctx, (char *)name);
}

int
mugai_mta_setsymlist(SMFICTX *ctx, int where, const char *macros)
{
	return smfi_setsymlist(ctx, where, (char *)macros);
}

int
mugai_mta_setreply(SMFICTX *ctx, const char *code, const char *xcode,
    const char *text)
{
	return smfi_setreply(ctx, (char *)code, (char *)xcode, (char *)text);
}

int
mugai_mta_chgheader(SMFICTX *ctx, const char *name, int index,
    const char *value)
{
	return smfi_chgheader(ctx, (char *)name, index, (char *)value);
}

int
mugai_mta_addheader(SMFICTX *ctx, const char *name, const char *value)
{
	return smfi_addheader(ctx, (char *)name, (char *)value);
}

int
mugai_mta_replacebody(SMFICTX *ctx, const unsigned char *data, size_t len)
{
	return smfi_replacebody(ctx, (unsigned char *)data, (int)len);
}

int
mugai_mta_register(struct smfiDesc *desc)
{
	registered = desc;
	return smfi_register(*desc);
}

int
mugai_mta_setconn(const char *spec)
{
	return smfi_setconn((char *)spec);
}

int
mugai_mta_opensocket(int rmsocket)
{
	return smfi_opensocket(rmsocket);
}

int
mugai_mta_settimeout(int seconds)
{
	int r = smfi_settimeout(seconds);

	if (r == MI_SUCCESS)
		timeout_set = seconds;
	return r;
}

int
mugai_mta_setdbg(int level)
{
	return smfi_setdbg(level);
}

int
mugai_mta_main(void)
{
	return smfi_main();
}

int
mugai_mta_stop(void)
{
	return smfi_stop();
}
