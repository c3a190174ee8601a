/*
 * decrypt - open an encrypted archive and answer its entries (decrypt.h)
 *
 * libarchive reads the archive from memory (zip through its central
 * directory, 7z) with the password given by archive_read_add_passphrase():
 * ZipCrypto and WinZip AES-128/256 zips open; libarchive has no 7z
 * decryption, so an encrypted 7z is unsupported, as are the other
 * encryptions libarchive names (PKWARE strong encryption, RAR).
 *
 * Entries are read whole into memory, in order, within the request's
 * limits: at most uq_entries regular files, uq_bytes expanded bytes in
 * all, and once past the first MiB no more than uq_ratio times the
 * archive's own size (the numbers of lib/policy/arcscan.c); a bomb stops
 * at the block that crosses a limit, with over_limit and the key as
 * reason. Directories, links and devices give no entry. A name is taken
 * as stored when it is valid UTF-8 (the zip UTF-8 flag, or ASCII), else
 * read as CP932, what Japanese Windows writes without the flag; the
 * client gets UTF-8 only. Archives inside are entries like any other:
 * the caller sends them through the policy, which opens them with the
 * usual depth limit.
 *
 * The password: libarchive checks it against the entry's check bytes
 * ("Incorrect passphrase"); ZipCrypto's one check byte lets one wrong
 * password in 256 through, which then fails as bad data or a bad CRC.
 * Any data error on an encrypted entry is therefore a wrong password,
 * and so is an archive whose encrypted entries cannot be read without
 * one ("Passphrase required"). The password is wiped from our copy once
 * libarchive has it (libarchive keeps its own until the archive is
 * freed; the process exits right after).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/limits.h"
#include "base/io.h"
#include "text/charset.h"
#include "decrypt.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS	1034
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#endif

/* Below this many expanded bytes the ratio is not judged (arcscan.c). */
#define RATIO_FLOOR (G_GUINT64_CONSTANT(1) << 20)

/* Loaded by x_unlock_warm() while files can still be opened. */
static locale_t utf8_locale;

void
x_unlock_warm(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

struct unlock {
	const struct mugai_unlock_request *u_rq;
	struct mugai_unlock_answer *u_a;
	GByteArray *u_out;
	gsize u_len;			/* the archive's size */
	guint64 u_bytes;		/* expanded so far */
	gint64 u_deadline;
	gboolean u_done;		/* an outcome other than ok */
};

static void
outcome(struct unlock *u, enum mugai_unlock_status st, const char *reason)
{
	if (u->u_done)
		return;
	u->u_done = TRUE;
	u->u_a->ua_status = st;
	mugai_extract_token_copy(u->u_a->ua_reason, reason);
}

/* Counts n more expanded bytes; FALSE (and the outcome) past a limit. */
static gboolean
account(struct unlock *u, guint64 n)
{
	if (u->u_deadline != 0 && g_get_monotonic_time() > u->u_deadline) {
		outcome(u, MUGAI_UNLOCK_OVER_LIMIT, "max_time");
		return FALSE;
	}
	if (n > u->u_rq->uq_bytes - MIN(u->u_bytes, u->u_rq->uq_bytes)) {
		outcome(u, MUGAI_UNLOCK_OVER_LIMIT, "archive_max_bytes");
		return FALSE;
	}
	u->u_bytes += n;
	if (u->u_bytes > RATIO_FLOOR &&
	    u->u_bytes / MAX(u->u_len, 1) > u->u_rq->uq_ratio) {
		outcome(u, MUGAI_UNLOCK_OVER_LIMIT, "archive_max_ratio");
		return FALSE;
	}
	return TRUE;
}

/* Why libarchive failed, as an outcome. enc: on an encrypted entry. */
static void
failed(struct unlock *u, struct archive *ar, gboolean enc)
{
	const char *msg = archive_error_string(ar);
	g_autofree char *m = g_ascii_strdown(msg != NULL ? msg : "", -1);

	if (strstr(m, "passphrase") != NULL)
		outcome(u, MUGAI_UNLOCK_WRONG_PASSWORD, "passphrase");
	else if (strstr(m, "not supported") != NULL ||
	    strstr(m, "unsupported") != NULL)
		outcome(u, MUGAI_UNLOCK_UNSUPPORTED, strstr(m, "encrypt") !=
		    NULL ? "encryption" : "format");
	else if (strstr(m, "encrypt") != NULL)
		outcome(u, MUGAI_UNLOCK_UNSUPPORTED, "encryption");
	else if (enc)
		outcome(u, MUGAI_UNLOCK_WRONG_PASSWORD, "bad_data");
	else
		outcome(u, MUGAI_UNLOCK_DAMAGED, "bad_data");
}

/* Returns (transfer full) the entry's name as UTF-8, or NULL. */
static char *
entry_name(struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);

	if (raw != NULL && *raw != '\0') {
		if (g_utf8_validate(raw, -1, NULL))
			return g_strdup(raw);
		return mugai_charset_to_utf8(raw, strlen(raw), "cp932", NULL,
		    NULL, NULL);
	}
	raw = archive_entry_pathname_utf8(e);
	if (raw != NULL && *raw != '\0' && g_utf8_validate(raw, -1, NULL))
		return g_strdup(raw);
	return NULL;
}

