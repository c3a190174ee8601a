/*
 * mugai_ppap - open a quarantined password-protected archive (ppap.h)
 *
 * The order keeps the rules of the store: the item and its files are
 * reached from the store's descriptor without following links, the
 * original is checked against meta.json before its bytes are used, and
 * the state file is read and written under flock() of the item
 * directory, so two attempts at once both count. The new item is stored
 * before anything is handed back: what a recipient gets can always be
 * traced to a stored original. An audit line is written for every
 * attempt that reached the password check or the rate limit.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "base/digest.h"
#include "base/io.h"
#include "core/sanitize.h"
#include "extract/unlock.h"
#include "mime/gwalk.h"
#include "ppap/ppap.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "text/oneline.h"

#define STATE_MAX	(4 * 1024 * 1024)
#define ORIGINAL_MAX	(G_GINT64_CONSTANT(1) << 32)

static const char *const status_names[] = {
	"opened", "wrong_password", "rate_limited", "no_part", "unsupported",
	"damaged", "over_limit", "failed",
};

const char *
mugai_ppap_status_name(enum mugai_ppap_status st)
{
	if ((guint)st >= G_N_ELEMENTS(status_names))
		return "failed";
	return status_names[st];
}

void
mugai_ppap_result_clear(struct mugai_ppap_result *r)
{
	g_clear_pointer(&r->po_reason, g_free);
	g_clear_pointer(&r->po_archive, g_free);
	g_clear_pointer(&r->po_new_id, g_free);
	g_clear_pointer(&r->po_message, g_bytes_unref);
	g_clear_pointer(&r->po_sender, g_free);
	g_clear_pointer(&r->po_rcpts, g_strfreev);
}

/* ------------------------------------------------------------ state */

