/*
 * mugai-portal pages - every URL of the portal, Japanese first
 *
 *   GET  /login, POST /login, POST /logout
 *   GET  /                    the user's items (q=, page=)
 *   GET  /item/ID?m=MAC       one item: headers, removed parts, requests
 *   POST /item/ID/request     ask for the original or a part
 *   GET  /queue               pending requests the user may decide
 *   POST /item/ID/decide      approve or deny one request
 *   POST /item/ID/ppap        the password of an encrypted archive
 *                             (portal/ppap.c)
 *   GET  /item/ID/preview/PART?m=MAC&p=N   a removed part drawn as PNG
 *   GET  /style.css
 *
 * Every response carries a strict Content-Security-Policy (no script at
 * all: the pages need none), no-store, nosniff, no referrer (an item link
 * carries its MAC). Every POST needs the session cookie and a one-time
 * form token (session.h); every item URL needs the item's MAC
 * (lib/portal/link.h), checked before the store is read, and a role that
 * may see it (lib/portal/role.h); anything else is a 403 that says which.
 * Everything a user does is a line in the store's audit.log with their
 * address as actor.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/config.h"
#include "extract/preview.h"
#include "portal/link.h"
#include "portal/request.h"
#include "portal/role.h"
#include "store/qid.h"
#include "store/quarantine.h"
#include "auth.h"
#include "keeper.h"
#include "portal.h"
#include "ppap.h"
#include "session.h"

#define COOKIE "mugai_session"

static const char css[] =
    "body{font-family:sans-serif;margin:0;color:#222;background:#f6f7f9}"
    "header{background:#234;color:#fff;padding:.6em 1em}"
    "header a{color:#fff;margin-right:1em}"
    "header form{display:inline}"
    "main{padding:1em;max-width:70em}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{border:1px solid #ccd;padding:.3em .5em;text-align:left;"
    "vertical-align:top}"
    "th{background:#e8ecf2}"
    ".en{color:#667;font-size:90%}"
    ".err{background:#fdd;border:1px solid #c66;padding:.5em}"
    ".ok{background:#dfd;border:1px solid #6a6;padding:.5em}"
    "pre{white-space:pre-wrap;background:#fff;border:1px solid #ccd;"
    "padding:.5em}"
    "code{font-size:85%;word-break:break-all}"
    "input[type=text],input[type=password],textarea{width:24em}"
    "img.pv{max-width:30em;border:1px solid #ccd;background:#fff;"
    "margin:.2em}";

/* ---- responses ---- */

static void
secure_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "Strict-Transport-Security",
	    "max-age=31536000");
}

static void
respond(SoupServerMessage *msg, guint status, const char *type,
    GString *body)
{
	gsize len = body->len;

	secure_headers(msg);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE,
	    g_string_free(body, FALSE), len);
}

static void
redirect(SoupServerMessage *msg, const char *to)
{
	secure_headers(msg);
	soup_server_message_set_redirect(msg, SOUP_STATUS_SEE_OTHER, to);
}

/* Appends text, HTML-escaped. */
static void
esc(GString *out, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text != NULL ? text : "",
	    -1);

	g_string_append(out, e);
}

static void
page_begin(GString *out, const char *ja, const char *en,
    struct mugai_session *s)
{
	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"ja\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	esc(out, ja);
	g_string_append(out, " / ");
	esc(out, en);
	g_string_append(out, " - mugai</title>"
	    "<link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
	    "<header><strong>mugai 無害化メール</strong> ");
	if (s != NULL && s->se_user != NULL) {
		g_string_append(out, "<a href=\"/\">受信一覧 <span>Items"
		    "</span></a><a href=\"/queue\">承認待ち <span>Approvals"
		    "</span></a> ");
		esc(out, s->se_user);
		g_string_append(out, " <form method=\"post\" "
		    "action=\"/logout\"><input type=\"hidden\" name=\"form\" "
		    "value=\"");
		esc(out, mugai_session_form_token(s));
		g_string_append(out, "\"><button>ログアウト Log out</button>"
		    "</form>");
	}
	g_string_append(out, "</header><main><h1>");
	esc(out, ja);
	g_string_append(out, " <span class=\"en\">");
	esc(out, en);
	g_string_append(out, "</span></h1>\n");
}

static void
page_end(GString *out)
{
	g_string_append(out, "</main></body></html>\n");
}

static void
error_page(SoupServerMessage *msg, struct mugai_session *s, guint status,
    const char *ja, const char *en)
{
	GString *out = g_string_new(NULL);

	page_begin(out, "エラー", "Error", s);
	g_string_append(out, "<p class=\"err\">");
	esc(out, ja);
	g_string_append(out, "<br><span class=\"en\">");
	esc(out, en);
	g_string_append(out, "</span></p>");
	page_end(out);
	respond(msg, status, "text/html; charset=utf-8", out);
}

static void
form_token(GString *out, struct mugai_session *s)
{
	g_string_append(out, "<input type=\"hidden\" name=\"form\" value=\"");
	esc(out, mugai_session_form_token(s));
	g_string_append(out, "\">");
}

/* ---- requests ---- */

static const char *
cookie_value(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *c = soup_message_headers_get_one(h, "Cookie");
	static char val[64];
	const char *p;

	/* Our one cookie: "mugai_session=" and 43 token characters. */
	if (c == NULL || (p = strstr(c, COOKIE "=")) == NULL ||
	    (p != c && p[-1] != ' ' && p[-1] != ';'))
		return NULL;
	p += strlen(COOKIE "=");
	g_strlcpy(val, p, sizeof val);
	val[strcspn(val, "; ")] = '\0';
	return val;
}

static void
set_cookie(SoupServerMessage *msg, const char *id, gint64 max_age_s)
{
	g_autofree char *v = g_strdup_printf(COOKIE "=%s; Path=/; HttpOnly; "
	    "Secure; SameSite=Strict; Max-Age=%" G_GINT64_FORMAT, id,
	    max_age_s);

	soup_message_headers_append(
	    soup_server_message_get_response_headers(msg), "Set-Cookie", v);
}

/* The POST form (transfer full), or an empty table. */
static GHashTable *
post_form(SoupServerMessage *msg)
{
	SoupMessageBody *b = soup_server_message_get_request_body(msg);
	g_autoptr(GBytes) bytes = soup_message_body_flatten(b);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	char *text = g_strndup(data != NULL ? data : "", len);
	GHashTable *f = soup_form_decode(text);

	/* A form may carry a password (portal/ppap.c): no copy outlives
	 * the decoded table, which its handler wipes. */
	explicit_bzero(text, len);
	g_free(text);
	if (data != NULL)
		explicit_bzero((char *)data, len);
	if (b->data != NULL && (gconstpointer)b->data != (gconstpointer)data)
		explicit_bzero((char *)b->data, (gsize)b->length);
	return f;
}