/* Reads the current entry into data; FALSE after an outcome. */
static gboolean
read_entry(struct unlock *u, struct archive *ar, gboolean enc,
    GByteArray *data)
{
	char *chunk = g_malloc(MUGAI_IO_CHUNK);
	gboolean ok = TRUE;

	for (;;) {
		la_ssize_t n = archive_read_data(ar, chunk, MUGAI_IO_CHUNK);

		if (n == 0)
			break;
		if (n < 0) {
			failed(u, ar, enc);
			ok = FALSE;
			break;
		}
		if (!account(u, (guint64)n)) {
			ok = FALSE;
			break;
		}
		g_byte_array_append(data, (const guint8 *)chunk, (guint)n);
	}
	g_free(chunk);
	return ok;
}

/* Appends one entry to the payload; the name is cut to NAME_MAX bytes on
 * a character boundary and made free of NUL and line breaks. */
static void
emit(struct unlock *u, const char *name, const GByteArray *data)
{
	GString *n = g_string_new(NULL);
	g_autofree char *line = NULL;

	for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		char buf[6];
		gint l;

		if (c < 0x20 || c == 0x7f)
			c = '_';
		l = g_unichar_to_utf8(c, buf);
		if (n->len + (gsize)l > MUGAI_UNLOCK_NAME_MAX)
			break;
		g_string_append_len(n, buf, l);
	}
	if (n->len == 0)
		g_string_assign(n, "_");
	line = mugai_unlock_entry_format(data->len, n->len);
	g_byte_array_append(u->u_out, (const guint8 *)line, strlen(line));
	g_byte_array_append(u->u_out, (const guint8 *)n->str, n->len);
	g_byte_array_append(u->u_out, data->data, data->len);
	u->u_a->ua_entries++;
	g_string_free(n, TRUE);
}

static void
walk(struct unlock *u, struct archive *ar)
{
	struct archive_entry *e;
	guint64 seen = 0;
	int r;

	while (!u->u_done) {
		g_autoptr(GByteArray) data = NULL;
		g_autofree char *name = NULL;
		gboolean enc;

		r = archive_read_next_header(ar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			failed(u, ar, archive_read_has_encrypted_entries(ar) >
			    0);
			break;
		}
		if (++seen > u->u_rq->uq_entries) {
			outcome(u, MUGAI_UNLOCK_OVER_LIMIT,
			    "archive_max_entries");
			break;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		enc = archive_entry_is_encrypted(e);
		/* A declared size past the budget need not be inflated. */
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
		    (guint64)archive_entry_size(e) > u->u_rq->uq_bytes) {
			outcome(u, MUGAI_UNLOCK_OVER_LIMIT,
			    "archive_max_bytes");
			break;
		}
		data = g_byte_array_new();
		if (!read_entry(u, ar, enc, data))
			break;
		name = entry_name(e);
		emit(u, name != NULL ? name : "_", data);
	}
}

