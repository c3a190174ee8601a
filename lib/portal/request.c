/*
 * mugai_request - requests for a quarantined original or one of its parts
 *
 * requests.json is rewritten whole on every change: an item has a few
 * requests at most (MUGAI_REQUEST_MAX), and a rename is the simplest way
 * for a reader without the lock to see either the old or the new file,
 * never half of one. The lock is flock(2) on the item directory itself
 * (opened without following links), so the CLI and several portal
 * processes serialise on the same thing.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "base/io.h"
#include "index/index.h"
#include "portal/request.h"
#include "store/qdir.h"
#include "store/qid.h"
#include "store/quarantine.h"

#define REQ_FILE "requests.json"
#define REQ_TMP "requests.json.tmp"
#define REQ_FILE_MAX (4 * 1024 * 1024)

gint64 (*mugai_request_clock)(void);

static gint64
now_usec(void)
{
	return mugai_request_clock != NULL ? mugai_request_clock() :
	    g_get_real_time();
}

void
mugai_request_free(struct mugai_request *rq)
{
	if (rq == NULL)
		return;
	g_free(rq->rq_part);
	g_free(rq->rq_requester);
	g_free(rq->rq_reason);
	g_free(rq->rq_decider);
	g_free(rq->rq_comment);
	g_free(rq);
}

static const char *const state_names[] = { "pending", "approved", "denied" };
static const char *const state_ja[] = { "申請中", "承認", "却下" };

const char *
mugai_request_state_name(enum mugai_request_state s)
{
	return (guint)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

const char *
mugai_request_state_ja(enum mugai_request_state s)
{
	return (guint)s < G_N_ELEMENTS(state_ja) ? state_ja[s] : "?";
}

gboolean
mugai_request_part_valid(const char *part)
{
	gboolean digit = FALSE;
	gsize n;

	if (part == NULL)
		return FALSE;
	if (strcmp(part, MUGAI_REQUEST_ORIGINAL) == 0)
		return TRUE;
	n = strlen(part);
	if (n == 0 || n > 64)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (g_ascii_isdigit(part[i]))
			digit = TRUE;
		else if (part[i] == '.' && digit)
			digit = FALSE;
		else
			return FALSE;
	}
	return digit;
}

/* A user's text: valid UTF-8, no NUL, at most MUGAI_REQUEST_TEXT_MAX. */
static char *
clean_text(const char *s)
{
	char *v;
	const char *end;

	if (s == NULL)
		return NULL;
	v = g_utf8_make_valid(s, -1);
	if (strlen(v) > MUGAI_REQUEST_TEXT_MAX) {
		end = g_utf8_find_prev_char(v, v + MUGAI_REQUEST_TEXT_MAX + 1);
		if (end != NULL)
			v[end - v] = '\0';
	}
	return v;
}

/* A user name: printable, no spaces or controls, at most 256 bytes. */
static gboolean
user_valid(const char *u)
{
	gsize n;

	if (u == NULL || (n = strlen(u)) == 0 || n > 256)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if ((guchar)u[i] <= ' ' || u[i] == 0x7f)
			return FALSE;
	return g_utf8_validate(u, (gssize)n, NULL);
}

static const char *
member_str(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static gboolean
member_int(JsonObject *o, const char *name, gint64 *v)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	*v = json_node_get_int(n);
	return TRUE;
}

