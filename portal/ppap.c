/*
 * mugai-portal PPAP form - the password of a quarantined encrypted
 * archive, typed by its recipient (ppap.h)
 *
 * The order: who (recipient or administrator), which part (a removed
 * encrypted archive of the report, never any other), the tries of this
 * user on this item (a sliding window in memory, counted before the
 * archive is touched so that parallel forms cannot outrun it), then
 * lib/ppap, then the delivery. Every way out wipes the password the form
 * held; the request body that carried it is wiped too (pages.c's
 * post_form() wipes its own copy).
 *
 * The tries live in po_ppap_tries, from the GLib main loop only, like
 * everything of struct mugai_portal. mugai_ppap_open() runs on the main
 * loop: the archive limits ([policy]) and the helper's time limit bound
 * it, and PPAP forms are rare next to page views.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/config.h"
#include "extract/client.h"
#include "portal/role.h"
#include "ppap/ppap.h"
#include "store/quarantine.h"
#include "keeper.h"
#include "portal.h"
#include "ppap.h"
#include "session.h"

void
mugai_portal_ppap_result_clear(struct mugai_portal_ppap_result *r)
{
	g_clear_pointer(&r->pp_archive, g_free);
	g_clear_pointer(&r->pp_new_id, g_free);
	g_clear_pointer(&r->pp_reason, g_free);
}

/* ---- which parts ---- */

static gboolean
has_string(JsonObject *o, const char *member, const char *want)
{
	JsonNode *n = json_object_get_member(o, member);
	JsonArray *a;

	if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n))
		return FALSE;
	a = json_node_get_array(n);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);

		if (JSON_NODE_HOLDS_VALUE(e) &&
		    json_node_get_value_type(e) == G_TYPE_STRING &&
		    strcmp(json_node_get_string(e), want) == 0)
			return TRUE;
	}
	return FALSE;
}

static const char *
str_member(JsonObject *o, const char *member)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, member) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) &&
	    json_node_get_value_type(n) == G_TYPE_STRING ?
	    json_node_get_string(n) : NULL;
}

gboolean
mugai_portal_ppap_part(JsonObject *p)
{
	const char *action = str_member(p, "action");
	JsonNode *tn = json_object_get_member(p, "text");

	if (g_strcmp0(action, "drop") != 0 &&
	    g_strcmp0(action, "quarantine") != 0)
		return FALSE;
	/* What the archive scan found (its flag; rule names are the
	 * administrator's) or what the text extraction met. */
	if (has_string(p, "flags", "encrypted"))
		return TRUE;
	if (tn != NULL && JSON_NODE_HOLDS_ARRAY(tn)) {
		JsonArray *a = json_node_get_array(tn);

		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);

			if (JSON_NODE_HOLDS_OBJECT(e) && g_strcmp0(str_member(
			    json_node_get_object(e), "status"),
			    "encrypted") == 0)
				return TRUE;
		}
	}
	return FALSE;
}

/* The report part at path (transfer none), if it is a ppap part. */
static JsonObject *
ppap_part_at(JsonObject *meta, const char *path)
{
	JsonNode *rn = json_object_get_member(meta, "report");
	JsonObject *rep = rn != NULL && JSON_NODE_HOLDS_OBJECT(rn) ?
	    json_node_get_object(rn) : meta;
	JsonNode *pn = json_object_get_member(rep, "parts");
	JsonArray *parts;

	if (path == NULL || pn == NULL || !JSON_NODE_HOLDS_ARRAY(pn))
		return NULL;
	parts = json_node_get_array(pn);
	for (guint i = 0; i < json_array_get_length(parts); i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		if (g_strcmp0(str_member(p, "path"), path) == 0)
			return mugai_portal_ppap_part(p) ? p : NULL;
	}
	return NULL;
}

static gboolean
may_open(struct mugai_portal *po, const char *user, char **rcpts)
{
	return mugai_roles_is_recipient(user, (const char *const *)rcpts) ||
	    mugai_roles_is_admin(po->po_roles, user);
}

/* ---- the tries of one user on one item ---- */

static gint64
now(void)
{
	return mugai_session_clock != NULL ? mugai_session_clock() :
	    g_get_monotonic_time();
}

