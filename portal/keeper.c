/*
 * mugai-portal's keeper - the store's owner's half of the portal
 * (keeper.h)
 *
 * The two processes talk over a socketpair(2) of their own, one call at a
 * time: a message is a 32-bit length, then fields, each a 32-bit length,
 * its bytes and a NUL (so text fields are C strings in place). A call is
 * the operation's name and its arguments; the answer starts with "ok" or
 * an error code. A password travels in one such buffer, which both sides
 * wipe once read.
 *
 * The keeper trusts the server process for who the user is (that process
 * did the login), not for what was decided: a release is done only for a
 * request that the store records as approved by that decider, to its
 * requester. A server process taken over can still ask, decide and
 * preview as any user of the portal, which an approver's session can do
 * anyway; it cannot write the store's files, read an original whole,
 * release what nobody approved, or touch the milter's spool and socket.
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/config.h"
#include "index/index.h"
#include "portal/link.h"
#include "portal/request.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "keeper.h"
#include "portal.h"
#include "ppap.h"

#define KMSG_MAX	(64u * 1024 * 1024)	/* a preview's part and more */
#define KFIELDS		16

struct kmsg {
	char *buf;
	gsize len;
	const char *f[KFIELDS];
	gsize n[KFIELDS];
	guint nf;
};

static void
kmsg_clear(struct kmsg *m)
{
	if (m->buf != NULL) {
		explicit_bzero(m->buf, m->len);
		g_free(m->buf);
	}
	memset(m, 0, sizeof *m);
}

static gboolean
io_all(int fd, void *buf, gsize len, gboolean out)
{
	char *p = buf;

	while (len > 0) {
		/* MSG_NOSIGNAL: a keeper gone is an error, not SIGPIPE. */
		ssize_t r = out ? send(fd, p, len, MSG_NOSIGNAL) :
		    read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return FALSE;
		p += r;
		len -= (gsize)r;
	}
	return TRUE;
}

static void
put_u32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	g_byte_array_append(b, x, 4);
}

static guint32
get_u32(const char *p)
{
	const guint8 *x = (const guint8 *)p;

	return (guint32)x[0] << 24 | (guint32)x[1] << 16 |
	    (guint32)x[2] << 8 | x[3];
}

/* Sends fields (n of them; len -1: a C string) as one message. */
static gboolean
ksend(int fd, guint n, const char *const *f, const gssize *len)
{
	GByteArray *b = g_byte_array_new();
	gboolean ok;

	put_u32(b, 0);
	for (guint i = 0; i < n; i++) {
		const char *v = f[i] != NULL ? f[i] : "";
		gsize l = len != NULL && len[i] >= 0 ? (gsize)len[i] :
		    strlen(v);

		put_u32(b, (guint32)l);
		g_byte_array_append(b, (const guint8 *)v, (guint)l);
		g_byte_array_append(b, (const guint8 *)"", 1);
	}
	b->data[0] = (guint8)((b->len - 4) >> 24);
	b->data[1] = (guint8)(((b->len - 4) >> 16) & 0xff);
	b->data[2] = (guint8)(((b->len - 4) >> 8) & 0xff);
	b->data[3] = (guint8)((b->len - 4) & 0xff);
	ok = b->len - 4 <= KMSG_MAX && io_all(fd, b->data, b->len, TRUE);
	explicit_bzero(b->data, b->len);
	g_byte_array_free(b, TRUE);
	return ok;
}

static gboolean
krecv(int fd, struct kmsg *m)
{
	char hdr[4];
	gsize at = 0;

	memset(m, 0, sizeof *m);
	if (!io_all(fd, hdr, 4, FALSE) || (m->len = get_u32(hdr)) > KMSG_MAX)
		return FALSE;
	m->buf = g_malloc(m->len + 1);
	if (!io_all(fd, m->buf, m->len, FALSE))
		goto bad;
	while (at < m->len) {
		gsize l;

		if (m->nf == KFIELDS || m->len - at < 5)
			goto bad;
		l = get_u32(m->buf + at);
		at += 4;
		if (l >= m->len - at || m->buf[at + l] != '\0')
			goto bad;
		m->f[m->nf] = m->buf + at;
		m->n[m->nf++] = l;
		at += l + 1;
	}
	return TRUE;
bad:
	kmsg_clear(m);
	return FALSE;
}

/* Field i of m as a string, "" when missing. */
static const char *
fs(const struct kmsg *m, guint i)
{
	return i < m->nf ? m->f[i] : "";
}

/* A field of "" as NULL (an optional argument). */
static const char *
fn(const struct kmsg *m, guint i)
{
	return *fs(m, i) != '\0' ? fs(m, i) : NULL;
}