static struct mugai_request *
from_json(JsonNode *node)
{
	struct mugai_request *rq;
	JsonObject *o;
	const char *state, *part, *who;
	gint64 n, t;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	o = json_node_get_object(node);
	part = member_str(o, "part");
	who = member_str(o, "requester");
	state = member_str(o, "state");
	if (!member_int(o, "n", &n) || n < 1 || n > G_MAXUINT ||
	    !member_int(o, "time", &t) || !mugai_request_part_valid(part) ||
	    !user_valid(who) || state == NULL)
		return NULL;
	rq = g_new0(struct mugai_request, 1);
	rq->rq_n = (guint)n;
	rq->rq_time = t;
	rq->rq_part = g_strdup(part);
	rq->rq_requester = g_strdup(who);
	rq->rq_reason = clean_text(member_str(o, "reason"));
	for (gsize i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (strcmp(state, state_names[i]) == 0)
			rq->rq_state = (enum mugai_request_state)i;
	if (strcmp(state, state_names[rq->rq_state]) != 0)
		goto bad;
	if (rq->rq_state != MUGAI_REQUEST_PENDING) {
		who = member_str(o, "decider");
		if (!user_valid(who) ||
		    !member_int(o, "decided", &rq->rq_decided))
			goto bad;
		rq->rq_decider = g_strdup(who);
		rq->rq_comment = clean_text(member_str(o, "comment"));
	}
	return rq;
bad:
	mugai_request_free(rq);
	return NULL;
}

static JsonNode *
to_json(const struct mugai_request *rq)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "n");
	json_builder_add_int_value(b, rq->rq_n);
	json_builder_set_member_name(b, "part");
	json_builder_add_string_value(b, rq->rq_part);
	json_builder_set_member_name(b, "requester");
	json_builder_add_string_value(b, rq->rq_requester);
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, rq->rq_reason);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, state_names[rq->rq_state]);
	json_builder_set_member_name(b, "time");
	json_builder_add_int_value(b, rq->rq_time);
	if (rq->rq_state != MUGAI_REQUEST_PENDING) {
		json_builder_set_member_name(b, "decider");
		json_builder_add_string_value(b, rq->rq_decider);
		json_builder_set_member_name(b, "decided");
		json_builder_add_int_value(b, rq->rq_decided);
		json_builder_set_member_name(b, "comment");
		json_builder_add_string_value(b, rq->rq_comment);
	}
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

GPtrArray *
mugai_request_list_at(int itemfd, uid_t owner, enum mugai_err *err)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mugai_request_free);
	JsonParser *p;
	JsonNode *root;
	JsonArray *a;
	char *text;
	gsize len;

	text = mugai_qdir_read(itemfd, REQ_FILE, owner, REQ_FILE_MAX, &len);
	if (text == NULL) {
		if (errno == ENOENT)
			return out;
		*err = errno == ELOOP || errno == EPERM ? MUGAI_E_PERM :
		    errno == EFBIG ? MUGAI_E_PARSE : MUGAI_E_IO;
		g_ptr_array_free(out, TRUE);
		return NULL;
	}
	p = json_parser_new();
	if (!json_parser_load_from_data(p, text, (gssize)len, NULL) ||
	    (root = json_parser_get_root(p)) == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(root))
		goto bad;
	a = json_node_get_array(root);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		struct mugai_request *rq =
		    from_json(json_array_get_element(a, i));

		/* Numbers are 1..n in order: anything else was not ours. */
		if (rq == NULL || rq->rq_n != i + 1) {
			mugai_request_free(rq);
			goto bad;
		}
		g_ptr_array_add(out, rq);
	}
	g_object_unref(p);
	g_free(text);
	return out;
bad:
	g_object_unref(p);
	g_free(text);
	g_ptr_array_free(out, TRUE);
	*err = MUGAI_E_PARSE;
	return NULL;
}

static enum mugai_err
open_item(struct mugai_quarantine *q, const char *id, int *itemfd)
{
	if (!mugai_qid_valid(id))
		return MUGAI_E_INVAL;
	*itemfd = mugai_qdir_open_item(mugai_quarantine_fd(q), id);
	if (*itemfd >= 0)
		return MUGAI_OK;
	return errno == ENOENT ? MUGAI_E_NOTFOUND :
	    errno == EINVAL ? MUGAI_E_INVAL :
	    errno == ELOOP || errno == ENOTDIR ? MUGAI_E_PERM : MUGAI_E_IO;
}

GPtrArray *
mugai_request_list(struct mugai_quarantine *q, const char *id,
    enum mugai_err *err)
{
	GPtrArray *out;
	int fd;

	if ((*err = open_item(q, id, &fd)) != MUGAI_OK)
		return NULL;
	out = mugai_request_list_at(fd, mugai_quarantine_owner(q), err);
	close(fd);
	return out;
}

