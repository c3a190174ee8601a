/*
 * mugai_sanitize - the GMime engine: parse, walk, render, decide, encode
 *
 * One pass over the raw message hashes it and enforces the size and line
 * limits; the header block is split here (lib/mime/headers.c) so header indexes
 * match the MTA's; GMime parses the MIME tree from the same stream (parts
 * stay on the stream, content is decoded only when it is read). The walk
 * (lib/mime/gwalk.c, deciding with lib/mime/walk.c) renders text and
 * removes every other part into the report.
 * Then the verdict, the notice, the body and the header edits are made.
 *
 * mugai_sanitize_stream_*() take the message as it arrives (the milter):
 * the raw scan and the streaming walk run on each chunk, so when the fast
 * path takes the message, the end only decides and composes; when it
 * declines, the GMime walk reads the message from the caller's stream as
 * mugai_sanitize() does. Both ways in share everything after the scan.
 *
 * Fail closed: anything the walk cannot prove safe sets a withhold reason
 * and the configured on_error action replaces the content.
 */
#include "autoconfig.h"

#include <string.h>

#include "base/limits.h"
#include "base/deadline.h"
#include "base/addrfield.h"
#include "base/digest.h"
#include "mime/gwalk.h"
#include "mime/headers.h"
#include "core/notice.h"
#include "core/sanitize.h"
#include "mime/swalk.h"
#include "text/textbody.h"
#include "text/textsafe.h"
#include "mime/walk.h"
#include "core/xbody.h"
#include "portal/link.h"

static const struct mugai_sanitize_opts auto_opts = { 0 };

/* Headers a message may carry only once; later copies are removed. */
static const char *const singletons[] = {
	"subject", "from", "to", "date", "message-id", NULL
};

void
mugai_sanitize_init(void)
{
	g_mime_init();
}

void
mugai_sanitize_shutdown(void)
{
	g_mime_shutdown();
}

static void
edit_free(gpointer data)
{
	struct mugai_hdr_edit *e = data;

	g_free(e->he_name);
	g_free(e->he_value);
	g_free(e);
}

void
mugai_result_free(struct mugai_result *rs)
{
	if (rs == NULL)
		return;
	g_clear_pointer(&rs->rs_body, g_bytes_unref);
	g_clear_pointer(&rs->rs_edits, g_ptr_array_unref);
	g_free(rs->rs_headers);
	g_free(rs->rs_reply);
	g_free(rs->rs_declined);
	/* It may hold a password (milter/autopw.c). */
	if (rs->rs_text != NULL) {
		explicit_bzero(rs->rs_text->str, rs->rs_text->allocated_len);
		g_string_free(rs->rs_text, TRUE);
	}
	mugai_report_free(rs->rs_report);
	g_free(rs);
}

/*
 * Line facts of one chunk, carried across chunks by *cr (the previous
 * chunk ended with CR) and *line (bytes since the last LF): the longest
 * line (CR counts as a byte of it) and the CRs not followed by LF. memchr
 * finds the few LFs and CRs; a byte-by-byte loop here cost as much as the
 * SHA-256 of the same bytes.
 */
static void
scan_lines(const char *buf, gsize n, gboolean *cr, gsize *line,
    gsize *longest, gsize *bare_cr)
{
	const char *p = buf, *end = buf + n, *q;

	if (n == 0)
		return;
	if (*cr && buf[0] != '\n')
		(*bare_cr)++;
	*cr = FALSE;
	for (q = buf; (q = memchr(q, '\r', (gsize)(end - q))) != NULL; q++) {
		if (q + 1 == end)
			*cr = TRUE;
		else if (q[1] != '\n')
			(*bare_cr)++;
	}
	while ((q = memchr(p, '\n', (gsize)(end - p))) != NULL) {
		*line += (gsize)(q - p);
		if (*line > *longest)
			*longest = *line;
		*line = 0;
		p = q + 1;
	}
	*line += (gsize)(end - p);
	if (*line > *longest)
		*longest = *line;
}

/*
 * The raw facts of the message, fed chunk by chunk: SHA-256 and size of
 * the whole message, the longest line, the bare CRs, and the first bytes
 * (at most cf_max_header_size + 1) kept in rw_head, up to and with the
 * first empty line ("\n" or "\r\n"): mugai_headers_split() stops there
 * (or earlier), and a bare CR read as LF cannot move that line later.
 */
/* The bytes of a line's beginning that say what it is (scan_lead()). */
#define RAW_LEAD	MUGAI_ADDR_LEAD

struct raw {
	struct mugai_digest *rw_digest;	/* NULL once ended */
	GByteArray *rw_head;
	gsize rw_head_max;
	gsize rw_head_scan;		/* where to look on for that line */
	gsize rw_line;
	gsize rw_longest;
	gsize rw_bare_cr;
	gboolean rw_cr;
	guint64 rw_size;
	/* Folded fields anywhere (scan_fields()). */
	enum { RF_NO, RF_YES, RF_UNKNOWN } rw_in_field;
	gboolean rw_mid_line;		/* the last chunk ended mid-line */
	gsize rw_field;
	gsize rw_longest_field;
	/* What GMime cannot bear (scan_fields(), t/hostile-big). */
	gboolean rw_addr;		/* the field is an address field */
	gsize rw_addr_seps;
	gsize rw_most_addr_seps;
	guint64 rw_addr_cost;		/* mugai_addr_count()'s, all fields */
	gboolean rw_param;		/* Content-Type or -Disposition */
	gsize rw_params;		/* their ';', all fields */
	gboolean rw_leading;		/* rw_lead is not full yet */
	char rw_lead[RAW_LEAD];		/* the first bytes of the line */
	gsize rw_lead_len;
	gsize rw_field_lines;		/* lines that begin "Name:" */
	gsize rw_dash_lines;		/* lines that begin "--" */
};

static void
raw_init(struct raw *rw, const struct mugai_config *cf)
{
	memset(rw, 0, sizeof *rw);
	rw->rw_digest = mugai_digest_new();
	rw->rw_head = g_byte_array_new();
	rw->rw_head_max = (gsize)cf->cf_max_header_size + 1;
}

/*
 * Looks on in rw_head for its first empty line; once found, rw_head ends
 * after it and takes no more bytes.
 */