void
x_unlock(const unsigned char *data, gsize len, const char *pass,
    gsize pass_len, const struct mugai_unlock_request *rq, gint64 deadline,
    struct mugai_unlock_answer *a, GByteArray *payload)
{
	struct unlock u = { rq, a, payload, len, 0, deadline, FALSE };
	struct archive *ar;
	char *pw = g_strndup(pass != NULL ? pass : "", pass_len);
	locale_t was;

	/* libarchive gives names in the locale's charset: in a UTF-8 one a
	 * name flagged UTF-8 comes as it is, one without the flag as its
	 * raw bytes (in "C" the first would not come at all). */
	was = utf8_locale != (locale_t)0 ? uselocale(utf8_locale) :
	    (locale_t)0;
	ar = archive_read_new();
	memset(a, 0, sizeof *a);
	a->ua_status = MUGAI_UNLOCK_OK;
	mugai_extract_token_copy(a->ua_reason, NULL);
	archive_read_support_format_zip_seekable(ar);
	archive_read_support_format_7zip(ar);
	/* A NUL inside would cut the password short: refuse it instead. */
	if (memchr(pw, '\0', pass_len) != NULL || pass_len == 0)
		outcome(&u, MUGAI_UNLOCK_WRONG_PASSWORD, "empty");
	else if (archive_read_add_passphrase(ar, pw) != ARCHIVE_OK)
		outcome(&u, MUGAI_UNLOCK_DAMAGED, "passphrase_setup");
	explicit_bzero(pw, pass_len);
	g_free(pw);
	if (!u.u_done && (len == 0 ||
	    archive_read_open_memory(ar, data, len) != ARCHIVE_OK))
		outcome(&u, MUGAI_UNLOCK_DAMAGED, "not_an_archive");
	else if (!u.u_done)
		walk(&u, ar);
	archive_read_free(ar);
	if (was != (locale_t)0)
		(void)uselocale(was);
	if (u.u_done) {
		g_byte_array_set_size(payload, 0);
		a->ua_entries = 0;
	}
	a->ua_length = payload->len;
}

/* The sealed memfd of the request, mapped; NULL for size 0. */
static const unsigned char *
map_archive(int fd, guint64 size, gboolean *ok)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct stat st;
	void *p;

	*ok = FALSE;
	if (fstat(fd, &st) != 0 || (guint64)st.st_size != size ||
	    (fcntl(fd, F_GET_SEALS) & seals) != seals)
		return NULL;
	*ok = TRUE;
	if (size == 0)
		return NULL;
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		*ok = FALSE;
		return NULL;
	}
	return p;
}

int
x_unlock_serve(const char *line, gsize got, int fd, gint64 max_time_ms)
{
	struct mugai_unlock_request rq;
	struct mugai_unlock_answer a;
	char pass[MUGAI_UNLOCK_PASS_MAX];
	const char *nl = memchr(line, '\n', got);
	const unsigned char *data;
	g_autoptr(GByteArray) payload = g_byte_array_new();
	g_autofree char *ans = NULL;
	gsize have, hl;
	gboolean ok;
	int rc;

	if (nl == NULL)
		return 1;
	hl = (gsize)(nl - line) + 1;
	if (!mugai_unlock_request_parse(line, hl, &rq) ||
	    got - hl > rq.uq_pass)
		return 1;
	/* The password: what came with the line, then the rest. */
	have = got - hl;
	memcpy(pass, line + hl, have);
	while (have < rq.uq_pass) {
		ssize_t n = read(STDIN_FILENO, pass + have,
		    (gsize)rq.uq_pass - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		have += (gsize)n;
	}
	data = map_archive(fd, rq.uq_size, &ok);
	if (!ok)
		return 1;
	x_unlock(data, (gsize)rq.uq_size, pass, have, &rq,
	    max_time_ms > 0 ? g_get_monotonic_time() + max_time_ms * 750 : 0,
	    &a, payload);
	explicit_bzero(pass, sizeof pass);
	ans = mugai_unlock_answer_format(&a);
	rc = !mugai_write_all(STDOUT_FILENO, ans, strlen(ans)) ||
	    !mugai_write_all(STDOUT_FILENO, payload->data, payload->len);
	return rc;
}
