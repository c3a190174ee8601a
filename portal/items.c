/*
 * mugai-portal items - the store as the pages see it
 *
 * Reads go through lib/store (descriptors, no links followed, files of
 * the store's owner only). The list reads the index (lib/index/); without
 * one it walks YYYY/MM/DD/ID from the newest and reads each item's
 * list.json (items stored before session 9) or meta.json: linear in the
 * store's size.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "index/index.h"
#include "portal/request.h"
#include "portal/role.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "store/quarantine.h"
#include "keeper.h"
#include "portal.h"

#define LIST_JSON_MAX (1024 * 1024)

void
mugai_portal_row_free(struct mugai_portal_row *r)
{
	if (r == NULL)
		return;
	g_free(r->pr_id);
	g_free(r->pr_time);
	g_free(r->pr_from);
	g_free(r->pr_subject);
	g_free(r->pr_removed);
	g_free(r->pr_state);
	g_free(r);
}

static JsonObject *
jobj(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ?
	    json_node_get_object(n) : NULL;
}

static JsonArray *
jarr(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ?
	    json_node_get_array(n) : NULL;
}

static const char *
jstr(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static char **
recipients(JsonObject *meta)
{
	JsonArray *a = jarr(jobj(meta, "envelope"), "recipients");
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);

		if (JSON_NODE_HOLDS_VALUE(n) &&
		    json_node_get_value_type(n) == G_TYPE_STRING)
			g_ptr_array_add(out,
			    g_strdup(json_node_get_string(n)));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

JsonObject *
mugai_portal_item_meta(struct mugai_portal *po, const char *id,
    char ***rcpts)
{
	enum mugai_err err;
	JsonObject *meta;
	int fd;

	*rcpts = NULL;
	if (!mugai_qid_valid(id) ||
	    (fd = mugai_qdir_open_item(po->po_top, id)) < 0)
		return NULL;
	meta = mugai_quarantine_read_meta_at(fd, &err);
	close(fd);
	if (meta != NULL)
		*rcpts = recipients(meta);
	return meta;
}

/* Reads list.json (else meta.json) of item id in day (lent). */
static JsonObject *
read_listing(struct mugai_portal *po, int day, const char *id)
{
	JsonParser *p;
	JsonObject *o = NULL;
	enum mugai_err err;
	char *text;
	gsize len;
	int fd;

	if ((fd = mugai_qdir_open(day, id)) < 0)
		return NULL;
	text = mugai_qdir_read(fd, "list.json", po->po_owner, LIST_JSON_MAX,
	    &len);
	if (text == NULL) {
		o = errno == ENOENT ? mugai_quarantine_read_meta_at(fd, &err) :
		    NULL;
		close(fd);
		return o;
	}
	close(fd);
	p = json_parser_new();
	if (json_parser_load_from_data(p, text, (gssize)len, NULL) &&
	    json_parser_get_root(p) != NULL &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		o = json_object_ref(json_node_get_object(
		    json_parser_get_root(p)));
	g_object_unref(p);
	g_free(text);
	return o;
}

static char *
removed_names(JsonObject *meta)
{
	JsonArray *a = jarr(jobj(meta, "summary"), "removed");
	GString *s = g_string_new(NULL);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		const char *v = json_array_get_string_element(a, i);

		if (v != NULL)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "",
			    v);
	}
	return g_string_free(s, FALSE);
}

