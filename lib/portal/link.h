/*
 * mugai_link - the item link in a notice: portal URL, ID and a MAC
 *
 *   PORTAL_URL/item/ID?m=MAC
 *
 * MAC is the first 32 hex digits (128 bits) of HMAC-SHA256, keyed by the
 * link secret ([portal] link_secret, by default portal-link.key in the
 * store), over "mugai-portal-link-1\n" ID. A link cannot be made for an
 * ID without the key, so IDs seen in one notice do not lead to others;
 * the portal still asks for a login and checks the user's role. A link
 * with a wrong MAC is refused before the store is read.
 */
#ifndef MUGAI_LINK_H
#define MUGAI_LINK_H

#include <glib.h>

#include "base/err.h"

struct mugai_config;

/* Hex digits of the MAC in a link. */
#define MUGAI_LINK_MAC_LEN 32

/*
 * Returns (transfer full) the path of the link key for cf: link_secret,
 * or portal-link.key in the quarantine dir when it is empty.
 */
char *mugai_link_key_path(const struct mugai_config *cf);

/*
 * Loads (creating it 0600 when create is TRUE and it is missing, for
 * owner unless (uid_t)-1) the link key of cf. Returns (transfer full) the
 * key or NULL with *err: MUGAI_E_PERM for a file that is not regular or
 * that group or others may use, MUGAI_E_CONFIG for one under 16 bytes.
 */
GBytes *mugai_link_key_load(const struct mugai_config *cf,
    gboolean create, uid_t owner, enum mugai_err *err);

/* Returns (transfer full) the MAC of id, or NULL for an invalid id. */
char *mugai_link_mac(GBytes *key, const char *id);

/* TRUE when mac is id's MAC (constant-time comparison). */
gboolean mugai_link_check(GBytes *key, const char *id, const char *mac);

/*
 * Returns (transfer full) base (a trailing '/' dropped) + "/item/" + id +
 * "?m=" + MAC, or NULL for an invalid id or an empty base.
 */
char *mugai_link_url(GBytes *key, const char *base, const char *id);

#endif
