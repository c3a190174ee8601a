/*
 * mugai_mquar - the quarantine store as the milter uses it
 *
 * Opens lib/quarantine's store at start; every thread stores through the
 * same handle (the store is thread-safe). Actor in the audit log:
 * "mugai-milter".
 *
 * The indexer: a thread that applies the store's journal to the index
 * (lib/index/) four times a second. The index
 * never holds mail up: while it cannot be opened or written (the disk,
 * a PostgreSQL server that is down), items are still stored and
 * journalled; the log says so once, and again when it is back, and the
 * journal lines are applied then, each exactly once.
 */
#include "autoconfig.h"

#include <grp.h>
#include <string.h>

#include "index/index.h"
#include "log.h"
#include "quar.h"

/*
 * The indexer looks at the journal this often: rows follow within a
 * quarter of a second, and a burst of mail is applied in a few
 * transactions, not one per message.
 */
#define INDEX_PERIOD_USEC (G_USEC_PER_SEC / 4)

struct mugai_mquar {
	struct mugai_quarantine *mq_store;	/* NULL: keep_original never */
	/* The indexer thread (NULL: [index] url = none, or no store). */
	GThread *mq_indexer;
	GMutex mq_lock;
	GCond mq_cond;
	gboolean mq_stop;
	char *mq_url, *mq_node, *mq_dir;
	gid_t mq_gid;
};

static gpointer
indexer_run(gpointer data)
{
	struct mugai_mquar *q = data;
	struct mugai_index *ix = NULL;
	gboolean down = FALSE;

	for (;;) {
		g_autofree char *msg = NULL;
		enum mugai_err err;
		guint n = 0;
		gint64 until;

		g_mutex_lock(&q->mq_lock);
		until = g_get_monotonic_time() + INDEX_PERIOD_USEC;
		while (!q->mq_stop)
			if (!g_cond_wait_until(&q->mq_cond, &q->mq_lock, until))
				break;
		if (q->mq_stop) {
			g_mutex_unlock(&q->mq_lock);
			break;
		}
		g_mutex_unlock(&q->mq_lock);
		if (ix == NULL && (ix = mugai_index_open(q->mq_url, q->mq_dir,
		    q->mq_gid, &err, &msg)) == NULL) {
			if (!down)
				mugai_log(LOG_ERR, "index unavailable (%s): "
				    "items are stored and journalled, and "
				    "indexed when it is back", msg);
			down = TRUE;
			continue;
		}
		err = mugai_index_catch_up(ix, mugai_quarantine_fd(q->mq_store),
		    q->mq_node, &n);
		if (err != MUGAI_OK) {
			if (!down)
				mugai_log(LOG_ERR, "index unavailable (%s: %s): "
				    "items are stored and journalled, and "
				    "indexed when it is back",
				    mugai_err_str(err), mugai_index_errmsg(ix));
			down = TRUE;
			g_clear_pointer(&ix, mugai_index_close);
			continue;
		}
		if (down)
			mugai_log(LOG_NOTICE, "index available again: %u "
			    "journal line(s) applied", n);
		down = FALSE;
	}
	mugai_index_close(ix);
	return NULL;
}

static void
indexer_start(struct mugai_mquar *q, const struct mugai_config *cf)
{
	struct group *gr;

	if (mugai_index_disabled(cf->cf_index_url))
		return;
	g_mutex_init(&q->mq_lock);
	g_cond_init(&q->mq_cond);
	q->mq_url = g_strdup(cf->cf_index_url);
	q->mq_dir = g_strdup(cf->cf_quarantine_dir);
	q->mq_node = g_strdup(cf->cf_index_node != NULL &&
	    *cf->cf_index_node != '\0' ? cf->cf_index_node :
	    g_get_host_name());
	q->mq_gid = (gid_t)-1;
	if (cf->cf_quarantine_group != NULL &&
	    *cf->cf_quarantine_group != '\0' &&
	    (gr = getgrnam(cf->cf_quarantine_group)) != NULL)
		q->mq_gid = gr->gr_gid;
	q->mq_indexer = g_thread_new("indexer", indexer_run, q);
}

static void
indexer_stop(struct mugai_mquar *q)
{
	if (q->mq_indexer == NULL)
		return;
	g_mutex_lock(&q->mq_lock);
	q->mq_stop = TRUE;
	g_cond_signal(&q->mq_cond);
	g_mutex_unlock(&q->mq_lock);
	g_thread_join(q->mq_indexer);
	q->mq_indexer = NULL;
	g_mutex_clear(&q->mq_lock);
	g_cond_clear(&q->mq_cond);
	g_free(q->mq_url);
	g_free(q->mq_dir);
	g_free(q->mq_node);
}

