/*
 * mugai_current - refcounted config pointer under a mutex
 */
#include "autoconfig.h"

#include <glib.h>

#include "apply.h"
#include "current.h"

static GMutex current_lock;
static struct mugai_config *current_cf;
static struct mugai_mquar *current_quar;
static gsize current_chunk = MUGAI_APPLY_CHUNK;

void
mugai_current_set_body_chunk(gsize chunk)
{
	current_chunk = chunk;
}

gsize
mugai_current_body_chunk(void)
{
	return current_chunk;
}

void
mugai_current_set_config(struct mugai_config *cf)
{
	struct mugai_config *old;

	g_mutex_lock(&current_lock);
	old = current_cf;
	current_cf = cf;
	g_mutex_unlock(&current_lock);
	/* Messages still holding old keep it alive until they end. */
	mugai_config_unref(old);
}

struct mugai_config *
mugai_current_config(void)
{
	struct mugai_config *cf;

	g_mutex_lock(&current_lock);
	cf = mugai_config_ref(current_cf);
	g_mutex_unlock(&current_lock);
	return cf;
}

void
mugai_current_set_quar(struct mugai_mquar *q)
{
	current_quar = q;
}

struct mugai_mquar *
mugai_current_quar(void)
{
	return current_quar;
}

void
mugai_current_clear(void)
{
	mugai_current_set_config(NULL);
	mugai_mquar_close(current_quar);
	current_quar = NULL;
}
