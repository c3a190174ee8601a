/*
 * mugai_onepart - the message that delivers one approved part
 *
 * The original is parsed from a stream over the store's descriptor with
 * GMime's persistent streams: the part's content stays a window on the
 * original's encoded bytes and its header fields keep their raw values,
 * so writing the part into the new multipart copies it rather than
 * encoding it again.
 */
#include "autoconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "base/partnum.h"
#include "store/onepart.h"

GMimeObject *
mugai_onepart_find(GMimeObject *obj, const char *path, const char *want)
{
	return mugai_partnum_find(obj, path, want, NULL);
}

static char *
utc(gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);

	return d != NULL ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S UTC") :
	    g_strdup("?");
}

/* A user's or the original's text, safe to put in the note. */
static char *
clean(const char *s, const char *none)
{
	char *v = g_utf8_make_valid(s != NULL && *s != '\0' ? s : none, -1);

	for (char *p = v; *p != '\0'; p++)
		if ((guchar)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return v;
}

static GMimePart *
note_part(const struct mugai_onepart *op, const char *filename,
    const char *subject)
{
	g_autofree char *when = utc(op->op_time), *fn = NULL, *rule = NULL,
	    *who = NULL, *req = NULL, *subj = NULL;
	GMimePart *p = GMIME_PART(g_mime_text_part_new_with_subtype("plain"));
	GString *t = g_string_new(NULL);

	fn = clean(filename, "(名前なし / unnamed)");
	rule = clean(op->op_rule, "-");
	who = clean(op->op_approver, "-");
	req = clean(op->op_requester, "-");
	subj = clean(subject, "-");
	g_string_append_printf(t,
	    "このメールには、無害化で取り除かれた添付ファイルを 1 つだけ"
	    "添付しています。\n"
	    "原本取得の申請が承認されたため、隔離された原本から取り出して"
	    "配送します。\n\n"
	    "  ファイル名: %s\n  元のメールの件名: %s\n"
	    "  隔離 ID: %s\n  部分: %s\n  削除した規則: %s\n"
	    "  申請者: %s\n  承認者: %s\n  承認日時: %s\n\n"
	    "開く前に、送信者と内容に心当たりがあることを確かめてください。"
	    "\n\n"
	    "This message carries one attachment that sanitization removed.\n"
	    "A request for it was approved, so it is delivered from the "
	    "quarantined original.\n\n"
	    "  File name: %s\n  Subject of the original: %s\n"
	    "  Quarantine ID: %s\n  Part: %s\n  Removed by rule: %s\n"
	    "  Requested by: %s\n  Approved by: %s\n  Approved at: %s\n\n"
	    "Before opening it, make sure you know the sender and expect "
	    "its content.\n",
	    fn, subj, op->op_id, op->op_part, rule, req, who, when,
	    fn, subj, op->op_id, op->op_part, rule, req, who, when);
	g_mime_text_part_set_text(GMIME_TEXT_PART(p), t->str);
	g_mime_text_part_set_charset(GMIME_TEXT_PART(p), "utf-8");
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	g_string_free(t, TRUE);
	return p;
}

/* TRUE when the original (fd, lent) ends its first line with CRLF. */
static gboolean
crlf_at(int fd)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;

	return nl != NULL && nl > buf && nl[-1] == '\r';
}

/* Copies the address header name of from into to, when it has one. */
static void
copy_addresses(GMimeMessage *from, GMimeMessage *to,
    GMimeAddressType type)
{
	InternetAddressList *src = g_mime_message_get_addresses(from, type);

	if (src != NULL && internet_address_list_length(src) > 0)
		internet_address_list_append(
		    g_mime_message_get_addresses(to, type), src);
}

GBytes *
mugai_onepart_build(int fd, const struct mugai_onepart *op,
    enum mugai_err *err, GString *why)
{
	GMimeStream *in = NULL, *out = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *orig = NULL, *msg = NULL;
	GMimeMultipart *mp = NULL;
	GMimePart *note = NULL;
	GMimeObject *o;
	GMimeFormatOptions *fo;
	GBytes *res = NULL;
	GByteArray *ba;
	gssize wrote;
	g_autofree char *subj = NULL, *mid = NULL;
	const char *fn = NULL, *osubj;
	int dfd;