static guint
fu(const struct kmsg *m, guint i)
{
	guint64 v = g_ascii_strtoull(fs(m, i), NULL, 10);

	return v > G_MAXUINT ? 0 : (guint)v;
}

/* ---- the keeper's side ---- */

/* The index's rows of id's requests, after a change (lib/portal). */
static void
index_sync(struct mugai_portal *po, const char *id)
{
	enum mugai_err err;
	GPtrArray *reqs;

	if (po->po_ix == NULL ||
	    (reqs = mugai_request_list(po->po_q, id, &err)) == NULL)
		return;
	if ((err = mugai_request_index(po->po_ix, id, reqs)) != MUGAI_OK)
		fprintf(stderr, "mugai-portal: index: requests of %s: %s\n",
		    id, mugai_err_str(err));
	g_ptr_array_free(reqs, TRUE);
}

static void
reply_err(int fd, enum mugai_err err)
{
	char code[16];
	const char *f[1] = { code };

	g_snprintf(code, sizeof code, "%d", (int)err);
	(void)ksend(fd, 1, f, NULL);
}

static void
do_audit(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	JsonObject *x = NULL;
	JsonParser *p = NULL;
	enum mugai_err err;

	if (fn(m, 5) != NULL) {
		p = json_parser_new();
		if (json_parser_load_from_data(p, fs(m, 5), -1, NULL) &&
		    json_parser_get_root(p) != NULL &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			x = json_node_get_object(json_parser_get_root(p));
	}
	err = mugai_quarantine_audit(po->po_q, fs(m, 1), fn(m, 2), fs(m, 3),
	    fs(m, 4), x);
	if (p != NULL)
		g_object_unref(p);
	reply_err(fd, err);
}

static void
do_request(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	char code[16], num[16];
	const char *f[2] = { code, num };
	guint n = 0;
	enum mugai_err err = mugai_request_add(po->po_q, fs(m, 1), fs(m, 2),
	    fs(m, 3), fs(m, 4), &n);

	if (err == MUGAI_OK)
		index_sync(po, fs(m, 1));
	g_snprintf(code, sizeof code, "%d", (int)err);
	g_snprintf(num, sizeof num, "%u", n);
	(void)ksend(fd, 2, f, NULL);
}

static void
do_decide(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	struct mugai_request *rq = NULL;
	char code[16];
	enum mugai_err err = mugai_request_decide(po->po_q, fs(m, 1),
	    fu(m, 2), strcmp(fs(m, 3), "1") == 0, fs(m, 4), fs(m, 5), &rq);
	const char *f[3] = { code, rq != NULL ? rq->rq_part : "",
	    rq != NULL ? rq->rq_requester : "" };

	if (err == MUGAI_OK)
		index_sync(po, fs(m, 1));
	g_snprintf(code, sizeof code, "%d", (int)err);
	(void)ksend(fd, 3, f, NULL);
	mugai_request_free(rq);
}

/* Only what the store records as approved by decider, to its requester. */
static void
do_release(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	enum mugai_err err;
	GPtrArray *reqs = mugai_request_list(po->po_q, fs(m, 1), &err);
	struct mugai_request *rq;
	g_autofree char *why = NULL;
	guint n = fu(m, 2);
	gboolean ok = FALSE;
	const char *f[2];

	if (reqs == NULL) {
		why = g_strdup_printf("requests: %s", mugai_err_str(err));
	} else if (n == 0 || n > reqs->len) {
		why = g_strdup("no such request");
	} else if ((rq = g_ptr_array_index(reqs, n - 1))->rq_state !=
	    MUGAI_REQUEST_APPROVED || g_strcmp0(rq->rq_decider,
	    fs(m, 3)) != 0) {
		why = g_strdup("the request is not approved by that user");
	} else {
		ok = mugai_portal_release_run(po, fs(m, 1),
		    strcmp(rq->rq_part, MUGAI_REQUEST_ORIGINAL) == 0 ? NULL :
		    rq->rq_part, rq->rq_requester, rq->rq_decider, &why);
	}
	if (reqs != NULL)
		g_ptr_array_free(reqs, TRUE);
	f[0] = ok ? "ok" : "no";
	f[1] = why;
	(void)ksend(fd, 2, f, NULL);
}

static void
do_part(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	GBytes *b = mugai_portal_part_bytes(po, fs(m, 1), fs(m, 2));
	gsize len = 0;
	const char *f[2] = { b != NULL ? "ok" : "no",
	    b != NULL ? g_bytes_get_data(b, &len) : "" };
	gssize l[2] = { -1, (gssize)len };

	(void)ksend(fd, 2, f, l);
	if (b != NULL)
		g_bytes_unref(b);
}

static void
do_ppap(struct mugai_portal *po, int fd, const struct kmsg *m)
{
	struct mugai_portal_ppap_result r = { 0 };
	g_auto(GStrv) rcpts = NULL;
	JsonObject *meta = mugai_portal_item_meta(po, fs(m, 2), &rcpts);
	char outcome[16], left[16];
	const char *f[5];

	if (meta == NULL) {
		r.pp_outcome = MUGAI_PORTAL_PPAP_FAILED;
		r.pp_reason = g_strdup("the item cannot be read");
	} else {
		mugai_portal_ppap_try(po, fs(m, 1), meta, rcpts, fs(m, 2),
		    fs(m, 3), m->f[4 < m->nf ? 4 : 0], 4 < m->nf ? m->n[4] : 0,
		    &r);
		json_object_unref(meta);
	}
	g_snprintf(outcome, sizeof outcome, "%d", (int)r.pp_outcome);
	g_snprintf(left, sizeof left, "%u", r.pp_tries_left);
	f[0] = outcome;
	f[1] = left;
	f[2] = r.pp_archive;
	f[3] = r.pp_new_id;
	f[4] = r.pp_reason;
	(void)ksend(fd, 5, f, NULL);
	mugai_portal_ppap_result_clear(&r);
}

static void
do_catch_up(struct mugai_portal *po, int fd)
{
	if (po->po_ix != NULL)
		(void)mugai_index_catch_up(po->po_ix, po->po_top,
		    po->po_cf->cf_index_node != NULL &&
		    *po->po_cf->cf_index_node ? po->po_cf->cf_index_node :
		    g_get_host_name(), NULL);
	reply_err(fd, MUGAI_OK);
}

static void G_GNUC_NORETURN
keeper_main(struct mugai_portal *po, int fd)
{
	enum mugai_err err;
	char *why = NULL;
	struct kmsg m;

	po->po_keeper = -1;	/* its own calls are done here */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGUSR1, SIG_IGN);
	if (mugai_qdir_become_owner(po->po_top, &why) != MUGAI_OK) {
		fprintf(stderr, "mugai-portal: keeper: becoming the store's "
		    "owner: %s\n", why);
		_exit(1);
	}
	/* The server process gone, nothing is left to keep (set after
	 * the drop, which clears it). */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(0);
	po->po_q = mugai_quarantine_open_fd(po->po_top,
	    po->po_cf->cf_quarantine_dir, po->po_cf->cf_quarantine_group,
	    &err);
	if (po->po_q == NULL) {
		fprintf(stderr, "mugai-portal: keeper: %s: %s\n",
		    po->po_cf->cf_quarantine_dir, mugai_err_str(err));
		_exit(1);
	}
	if (!mugai_index_disabled(po->po_cf->cf_index_url)) {
		g_autofree char *msg = NULL;

		struct stat st;

		/* In the store's group: the server process reads it. */
		po->po_ix = mugai_index_open(po->po_cf->cf_index_url,
		    po->po_cf->cf_quarantine_dir, fstat(po->po_top, &st) == 0 ?
		    st.st_gid : (gid_t)-1, &err, &msg);
		if (po->po_ix == NULL)
			fprintf(stderr, "mugai-portal: keeper: index: %s\n",
			    msg);
		else
			(void)mugai_index_catch_up(po->po_ix, po->po_top,
			    po->po_cf->cf_index_node != NULL &&
			    *po->po_cf->cf_index_node ?
			    po->po_cf->cf_index_node : g_get_host_name(),
			    NULL);
	}
	po->po_link_key = mugai_link_key_load(po->po_cf, TRUE, (uid_t)-1,
	    &err);
	if (po->po_link_key == NULL) {
		g_autofree char *p = mugai_link_key_path(po->po_cf);

		fprintf(stderr, "mugai-portal: keeper: %s: %s\n", p,
		    mugai_err_str(err));
		_exit(1);
	}
	{
		gsize len;
		const char *f[2] = { "ok",
		    g_bytes_get_data(po->po_link_key, &len) };
		gssize l[2] = { -1, (gssize)len };

		if (!ksend(fd, 2, f, l))
			_exit(1);
	}
	while (krecv(fd, &m)) {
		const char *op = fs(&m, 0);

		if (strcmp(op, "audit") == 0)
			do_audit(po, fd, &m);
		else if (strcmp(op, "request") == 0)
			do_request(po, fd, &m);
		else if (strcmp(op, "decide") == 0)
			do_decide(po, fd, &m);
		else if (strcmp(op, "release") == 0)
			do_release(po, fd, &m);
		else if (strcmp(op, "part") == 0)
			do_part(po, fd, &m);
		else if (strcmp(op, "ppap") == 0)
			do_ppap(po, fd, &m);
		else if (strcmp(op, "catch-up") == 0)
			do_catch_up(po, fd);
		else if (strcmp(op, "reopen") == 0)
			reply_err(fd, mugai_quarantine_reopen_log(po->po_q));
		else
			reply_err(fd, MUGAI_E_INVAL);
		kmsg_clear(&m);
	}
	_exit(0);
}

