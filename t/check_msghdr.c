/*
 * check_msghdr - mugai_msghdr_quiet: whatever it calls quiet, GMime reads
 * as a message without a warning (typical blocks, tricky ones it must
 * refuse, and 30,000 seeded random blocks from address and field pieces)
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "mime/msghdr.h"
#include "testutil.h"

static void
count_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	(void)offset;
	(void)code;
	(void)item;
	(*(guint *)data)++;
}

/* GMime's warnings for block read as message headers (lib/mime/scan.c's way). */
static guint
gmime_warnings(const char *block)
{
	GMimeParserOptions *o = g_mime_parser_options_new();
	g_autofree char *h = g_strconcat(block, "\n", NULL);
	GMimeStream *ms = g_mime_stream_mem_new_with_buffer(h, strlen(h));
	GMimeParser *pr = g_mime_parser_new_with_stream(ms);
	GMimeMessage *m;
	guint n = 0;

	g_mime_parser_options_set_warning_callback(o, count_warning, &n);
	g_mime_parser_set_format(pr, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(pr, o);
	if (m == NULL)
		n++;
	else
		/* GMime decodes some values only when asked. */
		(void)g_mime_message_get_subject(m);
	g_clear_object(&m);
	g_object_unref(pr);
	g_object_unref(ms);
	g_mime_parser_options_free(o);
	return n;
}

static gboolean
quiet(const char *block)
{
	return mugai_msghdr_quiet(block, strlen(block));
}

static const char *const accepted[] = {
	"Received: from mail.sender.example (mail.sender.example "
	    "[192.0.2.1])\n\tby mx.boundary.example with ESMTP id Q00000; "
	    "Mon, 1 Sep 2025 00:00:00 +0900\nFrom: Hanako Suzuki "
	    "<suzuki@sender.example>\nTo: kikaku@lgwan.example\nSubject: "
	    "Training schedule\nDate: Mon, 1 Sep 2025 00:00:00 +0900\n"
	    "Message-ID: <bench-1-0@sender.example>\nMIME-Version: 1.0\n",
	"From: a@example.jp\r\nTo: b@example.jp, Jean-Luc Picard "
	    "<jl.picard+x@ent.fleet.example>\r\nCc: <c@d.example>\r\n",
	"From: a@example.jp\nTo: b@example.jp,\n\tc@example.jp\n",
	"X-Mailer: whatever (you; like) <x>\nFrom: a@b.example\n",
	"Received: a\nReceived: b\nX-Received: c\nX-Received: d\n"
	    "DKIM-Signature: v=1\nDKIM-Signature: v=1\n"
	    "Authentication-Results: x\nAuthentication-Results: y\n"
	    "Received-SPF: pass\nReceived-SPF: pass\nFrom: a@b.example\n",

	"Subject: =?UTF-8?B?5pel5pys?=\nFrom: a@b.example\n",
	"From: =?ISO-2022-JP?B?GyRCO1NFRBsoQg==?= <a@b.example>\n",
	"Subject: =?ISO-2022-JP?B?GyRCTT07O01XNWE7cU5BJE4zTkcnME0bKEI=?=\n"
	    " =?ISO-2022-JP?B?GyRCTWobKEI=?=\nFrom: Taro =?UTF-8?Q?=E5=B1=B1?="
	    " <a@b.example>\n",
};

/* Refused: the caller asks GMime. */
static const char *const refused[] = {
	"Subject: =?UTF-8?Q?a b?=\n",
	"Subject: =?UTF-8?B?Y Q==?=\n",
	"Subject: x=?UTF-8?B?YQ==?=\n",
	"Subject: =?UTF-8?B?YQ==?=x\n",
	"Subject: =?UTF-8?B?YQ==\n",
	"Subject: =?UTF-8*ja?B?YQ==?=\n",
	"From: =?UTF-8?B?YQ==?=<a@b.example>\n",
	"From: \"Quoted Name\" <a@b.example>\n",
	"From: a@b.example (comment)\n",
	"To: undisclosed-recipients:;\n",
	"To: a@localhost\n",
	"To: a@b.example <c@d.example>\n",
	"To: a@-b.example\n",
	"To: a@b-.example\n",
	"To: .a@b.example\n",
	"To: a..b@c.example\n",
	"To: a@b..example\n",
	"To: a@[192.0.2.1]\n",
	"To: a@b.example,\n",
	"To:\n",
	"To: John Q. Public <a@b.example>\n",
	"From: a@b.example\nFrom: c@d.example\n",
	"Subject: one\nSubject: two\n",
	"From: a@b.example\nIn-Reply-To: <a@b>\nIn-Reply-To: <c@d>\n",
	"From: a@b.example\nReferences: <a@b>\nreferences: <c@d>\n",
	"From: a@b.example\nX-Foo: 1\nX-Foo: 2\n",
	"Subject: caf\303\251\nFrom: a@b.example\n",
	/* RFC 2047 5(3): in a phrase, no specials in the encoded text (GMime
	 * warns; found beside a terminal sequence in From:) */
	"From: =?utf-8?q?=1B]0;pwned=07Boss?= <a@b.example>\n",
	"From: =?UTF-8?Q?a.b?= <a@b.example>\n",
	"To: =?UTF-8?Q?a,b?= <a@b.example>\n",
	"Cc: =?UTF-8?Q?a@b?= <a@b.example>\n",
	"Content-Type: text/plain\n",
	"",
};

START_TEST(accepted_blocks_are_quiet_in_gmime)
{
	const char *b = accepted[_i];

	ck_assert_msg(quiet(b), "not quiet: %s", b);
	ck_assert_uint_eq(gmime_warnings(b), 0);
}
END_TEST

START_TEST(tricky_blocks_are_refused)
{
	ck_assert_msg(!quiet(refused[_i]), "quiet: %s", refused[_i]);
}
END_TEST

/* Pieces of address fields, good and bad, and other fields. */
static const char *const addrs[] = {
	"=?UTF-8?B?5pel?= <a@b.example>", "Taro =?UTF-8?Q?=E5?= <a@b.example>",
	"=?UTF-8?Q?a b?= <a@b.example>", "=?UTF-8?B?5pel?=<a@b.example>",
	"=?x?B?YQ==?= =?y?Q?z?=\n <a@b.example>", "=?UTF-8?B?? <a@b.example>",
	"a=?UTF-8?B?YQ==?= <a@b.example>", "=?ISO-2022-JP?B?GyRC?= <c@d.example>",
	"a@b.example", "Hanako Suzuki <suzuki@sender.example>",
	"<x@y.example>", "x_y-z+t@a-b.c.example", "Bob <bob@x.example>",
	"a@b", "\"Q\" <a@b.example>", "a@b.example (c)", "g: a@b.example;",
	"a@@b.example", "a@b.example.", "<a@b.example", "a <b@c.example> d",
	"=?UTF-8?Q?a?= <a@b.example>", "a@b.example,", ", a@b.example",
	"a\n @b.example", "Mr. X <x@y.example>", "a@b.-c.example",
	"A B C <a.b.c@d.e.f.example>", "@b.example", "a@.example", "",
	"a b@c.example", "<>", "a@b.c-", "Name <a@b.example>,\n\tc@d.example",
	"=?UTF-8?Q?a]b;c?= <a@b.example>", "=?UTF-8?Q?a(b)?= <a@b.example>",
	"=?UTF-8?Q?a!*+-/=3D_b?= <a@b.example>",
};
static const char *const names[] = { "From", "To", "Cc", "Bcc", "Sender",
	"Reply-To", "from", "TO" };
static const char *const others[] = { "Subject: hello world\n",
	"Subject: =?UTF-8?B?5pel?=\n", "Date: Mon, 1 Sep 2025 00:00:00 +0900\n",
	"Date: not a date at all\n", "Message-ID: <a@b.example>\n",
	"Message-ID: garbage <<>>\n", "MIME-Version: 1.0\n",
	"X-Thing: =?bogus?=\n", "Received: from x by y; Mon, 1 Sep 2025\n",
	"Subject: folded\n continued\n", "Subject: \n", "Keywords: a, b\n",
	"Subject: tab\tand (paren) <angle> \"quote\" ;:@\n",
	"Subject: =?UTF-8?B?5pel5pys?=\n", "Subject: =?UTF-8?Q?a b?=\n",
	"Subject: Re: =?ISO-2022-JP?B?GyRCS0k6UhsoQg==?=\n =?UTF-8?Q?x?=\n",
	"Subject: =?UTF-8?B?Y Q==?= x\n", "Subject: x=?a?b?c?=\n",
	"Subject: =?a?X?b?=\n", "Subject: =?bad charset?B?YQ==?=\n",
	"Subject: =?UTF-8?B?###?= =?unknown?Q?=ZZ?=\n",
	"Subject: =?UTF-8?B?YQ==?==?UTF-8?B?YQ==?=\n",
	"X-Foo: =?UTF-8?Q?a b?=\n", "Comments: =?UTF-8?B?YQ==\n",
	"In-Reply-To: <a@b.example>\n", "References: <a@b> <c@d>\n",
	"Received: from a by b\n", "Resent-From: a@b.example\n",
	"Comments: c\n", "X-Foo: bar\n", "DKIM-Signature: v=1; a=x\n",
	"Return-Path: <a@b.example>\n", "Organization: x\n",
	"Sensitivity: Personal\n", "Importance: high\n",
	"Disposition-Notification-To: a@b.example\n", "Keywords: k\n" };

START_TEST(random_blocks_quiet_means_gmime_is_quiet)
{
	GRand *r = g_rand_new_with_seed(61);
	guint taken = 0;

	for (guint i = 0; i < 30000; i++) {
		GString *b = g_string_new(NULL);

		for (guint k = (guint)g_rand_int_range(r, 1, 6); k > 0; k--) {
			if (g_rand_boolean(r)) {
				g_string_append(b, others[g_rand_int_range(r,
				    0, G_N_ELEMENTS(others))]);
				continue;
			}
			g_string_append_printf(b, "%s: ",
			    names[g_rand_int_range(r, 0, G_N_ELEMENTS(names))]);
			for (guint a = (guint)g_rand_int_range(r, 1, 4);
			    a > 0; a--)
				g_string_append_printf(b, "%s%s",
				    addrs[g_rand_int_range(r, 0,
				    G_N_ELEMENTS(addrs))], a > 1 ? ", " : "");
			g_string_append_c(b, '\n');
		}
		if (quiet(b->str)) {
			taken++;
			if (gmime_warnings(b->str) != 0)
				ck_abort_msg("GMime warns about: %s", b->str);
		}
		g_string_free(b, TRUE);
	}
	g_rand_free(r);
	/* Both answers occur. */
	ck_assert_uint_gt(taken, 1000);
	ck_assert_uint_lt(taken, 29000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("msghdr");

	g_mime_init();
	t_loop_test(s, accepted_blocks_are_quiet_in_gmime, 0,
	    G_N_ELEMENTS(accepted));
	t_loop_test(s, tricky_blocks_are_refused, 0,
	    G_N_ELEMENTS(refused));
	t_test(s, random_blocks_quiet_means_gmime_is_quiet);
	return t_run(s);
}
