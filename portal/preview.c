/*
 * mugai-portal preview - the bytes of one removed part, for the helper
 * that draws it (画面転送)
 *
 * The part is read from the quarantined original (not through a link, a
 * regular file of the store's owner), decoded, and handed to the
 * sandboxed helper (lib/extract/preview.h); only the PNG it draws is
 * ever sent to a browser. The page's route is in pages.c.
 */
#include "autoconfig.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "extract/preview.h"
#include "store/onepart.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "portal.h"

/* A part larger than this is not drawn (the helper's own cap). */
#define PREVIEW_MAX_BYTES (32 * 1024 * 1024)

const char *
mugai_portal_preview_kind(JsonObject *meta, const char *path)
{
	JsonObject *rep = json_object_get_member(meta, "report") != NULL &&
	    JSON_NODE_HOLDS_OBJECT(json_object_get_member(meta, "report")) ?
	    json_object_get_object_member(meta, "report") : meta;
	JsonNode *pn = json_object_get_member(rep, "parts");
	JsonArray *parts = pn != NULL && JSON_NODE_HOLDS_ARRAY(pn) ?
	    json_node_get_array(pn) : NULL;

	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;
		const char *type;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		if (g_strcmp0(json_object_get_string_member_with_default(p,
		    "path", ""), path) != 0)
			continue;
		/* What the bytes are, over what the sender declared. */
		type = json_object_get_string_member_with_default(p,
		    "detected_type", NULL);
		if (type == NULL || *type == '\0')
			type = json_object_get_string_member_with_default(p,
			    "declared_type", NULL);
		return mugai_preview_kind(type,
		    json_object_get_string_member_with_default(p, "filename",
		    NULL));
	}
	return NULL;
}

GBytes *
mugai_portal_part_bytes(struct mugai_portal *po, const char *id,
    const char *path)
{
	GMimeStream *in = NULL, *mem = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	GMimeObject *o;
	GByteArray *ba;
	GBytes *res = NULL;
	int item, fd;

	if (!mugai_qid_valid(id) ||
	    (item = mugai_qdir_open_item(po->po_top, id)) < 0)
		return NULL;
	fd = mugai_qdir_open_file(item, "original.eml", po->po_owner, NULL);
	close(item);
	if (fd < 0)
		return NULL;
	in = g_mime_stream_fs_new(fd);		/* takes fd */
	parser = g_mime_parser_new_with_stream(in);
	m = g_mime_parser_construct_message(parser, NULL);
	o = m != NULL ? mugai_onepart_find(m->mime_part, "1", path) : NULL;
	if (o != NULL && GMIME_IS_PART(o) &&
	    g_mime_part_get_content(GMIME_PART(o)) != NULL) {
		mem = g_mime_stream_mem_new();
		if (g_mime_data_wrapper_write_to_stream(
		    g_mime_part_get_content(GMIME_PART(o)), mem) >= 0) {
			ba = g_mime_stream_mem_get_byte_array(
			    GMIME_STREAM_MEM(mem));
			if (ba->len <= PREVIEW_MAX_BYTES)
				res = g_bytes_new(ba->data, ba->len);
		}
		g_object_unref(mem);
	}
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(parser);
	g_object_unref(in);
	return res;
}
