/*
 * check_autopw - mugai_autopw_pick() on password mails as Japanese
 * offices write them, and on short mails that are not password mails.
 */
#include "autoconfig.h"

#include "t/testutil.h"
#include "ppap/autopw.h"

struct pwcase {
	const char *name;
	const char *text;
	const char *want;	/* NULL: not a password mail */
};

static const struct pwcase cases[] = {
	{ "labelled, full-width colon",
	  "山田様\n\nお世話になっております。サンプル商事の鈴木です。\n"
	  "先ほどお送りしたファイルのパスワードをお知らせします。\n\n"
	  "パスワード：Abc123xyz\n\nよろしくお願いいたします。\n"
	  "--\n株式会社サンプル商事 営業部 鈴木一郎\n"
	  "TEL: 03-1234-5678 / FAX: 03-1234-5679\n"
	  "https://www.example.co.jp/\n", "Abc123xyz" },
	{ "PW with full-width equals", "ＰＷ＝k7#pQ2m!\n", "k7#pQ2m!" },
	{ "half-width katakana label",
	  "ﾊﾟｽﾜｰﾄﾞ: Zq9-rT4w\n", "Zq9-rT4w" },
	{ "bracketed label",
	  "お疲れ様です。\n【パスワード】 hR7vK2pX\n以上です。\n",
	  "hR7vK2pX" },
	{ "quoted in 「」 with は",
	  "解凍パスワードは「x9Lq#2026」です。\nご確認ください。\n",
	  "x9Lq#2026" },
	{ "label then token on the next line",
	  "各位\n\n本日送付の見積書.zipのパスワードは以下の通りです。\n\n"
	  "   Mitsu2026Dec\n\n株式会社テスト 佐藤\n", "Mitsu2026Dec" },
	{ "sentence then token alone",
	  "先ほどのメールの添付ファイルのパスワードをお知らせします。\n"
	  "\nP@ssw0rd-77\n", "P@ssw0rd-77" },
	{ "framed by rules",
	  "━━━━━━━━━━━━\n■パスワード：7hGt5sQa\n━━━━━━━━━━━━\n"
	  "※本メールは自動送信です。\n", "7hGt5sQa" },
	{ "English", "Hello,\n\nThe password for the attached file: "
	  "Tr0ub4dor&3\n\nBest regards,\nJohn\n", NULL },
	{ "English labelled", "Password: Tr0ub4dor&3\n\nRegards\n",
	  "Tr0ub4dor&3" },
	{ "numeric after a label (a date is a common PIN)",
	  "パスワード：20261206\n", "20261206" },
	{ "a bare token, the whole body", "aB3dE5fG7\n", "aB3dE5fG7" },
	{ "a bare token over a signature",
	  "Xy7Wq3Lm\n-- \n鈴木 / TEL 090-1234-5678\n", "Xy7Wq3Lm" },
	{ "the same password twice", "パスワード：Abc123xyz\n"
	  "(再掲) PW: Abc123xyz\n", "Abc123xyz" },
	{ "reply with the quoted mail",
	  "PW: k2Jd8sLq\n\n2026年12月6日(日) 10:00 鈴木 <s@example.jp>:\n"
	  "> パスワード: other1234\n", "k2Jd8sLq" },

	{ "label inside a sentence",
	  "山田様\n\n先ほどのファイルのパスワードは Abc123 です。\n"
	  "よろしくお願いします。\n", "Abc123" },
	{ "label inside a sentence, quoted",
	  "見積書.zipの解凍パスワードは「Mt#2026x」です。\n", "Mt#2026x" },
	{ "English sentence", "Hi,\nThe password is Tr0ub4dor&3\nThanks\n",
	  "Tr0ub4dor&3" },
	{ "English sentence with a colon",
	  "Hi,\nthe ZIP password: Qw3rty99 (case sensitive)\n", "Qw3rty99" },

	/* Not password mails. */
	{ "a date after a label inside a sentence",
	  "昨日のパスワードは 2026-12-06 に変更しました。\n", NULL },
	{ "a short label inside a sentence", "I will pass: tomorrow\n",
	  NULL },
	{ "a sentence label then another password",
	  "A.zipのパスワードは Abc12345 です。\nB.zipのパスワードは "
	  "Xyz98765 です。\n", NULL },
	{ "two different passwords", "A.zip パスワード: Abc12345\n"
	  "B.zip パスワード: Xyz98765\n", NULL },
	{ "label without a token", "パスワードは別途お知らせします。\n"
	  "よろしくお願いします。\n", NULL },
	{ "password change notice",
	  "パスワードを変更してください。\nhttps://example.jp/reset\n",
	  NULL },
	{ "a URL alone", "https://example.jp/a1b2c3\n", NULL },
	{ "a mail address alone", "suzuki2026@example.co.jp\n", NULL },
	{ "a phone number alone", "03-1234-5678\n", NULL },
	{ "a date alone", "2026/12/06\n", NULL },
	{ "a word alone", "了解しました\n", NULL },
	{ "letters alone", "thanks\n", NULL },
	{ "signature only",
	  "--\n株式会社サンプル\nTEL:03-1234-5678\nsales@example.jp\n", NULL },
	{ "a business mail",
	  "山田様\n\nお世話になっております。\n来週の会議の件、"
	  "10日(木) 14:00 からでお願いします。\n会議室: 3F-A12\n\n"
	  "よろしくお願いします。\n", NULL },
	{ "passport is no pass", "Passport: TR1234567\n", NULL },
	{ "too short", "PW: ab1\n", NULL },
	{ "ID is not a password", "ID: user2026\n", NULL },
	{ "empty", "", NULL },
};

START_TEST(pick_case)
{
	const struct pwcase *c = &cases[_i];
	char *got = mugai_autopw_pick(c->text, strlen(c->text));

	if (c->want == NULL)
		ck_assert_msg(got == NULL, "%s: picked \"%s\"", c->name, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, c->want) == 0,
		    "%s: want \"%s\", got \"%s\"", c->name, c->want,
		    got != NULL ? got : "(none)");
	mugai_autopw_free(got);
}
END_TEST

START_TEST(long_and_invalid_texts)
{
	GString *s = g_string_new("パスワード：Abc123xyz\n");
	static const char bad[] = "PW: Abc123\xff\n";

	while (s->len <= MUGAI_AUTOPW_TEXT_MAX)
		g_string_append(s, "本文が続きます。\n");
	ck_assert_ptr_null(mugai_autopw_pick(s->str, s->len));
	ck_assert_ptr_null(mugai_autopw_pick(bad, sizeof bad - 1));
	ck_assert_ptr_null(mugai_autopw_pick(NULL, 0));
	g_string_free(s, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("autopw");

	t_loop_test(s, pick_case, 0, G_N_ELEMENTS(cases));
	t_test(s, long_and_invalid_texts);
	return t_run(s);
}