JsonObject *
mugai_ppap_state_read(int itemfd, uid_t owner, enum mugai_err *err)
{
	g_autoptr(JsonParser) jp = json_parser_new();
	g_autofree char *text = NULL;
	JsonNode *root;
	gsize len;

	*err = MUGAI_OK;
	if ((text = mugai_qdir_read(itemfd, MUGAI_PPAP_STATE, owner,
	    STATE_MAX, &len)) == NULL) {
		*err = errno == ENOENT ? MUGAI_E_NOTFOUND :
		    mugai_err_from_errno(errno);
		return NULL;
	}
	if (!json_parser_load_from_data(jp, text, (gssize)len, NULL) ||
	    (root = json_parser_get_root(jp)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		*err = MUGAI_E_PARSE;
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

/* The state of itemfd, or a new empty one; NULL only on an error. */
static JsonObject *
state_load(int itemfd, uid_t owner, enum mugai_err *err)
{
	JsonObject *st = mugai_ppap_state_read(itemfd, owner, err);

	if (st == NULL && *err == MUGAI_E_NOTFOUND) {
		*err = MUGAI_OK;
		st = json_object_new();
	}
	return st;
}

/* Writes st as ppap.json in itemfd: a new file (never through a link),
 * fsynced, renamed over the old one, the directory fsynced. */
static enum mugai_err
state_save(int itemfd, JsonObject *st)
{
	static const char tmp[] = ".ppap.json.tmp";
	g_autoptr(JsonGenerator) gen = json_generator_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	g_autofree char *text = NULL;
	struct stat dst;
	gsize left;
	int fd, e = 0;

	json_node_set_object(node, st);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, &left);
	json_node_unref(node);
	if (unlinkat(itemfd, tmp, 0) != 0 && errno != ENOENT)
		return mugai_err_from_errno(errno);
	fd = openat(itemfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0640);
	if (fd < 0)
		return mugai_err_from_errno(errno);
	/* As meta.json: readable by the auditors' group, the item
	 * directory's (no secret in it). */
	if (fstat(itemfd, &dst) == 0)
		(void)fchown(fd, (uid_t)-1, dst.st_gid);
	(void)fchmod(fd, 0640);
	if (!mugai_write_all(fd, text, left))
		e = errno;
	if (e == 0 && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e == 0 && renameat(itemfd, tmp, itemfd, MUGAI_PPAP_STATE) != 0)
		e = errno;
	if (e == 0 && fsync(itemfd) != 0)
		e = errno;
	if (e != 0) {
		(void)unlinkat(itemfd, tmp, 0);
		return mugai_err_from_errno(e);
	}
	return MUGAI_OK;
}

/* Drops failures older than the window; returns how many are left. */
static guint
state_failures(JsonObject *st, gint64 now)
{
	JsonArray *old = json_object_has_member(st, "failures") &&
	    JSON_NODE_HOLDS_ARRAY(json_object_get_member(st, "failures")) ?
	    json_object_get_array_member(st, "failures") : NULL;
	JsonArray *keep = json_array_new();
	guint n;

	for (guint i = 0; old != NULL && i < json_array_get_length(old); i++) {
		JsonNode *e = json_array_get_element(old, i);
		gint64 t;

		if (!JSON_NODE_HOLDS_VALUE(e) ||
		    json_node_get_value_type(e) != G_TYPE_INT64)
			continue;
		t = json_node_get_int(e);
		if (t > now - MUGAI_PPAP_WINDOW && t <= now)
			json_array_add_int_element(keep, t);
	}
	n = json_array_get_length(keep);
	json_object_set_array_member(st, "failures", keep);
	return n;
}

static void
add_to_array(JsonObject *o, const char *name, JsonNode *value)
{
	JsonNode *m = json_object_get_member(o, name);

	if (m == NULL || !JSON_NODE_HOLDS_ARRAY(m)) {
		json_object_set_array_member(o, name, json_array_new());
		m = json_object_get_member(o, name);
	}
	json_array_add_element(json_node_get_array(m), value);
}

/* ------------------------------------------------------------ the part */

/* The original of the item: checked against meta.json's SHA-256. */
static GMimeMessage *
read_original(int itemfd, uid_t owner, JsonObject *meta, enum mugai_err *err)
{
	JsonObject *orig = json_object_has_member(meta, "original") ?
	    json_object_get_object_member(meta, "original") : NULL;
	const char *want = orig != NULL && json_object_has_member(orig,
	    "sha256") ? json_object_get_string_member(orig, "sha256") : NULL;
	GMimeStream *in;
	GMimeParser *parser;
	GMimeMessage *msg;
	int fd;

	if (want == NULL) {
		*err = MUGAI_E_PARSE;	/* nothing to hold the file to */
		return NULL;
	}
	if ((fd = mugai_qdir_open_original(itemfd, owner, ORIGINAL_MAX, want,
	    NULL)) < 0) {
		*err = errno == EFBIG ? MUGAI_E_LIMIT : errno == EBADMSG ?
		    MUGAI_E_PARSE : mugai_err_from_errno(errno);
		return NULL;
	}
	in = g_mime_stream_fs_new(fd);		/* takes fd */
	parser = g_mime_parser_new_with_stream(in);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(in);
	if (msg == NULL)
		*err = MUGAI_E_PARSE;
	return msg;
}

/* ------------------------------------------------------- the new message */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

static GMimePart *
text_part(const char *text)
{
	GMimePart *p = GMIME_PART(g_mime_text_part_new_with_subtype(
	    "plain"));
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(text,
	    strlen(text));
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset",
	    "utf-8");
	g_mime_part_set_content(p, w);
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	g_object_unref(w);
	g_object_unref(s);
	return p;
}

static GMimePart *
entry_part(const struct mugai_unlock_entry *e)
{
	GMimePart *p = g_mime_part_new_with_type("application",
	    "octet-stream");
	gsize len;
	const guint8 *d = g_bytes_get_data(e->ue_data, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)d,
	    len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_filename(p, base_name(e->ue_name));
	g_mime_part_set_content(p, w);
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	g_object_unref(w);
	g_object_unref(s);
	return p;
}

/* The introduction: what was opened, and every entry with its hash. */
static char *
intro(const char *id, const char *part, const char *archive,
    GPtrArray *entries, JsonArray *list)
{
	GString *t = g_string_new(NULL);
	g_autofree char *safe = mugai_oneline(archive, -1, MUGAI_ONELINE_MAX);

	/* Names come from the archive: mugai's own lines show them escaped
	 * (no line break, control or bidi control: SECURITY.md, 7). */
	archive = safe;
	g_string_append_printf(t, "パスワード付きZIP「%s」（隔離ID %s、パート "
	    "%s）を受信者の依頼により開きました。中のファイルは、メールの添付"
	    "ファイルと同じ方針で検査されています。\n\n", archive, id, part);
	g_string_append_printf(t, "The password-protected ZIP \"%s\" "
	    "(quarantine ID %s, part %s) was opened at the recipient's "
	    "request. The files in it went through the same policy as mail "
	    "attachments.\n\n", archive, id, part);
	g_string_append(t, "ファイル一覧 / Entries:\n");
	for (guint i = 0; i < entries->len; i++) {
		const struct mugai_unlock_entry *e = g_ptr_array_index(entries,
		    i);
		JsonObject *o = json_object_new();
		gsize len;
		const void *d = g_bytes_get_data(e->ue_data, &len);
		g_autofree char *name = mugai_oneline(e->ue_name, -1,
		    MUGAI_ONELINE_MAX);
		char hex[65];

		mugai_digest_buf(d, len, hex);
		g_string_append_printf(t, "  %u. %s (%" G_GSIZE_FORMAT
		    " bytes, SHA-256 %s)\n", i + 1, name, len, hex);
		json_object_set_string_member(o, "name", e->ue_name);
		json_object_set_int_member(o, "size", (gint64)len);
		json_object_set_string_member(o, "sha256", hex);
		json_array_add_object_element(list, o);
	}
	if (entries->len == 0)
		g_string_append(t, "  (なし / none)\n");
	return g_string_free(t, FALSE);
}

/* Builds the message (transfer full) of the entries. */
static GMimeMessage *
build(GMimeMessage *orig, char **rcpts, const char *id, const char *part,
    const char *archive, GPtrArray *entries, JsonArray *list,
    const char *new_id)
{
	GMimeMessage *m = g_mime_message_new(TRUE);
	GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");
	InternetAddressList *from = g_mime_message_get_from(orig);
	g_autofree char *text = intro(id, part, archive, entries, list);
	g_autofree char *safe = mugai_oneline(archive, -1, 80);
	g_autofree char *subject = g_strdup_printf("パスワード付きZIP「%s」"
	    "の内容 / Contents of the password-protected ZIP \"%s\"",
	    safe, safe);
	g_autofree char *mid = g_strdup_printf("%s.ppap@mugai", new_id);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	GMimePart *tp = text_part(text);

	if (from != NULL)
		internet_address_list_append(g_mime_message_get_from(m), from);
	for (char **r = rcpts; r != NULL && *r != NULL; r++)
		internet_address_list_add(g_mime_message_get_addresses(m,
		    GMIME_ADDRESS_TYPE_TO), internet_address_mailbox_new(NULL,
		    *r));
	g_mime_message_set_subject(m, subject, "utf-8");
	g_mime_message_set_date(m, now);
	g_mime_message_set_message_id(m, mid);
	g_mime_multipart_add(mp, GMIME_OBJECT(tp));
	g_object_unref(tp);
	for (guint i = 0; i < entries->len; i++) {
		GMimePart *p = entry_part(g_ptr_array_index(entries, i));

		g_mime_multipart_add(mp, GMIME_OBJECT(p));
		g_object_unref(p);
	}
	g_mime_message_set_mime_part(m, GMIME_OBJECT(mp));
	g_object_unref(mp);
	return m;
}

/* ------------------------------------------------------------ the flow */

static void
audit(const struct mugai_ppap_req *rq, const struct mugai_ppap_result *r,
    const char *outcome)
{
	JsonObject *x = json_object_new();

	json_object_set_string_member(x, "part", rq->pr_part);
	if (r->po_archive != NULL)
		json_object_set_string_member(x, "archive", r->po_archive);
	json_object_set_string_member(x, "status",
	    mugai_ppap_status_name(r->po_status));
	if (r->po_reason != NULL)
		json_object_set_string_member(x, "reason", r->po_reason);
	if (r->po_new_id != NULL) {
		json_object_set_string_member(x, "new_id", r->po_new_id);
		json_object_set_int_member(x, "entries", r->po_entries);
	}
	(void)mugai_quarantine_audit(rq->pr_q, "opened", rq->pr_id,
	    rq->pr_actor, outcome, x);
	json_object_unref(x);
}

static enum mugai_ppap_status
from_unlock(enum mugai_unlock_status st)
{
	switch (st) {
	case MUGAI_UNLOCK_OK:
		return MUGAI_PPAP_OPENED;
	case MUGAI_UNLOCK_WRONG_PASSWORD:
		return MUGAI_PPAP_WRONG_PASSWORD;
	case MUGAI_UNLOCK_UNSUPPORTED:
		return MUGAI_PPAP_UNSUPPORTED;
	case MUGAI_UNLOCK_DAMAGED:
		return MUGAI_PPAP_DAMAGED;
	case MUGAI_UNLOCK_OVER_LIMIT:
		return MUGAI_PPAP_OVER_LIMIT;
	default:
		return MUGAI_PPAP_FAILED;
	}
}

/* The envelope recipients of meta.json (transfer full, maybe empty). */
static char **
meta_rcpts(JsonObject *meta, char **sender)
{
	JsonObject *env = json_object_has_member(meta, "envelope") ?
	    json_object_get_object_member(meta, "envelope") : NULL;
	JsonArray *a = env != NULL && json_object_has_member(env,
	    "recipients") ? json_object_get_array_member(env, "recipients") :
	    NULL;
	GPtrArray *v = g_ptr_array_new();

	*sender = env != NULL && json_object_has_member(env, "sender") ?
	    g_strdup(json_object_get_string_member(env, "sender")) : NULL;
	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		const char *s = json_array_get_string_element(a, i);

		if (s != NULL)
			g_ptr_array_add(v, g_strdup(s));
	}
	g_ptr_array_add(v, NULL);
	return (char **)g_ptr_array_free(v, FALSE);
}