static void
head_end(struct raw *rw)
{
	const guint8 *d = rw->rw_head->data, *nl;
	gsize n = rw->rw_head->len, i = rw->rw_head_scan, end = 0;

	while (i < n) {
		if (i == 0 || d[i - 1] == '\n') {
			if (d[i] == '\n')
				end = i + 1;
			else if (d[i] == '\r' && i + 1 == n)
				break;	/* the next byte decides */
			else if (d[i] == '\r' && d[i + 1] == '\n')
				end = i + 2;
			if (end > 0) {
				g_byte_array_set_size(rw->rw_head, (guint)end);
				rw->rw_head_max = end;
				return;
			}
		}
		if ((nl = memchr(d + i, '\n', n - i)) == NULL) {
			i = n;
			break;
		}
		i = (gsize)(nl - d) + 1;
	}
	rw->rw_head_scan = i;
}

/*
 * TRUE when the line at p may begin a header field: a name of printable
 * ASCII, then a colon. A line cut by end before its colon, or with a name
 * longer than any a reader parses as an address header, counts.
 */
static gboolean
field_start(const char *p, const char *end)
{
	for (const char *q = p; q < end && q - p <= 76; q++) {
		if (*q == ':')
			return q > p;
		if ((guchar)*q <= ' ' || (guchar)*q >= 0x7f)
			return FALSE;
	}
	return TRUE;
}

/*
 * TRUE when the line at p (up to end) begins "Name:" as a header field
 * does: printable ASCII, then blanks, then the colon, within 77 bytes. A
 * base64 line costs one memchr: it holds no colon.
 */
static gboolean
field_line(const char *p, const char *end)
{
	const char *c = memchr(p, ':', (gsize)MIN(end - p, 77));
	const char *q = p;

	if (c == NULL || c == p)
		return FALSE;
	while (q < c && (guchar)*q > ' ' && (guchar)*q < 0x7f)
		q++;
	if (q == p)
		return FALSE;
	while (q < c && (*q == ' ' || *q == '\t'))
		q++;
	return q == c;
}

static gsize
count_byte(const char *p, gsize len, char c)
{
	gsize n = 0;

	for (const char *e = p + len; (p = memchr(p, c, (gsize)(e - p))) !=
	    NULL; p++)
		n++;
	return n;
}

/*
 * The fields of a header block too large to read (head holds its first
 * max_header_size + 1 bytes), for the notice of a message withheld for
 * it: those of the complete lines there, but the last, which may go on
 * past them. Without them the withheld message had no From, To, Subject
 * or Date (t/hostile-big's header-fields-100000, check_sanitized.py).
 */
static GPtrArray *
head_prefix(const GByteArray *head)
{
	const char *p = (const char *)head->data;
	const char *nl = memrchr(p, '\n', head->len);
	GPtrArray *h;
	gboolean sep;
	enum mugai_err e;
	gsize off;

	if (nl == NULL || (h = mugai_headers_split(p, (gsize)(nl - p) + 1,
	    head->len, &off, &sep, &e)) == NULL)
		return g_ptr_array_new();
	if (h->len > 0)
		g_ptr_array_remove_index(h, h->len - 1);
	return h;
}

/*
 * What GMime's tree and address parser cost (addrfield.h, limits.h), on
 * every line that does not begin with a blank: any may be in a header
 * block. The first RAW_LEAD bytes of the line decide, kept across a
 * chunk's edge so that the counts do not depend on where chunks end; an
 * address field's separators count to the end of the field.
 */
static void
scan_lead(struct raw *rw, const char *p, const char *stop, gboolean ends)
{
	if (rw->rw_leading) {
		gsize take = MIN(RAW_LEAD - rw->rw_lead_len,
		    (gsize)(stop - p));
		const char *l = rw->rw_lead;

		memcpy(rw->rw_lead + rw->rw_lead_len, p, take);
		rw->rw_lead_len += take;
		p += take;
		if (rw->rw_lead_len < RAW_LEAD && !(ends && p == stop))
			return;
		rw->rw_leading = FALSE;
		rw->rw_addr = mugai_addr_field(l, rw->rw_lead_len);
		rw->rw_param = !rw->rw_addr &&
		    mugai_param_field(l, rw->rw_lead_len);
		if (rw->rw_param)
			rw->rw_params += count_byte(l, rw->rw_lead_len, ';');
		rw->rw_field_lines += field_line(l, l + rw->rw_lead_len);
		rw->rw_dash_lines += rw->rw_lead_len >= 2 && l[0] == '-' &&
		    l[1] == '-';
		if (rw->rw_addr)
			mugai_addr_count(l, rw->rw_lead_len,
			    &rw->rw_addr_seps, &rw->rw_addr_cost);
	}
	if (rw->rw_param)
		rw->rw_params += count_byte(p, (gsize)(stop - p), ';');
	if (rw->rw_addr) {
		mugai_addr_count(p, (gsize)(stop - p), &rw->rw_addr_seps,
		    &rw->rw_addr_cost);
		rw->rw_most_addr_seps = MAX(rw->rw_most_addr_seps,
		    rw->rw_addr_seps);
	}
}

/*
 * The longest folded field anywhere in the message, nested header blocks
 * included: a line that begins a field and the lines after it that begin
 * with a blank. GMime parses an address header recursively, about 200
 * bytes of stack for each word, and it parses the headers of an attached
 * message too, which max_header_size did not bound: 2 MB of encoded
 * words overflowed a thread's 8 MiB. Whether a line begins a field is
 * only asked when a folded line follows it, so a chunk costs a memchr
 * per line; a line begun in an earlier chunk counts as a field.
 */
static void
scan_fields(struct raw *rw, const char *buf, gsize n)
{
	const char *p = buf, *end = buf + n, *start = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		const char *stop = nl != NULL ? nl + 1 : end;

		if (!rw->rw_mid_line) {
			if (*p == ' ' || *p == '\t') {
				if (rw->rw_in_field == RF_UNKNOWN)
					rw->rw_in_field = start == NULL ||
					    field_start(start, end) ?
					    RF_YES : RF_NO;
			} else {
				rw->rw_in_field = RF_UNKNOWN;
				rw->rw_field = 0;
				start = p;
				rw->rw_addr = FALSE;
				rw->rw_param = FALSE;
				rw->rw_addr_seps = 0;
				rw->rw_lead_len = 0;
				rw->rw_leading = TRUE;
			}
		}
		scan_lead(rw, p, stop, nl != NULL);
		if (rw->rw_in_field != RF_NO) {
			rw->rw_field += (gsize)(stop - p);
			if (rw->rw_in_field == RF_YES &&
			    rw->rw_field > rw->rw_longest_field)
				rw->rw_longest_field = rw->rw_field;
		}
		rw->rw_mid_line = nl == NULL;
		p = stop;
	}
}