gboolean
mugai_keeper_start(struct mugai_portal *po, char **why)
{
	struct kmsg m;
	int sv[2];
	pid_t pid;

	*why = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*why = g_strdup_printf("socketpair: %s", g_strerror(errno));
		return FALSE;
	}
	if ((pid = fork()) < 0) {
		*why = g_strdup_printf("fork: %s", g_strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return FALSE;
	}
	if (pid == 0) {
		close(sv[0]);
		keeper_main(po, sv[1]);
	}
	close(sv[1]);
	po->po_keeper = sv[0];
	po->po_keeper_pid = pid;
	/* Ready: the store opened by its owner, and the link key. */
	if (!krecv(po->po_keeper, &m) || strcmp(fs(&m, 0), "ok") != 0 ||
	    m.nf < 2 || m.n[1] == 0) {
		kmsg_clear(&m);
		*why = g_strdup("the keeper did not start (see above)");
		return FALSE;
	}
	po->po_link_key = g_bytes_new(m.f[1], m.n[1]);
	kmsg_clear(&m);
	return TRUE;
}

/* ---- the server's side ---- */

/* One call; FALSE when the keeper is gone (the server then stops). */
static gboolean
call(struct mugai_portal *po, guint n, const char *const *f,
    const gssize *len, struct kmsg *m)
{
	if (ksend(po->po_keeper, n, f, len) && krecv(po->po_keeper, m))
		return TRUE;
	fprintf(stderr, "mugai-portal: the keeper is gone; stopping\n");
	exit(1);
}