/* After the archive opened: build, sanitize, store, link. */
static enum mugai_err
deliver(const struct mugai_ppap_req *rq, int itemfd, JsonObject *state,
    GMimeMessage *orig, GPtrArray *entries, struct mugai_ppap_result *out)
{
	const struct mugai_config *cf = rq->pr_cf;
	struct mugai_envelope env;
	struct mugai_result *res = NULL;
	JsonArray *list = json_array_new();
	JsonObject *link = json_object_new(), *from = json_object_new();
	JsonObject *opened = json_object_new();
	GMimeMessage *m;
	GMimeStream *built = g_mime_stream_mem_new();
	GMimeStream *sane = g_mime_stream_mem_new();
	GByteArray *bytes;
	enum mugai_err err = MUGAI_OK;
	int newfd = -1;

	out->po_new_id = mugai_qid_new();
	m = build(orig, out->po_rcpts, rq->pr_id, rq->pr_part,
	    out->po_archive, entries, list, out->po_new_id);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, built) < 0 ||
	    g_mime_stream_reset(built) != 0) {
		err = MUGAI_E_IO;
		goto out;
	}
	memset(&env, 0, sizeof env);
	env.ev_sender = out->po_sender;
	env.ev_rcpts = (const char *const *)out->po_rcpts;
	env.ev_quarantine_id = out->po_new_id;
	if ((res = mugai_sanitize(cf, built, &env, &err)) == NULL)
		goto out;
	/* The new original first: what is delivered is always traceable. */
	if (g_mime_stream_reset(built) != 0) {
		err = MUGAI_E_IO;
		goto out;
	}
	if ((err = mugai_quarantine_store(rq->pr_q, out->po_new_id, built,
	    &env, res->rs_report, rq->pr_actor)) != MUGAI_OK)
		goto out;
	if (res->rs_verdict == MUGAI_V_REJECT ||
	    res->rs_verdict == MUGAI_V_TEMPFAIL) {
		out->po_status = MUGAI_PPAP_FAILED;
		out->po_reason = g_strdup_printf("the policy says %s",
		    mugai_verdict_name(res->rs_verdict));
	} else if (mugai_result_write(res, built, sane, FALSE) != MUGAI_OK) {
		err = MUGAI_E_IO;
		goto out;
	} else {
		bytes = g_mime_stream_mem_get_byte_array(
		    GMIME_STREAM_MEM(sane));
		out->po_message = g_bytes_new(bytes->data, bytes->len);
	}
	/* Link the two items. */
	json_object_set_string_member(from, "id", rq->pr_id);
	json_object_set_string_member(from, "part", rq->pr_part);
	json_object_set_string_member(from, "archive", out->po_archive);
	json_object_set_object_member(link, "opened_from", from);
	from = NULL;
	json_object_set_array_member(link, "entries", json_array_ref(list));
	if ((newfd = mugai_qdir_open_item(mugai_quarantine_fd(rq->pr_q),
	    out->po_new_id)) < 0 || (err = state_save(newfd, link)) !=
	    MUGAI_OK) {
		if (err == MUGAI_OK)
			err = mugai_err_from_errno(errno);
		goto out;
	}
	json_object_set_int_member(opened, "time", rq->pr_now);
	json_object_set_string_member(opened, "actor", rq->pr_actor);
	json_object_set_string_member(opened, "part", rq->pr_part);
	json_object_set_string_member(opened, "archive", out->po_archive);
	json_object_set_string_member(opened, "id", out->po_new_id);
	json_object_set_array_member(opened, "entries", json_array_ref(list));
	add_to_array(state, "opened", json_node_init_object(json_node_alloc(),
	    opened));
	err = state_save(itemfd, state);
