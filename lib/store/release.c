/*
 * mugai_release - HMAC-SHA256 release tokens and their one-time check
 *
 * A token is bound to the item, the time, the original's SHA-256 and the
 * recipients' digest; the milter recomputes the last two from the message
 * it holds and the envelope it was given, so a token copied onto other
 * content, or sent to other recipients, proves nothing.
 *
 * Replay protection is a file per used token, "released.MAC" in the item's
 * directory, created with O_CREAT|O_EXCL: the first process to create it
 * wins, on one host or many sharing the store. Bad input of any kind
 * (shape, MAC, age) is a status, never an error; an unreadable key makes
 * every token FORGED, so a broken setup fails closed (sanitized mail).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base/limits.h"
#include "base/digest.h"
#include "store/qdir.h"
#include "store/quarantine.h"
#include "store/release.h"

#define KEY_MAX 4096

static enum mugai_err
create_key(const char *path, uid_t owner)
{
	unsigned char key[MUGAI_RELEASE_KEY_LEN];
	enum mugai_err err = MUGAI_OK;
	int fd;

	if (RAND_bytes(key, sizeof key) != 1)
		return MUGAI_E_IO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)
		return errno == EEXIST ? MUGAI_OK : mugai_err_from_errno(errno);
	if (fchmod(fd, 0600) != 0 ||
	    (owner != (uid_t)-1 && fchown(fd, owner, (gid_t)-1) != 0) ||
	    write(fd, key, sizeof key) != (ssize_t)sizeof key ||
	    fsync(fd) != 0)
		err = mugai_err_from_errno(errno != 0 ? errno : EIO);
	close(fd);
	OPENSSL_cleanse(key, sizeof key);
	if (err != MUGAI_OK)
		unlink(path);
	return err;
}

GBytes *
mugai_release_key_load(const char *path, gboolean create, uid_t owner,
    enum mugai_err *err)
{
	unsigned char buf[KEY_MAX];
	struct stat st;
	ssize_t n;
	GBytes *key;
	int fd;

	if (path == NULL || *path == '\0') {
		*err = MUGAI_E_CONFIG;
		return NULL;
	}
	if (create && (*err = create_key(path, owner)) != MUGAI_OK)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		*err = mugai_err_from_errno(errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		*err = MUGAI_E_PERM;
		return NULL;
	}
	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 16) {
		*err = n < 0 ? MUGAI_E_IO : MUGAI_E_CONFIG;
		OPENSSL_cleanse(buf, sizeof buf);
		return NULL;
	}
	key = g_bytes_new(buf, (gsize)n);
	OPENSSL_cleanse(buf, sizeof buf);
	*err = MUGAI_OK;
	return key;
}

static void
compute_mac(GBytes *key, const char *id, gint64 t, const char *sha256,
    const char *rcpt, unsigned char mac[32])
{
	g_autofree char *msg = g_strdup_printf("mugai-release-2\n%s\n%"
	    G_GINT64_FORMAT "\n%s\n%s", id, t, sha256, rcpt);
	gsize klen;
	const void *k = g_bytes_get_data(key, &klen);
	unsigned int mlen = 32;

	if (HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)msg,
	    strlen(msg), mac, &mlen) == NULL || mlen != 32)
		g_error("libcrypto: HMAC-SHA256 failed");
}

static void
hex32(const unsigned char in[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[64] = '\0';
}

/* An address as the digest takes it: see mugai_release_rcpt_digest(). */
static char *
rcpt_canonical(const char *a)
{
	gsize n = strlen(a);
	const char *at;
	char *out;

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		a++;
		n -= 2;
	}
	out = g_strndup(a, n);
	if ((at = strrchr(out, '@')) != NULL)
		for (char *p = out + (at - out) + 1; *p != '\0'; p++)
			*p = g_ascii_tolower(*p);
	return out;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
