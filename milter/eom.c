/*
 * mugai_eom - the end-of-message sequence
 *
 * Steps, each of which can only make the outcome stricter:
 *   1. input failures recorded while spooling -> reply table
 *   2. a release header: valid (for this content and these recipients)
 *      -> pass unchanged; otherwise logged and sanitized like any mail
 *   3. engine (ID issued first so the notice can name it): finishes the
 *      stream fed since end of headers, or reads the spool
 *   4. original stored when the result says so (before any reply)
 *   5. verdict -> reply table; CONTINUE only after every edit and the
 *      whole body were accepted by the MTA
 *   6. with [ppap] auto_password: an encrypted archive kept, or a
 *      possible password mail, handed to milter/autopw.c (no I/O here)
 */
#include "autoconfig.h"

#include <string.h>

#include "apply.h"
#include "autopw.h"
#include "current.h"
#include "eom.h"
#include "log.h"
#include "mta.h"
#include "nodelay.h"
#include "reply.h"
#include "core/sanitize.h"
#include "stats.h"

struct eom_state {
	SMFICTX *es_ctx;
	struct mugai_conn *es_cc;
	struct mugai_msg *es_mc;
	struct mugai_envelope es_env;
	char *es_qid;			/* quarantine ID */
	const char *es_verdict;
	const char *es_engine;		/* static */
	const char *es_reason;
	const char *es_limit;		/* config key of a limit hit */
	gboolean es_charset_fallback;	/* UTF-8 body for ISO-2022-JP */
	unsigned es_removed;
	gboolean es_kept;		/* original stored */
	gboolean es_replaced;		/* new body taken by the MTA */
};

static void
log_end(const struct eom_state *es, const struct mugai_reply *rp)
{
	struct mugai_log_msg lm = { 0 };

	lm.lm_queue_id = es->es_mc->mc_queue_id;
	lm.lm_client_addr = es->es_cc->cc_client_addr;
	lm.lm_sender = es->es_mc->mc_sender;
	lm.lm_rcpts = mugai_msg_rcpts(es->es_mc);
	lm.lm_verdict = es->es_verdict;
	lm.lm_engine = es->es_engine;
	lm.lm_action = rp->rp_action;
	lm.lm_reason = es->es_reason;
	lm.lm_limit = es->es_limit;
	lm.lm_charset_fallback = es->es_charset_fallback;
	lm.lm_removed = es->es_removed;
	lm.lm_quarantine_id = es->es_qid;
	lm.lm_size = mugai_spool_size(es->es_mc->mc_spool);
	lm.lm_usec = g_get_monotonic_time() - es->es_mc->mc_start;
	mugai_log_summary(&lm);
	mugai_stats_add(&(struct mugai_stats_msg) {
		.sm_verdict = lm.lm_verdict, .sm_engine = lm.lm_engine,
		.sm_action = lm.lm_action,
		.sm_body_replaced = es->es_replaced, .sm_kept = es->es_kept,
		.sm_size = lm.lm_size, .sm_usec = lm.lm_usec });
}

/* Logs, sets the reply, ends the message; returns the status. */
static sfsistat
finish(struct eom_state *es, const struct mugai_reply *rp)
{
	sfsistat status;

	log_end(es, rp);
	status = mugai_reply_send(es->es_ctx, rp);
	g_free(es->es_qid);
	mugai_conn_msg_end(es->es_cc);
	return status;
}

static sfsistat
fail(struct eom_state *es, enum mugai_err err, const char *why)
{
	struct mugai_reply rp = mugai_reply_for_error(err,
	    es->es_mc->mc_cf);

	if (es->es_verdict == NULL)
		es->es_verdict = err == MUGAI_E_LIMIT ? "too-big" : "error";
	/* The only limit the milter meets itself: the spool's hard cap. */
	if (err == MUGAI_E_LIMIT && es->es_limit == NULL)
		es->es_limit = "max_message_size";
	es->es_reason = why;
	return finish(es, &rp);
}

static void
state_init(struct eom_state *es, SMFICTX *ctx, struct mugai_conn *cc)
{
	struct mugai_msg *mc = cc->cc_msg;

	memset(es, 0, sizeof *es);
	es->es_ctx = ctx;
	es->es_cc = cc;
	es->es_mc = mc;
	mugai_msg_set_queue_id(mc, mugai_mta_getsymval(ctx, "i"));
	es->es_env.ev_queue_id = mc->mc_queue_id;
	es->es_env.ev_client_addr = cc->cc_client_addr;
	es->es_env.ev_client_name = cc->cc_client_name;
	es->es_env.ev_helo = cc->cc_helo;
	es->es_env.ev_sender = mc->mc_sender;
	es->es_env.ev_rcpts = mugai_msg_rcpts(mc);
}

sfsistat
mugai_eom_fail_early(SMFICTX *ctx, struct mugai_conn *cc)
{
	struct eom_state es;

	state_init(&es, ctx, cc);
	return fail(&es, es.es_mc->mc_err, mugai_err_str(es.es_mc->mc_err));
}