out:
	if (newfd >= 0)
		close(newfd);
	if (from != NULL)
		json_object_unref(from);
	json_object_unref(opened);
	json_object_unref(link);
	json_array_unref(list);
	mugai_result_free(res);
	g_object_unref(sane);
	g_object_unref(built);
	g_object_unref(m);
	return err;
}

/* Reads the part and opens it; the state is locked by the caller. */
static enum mugai_err
open_locked(const struct mugai_ppap_req *rq, int itemfd, uid_t owner,
    JsonObject *state, struct mugai_ppap_result *out)
{
	struct mugai_unlock_limits lim;
	struct mugai_unlock_result ur = { 0 };
	g_autoptr(JsonObject) meta = NULL;
	g_autoptr(GByteArray) bytes = NULL;
	GMimeMessage *orig = NULL;
	GMimeObject *o;
	GMimeStream *mem;
	guint fails = state_failures(state, rq->pr_now);
	enum mugai_err err;
	const char *fn;

	out->po_tries_left = fails >= MUGAI_PPAP_MAX_FAILURES ? 0 :
	    MUGAI_PPAP_MAX_FAILURES - fails;
	if (fails >= MUGAI_PPAP_MAX_FAILURES) {
		out->po_status = MUGAI_PPAP_RATE_LIMITED;
		audit(rq, out, "refused");
		return MUGAI_OK;
	}
	if ((meta = mugai_quarantine_read_meta_at(itemfd, &err)) == NULL)
		return err;
	out->po_rcpts = meta_rcpts(meta, &out->po_sender);
	if ((orig = read_original(itemfd, owner, meta, &err)) == NULL)
		return err;
	o = mugai_gwalk_find_part(orig, rq->pr_part, NULL);
	if (o == NULL || !GMIME_IS_PART(o) ||
	    g_mime_part_get_content(GMIME_PART(o)) == NULL) {
		out->po_status = MUGAI_PPAP_NO_PART;
		out->po_reason = g_strdup("no such leaf part");
		g_object_unref(orig);
		return MUGAI_OK;
	}
	fn = g_mime_part_get_filename(GMIME_PART(o));
	out->po_archive = g_strdup(fn != NULL && *fn != '\0' &&
	    g_utf8_validate(fn, -1, NULL) ? fn : "archive.zip");
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(
	    GMIME_PART(o)), mem) < 0) {
		g_object_unref(mem);
		g_object_unref(orig);
		return MUGAI_E_IO;
	}
	/* The stream frees its array's data whatever its references: a
	 * copy. */
	bytes = g_byte_array_new();
	g_byte_array_append(bytes, g_mime_stream_mem_get_byte_array(
	    GMIME_STREAM_MEM(mem))->data, g_mime_stream_mem_get_byte_array(
	    GMIME_STREAM_MEM(mem))->len);
	g_object_unref(mem);
	mugai_unlock_limits_from_config(rq->pr_cf, &lim);
	mugai_extract_unlock(rq->pr_pool, bytes->data, bytes->len,
	    rq->pr_pass, rq->pr_pass_len, &lim, 0, &ur);
	out->po_status = from_unlock(ur.ur_status);
	if (ur.ur_status != MUGAI_UNLOCK_OK)
		out->po_reason = g_strdup(ur.ur_reason);
	if (ur.ur_status == MUGAI_UNLOCK_WRONG_PASSWORD) {
		add_to_array(state, "failures", json_node_init_int(
		    json_node_alloc(), rq->pr_now));
		out->po_tries_left--;
		err = state_save(itemfd, state);
	} else if (ur.ur_status == MUGAI_UNLOCK_OK) {
		out->po_entries = ur.ur_entries->len;
		err = deliver(rq, itemfd, state, orig, ur.ur_entries, out);
	}
	audit(rq, out, err == MUGAI_OK && out->po_status ==
	    MUGAI_PPAP_OPENED ? "ok" : "failed");
	mugai_unlock_result_clear(&ur);
	g_object_unref(orig);
	return err;
}

