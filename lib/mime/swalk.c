/*
 * mugai_swalk - the streaming engine's walk: scanner events into a walk
 *
 * lib/mime/scan.c reads the message as its bytes pass and calls back at
 * each part's start, data and end; this file turns those calls into the
 * struct mugai_walk that lib/mime/gwalk.c fills from GMime's tree. Every
 * decision is lib/mime/walk.c's, the same functions the GMime walk calls:
 * entering a part, the leaf modes, removing, rendering, the
 * forwarded-message block and parser warnings. Only the order differs.
 *
 * The GMime walk recurses over a tree; here the same decisions are taken
 * in document order: a frame per open multipart or forwarded message
 * remembers what gwalk.c's walk_alternative() and walk_related() keep on
 * their stack (the texts of the alternatives, where each child's report
 * entries start, which child is the root). A related root named by
 * start= shows only when its part begins, so a first part without that
 * Content-ID is removed as a related part meanwhile; no root after that,
 * or a second one, declines.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/limits.h"
#include "mime/docspool.h"
#include "mime/headers.h"
#include "mime/scan.h"
#include "mime/swalk.h"

#define CHUNK		MUGAI_IO_CHUNK

enum frame_kind { FR_MIXED, FR_ALTERNATIVE, FR_RELATED, FR_FORWARD };

struct frame {
	gboolean fr_walked;
	enum frame_kind fr_kind;
	guint fr_children;
	/* multipart/alternative */
	GPtrArray *fr_texts;		/* (GString *) per child */
	GArray *fr_first;		/* (guint) first report entry */
	GArray *fr_plain;		/* (gboolean) child is plain text */
	int fr_pick_plain, fr_pick_rich;
	GString *fr_saved;
	/* multipart/related with start= */
	char *fr_start;			/* the root's Content-ID */
	gboolean fr_root_seen;		/* a child had it */
	gboolean fr_first_removed;	/* child 0 removed before */
};

enum leaf_use { LEAF_IGNORE, LEAF_TEXT, LEAF_REMOVE };

struct mugai_swalk {
	struct mugai_walk *sw_w;
	struct mugai_scan *sw_scan;
	GPtrArray *sw_frames;
	char *sw_declined;
	guint sw_warn_base;		/* report warnings before the walk */
	/* The current leaf. */
	enum leaf_use sw_use;
	enum mugai_walk_mode sw_mode;
	const char *sw_reason;
	struct mugai_walk_leaf sw_lf;
	char *sw_path;
	GByteArray *sw_text;
	gsize sw_text_max;
	struct mugai_policy_feed *sw_feed;	/* removed part's facts */
	struct mugai_docspool *sw_doc;	/* a removed document's bytes */
	const char *sw_doc_hint;
	gboolean sw_io_failed;
};

static void
frame_free(gpointer data)
{
	struct frame *fr = data;

	if (fr->fr_texts != NULL)
		g_ptr_array_unref(fr->fr_texts);
	if (fr->fr_first != NULL)
		g_array_unref(fr->fr_first);
	if (fr->fr_plain != NULL)
		g_array_unref(fr->fr_plain);
	g_free(fr->fr_start);
	g_free(fr);
}

static void
text_free(gpointer data)
{
	g_string_free(data, TRUE);
}

static struct frame *
top_frame(struct mugai_swalk *sw)
{
	if (sw->sw_frames->len == 0)
		return NULL;
	return g_ptr_array_index(sw->sw_frames, sw->sw_frames->len - 1);
}

static void
push_frame(struct mugai_swalk *sw, const struct mugai_scan_part *part,
    gboolean walked)
{
	struct frame *fr = g_new0(struct frame, 1);
	const char *sub = g_mime_content_type_get_media_subtype(part->sp_type);

	fr->fr_walked = walked;
	fr->fr_kind = part->sp_forward ? FR_FORWARD :
	    g_ascii_strcasecmp(sub, "alternative") == 0 ?
	    FR_ALTERNATIVE : g_ascii_strcasecmp(sub, "related") == 0 ?
	    FR_RELATED : FR_MIXED;
	if (fr->fr_kind == FR_RELATED)
		fr->fr_start = g_strdup(g_mime_content_type_get_parameter(
		    part->sp_type, "start"));
	if (walked && fr->fr_kind == FR_ALTERNATIVE) {
		fr->fr_texts = g_ptr_array_new_with_free_func(text_free);
		fr->fr_first = g_array_new(FALSE, FALSE, sizeof(guint));
		fr->fr_plain = g_array_new(FALSE, FALSE, sizeof(gboolean));
		fr->fr_pick_plain = fr->fr_pick_rich = -1;
		fr->fr_saved = sw->sw_w->wk_text;
	}
	g_ptr_array_add(sw->sw_frames, fr);
}