/* TRUE when the message carries a valid release and may pass as it is. */
static gboolean
released(struct eom_state *es, struct mugai_mquar *q)
{
	struct mugai_msg *mc = es->es_mc;
	enum mugai_release_status r;
	char *id = NULL;
	char *qid, *esc;

	if (mc->mc_release == NULL)
		return FALSE;
	r = mugai_mquar_release_check(q, mc->mc_cf, mc->mc_release,
	    mc->mc_spool, mugai_msg_rcpts(mc), &id);
	qid = mugai_log_escape(mc->mc_queue_id);
	esc = mugai_log_escape(id);
	mugai_log(r == MUGAI_RELEASE_VALID ? LOG_NOTICE : LOG_WARNING,
	    "%s: X-Mugai-Release %s for item %s%s", qid,
	    mugai_mquar_release_name(r), esc,
	    r == MUGAI_RELEASE_VALID ? ": passes unchanged" :
	    ": sanitized like any mail");
	g_free(esc);
	g_free(qid);
	g_free(id);
	return r == MUGAI_RELEASE_VALID;
}

/*
 * Applies the result; MUGAI_OK when the MTA took every change. The
 * changes are written corked (nodelay.h): one segment for all of them,
 * sent when the cork comes off, before libmilter's final reply.
 */
static enum mugai_err
apply(struct eom_state *es, const struct mugai_result *rs)
{
	enum mugai_err err;
	gboolean leadspc = (es->es_cc->cc_pflags & SMFIP_HDR_LEADSPC) != 0;
	int fd = mugai_mta_socket(es->es_ctx);

	mugai_nodelay_cork(fd, TRUE);
	if ((err = mugai_apply_edits(es->es_ctx, rs->rs_edits, leadspc))
	    == MUGAI_OK && rs->rs_body != NULL &&
	    (err = mugai_apply_body(es->es_ctx, rs->rs_body,
	    mugai_current_body_chunk())) == MUGAI_OK)
		es->es_replaced = TRUE;
	mugai_nodelay_cork(fd, FALSE);
	return err;
}

sfsistat
mugai_eom_run(SMFICTX *ctx, struct mugai_conn *cc)
{
	struct mugai_mquar *q = mugai_current_quar();
	struct mugai_result *rs;
	struct mugai_reply rp;
	struct eom_state es;
	enum mugai_err err = MUGAI_OK;
	GMimeStream *msg;
	sfsistat status;

	state_init(&es, ctx, cc);
	if (es.es_mc->mc_err != MUGAI_OK)
		return fail(&es, es.es_mc->mc_err,
		    mugai_err_str(es.es_mc->mc_err));
	/*
	 * Before the engine's stream is opened: the check reads the spool
	 * through a descriptor sharing its offset, which opening rewinds.
	 */
	if (released(&es, q)) {
		es.es_verdict = "released";
		rp = mugai_reply_for_verdict(MUGAI_V_UNCHANGED,
		    es.es_mc->mc_cf, NULL);
		return finish(&es, &rp);
	}
	if ((msg = mugai_spool_stream(es.es_mc->mc_spool, &err)) == NULL)
		return fail(&es, err, "cannot read the spooled message");
	es.es_qid = mugai_mquar_new_id(q);
	es.es_env.ev_quarantine_id = es.es_qid;
	/* Fed as it arrived: the engine only finishes (or falls back). */
	if (es.es_mc->mc_live != NULL)
		rs = mugai_sanitize_stream_finish(es.es_mc->mc_live, msg,
		    &es.es_env, &err);
	else
		rs = mugai_sanitize(es.es_mc->mc_cf, msg, &es.es_env, &err);
	if (rs == NULL) {
		g_object_unref(msg);
		return fail(&es, err, "the engine failed");
	}
	es.es_verdict = mugai_verdict_name(rs->rs_verdict);
	if (rs->rs_report != NULL) {
		es.es_engine = rs->rs_report->rr_engine;
		es.es_removed = mugai_report_removed(rs->rs_report);
		es.es_charset_fallback = rs->rs_report->rr_charset_fallback;
		es.es_reason = rs->rs_report->rr_withheld_reason;
		es.es_limit = rs->rs_report->rr_limit;
	}
	g_object_unref(msg);
	/* Durable (fsync, rename, directory fsync) before any reply. */
	if (rs->rs_keep_original && (es.es_qid == NULL ||
	    mugai_mquar_store(q, es.es_qid, es.es_mc->mc_spool, &es.es_env,
	    rs->rs_report) != MUGAI_OK)) {
		status = fail(&es, MUGAI_E_IO, "cannot keep the original");
		mugai_result_free(rs);
		return status;
	}
	es.es_kept = rs->rs_keep_original;
	if (!rs->rs_keep_original)
		g_clear_pointer(&es.es_qid, g_free);
	rp = mugai_reply_for_verdict(rs->rs_verdict, es.es_mc->mc_cf,
	    rs->rs_reply);
	if (rp.rp_status == SMFIS_CONTINUE &&
	    (err = apply(&es, rs)) != MUGAI_OK) {
		status = fail(&es, err, "the MTA refused a change");
		mugai_result_free(rs);
		return status;
	}
	/*
	 * The message's own fate is settled: the automatic password pick
	 * only remembers or queues (milter/autopw.h). Off by default: one
	 * test on the hot path.
	 */
	if (es.es_mc->mc_cf->cf_ppap_auto_password &&
	    rp.rp_status == SMFIS_CONTINUE)
		mugai_mautopw_note(es.es_mc->mc_cf, &es.es_env,
		    es.es_kept ? es.es_qid : NULL, rs);
	status = finish(&es, &rp);
	mugai_result_free(rs);
	return status;
}