static void
raw_feed(struct raw *rw, const char *buf, gsize n)
{
	mugai_digest_update(rw->rw_digest, buf, n);
	if (rw->rw_head->len < rw->rw_head_max) {
		g_byte_array_append(rw->rw_head, (const guint8 *)buf,
		    (guint)MIN(n, rw->rw_head_max - rw->rw_head->len));
		head_end(rw);
	}
	scan_lines(buf, n, &rw->rw_cr, &rw->rw_line, &rw->rw_longest,
	    &rw->rw_bare_cr);
	scan_fields(rw, buf, n);
	rw->rw_size += (guint64)n;
}

/* Ends the input: a CR at the very end is bare; size and SHA-256 to r. */
static void
raw_end(struct raw *rw, struct mugai_report *r)
{
	if (rw->rw_cr)
		rw->rw_bare_cr++;
	rw->rw_cr = FALSE;
	r->rr_size = rw->rw_size;
	mugai_digest_finish(rw->rw_digest, r->rr_sha256);
	rw->rw_digest = NULL;
}

static void
raw_clear(struct raw *rw)
{
	mugai_digest_free(rw->rw_digest);
	g_byte_array_unref(rw->rw_head);
}

/* Feeds all of in (from its position) to rw. */
static enum mugai_err
scan_raw(GMimeStream *in, struct raw *rw)
{
	char buf[MUGAI_IO_CHUNK];
	gssize n;

	while ((n = g_mime_stream_read(in, buf, sizeof buf)) > 0)
		raw_feed(rw, buf, (gsize)n);
	return n < 0 ? MUGAI_E_IO : MUGAI_OK;
}

static void
add_edit(GPtrArray *edits, enum mugai_hdr_op op, const char *name,
    guint index, const char *value)
{
	struct mugai_hdr_edit *e = g_new0(struct mugai_hdr_edit, 1);

	e->he_op = op;
	e->he_name = g_strdup(name);
	e->he_index = index;
	e->he_value = g_strdup(value);
	g_ptr_array_add(edits, e);
}

/* Changes first, then deletes from the highest index down, then adds. */
static gint
edit_order(gconstpointer a, gconstpointer b)
{
	const struct mugai_hdr_edit *x = *(const struct mugai_hdr_edit **)a;
	const struct mugai_hdr_edit *y = *(const struct mugai_hdr_edit **)b;
	static const int rank[] = { [MUGAI_HDR_CHANGE] = 0,
	    [MUGAI_HDR_DELETE] = 1, [MUGAI_HDR_ADD] = 2 };

	if (rank[x->he_op] != rank[y->he_op])
		return rank[x->he_op] - rank[y->he_op];
	if (x->he_op == MUGAI_HDR_DELETE && x->he_index != y->he_index)
		return x->he_index > y->he_index ? -1 : 1;
	return 0;
}

static gboolean
in_list(char *const *list, const char *name)
{
	for (gsize i = 0; list != NULL && list[i] != NULL; i++)
		if (g_ascii_strcasecmp(list[i], name) == 0)
			return TRUE;
	return FALSE;
}

/* Decides the fate of header h; returns TRUE when it is deleted. */
static gboolean
header_deleted(const struct mugai_config *cf, const struct mugai_header *h,
    gboolean body_changed, GHashTable *seen, struct mugai_report *r)
{
	g_autofree char *lname = NULL;
	gsize nlen = strlen(h->hd_name);

	/*
	 * A name that leaves no room in a line of 998 octets for ": " and
	 * one encoded-word of the value (mugai_headers_fix_for()'s longest,
	 * 72 octets) cannot be written within RFC 5322's limit whatever the
	 * value: no real header is named so, and the original keeps it.
	 */
	if (nlen > MUGAI_HEADER_NAME_MAX) {
		mugai_report_warn(r, "header with a name of %" G_GSIZE_FORMAT
		    " octets removed", nlen);
		return TRUE;
	}
	lname = g_ascii_strdown(h->hd_name, -1);
	if (g_str_has_prefix(lname, "x-mugai-"))
		return TRUE;
	if (body_changed && mugai_headers_is_mime(h->hd_name))
		return TRUE;
	if (body_changed && in_list(cf->cf_remove_headers, h->hd_name))
		return TRUE;
	if (in_list((char **)singletons, lname)) {
		if (g_hash_table_contains(seen, lname)) {
			mugai_report_warn(r, "duplicate %s header removed",
			    h->hd_name);
			return TRUE;
		}
		g_hash_table_add(seen, g_steal_pointer(&lname));
	}
	return FALSE;
}

/* Appends "name:value\n" to out, value as raw (folded) text. */
static void
append_header(GString *out, const char *name, const char *value,
    gboolean raw)
{
	g_string_append(out, name);
	g_string_append_c(out, ':');
	if (!raw)
		g_string_append_c(out, ' ');
	g_string_append(out, value);
	g_string_append_c(out, '\n');
}

static char *
sanitized_header(const struct mugai_report *r)
{
	GString *s = g_string_new(PACKAGE_NAME " " PACKAGE_VERSION);

	g_string_append_printf(s, "; verdict=%s; engine=%s; removed=%u",
	    mugai_verdict_name(r->rr_verdict), r->rr_engine,
	    mugai_report_removed(r));
	if (r->rr_quarantine_id != NULL)
		g_string_append_printf(s, "; quarantine=%s",
		    r->rr_quarantine_id);
	return g_string_free(s, FALSE);
}

/*
 * Returns (transfer full) the repaired value of every header of headers,
 * in order (NULL where it can stay as it is). Made before the verdict so
 * that the header work counts against [limits] max_time: the clock is
 * read once per header, and past the deadline the message takes the
 * on_error action like any message that took too long. Every header is
 * still repaired: none leaves as it came because time ran out.
 */
static GPtrArray *
fix_headers(const struct mugai_config *cf, struct mugai_walk *w,
    const GPtrArray *headers)
{
	GPtrArray *fixes = g_ptr_array_new_full(headers->len, g_free);
	gboolean in_time = TRUE;
	gboolean seven = cf->cf_output_charset == MUGAI_OUT_ISO2022JP;

	for (guint i = 0; i < headers->len; i++) {
		g_ptr_array_add(fixes, mugai_headers_fix_for(
		    g_ptr_array_index(headers, i), seven));
		in_time = in_time && mugai_walk_in_time(w);
	}
	return fixes;
}