mugai_release_rcpt_digest(const char *const *rcpts)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	GString *joined = g_string_new(NULL);
	char hex[65];

	for (gsize i = 0; rcpts != NULL && rcpts[i] != NULL; i++)
		g_ptr_array_add(all, rcpt_canonical(rcpts[i]));
	g_ptr_array_sort(all, cmp_str);
	for (guint i = 0; i < all->len; i++) {
		const char *r = g_ptr_array_index(all, i);

		if (i > 0 && strcmp(r, g_ptr_array_index(all, i - 1)) == 0)
			continue;	/* the MTA keeps one of each */
		if (joined->len > 0)
			g_string_append_c(joined, '\n');
		g_string_append(joined, r);
	}
	mugai_digest_buf(joined->str, joined->len, hex);
	g_string_free(joined, TRUE);
	g_ptr_array_free(all, TRUE);
	return g_strdup(hex);
}

char *
mugai_release_token(GBytes *key, const char *id, gint64 t,
    const char *sha256, const char *const *rcpts)
{
	g_autofree char *rcpt = NULL;
	unsigned char mac[32];
	char hex[65];

	if (!mugai_qid_valid(id) || sha256 == NULL ||
	    strlen(sha256) != 64)
		return NULL;
	rcpt = mugai_release_rcpt_digest(rcpts);
	compute_mac(key, id, t, sha256, rcpt, mac);
	hex32(mac, hex);
	return g_strdup_printf("id=%s; t=%" G_GINT64_FORMAT "; sha256=%s; "
	    "rcpt=%s; mac=%s", id, t, sha256, rcpt, hex);
}

/* ---- the content a token is carried on ---- */

/* Where mugai_release_content_digest() is in the header block. */
enum scan {
	SC_LINE,		/* at the start of a line */
	SC_NAME,		/* in a field name */
	SC_SKIP,		/* in a Received: field, up to its LF */
	SC_RELEASE,		/* in the X-Mugai-Release field */
	SC_RELEASE_LF,		/* after one of its LFs: continued? */
	SC_AFTER,		/* past it: every byte is hashed */
};

/* Longest field name worth reading: ours and Received: are shorter. */
#define NAME_MAX_LEN 32

gboolean
mugai_release_content_digest(GMimeStream *s, char sha[65])
{
	struct mugai_digest *d = mugai_digest_new();
	enum scan st = SC_LINE;
	char buf[MUGAI_IO_CHUNK], name[NAME_MAX_LEN + 1];
	gsize nlen = 0;
	gboolean field = FALSE;		/* a field was seen: continuable */
	gssize n = 0;

	while (!g_mime_stream_eos(s) &&
	    (n = g_mime_stream_read(s, buf, sizeof buf)) > 0) {
		gsize i = 0;

		while (st != SC_AFTER && i < (gsize)n) {
			char c = buf[i];

			if (st == SC_RELEASE_LF && c != ' ' && c != '\t') {
				st = SC_AFTER;	/* c is the content's first */
				break;
			}
			i++;
			switch (st) {
			case SC_LINE:
				if (c == ' ' || c == '\t') {
					if (!field)
						goto no;
					st = SC_SKIP;	/* Received: goes on */
				} else if (c == '\r' || c == '\n') {
					goto no;	/* end of the headers */
				} else {
					name[0] = c;
					nlen = 1;
					st = SC_NAME;
				}
				break;
			case SC_NAME:
				if (c == ':') {
					name[nlen] = '\0';
					if (g_ascii_strcasecmp(name,
					    MUGAI_RELEASE_HEADER) == 0)
						st = SC_RELEASE;
					else if (g_ascii_strcasecmp(name,
					    "Received") == 0)
						st = SC_SKIP;
					else
						goto no;
					field = TRUE;
				} else if (c == '\n' || nlen == NAME_MAX_LEN) {
					goto no;
				} else {
					name[nlen++] = c;
				}
				break;
			case SC_SKIP:
				if (c == '\n')
					st = SC_LINE;
				break;
			case SC_RELEASE:
				if (c == '\n')
					st = SC_RELEASE_LF;
				break;
			case SC_RELEASE_LF:	/* a continuation line */
				st = SC_RELEASE;
				break;
			case SC_AFTER:
				break;
			}
		}
		if (st == SC_AFTER && i < (gsize)n)
			mugai_digest_update(d, buf + i, (gsize)n - i);
	}
	if (n < 0 || (st != SC_AFTER && st != SC_RELEASE_LF))
		goto no;
	mugai_digest_finish(d, sha);
	return TRUE;
no:
	mugai_digest_free(d);
	return FALSE;
}

