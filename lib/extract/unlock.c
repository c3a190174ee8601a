/*
 * mugai_extract_unlock - the client half of the unlock exchange
 * (unlock.h)
 *
 * The round trip is the pool's (client_int.h); here is the request line
 * and the strict reading of the answer. The most a helper may send is
 * the line, max_bytes of content and, per entry, its line and a name of
 * at most MUGAI_UNLOCK_NAME_MAX bytes: more is a broken helper.
 */
#include "autoconfig.h"

#include <string.h>
#include <sys/wait.h>

#include "base/deadline.h"
#include "extract/client_int.h"
#include "extract/unlock.h"

void
mugai_unlock_limits_from_config(const struct mugai_config *cf,
    struct mugai_unlock_limits *l)
{
	l->ul_max_entries = (guint64)MAX(cf->cf_archive_max_entries, 1);
	l->ul_max_bytes = (guint64)MAX(cf->cf_archive_max_bytes, 1);
	l->ul_max_ratio = (guint64)MAX(cf->cf_archive_max_ratio, 1);
}

static void
entry_free(gpointer p)
{
	struct mugai_unlock_entry *e = p;

	g_free(e->ue_name);
	g_bytes_unref(e->ue_data);
	g_free(e);
}

static void
result_init(struct mugai_unlock_result *r)
{
	memset(r, 0, sizeof *r);
	r->ur_entries = g_ptr_array_new_with_free_func(entry_free);
	mugai_extract_token_copy(r->ur_reason, NULL);
}

static void
set_status(struct mugai_unlock_result *r, enum mugai_unlock_status st,
    const char *reason)
{
	r->ur_status = st;
	mugai_extract_token_copy(r->ur_reason, reason);
	g_ptr_array_set_size(r->ur_entries, 0);
}

void
mugai_unlock_result_clear(struct mugai_unlock_result *r)
{
	if (r->ur_entries != NULL)
		g_ptr_array_unref(r->ur_entries);
	r->ur_entries = NULL;
}

/* A name the helper may send: UTF-8, no NUL, no control character. */
static gboolean
name_ok(const char *s, gsize n)
{
	const char *end = s + n;

	if (!g_utf8_validate(s, (gssize)n, NULL))
		return FALSE;
	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || c == 0x7f)
			return FALSE;
	}
	return TRUE;
}

const char *
mugai_unlock_answer_take(const guint8 *buf, gsize len,
    const struct mugai_unlock_limits *lim, struct mugai_unlock_result *out)
{
	const char *d = (const char *)buf, *nl;
	struct mugai_unlock_answer a;
	guint64 total = 0;
	gsize off;

	result_init(out);
	if (len == 0 || (nl = memchr(d, '\n', MIN(len,
	    (gsize)MUGAI_EXTRACT_LINE_MAX))) == NULL)
		return "bad_answer";
	if (!mugai_unlock_answer_parse(d, (gsize)(nl - d) + 1, &a) ||
	    a.ua_status >= MUGAI_UNLOCK_FAILED)
		return "bad_answer";
	off = (gsize)(nl - d) + 1;
	if (a.ua_length != len - off)
		return a.ua_length > len - off ? "short_answer" : "bad_answer";
	if (a.ua_status != MUGAI_UNLOCK_OK && (a.ua_length != 0 ||
	    a.ua_entries != 0))
		return "bad_answer";
	if (a.ua_entries > lim->ul_max_entries)
		return "over_limit";
	for (guint64 i = 0; i < a.ua_entries; i++) {
		struct mugai_unlock_entry *e;
		guint64 size, name_len;

		if ((nl = memchr(d + off, '\n', MIN(len - off,
		    (gsize)MUGAI_EXTRACT_LINE_MAX))) == NULL ||
		    !mugai_unlock_entry_parse(d + off, (gsize)(nl - d) + 1 -
		    off, &size, &name_len))
			return "bad_answer";
		off = (gsize)(nl - d) + 1;
		if (name_len > len - off || size > len - off - name_len)
			return "bad_answer";
		if (size > lim->ul_max_bytes - MIN(total, lim->ul_max_bytes))
			return "over_limit";
		total += size;
		if (!name_ok(d + off, (gsize)name_len))
			return "bad_answer";
		e = g_new0(struct mugai_unlock_entry, 1);
		e->ue_name = g_strndup(d + off, (gsize)name_len);
		e->ue_data = g_bytes_new(d + off + name_len, (gsize)size);
		g_ptr_array_add(out->ur_entries, e);
		off += (gsize)(name_len + size);
	}
	if (off != len)
		return "bad_answer";
	out->ur_status = a.ua_status;
	memcpy(out->ur_reason, a.ua_reason, sizeof out->ur_reason);
	return NULL;
}

void
mugai_extract_unlock(struct mugai_extract_pool *p, const void *archive,
    gsize len, const char *pass, gsize pass_len,
    const struct mugai_unlock_limits *lim, gint64 deadline,
    struct mugai_unlock_result *out)
{
	struct mugai_unlock_request rq;
	g_autoptr(GByteArray) buf = g_byte_array_new();
	g_autofree char *line = NULL;
	gint64 now = g_get_monotonic_time();
	gint64 until = now + mugai_extract_pool_time_ms(p) * 1000;
	const char *why = NULL, *bad;
	gsize max;
	int rc, status;

	result_init(out);
	if (deadline != 0)
		until = MIN(until, now + (deadline - mugai_deadline_now()));
	if (pass_len == 0 || pass_len > MUGAI_UNLOCK_PASS_MAX ||
	    memchr(pass, '\0', pass_len) != NULL) {
		set_status(out, MUGAI_UNLOCK_WRONG_PASSWORD, "bad_password");
		return;
	}
	if ((guint64)len > lim->ul_max_bytes) {
		set_status(out, MUGAI_UNLOCK_OVER_LIMIT, "archive_max_bytes");
		return;
	}
	if (now >= until) {
		set_status(out, MUGAI_UNLOCK_TIMEOUT, "max_time");
		return;
	}
	memset(&rq, 0, sizeof rq);
	rq.uq_size = len;
	rq.uq_pass = pass_len;
	rq.uq_entries = lim->ul_max_entries;
	rq.uq_bytes = lim->ul_max_bytes;
	rq.uq_ratio = lim->ul_max_ratio;
	line = mugai_unlock_request_format(&rq);
	max = (gsize)MIN((guint64)G_MAXSIZE / 2, MUGAI_EXTRACT_LINE_MAX +
	    lim->ul_max_bytes + MIN(lim->ul_max_entries, G_MAXUINT32) *
	    (guint64)(MUGAI_EXTRACT_LINE_MAX + MUGAI_UNLOCK_NAME_MAX));
	rc = mugai_extract_exchange(p, archive, len, line, pass, pass_len,
	    until, max, buf, &status, &why);
	if (rc != 0) {
		set_status(out, rc == -2 ? MUGAI_UNLOCK_TIMEOUT :
		    MUGAI_UNLOCK_FAILED, why);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		set_status(out, MUGAI_UNLOCK_FAILED, WIFSIGNALED(status) ?
		    "killed" : "exit");
		return;
	}
	mugai_unlock_result_clear(out);
	if ((bad = mugai_unlock_answer_take(buf->data, buf->len, lim, out)) !=
	    NULL)
		set_status(out, MUGAI_UNLOCK_FAILED, bad);
}
