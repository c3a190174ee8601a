/*
 * mugai_apply - header edits and body replacement through milter/mta.c
 */
#include "autoconfig.h"

#include "apply.h"
#include "mta.h"

/* Returns (transfer full) the value as the MTA must receive it. */
static char *
wire_value(const char *value, gboolean leadspc)
{
	return leadspc ? g_strconcat(" ", value, NULL) : g_strdup(value);
}

enum mugai_err
mugai_apply_edits(SMFICTX *ctx, const GPtrArray *edits, gboolean leadspc)
{
	for (guint i = 0; edits != NULL && i < edits->len; i++) {
		const struct mugai_hdr_edit *he = g_ptr_array_index(edits, i);
		char *v = NULL;
		int rc = MI_FAILURE;

		switch (he->he_op) {
		case MUGAI_HDR_DELETE:
			rc = mugai_mta_chgheader(ctx, he->he_name,
			    (int)he->he_index, NULL);
			break;
		case MUGAI_HDR_CHANGE:
			v = wire_value(he->he_value, leadspc);
			rc = mugai_mta_chgheader(ctx, he->he_name,
			    (int)he->he_index, v);
			break;
		case MUGAI_HDR_ADD:
			v = wire_value(he->he_value, leadspc);
			rc = mugai_mta_addheader(ctx, he->he_name, v);
			break;
		}
		g_free(v);
		if (rc != MI_SUCCESS)
			return MUGAI_E_IO;
	}
	return MUGAI_OK;
}

enum mugai_err
mugai_apply_body(SMFICTX *ctx, GBytes *body, gsize chunk)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(body, &len);

	/* An empty body still has to be set, or the old one stays. */
	if (len == 0)
		return mugai_mta_replacebody(ctx, (const unsigned char *)"", 0)
		    == MI_SUCCESS ? MUGAI_OK : MUGAI_E_IO;
	while (len > 0) {
		gsize n = MIN(len, CLAMP(chunk, 1, (gsize)MUGAI_APPLY_CHUNK));

		if (mugai_mta_replacebody(ctx, p, n) != MI_SUCCESS)
			return MUGAI_E_IO;
		p += n;
		len -= n;
	}
	return MUGAI_OK;
}