/* Replaces requests.json in itemfd (lent, locked) by reqs, durably. */
static enum mugai_err
save(int itemfd, GPtrArray *reqs)
{
	JsonArray *a = json_array_new();
	JsonNode *root = json_node_new(JSON_NODE_ARRAY);
	JsonGenerator *g = json_generator_new();
	struct stat st;
	char *text;
	gsize len;
	int fd, e = 0;

	for (guint i = 0; i < reqs->len; i++)
		json_array_add_element(a, to_json(g_ptr_array_index(reqs, i)));
	json_node_take_array(root, a);
	json_generator_set_root(g, root);
	json_generator_set_pretty(g, TRUE);
	text = json_generator_to_data(g, &len);
	g_object_unref(g);
	json_node_unref(root);

	/* A .tmp left by a crash is ours to replace (we hold the lock). */
	(void)unlinkat(itemfd, REQ_TMP, 0);
	fd = openat(itemfd, REQ_TMP, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd < 0) {
		g_free(text);
		return mugai_err_from_errno(errno);
	}
	/* The item's group (the auditors) reads it as it reads meta.json. */
	if (fstat(itemfd, &st) == 0)
		(void)fchown(fd, (uid_t)-1, st.st_gid);
	if (!mugai_write_all(fd, text, len) || !mugai_write_all(fd, "\n", 1) ||
	    fsync(fd) != 0)
		e = errno != 0 ? errno : EIO;
	g_free(text);
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e == 0 && renameat(itemfd, REQ_TMP, itemfd, REQ_FILE) != 0)
		e = errno;
	if (e != 0) {
		(void)unlinkat(itemfd, REQ_TMP, 0);
		return mugai_err_from_errno(e);
	}
	if (fsync(itemfd) != 0)
		return mugai_err_from_errno(errno);
	return MUGAI_OK;
}

/* Opens and locks item id; the lock goes with the descriptor. */
static enum mugai_err
lock_item(struct mugai_quarantine *q, const char *id, int *itemfd)
{
	enum mugai_err err;

	if ((err = open_item(q, id, itemfd)) != MUGAI_OK)
		return err;
	while (flock(*itemfd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			err = mugai_err_from_errno(errno);
			close(*itemfd);
			*itemfd = -1;
			return err;
		}
	}
	return MUGAI_OK;
}

static void
audit(struct mugai_quarantine *q, const char *event, const char *id,
    const char *actor, enum mugai_err err, const struct mugai_request *rq,
    const char *part, guint n)
{
	JsonObject *x = json_object_new();
	g_autofree char *who = g_utf8_make_valid(actor != NULL ? actor : "",
	    -1);

	json_object_set_string_member(x, "part", part != NULL ? part : "");
	if (n > 0)
		json_object_set_int_member(x, "request", n);
	if (rq != NULL) {
		json_object_set_string_member(x, "requester", rq->rq_requester);
		if (rq->rq_reason != NULL)
			json_object_set_string_member(x, "reason",
			    rq->rq_reason);
		if (rq->rq_comment != NULL)
			json_object_set_string_member(x, "comment",
			    rq->rq_comment);
	}
	if (err != MUGAI_OK)
		json_object_set_string_member(x, "error",
		    mugai_err_str(err));
	(void)mugai_quarantine_audit(q, event, id, who,
	    err == MUGAI_OK ? "ok" : "failed", x);
	json_object_unref(x);
}

enum mugai_err
mugai_request_add(struct mugai_quarantine *q, const char *id,
    const char *part, const char *requester, const char *reason, guint *n)
{
	struct mugai_request *rq = NULL;
	GPtrArray *reqs = NULL;
	enum mugai_err err;
	int fd = -1;

	if (!mugai_request_part_valid(part) || !user_valid(requester)) {
		err = MUGAI_E_INVAL;
		goto out;
	}
	if ((err = lock_item(q, id, &fd)) != MUGAI_OK)
		goto out;
	reqs = mugai_request_list_at(fd, mugai_quarantine_owner(q), &err);
	if (reqs == NULL)
		goto out;
	for (guint i = 0; i < reqs->len; i++) {
		struct mugai_request *o = g_ptr_array_index(reqs, i);

		if (o->rq_state == MUGAI_REQUEST_PENDING &&
		    strcmp(o->rq_part, part) == 0 &&
		    strcmp(o->rq_requester, requester) == 0) {
			if (n != NULL)
				*n = o->rq_n;
			goto out;	/* the same request, not doubled */
		}
	}
	if (reqs->len >= MUGAI_REQUEST_MAX) {
		err = MUGAI_E_LIMIT;
		goto out;
	}
	rq = g_new0(struct mugai_request, 1);
	rq->rq_n = reqs->len + 1;
	rq->rq_part = g_strdup(part);
	rq->rq_requester = g_strdup(requester);
	rq->rq_reason = clean_text(reason != NULL ? reason : "");
	rq->rq_state = MUGAI_REQUEST_PENDING;
	rq->rq_time = now_usec();
	g_ptr_array_add(reqs, rq);
	if ((err = save(fd, reqs)) == MUGAI_OK && n != NULL)
		*n = rq->rq_n;
	audit(q, "requested", id, requester, err, rq, part, rq->rq_n);
	goto done;
out:
	if (err != MUGAI_OK)
		audit(q, "requested", mugai_qid_valid(id) ? id : NULL,
		    requester, err, NULL, part, 0);
done:
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	if (fd >= 0)
		close(fd);	/* releases the lock */
	return err;
}