static void
audit(struct mugai_portal *po, const char *event, const char *id,
    const char *actor, gboolean ok, SoupServerMessage *msg, const char *k1,
    const char *v1)
{
	JsonObject *x = json_object_new();

	json_object_set_string_member(x, "via", "mugai-portal");
	json_object_set_string_member(x, "client",
	    soup_server_message_get_remote_host(msg));
	if (k1 != NULL && v1 != NULL) {
		g_autofree char *v = g_utf8_make_valid(v1, -1);

		json_object_set_string_member(x, k1, v);
	}
	(void)mugai_keeper_audit(po, event, id, actor, ok ? "ok" : "failed",
	    x);
	json_object_unref(x);
}

/* ---- login ---- */

/* A local path to go back to after login, else "/". */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strpbrk(next, "\r\n") != NULL)
		return "/";
	return next;
}

static void
login_page(struct mugai_portal *po, SoupServerMessage *msg,
    const char *next, const char *err_ja, const char *err_en)
{
	struct mugai_session *s = mugai_sessions_create(po->po_sessions, NULL);
	GString *out = g_string_new(NULL);

	page_begin(out, "ログイン", "Log in", NULL);
	if (err_ja != NULL) {
		g_string_append(out, "<p class=\"err\">");
		esc(out, err_ja);
		g_string_append(out, "<br><span class=\"en\">");
		esc(out, err_en);
		g_string_append(out, "</span></p>");
	}
	g_string_append(out, "<form method=\"post\" action=\"/login\">");
	form_token(out, s);
	g_string_append(out, "<input type=\"hidden\" name=\"next\" value=\"");
	esc(out, safe_next(next));
	g_string_append(out, "\"><p><label>メールアドレスまたはユーザー名 "
	    "<span class=\"en\">Address or user name</span><br>"
	    "<input type=\"text\" name=\"login\" autocomplete=\"username\" "
	    "required></label></p><p><label>パスワード <span class=\"en\">"
	    "Password</span><br><input type=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required></label></p>"
	    "<p><button type=\"submit\">ログイン Log in</button></p></form>");
	page_end(out);
	set_cookie(msg, s->se_id, 3600);
	respond(msg, SOUP_STATUS_OK, "text/html; charset=utf-8", out);
}

struct login_job {
	struct mugai_portal *lj_po;
	SoupServerMessage *lj_msg;
	char *lj_login;
	char *lj_password;
	char *lj_user;
	char *lj_next;
	char *lj_addr;
	enum mugai_auth_result lj_result;
	char *lj_why;
};

static void
login_job_free(struct login_job *j)
{
	g_object_unref(j->lj_msg);
	g_free(j->lj_login);
	if (j->lj_password != NULL) {
		memset(j->lj_password, 0, strlen(j->lj_password));
		g_free(j->lj_password);
	}
	g_free(j->lj_user);
	g_free(j->lj_next);
	g_free(j->lj_addr);
	g_free(j->lj_why);
	g_free(j);
}

static void
login_thread(GTask *task, gpointer src, gpointer data, GCancellable *c)
{
	struct login_job *j = data;

	(void)src;
	(void)c;
	j->lj_result = mugai_auth_check(j->lj_po->po_cf, j->lj_login,
	    j->lj_password, &j->lj_why);
	g_task_return_boolean(task, TRUE);
}

static void
login_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct login_job *j = data;
	struct mugai_portal *po = j->lj_po;
	g_autofree char *ukey = g_strconcat("u:", j->lj_user, NULL);
	g_autofree char *akey = g_strconcat("a:", j->lj_addr, NULL);
	struct mugai_session *s;

	(void)src;
	(void)res;
	if (j->lj_result == MUGAI_AUTH_OK) {
		mugai_limiter_reset(po->po_limit, ukey);
		s = mugai_sessions_create(po->po_sessions, j->lj_user);
		set_cookie(j->lj_msg, s->se_id,
		    po->po_cf->cf_portal_session_lifetime / 1000);
		audit(po, "login", NULL, j->lj_user, TRUE, j->lj_msg, NULL,
		    NULL);
		redirect(j->lj_msg, safe_next(j->lj_next));
	} else {
		if (j->lj_result == MUGAI_AUTH_DENIED) {
			mugai_limiter_fail(po->po_limit, ukey);
			mugai_limiter_fail(po->po_limit, akey);
		}
		audit(po, "login", NULL, j->lj_user, FALSE, j->lj_msg, "error",
		    j->lj_why);
		if (j->lj_result == MUGAI_AUTH_DENIED)
			login_page(po, j->lj_msg, j->lj_next,
			    "ユーザー名またはパスワードが違います。",
			    "Wrong user name or password.");
		else
			login_page(po, j->lj_msg, j->lj_next,
			    "認証サーバーに接続できません。しばらくして"
			    "からやり直してください。",
			    "The authentication server cannot be reached; "
			    "try again later.");
	}
	soup_server_message_unpause(j->lj_msg);
	login_job_free(j);
}

static void
login_post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s)
{
	g_autoptr(GHashTable) f = post_form(msg);
	const char *login = g_hash_table_lookup(f, "login");
	const char *pw = g_hash_table_lookup(f, "password");
	const char *next = g_hash_table_lookup(f, "next");
	const char *addr = soup_server_message_get_remote_host(msg);
	g_autofree char *user = NULL, *ukey = NULL, *akey = NULL;
	struct login_job *j;
	GTask *task;

	if (!mugai_session_spend_form(s, g_hash_table_lookup(f, "form"))) {
		login_page(po, msg, next, "フォームの有効期限が切れました。"
		    "もう一度ログインしてください。",
		    "The form has expired; please log in again.");
		return;
	}
	/* The pre-login session is spent: a login gets a new one. */
	mugai_sessions_drop(po->po_sessions, s->se_id);
	user = mugai_auth_address(po->po_cf, login);
	if (user == NULL || pw == NULL || *pw == '\0') {
		login_page(po, msg, next, "ユーザー名またはパスワードが"
		    "違います。", "Wrong user name or password.");
		return;
	}
	ukey = g_strconcat("u:", user, NULL);
	akey = g_strconcat("a:", addr != NULL ? addr : "?", NULL);
	if (mugai_limiter_locked(po->po_limit, ukey) ||
	    mugai_limiter_locked(po->po_limit, akey)) {
		audit(po, "login", NULL, user, FALSE, msg, "error",
		    "locked out after failed logins");
		login_page(po, msg, next, "ログインの失敗が続いたため、"
		    "しばらくログインできません。",
		    "Too many failed logins; try again later.");
		return;
	}
	j = g_new0(struct login_job, 1);
	j->lj_po = po;
	j->lj_msg = g_object_ref(msg);
	j->lj_login = g_strdup(login);
	j->lj_password = g_strdup(pw);
	j->lj_user = g_steal_pointer(&user);
	j->lj_next = g_strdup(next);
	j->lj_addr = g_strdup(addr != NULL ? addr : "?");
	soup_server_message_pause(msg);
	task = g_task_new(NULL, NULL, login_done, j);
	g_task_set_task_data(task, j, NULL);
	g_task_run_in_thread(task, login_thread);
	g_object_unref(task);
}

/* ---- list ---- */

