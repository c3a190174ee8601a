/*
 * mugai_digest - SHA-256 on libcrypto's EVP interface
 */
#include "autoconfig.h"

#include <openssl/evp.h>

#include "base/limits.h"
#include "base/digest.h"

struct mugai_digest {
	EVP_MD_CTX *dg_ctx;
};

/*
 * SHA-256, fetched once: EVP_sha256() makes EVP_DigestInit_ex() fetch
 * the implementation again on every message (OpenSSL 3), which cost more
 * than hashing a small message.
 */
static const EVP_MD *
sha256(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static gsize once;
	static EVP_MD *md;

	if (g_once_init_enter(&once)) {
		if ((md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
			g_error("libcrypto: no SHA-256");
		g_once_init_leave(&once, 1);
	}
	return md;
#else
	return EVP_sha256();
#endif
}

struct mugai_digest *
mugai_digest_new(void)
{
	struct mugai_digest *d = g_new0(struct mugai_digest, 1);

	d->dg_ctx = EVP_MD_CTX_new();
	if (d->dg_ctx == NULL ||
	    EVP_DigestInit_ex(d->dg_ctx, sha256(), NULL) != 1)
		g_error("libcrypto: cannot initialise SHA-256");
	return d;
}

void
mugai_digest_update(struct mugai_digest *d, const void *buf, gsize len)
{
	if (len > 0)
		EVP_DigestUpdate(d->dg_ctx, buf, len);
}

void
mugai_digest_finish(struct mugai_digest *d, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->dg_ctx, md, &n);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[64] = '\0';
	mugai_digest_free(d);
}

void
mugai_digest_free(struct mugai_digest *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->dg_ctx);
	g_free(d);
}

void
mugai_digest_buf(const void *buf, gsize len, char hex[65])
{
	struct mugai_digest *d = mugai_digest_new();

	mugai_digest_update(d, buf, len);
	mugai_digest_finish(d, hex);
}

enum mugai_err
mugai_digest_stream(GMimeStream *stream, char hex[65], guint64 *size)
{
	struct mugai_digest *d = mugai_digest_new();
	char buf[MUGAI_IO_CHUNK];
	guint64 total = 0;
	gssize n;

	while ((n = g_mime_stream_read(stream, buf, sizeof buf)) > 0) {
		mugai_digest_update(d, buf, (gsize)n);
		total += (guint64)n;
	}
	if (n < 0) {
		mugai_digest_free(d);
		return MUGAI_E_IO;
	}
	mugai_digest_finish(d, hex);
	if (size != NULL)
		*size = total;
	return MUGAI_OK;
}
