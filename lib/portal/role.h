/*
 * mugai_roles - who may see, request and decide what in the portal
 *
 * Users are named by mail address (the portal adds [portal] user_domain
 * to a login name without '@'). Addresses are compared without angle
 * brackets and case-insensitively (a mailbox is found that way by every
 * LGWAN-side store we know).
 *
 * - A recipient sees an item when its envelope recipients include them,
 *   and may request its original or a part.
 * - An approver is configured per recipient address or domain
 *   ([portal] approvers = SCOPE:APPROVER; ... where SCOPE is an address,
 *   "@domain" or "*"); they see the items of the recipients they approve
 *   for and decide their requests.
 * - An administrator ([portal] administrators) sees and decides all.
 * - A part removed by a rule named in [portal] admin_only_rules
 *   (executables, say) is decided by an administrator only.
 * - Nobody decides their own request, administrators included: the
 *   four-eyes rule is the point of asking.
 *
 * The checks are pure functions of the configuration and of the item's
 * recipients: tested without a server (t/check_portal.c).
 */
#ifndef MUGAI_ROLE_H
#define MUGAI_ROLE_H

#include <glib.h>

struct mugai_roles;

/*
 * Returns (transfer full) the roles from the config lists (lent, each
 * NULL-terminated, may be NULL), or NULL with *why (transfer full) naming
 * the entry that does not parse.
 */
struct mugai_roles *mugai_roles_new(char **approvers, char **admins,
    char **admin_only_rules, char **why);

/* Frees the roles. NULL does nothing. */
void mugai_roles_free(struct mugai_roles *r);

/* Returns (transfer full) addr without <>, lower case; NULL if no '@'. */
char *mugai_roles_addr(const char *addr);

gboolean mugai_roles_is_admin(const struct mugai_roles *r,
    const char *user);

/* TRUE when user appears in rcpts (NULL-terminated, lent). */
gboolean mugai_roles_is_recipient(const char *user,
    const char *const *rcpts);

/* TRUE when user approves for the recipient address rcpt. */
gboolean mugai_roles_approves(const struct mugai_roles *r,
    const char *user, const char *rcpt);

/* TRUE when user approves for some recipient in rcpts, or is an admin. */
gboolean mugai_roles_is_approver_of(const struct mugai_roles *r,
    const char *user, const char *const *rcpts);

/* TRUE when user approves for anyone, or is an admin (the queue link). */
gboolean mugai_roles_is_approver(const struct mugai_roles *r,
    const char *user);

/* Recipient, approver of a recipient, or admin. */
gboolean mugai_roles_can_view(const struct mugai_roles *r, const char *user,
    const char *const *rcpts);

/* A recipient of the item (or an admin) may ask. */
gboolean mugai_roles_can_request(const struct mugai_roles *r,
    const char *user, const char *const *rcpts);

/*
 * May user decide a request of requester on an item for rcpts, for a part
 * removed by rule (NULL: the whole message, or no rule)? Never their own;
 * an admin-only rule (and the whole message when any of its parts has
 * one: pass that rule) needs an administrator.
 */
gboolean mugai_roles_can_decide(const struct mugai_roles *r,
    const char *user, const char *const *rcpts, const char *requester,
    const char *rule);

/* TRUE when rule (may be NULL) is in admin_only_rules. */
gboolean mugai_roles_rule_admin_only(const struct mugai_roles *r,
    const char *rule);

/*
 * Returns (transfer full, NULL-terminated) the approvers configured for
 * the recipients rcpts (lent), each once; for the notification mail.
 */
char **mugai_roles_approvers_for(const struct mugai_roles *r,
    const char *const *rcpts);

#endif
