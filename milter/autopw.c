/*
 * mugai_mautopw - the milter's automatic PPAP password pick (autopw.h)
 *
 * Abuse bounds: only the same envelope sender to the same recipient
 * within the window reaches an archive (a stranger's mail matches
 * nothing); the table holds at most MUGAI_PWWAIT_MAX entries and
 * MUGAI_PWWAIT_PAIR_MAX per sender and recipient; one password mail is
 * tried on at most MUGAI_MAUTOPW_ITEMS_MAX archives; an archive gets at
 * most auto_password_tries wrong passwords from here (fewer than the
 * MUGAI_PPAP_MAX_FAILURES its recipient's own form shares with us), then
 * it is forgotten; one worker thread opens one archive at a time, and at
 * most MUGAI_MAUTOPW_QUEUE_MAX password mails wait for it. The password
 * lives in the job's memory only (wiped when the job ends) and is never
 * logged or audited.
 */
#include "autoconfig.h"

#include <string.h>

#include "autopw.h"
#include "log.h"
#include "portal/role.h"
#include "ppap/autopw.h"
#include "ppap/ppap.h"
#include "ppap/pwwait.h"

#define ACTOR "auto-password"

/* The text core keeps for us is exactly what autopw reads. */
G_STATIC_ASSERT(MUGAI_RESULT_TEXT_MAX == MUGAI_AUTOPW_TEXT_MAX);

struct job {
	struct mugai_config *jb_cf;	/* reference held */
	GString *jb_text;		/* the password mail's text; wiped */
	char *jb_sender;		/* plain address */
	GPtrArray *jb_rcpts;		/* plain addresses, NULL-terminated */
	gint64 jb_time;			/* its arrival, unix seconds */
};

static struct {
	GMutex lock;
	struct mugai_pwwait *table;
	GHashTable *wrong;		/* item ID -> wrong passwords here */
	GThreadPool *pool;
	struct mugai_mquar *q;
} st;

static void
job_free(gpointer p)
{
	struct job *jb = p;

	explicit_bzero(jb->jb_text->str, jb->jb_text->allocated_len);
	g_string_free(jb->jb_text, TRUE);
	g_ptr_array_unref(jb->jb_rcpts);
	mugai_config_unref(jb->jb_cf);
	g_free(jb->jb_sender);
	g_free(jb);
}

/* Forgets item id: opened, or no longer worth a try. */
static void
forget(const char *id)
{
	mugai_pwwait_forget(st.table, id);
	g_mutex_lock(&st.lock);
	g_hash_table_remove(st.wrong, id);
	g_mutex_unlock(&st.lock);
}

/* Counts a wrong password on id; TRUE when it has had its tries. */
static gboolean
count_wrong(const char *id, gint64 tries)
{
	guint n;

	g_mutex_lock(&st.lock);
	/* Bounded as the table is; entries of expired items go with it. */
	if (g_hash_table_size(st.wrong) >= MUGAI_PWWAIT_MAX)
		g_hash_table_remove_all(st.wrong);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(st.wrong, id)) + 1;
	g_hash_table_insert(st.wrong, g_strdup(id), GUINT_TO_POINTER(n));
	g_mutex_unlock(&st.lock);
	return n >= (guint)tries;
}

/* Sends what opened to rcpt alone (the one both mails went to). */
static void
deliver(struct mugai_quarantine *q, const struct mugai_config *cf,
    const struct mugai_ppap_result *pr, const struct mugai_pwwait_item *it,
    const char *sender)
{
	const char *who[] = { it->pi_rcpt, NULL };
	g_autofree char *why = NULL;
	g_autofree char *e_id = mugai_log_escape(it->pi_id);
	g_autofree char *e_part = mugai_log_escape(it->pi_part);
	g_autofree char *e_from = mugai_log_escape(sender);
	g_autofree char *e_to = mugai_log_escape(it->pi_rcpt);
	g_autofree char *e_new = mugai_log_escape(pr->po_new_id);
	g_autofree char *e_why = NULL;
	gboolean ok = mugai_ppap_deliver(q, cf, pr, who, ACTOR,
	    "mugai-milter", &why);

	if (ok) {
		mugai_log(LOG_INFO, "item %s part %s: archive opened "
		    "automatically by a password mail from %s: %u entries, "
		    "new item %s, sent to %s", e_id, e_part, e_from,
		    pr->po_entries, e_new, e_to);
		return;
	}
	e_why = mugai_log_escape(why);
	mugai_log(LOG_WARNING, "item %s part %s: archive opened "
	    "automatically (new item %s) but not sent to %s: %s", e_id,
	    e_part, e_new, e_to, e_why);
}