/* ---- strict parsing: helpers advance *p only on success ---- */

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static gboolean
take_lit(const char **p, const char *lit)
{
	gsize n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return FALSE;
	*p += n;
	return TRUE;
}

/* Copies exactly n characters accepted by ok() into out (n + 1 bytes). */
static gboolean
take_n(const char **p, gsize n, gboolean (*ok)(char), char *out)
{
	for (gsize i = 0; i < n; i++)
		if ((*p)[i] == '\0' || !ok((*p)[i]))
			return FALSE;
	if (ok((*p)[n]))
		return FALSE;		/* longer than n: not ours */
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return TRUE;
}

static gboolean
is_id_char(char c)
{
	return g_ascii_isdigit(c) || (c >= 'a' && c <= 'f') || c == '-';
}

static gboolean
is_hex(char c)
{
	return g_ascii_isdigit(c) || (c >= 'a' && c <= 'f');
}

static gboolean
take_time(const char **p, gint64 *t)
{
	const char *s = *p;
	gint64 v = 0;
	int n = 0;

	while (n < 12 && g_ascii_isdigit(s[n])) {
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || g_ascii_isdigit(s[n]))
		return FALSE;
	*t = v;
	*p = s + n;
	return TRUE;
}

static gboolean
take_sep(const char **p)
{
	const char *s = *p;

	skip_ws(&s);
	if (*s != ';')
		return FALSE;
	s++;
	skip_ws(&s);
	*p = s;
	return TRUE;
}

static gboolean
parse_token(const char *value, char id[MUGAI_QID_LEN + 1],
    gint64 *t, char sha[65], char rcpt[65], char mac[65])
{
	const char *p = value;

	skip_ws(&p);
	if (!take_lit(&p, "id=") ||
	    !take_n(&p, MUGAI_QID_LEN, is_id_char, id) ||
	    !mugai_qid_valid(id) || !take_sep(&p) ||
	    !take_lit(&p, "t=") || !take_time(&p, t) || !take_sep(&p) ||
	    !take_lit(&p, "sha256=") || !take_n(&p, 64, is_hex, sha) ||
	    !take_sep(&p) || !take_lit(&p, "rcpt=") ||
	    !take_n(&p, 64, is_hex, rcpt) ||
	    !take_sep(&p) || !take_lit(&p, "mac=") ||
	    !take_n(&p, 64, is_hex, mac))
		return FALSE;
	skip_ws(&p);
	return *p == '\0';
}

static int
hexval(char c)
{
	return g_ascii_isdigit(c) ? c - '0' : c - 'a' + 10;
}

/*
 * Creates the used-token marker in the item directory itemfd; TRUE when
 * this call created it.
 */
static gboolean
mark_used(int itemfd, const char *mac_hex)
{
	g_autofree char *name = g_strconcat("released.", mac_hex, NULL);
	int fd;

	fd = openat(itemfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd < 0)
		return FALSE;	/* used before, or cannot prove it was not */
	(void)fsync(fd);
	close(fd);
	(void)fsync(itemfd);
	return TRUE;
}

#define PART_MARK "part-release."

/* TRUE when the item's releaser recorded sha (mugai_release_allow_content). */
static gboolean
content_allowed(int itemfd, const char *sha)
{
	g_autofree char *name = g_strconcat(PART_MARK, sha, NULL);
	struct stat st;

	return fstatat(itemfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode);
}

enum mugai_err
mugai_release_allow_content(int itemfd, const char *sha)
{
	g_autofree char *name = NULL;
	int fd;

	if (sha == NULL || strlen(sha) != 64 || strspn(sha,
	    "0123456789abcdef") != 64)
		return MUGAI_E_INVAL;
	name = g_strconcat(PART_MARK, sha, NULL);
	fd = openat(itemfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd < 0)
		return errno == EEXIST && content_allowed(itemfd, sha) ?
		    MUGAI_OK : mugai_err_from_errno(errno);
	/* Durable before the message that needs it is queued. */
	if (fsync(fd) != 0 || fsync(itemfd) != 0) {
		int e = errno;

		close(fd);
		return mugai_err_from_errno(e);
	}
	close(fd);
	return MUGAI_OK;
}