/* The tries (an array of times) of key, the old ones dropped. */
static GArray *
tries_of(struct mugai_portal *po, const char *key)
{
	GArray *t;
	gint64 t0 = now() - MUGAI_PORTAL_PPAP_WINDOW;
	guint keep = 0;

	if (po->po_ppap_tries == NULL)
		po->po_ppap_tries = g_hash_table_new_full(g_str_hash,
		    g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	if ((t = g_hash_table_lookup(po->po_ppap_tries, key)) == NULL) {
		t = g_array_new(FALSE, FALSE, sizeof(gint64));
		g_hash_table_insert(po->po_ppap_tries, g_strdup(key), t);
	}
	while (keep < t->len && g_array_index(t, gint64, keep) <= t0)
		keep++;
	g_array_remove_range(t, 0, keep);
	return t;
}

/* ---- delivery ---- */

/*
 * Submits r's message to who (lent) through submit_command, with a
 * "delivered" line in audit.log (lib/ppap's one delivery).
 */
static gboolean
deliver(struct mugai_portal *po, const struct mugai_ppap_result *pr,
    char **who, const char *user, char **why)
{
	return mugai_ppap_deliver(po->po_q, po->po_cf, pr,
	    (const char *const *)who, user, "mugai-portal", why);
}

/*
 * Who gets the opened archive: the user alone when a recipient (the
 * others did not ask), else every recipient of the original, each a
 * plain address (transfer full), or NULL when one is not.
 */
static char **
delivery_to(const char *user, char **rcpts)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	gboolean mine = mugai_roles_is_recipient(user,
	    (const char *const *)rcpts);

	for (gsize i = 0; mine ? i == 0 : rcpts[i] != NULL; i++) {
		char *addr = mugai_roles_addr(mine ? user : rcpts[i]);

		/* Never an option of the submit command. */
		if (addr == NULL || addr[0] == '-' ||
		    strpbrk(addr, " \t\r\n") != NULL) {
			g_free(addr);
			g_ptr_array_free(a, TRUE);
			return NULL;
		}
		g_ptr_array_add(a, addr);
	}
	g_ptr_array_set_free_func(a, NULL);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* ---- the try ---- */

void
mugai_portal_ppap_try(struct mugai_portal *po, const char *user,
    JsonObject *meta, char **rcpts, const char *id, const char *part,
    const char *pass, gsize pass_len, struct mugai_portal_ppap_result *r)
{
	g_autofree char *key = NULL;
	g_auto(GStrv) who = NULL;
	struct mugai_ppap_req rq;
	struct mugai_ppap_result pr;
	enum mugai_err err;
	gint64 t;
	GArray *tries;

	memset(r, 0, sizeof *r);
	if (!may_open(po, user, rcpts)) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_FORBIDDEN;
		return;
	}
	if (ppap_part_at(meta, part) == NULL) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_NO_ARCHIVE;
		return;
	}
	key = g_strdup_printf("%s\n%s", user, id);
	tries = tries_of(po, key);
	if (tries->len >= MUGAI_PORTAL_PPAP_TRIES) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_LIMITED;
		return;
	}
	t = now();
	g_array_append_val(tries, t);
	r->pp_tries_left = MUGAI_PORTAL_PPAP_TRIES - tries->len;
	if (pass_len == 0 || pass_len > MUGAI_UNLOCK_PASS_MAX) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_WRONG;
		return;
	}

	memset(&rq, 0, sizeof rq);
	rq.pr_cf = po->po_cf;
	rq.pr_q = po->po_q;
	rq.pr_helper = po->po_helper;
	rq.pr_id = id;
	rq.pr_part = part;
	rq.pr_pass = pass;
	rq.pr_pass_len = pass_len;
	rq.pr_actor = user;
	err = mugai_ppap_open(&rq, &pr);
	r->pp_archive = g_strdup(pr.po_archive);
	if (err != MUGAI_OK) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_FAILED;
		r->pp_reason = g_strdup(mugai_err_str(err));
		goto out;
	}
	switch (pr.po_status) {
	case MUGAI_PPAP_OPENED:
		break;
	case MUGAI_PPAP_WRONG_PASSWORD:
		r->pp_outcome = MUGAI_PORTAL_PPAP_WRONG;
		r->pp_tries_left = MIN(r->pp_tries_left, pr.po_tries_left);
		goto out;
	case MUGAI_PPAP_RATE_LIMITED:
		r->pp_outcome = MUGAI_PORTAL_PPAP_LIMITED;
		goto out;
	default:
		r->pp_outcome = MUGAI_PORTAL_PPAP_FAILED;
		r->pp_reason = g_strdup(pr.po_reason != NULL ? pr.po_reason :
		    mugai_ppap_status_name(pr.po_status));
		goto out;
	}
	r->pp_new_id = g_strdup(pr.po_new_id);
	if ((who = delivery_to(user, pr.po_rcpts != NULL ? pr.po_rcpts :
	    rcpts)) == NULL || who[0] == NULL) {
		r->pp_outcome = MUGAI_PORTAL_PPAP_UNDELIVERED;
		r->pp_reason = g_strdup("no recipient to deliver to");
	} else if (!deliver(po, &pr, who, user, &r->pp_reason))
		r->pp_outcome = MUGAI_PORTAL_PPAP_UNDELIVERED;
	else
		r->pp_outcome = MUGAI_PORTAL_PPAP_OPENED;