static guint
page_number(GHashTable *query)
{
	const char *p = query != NULL ? g_hash_table_lookup(query, "page") :
	    NULL;
	guint64 v = 0;
	char *end = NULL;

	if (p == NULL || *p == '\0')
		return 0;
	v = g_ascii_strtoull(p, &end, 10);
	return end != NULL && *end == '\0' && v < 100000 ? (guint)v : 0;
}

static void
item_link(GString *out, struct mugai_portal *po, const char *id)
{
	g_autofree char *mac = mugai_link_mac(po->po_link_key, id);

	g_string_append_printf(out, "/item/%s?m=%s", id, mac);
}

static void
list_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, GHashTable *query)
{
	const char *q = query != NULL ? g_hash_table_lookup(query, "q") : NULL;
	guint page = page_number(query);
	gboolean more = FALSE;
	GPtrArray *rows = mugai_portal_list(po, s->se_user, q, page, &more);
	GString *out = g_string_new(NULL);

	page_begin(out, "受信一覧", "Your items", s);
	g_string_append(out, "<form method=\"get\" action=\"/\"><input "
	    "type=\"text\" name=\"q\" value=\"");
	esc(out, q);
	g_string_append(out, "\"> <button>検索 Search</button></form>"
	    "<table><tr><th>受信日時<br><span class=\"en\">Date</span></th>"
	    "<th>差出人<br><span class=\"en\">From</span></th>"
	    "<th>件名<br><span class=\"en\">Subject</span></th>"
	    "<th>削除された添付<br><span class=\"en\">Removed</span></th>"
	    "<th>申請<br><span class=\"en\">Request</span></th></tr>\n");
	for (guint i = 0; i < rows->len; i++) {
		struct mugai_portal_row *r = g_ptr_array_index(rows, i);

		g_string_append(out, "<tr><td>");
		esc(out, r->pr_time);
		g_string_append(out, "</td><td>");
		esc(out, r->pr_from);
		g_string_append(out, "</td><td><a href=\"");
		item_link(out, po, r->pr_id);
		g_string_append(out, "\">");
		esc(out, r->pr_subject != NULL && *r->pr_subject != '\0' ?
		    r->pr_subject : "(件名なし / no subject)");
		g_string_append(out, "</a></td><td>");
		esc(out, r->pr_removed);
		g_string_append(out, "</td><td>");
		esc(out, r->pr_state != NULL ? r->pr_state : "-");
		g_string_append(out, "</td></tr>\n");
	}
	if (rows->len == 0)
		g_string_append(out, "<tr><td colspan=\"5\">該当するメールは"
		    "ありません。<span class=\"en\">No items.</span></td>"
		    "</tr>");
	g_string_append(out, "</table><p>");
	if (page > 0) {
		g_autofree char *eq = g_uri_escape_string(q != NULL ? q : "",
		    NULL, FALSE);

		g_string_append_printf(out, "<a href=\"/?page=%u&amp;q=%s\">"
		    "前へ Previous</a> ", page - 1, eq);
	}
	if (more) {
		g_autofree char *eq = g_uri_escape_string(q != NULL ? q : "",
		    NULL, FALSE);

		g_string_append_printf(out, "<a href=\"/?page=%u&amp;q=%s\">"
		    "次へ Next</a>", page + 1, eq);
	}
	g_string_append(out, "</p>");
	page_end(out);
	g_ptr_array_free(rows, TRUE);
	respond(msg, SOUP_STATUS_OK, "text/html; charset=utf-8", out);
}

/* ---- item ---- */

static JsonObject *
jo(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ?
	    json_node_get_object(n) : NULL;
}

/* Any scalar member as text, or NULL (transfer full). */
static char *
jt(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return NULL;
	if (json_node_get_value_type(n) == G_TYPE_STRING)
		return g_strdup(json_node_get_string(n));
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return g_strdup_printf("%" G_GINT64_FORMAT,
		    json_node_get_int(n));
	return NULL;
}

static void
row(GString *out, const char *ja, const char *en, const char *v)
{
	g_string_append(out, "<tr><th>");
	esc(out, ja);
	g_string_append(out, " <span class=\"en\">");
	esc(out, en);
	g_string_append(out, "</span></th><td>");
	esc(out, v != NULL ? v : "-");
	g_string_append(out, "</td></tr>\n");
}

static void
part_rows(GString *out, struct mugai_portal *po, struct mugai_session *s,
    JsonObject *meta, const char *id, const char *mac, gboolean may_ask)
{
	JsonNode *pn = json_object_get_member(jo(meta, "report") != NULL ?
	    jo(meta, "report") : meta, "parts");
	JsonArray *parts = pn != NULL && JSON_NODE_HOLDS_ARRAY(pn) ?
	    json_node_get_array(pn) : NULL;
	guint shown = 0;

	g_string_append(out, "<h2>削除された添付ファイル <span class=\"en\">"
	    "Removed parts</span></h2><table><tr><th>部分<br><span "
	    "class=\"en\">Part</span></th><th>ファイル名<br><span "
	    "class=\"en\">Name</span></th><th>検出した種類<br><span "
	    "class=\"en\">Detected type</span></th><th>サイズ<br><span "
	    "class=\"en\">Size</span></th><th>SHA-256</th><th>規則・理由<br>"
	    "<span class=\"en\">Rule, reason</span></th><th></th></tr>\n");
	for (guint i = 0; parts != NULL && i < json_array_get_length(parts);
	    i++) {
		JsonNode *n = json_array_get_element(parts, i);
		JsonObject *p;
		g_autofree char *path = NULL, *name = NULL, *type = NULL,
		    *size = NULL, *sha = NULL, *rule = NULL, *reason = NULL,
		    *action = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		p = json_node_get_object(n);
		action = jt(p, "action");
		if (g_strcmp0(action, "drop") != 0 &&
		    g_strcmp0(action, "quarantine") != 0)
			continue;
		shown++;
		path = jt(p, "path");
		name = jt(p, "filename");
		type = jt(p, "detected_type");
		size = jt(p, "size");
		sha = jt(p, "sha256");
		rule = jt(p, "rule");
		reason = jt(p, "reason");
		g_string_append(out, "<tr><td>");
		esc(out, path);
		g_string_append(out, "</td><td>");
		esc(out, name != NULL ? name : "(名前なし / unnamed)");
		g_string_append(out, "</td><td>");
		esc(out, type);
		g_string_append(out, "</td><td>");
		esc(out, size);
		g_string_append(out, "</td><td><code>");
		esc(out, sha);
		g_string_append(out, "</code></td><td>");
		esc(out, rule);
		g_string_append(out, "<br>");
		esc(out, reason);
		g_string_append(out, "</td><td>");
		if (may_ask && mugai_request_part_valid(path)) {
			g_string_append_printf(out, "<form method=\"post\" "
			    "action=\"/item/%s/request\">", id);
			form_token(out, s);
			g_string_append_printf(out, "<input type=\"hidden\" "
			    "name=\"m\" value=\"%s\"><input type=\"hidden\" "
			    "name=\"part\" value=\"", mac);
			esc(out, path);
			g_string_append(out, "\"><input type=\"text\" "
			    "name=\"reason\" placeholder=\"理由 reason\" "
			    "required> <button>この添付を申請 Request this "
			    "part</button></form>");
		}
		g_string_append(out, "</td></tr>\n");
	}
	if (shown == 0)
		g_string_append(out, "<tr><td colspan=\"7\">なし <span "
		    "class=\"en\">None</span></td></tr>");
	g_string_append(out, "</table>\n");
	(void)po;
}