static gboolean
matches(const struct mugai_portal_row *r, const char *q)
{
	g_autofree char *nq = NULL;
	const char *fields[] = { r->pr_from, r->pr_subject, r->pr_removed,
	    r->pr_id };

	if (q == NULL || *q == '\0')
		return TRUE;
	nq = g_utf8_casefold(q, -1);
	for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_autofree char *f = fields[i] != NULL ?
		    g_utf8_casefold(fields[i], -1) : NULL;

		if (f != NULL && strstr(f, nq) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* The state of the newest request of the item, for the list. */
static char *
latest_state(struct mugai_portal *po, int day, const char *id)
{
	enum mugai_err err;
	GPtrArray *reqs;
	char *s = NULL;
	int fd;

	/* day < 0: found through the index, not the walk. */
	if ((fd = day >= 0 ? mugai_qdir_open(day, id) :
	    mugai_qdir_open_item(po->po_top, id)) < 0)
		return NULL;
	reqs = mugai_request_list_at(fd, po->po_owner, &err);
	close(fd);
	if (reqs != NULL && reqs->len > 0) {
		struct mugai_request *rq = g_ptr_array_index(reqs,
		    reqs->len - 1);

		s = g_strdup(mugai_request_state_ja(rq->rq_state));
	}
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	return s;
}

typedef gboolean (*visit_fn)(struct mugai_portal *po, int day,
    const char *id, JsonObject *listing, gpointer data);

struct walk_ctx {
	struct mugai_portal *wc_po;
	visit_fn wc_visit;
	gpointer wc_data;
};

static gboolean
walk_visit(int dayfd, const char *day, const char *id, gpointer data)
{
	struct walk_ctx *wc = data;
	JsonObject *o = read_listing(wc->wc_po, dayfd, id);
	gboolean go;

	(void)day;
	if (o == NULL)
		return TRUE;
	go = wc->wc_visit(wc->wc_po, dayfd, id, o, wc->wc_data);
	json_object_unref(o);
	return go;
}

/* Calls visit on every item, newest first, until it returns FALSE. */
static void
walk(struct mugai_portal *po, visit_fn visit, gpointer data)
{
	struct walk_ctx wc = { po, visit, data };

	mugai_qdir_walk(po->po_top, TRUE, walk_visit, &wc);
}

struct list_ctx {
	const char *lc_user;
	const char *lc_q;
	guint lc_skip;
	guint lc_want;
	GPtrArray *lc_rows;
	gboolean lc_more;
};

static gboolean
list_visit(struct mugai_portal *po, int day, const char *id,
    JsonObject *o, gpointer data)
{
	struct list_ctx *lc = data;
	g_auto(GStrv) rcpts = recipients(o);
	JsonObject *hdr = jobj(o, "headers");
	struct mugai_portal_row *r;

	if (!mugai_roles_can_view(po->po_roles, lc->lc_user,
	    (const char *const *)rcpts))
		return TRUE;
	r = g_new0(struct mugai_portal_row, 1);
	r->pr_id = g_strdup(id);
	r->pr_time = g_strdup(jstr(o, "time"));
	r->pr_from = g_strdup(jstr(hdr, "from") != NULL ? jstr(hdr, "from") :
	    jstr(jobj(o, "envelope"), "sender"));
	r->pr_subject = g_strdup(jstr(hdr, "subject"));
	r->pr_removed = removed_names(o);
	if (!matches(r, lc->lc_q)) {
		mugai_portal_row_free(r);
		return TRUE;
	}
	if (lc->lc_skip > 0) {
		lc->lc_skip--;
		mugai_portal_row_free(r);
		return TRUE;
	}
	if (lc->lc_rows->len == lc->lc_want) {
		lc->lc_more = TRUE;
		mugai_portal_row_free(r);
		return FALSE;
	}
	r->pr_state = latest_state(po, day, id);
	g_ptr_array_add(lc->lc_rows, r);
	return TRUE;
}

static gint
newest_first(gconstpointer a, gconstpointer b)
{
	const struct mugai_index_row *x = *(struct mugai_index_row *const *)a;
	const struct mugai_index_row *y = *(struct mugai_index_row *const *)b;

	if (x->ir_time != y->ir_time)
		return x->ir_time < y->ir_time ? 1 : -1;
	return -strcmp(x->ir_id, y->ir_id);
}

/*
 * The rows of the index, newest first, at most limit per query: the
 * user's own (a recipient's address as a substring, checked exactly by
 * the roles afterwards) or, for approvers and administrators, all; with
 * q, those whose subject or sender contains it. NULL when the index
 * fails (the caller walks). *full: some query gave limit rows.
 */
static GPtrArray *
index_rows(struct mugai_portal *po, const char *user, const char *q,
    guint limit, gboolean by_rcpt, gboolean *full)
{
	struct mugai_index_query iq;
	GPtrArray *all = NULL;
	GHashTable *seen;
	enum mugai_err err;
	const char *rcpt = !by_rcpt || mugai_roles_is_approver(po->po_roles,
	    user) ? NULL : user;
	int nq = q != NULL && *q != '\0' ? 2 : 1;

	*full = FALSE;
	mugai_keeper_catch_up(po);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (int i = 0; i < nq; i++) {
		GPtrArray *rows;

		mugai_index_query_init(&iq);
		iq.iq_rcpt = rcpt;
		iq.iq_limit = limit;
		if (nq == 2 && i == 0)
			iq.iq_subject = q;
		else if (nq == 2)
			iq.iq_from = q;
		if ((rows = mugai_index_search(po->po_ix, &iq, &err)) == NULL) {
			if (all != NULL)
				g_ptr_array_free(all, TRUE);
			g_hash_table_destroy(seen);
			return NULL;
		}
		if (rows->len >= limit)
			*full = TRUE;
		if (all == NULL) {
			all = rows;
			for (guint j = 0; j < all->len; j++)
				g_hash_table_add(seen, ((struct mugai_index_row *)
				    g_ptr_array_index(all, j))->ir_id);
			continue;
		}
		/* The second query's rows not seen in the first. */
		for (guint j = 0; j < rows->len; j++) {
			struct mugai_index_row *r = g_ptr_array_index(rows, j);

			if (g_hash_table_contains(seen, r->ir_id))
				continue;
			g_hash_table_add(seen, r->ir_id);
			g_ptr_array_add(all, g_ptr_array_steal_index(rows, j));
			j--;
		}
		g_ptr_array_free(rows, TRUE);
	}
	g_hash_table_destroy(seen);
	g_ptr_array_sort(all, newest_first);
	return all;
}

/*
 * One pass of the list over the index's rows; TRUE when the page was
 * filled (or all rows seen: *all), FALSE on an index failure (*failed).
 */
static gboolean
list_pass(struct mugai_portal *po, struct list_ctx *lc, const char *user,
    const char *q, guint limit, gboolean by_rcpt, gboolean *all,
    gboolean *failed)
{
	guint skip = lc->lc_skip;
	gboolean full = FALSE, go = TRUE;
	GPtrArray *rows = index_rows(po, user, q, limit, by_rcpt, &full);

	*failed = rows == NULL;
	*all = FALSE;
	if (rows == NULL)
		return FALSE;
	for (guint i = 0; go && i < rows->len; i++) {
		struct mugai_index_row *r = g_ptr_array_index(rows, i);

		if (r->ir_row != NULL)
			go = list_visit(po, -1, r->ir_id, r->ir_row, lc);
	}
	g_ptr_array_free(rows, TRUE);
	*all = !full;
	if (!go || !full)
		return TRUE;
	/* Rows the roles refused took room: start again. */
	g_ptr_array_set_size(lc->lc_rows, 0);
	lc->lc_skip = skip;
	lc->lc_more = FALSE;
	return FALSE;
}

/*
 * The list through the index; FALSE when it failed (then walk). First
 * the newest rows whoever they are for and whatever they say (a
 * recipient with much mail, or a search for recent mail, fills the page
 * from them at once: an index search that matches most of the store
 * sorts all of it), then the rows the index finds for the recipient and
 * the search, more each time until the page is full.
 */
static gboolean
list_indexed(struct mugai_portal *po, struct list_ctx *lc,
    const char *user, const char *q)
{
	guint need = lc->lc_skip + lc->lc_want + 1;
	guint limit = need;
	gboolean all, failed;

	/* The newest rows, q and the roles checked here (list_visit). */
	if (list_pass(po, lc, user, NULL, 4 * need, FALSE, &all, &failed))
		return TRUE;
	if (failed)
		return FALSE;
	for (;;) {
		if (list_pass(po, lc, user, q, limit, TRUE, &all, &failed))
			return TRUE;
		if (failed)
			return FALSE;
		if (limit >= G_MAXUINT / 4)
			return TRUE;
		limit *= 4;
	}
}

GPtrArray *
mugai_portal_list(struct mugai_portal *po, const char *user, const char *q,
    guint page, gboolean *more)
{
	struct list_ctx lc = { user, q, 0, 0, NULL, FALSE };

	lc.lc_want = (guint)po->po_cf->cf_portal_page_size;
	lc.lc_skip = page * lc.lc_want;
	lc.lc_rows = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_portal_row_free);
	/* The index when there is one; the walk only without. */
	if (po->po_ix == NULL || !list_indexed(po, &lc, user, q)) {
		g_ptr_array_set_size(lc.lc_rows, 0);
		lc.lc_skip = page * lc.lc_want;
		lc.lc_more = FALSE;
		walk(po, list_visit, &lc);
	}
	*more = lc.lc_more;
	return lc.lc_rows;
}

gboolean
mugai_portal_part_removed(JsonObject *meta, const char *path)
{
	JsonArray *parts = jarr(jobj(meta, "report"), "parts");

	if (g_strcmp0(path, MUGAI_REQUEST_ORIGINAL) == 0)
		return TRUE;
	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		const char *action;
		JsonObject *p;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		action = jstr(p, "action");
		if (g_strcmp0(jstr(p, "path"), path) == 0 &&
		    (g_strcmp0(action, "drop") == 0 ||
		    g_strcmp0(action, "quarantine") == 0))
			return TRUE;
	}
	return FALSE;
}