out:
	mugai_ppap_result_clear(&pr);
}

/* ---- the page ---- */

static void
esc(GString *out, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text != NULL ? text : "",
	    -1);

	g_string_append(out, e);
}

/*
 * What the last POST came to, shown in the box of its part's form: the
 * item page itself is drawn by pages.c, called from
 * mugai_portal_ppap_post() on the main loop, so this lives exactly that
 * long.
 */
static struct {
	const char *part;
	char *ja;
	char *en;
} note;

void
mugai_portal_ppap_form(GString *out, struct mugai_portal *po,
    struct mugai_session *s, JsonObject *meta, char **rcpts,
    const char *id, const char *mac)
{
	JsonNode *rn = json_object_get_member(meta, "report");
	JsonObject *rep = rn != NULL && JSON_NODE_HOLDS_OBJECT(rn) ?
	    json_node_get_object(rn) : meta;
	JsonNode *pn = json_object_get_member(rep, "parts");
	JsonArray *parts;

	if (s == NULL || !may_open(po, s->se_user, rcpts) || pn == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(pn))
		return;
	parts = json_node_get_array(pn);
	for (guint i = 0; i < json_array_get_length(parts); i++) {
		JsonNode *n = json_array_get_element(parts, i);
		const char *path, *name;
		JsonObject *p;

		if (!JSON_NODE_HOLDS_OBJECT(n) ||
		    !mugai_portal_ppap_part(p = json_node_get_object(n)) ||
		    (path = str_member(p, "path")) == NULL)
			continue;
		name = str_member(p, "filename");
		g_string_append(out, "<h2>パスワード付きZIPを開く <span "
		    "class=\"en\">Open the password-protected archive</span>"
		    "</h2><p>「");
		esc(out, name != NULL ? name : path);
		g_string_append(out, "」のパスワードを入力すると、サーバ上で"
		    "開いて検査・無害化し、その内容を新しいメールとしてお送り"
		    "します。パスワードは保存されません。10分間に5回まで試せ"
		    "ます。<br><span class=\"en\">Type the password of the "
		    "archive: it is opened and sanitized on the server and "
		    "its contents are sent to you as a new mail. The password "
		    "is not stored. Five tries per 10 minutes.</span></p>");
		if (note.part != NULL && strcmp(note.part, path) == 0) {
			g_string_append(out, "<p class=\"err\" id=\"ppap-"
			    "error\">");
			esc(out, note.ja);
			g_string_append(out, "<br><span class=\"en\">");
			esc(out, note.en);
			g_string_append(out, "</span></p>");
		}
		g_string_append_printf(out, "<form method=\"post\" "
		    "action=\"/item/%s/ppap\"><input type=\"hidden\" "
		    "name=\"form\" value=\"", id);
		esc(out, mugai_session_form_token(s));
		g_string_append(out, "\"><input type=\"hidden\" name=\"m\" "
		    "value=\"");
		esc(out, mac);
		g_string_append(out, "\"><input type=\"hidden\" name=\"part\" "
		    "value=\"");
		esc(out, path);
		g_string_append(out, "\"><p><label>パスワード <span "
		    "class=\"en\">Password</span><br><input type=\"password\" "
		    "name=\"password\" autocomplete=\"off\" required></label> "
		    "<button>開く Open</button></p></form>\n");
	}
}