/* The leaf facts as lib/mime/gwalk.c's leaf_init() takes them from GMime. */
static void
leaf_facts(struct mugai_swalk *sw, const struct mugai_scan_part *part)
{
	struct mugai_walk_leaf *lf = &sw->sw_lf;
	g_autofree char *t = g_mime_content_type_get_mime_type(part->sp_type);
	const char *fn = NULL;

	g_free(sw->sw_path);
	sw->sw_path = g_strdup(part->sp_path);
	lf->wl_path = sw->sw_path;
	lf->wl_type = g_ascii_strdown(t, -1);
	if (part->sp_disposition != NULL)
		fn = g_mime_content_disposition_get_parameter(
		    part->sp_disposition, "filename");
	if (fn == NULL)
		fn = g_mime_content_type_get_parameter(part->sp_type, "name");
	lf->wl_filename = fn != NULL ? mugai_headers_filename(fn) : NULL;
	lf->wl_charset = g_mime_content_type_get_parameter(part->sp_type,
	    "charset");
	lf->wl_format = g_mime_content_type_get_parameter(part->sp_type,
	    "format");
	lf->wl_delsp = g_mime_content_type_get_parameter(part->sp_type,
	    "delsp");
	lf->wl_attachment = fn != NULL || (part->sp_disposition != NULL &&
	    g_mime_content_disposition_is_attachment(part->sp_disposition));
}

static void
leaf_reset(struct mugai_swalk *sw)
{
	g_clear_pointer(&sw->sw_lf.wl_type, g_free);
	g_clear_pointer(&sw->sw_lf.wl_filename, g_free);
	memset(&sw->sw_lf, 0, sizeof sw->sw_lf);
	g_clear_pointer(&sw->sw_text, g_byte_array_unref);
	g_clear_pointer(&sw->sw_feed, mugai_policy_feed_free);
	g_clear_pointer(&sw->sw_doc, mugai_docspool_free);
	sw->sw_doc_hint = NULL;
	sw->sw_use = LEAF_IGNORE;
	sw->sw_reason = NULL;
}

/* A removed document: its bytes are kept as they pass, for the helper. */
static void
doc_begin(struct mugai_swalk *sw)
{
	sw->sw_doc_hint = mugai_walk_doc_hint(sw->sw_w, &sw->sw_lf);
	if (sw->sw_doc_hint != NULL)
		sw->sw_doc = mugai_docspool_new(
		    (gsize)sw->sw_w->wk_cf->cf_extract_max_bytes);
}

static void
leaf_begin(struct mugai_swalk *sw, const struct mugai_scan_part *part,
    enum mugai_walk_mode mode)
{
	sw->sw_mode = mode;
	switch (mode) {
	case MUGAI_WALK_NONE:
		sw->sw_use = LEAF_IGNORE;
		return;
	case MUGAI_WALK_PLAIN:
	case MUGAI_WALK_ATTACHED_TEXT:
	case MUGAI_WALK_HTML:
	case MUGAI_WALK_REPORT_TEXT:
		sw->sw_use = LEAF_TEXT;
		sw->sw_text = g_byte_array_new();
		return;
	case MUGAI_WALK_REMOVE_ATTACHMENT:
	case MUGAI_WALK_REMOVE:
	case MUGAI_WALK_REMOVE_RELATED:
	case MUGAI_WALK_REMOVE_EXTERNAL:
		break;
	}
	(void)part;
	sw->sw_reason = mugai_walk_remove_reason(mode);
	sw->sw_use = LEAF_REMOVE;
	sw->sw_feed = mugai_policy_feed_new(sw->sw_w->wk_cf);
	doc_begin(sw);
}

