/*
 * mugai_xbody - document text into the body, through the helper pool
 *
 * The pool is process state set up once by the program (before threads
 * use it, or lazily under a mutex); everything per message is on the
 * caller's stack. Limits: [extract] max_chars per document (the helper
 * cuts), max_documents, max_message_chars and max_message_time per
 * message (here: a document past them is cut or not read), max_bytes (the
 * walk kept only the start of a longer document: its text says so).
 */
#include "autoconfig.h"

#include <string.h>

#include "base/deadline.h"
#include "core/xbody.h"
#include "text/encblock.h"
#include "text/newline.h"
#include "text/oneline.h"
#include "text/textsafe.h"

enum xb_state {
	XB_OFF,		/* never started: the engine adds nothing */
	XB_READY,	/* xb_pool, or started on first use (xb_lazy) */
	XB_UNAVAILABLE,	/* could not start: documents say so */
};

static GMutex xb_lock;
static enum xb_state xb_state;
static struct mugai_extract_pool *xb_pool;
static gboolean xb_owned;		/* xb_pool is ours to free */
static struct mugai_extract_opts xb_opts;	/* lazy start */
static char *xb_helper;			/* xb_opts.eo_helper's copy */

/* Characters of a name in a heading: two of them stay on one line. */
#define NAME_MAX_CHARS	80

void
mugai_xbody_opts(const struct mugai_config *cf, struct mugai_extract_opts *o)
{
	mugai_extract_opts_init(o);
	o->eo_helper = cf->cf_extract_helper != NULL &&
	    cf->cf_extract_helper[0] != '\0' ? cf->cf_extract_helper : NULL;
	o->eo_pool_size = (guint)cf->cf_extract_pool_size;
	o->eo_max_helpers = (guint)cf->cf_extract_max_helpers;
	o->eo_url_mode = (enum mugai_url_mode)cf->cf_url_mode;
	o->eo_limits.el_max_bytes = (guint64)cf->cf_extract_max_bytes;
	o->eo_limits.el_max_chars = (guint64)cf->cf_extract_max_chars;
	o->eo_limits.el_max_pages = (guint64)cf->cf_extract_max_pages;
	o->eo_limits.el_max_time_ms = cf->cf_extract_max_time;
}

static void
drop_pool_locked(void)
{
	if (xb_owned)
		mugai_extract_pool_free(xb_pool);
	xb_pool = NULL;
	xb_owned = FALSE;
	g_clear_pointer(&xb_helper, g_free);
}

static char *
start_failed(const struct mugai_extract_opts *o, enum mugai_err err)
{
	return g_strdup_printf("text extraction unavailable: cannot start "
	    "%s (%s)", o->eo_helper != NULL ? o->eo_helper :
	    "the installed mugai-extract", mugai_err_str(err));
}

enum mugai_err
mugai_xbody_start(const struct mugai_config *cf, gboolean lazy, char **why)
{
	struct mugai_extract_opts o;
	enum mugai_err err = MUGAI_OK;

	g_mutex_lock(&xb_lock);
	drop_pool_locked();
	xb_state = XB_OFF;
	if (!cf->cf_extract_enabled)
		goto out;
	mugai_xbody_opts(cf, &o);
	xb_helper = g_strdup(o.eo_helper);
	o.eo_helper = xb_helper;
	xb_opts = o;
	xb_state = XB_READY;
	if (lazy)
		goto out;
	if ((xb_pool = mugai_extract_pool_new(&o, &err)) == NULL) {
		xb_state = XB_UNAVAILABLE;
		if (why != NULL)
			*why = start_failed(&o, err);
		goto out;
	}
	xb_owned = TRUE;
out:
	g_mutex_unlock(&xb_lock);
	return err;
}

void
mugai_xbody_set_pool(struct mugai_extract_pool *p)
{
	g_mutex_lock(&xb_lock);
	drop_pool_locked();
	xb_pool = p;
	xb_state = p != NULL ? XB_READY : XB_UNAVAILABLE;
	g_mutex_unlock(&xb_lock);
}

void
mugai_xbody_stop(void)
{
	g_mutex_lock(&xb_lock);
	drop_pool_locked();
	xb_state = XB_OFF;
	g_mutex_unlock(&xb_lock);
}

/* The pool, started now when it was left for the first use; NULL when
 * it cannot be had. *off: extraction was never started. */