const char *
mugai_portal_part_rule(JsonObject *meta, const char *path)
{
	JsonArray *parts = jarr(jobj(meta, "report"), "parts");

	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		if (g_strcmp0(jstr(p, "path"), path) == 0)
			return jstr(p, "rule");
	}
	return NULL;
}

const char *
mugai_portal_request_rule(struct mugai_portal *po, JsonObject *meta,
    const char *part)
{
	JsonArray *parts;

	if (strcmp(part, MUGAI_REQUEST_ORIGINAL) != 0)
		return mugai_portal_part_rule(meta, part);
	/* The whole message carries every part: the strictest rule. */
	parts = jarr(jobj(meta, "report"), "parts");
	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		const char *rule;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		rule = jstr(json_node_get_object(n), "rule");
		if (mugai_roles_rule_admin_only(po->po_roles, rule))
			return rule;
	}
	return NULL;
}

struct queue_ctx {
	const char *qc_user;
	GPtrArray *qc_rows;
};

static gboolean
queue_visit(struct mugai_portal *po, int day, const char *id,
    JsonObject *o, gpointer data)
{
	struct queue_ctx *qc = data;
	g_auto(GStrv) rcpts = recipients(o);
	JsonObject *meta = NULL;
	enum mugai_err err;
	GPtrArray *reqs;
	int fd;

	if (!mugai_roles_is_approver_of(po->po_roles, qc->qc_user,
	    (const char *const *)rcpts) || (fd = mugai_qdir_open(day, id)) < 0)
		return TRUE;
	reqs = mugai_request_list_at(fd, po->po_owner, &err);
	for (guint i = 0; reqs != NULL && i < reqs->len; i++) {
		struct mugai_request *rq = g_ptr_array_index(reqs, i);
		struct mugai_portal_row *r;
		JsonObject *hdr = jobj(o, "headers");

		if (rq->rq_state != MUGAI_REQUEST_PENDING)
			continue;
		if (meta == NULL &&
		    (meta = mugai_quarantine_read_meta_at(fd, &err)) == NULL)
			break;
		if (!mugai_roles_can_decide(po->po_roles, qc->qc_user,
		    (const char *const *)rcpts, rq->rq_requester,
		    mugai_portal_request_rule(po, meta, rq->rq_part)))
			continue;
		r = g_new0(struct mugai_portal_row, 1);
		r->pr_id = g_strdup(id);
		r->pr_time = g_strdup(jstr(o, "time"));
		r->pr_from = g_strdup(rq->rq_requester);
		r->pr_subject = g_strdup(jstr(hdr, "subject"));
		r->pr_removed = g_strdup(rq->rq_part);
		r->pr_state = g_strdup(rq->rq_reason);
		r->pr_n = rq->rq_n;
		g_ptr_array_add(qc->qc_rows, r);
	}
	if (meta != NULL)
		json_object_unref(meta);
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	close(fd);
	/* A queue is short: it stops at a page's worth. */
	return qc->qc_rows->len < (guint)po->po_cf->cf_portal_page_size;
}

