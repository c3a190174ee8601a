/*
 * mugai_link - the item link in a notice: portal URL, ID and a MAC
 *
 * GLib's HMAC (GHmac, SHA-256); the comparison is libcrypto's
 * CRYPTO_memcmp, whose time does not depend on where the bytes differ.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/config.h"
#include "portal/link.h"
#include "store/qid.h"

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

/*
 * The key file: regular, not a link, 0600-like (no group or other
 * bits), 16 to 4096 bytes; created O_EXCL with 32 random bytes when
 * missing. Its own code, not the release key's loader: the config loads
 * it, and the config must not pull the store's code into every program
 * and test that links it (t/check_eom fakes the store).
 */
static GBytes *
read_key(const char *path, gboolean create, uid_t owner, enum mugai_err *err)
{
	guchar buf[4096];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		guchar key[32];

		if (RAND_bytes(key, sizeof key) != 1)
			g_error("libcrypto: RAND_bytes failed");
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0 && (write(fd, key, sizeof key) != sizeof key ||
		    fsync(fd) != 0 || (owner != (uid_t)-1 &&
		    fchown(fd, owner, (gid_t)-1) != 0))) {
			*err = mugai_err_from_errno(errno);
			close(fd);
			(void)unlink(path);
			return NULL;
		}
		if (fd >= 0)
			close(fd);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		*err = mugai_err_from_errno(errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0) {
		*err = MUGAI_E_PERM;
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 16 || n == (ssize_t)sizeof buf) {
		*err = n < 0 ? mugai_err_from_errno(errno) : MUGAI_E_CONFIG;
		return NULL;
	}
	return g_bytes_new(buf, (gsize)n);
}

GBytes *
mugai_link_key_load(const struct mugai_config *cf, gboolean create,
    uid_t owner, enum mugai_err *err)
{
	g_autofree char *path = mugai_link_key_path(cf);

	return read_key(path, create, owner, err);
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
