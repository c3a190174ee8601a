/*
 * mugai_auth - does this login name and password belong together?
 *
 * IMAP: libcurl performs a LOGIN (or AUTHENTICATE PLAIN, whichever the
 * server offers) then a harmless NOOP; CURLE_LOGIN_DENIED is a wrong
 * password, any other failure is the server being unavailable. The
 * password goes to the server and nowhere else (no verbose mode, no
 * logging). LDAP: ldap_sasl_bind_s with LDAP_SASL_SIMPLE, protocol 3,
 * a network timeout; LDAP_INVALID_CREDENTIALS is a wrong password.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <curl/curl.h>
#include <ldap.h>

#include "core/config.h"
#include "auth.h"

/* Seconds a back end may take to answer. */
#define AUTH_TIMEOUT 10

void
mugai_auth_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		g_error("libcurl: curl_global_init failed");
}

gboolean
mugai_auth_login_valid(const char *login)
{
	gsize n;

	if (login == NULL || (n = strlen(login)) == 0 || n > 128)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(login[i]) && strchr("._-+@", login[i]) ==
		    NULL)
			return FALSE;
	return login[0] != '-' && login[0] != '@';
}

char *
mugai_auth_address(const struct mugai_config *cf, const char *login)
{
	g_autofree char *full = NULL;

	if (!mugai_auth_login_valid(login))
		return NULL;
	if (strchr(login, '@') != NULL)
		return g_ascii_strdown(login, -1);
	if (cf->cf_portal_user_domain == NULL ||
	    cf->cf_portal_user_domain[0] == '\0')
		return NULL;
	full = g_strconcat(login, "@", cf->cf_portal_user_domain, NULL);
	return g_ascii_strdown(full, -1);
}

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *data)
{
	(void)ptr;
	(void)data;
	return size * nmemb;
}

static enum mugai_auth_result
imap_check(const struct mugai_config *cf, const char *login,
    const char *password, char **why)
{
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (c == NULL) {
		*why = g_strdup("libcurl: no handle");
		return MUGAI_AUTH_UNAVAILABLE;
	}
	curl_easy_setopt(c, CURLOPT_URL, cf->cf_portal_imap_url);
	curl_easy_setopt(c, CURLOPT_USERNAME, login);
	curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)AUTH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	/* STARTTLS whenever the server offers it (imaps:// is TLS anyway). */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return MUGAI_AUTH_OK;
	*why = g_strdup_printf("imap: %s", curl_easy_strerror(rc));
	return rc == CURLE_LOGIN_DENIED ? MUGAI_AUTH_DENIED :
	    MUGAI_AUTH_UNAVAILABLE;
}

/* ldap_bind_dn with %u and %m replaced (both checked: no DN syntax). */
static char *
bind_dn(const struct mugai_config *cf, const char *login)
{
	g_autofree char *addr = mugai_auth_address(cf, login);
	GString *dn = g_string_new(NULL);

	for (const char *p = cf->cf_portal_ldap_bind_dn; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'u') {
			g_string_append(dn, login);
			p++;
		} else if (p[0] == '%' && p[1] == 'm') {
			g_string_append(dn, addr != NULL ? addr : login);
			p++;
		} else {
			g_string_append_c(dn, *p);
		}
	}
	return g_string_free(dn, FALSE);
}

static enum mugai_auth_result
ldap_check(const struct mugai_config *cf, const char *login,
    const char *password, char **why)
{
	g_autofree char *dn = bind_dn(cf, login);
	struct timeval tv = { AUTH_TIMEOUT, 0 };
	struct berval cred;
	LDAP *ld = NULL;
	int version = LDAP_VERSION3, rc;

	if ((rc = ldap_initialize(&ld, cf->cf_portal_ldap_uri)) !=
	    LDAP_SUCCESS) {
		*why = g_strdup_printf("ldap: %s", ldap_err2string(rc));
		return MUGAI_AUTH_UNAVAILABLE;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	cred.bv_val = (char *)password;
	cred.bv_len = strlen(password);
	rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return MUGAI_AUTH_OK;
	*why = g_strdup_printf("ldap: %s", ldap_err2string(rc));
	return rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX ?
	    MUGAI_AUTH_DENIED : MUGAI_AUTH_UNAVAILABLE;
}

enum mugai_auth_result
mugai_auth_check(const struct mugai_config *cf, const char *login,
    const char *password, char **why)
{
	enum mugai_auth_result r = MUGAI_AUTH_UNAVAILABLE;
	char *dummy = NULL;

	if (why == NULL)
		why = &dummy;
	if (!mugai_auth_login_valid(login) || password == NULL ||
	    password[0] == '\0' || strlen(password) > 1024) {
		*why = g_strdup("login name or password not acceptable");
		g_free(dummy);
		return MUGAI_AUTH_DENIED;
	}
	/* Back ends in order; the first that knows the user decides. */
	for (gsize i = 0; cf->cf_portal_auth != NULL &&
	    cf->cf_portal_auth[i] != NULL; i++) {
		const char *b = cf->cf_portal_auth[i];
		enum mugai_auth_result this;

		g_clear_pointer(why, g_free);
		if (strcmp(b, "imap") == 0)
			this = imap_check(cf, login, password, why);
		else if (strcmp(b, "ldap") == 0)
			this = ldap_check(cf, login, password, why);
		else
			continue;
		if (this == MUGAI_AUTH_OK) {
			r = this;
			break;
		}
		/* A wrong password anywhere is a wrong password. */
		if (this == MUGAI_AUTH_DENIED || r != MUGAI_AUTH_DENIED)
			r = this;
	}
	if (r != MUGAI_AUTH_OK && *why == NULL)
		*why = g_strdup("no authentication back end configured");
	g_free(dummy);
	return r;
}