static struct mugai_extract_pool *
get_pool(gboolean *off)
{
	struct mugai_extract_pool *p;
	enum mugai_err err;

	g_mutex_lock(&xb_lock);
	*off = xb_state == XB_OFF;
	if (xb_state == XB_READY && xb_pool == NULL) {
		xb_pool = mugai_extract_pool_new(&xb_opts, &err);
		xb_owned = xb_pool != NULL;
		if (xb_pool == NULL)
			xb_state = XB_UNAVAILABLE;
	}
	p = xb_state == XB_READY ? xb_pool : NULL;
	g_mutex_unlock(&xb_lock);
	return p;
}

/* The first chars characters of s, at most. */
static void
cut_chars(GString *s, guint64 chars)
{
	const char *p = s->str;

	for (guint64 i = 0; i < chars && *p != '\0'; i++)
		p = g_utf8_next_char(p);
	g_string_truncate(s, (gsize)(p - s->str));
}

static gboolean
has_visible(const GString *s)
{
	for (gsize i = 0; i < s->len; i++)
		if (!g_ascii_isspace(s->str[i]))
			return TRUE;
	return FALSE;
}

/* Appends to out the heading and the text t (made safe here). */
static void
section(GString *out, const char *name, GString *t, gboolean cut,
    guint64 chars, struct mugai_report *r, const char *path)
{
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_encblock_free);
	g_autofree char *nm = mugai_oneline(name, -1, NAME_MAX_CHARS);
	GString *rest = g_string_sized_new(t->len);
	GString *h = g_string_new(NULL);

	/* A file encoded in the words is no text: cut out, as in a body. */
	if (mugai_encblock_strip(t->str, t->len, rest, found) > 0) {
		mugai_report_warn(r, "part %s: %u encoded file(s) cut out of "
		    "the document's text", path, found->len);
		g_string_truncate(t, 0);
		g_string_append_len(t, rest->str, rest->len);
	}
	g_string_free(rest, TRUE);
	mugai_textsafe(t);
	if (cut)
		g_string_append_printf(h, "──── 添付ファイル「%s」の内容（テキスト"
		    "のみ、先頭 %" G_GUINT64_FORMAT " 文字まで） / Text of the "
		    "attachment \"%s\" (text only, first %" G_GUINT64_FORMAT
		    " characters) ────\n", nm, chars, nm, chars);
	else
		g_string_append_printf(h, "──── 添付ファイル「%s」の内容（テキスト"
		    "のみ） / Text of the attachment \"%s\" (text only) ────\n",
		    nm, nm);
	mugai_textsafe(h);
	if (out->len > 0)
		g_string_append_c(out, '\n');
	g_string_append_len(out, h->str, h->len);
	g_string_append_len(out, t->str, t->len);
	if (t->len > 0 && t->str[t->len - 1] != '\n')
		g_string_append_c(out, '\n');
	g_string_free(h, TRUE);
}

static enum mugai_text_status
status_of(enum mugai_extract_status st)
{
	switch (st) {
	case MUGAI_EXTRACT_OK:		return MUGAI_TEXT_INCLUDED;
	case MUGAI_EXTRACT_TRUNCATED:	return MUGAI_TEXT_CUT;
	case MUGAI_EXTRACT_ENCRYPTED:	return MUGAI_TEXT_ENCRYPTED;
	case MUGAI_EXTRACT_DAMAGED:	return MUGAI_TEXT_DAMAGED;
	case MUGAI_EXTRACT_UNSUPPORTED:	return MUGAI_TEXT_UNSUPPORTED;
	case MUGAI_EXTRACT_TIMEOUT:	return MUGAI_TEXT_TIMEOUT;
	case MUGAI_EXTRACT_FAILED:
		break;
	}
	return MUGAI_TEXT_FAILED;
}

struct run {
	const struct mugai_config *rn_cf;
	struct mugai_extract_pool *rn_pool;	/* NULL: unavailable */
	struct mugai_report *rn_report;
	gint64 rn_deadline;	/* max_message_time, 0: none */
	guint64 rn_chars;	/* characters put in so far */
	guint rn_docs;		/* documents given to the helper so far */
	GString *rn_out;	/* the sections */
};

/* One document: its text into rn_out, what became of it into rp. */
static void
one(struct run *rn, const struct mugai_walk_doc *d,
    struct mugai_report_part *rp)
{
	guint64 left = (guint64)rn->rn_cf->cf_extract_max_message_chars -
	    MIN(rn->rn_chars, (guint64)rn->rn_cf->cf_extract_max_message_chars);
	struct mugai_extract_result res = { 0 };
	g_autofree char *name = NULL;
	enum mugai_text_status st;
	const char *reason;
	GString *t;
	guint64 chars;