static void
request_rows(GString *out, struct mugai_portal *po, struct mugai_session *s,
    JsonObject *meta, char **rcpts, const char *id, const char *mac)
{
	enum mugai_err err;
	GPtrArray *reqs = mugai_portal_requests(po, id, &err);

	g_string_append(out, "<h2>申請 <span class=\"en\">Requests</span>"
	    "</h2>");
	if (reqs == NULL || reqs->len == 0) {
		g_string_append(out, "<p>申請はありません。<span class=\"en\">"
		    "No requests.</span></p>");
		if (reqs != NULL)
			g_ptr_array_free(reqs, TRUE);
		return;
	}
	g_string_append(out, "<table><tr><th>#</th><th>対象<br><span "
	    "class=\"en\">Part</span></th><th>申請者・理由<br><span "
	    "class=\"en\">Requester, reason</span></th><th>状態<br><span "
	    "class=\"en\">State</span></th><th>判断<br><span class=\"en\">"
	    "Decision</span></th></tr>\n");
	for (guint i = 0; i < reqs->len; i++) {
		struct mugai_request *rq = g_ptr_array_index(reqs, i);

		g_string_append_printf(out, "<tr><td>%u</td><td>", rq->rq_n);
		esc(out, strcmp(rq->rq_part, MUGAI_REQUEST_ORIGINAL) == 0 ?
		    "原本 (メール全体) / original" : rq->rq_part);
		g_string_append(out, "</td><td>");
		esc(out, rq->rq_requester);
		g_string_append(out, "<br>");
		esc(out, rq->rq_reason);
		g_string_append(out, "</td><td>");
		esc(out, mugai_request_state_ja(rq->rq_state));
		g_string_append(out, " <span class=\"en\">");
		esc(out, mugai_request_state_name(rq->rq_state));
		g_string_append(out, "</span></td><td>");
		if (rq->rq_state != MUGAI_REQUEST_PENDING) {
			g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
			    rq->rq_decided / G_USEC_PER_SEC);
			g_autofree char *ts = t != NULL ?
			    g_date_time_format(t, "%Y-%m-%d %H:%M UTC") : NULL;

			esc(out, rq->rq_decider);
			g_string_append(out, " ");
			esc(out, ts);
			g_string_append(out, "<br>");
			esc(out, rq->rq_comment);
		} else if (mugai_roles_can_decide(po->po_roles, s->se_user,
		    (const char *const *)rcpts, rq->rq_requester,
		    mugai_portal_request_rule(po, meta, rq->rq_part))) {
			g_string_append_printf(out, "<form method=\"post\" "
			    "action=\"/item/%s/decide\">", id);
			form_token(out, s);
			g_string_append_printf(out, "<input type=\"hidden\" "
			    "name=\"m\" value=\"%s\"><input type=\"hidden\" "
			    "name=\"n\" value=\"%u\"><input type=\"text\" "
			    "name=\"comment\" placeholder=\"コメント comment\">"
			    " <button name=\"action\" value=\"approve\">承認 "
			    "Approve</button> <button name=\"action\" "
			    "value=\"deny\">却下 Deny</button></form>", mac,
			    rq->rq_n);
		} else {
			g_string_append(out, "承認待ち <span class=\"en\">"
			    "waiting for an approver</span>");
		}
		g_string_append(out, "</td></tr>\n");
	}
	g_string_append(out, "</table>\n");
	g_ptr_array_free(reqs, TRUE);
}

static void preview_rows(GString *out, struct mugai_portal *po,
    JsonObject *meta, const char *id, const char *mac);

/*
 * The item id of the URL, if the MAC m is right and user may see it;
 * otherwise answers and returns NULL. *rcpts gets the recipients.
 */
static JsonObject *
item_access(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    char ***rcpts)
{
	JsonObject *meta;

	*rcpts = NULL;
	if (!mugai_qid_valid(id) ||
	    !mugai_link_check(po->po_link_key, id, mac)) {
		audit(po, "view", mugai_qid_valid(id) ? id : NULL, s->se_user,
		    FALSE, msg, "error", "bad link");
		error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "このリンクは正しくありません。",
		    "This link is not valid.");
		return NULL;
	}
	meta = mugai_portal_item_meta(po, id, rcpts);
	if (meta == NULL || !mugai_roles_can_view(po->po_roles, s->se_user,
	    (const char *const *)*rcpts)) {
		audit(po, "view", id, s->se_user, FALSE, msg, "error",
		    meta == NULL ? "no such item" : "not a recipient");
		if (meta != NULL)
			json_object_unref(meta);
		g_clear_pointer(rcpts, g_strfreev);
		/* The same answer either way: nothing about who got it. */
		error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "このメールを表示する権限がありません。",
		    "You may not see this item.");
		return NULL;
	}
	return meta;
}

static void
item_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, GHashTable *query,
    const char *note_ja, const char *note_en)
{
	const char *mac = query != NULL ? g_hash_table_lookup(query, "m") :
	    NULL;
	g_auto(GStrv) rcpts = NULL;
	JsonObject *meta = item_access(po, msg, s, id, mac, &rcpts);
	JsonObject *hdr, *env, *orig, *sum;
	g_autofree char *rc = NULL, *size = NULL, *sha = NULL;
	GString *out;
	gboolean may_ask;

	if (meta == NULL)
		return;
	audit(po, "view", id, s->se_user, TRUE, msg, NULL, NULL);
	hdr = jo(meta, "headers");
	env = jo(meta, "envelope");
	orig = jo(meta, "original");
	sum = jo(meta, "summary");
	rc = g_strjoinv(", ", rcpts);
	may_ask = mugai_roles_can_request(po->po_roles, s->se_user,
	    (const char *const *)rcpts);
	out = g_string_new(NULL);
	page_begin(out, "メールの詳細", "Item", s);
	if (note_ja != NULL) {
		g_string_append(out, "<p class=\"ok\">");
		esc(out, note_ja);
		g_string_append(out, "<br><span class=\"en\">");
		esc(out, note_en);
		g_string_append(out, "</span></p>");
	}
	g_string_append(out, "<table>");
	{
		g_autofree char *from = jt(hdr, "from"), *to = jt(hdr, "to"),
		    *subj = jt(hdr, "subject"), *date = jt(hdr, "date"),
		    *sender = jt(env, "sender"), *verdict = jt(sum,
		    "verdict"), *mid = jt(hdr, "message_id");

		row(out, "件名", "Subject", subj);
		row(out, "差出人", "From", from);
		row(out, "宛先", "To", to);
		row(out, "日付", "Date", date);
		row(out, "エンベロープ送信者", "Envelope sender", sender);
		row(out, "エンベロープ受信者", "Envelope recipients", rc);
		row(out, "Message-ID", "Message-ID", mid);
		row(out, "判定", "Verdict", verdict);
		row(out, "ID", "ID", id);
	}
	size = jt(orig, "size");
	sha = jt(orig, "sha256");
	row(out, "原本のサイズ", "Original size", size);
	row(out, "原本の SHA-256", "Original SHA-256", sha);
	g_string_append(out, "</table>\n");
	part_rows(out, po, s, meta, id, mac, may_ask);
	mugai_portal_ppap_form(out, po, s, meta, rcpts, id, mac);
	preview_rows(out, po, meta, id, mac);
	if (may_ask) {
		g_string_append_printf(out, "<h2>原本の申請 <span class=\"en\">"
		    "Request the original</span></h2><form method=\"post\" "
		    "action=\"/item/%s/request\">", id);
		form_token(out, s);
		g_string_append_printf(out, "<input type=\"hidden\" name=\"m\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"part\" "
		    "value=\"original\"><p><label>理由 <span class=\"en\">"
		    "Reason</span><br><textarea name=\"reason\" rows=\"3\" "
		    "required></textarea></label></p><p><button>原本 (メール"
		    "全体) を申請 Request the whole original</button></p>"
		    "</form>\n", mac);
	}
	request_rows(out, po, s, meta, rcpts, id, mac);
	page_end(out);
	json_object_unref(meta);
	respond(msg, SOUP_STATUS_OK, "text/html; charset=utf-8", out);
}