enum mugai_err
mugai_mquar_open(const struct mugai_config *cf, struct mugai_mquar **out,
    char **message)
{
	struct mugai_mquar *q = g_new0(struct mugai_mquar, 1);
	enum mugai_err err = MUGAI_OK;
	guint n;

	*message = NULL;
	if (cf->cf_keep_original != MUGAI_KEEP_NEVER &&
	    (q->mq_store = mugai_quarantine_open(cf->cf_quarantine_dir,
	    cf->cf_quarantine_group, &err)) == NULL) {
		*message = g_strdup_printf("quarantine %s: %s",
		    cf->cf_quarantine_dir, mugai_err_str(err));
		g_free(q);
		*out = NULL;
		return err;
	}
	if (q->mq_store != NULL) {
		mugai_quarantine_set_node(q->mq_store, cf->cf_index_node);
		indexer_start(q, cf);
	}
	/* What a crash of this or another writer left in tmp/ (stale only). */
	if (q->mq_store != NULL && (n = mugai_quarantine_clean_tmp(
	    q->mq_store, g_get_real_time())) > 0)
		mugai_log(LOG_NOTICE, "quarantine %s: removed %u stale tmp/ "
		    "entries", cf->cf_quarantine_dir, n);
	*out = q;
	return MUGAI_OK;
}

gboolean
mugai_mquar_has_store(const struct mugai_mquar *q)
{
	return q != NULL && q->mq_store != NULL;
}

struct mugai_quarantine *
mugai_mquar_handle(struct mugai_mquar *q)
{
	return q != NULL ? q->mq_store : NULL;
}

void
mugai_mquar_reopen_log(struct mugai_mquar *q)
{
	enum mugai_err err;

	if (q == NULL || q->mq_store == NULL)
		return;
	if ((err = mugai_quarantine_reopen_log(q->mq_store)) != MUGAI_OK)
		mugai_log(LOG_ERR, "quarantine %s: cannot reopen audit.log, "
		    "still appending to the old file: %s",
		    mugai_quarantine_dir(q->mq_store), mugai_err_str(err));
}

void
mugai_mquar_close(struct mugai_mquar *q)
{
	if (q == NULL)
		return;
	indexer_stop(q);
	mugai_quarantine_close(q->mq_store);
	g_free(q);
}

char *
mugai_mquar_new_id(struct mugai_mquar *q)
{
	return q != NULL && q->mq_store != NULL ?
	    mugai_qid_new() : NULL;
}

void
mugai_mquar_attach(struct mugai_mquar *q, struct mugai_spool *sp)
{
	if (q != NULL && q->mq_store != NULL)
		mugai_spool_set_store(sp, q->mq_store);
}

enum mugai_err
mugai_mquar_store(struct mugai_mquar *q, const char *id,
    struct mugai_spool *sp, const struct mugai_envelope *env,
    const struct mugai_report *report)
{
	const char *sha = NULL;
	enum mugai_err err;

	if (q == NULL || q->mq_store == NULL) {
		mugai_log(LOG_ERR, "cannot keep original: no quarantine store "
		    "is open");
		return MUGAI_E_IO;
	}
	/* The engine hashed every byte the spool holds: not again. */
	if (report != NULL && report->rr_size == mugai_spool_size(sp) &&
	    strlen(report->rr_sha256) == 64)
		sha = report->rr_sha256;
	err = mugai_spool_keep(sp, q->mq_store, id, env, report, sha,
	    "mugai-milter");
	if (err != MUGAI_OK)
		mugai_log(LOG_ERR, "cannot keep original %s: %s", id,
		    mugai_err_str(err));
	return err;
}

enum mugai_release_status
mugai_mquar_release_check(struct mugai_mquar *q,
    const struct mugai_config *cf, const char *value,
    struct mugai_spool *sp, const char *const *rcpts, char **id)
{
	enum mugai_release_status r;
	enum mugai_err err;
	GMimeStream *msg;

	*id = NULL;
	if (q == NULL || q->mq_store == NULL)
		return MUGAI_RELEASE_UNKNOWN_ID;
	/*
	 * The whole message as spooled. A spool file's stream shares its
	 * offset with any other: the engine's is opened (rewound) after.
	 */
	msg = mugai_spool_stream(sp, &err);
	r = mugai_release_check(q->mq_store, cf, value, msg, rcpts, id);
	g_clear_object(&msg);
	return r;
}

const char *
mugai_mquar_release_name(enum mugai_release_status r)
{
	switch (r) {
	case MUGAI_RELEASE_VALID:
		return "valid";
	case MUGAI_RELEASE_FORGED:
		return "forged";
	case MUGAI_RELEASE_EXPIRED:
		return "expired";
	case MUGAI_RELEASE_REPLAYED:
		return "replayed";
	case MUGAI_RELEASE_UNKNOWN_ID:
		return "unknown-id";
	case MUGAI_RELEASE_OTHER_CONTENT:
		return "forged (valid for other content)";
	case MUGAI_RELEASE_OTHER_RCPTS:
		return "forged (valid for other recipients)";
	}
	return "unknown";
}