/* Wipes the value of name in form f, in place. */
static void
wipe_field(GHashTable *f, const char *name)
{
	char *v = g_hash_table_lookup(f, name);

	if (v != NULL)
		explicit_bzero(v, strlen(v));
}

void
mugai_portal_ppap_post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, GHashTable *f)
{
	const char *mac = g_hash_table_lookup(f, "m");
	const char *part = g_hash_table_lookup(f, "part");
	const char *pass = g_hash_table_lookup(f, "password");
	struct mugai_portal_ppap_result r;
	g_auto(GStrv) rcpts = NULL;
	g_autofree char *ok_ja = NULL, *ok_en = NULL;
	JsonObject *meta;
	guint status = SOUP_STATUS_OK;

	meta = mugai_portal_item_access(po, msg, s, id, mac, &rcpts);
	if (meta == NULL) {
		wipe_field(f, "password");
		return;
	}
	mugai_keeper_ppap_try(po, s->se_user, meta, rcpts, id, part,
	    pass != NULL ? pass : "", pass != NULL ? strlen(pass) : 0, &r);
	wipe_field(f, "password");
	pass = NULL;
	json_object_unref(meta);

	note.part = part;
	switch (r.pp_outcome) {
	case MUGAI_PORTAL_PPAP_OPENED:
		note.part = NULL;
		ok_ja = g_strdup_printf("パスワード付きZIP「%s」を開き、内容を"
		    "無害化して新しいメールとしてお送りしました。件名:「パスワ"
		    "ード付きZIP「%s」の内容」", r.pp_archive, r.pp_archive);
		ok_en = g_strdup_printf("The archive \"%s\" was opened and "
		    "sanitized; its contents have been sent to you as a new "
		    "mail.", r.pp_archive);
		break;
	case MUGAI_PORTAL_PPAP_UNDELIVERED:
		note.ja = g_strdup("ZIPは開けましたが、配送に失敗しました。"
		    "管理者に連絡してください。");
		note.en = g_strdup_printf("The archive was opened (item %s) "
		    "but the delivery failed; please tell an administrator.",
		    r.pp_new_id);
		status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
		break;
	case MUGAI_PORTAL_PPAP_WRONG:
		note.ja = g_strdup_printf("パスワードが違います。あと%u回試せ"
		    "ます (10分間)。", r.pp_tries_left);
		note.en = g_strdup_printf("Wrong password. %u more "
		    "tr%s in 10 minutes.", r.pp_tries_left,
		    r.pp_tries_left == 1 ? "y" : "ies");
		status = SOUP_STATUS_FORBIDDEN;
		break;
	case MUGAI_PORTAL_PPAP_LIMITED:
		note.ja = g_strdup("試行回数の上限に達しました。10分後にもう"
		    "一度お試しください。");
		note.en = g_strdup("Too many tries; please try again in 10 "
		    "minutes.");
		status = 429;	/* Too Many Requests: not in libsoup 3.2 */
		break;
	case MUGAI_PORTAL_PPAP_FORBIDDEN:
		mugai_portal_audit(po, "ppap", id, s->se_user, FALSE, msg,
		    "error", "not a recipient");
		mugai_portal_error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "このZIPを開けるのは受信者だけです。",
		    "Only a recipient may open this archive.");
		goto out;
	case MUGAI_PORTAL_PPAP_NO_ARCHIVE:
		mugai_portal_error_page(msg, s, SOUP_STATUS_BAD_REQUEST,
		    "その部分はパスワード付きZIPではありません。",
		    "That part is no password-protected archive.");
		goto out;
	default:
		note.ja = g_strdup("ZIPを開けませんでした。");
		note.en = g_strdup_printf("The archive could not be opened: "
		    "%s", r.pp_reason != NULL ? r.pp_reason : "failed");
		status = SOUP_STATUS_UNPROCESSABLE_ENTITY;
		break;
	}
	mugai_portal_item_page(po, msg, s, id, mac, ok_ja, ok_en);
	if (status != SOUP_STATUS_OK)
		soup_server_message_set_status(msg, status, NULL);
out:
	note.part = NULL;
	g_clear_pointer(&note.ja, g_free);
	g_clear_pointer(&note.en, g_free);
	mugai_portal_ppap_result_clear(&r);
}
