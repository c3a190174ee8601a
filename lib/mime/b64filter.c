/*
 * mugai_b64_filter - a GMimeFilter that decodes base64 with lib/mime/b64.c
 *
 * One GObject subclass of GMimeFilter: filter and complete decode into
 * the filter's output buffer (sized with g_mime_filter_set_size()), reset
 * starts a new decode, copy gives a fresh filter.
 */
#include "autoconfig.h"

#include "mime/b64.h"
#include "mime/b64filter.h"

typedef struct {
	GMimeFilter parent;
	struct mugai_b64 state;
} MugaiB64Filter;

typedef struct {
	GMimeFilterClass parent_class;
} MugaiB64FilterClass;

G_DEFINE_TYPE(MugaiB64Filter, mugai_b64_filter, GMIME_TYPE_FILTER)

static GMimeFilter *
b64f_copy(GMimeFilter *f)
{
	(void)f;
	return mugai_b64_filter_new();
}

static void
b64f_filter(GMimeFilter *f, char *in, size_t len, size_t prespace,
    char **out, size_t *outlen, size_t *outprespace)
{
	MugaiB64Filter *b = (MugaiB64Filter *)f;

	(void)prespace;
	g_mime_filter_set_size(f, MUGAI_B64_OUTLEN(len), FALSE);
	*outlen = mugai_b64_decode(&b->state, (const guint8 *)in, len,
	    (guint8 *)f->outbuf);
	*out = f->outbuf;
	*outprespace = f->outpre;
}

static void
b64f_reset(GMimeFilter *f)
{
	mugai_b64_init(&((MugaiB64Filter *)f)->state);
}

static void
mugai_b64_filter_class_init(MugaiB64FilterClass *klass)
{
	GMimeFilterClass *fc = GMIME_FILTER_CLASS(klass);

	fc->copy = b64f_copy;
	fc->filter = b64f_filter;
	fc->complete = b64f_filter;	/* nothing is held back */
	fc->reset = b64f_reset;
}

static void
mugai_b64_filter_init(MugaiB64Filter *b)
{
	mugai_b64_init(&b->state);
}

GMimeFilter *
mugai_b64_filter_new(void)
{
	return g_object_new(mugai_b64_filter_get_type(), NULL);
}