/*
 * Is child idx of a related frame its root? walk_related() takes the last
 * child whose Content-ID is start=, else the first: known here only at
 * the end, so child 0 is taken for a related part until a later child is
 * the root, and a second root, or none after child 0 was removed, is
 * declined.
 */
static gboolean
related_root(struct mugai_swalk *sw, struct frame *fr,
    const struct mugai_scan_part *part, guint idx)
{
	if (fr->fr_start == NULL)
		return idx == 0;
	if (!mugai_walk_content_id_is(part->sp_content_id, fr->fr_start)) {
		if (idx == 0 && !part->sp_multipart && !part->sp_forward)
			fr->fr_first_removed = TRUE;
		return FALSE;
	}
	if (fr->fr_root_seen) {
		mugai_scan_decline(sw->sw_scan, "multipart/related with two "
		    "start parts");
		return FALSE;
	}
	fr->fr_root_seen = TRUE;
	return TRUE;
}

static gboolean
on_begin(void *ctx, const struct mugai_scan_part *part)
{
	struct mugai_swalk *sw = ctx;
	struct mugai_walk *w = sw->sw_w;
	struct frame *pf = top_frame(sw);
	guint idx;

	gboolean leaf = !part->sp_multipart && !part->sp_forward;
	gboolean root;

	leaf_reset(sw);
	if (pf != NULL && !pf->fr_walked) {
		if (!leaf)
			push_frame(sw, part, FALSE);
		return TRUE;
	}
	if (leaf)
		leaf_facts(sw, part);
	if (pf != NULL && pf->fr_kind == FR_ALTERNATIVE) {
		guint first = w->wk_report->rr_parts->len;
		GString *t = g_string_new(NULL);
		gboolean plain = leaf &&
		    strcmp(sw->sw_lf.wl_type, "text/plain") == 0 &&
		    !sw->sw_lf.wl_attachment;

		g_array_append_val(pf->fr_first, first);
		g_array_append_val(pf->fr_plain, plain);
		g_ptr_array_add(pf->fr_texts, t);
		w->wk_text = t;
	}
	idx = pf != NULL ? pf->fr_children++ : 0;
	root = pf == NULL || pf->fr_kind != FR_RELATED ||
	    related_root(sw, pf, part, idx);
	if (mugai_scan_declined(sw->sw_scan) != NULL)
		return FALSE;
	if (!root && leaf) {
		if (mugai_walk_count_related(w))
			leaf_begin(sw, part, MUGAI_WALK_REMOVE_RELATED);
		return TRUE;
	}
	if (!mugai_walk_enter(w, part->sp_depth)) {
		if (!leaf)
			push_frame(sw, part, FALSE);
		return TRUE;
	}
	if (part->sp_multipart)
		push_frame(sw, part, mugai_walk_multipart_opens(w,
		    g_mime_content_type_get_media_subtype(part->sp_type),
		    part->sp_path));
	else if (part->sp_forward)
		push_frame(sw, part, TRUE);
	if (part->sp_forward)
		mugai_walk_forward(w, part->sp_path, part->sp_type,
		    part->sp_disposition, part->sp_message);
	else if (!part->sp_multipart)
		leaf_begin(sw, part, mugai_walk_leaf_mode(w,
		    sw->sw_lf.wl_type, sw->sw_lf.wl_attachment));
	return TRUE;
}

static gboolean
on_data(void *ctx, const struct mugai_scan_part *part, const guint8 *buf,
    gsize len)
{
	struct mugai_swalk *sw = ctx;

	(void)part;
	switch (sw->sw_use) {
	case LEAF_IGNORE:
		return TRUE;
	case LEAF_TEXT:
		if (sw->sw_text->len + len > sw->sw_text_max) {
			mugai_scan_decline(sw->sw_scan, "text part larger than "
			    "%" G_GSIZE_FORMAT " bytes", sw->sw_text_max);
			return FALSE;
		}
		g_byte_array_append(sw->sw_text, buf, (guint)len);
		return TRUE;
	case LEAF_REMOVE:
		break;
	}
	if (sw->sw_doc != NULL)
		mugai_docspool_add(sw->sw_doc, buf, len);
	/* Facts as the bytes pass: only an archive is kept (lib/policy/policy.c). */
	if (mugai_policy_feed_add(sw->sw_feed, buf, len))
		return TRUE;
	sw->sw_io_failed = TRUE;
	mugai_scan_decline(sw->sw_scan, "temp file write failed");
	return FALSE;
}