	if (rn->rn_pool == NULL) {
		mugai_report_part_text(rp, d->wd_entry, MUGAI_TEXT_UNAVAILABLE,
		    0, NULL);
		return;
	}
	/* In document order, so that the same documents are read whatever
	 * the machine's speed; the time limit is the last resort. */
	if (rn->rn_docs >= (guint)rn->rn_cf->cf_extract_max_documents) {
		mugai_report_part_text(rp, d->wd_entry, MUGAI_TEXT_LIMIT, 0,
		    "max_documents");
		return;
	}
	if (left == 0 || mugai_deadline_passed(rn->rn_deadline)) {
		mugai_report_part_text(rp, d->wd_entry, MUGAI_TEXT_LIMIT, 0,
		    left == 0 ? "max_message_chars" : "max_message_time");
		return;
	}
	rn->rn_docs++;
	mugai_extract_run(rn->rn_pool, d->wd_data->data, d->wd_data->len,
	    d->wd_hint, rn->rn_deadline, &res);
	st = status_of(res.er_status);
	reason = strcmp(res.er_reason, "-") != 0 ? res.er_reason : NULL;
	if (st != MUGAI_TEXT_INCLUDED && st != MUGAI_TEXT_CUT) {
		/* A document we kept only the start of: the limit is why. */
		if (d->wd_cut && st == MUGAI_TEXT_DAMAGED) {
			st = MUGAI_TEXT_LIMIT;
			reason = "max_bytes";
		}
		mugai_report_part_text(rp, d->wd_entry, st, 0, reason);
		mugai_extract_result_clear(&res);
		return;
	}
	t = g_string_new_len(res.er_text, (gssize)res.er_len);
	mugai_extract_result_clear(&res);
	mugai_newline_to_lf(t);
	if (d->wd_cut && st == MUGAI_TEXT_INCLUDED) {
		st = MUGAI_TEXT_CUT;
		reason = "max_bytes";
	}
	chars = (guint64)g_utf8_strlen(t->str, (gssize)t->len);
	if (chars > left) {
		cut_chars(t, left);
		chars = left;
		st = MUGAI_TEXT_CUT;
		reason = "max_message_chars";
	}
	if (!has_visible(t)) {
		mugai_report_part_text(rp, d->wd_entry, MUGAI_TEXT_EMPTY, 0,
		    st == MUGAI_TEXT_CUT ? reason : NULL);
		g_string_free(t, TRUE);
		return;
	}
	mugai_report_part_text(rp, d->wd_entry, st, chars, reason);
	rn->rn_chars += chars;
	if (d->wd_entry != NULL)
		name = g_strconcat(rp->rp_filename != NULL ? rp->rp_filename :
		    "?", "/", d->wd_entry, NULL);
	else
		name = g_strdup(rp->rp_filename != NULL &&
		    rp->rp_filename[0] != '\0' ? rp->rp_filename :
		    "名前なし / no name");
	section(rn->rn_out, name, t, st == MUGAI_TEXT_CUT, chars,
	    rn->rn_report, rp->rp_path);
	g_string_free(t, TRUE);
}

static gboolean
removed(const struct mugai_report_part *p)
{
	return p->rp_action == MUGAI_ACT_DROP ||
	    p->rp_action == MUGAI_ACT_QUARANTINE;
}

void
mugai_xbody_add(const struct mugai_config *cf, struct mugai_walk *w,
    struct mugai_report *r)
{
	struct run rn = { 0 };
	gboolean off = FALSE;
	GString *text = w->wk_text;

	if (w->wk_docs == NULL || w->wk_docs->len == 0)
		return;
	rn.rn_pool = get_pool(&off);
	if (off)
		return;
	rn.rn_cf = cf;
	rn.rn_report = r;
	rn.rn_deadline = mugai_deadline_after(cf->cf_extract_max_message_time);
	rn.rn_out = g_string_new(NULL);
	for (guint i = 0; i < w->wk_docs->len; i++) {
		const struct mugai_walk_doc *d = g_ptr_array_index(w->wk_docs,
		    i);
		struct mugai_report_part *rp;

		if (d->wd_part >= r->rr_parts->len)
			continue;
		rp = g_ptr_array_index(r->rr_parts, d->wd_part);
		if (removed(rp))
			one(&rn, d, rp);
	}
	if (rn.rn_out->len > 0) {
		/* After the message's own text, a blank line apart. */
		if (text->len > 0 && text->str[text->len - 1] != '\n')
			g_string_append_c(text, '\n');
		if (text->len > 0)
			g_string_append_c(text, '\n');
		g_string_append_len(text, rn.rn_out->str, rn.rn_out->len);
	}
	g_string_free(rn.rn_out, TRUE);
}