/* ---- preview (画面転送) ---- */

/* Remembers that the PDF of item id's part has pages pages. */
static void
preview_pages_note(struct mugai_portal *po, const char *id,
    const char *part, int pages)
{
	if (pages <= 0)
		return;
	if (po->po_pv_pages == NULL)
		po->po_pv_pages = g_hash_table_new_full(g_str_hash,
		    g_str_equal, g_free, NULL);
	/* A bound, not a cache policy: the counts cost a draw to remake. */
	if (g_hash_table_size(po->po_pv_pages) >= 10000)
		g_hash_table_remove_all(po->po_pv_pages);
	g_hash_table_insert(po->po_pv_pages, g_strdup_printf("%s/%s", id,
	    part), GINT_TO_POINTER(pages));
}

/*
 * How many pictures the item page shows of a removed part: one of an
 * image; of a PDF its pages up to preview_pages. A PDF's page count is
 * learned by drawing its first page once, small (the helper says the
 * count with every picture), and kept per item and part, so a page never
 * offers a picture of a page the document does not have.
 */
static gint64
preview_count(struct mugai_portal *po, const char *id, const char *part,
    const char *kind)
{
	gint64 max = po->po_cf->cf_portal_preview_pages;
	g_autofree char *key = NULL, *why = NULL;
	g_autoptr(GBytes) bytes = NULL;
	struct mugai_preview pv = { 0 };
	gpointer v;
	gconstpointer d;
	gsize len;

	if (strcmp(kind, "pdf") != 0)
		return 1;
	key = g_strdup_printf("%s/%s", id, part);
	if (po->po_pv_pages != NULL && (v = g_hash_table_lookup(
	    po->po_pv_pages, key)) != NULL)
		return MIN(max, GPOINTER_TO_INT(v));
	if ((bytes = mugai_keeper_part_bytes(po, id, part)) == NULL)
		return 0;
	d = g_bytes_get_data(bytes, &len);
	if (mugai_preview_render(po->po_helper, d, len, kind, 0, 16, &pv,
	    &why) != MUGAI_OK)
		return 1;	/* the picture's own request says why */
	if (pv.pv_png != NULL)
		g_bytes_unref(pv.pv_png);
	preview_pages_note(po, id, part, pv.pv_pages);
	return pv.pv_pages > 0 ? MIN(max, pv.pv_pages) : 1;
}

/*
 * The pictures of the removed parts that have one: PDF pages and PNG
 * images, drawn by the sandboxed helper when the browser asks for them
 * (preview_page). Plain <img>: no script.
 */
static void
preview_rows(GString *out, struct mugai_portal *po, JsonObject *meta,
    const char *id, const char *mac)
{
	JsonObject *rep = jo(meta, "report") != NULL ? jo(meta, "report") :
	    meta;
	JsonNode *pn = json_object_get_member(rep, "parts");
	JsonArray *parts = pn != NULL && JSON_NODE_HOLDS_ARRAY(pn) ?
	    json_node_get_array(pn) : NULL;
	gboolean head = FALSE;

	for (guint i = 0; parts != NULL && po->po_cf->cf_portal_preview_pages
	    > 0 && i < json_array_get_length(parts); i++) {
		JsonNode *n = json_array_get_element(parts, i);
		g_autofree char *path = NULL, *name = NULL;
		const char *kind;
		gint64 pages;

		if (!JSON_NODE_HOLDS_OBJECT(n))
			continue;
		path = jt(json_node_get_object(n), "path");
		name = jt(json_node_get_object(n), "filename");
		if (path == NULL || !mugai_request_part_valid(path) ||
		    !mugai_portal_part_removed(meta, path) ||
		    (kind = mugai_portal_preview_kind(meta, path)) == NULL)
			continue;
		if (!head) {
			g_string_append(out, "<h2>プレビュー <span class=\"en\">"
			    "Preview</span></h2><p>添付ファイルの内容を画像で"
			    "表示しています (ファイルそのものは送られません)。"
			    "<span class=\"en\">The removed parts drawn as "
			    "pictures; the files themselves are not sent."
			    "</span></p>\n");
			head = TRUE;
		}
		g_string_append(out, "<h3>");
		esc(out, path);
		g_string_append(out, " ");
		esc(out, name);
		g_string_append(out, "</h3><p>");
		pages = preview_count(po, id, path, kind);
		for (gint64 p = 0; p < pages; p++) {
			g_string_append_printf(out, "<img class=\"pv\" "
			    "src=\"/item/%s/preview/", id);
			esc(out, path);
			g_string_append_printf(out, "?m=%s&amp;p=%" G_GINT64_FORMAT
			    "\" alt=\"%" G_GINT64_FORMAT " ページ / page %"
			    G_GINT64_FORMAT "\"> ", mac, p, p + 1, p + 1);
		}
		g_string_append(out, "</p>\n");
	}
}

