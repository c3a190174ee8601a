/*
 * fake_mta - a recording stand-in for milter/mta.c (see fake_mta.h)
 */
#include "autoconfig.h"

#include "fake_mta.h"
#include "mta.h"

GPtrArray *fake_mta_log;
GByteArray *fake_mta_body;
guint fake_mta_fail_at;
static guint calls;
static void *priv;

void
fake_mta_reset(void)
{
	if (fake_mta_log != NULL)
		g_ptr_array_free(fake_mta_log, TRUE);
	if (fake_mta_body != NULL)
		g_byte_array_free(fake_mta_body, TRUE);
	fake_mta_log = g_ptr_array_new_with_free_func(g_free);
	fake_mta_body = g_byte_array_new();
	fake_mta_fail_at = 0;
	calls = 0;
}

static int
record(char *line)
{
	g_ptr_array_add(fake_mta_log, line);
	return ++calls == fake_mta_fail_at ? MI_FAILURE : MI_SUCCESS;
}

void *
mugai_mta_getpriv(SMFICTX *ctx)
{
	return priv;
}

int
mugai_mta_setpriv(SMFICTX *ctx, void *p)
{
	priv = p;
	return MI_SUCCESS;
}

const char *
mugai_mta_getsymval(SMFICTX *ctx, const char *name)
{
	return NULL;
}

int
mugai_mta_setsymlist(SMFICTX *ctx, int where, const char *macros)
{
	return MI_SUCCESS;
}

int
mugai_mta_setreply(SMFICTX *ctx, const char *code, const char *xcode,
    const char *text)
{
	return record(g_strdup_printf("reply %s %s %s", code, xcode, text));
}

int
mugai_mta_chgheader(SMFICTX *ctx, const char *name, int index,
    const char *value)
{
	if (value == NULL)
		return record(g_strdup_printf("del %s %d", name, index));
	return record(g_strdup_printf("chg %s %d [%s]", name, index, value));
}

int
mugai_mta_addheader(SMFICTX *ctx, const char *name, const char *value)
{
	return record(g_strdup_printf("add %s [%s]", name, value));
}

int
mugai_mta_replacebody(SMFICTX *ctx, const unsigned char *data, size_t len)
{
	g_byte_array_append(fake_mta_body, data, (guint)len);
	return record(g_strdup_printf("body %zu", len));
}

int
mugai_mta_socket(SMFICTX *ctx)
{
	return -1;
}

int
mugai_mta_register(struct smfiDesc *desc)
{
	return MI_SUCCESS;
}

int
mugai_mta_setconn(const char *spec)
{
	return MI_SUCCESS;
}

int
mugai_mta_opensocket(int rmsocket)
{
	return MI_SUCCESS;
}

int
mugai_mta_settimeout(int seconds)
{
	return MI_SUCCESS;
}

int
mugai_mta_setdbg(int level)
{
	return MI_SUCCESS;
}

int
mugai_mta_main(void)
{
	return MI_SUCCESS;
}

int
mugai_mta_stop(void)
{
	return MI_SUCCESS;
}