static gboolean
raw_clean(gpointer data)
{
	return *(const gboolean *)data;
}

static void
leaf_end(struct mugai_swalk *sw, const struct mugai_scan_part *part)
{
	struct mugai_walk *w = sw->sw_w;
	gboolean clean = part->sp_raw_clean;

	switch (sw->sw_use) {
	case LEAF_IGNORE:
		break;
	case LEAF_TEXT:
		if (sw->sw_mode == MUGAI_WALK_ATTACHED_TEXT)
			mugai_walk_attachment_label(w, &sw->sw_lf);
		mugai_walk_text(w, &sw->sw_lf, sw->sw_text,
		    sw->sw_mode == MUGAI_WALK_HTML,
		    part->sp_depth + (sw->sw_mode == MUGAI_WALK_ATTACHED_TEXT ||
		    sw->sw_mode == MUGAI_WALK_REPORT_TEXT ? 1 : 0),
		    raw_clean, &clean);
		break;
	case LEAF_REMOVE:
		mugai_walk_remove_fed(w, &sw->sw_lf, sw->sw_reason,
		    g_steal_pointer(&sw->sw_feed));
		if (sw->sw_doc != NULL)
			mugai_walk_document(w, sw->sw_doc_hint,
			    mugai_docspool_steal(sw->sw_doc),
			    sw->sw_doc->ds_cut);
		break;
	}
	leaf_reset(sw);
}

/* A child of the top frame ended: an alternative records its text. */
static void
child_done(struct mugai_swalk *sw)
{
	struct frame *pf = top_frame(sw);
	guint i;

	if (pf == NULL || !pf->fr_walked || pf->fr_kind != FR_ALTERNATIVE)
		return;
	i = pf->fr_texts->len - 1;
	mugai_walk_alternative_child(g_ptr_array_index(pf->fr_texts, i),
	    g_array_index(pf->fr_plain, gboolean, i), (int)i,
	    &pf->fr_pick_plain, &pf->fr_pick_rich);
}

static gboolean
on_end(void *ctx, const struct mugai_scan_part *part)
{
	struct mugai_swalk *sw = ctx;
	struct mugai_walk *w = sw->sw_w;
	struct frame *fr;

	if (!part->sp_multipart && !part->sp_forward) {
		leaf_end(sw, part);
		child_done(sw);
		return !sw->sw_io_failed;
	}
	fr = g_ptr_array_steal_index(sw->sw_frames, sw->sw_frames->len - 1);
	if (fr->fr_walked && fr->fr_kind == FR_RELATED &&
	    fr->fr_first_removed && !fr->fr_root_seen) {
		frame_free(fr);
		mugai_scan_decline(sw->sw_scan, "multipart/related without "
		    "its start part");
		return FALSE;
	}
	if (fr->fr_walked && fr->fr_kind == FR_ALTERNATIVE) {
		guint end = w->wk_report->rr_parts->len;

		w->wk_text = fr->fr_saved;
		g_array_append_val(fr->fr_first, end);
		mugai_walk_alternative_pick(w,
		    (GString *const *)fr->fr_texts->pdata,
		    (const guint *)(void *)fr->fr_first->data,
		    (int)fr->fr_texts->len, fr->fr_pick_plain,
		    fr->fr_pick_rich);
	}
	frame_free(fr);
	child_done(sw);
	return TRUE;
}

/* GMime's warnings about the top header block come before the walk's. */
static void
on_warn(void *ctx, GMimeParserWarning code, const char *item)
{
	struct mugai_swalk *sw = ctx;

	mugai_walk_parser_warning(sw->sw_w, code, item);
	sw->sw_warn_base = sw->sw_w->wk_report->rr_warnings->len;
}

static const struct mugai_scan_ops ops = {
	.so_begin = on_begin,
	.so_data = on_data,
	.so_end = on_end,
	.so_warn = on_warn,
};