/* GET /item/ID/preview/PART?m=MAC&p=N: one picture, image/png. */
static void
preview_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *part,
    GHashTable *query)
{
	const char *mac = query != NULL ? g_hash_table_lookup(query, "m") :
	    NULL;
	const char *ps = query != NULL ? g_hash_table_lookup(query, "p") :
	    NULL;
	g_auto(GStrv) rcpts = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree char *why = NULL;
	struct mugai_preview pv = { 0 };
	JsonObject *meta;
	const char *kind = NULL;
	guint64 page = 0;
	char *end = NULL;
	gconstpointer d;
	gsize len;

	if ((meta = item_access(po, msg, s, id, mac, &rcpts)) == NULL)
		return;
	if (ps != NULL)
		page = g_ascii_strtoull(ps, &end, 10);
	if ((ps != NULL && (end == ps || *end != '\0')) ||
	    page >= (guint64)po->po_cf->cf_portal_preview_pages ||
	    !mugai_request_part_valid(part) ||
	    strcmp(part, MUGAI_REQUEST_ORIGINAL) == 0 ||
	    !mugai_portal_part_removed(meta, part) ||
	    (kind = mugai_portal_preview_kind(meta, part)) == NULL ||
	    (bytes = mugai_keeper_part_bytes(po, id, part)) == NULL) {
		audit(po, "preview", id, s->se_user, FALSE, msg, "part",
		    part);
		error_page(msg, s, SOUP_STATUS_NOT_FOUND,
		    "この添付ファイルのプレビューはありません。",
		    "No preview of this part.");
		json_object_unref(meta);
		return;
	}
	json_object_unref(meta);
	d = g_bytes_get_data(bytes, &len);
	if (mugai_preview_render(po->po_helper, d, len, kind, (guint)page, 0,
	    &pv, &why) != MUGAI_OK || pv.pv_png == NULL) {
		audit(po, "preview", id, s->se_user, FALSE, msg, "error",
		    why != NULL ? why : pv.pv_status);
		error_page(msg, s, SOUP_STATUS_NOT_FOUND,
		    "プレビューを作成できませんでした。",
		    "The preview could not be drawn.");
		return;
	}
	preview_pages_note(po, id, part, pv.pv_pages);
	audit(po, "preview", id, s->se_user, TRUE, msg, "part", part);
	secure_headers(msg);
	soup_message_headers_replace(
	    soup_server_message_get_response_headers(msg),
	    "Content-Disposition", "inline; filename=\"preview.png\"");
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	d = g_bytes_get_data(pv.pv_png, &len);
	soup_server_message_set_response(msg, "image/png", SOUP_MEMORY_COPY,
	    d, len);
	g_bytes_unref(pv.pv_png);
}

/* ---- mail and release ---- */

/* Runs argv with input (may be NULL) on stdin; FALSE with *why. */
static gboolean
run(char **argv, const char *input, char **why)
{
	GError *gerr = NULL;
	GSubprocess *p;
	g_autofree char *err_text = NULL;
	/* Always a pipe: the command reads an empty stdin, not ours. */
	g_autoptr(GBytes) in = g_bytes_new(input != NULL ? input : "",
	    input != NULL ? strlen(input) : 0);
	GBytes *err_b = NULL;
	gboolean ok;

	p = g_subprocess_newv((const char *const *)argv,
	    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
	    G_SUBPROCESS_FLAGS_STDERR_PIPE, &gerr);
	if (p == NULL) {
		*why = g_strdup(gerr->message);
		g_error_free(gerr);
		return FALSE;
	}
	ok = g_subprocess_communicate(p, in, NULL, NULL, &err_b, &gerr);
	if (!ok) {
		*why = g_strdup(gerr->message);
		g_error_free(gerr);
	} else if (!g_subprocess_get_successful(p)) {
		gsize n = 0;
		const char *e = err_b != NULL ? g_bytes_get_data(err_b, &n) :
		    NULL;

		*why = g_strdup_printf("%s failed: %.*s", argv[0],
		    (int)MIN(n, 500), e != NULL ? e : "");
		ok = FALSE;
	}
	if (err_b != NULL)
		g_bytes_unref(err_b);
	g_object_unref(p);
	return ok;
}

/* Mails the approvers of the item a new request, with its link. */
static void
notify(struct mugai_portal *po, SoupServerMessage *msg, const char *id,
    char **rcpts, const char *requester, const char *part,
    const char *reason)
{
	g_auto(GStrv) who = mugai_roles_approvers_for(po->po_roles,
	    (const char *const *)rcpts);
	g_auto(GStrv) cmd = NULL;
	g_autofree char *url = NULL, *why = NULL, *subj = NULL;
	GPtrArray *argv;
	GString *m;

	if (who[0] == NULL || po->po_cf->cf_portal_notify_command == NULL ||
	    *po->po_cf->cf_portal_notify_command == '\0' ||
	    !g_shell_parse_argv(po->po_cf->cf_portal_notify_command, NULL,
	    &cmd, NULL))
		return;
	url = mugai_link_url(po->po_link_key,
	    po->po_cf->cf_portal_url != NULL && *po->po_cf->cf_portal_url ?
	    po->po_cf->cf_portal_url : "https://localhost:8443", id);
	subj = g_mime_utils_header_encode_text(NULL,
	    "[mugai] 原本取得の申請 / Request for a removed attachment", NULL);
	m = g_string_new(NULL);
	g_string_append_printf(m, "Subject: %s\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\nTo: ", subj);
	for (gsize i = 0; who[i] != NULL; i++)
		g_string_append_printf(m, "%s%s", i > 0 ? ", " : "", who[i]);
	g_string_append_printf(m, "\n\n%s さんから原本取得の申請があります。\n"
	    "対象: %s\n理由: %s\n\n承認または却下はこちらから:\n%s\n\n"
	    "%s asks for a removed attachment (%s).\nApprove or deny: %s\n",
	    requester, part, reason != NULL ? reason : "", url, requester,
	    part, url);
	argv = g_ptr_array_new();
	for (gsize i = 0; cmd[i] != NULL; i++)
		g_ptr_array_add(argv, cmd[i]);
	for (gsize i = 0; who[i] != NULL; i++)
		g_ptr_array_add(argv, who[i]);
	g_ptr_array_add(argv, NULL);
	if (!run((char **)argv->pdata, m->str, &why))
		audit(po, "notified", id, requester, FALSE, msg, "error", why);
	else
		audit(po, "notified", id, requester, TRUE, msg, "to",
		    who[0]);
	g_ptr_array_free(argv, TRUE);
	g_string_free(m, TRUE);
}

/*
 * Re-injects the original (part NULL) or delivers one part (with a note
 * of who approved it: lib/store/onepart.h) to requester through `mugai
 * quarantine release` (lib/store/release.c: the token bound to content
 * and recipients), the same path an administrator uses. The keeper's
 * (keeper.c): the command needs the store's owner.
 */
gboolean
mugai_portal_release_run(struct mugai_portal *po, const char *id,
    const char *part, const char *requester, const char *decider,
    char **why)
{
	GPtrArray *argv = g_ptr_array_new();
	gboolean ok;

	g_ptr_array_add(argv, po->po_mugai);
	g_ptr_array_add(argv, (char *)"quarantine");
	g_ptr_array_add(argv, (char *)"release");
	if (po->po_cf_path != NULL) {
		g_ptr_array_add(argv, (char *)"-c");
		g_ptr_array_add(argv, po->po_cf_path);
	}
	g_ptr_array_add(argv, (char *)"--to");
	g_ptr_array_add(argv, (char *)requester);
	if (part != NULL) {
		g_ptr_array_add(argv, (char *)"--part");
		g_ptr_array_add(argv, (char *)part);
		g_ptr_array_add(argv, (char *)"--approved-by");
		g_ptr_array_add(argv, (char *)decider);
		g_ptr_array_add(argv, (char *)"--requested-by");
		g_ptr_array_add(argv, (char *)requester);
	}
	g_ptr_array_add(argv, (char *)id);
	g_ptr_array_add(argv, NULL);
	ok = run((char **)argv->pdata, NULL, why);
	g_ptr_array_free(argv, TRUE);
	return ok;
}

