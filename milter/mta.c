/*
 * mugai_mta - thin wrappers around libmilter's smfi_* functions
 *
 * Nothing here decides anything: each function passes its arguments on and
 * returns libmilter's answer, so tests can replace this file with a fake
 * (t/fake_mta.c). libmilter takes non-const char pointers it does not
 * modify; the casts below say so once.
 */
#include "autoconfig.h"

#include "mta.h"

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
	return smfi_settimeout(seconds);
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
