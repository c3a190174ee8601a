/*
 * mugai_reply - the one table from outcome to milter status and SMTP reply
 *
 * Every way a message can end (an engine verdict, a failure of our own
 * work, a message past the size cap) is looked up here and nowhere else.
 * Nothing unsanitized maps to SMFIS_ACCEPT: the only "pass" is
 * SMFIS_CONTINUE after the edits were applied. Replies are static or
 * point into cf / the result: valid while those live.
 */
#ifndef MUGAI_REPLY_H
#define MUGAI_REPLY_H

#include <libmilter/mfapi.h>

#include "core/config.h"
#include "base/err.h"
#include "base/report.h"

struct mugai_reply {
	sfsistat rp_status;
	const char *rp_code;	/* "550", or NULL: no reply to set */
	const char *rp_xcode;	/* "5.7.1" */
	const char *rp_text;
	const char *rp_action;	/* one word for the log: "continue" ... */
};

/*
 * The reply for an engine verdict. engine_text (lent, may be NULL) is the
 * engine's reply text for REJECT/TEMPFAIL; it wins over the defaults.
 */
struct mugai_reply mugai_reply_for_verdict(enum mugai_verdict verdict,
    const struct mugai_config *cf, const char *engine_text);

/*
 * The reply when the work failed with err: MUGAI_E_LIMIT is a message past
 * max_message_size (on_error tempfail: 451, else 552 5.3.4 since the
 * original cannot be kept to withhold it); anything else is 451 4.3.0.
 */
struct mugai_reply mugai_reply_for_error(enum mugai_err err,
    const struct mugai_config *cf);

/*
 * Returns (transfer full) text made safe for smfi_setreply: '%' doubled
 * (sendmail expands it), CR, LF and TAB turned into spaces.
 */
char *mugai_reply_text_clean(const char *text);

/* Sets the SMTP reply on ctx (when there is one); returns rp_status. */
sfsistat mugai_reply_send(SMFICTX *ctx, const struct mugai_reply *rp);

#endif