struct mugai_swalk *
mugai_swalk_new(struct mugai_walk *w)
{
	struct mugai_swalk *sw = g_new0(struct mugai_swalk, 1);
	gsize text = (gsize)w->wk_cf->cf_max_text_size;

	sw->sw_w = w;
	sw->sw_frames = g_ptr_array_new_with_free_func(frame_free);
	sw->sw_scan = mugai_scan_new(w->wk_cf, &ops, sw);
	sw->sw_text_max = MAX(text * 4, 1024 * 1024);
	sw->sw_warn_base = w->wk_report->rr_warnings->len;
	return sw;
}

void
mugai_swalk_feed(struct mugai_swalk *sw, const char *buf, gsize len)
{
	/* One clock read per chunk: past max_time the walk is withheld and
	 * takes no more parts; the scan goes on (it is cheap) to the end. */
	if (sw->sw_w->wk_withhold == NULL)
		(void)mugai_walk_in_time(sw->sw_w);
	mugai_scan_feed(sw->sw_scan, buf, len);
}

const char *
mugai_swalk_declined(const struct mugai_swalk *sw)
{
	return mugai_scan_declined(sw->sw_scan);
}

/*
 * A GMime parser warning, as mugai_walk_parser_warning() reports it for
 * the GMime walk: GMime warns while it parses, before the walk adds any of
 * its own.
 */
static void
parser_warning(struct mugai_swalk *sw, const char *what)
{
	GPtrArray *wa = sw->sw_w->wk_report->rr_warnings;

	sw->sw_w->wk_warnings++;
	for (guint i = 0; i < wa->len; i++)
		if (strcmp(g_ptr_array_index(wa, i), what) == 0)
			return;
	if (wa->len < 100)
		g_ptr_array_insert(wa, (gint)sw->sw_warn_base, g_strdup(what));
}

const char *
mugai_swalk_finish(struct mugai_swalk *sw)
{
	if (!mugai_scan_finish(sw->sw_scan))
		return mugai_scan_declined(sw->sw_scan);
	if (mugai_scan_truncated(sw->sw_scan))
		parser_warning(sw, "truncated message");
	mugai_walk_finish(sw->sw_w);
	return NULL;
}

void
mugai_swalk_free(struct mugai_swalk *sw)
{
	if (sw == NULL)
		return;
	/* Alternatives left open: their texts are freed with the frames. */
	for (guint i = 0; i < sw->sw_frames->len; i++) {
		struct frame *fr = g_ptr_array_index(sw->sw_frames, i);

		if (fr->fr_walked && fr->fr_kind == FR_ALTERNATIVE) {
			sw->sw_w->wk_text = fr->fr_saved;
			break;
		}
	}
	leaf_reset(sw);
	g_free(sw->sw_path);
	g_ptr_array_unref(sw->sw_frames);
	mugai_scan_free(sw->sw_scan);
	g_free(sw->sw_declined);
	g_free(sw);
}

enum mugai_err
mugai_swalk_message(struct mugai_walk *w, GMimeStream *in, gint64 start,
    gsize chunk, char **declined)
{
	struct mugai_swalk *sw = mugai_swalk_new(w);
	gsize size = chunk > 0 ? chunk : CHUNK;
	char *buf = g_malloc(size);
	const char *why;
	gssize n = 0;

	*declined = NULL;
	if (g_mime_stream_seek(in, start, GMIME_STREAM_SEEK_SET) < 0)
		n = -1;
	/* GMime's bounded streams answer -1, not 0, when read past the end. */
	while (n >= 0 && mugai_scan_declined(sw->sw_scan) == NULL &&
	    !g_mime_stream_eos(in)) {
		if ((n = g_mime_stream_read(in, buf, size)) <= 0)
			break;
		mugai_swalk_feed(sw, buf, (gsize)n);
	}
	g_free(buf);
	if (n < 0) {
		mugai_swalk_free(sw);
		return MUGAI_E_IO;
	}
	if ((why = mugai_swalk_finish(sw)) != NULL)
		*declined = g_strdup(why);
	mugai_swalk_free(sw);
	return MUGAI_OK;
}