/* Tries pw on one waiting archive. */
static void
try_item(const struct job *jb, const struct mugai_pwwait_item *it,
    const char *pw)
{
	struct mugai_quarantine *q = mugai_mquar_handle(st.q);
	const struct mugai_config *cf = jb->jb_cf;
	struct mugai_ppap_req rq;
	struct mugai_ppap_result pr;
	g_autofree char *e_id = mugai_log_escape(it->pi_id);
	g_autofree char *e_part = mugai_log_escape(it->pi_part);
	enum mugai_err err;

	if (q == NULL)
		return;
	memset(&rq, 0, sizeof rq);
	rq.pr_cf = cf;
	rq.pr_q = q;
	rq.pr_helper = cf->cf_extract_helper != NULL &&
	    cf->cf_extract_helper[0] != '\0' ? cf->cf_extract_helper : NULL;
	rq.pr_id = it->pi_id;
	rq.pr_part = it->pi_part;
	rq.pr_pass = pw;
	rq.pr_pass_len = strlen(pw);
	rq.pr_actor = ACTOR;
	err = mugai_ppap_open(&rq, &pr);
	if (err != MUGAI_OK) {
		g_autofree char *e_why = mugai_log_escape(pr.po_reason);

		mugai_log(LOG_WARNING, "item %s part %s: automatic password "
		    "pick failed: %s (%s)", e_id, e_part, mugai_err_str(err),
		    e_why);
		if (err == MUGAI_E_NOTFOUND || err == MUGAI_E_PERM ||
		    err == MUGAI_E_PARSE || err == MUGAI_E_INVAL)
			forget(it->pi_id);
		mugai_ppap_result_clear(&pr);
		return;
	}
	switch (pr.po_status) {
	case MUGAI_PPAP_OPENED:
		forget(it->pi_id);
		deliver(q, cf, &pr, it, jb->jb_sender);
		break;
	case MUGAI_PPAP_WRONG_PASSWORD:
	{
		gboolean done = count_wrong(it->pi_id,
		    cf->cf_ppap_auto_password_tries);

		mugai_log(LOG_INFO, "item %s part %s: a password mail did not "
		    "open the archive (wrong password)%s", e_id, e_part,
		    done ? "; no longer waiting for one" : "");
		if (done)
			forget(it->pi_id);
		break;
	}
	case MUGAI_PPAP_RATE_LIMITED:
		mugai_log(LOG_INFO, "item %s part %s: too many wrong "
		    "passwords lately; the password mail is not tried", e_id,
		    e_part);
		break;
	default:
	{
		g_autofree char *e_why = mugai_log_escape(pr.po_reason);

		/* Another password would not change it. */
		mugai_log(LOG_INFO, "item %s part %s: the archive cannot be "
		    "opened automatically: %s (%s)", e_id, e_part,
		    mugai_ppap_status_name(pr.po_status), e_why);
		forget(it->pi_id);
		break;
	}
	}
	mugai_ppap_result_clear(&pr);
}

static void
work(gpointer data, gpointer user)
{
	struct job *jb = data;
	GPtrArray *items;
	char *pw;

	(void)user;
	pw = mugai_autopw_pick(jb->jb_text->str, jb->jb_text->len);
	if (pw != NULL) {
		/*
		 * Matched again here, not when queued: the job before this
		 * one (the same password mail sent twice) may have opened an
		 * archive, which must not be opened and sent twice.
		 */
		items = mugai_pwwait_match(st.table, jb->jb_sender,
		    (const char *const *)jb->jb_rcpts->pdata, jb->jb_time,
		    jb->jb_cf->cf_ppap_auto_password_window / 1000);
		for (guint i = 0; i < items->len &&
		    i < MUGAI_MAUTOPW_ITEMS_MAX; i++)
			try_item(jb, g_ptr_array_index(items, i), pw);
		g_ptr_array_unref(items);
	} else
		mugai_log(LOG_DEBUG, "a mail from a sender with a waiting "
		    "archive is no password mail");
	mugai_autopw_free(pw);
	job_free(jb);
}