static enum mugai_err
answer_err(const struct kmsg *m)
{
	return (enum mugai_err)g_ascii_strtoll(fs(m, 0), NULL, 10);
}

enum mugai_err
mugai_keeper_audit(struct mugai_portal *po, const char *event,
    const char *id, const char *actor, const char *outcome,
    JsonObject *extra)
{
	g_autofree char *x = NULL;
	enum mugai_err err;
	struct kmsg m;

	if (po->po_keeper < 0)
		return mugai_quarantine_audit(po->po_q, event, id, actor,
		    outcome, extra);
	if (extra != NULL) {
		JsonNode *n = json_node_new(JSON_NODE_OBJECT);

		json_node_set_object(n, extra);
		x = json_to_string(n, FALSE);
		json_node_unref(n);
	}
	{
		const char *f[6] = { "audit", event, id, actor, outcome, x };

		call(po, 6, f, NULL, &m);
	}
	err = answer_err(&m);
	kmsg_clear(&m);
	return err;
}

enum mugai_err
mugai_keeper_request_add(struct mugai_portal *po, const char *id,
    const char *part, const char *requester, const char *reason, guint *n)
{
	const char *f[5] = { "request", id, part, requester, reason };
	enum mugai_err err;
	struct kmsg m;

	if (po->po_keeper < 0) {
		err = mugai_request_add(po->po_q, id, part, requester, reason,
		    n);
		if (err == MUGAI_OK)
			index_sync(po, id);
		return err;
	}
	call(po, 5, f, NULL, &m);
	err = answer_err(&m);
	if (n != NULL)
		*n = fu(&m, 1);
	kmsg_clear(&m);
	return err;
}

enum mugai_err
mugai_keeper_request_decide(struct mugai_portal *po, const char *id,
    guint n, gboolean approve, const char *decider, const char *comment,
    struct mugai_request **out)
{
	char num[16];
	const char *f[6] = { "decide", id, num, approve ? "1" : "0", decider,
	    comment };
	enum mugai_err err;
	struct kmsg m;