/*
 * Builds rs_edits and the header block but the X-Mugai-Sanitized stamp
 * (*out, transfer full) from the original header block and its repaired
 * values (fix_headers()). Returns TRUE when a header of the original was
 * changed or removed.
 */
static gboolean
build_headers_base(const struct mugai_config *cf, const GPtrArray *headers,
    const GPtrArray *fixes, const struct mugai_textbody *tb,
    struct mugai_result *rs, GString **outp)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	GString *out = g_string_new(NULL);
	gboolean body_changed = tb != NULL;
	gboolean modified = FALSE;

	rs->rs_edits = g_ptr_array_new_with_free_func(edit_free);
	for (guint i = 0; i < headers->len; i++) {
		const struct mugai_header *h = g_ptr_array_index(headers, i);
		const char *fixed = g_ptr_array_index(fixes, i);

		if (header_deleted(cf, h, body_changed, seen, rs->rs_report)) {
			add_edit(rs->rs_edits, MUGAI_HDR_DELETE, h->hd_name,
			    h->hd_index, NULL);
			modified = modified ||
			    g_ascii_strncasecmp(h->hd_name, "X-Mugai-", 8) != 0;
			continue;
		}
		if (fixed != NULL) {
			add_edit(rs->rs_edits, MUGAI_HDR_CHANGE, h->hd_name,
			    h->hd_index, fixed);
			append_header(out, h->hd_name, fixed, FALSE);
			modified = TRUE;
			continue;
		}
		append_header(out, h->hd_name, h->hd_raw, TRUE);
	}
	if (body_changed) {
		add_edit(rs->rs_edits, MUGAI_HDR_ADD, "MIME-Version", 0, "1.0");
		add_edit(rs->rs_edits, MUGAI_HDR_ADD, "Content-Type", 0,
		    tb->tb_content_type);
		add_edit(rs->rs_edits, MUGAI_HDR_ADD,
		    "Content-Transfer-Encoding", 0, tb->tb_encoding);
		append_header(out, "MIME-Version", "1.0", FALSE);
		append_header(out, "Content-Type", tb->tb_content_type, FALSE);
		append_header(out, "Content-Transfer-Encoding",
		    tb->tb_encoding, FALSE);
	}
	/* Stable (GLib >= 2.32): the stamp, an add, may follow it. */
	g_ptr_array_sort(rs->rs_edits, edit_order);
	*outp = out;
	return modified;
}

/*
 * Ends what build_headers_base() began: the stamp (from the report as it
 * is now) goes last among the edits, as the sort puts the last add, and
 * last in rs_headers. Takes out.
 */
static void
build_headers_stamp(struct mugai_result *rs, GString *out)
{
	g_autofree char *stamp = sanitized_header(rs->rs_report);

	add_edit(rs->rs_edits, MUGAI_HDR_ADD, "X-Mugai-Sanitized", 0, stamp);
	append_header(out, "X-Mugai-Sanitized", stamp, FALSE);
	rs->rs_headers = g_string_free(out, FALSE);
}

/*
 * Builds rs_edits and rs_headers from the original header block. Returns
 * TRUE when a header of the original was changed or removed.
 */
static gboolean
build_headers(const struct mugai_config *cf, const GPtrArray *headers,
    const GPtrArray *fixes, const struct mugai_textbody *tb,
    struct mugai_result *rs)
{
	GString *out;
	gboolean modified = build_headers_base(cf, headers, fixes, tb, rs,
	    &out);

	build_headers_stamp(rs, out);
	return modified;
}

static gboolean
keep_original(const struct mugai_config *cf, const struct mugai_report *r,
    gboolean modified)
{
	gboolean quarantined = r->rr_verdict == MUGAI_V_WITHHELD;

	if (r->rr_verdict == MUGAI_V_REJECT ||
	    r->rr_verdict == MUGAI_V_TEMPFAIL)
		return FALSE;
	for (guint i = 0; i < r->rr_parts->len && !quarantined; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);

		quarantined = p->rp_action == MUGAI_ACT_QUARANTINE;
	}
	switch (cf->cf_keep_original) {
	case MUGAI_KEEP_NEVER:
		return FALSE;
	case MUGAI_KEEP_QUARANTINED:
		return quarantined;
	case MUGAI_KEEP_MODIFIED:
		return quarantined || modified ||
		    r->rr_verdict != MUGAI_V_UNCHANGED;
	default:
		return TRUE;
	}
}

/*
 * TRUE when the top-level MIME headers (as the MTA and the output carry
 * them: our split, not GMime's reading) are textbook enough for the body
 * to pass unchanged: no Content-Disposition (RFC 2183 readers take an
 * unknown type for an attachment), Content-Type parameters charset,
 * format and delsp only (no name, no RFC 2231 pieces), and at most one
 * Content-Type and one Content-Transfer-Encoding (readers disagree on
 * which one counts). Anything else is rebuilt from what GMime decoded.
 */