/* Releases what approved request n of id asked for, with its audit line. */
static gboolean
release_to(struct mugai_portal *po, SoupServerMessage *msg,
    const char *id, guint n, const char *requester, const char *decider)
{
	g_autofree char *why = NULL;
	gboolean ok = mugai_keeper_release(po, id, n, decider, &why);

	audit(po, "release", id, decider, ok, msg, ok ? "to" : "error",
	    ok ? requester : why);
	return ok;
}

/* ---- POSTs on an item ---- */

static void
request_post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, GHashTable *f)
{
	const char *part = g_hash_table_lookup(f, "part");
	const char *reason = g_hash_table_lookup(f, "reason");
	g_auto(GStrv) rcpts = NULL;
	g_autoptr(GHashTable) q = g_hash_table_new(g_str_hash, g_str_equal);
	JsonObject *meta;
	enum mugai_err err;
	guint n = 0;

	meta = item_access(po, msg, s, id, g_hash_table_lookup(f, "m"),
	    &rcpts);
	if (meta == NULL)
		return;
	if (!mugai_roles_can_request(po->po_roles, s->se_user,
	    (const char *const *)rcpts)) {
		audit(po, "requested", id, s->se_user, FALSE, msg, "error",
		    "not a recipient");
		error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "このメールの原本を申請できるのは受信者だけです。",
		    "Only a recipient may ask for this item.");
		json_object_unref(meta);
		return;
	}
	/* Only what was removed can be asked for: not a kept text part. */
	err = mugai_portal_part_removed(meta, part) ?
	    mugai_keeper_request_add(po, id, part, s->se_user, reason,
	    &n) :
	    MUGAI_E_INVAL;
	g_hash_table_insert(q, (char *)"m", g_hash_table_lookup(f, "m"));
	if (err != MUGAI_OK) {
		error_page(msg, s, SOUP_STATUS_BAD_REQUEST,
		    "申請できませんでした。", mugai_err_str(err));
	} else {
		notify(po, msg, id, rcpts, s->se_user, part, reason);
		item_page(po, msg, s, id, q, "申請しました。承認者に通知しました。",
		    "Requested; the approvers have been notified.");
	}
	json_object_unref(meta);
}

static struct mugai_request *
find_request(struct mugai_portal *po, const char *id, guint n)
{
	enum mugai_err err;
	GPtrArray *reqs = mugai_portal_requests(po, id, &err);
	struct mugai_request *rq = NULL;

	if (reqs != NULL && n >= 1 && n <= reqs->len)
		rq = g_ptr_array_steal_index(reqs, n - 1);
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	return rq;
}

static void
decide_post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, GHashTable *f)
{
	const char *action = g_hash_table_lookup(f, "action");
	const char *ns = g_hash_table_lookup(f, "n");
	gboolean approve = g_strcmp0(action, "approve") == 0;
	g_auto(GStrv) rcpts = NULL;
	g_autoptr(GHashTable) q = g_hash_table_new(g_str_hash, g_str_equal);
	struct mugai_request *rq = NULL, *done = NULL;
	JsonObject *meta;
	enum mugai_err err;
	guint64 n = 0;
	char *end = NULL;

	meta = item_access(po, msg, s, id, g_hash_table_lookup(f, "m"),
	    &rcpts);
	if (meta == NULL)
		return;
	if (ns != NULL)
		n = g_ascii_strtoull(ns, &end, 10);
	if (ns == NULL || end == NULL || *end != '\0' || n == 0 ||
	    n > MUGAI_REQUEST_MAX || (!approve &&
	    g_strcmp0(action, "deny") != 0) ||
	    (rq = find_request(po, id, (guint)n)) == NULL) {
		error_page(msg, s, SOUP_STATUS_BAD_REQUEST,
		    "その申請はありません。", "No such request.");
		goto out;
	}
	if (!mugai_roles_can_decide(po->po_roles, s->se_user,
	    (const char *const *)rcpts, rq->rq_requester,
	    mugai_portal_request_rule(po, meta, rq->rq_part))) {
		audit(po, approve ? "approved" : "denied", id, s->se_user,
		    FALSE, msg, "error", "not an approver of this request");
		error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "この申請を判断する権限がありません。",
		    "You may not decide this request.");
		goto out;
	}
	err = mugai_keeper_request_decide(po, id, (guint)n, approve,
	    s->se_user, g_hash_table_lookup(f, "comment"), &done);
	g_hash_table_insert(q, (char *)"m", g_hash_table_lookup(f, "m"));
	if (err == MUGAI_E_INVAL) {
		error_page(msg, s, SOUP_STATUS_CONFLICT,
		    "この申請はすでに判断されています。",
		    "This request has been decided already.");
	} else if (err != MUGAI_OK) {
		error_page(msg, s, SOUP_STATUS_INTERNAL_SERVER_ERROR,
		    "記録できませんでした。", mugai_err_str(err));
	} else if (!approve) {
		item_page(po, msg, s, id, q, "却下しました。", "Denied.");
	} else if (strcmp(done->rq_part, MUGAI_REQUEST_ORIGINAL) == 0) {
		if (release_to(po, msg, id, (guint)n, done->rq_requester,
		    s->se_user))
			item_page(po, msg, s, id, q, "承認し、原本を申請者に"
			    "配送しました。", "Approved; the original has "
			    "been sent to the requester.");
		else
			item_page(po, msg, s, id, q, "承認しましたが、配送に"
			    "失敗しました。管理者に連絡してください。",
			    "Approved, but the delivery failed; please tell "
			    "an administrator.");
	} else if (release_to(po, msg, id, (guint)n, done->rq_requester,
	    s->se_user)) {
		item_page(po, msg, s, id, q, "承認し、添付ファイルを申請者に"
		    "配送しました。", "Approved; the part has been sent to "
		    "the requester.");
	} else {
		item_page(po, msg, s, id, q, "承認しましたが、添付ファイルの"
		    "配送に失敗しました。管理者に連絡してください。",
		    "Approved, but delivering the part failed; please tell "
		    "an administrator.");
	}
out:
	mugai_request_free(rq);
	mugai_request_free(done);
	json_object_unref(meta);
}

/* ---- queue ---- */

