/*
 * mugai_reply - outcome -> SMFIS_* and the SMTP reply, in one place
 *
 * Fail closed: an outcome this table does not know is a temporary failure,
 * so the MTA keeps the mail and retries.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>

#include "mta.h"
#include "reply.h"

#define TEMPFAIL_TEXT "Temporary failure in mail sanitization, try again later"
#define TOO_BIG_TEXT "Message too big for the mail sanitization policy"

static const struct mugai_reply r_continue = {
	SMFIS_CONTINUE, NULL, NULL, NULL, "continue"
};

static struct mugai_reply
r_tempfail(const char *text)
{
	struct mugai_reply r = { SMFIS_TEMPFAIL, "451", "4.3.0",
	    text != NULL && *text != '\0' ? text : TEMPFAIL_TEXT, "tempfail" };

	return r;
}

static struct mugai_reply
r_reject(const struct mugai_config *cf, const char *text)
{
	struct mugai_reply r = { SMFIS_REJECT, "550", "5.7.1", text,
	    "reject" };

	if (text == NULL || *text == '\0')
		r.rp_text = cf->cf_reject_text;
	return r;
}

struct mugai_reply
mugai_reply_for_verdict(enum mugai_verdict verdict,
    const struct mugai_config *cf, const char *engine_text)
{
	switch (verdict) {
	case MUGAI_V_UNCHANGED:
	case MUGAI_V_SANITIZED:
	case MUGAI_V_WITHHELD:
		/* The body was replaced (or needs no change): go on. */
		return r_continue;
	case MUGAI_V_REJECT:
		return r_reject(cf, engine_text);
	case MUGAI_V_TEMPFAIL:
		return r_tempfail(engine_text);
	}
	return r_tempfail(NULL);
}

struct mugai_reply
mugai_reply_for_error(enum mugai_err err, const struct mugai_config *cf)
{
	struct mugai_reply r;

	if (err != MUGAI_E_LIMIT)
		return r_tempfail(NULL);
	if (cf->cf_on_error == MUGAI_ON_ERROR_TEMPFAIL)
		return r_tempfail(TOO_BIG_TEXT);
	/*
	 * withhold needs the original in quarantine, and a message past the
	 * hard cap was never kept whole: refusing it is the only safe end.
	 */
	r.rp_status = SMFIS_REJECT;
	r.rp_code = "552";
	r.rp_xcode = "5.3.4";
	r.rp_text = TOO_BIG_TEXT;
	r.rp_action = "reject";
	return r;
}

char *
mugai_reply_text_clean(const char *text)
{
	GString *out = g_string_sized_new(strlen(text) + 8);

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '%')
			g_string_append(out, "%%");
		else if (*p == '\r' || *p == '\n' || *p == '\t')
			g_string_append_c(out, ' ');
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

sfsistat
mugai_reply_send(SMFICTX *ctx, const struct mugai_reply *rp)
{
	char *text;

	if (rp->rp_code == NULL)
		return rp->rp_status;
	text = mugai_reply_text_clean(rp->rp_text);
	(void)mugai_mta_setreply(ctx, rp->rp_code, rp->rp_xcode, text);
	g_free(text);
	return rp->rp_status;
}