	if (po->po_keeper < 0) {
		err = mugai_request_decide(po->po_q, id, n, approve, decider,
		    comment, out);
		if (err == MUGAI_OK)
			index_sync(po, id);
		return err;
	}
	g_snprintf(num, sizeof num, "%u", n);
	call(po, 6, f, NULL, &m);
	err = answer_err(&m);
	if (out != NULL) {
		*out = NULL;
		if (err == MUGAI_OK) {
			*out = g_new0(struct mugai_request, 1);
			(*out)->rq_n = n;
			(*out)->rq_state = approve ? MUGAI_REQUEST_APPROVED :
			    MUGAI_REQUEST_DENIED;
			(*out)->rq_part = g_strdup(fs(&m, 1));
			(*out)->rq_requester = g_strdup(fs(&m, 2));
			(*out)->rq_decider = g_strdup(decider);
		}
	}
	kmsg_clear(&m);
	return err;
}

gboolean
mugai_keeper_release(struct mugai_portal *po, const char *id, guint n,
    const char *decider, char **why)
{
	char num[16];
	const char *f[4] = { "release", id, num, decider };
	struct mugai_request *rq = NULL;
	enum mugai_err err;
	GPtrArray *reqs;
	gboolean ok;
	struct kmsg m;

	*why = NULL;
	if (po->po_keeper < 0) {
		reqs = mugai_request_list(po->po_q, id, &err);
		if (reqs != NULL && n >= 1 && n <= reqs->len)
			rq = g_ptr_array_index(reqs, n - 1);
		if (rq == NULL || rq->rq_state != MUGAI_REQUEST_APPROVED) {
			*why = g_strdup("no such approved request");
			ok = FALSE;
		} else {
			ok = mugai_portal_release_run(po, id,
			    strcmp(rq->rq_part, MUGAI_REQUEST_ORIGINAL) == 0 ?
			    NULL : rq->rq_part, rq->rq_requester, decider,
			    why);
		}
		if (reqs != NULL)
			g_ptr_array_free(reqs, TRUE);
		return ok;
	}
	g_snprintf(num, sizeof num, "%u", n);
	call(po, 4, f, NULL, &m);
	ok = strcmp(fs(&m, 0), "ok") == 0;
	if (!ok)
		*why = g_strdup(fs(&m, 1));
	kmsg_clear(&m);
	return ok;
}

GBytes *
mugai_keeper_part_bytes(struct mugai_portal *po, const char *id,
    const char *path)
{
	const char *f[3] = { "part", id, path };
	GBytes *b = NULL;
	struct kmsg m;

	if (po->po_keeper < 0)
		return mugai_portal_part_bytes(po, id, path);
	call(po, 3, f, NULL, &m);
	if (strcmp(fs(&m, 0), "ok") == 0 && m.nf == 2)
		b = g_bytes_new(m.f[1], m.n[1]);
	kmsg_clear(&m);
	return b;
}

void
mugai_keeper_ppap_try(struct mugai_portal *po, const char *user,
    JsonObject *meta, char **rcpts, const char *id, const char *part,
    const char *pass, gsize pass_len, struct mugai_portal_ppap_result *r)
{
	const char *f[5] = { "ppap", user, id, part, pass };
	gssize l[5] = { -1, -1, -1, -1, (gssize)pass_len };
	struct kmsg m;

	if (po->po_keeper < 0) {
		mugai_portal_ppap_try(po, user, meta, rcpts, id, part, pass,
		    pass_len, r);
		return;
	}
	memset(r, 0, sizeof *r);
	call(po, 5, f, l, &m);
	r->pp_outcome = (enum mugai_portal_ppap_outcome)g_ascii_strtoll(
	    fs(&m, 0), NULL, 10);
	r->pp_tries_left = fu(&m, 1);
	r->pp_archive = g_strdup(fn(&m, 2));
	r->pp_new_id = g_strdup(fn(&m, 3));
	r->pp_reason = g_strdup(fn(&m, 4));
	kmsg_clear(&m);
}

void
mugai_keeper_catch_up(struct mugai_portal *po)
{
	const char *f[1] = { "catch-up" };
	struct kmsg m;

	if (po->po_keeper < 0) {
		if (po->po_ix != NULL)
			(void)mugai_index_catch_up(po->po_ix, po->po_top,
			    po->po_cf->cf_index_node != NULL &&
			    *po->po_cf->cf_index_node ?
			    po->po_cf->cf_index_node : g_get_host_name(),
			    NULL);
		return;
	}
	call(po, 1, f, NULL, &m);
	kmsg_clear(&m);
}

enum mugai_err
mugai_keeper_reopen_log(struct mugai_portal *po)
{
	const char *f[1] = { "reopen" };
	enum mugai_err err;
	struct kmsg m;

	if (po->po_keeper < 0)
		return mugai_quarantine_reopen_log(po->po_q);
	call(po, 1, f, NULL, &m);
	err = answer_err(&m);
	kmsg_clear(&m);
	return err;
}