static void
queue_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s)
{
	GPtrArray *rows = mugai_portal_queue(po, s->se_user);
	GString *out = g_string_new(NULL);

	page_begin(out, "承認待ちの申請", "Requests waiting for you", s);
	g_string_append(out, "<table><tr><th>受信日時<br><span class=\"en\">"
	    "Date</span></th><th>件名<br><span class=\"en\">Subject</span>"
	    "</th><th>申請者<br><span class=\"en\">Requester</span></th>"
	    "<th>対象<br><span class=\"en\">Part</span></th><th>理由<br>"
	    "<span class=\"en\">Reason</span></th></tr>\n");
	for (guint i = 0; i < rows->len; i++) {
		struct mugai_portal_row *r = g_ptr_array_index(rows, i);

		g_string_append(out, "<tr><td>");
		esc(out, r->pr_time);
		g_string_append(out, "</td><td><a href=\"");
		item_link(out, po, r->pr_id);
		g_string_append(out, "\">");
		esc(out, r->pr_subject != NULL && *r->pr_subject != '\0' ?
		    r->pr_subject : "(件名なし / no subject)");
		g_string_append(out, "</a></td><td>");
		esc(out, r->pr_from);
		g_string_append(out, "</td><td>");
		esc(out, r->pr_removed);
		g_string_append(out, "</td><td>");
		esc(out, r->pr_state);
		g_string_append(out, "</td></tr>\n");
	}
	if (rows->len == 0)
		g_string_append(out, "<tr><td colspan=\"5\">承認待ちの申請は"
		    "ありません。<span class=\"en\">Nothing is waiting."
		    "</span></td></tr>");
	g_string_append(out, "</table>");
	page_end(out);
	g_ptr_array_free(rows, TRUE);
	respond(msg, SOUP_STATUS_OK, "text/html; charset=utf-8", out);
}

/* ---- for the other pages (portal/ppap.c) ---- */

JsonObject *
mugai_portal_item_access(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    char ***rcpts)
{
	return item_access(po, msg, s, id, mac, rcpts);
}

void
mugai_portal_item_page(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, const char *mac,
    const char *note_ja, const char *note_en)
{
	g_autoptr(GHashTable) q = g_hash_table_new(g_str_hash, g_str_equal);

	g_hash_table_insert(q, (char *)"m", (char *)mac);
	item_page(po, msg, s, id, q, note_ja, note_en);
}

void
mugai_portal_error_page(SoupServerMessage *msg, struct mugai_session *s,
    guint status, const char *ja, const char *en)
{
	error_page(msg, s, status, ja, en);
}

void
mugai_portal_audit(struct mugai_portal *po, const char *event,
    const char *id, const char *actor, gboolean ok, SoupServerMessage *msg,
    const char *k1, const char *v1)
{
	audit(po, event, id, actor, ok, msg, k1, v1);
}

/* ---- routing ---- */

/* "/item/ID" + rest: the ID (transfer full) and *rest, or NULL. */
static char *
item_path(const char *path, const char **rest)
{
	const char *p;

	if (!g_str_has_prefix(path, "/item/"))
		return NULL;
	p = path + strlen("/item/");
	if (strlen(p) < MUGAI_QID_LEN)
		return NULL;
	*rest = p + MUGAI_QID_LEN;
	return g_strndup(p, MUGAI_QID_LEN);
}

static void
post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *path)
{
	g_autoptr(GHashTable) f = post_form(msg);
	g_autofree char *id = NULL;
	const char *rest = NULL;

	if (!mugai_session_spend_form(s, g_hash_table_lookup(f, "form"))) {
		audit(po, "form", NULL, s->se_user, FALSE, msg, "error",
		    "missing, spent or forged form token");
		error_page(msg, s, SOUP_STATUS_FORBIDDEN,
		    "このフォームは使用済みか無効です。ページを開き直して"
		    "ください。", "This form was already sent or is not "
		    "valid; open the page again.");
		return;
	}
	if (strcmp(path, "/logout") == 0) {
		audit(po, "logout", NULL, s->se_user, TRUE, msg, NULL, NULL);
		mugai_sessions_drop(po->po_sessions, s->se_id);
		set_cookie(msg, "", 0);
		redirect(msg, "/login");
		return;
	}
	if ((id = item_path(path, &rest)) != NULL &&
	    strcmp(rest, "/request") == 0)
		request_post(po, msg, s, id, f);
	else if (id != NULL && strcmp(rest, "/decide") == 0)
		decide_post(po, msg, s, id, f);
	else if (id != NULL && strcmp(rest, "/ppap") == 0)
		mugai_portal_ppap_post(po, msg, s, id, f);
	else
		error_page(msg, s, SOUP_STATUS_NOT_FOUND,
		    "ページがありません。", "No such page.");
}

void
mugai_portal_handler(SoupServer *server, SoupServerMessage *msg,
    const char *path, GHashTable *query, gpointer data)
{
	struct mugai_portal *po = data;
	const char *method = soup_server_message_get_method(msg);
	gboolean is_post = strcmp(method, "POST") == 0;
	struct mugai_session *s;
	g_autofree char *id = NULL;
	const char *rest = NULL;

	(void)server;
	if (!is_post && strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0) {
		secure_headers(msg);
		soup_server_message_set_status(msg,
		    SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
		return;
	}
	if (strcmp(path, "/style.css") == 0) {
		GString *b = g_string_new(css);

		respond(msg, SOUP_STATUS_OK, "text/css; charset=utf-8", b);
		soup_message_headers_replace(
		    soup_server_message_get_response_headers(msg),
		    "Cache-Control", "max-age=3600");
		return;
	}
	/* A browser asks for it beside every page: were it sent to the
	 * login page, that would start a new pre-login session and spend
	 * the cookie of the login form being shown. */
	if (strcmp(path, "/favicon.ico") == 0) {
		respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain", g_string_new(
		    ""));
		return;
	}
	s = mugai_sessions_get(po->po_sessions, cookie_value(msg));
	if (strcmp(path, "/login") == 0) {
		if (is_post && s != NULL && s->se_user == NULL)
			login_post(po, msg, s);
		else if (is_post)
			login_page(po, msg, NULL, "フォームの有効期限が切れ"
			    "ました。もう一度ログインしてください。",
			    "The form has expired; please log in again.");
		else
			login_page(po, msg, query != NULL ?
			    g_hash_table_lookup(query, "next") : NULL, NULL,
			    NULL);
		return;
	}
	if (s == NULL || s->se_user == NULL) {
		g_autofree char *next = NULL, *to = NULL, *enext = NULL;
		GUri *u = soup_server_message_get_uri(msg);

		if (is_post) {
			error_page(msg, NULL, SOUP_STATUS_FORBIDDEN,
			    "ログインしてください。", "Please log in.");
			return;
		}
		next = g_uri_get_query(u) != NULL ? g_strconcat(path, "?",
		    g_uri_get_query(u), NULL) : g_strdup(path);
		enext = g_uri_escape_string(next, NULL, FALSE);
		to = g_strconcat("/login?next=", enext, NULL);
		redirect(msg, to);
		return;
	}
	if (is_post) {
		post(po, msg, s, path);
		return;
	}
	if (strcmp(path, "/") == 0)
		list_page(po, msg, s, query);
	else if (strcmp(path, "/queue") == 0)
		queue_page(po, msg, s);
	else if ((id = item_path(path, &rest)) != NULL && *rest == '\0')
		item_page(po, msg, s, id, query, NULL, NULL);
	else if (id != NULL && g_str_has_prefix(rest, "/preview/"))
		preview_page(po, msg, s, id, rest + strlen("/preview/"),
		    query);
	else
		error_page(msg, s, SOUP_STATUS_NOT_FOUND,
		    "ページがありません。", "No such page.");
}
