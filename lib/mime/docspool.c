/*
 * mugai_docspool - keep the first bytes of a document as they pass
 *
 * The tee is a GMimeFilter that hands its input on untouched and copies
 * it into the spool: a GMimeStreamFilter over the decoded part then reads
 * exactly what the part holds, once, for the policy and the helper.
 */
#include "autoconfig.h"

#include <string.h>

#include "mime/docspool.h"

struct mugai_docspool *
mugai_docspool_new(gsize max)
{
	struct mugai_docspool *ds = g_new0(struct mugai_docspool, 1);

	ds->ds_data = g_byte_array_new();
	ds->ds_max = max;
	return ds;
}

void
mugai_docspool_add(struct mugai_docspool *ds, const void *buf, gsize len)
{
	gsize room;

	if (ds->ds_data == NULL || len == 0)
		return;
	room = ds->ds_max - MIN(ds->ds_data->len, ds->ds_max);
	if (len > room)
		ds->ds_cut = TRUE;
	if (room > 0)
		g_byte_array_append(ds->ds_data, buf, (guint)MIN(len, room));
}

GByteArray *
mugai_docspool_steal(struct mugai_docspool *ds)
{
	GByteArray *d = ds->ds_data;

	ds->ds_data = NULL;
	return d;
}

void
mugai_docspool_free(struct mugai_docspool *ds)
{
	if (ds == NULL)
		return;
	if (ds->ds_data != NULL)
		g_byte_array_unref(ds->ds_data);
	g_free(ds);
}

/* ---- the tee filter ---- */

typedef struct {
	GMimeFilter parent;
	struct mugai_docspool *spool;	/* lent */
} MugaiTeeFilter;

typedef struct {
	GMimeFilterClass parent_class;
} MugaiTeeFilterClass;

GType mugai_tee_filter_get_type(void);

G_DEFINE_TYPE(MugaiTeeFilter, mugai_tee_filter, GMIME_TYPE_FILTER)

static GMimeFilter *tee_new(struct mugai_docspool *ds);

static GMimeFilter *
tee_copy(GMimeFilter *f)
{
	return tee_new(((MugaiTeeFilter *)f)->spool);
}

static void
tee_filter(GMimeFilter *f, char *in, size_t len, size_t prespace,
    char **out, size_t *outlen, size_t *outprespace)
{
	mugai_docspool_add(((MugaiTeeFilter *)f)->spool, in, len);
	*out = in;
	*outlen = len;
	*outprespace = prespace;
}

static void
tee_reset(GMimeFilter *f)
{
	(void)f;
}

static void
mugai_tee_filter_class_init(MugaiTeeFilterClass *klass)
{
	GMimeFilterClass *fc = GMIME_FILTER_CLASS(klass);

	fc->copy = tee_copy;
	fc->filter = tee_filter;
	fc->complete = tee_filter;
	fc->reset = tee_reset;
}

static void
mugai_tee_filter_init(MugaiTeeFilter *t)
{
	(void)t;
}

static GMimeFilter *
tee_new(struct mugai_docspool *ds)
{
	MugaiTeeFilter *t = g_object_new(mugai_tee_filter_get_type(), NULL);

	t->spool = ds;
	return (GMimeFilter *)t;
}

GMimeStream *
mugai_docspool_tee(struct mugai_docspool *ds, GMimeStream *decoded)
{
	GMimeStream *f = g_mime_stream_filter_new(decoded);
	GMimeFilter *t = tee_new(ds);

	g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), t);
	g_object_unref(t);
	return f;
}