enum mugai_err
mugai_request_decide(struct mugai_quarantine *q, const char *id, guint n,
    gboolean approve, const char *decider, const char *comment,
    struct mugai_request **out)
{
	const char *event = approve ? "approved" : "denied";
	struct mugai_request *rq = NULL;
	GPtrArray *reqs = NULL;
	enum mugai_err err;
	int fd = -1;

	if (out != NULL)
		*out = NULL;
	if (!user_valid(decider)) {
		err = MUGAI_E_INVAL;
		goto fail;
	}
	if ((err = lock_item(q, id, &fd)) != MUGAI_OK)
		goto fail;
	reqs = mugai_request_list_at(fd, mugai_quarantine_owner(q), &err);
	if (reqs == NULL)
		goto fail;
	if (n == 0 || n > reqs->len) {
		err = MUGAI_E_NOTFOUND;
		goto fail;
	}
	rq = g_ptr_array_index(reqs, n - 1);
	if (rq->rq_state != MUGAI_REQUEST_PENDING) {
		/* Decided once: a replayed or late form changes nothing. */
		err = MUGAI_E_INVAL;
		audit(q, event, id, decider, err, rq, rq->rq_part, n);
		goto out;
	}
	rq->rq_state = approve ? MUGAI_REQUEST_APPROVED :
	    MUGAI_REQUEST_DENIED;
	rq->rq_decider = g_strdup(decider);
	rq->rq_decided = now_usec();
	rq->rq_comment = clean_text(comment != NULL ? comment : "");
	err = save(fd, reqs);
	audit(q, event, id, decider, err, rq, rq->rq_part, n);
	if (err == MUGAI_OK && out != NULL)
		*out = g_ptr_array_steal_index(reqs, n - 1);
	goto out;
fail:
	audit(q, event, mugai_qid_valid(id) ? id : NULL, decider, err, NULL,
	    NULL, n);
out:
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	if (fd >= 0)
		close(fd);
	return err;
}

/* The index row of rq among rows (item's), or NULL. */
static struct mugai_index_request *
row_of(GPtrArray *rows, const struct mugai_request *rq)
{
	const char *part = strcmp(rq->rq_part, MUGAI_REQUEST_ORIGINAL) == 0 ?
	    NULL : rq->rq_part;

	for (guint i = 0; i < rows->len; i++) {
		struct mugai_index_request *r = g_ptr_array_index(rows, i);

		if (g_strcmp0(r->rq_part, part) == 0 &&
		    g_strcmp0(r->rq_requester, rq->rq_requester) == 0 &&
		    r->rq_requested == rq->rq_time)
			return r;
	}
	return NULL;
}

enum mugai_err
mugai_request_index(struct mugai_index *ix, const char *id, GPtrArray *reqs)
{
	enum mugai_err err = MUGAI_OK, e;
	GPtrArray *rows;

	if (ix == NULL || reqs == NULL || reqs->len == 0)
		return MUGAI_OK;
	if ((rows = mugai_index_requests(ix, id, NULL, &err)) == NULL)
		return err;
	for (guint i = 0; i < reqs->len; i++) {
		const struct mugai_request *rq = g_ptr_array_index(reqs, i);
		struct mugai_index_request *r = row_of(rows, rq);
		struct mugai_index_request nr = { 0 };
		const char *state = mugai_request_state_name(rq->rq_state);

		if (r != NULL && strcmp(r->rq_state, state) == 0)
			continue;	/* as it is: nothing to write */
		nr.rq_id = r != NULL ? r->rq_id : 0;
		nr.rq_item = (char *)id;
		nr.rq_part = strcmp(rq->rq_part, MUGAI_REQUEST_ORIGINAL) == 0 ?
		    NULL : rq->rq_part;
		nr.rq_requester = rq->rq_requester;
		nr.rq_state = (char *)state;
		nr.rq_decider = rq->rq_decider;
		nr.rq_requested = rq->rq_time;
		nr.rq_decided = rq->rq_decided;
		nr.rq_reason = rq->rq_reason;
		nr.rq_decision = rq->rq_comment;
		if ((e = mugai_index_request_put(ix, &nr)) != MUGAI_OK)
			err = e;
	}
	g_ptr_array_free(rows, TRUE);
	return err;
}
