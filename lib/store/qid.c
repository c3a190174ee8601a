/*
 * mugai_qid - quarantine item IDs (see qid.h)
 */
#include "autoconfig.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "base/digest.h"
#include "store/qid.h"

static char host_hash[9];

static gpointer
init_host_hash(gpointer unused)
{
	char host[256], hex[65];

	if (gethostname(host, sizeof host) != 0)
		g_strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	mugai_digest_buf(host, strlen(host), hex);
	memcpy(host_hash, hex, 8);
	host_hash[8] = '\0';
	return NULL;
}

char *
mugai_qid_new(void)
{
	static GOnce once = G_ONCE_INIT;
	gint64 now = g_get_real_time();
	time_t secs = (time_t)(now / G_USEC_PER_SEC);
	unsigned char rnd[8];
	char rhex[17];
	struct tm tm;

	g_once(&once, init_host_hash, NULL);
	/* Uniqueness rests on these 64 bits: no weak fallback. */
	if (RAND_bytes(rnd, sizeof rnd) != 1)
		g_error("libcrypto: no random bytes for a quarantine ID");
	for (gsize i = 0; i < sizeof rnd; i++)
		g_snprintf(rhex + 2 * i, 3, "%02x", rnd[i]);
	gmtime_r(&secs, &tm);
	return g_strdup_printf("%04d%02d%02d-%02d%02d%02d-%06d-%s-%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(now % G_USEC_PER_SEC), host_hash,
	    rhex);
}

/* Value of n ASCII digits at s (the caller checked they are digits). */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

gboolean
mugai_qid_valid(const char *id)
{
	/* d digit, x lower-case hex, - itself */
	static const char shape[] =
	    "dddddddd-dddddd-dddddd-xxxxxxxx-xxxxxxxxxxxxxxxx";
	int y, mo, d;

	if (id == NULL)
		return FALSE;
	for (int i = 0; shape[i] != '\0'; i++) {
		char c = id[i];

		if (c == '\0')
			return FALSE;
		if (shape[i] == 'd' && !g_ascii_isdigit(c))
			return FALSE;
		if (shape[i] == 'x' && !(g_ascii_isdigit(c) ||
		    (c >= 'a' && c <= 'f')))
			return FALSE;
		if (shape[i] == '-' && c != '-')
			return FALSE;
	}
	if (id[MUGAI_QID_LEN] != '\0')
		return FALSE;
	y = digits(id, 4);
	mo = digits(id + 4, 2);
	d = digits(id + 6, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y))
		return FALSE;
	return digits(id + 9, 2) < 24 && digits(id + 11, 2) < 60 &&
	    digits(id + 13, 2) < 60;
}

gboolean
mugai_qid_time(const char *id, gint64 *usec)
{
	GDateTime *dt;

	if (!mugai_qid_valid(id))
		return FALSE;
	dt = g_date_time_new_utc(digits(id, 4), digits(id + 4, 2),
	    digits(id + 6, 2), digits(id + 9, 2), digits(id + 11, 2),
	    digits(id + 13, 2));
	if (dt == NULL)
		return FALSE;
	*usec = g_date_time_to_unix(dt) * G_USEC_PER_SEC +
	    digits(id + 16, 6);
	g_date_time_unref(dt);
	return TRUE;
}

char *
mugai_qid_path(const char *dir, const char *id)
{
	char y[5], m[3], d[3];

	if (!mugai_qid_valid(id))
		return NULL;
	g_strlcpy(y, id, sizeof y);
	g_strlcpy(m, id + 4, sizeof m);
	g_strlcpy(d, id + 6, sizeof d);
	return g_build_filename(dir, y, m, d, id, NULL);
}