enum mugai_err
mugai_ppap_open(const struct mugai_ppap_req *rq0,
    struct mugai_ppap_result *out)
{
	struct mugai_ppap_req rq = *rq0;
	uid_t owner = mugai_quarantine_owner(rq.pr_q);
	struct mugai_extract_pool *own = NULL;
	JsonObject *state = NULL;
	enum mugai_err err;
	int itemfd;

	memset(out, 0, sizeof *out);
	if (!mugai_qid_valid(rq.pr_id))
		return MUGAI_E_INVAL;
	/* The CLI and the portal open one archive now and then: a pool of
	 * one helper for the call, not one kept running. */
	if (rq.pr_pool == NULL) {
		struct mugai_extract_opts o;

		mugai_extract_opts_init(&o);
		o.eo_helper = rq.pr_helper;
		o.eo_pool_size = 1;
		if ((own = mugai_extract_pool_new(&o, &err)) == NULL) {
			out->po_reason = g_strdup("the mugai-extract helper "
			    "did not start");
			return err;
		}
		rq.pr_pool = own;
	}
	if (rq.pr_now == 0)
		rq.pr_now = g_get_real_time() / G_USEC_PER_SEC;
	if (rq.pr_actor == NULL)
		rq.pr_actor = "-";
	if ((itemfd = mugai_qdir_open_item(mugai_quarantine_fd(rq.pr_q),
	    rq.pr_id)) < 0) {
		err = errno == ENOENT ? MUGAI_E_NOTFOUND :
		    mugai_err_from_errno(errno);
		mugai_extract_pool_free(own);
		return err;
	}
	/* One attempt at a time per item: the failures all count. */
	if (flock(itemfd, LOCK_EX) != 0) {
		err = mugai_err_from_errno(errno);
		goto out;
	}
	if ((state = state_load(itemfd, owner, &err)) == NULL)
		goto out;
	err = open_locked(&rq, itemfd, owner, state, out);
out:
	if (state != NULL)
		json_object_unref(state);
	close(itemfd);
	mugai_extract_pool_free(own);
	if (err != MUGAI_OK) {
		char *reason = out->po_reason;

		out->po_reason = NULL;
		mugai_ppap_result_clear(out);
		out->po_reason = reason;
	}
	return err;
}
