/*
 * mugai_auth - does this login name and password belong together?
 *
 * Pluggable by [portal] auth: imap logs in to the LGWAN-side mail store
 * (libcurl's IMAP, imap_url; every recipient has a mailbox and a password
 * there), ldap makes a simple bind (libldap, ldap_uri, as ldap_bind_dn
 * with %u the login name and %m the address). Both block: the server runs
 * them in a worker thread. Login names are checked before they reach a
 * back end (letters, digits, . _ - + @ only: nothing that changes an IMAP
 * command or a DN), and an empty password is refused (an LDAP bind with
 * one is anonymous, and succeeds).
 */
#ifndef MUGAI_PORTAL_AUTH_H
#define MUGAI_PORTAL_AUTH_H

#include <glib.h>

struct mugai_config;

enum mugai_auth_result {
	MUGAI_AUTH_OK,
	MUGAI_AUTH_DENIED,	/* wrong name or password */
	MUGAI_AUTH_UNAVAILABLE,	/* the back end could not be asked */
};

/* TRUE for a login name the back ends may see. */
gboolean mugai_auth_login_valid(const char *login);

/*
 * Returns (transfer full) the user's address for login: login itself
 * when it has an '@', else login@user_domain; NULL when that is not an
 * address (no user_domain).
 */
char *mugai_auth_address(const struct mugai_config *cf, const char *login);

/*
 * Asks the back end of cf (lent, thread-safe to read) about login and
 * password (lent). *why (transfer full, may be NULL) gets a reason for
 * the log, never the password.
 */
enum mugai_auth_result mugai_auth_check(const struct mugai_config *cf,
    const char *login, const char *password, char **why);

/* Once before any thread: libcurl's global state. */
void mugai_auth_init(void);

#endif