	*err = MUGAI_E_INVAL;
	if (op == NULL || op->op_id == NULL || op->op_part == NULL ||
	    *op->op_part == '\0' || strspn(op->op_part, "0123456789.") !=
	    strlen(op->op_part)) {
		if (why != NULL)
			g_string_assign(why, "a part is named by its number, "
			    "such as 2 or 1.2");
		return NULL;
	}
	if ((dfd = dup(fd)) < 0) {
		*err = MUGAI_E_IO;
		if (why != NULL)
			g_string_assign(why, g_strerror(errno));
		return NULL;
	}
	in = g_mime_stream_fs_new_with_bounds(dfd, 0, -1);	/* takes dfd */
	parser = g_mime_parser_new_with_stream(in);
	g_mime_parser_set_persist_stream(parser, TRUE);
	if ((orig = g_mime_parser_construct_message(parser, NULL)) == NULL) {
		*err = MUGAI_E_PARSE;
		if (why != NULL)
			g_string_assign(why, "the original cannot be parsed "
			    "as MIME");
		goto out;
	}
	o = mugai_onepart_find(orig->mime_part, "1", op->op_part);
	if (o == NULL) {
		*err = MUGAI_E_NOTFOUND;
		if (why != NULL)
			g_string_printf(why, "the original has no MIME part "
			    "%s", op->op_part);
		goto out;
	}
	if (GMIME_IS_PART(o))
		fn = g_mime_part_get_filename(GMIME_PART(o));
	else if (!GMIME_IS_MESSAGE_PART(o)) {
		if (why != NULL)
			g_string_printf(why, "part %s is a container, not "
			    "one attachment", op->op_part);
		goto out;
	}

	msg = g_mime_message_new(TRUE);
	copy_addresses(orig, msg, GMIME_ADDRESS_TYPE_FROM);
	copy_addresses(orig, msg, GMIME_ADDRESS_TYPE_TO);
	copy_addresses(orig, msg, GMIME_ADDRESS_TYPE_CC);
	osubj = g_mime_message_get_subject(orig);
	subj = g_strconcat("[承認済みの添付 / approved attachment] ",
	    osubj != NULL ? osubj : "", NULL);
	g_mime_message_set_subject(msg, subj, "utf-8");
	{
		g_autoptr(GDateTime) now = g_date_time_new_now_utc();

		g_mime_message_set_date(msg, now);
	}
	mid = g_mime_utils_generate_message_id("mugai.invalid");
	g_mime_message_set_message_id(msg, mid);
	g_mime_object_set_header(GMIME_OBJECT(msg), "X-Mugai-Part-Release",
	    op->op_id, NULL);
	mp = g_mime_multipart_new_with_subtype("mixed");
	note = note_part(op, fn, osubj);
	g_mime_multipart_add(mp, GMIME_OBJECT(note));
	/* The original's part itself: its raw header and encoded body. */
	g_mime_multipart_add(mp, o);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mp));

	out = g_mime_stream_mem_new();
	/* The original's line ends throughout: a CRLF original's part is
	 * written as it was, and the rest matches it. */
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, crlf_at(fd) ?
	    GMIME_NEWLINE_FORMAT_DOS : GMIME_NEWLINE_FORMAT_UNIX);
	wrote = g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, out);
	g_mime_format_options_free(fo);
	if (wrote < 0) {
		*err = MUGAI_E_IO;
		if (why != NULL)
			g_string_assign(why, "writing the message failed");
		goto out;
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	/* The stream owns its array: a copy. */
	res = g_bytes_new(ba->data, ba->len);
	*err = MUGAI_OK;
out:
	if (out != NULL)
		g_object_unref(out);
	if (note != NULL)
		g_object_unref(note);
	if (mp != NULL)
		g_object_unref(mp);
	if (msg != NULL)
		g_object_unref(msg);
	if (orig != NULL)
		g_object_unref(orig);
	g_object_unref(parser);
	g_object_unref(in);
	return res;
}