static gboolean
mime_headers_pass(const GPtrArray *headers)
{
	static const char *const params[] = { "charset", "format", "delsp",
	    NULL };
	guint ct = 0, cte = 0;

	for (guint i = 0; i < headers->len; i++) {
		const struct mugai_header *h = g_ptr_array_index(headers, i);
		GMimeContentType *type;
		GMimeParamList *list;
		gboolean ok = TRUE;

		if (g_ascii_strcasecmp(h->hd_name, "Content-Disposition") == 0)
			return FALSE;
		if (g_ascii_strcasecmp(h->hd_name,
		    "Content-Transfer-Encoding") == 0 && ++cte > 1)
			return FALSE;
		if (g_ascii_strcasecmp(h->hd_name, "Content-Type") != 0)
			continue;
		if (++ct > 1 || (type = g_mime_content_type_parse(NULL,
		    h->hd_raw)) == NULL)
			return FALSE;
		list = g_mime_content_type_get_parameters(type);
		for (int j = 0; ok && j < g_mime_param_list_length(list); j++)
			ok = in_list((char **)params, g_mime_param_get_name(
			    g_mime_param_list_get_parameter_at(list, j)));
		g_object_unref(type);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/*
 * TRUE when an unchanged body is already in the output charset: always
 * for UTF-8 output (ASCII and UTF-8 pass as they came); for ISO-2022-JP
 * output only a body labelled us-ascii or iso-2022-jp (or not labelled).
 * Any other body is converted like a changed one: a legacy client must
 * never get the UTF-8 (or Shift_JIS) it was configured away from.
 */
static gboolean
output_passes(const struct mugai_config *cf, const GPtrArray *headers)
{
	const struct mugai_header *h;
	GMimeContentType *type;
	const char *cs;
	gboolean ok;

	if (cf->cf_output_charset != MUGAI_OUT_ISO2022JP)
		return TRUE;
	if ((h = mugai_headers_find(headers, "Content-Type")) == NULL)
		return TRUE;
	if ((type = g_mime_content_type_parse(NULL, h->hd_raw)) == NULL)
		return FALSE;
	cs = g_mime_content_type_get_parameter(type, "charset");
	ok = cs == NULL || g_ascii_strcasecmp(cs, "us-ascii") == 0 ||
	    g_ascii_strcasecmp(cs, "iso-2022-jp") == 0;
	g_object_unref(type);
	return ok;
}

/* Sets the verdict from the walk: on_error, policy, or text. */
static void
decide(const struct mugai_config *cf, struct mugai_walk *w,
    struct mugai_result *rs)
{
	struct mugai_report *r = rs->rs_report;

	if (w->wk_withhold != NULL) {
		r->rr_withheld_reason = g_strdup(w->wk_withhold);
		r->rr_limit = g_strdup(w->wk_limit);
		switch (cf->cf_on_error) {
		case MUGAI_ON_ERROR_TEMPFAIL:
			r->rr_verdict = MUGAI_V_TEMPFAIL;
			rs->rs_reply = g_strdup_printf("Message cannot be "
			    "sanitized now: %s", w->wk_withhold);
			return;
		case MUGAI_ON_ERROR_REJECT:
			r->rr_verdict = MUGAI_V_REJECT;
			rs->rs_reply = g_strdup(cf->cf_reject_text);
			return;
		default:
			r->rr_verdict = MUGAI_V_WITHHELD;
			return;
		}
	}
	for (guint i = 0; i < r->rr_parts->len; i++) {
		const struct mugai_report_part *p =
		    g_ptr_array_index(r->rr_parts, i);

		if (p->rp_action == MUGAI_ACT_REJECT) {
			r->rr_verdict = MUGAI_V_REJECT;
			g_free(r->rr_rule);
			r->rr_rule = g_strdup(p->rp_rule);
			g_free(rs->rs_reply);
			rs->rs_reply = g_strdup(cf->cf_reject_text);
			return;
		}
		if (p->rp_action == MUGAI_ACT_TEMPFAIL &&
		    r->rr_verdict != MUGAI_V_TEMPFAIL) {
			r->rr_verdict = MUGAI_V_TEMPFAIL;
			r->rr_rule = g_strdup(p->rp_rule);
			rs->rs_reply = g_strdup("Message deferred by the mail "
			    "sanitization policy");
		}
	}
	if (r->rr_verdict == MUGAI_V_TEMPFAIL)
		return;
	r->rr_verdict = w->wk_unchanged ? MUGAI_V_UNCHANGED :
	    MUGAI_V_SANITIZED;
}

/* The body text: notice and rendered text, or the withheld notice. */
static GString *
compose(const struct mugai_config *cf, struct mugai_walk *w,
    const struct mugai_report *r)
{
	GString *notice = g_string_new(NULL);
	GString *body;

	g_autofree char *link = cf->cf_portal_link_key != NULL ?
	    mugai_link_url(cf->cf_portal_link_key, cf->cf_portal_url,
	    r->rr_quarantine_id) : NULL;

	if (r->rr_verdict == MUGAI_V_WITHHELD) {
		mugai_notice_withheld_link(cf->cf_notice,
		    r->rr_withheld_reason, r->rr_quarantine_id, link, notice);
		mugai_textsafe(notice);
		return notice;
	}
	mugai_notice_removed_link(cf->cf_notice, r, r->rr_quarantine_id, link,
	    notice);
	mugai_textsafe(notice);
	if (notice->len == 0) {
		g_string_free(notice, TRUE);
		return g_string_new_len(w->wk_text->str, w->wk_text->len);
	}
	body = g_string_sized_new(notice->len + w->wk_text->len + 2);
	if (cf->cf_notice_position == MUGAI_NOTICE_TOP) {
		g_string_append_len(body, notice->str, notice->len);
		if (w->wk_text->len > 0)
			g_string_append_c(body, '\n');
		g_string_append_len(body, w->wk_text->str, w->wk_text->len);
	} else {
		g_string_append_len(body, w->wk_text->str, w->wk_text->len);
		if (w->wk_text->len > 0)
			g_string_append_c(body, '\n');
		g_string_append_len(body, notice->str, notice->len);
	}
	g_string_free(notice, TRUE);
	/* Stripped tags bring together what they kept apart: read again. */
	if (mugai_textsafe_limit_tags(body))
		mugai_textsafe(body);
	return body;
}

/*
 * Returns (transfer full) a copy of in (from start) with every bare CR
 * turned into LF, or NULL on a read error. Readers that split lines on a
 * bare CR (Python's email, some clients) must not see other lines than
 * the walk does.
 */
static GMimeStream *
normalize_cr(GMimeStream *in, gint64 start)
{
	GMimeStream *out = g_mime_stream_mem_new();
	GString *o = g_string_sized_new(MUGAI_IO_CHUNK + 2);
	char buf[MUGAI_IO_CHUNK];
	gboolean cr = FALSE;
	gssize n;

	g_mime_stream_seek(in, start, GMIME_STREAM_SEEK_SET);
	while ((n = g_mime_stream_read(in, buf, sizeof buf)) > 0) {
		g_string_truncate(o, 0);
		for (gssize i = 0; i < n; i++) {
			if (cr) {
				cr = FALSE;
				if (buf[i] == '\n') {
					g_string_append(o, "\r\n");
					continue;
				}
				g_string_append_c(o, '\n');
			}
			if (buf[i] == '\r')
				cr = TRUE;
			else
				g_string_append_c(o, buf[i]);
		}
		g_mime_stream_write(out, o->str, o->len);
	}
	if (cr)
		g_mime_stream_write(out, "\n", 1);
	g_string_free(o, TRUE);
	if (n < 0) {
		g_object_unref(out);
		return NULL;
	}
	g_mime_stream_reset(out);
	return out;
}

/*
 * The streaming walk sw took the message into its own report r: r gets
 * the raw facts of the result's report (size, SHA-256) and its warnings
 * before r's own, then replaces it; sw, with w's envelope and deadline,
 * replaces w. Takes r and what sw owns (sw is left empty).
 */
static void
take_stream_walk(struct mugai_result *rs, struct mugai_walk *w,
    struct mugai_walk *sw, struct mugai_report *r)
{
	struct mugai_report *old = rs->rs_report;

	r->rr_size = old->rr_size;
	memcpy(r->rr_sha256, old->rr_sha256, sizeof r->rr_sha256);
	for (guint i = 0; i < old->rr_warnings->len; i++)
		g_ptr_array_insert(r->rr_warnings, (gint)i,
		    g_strdup(g_ptr_array_index(old->rr_warnings, i)));
	r->rr_engine = "stream";
	sw->wk_env = w->wk_env;
	sw->wk_deadline = w->wk_deadline;
	mugai_walk_clear(w);
	*w = *sw;
	memset(sw, 0, sizeof *sw);
	mugai_report_free(old);
	rs->rs_report = r;
}

/*
 * The streaming walk into a fresh report; when it takes the message, w
 * and the result's report are replaced by its own (take_stream_walk()).
 * Sets rs_declined when it does not. Returns MUGAI_OK or MUGAI_E_IO.
 */
static enum mugai_err
try_stream(const struct mugai_config *cf, const struct mugai_envelope *env,
    GMimeStream *in, gint64 start, gsize chunk, struct mugai_walk *w,
    struct mugai_result *rs)
{
	struct mugai_report *r = mugai_report_new();
	struct mugai_walk sw;
	enum mugai_err err;

	mugai_walk_init(&sw, cf, env, r);
	sw.wk_deadline = w->wk_deadline;
	err = mugai_swalk_message(&sw, in, start, chunk, &rs->rs_declined);
	if (err != MUGAI_OK || rs->rs_declined != NULL) {
		mugai_walk_clear(&sw);
		mugai_report_free(r);
		return err;
	}
	take_stream_walk(rs, w, &sw, r);
	return MUGAI_OK;
}

/* A message fed as it arrives: the raw facts and the streaming walk. */
struct mugai_sanitize_stream {
	const struct mugai_config *ss_cf;
	struct raw ss_raw;
	struct mugai_report *ss_report;	/* the walk's; NULL once taken */
	struct mugai_walk ss_walk;	/* moved out when taken */
	struct mugai_swalk *ss_swalk;	/* NULL once finished */
	gboolean ss_ended;		/* finish() was called */
	/* [limits] max_time counts the work, not the wait for the next
	 * chunk: the time spent in feed() so far. */
	gint64 ss_spent;
};

/*
 * try_stream() for a walk fed as the message arrived: ends it, and when
 * it took the message, w and the result's report are replaced by its own
 * (take_stream_walk()). Sets rs_declined when it did not.
 */
static void
try_live(struct mugai_sanitize_stream *ss, struct mugai_walk *w,
    struct mugai_result *rs)
{
	const char *why = mugai_swalk_finish(ss->ss_swalk);

	if (why != NULL)
		rs->rs_declined = g_strdup(why);
	/* Freed before the walk moves: it may put wk_text back. */
	g_clear_pointer(&ss->ss_swalk, mugai_swalk_free);
	if (rs->rs_declined != NULL)
		return;
	take_stream_walk(rs, w, &ss->ss_walk, g_steal_pointer(&ss->ss_report));
}

/*
 * Walks the message with the engine opts asks for; the streaming walk is
 * live's when the message was fed as it arrived (live non-NULL).
 */
static enum mugai_err
walk(const struct mugai_config *cf, const struct mugai_envelope *env,
    const struct mugai_sanitize_opts *opts, GMimeStream *in, gint64 start,
    gint64 hdr_end, gboolean normalized, struct mugai_sanitize_stream *live,
    struct mugai_walk *w, struct mugai_result *rs)
{
	enum mugai_err err;

	if (opts->so_engine != MUGAI_ENGINE_GMIME) {
		if (normalized)
			rs->rs_declined = g_strdup("bare CR");
		else if (live != NULL)
			try_live(live, w, rs);
		else if ((err = try_stream(cf, env, in, start, opts->so_chunk,
		    w, rs)) != MUGAI_OK)
			return err;
		if (rs->rs_declined == NULL)
			return MUGAI_OK;
		if (opts->so_engine == MUGAI_ENGINE_STREAM)
			return MUGAI_OK;
	}
	return mugai_gwalk_message(w, in, start, hdr_end);
}

struct mugai_result *
mugai_sanitize(const struct mugai_config *cf, GMimeStream *in,
    const struct mugai_envelope *env, enum mugai_err *err)
{
	return mugai_sanitize_with(cf, in, env, NULL, err);
}

/*
 * Everything after the raw scan (rw, fed the whole message and not yet
 * ended): one code path for both ways in. in is at the message's start.
 */
static struct mugai_result *
sanitize(const struct mugai_config *cf, GMimeStream *in,
    const struct mugai_envelope *env, const struct mugai_sanitize_opts *opts,
    struct raw *rw, struct mugai_sanitize_stream *live, gint64 deadline,
    enum mugai_err *err)
{
	struct mugai_result *rs = g_new0(struct mugai_result, 1);
	GByteArray *head = rw->rw_head;
	g_autoptr(GPtrArray) headers = NULL;
	g_autoptr(GPtrArray) fixes = NULL;
	struct mugai_walk w;
	struct mugai_textbody tb = { 0 };
	gint64 start = g_mime_stream_tell(in);
	gsize longest, body_off = 0, bare_cr;
	gboolean separated = TRUE;
	GMimeStream *norm = NULL;
	GString *hout = NULL;	/* UNCHANGED: the header block, unstamped */
	enum mugai_err herr;
	gboolean modified, keep, walked = FALSE;

	rs->rs_report = mugai_report_new();
	raw_end(rw, rs->rs_report);
	longest = rw->rw_longest;
	bare_cr = rw->rw_bare_cr;
	if (bare_cr > 0) {
		if ((norm = normalize_cr(in, start)) == NULL) {
			*err = MUGAI_E_IO;
			mugai_result_free(rs);
			return NULL;
		}
		mugai_report_warn(rs->rs_report, "%" G_GSIZE_FORMAT
		    " bare CR line ends read as LF", bare_cr);
		g_byte_array_set_size(head, (guint)MIN((gint64)head->len,
		    cf->cf_max_header_size + 1));
		g_byte_array_set_size(head, (guint)g_mime_stream_read(norm,
		    (char *)head->data, head->len));
		g_mime_stream_reset(norm);
		in = norm;
		start = 0;
	}
	mugai_walk_init(&w, cf, env, rs->rs_report);
	w.wk_deadline = deadline;
	headers = mugai_headers_split((const char *)head->data, head->len,
	    (gsize)cf->cf_max_header_size, &body_off, &separated, &herr);
	/*
	 * A block that ends at the line cut where the head stops (no blank
	 * line in max_header_size bytes) may go on: that line's colon may be
	 * past the cut. It was read as the body's first line, and a block of
	 * 349 KB was sanitized or withheld by where the cut fell.
	 */
	if (headers != NULL && !separated &&
	    head->len > (gsize)cf->cf_max_header_size &&
	    memchr(head->data + body_off, '\n', head->len - body_off) ==
	    NULL) {
		g_ptr_array_unref(headers);
		headers = NULL;
	}
	if (headers == NULL) {
		mugai_walk_limit(&w, "max_header_size", "header block larger "
		    "than %" G_GINT64_FORMAT " bytes", cf->cf_max_header_size);
		headers = head_prefix(head);
	} else if (rs->rs_report->rr_size > (guint64)cf->cf_max_message_size)
		mugai_walk_limit(&w, "max_message_size", "message larger than %"
		    G_GINT64_FORMAT " bytes", cf->cf_max_message_size);
	else if (rw->rw_longest_field > MIN((gsize)cf->cf_max_header_size,
	    MUGAI_FIELD_MAX))
		mugai_walk_limit(&w, "max_header_size", "header field larger "
		    "than %" G_GSIZE_FORMAT " bytes", MIN((gsize)
		    cf->cf_max_header_size, MUGAI_FIELD_MAX));
	else if (rw->rw_most_addr_seps > MUGAI_ADDR_SEPS_MAX)
		mugai_walk_limit(&w, "max_header_size", "address field of more "
		    "than %d addresses or groups", MUGAI_ADDR_SEPS_MAX);
	else if (rw->rw_addr_cost > MUGAI_ADDR_COST_MAX)
		mugai_walk_limit(&w, "max_header_size", "address fields of too "
		    "many entries for their length (%d)", MUGAI_ADDR_COST_MAX);
	else if (rw->rw_dash_lines > MUGAI_DASH_LINES_PER_PART *
	    (gsize)cf->cf_max_parts)
		mugai_walk_limit(&w, "max_parts", "more than %" G_GINT64_FORMAT
		    " lines that may be MIME boundaries (max_parts x %d)",
		    MUGAI_DASH_LINES_PER_PART * cf->cf_max_parts,
		    MUGAI_DASH_LINES_PER_PART);
	else if (rw->rw_params > MUGAI_PARAMS_MAX)
		mugai_walk_limit(&w, "max_header_size", "more than %d MIME "
		    "parameters", MUGAI_PARAMS_MAX);
	else if (rw->rw_field_lines > MUGAI_FIELD_LINES_MAX)
		mugai_walk_limit(&w, "max_header_size", "more than %d header "
		    "fields", MUGAI_FIELD_LINES_MAX);
	else if (longest > (gsize)cf->cf_max_line_length)
		mugai_walk_limit(&w, "max_line_length", "line longer than %"
		    G_GINT64_FORMAT " bytes", cf->cf_max_line_length);
	else if (!mugai_walk_in_time(&w))
		;
	else {
		walked = TRUE;
		if ((*err = walk(cf, env, opts, in, start, separated ? -1 :
		    start + (gint64)body_off, norm != NULL, live, &w, rs))
		    != MUGAI_OK) {
			mugai_walk_clear(&w);
			g_clear_object(&norm);
			mugai_result_free(rs);
			return NULL;
		}
	}
	/*
	 * A limit met on the raw message, before either walk: the engine
	 * asked for answers, so that --engine=stream takes such a message
	 * with the same output as GMime but for the name (t/stream-diff.sh).
	 */
	if (!walked && opts->so_engine == MUGAI_ENGINE_STREAM)
		rs->rs_report->rr_engine = "stream";
	rs->rs_body_offset = start + (gint64)body_off;
	if (opts->so_engine == MUGAI_ENGINE_STREAM && rs->rs_declined != NULL) {
		/* Nothing to apply: a caller that misses this defers. */
		rs->rs_verdict = rs->rs_report->rr_verdict = MUGAI_V_TEMPFAIL;
		rs->rs_reply = g_strdup_printf("stream engine declined: %s",
		    rs->rs_declined);
		mugai_walk_clear(&w);
		g_clear_object(&norm);
		*err = MUGAI_OK;
		return rs;
	}
	/*
	 * A header block ended by a line that is no header, with no blank
	 * line: readers disagree on where that body starts, so it is
	 * rebuilt (its bytes passed unchecked: found by fuzz_sanitize).
	 */
	if (norm != NULL || !separated || !mime_headers_pass(headers) ||
	    !output_passes(cf, headers))
		w.wk_unchanged = FALSE;
	fixes = fix_headers(cf, &w, headers);
	decide(cf, &w, rs);
	/*
	 * Header edits count as a change for keep_original=modified; the
	 * stamp, which names the quarantine, is added once that is known.
	 */
	modified = rs->rs_report->rr_verdict != MUGAI_V_UNCHANGED;
	if (rs->rs_report->rr_verdict == MUGAI_V_UNCHANGED)
		modified = build_headers_base(cf, headers, fixes, NULL, rs,
		    &hout);
	keep = keep_original(cf, rs->rs_report, modified);
	rs->rs_keep_original = keep;
	if (keep && env != NULL && env->ev_quarantine_id != NULL)
		rs->rs_report->rr_quarantine_id =
		    g_strdup(env->ev_quarantine_id);
	/* The text of removed documents, before the notice names it. */
	if (rs->rs_report->rr_verdict == MUGAI_V_SANITIZED)
		mugai_xbody_add(cf, &w, rs->rs_report);
	if (rs->rs_report->rr_verdict == MUGAI_V_SANITIZED ||
	    rs->rs_report->rr_verdict == MUGAI_V_WITHHELD) {
		GString *body = compose(cf, &w, rs->rs_report);

		mugai_textbody_encode_with(body->str, body->len,
		    cf->cf_output_charset, cf->cf_output_fallback, &tb);
		rs->rs_report->rr_charset_fallback = tb.tb_fallback;
		g_string_free(body, TRUE);
		rs->rs_body = g_bytes_ref(tb.tb_body);
		build_headers(cf, headers, fixes, &tb, rs);
		mugai_textbody_clear(&tb);
	} else if (hout != NULL)
		build_headers_stamp(rs, g_steal_pointer(&hout));
	else
		build_headers(cf, headers, fixes, NULL, rs);
	/* Off by default: one test on the hot path. */
	if (cf->cf_ppap_auto_password &&
	    (rs->rs_report->rr_verdict == MUGAI_V_UNCHANGED ||
	    rs->rs_report->rr_verdict == MUGAI_V_SANITIZED) &&
	    w.wk_text->len <= MUGAI_RESULT_TEXT_MAX)
		rs->rs_text = g_string_new_len(w.wk_text->str,
		    (gssize)w.wk_text->len);
	mugai_walk_clear(&w);
	g_clear_object(&norm);
	rs->rs_verdict = rs->rs_report->rr_verdict;
	*err = MUGAI_OK;
	return rs;
}

struct mugai_result *
mugai_sanitize_with(const struct mugai_config *cf, GMimeStream *in,
    const struct mugai_envelope *env, const struct mugai_sanitize_opts *opts,
    enum mugai_err *err)
{
	struct mugai_result *rs = NULL;
	gint64 start = g_mime_stream_tell(in);
	gint64 deadline = mugai_deadline_after(cf->cf_max_time);
	struct raw rw;

	raw_init(&rw, cf);
	if ((*err = scan_raw(in, &rw)) != MUGAI_OK ||
	    g_mime_stream_seek(in, start, GMIME_STREAM_SEEK_SET) < 0)
		*err = MUGAI_E_IO;
	else
		rs = sanitize(cf, in, env, opts != NULL ? opts : &auto_opts,
		    &rw, NULL, deadline, err);
	raw_clear(&rw);
	return rs;
}

struct mugai_sanitize_stream *
mugai_sanitize_stream_new(const struct mugai_config *cf,
    const struct mugai_envelope *env)
{
	struct mugai_sanitize_stream *ss = g_new0(struct mugai_sanitize_stream,
	    1);

	ss->ss_cf = cf;
	raw_init(&ss->ss_raw, cf);
	ss->ss_report = mugai_report_new();
	mugai_walk_init(&ss->ss_walk, cf, env, ss->ss_report);
	ss->ss_swalk = mugai_swalk_new(&ss->ss_walk);
	return ss;
}

/* The deadline for work starting now, after ss_spent already spent. */
static gint64
stream_deadline(const struct mugai_sanitize_stream *ss, gint64 now)
{
	gint64 max_ms = ss->ss_cf->cf_max_time;

	if (max_ms <= 0)
		return 0;
	return MAX(now + max_ms * 1000 - ss->ss_spent, 1);
}

void
mugai_sanitize_stream_feed(struct mugai_sanitize_stream *ss,
    const void *buf, gsize len)
{
	gint64 t0 = 0;

	g_return_if_fail(!ss->ss_ended);
	if (ss->ss_cf->cf_max_time > 0) {
		t0 = mugai_deadline_now();
		ss->ss_walk.wk_deadline = stream_deadline(ss, t0);
	}
	raw_feed(&ss->ss_raw, buf, len);
	/* Declined: the fallback reads the whole message again anyway. */
	if (mugai_swalk_declined(ss->ss_swalk) == NULL)
		mugai_swalk_feed(ss->ss_swalk, buf, len);
	if (ss->ss_cf->cf_max_time > 0)
		ss->ss_spent += mugai_deadline_now() - t0;
}

struct mugai_result *
mugai_sanitize_stream_finish(struct mugai_sanitize_stream *ss,
    GMimeStream *in, const struct mugai_envelope *env, enum mugai_err *err)
{

	g_return_val_if_fail(!ss->ss_ended, NULL);
	ss->ss_ended = TRUE;
	ss->ss_walk.wk_deadline = stream_deadline(ss, mugai_deadline_now());
	return sanitize(ss->ss_cf, in, env, &auto_opts, &ss->ss_raw, ss,
	    ss->ss_walk.wk_deadline, err);
}

void
mugai_sanitize_stream_free(struct mugai_sanitize_stream *ss)
{
	if (ss == NULL)
		return;
	/* Before the walk: freeing it may put the walk's wk_text back. */
	mugai_swalk_free(ss->ss_swalk);
	if (ss->ss_report != NULL) {
		mugai_walk_clear(&ss->ss_walk);
		mugai_report_free(ss->ss_report);
	}
	raw_clear(&ss->ss_raw);
	g_free(ss);
}

/*
 * Writes len bytes of s, converting line endings to CRLF or LF: every CR
 * is dropped, and with crlf every LF becomes CRLF.
 */
static gboolean
write_lines(GMimeStream *out, const char *s, gsize len, gboolean crlf)
{
	GString *buf = g_string_sized_new(len + len / 16);
	const char *p = s, *end = s + len, *nl, *cr;
	gboolean ok;

	while (p < end) {
		nl = memchr(p, '\n', (gsize)(end - p));
		if (nl == NULL)
			nl = end;
		/* the line without its CRs */
		while ((cr = memchr(p, '\r', (gsize)(nl - p))) != NULL) {
			g_string_append_len(buf, p, cr - p);
			p = cr + 1;
		}
		g_string_append_len(buf, p, nl - p);
		if (nl == end)
			break;
		g_string_append_len(buf, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
		p = nl + 1;
	}
	ok = g_mime_stream_write(out, buf->str, buf->len) == (gssize)buf->len;
	g_string_free(buf, TRUE);
	return ok;
}

enum mugai_err
mugai_result_write(const struct mugai_result *rs, GMimeStream *original,
    GMimeStream *out, gboolean crlf)
{
	if (!write_lines(out, rs->rs_headers, strlen(rs->rs_headers), crlf) ||
	    !write_lines(out, "\n", 1, crlf))
		return MUGAI_E_IO;
	if (rs->rs_body != NULL) {
		gsize len = 0;
		const char *b = g_bytes_get_data(rs->rs_body, &len);

		return write_lines(out, b, len, crlf) ? MUGAI_OK : MUGAI_E_IO;
	}
	if (g_mime_stream_seek(original, rs->rs_body_offset,
	    GMIME_STREAM_SEEK_SET) < 0 ||
	    g_mime_stream_write_to_stream(original, out) < 0)
		return MUGAI_E_IO;
	return MUGAI_OK;
}
