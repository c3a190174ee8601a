/*
 * mugai_link - the item link in a notice: portal URL, ID and a MAC
 *
 * GLib's HMAC (GHmac, SHA-256); the comparison is libcrypto's
 * CRYPTO_memcmp, whose time does not depend on where the bytes differ.
 */
#include "autoconfig.h"

#include <string.h>

#include <glib.h>
#include <openssl/crypto.h>

#include "core/config.h"
#include "portal/link.h"
#include "store/qid.h"
#include "store/release.h"

#define LINK_PREFIX "mugai-portal-link-1\n"

char *
mugai_link_key_path(const struct mugai_config *cf)
{
	if (cf->cf_portal_link_secret != NULL &&
	    cf->cf_portal_link_secret[0] != '\0')
		return g_strdup(cf->cf_portal_link_secret);
	return g_build_filename(cf->cf_quarantine_dir, "portal-link.key",
	    NULL);
}

GBytes *
mugai_link_key_load(const struct mugai_config *cf, gboolean create,
    uid_t owner, enum mugai_err *err)
{
	g_autofree char *path = mugai_link_key_path(cf);

	/* Same file rules as the release key: regular, 0600, 16+ bytes. */
	return mugai_release_key_load(path, create, owner, err);
}

char *
mugai_link_mac(GBytes *key, const char *id)
{
	g_autofree char *msg = NULL;
	char *hex;
	gsize klen;
	const guchar *k;

	if (key == NULL || !mugai_qid_valid(id))
		return NULL;
	k = g_bytes_get_data(key, &klen);
	msg = g_strconcat(LINK_PREFIX, id, NULL);
	hex = g_compute_hmac_for_string(G_CHECKSUM_SHA256, k, klen, msg, -1);
	hex[MUGAI_LINK_MAC_LEN] = '\0';
	return hex;
}

gboolean
mugai_link_check(GBytes *key, const char *id, const char *mac)
{
	g_autofree char *want = NULL;

	if (mac == NULL || strlen(mac) != MUGAI_LINK_MAC_LEN ||
	    (want = mugai_link_mac(key, id)) == NULL)
		return FALSE;
	return CRYPTO_memcmp(want, mac, MUGAI_LINK_MAC_LEN) == 0;
}

char *
mugai_link_url(GBytes *key, const char *base, const char *id)
{
	g_autofree char *mac = mugai_link_mac(key, id);
	gsize n;

	if (mac == NULL || base == NULL || (n = strlen(base)) == 0)
		return NULL;
	while (n > 0 && base[n - 1] == '/')
		n--;
	return g_strdup_printf("%.*s/item/%s?m=%s", (int)n, base, id, mac);
}