/* The day directory YYYY/MM/DD of a valid id, or -1. */
static int
open_day(int top, const char *id)
{
	char part[5];
	int fd = top, next;
	static const int off[] = { 0, 4, 6 }, len[] = { 4, 2, 2 };

	for (int i = 0; i < 3; i++) {
		memcpy(part, id + off[i], (size_t)len[i]);
		part[len[i]] = '\0';
		next = mugai_qdir_open(fd, part);
		if (fd != top)
			close(fd);
		if ((fd = next) < 0)
			return -1;
	}
	return fd;
}

/*
 * The queue from the index's pending rows (lib/portal/request.c keeps
 * them): only the items with a pending request are read, newest first,
 * each through queue_visit as the walk would; FALSE when the index
 * cannot answer (the caller walks).
 */
static gboolean
queue_from_index(struct mugai_portal *po, struct queue_ctx *qc)
{
	enum mugai_err err;
	GPtrArray *rows;
	GHashTable *seen;
	gboolean go = TRUE;

	mugai_keeper_catch_up(po);
	if ((rows = mugai_index_requests(po->po_ix, NULL, "pending",
	    &err)) == NULL)
		return FALSE;
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = rows->len; go && i > 0; i--) {
		struct mugai_index_request *r = g_ptr_array_index(rows, i - 1);
		JsonObject *o;
		int day;

		if (!mugai_qid_valid(r->rq_item) ||
		    !g_hash_table_add(seen, r->rq_item))
			continue;
		if ((day = open_day(po->po_top, r->rq_item)) < 0)
			continue;	/* purged since */
		if ((o = read_listing(po, day, r->rq_item)) != NULL) {
			go = queue_visit(po, day, r->rq_item, o, qc);
			json_object_unref(o);
		}
		close(day);
	}
	g_hash_table_destroy(seen);
	g_ptr_array_free(rows, TRUE);
	return TRUE;
}

GPtrArray *
mugai_portal_queue(struct mugai_portal *po, const char *user)
{
	struct queue_ctx qc = { user, NULL };

	qc.qc_rows = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_portal_row_free);
	/* The walk without an index: slow on a large store. */
	if (po->po_ix == NULL || !queue_from_index(po, &qc))
		walk(po, queue_visit, &qc);
	return qc.qc_rows;
}

GPtrArray *
mugai_portal_requests(struct mugai_portal *po, const char *id,
    enum mugai_err *err)
{
	GPtrArray *reqs;
	int fd;

	if (!mugai_qid_valid(id)) {
		*err = MUGAI_E_INVAL;
		return NULL;
	}
	if ((fd = mugai_qdir_open_item(po->po_top, id)) < 0) {
		*err = errno == ENOENT ? MUGAI_E_NOTFOUND : MUGAI_E_PERM;
		return NULL;
	}
	reqs = mugai_request_list_at(fd, po->po_owner, err);
	close(fd);
	return reqs;
}