void
mugai_mautopw_start(struct mugai_mquar *q)
{
	g_mutex_init(&st.lock);
	st.q = q;
	st.table = mugai_pwwait_new();
	st.wrong = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	/* One thread: one archive opened at a time, whatever the burst. */
	st.pool = g_thread_pool_new_full(work, NULL, job_free, 1, FALSE,
	    NULL);
}

void
mugai_mautopw_stop(void)
{
	if (st.table == NULL)
		return;
	/* The job at work ends; the waiting ones are freed unrun. */
	if (st.pool != NULL)
		g_thread_pool_free(st.pool, TRUE, TRUE);
	st.pool = NULL;
	mugai_pwwait_free(st.table);
	st.table = NULL;
	g_hash_table_unref(st.wrong);
	st.wrong = NULL;
	g_mutex_clear(&st.lock);
}

/* The envelope's recipients as plain lower-case addresses. */
static GPtrArray *
plain_rcpts(const struct mugai_envelope *env)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	for (gsize i = 0; env->ev_rcpts != NULL && env->ev_rcpts[i] != NULL;
	    i++) {
		char *r = mugai_roles_addr(env->ev_rcpts[i]);

		if (r != NULL)
			g_ptr_array_add(a, r);
	}
	g_ptr_array_add(a, NULL);
	return a;
}

void
mugai_mautopw_note(const struct mugai_config *cf,
    const struct mugai_envelope *env, const char *kept_id,
    const struct mugai_result *rs)
{
	g_autofree char *sender = NULL;
	g_autoptr(GPtrArray) rcpts = NULL;
	const char *part;
	gboolean any;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GPtrArray *items;
	struct job *jb;

	if (st.table == NULL || rs == NULL || mugai_mquar_handle(st.q) == NULL)
		return;
	/* A bounce (<>) is nobody's password mail. */
	if ((sender = mugai_roles_addr(env->ev_sender)) == NULL)
		return;
	rcpts = plain_rcpts(env);
	if (rcpts->len < 2)
		return;
	if (kept_id != NULL &&
	    (part = mugai_pwwait_encrypted_part(rs->rs_report)) != NULL) {
		g_autofree char *e_id = mugai_log_escape(kept_id);
		g_autofree char *e_part = mugai_log_escape(part);

		mugai_pwwait_add(st.table, sender,
		    (const char *const *)rcpts->pdata, kept_id, part, now);
		mugai_log(LOG_INFO, "item %s part %s: an encrypted archive "
		    "waits for its password mail", e_id, e_part);
		return;
	}
	if (rs->rs_text == NULL)
		return;
	items = mugai_pwwait_match(st.table, sender,
	    (const char *const *)rcpts->pdata, now,
	    cf->cf_ppap_auto_password_window / 1000);
	any = items->len > 0;
	g_ptr_array_unref(items);
	if (!any)
		return;
	if (g_thread_pool_unprocessed(st.pool) >= MUGAI_MAUTOPW_QUEUE_MAX) {
		mugai_log(LOG_WARNING, "automatic password pick: %u password "
		    "mails wait already; this one is not tried",
		    g_thread_pool_unprocessed(st.pool));
		return;
	}
	jb = g_new0(struct job, 1);
	jb->jb_cf = mugai_config_ref((struct mugai_config *)cf);
	jb->jb_text = g_string_new_len(rs->rs_text->str,
	    (gssize)rs->rs_text->len);
	jb->jb_sender = g_steal_pointer(&sender);
	jb->jb_rcpts = g_steal_pointer(&rcpts);
	jb->jb_time = now;
	(void)g_thread_pool_push(st.pool, jb, NULL);
}
