/*
 * mugai-portal PPAP form - a recipient types the password of a
 * quarantined password-protected archive (issue 19)
 *
 * The item page shows a password field under each removed part that the
 * report marks as an encrypted archive (mugai_portal_ppap_part()), to the
 * item's recipients and to administrators only. POST /item/ID/ppap
 * (session, one-time form token, the item's MAC, as every other form)
 * runs mugai_portal_ppap_try(): 5 tries per 10 minutes per item and user
 * (in memory; the store's own limit of lib/ppap counts all users), then
 * mugai_ppap_open() (lib/ppap/ppap.h: the archive opened in the
 * extraction sandbox, the entries sanitized, a new item stored), then the
 * new message submitted through submit_command: to the user when they are
 * a recipient, else (an administrator) to the original's recipients, as
 * `mugai quarantine open` does.
 *
 * The password is lent by the caller and never copied, logged or stored;
 * audit.log gets lib/ppap's "opened" line (outcome only) and a
 * "delivered" line.
 */
#ifndef MUGAI_PORTAL_PPAP_H
#define MUGAI_PORTAL_PPAP_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define MUGAI_PORTAL_PPAP_TRIES		5
#define MUGAI_PORTAL_PPAP_WINDOW	(600 * G_USEC_PER_SEC)

struct mugai_portal;
struct mugai_session;

enum mugai_portal_ppap_outcome {
	MUGAI_PORTAL_PPAP_OPENED,	/* opened and delivered */
	MUGAI_PORTAL_PPAP_UNDELIVERED,	/* opened and stored; submit failed */
	MUGAI_PORTAL_PPAP_WRONG,	/* a wrong password */
	MUGAI_PORTAL_PPAP_LIMITED,	/* too many tries lately */
	MUGAI_PORTAL_PPAP_FORBIDDEN,	/* neither recipient nor admin */
	MUGAI_PORTAL_PPAP_NO_ARCHIVE,	/* no encrypted archive at part */
	MUGAI_PORTAL_PPAP_FAILED,	/* anything else: pp_reason */
};

struct mugai_portal_ppap_result {
	enum mugai_portal_ppap_outcome pp_outcome;
	guint pp_tries_left;	/* this user's tries left on this item */
	char *pp_archive;	/* the archive's name, or NULL */
	char *pp_new_id;	/* the new item (opened) */
	char *pp_reason;	/* why (failed, undelivered), or NULL */
};

void mugai_portal_ppap_result_clear(struct mugai_portal_ppap_result *r);

/* TRUE when the report part p (lent) is a removed encrypted archive. */
gboolean mugai_portal_ppap_part(JsonObject *p);

/*
 * Tries pass (lent, pass_len bytes, not NUL-terminated; never copied) on
 * the archive at part of item id (meta and rcpts lent, as item_access
 * read them) for user; fills *r (clear it with
 * mugai_portal_ppap_result_clear()).
 */
void mugai_portal_ppap_try(struct mugai_portal *po, const char *user,
    JsonObject *meta, char **rcpts, const char *id, const char *part,
    const char *pass, gsize pass_len, struct mugai_portal_ppap_result *r);

/*
 * Appends to out the password forms for the encrypted archives of meta
 * when user may open them (recipient or administrator); nothing else.
 */
void mugai_portal_ppap_form(GString *out, struct mugai_portal *po,
    struct mugai_session *s, JsonObject *meta, char **rcpts,
    const char *id, const char *mac);

/* POST /item/ID/ppap: form f (lent; its password is wiped). */
void mugai_portal_ppap_post(struct mugai_portal *po, SoupServerMessage *msg,
    struct mugai_session *s, const char *id, GHashTable *f);

#endif