char **
mugai_release_argv(const char *submit_command, const char *const *rcpts,
    char **why)
{
	g_auto(GStrv) cmd = NULL;
	GError *gerr = NULL;
	GPtrArray *argv;
	int argc;

	if (submit_command == NULL || !g_shell_parse_argv(submit_command,
	    &argc, &cmd, &gerr)) {
		*why = g_strdup_printf("submit_command: %s", gerr != NULL ?
		    gerr->message : "not set");
		g_clear_error(&gerr);
		return NULL;
	}
	argv = g_ptr_array_new();
	for (int i = 0; i < argc; i++)
		g_ptr_array_add(argv, g_strdup(cmd[i]));
	for (gsize i = 0; rcpts != NULL && rcpts[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(rcpts[i]));
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

enum mugai_release_status
mugai_release_check(struct mugai_quarantine *q,
    const struct mugai_config *cf, const char *header_value,
    GMimeStream *message, const char *const *rcpts, char **id_out)
{
	char id[MUGAI_QID_LEN + 1], sha[65], rcpt[65], mac_hex[65];
	char seen[65];
	g_autofree char *envelope = NULL;
	unsigned char mac[32], want[32];
	g_autoptr(GBytes) key = NULL;
	enum mugai_release_status status;
	JsonObject *meta, *orig;
	enum mugai_err err;
	const char *stored;
	gboolean same;
	gint64 t, now;
	int item;

	if (id_out != NULL)
		*id_out = NULL;
	if (header_value == NULL ||
	    !parse_token(header_value, id, &t, sha, rcpt, mac_hex))
		return MUGAI_RELEASE_FORGED;
	if (id_out != NULL)
		*id_out = g_strdup(id);
	key = mugai_release_key_load(cf->cf_release_secret, FALSE,
	    (uid_t)-1, &err);
	if (key == NULL)
		return MUGAI_RELEASE_FORGED;
	for (int i = 0; i < 32; i++)
		mac[i] = (unsigned char)(hexval(mac_hex[2 * i]) << 4 |
		    hexval(mac_hex[2 * i + 1]));
	compute_mac(key, id, t, sha, rcpt, want);
	if (CRYPTO_memcmp(mac, want, sizeof mac) != 0)
		return MUGAI_RELEASE_FORGED;
	now = g_get_real_time() / G_USEC_PER_SEC;
	if (t > now + MUGAI_RELEASE_SKEW || now - t > cf->cf_release_max_age)
		return MUGAI_RELEASE_EXPIRED;
	/* The token says for whom and for what: this message must be it. */
	envelope = mugai_release_rcpt_digest(rcpts);
	if (strcmp(envelope, rcpt) != 0)
		return MUGAI_RELEASE_OTHER_RCPTS;
	if (message == NULL || !mugai_release_content_digest(message, seen) ||
	    strcmp(seen, sha) != 0)
		return MUGAI_RELEASE_OTHER_CONTENT;
	if ((item = mugai_qdir_open_item(mugai_quarantine_fd(q), id)) < 0)
		return MUGAI_RELEASE_UNKNOWN_ID;
	if ((meta = mugai_quarantine_read_meta_at(item, &err)) == NULL) {
		close(item);
		return MUGAI_RELEASE_UNKNOWN_ID;
	}
	orig = json_object_get_object_member(meta, "original");
	stored = orig != NULL ? json_object_get_string_member_with_default(
	    orig, "sha256", "") : "";
	same = strcmp(stored, sha) == 0 || content_allowed(item, sha);
	json_object_unref(meta);
	if (!same)
		status = MUGAI_RELEASE_FORGED;
	else if (!mark_used(item, mac_hex))
		status = MUGAI_RELEASE_REPLAYED;
	else
		status = MUGAI_RELEASE_VALID;
	close(item);
	return status;
}
