/*
 * mugai_ppap - a quarantined password-protected archive (the "PPAP" zip)
 * opened for its recipients
 *
 * The one step `mugai quarantine open` and the portal share: given a
 * quarantined item, the MIME part that holds the archive and the
 * password, mugai_ppap_open()
 *   1. refuses when the item had MUGAI_PPAP_MAX_FAILURES wrong passwords
 *      in the last MUGAI_PPAP_WINDOW seconds (rate_limited);
 *   2. reads the item's original.eml (not a link, the store owner's, its
 *      SHA-256 the one in meta.json) and the part's decoded bytes;
 *   3. opens the archive in a sandboxed helper (mugai_extract_unlock(),
 *      lib/extract/unlock.h) within the [policy] archive limits;
 *   4. builds a new message: From the original's From, To its envelope
 *      recipients, Subject 「パスワード付きZIP「NAME」の内容 / Contents of
 *      the password-protected ZIP "NAME"」, a text part listing every
 *      entry (path, size, SHA-256) and each entry as an attachment;
 *   5. sanitizes it with mugai_sanitize() (lib/core/sanitize.h), so each
 *      entry gets the policy and the notice line of a mail attachment;
 *   6. stores the built message as a new quarantine item (its entries can
 *      be extracted and released like any removed part), linked both
 *      ways through ppap.json in the two item directories;
 *   7. writes an "opened" line to audit.log: who, which item and part,
 *      the outcome, never the password.
 * The sanitized message is handed back for the caller to deliver:
 * mugai_ppap_deliver() (deliver.c) for the CLI, the portal and the
 * milter's automatic password pick (milter/autopw.c), or the CLI's -o
 * FILE.
 *
 * ppap.json (written without following links, as the store's owner,
 * under a lock of the item directory, 0640 with the item directory's
 * group, as meta.json): in the opened item
 *   {"failures": [unix seconds...], "opened": [{"time", "actor",
 *    "part", "archive", "id", "entries": [{"name","size","sha256"}]}]}
 * and in the new one {"opened_from": {"id", "part", "archive"},
 *   "entries": [...]}. Only wrong passwords count as failures.
 *
 * The password is lent for the call and never stored, logged or copied
 * into anything that outlives it.
 */
#ifndef MUGAI_PPAP_H
#define MUGAI_PPAP_H

#include <glib.h>

#include "base/err.h"
#include "core/config.h"
#include "extract/client.h"
#include "store/quarantine.h"

#define MUGAI_PPAP_MAX_FAILURES	5
#define MUGAI_PPAP_WINDOW	600	/* seconds */
#define MUGAI_PPAP_STATE	"ppap.json"

enum mugai_ppap_status {
	MUGAI_PPAP_OPENED,		/* a new item; po_message to deliver */
	MUGAI_PPAP_WRONG_PASSWORD,
	MUGAI_PPAP_RATE_LIMITED,	/* too many wrong passwords lately */
	MUGAI_PPAP_NO_PART,		/* no such part, or a container */
	MUGAI_PPAP_UNSUPPORTED,		/* not an archive the helper opens */
	MUGAI_PPAP_DAMAGED,
	MUGAI_PPAP_OVER_LIMIT,		/* archive limits (po_reason) */
	MUGAI_PPAP_FAILED,		/* the helper failed, or the policy
					 * refused the new message */
};

struct mugai_ppap_req {
	const struct mugai_config *pr_cf;	/* lent */
	struct mugai_quarantine *pr_q;		/* lent, opened for writing */
	struct mugai_extract_pool *pr_pool;	/* lent; NULL: a pool of one
						 * helper for this call */
	const char *pr_helper;			/* with no pool: mugai-extract
						 * (NULL: the installed one) */
	const char *pr_id;			/* the item (valid ID) */
	const char *pr_part;			/* MIME part, "2" or "1.2" */
	const char *pr_pass;			/* lent; not NUL-terminated */
	gsize pr_pass_len;
	const char *pr_actor;			/* who, for audit.log */
	gint64 pr_now;				/* unix seconds; 0: now */
};

struct mugai_ppap_result {
	enum mugai_ppap_status po_status;
	char *po_reason;	/* a word or phrase saying why, or NULL */
	char *po_archive;	/* the part's file name, or NULL */
	char *po_new_id;	/* the new item (opened) */
	GBytes *po_message;	/* the sanitized message (opened), LF */
	char *po_sender;	/* the original's envelope sender, or NULL */
	char **po_rcpts;	/* its envelope recipients */
	guint po_entries;	/* entries in the archive (opened) */
	guint po_tries_left;	/* wrong passwords left in the window */
};

/*
 * Does the steps above. Returns MUGAI_OK with *out filled (whatever its
 * status), or an error when the store failed (MUGAI_E_NOTFOUND no such
 * item, MUGAI_E_PERM a link or a file of someone else, MUGAI_E_PARSE
 * meta.json or an original that does not match it, MUGAI_E_IO ...);
 * *out is then cleared but for po_reason. Clear *out with
 * mugai_ppap_result_clear() in every case.
 */
enum mugai_err mugai_ppap_open(const struct mugai_ppap_req *rq,
    struct mugai_ppap_result *out);

void mugai_ppap_result_clear(struct mugai_ppap_result *r);

/*
 * Delivers r's sanitized message (opened) to who (NULL-terminated plain
 * addresses, lent) through cf's submit_command (deliver.c), and writes
 * a "delivered" line to q's audit.log: actor, the new item, "ok" or
 * "failed", {"to", "sha256", "via", "error"}. Returns TRUE when the
 * command took the message and exited 0; else FALSE with *why (transfer
 * full) saying why. The portal and the milter's automatic pick share it.
 */
gboolean mugai_ppap_deliver(struct mugai_quarantine *q,
    const struct mugai_config *cf, const struct mugai_ppap_result *r,
    const char *const *who, const char *actor, const char *via, char **why);

/*
 * Reads the ppap.json of an item directory (itemfd lent) as
 * mugai_qdir_read() does (owner: (uid_t)-1 for anyone). Returns
 * (transfer full) its object, NULL with *err MUGAI_E_NOTFOUND when there
 * is none, or another error.
 */
JsonObject *mugai_ppap_state_read(int itemfd, uid_t owner,
    enum mugai_err *err);

/* Returns (transfer none, static) "opened", "wrong_password", ... */
const char *mugai_ppap_status_name(enum mugai_ppap_status st);

#endif
